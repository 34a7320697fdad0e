DROP INDEX webhook_events_undispatched;
ALTER TABLE webhook_events DROP COLUMN leased_until;
ALTER TABLE webhook_events DROP COLUMN dispatched_at;
ALTER TABLE webhook_events DROP COLUMN max_webhook_id;
