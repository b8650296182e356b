//! Runtime settings of the HTTP service, built from the CLI.

use chrono::Duration;

use crate::cli::ServeArgs;

/// What the handlers need to know about the deployment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The newsroom's time zone.
    pub timezone: chrono_tz::Tz,
    /// Age after which an article is `from_archive`.
    pub archive_after: Duration,
    /// Base of canonical URLs that are not stored with the article.
    pub public_url: String,
    /// How long whole article answers are reused (zero: never).
    pub cache_ttl: std::time::Duration,
    /// How long answers about one article are reused (at least `cache_ttl`).
    pub article_cache_ttl: std::time::Duration,
    /// Most bytes the answer cache holds.
    pub cache_max_bytes: u64,
    /// Most bytes of rendered list items kept (zero: none).
    pub list_item_cache_bytes: u64,
    /// Most bytes of rendered feed items kept (zero: none).
    pub feed_item_cache_bytes: u64,
    /// Comments: policy and abuse defences.
    pub comments: CommentSettings,
    /// View counting.
    pub views: crate::service::views::ViewSettings,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<crate::domain::client::TrustedNet>,
    /// Requests a minute per partner token (0: no limit).
    pub rate_limit_partner: u32,
    /// Reads a minute per anonymous client address (0: no limit).
    pub rate_limit_anonymous: u32,
    /// The bearer token `GET /metrics` requires (`None`: open).
    pub metrics_token: Option<String>,
    /// Origins allowed beyond public reads (CORS); see `api::cors`.
    pub cors_origins: Vec<String>,
    /// `Cache-Control` of public reads, ready to send.
    pub public_cache_control: String,
    /// Whether nodes on one PostgreSQL database tell each other of writes
    /// (`api::invalidation`).
    pub node_invalidation: bool,
    /// Whether public list pages are found in memory
    /// (`service::list_index`).
    pub list_index: crate::cli::ListIndexMode,
}

/// Comment policy and abuse defences.
#[derive(Debug, Clone)]
pub struct CommentSettings {
    /// Least time between two comments of one client (zero: no flood control).
    pub flood_interval: std::time::Duration,
    /// Most links before a comment is held.
    pub max_links: usize,
    /// Levels of nesting (top level is depth 0, the deepest `max_depth - 1`).
    pub max_depth: i32,
    /// Whether first comments of an e-mail are held.
    pub hold_first_time: bool,
    /// Block-list entries besides the built-in ones.
    pub extra_blocklist: Vec<String>,
    /// Salt of client-address hashes (`None`: one kept in the database).
    pub ip_salt: Option<String>,
    /// Whether `X-Forwarded-For` names the client.
    pub trust_forwarded: bool,
    /// How long idempotency keys are kept.
    pub idempotency_ttl: std::time::Duration,
}

impl CommentSettings {
    fn from_args(args: &crate::cli::CommentArgs) -> Self {
        CommentSettings {
            flood_interval: std::time::Duration::from_secs(args.flood_secs),
            max_links: args.max_links,
            max_depth: args.max_depth,
            hold_first_time: args.hold_first_time,
            extra_blocklist: args
                .blocklist
                .iter()
                .map(|w| w.trim().to_string())
                .filter(|w| !w.is_empty())
                .collect(),
            ip_salt: args.ip_salt.clone().filter(|s| !s.is_empty()),
            trust_forwarded: args.trust_forwarded,
            idempotency_ttl: std::time::Duration::from_secs(args.idempotency_hours * 3600),
        }
    }
}

impl Settings {
    /// From the `serve` flags.
    pub fn from_args(args: &ServeArgs) -> Self {
        Settings {
            timezone: args.timezone,
            archive_after: Duration::days(i64::from(args.archive_after_days)),
            public_url: args.public_url.as_str().trim_end_matches('/').to_string(),
            cache_ttl: std::time::Duration::from_millis(args.cache_ttl_ms),
            article_cache_ttl: std::time::Duration::from_millis(args.article_cache_ttl_ms),
            cache_max_bytes: args.cache_max_mb * 1024 * 1024,
            list_item_cache_bytes: args.list_item_cache_mb * 1024 * 1024,
            feed_item_cache_bytes: args.feed_item_cache_mb * 1024 * 1024,
            comments: CommentSettings::from_args(&args.comments),
            views: crate::service::views::ViewSettings {
                dedupe_window: std::time::Duration::from_secs(args.views.dedupe_secs),
                dedupe_capacity: args.views.dedupe_capacity,
                salt: args.views.salt.clone().filter(|s| !s.is_empty()),
                flush_interval: std::time::Duration::from_millis(args.views.flush_ms),
            },
            trusted_proxies: args.trusted_proxies.clone(),
            rate_limit_partner: args.rate_limit_partner,
            rate_limit_anonymous: args.rate_limit_anonymous,
            metrics_token: args.metrics_token.clone().filter(|t| !t.is_empty()),
            cors_origins: args
                .cors_origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .collect(),
            public_cache_control: format!(
                "public, max-age={}, stale-while-revalidate={}",
                args.http_max_age_secs, args.http_stale_secs
            ),
            node_invalidation: args.node_invalidation,
            list_index: args.list_index,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_args(&ServeArgs::default())
    }
}
