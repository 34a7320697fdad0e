ALTER TABLE article_documents DROP COLUMN cache_tags;
