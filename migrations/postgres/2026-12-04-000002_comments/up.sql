-- Comments (issue 8) and the stored answers of Idempotency-Key requests.
-- The same steps as migrations/sqlite.

-- One row per comment. `status`: approved (public, counted in
-- article_stats.comment_count), pending (held for moderation), spam, trash,
-- or deleted (a placeholder kept only while replies hang under it; its text,
-- name, e-mail and address are wiped). `ip_hash` is a salted SHA-256 of the
-- client address: the address itself is never stored.
CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES comments (id),
    depth INTEGER NOT NULL DEFAULT 0,
    author_name TEXT NOT NULL,
    author_email TEXT NOT NULL,
    author_url TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('approved', 'pending', 'spam', 'trash', 'deleted')),
    ip_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The public thread of an article in its order (read in order, filtered by
-- status, stopped at the page's end: no sort); moderation queues by status.
CREATE INDEX comments_thread_idx ON comments (article_id, created_at, id);
CREATE INDEX comments_status_idx ON comments (status, created_at, id);
-- First-time commenter check and duplicate check.
CREATE INDEX comments_email_idx ON comments (author_email, status);
CREATE INDEX comments_client_idx ON comments (article_id, ip_hash);
CREATE INDEX comments_parent_idx ON comments (parent_id);

-- The first answer to a request sent with an Idempotency-Key, written in the
-- same transaction as the comment it created, so that a key is stored if and
-- only if its comment is. `fingerprint` is a SHA-256 of the request (path
-- and body); rows older than the documented expiry are pruned.
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    location TEXT,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
