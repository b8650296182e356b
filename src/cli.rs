//! The command line: every setting is a flag with an environment fallback.

use clap::{Args, Parser, Subcommand};

/// khabar: a JSON REST API for Arabic news content.
#[derive(Debug, Parser)]
#[command(name = "khabar", version, about, long_about = None)]
pub struct Cli {
    /// Database settings, shared by every command.
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Server settings (`serve`, the default command; `seed` reads the time zone).
    #[command(flatten)]
    pub serve: ServeArgs,

    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default). Runs pending migrations first.
    Serve,
    /// Run pending database migrations and exit.
    Migrate,
    /// Load the seed article and a generated Arabic demo corpus.
    Seed(SeedArgs),
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
    /// Rebuild the search index (and the archive calendar's counts) from
    /// the articles, e.g. after the text pipeline changed. Searches keep
    /// using the old index until the new one is complete.
    Reindex,
    /// Manage API tokens (only their SHA-256 is stored).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Copy a whole site into an empty database (SQLite to PostgreSQL, or
    /// back): every table with its ids, in one transaction on the target,
    /// then a comparison of row counts and of the articles' versions.
    /// `--database-url` is not used.
    Copy(CopyArgs),
}

/// Settings of `khabar copy`.
#[derive(Debug, Clone, Args)]
pub struct CopyArgs {
    /// The database to copy: sqlite://PATH or postgres://USER@HOST/DB (only read).
    #[arg(long)]
    pub from: String,

    /// The empty database to fill: sqlite://PATH (created when missing) or
    /// postgres://USER@HOST/DB (the database must exist). Its migrations run first.
    #[arg(long)]
    pub to: String,
}

/// `khabar token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print it once (it cannot be shown again).
    Create {
        /// admin, editor, moderator or partner.
        #[arg(long)]
        role: crate::domain::role::Role,
        /// Who or what the token is for.
        #[arg(long)]
        name: String,
    },
    /// List tokens (never the tokens themselves).
    List,
    /// Revoke a token by id.
    Revoke {
        /// The token's id (from `token list`).
        id: i64,
    },
}

/// Which database, and how many connections.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// sqlite://PATH (embedded, created on first start) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://khabar.db",
        global = true
    )]
    pub database_url: String,

    /// Most database connections held open at once [default: twice the
    /// cores this process may use].
    #[arg(long, env = "KHABAR_POOL_SIZE", value_parser = clap::value_parser!(u32).range(1..=1000), global = true)]
    pub pool_size: Option<u32>,

    /// PostgreSQL read replicas (comma-separated URLs): public reads go to
    /// them while they stream within `--replica-max-lag-ms`; writes and
    /// every request with a token go to the primary.
    #[arg(
        long,
        env = "DATABASE_REPLICA_URL",
        value_delimiter = ',',
        global = true
    )]
    pub database_replica_url: Vec<String>,

    /// A replica further behind the primary than this many milliseconds is
    /// taken out of rotation (reads go to the primary) until it catches up.
    #[arg(long, env = "KHABAR_REPLICA_MAX_LAG_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(0..=86_400_000), global = true)]
    pub replica_max_lag_ms: u64,

    /// How often each replica's lag is measured, in milliseconds.
    #[arg(long, env = "KHABAR_REPLICA_POLL_MS", default_value_t = 500, value_parser = clap::value_parser!(u64).range(50..=60_000), global = true)]
    pub replica_poll_ms: u64,

    /// Milliseconds a request waits for a database connection before it
    /// answers 503 Service Unavailable.
    #[arg(long, env = "KHABAR_DB_TIMEOUT_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(50..=600_000), global = true)]
    pub db_timeout_ms: u64,

    /// SQLite only: MiB of the database file each connection memory-maps
    /// (0, the default, maps none; 1048576 maps the whole file). Mapped
    /// pages are read without a system call and a copy, but every commit
    /// makes each connection unmap and map again, which costs readers
    /// under steady writes; the OS also counts mapped pages in the
    /// process's RSS once per connection, although they are the shared,
    /// reclaimable page cache.
    #[arg(long, env = "KHABAR_SQLITE_MMAP_MB", default_value_t = crate::db::DEFAULT_SQLITE_MMAP_MB, value_parser = clap::value_parser!(u64).range(0..=crate::db::MAX_SQLITE_MMAP_MB), global = true)]
    pub sqlite_mmap_mb: u64,
}

/// Settings of `khabar serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(
        long,
        global = true,
        env = "KHABAR_BIND",
        default_value = "127.0.0.1:8080"
    )]
    pub bind: String,

    /// The newsroom's time zone (IANA name): its days are the archive's days.
    #[arg(
        long,
        global = true,
        env = "KHABAR_TIMEZONE",
        default_value = "Asia/Damascus"
    )]
    pub timezone: chrono_tz::Tz,

    /// Articles older than this many days are marked `from_archive`.
    #[arg(long, global = true, env = "KHABAR_ARCHIVE_AFTER_DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub archive_after_days: u32,

    /// The public site's base URL, used for canonical URLs that are not stored.
    #[arg(
        long,
        global = true,
        env = "KHABAR_PUBLIC_URL",
        default_value = "https://khabar.example"
    )]
    pub public_url: url::Url,

    /// Milliseconds a whole article or list answer is reused (0 turns the cache off).
    #[arg(long, global = true, env = "KHABAR_CACHE_TTL_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    pub cache_ttl_ms: u64,

    /// Most memory the answer cache may use, in MiB. With the two item
    /// caches below (16 + 16) and the list index (about 7 MB at 100,000
    /// articles), so that the server stays under 150 MB (24 until the list
    /// index came: the peak then reached 154.6 MB with the cache on).
    #[arg(long, global = true, env = "KHABAR_CACHE_MAX_MB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub cache_max_mb: u64,

    /// Most memory, in MiB, for list items rendered once per article edit
    /// and reused by every list page that shows the article, with its live
    /// counters filled in (0 renders every item every time). Independent of
    /// the answer cache: its entries are named by the article's last edit,
    /// so they are never stale. 16 since the list index came (24 before):
    /// with both, the server's peak went past 150 MB with the cache on.
    #[arg(long, global = true, env = "KHABAR_LIST_ITEM_CACHE_MB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(0..=65_536))]
    pub list_item_cache_mb: u64,

    /// Most memory, in MiB, for feed items (RSS, Atom, JSON Feed) rendered
    /// once per article edit and format and reused by every feed that shows
    /// the article (0 reads and renders every item every time). Like list
    /// items, named by the article's last edit: never stale. 16: the feeds
    /// of the site, 8 sections and 43 tags in three formats (the bench's
    /// mix at 100,000 articles) take 15 MB; with 8, a tenth of their items
    /// were rendered again at every look.
    #[arg(long, global = true, env = "KHABAR_FEED_ITEM_CACHE_MB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(0..=65_536))]
    pub feed_item_cache_mb: u64,

    /// Milliseconds an answer about one article is reused: every write to the
    /// article ends it at once and hits show live view counts, so this only
    /// bounds what another node that missed a notification may serve.
    #[arg(long, global = true, env = "KHABAR_ARTICLE_CACHE_TTL_MS", default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    pub article_cache_ttl_ms: u64,

    /// HTTP worker threads (default: one per core).
    #[arg(long, global = true, env = "KHABAR_WORKERS")]
    pub workers: Option<usize>,

    /// Log format: `json` (one object a line, for collectors) or `text`.
    #[arg(long, global = true, env = "KHABAR_LOG_FORMAT", default_value = "text", value_parser = ["json", "text"])]
    pub log_format: String,

    /// Seed the demo data first when the database has no articles yet.
    #[arg(long, global = true, env = "KHABAR_DEMO")]
    pub demo: bool,

    /// Comments: the policy and its abuse defences.
    #[command(flatten)]
    pub comments: CommentArgs,

    /// View counters.
    #[command(flatten)]
    pub views: ViewArgs,

    /// Reverse proxies (addresses or networks, comma-separated, e.g.
    /// `127.0.0.1,10.0.0.0/8`) whose `X-Forwarded-For` names the client:
    /// the right-most address in it that is not one of them is the client's.
    #[arg(
        long,
        global = true,
        env = "KHABAR_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<crate::domain::client::TrustedNet>,

    /// Requests a minute each partner token may make (0 turns it off); over
    /// it, 429 with `Retry-After` and the `RateLimit` headers.
    #[arg(long = "rate-limit-partner", global = true, env = "KHABAR_RATE_LIMIT_PARTNER", default_value_t = 600, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub rate_limit_partner: u32,

    /// Reads a minute each anonymous client address may make (0, the
    /// default, turns it off: a CDN or a carrier NAT puts many readers
    /// behind one address). The address is the one `KHABAR_TRUSTED_PROXIES`
    /// names.
    #[arg(long = "rate-limit-anonymous", global = true, env = "KHABAR_RATE_LIMIT_ANONYMOUS", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub rate_limit_anonymous: u32,

    /// When set, `GET /metrics` answers only `Authorization: Bearer <this>`.
    #[arg(
        long,
        global = true,
        env = "KHABAR_METRICS_TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,

    /// Browser origins (comma-separated, e.g. `https://app.example`) allowed
    /// to call the API with a token or to write. Public reads are open to
    /// every origin unless this is set, and then only to these (`*` among
    /// them keeps public reads open to all).
    #[arg(
        long,
        global = true,
        env = "KHABAR_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// Seconds a CDN or browser may reuse a public read
    /// (`Cache-Control: public, max-age=…`): view counts are at most that
    /// stale at the edge.
    #[arg(long, global = true, env = "KHABAR_HTTP_MAX_AGE_SECS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=86_400))]
    pub http_max_age_secs: u32,

    /// Seconds past max-age a cache may serve a public read while it
    /// revalidates (`stale-while-revalidate`).
    #[arg(long, global = true, env = "KHABAR_HTTP_STALE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(0..=86_400))]
    pub http_stale_secs: u32,

    /// PostgreSQL: publish this node's writes and apply other nodes' through
    /// `LISTEN/NOTIFY`, so that no node serves an edited, unpublished or
    /// deleted article from its caches (`false` leaves only the cache TTL).
    #[arg(long, global = true, env = "KHABAR_NODE_INVALIDATION", default_value_t = true, action = clap::ArgAction::Set)]
    pub node_invalidation: bool,

    /// Keep the published articles' order in memory (about 60 bytes an
    /// article), so that public list pages without a tag, author, language
    /// or search are found without a database round trip. It follows this
    /// node's writes at once and other nodes' through `LISTEN/NOTIFY`.
    /// `auto`: on with SQLite, and on PostgreSQL while
    /// `KHABAR_NODE_INVALIDATION` is on; `on`: also without notifications
    /// (one node alone: editorial writes of other processes show within a
    /// second, through the change log; their comment counts at the
    /// article's next edit); `off`: every page reads the database.
    #[arg(long, global = true, env = "KHABAR_LIST_INDEX", value_enum, default_value_t = ListIndexMode::Auto)]
    pub list_index: ListIndexMode,
}

/// Whether public list pages are found in memory (`KHABAR_LIST_INDEX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListIndexMode {
    /// With SQLite, and with PostgreSQL while nodes notify each other.
    Auto,
    /// Always.
    On,
    /// Never.
    Off,
}

/// Settings of view counting (`KHABAR_VIEW_*`).
#[derive(Debug, Clone, Args)]
pub struct ViewArgs {
    /// Milliseconds between two writes of the buffered view counts.
    #[arg(long = "view-flush-ms", global = true, env = "KHABAR_VIEW_FLUSH_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    pub flush_ms: u64,

    /// Seconds within which the same client's repeat views of an article count once.
    #[arg(long = "view-dedupe-secs", global = true, env = "KHABAR_VIEW_DEDUPE_SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub dedupe_secs: u64,

    /// Most (client, article) pairs remembered for the dedupe window (17-34
    /// bytes each); past it the oldest are forgotten first.
    #[arg(long = "view-dedupe-capacity", global = true, env = "KHABAR_VIEW_DEDUPE_CAPACITY", default_value_t = 300_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub dedupe_capacity: u64,

    /// Secret salt of the client hashes of the dedupe (default: random at
    /// each start, so a restart forgets who has been counted).
    #[arg(
        long = "view-salt",
        global = true,
        env = "KHABAR_VIEW_SALT",
        hide_env_values = true
    )]
    pub salt: Option<String>,
}

impl DatabaseArgs {
    /// `--pool-size`, or twice the cores: on a database with as many cores
    /// as this machine, more connections only queue inside it. Measured on
    /// two cores with PostgreSQL (32 clients, answer cache off): at 10
    /// connections the calendar's p99 was 35 ms, at 4 it was 13 ms, for
    /// throughput within 10%.
    pub fn pool_size(&self) -> u32 {
        self.pool_size.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            (2 * cores).clamp(2, 1000) as u32
        })
    }
}

impl Default for ViewArgs {
    fn default() -> Self {
        ViewArgs {
            flush_ms: 1000,
            dedupe_secs: 1800,
            dedupe_capacity: 300_000,
            salt: None,
        }
    }
}

/// Settings of comments (`KHABAR_COMMENT_*`).
#[derive(Debug, Clone, Args)]
pub struct CommentArgs {
    /// Seconds a client must wait between two comments (0 turns flood control off).
    #[arg(long = "comment-flood-secs", global = true, env = "KHABAR_COMMENT_FLOOD_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub flood_secs: u64,

    /// A comment with more links than this is held for moderation.
    #[arg(
        long = "comment-max-links",
        global = true,
        env = "KHABAR_COMMENT_MAX_LINKS",
        default_value_t = 2
    )]
    pub max_links: usize,

    /// Levels of nesting: top-level comments are depth 0; a reply deeper than
    /// this minus one is refused.
    #[arg(long = "comment-max-depth", global = true, env = "KHABAR_COMMENT_MAX_DEPTH", default_value_t = 5, value_parser = clap::value_parser!(i32).range(1..=50))]
    pub max_depth: i32,

    /// Hold a commenter's first comment (no approved comment with that e-mail) for moderation.
    #[arg(long = "comment-hold-first-time", global = true, env = "KHABAR_COMMENT_HOLD_FIRST_TIME", default_value_t = true, action = clap::ArgAction::Set)]
    pub hold_first_time: bool,

    /// More words or phrases that hold a comment, comma-separated (added to the built-in list).
    #[arg(
        long = "comment-blocklist",
        global = true,
        env = "KHABAR_COMMENT_BLOCKLIST",
        value_delimiter = ','
    )]
    pub blocklist: Vec<String>,

    /// Salt of the stored client-address hashes (default: a random salt made
    /// once and kept in the database).
    #[arg(
        long = "comment-ip-salt",
        global = true,
        env = "KHABAR_COMMENT_IP_SALT",
        hide_env_values = true
    )]
    pub ip_salt: Option<String>,

    /// Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it).
    #[arg(
        long = "comment-trust-forwarded",
        global = true,
        env = "KHABAR_COMMENT_TRUST_FORWARDED"
    )]
    pub trust_forwarded: bool,

    /// Hours an `Idempotency-Key` and its stored answer are kept.
    #[arg(long = "idempotency-key-hours", global = true, env = "KHABAR_IDEMPOTENCY_KEY_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=720))]
    pub idempotency_hours: u64,
}

impl Default for CommentArgs {
    fn default() -> Self {
        CommentArgs {
            flood_secs: 15,
            max_links: 2,
            max_depth: 5,
            hold_first_time: true,
            blocklist: Vec::new(),
            ip_salt: None,
            trust_forwarded: false,
            idempotency_hours: 24,
        }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            bind: "127.0.0.1:8080".into(),
            timezone: chrono_tz::Asia::Damascus,
            archive_after_days: 365,
            public_url: url::Url::parse("https://khabar.example").expect("valid default URL"),
            cache_ttl_ms: 2000,
            cache_max_mb: 16,
            list_item_cache_mb: 16,
            feed_item_cache_mb: 16,
            article_cache_ttl_ms: 60_000,
            workers: None,
            log_format: "text".into(),
            demo: false,
            comments: CommentArgs::default(),
            views: ViewArgs::default(),
            trusted_proxies: Vec::new(),
            rate_limit_partner: 600,
            rate_limit_anonymous: 0,
            metrics_token: None,
            cors_origins: Vec::new(),
            http_max_age_secs: 5,
            http_stale_secs: 30,
            node_invalidation: true,
            list_index: ListIndexMode::Auto,
        }
    }
}

/// Settings of `khabar seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// How many generated demo articles to add beside the seed article.
    #[arg(long, default_value_t = 300)]
    pub articles: usize,

    /// Random seed of the generator (the same seed gives the same corpus).
    #[arg(long, default_value_t = 1)]
    pub random_seed: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_pool_defaults_to_twice_the_cores_and_takes_an_explicit_size() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let default = Cli::try_parse_from(["khabar", "migrate"]).unwrap();
        if std::env::var_os("KHABAR_POOL_SIZE").is_none() {
            assert_eq!(default.database.pool_size(), (2 * cores).max(2) as u32);
        }
        let given = Cli::try_parse_from(["khabar", "--pool-size", "3", "migrate"]).unwrap();
        assert_eq!(given.database.pool_size(), 3);
        assert!(Cli::try_parse_from(["khabar", "--pool-size", "0", "migrate"]).is_err());
    }
}
