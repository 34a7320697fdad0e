-- The articles that no time makes public: drafts, archived ones and any without a
-- publication time, kept by triggers. A public search leaves them out by looking each
-- match up in this table's own b-tree. From the status index, the list of them was
-- made again for each of a search's statements: ~6 ms each at 100,000 articles (a
-- tenth unpublished), where reading the matches of a typical search takes one.
-- Scheduled articles (published, `published_at` ahead) are still left out by the
-- time of each read, from the status index: there are few.
CREATE TABLE articles_unpublished (
    id INTEGER PRIMARY KEY NOT NULL  -- the article's id
);
INSERT INTO articles_unpublished (id)
    SELECT id FROM articles WHERE status <> 'published' OR published_at IS NULL;

CREATE TRIGGER articles_unpublished_insert AFTER INSERT ON articles
    WHEN new.status <> 'published' OR new.published_at IS NULL
BEGIN
    INSERT INTO articles_unpublished (id) VALUES (new.id);
END;
CREATE TRIGGER articles_unpublished_update AFTER UPDATE OF status, published_at ON articles
    WHEN (old.status <> 'published' OR old.published_at IS NULL) IS NOT (new.status <> 'published' OR new.published_at IS NULL)
BEGIN
    DELETE FROM articles_unpublished WHERE id = old.id;
    INSERT INTO articles_unpublished (id) SELECT new.id WHERE new.status <> 'published' OR new.published_at IS NULL;
END;
CREATE TRIGGER articles_unpublished_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_unpublished WHERE id = old.id;
END;
