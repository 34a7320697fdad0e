-- Long text is compressed with lz4 rather than pglz where the server can: a create
-- compresses its Markdown, HTML, plain text and revision snapshot (some 40 KB), which
-- pglz made a fifth of the database's CPU of a create, all of it inside the write
-- lock; lz4 compresses several times faster, and reads inflate it faster too. Values
-- already stored stay as they are (either is read back). PostgreSQL 13, or a server
-- built without lz4, keeps pglz. The stored documents are not compressed at all
-- (STORAGE EXTERNAL), and the summaries are too short to be.
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 140000 THEN
        ALTER TABLE articles
            ALTER COLUMN body_markdown SET COMPRESSION lz4,
            ALTER COLUMN body_html SET COMPRESSION lz4,
            ALTER COLUMN body_text SET COMPRESSION lz4,
            ALTER COLUMN toc SET COMPRESSION lz4;
        ALTER TABLE article_revisions ALTER COLUMN content SET COMPRESSION lz4;
    END IF;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;
