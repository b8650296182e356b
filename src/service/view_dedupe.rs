//! The (client, article) pairs whose view was counted lately: a repeat
//! within the dedupe window is not counted again.
//!
//! Each pair is a 16-byte salted hash (`service::views`), kept in plain hash
//! sets by generation: a generation collects the pairs first seen during
//! half the window, and the three newest are kept, so a repeat within the
//! window is always found and a pair is forgotten between one window and one
//! and a half after its first view (never later). Past the bound (a third of
//! it a generation) the oldest generation goes early. A pair costs 17–34 bytes here (the key and
//! hashbrown's control byte, tables at 7/8 load grown by doubling); in the
//! moka cache this replaces it cost about 320 bytes of RSS (a key, a
//! timer-wheel and a deque node, and the frequency sketch per entry), so the
//! default 300,000 pairs took ~100 MB, two thirds of the server's memory
//! target. Hand-written: no cache crate keeps a bounded set of expiring keys
//! at a key's own size.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Independent locks, so that beacons on both workers rarely wait.
const SHARDS: usize = 16;

/// Generations kept per shard: two whole ones besides the one collecting.
const GENERATIONS: usize = 3;

/// The pairs counted lately; see the module's description.
pub struct ViewDedupe {
    shards: Box<[Mutex<Shard>]>,
    /// How long a generation collects pairs: half the window.
    span: Duration,
    /// Most pairs a generation of a shard collects: at the bound a full
    /// collecting generation starts the next one early, so a shard never
    /// holds more than `GENERATIONS` times this.
    generation_capacity: usize,
}

struct Shard {
    /// Newest first; `sets[0]` collects.
    sets: [HashSet<u128, KeyIsHash>; GENERATIONS],
    /// When `sets[0]` began collecting.
    started: Instant,
}

impl ViewDedupe {
    /// Remembers pairs for at least `window` (and at most half as long
    /// again), `capacity` pairs at most (rounded down to a whole number per
    /// generation of each shard, and never fewer than one: a bound under 48
    /// holds up to 48).
    pub fn new(window: Duration, capacity: u64) -> Self {
        let now = Instant::now();
        ViewDedupe {
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Shard {
                        sets: Default::default(),
                        started: now,
                    })
                })
                .collect(),
            span: (window / 2).max(Duration::from_millis(1)),
            generation_capacity: (usize::try_from(capacity).unwrap_or(usize::MAX)
                / (SHARDS * GENERATIONS))
                .max(1),
        }
    }

    /// True when `pair` was not seen within the window (it is remembered
    /// from now on); false for a repeat.
    pub fn first_seen(&self, pair: u128) -> bool {
        self.first_seen_at(pair, Instant::now())
    }

    fn first_seen_at(&self, pair: u128, now: Instant) -> bool {
        // The pairs are hashes: any of their bits picks a shard evenly.
        let shard = &self.shards[(pair >> 64) as usize % SHARDS];
        let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
        shard.advance(now, self.span);
        if shard.sets.iter().any(|set| set.contains(&pair)) {
            return false;
        }
        if shard.sets[0].len() >= self.generation_capacity {
            shard.rotate(now);
        }
        shard.sets[0].insert(pair);
        true
    }

    /// Pairs held now (a shard drops expired generations when next used).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).len())
            .sum()
    }

    /// Whether no pair is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Shard {
    fn len(&self) -> usize {
        self.sets.iter().map(HashSet::len).sum()
    }

    /// Starts the generations due by `now`: one per whole span since the
    /// collecting one began (all of them after a long quiet).
    fn advance(&mut self, now: Instant, span: Duration) {
        let elapsed = now.saturating_duration_since(self.started);
        if elapsed < span {
            return;
        }
        let due = elapsed.as_nanos() / span.as_nanos();
        if due >= GENERATIONS as u128 {
            self.sets = Default::default();
            self.started = now;
            return;
        }
        for _ in 0..due {
            self.rotate(self.started + span);
        }
    }

    /// A new collecting generation from `at`; the oldest is dropped (its
    /// memory freed, not kept for reuse).
    fn rotate(&mut self, at: Instant) {
        self.sets.rotate_right(1);
        self.sets[0] = HashSet::default();
        self.started = at;
    }
}

/// The pairs are salted SHA-256 prefixes, uniformly spread: their low 64
/// bits are the hash (SipHash over them cost time for nothing).
#[derive(Default, Clone, Copy)]
struct KeyIsHash;

impl std::hash::BuildHasher for KeyIsHash {
    type Hasher = LowBits;
    fn build_hasher(&self) -> LowBits {
        LowBits(0)
    }
}

#[derive(Default)]
struct LowBits(u64);

impl std::hash::Hasher for LowBits {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u128` is used; anything else is folded in, in order.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(n: u64) -> u128 {
        // Spread as the real hashes are.
        let h = u128::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
        h ^ (h >> 61)
    }

    #[test]
    fn repeats_within_the_window_are_found_and_forgotten_by_one_and_a_half() {
        let window = Duration::from_secs(60);
        let dedupe = ViewDedupe::new(window, 1_000_000);
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        assert!(dedupe.first_seen_at(pair(1), at(0)));
        assert!(dedupe.first_seen_at(pair(2), at(29)));
        for secs in [0, 1, 30, 45, 59] {
            assert!(!dedupe.first_seen_at(pair(1), at(secs)), "{secs}s");
        }
        // A repeat does not extend the window of the first view.
        assert!(!dedupe.first_seen_at(pair(2), at(88)));
        assert!(
            dedupe.first_seen_at(pair(1), at(91)),
            "forgotten by 1.5 windows"
        );
        assert!(dedupe.first_seen_at(pair(2), at(91)));
        // Every pair is found for a whole window after its first view,
        // whenever within a generation it came.
        let dedupe = ViewDedupe::new(window, 1_000_000);
        let mut t = at(1_000);
        for n in 0..200u64 {
            assert!(dedupe.first_seen_at(pair(n), t));
            let last = t + window - Duration::from_millis(1);
            assert!(!dedupe.first_seen_at(pair(n), last), "{n}");
            t += window + Duration::from_millis(n * 7_919 % 30_000);
        }
        // After a long quiet, nothing is remembered.
        for n in [0, 198, 199] {
            assert!(dedupe.first_seen_at(pair(n), t + window * 10), "{n}");
        }
    }

    #[test]
    fn memory_is_bounded_and_the_oldest_go_first() {
        let dedupe = ViewDedupe::new(Duration::from_secs(1_800), 1_600);
        let now = Instant::now();
        for n in 0..100_000u64 {
            assert!(dedupe.first_seen_at(pair(n), now));
        }
        assert!(dedupe.len() <= 1_600, "{}", dedupe.len());
        assert!(dedupe.len() >= 1_600 / 2, "{}", dedupe.len());
        assert!(!dedupe.first_seen_at(pair(99_999), now), "the newest stay");
        assert!(dedupe.first_seen_at(pair(0), now), "the oldest went");
        assert!(!dedupe.is_empty());
    }
}
