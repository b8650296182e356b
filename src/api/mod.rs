//! The HTTP layer: handlers, DTOs, extractors and middleware. Only this layer
//! knows HTTP.

pub mod article_batch;
pub mod auth;
pub mod cache;
pub mod client;
pub mod context;
pub mod cors;
pub mod feed_items;
pub mod gzip;
pub mod http_cache;
pub mod invalidation;
pub mod json;
pub mod list_items;
pub mod metrics;
pub mod middleware;
pub mod ops;
pub mod rate_limit;
pub mod routes;
pub mod v1;

use std::sync::Arc;

use crate::config::Settings;
use crate::db::Db;
use crate::service::taxonomy::TaxonomyCache;

/// Shared state of every handler.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Deployment settings.
    pub settings: Settings,
    /// Sections, tags and authors in memory.
    pub taxonomy: Arc<TaxonomyCache>,
    /// Recent whole answers of the article endpoints.
    pub responses: cache::ResponseCache,
    /// The published articles' order, for list pages without a round trip.
    pub list_index: Arc<crate::service::list_index::ListIndex>,
    /// List items rendered once per article edit.
    pub list_items: Arc<list_items::ListItems>,
    /// Feed items rendered once per article edit and format.
    pub feed_items: Arc<feed_items::FeedItems>,
    /// Flood control, in-flight idempotency keys and the comment policy.
    pub comments: crate::service::comments::CommentRuntime,
    /// View counts: buffered in memory, flushed in batches.
    pub views: Arc<crate::service::views::Views>,
    /// Rate limits per partner token and per anonymous reader.
    pub limits: Arc<rate_limit::RateLimits>,
    /// Tells other nodes of this node's writes (PostgreSQL; `None` otherwise).
    pub broadcast: Option<invalidation::Broadcaster>,
    /// Gathers public reads of articles by id into batches (PostgreSQL
    /// without replicas; `None` otherwise).
    pub article_batches: Option<article_batch::ArticleBatcher>,
}

impl AppState {
    /// After a write to one article: no answer showing it that was computed
    /// before is served again (nor any list, when `lists_too`).
    pub fn article_changed(&self, id: i64, lists_too: bool) {
        self.list_index.mark(id);
        self.responses.article_changed(id, lists_too);
        self.tell_other_nodes(invalidation::Change::Article {
            id,
            lists: lists_too,
        });
    }

    fn tell_other_nodes(&self, change: invalidation::Change) {
        if let Some(broadcast) = &self.broadcast {
            broadcast.send(change);
        }
    }

    /// After an editorial write: the view counter learns at once whether
    /// the article may be counted (other processes learn it within
    /// [`crate::service::views::CATCH_UP_EVERY`]). A failed read is only
    /// logged: the catch-up corrects it.
    pub async fn refresh_visibility(&self, id: i64) {
        self.tell_other_nodes(invalidation::Change::Visibility(id));
        match self
            .db
            .read(move |conn| crate::repo::views::counter_row(conn, id))
            .await
        {
            Ok(Some(row)) => self.views.set_visibility(id, row.visible_from()),
            Ok(None) => self.views.set_visibility(id, None),
            Err(e) => {
                tracing::warn!(error = %e, article = id, "views: reading an article's visibility failed")
            }
        }
    }

    /// After a new article: lists may show it, and its id, which may have
    /// been asked for before it existed, is no longer missing.
    pub fn article_created(&self, id: i64) {
        self.article_changed(id, true);
    }

    /// After a write to sections, tags or authors: names are reloaded and no
    /// answer computed before it is served again.
    pub fn taxonomy_changed(&self) {
        self.taxonomy.invalidate();
        self.responses.everything_changed();
        self.tell_other_nodes(invalidation::Change::Taxonomy);
    }
}
