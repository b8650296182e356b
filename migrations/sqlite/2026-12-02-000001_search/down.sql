CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id);
CREATE INDEX article_authors_author_idx ON article_authors (author_id, article_id);
DROP INDEX article_tags_tag_published_idx;
DROP INDEX article_authors_author_published_idx;
ALTER TABLE article_tags DROP COLUMN published_at;
ALTER TABLE article_authors DROP COLUMN published_at;
DROP TABLE article_search;
DELETE FROM site_settings WHERE key = 'search_pipeline';
