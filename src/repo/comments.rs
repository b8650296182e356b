//! Comments, their articles' counters, and stored idempotent answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{article_stats, articles, comments, idempotency_keys};
use crate::db::DbConnection;
use crate::domain::article::ArticleStatus;
use crate::domain::comment::CommentStatus;

/// A stored comment.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: String,
    pub ip_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new comment.
#[derive(Debug, Insertable)]
#[diesel(table_name = comments, treat_none_as_default_value = false)]
pub struct CommentInsertForm<'a> {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub author_url: Option<&'a str>,
    pub body: &'a str,
    pub status: &'a str,
    pub ip_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Whether comments are open on a published, due, not deleted article
/// (`None`: no such article for the public).
pub fn comments_open(
    conn: &mut DbConnection,
    article_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<bool>> {
    articles::table
        .filter(articles::id.eq(article_id))
        .filter(articles::status.eq(ArticleStatus::Published.as_str()))
        .filter(articles::published_at.le(now))
        .filter(articles::deleted_at.is_null())
        .select(articles::comments_open)
        .first(conn)
        .optional()
}

/// Inserts a comment and returns it (as written: no second read).
pub fn insert(conn: &mut DbConnection, form: &CommentInsertForm) -> QueryResult<CommentRow> {
    let id: i64 = diesel::insert_into(comments::table)
        .values(form)
        .returning(comments::id)
        .get_result(conn)?;
    Ok(CommentRow {
        id,
        article_id: form.article_id,
        parent_id: form.parent_id,
        depth: form.depth,
        author_name: form.author_name.to_string(),
        author_email: form.author_email.to_string(),
        author_url: form.author_url.map(str::to_string),
        body: form.body.to_string(),
        status: form.status.to_string(),
        ip_hash: form.ip_hash.to_string(),
        created_at: form.created_at,
        updated_at: form.updated_at,
    })
}

/// One comment by id.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CommentRow>> {
    comments::table
        .filter(comments::id.eq(id))
        .select(CommentRow::as_select())
        .first(conn)
        .optional()
}

/// Comments by id (any order).
pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::id.eq_any(ids))
        .select(CommentRow::as_select())
        .load(conn)
}

/// Whether an approved comment with this (lower-cased) e-mail exists.
pub fn has_approved_with_email(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table
            .filter(comments::author_email.eq(email))
            .filter(comments::status.eq(CommentStatus::Approved.as_str())),
    ))
    .get_result(conn)
}

/// Whether this client already left this body on this article.
pub fn duplicate_exists(
    conn: &mut DbConnection,
    article_id: i64,
    ip_hash: &str,
    body: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table
            .filter(comments::article_id.eq(article_id))
            .filter(comments::ip_hash.eq(ip_hash))
            .filter(comments::body.eq(body)),
    ))
    .get_result(conn)
}

/// Adds `delta` to an article's `comment_count` (in the caller's transaction).
pub fn add_to_count(conn: &mut DbConnection, article_id: i64, delta: i64) -> QueryResult<()> {
    if delta == 0 {
        return Ok(());
    }
    diesel::update(article_stats::table.filter(article_stats::article_id.eq(article_id)))
        .set(article_stats::comment_count.eq(article_stats::comment_count + delta))
        .execute(conn)
        .map(drop)
}

/// An article's `comment_count` as stored.
pub fn stored_count(conn: &mut DbConnection, article_id: i64) -> QueryResult<i64> {
    article_stats::table
        .filter(article_stats::article_id.eq(article_id))
        .select(article_stats::comment_count)
        .first(conn)
}

/// Moves a comment from `from` to `to`; false when it was not in `from`
/// any more (a concurrent change won), so counters move exactly once.
pub fn set_status_if(
    conn: &mut DbConnection,
    id: i64,
    from: CommentStatus,
    to: CommentStatus,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        comments::table
            .filter(comments::id.eq(id))
            .filter(comments::status.eq(from.as_str())),
    )
    .set((
        comments::status.eq(to.as_str()),
        comments::updated_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Turns a comment into a placeholder: deleted, its text and its author's
/// details wiped.
pub fn make_placeholder(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(comments::table.filter(comments::id.eq(id)))
        .set((
            comments::status.eq(CommentStatus::Deleted.as_str()),
            comments::body.eq(""),
            comments::author_name.eq(""),
            comments::author_email.eq(""),
            comments::author_url.eq(None::<String>),
            comments::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether any comment replies to `id`.
pub fn has_replies(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table.filter(comments::parent_id.eq(id)),
    ))
    .get_result(conn)
}

/// Removes a comment row.
pub fn delete_row(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(comments::table.filter(comments::id.eq(id)))
        .execute(conn)
        .map(drop)
}

/// Where a page of a thread starts.
#[derive(Debug, Clone, Copy)]
pub enum ThreadPosition {
    /// Skip this many comments.
    Offset(i64),
    /// After this comment (creation time, id).
    After(NaiveDateTime, i64),
}

/// Whether a comment shows in its article's public thread: approved, a
/// deleted one kept for its replies, or one a moderator hid (pending, spam,
/// trash) after it was replied to, while a reply of it shows; the thread
/// shows the last two as placeholders, so that no shown reply points at a
/// parent the thread leaves out. (A hidden comment whose only replies are
/// hidden too is left out with them.)
macro_rules! shown_in_thread {
    () => {{
        let replies = diesel::alias!(comments as replies);
        let shown = [
            CommentStatus::Approved.as_str(),
            CommentStatus::Deleted.as_str(),
        ];
        comments::status.eq_any(shown).or(diesel::dsl::exists(
            replies
                .filter(
                    replies
                        .field(comments::parent_id)
                        .eq(comments::id.nullable()),
                )
                .filter(replies.field(comments::status).eq_any(shown)),
        ))
    }};
}

/// The public thread of an article, oldest first: approved comments and
/// placeholders of deleted or hidden ones (see `shown_in_thread`), `limit` rows at most, and only while the
/// article is public (published, due, not deleted), so that a page is one
/// statement; an empty page says nothing of the article (see
/// [`comments_open`]).
pub fn list_public(
    conn: &mut DbConnection,
    article_id: i64,
    position: ThreadPosition,
    limit: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<CommentRow>> {
    // The article's test does not name `comments`: both backends run it
    // once per statement (PostgreSQL as a one-time filter), and the rows
    // come from the thread index. (Joined, PostgreSQL without statistics
    // chose a bitmap over the status index and sorted: 535 req/s.)
    let article_is_public = diesel::dsl::exists(
        articles::table
            .filter(articles::id.eq(article_id))
            .filter(articles::status.eq(ArticleStatus::Published.as_str()))
            .filter(articles::published_at.le(now))
            .filter(articles::deleted_at.is_null()),
    );
    let mut query = comments::table
        .filter(article_is_public)
        .filter(comments::article_id.eq(article_id))
        .filter(shown_in_thread!())
        .select(CommentRow::as_select())
        .order((comments::created_at.asc(), comments::id.asc()))
        .limit(limit)
        .into_boxed();
    match position {
        ThreadPosition::Offset(offset) => query = query.offset(offset),
        ThreadPosition::After(at, id) => {
            // `created_at >= at` bounds the index range; the rest skips the
            // rows of that same instant up to the cursor's id. (An `OR` alone
            // gives the planner no range to start from.)
            query = query
                .filter(comments::created_at.ge(at))
                .filter(comments::created_at.gt(at).or(comments::id.gt(id)))
        }
    }
    query.load(conn)
}

/// How many comments the public thread shows.
pub fn count_public(conn: &mut DbConnection, article_id: i64) -> QueryResult<i64> {
    comments::table
        .filter(comments::article_id.eq(article_id))
        .filter(shown_in_thread!())
        .count()
        .get_result(conn)
}

/// The moderation queue, newest first, by status and article.
pub fn list_moderation(
    conn: &mut DbConnection,
    status: Option<CommentStatus>,
    article_id: Option<i64>,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<CommentRow>> {
    let mut query = comments::table
        .filter(comments::status.ne(CommentStatus::Deleted.as_str()))
        .select(CommentRow::as_select())
        .order((comments::created_at.desc(), comments::id.desc()))
        .offset(offset)
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(comments::status.eq(status.as_str()));
    }
    if let Some(article_id) = article_id {
        query = query.filter(comments::article_id.eq(article_id));
    }
    query.load(conn)
}

/// How many comments the moderation queue has.
pub fn count_moderation(
    conn: &mut DbConnection,
    status: Option<CommentStatus>,
    article_id: Option<i64>,
) -> QueryResult<i64> {
    let mut query = comments::table
        .filter(comments::status.ne(CommentStatus::Deleted.as_str()))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(comments::status.eq(status.as_str()));
    }
    if let Some(article_id) = article_id {
        query = query.filter(comments::article_id.eq(article_id));
    }
    query.count().get_result(conn)
}

/// A stored first answer of an idempotent request.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub key: String,
    pub fingerprint: String,
    pub status: i32,
    pub location: Option<String>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// The stored answer of a key, if it was stored after `not_before`.
pub fn find_key(
    conn: &mut DbConnection,
    key: &str,
    not_before: NaiveDateTime,
) -> QueryResult<Option<IdempotencyRow>> {
    idempotency_keys::table
        .filter(idempotency_keys::key.eq(key))
        .filter(idempotency_keys::created_at.ge(not_before))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()
}

/// Stores a key's answer, replacing an expired one (stored before `expired_before`).
pub fn store_key(
    conn: &mut DbConnection,
    row: &IdempotencyRow,
    expired_before: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::key.eq(&row.key))
            .filter(idempotency_keys::created_at.lt(expired_before)),
    )
    .execute(conn)?;
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Forgets keys stored before `before`; returns how many.
pub fn prune_keys(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
        .execute(conn)
}
