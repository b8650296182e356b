//! The archive calendar, its per-month counts and the stored local days
//! behind them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use crate::db::schema::articles;
use crate::db::DbConnection;
use crate::repo::sql::{RawSql, Value};

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

/// Which articles one calendar counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Every article.
    All,
    /// One section's.
    Section(i64),
    /// One tag's.
    Tag(i64),
}

impl Scope {
    /// `(scope, scope_id)` as `archive_counts` stores them.
    fn key(self) -> (&'static str, i64) {
        match self {
            Scope::All => ("all", 0),
            Scope::Section(id) => ("section", id),
            Scope::Tag(id) => ("tag", id),
        }
    }
}

/// What the calendar counts of one article: its local month, its section and
/// its tags. Only published (due or scheduled), dated, not deleted articles
/// are counted at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// `yyyymm` in the newsroom's time zone (`published_day / 100`).
    pub month: i32,
    /// The article's section.
    pub section_id: i64,
    /// The article's tags.
    pub tag_ids: Vec<i64>,
}

impl Counted {
    /// What is counted of an article: nothing unless it is published (a
    /// deleted article is a draft) and has a local day.
    pub fn of(
        published: bool,
        published_day: Option<i32>,
        section_id: i64,
        tag_ids: &[i64],
    ) -> Option<Self> {
        let day = published_day.filter(|_| published)?;
        Some(Counted {
            month: day / 100,
            section_id,
            tag_ids: tag_ids.to_vec(),
        })
    }

    /// The `(scope, scope_id, month)` rows the article adds 1 to.
    fn rows(&self) -> BTreeSet<(&'static str, i64, i32)> {
        std::iter::once(Scope::All)
            .chain(std::iter::once(Scope::Section(self.section_id)))
            .chain(self.tag_ids.iter().map(|&id| Scope::Tag(id)))
            .map(|scope| {
                let (name, id) = scope.key();
                (name, id, self.month)
            })
            .collect()
    }
}

/// What an article going from `old` to `new` (`None`: not counted) changes
/// in each `(scope, scope_id, month)` row, in key order; rows whose change
/// cancels out are left out, so an edit that changes nothing counted has
/// nothing here.
pub fn deltas(
    old: Option<&Counted>,
    new: Option<&Counted>,
) -> BTreeMap<(&'static str, i64, i32), i64> {
    let mut out = BTreeMap::new();
    for row in old.map(Counted::rows).unwrap_or_default() {
        *out.entry(row).or_insert(0) -= 1;
    }
    for row in new.map(Counted::rows).unwrap_or_default() {
        *out.entry(row).or_insert(0) += 1;
    }
    out.retain(|_, d| *d != 0);
    out
}

/// Keeps `archive_counts` exact for a write that takes one article from
/// `old` to `new`; call it in the write's transaction, after the write.
/// Nothing is written when nothing counted changed. The rows are written in
/// key order (concurrent writers lock them in the same order), by one upsert;
/// months that reach 0 are deleted.
pub fn adjust(
    conn: &mut DbConnection,
    old: Option<&Counted>,
    new: Option<&Counted>,
) -> QueryResult<()> {
    let changes = deltas(old, new);
    if changes.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..changes.len())
        .map(|i| {
            let p = 4 * i + 1;
            format!("(${}, ${}, ${}, ${})", p, p + 1, p + 2, p + 3)
        })
        .collect();
    let sql = format!(
        "INSERT INTO archive_counts (scope, scope_id, month, n) VALUES {} \
         ON CONFLICT (scope, scope_id, month) DO UPDATE SET n = archive_counts.n + excluded.n",
        values.join(", ")
    );
    let mut upsert = diesel::sql_query(sql).into_boxed();
    for (&(scope, id, month), &delta) in &changes {
        upsert = upsert
            .bind::<Text, _>(scope)
            .bind::<BigInt, _>(id)
            .bind::<Integer, _>(month)
            .bind::<BigInt, _>(delta);
    }
    upsert.execute(conn)?;
    let lowered: Vec<_> = changes.iter().filter(|(_, &d)| d < 0).collect();
    if lowered.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = (0..lowered.len())
        .map(|i| {
            let p = 3 * i + 1;
            format!(
                "(scope = ${} AND scope_id = ${} AND month = ${})",
                p,
                p + 1,
                p + 2
            )
        })
        .collect();
    let sql = format!(
        "DELETE FROM archive_counts WHERE n = 0 AND ({})",
        keys.join(" OR ")
    );
    let mut delete = diesel::sql_query(sql).into_boxed();
    for (&(scope, id, month), _) in lowered {
        delete = delete
            .bind::<Text, _>(scope)
            .bind::<BigInt, _>(id)
            .bind::<Integer, _>(month);
    }
    delete.execute(conn).map(drop)
}

/// Drops a deleted tag's counts (its links went with it).
pub fn forget_tag(conn: &mut DbConnection, tag_id: i64) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM archive_counts WHERE scope = 'tag' AND scope_id = $1")
        .bind::<BigInt, _>(tag_id)
        .execute(conn)
        .map(drop)
}

/// What `archive_counts` holds, recomputed from the articles (the same
/// statements as the migration that made the table).
const RECOUNT: [&str; 3] = [
    "INSERT INTO archive_counts (scope, scope_id, month, n) \
     SELECT 'all', 0, published_day / 100, COUNT(*) FROM articles \
     WHERE status = 'published' AND deleted_at IS NULL AND published_day IS NOT NULL \
     GROUP BY published_day / 100",
    "INSERT INTO archive_counts (scope, scope_id, month, n) \
     SELECT 'section', section_id, published_day / 100, COUNT(*) FROM articles \
     WHERE status = 'published' AND deleted_at IS NULL AND published_day IS NOT NULL \
     GROUP BY section_id, published_day / 100",
    "INSERT INTO archive_counts (scope, scope_id, month, n) \
     SELECT 'tag', t.tag_id, a.published_day / 100, COUNT(*) FROM articles a \
     JOIN article_tags t ON t.article_id = a.id \
     WHERE a.status = 'published' AND a.deleted_at IS NULL AND a.published_day IS NOT NULL \
     GROUP BY t.tag_id, a.published_day / 100",
];

/// Recomputes `archive_counts` from the articles, in one transaction (a
/// savepoint inside the caller's). On PostgreSQL the table is locked against
/// other writers first (readers go on), so an edit running beside the
/// rebuild is counted exactly once: either it committed before the recount
/// reads the articles, or it adjusts the rebuilt rows afterwards. SQLite has
/// one writer at a time anyway.
pub fn rebuild_counts(conn: &mut DbConnection) -> QueryResult<()> {
    conn.transaction(|conn| {
        if let DbConnection::Postgres(pg) = conn {
            diesel::sql_query("LOCK TABLE archive_counts IN EXCLUSIVE MODE").execute(pg)?;
        }
        diesel::sql_query("DELETE FROM archive_counts").execute(conn)?;
        for statement in RECOUNT {
            diesel::sql_query(statement).execute(conn)?;
        }
        Ok(())
    })
}

/// Due articles per local month of one scope, newest first, from the
/// maintained counts: the scope's rows minus its scheduled articles
/// (published with a time after `now`; counted in the table, not yet in the
/// calendar). Those few are found on the `(status, published_at, id)` index
/// (`(section_id, status, published_at, id)` for a section) and, for a tag,
/// checked against its links; so the cost does not grow with the archive.
/// One statement, so both parts read the same snapshot.
pub fn calendar(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    scope: Scope,
) -> QueryResult<Vec<MonthCount>> {
    let (name, scope_id) = scope.key();
    let (join, filter) = match scope {
        Scope::All => ("", ""),
        Scope::Section(_) => ("", " AND a.section_id = "),
        // CROSS JOIN: SQLite then walks the scheduled articles and looks
        // their links up, instead of reading every link of the tag (for
        // PostgreSQL it is an inner join like any other, and it picks the
        // same plan from its statistics).
        Scope::Tag(_) => (
            " CROSS JOIN article_tags t",
            " AND t.article_id = a.id AND t.tag_id = ",
        ),
    };
    // A kept statement (`RawSql`): `sql_query` is parsed and planned again
    // for every calendar.
    let mut sql = RawSql::new();
    sql.sql(&format!(
        "SELECT c.month AS month, c.n - COALESCE(s.n, 0) AS n FROM archive_counts c \
         LEFT JOIN (SELECT a.published_day / 100 AS month, COUNT(*) AS n FROM articles a{join} \
         WHERE a.status = 'published' AND a.published_at > "
    ))
    .bind(Value::Timestamp(now));
    if let Scope::Section(id) | Scope::Tag(id) = scope {
        sql.sql(filter).bind(Value::BigInt(id));
    }
    sql.sql(&format!(
        " AND a.published_day IS NOT NULL AND a.deleted_at IS NULL \
         GROUP BY a.published_day / 100) s ON s.month = c.month \
         WHERE c.scope = '{name}' AND c.scope_id = "
    ))
    .bind(Value::BigInt(scope_id))
    .sql(" AND c.n - COALESCE(s.n, 0) > 0 ORDER BY c.month DESC");
    on_backend!(conn, c => sql.load(c))
}

/// Published, due articles per local month, newest first, optionally of one
/// section and/or one tag, counted from the articles themselves: a scan of
/// the scope's whole archive. The calendar of one section and one tag at
/// once uses it (no counts are kept per pair); tests compare it with the
/// counts. The same SQL runs on both backends: `$n` placeholders are
/// positional in PostgreSQL and, used once each in order, in SQLite too.
pub fn calendar_live(
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
    crate::repo::maintenance::setting(conn, "timezone")
}

/// Records the time zone of the stored local days.
pub fn set_timezone(conn: &mut DbConnection, tz: &str) -> QueryResult<()> {
    crate::repo::maintenance::set_setting(conn, "timezone", tz)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(month: i32, section_id: i64, tag_ids: &[i64]) -> Counted {
        Counted {
            month,
            section_id,
            tag_ids: tag_ids.to_vec(),
        }
    }

    #[test]
    fn only_published_dated_articles_are_counted() {
        assert_eq!(
            Counted::of(true, Some(20200822), 3, &[7]),
            Some(counted(202008, 3, &[7]))
        );
        assert_eq!(Counted::of(false, Some(20200822), 3, &[7]), None);
        assert_eq!(Counted::of(true, None, 3, &[7]), None);
    }

    #[test]
    fn an_edit_that_changes_nothing_counted_changes_no_row() {
        let a = counted(202008, 3, &[7, 8]);
        assert!(deltas(Some(&a), Some(&a)).is_empty());
        assert!(deltas(None, None).is_empty());
        // Tag order is display order, not counted.
        assert!(deltas(Some(&a), Some(&counted(202008, 3, &[8, 7]))).is_empty());
    }

    #[test]
    fn each_scope_moves_on_its_own() {
        let a = counted(202008, 3, &[7, 8]);
        let created = deltas(None, Some(&a));
        assert_eq!(
            created.into_iter().collect::<Vec<_>>(),
            [
                (("all", 0, 202008), 1),
                (("section", 3, 202008), 1),
                (("tag", 7, 202008), 1),
                (("tag", 8, 202008), 1),
            ]
        );
        let moved = deltas(Some(&a), Some(&counted(202009, 3, &[7, 8])));
        assert_eq!(moved.len(), 8);
        assert_eq!(moved[&("all", 0, 202008)], -1);
        assert_eq!(moved[&("all", 0, 202009)], 1);
        let retagged = deltas(Some(&a), Some(&counted(202008, 4, &[8, 9])));
        assert_eq!(
            retagged.into_iter().collect::<Vec<_>>(),
            [
                (("section", 3, 202008), -1),
                (("section", 4, 202008), 1),
                (("tag", 7, 202008), -1),
                (("tag", 9, 202008), 1),
            ]
        );
        let gone = deltas(Some(&a), None);
        assert!(gone.values().all(|&d| d == -1) && gone.len() == 4);
    }
}
