DROP TRIGGER articles_search ON articles;
DROP FUNCTION folio_article_search();
DROP TABLE body_vectors;
DROP FUNCTION folio_body_digest(TEXT, TEXT);
DROP FUNCTION folio_body_vector(TEXT, TEXT);
DROP INDEX articles_search_idx;
ALTER TABLE articles DROP COLUMN search_head;
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector(folio_search_config(locale), title), 'A')
    || setweight(to_tsvector(folio_search_config(locale), excerpt), 'B')
    || setweight(to_tsvector(folio_search_config(locale), body_text), 'C')
) STORED;
ALTER TABLE articles ADD COLUMN search_head TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector(folio_search_config(locale), title), 'A')
    || setweight(to_tsvector(folio_search_config(locale), excerpt), 'B')
) STORED;
ALTER TABLE articles ALTER COLUMN search_head SET STORAGE MAIN;
CREATE INDEX articles_search_idx ON articles USING GIN (search);
