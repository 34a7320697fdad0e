-- What a CDN purges when a stored document changes (`article-12 section-3 tag-7`), sent
-- with a public read as Surrogate-Key and Cache-Tag. Filled at start-up: the read
-- model's FORMAT 4 makes every stored representation again.
ALTER TABLE article_documents ADD COLUMN cache_tags TEXT NOT NULL DEFAULT '';
