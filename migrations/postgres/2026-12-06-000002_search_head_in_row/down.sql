ALTER TABLE articles
    ALTER COLUMN search_head SET STORAGE EXTENDED,
    RESET (toast_tuple_target);
