//! A short-lived cache of whole JSON answers (a "micro-cache"): news traffic
//! piles onto the same few lists and stories, and an answer a second or two
//! old is what a CDN would serve anyway. Keyed by path and query; bounded by
//! bytes; off when the TTL is zero. Errors are never cached.
//!
//! Writes invalidate it through a generation counter: an answer is served only
//! if it was computed in the current generation, so a read that started
//! before a write and finished after it can never be served once the write
//! has been answered.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE, ETAG};
use actix_web::web::Bytes;
use actix_web::HttpResponse;

/// `X-Cache: hit|miss`, for operators and benchmarks.
pub const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// Cached JSON bodies.
pub struct ResponseCache {
    inner: Option<moka::sync::Cache<String, Arc<Entry>>>,
    doorkeeper: Doorkeeper,
    generation: AtomicU64,
}

/// One remembered answer.
struct Entry {
    body: Bytes,
    etag: Option<HeaderValue>,
    content_type: &'static str,
    generation: u64,
}

/// The generation a read started in (take it before reading the database).
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
        let inner = (!ttl.is_zero() && max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .time_to_live(ttl)
                .max_capacity(max_bytes)
                .weigher(|key: &String, entry: &Arc<Entry>| {
                    u32::try_from(key.len() + entry.body.len()).unwrap_or(u32::MAX)
                })
                .build()
        });
        ResponseCache {
            inner,
            doorkeeper: Doorkeeper::new(),
            generation: AtomicU64::new(0),
        }
    }

    /// The current generation, to hand back to `store`.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.generation.load(Ordering::SeqCst))
    }

    /// Forgets every answer (after a write that readers can see).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Some(cache) = &self.inner {
            cache.invalidate_all();
        }
    }

    /// A 200 answer from the cache, if there is a fresh one of this generation.
    pub fn get(&self, key: &str) -> Option<HttpResponse> {
        let entry = self.inner.as_ref()?.get(key)?;
        if entry.generation != self.generation.load(Ordering::SeqCst) {
            return None;
        }
        Some(json_response(
            entry.body.clone(),
            entry.etag.clone(),
            entry.content_type,
            "hit",
        ))
    }

    /// Serialises `value`, remembers it under `key` (with its ETag and media
    /// type), and answers 200 with it.
    pub fn store<T: serde::Serialize>(
        &self,
        ticket: Ticket,
        key: String,
        value: &T,
        etag: Option<String>,
        content_type: &'static str,
    ) -> HttpResponse {
        let body = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
        let etag = etag.and_then(|t| HeaderValue::from_str(&t).ok());
        if let Some(cache) = &self.inner {
            if self.doorkeeper.seen_before(&key) {
                cache.insert(
                    key,
                    Arc::new(Entry {
                        body: body.clone(),
                        etag: etag.clone(),
                        content_type,
                        generation: ticket.0,
                    }),
                );
            }
        }
        json_response(body, etag, content_type, "miss")
    }
}

fn json_response(
    body: Bytes,
    etag: Option<HeaderValue>,
    content_type: &'static str,
    state: &'static str,
) -> HttpResponse {
    let mut builder = HttpResponse::Ok();
    builder
        .insert_header((CONTENT_TYPE, HeaderValue::from_static(content_type)))
        .insert_header((X_CACHE, HeaderValue::from_static(state)));
    if let Some(etag) = etag {
        builder.insert_header((ETAG, etag));
    }
    builder.body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = "application/json";

    #[test]
    fn stores_and_expires() {
        let cache = ResponseCache::new(Duration::from_millis(50), 1 << 20);
        assert!(cache.get("/a").is_none());
        cache.store(
            cache.ticket(),
            "/a".into(),
            &serde_json::json!({"data": 1}),
            None,
            JSON,
        );
        assert!(cache.get("/a").is_none(), "a first miss is not admitted");
        cache.store(
            cache.ticket(),
            "/a".into(),
            &serde_json::json!({"data": 1}),
            None,
            JSON,
        );
        let hit = cache.get("/a").expect("fresh entry");
        assert_eq!(hit.headers().get(X_CACHE).unwrap(), "hit");
        std::thread::sleep(Duration::from_millis(80));
        assert!(cache.get("/a").is_none(), "entries expire after the TTL");
    }

    #[test]
    fn zero_ttl_disables() {
        let cache = ResponseCache::new(Duration::ZERO, 1 << 20);
        cache.store(
            cache.ticket(),
            "/a".into(),
            &serde_json::json!({}),
            None,
            JSON,
        );
        assert!(cache.get("/a").is_none());
    }

    #[test]
    fn a_read_that_straddles_a_write_is_never_served() {
        let cache = ResponseCache::new(Duration::from_secs(60), 1 << 20);
        let value = serde_json::json!({"data": "old"});
        cache.store(cache.ticket(), "/a".into(), &value, None, JSON);
        cache.store(
            cache.ticket(),
            "/a".into(),
            &value,
            Some("\"v1\"".into()),
            JSON,
        );
        let hit = cache.get("/a").expect("cached");
        assert_eq!(hit.headers().get(ETAG).unwrap(), "\"v1\"");
        // A read starts, a write lands and is answered, the read stores late.
        let before_write = cache.ticket();
        cache.invalidate();
        assert!(cache.get("/a").is_none(), "the write invalidated it");
        cache.store(before_write, "/a".into(), &value, None, JSON);
        assert!(
            cache.get("/a").is_none(),
            "the straddling read is not served"
        );
        cache.store(cache.ticket(), "/a".into(), &value, None, JSON);
        assert!(
            cache.get("/a").is_some(),
            "a read after the write is cached"
        );
    }
}
