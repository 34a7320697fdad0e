-- Every attempt of a delivery, oldest first: when it started, the status (null when
-- nothing answered), why it failed and how long it took. Written in the dispatcher's
-- cycle with the delivery row, one multi-row insert per cycle.
CREATE TABLE webhook_attempts (
    id          BIGSERIAL PRIMARY KEY,
    delivery_id BIGINT    NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at          TIMESTAMP NOT NULL,
    status      INTEGER,
    error       TEXT,
    duration_ms INTEGER   NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Test pings not yet tried (the only rows written before their first attempt): at
-- most one per webhook may wait.
CREATE INDEX webhook_deliveries_untried ON webhook_deliveries (webhook_id) WHERE attempts = 0;
