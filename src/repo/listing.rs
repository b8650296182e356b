//! The SQL behind list pages and searches: which index a page walks.
//!
//! Every filter walks an index in the list's order and stops after the page:
//! - no tag or author: `articles` by `(status, published_at, id)`, or
//!   `(section_id, status, published_at, id)` / `(language, …)`;
//! - a tag (or an author): its link rows by `(tag_id, published_at,
//!   article_id)`, each joined to its article by primary key; the other
//!   filters check that article;
//! - a search sorted by time: one of the walks above, each article checked
//!   against the search index (PostgreSQL: the GIN index's bitmap when the
//!   planner prefers it);
//! - a search by relevance: the search index's matches, ranked (every match
//!   is ranked, which is what relevance means).

use diesel::sql_types::BigInt;
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use crate::db::{BackendKind, DbConnection};
use crate::domain::cursor::KeysetOrder;
use crate::domain::search::SearchQuery;
use crate::repo::articles::{ArticleFilter, ListOrder, Visibility, Window};
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
    /// SQLite's `article_search` joined to `articles a` (ranked searches).
    SearchTable,
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
    fn of(kind: BackendKind, filter: &ArticleFilter, ranked: bool) -> Shape {
        let by_creation = filter.visibility.by_creation();
        let driver = if ranked {
            match kind {
                BackendKind::Sqlite => Driver::SearchTable,
                BackendKind::Postgres => Driver::Articles,
            }
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
            key: match (by_creation, linked) {
                (true, _) => "a.created_at",
                (false, true) => "l.published_at",
                (false, false) => "a.published_at",
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

/// `FROM … WHERE …` for `filter`.
fn from_where(sql: &mut RawSql, kind: BackendKind, filter: &ArticleFilter, shape: &Shape) {
    match shape.driver {
        Driver::Articles => sql.sql(" FROM articles a"),
        Driver::TagLinks => sql.sql(" FROM article_tags l JOIN articles a ON a.id = l.article_id"),
        Driver::AuthorLinks => {
            sql.sql(" FROM article_authors l JOIN articles a ON a.id = l.article_id")
        }
        Driver::SearchTable => {
            sql.sql(" FROM article_search JOIN articles a ON a.id = article_search.rowid")
        }
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
        Visibility::Public { now } => {
            and(sql);
            sql.sql("a.status = 'published'");
            and(sql);
            sql.sql(shape.published)
                .sql(" <= ")
                .bind(Value::Timestamp(now));
        }
        Visibility::Scheduled { now } => {
            and(sql);
            sql.sql("a.status = 'published'");
            and(sql);
            sql.sql(shape.published)
                .sql(" > ")
                .bind(Value::Timestamp(now));
        }
        Visibility::Draft => {
            and(sql);
            sql.sql("a.status = 'draft' AND a.deleted_at IS NULL");
        }
    }
    if let Some(from) = filter.published_from {
        and(sql);
        sql.sql(shape.published)
            .sql(" >= ")
            .bind(Value::Timestamp(from));
    }
    if let Some(until) = filter.published_until {
        and(sql);
        sql.sql(shape.published)
            .sql(" < ")
            .bind(Value::Timestamp(until));
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
                sql.sql("a.id IN (SELECT rowid FROM article_search WHERE ");
                fts_match(sql, search, "article_search");
                sql.sql(")");
            }
        }
    }
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

/// The ids of one page, in order.
pub fn page_ids(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    order: ListOrder,
    window: Window,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let kind = conn.kind();
    let (ranked, keyset) = match (order, window, &filter.search) {
        (ListOrder::Relevance, Window::Offset(_), Some(_)) => (true, KeysetOrder::Newest),
        (ListOrder::Keyset(keyset), _, _) => (false, keyset),
        // A cursor is keyed by time, and relevance needs a search.
        (ListOrder::Relevance, _, _) => (false, KeysetOrder::Newest),
    };
    let shape = Shape::of(kind, filter, ranked);
    let mut sql = RawSql::new();
    sql.sql("SELECT ").sql(shape.id).sql(" AS id");
    from_where(&mut sql, kind, filter, &shape);
    let (cmp, dir) = match keyset {
        KeysetOrder::Newest => ("<", "DESC"),
        KeysetOrder::Oldest => (">", "ASC"),
    };
    if let Window::After(cursor) = window {
        sql.sql(" AND (")
            .sql(shape.key)
            .sql(&format!(" {cmp} "))
            .bind(Value::Timestamp(cursor.published_at))
            .sql(" OR (")
            .sql(shape.key)
            .sql(" = ")
            .bind(Value::Timestamp(cursor.published_at))
            .sql(" AND ")
            .sql(shape.id)
            .sql(&format!(" {cmp} "))
            .bind(Value::BigInt(cursor.id))
            .sql("))");
    }
    sql.sql(" ORDER BY ");
    if ranked {
        match kind {
            BackendKind::Postgres => {
                let query = filter.search.as_ref().map(SearchQuery::to_tsquery);
                sql.sql("ts_rank(a.search_head, CAST(")
                    .bind(Value::Text(query.unwrap_or_default()))
                    .sql(" AS tsquery)) DESC, ");
            }
            // Title over summary over body-only (which tie, newest first),
            // as PostgreSQL's ranking of title and summary does.
            BackendKind::Sqlite => {
                let spec = filter.search.as_ref().map(SearchQuery::rank_spec);
                sql.sql("khabar_rank(article_search.title, article_search.summary, ")
                    .bind(Value::Text(spec.unwrap_or_default()))
                    .sql(") DESC, ");
            }
        }
    }
    sql.sql(shape.key)
        .sql(&format!(" {dir}, "))
        .sql(shape.id)
        .sql(&format!(" {dir}"));
    sql.sql(" LIMIT ").bind(Value::BigInt(limit));
    if let Window::Offset(offset) = window {
        sql.sql(" OFFSET ").bind(Value::BigInt(offset));
    }
    let rows: Vec<IdRow> = on_backend!(conn, c => sql.load(c))?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// How many articles match `filter`.
pub fn count(conn: &mut DbConnection, filter: &ArticleFilter) -> QueryResult<i64> {
    let kind = conn.kind();
    let shape = Shape::of(kind, filter, false);
    let mut sql = RawSql::new();
    sql.sql("SELECT COUNT(*) AS n");
    from_where(&mut sql, kind, filter, &shape);
    let row: CountRow = on_backend!(conn, c => sql.get_result(c))?;
    Ok(row.n)
}
