DROP TABLE view_flush_batches;
DROP INDEX articles_updated_idx;
DROP TABLE article_views_daily;
