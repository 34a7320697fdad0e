-- Who changed what, written in the transaction of the change itself. Append-only:
-- nothing in the API updates or deletes these rows.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at          TIMESTAMP NOT NULL,
    user_id     BIGINT,            -- no foreign key: the trail outlives deleted users
    role        TEXT    NOT NULL,
    action      TEXT    NOT NULL,  -- create, update, delete, restore
    resource    TEXT    NOT NULL,  -- article, section, tag, user
    resource_id BIGINT,
    version     INTEGER,
    client      TEXT    NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, at);
CREATE INDEX audit_log_resource_idx ON audit_log (resource, resource_id, at);
