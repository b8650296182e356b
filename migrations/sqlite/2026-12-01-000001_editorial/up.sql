-- Editorial writes: API tokens, article versions (ETags), soft deletes,
-- revisions and old slugs. The same steps as migrations/postgres (ids are INTEGER PRIMARY KEY, the rowid alias).

-- `version` counts edits: it is the article's strong ETag, so that counters
-- (article_stats) never change it. A soft-deleted article keeps its row (and
-- so its slug) with `deleted_at` set and status 'draft', so every public read
-- (status = 'published') drops it through the indexes it already uses.
ALTER TABLE articles ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN deleted_at TIMESTAMP;

-- Drafts are listed by creation time for editors.
CREATE INDEX articles_status_created_idx ON articles (status, created_at, id);

-- Bearer tokens: only a SHA-256 of each is kept. `lookup` (the first
-- characters after the prefix) finds the row; the hash is then compared in
-- constant time.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'moderator', 'partner')),
    lookup TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_lookup_idx ON api_tokens (lookup);

-- Every successful edit keeps the version it replaced.
CREATE TABLE article_revisions (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    article_version BIGINT NOT NULL,
    changed_fields TEXT NOT NULL,
    token_id BIGINT REFERENCES api_tokens (id),
    editor_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    snapshot TEXT NOT NULL,
    UNIQUE (article_id, number)
);

-- Slugs an article had before: they answer 301 to the current one and stay
-- reserved.
CREATE TABLE article_slugs (
    slug TEXT PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX article_slugs_article_idx ON article_slugs (article_id);
