//! Article revisions: the versions edits replaced.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::article_revisions;
use crate::db::DbConnection;

/// A stored revision.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_revisions)]
pub struct RevisionRow {
    pub id: i64,
    pub article_id: i64,
    pub number: i32,
    pub article_version: i64,
    pub changed_fields: String,
    pub token_id: Option<i64>,
    pub editor_name: String,
    pub created_at: NaiveDateTime,
    pub snapshot: String,
}

/// A new revision.
#[derive(Debug, Insertable)]
#[diesel(table_name = article_revisions)]
pub struct RevisionInsertForm<'a> {
    pub article_id: i64,
    pub number: i32,
    pub article_version: i64,
    pub changed_fields: &'a str,
    pub token_id: Option<i64>,
    pub editor_name: &'a str,
    pub created_at: NaiveDateTime,
    pub snapshot: &'a str,
}

/// The number the next revision of an article gets (1 for the first).
pub fn next_number(conn: &mut DbConnection, article_id: i64) -> QueryResult<i32> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .select(diesel::dsl::max(article_revisions::number))
        .first::<Option<i32>>(conn)
        .map(|n| n.unwrap_or(0) + 1)
}

/// Stores a revision.
pub fn insert(conn: &mut DbConnection, form: &RevisionInsertForm) -> QueryResult<()> {
    diesel::insert_into(article_revisions::table)
        .values(form)
        .execute(conn)
        .map(|_| ())
}

/// A page of an article's revisions, newest first, without snapshots.
pub fn list(
    conn: &mut DbConnection,
    article_id: i64,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<RevisionRow>> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .order(article_revisions::number.desc())
        .offset(offset)
        .limit(limit)
        .select(RevisionRow::as_select())
        .load(conn)
}

/// How many revisions an article has.
pub fn count(conn: &mut DbConnection, article_id: i64) -> QueryResult<i64> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .count()
        .get_result(conn)
}

/// One revision.
pub fn find(
    conn: &mut DbConnection,
    article_id: i64,
    number: i32,
) -> QueryResult<Option<RevisionRow>> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .filter(article_revisions::number.eq(number))
        .select(RevisionRow::as_select())
        .first(conn)
        .optional()
}
