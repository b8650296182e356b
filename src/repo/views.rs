//! View counters: the all-time count (`article_stats.view_count`), the
//! per-day buckets (`article_views_daily`) and the rankings read from them.
//!
//! Written only by the view flusher (`service::views`), as increments, so
//! several processes sharing one database add up.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::schema::{article_stats, articles};
use crate::db::{write_transaction, DbConnection};
use crate::repo::sql::{RawSql, Value};

/// Rows per statement of a flush (well under both backends' bind limits).
const CHUNK: usize = 400;

/// What the view counter needs to know about one article.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct CounterRow {
    /// Article id.
    pub id: i64,
    /// `published` or `draft`.
    pub status: String,
    /// Publication time (UTC).
    pub published_at: Option<NaiveDateTime>,
    /// When it was deleted, if it was.
    pub deleted_at: Option<NaiveDateTime>,
    /// The stored all-time count (None without a counters row).
    pub view_count: Option<i64>,
}

impl CounterRow {
    /// From when the public may see the article (None: never, as it is).
    pub fn visible_from(&self) -> Option<NaiveDateTime> {
        (self.status == "published" && self.deleted_at.is_none())
            .then_some(self.published_at)
            .flatten()
    }
}

/// The columns of a [`CounterRow`], over `articles LEFT JOIN article_stats`.
type CounterColumns = (
    articles::id,
    articles::status,
    articles::published_at,
    articles::deleted_at,
    diesel::dsl::Nullable<article_stats::view_count>,
);

fn counter_columns() -> CounterColumns {
    (
        articles::id,
        articles::status,
        articles::published_at,
        articles::deleted_at,
        article_stats::view_count.nullable(),
    )
}

/// Articles (any state) with ids above `after`, in id order, at most
/// `limit`, with their stored counts: loaded at start a chunk at a time, so
/// that the start's memory does not grow with the archive (one statement
/// for all of 1,000,000 articles put the server's peak at 325 MB, the
/// result held twice: by the driver and as rows).
pub fn counters_after(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<CounterRow>> {
    articles::table
        .left_join(article_stats::table)
        .filter(articles::id.gt(after))
        .order(articles::id)
        .limit(limit)
        .select(counter_columns())
        .load(conn)
}

/// Articles written at or after `since` (by any process), on
/// `articles_updated_idx`.
pub fn changed_since(
    conn: &mut DbConnection,
    since: NaiveDateTime,
) -> QueryResult<Vec<CounterRow>> {
    articles::table
        .left_join(article_stats::table)
        .filter(articles::updated_at.ge(since))
        .select(counter_columns())
        .load(conn)
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    article_id: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What a flush wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The all-time count of every article of the batch after it.
    pub counts: Vec<(i64, i64)>,
    /// The batch had been applied before (a retry after a lost COMMIT):
    /// nothing was added this time.
    pub already: bool,
}

/// Adds a batch of views in one transaction: the all-time counts (`totals`:
/// article id, views) and the day buckets (`daily`: article id, local day
/// `yyyymmdd`, views). Either everything is added or nothing is.
///
/// The batch's `batch_id` is written in the same transaction
/// (`view_flush_batches`); a batch retried under an id that is already
/// there is not added again. So a flush whose COMMIT was lost with its
/// connection (applied or not, the client cannot tell) is retried safely.
///
/// Both backends take the same upsert (`INSERT … ON CONFLICT DO UPDATE SET
/// n = t.n + excluded.n … RETURNING`), in id order (concurrent flushes of
/// several processes lock rows in one order): PostgreSQL one statement per
/// table, its rows bound as arrays; SQLite one statement per chunk of 400
/// rows, inside `BEGIN IMMEDIATE`.
pub fn add_views(
    conn: &mut DbConnection,
    batch_id: &str,
    now: NaiveDateTime,
    totals: &[(i64, i64)],
    daily: &[(i64, i32, i64)],
) -> QueryResult<Applied> {
    if totals.is_empty() && daily.is_empty() {
        return Ok(Applied {
            counts: Vec::new(),
            already: false,
        });
    }
    write_transaction(conn, |conn| {
        let mut mark = RawSql::new();
        mark.sql("INSERT INTO view_flush_batches (id, applied_at) VALUES (")
            .bind(Value::Text(batch_id.to_string()))
            .sql(", ")
            .bind(Value::Timestamp(now))
            .sql(") ON CONFLICT (id) DO NOTHING");
        if on_backend!(conn, c => mark.execute(c))? == 0 {
            let ids: Vec<i64> = totals.iter().map(|(id, _)| *id).collect();
            return Ok(Applied {
                counts: stored_counts(conn, &ids)?,
                already: true,
            });
        }
        if let DbConnection::Postgres(pg) = conn {
            return add_views_pg(pg, totals, daily).map(|counts| Applied {
                counts,
                already: false,
            });
        }
        let mut counts = Vec::with_capacity(totals.len());
        for chunk in totals.chunks(CHUNK) {
            let mut sql = RawSql::new();
            // As many shapes as chunk sizes: not kept as prepared statements.
            sql.plan_each_time();
            sql.sql("INSERT INTO article_stats (article_id, view_count, comment_count) VALUES ");
            for (i, (id, n)) in chunk.iter().enumerate() {
                sql.sql(if i == 0 { "(" } else { ", (" })
                    .bind(Value::BigInt(*id))
                    .sql(", ")
                    .bind(Value::BigInt(*n))
                    .sql(", 0)");
            }
            sql.sql(
                " ON CONFLICT (article_id) DO UPDATE \
                 SET view_count = article_stats.view_count + excluded.view_count \
                 RETURNING article_id, view_count AS n",
            );
            let rows: Vec<CountRow> = on_backend!(conn, c => sql.load(c))?;
            counts.extend(rows.into_iter().map(|r| (r.article_id, r.n)));
        }
        for chunk in daily.chunks(CHUNK) {
            let mut sql = RawSql::new();
            sql.plan_each_time();
            sql.sql("INSERT INTO article_views_daily (article_id, day, n) VALUES ");
            for (i, (id, day, n)) in chunk.iter().enumerate() {
                sql.sql(if i == 0 { "(" } else { ", (" })
                    .bind(Value::BigInt(*id))
                    .sql(", ")
                    .bind(Value::OptInteger(Some(*day)))
                    .sql(", ")
                    .bind(Value::BigInt(*n))
                    .sql(")");
            }
            sql.sql(
                " ON CONFLICT (article_id, day) DO UPDATE \
                 SET n = article_views_daily.n + excluded.n",
            );
            on_backend!(conn, c => sql.execute(c))?;
        }
        Ok(Applied {
            counts,
            already: false,
        })
    })
}

/// PostgreSQL: the whole batch in two statements whose rows come as arrays
/// (`unnest`), in article order: one short statement to parse and plan
/// however big the batch (measured against 400-row `VALUES` chunks: see
/// README, Benchmarks).
fn add_views_pg(
    pg: &mut diesel::PgConnection,
    totals: &[(i64, i64)],
    daily: &[(i64, i32, i64)],
) -> QueryResult<Vec<(i64, i64)>> {
    use diesel::sql_types::{Array, Integer};
    let mut counts = Vec::new();
    if !totals.is_empty() {
        let (ids, views): (Vec<i64>, Vec<i64>) = totals.iter().copied().unzip();
        let rows: Vec<CountRow> = diesel::sql_query(
            "INSERT INTO article_stats (article_id, view_count, comment_count) \
             SELECT v.id, v.n, 0 FROM unnest($1, $2) AS v(id, n) ORDER BY v.id \
             ON CONFLICT (article_id) DO UPDATE \
             SET view_count = article_stats.view_count + excluded.view_count \
             RETURNING article_id, view_count AS n",
        )
        .bind::<Array<BigInt>, _>(&ids)
        .bind::<Array<BigInt>, _>(&views)
        .load(pg)?;
        counts.extend(rows.into_iter().map(|r| (r.article_id, r.n)));
    }
    if !daily.is_empty() {
        let ids: Vec<i64> = daily.iter().map(|d| d.0).collect();
        let days: Vec<i32> = daily.iter().map(|d| d.1).collect();
        let views: Vec<i64> = daily.iter().map(|d| d.2).collect();
        diesel::sql_query(
            "INSERT INTO article_views_daily (article_id, day, n) \
             SELECT v.id, v.day, v.n FROM unnest($1, $2, $3) AS v(id, day, n) \
             ORDER BY v.id, v.day \
             ON CONFLICT (article_id, day) DO UPDATE SET n = article_views_daily.n + excluded.n",
        )
        .bind::<Array<BigInt>, _>(&ids)
        .bind::<Array<Integer>, _>(&days)
        .bind::<Array<BigInt>, _>(&views)
        .execute(pg)?;
    }
    Ok(counts)
}

/// The stored all-time counts of these articles.
pub fn stored_counts(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    let mut counts = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        counts.extend(
            article_stats::table
                .filter(article_stats::article_id.eq_any(chunk))
                .select((article_stats::article_id, article_stats::view_count))
                .load::<(i64, i64)>(conn)?,
        );
    }
    Ok(counts)
}

/// Whether a batch was applied (tests and diagnostics).
pub fn batch_applied(conn: &mut DbConnection, batch_id: &str) -> QueryResult<bool> {
    let mut sql = RawSql::new();
    sql.sql("SELECT COUNT(*) AS n FROM view_flush_batches WHERE id = ")
        .bind(Value::Text(batch_id.to_string()));
    let row: NRow = on_backend!(conn, c => sql.get_result(c))?;
    Ok(row.n > 0)
}

#[derive(QueryableByName)]
struct NRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Forgets the ids of batches applied before `before` (a retry comes
/// seconds after its failure, not a day).
pub fn prune_batches(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    let mut sql = RawSql::new();
    sql.sql("DELETE FROM view_flush_batches WHERE applied_at < ")
        .bind(Value::Timestamp(before));
    on_backend!(conn, c => sql.execute(c))
}

/// One article's row for the counter (after an editorial write).
pub fn counter_row(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CounterRow>> {
    articles::table
        .left_join(article_stats::table)
        .filter(articles::id.eq(id))
        .select(counter_columns())
        .first(conn)
        .optional()
}

/// Drops the day buckets before `day` (`yyyymmdd`); returns how many.
pub fn prune_daily(conn: &mut DbConnection, before_day: i32) -> QueryResult<usize> {
    let mut sql = RawSql::new();
    sql.sql("DELETE FROM article_views_daily WHERE day < CAST(")
        .bind(Value::BigInt(i64::from(before_day)))
        .sql(" AS INTEGER)");
    on_backend!(conn, c => sql.execute(c))
}

/// A ranked article of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    /// Article id.
    pub id: i64,
    /// Views in the period.
    pub period_views: i64,
}

/// The `limit` articles with the most views on the local days
/// `first_day..=last_day`, visible at `now` (published, due, not deleted),
/// optionally of one section; ties newer first.
pub fn most_viewed(
    conn: &mut DbConnection,
    first_day: i32,
    last_day: i32,
    now: NaiveDateTime,
    section_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Ranked>> {
    let mut sql = RawSql::new();
    sql.sql(
        "SELECT d.article_id AS article_id, CAST(SUM(d.n) AS BIGINT) AS n \
         FROM article_views_daily d JOIN articles a ON a.id = d.article_id \
         WHERE d.day >= CAST(",
    )
    .bind(Value::BigInt(i64::from(first_day)))
    .sql(" AS INTEGER) AND d.day <= CAST(")
    .bind(Value::BigInt(i64::from(last_day)))
    .sql(" AS INTEGER) AND a.status = 'published' AND a.deleted_at IS NULL AND a.published_at <= ")
    .bind(Value::Timestamp(now));
    if let Some(section_id) = section_id {
        sql.sql(" AND a.section_id = ")
            .bind(Value::BigInt(section_id));
    }
    sql.sql(
        " GROUP BY d.article_id, a.published_at \
         ORDER BY n DESC, a.published_at DESC, d.article_id DESC LIMIT ",
    )
    .bind(Value::BigInt(limit));
    let rows: Vec<CountRow> = on_backend!(conn, c => sql.load(c))?;
    Ok(rows
        .into_iter()
        .map(|r| Ranked {
            id: r.article_id,
            period_views: r.n,
        })
        .collect())
}
