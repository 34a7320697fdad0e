-- Events are kept FOLIO_EVENT_RETENTION_DAYS (src/store/changes.rs prunes the oldest);
-- their deliveries go with them (ON DELETE CASCADE), found by event here, not by a
-- scan of every delivery.
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
