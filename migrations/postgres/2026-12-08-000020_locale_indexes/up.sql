-- Lists in a locale, and with a fallback chain, answered from indexes alone (with the
-- id, which a PostgreSQL index holds only when named): the walk in date order (the
-- status index) and the count in a locale hold what the list's conditions read, and the
-- chain's look-up of a group's earlier translations holds what it checks. Without them
-- each list read every live article's row: 18 ms a fallback list at 13,500 articles.
DROP INDEX articles_status_published_idx;
CREATE INDEX articles_status_published_idx
    ON articles (status, published_at, section_id, author_id, locale, translation_group, id);
DROP INDEX articles_translation_group_idx;
CREATE INDEX articles_translation_group_idx ON articles (translation_group, locale, status, published_at, author_id)
    WHERE translation_group IS NOT NULL;
CREATE INDEX articles_locale_published_idx
    ON articles (locale, status, published_at, translation_group, section_id, author_id, id);
