DROP INDEX articles_locale_published_idx;
DROP INDEX articles_translation_group_idx;
CREATE INDEX articles_translation_group_idx ON articles (translation_group, locale)
    WHERE translation_group IS NOT NULL;
DROP INDEX articles_status_published_idx;
CREATE INDEX articles_status_published_idx ON articles (status, published_at, section_id, author_id);
