-- A search ranks its window of newest matches by search_head (title and
-- summary). That column kept the default storage (EXTENDED), so in a row
-- over the 2 KB toast threshold the toaster moved it out of line before
-- touching search_doc (MAIN): every rank was a TOAST index lookup and chunk
-- read. Measured on the 200 newest matches of a common word at 100,000
-- articles: 1,040 buffers and 1.65 ms, against 240 buffers for the same
-- statement without the rank.
--
-- MAIN alone is not enough: with two MAIN columns over the threshold the
-- toaster compresses search_doc in place, and every row a search tests
-- would be decompressed. A toast target of 4 KB moves the bodies (EXTERNAL,
-- the largest columns) out first and leaves title, summary and both search
-- columns in the row uncompressed: 316 buffers, 0.82 ms, and common-word
-- searches 2,249 -> 3,739 a second (pgbench, two clients).
--
-- Values already stored stay where they are until rewritten (an edit, or
-- `khabar reindex` for all of them): no table rewrite at upgrade time.
ALTER TABLE articles
    ALTER COLUMN search_head SET STORAGE MAIN,
    SET (toast_tuple_target = 4080);
