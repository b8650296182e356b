-- View counts per article and local day (issue 7): the periods of
-- GET /most-viewed sum these buckets. `day` is yyyymmdd in the newsroom's time
-- zone (KHABAR_TIMEZONE) of the moment each view was recorded. Written only
-- by the view flusher, as increments (several processes add up); buckets
-- older than the longest period (30 days, plus a margin) are pruned by it.
-- The all-time count stays in article_stats.view_count (indexed by
-- (view_count, article_id) since the first migration).
-- The same steps as migrations/{postgres,sqlite}.
CREATE TABLE article_views_daily (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (article_id, day)
);
-- A period's ranking reads the days of the period only.
CREATE INDEX article_views_daily_day_idx ON article_views_daily (day, article_id, n);
-- Each process keeps the set of visible articles in memory (the view beacon
-- reads no database); every few seconds it catches up with the articles
-- written since, by any process, on this index.
CREATE INDEX articles_updated_idx ON articles (updated_at);
-- One row per flushed batch of views, written in the batch's own
-- transaction: a batch whose COMMIT was lost with its connection (applied or
-- not, nobody knows) is retried under the same id, and the id says whether
-- it was applied already. Rows older than a day are pruned by the flusher.
CREATE TABLE view_flush_batches (
    id TEXT PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL
);
