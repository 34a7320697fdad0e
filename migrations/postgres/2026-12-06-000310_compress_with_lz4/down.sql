DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 140000 THEN
        ALTER TABLE articles
            ALTER COLUMN body_markdown SET COMPRESSION DEFAULT,
            ALTER COLUMN body_html SET COMPRESSION DEFAULT,
            ALTER COLUMN body_text SET COMPRESSION DEFAULT,
            ALTER COLUMN toc SET COMPRESSION DEFAULT;
        ALTER TABLE article_revisions ALTER COLUMN content SET COMPRESSION DEFAULT;
    END IF;
END
$$;
