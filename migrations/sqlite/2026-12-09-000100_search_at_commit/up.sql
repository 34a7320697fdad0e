-- The search index takes a write transaction's changes at its end, all at once
-- (`store::search_index`), no longer row by row as they happen.
--
-- FTS5 writes what it holds to disk whenever a savepoint or a statement journal
-- opens: a create run in a savepoint of a group commit wrote a segment of its own,
-- and merging those segments cost more of the writer's time than the creates.
-- The triggers now note which articles changed, with what the index held for each
-- before the transaction (the first change keeps it); the index reads them at the
-- transaction's end, in one statement, and writes one segment when it commits.
-- (A change made beside folio, with the sqlite3 shell say, is indexed at folio's
-- next write.)
CREATE TABLE search_pending (
    id         INTEGER PRIMARY KEY NOT NULL,  -- the article's id, and the index's rowid
    indexed    BOOLEAN NOT NULL,              -- the index holds the three values below for it
    title      TEXT,
    excerpt    TEXT,
    body_text  TEXT
);

DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;

CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
    INSERT INTO search_pending (id, indexed) VALUES (new.id, FALSE)
        ON CONFLICT (id) DO NOTHING;
END;
CREATE TRIGGER articles_search_delete AFTER DELETE ON articles BEGIN
    INSERT INTO search_pending (id, indexed, title, excerpt, body_text)
        VALUES (old.id, TRUE, old.title, old.excerpt, old.body_text)
        ON CONFLICT (id) DO NOTHING;
END;
CREATE TRIGGER articles_search_update AFTER UPDATE OF title, excerpt, body_text ON articles
    WHEN old.title IS NOT new.title OR old.excerpt IS NOT new.excerpt OR old.body_text IS NOT new.body_text
BEGIN
    INSERT INTO search_pending (id, indexed, title, excerpt, body_text)
        VALUES (old.id, TRUE, old.title, old.excerpt, old.body_text)
        ON CONFLICT (id) DO NOTHING;
END;
