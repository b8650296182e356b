-- Links of unpublished articles get their article's time back.
UPDATE article_tags SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_tags.article_id)
WHERE published_at IS NULL;
UPDATE article_authors SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_authors.article_id)
WHERE published_at IS NULL;
