-- Webhooks: endpoints, the outbox of events, and one delivery per event and endpoint.

CREATE TABLE webhooks (
    id          BIGSERIAL PRIMARY KEY,
    url         TEXT    NOT NULL,
    events      TEXT    NOT NULL,   -- JSON array of event types, or ["*"]
    description TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    secret      TEXT    NOT NULL,   -- whsec_ + base64: the signing key, shown once
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- The outbox: written in the transaction of the change that causes the event. The id
-- is the event's sequence and its webhook-id. A dedupe_key makes an event that must
-- happen once (a scheduled article going live) provably happen once.
CREATE TABLE webhook_events (
    id         BIGSERIAL PRIMARY KEY,
    type       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,    -- JSON: the event's `data`
    created_at TIMESTAMP NOT NULL,
    dedupe_key TEXT
);
CREATE UNIQUE INDEX webhook_events_dedupe_key ON webhook_events (dedupe_key);

CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    webhook_id      BIGINT  NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        BIGINT  NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,            -- the HTTP status of the last attempt, if any answered
    last_error      TEXT,
    next_attempt_at TIMESTAMP,          -- null once delivered or given up
    delivered_at    TIMESTAMP,          -- set by the first 2xx
    leased_until    TIMESTAMP,          -- a worker is sending it until then
    created_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX webhook_deliveries_key ON webhook_deliveries (webhook_id, event_id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at);
