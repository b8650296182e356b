CREATE VIRTUAL TABLE article_search_full USING fts5(title, summary, body, tokenize = 'ascii');
INSERT INTO article_search_full (rowid, title, summary, body)
    SELECT rowid, title, summary, body FROM article_search;
DROP TABLE article_search;
ALTER TABLE article_search_full RENAME TO article_search;
