-- The archive calendar, counted at write time. Grouping every published
-- article by month on each request is a scan of the whole archive (156 ms at
-- 100,000 articles on PostgreSQL, and growing with it); these per-month counts
-- make the calendar a read of a few dozen rows whatever the archive's size.
-- The same steps as migrations/postgres.
--
-- One row per (scope, scope_id, month): scope 'all' (scope_id 0), 'section'
-- (a section id) or 'tag' (a tag id); month is yyyymm of the newsroom's local
-- day (articles.published_day / 100). `n` counts the articles that are
-- published, not deleted and dated, scheduled ones (published_at still to
-- come) included: they become due without any write, so the calendar
-- subtracts the few that are not due yet when it reads (on the
-- (status, published_at, id) index). Every write that changes what is counted
-- adjusts the rows in its own transaction (src/repo/archive.rs); seeding and a
-- change of time zone rebuild them from the articles. Months at 0 are deleted.
CREATE TABLE archive_counts (
    scope TEXT NOT NULL CHECK (scope IN ('all', 'section', 'tag')),
    scope_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (scope, scope_id, month)
);

-- Backfill from the articles already stored (the same statements as
-- repo::archive::rebuild_counts). Rows still without a local day are counted
-- when start-up fills their day, which rebuilds this table.
INSERT INTO archive_counts (scope, scope_id, month, n)
SELECT 'all', 0, published_day / 100, COUNT(*)
FROM articles
WHERE status = 'published' AND deleted_at IS NULL AND published_day IS NOT NULL
GROUP BY published_day / 100;

INSERT INTO archive_counts (scope, scope_id, month, n)
SELECT 'section', section_id, published_day / 100, COUNT(*)
FROM articles
WHERE status = 'published' AND deleted_at IS NULL AND published_day IS NOT NULL
GROUP BY section_id, published_day / 100;

INSERT INTO archive_counts (scope, scope_id, month, n)
SELECT 'tag', t.tag_id, a.published_day / 100, COUNT(*)
FROM articles a
JOIN article_tags t ON t.article_id = a.id
WHERE a.status = 'published' AND a.deleted_at IS NULL AND a.published_day IS NOT NULL
GROUP BY t.tag_id, a.published_day / 100;
