-- Timestamps are stored by diesel as UTC `TIMESTAMP`s; ids are 64-bit.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
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
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
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
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    slug        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
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
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    slug        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,   -- lower-cased name: tags are found by name case-insensitively
    description TEXT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tags_slug_key ON tags (slug);
CREATE UNIQUE INDEX tags_name_key ON tags (name_key);

-- Column order matters to SQLite: a row is read front to back, and bodies of
-- ~10 KB spill into overflow pages. Everything filters and lists use comes
-- first, so reading it never walks through a body; the bodies come last.
CREATE TABLE articles (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    slug                 TEXT    NOT NULL,
    title                TEXT    NOT NULL,
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
    body_text            TEXT    NOT NULL    -- plain text of the body, for search
);
CREATE UNIQUE INDEX articles_slug_key ON articles (slug);
-- The public listing: published, newest first, optionally per section or author.
-- Covering for counts and pages filtered by section or author too, so those never
-- read article rows.
CREATE INDEX articles_status_published_idx ON articles (status, published_at, section_id, author_id);
CREATE INDEX articles_section_published_idx ON articles (section_id, status, published_at);
CREATE INDEX articles_author_published_idx ON articles (author_id, status, published_at);
CREATE INDEX articles_status_title_idx ON articles (status, title);
CREATE INDEX articles_status_updated_idx ON articles (status, updated_at);

CREATE TABLE article_tags (
    article_id BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     BIGINT  NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id);
