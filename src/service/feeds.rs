//! Syndication feeds: which published articles a feed shows, newest first,
//! narrowed by the filters of the article list (the API layer reads the
//! bodies of those it has not rendered yet).

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::domain::article::EditorialStatus;
use crate::domain::cursor::KeysetOrder;
use crate::domain::search::SearchQuery;
use crate::repo::articles::ArticleStamp;
use crate::service::articles::{self, ListFilter, ListRequest, Position};
use crate::service::taxonomy::TaxonomyCache;
use crate::service::ServiceError;

/// Which articles a feed shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedRequest {
    /// Section slug.
    pub section: Option<String>,
    /// Tag slug.
    pub tag: Option<String>,
    /// Author id.
    pub author: Option<i64>,
    /// Only articles matching this search (still newest first).
    pub search: Option<SearchQuery>,
    /// Most items.
    pub limit: u32,
}

/// When an article last changed as a reader sees it: its last edit, or its
/// publication when that came later (a scheduled article becomes public
/// after its last edit).
pub fn changed_at(
    published_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
) -> NaiveDateTime {
    published_at.unwrap_or(created_at).max(updated_at)
}

/// The latest `limit` published articles matching `request` at `now`,
/// newest first, as stamps (their text is read by [`articles::views_with_html_by_ids`]
/// for the items not rendered yet). An unknown section or tag matches
/// nothing, as in the article list.
pub fn latest(
    conn: &mut DbConnection,
    taxonomy: &TaxonomyCache,
    request: &FeedRequest,
    now: NaiveDateTime,
) -> Result<Vec<ArticleStamp>, ServiceError> {
    let list = ListRequest {
        filter: ListFilter {
            section: request.section.clone(),
            tag: request.tag.clone(),
            author: request.author,
            language: None,
            status: EditorialStatus::Published,
            from: None,
            until: None,
            search: request.search.clone(),
        },
        // Chronological even with a search: a feed reader shows what is new.
        order: KeysetOrder::Newest,
        relevance: false,
        position: Position::Page(1),
        per_page: request.limit,
        include_total: false,
        with_body: false,
        with_body_text: false,
        with_version: false,
    };
    let page = articles::list_stamps(conn, taxonomy, &list, now)?;
    Ok(page.items.into_iter().map(|(stamp, _)| stamp).collect())
}
