DROP TABLE archive_counts;
