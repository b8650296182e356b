-- The change feed (`GET /changes`): one row per article write, in commit
-- order (SQLite has one writer at a time). AUTOINCREMENT: a sequence number
-- is never handed out twice, even after the newest row is gone, so a
-- partner's cursor can never skip a later change.
CREATE TABLE article_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    changed_at TIMESTAMP NOT NULL
);
-- "Has this article changed since it became visible?" (scheduled articles).
CREATE INDEX article_changes_article_idx ON article_changes (article_id, changed_at);
-- Every existing article once, so that a walk from the start sees them all.
INSERT INTO article_changes (article_id, changed_at)
    SELECT id, strftime('%Y-%m-%d %H:%M:%S', 'now') FROM articles ORDER BY id;
