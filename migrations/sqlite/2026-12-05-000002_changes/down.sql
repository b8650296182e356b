DROP TABLE article_changes;
