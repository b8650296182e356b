//! Articles and their counters.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{article_authors, article_slugs, article_stats, article_tags, articles};
use crate::db::text::CheckedText;
use crate::db::time::{StoredOptTime, StoredTime};
use crate::db::DbConnection;
use crate::domain::article::{ArticleKey, ArticleStatus};
use crate::domain::cursor::{Cursor, KeysetOrder};
use crate::domain::search::SearchQuery;
use crate::repo::listing;
use crate::repo::sql::ArticleIdsIn;

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
    // The Arabic text of every list page: checked once (`db::text`).
    #[diesel(deserialize_as = CheckedText)]
    pub title: String,
    #[diesel(deserialize_as = CheckedText)]
    pub summary: String,
    pub language: String,
    pub dir: String,
    pub section_id: i64,
    #[diesel(deserialize_as = CheckedText)]
    pub byline: String,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub canonical_url: Option<String>,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub status: String,
    pub comments_open: bool,
    // Parsed without a format string on SQLite (`db::time`).
    #[diesel(deserialize_as = StoredOptTime)]
    pub published_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = StoredTime)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = StoredTime)]
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
    #[diesel(deserialize_as = CheckedText)]
    pub body_html: String,
    #[diesel(deserialize_as = CheckedText)]
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
    /// The edit counter (the ETag); 0 in lists, which do not read it.
    pub version: i64,
}

/// A new article. `None` is written as NULL (SQLite has no DEFAULT in
/// multi-row VALUES, so batches must not rely on column defaults). A new
/// field must also be listed in [`insert_many_indexed`] (PostgreSQL seeds).
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
    /// The newsroom's local day of `published_at` (`yyyymmdd`).
    pub published_day: Option<i32>,
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
    /// The article's publication time (tag pages are walked in its order).
    pub published_at: Option<NaiveDateTime>,
}

/// An author credit.
#[derive(Debug, Insertable)]
#[diesel(table_name = article_authors)]
pub struct ArticleAuthorForm {
    pub article_id: i64,
    pub author_id: i64,
    pub position: i32,
    /// The article's publication time (author pages are walked in its order).
    pub published_at: Option<NaiveDateTime>,
}

/// Which articles a list may show, by editorial state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Published with a publication time not after `now`: what the public sees.
    Public {
        /// The moment of the request.
        now: NaiveDateTime,
    },
    /// Published with a publication time after `now` (embargoed), for editors.
    Scheduled {
        /// The moment of the request.
        now: NaiveDateTime,
    },
    /// Drafts that are not deleted, for editors; listed by creation time.
    Draft,
}

impl Visibility {
    /// Whether lists are ordered (and cursors keyed) by creation time rather
    /// than publication time.
    pub fn by_creation(self) -> bool {
        matches!(self, Visibility::Draft)
    }
}

/// Which articles a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleFilter {
    /// Editorial state (the public sees `Public` only).
    pub visibility: Visibility,
    /// Only this section (by id).
    pub section_id: Option<i64>,
    /// Only articles with this tag (by id).
    pub tag_id: Option<i64>,
    /// Only articles credited to this author.
    pub author_id: Option<i64>,
    /// Only this language.
    pub language: Option<String>,
    /// Published at or after this instant (UTC).
    pub published_from: Option<NaiveDateTime>,
    /// Published before this instant (UTC, exclusive).
    pub published_until: Option<NaiveDateTime>,
    /// Only articles that match this search.
    pub search: Option<SearchQuery>,
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    /// By publication (or, for drafts, creation) time.
    Keyset(KeysetOrder),
    /// Best search match first (needs `search`), then newest.
    Relevance,
}

/// Where a list page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Skip this many rows.
    Offset(i64),
    /// Start right after this item.
    After(Cursor),
}

/// Which body columns a list page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    /// None: a plain list.
    None,
    /// The plain text only (`body_html` left empty): a search's snippets
    /// are cut from it. The HTML is as long again, and on both backends a
    /// long value is read from overflow (TOAST) pages.
    TextOnly,
    /// The HTML only (`body_text` left empty): feeds.
    HtmlOnly,
    /// Both, for `include=body`.
    Full,
}

/// A page of articles with their counters; bodies only when asked.
/// The page's ids come from the covering index first; then its rows, by id.
pub fn list_published(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    order: ListOrder,
    window: Window,
    limit: i64,
    bodies: Bodies,
) -> QueryResult<Vec<ArticleRecord>> {
    // The page's ids first (one cached statement that walks an index in the
    // list's order), then its rows by `IN (ids)`. Each order is spelt out;
    // the macro keeps the variants identical.
    let ids = listing::page_ids(conn, filter, order, window, limit)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let keyset = match order {
        ListOrder::Keyset(keyset) => keyset,
        ListOrder::Relevance => KeysetOrder::Newest,
    };
    // The page's order is the ids' order (a rank, or a search key that
    // orders by publication second then id): put the rows back in it.
    let mut rows = load_rows(conn, filter.visibility.by_creation(), keyset, &ids, bodies)?;
    in_order_of(&mut rows, &ids, |r| r.head.id);
    Ok(rows)
}

/// What a list item needs besides what only an edit changes: the keys of
/// its order and its counters. `updated_at` moves with every edit (of the
/// article or of its tag and author lists), so with the taxonomy it names
/// one rendering of the item.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleStamp {
    pub id: i64,
    #[diesel(deserialize_as = StoredOptTime)]
    pub published_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = StoredTime)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = StoredTime)]
    pub updated_at: NaiveDateTime,
}

/// A page of [`ArticleStamp`]s with their counters, in list order: the
/// same articles [`list_published`] returns, without their text.
pub fn list_stamps(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    order: ListOrder,
    window: Window,
    limit: i64,
) -> QueryResult<Vec<(ArticleStamp, StatsRow)>> {
    if let Some(rows) = listing::keyset_stamps(conn, filter, order, window, limit)? {
        return Ok(rows);
    }
    let ids = listing::page_ids(conn, filter, order, window, limit)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The selection's type depends on the backend.
    macro_rules! stamps {
        ($c:expr, $condition:expr) => {
            articles::table
                .left_join(article_stats::table)
                .filter($condition)
                .select((ArticleStamp::as_select(), Option::<StatsRow>::as_select()))
                .load::<(ArticleStamp, Option<StatsRow>)>($c)?
        };
    }
    let rows = match conn {
        DbConnection::Postgres(c) => stamps!(c, articles::id.eq_any(&ids)),
        DbConnection::Sqlite(c) => stamps!(c, ArticleIdsIn::new(&ids)),
    };
    let mut rows: Vec<(ArticleStamp, StatsRow)> = rows
        .into_iter()
        .map(|(stamp, stats)| (stamp, stats.unwrap_or_default()))
        .collect();
    in_order_of(&mut rows, &ids, |(stamp, _)| stamp.id);
    Ok(rows)
}

/// Puts rows in the order of `ids`.
fn in_order_of<T>(rows: &mut [T], ids: &[i64], id: impl Fn(&T) -> i64) {
    let position: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| position.get(&id(r)).copied().unwrap_or(usize::MAX));
}

/// These articles with `bodies`, in the order of `ids` (a ranking's page,
/// items not rendered yet); the caller has checked that they are visible.
pub fn rows_by_ids(
    conn: &mut DbConnection,
    ids: &[i64],
    bodies: Bodies,
) -> QueryResult<Vec<ArticleRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = load_rows(conn, false, KeysetOrder::Newest, ids, bodies)?;
    in_order_of(&mut rows, ids, |r| r.head.id);
    Ok(rows)
}

/// These articles with their bodies, in any state, in the order of `ids`
/// (the change feed decides what a partner may see).
pub fn full_rows_by_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<ArticleRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = load_rows(conn, false, KeysetOrder::MostViewed, ids, Bodies::Full)?;
    in_order_of(&mut rows, ids, |r| r.head.id);
    Ok(rows)
}

/// The rows of a page, by id, in list order.
fn load_rows(
    conn: &mut DbConnection,
    by_creation: bool,
    order: KeysetOrder,
    ids: &[i64],
    bodies: Bodies,
) -> QueryResult<Vec<ArticleRecord>> {
    // Diesel renders `eq_any` on SQLite as `IN (?, ?, …)` and never keeps that
    // statement, so every page parsed and planned it again (12% of an archive
    // page's CPU); `ArticleIdsIn` is kept. PostgreSQL's `= ANY($1)` is kept.
    macro_rules! select_and_load {
        ($c:expr, $query:expr) => {{
            match bodies {
                Bodies::Full => $query
                    .select((
                        ArticleHead::as_select(),
                        ArticleBody::as_select(),
                        Option::<StatsRow>::as_select(),
                    ))
                    .load::<(ArticleHead, ArticleBody, Option<StatsRow>)>($c)?
                    .into_iter()
                    .map(|(head, body, stats)| ArticleRecord {
                        head,
                        body: Some(body),
                        stats: stats.unwrap_or_default(),
                        version: 0,
                    })
                    .collect(),
                Bodies::TextOnly => $query
                    .select((
                        ArticleHead::as_select(),
                        articles::body_text,
                        Option::<StatsRow>::as_select(),
                    ))
                    .load::<(ArticleHead, CheckedText, Option<StatsRow>)>($c)?
                    .into_iter()
                    .map(|(head, body_text, stats)| ArticleRecord {
                        head,
                        body: Some(ArticleBody {
                            body_html: String::new(),
                            body_text: body_text.into(),
                        }),
                        stats: stats.unwrap_or_default(),
                        version: 0,
                    })
                    .collect(),
                Bodies::HtmlOnly => $query
                    .select((
                        ArticleHead::as_select(),
                        articles::body_html,
                        Option::<StatsRow>::as_select(),
                    ))
                    .load::<(ArticleHead, CheckedText, Option<StatsRow>)>($c)?
                    .into_iter()
                    .map(|(head, body_html, stats)| ArticleRecord {
                        head,
                        body: Some(ArticleBody {
                            body_html: body_html.into(),
                            body_text: String::new(),
                        }),
                        stats: stats.unwrap_or_default(),
                        version: 0,
                    })
                    .collect(),
                Bodies::None => $query
                    .select((ArticleHead::as_select(), Option::<StatsRow>::as_select()))
                    .load::<(ArticleHead, Option<StatsRow>)>($c)?
                    .into_iter()
                    .map(|(head, stats)| ArticleRecord {
                        head,
                        body: None,
                        stats: stats.unwrap_or_default(),
                        version: 0,
                    })
                    .collect(),
            }
        }};
    }
    macro_rules! load {
        ($ordering:expr) => {{
            let query = articles::table
                .left_join(article_stats::table)
                .order($ordering);
            match conn {
                DbConnection::Postgres(c) => {
                    select_and_load!(c, query.filter(articles::id.eq_any(ids)))
                }
                DbConnection::Sqlite(c) => {
                    select_and_load!(c, query.filter(ArticleIdsIn::new(ids)))
                }
            }
        }};
    }
    Ok(match (order, by_creation) {
        (KeysetOrder::Newest, false) => {
            load!((articles::published_at.desc(), articles::id.desc()))
        }
        (KeysetOrder::Oldest, false) => load!((articles::published_at.asc(), articles::id.asc())),
        (KeysetOrder::Newest, true) => load!((articles::created_at.desc(), articles::id.desc())),
        (KeysetOrder::Oldest, true) => load!((articles::created_at.asc(), articles::id.asc())),
        // Put back in the ids' order by the caller.
        (KeysetOrder::MostViewed, _) => load!(articles::id.desc()),
    })
}

/// How many articles match.
pub fn count_published(conn: &mut DbConnection, filter: &ArticleFilter) -> QueryResult<i64> {
    listing::count(conn, filter)
}

/// The columns of a whole article: head, body, counters (absent before the
/// first view or comment) and version. A macro, as the selection's type
/// depends on the backend it is run on.
macro_rules! whole_article_columns {
    () => {
        (
            ArticleHead::as_select(),
            ArticleBody::as_select(),
            Option::<StatsRow>::as_select(),
            articles::version,
        )
    };
}

/// One row of [`whole_article_columns`].
type WholeArticleRow = (ArticleHead, ArticleBody, Option<StatsRow>, i64);

impl From<WholeArticleRow> for ArticleRecord {
    fn from((head, body, stats, version): WholeArticleRow) -> Self {
        ArticleRecord {
            head,
            body: Some(body),
            stats: stats.unwrap_or_default(),
            version,
        }
    }
}

/// One article by id or slug, with its body and version: published and due
/// (`editor` false), or in any state but deleted (`editor` true).
pub fn find_article(
    conn: &mut DbConnection,
    key: &ArticleKey,
    now: NaiveDateTime,
    editor: bool,
) -> QueryResult<Option<ArticleRecord>> {
    macro_rules! article_where {
        ($key_filter:expr) => {
            articles::table
                .left_join(article_stats::table)
                .filter($key_filter)
                .select(whole_article_columns!())
        };
    }
    macro_rules! run {
        ($key_filter:expr) => {
            if editor {
                on_backend!(conn, c => article_where!($key_filter)
                    .filter(articles::deleted_at.is_null())
                    .get_result(c)
                    .optional())?
            } else {
                on_backend!(conn, c => article_where!($key_filter)
                    .filter(articles::status.eq(ArticleStatus::Published.as_str()))
                    .filter(articles::published_at.le(now))
                    .get_result(c)
                    .optional())?
            }
        };
    }
    // Both keys are unique, so no LIMIT (a bound LIMIT costs a re-prepare on
    // SQLite builds without QPSG).
    let row: Option<WholeArticleRow> = match key {
        ArticleKey::Id(id) => run!(articles::id.eq(*id)),
        ArticleKey::Slug(slug) => run!(articles::slug.eq(slug)),
    };
    Ok(row.map(ArticleRecord::from))
}

/// The published, due articles among `ids`, with bodies, counters and
/// versions, in no particular order (`api::article_batch`): what
/// `find_article` gives the public, for many ids in one statement.
pub fn published_by_ids(
    conn: &mut DbConnection,
    ids: &[i64],
    now: NaiveDateTime,
) -> QueryResult<Vec<ArticleRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<WholeArticleRow> = on_backend!(conn, c => articles::table
        .left_join(article_stats::table)
        .filter(articles::id.eq_any(ids))
        .filter(articles::status.eq(ArticleStatus::Published.as_str()))
        .filter(articles::published_at.le(now))
        .select(whole_article_columns!())
        .load(c))?;
    Ok(rows.into_iter().map(ArticleRecord::from).collect())
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

/// PostgreSQL bulk loads: inserts articles with their search columns
/// (`search_doc`, `search_head`: each form's pair of tsvector literals in
/// `vectors`) in the same rows, so a load writes each row once instead of
/// inserting it and then updating it (a million articles took 24x the time
/// of 100,000 that way). Ids in the order of `forms`.
pub fn insert_many_indexed(
    pg: &mut diesel::PgConnection,
    forms: &[ArticleInsertForm],
    vectors: &[(String, String)],
) -> QueryResult<Vec<i64>> {
    use crate::repo::sql::{RawSql, Value};
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    if forms.is_empty() {
        return Ok(Vec::new());
    }
    let text = |v: &str| Value::Text(v.to_string());
    let opt = |v: Option<&str>| Value::OptText(v.map(str::to_string));
    let mut sql = RawSql::new();
    sql.sql(
        "INSERT INTO articles (slug, title, summary, body_html, body_text, language, dir, \
         section_id, byline, source_name, source_url, canonical_url, image_url, image_caption, \
         status, comments_open, published_at, created_at, updated_at, tag_ids, author_ids, \
         published_day, search_doc, search_head) VALUES ",
    );
    for (i, (f, (doc, head))) in forms.iter().zip(vectors).enumerate() {
        let values = [
            text(f.slug),
            text(f.title),
            text(f.summary),
            text(f.body_html),
            text(f.body_text),
            text(f.language),
            text(f.dir),
            Value::BigInt(f.section_id),
            text(f.byline),
            opt(f.source_name),
            opt(f.source_url),
            opt(f.canonical_url),
            opt(f.image_url),
            opt(f.image_caption),
            text(f.status),
            Value::Bool(f.comments_open),
            Value::OptTimestamp(f.published_at),
            Value::Timestamp(f.created_at),
            Value::Timestamp(f.updated_at),
            text(f.tag_ids),
            text(f.author_ids),
            Value::OptInteger(f.published_day),
        ];
        sql.sql(if i == 0 { "(" } else { ", (" });
        for value in values {
            sql.bind(value).sql(", ");
        }
        sql.sql("CAST(")
            .bind(Value::Text(doc.clone()))
            .sql(" AS tsvector), CAST(")
            .bind(Value::Text(head.clone()))
            .sql(" AS tsvector))");
    }
    sql.sql(" RETURNING id");
    let ids: Vec<Id> = sql.load(pg)?;
    Ok(ids.into_iter().map(|r| r.id).collect())
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

/// Everything an editor can change, as stored, plus the version: the
/// article's head and body as every read selects them.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct EditRow {
    #[diesel(embed)]
    pub head: ArticleHead,
    #[diesel(embed)]
    pub body: ArticleBody,
    pub version: i64,
    /// The stored local day (what the archive calendar counted).
    pub published_day: Option<i32>,
}

/// The editable columns of an edit (the whole new state: an edit rewrites the
/// row once, with its version bumped).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
pub struct ArticleUpdateForm<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
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
    pub updated_at: NaiveDateTime,
    pub tag_ids: &'a str,
    pub author_ids: &'a str,
    pub body_html: &'a str,
    pub body_text: &'a str,
    pub version: i64,
    pub published_day: Option<i32>,
}

/// One article for editing (not deleted).
pub fn find_for_edit(conn: &mut DbConnection, id: i64) -> QueryResult<Option<EditRow>> {
    articles::table
        .filter(articles::id.eq(id))
        .filter(articles::deleted_at.is_null())
        .select(EditRow::as_select())
        .first(conn)
        .optional()
}

/// Writes an edit if the article is still at `expected_version`; returns
/// whether it was (one row) or someone else's edit came first (none).
pub fn update_if_version(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i64,
    form: &ArticleUpdateForm,
) -> QueryResult<bool> {
    diesel::update(
        articles::table
            .filter(articles::id.eq(id))
            .filter(articles::version.eq(expected_version))
            .filter(articles::deleted_at.is_null()),
    )
    .set(form)
    .execute(conn)
    .map(|n| n == 1)
}

/// Soft-deletes an article at `expected_version`: it becomes a deleted draft
/// (every public read filters on status), keeping its row and slug.
pub fn soft_delete_if_version(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        articles::table
            .filter(articles::id.eq(id))
            .filter(articles::version.eq(expected_version))
            .filter(articles::deleted_at.is_null()),
    )
    .set((
        articles::status.eq(ArticleStatus::Draft.as_str()),
        articles::deleted_at.eq(now),
        articles::updated_at.eq(now),
        articles::version.eq(expected_version + 1),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Replaces an article's tag links.
pub fn replace_tags(
    conn: &mut DbConnection,
    article_id: i64,
    tag_ids: &[i64],
    published_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article_id)))
        .execute(conn)?;
    let forms: Vec<ArticleTagForm> = tag_ids
        .iter()
        .map(|&tag_id| ArticleTagForm {
            article_id,
            tag_id,
            published_at,
        })
        .collect();
    insert_tags(conn, &forms).map(|_| ())
}

/// Replaces an article's author credits (in credit order).
pub fn replace_authors(
    conn: &mut DbConnection,
    article_id: i64,
    author_ids: &[i64],
    published_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(article_id)))
        .execute(conn)?;
    let forms: Vec<ArticleAuthorForm> = author_ids
        .iter()
        .enumerate()
        .map(|(position, &author_id)| ArticleAuthorForm {
            article_id,
            author_id,
            position: position as i32,
            published_at,
        })
        .collect();
    insert_authors(conn, &forms).map(|_| ())
}

/// The time an article's tag and author links carry: its publication time
/// while it is published (due or scheduled), else none. Public tag and
/// author pages then walk the link index alone, with no look-up of each
/// article's status (at 1,000,000 articles on PostgreSQL that look-up was
/// a random heap read per walked link). Deleted articles are drafts.
pub fn link_time(status: &str, published_at: Option<NaiveDateTime>) -> Option<NaiveDateTime> {
    (status == ArticleStatus::Published.as_str())
        .then_some(published_at)
        .flatten()
}

/// Copies a new link time (see [`link_time`]) onto the article's link rows.
pub fn set_link_times(
    conn: &mut DbConnection,
    article_id: i64,
    published_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(article_tags::table.filter(article_tags::article_id.eq(article_id)))
        .set(article_tags::published_at.eq(published_at))
        .execute(conn)?;
    diesel::update(article_authors::table.filter(article_authors::article_id.eq(article_id)))
        .set(article_authors::published_at.eq(published_at))
        .execute(conn)?;
    Ok(())
}

/// Whether a slug is taken: by an article now, or by one in the past.
pub fn slug_in_use(conn: &mut DbConnection, slug: &str) -> QueryResult<bool> {
    Ok(slug_exists(conn, slug)? || old_slug_owner(conn, slug)?.is_some())
}

/// Keeps a slug an article no longer uses, so that it redirects.
pub fn add_old_slug(
    conn: &mut DbConnection,
    slug: &str,
    article_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(article_slugs::table)
        .values((
            article_slugs::slug.eq(slug),
            article_slugs::article_id.eq(article_id),
            article_slugs::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The article that used to have this slug.
pub fn old_slug_owner(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<i64>> {
    article_slugs::table
        .filter(article_slugs::slug.eq(slug))
        .select(article_slugs::article_id)
        .first(conn)
        .optional()
}

/// Articles (any state) that carry a tag: their ids and tag lists.
pub fn tagged_with(conn: &mut DbConnection, tag_id: i64) -> QueryResult<Vec<(i64, String)>> {
    articles::table
        .filter(
            articles::id.eq_any(
                article_tags::table
                    .filter(article_tags::tag_id.eq(tag_id))
                    .select(article_tags::article_id),
            ),
        )
        .select((articles::id, articles::tag_ids))
        .load(conn)
}

/// Articles (any state) that credit an author: their ids and author lists.
pub fn credited_to(conn: &mut DbConnection, author_id: i64) -> QueryResult<Vec<(i64, String)>> {
    articles::table
        .filter(
            articles::id.eq_any(
                article_authors::table
                    .filter(article_authors::author_id.eq(author_id))
                    .select(article_authors::article_id),
            ),
        )
        .select((articles::id, articles::author_ids))
        .load(conn)
}

/// Rewrites an article's read-copy tag list after a tag went away; the
/// representation changed, so the version moves too.
pub fn set_tag_ids(
    conn: &mut DbConnection,
    id: i64,
    tag_ids: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(articles::table.find(id))
        .set((
            articles::tag_ids.eq(tag_ids),
            articles::version.eq(articles::version + 1),
            articles::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Rewrites an article's read-copy author list (see `set_tag_ids`).
pub fn set_author_ids(
    conn: &mut DbConnection,
    id: i64,
    author_ids: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(articles::table.find(id))
        .set((
            articles::author_ids.eq(author_ids),
            articles::version.eq(articles::version + 1),
            articles::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Articles (any state, deleted ones too: they keep the reference) in a section.
pub fn count_in_section(conn: &mut DbConnection, section_id: i64) -> QueryResult<i64> {
    articles::table
        .filter(articles::section_id.eq(section_id))
        .count()
        .get_result(conn)
}

/// Drops an old slug (its article takes it back).
pub fn forget_old_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<()> {
    diesel::delete(article_slugs::table.filter(article_slugs::slug.eq(slug)))
        .execute(conn)
        .map(|_| ())
}

/// Whether an article row exists (any state, deleted too).
pub fn exists(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        articles::table.filter(articles::id.eq(id)),
    ))
    .get_result(conn)
}

/// The versions of these articles (editors' lists show them; public lists
/// do not read the column, which SQLite keeps after the bodies).
pub fn versions(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::version))
        .load(conn)
}
