-- Failed logins, per email and per client address, for rate limiting. Kept in the
-- database so that every folio server sharing it enforces the same limit.
CREATE TABLE login_failures (
    id        INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    key       TEXT    NOT NULL,   -- 'email:<address>' or 'client:<ip>'
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key_idx ON login_failures (key, failed_at);
