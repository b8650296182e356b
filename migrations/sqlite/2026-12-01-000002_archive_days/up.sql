-- The archive calendar groups articles by the newsroom's local day, which SQL
-- cannot compute portably from a UTC time: it is stored at write time as
-- yyyymmdd (the application fills it, also for rows written before this step,
-- and recomputes every row when KHABAR_TIMEZONE changes; see site_settings).
ALTER TABLE articles ADD COLUMN published_day INTEGER;
CREATE INDEX articles_calendar_idx ON articles (status, published_day, published_at);

-- Facts about the stored data: `timezone` is the zone published_day is in.
CREATE TABLE site_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
