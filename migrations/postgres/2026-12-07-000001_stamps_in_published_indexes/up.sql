-- The published walks carry each row's stamp, so that a list page's stamps
-- are read by an index-only scan instead of joining every row to its
-- article again (see repo::listing::walk_carries_stamps). Same keys, same
-- names; rebuilt here (a few seconds per million articles, writes wait).
DROP INDEX articles_status_published_idx;
CREATE INDEX articles_status_published_idx ON articles (status, published_at, id)
    INCLUDE (created_at, updated_at);
DROP INDEX articles_section_published_idx;
CREATE INDEX articles_section_published_idx ON articles (section_id, status, published_at, id)
    INCLUDE (created_at, updated_at);
