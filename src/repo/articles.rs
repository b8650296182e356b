//! Articles and their counters.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{article_authors, article_stats, article_tags, articles};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::article::{ArticleKey, ArticleStatus};
use crate::domain::cursor::{Cursor, KeysetOrder};

/// A multi-row INSERT, per backend (MultiBackend has no batch insert).
macro_rules! batch_execute {
    ($conn:expr, $table:expr, $values:expr) => {
        match $conn {
            DbConnection::Postgres(pg) => diesel::insert_into($table).values($values).execute(pg),
            DbConnection::Sqlite(lite) => diesel::insert_into($table).values($values).execute(lite),
        }
    };
}

/// An article without its body: what a list shows.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleHead {
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
    /// Tag ids in display order (a read copy of `article_tags`).
    pub tag_ids: String,
    /// Author ids in credit order (a read copy of `article_authors`).
    pub author_ids: String,
}

/// An article's body.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleBody {
    pub body_html: String,
    pub body_text: String,
}

/// An article's counters.
#[derive(Debug, Clone, Copy, Default, Queryable, Selectable)]
#[diesel(table_name = article_stats)]
pub struct StatsRow {
    pub view_count: i64,
    pub comment_count: i64,
}

/// What one read returns: the head, the body when asked, the counters.
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    /// Everything but the body.
    pub head: ArticleHead,
    /// The body, when asked for.
    pub body: Option<ArticleBody>,
    /// The counters (zero when the row is missing).
    pub stats: StatsRow,
}

/// A new article. `None` is written as NULL (SQLite has no DEFAULT in
/// multi-row VALUES, so batches must not rely on column defaults).
#[derive(Debug, Insertable)]
#[diesel(table_name = articles, treat_none_as_default_value = false)]
pub struct ArticleInsertForm<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub body_html: &'a str,
    pub body_text: &'a str,
    pub language: &'a str,
    pub dir: &'a str,
    pub section_id: i64,
    pub byline: &'a str,
    pub source_name: Option<&'a str>,
    pub source_url: Option<&'a str>,
    pub canonical_url: Option<&'a str>,
    pub image_url: Option<&'a str>,
    pub image_caption: Option<&'a str>,
    pub status: &'a str,
    pub comments_open: bool,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub tag_ids: &'a str,
    pub author_ids: &'a str,
}

/// Counters of a new article.
#[derive(Debug, Insertable)]
#[diesel(table_name = article_stats)]
pub struct StatsInsertForm {
    pub article_id: i64,
    pub view_count: i64,
    pub comment_count: i64,
}

/// A tag link.
#[derive(Debug, Insertable)]
#[diesel(table_name = article_tags)]
pub struct ArticleTagForm {
    pub article_id: i64,
    pub tag_id: i64,
}

/// An author credit.
#[derive(Debug, Insertable)]
#[diesel(table_name = article_authors)]
pub struct ArticleAuthorForm {
    pub article_id: i64,
    pub author_id: i64,
    pub position: i32,
}

/// Which published articles a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleFilter {
    /// Only this section (by id).
    pub section_id: Option<i64>,
    /// Only articles with this tag (by id).
    pub tag_id: Option<i64>,
    /// Only articles credited to this author.
    pub author_id: Option<i64>,
    /// Only this language.
    pub language: Option<String>,
}

/// Where a list page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Skip this many rows.
    Offset(i64),
    /// Start right after this item.
    After(Cursor),
}

type BoxedArticles<'a> = articles::BoxedQuery<'a, MultiBackend>;

/// Published articles matching `filter`. Boxed queries are cached as prepared
/// statements by their SQL, so each filter combination is parsed once per
/// connection; `IN (list of values)` never is (SQLite), hence none here.
fn published<'a>(filter: &'a ArticleFilter) -> BoxedArticles<'a> {
    let mut query = articles::table
        .filter(articles::status.eq(ArticleStatus::Published.as_str()))
        .filter(articles::published_at.is_not_null())
        .into_boxed();
    if let Some(section_id) = filter.section_id {
        query = query.filter(articles::section_id.eq(section_id));
    }
    if let Some(language) = &filter.language {
        query = query.filter(articles::language.eq(language));
    }
    if let Some(tag_id) = filter.tag_id {
        query = query.filter(
            articles::id.eq_any(
                article_tags::table
                    .filter(article_tags::tag_id.eq(tag_id))
                    .select(article_tags::article_id),
            ),
        );
    }
    if let Some(author_id) = filter.author_id {
        query = query.filter(
            articles::id.eq_any(
                article_authors::table
                    .filter(article_authors::author_id.eq(author_id))
                    .select(article_authors::article_id),
            ),
        );
    }
    query
}

/// The ids of one page, in order: walked on the covering index alone, so that
/// rows skipped by OFFSET cost an index step, not a row and a join.
fn page_ids<'a>(
    filter: &'a ArticleFilter,
    order: KeysetOrder,
    window: Window,
    limit: i64,
) -> diesel::dsl::Select<BoxedArticles<'a>, articles::id> {
    let mut query = published(filter);
    query = match order {
        KeysetOrder::Newest => query.order((articles::published_at.desc(), articles::id.desc())),
        KeysetOrder::Oldest => query.order((articles::published_at.asc(), articles::id.asc())),
    };
    match window {
        Window::Offset(offset) => query = query.offset(offset),
        Window::After(cursor) => {
            let (at, id) = (cursor.published_at, cursor.id);
            query = match order {
                KeysetOrder::Newest => query.filter(
                    articles::published_at
                        .lt(at)
                        .or(articles::published_at.eq(at).and(articles::id.lt(id))),
                ),
                KeysetOrder::Oldest => query.filter(
                    articles::published_at
                        .gt(at)
                        .or(articles::published_at.eq(at).and(articles::id.gt(id))),
                ),
            };
        }
    }
    query.limit(limit).select(articles::id)
}

/// A page of published articles with their counters; bodies only when asked.
/// The page's ids come from the covering index first; then its rows, by id.
pub fn list_published(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    order: KeysetOrder,
    window: Window,
    limit: i64,
    with_body: bool,
) -> QueryResult<Vec<ArticleRecord>> {
    // MultiConnection cannot render a boxed subquery, so the ids are loaded
    // first (a cached statement) and the rows by `IN (ids)`. Each order and
    // shape is spelt out; the macro keeps the four variants identical.
    let ids: Vec<i64> = page_ids(filter, order, window, limit).load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    macro_rules! load {
        ($ordering:expr) => {{
            let query = articles::table
                .left_join(article_stats::table)
                .filter(articles::id.eq_any(&ids))
                .order($ordering);
            if with_body {
                on_backend!(conn, c => query
                    .select((
                        ArticleHead::as_select(),
                        ArticleBody::as_select(),
                        Option::<StatsRow>::as_select(),
                    ))
                    .load::<(ArticleHead, ArticleBody, Option<StatsRow>)>(c))?
                    .into_iter()
                    .map(|(head, body, stats)| ArticleRecord {
                        head,
                        body: Some(body),
                        stats: stats.unwrap_or_default(),
                    })
                    .collect()
            } else {
                on_backend!(conn, c => query
                    .select((ArticleHead::as_select(), Option::<StatsRow>::as_select()))
                    .load::<(ArticleHead, Option<StatsRow>)>(c))?
                    .into_iter()
                    .map(|(head, stats)| ArticleRecord {
                        head,
                        body: None,
                        stats: stats.unwrap_or_default(),
                    })
                    .collect()
            }
        }};
    }
    Ok(match order {
        KeysetOrder::Newest => load!((articles::published_at.desc(), articles::id.desc())),
        KeysetOrder::Oldest => load!((articles::published_at.asc(), articles::id.asc())),
    })
}

/// How many published articles match.
pub fn count_published(conn: &mut DbConnection, filter: &ArticleFilter) -> QueryResult<i64> {
    published(filter).count().get_result(conn)
}

/// One published article by id or slug, with its body.
pub fn find_published(
    conn: &mut DbConnection,
    key: &ArticleKey,
) -> QueryResult<Option<ArticleRecord>> {
    macro_rules! published_where {
        ($key_filter:expr) => {
            articles::table
                .left_join(article_stats::table)
                .filter(articles::status.eq(ArticleStatus::Published.as_str()))
                .filter(articles::published_at.is_not_null())
                .filter($key_filter)
                .select((
                    ArticleHead::as_select(),
                    ArticleBody::as_select(),
                    Option::<StatsRow>::as_select(),
                ))
        };
    }
    // Both keys are unique, so no LIMIT (a bound LIMIT costs a re-prepare on
    // SQLite builds without QPSG).
    let row: Option<(ArticleHead, ArticleBody, Option<StatsRow>)> = match key {
        ArticleKey::Id(id) => on_backend!(conn, c => published_where!(articles::id.eq(*id))
            .get_result(c)
            .optional())?,
        ArticleKey::Slug(slug) => on_backend!(conn, c => published_where!(articles::slug.eq(slug))
            .get_result(c)
            .optional())?,
    };
    Ok(row.map(|(head, body, stats)| ArticleRecord {
        head,
        body: Some(body),
        stats: stats.unwrap_or_default(),
    }))
}

/// Inserts one article and returns its id.
pub fn insert(conn: &mut DbConnection, form: &ArticleInsertForm) -> QueryResult<i64> {
    diesel::insert_into(articles::table)
        .values(form)
        .returning(articles::id)
        .get_result(conn)
}

/// Inserts many articles in one statement and returns their ids in order.
pub fn insert_many(conn: &mut DbConnection, forms: &[ArticleInsertForm]) -> QueryResult<Vec<i64>> {
    if forms.is_empty() {
        return Ok(Vec::new());
    }
    // RETURNING order follows VALUES order on both backends for a plain INSERT.
    // Multi-row VALUES is per backend: MultiBackend has no batch insert.
    match conn {
        DbConnection::Postgres(pg) => diesel::insert_into(articles::table)
            .values(forms)
            .returning(articles::id)
            .get_results(pg),
        DbConnection::Sqlite(lite) => diesel::insert_into(articles::table)
            .values(forms)
            .returning(articles::id)
            .get_results(lite),
    }
}

/// Inserts counters rows.
pub fn insert_stats(conn: &mut DbConnection, forms: &[StatsInsertForm]) -> QueryResult<usize> {
    if forms.is_empty() {
        return Ok(0);
    }
    batch_execute!(conn, article_stats::table, forms)
}

/// Inserts tag links.
pub fn insert_tags(conn: &mut DbConnection, forms: &[ArticleTagForm]) -> QueryResult<usize> {
    if forms.is_empty() {
        return Ok(0);
    }
    batch_execute!(conn, article_tags::table, forms)
}

/// Inserts author credits.
pub fn insert_authors(conn: &mut DbConnection, forms: &[ArticleAuthorForm]) -> QueryResult<usize> {
    if forms.is_empty() {
        return Ok(0);
    }
    batch_execute!(conn, article_authors::table, forms)
}

/// Whether an article with this slug exists (any status).
pub fn slug_exists(conn: &mut DbConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        articles::table.filter(articles::slug.eq(slug)),
    ))
    .get_result(conn)
}

/// How many articles exist (any status).
pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
    articles::table.count().get_result(conn)
}

/// The largest article id, 0 when there are none.
pub fn max_id(conn: &mut DbConnection) -> QueryResult<i64> {
    articles::table
        .select(diesel::dsl::max(articles::id))
        .first::<Option<i64>>(conn)
        .map(|v| v.unwrap_or(0))
}
