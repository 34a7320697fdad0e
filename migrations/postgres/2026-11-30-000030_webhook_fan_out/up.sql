-- The fan-out leaves the change's transaction: a change writes its event alone, and a
-- delivery worker writes the event's deliveries moments later, many events at a time.
-- A publish then costs one row more than without webhooks, however many there are.
--
-- max_webhook_id is the newest webhook when the event happened: webhooks made later
-- never get it. dispatched_at is when its deliveries were written (at once when there
-- was no webhook to send it to, or for a ping).
ALTER TABLE webhook_events ADD COLUMN max_webhook_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhook_events ADD COLUMN dispatched_at TIMESTAMP;
UPDATE webhook_events SET dispatched_at = created_at;
CREATE INDEX webhook_events_undispatched ON webhook_events (id) WHERE dispatched_at IS NULL;
