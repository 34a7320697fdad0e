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

-- The text-search configuration of a locale: its language's where this server has one
-- (`fr-CH` → french), else 'simple'. Written from pg_ts_config, so it names only
-- configurations that exist; IMMUTABLE, so the generated columns below may use it.
DO $$
DECLARE
    cases TEXT := '';
    known RECORD;
    languages CONSTANT JSONB := '{"ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan",
        "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
        "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian",
        "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian",
        "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish",
        "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish"}';
BEGIN
    FOR known IN
        SELECT l.key AS language, l.value AS config
        FROM jsonb_each_text(languages) AS l
        WHERE EXISTS (SELECT 1 FROM pg_ts_config c WHERE c.cfgname = l.value)
        ORDER BY l.key
    LOOP
        cases := cases || format(' WHEN %L THEN %L::regconfig', known.language, known.config);
    END LOOP;
    EXECUTE format(
        'CREATE FUNCTION folio_search_config(locale TEXT) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE AS '
        || '$f$ SELECT CASE lower(split_part(locale, ''-'', 1))%s ELSE ''simple''::regconfig END $f$',
        cases);
END $$;

-- Search reads each article in its language: the vectors are made again with the
-- configuration of its locale (this rewrites the table once).
DROP INDEX articles_search_idx;
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles DROP COLUMN search_head;
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
