ALTER TABLE tags DROP COLUMN translations;
ALTER TABLE sections DROP COLUMN translations;
DROP INDEX article_documents_translation_group_idx;
DROP INDEX article_documents_locale_slug_key;
DELETE FROM article_documents WHERE article_id NOT IN (
    SELECT MIN(article_id) FROM article_documents GROUP BY slug);
CREATE UNIQUE INDEX article_documents_slug_key ON article_documents (slug);
ALTER TABLE article_documents DROP COLUMN translation_group;
ALTER TABLE article_documents DROP COLUMN title;
ALTER TABLE article_documents DROP COLUMN locale;
DROP INDEX articles_translation_group_idx;
DROP INDEX articles_locale_slug_key;
UPDATE articles SET slug = slug || '-' || locale WHERE id NOT IN (SELECT MIN(id) FROM articles GROUP BY slug);
CREATE UNIQUE INDEX articles_slug_key ON articles (slug);
ALTER TABLE articles DROP COLUMN translation_group;
ALTER TABLE articles DROP COLUMN locale;
