-- The read model's list index (src/store/read_model/listing.rs): for each published
-- article a row per scope it is listed in: every article (kind 0), its section and each
-- section above it (1), each of its tags (2), its author (3), each pair of its tags (4);
-- ordered as lists are,
-- newest first. A public page is a range of one scope (others, when filters combine,
-- are probed by key), and a scope's total is its maintained count less the articles
-- still scheduled in it. Filled at start-up with the representations (FORMAT 2).
CREATE TABLE article_listing (
    kind       INTEGER   NOT NULL,
    scope_id   BIGINT    NOT NULL,
    live_from  TIMESTAMP NOT NULL,
    article_id BIGINT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, scope_id, live_from, article_id)
) WITHOUT ROWID;
CREATE INDEX article_listing_article_idx ON article_listing (article_id);

-- How many published articles (live or scheduled) each scope lists.
CREATE TABLE listing_counts (
    kind     INTEGER NOT NULL,
    scope_id BIGINT  NOT NULL,
    articles BIGINT  NOT NULL,
    PRIMARY KEY (kind, scope_id)
);
