//! The change log behind `GET /changes`: one row per article write, with a
//! sequence number in commit order.
//!
//! Commit order is what makes a cursor safe: a partner that has read up to
//! sequence N must never later find a change numbered below N. SQLite has
//! one writer at a time, so numbers follow commits by construction. On
//! PostgreSQL two transactions could take numbers 10 and 11 and commit 11
//! first; so every writer takes one transaction-level advisory lock right
//! before it adds its row, and holds it to its commit: the next number is
//! only handed out once the previous one is visible. The lock is taken last
//! in the transaction, so editors wait only for each other's commits.

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Timestamp};
use diesel::{sql_query, QueryResult, QueryableByName, RunQueryDsl};

use crate::db::DbConnection;
use crate::repo::sql::{RawSql, Value};

/// The advisory lock key that orders change numbers (any constant of ours).
const CHANGE_LOG_LOCK: i64 = 0x6b68_6162_6172; // "khabar"

/// One logged change.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct ChangeRow {
    /// Its position in commit order.
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    /// The article that changed.
    #[diesel(sql_type = BigInt)]
    pub article_id: i64,
    /// When (UTC).
    #[diesel(sql_type = Timestamp)]
    pub changed_at: NaiveDateTime,
}

/// PostgreSQL: waits for the change log (held to this transaction's end).
fn lock(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        sql_query(format!("SELECT pg_advisory_xact_lock({CHANGE_LOG_LOCK})")).execute(pg)?;
    }
    Ok(())
}

/// Logs a write of `article_id`, inside the write's transaction (last).
pub fn record(conn: &mut DbConnection, article_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    lock(conn)?;
    let mut sql = RawSql::new();
    sql.sql("INSERT INTO article_changes (article_id, changed_at) VALUES (")
        .bind(Value::BigInt(article_id))
        .sql(", ")
        .bind(Value::Timestamp(now))
        .sql(")");
    on_backend!(conn, c => sql.execute(c)).map(|_| ())
}

/// Logs every article that has no change yet (a bulk load), by id.
pub fn record_unlogged(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    lock(conn)?;
    let mut sql = RawSql::new();
    sql.sql("INSERT INTO article_changes (article_id, changed_at) SELECT a.id, ")
        .bind(Value::Timestamp(now))
        .sql(
            " FROM articles a WHERE NOT EXISTS \
             (SELECT 1 FROM article_changes c WHERE c.article_id = a.id) ORDER BY a.id",
        );
    on_backend!(conn, c => sql.execute(c))
}

/// Logs the scheduled articles that became visible in `(after, now]`: those
/// published by then whose last logged change is older than their
/// publication (written while still embargoed). Idempotent: once logged, an
/// article no longer qualifies, so two processes never log it twice.
pub fn record_due(
    conn: &mut DbConnection,
    after: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    lock(conn)?;
    let mut sql = RawSql::new();
    sql.sql("INSERT INTO article_changes (article_id, changed_at) SELECT a.id, ")
        .bind(Value::Timestamp(now))
        .sql(" FROM articles a WHERE a.status = 'published' AND a.published_at > ")
        .bind(Value::Timestamp(after))
        .sql(" AND a.published_at <= ")
        .bind(Value::Timestamp(now))
        .sql(
            " AND NOT EXISTS (SELECT 1 FROM article_changes c \
             WHERE c.article_id = a.id AND c.changed_at >= a.published_at) \
             ORDER BY a.published_at, a.id",
        );
    on_backend!(conn, c => sql.execute(c))
}

/// The number of the last change logged (0 before any).
pub fn last_seq(conn: &mut DbConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Last {
        #[diesel(sql_type = BigInt)]
        seq: i64,
    }
    let sql = "SELECT COALESCE(MAX(seq), 0) AS seq FROM article_changes";
    let last: Last = on_backend!(conn, c => sql_query(sql).get_result(c))?;
    Ok(last.seq)
}

/// The changes after `after`, in commit order.
pub fn after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<ChangeRow>> {
    let mut sql = RawSql::new();
    sql.sql("SELECT seq, article_id, changed_at FROM article_changes WHERE seq > ")
        .bind(Value::BigInt(after))
        .sql(" ORDER BY seq LIMIT ")
        .bind(Value::BigInt(limit));
    on_backend!(conn, c => sql.load(c))
}
