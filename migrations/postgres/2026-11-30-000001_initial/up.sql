-- The PostgreSQL schema: the same tables, columns and indexes as migrations/sqlite,
-- with PostgreSQL's types, and search kept in a generated tsvector column.
-- Timestamps are UTC `TIMESTAMP`s (diesel's NaiveDateTime); ids are 64-bit.
-- Text that lists sort by is compared byte-wise ("C"), as SQLite does.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT    NOT NULL,                -- stored lower-cased
    password_hash TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'author')),
    bio           TEXT,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE refresh_tokens (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL,
    family      TEXT    NOT NULL,   -- one login: every rotation of it shares this
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,          -- set when rotated; a second use is a replay
    revoked_at  TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE sections (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT    NOT NULL,
    name        TEXT    COLLATE "C" NOT NULL,
    description TEXT,
    parent_id   BIGINT  REFERENCES sections (id) ON DELETE RESTRICT,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sections_slug_key ON sections (slug);
CREATE INDEX sections_parent_idx ON sections (parent_id);
CREATE INDEX sections_order_idx ON sections (position, name);

CREATE TABLE tags (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT    NOT NULL,
    name        TEXT    COLLATE "C" NOT NULL,
    name_key    TEXT    NOT NULL,   -- lower-cased name: tags are found by name case-insensitively
    description TEXT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tags_slug_key ON tags (slug);
CREATE UNIQUE INDEX tags_name_key ON tags (name_key);

CREATE TABLE articles (
    id                   BIGSERIAL PRIMARY KEY,
    slug                 TEXT    NOT NULL,
    title                TEXT    COLLATE "C" NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    published_at         TIMESTAMP,
    section_id           BIGINT  REFERENCES sections (id) ON DELETE RESTRICT,
    author_id            BIGINT  NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    version              INTEGER NOT NULL DEFAULT 1,
    word_count           INTEGER NOT NULL,
    reading_time_minutes INTEGER NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    excerpt              TEXT    NOT NULL,
    excerpt_is_custom    BOOLEAN NOT NULL,   -- false: derived from the body, re-derived when it changes
    seo_meta_title       TEXT,
    seo_meta_description TEXT,
    seo_canonical_url    TEXT,
    cover_image_url      TEXT,
    cover_image_alt      TEXT,
    metadata             TEXT    NOT NULL DEFAULT '{}',
    toc                  TEXT    NOT NULL,   -- JSON array of {level, text, anchor}
    body_markdown        TEXT    NOT NULL,
    body_html            TEXT    NOT NULL,
    body_text            TEXT    NOT NULL,   -- plain text of the body, for search
    -- What search matches: words of the title (weight A), the excerpt (B) and the
    -- body's plain text (C), never its markup or link URLs. Generated, so it is in
    -- step with every write. 'simple': words as written, lower-cased, no stemming
    -- (as SQLite's index).
    search               TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A')
        || setweight(to_tsvector('simple', excerpt), 'B')
        || setweight(to_tsvector('simple', body_text), 'C')
    ) STORED
);
CREATE UNIQUE INDEX articles_slug_key ON articles (slug);
CREATE INDEX articles_status_published_idx ON articles (status, published_at, section_id, author_id);
CREATE INDEX articles_section_published_idx ON articles (section_id, status, published_at);
CREATE INDEX articles_author_published_idx ON articles (author_id, status, published_at);
CREATE INDEX articles_status_title_idx ON articles (status, title);
CREATE INDEX articles_status_updated_idx ON articles (status, updated_at);
CREATE INDEX articles_search_idx ON articles USING GIN (search);

CREATE TABLE article_tags (
    article_id BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     BIGINT  NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id);

-- Every version of every article, the current one included, written in the
-- same transaction as the change that made it.
CREATE TABLE article_revisions (
    id          BIGSERIAL PRIMARY KEY,
    article_id  BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    changed_by  BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    content     TEXT    NOT NULL,   -- JSON snapshot of what the editor wrote
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX article_revisions_version_key ON article_revisions (article_id, version);

-- Failed logins, per email and per client address, for rate limiting: in the
-- database, so every folio process sharing it enforces the same limit.
CREATE TABLE login_failures (
    id        BIGSERIAL PRIMARY KEY,
    key       TEXT    NOT NULL,   -- 'email:<address>' or 'client:<ip>'
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key_idx ON login_failures (key, failed_at);

-- Who changed what, written in the transaction of the change itself. Append-only.
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
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
