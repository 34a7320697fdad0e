-- Whatever waits is indexed first: the index is whole again before the row triggers return.
INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body_text)
    SELECT 'delete', id, title, excerpt, body_text FROM search_pending WHERE indexed;
INSERT INTO articles_fts (rowid, title, excerpt, body_text)
    SELECT articles.id, articles.title, articles.excerpt, articles.body_text
        FROM search_pending CROSS JOIN articles ON articles.id = search_pending.id;

DROP TRIGGER articles_search_insert;
DROP TRIGGER articles_search_delete;
DROP TRIGGER articles_search_update;
DROP TABLE search_pending;

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, excerpt, body_text) VALUES (new.id, new.title, new.excerpt, new.body_text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body_text)
        VALUES ('delete', old.id, old.title, old.excerpt, old.body_text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, excerpt, body_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body_text)
        VALUES ('delete', old.id, old.title, old.excerpt, old.body_text);
    INSERT INTO articles_fts (rowid, title, excerpt, body_text) VALUES (new.id, new.title, new.excerpt, new.body_text);
END;
