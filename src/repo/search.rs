//! The search index: writing it, and reading the text it is built from.
//!
//! PostgreSQL keeps it on the article row (`search_doc`, `search_head`,
//! tsvector literals from `domain::search`); SQLite in the FTS5 table
//! `article_search` (rowid = article id). Callers write it in the same
//! transaction as the article, so the next search sees the change.

use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::{sql_query, QueryResult, QueryableByName, RunQueryDsl};

use crate::db::DbConnection;
use crate::domain::search::SearchDocument;
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
    if let DbConnection::Sqlite(lite) = conn {
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
    }
    for chunk in entries.chunks(CHUNK) {
        match conn {
            DbConnection::Postgres(pg) => {
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
            DbConnection::Sqlite(lite) => {
                let mut sql = RawSql::new();
                sql.sql("INSERT INTO article_search (rowid, title, summary, body) VALUES ");
                for (i, e) in chunk.iter().enumerate() {
                    sql.sql(if i == 0 { "(" } else { ", (" })
                        .bind(Value::BigInt(e.key))
                        .sql(", ")
                        .bind(Value::Text(SearchDocument::fts_field(&e.doc.title)))
                        .sql(", ")
                        .bind(Value::Text(SearchDocument::fts_field(&e.doc.summary)))
                        .sql(", ")
                        .bind(Value::Text(SearchDocument::fts_field(&e.doc.body)))
                        .sql(")");
                }
                sql.execute(lite)?;
            }
        }
    }
    Ok(())
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
            DbConnection::Sqlite(_) => {
                sql.sql(" AND NOT EXISTS (SELECT 1 FROM article_search s WHERE s.rowid = a.id)")
            }
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
