-- The published walks carry each row's stamp, so that a list page's stamps
-- are read by an index-only scan instead of joining every row to its
-- article again (see repo::listing::walk_carries_stamps). Same keys, same
-- names. Each new index is built beside the one it replaces (writes to
-- articles wait for the build; reads go on), and only then is the old one
-- dropped, which holds reads back just until this migration commits.
CREATE INDEX articles_status_published_stamps_idx ON articles (status, published_at, id)
    INCLUDE (created_at, updated_at);
DROP INDEX articles_status_published_idx;
ALTER INDEX articles_status_published_stamps_idx RENAME TO articles_status_published_idx;
CREATE INDEX articles_section_published_stamps_idx ON articles (section_id, status, published_at, id)
    INCLUDE (created_at, updated_at);
DROP INDEX articles_section_published_idx;
ALTER INDEX articles_section_published_stamps_idx RENAME TO articles_section_published_idx;
