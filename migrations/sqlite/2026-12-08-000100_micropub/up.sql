-- What Micropub clients send that an article has no field for, kept beside the
-- article so `q=source` gives it back as it came: every other property (nested
-- objects included, photos all of them), whether the content came as HTML, whether
-- the post had a name (a note's title is derived, and is not a name to send back),
-- and the status a deleted (archived) post had, which undelete restores.
CREATE TABLE micropub_posts (
    article_id           BIGINT  PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    properties           TEXT    NOT NULL DEFAULT '{}',
    content_kind         TEXT    NOT NULL DEFAULT 'markdown' CHECK (content_kind IN ('markdown', 'html')),
    named                BOOLEAN NOT NULL DEFAULT TRUE,
    status_before_delete TEXT    CHECK (status_before_delete IN ('draft', 'published'))
);
