DROP TABLE site_settings;
DROP INDEX articles_calendar_idx;
ALTER TABLE articles DROP COLUMN published_day;
