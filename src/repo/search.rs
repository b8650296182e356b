//! The search index: writing it, and reading the text it is built from.
//!
//! PostgreSQL keeps it on the article row (`search_doc`, `search_head`,
//! tsvector literals from `domain::search`); SQLite in the FTS5 table
//! `article_search` (rowid = article id). Callers write it in the same
//! transaction as the article, so the next search sees the change.

use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::{sql_query, QueryResult, QueryableByName, RunQueryDsl};

use crate::db::DbConnection;
use crate::domain::search::{SearchDocument, KEY_ID_MASK};
use crate::repo::sql::{RawSql, Value};

/// Rows per multi-row statement (SQLite allows 32,766 bound values).
const CHUNK: usize = 400;

/// The FTS5 table, as its migration creates it (a full rebuild drops and
/// recreates it: much faster than deleting every row from an FTS5 table).
const SQLITE_TABLE: &str = "CREATE VIRTUAL TABLE article_search USING \
     fts5(title, summary, body, tokenize = 'ascii', detail = column)";

/// One article's entry.
#[derive(Debug, Clone, Copy)]
pub struct IndexEntry<'a> {
    /// Article id.
    pub id: i64,
    /// Its SQLite FTS5 rowid (`domain::search::search_key`).
    pub key: i64,
    /// Its processed text.
    pub doc: &'a SearchDocument,
}

/// Writes these index entries, after removing the SQLite entries with the
/// keys in `replacing` (the articles' previous keys; PostgreSQL overwrites).
pub fn write(
    conn: &mut DbConnection,
    entries: &[IndexEntry],
    replacing: &[i64],
) -> QueryResult<()> {
    let pg = match conn {
        DbConnection::Postgres(pg) => pg,
        DbConnection::Sqlite(lite) => {
            for chunk in replacing.chunks(CHUNK) {
                let mut sql = RawSql::new();
                sql.sql("DELETE FROM article_search WHERE rowid IN (");
                for (i, key) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.sql(", ");
                    }
                    sql.bind(Value::BigInt(*key));
                }
                sql.sql(")");
                sql.execute(lite)?;
            }
            let rows = entries.iter().map(|e| FtsRow::new(e.key, e.doc)).collect();
            return write_fts_rows(conn, rows);
        }
    };
    for chunk in entries.chunks(CHUNK) {
        let mut sql = RawSql::new();
        sql.sql(
            "UPDATE articles AS a SET search_doc = CAST(v.d AS tsvector), \
             search_head = CAST(v.h AS tsvector) FROM (VALUES ",
        );
        for (i, e) in chunk.iter().enumerate() {
            sql.sql(if i == 0 { "(" } else { ", (" })
                .bind(Value::BigInt(e.id))
                .sql(", ")
                .bind(Value::Text(e.doc.tsvector()))
                .sql(", ")
                .bind(Value::Text(e.doc.head_tsvector()))
                .sql(")");
        }
        sql.sql(") AS v(id, d, h) WHERE a.id = v.id");
        sql.execute(pg)?;
    }
    Ok(())
}

/// One SQLite FTS5 row: an article's processed fields as FTS5 keeps them,
/// for loads that gather many before writing ([`write_fts_rows`]).
#[derive(Debug, Clone)]
pub struct FtsRow {
    /// The search key (`domain::search::search_key`), FTS5's rowid.
    pub key: i64,
    title: String,
    summary: String,
    body: String,
}

impl FtsRow {
    /// The row of `doc` under `key`.
    pub fn new(key: i64, doc: &SearchDocument) -> Self {
        FtsRow {
            key,
            title: SearchDocument::fts_field(&doc.title),
            summary: SearchDocument::fts_field(&doc.summary),
            body: SearchDocument::fts_field(&doc.body),
        }
    }
}

/// Most rows of one INSERT into FTS5 (four bound values a row; SQLite
/// allows 32,766). FTS5 writes the terms it holds as a new segment whenever
/// a statement that might have to be undone begins (its `xSavepoint`), and
/// every multi-row INSERT is one, its own included. So each statement ended
/// a segment: written 400 rows a statement between the articles' own
/// inserts, a million articles made 4,000 segments, and FTS5 merged them
/// 1,000 at a time in the middle of the load (4-5 s each), then again at
/// the end. A bulk load that writes this many rows at once makes segments
/// 32 times larger (see `seed`).
pub const FTS_ROWS_PER_STATEMENT: usize = 8_000;

/// SQLite: inserts these FTS5 rows, [`FTS_ROWS_PER_STATEMENT`] to a
/// statement. PostgreSQL: nothing (its index is on the article row).
pub fn write_fts_rows(conn: &mut DbConnection, rows: Vec<FtsRow>) -> QueryResult<()> {
    let DbConnection::Sqlite(lite) = conn else {
        return Ok(());
    };
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = RawSql::new();
        sql.sql("INSERT INTO article_search (rowid, title, summary, body) VALUES ");
        for (i, row) in rows.by_ref().take(FTS_ROWS_PER_STATEMENT).enumerate() {
            sql.sql(if i == 0 { "(" } else { ", (" })
                .bind(Value::BigInt(row.key))
                .sql(", ")
                .bind(Value::Text(row.title))
                .sql(", ")
                .bind(Value::Text(row.summary))
                .sql(", ")
                .bind(Value::Text(row.body))
                .sql(")");
        }
        sql.execute(lite)?;
    }
    Ok(())
}

/// FTS5 rows gathered across batches of a bulk write (the seed, `khabar
/// reindex`) and written [`FTS_ROWS_PER_STATEMENT`] to a statement, so that
/// each statement makes one large segment.
#[derive(Default)]
pub struct FtsRows {
    waiting: Vec<FtsRow>,
}

impl FtsRows {
    /// Adds `rows`; writes every full statement's worth now (SQLite only;
    /// PostgreSQL keeps nothing).
    pub fn add(
        &mut self,
        conn: &mut DbConnection,
        rows: impl IntoIterator<Item = FtsRow>,
    ) -> QueryResult<()> {
        if !matches!(conn, DbConnection::Sqlite(_)) {
            return Ok(());
        }
        self.waiting.extend(rows);
        let full = self.waiting.len() / FTS_ROWS_PER_STATEMENT * FTS_ROWS_PER_STATEMENT;
        if full > 0 {
            let rest = self.waiting.split_off(full);
            write_fts_rows(conn, std::mem::replace(&mut self.waiting, rest))?;
        }
        Ok(())
    }

    /// Writes what is still waiting.
    pub fn finish(self, conn: &mut DbConnection) -> QueryResult<()> {
        write_fts_rows(conn, self.waiting)
    }
}

/// Empties the index before a full rebuild.
pub fn clear(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => {
            sql_query("UPDATE articles SET search_doc = NULL, search_head = NULL").execute(pg)?;
        }
        DbConnection::Sqlite(lite) => {
            sql_query("DROP TABLE article_search").execute(lite)?;
            sql_query(SQLITE_TABLE).execute(lite)?;
        }
    }
    Ok(())
}

/// After a rebuild: SQLite merges the FTS5 segments; PostgreSQL reclaims
/// the rewritten rows and refreshes statistics (autovacuum may be off).
/// Outside any transaction.
pub fn tidy(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => {
            sql_query("VACUUM (ANALYZE) articles").execute(pg)?;
        }
        DbConnection::Sqlite(_) => merge_segments(conn)?,
    }
    Ok(())
}

/// SQLite, inside a bulk load's transaction: FTS5 merges no segments while
/// the load writes them (`automerge` 0, `crisismerge` high) and flushes its
/// pending terms less often (`hashsize` 64 MiB), so the load writes each
/// entry once and `merge_segments` merges once at the end; `false` puts
/// FTS5's defaults back (4, 16, 1 MiB) before the transaction commits.
pub fn bulk_load_settings(conn: &mut DbConnection, bulk: bool) -> QueryResult<()> {
    if let DbConnection::Sqlite(lite) = conn {
        let (automerge, crisismerge, hashsize) = if bulk {
            (0, 1000, 64 << 20)
        } else {
            (4, 16, 1 << 20)
        };
        for (name, value) in [
            ("automerge", automerge),
            ("crisismerge", crisismerge),
            ("hashsize", hashsize),
        ] {
            sql_query(format!(
                "INSERT INTO article_search (article_search, rank) VALUES ('{name}', {value})"
            ))
            .execute(lite)?;
        }
    }
    Ok(())
}

/// SQLite: merges the FTS5 index into one segment (a bulk load leaves
/// dozens; at 100,000 articles a common word's ranked window then cost
/// 0.71 ms in FTS5 instead of 0.23). PostgreSQL: nothing to do.
pub fn merge_segments(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Sqlite(lite) = conn {
        sql_query("INSERT INTO article_search (article_search) VALUES ('optimize')")
            .execute(lite)?;
    }
    Ok(())
}

/// The searchable text of one article.
#[derive(Debug, Clone, QueryableByName)]
pub struct SearchText {
    /// Article id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// Title.
    #[diesel(sql_type = Text)]
    pub title: String,
    /// Summary.
    #[diesel(sql_type = Text)]
    pub summary: String,
    /// Plain-text body.
    #[diesel(sql_type = Text)]
    pub body_text: String,
    /// What its search key is made of: publication time, else creation time.
    #[diesel(sql_type = Timestamp)]
    pub key_at: chrono::NaiveDateTime,
}

/// Articles (any state) after `after_id`, by id: all, or only those not in
/// the index.
pub fn texts(
    conn: &mut DbConnection,
    after_id: i64,
    limit: i64,
    only_missing: bool,
) -> QueryResult<Vec<SearchText>> {
    let mut sql = RawSql::new();
    sql.sql(
        "SELECT a.id, a.title, a.summary, a.body_text, \
         COALESCE(a.published_at, a.created_at) AS key_at FROM articles a WHERE a.id > ",
    )
    .bind(Value::BigInt(after_id));
    if only_missing {
        match conn {
            DbConnection::Postgres(_) => sql.sql(" AND a.search_doc IS NULL"),
            // FTS5 rowids are search keys, whose low bits are the id
            // (`domain::search::search_key`); SQLite builds the set once.
            DbConnection::Sqlite(_) => sql.sql(&format!(
                " AND a.id NOT IN (SELECT id & {KEY_ID_MASK} FROM article_search_docsize)"
            )),
        };
    }
    sql.sql(" ORDER BY a.id LIMIT ").bind(Value::BigInt(limit));
    on_backend!(conn, c => sql.load(c))
}

/// Whether some articles may be missing from the index. SQLite compares
/// row counts (FTS5 keeps one `docsize` row per entry); PostgreSQL answers
/// `true` and lets the partial index of unindexed rows make the pass free.
pub fn may_be_incomplete(conn: &mut DbConnection) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Gap {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    match conn {
        DbConnection::Postgres(_) => Ok(true),
        DbConnection::Sqlite(lite) => {
            let gap: Gap = sql_query(
                "SELECT (SELECT COUNT(*) FROM articles) - \
                 (SELECT COUNT(*) FROM article_search_docsize) AS n",
            )
            .get_result(lite)?;
            Ok(gap.n != 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DbTarget;

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    /// FTS5's segments: its `%_data` rows at or above the first segment's
    /// rowid, by segment id (rowid >> 37, as FTS5_SEGMENT_ROWID makes them).
    fn segments(conn: &mut DbConnection) -> i64 {
        let DbConnection::Sqlite(lite) = conn else {
            unreachable!("SQLite only")
        };
        sql_query(
            "SELECT COUNT(DISTINCT rowid >> 37) AS n FROM article_search_data \
             WHERE rowid >= (1 << 37)",
        )
        .get_result::<Count>(lite)
        .unwrap()
        .n
    }

    #[test]
    fn a_bulk_write_of_fts5_rows_makes_one_segment_not_one_per_few_hundred_rows() {
        let dir = tempfile::tempdir().unwrap();
        let target = DbTarget::parse(&format!("sqlite://{}/k.db", dir.path().display())).unwrap();
        let mut conn = target.connect().unwrap();
        crate::db::migrate(&mut conn).unwrap();
        let doc = SearchDocument::new("وزير الدفاع", "زيارة رسمية", "قال الوزير إن التعاون مستمر");
        let rows: Vec<FtsRow> = (1..=1_000).map(|key| FtsRow::new(key, &doc)).collect();
        crate::db::write_transaction(&mut conn, |conn| {
            bulk_load_settings(conn, true)?;
            write_fts_rows(conn, rows)?;
            // The next statement ends FTS5's segment, as a load's next
            // batch of articles does.
            bulk_load_settings(conn, false)
        })
        .unwrap();
        // 400 rows a statement made three.
        assert_eq!(segments(&mut conn), 1);
        let DbConnection::Sqlite(lite) = &mut conn else {
            unreachable!()
        };
        let term = format!("\"{}\"", doc.title[0][0]);
        let found: Count =
            sql_query("SELECT COUNT(*) AS n FROM article_search WHERE article_search MATCH ?")
                .bind::<Text, _>(term)
                .get_result(lite)
                .unwrap();
        assert_eq!(found.n, 1_000);
    }

    #[test]
    fn gathered_fts5_rows_are_written_a_full_statement_at_a_time_then_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let target = DbTarget::parse(&format!("sqlite://{}/k.db", dir.path().display())).unwrap();
        let mut conn = target.connect().unwrap();
        crate::db::migrate(&mut conn).unwrap();
        let doc = SearchDocument::new("وزير الدفاع", "زيارة رسمية", "قال الوزير إن التعاون مستمر");
        let total = FTS_ROWS_PER_STATEMENT as i64 + 500;
        let indexed = |conn: &mut DbConnection| {
            let DbConnection::Sqlite(lite) = conn else {
                unreachable!("SQLite only")
            };
            sql_query("SELECT COUNT(*) AS n FROM article_search_docsize")
                .get_result::<Count>(lite)
                .unwrap()
                .n
        };
        crate::db::write_transaction(&mut conn, |conn| {
            bulk_load_settings(conn, true)?;
            let mut gathered = FtsRows::default();
            // Two halves of less than a statement each: the first waits.
            let half = FTS_ROWS_PER_STATEMENT as i64 / 2 + 250;
            gathered.add(conn, (1..=half).map(|key| FtsRow::new(key, &doc)))?;
            assert_eq!(indexed(conn), 0);
            gathered.add(conn, (half + 1..=total).map(|key| FtsRow::new(key, &doc)))?;
            assert_eq!(indexed(conn), FTS_ROWS_PER_STATEMENT as i64);
            gathered.finish(conn)?;
            assert_eq!(indexed(conn), total);
            bulk_load_settings(conn, false)
        })
        .unwrap();
        // One segment per statement: the full one, then the rest.
        assert_eq!(segments(&mut conn), 2);
    }
}
