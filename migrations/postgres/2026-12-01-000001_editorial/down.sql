DROP TABLE article_slugs;
DROP TABLE article_revisions;
DROP TABLE api_tokens;
DROP INDEX articles_status_created_idx;
ALTER TABLE articles DROP COLUMN deleted_at;
ALTER TABLE articles DROP COLUMN version;
