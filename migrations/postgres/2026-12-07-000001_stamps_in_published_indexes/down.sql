CREATE INDEX articles_status_published_keys_idx ON articles (status, published_at, id);
DROP INDEX articles_status_published_idx;
ALTER INDEX articles_status_published_keys_idx RENAME TO articles_status_published_idx;
CREATE INDEX articles_section_published_keys_idx ON articles (section_id, status, published_at, id);
DROP INDEX articles_section_published_idx;
ALTER INDEX articles_section_published_keys_idx RENAME TO articles_section_published_idx;
