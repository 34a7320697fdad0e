-- The search index keeps every word's first two and first three letters as terms of
-- their own, so that a short prefix search (`sta*`, `no*`) reads one list of matches.
-- Without them FTS5 gathers the list of every word that starts so and merges them, at
-- each search: ~220 ms for a prefix of a few common words at 100,000 articles, where
-- a word takes a few. The index grows by about four fifths.
--
-- Its writes would cost a quarter of a 16 KB create more, most of it in merging the
-- segments each transaction writes. So the index merges sixteen segments of a level
-- at a time (`automerge`), not four: each term is written again at fewer levels, for
-- as many creates a second as before (alternated, ~265 -> ~310/s), and a search reads
-- a few more segments.
--
-- The index is made again from the articles as they stand, so that nothing waits to be
-- indexed after it: at 100,000 articles this takes a few minutes, once, at the first
-- start on this version.
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, excerpt, body_text,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 16);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
DELETE FROM search_pending;
