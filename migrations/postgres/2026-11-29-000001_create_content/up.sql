-- PostgreSQL: the same steps as migrations/sqlite, ids are BIGSERIAL.
-- Times are UTC in TIMESTAMP (without time zone) columns.
CREATE TABLE sections (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE tags (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE authors (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE articles (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
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
    comments_open BOOLEAN NOT NULL DEFAULT TRUE,
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- Read copies of article_tags / article_authors (ids, comma-separated, in
    -- display order), written in the same transaction as the link rows: one
    -- cached statement then reads an article or a whole list page, with names
    -- from the in-process taxonomy cache. The link tables serve the filters.
    tag_ids TEXT NOT NULL DEFAULT '',
    author_ids TEXT NOT NULL DEFAULT '',
    -- The bodies come last: SQLite stores a row's columns in order, so list
    -- queries that stop before them never read their overflow pages.
    body_html TEXT NOT NULL,
    body_text TEXT NOT NULL
);

-- Bodies are read whole on every article request: keep them out of line but
-- uncompressed, so reads skip pglz decompression (PostgreSQL only; SQLite
-- stores text as is).
ALTER TABLE articles
    ALTER COLUMN body_html SET STORAGE EXTERNAL,
    ALTER COLUMN body_text SET STORAGE EXTERNAL;

-- Listing orders and filters of API.md: newest/oldest overall, by section, by language.
CREATE INDEX articles_status_published_idx ON articles (status, published_at, id);
CREATE INDEX articles_section_published_idx ON articles (section_id, status, published_at, id);
CREATE INDEX articles_language_published_idx ON articles (language, status, published_at, id);

-- Counters live in their own narrow row so that a view or a comment updates a few
-- bytes, not the whole article (and does not touch the article's updated_at/ETag).
CREATE TABLE article_stats (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    view_count BIGINT NOT NULL DEFAULT 0,
    comment_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX article_stats_views_idx ON article_stats (view_count, article_id);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id);

CREATE TABLE article_authors (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author_idx ON article_authors (author_id, article_id);
