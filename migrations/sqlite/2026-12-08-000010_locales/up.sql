-- Translations (src/store/articles/translations.rs). Each article has a locale, filled
-- in with the site's default (`FOLIO_LOCALES`) at start-up where it is still empty,
-- and an article with translations shares `translation_group` with them (NULL: it has
-- none). Slugs are unique per locale. Sections and tags carry their names per locale.
ALTER TABLE articles ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN translation_group BIGINT;
DROP INDEX articles_slug_key;
CREATE UNIQUE INDEX articles_locale_slug_key ON articles (locale, slug);
CREATE INDEX articles_translation_group_idx ON articles (translation_group, locale)
    WHERE translation_group IS NOT NULL;

-- What a public read needs of the siblings of a stored article: looked up by group.
ALTER TABLE article_documents ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE article_documents ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE article_documents ADD COLUMN translation_group BIGINT;
DROP INDEX article_documents_slug_key;
CREATE UNIQUE INDEX article_documents_locale_slug_key ON article_documents (locale, slug);
CREATE INDEX article_documents_translation_group_idx ON article_documents (translation_group)
    WHERE translation_group IS NOT NULL;

-- {"fr": {"name": "…", "description": "…"}}: a JSON object by configured locale.
ALTER TABLE sections ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tags ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
