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
    /// Most bytes the answer cache holds.
    pub cache_max_bytes: u64,
}

impl Settings {
    /// From the `serve` flags.
    pub fn from_args(args: &ServeArgs) -> Self {
        Settings {
            timezone: args.timezone,
            archive_after: Duration::days(i64::from(args.archive_after_days)),
            public_url: args.public_url.as_str().trim_end_matches('/').to_string(),
            cache_ttl: std::time::Duration::from_millis(args.cache_ttl_ms),
            cache_max_bytes: args.cache_max_mb * 1024 * 1024,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_args(&ServeArgs::default())
    }
}
