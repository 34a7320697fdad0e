-- Uploaded media: one row per upload. Files are stored by content (sha256 and the
-- type's extension), so rows uploading the same bytes share one stored file, which
-- goes when the last of them does. A media item outlives its uploader (articles may
-- show it): uploaded_by is cleared when the user is deleted.
CREATE TABLE media (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    sha256       TEXT      NOT NULL,
    ext          TEXT      NOT NULL,
    content_type TEXT      NOT NULL,
    bytes        BIGINT    NOT NULL,
    width        INTEGER,
    height       INTEGER,
    alt          TEXT,
    uploaded_by  BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX media_sha256_idx ON media (sha256);
CREATE INDEX media_uploaded_by_idx ON media (uploaded_by);
CREATE INDEX media_created_at_idx ON media (created_at, id);
