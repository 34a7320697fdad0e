-- Keys for integrators: only a SHA-256 hash of each key is kept (keys are random and
-- long, so no salt or slow hash is needed); the first 12 characters are shown to tell
-- keys apart. A key acts for its creator, so it goes with them.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name         TEXT      NOT NULL,
    key_hash     TEXT      NOT NULL UNIQUE,
    prefix       TEXT      NOT NULL,
    scopes       TEXT      NOT NULL,  -- space-separated: content:read content:write webhooks media
    created_by   BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,           -- null: never
    last_used_at TIMESTAMP
);
CREATE INDEX api_keys_created_by_idx ON api_keys (created_by);

-- The key a write was made with, if any; no foreign key: the trail outlives revoked keys.
ALTER TABLE audit_log ADD COLUMN api_key_id BIGINT;
