-- The words of the title (weight A) and the excerpt (B) in a vector of their own, to
-- rank search results by (src/store/articles/relevance.rs). `search`, which holds the
-- body's words too, is some 16 KB an article, stored out of line and compressed:
-- ranking by it read and inflated that for every match, ~60 µs each, and a search
-- matching most articles took seconds. This one is ~700 bytes and kept in the row.
-- Adding it rewrites the table once.
ALTER TABLE articles ADD COLUMN search_head TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', excerpt), 'B')
) STORED;
ALTER TABLE articles ALTER COLUMN search_head SET STORAGE MAIN;
