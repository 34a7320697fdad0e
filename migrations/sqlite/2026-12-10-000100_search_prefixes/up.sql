-- The search index keeps every word's first two and first three letters as terms of
-- their own, so that a short prefix search (`sta*`, `no*`) reads one list of matches.
-- Without them FTS5 gathers the list of every word that starts so and merges them, at
-- each search: ~220 ms for a prefix of a few common words at 100,000 articles, where
-- a word takes a few. The index grows by about four fifths.
--
-- Its writes cost more: 16 KB creates fell by about a quarter (alternated). Merging
-- sixteen segments of a level at a time (`automerge`), not four, wins it back
-- (262-275 -> 304-322/s, the same binary, alternated): each term is written again at
-- fewer levels, and a search reads a few more segments. A level is merged all at once
-- only at 64 segments (`crisismerge`, 16 by default): at 16, the level's merge ran in
-- one create's commit instead of a little at each, and at 100,000 articles 1 % of
-- creates took 345 ms or more, against 93 ms now (as without the prefixes: 94 ms).
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
INSERT INTO articles_fts (articles_fts, rank) VALUES ('crisismerge', 64);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
DELETE FROM search_pending;
