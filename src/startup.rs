//! Builds the app and the server; `main` and the tests share this.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServiceFactory, ServiceRequest};
use actix_web::{middleware, web, App, HttpServer};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::cache::ResponseCache;
use crate::api::routes::{self, RouteTable};
use crate::api::{ops, v1, AppState};
use crate::config::Settings;
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::openapi::ApiDoc;
use crate::service::taxonomy::TaxonomyCache;
use crate::service::views::Views;

/// How long a taxonomy snapshot serves before it is reloaded (names edited
/// directly in the database show up within this time).
const TAXONOMY_MAX_AGE: Duration = Duration::from_secs(60);
/// Batches of public article reads running at once on PostgreSQL (each
/// holds a pooled connection while it runs).
const BATCHES_AT_ONCE: usize = 4;

/// Largest request body (an article with a long body fits many times over).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Registers every documented route on `app`; returns the app and the spec.
pub fn routes_and_openapi<T>(app: App<T>) -> (App<T>, utoipa::openapi::OpenApi)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(ops::healthz)
        .service(ops::readyz)
        .service(crate::api::metrics::metrics_endpoint)
        .service(utoipa_actix_web::scope("/api/v1").configure(v1::configure))
        .split_for_parts()
}

/// Forgets expired idempotency keys now and every hour (on the current
/// Tokio runtime; nothing when there is none, as in the CLI).
fn spawn_key_pruning(db: Db, ttl: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            let before = crate::service::now()
                - chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(24));
            match db
                .write(move |conn| crate::service::comments::prune_keys(conn, before))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "pruned expired idempotency keys"),
                Err(e) => tracing::warn!(error = %e, "pruning idempotency keys failed"),
            }
        }
    });
}

/// How often the list index reads the change log (writes of other
/// processes) and, when it has to, reloads itself whole.
const LIST_INDEX_KEEP_EVERY: Duration = Duration::from_secs(1);

/// Keeps the list index, off the request path, until it is dropped: every
/// second it marks the articles the change log names since it last looked
/// (any process's editorial writes and bulk loads: `khabar seed`, another
/// node without notifications), and reloads it whole when it was marked so
/// (a load that failed, a reconnected listener, a bulk load); pages read
/// the database meanwhile.
fn spawn_list_index_keeper(index: std::sync::Weak<crate::service::list_index::ListIndex>, db: Db) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut every = tokio::time::interval(LIST_INDEX_KEEP_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let Some(index) = index.upgrade() else { return };
            let following = index.clone();
            if let Err(e) = db.write(move |conn| following.follow_changes(conn)).await {
                tracing::warn!(error = %e, "list index: reading the change log failed");
            }
            if !index.needs_reload() {
                continue;
            }
            let started = std::time::Instant::now();
            let reloading = index.clone();
            match db.write(move |conn| reloading.refresh(conn)).await {
                Ok(()) => {
                    let (articles, bytes) = index.size();
                    tracing::info!(
                        articles,
                        bytes,
                        ms = started.elapsed().as_millis() as u64,
                        "list index reloaded"
                    );
                }
                Err(e) => tracing::warn!(error = %e, "list index: reloading failed"),
            }
        }
    });
}

/// How often the server looks for tables whose planner statistics went
/// stale (see [`crate::repo::maintenance::refresh_stale_statistics`]).
const STATISTICS_EVERY: Duration = Duration::from_secs(60);

/// Keeps the planner's statistics fresh while the server runs (on the
/// current Tokio runtime; nothing when there is none, as in the CLI).
fn spawn_statistics_keeper(db: Db) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut every = tokio::time::interval(STATISTICS_EVERY);
        every.tick().await; // the first tick is immediate; start after one period
        loop {
            every.tick().await;
            match db
                .write(crate::repo::maintenance::refresh_stale_statistics)
                .await
            {
                Ok(tables) if tables.is_empty() => {}
                Ok(tables) => tracing::info!(?tables, "refreshed planner statistics"),
                Err(e) => tracing::warn!(error = %e, "refreshing planner statistics failed"),
            }
        }
    });
}

/// Forgets rate-limited clients whose budget is whole again, every window.
fn spawn_idle_client_pruning(limits: Arc<crate::api::rate_limit::RateLimits>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut every = tokio::time::interval(crate::api::rate_limit::WINDOW);
        loop {
            every.tick().await;
            limits.forget_idle();
        }
    });
}

/// How often scheduled articles that have become public are logged for the
/// change feed (the most a partner waits past an embargo).
const DUE_CHANGES_EVERY: Duration = Duration::from_secs(1);

/// Logs scheduled articles for the change feed as they become public.
fn spawn_due_change_logger(db: Db) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut every = tokio::time::interval(DUE_CHANGES_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let now = crate::service::now();
            match db
                .write(move |conn| crate::service::changes::log_due_articles(conn, now))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    articles = n,
                    "change feed: scheduled articles became public"
                ),
                Err(e) => tracing::warn!(error = %e, "change feed: logging due articles failed"),
            }
        }
    });
}

/// A bound, not yet running, HTTP server.
pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    views: Arc<Views>,
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Worker threads (default: one per core).
    pub workers: Option<usize>,
    /// Whether SIGINT/SIGTERM stop the server gracefully (off in tests).
    pub handle_signals: bool,
}

impl Application {
    /// Binds `bind` (port 0 picks a free port) and builds the server.
    pub fn build(
        db: Db,
        settings: Settings,
        bind: &str,
        options: ServerOptions,
    ) -> std::io::Result<Self> {
        // Local days of articles written before they were stored, or in
        // another time zone, are made true before the first request.
        let zone = settings.timezone;
        let synced = db
            .run_blocking(|conn| crate::service::archive::sync_local_days(conn, zone))
            .map_err(std::io::Error::other)?
            .map_err(|e| std::io::Error::other(format!("local days: {e}")))?;
        if synced > 0 {
            tracing::info!(rows = synced, timezone = %zone, "stored the newsroom's local day of articles");
        }
        // Articles written before search existed, or indexed by another
        // version of the text pipeline, are indexed before the first request.
        let indexed = db
            .run_blocking(crate::service::search::sync_index)
            .map_err(std::io::Error::other)?
            .map_err(|e| std::io::Error::other(format!("search index: {e}")))?;
        if indexed > 0 {
            tracing::info!(articles = indexed, "indexed articles for search");
        }
        let ip_salt = db
            .run_blocking(|conn| {
                crate::service::comments::ip_salt(conn, settings.comments.ip_salt.as_deref())
            })
            .map_err(std::io::Error::other)?
            .map_err(|e| std::io::Error::other(format!("comment salt: {e}")))?;
        let comments = crate::service::comments::CommentRuntime::new(&settings.comments, ip_salt);
        // Statistics missing since the last load (a table that was empty
        // then, such as the settings written just above) are taken now, not
        // on the keeper's first tick: on SQLite, new statistics written
        // while reads run stalled those reads for ~120 ms at a million
        // articles (every read in flight, a p99 spike a minute after start).
        let refreshed = db
            .run_blocking(crate::repo::maintenance::refresh_stale_statistics)
            .map_err(std::io::Error::other)?
            .map_err(|e| std::io::Error::other(format!("planner statistics: {e}")))?;
        if !refreshed.is_empty() {
            tracing::info!(tables = ?refreshed, "refreshed planner statistics");
        }
        spawn_key_pruning(db.clone(), settings.comments.idempotency_ttl);
        spawn_statistics_keeper(db.clone());
        spawn_due_change_logger(db.clone());
        // Which articles may be counted, and their stored counts: the view
        // beacon then reads nothing.
        let views = Arc::new(Views::new(settings.views.clone(), settings.timezone));
        views
            .load_stored(&db, crate::service::views::COUNTERS_PER_READ)
            .map_err(|e| std::io::Error::other(format!("view counters: {e}")))?;
        let listener = TcpListener::bind(bind)?;
        let port = listener.local_addr()?.port();
        let limits = Arc::new(crate::api::rate_limit::RateLimits::new(
            settings.rate_limit_partner,
            settings.rate_limit_anonymous,
        ));
        spawn_idle_client_pruning(limits.clone());
        crate::api::metrics::spawn_upkeep();
        let spec = crate::openapi::document();
        let route_table = web::Data::new(RouteTable::from_openapi(&spec));
        // Nodes on one PostgreSQL database tell each other of writes.
        let broadcast = db
            .postgres_url()
            .filter(|_| settings.node_invalidation)
            .map(crate::api::invalidation::Broadcaster::start);
        let node = broadcast.as_ref().map(|b| b.node());
        if let Some(broadcast) = broadcast.clone() {
            views.after_written(move || broadcast.send(crate::api::invalidation::Change::Counted));
        }
        // A read from a replica that has not replayed a write yet would be
        // cached after the write's invalidation: with replicas, answers about
        // an article live no longer than lists, so that is as stale as before.
        let article_cache_ttl = if db.replicas().all().is_empty() {
            settings.article_cache_ttl
        } else {
            settings.cache_ttl
        };
        // The list index learns other nodes' writes only by notification.
        let list_index = Arc::new(crate::service::list_index::ListIndex::new(
            match settings.list_index {
                crate::cli::ListIndexMode::Auto => {
                    db.kind() == crate::db::BackendKind::Sqlite || broadcast.is_some()
                }
                crate::cli::ListIndexMode::On => true,
                crate::cli::ListIndexMode::Off => false,
            },
        ));
        if list_index.enabled() {
            let started = std::time::Instant::now();
            // A failed load leaves the index marked: pages read the
            // database until the reloader's next try.
            match db.run_blocking(|conn| list_index.refresh(conn)) {
                Ok(Ok(())) => {
                    let (articles, bytes) = list_index.size();
                    tracing::info!(
                        articles,
                        bytes,
                        ms = started.elapsed().as_millis() as u64,
                        "list index loaded"
                    );
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "list index: loading failed"),
                Err(e) => tracing::warn!(error = %e, "list index: loading failed"),
            }
            spawn_list_index_keeper(Arc::downgrade(&list_index), db.clone());
        }
        let state = web::Data::new(AppState {
            list_index,
            responses: ResponseCache::with_article_ttl(
                settings.cache_ttl,
                article_cache_ttl,
                settings.cache_max_bytes,
            )
            .with_live_counts(views.clone()),
            list_items: Arc::new(crate::api::list_items::ListItems::new(
                settings.list_item_cache_bytes,
            )),
            feed_items: Arc::new(crate::api::feed_items::FeedItems::new(
                settings.feed_item_cache_bytes,
            )),
            db: db.clone(),
            settings,
            taxonomy: Arc::new(TaxonomyCache::new(TAXONOMY_MAX_AGE)),
            comments,
            views: views.clone(),
            limits: limits.clone(),
            broadcast,
            // SQLite reads run inline already; a replica read must stay in
            // its request's task (it may have to read from the primary).
            article_batches: (db.kind() == crate::db::BackendKind::Postgres
                && db.replicas().all().is_empty())
            .then(|| crate::api::article_batch::ArticleBatcher::new(BATCHES_AT_ONCE)),
        });
        if let (Some(node), Some(url)) = (node, db.postgres_url()) {
            crate::api::invalidation::listen(&state.clone().into_inner(), url, node);
        }
        // Database calls are the only blocking work, and each holds a
        // pooled connection: more threads than connections would only wait.
        // Tokio's default (512 per worker) let a loaded PostgreSQL server
        // grow 15 blocking threads, each with its allocator heap.
        let blocking_threads = db.connections_at_most();
        let mut server = HttpServer::new(move || {
            // Swagger UI and the spec first: the /api/v1 scope would otherwise
            // claim /api/v1/openapi.json and answer 404.
            let (app, _) = routes_and_openapi(
                App::new()
                    .service(
                        SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", spec.clone()),
                    )
                    .app_data(state.clone())
                    .app_data(route_table.clone())
                    .app_data(web::QueryConfig::default().error_handler(|err, _req| {
                        AppError::InvalidParameters(vec![FieldError::new(
                            "query",
                            "invalid_query",
                            format!("The query string is malformed: {err}."),
                            format!("سلسلة الاستعلام غير صالحة: {err}."),
                        )])
                        .into()
                    }))
                    .app_data(
                        web::PathConfig::default()
                            .error_handler(|_err, _req| AppError::RouteNotFound.into()),
                    )
                    .app_data(
                        web::JsonConfig::default()
                            .limit(MAX_BODY_BYTES)
                            // application/json, and any +json type (merge-patch).
                            .content_type(|mime| {
                                mime.subtype() == actix_web::mime::JSON
                                    || mime.suffix() == Some(actix_web::mime::JSON)
                            })
                            .error_handler(|err, _req| crate::api::json::json_error(err).into()),
                    ),
            );
            app.service(web::resource("/docs").to(|| async {
                actix_web::HttpResponse::PermanentRedirect()
                    .insert_header((actix_web::http::header::LOCATION, "/docs/"))
                    .finish()
            }))
            .default_service(web::to(routes::fallback))
            .wrap(middleware::from_fn(crate::api::http_cache::conditional_get))
            .wrap(middleware::Compress::default())
            .wrap(middleware::from_fn(crate::api::cors::cors))
            .wrap(middleware::from_fn(crate::api::middleware::request_context))
        })
        // Without it Nagle's algorithm held back an answer's last small
        // segment until the client's delayed ACK (40 ms): the gzip feed mix
        // had a p50 of 0.9 ms and a p99 of 42 ms.
        .tcp_nodelay(true)
        .listen(listener)?
        .worker_max_blocking_threads(blocking_threads)
        .shutdown_timeout(30)
        .client_request_timeout(Duration::from_secs(10));
        if let Some(workers) = options.workers {
            server = server.workers(workers);
        }
        if !options.handle_signals {
            server = server.disable_signals();
        }
        Ok(Application {
            port,
            server: server.run(),
            db,
            views,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The view counter (tests flush it and set its clock).
    pub fn views(&self) -> Arc<Views> {
        self.views.clone()
    }

    /// Serves until stopped (SIGTERM/SIGINT, graceful: in-flight requests
    /// finish), flushing view counts every flush interval; then writes the
    /// views still pending before it returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let flusher = self.views.start_flusher(self.db.clone());
        let served = self.server.await;
        let pending = self.views.pending();
        match flusher.stop_and_flush(&self.db).await {
            Ok(written) => {
                if pending > 0 || written > 0 {
                    tracing::info!(views = written, "views: pending counts written at shutdown");
                }
            }
            Err(e) => {
                tracing::error!(error = %e, views = self.views.pending(), "views: pending counts could not be written at shutdown and are lost");
            }
        }
        served
    }
}
