-- The change feed (`GET /changes`): one row per article write. Writers take
-- a transaction-level advisory lock before they add their row, so sequence
-- numbers are handed out in commit order (see repo::changes).
CREATE TABLE article_changes (
    seq BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    changed_at TIMESTAMP NOT NULL
);
-- "Has this article changed since it became visible?" (scheduled articles).
CREATE INDEX article_changes_article_idx ON article_changes (article_id, changed_at);
-- Every existing article once, so that a walk from the start sees them all.
INSERT INTO article_changes (article_id, changed_at)
    SELECT id, date_trunc('second', now() AT TIME ZONE 'UTC') FROM articles ORDER BY id;
