//! The SQL behind list pages and searches: which index a page walks.
//!
//! Every filter walks an index in the list's order and stops after the page:
//! - no tag or author: `articles` by `(status, published_at, id)`, or
//!   `(section_id, status, published_at, id)` / `(language, …)`;
//! - a tag (or an author): its link rows by `(tag_id, published_at,
//!   article_id)`, each joined to its article by primary key; the other
//!   filters check that article;
//! - a search, SQLite: FTS5's matches in rowid order, the rowid being the
//!   article's search key (publication second, then id), each joined to its
//!   article; PostgreSQL: one of the walks above with each article checked
//!   against `search_doc`, or the GIN index's bitmap when the planner expects
//!   few matches;
//! - a search by relevance: the newest `RELEVANCE_WINDOW` matches (as
//!   above), ranked;
//! - most viewed first: `article_stats` by `(view_count, article_id)`, each
//!   joined to its article, which every filter checks.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Double, Nullable, Timestamp};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use crate::db::{BackendKind, DbConnection};
use crate::domain::cursor::{Cursor, KeysetOrder};
use crate::domain::search::{
    score_of, search_key, search_key_ceiling, search_key_floor, SearchQuery, KEY_ID_MASK,
    RELEVANCE_WINDOW,
};
use crate::repo::articles::{ArticleFilter, ArticleStamp, ListOrder, StatsRow, Visibility, Window};
use crate::repo::sql::{RawSql, Value};

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What the page's rows come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Driver {
    /// `articles a`.
    Articles,
    /// `article_tags l` joined to `articles a`.
    TagLinks,
    /// `article_authors l` joined to `articles a`.
    AuthorLinks,
    /// SQLite's `article_search` joined to `articles a` (searches, by key).
    SearchTable,
    /// `article_stats s` joined to `articles a` (most viewed first).
    Stats,
}

struct Shape {
    driver: Driver,
    /// The sort key column.
    key: &'static str,
    /// The id column.
    id: &'static str,
    /// The publication time column to filter on.
    published: &'static str,
}

impl Shape {
    fn of(kind: BackendKind, filter: &ArticleFilter, keyset: KeysetOrder) -> Shape {
        if keyset == KeysetOrder::MostViewed {
            return Shape {
                driver: Driver::Stats,
                key: "s.view_count",
                id: "s.article_id",
                published: "a.published_at",
            };
        }
        let by_creation = filter.visibility.by_creation();
        let driver = if kind == BackendKind::Sqlite && filter.search.is_some() && !by_creation {
            // FTS5 hands out matches in key (time) order and stops after the page.
            Driver::SearchTable
        } else if by_creation {
            // Drafts are few and listed by creation time: no link order helps.
            Driver::Articles
        } else if filter.tag_id.is_some() {
            Driver::TagLinks
        } else if filter.author_id.is_some() {
            Driver::AuthorLinks
        } else {
            Driver::Articles
        };
        let linked = matches!(driver, Driver::TagLinks | Driver::AuthorLinks);
        Shape {
            driver,
            key: match (by_creation, linked, driver) {
                (true, _, _) => "a.created_at",
                (false, _, Driver::SearchTable) => "article_search.rowid",
                (false, true, _) => "l.published_at",
                (false, false, _) => "a.published_at",
            },
            id: if linked { "l.article_id" } else { "a.id" },
            published: if linked {
                "l.published_at"
            } else {
                "a.published_at"
            },
        }
    }
}

/// A new statement for a page of `filter`: a PostgreSQL search is planned
/// with its words (see [`RawSql::plan_each_time`]).
fn statement_for(kind: BackendKind, filter: &ArticleFilter) -> RawSql {
    let mut sql = RawSql::new();
    if kind == BackendKind::Postgres && filter.search.is_some() {
        sql.plan_each_time();
    }
    sql
}

/// `FROM … WHERE …` for `filter`.
fn from_where(
    sql: &mut RawSql,
    kind: BackendKind,
    filter: &ArticleFilter,
    shape: &Shape,
    cursor: Option<&Cursor>,
) {
    let links_alone = links_suffice(filter, shape);
    match shape.driver {
        Driver::Articles => sql.sql(" FROM articles a"),
        Driver::Stats => sql.sql(" FROM article_stats s JOIN articles a ON a.id = s.article_id"),
        Driver::TagLinks if links_alone => sql.sql(" FROM article_tags l"),
        Driver::AuthorLinks if links_alone => sql.sql(" FROM article_authors l"),
        Driver::TagLinks => sql.sql(" FROM article_tags l JOIN articles a ON a.id = l.article_id"),
        Driver::AuthorLinks => {
            sql.sql(" FROM article_authors l JOIN articles a ON a.id = l.article_id")
        }
        Driver::SearchTable => sql.sql(&format!(
            " FROM article_search JOIN articles a ON a.id = (article_search.rowid & {KEY_ID_MASK})"
        )),
    };
    let mut first = true;
    let mut and = |sql: &mut RawSql| {
        sql.sql(if first { " WHERE " } else { " AND " });
        first = false;
    };
    match shape.driver {
        Driver::TagLinks => {
            and(sql);
            sql.sql("l.tag_id = ")
                .bind(Value::BigInt(filter.tag_id.unwrap_or_default()));
        }
        Driver::AuthorLinks => {
            and(sql);
            sql.sql("l.author_id = ")
                .bind(Value::BigInt(filter.author_id.unwrap_or_default()));
        }
        _ => {}
    }
    match filter.visibility {
        // Only published articles' links have a time (`repo::articles::
        // link_time`), and the time edges below ask for one.
        Visibility::Public { .. } if links_alone => {}
        Visibility::Public { .. } | Visibility::Scheduled { .. } => {
            and(sql);
            sql.sql("a.status = 'published'");
        }
        Visibility::Draft => {
            and(sql);
            sql.sql("a.status = 'draft' AND a.deleted_at IS NULL");
        }
    }
    // One lower and one upper edge on the time column, the tightest of
    // visibility, period and cursor: with bound parameters SQLite cannot
    // tell which of two upper bounds is lower, and walked the index from
    // `now` down to a deep cursor or an old month (221 req/s at 100k).
    let keyed_by_search = shape.driver == Driver::SearchTable;
    let (lower, upper) = time_edges(filter, if keyed_by_search { None } else { cursor });
    if let Some(edge) = lower {
        and(sql);
        sql.sql(shape.published)
            .sql(if edge.inclusive { " >= " } else { " > " })
            .bind(Value::Timestamp(edge.at));
    }
    if let Some(edge) = upper {
        and(sql);
        sql.sql(shape.published)
            .sql(if edge.inclusive { " <= " } else { " < " })
            .bind(Value::Timestamp(edge.at));
    }
    if keyed_by_search {
        // The key's time is the publication second: the exact conditions
        // above keep their precision, these let FTS5 skip. A cursor's key
        // is exact (second, id), so it is only a key bound.
        let (low, high) = key_range(filter, cursor);
        if let Some(low) = low {
            and(sql);
            sql.sql("article_search.rowid >= ").bind(Value::BigInt(low));
        }
        if let Some(high) = high {
            and(sql);
            sql.sql("article_search.rowid <= ")
                .bind(Value::BigInt(high));
        }
    }
    if let Some(section_id) = filter.section_id {
        and(sql);
        sql.sql("a.section_id = ").bind(Value::BigInt(section_id));
    }
    if let Some(language) = &filter.language {
        and(sql);
        sql.sql("a.language = ").bind(Value::Text(language.clone()));
    }
    if let (Some(tag_id), false) = (filter.tag_id, shape.driver == Driver::TagLinks) {
        and(sql);
        sql.sql("EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag_id = ")
            .bind(Value::BigInt(tag_id))
            .sql(")");
    }
    if let (Some(author_id), false) = (filter.author_id, shape.driver == Driver::AuthorLinks) {
        and(sql);
        sql.sql(
            "EXISTS (SELECT 1 FROM article_authors t WHERE t.article_id = a.id AND t.author_id = ",
        )
        .bind(Value::BigInt(author_id))
        .sql(")");
    }
    if let Some(search) = &filter.search {
        and(sql);
        match (kind, shape.driver) {
            (BackendKind::Postgres, _) => {
                sql.sql("a.search_doc @@ CAST(")
                    .bind(Value::Text(search.to_tsquery()))
                    .sql(" AS tsquery)");
            }
            (BackendKind::Sqlite, Driver::SearchTable) => fts_match(sql, search, "article_search"),
            (BackendKind::Sqlite, _) => {
                sql.sql(&format!(
                    "a.id IN (SELECT rowid & {KEY_ID_MASK} FROM article_search WHERE "
                ));
                fts_match(sql, search, "article_search");
                sql.sql(")");
            }
        }
    }
}

/// Whether a public page of one tag or author can be read from its link
/// rows alone: nothing else asked of the article, whose status the link's
/// time already tells.
fn links_suffice(filter: &ArticleFilter, shape: &Shape) -> bool {
    let other_link = match shape.driver {
        Driver::TagLinks => filter.author_id.is_some(),
        Driver::AuthorLinks => filter.tag_id.is_some(),
        _ => return false,
    };
    matches!(filter.visibility, Visibility::Public { .. })
        && !other_link
        && filter.section_id.is_none()
        && filter.language.is_none()
        && filter.search.is_none()
}

/// One end of a range of publication times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edge {
    at: NaiveDateTime,
    inclusive: bool,
}

impl Edge {
    fn including(at: NaiveDateTime) -> Self {
        Edge {
            at,
            inclusive: true,
        }
    }
    fn excluding(at: NaiveDateTime) -> Self {
        Edge {
            at,
            inclusive: false,
        }
    }
}

/// The tighter of two upper edges (at the same time, the exclusive one).
fn tighter_upper(a: Option<Edge>, b: Edge) -> Edge {
    match a {
        Some(a) if (a.at, a.inclusive) < (b.at, b.inclusive) => a,
        _ => b,
    }
}

/// The tighter of two lower edges (at the same time, the exclusive one).
fn tighter_lower(a: Option<Edge>, b: Edge) -> Edge {
    match a {
        Some(a) if (a.at, !a.inclusive) > (b.at, !b.inclusive) => a,
        _ => b,
    }
}

/// The publication times a filter and a cursor allow (the cursor's own
/// time included: there the id decides). Each edge is the tightest of the
/// visibility's `now`, the period and the cursor; the looser bounds are
/// implied by it and not sent. Drafts are keyed by creation time, so their
/// cursor does not bound publication times.
fn time_edges(filter: &ArticleFilter, cursor: Option<&Cursor>) -> (Option<Edge>, Option<Edge>) {
    let mut lower = filter.published_from.map(Edge::including);
    let mut upper = filter.published_until.map(Edge::excluding);
    match filter.visibility {
        Visibility::Public { now } => upper = Some(tighter_upper(upper, Edge::including(now))),
        Visibility::Scheduled { now } => lower = Some(tighter_lower(lower, Edge::excluding(now))),
        Visibility::Draft => {}
    }
    if let (Some(c), false) = (cursor, filter.visibility.by_creation()) {
        match c.order {
            KeysetOrder::Newest => {
                upper = Some(tighter_upper(upper, Edge::including(c.published_at)))
            }
            KeysetOrder::Oldest => {
                lower = Some(tighter_lower(lower, Edge::including(c.published_at)))
            }
            // Keyed by views: no bound on times.
            KeysetOrder::MostViewed => {}
        }
    }
    (lower, upper)
}

/// The search keys a filter's visibility, period and cursor allow, if bounded.
fn key_range(filter: &ArticleFilter, cursor: Option<&Cursor>) -> (Option<i64>, Option<i64>) {
    let (lower, upper) = time_edges(filter, None);
    let mut low = lower.map(|e| search_key_floor(e.at));
    let mut high = upper.map(|e| search_key_ceiling(e.at));
    if let Some(c) = cursor {
        let key = search_key(c.published_at, c.id);
        match c.order {
            KeysetOrder::Newest => high = Some(high.map_or(key - 1, |h| h.min(key - 1))),
            KeysetOrder::Oldest => low = Some(low.map_or(key + 1, |l| l.max(key + 1))),
            KeysetOrder::MostViewed => {}
        }
    }
    (low, high)
}

/// The FTS5 match and the phrase checks (FTS5 phrases cannot hold the
/// alternatives of a word; `khabar_phrase` checks them on the stored terms).
fn fts_match(sql: &mut RawSql, search: &SearchQuery, table: &str) {
    sql.sql(table)
        .sql(" MATCH ")
        .bind(Value::Text(search.to_fts5()));
    let columns = format!("{table}.title, {table}.summary, {table}.body, ");
    for spec in search.phrases() {
        sql.sql(" AND khabar_phrase(")
            .sql(&columns)
            .bind(Value::Text(spec))
            .sql(")");
    }
    for spec in search.excluded_phrases() {
        sql.sql(" AND NOT khabar_phrase(")
            .sql(&columns)
            .bind(Value::Text(spec))
            .sql(")");
    }
}

/// The ids of one page, in order. A ranked page ranks the
/// [`RELEVANCE_WINDOW`] newest matches; past them, matches follow newest
/// first.
pub fn page_ids(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    order: ListOrder,
    window: Window,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    match (order, window, &filter.search) {
        (ListOrder::Relevance, Window::Offset(offset), Some(search)) => {
            let ranked = ranked_window(conn, filter, search)?;
            let (start, end) = (offset.max(0) as usize, (offset + limit).max(0) as usize);
            let mut ids: Vec<i64> = ranked
                .iter()
                .skip(start)
                .take(end.saturating_sub(start))
                .map(|r| r.id)
                .collect();
            if end > ranked.len() && ranked.len() == RELEVANCE_WINDOW {
                let from = start.max(RELEVANCE_WINDOW);
                ids.extend(keyset_ids(
                    conn,
                    filter,
                    KeysetOrder::Newest,
                    Window::Offset(from as i64),
                    (end - from) as i64,
                )?);
            }
            Ok(ids)
        }
        (ListOrder::Keyset(keyset), _, _) => keyset_ids(conn, filter, keyset, window, limit),
        // A cursor is keyed by time, and relevance needs a search.
        (ListOrder::Relevance, _, _) => {
            keyset_ids(conn, filter, KeysetOrder::Newest, window, limit)
        }
    }
}

#[derive(QueryableByName)]
struct RankedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Double)]
    rank: f64,
    /// The SQLite search key (0 elsewhere).
    #[diesel(sql_type = BigInt)]
    key: i64,
}

#[derive(QueryableByName)]
struct WordHit {
    #[diesel(sql_type = BigInt)]
    key: i64,
    #[diesel(sql_type = BigInt)]
    word: i64,
    #[diesel(sql_type = BigInt)]
    in_title: i64,
}

/// SQLite: which of the window's rows have each ranked word in the title
/// and which in the summary, asked of the FTS5 index with column filters
/// over the window's key range, then scored as `domain::search::score_of`
/// (title 1, else summary 0.4, per word). Reading the title and summary
/// from FTS5's content instead fetched every row's processed body as well
/// (a third of a ranked page's time).
fn rank_by_index(
    conn: &mut DbConnection,
    search: &SearchQuery,
    rows: &mut [RankedRow],
) -> QueryResult<()> {
    let (Some(low), Some(high)) = (
        rows.iter().map(|r| r.key).min(),
        rows.iter().map(|r| r.key).max(),
    ) else {
        return Ok(());
    };
    let words = search.rank_words();
    let mut sql = RawSql::new();
    for (w, word) in words.iter().enumerate() {
        for (column, in_title) in [("title", 1), ("summary", 0)] {
            if w > 0 || in_title == 0 {
                sql.sql(" UNION ALL ");
            }
            sql.sql(&format!(
                "SELECT rowid AS key, {w} AS word, {in_title} AS in_title \
                 FROM article_search WHERE article_search MATCH "
            ))
            .bind(Value::Text(SearchQuery::fts5_in_column(column, word)))
            .sql(" AND rowid >= ")
            .bind(Value::BigInt(low))
            .sql(" AND rowid <= ")
            .bind(Value::BigInt(high));
        }
    }
    let hits: Vec<WordHit> = on_backend!(conn, c => sql.load(c))?;
    let mut found: HashMap<i64, (Vec<bool>, Vec<bool>)> = rows
        .iter()
        .map(|r| (r.key, (vec![false; words.len()], vec![false; words.len()])))
        .collect();
    for hit in hits {
        if let Some((title, summary)) = found.get_mut(&hit.key) {
            let field = if hit.in_title == 1 { title } else { summary };
            field[hit.word as usize] = true;
        }
    }
    for row in rows.iter_mut() {
        if let Some((title, summary)) = found.get(&row.key) {
            row.rank = score_of(title, summary);
        }
    }
    Ok(())
}

/// The newest [`RELEVANCE_WINDOW`] matches, best first (a stable sort, so
/// equal ranks stay newest first).
fn ranked_window(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    search: &SearchQuery,
) -> QueryResult<Vec<RankedRow>> {
    let kind = conn.kind();
    let shape = Shape::of(kind, filter, KeysetOrder::Newest);
    let mut sql = statement_for(kind, filter);
    sql.sql("SELECT ").sql(shape.id).sql(" AS id, ");
    let by_index = kind == BackendKind::Sqlite && shape.driver == Driver::SearchTable;
    match kind {
        // Scored as SQLite's (`domain::search::score_of`), from weighted
        // matches of the head: both backends order a page alike, at the
        // cost of `ts_rank`.
        BackendKind::Postgres => {
            let words = search.ts_rank_words();
            if words.is_empty() {
                sql.sql("CAST(0 AS DOUBLE PRECISION)");
            }
            for (i, (in_title, in_summary)) in words.into_iter().enumerate() {
                if i > 0 {
                    sql.sql(" + ");
                }
                sql.sql("CASE WHEN a.search_head @@ CAST(")
                    .bind(Value::Text(in_title))
                    .sql(" AS tsquery) THEN CAST(1 AS DOUBLE PRECISION) WHEN a.search_head @@ CAST(")
                    .bind(Value::Text(in_summary))
                    .sql(" AS tsquery) THEN CAST(0.4 AS DOUBLE PRECISION) ELSE CAST(0 AS DOUBLE PRECISION) END");
            }
        }
        // Ranked below from the index alone; drafts (no FTS5 driver) are
        // not ranked.
        BackendKind::Sqlite => {
            sql.sql("0.0");
        }
    }
    sql.sql(" AS rank, ")
        .sql(if by_index {
            "article_search.rowid"
        } else {
            "CAST(0 AS BIGINT)"
        })
        .sql(" AS key");
    from_where(&mut sql, kind, filter, &shape, None);
    order_by(&mut sql, &shape, KeysetOrder::Newest);
    limit_and_offset(&mut sql, Window::Offset(0), RELEVANCE_WINDOW as i64);
    let mut rows: Vec<RankedRow> = on_backend!(conn, c => sql.load(c))?;
    if by_index {
        rank_by_index(conn, search, &mut rows)?;
    }
    rows.sort_by(|a, b| b.rank.total_cmp(&a.rank));
    Ok(rows)
}

/// A page in time order (publication, or creation for drafts).
fn keyset_ids(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    keyset: KeysetOrder,
    window: Window,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let kind = conn.kind();
    let shape = Shape::of(kind, filter, keyset);
    let mut sql = statement_for(kind, filter);
    keyset_page(
        &mut sql,
        kind,
        filter,
        &shape,
        keyset,
        window,
        limit,
        Columns::Id,
    );
    let rows: Vec<IdRow> = on_backend!(conn, c => sql.load(c))?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// What a page's statement selects of each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Columns {
    /// `id`.
    Id,
    /// `id` and `k`, the sort key.
    IdKey,
    /// `id`, `k`, and the stamp's `c` (created) and `u` (updated): for a
    /// walk whose index carries them ([`walk_carries_stamps`]).
    Stamps,
}

impl Columns {
    /// The outer selection of a walk in a subquery `w`.
    fn outer(self) -> &'static str {
        match self {
            Columns::Id => "SELECT w.id",
            Columns::IdKey => "SELECT w.id, w.k",
            Columns::Stamps => "SELECT w.id, w.k, w.c, w.u",
        }
    }

    /// What follows `id` in the selection of a page read directly.
    fn selected(self, shape: &Shape) -> String {
        match self {
            Columns::Id => String::new(),
            Columns::IdKey | Columns::Stamps => self.walked(shape),
        }
    }

    /// What follows `id` in the selection of a walk in a subquery, which
    /// always has its key: the page is taken from it in that order.
    fn walked(self, shape: &Shape) -> String {
        match self {
            Columns::Id | Columns::IdKey => format!(", {} AS k", shape.key),
            Columns::Stamps => {
                format!(", {} AS k, a.created_at AS c, a.updated_at AS u", shape.key)
            }
        }
    }
}

/// `SELECT id [, k [, c, u]] FROM … WHERE …` of a page in time order: the
/// filter, the cursor's bound, the order and the window (see [`Columns`]).
/// A kept PostgreSQL statement spells its window as [`kept_window`] says.
#[allow(clippy::too_many_arguments)]
fn keyset_page(
    sql: &mut RawSql,
    kind: BackendKind,
    filter: &ArticleFilter,
    shape: &Shape,
    keyset: KeysetOrder,
    window: Window,
    limit: i64,
    columns: Columns,
) {
    let kept = if kind == BackendKind::Postgres && sql.is_kept() {
        kept_window(limit, window)
    } else {
        None
    };
    if let (Some(KeptWindow::Walk(walk)), Window::Offset(offset)) = (kept, window) {
        let dir = direction(keyset);
        // The walk in a subquery with a literal `LIMIT` (so PostgreSQL
        // guesses a tenth of it for the bound `OFFSET`), the page taken
        // from it in the same order, which the subquery already has.
        sql.sql(columns.outer())
            .sql(" FROM (SELECT ")
            .sql(shape.id)
            .sql(" AS id")
            .sql(&columns.walked(shape));
        from_where(sql, kind, filter, shape, None);
        order_by(sql, shape, keyset);
        // Numbers, not user text.
        sql.sql(&format!(
            " LIMIT {walk}) w ORDER BY w.k {dir}, w.id {dir} LIMIT {limit} OFFSET "
        ))
        .bind(Value::BigInt(offset));
        return;
    }
    sql.sql("SELECT ")
        .sql(shape.id)
        .sql(" AS id")
        .sql(&columns.selected(shape));
    let cursor = match window {
        Window::After(cursor) => Some(cursor),
        Window::Offset(_) => None,
    };
    from_where(sql, kind, filter, shape, cursor.as_ref());
    // The search key is exact (second, id): from_where bounded it. Other
    // drivers are bounded by the cursor's time; the id decides within it.
    if let (Some(cursor), false) = (cursor, shape.driver == Driver::SearchTable) {
        let cmp = match keyset {
            KeysetOrder::Newest | KeysetOrder::MostViewed => "<",
            KeysetOrder::Oldest => ">",
        };
        let key = if keyset == KeysetOrder::MostViewed {
            Value::BigInt(cursor.views)
        } else {
            Value::Timestamp(cursor.published_at)
        };
        // A row comparison, which both planners take as one range on the
        // index; spelled `a < x OR (a = x AND id < y)`, PostgreSQL guessed
        // a dozen rows and sorted a section's whole tail (40-80 ms at 1M).
        sql.sql(" AND (")
            .sql(shape.key)
            .sql(", ")
            .sql(shape.id)
            .sql(&format!(") {cmp} ("))
            .bind(key)
            .sql(", ")
            .bind(Value::BigInt(cursor.id))
            .sql(")");
    }
    order_by(sql, shape, keyset);
    if kept == Some(KeptWindow::Cursor) {
        // A number, not user text.
        sql.sql(&format!(" LIMIT {limit}"));
    } else {
        limit_and_offset(sql, window, limit);
    }
}

/// One list item's stamp and counters, read with its page.
#[derive(QueryableByName)]
struct StampRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    published_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    updated_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<BigInt>)]
    view_count: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    comment_count: Option<i64>,
}

impl From<StampRow> for (ArticleStamp, StatsRow) {
    fn from(row: StampRow) -> Self {
        (
            ArticleStamp {
                id: row.id,
                published_at: row.published_at,
                created_at: row.created_at,
                updated_at: row.updated_at,
            },
            StatsRow {
                view_count: row.view_count.unwrap_or(0),
                comment_count: row.comment_count.unwrap_or(0),
            },
        )
    }
}

/// PostgreSQL, a page in time order whose statement is kept (no search; a
/// cursor, or a page within the first [`KEPT_WALK`] rows at a common size,
/// see [`kept_window`]): its items' stamps and counters in one statement,
/// the page's ids walked in a subquery as [`keyset_ids`] walks them. `None`
/// for any other page, which reads its ids and then its stamps.
///
/// Measured at 100,000 articles: under `bench/list.lua` (pages 1–5, answer
/// cache off, list items kept) PostgreSQL's CPU per page fell 0.25–0.28 →
/// 0.22–0.25 ms and khabar's 0.25–0.29 → 0.21–0.24 ms (one round trip
/// less). Planned at every bind (a page past the kept ones), the joined
/// statement cost more than the two (`pgbench -M extended`: 0.99 against
/// 0.82 ms), so those pages keep two statements.
pub fn keyset_stamps(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    order: ListOrder,
    window: Window,
    limit: i64,
) -> QueryResult<Option<Vec<(ArticleStamp, StatsRow)>>> {
    let kind = conn.kind();
    let ListOrder::Keyset(keyset) = order else {
        return Ok(None);
    };
    let mut sql = statement_for(kind, filter);
    if kind != BackendKind::Postgres || !sql.is_kept() || kept_window(limit, window).is_none() {
        return Ok(None);
    }
    let shape = Shape::of(kind, filter, keyset);
    let dir = direction(keyset);
    // Where the walk's index carries the stamps (an index-only scan), only
    // the counters are joined; elsewhere each row is joined to its article.
    let (columns, select, join) = if walk_carries_stamps(filter, &shape) {
        (
            Columns::Stamps,
            "SELECT p.id, p.k AS published_at, p.c AS created_at, p.u AS updated_at, ",
            ") p LEFT JOIN article_stats s ON s.article_id = p.id ",
        )
    } else {
        (
            Columns::IdKey,
            "SELECT a.id, a.published_at, a.created_at, a.updated_at, ",
            ") p JOIN articles a ON a.id = p.id LEFT JOIN article_stats s ON s.article_id = a.id ",
        )
    };
    sql.sql(select).sql("s.view_count, s.comment_count FROM (");
    keyset_page(
        &mut sql, kind, filter, &shape, keyset, window, limit, columns,
    );
    sql.sql(join);
    // The subquery's order, by the same key and id: a join keeps none.
    sql.sql(&format!("ORDER BY p.k {dir}, p.id {dir}"));
    let rows: Vec<StampRow> = on_backend!(conn, c => sql.load(c))?;
    Ok(Some(rows.into_iter().map(Into::into).collect()))
}

/// Whether the index a PostgreSQL page walks carries each row's stamp
/// (`INCLUDE (created_at, updated_at)`, migration `2026-12-07-000001`): the
/// published articles by `(status, published_at, id)`, of all sections or
/// of one. Joining each row of such a page to its article again cost a
/// quarter of the statement (`pgbench`, pages 1–50 of 20 at 100,000
/// articles: 8,400–10,600 → 10,200–15,100 statements/s).
fn walk_carries_stamps(filter: &ArticleFilter, shape: &Shape) -> bool {
    shape.driver == Driver::Articles
        && !filter.visibility.by_creation()
        && filter.language.is_none()
        && filter.tag_id.is_none()
        && filter.author_id.is_none()
        && filter.search.is_none()
}

/// Page sizes whose pages a kept PostgreSQL statement spells out.
const KEPT_PAGE_SIZES: [i64; 5] = [10, 20, 25, 50, 100];
/// How deep (in rows) a page may end and still be read by a kept
/// PostgreSQL statement: page 204 at 20 a page, 40 at 100.
const KEPT_WALK: i64 = 4096;

/// How a kept PostgreSQL statement spells a page's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeptWindow {
    /// A cursor page: `LIMIT n`, a literal.
    Cursor,
    /// A page by number: the walk stops at this literal number of rows (a
    /// power of two at least the page's end), and the page is `LIMIT n`
    /// (a literal) `OFFSET $m` of it.
    Walk(i64),
}

/// How a page's window is spelled in a kept PostgreSQL statement, or
/// `None` when its `LIMIT` and `OFFSET` are bound (the statement is then
/// planned again at every bind).
///
/// PostgreSQL keeps a statement's generic plan only if it costs no more
/// than the plans made with the values; with `LIMIT $n` or `OFFSET $m` it
/// assumes a tenth of the rows, so a page walked from the start of a large
/// archive never qualified and was planned at every bind (pgbench, month
/// page ids: 8,300 → 14,100 statements/s with literals). Literal offsets
/// kept one statement per page, so only the first ten pages were kept. A
/// walk capped by a literal power of two makes that tenth a tenth of the
/// cap, never more than a page whose end falls in it skips, so the generic
/// plan wins; each page size needs one statement per power of two up to
/// [`KEPT_WALK`] (`limit` is a page size plus one), a bounded set per
/// connection.
fn kept_window(limit: i64, window: Window) -> Option<KeptWindow> {
    if !KEPT_PAGE_SIZES.contains(&(limit - 1)) {
        return None;
    }
    match window {
        Window::After(_) => Some(KeptWindow::Cursor),
        Window::Offset(offset) => {
            let end = offset
                .checked_add(limit)
                .filter(|end| (1..=KEPT_WALK).contains(end))?;
            (offset >= 0).then(|| KeptWindow::Walk((end as u64).next_power_of_two() as i64))
        }
    }
}

/// `DESC` or `ASC` for the order.
fn direction(keyset: KeysetOrder) -> &'static str {
    match keyset {
        KeysetOrder::Newest | KeysetOrder::MostViewed => "DESC",
        KeysetOrder::Oldest => "ASC",
    }
}

/// `ORDER BY` the shape's key and id.
fn order_by(sql: &mut RawSql, shape: &Shape, keyset: KeysetOrder) {
    let dir = direction(keyset);
    sql.sql(" ORDER BY ").sql(shape.key).sql(&format!(" {dir}"));
    if shape.driver != Driver::SearchTable {
        // The search key already ends with the id.
        sql.sql(", ").sql(shape.id).sql(&format!(" {dir}"));
    }
}

/// `LIMIT $n`, and `OFFSET $m` for a page number.
fn limit_and_offset(sql: &mut RawSql, window: Window, limit: i64) {
    sql.sql(" LIMIT ").bind(Value::BigInt(limit));
    if let Window::Offset(offset) = window {
        sql.sql(" OFFSET ").bind(Value::BigInt(offset));
    }
}

/// How many articles match `filter`.
pub fn count(conn: &mut DbConnection, filter: &ArticleFilter) -> QueryResult<i64> {
    let kind = conn.kind();
    let shape = Shape::of(kind, filter, KeysetOrder::Newest);
    let mut sql = statement_for(kind, filter);
    sql.sql("SELECT COUNT(*) AS n");
    from_where(&mut sql, kind, filter, &shape, None);
    let row: CountRow = on_backend!(conn, c => sql.get_result(c))?;
    Ok(row.n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::articles::Visibility;

    fn t(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn filter(visibility: Visibility) -> ArticleFilter {
        ArticleFilter {
            visibility,
            section_id: None,
            tag_id: None,
            author_id: None,
            language: None,
            published_from: None,
            published_until: None,
            search: None,
        }
    }

    fn public(now: &str) -> ArticleFilter {
        filter(Visibility::Public { now: t(now) })
    }

    fn cursor(order: KeysetOrder, at: &str) -> Cursor {
        Cursor {
            order,
            published_at: t(at),
            id: 7,
            views: 0,
        }
    }

    #[test]
    fn pages_at_common_sizes_within_the_kept_walk_are_kept() {
        use KeptWindow::{Cursor, Walk};
        // Pages of 20 (limit 21 finds out whether there is more): the walk
        // is the power of two at or past the page's end.
        assert_eq!(kept_window(21, Window::Offset(0)), Some(Walk(32)));
        assert_eq!(kept_window(21, Window::Offset(11)), Some(Walk(32)));
        assert_eq!(kept_window(21, Window::Offset(12)), Some(Walk(64)));
        assert_eq!(kept_window(21, Window::Offset(780)), Some(Walk(1024)));
        assert_eq!(
            kept_window(21, Window::Offset(30)),
            Some(Walk(64)),
            "not a page boundary"
        );
        assert_eq!(kept_window(101, Window::Offset(3995)), Some(Walk(4096)));
        assert_eq!(
            kept_window(101, Window::Offset(3996)),
            None,
            "past the kept walk"
        );
        assert_eq!(kept_window(21, Window::Offset(i64::MAX)), None);
        assert_eq!(
            kept_window(18, Window::Offset(17)),
            None,
            "an uncommon page size"
        );
        let at = cursor(KeysetOrder::Newest, "2020-01-01 00:00:00");
        assert_eq!(kept_window(11, Window::After(at)), Some(Cursor));
        assert_eq!(kept_window(8, Window::After(at)), None);
    }

    #[test]
    fn only_the_tightest_edges_are_sent() {
        let now = "2026-12-04 12:00:00";
        // No period, no cursor: published up to now.
        assert_eq!(
            time_edges(&public(now), None),
            (None, Some(Edge::including(t(now))))
        );
        // A deep cursor bounds the walk, not `now`.
        let deep = cursor(KeysetOrder::Newest, "2019-03-01 10:00:00");
        assert_eq!(
            time_edges(&public(now), Some(&deep)),
            (None, Some(Edge::including(t("2019-03-01 10:00:00"))))
        );
        // An old month: its end, not `now`; a cursor later than the month
        // does not widen it.
        let mut month = public(now);
        month.published_from = Some(t("2020-08-01 00:00:00"));
        month.published_until = Some(t("2020-09-01 00:00:00"));
        let later = cursor(KeysetOrder::Newest, "2021-01-01 00:00:00");
        assert_eq!(
            time_edges(&month, Some(&later)),
            (
                Some(Edge::including(t("2020-08-01 00:00:00"))),
                Some(Edge::excluding(t("2020-09-01 00:00:00")))
            )
        );
        // Oldest first: the cursor is a lower edge.
        let old = cursor(KeysetOrder::Oldest, "2020-08-15 00:00:00");
        assert_eq!(
            time_edges(&month, Some(&old)).0,
            Some(Edge::including(t("2020-08-15 00:00:00")))
        );
        // At the same time, the exclusive edge is the tighter one.
        let mut until_now = public(now);
        until_now.published_until = Some(t(now));
        assert_eq!(
            time_edges(&until_now, None).1,
            Some(Edge::excluding(t(now)))
        );
        // Scheduled: strictly after now, or after the period's start.
        let scheduled = filter(Visibility::Scheduled { now: t(now) });
        assert_eq!(
            time_edges(&scheduled, None).0,
            Some(Edge::excluding(t(now)))
        );
        // Drafts are keyed by creation time: a cursor bounds nothing here.
        let drafts = filter(Visibility::Draft);
        assert_eq!(time_edges(&drafts, Some(&deep)), (None, None));
    }

    #[test]
    fn a_search_cursor_is_an_exact_key_bound() {
        let now = "2026-12-04 12:00:00";
        let c = cursor(KeysetOrder::Newest, "2019-03-01 10:00:00");
        let (low, high) = key_range(&public(now), Some(&c));
        assert_eq!(low, None);
        assert_eq!(high, Some(search_key(c.published_at, c.id) - 1));
        let c = cursor(KeysetOrder::Oldest, "2019-03-01 10:00:00");
        let (low, high) = key_range(&public(now), Some(&c));
        assert_eq!(low, Some(search_key(c.published_at, c.id) + 1));
        assert_eq!(high, Some(search_key_ceiling(t(now))));
    }
}
