//! What the in-memory list index (`service::list_index`) holds of each
//! article: its place in public lists, its last edit and its comment count.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{article_stats, articles};
use crate::db::DbConnection;

/// One article as the list index sees it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct IndexRow {
    /// Article id.
    pub id: i64,
    /// `published` or `draft`.
    pub status: String,
    /// Publication time (UTC); in the future while scheduled.
    pub published_at: Option<NaiveDateTime>,
    /// When it was deleted, if it was.
    pub deleted_at: Option<NaiveDateTime>,
    /// Its section.
    pub section_id: i64,
    /// Its creation.
    pub created_at: NaiveDateTime,
    /// Its last edit (what rendered list items are keyed by).
    pub updated_at: NaiveDateTime,
    /// The stored comment count (None without a counters row).
    pub comment_count: Option<i64>,
}

impl IndexRow {
    /// From when public lists show the article (None: never, as it is).
    pub fn listed_from(&self) -> Option<NaiveDateTime> {
        (self.status == "published" && self.deleted_at.is_none())
            .then_some(self.published_at)
            .flatten()
    }
}

type IndexColumns = (
    articles::id,
    articles::status,
    articles::published_at,
    articles::deleted_at,
    articles::section_id,
    articles::created_at,
    articles::updated_at,
    diesel::dsl::Nullable<article_stats::comment_count>,
);

fn index_columns() -> IndexColumns {
    (
        articles::id,
        articles::status,
        articles::published_at,
        articles::deleted_at,
        articles::section_id,
        articles::created_at,
        articles::updated_at,
        article_stats::comment_count.nullable(),
    )
}

/// Articles (any state) with ids above `after`, in id order, at most
/// `limit`: the index is loaded a chunk at a time, so that loading a large
/// archive does not hold it all twice (as the view counter loads).
pub fn rows_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<IndexRow>> {
    articles::table
        .left_join(article_stats::table)
        .filter(articles::id.gt(after))
        .order(articles::id)
        .limit(limit)
        .select(index_columns())
        .load(conn)
}

/// These articles (any state); ids without a row are left out.
pub fn rows_by_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<IndexRow>> {
    articles::table
        .left_join(article_stats::table)
        .filter(articles::id.eq_any(ids))
        .select(index_columns())
        .load(conn)
}
