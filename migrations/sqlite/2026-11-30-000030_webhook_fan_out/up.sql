-- The fan-out leaves the change's transaction: a change writes its event alone, and a
-- delivery worker leases the event (leased_until), sends it to each webhook that wants
-- it and writes one delivery row per webhook with the outcome of that first attempt,
-- many events in one transaction. A publish then costs one row more than without
-- webhooks, however many there are, and a delivery one row written once.
--
-- max_webhook_id is the newest webhook when the event happened: webhooks made later
-- never get it. dispatched_at is when every first attempt was recorded (at once when
-- there was no webhook to send it to, or for a ping, whose delivery row is written
-- with the event).
ALTER TABLE webhook_events ADD COLUMN max_webhook_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhook_events ADD COLUMN dispatched_at TIMESTAMP;
ALTER TABLE webhook_events ADD COLUMN leased_until TIMESTAMP;
UPDATE webhook_events SET dispatched_at = created_at;
CREATE INDEX webhook_events_undispatched ON webhook_events (id) WHERE dispatched_at IS NULL;
