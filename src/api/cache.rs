//! A short-lived cache of whole JSON answers (a "micro-cache"): news traffic
//! piles onto the same few lists and stories, and an answer a second or two
//! old is what a CDN would serve anyway. Keyed by path and query; bounded by
//! bytes; off when the TTL is zero. Errors are never cached.

use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::web::Bytes;
use actix_web::HttpResponse;

/// `X-Cache: hit|miss`, for operators and benchmarks.
pub const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// Cached JSON bodies.
pub struct ResponseCache {
    inner: Option<moka::sync::Cache<String, Bytes>>,
    doorkeeper: Doorkeeper,
}

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
                .weigher(|key: &String, body: &Bytes| {
                    u32::try_from(key.len() + body.len()).unwrap_or(u32::MAX)
                })
                .build()
        });
        ResponseCache {
            inner,
            doorkeeper: Doorkeeper::new(),
        }
    }

    /// A 200 answer from the cache, if there is a fresh one.
    pub fn get(&self, key: &str) -> Option<HttpResponse> {
        let body = self.inner.as_ref()?.get(key)?;
        Some(json_response(body, "hit"))
    }

    /// Serialises `value`, remembers it under `key`, and answers 200 with it.
    pub fn store<T: serde::Serialize>(&self, key: String, value: &T) -> HttpResponse {
        let body = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
        if let Some(cache) = &self.inner {
            if self.doorkeeper.seen_before(&key) {
                cache.insert(key, body.clone());
            }
        }
        json_response(body, "miss")
    }
}

fn json_response(body: Bytes, state: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
        .insert_header((X_CACHE, HeaderValue::from_static(state)))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_expires() {
        let cache = ResponseCache::new(Duration::from_millis(50), 1 << 20);
        assert!(cache.get("/a").is_none());
        cache.store("/a".into(), &serde_json::json!({"data": 1}));
        assert!(cache.get("/a").is_none(), "a first miss is not admitted");
        cache.store("/a".into(), &serde_json::json!({"data": 1}));
        let hit = cache.get("/a").expect("fresh entry");
        assert_eq!(hit.headers().get(X_CACHE).unwrap(), "hit");
        std::thread::sleep(Duration::from_millis(80));
        assert!(cache.get("/a").is_none(), "entries expire after the TTL");
    }

    #[test]
    fn zero_ttl_disables() {
        let cache = ResponseCache::new(Duration::ZERO, 1 << 20);
        cache.store("/a".into(), &serde_json::json!({}));
        assert!(cache.get("/a").is_none());
    }
}
