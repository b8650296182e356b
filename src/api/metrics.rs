//! `GET /metrics`: Prometheus text format, from the `metrics` facade and its
//! Prometheus exporter (rendered on the main port, no listener of its own).
//!
//! Counters and histograms are recorded where things happen (requests in
//! `api::middleware`, pool waits in `db`, view flushes in `service::views`);
//! gauges that are a state (pool, pending views, moderation queue) are read
//! when scraped. Labels are route templates, methods and status codes:
//! bounded, whatever paths clients send.

use std::sync::OnceLock;
use std::time::Duration;

use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{get, web, HttpRequest, HttpResponse};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq;

use crate::api::AppState;
use crate::domain::comment::CommentStatus;
use crate::error::{AppError, Problem};
use crate::service::tokens::AuthFailure;

/// Request latency buckets, in seconds (1 ms to 5 s).
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use (one per process: test
/// servers in one process share it). `None` if another recorder was
/// installed first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)
                .ok()?
                .install_recorder()
                .ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    metrics::describe_counter!(
        "khabar_http_requests_total",
        "HTTP requests answered, by route template, method and status"
    );
    metrics::describe_histogram!(
        "khabar_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer, by route template and method"
    );
    metrics::describe_counter!(
        "khabar_answer_cache_total",
        "Answers of the cached routes, by result (hit or miss)"
    );
    metrics::describe_counter!(
        "khabar_item_cache_total",
        "Rendered items looked up in the list_items and feed_items stores, by cache and result (hit or miss: rendered again)"
    );
    metrics::describe_histogram!(
        "khabar_db_pool_wait_seconds",
        metrics::Unit::Seconds,
        "Time a request waited for a database connection"
    );
    metrics::describe_histogram!(
        "khabar_view_flush_seconds",
        metrics::Unit::Seconds,
        "Time a view-count flush transaction took"
    );
    metrics::describe_gauge!(
        "khabar_db_pool_connections",
        "Open database connections, by state (idle or busy)"
    );
    metrics::describe_gauge!(
        "khabar_db_pool_max_connections",
        "Most database connections the pool opens"
    );
    metrics::describe_gauge!(
        "khabar_views_pending",
        "Views counted in memory, not yet written"
    );
    metrics::describe_gauge!(
        "khabar_cache_bytes",
        metrics::Unit::Bytes,
        "What each in-memory cache weighs now (answers, list_items, feed_items, against its KHABAR_*_MB bound; list_index, bounded by the archive)"
    );
    metrics::describe_counter!(
        "khabar_list_pages_total",
        "Public list pages by where their order came from: index (memory) or database"
    );
    metrics::describe_gauge!(
        "khabar_moderation_queue",
        "Comments waiting for a moderator (pending)"
    );
}

/// Adds one answer's item lookups in a rendered-item store (`list_items`,
/// `feed_items`) to `khabar_item_cache_total`: items are counted, in one
/// update per result and answer rather than one per item (a feed looks up
/// fifty). The hit ratio sizes `KHABAR_LIST_ITEM_CACHE_MB` and
/// `KHABAR_FEED_ITEM_CACHE_MB`.
pub fn count_item_lookups(cache: &'static str, hits: usize, misses: usize) {
    for (result, n) in [("hit", hits), ("miss", misses)] {
        if n > 0 {
            metrics::counter!("khabar_item_cache_total", "cache" => cache, "result" => result)
                .increment(n as u64);
        }
    }
}

/// Folds histograms; called every few seconds (the exporter's upkeep).
pub fn spawn_upkeep() {
    let (Some(handle), Ok(runtime)) = (handle(), tokio::runtime::Handle::try_current()) else {
        return;
    };
    runtime.spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            handle.run_upkeep();
        }
    });
}

/// A request's labels, and the handles they name.
type RequestHandles =
    foldhash::HashMap<(String, &'static str, u16), (metrics::Counter, metrics::Histogram)>;

thread_local! {
    /// This worker's counter and histogram per (route, method, status): the
    /// facade's macros build and hash a labelled key at every call, which
    /// cost a sixth of `/healthz`'s throughput.
    static REQUEST_HANDLES: std::cell::RefCell<RequestHandles> =
        std::cell::RefCell::new(RequestHandles::default());
}

/// Records one answered request.
pub fn record_request(route: String, method: &'static str, status: u16, elapsed: Duration) {
    REQUEST_HANDLES.with(|handles| {
        let mut handles = handles.borrow_mut();
        let key = (route, method, status);
        if let Some((counter, histogram)) = handles.get(&key) {
            counter.increment(1);
            histogram.record(elapsed.as_secs_f64());
            return;
        }
        let counter = metrics::counter!(
            "khabar_http_requests_total",
            "route" => key.0.clone(),
            "method" => method,
            "status" => status.to_string()
        );
        let histogram = metrics::histogram!(
            "khabar_http_request_duration_seconds",
            "route" => key.0.clone(),
            "method" => method
        );
        counter.increment(1);
        histogram.record(elapsed.as_secs_f64());
        handles.insert(key, (counter, histogram));
    });
}

/// Process and application metrics in the Prometheus text format. With
/// `KHABAR_METRICS_TOKEN` set, only for `Authorization: Bearer <that token>`
/// (an operator may not want them public).
#[utoipa::path(
    tag = "ops",
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
        (status = 401, description = "KHABAR_METRICS_TOKEN is set and the request does not carry it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The metrics recorder is not available", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics_endpoint(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if let Some(expected) = &state.settings.metrics_token {
        let presented = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        match presented {
            None => return Err(AppError::Unauthorized(AuthFailure::Missing)),
            Some(token) if !bool::from(token.as_bytes().ct_eq(expected.as_bytes())) => {
                return Err(AppError::Unauthorized(AuthFailure::Unknown))
            }
            Some(_) => {}
        }
    }
    let Some(handle) = handle() else {
        return Err(AppError::Internal("no metrics recorder".into()));
    };
    let pools = std::iter::once(("primary".to_string(), state.db.pool_state())).chain(
        state
            .db
            .replicas()
            .all()
            .iter()
            .map(|r| (r.name.clone(), r.pool_state())),
    );
    for (name, pool) in pools {
        metrics::gauge!("khabar_db_pool_connections", "pool" => name.clone(), "state" => "idle")
            .set(f64::from(pool.idle));
        metrics::gauge!("khabar_db_pool_connections", "pool" => name.clone(), "state" => "busy")
            .set(f64::from(pool.connections.saturating_sub(pool.idle)));
        metrics::gauge!("khabar_db_pool_max_connections", "pool" => name).set(f64::from(pool.max));
    }
    metrics::gauge!("khabar_views_pending").set(state.views.pending() as f64);
    for (cache, bytes) in [
        ("answers", state.responses.weighed_bytes()),
        ("list_items", state.list_items.weighed_bytes()),
        ("feed_items", state.feed_items.weighed_bytes()),
        ("list_index", state.list_index.size().1 as u64),
    ] {
        metrics::gauge!("khabar_cache_bytes", "cache" => cache).set(bytes as f64);
    }
    // The queue is read when scraped (one COUNT on the status index);
    // a database that does not answer leaves the last value.
    if let Ok(n) = state
        .db
        .read(|conn| {
            crate::repo::comments::count_moderation(conn, Some(CommentStatus::Pending), None)
                .map_err(crate::service::ServiceError::from)
        })
        .await
    {
        metrics::gauge!("khabar_moderation_queue").set(n as f64);
    }
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(handle.render()))
}
