-- The bodies come last again. SQLite stores a row's columns in order and an
-- article's bodies spill into overflow pages; `version`, `deleted_at` and
-- `published_day`, added later by ALTER TABLE, were stored after them, so
-- every read of one of them (the calendar's counts, view targets, building
-- the calendar index) followed the row's overflow chain. The table is
-- rebuilt in the documented order (SQLite's "making other kinds of table
-- schema changes"): foreign keys off, so that dropping the old table does
-- not cascade into the tables that point at it; one transaction, so the
-- rebuild is whole or not at all.
--
-- Slugs stay unique through a named unique index instead of a UNIQUE
-- constraint, as on PostgreSQL: a bulk load (`khabar seed`, `khabar copy`)
-- drops it with the other secondary indexes and builds it once at the end
-- (a duplicate still fails the load then), instead of inserting a million
-- random slugs into it one by one.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE articles_bodies_last (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'ar',
    dir TEXT NOT NULL DEFAULT 'rtl' CHECK (dir IN ('rtl', 'ltr')),
    section_id BIGINT NOT NULL REFERENCES sections (id),
    byline TEXT NOT NULL DEFAULT '',
    source_name TEXT,
    source_url TEXT,
    canonical_url TEXT,
    image_url TEXT,
    image_caption TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    comments_open BOOLEAN NOT NULL DEFAULT 1,
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- See 2026-12-01-000001_editorial and 2026-12-01-000002_archive_days.
    version BIGINT NOT NULL DEFAULT 1,
    deleted_at TIMESTAMP,
    published_day INTEGER,
    -- Read copies of article_tags / article_authors (ids, comma-separated, in
    -- display order), written in the same transaction as the link rows.
    tag_ids TEXT NOT NULL DEFAULT '',
    author_ids TEXT NOT NULL DEFAULT '',
    -- The bodies come last: reads that stop before them never touch their
    -- overflow pages. New columns must be added by rebuilding, not by
    -- ALTER TABLE ADD COLUMN (which appends them after the bodies).
    body_html TEXT NOT NULL,
    body_text TEXT NOT NULL
);
INSERT INTO articles_bodies_last (id, slug, title, summary, language, dir, section_id, byline,
    source_name, source_url, canonical_url, image_url, image_caption, status, comments_open,
    published_at, created_at, updated_at, version, deleted_at, published_day, tag_ids,
    author_ids, body_html, body_text)
SELECT id, slug, title, summary, language, dir, section_id, byline,
    source_name, source_url, canonical_url, image_url, image_caption, status, comments_open,
    published_at, created_at, updated_at, version, deleted_at, published_day, tag_ids,
    author_ids, body_html, body_text
FROM articles ORDER BY id;
DROP TABLE articles;
ALTER TABLE articles_bodies_last RENAME TO articles;
CREATE UNIQUE INDEX articles_slug_key ON articles (slug);
CREATE INDEX articles_status_published_idx ON articles (status, published_at, id);
CREATE INDEX articles_section_published_idx ON articles (section_id, status, published_at, id);
CREATE INDEX articles_language_published_idx ON articles (language, status, published_at, id);
CREATE INDEX articles_status_created_idx ON articles (status, created_at, id);
CREATE INDEX articles_calendar_idx ON articles (status, published_day, published_at);
CREATE INDEX articles_updated_idx ON articles (updated_at);
-- Dropping the table dropped its planner statistics.
ANALYZE articles;
COMMIT;
PRAGMA foreign_keys = ON;
