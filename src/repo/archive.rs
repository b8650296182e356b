//! The archive calendar and the stored local days behind it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Timestamp};

use crate::db::schema::{articles, site_settings};
use crate::db::DbConnection;

/// One month of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct MonthCount {
    /// `yyyymm` in the newsroom's time zone.
    #[diesel(sql_type = Integer)]
    pub month: i32,
    /// Published articles that month.
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Published, due articles per local month, newest first, optionally of one
/// section and/or one tag. The same SQL runs on both backends: `$n`
/// placeholders are positional in PostgreSQL and, used once each in order, in
/// SQLite too.
pub fn calendar(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    section_id: Option<i64>,
    tag_id: Option<i64>,
) -> QueryResult<Vec<MonthCount>> {
    let mut sql = String::from(
        "SELECT published_day / 100 AS month, COUNT(*) AS n FROM articles \
         WHERE status = 'published' AND published_day IS NOT NULL AND published_at <= $1",
    );
    let mut next = 2;
    if section_id.is_some() {
        sql.push_str(&format!(" AND section_id = ${next}"));
        next += 1;
    }
    if tag_id.is_some() {
        sql.push_str(&format!(
            " AND id IN (SELECT article_id FROM article_tags WHERE tag_id = ${next})"
        ));
    }
    sql.push_str(" GROUP BY published_day / 100 ORDER BY month DESC");
    let query = diesel::sql_query(sql)
        .into_boxed()
        .bind::<Timestamp, _>(now);
    let query = match section_id {
        Some(id) => query.bind::<BigInt, _>(id),
        None => query,
    };
    let query = match tag_id {
        Some(id) => query.bind::<BigInt, _>(id),
        None => query,
    };
    query.load(conn)
}

/// The time zone the stored local days are in, if recorded.
pub fn stored_timezone(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    site_settings::table
        .filter(site_settings::key.eq("timezone"))
        .select(site_settings::value)
        .first(conn)
        .optional()
}

/// Records the time zone of the stored local days.
pub fn set_timezone(conn: &mut DbConnection, tz: &str) -> QueryResult<()> {
    diesel::delete(site_settings::table.filter(site_settings::key.eq("timezone"))).execute(conn)?;
    diesel::insert_into(site_settings::table)
        .values((
            site_settings::key.eq("timezone"),
            site_settings::value.eq(tz),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Articles with a publication time after `after_id`, by id: all of them, or
/// only those without a stored local day.
pub fn dated(
    conn: &mut DbConnection,
    after_id: i64,
    limit: i64,
    only_missing: bool,
) -> QueryResult<Vec<(i64, NaiveDateTime)>> {
    let mut query = articles::table
        .filter(articles::id.gt(after_id))
        .filter(articles::published_at.is_not_null())
        .into_boxed();
    if only_missing {
        query = query.filter(articles::published_day.is_null());
    }
    query
        .order(articles::id.asc())
        .limit(limit)
        .select((articles::id, articles::published_at.assume_not_null()))
        .load(conn)
}

/// Stores local days.
pub fn set_days(conn: &mut DbConnection, days: &[(i64, i32)]) -> QueryResult<()> {
    for &(id, day) in days {
        diesel::update(articles::table.find(id))
            .set(articles::published_day.eq(day))
            .execute(conn)?;
    }
    Ok(())
}
