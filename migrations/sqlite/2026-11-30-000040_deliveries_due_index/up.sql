-- Only undelivered rows can fall due: a delivery whose first attempt succeeded (most
-- of them) is written without an entry in the due index.
DROP INDEX webhook_deliveries_due_idx;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL;
