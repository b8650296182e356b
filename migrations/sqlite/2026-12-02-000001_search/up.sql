-- Full-text search: each article's text as domain::search processes it
-- (normalised, tokenised, stemmed in Rust, the same pipeline queries use).
-- A word is stored as its readings joined by "|", words by spaces; the
-- `ascii` tokenizer splits on both and keeps every non-ASCII character, so
-- FTS5 indexes exactly our terms. rowid is the article id. The content is
-- kept (not contentless) because phrase order is checked on it.
CREATE VIRTUAL TABLE article_search USING fts5(title, summary, body, tokenize = 'ascii');

-- Link rows carry their article's publication time, so that a tag or author
-- page walks (tag_id, published_at, article_id) in list order and stops
-- after the page instead of gathering and sorting every tagged article.
ALTER TABLE article_tags ADD COLUMN published_at TIMESTAMP;
ALTER TABLE article_authors ADD COLUMN published_at TIMESTAMP;
UPDATE article_tags SET published_at =
    (SELECT published_at FROM articles WHERE articles.id = article_tags.article_id);
UPDATE article_authors SET published_at =
    (SELECT published_at FROM articles WHERE articles.id = article_authors.article_id);
CREATE INDEX article_tags_tag_published_idx ON article_tags (tag_id, published_at, article_id);
CREATE INDEX article_authors_author_published_idx ON article_authors (author_id, published_at, article_id);
-- Superseded: the new indexes start with the same column.
DROP INDEX article_tags_tag_idx;
DROP INDEX article_authors_author_idx;
