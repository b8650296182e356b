-- Searches by newest first walk (status, published_at) and test each row's
-- search_doc. At ~1.9 KB compressed it was moved out of line into TOAST
-- (after the bodies, a row still exceeded the 2 KB threshold), so each test
-- cost a TOAST index lookup and chunk reads: 2,585 buffers for the newest
-- 200 matches of a common word at 100,000 articles. MAIN keeps it in the row
-- (compressed; out of line only if the row cannot fit a page otherwise):
-- 246 buffers, and 28% more common-word searches a second.
-- Values already stored stay where they are until rewritten (an edit, or
-- `khabar reindex` for all of them): no table rewrite at upgrade time.
ALTER TABLE articles ALTER COLUMN search_doc SET STORAGE MAIN;
