-- Tag and author links carry a time only while their article is published
-- (due or scheduled; a deleted article is a draft): public tag and author
-- pages then walk the link index without looking up each article's status.
UPDATE article_tags SET published_at = NULL
WHERE published_at IS NOT NULL
  AND article_id IN (SELECT id FROM articles WHERE status <> 'published');
UPDATE article_authors SET published_at = NULL
WHERE published_at IS NOT NULL
  AND article_id IN (SELECT id FROM articles WHERE status <> 'published');
