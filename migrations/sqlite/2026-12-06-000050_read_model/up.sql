-- The read model: each published article's public representation, made by the write
-- that changes it or anything it embeds (src/store/read_model). A public read by id or
-- slug is one look-up here; a list joins the page's summaries, kept apart from the
-- documents so that reading one never walks a document's overflow pages. Rows exist for stored
-- status 'published' only; whether one is live is `live_from <= now`, so a scheduled
-- article goes live with no write. Filled in by folio at start-up (rows of an older
-- `format` are made again then too).
CREATE TABLE article_documents (
    article_id INTEGER   PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    slug       TEXT      NOT NULL,
    live_from  TIMESTAMP NOT NULL,
    format     INTEGER   NOT NULL,
    etag       TEXT      NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    document   TEXT      NOT NULL
);
CREATE UNIQUE INDEX article_documents_slug_key ON article_documents (slug);

-- What a list shows of each article: its JSON without the body, and the document's ETag.
CREATE TABLE article_summaries (
    article_id INTEGER   PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    etag       TEXT      NOT NULL,
    summary    TEXT      NOT NULL
);
