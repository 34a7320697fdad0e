-- An article's search vectors are made by a trigger instead of generated columns, so
-- that the body's vector, the costly part (5 ms for a 16 KB body, in the one writer's
-- turn), can be made before the write: the request that writes a body first stores its
-- vector in `body_vectors`, on a connection of its own, side by side with other
-- requests; the trigger then finds it by a digest of what it indexes and makes it only
-- when it is not there. A digest names its text exactly, so a vector found is the one
-- the trigger would make. The trigger also leaves the vectors alone when an update
-- changes none of what they index (a generated column is made again at every update).

-- What search matches in a body, in its locale's language (weight C).
CREATE FUNCTION folio_body_vector(locale TEXT, body TEXT) RETURNS TSVECTOR
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT setweight(to_tsvector(folio_search_config(locale), body), 'C') $$;

-- The digest a body's vector is kept under.
CREATE FUNCTION folio_body_digest(locale TEXT, body TEXT) RETURNS BYTEA
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT sha256(convert_to(locale || E'\n' || body, 'UTF8')) $$;

-- Vectors made ahead of their writes; each is taken by its write. A crash empties the
-- table (UNLOGGED): the writes then make their vectors themselves.
CREATE UNLOGGED TABLE body_vectors (
    digest  BYTEA       PRIMARY KEY,
    vector  TSVECTOR    NOT NULL,
    made_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX body_vectors_made_at_idx ON body_vectors (made_at);

ALTER TABLE articles ALTER COLUMN search DROP EXPRESSION;
ALTER TABLE articles ALTER COLUMN search_head DROP EXPRESSION;

CREATE FUNCTION folio_article_search() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    key BYTEA;
    body TSVECTOR;
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.title = OLD.title AND NEW.excerpt = OLD.excerpt
        AND NEW.body_text = OLD.body_text AND NEW.locale = OLD.locale THEN
        NEW.search := OLD.search;
        NEW.search_head := OLD.search_head;
        RETURN NEW;
    END IF;
    key := folio_body_digest(NEW.locale, NEW.body_text);
    DELETE FROM body_vectors AS v WHERE v.digest = key RETURNING v.vector INTO body;
    IF body IS NULL THEN
        body := folio_body_vector(NEW.locale, NEW.body_text);
    END IF;
    NEW.search_head := setweight(to_tsvector(folio_search_config(NEW.locale), NEW.title), 'A')
        || setweight(to_tsvector(folio_search_config(NEW.locale), NEW.excerpt), 'B');
    NEW.search := NEW.search_head || body;
    RETURN NEW;
END $$;

CREATE TRIGGER articles_search BEFORE INSERT OR UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION folio_article_search();
