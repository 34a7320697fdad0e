-- Draft preview tokens: each lets whoever holds it read one article as it now is,
-- without logging in. Only a SHA-256 hash of each token is kept (tokens are 32 random
-- bytes: no salt or slow hash is needed). A token goes with its article and with its
-- maker; expired rows are removed when tokens are made, so the table stays small.
CREATE TABLE preview_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    article_id BIGINT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    token_hash TEXT      NOT NULL UNIQUE,
    created_by BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX preview_tokens_article_idx ON preview_tokens (article_id);
CREATE INDEX preview_tokens_created_by_idx ON preview_tokens (created_by);
CREATE INDEX preview_tokens_expires_idx ON preview_tokens (expires_at);
