//! Whole tables, row for row, for `khabar copy`: every column of every
//! stored table as Diesel reads and writes it (so timestamps keep each
//! backend's own format), read in primary-key order a batch at a time and
//! inserted with the same ids.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::{sql_query, QueryResult, QueryableByName};

use crate::db::schema::{
    api_tokens, article_authors, article_changes, article_revisions, article_slugs, article_stats,
    article_tags, article_views_daily, articles, authors, comments, idempotency_keys, sections,
    site_settings, tags, view_flush_batches,
};
use crate::db::DbConnection;
use crate::domain::search::SearchDocument;
use crate::repo::sql::{RawSql, Value};

/// A row type that can be copied: read after a key, in key order, and
/// inserted as is.
pub trait CopyRow: Sized {
    /// The table's name.
    const TABLE: &'static str;
    /// Its primary key, as read from a row.
    type Key: Clone;
    /// This row's key.
    fn key(&self) -> Self::Key;
    /// Up to `limit` rows after `after` (from the start when `None`), in key order.
    fn load_after(
        conn: &mut DbConnection,
        after: Option<&Self::Key>,
        limit: i64,
    ) -> QueryResult<Vec<Self>>;
    /// Inserts these rows in one statement, keys included.
    fn insert(conn: &mut DbConnection, rows: &[Self]) -> QueryResult<usize>;
}

/// `CopyRow` for a table with a one-column primary key.
macro_rules! copy_by_key {
    ($row:ty, $table:ident, $key:ident, $key_ty:ty) => {
        impl CopyRow for $row {
            const TABLE: &'static str = stringify!($table);
            type Key = $key_ty;
            fn key(&self) -> $key_ty {
                self.$key.clone()
            }
            fn load_after(
                conn: &mut DbConnection,
                after: Option<&$key_ty>,
                limit: i64,
            ) -> QueryResult<Vec<Self>> {
                on_backend!(conn, c => {
                    let mut query = $table::table
                        .select(<$row>::as_select())
                        .order($table::$key)
                        .limit(limit)
                        .into_boxed();
                    if let Some(after) = after {
                        query = query.filter($table::$key.gt(after.clone()));
                    }
                    query.load(c)
                })
            }
            fn insert(conn: &mut DbConnection, rows: &[Self]) -> QueryResult<usize> {
                on_backend!(conn, c => diesel::insert_into($table::table).values(rows).execute(c))
            }
        }
    };
}

/// `CopyRow` for a table with a two-column primary key. The range starts at
/// the first column (`>=`) so that both backends seek on the key's index
/// instead of filtering it from the start.
macro_rules! copy_by_pair {
    ($row:ty, $table:ident, $a:ident: $a_ty:ty, $b:ident: $b_ty:ty) => {
        impl CopyRow for $row {
            const TABLE: &'static str = stringify!($table);
            type Key = ($a_ty, $b_ty);
            fn key(&self) -> ($a_ty, $b_ty) {
                (self.$a, self.$b)
            }
            fn load_after(
                conn: &mut DbConnection,
                after: Option<&($a_ty, $b_ty)>,
                limit: i64,
            ) -> QueryResult<Vec<Self>> {
                on_backend!(conn, c => {
                    let mut query = $table::table
                        .select(<$row>::as_select())
                        .order(($table::$a, $table::$b))
                        .limit(limit)
                        .into_boxed();
                    if let Some(&(a, b)) = after {
                        query = query
                            .filter($table::$a.ge(a))
                            .filter($table::$a.gt(a).or($table::$b.gt(b)));
                    }
                    query.load(c)
                })
            }
            fn insert(conn: &mut DbConnection, rows: &[Self]) -> QueryResult<usize> {
                on_backend!(conn, c => diesel::insert_into($table::table).values(rows).execute(c))
            }
        }
    };
}

/// A section, whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sections, treat_none_as_default_value = false)]
pub struct SectionCopy {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
copy_by_key!(SectionCopy, sections, id, i64);

/// A tag, whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tags, treat_none_as_default_value = false)]
pub struct TagCopy {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
copy_by_key!(TagCopy, tags, id, i64);

/// An author, whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = authors, treat_none_as_default_value = false)]
pub struct AuthorCopy {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub bio: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
copy_by_key!(AuthorCopy, authors, id, i64);

/// An API token (its hash; the token itself is never stored), whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens, treat_none_as_default_value = false)]
pub struct TokenCopy {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub lookup: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}
copy_by_key!(TokenCopy, api_tokens, id, i64);

/// An article, every column of `schema.rs` (PostgreSQL's search columns
/// are derived: see [`insert_articles`]).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = articles, treat_none_as_default_value = false)]
pub struct ArticleCopy {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub language: String,
    pub dir: String,
    pub section_id: i64,
    pub byline: String,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub canonical_url: Option<String>,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub status: String,
    pub comments_open: bool,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub tag_ids: String,
    pub author_ids: String,
    pub body_html: String,
    pub body_text: String,
    pub version: i64,
    pub deleted_at: Option<NaiveDateTime>,
    pub published_day: Option<i32>,
}
copy_by_key!(ArticleCopy, articles, id, i64);

/// An article's counters.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_stats, treat_none_as_default_value = false)]
pub struct StatsCopy {
    pub article_id: i64,
    pub view_count: i64,
    pub comment_count: i64,
}
copy_by_key!(StatsCopy, article_stats, article_id, i64);

/// A tag link.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_tags, treat_none_as_default_value = false)]
pub struct ArticleTagCopy {
    pub article_id: i64,
    pub tag_id: i64,
    pub published_at: Option<NaiveDateTime>,
}
copy_by_pair!(ArticleTagCopy, article_tags, article_id: i64, tag_id: i64);

/// An author credit.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_authors, treat_none_as_default_value = false)]
pub struct ArticleAuthorCopy {
    pub article_id: i64,
    pub author_id: i64,
    pub position: i32,
    pub published_at: Option<NaiveDateTime>,
}
copy_by_pair!(ArticleAuthorCopy, article_authors, article_id: i64, author_id: i64);

/// An old slug of an article.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_slugs, treat_none_as_default_value = false)]
pub struct OldSlugCopy {
    pub slug: String,
    pub article_id: i64,
    pub created_at: NaiveDateTime,
}
copy_by_key!(OldSlugCopy, article_slugs, slug, String);

/// A revision, whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_revisions, treat_none_as_default_value = false)]
pub struct RevisionCopy {
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
copy_by_key!(RevisionCopy, article_revisions, id, i64);

/// A day bucket of an article's views.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_views_daily, treat_none_as_default_value = false)]
pub struct ViewDayCopy {
    pub article_id: i64,
    pub day: i32,
    pub n: i64,
}
copy_by_pair!(ViewDayCopy, article_views_daily, article_id: i64, day: i32);

/// A change-feed entry (its sequence number kept: partners' cursors stay good).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_changes, treat_none_as_default_value = false)]
pub struct ChangeCopy {
    pub seq: i64,
    pub article_id: i64,
    pub changed_at: NaiveDateTime,
}
copy_by_key!(ChangeCopy, article_changes, seq, i64);

/// A comment, whole (its status, hashed address and all).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = comments, treat_none_as_default_value = false)]
pub struct CommentCopy {
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
copy_by_key!(CommentCopy, comments, id, i64);

/// A stored first answer of an `Idempotency-Key` request.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys, treat_none_as_default_value = false)]
pub struct IdempotencyCopy {
    pub key: String,
    pub fingerprint: String,
    pub status: i32,
    pub location: Option<String>,
    pub body: String,
    pub created_at: NaiveDateTime,
}
copy_by_key!(IdempotencyCopy, idempotency_keys, key, String);

/// A flushed view batch's id.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = view_flush_batches, treat_none_as_default_value = false)]
pub struct FlushBatchCopy {
    pub id: String,
    pub applied_at: NaiveDateTime,
}
copy_by_key!(FlushBatchCopy, view_flush_batches, id, String);

/// A site setting (time zone of the stored days, comment address salt, …).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = site_settings, treat_none_as_default_value = false)]
pub struct SettingCopy {
    pub key: String,
    pub value: String,
}
copy_by_key!(SettingCopy, site_settings, key, String);

/// Inserts articles with their ids. PostgreSQL writes the search columns
/// (`search_doc`, `search_head`, from `docs`) in the same rows, so each row
/// is written once (as the seed does); SQLite's index is the FTS5 table, which
/// the caller writes through `repo::search::write`.
pub fn insert_articles(
    conn: &mut DbConnection,
    rows: &[ArticleCopy],
    docs: &[SearchDocument],
) -> QueryResult<usize> {
    let pg = match conn {
        DbConnection::Sqlite(_) => return ArticleCopy::insert(conn, rows),
        DbConnection::Postgres(pg) => pg,
    };
    if rows.is_empty() {
        return Ok(0);
    }
    let text = |v: &str| Value::Text(v.to_string());
    let mut sql = RawSql::new();
    sql.sql(
        "INSERT INTO articles (id, slug, title, summary, language, dir, section_id, byline, \
         source_name, source_url, canonical_url, image_url, image_caption, status, \
         comments_open, published_at, created_at, updated_at, tag_ids, author_ids, body_html, \
         body_text, version, deleted_at, published_day, search_doc, search_head) VALUES ",
    );
    for (i, (a, doc)) in rows.iter().zip(docs).enumerate() {
        let values = [
            Value::BigInt(a.id),
            text(&a.slug),
            text(&a.title),
            text(&a.summary),
            text(&a.language),
            text(&a.dir),
            Value::BigInt(a.section_id),
            text(&a.byline),
            Value::OptText(a.source_name.clone()),
            Value::OptText(a.source_url.clone()),
            Value::OptText(a.canonical_url.clone()),
            Value::OptText(a.image_url.clone()),
            Value::OptText(a.image_caption.clone()),
            text(&a.status),
            Value::Bool(a.comments_open),
            Value::OptTimestamp(a.published_at),
            Value::Timestamp(a.created_at),
            Value::Timestamp(a.updated_at),
            text(&a.tag_ids),
            text(&a.author_ids),
            text(&a.body_html),
            text(&a.body_text),
            Value::BigInt(a.version),
            Value::OptTimestamp(a.deleted_at),
            Value::OptInteger(a.published_day),
        ];
        sql.sql(if i == 0 { "(" } else { ", (" });
        for value in values {
            sql.bind(value).sql(", ");
        }
        sql.sql("CAST(")
            .bind(Value::Text(doc.tsvector()))
            .sql(" AS tsvector), CAST(")
            .bind(Value::Text(doc.head_tsvector()))
            .sql(" AS tsvector))");
    }
    sql.execute(pg)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Rows in `table` (one of the caller's constants, never input).
pub fn count_rows(conn: &mut DbConnection, table: &'static str) -> QueryResult<i64> {
    let found: Count = sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result(conn)?;
    Ok(found.n)
}

/// Articles that have an entry in the search index (PostgreSQL: a
/// `search_doc`; SQLite: a row of the FTS5 table).
pub fn count_indexed(conn: &mut DbConnection) -> QueryResult<i64> {
    let sql = match conn {
        DbConnection::Postgres(_) => {
            "SELECT COUNT(*) AS n FROM articles WHERE search_doc IS NOT NULL"
        }
        DbConnection::Sqlite(_) => "SELECT COUNT(*) AS n FROM article_search_docsize",
    };
    let found: Count = sql_query(sql).get_result(conn)?;
    Ok(found.n)
}

/// Which of `tables` exist in this database (its current schema on PostgreSQL).
pub fn existing_tables(
    conn: &mut DbConnection,
    tables: &[&'static str],
) -> QueryResult<Vec<String>> {
    let names = crate::repo::maintenance::sql_names(tables);
    let sql = match conn {
        DbConnection::Postgres(_) => format!(
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name IN ({names}) ORDER BY 1"
        ),
        DbConnection::Sqlite(_) => format!(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({names}) ORDER BY 1"
        ),
    };
    let found: Vec<Name> = sql_query(sql).load(conn)?;
    Ok(found.into_iter().map(|n| n.name).collect())
}

/// Makes the open transaction read one snapshot of the whole database.
/// PostgreSQL: `REPEATABLE READ, READ ONLY` (the first statement of the
/// transaction). SQLite: a transaction's reads already see one snapshot
/// from its first read on (WAL), so nothing to do.
pub fn read_snapshot(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(pg)?;
    }
    Ok(())
}

/// Empties a table (the target's site settings, replaced by the source's).
pub fn delete_all(conn: &mut DbConnection, table: &'static str) -> QueryResult<usize> {
    sql_query(format!("DELETE FROM {table}")).execute(conn)
}

/// The tables with an id sequence (PostgreSQL `BIGSERIAL`) and its column.
const SERIAL_COLUMNS: &[(&str, &str)] = &[
    ("sections", "id"),
    ("tags", "id"),
    ("authors", "id"),
    ("api_tokens", "id"),
    ("articles", "id"),
    ("article_revisions", "id"),
    ("comments", "id"),
    ("article_changes", "seq"),
];

/// The highest change-feed number ever handed out (it may be above the
/// highest stored one, whose rows went with their articles): PostgreSQL's
/// sequence, SQLite's `sqlite_sequence` (the table is AUTOINCREMENT).
pub fn change_seq_high_water(conn: &mut DbConnection) -> QueryResult<i64> {
    let sql = match conn {
        DbConnection::Postgres(_) => {
            "SELECT COALESCE(pg_sequence_last_value(CAST(\
             pg_get_serial_sequence('article_changes', 'seq') AS regclass)), 0) AS n"
        }
        DbConnection::Sqlite(_) => {
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence \
             WHERE name = 'article_changes'), 0) AS n"
        }
    };
    let found: Count = sql_query(sql).get_result(conn)?;
    Ok(found.n)
}

/// After a load with explicit ids: the next id of every table follows the
/// highest stored one, and the next change-feed number follows
/// `change_seq_at_least` too, so no number is handed out twice.
/// PostgreSQL: `setval` on each sequence (not undone by a rollback, which is
/// harmless: numbers are only ever skipped). SQLite: an `INTEGER PRIMARY
/// KEY` needs nothing; the AUTOINCREMENT counter of `article_changes` is
/// raised if needed.
pub fn reset_sequences(conn: &mut DbConnection, change_seq_at_least: i64) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => {
            for (table, column) in SERIAL_COLUMNS {
                let floor = if *table == "article_changes" {
                    change_seq_at_least
                } else {
                    0
                };
                // The next value is max(stored, floor) + 1 (1 for an empty table).
                sql_query(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
                     GREATEST(COALESCE(MAX({column}), 0), {floor}) + 1, false) FROM {table}"
                ))
                .execute(pg)?;
            }
        }
        DbConnection::Sqlite(lite) => {
            if change_seq_at_least > 0 {
                sql_query(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'article_changes'",
                )
                .bind::<BigInt, _>(change_seq_at_least)
                .execute(lite)?;
                sql_query(
                    "INSERT INTO sqlite_sequence (name, seq) SELECT 'article_changes', ? \
                     WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'article_changes')",
                )
                .bind::<BigInt, _>(change_seq_at_least)
                .execute(lite)?;
            }
        }
    }
    Ok(())
}

/// What identifies an article's stored version.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ArticleVersion {
    /// Id.
    pub id: i64,
    /// Current slug.
    pub slug: String,
    /// `draft` or `published`.
    pub status: String,
    /// Edit count (the ETag).
    pub version: i64,
    /// Last write (UTC).
    pub updated_at: NaiveDateTime,
    /// Soft deletion (UTC).
    pub deleted_at: Option<NaiveDateTime>,
}

/// Up to `limit` articles' versions after id `after`, by id.
pub fn article_versions(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<ArticleVersion>> {
    on_backend!(conn, c => articles::table
        .filter(articles::id.gt(after))
        .order(articles::id)
        .limit(limit)
        .select((
            articles::id,
            articles::slug,
            articles::status,
            articles::version,
            articles::updated_at,
            articles::deleted_at,
        ))
        .load(c))
}
