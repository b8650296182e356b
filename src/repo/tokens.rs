//! API tokens (hashes only).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::api_tokens;
use crate::db::DbConnection;

/// A stored token.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub lookup: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A new token.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct TokenInsertForm<'a> {
    pub name: &'a str,
    pub role: &'a str,
    pub lookup: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
}

/// Inserts a token and returns its row.
pub fn insert(conn: &mut DbConnection, form: &TokenInsertForm) -> QueryResult<TokenRow> {
    diesel::insert_into(api_tokens::table)
        .values(form)
        .returning(api_tokens::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            api_tokens::table
                .find(id)
                .select(TokenRow::as_select())
                .first(conn)
        })
}

/// Every token, newest first.
pub fn list(conn: &mut DbConnection, offset: i64, limit: i64) -> QueryResult<Vec<TokenRow>> {
    api_tokens::table
        .order(api_tokens::id.desc())
        .offset(offset)
        .limit(limit)
        .select(TokenRow::as_select())
        .load(conn)
}

/// How many tokens exist.
pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    api_tokens::table.count().get_result(conn)
}

/// One token by id.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<TokenRow>> {
    api_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()
}

/// The tokens whose lookup part is `lookup` (almost always one).
pub fn find_by_lookup(conn: &mut DbConnection, lookup: &str) -> QueryResult<Vec<TokenRow>> {
    api_tokens::table
        .filter(api_tokens::lookup.eq(lookup))
        .select(TokenRow::as_select())
        .load(conn)
}

/// Marks a token revoked (once); true when this call revoked it.
pub fn revoke(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now))
    .execute(conn)
    .map(|n| n == 1)
}

/// Records a use of the token.
pub fn touch(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)
}
