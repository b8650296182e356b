//! A short-lived cache of whole JSON answers (a "micro-cache"): news traffic
//! piles onto the same few lists and stories, and an answer a second or two
//! old is what a CDN would serve anyway. Keyed by path and query; bounded by
//! bytes; off when the TTL is zero. Errors are never cached as answers; the
//! ids of articles found missing are remembered for the list TTL
//! (`known_missing`).
//!
//! Writes invalidate it by stamps, not by emptying it: every write takes the
//! next value of a clock and records it against what it changed (one
//! article; the membership or order of lists; everything). An answer remembers
//! the clock value from before its read began and which articles it shows; it
//! is served only while no write it depends on is newer. So a read that
//! straddles a write is never served once the write has been answered, and an
//! edit of one story leaves every other cached answer alone (at 50 edits a
//! second, emptying the whole cache made reads three times slower).
//!
//! View counts move on every read, so a cached answer does not freeze
//! them: where its body says `"view_count":N`, the entry remembers the
//! place and the article, and every hit writes the article's live count
//! there (stored plus this process's pending views, `service::views`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE, ETAG, LAST_MODIFIED, VARY};
use actix_web::web::Bytes;
use actix_web::HttpResponse;

use super::gzip::SplicedGzip;

/// `X-Cache: hit|miss`, for operators and benchmarks.
pub const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// Cached answers (JSON, or any body rendered beforehand).
pub struct ResponseCache {
    inner: Option<moka::sync::Cache<String, Arc<Entry>>>,
    doorkeeper: Doorkeeper,
    /// Advances on every write.
    clock: AtomicU64,
    /// The last write that may have changed any answer.
    everything_changed_at: AtomicU64,
    /// The last write that may have changed which articles a list shows, or
    /// their order.
    lists_changed_at: AtomicU64,
    /// The last write to each recently written article. Kept well beyond the
    /// answer TTL: an answer older than a forgotten stamp has expired anyway.
    article_changed_at: moka::sync::Cache<i64, u64>,
    /// Live view counts, written into cached answers on every hit.
    live_counts: Option<Arc<crate::service::views::Views>>,
    /// The TTL of lists, and of answers about an article while other nodes
    /// are counting views.
    list_ttl: Duration,
    /// How long answers about one article live otherwise.
    article_ttl: Duration,
    /// When another node last wrote view counts (`counted_elsewhere`).
    counted_elsewhere_at: std::sync::Mutex<Option<std::time::Instant>>,
    /// Article ids the public was recently told do not exist (drafts,
    /// scheduled, deleted, or never created), with the clock before that
    /// read: a hot id that answers 404 costs no database read either. Kept
    /// for the list TTL, as lists are: a scheduled article becomes visible
    /// with no write to tell anyone.
    missing: Option<moka::sync::Cache<i64, u64>>,
}

/// Where a cached body holds an article's view count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hole {
    /// Byte range of the number in the body.
    start: usize,
    end: usize,
    /// Whose count it is.
    article: i64,
}

/// Most articles whose last write is remembered; past this, a write empties
/// the whole cache instead (so correctness never depends on the bound).
const MAX_REMEMBERED_WRITES: u64 = 100_000;

/// Most ids remembered as missing (8 bytes and moka's record each).
const MAX_MISSING_IDS: u64 = 50_000;

/// One remembered answer.
struct Entry {
    /// The body as kept: packed (see [`Packed`]) or as it was.
    body: Packed,
    /// The view counts in `body`, in order.
    holes: Vec<Hole>,
    etag: Option<HeaderValue>,
    /// A hash of the body without its view counts: with the live counts it
    /// gives the answer's ETag without touching the body (see `answer_tag`).
    template_hash: u64,
    /// `Last-Modified` (an article's last edit), when the answer has one.
    last_modified: Option<HeaderValue>,
    content_type: &'static str,
    /// The clock before the read began.
    stamp: u64,
    /// When it was stored.
    stored_at: std::time::Instant,
    /// What the answer shows.
    scope: Scope,
    /// The body compressed, kept for the tag it was made for (the counts it
    /// shows): a hot answer is compressed once, not on every hit.
    compressed: std::sync::Mutex<Vec<Compressed>>,
    /// For an answer with view counts: its gzip form around the counts,
    /// made on the first hit that accepts gzip and good for any counts
    /// (`None` inside: it could not be made). Counts move with every view,
    /// so a form kept for one tag was made again on nearly every hit of a
    /// story being read.
    spliced: std::sync::OnceLock<Option<SplicedGzip>>,
}

/// One compressed form of an entry's body.
struct Compressed {
    coding: Coding,
    tag: HeaderValue,
    body: Bytes,
}

/// The content codings kept compressed, as `actix_web::middleware::Compress`
/// would choose them (it leaves an answer that names its coding alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
}

/// The content codings a request accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accepted {
    /// The coding `Compress` would choose; `None`: identity.
    preferred: Option<Coding>,
    /// Whether gzip would do, even if brotli is preferred: answers with view
    /// counts are sent spliced gzip (`SplicedGzip`) then.
    gzip: bool,
}

impl Accepted {
    /// What `req` accepts, negotiated as `Compress` does.
    fn of(req: &actix_web::HttpRequest) -> Accepted {
        use actix_web::http::header::{AcceptEncoding, Encoding, Header};
        let Ok(accepted) = AcceptEncoding::parse(req) else {
            return Accepted::default();
        };
        let supported = [Encoding::brotli(), Encoding::gzip(), Encoding::identity()];
        let preferred = match accepted.negotiate(supported.iter()) {
            Some(e) if e == Encoding::brotli() => Some(Coding::Brotli),
            Some(e) if e == Encoding::gzip() => Some(Coding::Gzip),
            _ => None,
        };
        let gzip = preferred == Some(Coding::Gzip)
            || accepted.negotiate(supported[1..].iter()) == Some(Encoding::gzip());
        Accepted { preferred, gzip }
    }

    /// Whether `Compress` would answer `req` in gzip.
    pub fn prefers_gzip(req: &actix_web::HttpRequest) -> bool {
        Accepted::of(req).preferred == Some(Coding::Gzip)
    }

    /// A client that accepts `coding` and prefers it (tests).
    #[cfg(test)]
    fn only(coding: Coding) -> Accepted {
        Accepted {
            preferred: Some(coding),
            gzip: coding == Coding::Gzip,
        }
    }
}

impl Coding {
    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        })
    }

    /// `body` compressed, at `Compress`'s own settings (brotli quality 3,
    /// gzip level 1): a list or feed is compressed again every TTL, and at
    /// level 6 the 150 section and tag feeds of the feed benchmark kept the
    /// workers busy enough to put the p99 at 42 ms.
    fn compress(self, body: &[u8]) -> Bytes {
        use std::io::Write;
        let mut out = Vec::with_capacity(body.len() / 3);
        match self {
            Coding::Brotli => {
                let mut writer = brotli::CompressorWriter::new(&mut out, 32 * 1024, 3, 22);
                let _ = writer.write_all(body);
            }
            Coding::Gzip => {
                if let Some(gzip) = super::gzip::gzip(body) {
                    return gzip;
                }
                let mut writer =
                    flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
                let _ = writer.write_all(body);
                let _ = writer.finish();
            }
        }
        // Kept in the cache: no spare capacity (see `keep`).
        out.shrink_to_fit();
        Bytes::from(out)
    }
}

/// Bodies smaller than this are sent as they are (as `api::http_cache` does).
const MIN_COMPRESSED_BYTES: usize = 1024;

/// Bodies smaller than this are kept as they are: packing them saves little.
const MIN_PACKED_BYTES: usize = 512;

/// A kept body, LZ4-packed when that saves at least a fifth of it. An
/// article's JSON (Arabic text, two bytes a letter) packs about 2.5 times,
/// so the same bound keeps 2.2–2.4 times the articles (an entry's own
/// overhead is not packed): Zipf reads of 100,000 articles hit 0.76–0.78
/// of the time instead of 0.72. Unpacking costs every hit a few
/// microseconds (khabar's CPU per Zipf read on PostgreSQL 0.082 → 0.087–0.097
/// ms, the database's 0.029–0.030 → 0.026–0.029): it buys fewer database
/// reads for the same memory, which matters most when one database serves
/// several nodes.
struct Packed {
    bytes: Bytes,
    /// The body's length unpacked; equal to `bytes.len()` when not packed.
    len: usize,
    packed: bool,
}

impl Packed {
    fn new(body: &[u8]) -> Packed {
        if body.len() >= MIN_PACKED_BYTES {
            let packed = lz4_flex::block::compress(body);
            if packed.len() * 5 <= body.len() * 4 {
                return Packed {
                    // A copy of exactly its length (see `keep`).
                    bytes: Bytes::copy_from_slice(&packed),
                    len: body.len(),
                    packed: true,
                };
            }
        }
        Packed {
            bytes: Bytes::copy_from_slice(body),
            len: body.len(),
            packed: false,
        }
    }

    /// The bytes the cache holds for it.
    fn kept_len(&self) -> usize {
        self.bytes.len()
    }

    /// The body; `None` if it does not unpack (the entry is then a miss).
    fn unpacked(&self) -> Option<Bytes> {
        if !self.packed {
            return Some(self.bytes.clone());
        }
        lz4_flex::block::decompress(&self.bytes, self.len)
            .ok()
            .filter(|body| body.len() == self.len)
            .map(Bytes::from)
    }
}

/// What an answer shows, and so which writes make it stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One article.
    Article(i64),
    /// A list page with these articles.
    List(Vec<i64>),
}

/// How long an entry lives, by what it shows, counted from when it was
/// stored (an entry put back to be weighed again keeps its deadline).
struct ExpiryByScope {
    list: Duration,
    article: Duration,
}

impl moka::Expiry<String, Arc<Entry>> for ExpiryByScope {
    fn expire_after_create(
        &self,
        _key: &String,
        entry: &Arc<Entry>,
        created_at: std::time::Instant,
    ) -> Option<Duration> {
        Some(self.left(entry, created_at))
    }

    /// A replacing answer (a fresher one, or the same one weighed again
    /// with its compressed forms) lives until its own deadline.
    fn expire_after_update(
        &self,
        _key: &String,
        entry: &Arc<Entry>,
        updated_at: std::time::Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        Some(self.left(entry, updated_at))
    }
}

impl ExpiryByScope {
    fn left(&self, entry: &Entry, now: std::time::Instant) -> Duration {
        let ttl = match entry.scope {
            Scope::Article(_) => self.article,
            Scope::List(_) => self.list,
        };
        (entry.stored_at + ttl).saturating_duration_since(now)
    }
}

/// The largest rendered answer (a feed) kept. A feed of fifty stories with
/// their bodies (136 KB) is put together from the kept feed items anyway,
/// took the room of thirty stories, and replacing such answers at the
/// cache's bound left the allocator's pages half used: without them the
/// PostgreSQL server's peak under mixed reads fell from 147-149 to 136 MB.
/// Feeds of fewer items, and JSON answers of any size, are kept.
const MAX_RENDERED_BODY_KEPT: usize = 64 * 1024;

/// Bytes an entry holds besides its key, body and compressed bodies
/// (the entry, its holes and headers, moka's own record), roughly.
const ENTRY_OVERHEAD: usize = 256;

/// What an entry weighs: what it holds now. Compressed forms are made on
/// later hits, and the entry is put back then to be weighed again (a fixed
/// reserve for them had cost a third of the cache's room to clients that
/// never ask for them).
fn weight(key: &str, entry: &Entry) -> u32 {
    let compressed: usize = entry
        .compressed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .map(|c| c.body.len())
        .sum();
    let spliced = entry
        .spliced
        .get()
        .and_then(Option::as_ref)
        .map_or(0, SplicedGzip::kept_len);
    let holes = entry.holes.len() * std::mem::size_of::<Hole>();
    u32::try_from(key.len() + entry.body.kept_len() + compressed + spliced + holes + ENTRY_OVERHEAD)
        .unwrap_or(u32::MAX)
}

/// The clock before a read began (take it before reading the database).
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

/// Admits a key on its second miss within a short while: one-off reads (a
/// uniform crawl of the archive) then cost one atomic store instead of a cache
/// insert and an eviction (measured: inserts cost ~12% of a uniform article
/// read), while anything read twice, which is everything hot, gets cached.
/// Hand-written: moka's own admission filter runs only after the insert.
struct Doorkeeper {
    slots: Vec<std::sync::atomic::AtomicU64>,
    hasher: std::collections::hash_map::RandomState,
}

impl Doorkeeper {
    const SLOTS: usize = 1 << 16;

    fn new() -> Self {
        Doorkeeper {
            slots: (0..Self::SLOTS)
                .map(|_| std::sync::atomic::AtomicU64::new(0))
                .collect(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// True when `key` was seen recently (and so deserves a cache entry).
    fn seen_before(&self, key: &str) -> bool {
        use std::hash::BuildHasher;
        use std::sync::atomic::Ordering::Relaxed;
        let hash = self.hasher.hash_one(key) | 1;
        let slot = &self.slots[(hash as usize) % Self::SLOTS];
        if slot.load(Relaxed) == hash {
            true
        } else {
            slot.store(hash, Relaxed);
            false
        }
    }
}

impl ResponseCache {
    /// A cache keeping answers for `ttl` within `max_bytes`; `ttl` zero disables it.
    pub fn new(ttl: Duration, max_bytes: u64) -> Self {
        Self::with_article_ttl(ttl, ttl, max_bytes)
    }

    /// As `new`, but answers about one article (`Scope::Article`) are kept
    /// for `article_ttl`: every write to an article makes its answers stale
    /// at once (stamps, and other nodes' notifications), and hits show live
    /// view counts, so the TTL of a story is only a safety net, and a hot
    /// story kept for 2 s missed again every 2 s. Lists keep `ttl`: a
    /// scheduled article joins them with no write to tell them.
    pub fn with_article_ttl(ttl: Duration, article_ttl: Duration, max_bytes: u64) -> Self {
        let inner = (!ttl.is_zero() && max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .expire_after(ExpiryByScope {
                    list: ttl,
                    article: article_ttl.max(ttl),
                })
                .max_capacity(max_bytes)
                .weigher(|key: &String, entry: &Arc<Entry>| weight(key, entry))
                .build()
        });
        ResponseCache {
            inner,
            doorkeeper: Doorkeeper::new(),
            clock: AtomicU64::new(0),
            everything_changed_at: AtomicU64::new(0),
            lists_changed_at: AtomicU64::new(0),
            article_changed_at: moka::sync::Cache::builder()
                .max_capacity(MAX_REMEMBERED_WRITES)
                .time_to_live(ttl.max(article_ttl) * 4 + Duration::from_secs(10))
                .build(),
            live_counts: None,
            list_ttl: ttl,
            article_ttl: article_ttl.max(ttl),
            counted_elsewhere_at: std::sync::Mutex::new(None),
            missing: (!ttl.is_zero() && max_bytes > 0).then(|| {
                moka::sync::Cache::builder()
                    .max_capacity(MAX_MISSING_IDS)
                    .time_to_live(ttl)
                    .build()
            }),
        }
    }

    /// Bytes the kept answers weigh now (for `/metrics`).
    pub fn weighed_bytes(&self) -> u64 {
        self.inner.as_ref().map_or(0, |c| {
            // Counted once moka has applied the writes it queued.
            c.run_pending_tasks();
            c.weighted_size()
        })
    }

    /// After another node wrote view counts: the live counts of this node
    /// show only its own views on top of what it last read, so for a while
    /// (the article TTL) answers about an article live only as long as
    /// lists, as a node alone would not need.
    pub fn counted_elsewhere(&self) {
        *self
            .counted_elsewhere_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(std::time::Instant::now());
    }

    /// Whether other nodes have been counting views lately (then stored
    /// counts move under this node's live ones).
    pub fn others_counting(&self) -> bool {
        self.counted_elsewhere_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() < self.article_ttl)
    }

    /// Hits show the live view counts of `views` instead of the counts the
    /// answer was computed with.
    pub fn with_live_counts(mut self, views: Arc<crate::service::views::Views>) -> Self {
        self.live_counts = Some(views);
        self
    }

    /// The clock now, to hand back to `store`.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.clock.load(Ordering::SeqCst))
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// After a write that may change any answer (names of sections or tags).
    pub fn everything_changed(&self) {
        let stamp = self.tick();
        self.everything_changed_at
            .fetch_max(stamp, Ordering::SeqCst);
        if let Some(cache) = &self.inner {
            cache.invalidate_all();
        }
    }

    /// After a write to one article; `lists_too` when it may have changed
    /// which articles lists show or their order (publishing, scheduling,
    /// deleting, a new time, section, tags, authors or language).
    pub fn article_changed(&self, id: i64, lists_too: bool) {
        if self.article_changed_at.entry_count() >= MAX_REMEMBERED_WRITES * 9 / 10 {
            return self.everything_changed();
        }
        let stamp = self.tick();
        self.article_changed_at.insert(id, stamp);
        if lists_too {
            self.lists_changed_at.fetch_max(stamp, Ordering::SeqCst);
        }
    }

    /// After a write that may change which articles lists show, and no
    /// article's own answers (a new article, as nodes of earlier versions
    /// announce it).
    pub fn lists_changed(&self) {
        let stamp = self.tick();
        self.lists_changed_at.fetch_max(stamp, Ordering::SeqCst);
    }

    fn is_fresh(&self, entry: &Entry) -> bool {
        let newer = |stamp: u64| stamp > entry.stamp;
        if newer(self.everything_changed_at.load(Ordering::SeqCst)) {
            return false;
        }
        let articles = match &entry.scope {
            Scope::Article(_)
                if entry.stored_at.elapsed() > self.list_ttl && self.others_counting() =>
            {
                return false;
            }
            Scope::Article(id) => std::slice::from_ref(id),
            Scope::List(ids) => {
                if newer(self.lists_changed_at.load(Ordering::SeqCst)) {
                    return false;
                }
                ids.as_slice()
            }
        };
        !articles
            .iter()
            .any(|id| self.article_changed_at.get(id).is_some_and(newer))
    }

    /// Puts `entry` back under `key`, so that moka weighs what it holds now,
    /// unless another answer has replaced it meanwhile.
    fn reweigh(&self, key: &str, entry: &Arc<Entry>) {
        use moka::ops::compute::Op;
        if let Some(cache) = &self.inner {
            cache
                .entry(key.to_string())
                .and_compute_with(|current| match current {
                    Some(current) if Arc::ptr_eq(current.value(), entry) => Op::Put(entry.clone()),
                    _ => Op::Nop,
                });
        }
    }

    /// Remembers that article `id` was not found for the public by a read
    /// that began at `ticket`.
    pub fn remember_missing(&self, ticket: Ticket, id: i64) {
        if let Some(missing) = &self.missing {
            missing.insert(id, ticket.0);
        }
    }

    /// Whether article `id` was found missing lately, with no write to it
    /// (or to everything) since: then it still answers 404.
    pub fn known_missing(&self, id: i64) -> bool {
        let Some(stamp) = self.missing.as_ref().and_then(|m| m.get(&id)) else {
            return false;
        };
        let newer = |at: u64| at > stamp;
        !newer(self.everything_changed_at.load(Ordering::SeqCst))
            && !self.article_changed_at.get(&id).is_some_and(newer)
    }

    /// A 200 answer from the cache, if there is a fresh one.
    pub fn get(&self, key: &str) -> Option<HttpResponse> {
        self.lookup(key, None, Accepted::default())
    }

    /// The cached answer to `req` (keyed by its path and query): 304 without
    /// a body when its `If-None-Match` names the answer's tag, which is
    /// decided from the stored hash and the live view counts before the body
    /// is filled in; else 200, if there is a fresh answer.
    pub fn answer(&self, req: &actix_web::HttpRequest) -> Option<HttpResponse> {
        let if_none_match = req
            .headers()
            .get(actix_web::http::header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok());
        self.lookup(&req.uri().to_string(), if_none_match, Accepted::of(req))
    }

    fn lookup(
        &self,
        key: &str,
        if_none_match: Option<&str>,
        accepted: Accepted,
    ) -> Option<HttpResponse> {
        let entry = self.inner.as_ref()?.get(key)?;
        if !self.is_fresh(&entry) {
            return None;
        }
        let counts: Vec<i64> = match &self.live_counts {
            Some(views) => entry.holes.iter().map(|h| views.live(h.article)).collect(),
            None => Vec::new(),
        };
        let tag = answer_tag(entry.etag.as_ref(), entry.template_hash, &counts);
        let validators = Validators {
            etag: Some(tag),
            last_modified: entry.last_modified.clone(),
        };
        if let Some(header) = if_none_match {
            if validators
                .etag
                .as_ref()
                .and_then(|t| t.to_str().ok())
                .is_some_and(|tag| crate::api::http_cache::none_match_hits(header, tag))
            {
                return Some(not_modified(validators));
            }
        }
        let tag = validators.etag.clone().expect("a hit has a tag");
        let compressible = entry.body.len >= MIN_COMPRESSED_BYTES;
        if compressible && accepted.gzip && !entry.holes.is_empty() {
            if let Some(body) = self.spliced_gzip(key, &entry, &counts) {
                return Some(compressed_response(
                    body,
                    validators,
                    entry.content_type,
                    Coding::Gzip,
                ));
            }
        }
        let Some(coding) = accepted.preferred.filter(|_| compressible) else {
            let body = entry.filled(&counts)?;
            return Some(json_response(body, validators, entry.content_type, "hit"));
        };
        // Compressed under the lock: hits that arrive meanwhile wait for
        // these bytes instead of compressing the same body too (32
        // connections doing that at once made the p99).
        let mut kept = entry
            .compressed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (body, made) = match kept.iter().find(|c| c.coding == coding && c.tag == tag) {
            Some(c) => (c.body.clone(), false),
            None => {
                let body = coding.compress(&entry.filled(&counts)?);
                kept.retain(|c| c.coding != coding);
                kept.push(Compressed {
                    coding,
                    tag: tag.clone(),
                    body: body.clone(),
                });
                (body, true)
            }
        };
        drop(kept);
        if made {
            self.reweigh(key, &entry);
        }
        Some(compressed_response(
            body,
            validators,
            entry.content_type,
            coding,
        ))
    }

    /// `entry`'s gzip form with `counts` in its holes; the form is made on
    /// the first call (other hits meanwhile wait for it) and weighed then.
    /// `None`: it could not be made.
    fn spliced_gzip(&self, key: &str, entry: &Arc<Entry>, counts: &[i64]) -> Option<Bytes> {
        let mut made = false;
        let spliced = entry.spliced.get_or_init(|| {
            made = true;
            let body = entry.body.unpacked()?;
            let holes: Vec<_> = entry.holes.iter().map(|h| h.start..h.end).collect();
            SplicedGzip::new(&body, &holes)
        });
        if made {
            self.reweigh(key, entry);
        }
        spliced.as_ref()?.with_counts(counts)
    }

    /// Serialises `value`, remembers it under `key` (with its ETag and media
    /// type), and answers 200 with it.
    pub fn store<T: serde::Serialize>(
        &self,
        ticket: Ticket,
        key: String,
        scope: Scope,
        value: &T,
        etag: Option<String>,
        content_type: &'static str,
    ) -> HttpResponse {
        self.store_with_last_modified(ticket, key, scope, value, etag, None, content_type)
    }

    /// `store`, with the time of the content's last change, which is sent as
    /// `Last-Modified` (HTTP date, whole seconds).
    #[allow(clippy::too_many_arguments)]
    pub fn store_with_last_modified<T: serde::Serialize>(
        &self,
        ticket: Ticket,
        key: String,
        scope: Scope,
        value: &T,
        etag: Option<String>,
        last_modified: Option<chrono::DateTime<chrono::Utc>>,
        content_type: &'static str,
    ) -> HttpResponse {
        let body = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
        self.keep(
            ticket,
            key,
            scope,
            body,
            Validators {
                etag: etag.and_then(|t| HeaderValue::from_str(&t).ok()),
                last_modified: last_modified.and_then(http_date),
            },
            content_type,
            true,
        )
    }

    /// `store`, for JSON already written (it shows view counts like any
    /// answer `store` keeps).
    pub fn store_json(
        &self,
        ticket: Ticket,
        key: String,
        scope: Scope,
        body: Vec<u8>,
        content_type: &'static str,
    ) -> HttpResponse {
        self.keep(
            ticket,
            key,
            scope,
            Bytes::from(body),
            Validators {
                etag: None,
                last_modified: None,
            },
            content_type,
            true,
        )
    }

    /// Remembers an answer already rendered (any media type, e.g. a feed's
    /// XML) under `key`, and answers 200 with it. Such a body shows no view
    /// counts: it is served as it was stored.
    pub fn store_rendered(
        &self,
        ticket: Ticket,
        key: String,
        scope: Scope,
        body: Bytes,
        content_type: &'static str,
    ) -> HttpResponse {
        self.keep(
            ticket,
            key,
            scope,
            body,
            Validators {
                etag: None,
                last_modified: None,
            },
            content_type,
            false,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn keep(
        &self,
        ticket: Ticket,
        key: String,
        scope: Scope,
        body: Bytes,
        validators: Validators,
        content_type: &'static str,
        has_counts: bool,
    ) -> HttpResponse {
        let Validators {
            etag,
            last_modified,
        } = validators;
        let holes = match &self.live_counts {
            Some(_) if has_counts => find_holes(&body, &scope),
            _ => Some(Vec::new()),
        };
        // The same tag a hit computes: the template's hash and the counts
        // this body shows. An answer whose counts cannot be told apart gets
        // none here (the middleware hashes its bytes) and is not kept.
        let hashed = holes.map(|holes| {
            let template = template_hash(&body, &holes);
            let counts: Vec<i64> = holes
                .iter()
                .map(|h| {
                    std::str::from_utf8(&body[h.start..h.end])
                        .ok()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0)
                })
                .collect();
            (
                holes,
                template,
                answer_tag(etag.as_ref(), template, &counts),
            )
        });
        let tag = hashed
            .as_ref()
            .map(|(_, _, tag)| tag.clone())
            .or(etag.clone());
        if let (Some(cache), Some((holes, template_hash, _))) = (&self.inner, hashed) {
            let small_enough = has_counts || body.len() <= MAX_RENDERED_BODY_KEPT;
            if small_enough && self.doorkeeper.seen_before(&key) {
                cache.insert(
                    key,
                    Arc::new(Entry {
                        holes,
                        // A copy of exactly its length: a serialiser's buffer
                        // grows by doubling, and kept as it was, a 4.5 KB
                        // article held 8 KB (the cache's memory was 1.6
                        // times what it weighed).
                        body: Packed::new(&body),
                        etag,
                        template_hash,
                        last_modified: last_modified.clone(),
                        content_type,
                        stamp: ticket.0,
                        stored_at: std::time::Instant::now(),
                        scope,
                        compressed: Default::default(),
                        spliced: Default::default(),
                    }),
                );
            }
        }
        json_response(
            body,
            Validators {
                etag: tag,
                last_modified,
            },
            content_type,
            "miss",
        )
    }
}

impl Entry {
    /// The body with these counts in its holes (`None`: it did not unpack).
    fn filled(&self, counts: &[i64]) -> Option<Bytes> {
        let body = self.body.unpacked()?;
        Some(if counts.is_empty() {
            body
        } else {
            fill_holes(&body, &self.holes, counts)
        })
    }
}

/// A hash of `body` without the numbers in `holes` (foldhash with a fixed
/// seed: stable across processes, so every node gives one answer one tag).
fn template_hash(body: &[u8], holes: &[Hole]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = TAG_HASH.build_hasher();
    let mut at = 0;
    for hole in holes {
        hasher.write_usize(hole.start - at);
        hasher.write(&body[at..hole.start]);
        at = hole.end;
    }
    hasher.write(&body[at..]);
    hasher.finish()
}

const TAG_HASH: foldhash::quality::FixedState =
    foldhash::quality::FixedState::with_seed(0x6b68_6162_6172);

/// The strong ETag of an answer: `"h…"`, or `"v7-h…"` for an article (its
/// version in front, for `If-Match`), from the template's hash and the view
/// counts the body shows, so a new count is a new tag.
fn answer_tag(version: Option<&HeaderValue>, template: u64, counts: &[i64]) -> HeaderValue {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = TAG_HASH.build_hasher();
    hasher.write_u64(template);
    for count in counts {
        hasher.write_i64(*count);
    }
    let hash = hasher.finish();
    let tag = match version
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix('"')?.strip_suffix('"'))
    {
        Some(version) => format!("\"{version}-h{hash:016x}\""),
        None => format!("\"h{hash:016x}\""),
    };
    HeaderValue::from_str(&tag).expect("a tag is ASCII")
}

/// 304 Not Modified with the validators of the answer it stands for.
fn not_modified(validators: Validators) -> HttpResponse {
    let mut builder = HttpResponse::NotModified();
    builder
        .insert_header((X_CACHE, HeaderValue::from_static("hit")))
        .insert_header((VARY, HeaderValue::from_static("authorization")));
    if let Some(etag) = validators.etag {
        builder.insert_header((ETAG, etag));
    }
    if let Some(time) = validators.last_modified {
        builder.insert_header((LAST_MODIFIED, time));
    }
    builder.finish()
}

/// `time` as an HTTP date (RFC 9110 §5.6.7), e.g. `Sat, 22 Aug 2020 09:30:00 GMT`.
pub fn http_date(time: chrono::DateTime<chrono::Utc>) -> Option<HeaderValue> {
    let date = actix_web::http::header::HttpDate::from(std::time::SystemTime::from(time));
    HeaderValue::from_str(&date.to_string()).ok()
}

/// The validators an answer carries.
struct Validators {
    etag: Option<HeaderValue>,
    last_modified: Option<HeaderValue>,
}

const VIEW_COUNT_KEY: &str = "\"view_count\":";

/// Where `body` holds view counts, and whose: the one article of an article
/// answer, or a list's items in order. Inside JSON strings every `"` is
/// escaped, so the key can only match real keys. `None` when the places do
/// not match the articles (such an answer is not cached).
fn find_holes(body: &[u8], scope: &Scope) -> Option<Vec<Hole>> {
    // Bytes, not text: the body is serde_json's output (valid UTF-8), and
    // decoding it again cost 5% of an uncached article read.
    let key = VIEW_COUNT_KEY.as_bytes();
    let places: Vec<(usize, usize)> = memchr::memmem::find_iter(body, key)
        .map(|at| {
            let start = at + key.len();
            let digits = body[start..]
                .iter()
                .take_while(|b| b.is_ascii_digit() || **b == b'-')
                .count();
            (start, start + digits)
        })
        .collect();
    if places.is_empty() {
        return Some(Vec::new());
    }
    let articles: &[i64] = match scope {
        Scope::Article(id) => std::slice::from_ref(id),
        Scope::List(ids) => ids,
    };
    if places.len() != articles.len() || places.iter().any(|(s, e)| s == e) {
        return None;
    }
    Some(
        places
            .into_iter()
            .zip(articles)
            .map(|((start, end), article)| Hole {
                start,
                end,
                article: *article,
            })
            .collect(),
    )
}

/// `body` with each hole's number replaced by its count in `counts`.
fn fill_holes(body: &[u8], holes: &[Hole], counts: &[i64]) -> Bytes {
    use std::io::Write;
    let mut out = Vec::with_capacity(body.len() + holes.len() * 4);
    let mut at = 0;
    for (hole, count) in holes.iter().zip(counts) {
        out.extend_from_slice(&body[at..hole.start]);
        let _ = write!(out, "{count}");
        at = hole.end;
    }
    out.extend_from_slice(&body[at..]);
    Bytes::from(out)
}

/// A cached answer's compressed body, with its coding named (so that
/// `Compress` leaves it alone).
fn compressed_response(
    body: Bytes,
    validators: Validators,
    content_type: &'static str,
    coding: Coding,
) -> HttpResponse {
    let mut res = json_response(body, validators, content_type, "hit");
    let headers = res.headers_mut();
    headers.insert(actix_web::http::header::CONTENT_ENCODING, coding.header());
    headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    res
}

fn json_response(
    body: Bytes,
    validators: Validators,
    content_type: &'static str,
    state: &'static str,
) -> HttpResponse {
    let mut builder = HttpResponse::Ok();
    builder
        .insert_header((CONTENT_TYPE, HeaderValue::from_static(content_type)))
        .insert_header((X_CACHE, HeaderValue::from_static(state)))
        // Token holders get another answer from the same URL.
        .insert_header((VARY, HeaderValue::from_static("authorization")));
    if let Some(etag) = validators.etag {
        builder.insert_header((ETAG, etag));
    }
    if let Some(time) = validators.last_modified {
        builder.insert_header((LAST_MODIFIED, time));
    }
    builder.body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = "application/json";

    fn put(cache: &ResponseCache, ticket: Ticket, key: &str, scope: Scope) {
        cache.store(
            ticket,
            key.into(),
            scope,
            &serde_json::json!({"data": 1}),
            Some("\"v1\"".into()),
            JSON,
        );
    }

    #[test]
    fn stores_and_expires() {
        let cache = ResponseCache::new(Duration::from_millis(50), 1 << 20);
        assert!(cache.get("/a").is_none());
        put(&cache, cache.ticket(), "/a", Scope::Article(1));
        assert!(cache.get("/a").is_none(), "a first miss is not admitted");
        put(&cache, cache.ticket(), "/a", Scope::Article(1));
        let hit = cache.get("/a").expect("fresh entry");
        assert_eq!(hit.headers().get(X_CACHE).unwrap(), "hit");
        let tag = hit.headers().get(ETAG).unwrap().to_str().unwrap();
        assert!(tag.starts_with("\"v1-h"), "{tag}");
        std::thread::sleep(Duration::from_millis(80));
        assert!(cache.get("/a").is_none(), "entries expire after the TTL");
    }

    #[test]
    fn rendered_answers_larger_than_the_bound_are_answered_but_not_kept() {
        let cache = ResponseCache::new(Duration::from_secs(60), 1 << 24);
        let large = vec![b'x'; MAX_RENDERED_BODY_KEPT + 1];
        let small = vec![b'x'; MAX_RENDERED_BODY_KEPT];
        for _ in 0..2 {
            let res = cache.store_rendered(
                cache.ticket(),
                "/large".into(),
                Scope::List(vec![]),
                Bytes::from(large.clone()),
                "application/rss+xml",
            );
            assert_eq!(res.status(), 200);
            cache.store_rendered(
                cache.ticket(),
                "/small".into(),
                Scope::List(vec![]),
                Bytes::from(small.clone()),
                "application/rss+xml",
            );
        }
        assert!(cache.get("/large").is_none());
        assert!(cache.get("/small").is_some());
    }

    #[test]
    fn article_answers_outlive_list_answers_until_a_write() {
        let cache = ResponseCache::with_article_ttl(
            Duration::from_millis(600),
            Duration::from_secs(60),
            1 << 20,
        );
        cached(&cache, "/articles/1", Scope::Article(1));
        cached(&cache, "/articles?page=1", Scope::List(vec![1]));
        std::thread::sleep(Duration::from_millis(800));
        assert!(
            cache.get("/articles?page=1").is_none(),
            "lists expire after their TTL"
        );
        assert!(
            cache.get("/articles/1").is_some(),
            "articles are kept longer"
        );
        // Replacing an answer gives it its own lifetime, not what was left.
        cached(&cache, "/articles?page=1", Scope::List(vec![1]));
        std::thread::sleep(Duration::from_millis(400));
        cached(&cache, "/articles?page=1", Scope::List(vec![1]));
        std::thread::sleep(Duration::from_millis(400));
        assert!(
            cache.get("/articles?page=1").is_some(),
            "a replaced answer lives its own TTL"
        );
        cache.article_changed(1, false);
        assert!(
            cache.get("/articles/1").is_none(),
            "a write ends an article's answer at once"
        );
    }

    #[test]
    fn while_other_nodes_count_views_articles_live_as_long_as_lists() {
        let cache = ResponseCache::with_article_ttl(
            Duration::from_millis(300),
            Duration::from_secs(60),
            1 << 20,
        );
        cached(&cache, "/articles/1", Scope::Article(1));
        std::thread::sleep(Duration::from_millis(400));
        assert!(
            cache.get("/articles/1").is_some(),
            "alone, a story lives longer"
        );
        cached(&cache, "/articles/2", Scope::Article(2));
        cache.counted_elsewhere();
        assert!(
            cache.get("/articles/1").is_none(),
            "older than the list TTL: its counts may miss another node's views"
        );
        assert!(cache.get("/articles/2").is_some(), "younger: still served");
    }

    #[test]
    fn missing_ids_are_remembered_until_a_write_to_them_or_the_list_ttl() {
        let cache = ResponseCache::with_article_ttl(
            Duration::from_millis(300),
            Duration::from_secs(60),
            1 << 20,
        );
        assert!(!cache.known_missing(7), "nothing remembered yet");
        let before_read = cache.ticket();
        // A write that lands while the read is under way wins over it.
        cache.article_changed(8, false);
        cache.remember_missing(before_read, 7);
        cache.remember_missing(before_read, 8);
        assert!(cache.known_missing(7));
        assert!(!cache.known_missing(8), "written after the read began");
        cache.article_changed(7, true);
        assert!(!cache.known_missing(7), "created or published since");
        cache.remember_missing(cache.ticket(), 9);
        cache.everything_changed();
        assert!(!cache.known_missing(9), "everything changed");
        cache.remember_missing(cache.ticket(), 10);
        std::thread::sleep(Duration::from_millis(450));
        assert!(
            !cache.known_missing(10),
            "a scheduled article becomes visible with no write: the list TTL bounds it"
        );
        let off = ResponseCache::new(Duration::ZERO, 1 << 20);
        off.remember_missing(off.ticket(), 7);
        assert!(
            !off.known_missing(7),
            "the cache turned off remembers nothing"
        );
    }

    #[test]
    fn rendered_bodies_are_kept_with_their_media_type() {
        let cache = ResponseCache::new(Duration::from_secs(60), 1 << 20);
        let rss = "application/rss+xml; charset=utf-8";
        let xml = Bytes::from_static(b"<rss><view_count>1</view_count></rss>");
        for _ in 0..2 {
            let miss = cache.store_rendered(
                cache.ticket(),
                "/feed".into(),
                Scope::List(vec![4]),
                xml.clone(),
                rss,
            );
            assert_eq!(miss.headers().get(CONTENT_TYPE).unwrap(), rss);
        }
        let hit = cache.get("/feed").expect("kept");
        assert_eq!(hit.headers().get(CONTENT_TYPE).unwrap(), rss);
        assert_eq!(hit.headers().get(X_CACHE).unwrap(), "hit");
        assert!(hit.headers().get(ETAG).is_some());
        // A list's invalidation applies to it as to any list.
        cache.article_changed(4, false);
        assert!(cache.get("/feed").is_none());
    }

    #[test]
    fn zero_ttl_disables() {
        let cache = ResponseCache::new(Duration::ZERO, 1 << 20);
        put(&cache, cache.ticket(), "/a", Scope::Article(1));
        put(&cache, cache.ticket(), "/a", Scope::Article(1));
        assert!(cache.get("/a").is_none());
    }

    fn cached(cache: &ResponseCache, key: &str, scope: Scope) {
        put(cache, cache.ticket(), key, scope.clone());
        put(cache, cache.ticket(), key, scope);
        assert!(cache.get(key).is_some(), "{key} cached");
    }

    #[test]
    fn a_write_makes_stale_exactly_what_shows_it() {
        let cache = ResponseCache::new(Duration::from_secs(60), 1 << 20);
        cached(&cache, "/articles/1", Scope::Article(1));
        cached(&cache, "/articles/2", Scope::Article(2));
        cached(&cache, "/list-with-1", Scope::List(vec![3, 1]));
        cached(&cache, "/list-without-1", Scope::List(vec![3, 4]));
        // A content edit of article 1: its page and the lists showing it.
        cache.article_changed(1, false);
        assert!(cache.get("/articles/1").is_none());
        assert!(cache.get("/list-with-1").is_none());
        assert!(cache.get("/articles/2").is_some());
        assert!(cache.get("/list-without-1").is_some());
        // A change of membership: every list, no other article.
        cache.article_changed(2, true);
        assert!(cache.get("/list-without-1").is_none());
        assert!(cache.get("/articles/2").is_none());
        cached(&cache, "/list", Scope::List(vec![3]));
        cached(&cache, "/articles/3", Scope::Article(3));
        cache.lists_changed();
        assert!(cache.get("/list").is_none());
        assert!(cache.get("/articles/3").is_some());
        cached(&cache, "/articles/5", Scope::Article(5));
        cache.everything_changed();
        assert!(cache.get("/articles/5").is_none());
    }

    #[test]
    fn view_counts_are_found_in_order_and_only_as_keys() {
        let body = br#"{"data":[{"id":3,"title":"\"view_count\":9","view_count":12},{"id":1,"view_count":0}]}"#;
        let holes = find_holes(body, &Scope::List(vec![3, 1])).unwrap();
        assert_eq!(holes.len(), 2);
        assert_eq!(holes[0].article, 3);
        assert_eq!(&body[holes[0].start..holes[0].end], b"12");
        let counts: Vec<i64> = holes.iter().map(|h| h.article * 1000).collect();
        let filled = fill_holes(&Bytes::from_static(body), &holes, &counts);
        let value: serde_json::Value = serde_json::from_slice(&filled).unwrap();
        assert_eq!(value["data"][0]["view_count"], 3000);
        assert_eq!(value["data"][0]["title"], "\"view_count\":9");
        assert_eq!(value["data"][1]["view_count"], 1000);
        // Sparse answers without the field have nothing to fill.
        assert_eq!(
            find_holes(br#"{"data":[{"id":3}]}"#, &Scope::List(vec![3])),
            Some(vec![])
        );
        // Places that do not match the articles: not cacheable.
        assert_eq!(find_holes(body, &Scope::List(vec![3])), None);
    }

    #[test]
    fn a_read_that_straddles_a_write_is_never_served() {
        let cache = ResponseCache::new(Duration::from_secs(60), 1 << 20);
        cached(&cache, "/a", Scope::Article(7));
        // A read starts, a write lands and is answered, the read stores late.
        let before_write = cache.ticket();
        cache.article_changed(7, false);
        assert!(cache.get("/a").is_none(), "the write made it stale");
        put(&cache, before_write, "/a", Scope::Article(7));
        put(&cache, before_write, "/a", Scope::Article(7));
        assert!(
            cache.get("/a").is_none(),
            "the straddling read is not served"
        );
        put(&cache, cache.ticket(), "/a", Scope::Article(7));
        assert!(
            cache.get("/a").is_some(),
            "a read after the write is cached"
        );
    }

    #[test]
    fn a_hit_is_revalidated_before_its_body_is_made_and_tags_agree_with_misses() {
        let cache = ResponseCache::new(Duration::from_secs(60), 1 << 20);
        let miss = cache.store(
            cache.ticket(),
            "/a".into(),
            Scope::Article(1),
            &serde_json::json!({"data": 1}),
            Some("\"v1\"".into()),
            JSON,
        );
        let tag = miss.headers().get(ETAG).unwrap().clone();
        assert!(tag.to_str().unwrap().starts_with("\"v1-h"));
        put(&cache, cache.ticket(), "/a", Scope::Article(1));
        let request = |inm: Option<&str>| {
            let mut req = actix_web::test::TestRequest::get().uri("/a");
            if let Some(inm) = inm {
                req = req.insert_header(("if-none-match", inm));
            }
            req.to_http_request()
        };
        // `put` stored the same body and version: the same tag, hit or miss.
        let hit = cache.answer(&request(None)).expect("cached");
        assert_eq!(hit.status(), 200);
        assert_eq!(hit.headers().get(ETAG).unwrap(), &tag);
        let revalidated = cache
            .answer(&request(Some(tag.to_str().unwrap())))
            .expect("cached");
        assert_eq!(revalidated.status(), 304);
        assert_eq!(revalidated.headers().get(ETAG).unwrap(), &tag);
        let other = cache.answer(&request(Some("\"v1-h0\""))).unwrap();
        assert_eq!(other.status(), 200);
        // Another body under the same version: another tag.
        let changed = cache.store(
            cache.ticket(),
            "/b".into(),
            Scope::Article(1),
            &serde_json::json!({"data": 2}),
            Some("\"v1\"".into()),
            JSON,
        );
        assert_ne!(changed.headers().get(ETAG).unwrap(), &tag);
    }

    #[test]
    fn tags_follow_the_counts_and_not_only_the_template() {
        let holes = |body: &[u8]| find_holes(body, &Scope::Article(1)).unwrap();
        let a = br#"{"view_count":12,"t":"x"}"#;
        let b = br#"{"view_count":13,"t":"x"}"#;
        let c = br#"{"view_count":12,"t":"y"}"#;
        let (ha, hb, hc) = (holes(a), holes(b), holes(c));
        assert_eq!(template_hash(a, &ha), template_hash(b, &hb));
        assert_ne!(template_hash(a, &ha), template_hash(c, &hc));
        let t = template_hash(a, &ha);
        assert_ne!(answer_tag(None, t, &[12]), answer_tag(None, t, &[13]));
        assert_eq!(answer_tag(None, t, &[12]), answer_tag(None, t, &[12]));
    }

    #[test]
    fn entries_weigh_what_they_hold_and_keep_their_deadline_when_weighed_again() {
        let cache = ResponseCache::new(Duration::from_millis(1000), 1 << 20);
        let big = serde_json::json!({"data": "خبر ".repeat(1000)});
        for _ in 0..2 {
            cache.store(
                cache.ticket(),
                "/big".into(),
                Scope::List(vec![1]),
                &big,
                None,
                JSON,
            );
        }
        let inner = cache.inner.as_ref().unwrap();
        let weighed = || {
            inner.run_pending_tasks();
            inner.weighted_size() as usize
        };
        let plain = serde_json::to_vec(&big).unwrap();
        let packed = lz4_flex::block::compress(&plain).len();
        let before = weighed();
        assert!(
            before >= packed && before < packed + 2 * ENTRY_OVERHEAD,
            "{before} for a body of {} bytes packed in {packed}: no reserve for forms not made",
            plain.len()
        );
        std::thread::sleep(Duration::from_millis(600));
        use actix_web::body::MessageBody;
        let gzip = cache
            .lookup("/big", None, Accepted::only(Coding::Gzip))
            .expect("cached");
        let gzip_len = gzip.into_body().try_into_bytes().unwrap().len();
        assert_eq!(
            weighed(),
            before + gzip_len,
            "the gzip form is weighed once made"
        );
        std::thread::sleep(Duration::from_millis(600));
        assert!(
            cache.get("/big").is_none(),
            "weighed again, it still expires when it was stored plus the TTL"
        );
    }

    #[test]
    fn bodies_are_kept_packed_when_that_saves_a_fifth_and_unpack_to_themselves() {
        let article = serde_json::to_vec(&serde_json::json!({
            "title": "وزير الدفاع يزور المدرسة ",
            "body": "قال الوزير إن التعاون بين البلدين مستمر. ".repeat(60),
        }))
        .unwrap();
        let kept = Packed::new(&article);
        assert!(kept.packed, "an article is packed");
        assert!(kept.kept_len() * 2 < article.len(), "{}", kept.kept_len());
        assert_eq!(kept.unpacked().unwrap(), article);
        // Small bodies, and bodies that do not pack, are kept as they are.
        let small = br#"{"data":[]}"#;
        assert!(!Packed::new(small).packed);
        assert_eq!(Packed::new(small).unpacked().unwrap(), &small[..]);
        let mut noise = vec![0u8; 4096];
        let mut x: u32 = 0x9e37_79b9;
        for byte in noise.iter_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *byte = x as u8;
        }
        let kept = Packed::new(&noise);
        assert!(!kept.packed);
        assert_eq!(kept.kept_len(), noise.len());
        assert_eq!(kept.unpacked().unwrap(), noise);
        // Bytes that do not unpack to their length are a miss, not a panic.
        let broken = Packed {
            bytes: Bytes::from_static(b"\xff\xff\xff"),
            len: 100,
            packed: true,
        };
        assert!(broken.unpacked().is_none());
    }

    #[test]
    fn answers_with_view_counts_are_spliced_gzip_made_once_for_any_count() {
        use actix_web::body::MessageBody;
        use std::io::Read;
        let views = Arc::new(crate::service::views::Views::new(
            Default::default(),
            chrono_tz::UTC,
        ));
        views.load(&[crate::repo::views::CounterRow {
            id: 1,
            status: "published".into(),
            published_at: Some(chrono::DateTime::UNIX_EPOCH.naive_utc()),
            deleted_at: None,
            view_count: Some(41),
        }]);
        let cache =
            ResponseCache::new(Duration::from_secs(60), 1 << 20).with_live_counts(views.clone());
        let story = |count: i64| serde_json::json!({"data": {"id": 1, "view_count": count, "body": "خبر ".repeat(1000)}});
        for _ in 0..2 {
            cache.store(
                cache.ticket(),
                "/story".into(),
                Scope::Article(1),
                &story(41),
                None,
                JSON,
            );
        }
        let browser = Accepted {
            preferred: Some(Coding::Brotli),
            gzip: true,
        };
        let gunzip = |res: HttpResponse| {
            assert_eq!(
                res.headers()
                    .get(actix_web::http::header::CONTENT_ENCODING)
                    .unwrap(),
                "gzip"
            );
            let bytes = res.into_body().try_into_bytes().unwrap();
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut plain)
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&plain).unwrap()
        };
        let first = gunzip(cache.lookup("/story", None, browser).expect("cached"));
        assert_eq!(first, story(41));
        let entry = cache.inner.as_ref().unwrap().get("/story").unwrap();
        let made = entry.spliced.get().unwrap().as_ref().unwrap() as *const SplicedGzip;
        for count in 42..45 {
            let ip = std::net::IpAddr::from([10, 0, 0, count as u8]);
            views.record(1, ip, "Mozilla/5.0 Firefox/120.0").unwrap();
            let res = cache.lookup("/story", None, browser).expect("cached");
            assert_eq!(gunzip(res), story(count));
        }
        let entry = cache.inner.as_ref().unwrap().get("/story").unwrap();
        assert_eq!(
            entry.spliced.get().unwrap().as_ref().unwrap() as *const SplicedGzip,
            made,
            "the form is made once, not for every count"
        );
        assert!(
            entry.compressed.lock().unwrap().is_empty(),
            "no form for one tag"
        );
        // A client that takes brotli only still gets brotli.
        let res = cache
            .lookup("/story", None, Accepted::only(Coding::Brotli))
            .unwrap();
        assert_eq!(
            res.headers()
                .get(actix_web::http::header::CONTENT_ENCODING)
                .unwrap(),
            "br"
        );
    }

    #[test]
    fn a_hit_is_compressed_once_per_tag() {
        use actix_web::body::MessageBody;
        let cache = ResponseCache::new(Duration::from_secs(60), 1 << 20);
        let big = serde_json::json!({"data": "خبر ".repeat(1000)});
        for _ in 0..2 {
            cache.store(
                cache.ticket(),
                "/big".into(),
                Scope::Article(1),
                &big,
                None,
                JSON,
            );
        }
        let body = |coding| {
            let res = cache.lookup("/big", None, coding).expect("cached");
            let encoding = res
                .headers()
                .get(actix_web::http::header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap().to_string());
            (encoding, res.into_body().try_into_bytes().unwrap())
        };
        let (encoding, first) = body(Accepted::only(Coding::Gzip));
        assert_eq!(encoding.as_deref(), Some("gzip"));
        let (_, again) = body(Accepted::only(Coding::Gzip));
        assert_eq!(first.as_ptr(), again.as_ptr(), "the kept bytes");
        let (encoding, brotli) = body(Accepted::only(Coding::Brotli));
        assert_eq!(encoding.as_deref(), Some("br"));
        assert_ne!(first, brotli);
        let (encoding, plain) = body(Accepted::default());
        assert_eq!(encoding, None);
        assert_eq!(plain, serde_json::to_vec(&big).unwrap());
        // Small answers are left to the middleware (which sends them as they are).
        let small = serde_json::json!({"data": 1});
        for _ in 0..2 {
            cache.store(
                cache.ticket(),
                "/small".into(),
                Scope::Article(2),
                &small,
                None,
                JSON,
            );
        }
        let res = cache
            .lookup("/small", None, Accepted::only(Coding::Gzip))
            .unwrap();
        assert!(res
            .headers()
            .get(actix_web::http::header::CONTENT_ENCODING)
            .is_none());
    }
}
