-- Full-text search: each article's text as domain::search processes it
-- (normalised, tokenised, stemmed in Rust, the same pipeline queries use),
-- written as tsvector literals, so no text search configuration touches the
-- terms (the effect of 'simple', without its parser). search_doc holds title
-- (weight A), summary (B) and body (D) and is GIN-indexed; search_head holds
-- title and summary only, small enough to stay in the row for ranking.
ALTER TABLE articles ADD COLUMN search_doc tsvector;
ALTER TABLE articles ADD COLUMN search_head tsvector;
CREATE INDEX articles_search_idx ON articles USING GIN (search_doc);
-- Articles not yet indexed (written before this migration): found at
-- start-up without reading the table. Empty once they are indexed.
CREATE INDEX articles_unindexed_idx ON articles (id) WHERE search_doc IS NULL;

-- Link rows carry their article's publication time, so that a tag or author
-- page walks (tag_id, published_at, article_id) in list order and stops
-- after the page instead of gathering and sorting every tagged article.
ALTER TABLE article_tags ADD COLUMN published_at TIMESTAMP;
ALTER TABLE article_authors ADD COLUMN published_at TIMESTAMP;
UPDATE article_tags AS l SET published_at = a.published_at
    FROM articles AS a WHERE a.id = l.article_id;
UPDATE article_authors AS l SET published_at = a.published_at
    FROM articles AS a WHERE a.id = l.article_id;
CREATE INDEX article_tags_tag_published_idx ON article_tags (tag_id, published_at, article_id);
CREATE INDEX article_authors_author_published_idx ON article_authors (author_id, published_at, article_id);
-- Superseded: the new indexes start with the same column.
DROP INDEX article_tags_tag_idx;
DROP INDEX article_authors_author_idx;
