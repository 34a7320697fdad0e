-- Every version of every article, the current one included, written in the
-- same transaction as the change that made it.
CREATE TABLE article_revisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    article_id  BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    changed_by  BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    content     TEXT    NOT NULL,   -- JSON snapshot of what the editor wrote
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX article_revisions_version_key ON article_revisions (article_id, version);

-- Full-text search over title, excerpt and the body's plain text (never its markup),
-- kept in step with articles by triggers, so inside every writing transaction.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, excerpt, body_text,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');

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
