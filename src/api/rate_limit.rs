//! Rate limits per client, with the IETF `RateLimit-Policy` and `RateLimit`
//! headers (draft-ietf-httpapi-ratelimit-headers): partner tokens (on by
//! default) and anonymous readers by address (off by default: a CDN or a
//! carrier NAT puts thousands of readers behind one address). Comment posts
//! have their own flood control (`service::comments`) and view beacons are
//! deduplicated instead.
//!
//! GCRA from the `governor` crate: a quota of `q` requests per window `w`
//! lets a burst of `q` through, then one every `w / q`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::HttpMessage;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};

/// `RateLimit-Policy`.
pub const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
/// `RateLimit`.
pub const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// Every quota's window.
pub const WINDOW: Duration = Duration::from_secs(60);

type Keyed<K> = RateLimiter<
    K,
    governor::state::keyed::DefaultKeyedStateStore<K>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// Where a client stands against one policy, for the response headers.
#[derive(Debug, Clone)]
pub struct Budget {
    /// The policy's name (`partner`, `anonymous`, `comments`).
    pub policy: &'static str,
    /// Requests per window.
    pub quota: u32,
    /// The window, in seconds.
    pub window_secs: u64,
    /// Requests left now.
    pub remaining: u32,
    /// Seconds until the budget is whole again (or, when exhausted, until
    /// the next request is let through).
    pub reset_secs: u64,
}

impl Budget {
    /// Writes `RateLimit-Policy` and `RateLimit` (structured fields).
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let policy = format!(
            "\"{}\";q={};w={}",
            self.policy, self.quota, self.window_secs
        );
        let state = format!(
            "\"{}\";r={};t={}",
            self.policy, self.remaining, self.reset_secs
        );
        if let (Ok(p), Ok(s)) = (
            HeaderValue::from_str(&policy),
            HeaderValue::from_str(&state),
        ) {
            headers.insert(RATELIMIT_POLICY, p);
            headers.insert(RATELIMIT, s);
        }
    }

    /// Keeps this budget on the request, so the response gets its headers
    /// (see `api::middleware`), an error response too.
    pub fn attach(self, req: &impl HttpMessage) {
        req.extensions_mut().insert(self);
    }
}

/// Seconds, rounded up (a client told 0 would retry at once).
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// One policy: a quota per key.
pub struct Limiter<K: std::hash::Hash + Eq + Clone> {
    policy: &'static str,
    quota: u32,
    limiter: Keyed<K>,
    clock: DefaultClock,
}

impl<K: std::hash::Hash + Eq + Clone> Limiter<K> {
    /// `per_window` requests per [`WINDOW`]; `None` when 0 (off).
    pub fn new(policy: &'static str, per_window: u32) -> Option<Self> {
        let quota = NonZeroU32::new(per_window)?;
        Some(Limiter {
            policy,
            quota: per_window,
            limiter: RateLimiter::dashmap(Quota::per_minute(quota))
                .with_middleware::<StateInformationMiddleware>(),
            clock: DefaultClock::default(),
        })
    }

    /// Takes one request from `key`'s budget: its budget after it, or, over
    /// the limit, the budget (none left) and the seconds to wait.
    pub fn check(&self, key: &K) -> Result<Budget, (Budget, u64)> {
        let interval = WINDOW / self.quota;
        match self.limiter.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Ok(Budget {
                    policy: self.policy,
                    quota: self.quota,
                    window_secs: WINDOW.as_secs(),
                    remaining,
                    reset_secs: ceil_secs(interval * (self.quota - remaining)),
                })
            }
            Err(not_until) => {
                let wait = ceil_secs(not_until.wait_time_from(self.clock.now())).max(1);
                Err((
                    Budget {
                        policy: self.policy,
                        quota: self.quota,
                        window_secs: WINDOW.as_secs(),
                        remaining: 0,
                        reset_secs: wait,
                    },
                    wait,
                ))
            }
        }
    }

    /// Forgets keys whose budget is whole again (bounds the memory a flood
    /// of distinct clients can take to those of the last window).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Every limit of the server.
pub struct RateLimits {
    /// Per partner token (by token id).
    pub partner: Option<Limiter<i64>>,
    /// Per anonymous client address, on reads.
    pub anonymous: Option<Limiter<IpAddr>>,
}

impl RateLimits {
    /// From the per-minute quotas (0: off).
    pub fn new(partner_per_minute: u32, anonymous_per_minute: u32) -> Self {
        RateLimits {
            partner: Limiter::new("partner", partner_per_minute),
            anonymous: Limiter::new("anonymous", anonymous_per_minute),
        }
    }

    /// Forgets idle clients of every policy.
    pub fn forget_idle(&self) {
        if let Some(l) = &self.partner {
            l.forget_idle();
        }
        if let Some(l) = &self.anonymous {
            l.forget_idle();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_the_quota_then_429_with_the_wait() {
        let limiter: Limiter<u8> = Limiter::new("partner", 3).unwrap();
        let remaining: Vec<u32> = (0..3)
            .map(|_| limiter.check(&1).unwrap().remaining)
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        let (budget, wait) = limiter.check(&1).unwrap_err();
        assert_eq!(budget.remaining, 0);
        assert!((1..=20).contains(&wait), "{wait}");
        // Another key has its own budget.
        assert_eq!(limiter.check(&2).unwrap().remaining, 2);
        assert!(Limiter::<u8>::new("off", 0).is_none());
        let mut headers = HeaderMap::new();
        budget.write_headers(&mut headers);
        assert_eq!(
            headers.get(RATELIMIT_POLICY).unwrap(),
            "\"partner\";q=3;w=60"
        );
        assert_eq!(
            headers.get(RATELIMIT).unwrap().to_str().unwrap(),
            format!("\"partner\";r=0;t={wait}")
        );
    }
}
