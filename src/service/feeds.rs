//! Syndication feeds: the latest published articles, bodies included, newest
//! first, narrowed by the filters of the article list.

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::domain::article::EditorialStatus;
use crate::domain::cursor::KeysetOrder;
use crate::domain::search::SearchQuery;
use crate::service::articles::{self, ArticleView, ListFilter, ListRequest, Position};
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

/// The items of a feed.
#[derive(Debug, Clone)]
pub struct FeedItems {
    /// Published articles with their bodies, newest first.
    pub items: Vec<ArticleView>,
    /// The latest change of any item ([`changed_at`]); `None` when empty.
    pub updated: Option<NaiveDateTime>,
}

/// When an article last changed as a reader sees it: its last edit, or its
/// publication when that came later (a scheduled article becomes public
/// after its last edit).
pub fn changed_at(view: &ArticleView) -> NaiveDateTime {
    let published = view.article.published_at.unwrap_or(view.article.created_at);
    published.max(view.article.updated_at)
}

/// The latest `limit` published articles matching `request` at `now`,
/// newest first, with their bodies. An unknown section or tag matches
/// nothing, as in the article list.
pub fn latest(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    request: &FeedRequest,
    now: NaiveDateTime,
) -> Result<FeedItems, ServiceError> {
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
        with_body: true,
        with_body_text: false,
        with_version: false,
    };
    let mut page = articles::list_articles(conn, cache, &list, now)?;
    for item in &mut page.items {
        // A search's snippet belongs to the article list, not to a feed.
        item.highlight = None;
    }
    let updated = page.items.iter().map(changed_at).max();
    Ok(FeedItems {
        items: page.items,
        updated,
    })
}
