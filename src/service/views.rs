//! View counts (issue 7): counted in memory, written in batches.
//!
//! The beacon (`POST /articles/{id}/views`) touches no database:
//! - which articles may be counted comes from an in-memory table indexed by
//!   article id (from when each is visible, and its last known stored
//!   count), loaded at start, updated by this process's editorial writes at
//!   once and by every process's writes within [`CATCH_UP_EVERY`] (the
//!   flusher reads the articles written since, on `articles_updated_idx`);
//! - bots are recognised by User-Agent (`isbot`'s pattern list);
//! - repeats are recognised by a salted SHA-256 of (client address,
//!   User-Agent, article) kept in bounded sets for the dedupe window
//!   (`service::view_dedupe`);
//! - an accepted view adds 1 to the article's pending count and to its
//!   pending bucket of the newsroom's local day, in one of [`SHARDS`] locks.
//!
//! The flusher swaps the pending counts out every flush interval and adds
//! them in one transaction (`repo::views::add_views`) under a batch id that
//! the same transaction records. A batch that fails is kept whole, with its
//! id, and retried before anything newer: never dropped, and never added
//! twice, even when the failure was a connection lost during COMMIT (the
//! batch may then have been applied; its id says so). Shutdown flushes what
//! is left.
//!
//! Live counts: an article's count is its stored count (as last seen by this
//! process) plus the views pending here, including a batch being written.
//! A read of the stored count raises the known one only when no flush of
//! this process overlapped it (a sequence number, odd while a batch is in
//! flight), so a batch is never counted both in the database's answer and
//! in memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use crate::db::{Db, DbConnection};
use crate::domain::period::local_day;
use crate::repo::views::{self as repo, CounterRow};
use crate::service::articles::ArticleView;
use crate::service::taxonomy::TaxonomyCache;
use crate::service::ServiceError;

/// Independent locks of pending counts (by article id).
pub const SHARDS: usize = 16;
/// How often the visible set catches up with every process's writes.
pub const CATCH_UP_EVERY: Duration = Duration::from_secs(5);
/// How far back a catch-up looks before the last one began (clock skew
/// between processes, transactions that commit late).
const CATCH_UP_MARGIN: chrono::Duration = chrono::Duration::seconds(10);
/// How often old day buckets are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Day buckets kept: the longest period (30 days) and a margin.
pub const KEEP_DAYS: i64 = 35;

/// "Never visible" in the table.
const NEVER: i64 = i64::MAX;

/// The moment of a view; replaceable in tests (local midnight).
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

/// How views are counted.
#[derive(Clone)]
pub struct ViewSettings {
    /// A client's repeat views of an article within this window count once.
    pub dedupe_window: Duration,
    /// Most (client, article) pairs remembered; past it the oldest are
    /// forgotten early (and could count again).
    pub dedupe_capacity: u64,
    /// Secret mixed into the client hashes (random at start when `None`).
    pub salt: Option<String>,
    /// How often pending views are written.
    pub flush_interval: Duration,
}

impl std::fmt::Debug for ViewSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewSettings")
            .field("dedupe_window", &self.dedupe_window)
            .field("dedupe_capacity", &self.dedupe_capacity)
            .field("salt", &self.salt.as_ref().map(|_| "<secret>"))
            .field("flush_interval", &self.flush_interval)
            .finish()
    }
}

impl Default for ViewSettings {
    fn default() -> Self {
        ViewSettings {
            dedupe_window: Duration::from_secs(30 * 60),
            dedupe_capacity: 300_000,
            salt: None,
            flush_interval: Duration::from_millis(1000),
        }
    }
}

/// What happened to one view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// The article's count, this view included when counted.
    pub view_count: i64,
    /// Whether it was counted.
    pub counted: bool,
}

/// The sequence number before a read of stored counts (see `observe`).
#[derive(Debug, Clone, Copy)]
pub struct ViewTicket(u64);

struct Slot {
    /// Microseconds since the epoch (UTC) from which the public may see it.
    visible_from: AtomicI64,
    /// The stored count as last seen.
    base: AtomicI64,
}

impl Slot {
    fn new() -> Self {
        Slot {
            visible_from: AtomicI64::new(NEVER),
            base: AtomicI64::new(0),
        }
    }
}

#[derive(Default)]
struct Shard {
    /// Views not yet written: article → count.
    pending: HashMap<i64, i64>,
    /// The same by local day: (article, yyyymmdd) → count.
    daily: HashMap<(i64, i32), i64>,
    /// The batch being written, until it commits or fails.
    inflight: HashMap<i64, i64>,
}

impl Shard {
    fn extra(&self, id: i64) -> i64 {
        self.pending.get(&id).copied().unwrap_or(0) + self.inflight.get(&id).copied().unwrap_or(0)
    }
}

/// One batch of a flush.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Recorded with the batch in its transaction, so a retry after an
    /// unknown outcome cannot apply it twice.
    pub id: String,
    /// (article, views).
    pub totals: Vec<(i64, i64)>,
    /// (article, local day, views).
    pub daily: Vec<(i64, i32, i64)>,
}

impl Batch {
    /// Views in the batch.
    pub fn views(&self) -> i64 {
        self.totals.iter().map(|(_, n)| n).sum()
    }
}

#[derive(Default)]
struct Upkeep {
    last_prune: Option<Instant>,
    last_catch_up: Option<Instant>,
    caught_up_from: Option<NaiveDateTime>,
}

/// The view counter of this process.
pub struct Views {
    slots: RwLock<Vec<Slot>>,
    shards: Vec<Mutex<Shard>>,
    /// Even: no batch in flight; odd: one is being written.
    seq: AtomicU64,
    dedupe: super::view_dedupe::ViewDedupe,
    salt: [u8; 32],
    bots: isbot::Bots,
    tz: Tz,
    clock: RwLock<Clock>,
    /// One flush at a time (the flusher, shutdown, tests); and its upkeep.
    flushing: tokio::sync::Mutex<Upkeep>,
    /// A batch whose write failed: retried (under its id) before any other.
    retry: Mutex<Option<Batch>>,
    settings: ViewSettings,
    /// Called after a flush wrote views (tells other nodes, whose cached
    /// answers show this node's counts only once they read them again).
    after_written: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>>,
}

fn micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding a shard leaves plain counts behind: keep going.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Views {
    /// An empty counter for the newsroom in `tz` (see [`Views::load`]).
    pub fn new(settings: ViewSettings, tz: Tz) -> Self {
        let salt = match &settings.salt {
            Some(secret) => Sha256::digest(secret.as_bytes()).into(),
            None => {
                use rand::{RngCore, SeedableRng};
                let mut salt = [0u8; 32];
                rand::rngs::StdRng::from_os_rng().fill_bytes(&mut salt);
                salt
            }
        };
        let dedupe = super::view_dedupe::ViewDedupe::new(
            settings.dedupe_window,
            settings.dedupe_capacity.max(1),
        );
        Views {
            slots: RwLock::new(Vec::new()),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            seq: AtomicU64::new(0),
            dedupe,
            salt,
            bots: isbot::Bots::default(),
            tz,
            clock: RwLock::new(Arc::new(crate::service::now)),
            flushing: tokio::sync::Mutex::new(Upkeep::default()),
            retry: Mutex::new(None),
            settings,
            after_written: std::sync::OnceLock::new(),
        }
    }

    /// Runs `hook` after every flush that wrote views (set once).
    pub fn after_written(&self, hook: impl Fn() + Send + Sync + 'static) {
        let _ = self.after_written.set(Box::new(hook));
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &ViewSettings {
        &self.settings
    }

    /// Replaces the clock (tests).
    pub fn set_clock(&self, clock: Clock) {
        *self.clock.write().unwrap_or_else(|p| p.into_inner()) = clock;
    }

    /// The moment, by the clock.
    pub fn now(&self) -> NaiveDateTime {
        let clock = self.clock.read().unwrap_or_else(|p| p.into_inner()).clone();
        clock()
    }

    /// The newsroom's time zone.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    fn shard(&self, id: i64) -> &Mutex<Shard> {
        &self.shards[(id.unsigned_abs() as usize) % SHARDS]
    }

    /// Runs `f` on the slot of `id`, creating it (and those below) if needed.
    fn with_slot<T>(&self, id: i64, f: impl Fn(&Slot) -> T) -> Option<T> {
        let index = usize::try_from(id).ok()?;
        {
            let slots = self.slots.read().unwrap_or_else(|p| p.into_inner());
            if let Some(slot) = slots.get(index) {
                return Some(f(slot));
            }
        }
        // Article ids are dense (row ids); a table of a few million slots is
        // 16 bytes each. Refuse absurd ids rather than allocate for them.
        if index > self.slots_len() + 10_000_000 {
            return None;
        }
        let mut slots = self.slots.write().unwrap_or_else(|p| p.into_inner());
        while slots.len() <= index {
            slots.push(Slot::new());
        }
        Some(f(&slots[index]))
    }

    fn slots_len(&self) -> usize {
        self.slots.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Reads the slot of `id` without creating it.
    fn peek<T>(&self, id: i64, f: impl Fn(&Slot) -> T) -> Option<T> {
        let index = usize::try_from(id).ok()?;
        let slots = self.slots.read().unwrap_or_else(|p| p.into_inner());
        slots.get(index).map(f)
    }

    /// Takes what the database says of these articles: from when each is
    /// visible, and its stored count. Call it at start or with the flush
    /// lock held: the counts are taken only while no batch of this process
    /// is unresolved (one the database may or may not hold already).
    pub fn load(&self, rows: &[CounterRow]) {
        let counts_are_safe = self.seq.load(Ordering::SeqCst).is_multiple_of(2);
        for row in rows {
            let visible = row.visible_from().map_or(NEVER, micros);
            let stored = row.view_count.unwrap_or(0);
            self.with_slot(row.id, |slot| {
                slot.visible_from.store(visible, Ordering::SeqCst);
                if counts_are_safe {
                    slot.base.fetch_max(stored, Ordering::SeqCst);
                }
            });
        }
    }

    /// Loads every article's visibility and stored count, `per_read`
    /// articles per statement in id order (one statement for 1,000,000
    /// articles put the server's peak memory at 325 MB: the driver's result
    /// and the rows, both whole); returns how many articles it read.
    pub fn load_stored(&self, db: &Db, per_read: i64) -> Result<usize, String> {
        let mut after = 0;
        let mut read = 0;
        loop {
            let counters = db
                .run_blocking(|conn| repo::counters_after(conn, after, per_read))
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
            self.load(&counters);
            read += counters.len();
            match counters.last() {
                Some(last) if counters.len() as i64 == per_read => after = last.id,
                _ => return Ok(read),
            }
        }
    }

    /// After an editorial write: the article is visible from `from` (None:
    /// not at all: a draft, or deleted).
    pub fn set_visibility(&self, id: i64, from: Option<NaiveDateTime>) {
        let visible = from.map_or(NEVER, micros);
        self.with_slot(id, |slot| {
            slot.visible_from.store(visible, Ordering::SeqCst)
        });
    }

    /// Whether the public may see the article now.
    pub fn is_visible(&self, id: i64) -> bool {
        let now = micros(self.now());
        self.peek(id, |slot| slot.visible_from.load(Ordering::SeqCst) <= now)
            .unwrap_or(false)
    }

    /// The salted key of one (client, article) pair; nothing raw is kept.
    fn client_key(&self, ip: IpAddr, user_agent: &str, id: i64) -> u128 {
        let mut hash = Sha256::new();
        hash.update(self.salt);
        match ip {
            IpAddr::V4(v4) => hash.update(v4.octets()),
            IpAddr::V6(v6) => hash.update(v6.octets()),
        }
        hash.update([0xff]);
        hash.update(user_agent.as_bytes());
        hash.update([0xff]);
        hash.update(id.to_le_bytes());
        let digest = hash.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        u128::from_le_bytes(first)
    }

    /// Whether a User-Agent is a known bot (an empty or missing one counts as one).
    pub fn is_bot(&self, user_agent: &str) -> bool {
        let ua = user_agent.trim();
        ua.is_empty() || self.bots.is_bot(ua)
    }

    /// Records one view of article `id` by a client; `None` when the
    /// public cannot see the article (unknown, draft, scheduled, deleted).
    pub fn record(&self, id: i64, ip: IpAddr, user_agent: &str) -> Option<Recorded> {
        let now = self.now();
        if !self.peek(id, |slot| {
            slot.visible_from.load(Ordering::SeqCst) <= micros(now)
        })? {
            return None;
        }
        let counted =
            !self.is_bot(user_agent) && self.dedupe.first_seen(self.client_key(ip, user_agent, id));
        let day = local_day(now, self.tz);
        let mut shard = lock(self.shard(id));
        if counted {
            *shard.pending.entry(id).or_insert(0) += 1;
            *shard.daily.entry((id, day)).or_insert(0) += 1;
        }
        let base = self
            .peek(id, |slot| slot.base.load(Ordering::SeqCst))
            .unwrap_or(0);
        Some(Recorded {
            view_count: base + shard.extra(id),
            counted,
        })
    }

    /// The count to show: stored (as last seen) plus pending here.
    pub fn live(&self, id: i64) -> i64 {
        let shard = lock(self.shard(id));
        let base = self
            .peek(id, |slot| slot.base.load(Ordering::SeqCst))
            .unwrap_or(0);
        base + shard.extra(id)
    }

    /// Take before reading stored counts from the database.
    pub fn ticket(&self) -> ViewTicket {
        ViewTicket(self.seq.load(Ordering::SeqCst))
    }

    /// A stored count read after `ticket`: remembered when no batch of this
    /// process was in flight meanwhile; returns the live count.
    pub fn observe(&self, ticket: ViewTicket, id: i64, stored: i64) -> i64 {
        let shard = lock(self.shard(id));
        let seq = self.seq.load(Ordering::SeqCst);
        let base = if seq == ticket.0 && seq.is_multiple_of(2) {
            self.with_slot(id, |slot| {
                slot.base.fetch_max(stored, Ordering::SeqCst).max(stored)
            })
        } else {
            self.peek(id, |slot| slot.base.load(Ordering::SeqCst))
        };
        base.unwrap_or(stored) + shard.extra(id)
    }

    /// Views waiting to be written (a batch in flight included).
    pub fn pending(&self) -> i64 {
        self.shards
            .iter()
            .map(|s| {
                let s = lock(s);
                s.pending.values().sum::<i64>() + s.inflight.values().sum::<i64>()
            })
            .sum()
    }

    /// Moves the pending views into a batch in flight (None: nothing pending).
    pub fn take_batch(&self) -> Option<Batch> {
        let mut shards: Vec<_> = self.shards.iter().map(lock).collect();
        if shards.iter().all(|s| s.pending.is_empty()) {
            return None;
        }
        let mut batch = Batch {
            id: uuid::Uuid::new_v4().simple().to_string(),
            ..Batch::default()
        };
        for shard in shards.iter_mut() {
            let pending = std::mem::take(&mut shard.pending);
            batch.totals.extend(pending.iter().map(|(id, n)| (*id, *n)));
            batch.daily.extend(
                std::mem::take(&mut shard.daily)
                    .into_iter()
                    .map(|((id, d), n)| (id, d, n)),
            );
            shard.inflight = pending;
        }
        // Same order every time: concurrent flushes of several processes
        // then lock rows in one order (no deadlocks on PostgreSQL).
        batch.totals.sort_unstable();
        batch.daily.sort_unstable();
        self.seq.fetch_add(1, Ordering::SeqCst);
        Some(batch)
    }

    /// The batch in flight is in the database; `stored` are the counts
    /// read back with it.
    pub fn commit(&self, stored: &[(i64, i64)]) {
        let mut shards: Vec<_> = self.shards.iter().map(lock).collect();
        for (id, n) in stored {
            self.with_slot(*id, |slot| slot.base.fetch_max(*n, Ordering::SeqCst));
        }
        for shard in shards.iter_mut() {
            shard.inflight.clear();
        }
        self.seq.fetch_add(1, Ordering::SeqCst);
    }

    /// The batch in flight failed: it stays in flight (its views still
    /// shown), whole and under its id, and is the next one written.
    pub fn keep_for_retry(&self, batch: Batch) {
        *lock(&self.retry) = Some(batch);
    }

    /// Writes everything pending to `db` in one transaction; returns the
    /// views written. On failure they stay pending (and the error is returned).
    pub async fn flush(&self, db: &Db) -> Result<i64, String> {
        let _one_at_a_time = self.flushing.lock().await;
        self.flush_locked(db).await
    }

    async fn flush_locked(&self, db: &Db) -> Result<i64, String> {
        let mut written = 0;
        loop {
            let retried = lock(&self.retry).take();
            let is_retry = retried.is_some();
            let Some(batch) = retried.or_else(|| self.take_batch()) else {
                return Ok(written);
            };
            let (id, totals, daily) = (batch.id.clone(), batch.totals.clone(), batch.daily.clone());
            let now = crate::service::now();
            let rows = batch.totals.len() + batch.daily.len();
            let started = Instant::now();
            match db
                .write(move |conn| repo::add_views(conn, &id, now, &totals, &daily))
                .await
            {
                Ok(applied) => {
                    // One line per transaction: bench/views.sh counts them.
                    tracing::debug!(
                        views = batch.views(),
                        rows,
                        ms = started.elapsed().as_secs_f64() * 1000.0,
                        "views: flushed"
                    );
                    metrics::histogram!("khabar_view_flush_seconds")
                        .record(started.elapsed().as_secs_f64());
                    if applied.already {
                        tracing::info!(batch = %batch.id, views = batch.views(), "views: a retried batch had been applied already; not added again");
                    }
                    self.commit(&applied.counts);
                    written += batch.views();
                    if !is_retry {
                        return Ok(written);
                    }
                    // The retry is through: now what came meanwhile.
                }
                Err(e) => {
                    let views = batch.views();
                    self.keep_for_retry(batch);
                    return Err(format!("{views} views kept for the next flush: {e}"));
                }
            }
        }
    }

    /// Flush, then the periodic upkeep: catch up with articles written by
    /// any process, prune old day buckets.
    pub async fn tick(&self, db: &Db) -> Result<i64, String> {
        let mut upkeep = self.flushing.lock().await;
        let flushed = self.flush_locked(db).await;
        if let (Ok(1..), Some(hook)) = (&flushed, self.after_written.get()) {
            hook();
        }
        let due =
            |last: Option<Instant>, every: Duration| last.is_none_or(|t| t.elapsed() >= every);
        if due(upkeep.last_catch_up, CATCH_UP_EVERY) {
            if let Err(e) = self.catch_up(db, &mut upkeep).await {
                tracing::warn!(error = %e, "views: catching up with article writes failed");
            }
        }
        if due(upkeep.last_prune, PRUNE_EVERY) {
            match self.prune(db).await {
                Ok(n) if n > 0 => tracing::info!(buckets = n, "views: pruned old day buckets"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "views: pruning day buckets failed"),
            }
            upkeep.last_prune = Some(Instant::now());
        }
        flushed
    }

    /// Reads the articles written since the last catch-up (no batch of ours
    /// is in flight: the flush lock is held).
    async fn catch_up(&self, db: &Db, upkeep: &mut Upkeep) -> Result<(), String> {
        let began = crate::service::now();
        upkeep.last_catch_up = Some(Instant::now());
        let since = upkeep.caught_up_from.unwrap_or(began) - CATCH_UP_MARGIN;
        // From the primary: a lagging replica would miss rows written in the
        // margin, and its stored counts may be older than our own flushes.
        let rows = db
            .write(move |conn| repo::changed_since(conn, since))
            .await
            .map_err(|e| e.to_string())?;
        self.load(&rows);
        upkeep.caught_up_from = Some(began);
        Ok(())
    }

    /// Drops day buckets older than the longest period (and a margin), and
    /// the ids of batches applied more than a day ago.
    pub async fn prune(&self, db: &Db) -> Result<usize, String> {
        let now = self.now();
        let before = local_day(now - chrono::Duration::days(KEEP_DAYS), self.tz);
        let batches_before = crate::service::now() - chrono::Duration::days(1);
        db.write(move |conn| {
            let buckets = repo::prune_daily(conn, before)?;
            repo::prune_batches(conn, batches_before)?;
            Ok::<_, diesel::result::Error>(buckets)
        })
        .await
        .map_err(|e| e.to_string())
    }

    /// Starts the flusher: a tick every flush interval until stopped.
    pub fn start_flusher(self: &Arc<Self>, db: Db) -> Flusher {
        let stop = Arc::new(tokio::sync::Notify::new());
        let views = self.clone();
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let every = views.settings.flush_interval.max(Duration::from_millis(1));
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = stopped.notified() => break,
                }
                if let Err(e) = views.tick(&db).await {
                    tracing::warn!(error = %e, "views: flush failed; retrying next tick");
                }
            }
        });
        Flusher {
            stop,
            task,
            views: self.clone(),
        }
    }
}

/// The running flusher.
pub struct Flusher {
    stop: Arc<tokio::sync::Notify>,
    task: tokio::task::JoinHandle<()>,
    views: Arc<Views>,
}

impl Flusher {
    /// Stops the ticks and writes everything pending (retrying for a while
    /// if the database is unavailable); returns the views written.
    pub async fn stop_and_flush(self, db: &Db) -> Result<i64, String> {
        self.stop.notify_one();
        let _ = self.task.await;
        let mut written = 0;
        let mut attempts = 0;
        loop {
            match self.views.flush(db).await {
                Ok(n) => {
                    written += n;
                    if self.views.pending() == 0 {
                        return Ok(written);
                    }
                }
                Err(e) if attempts < 10 => {
                    attempts += 1;
                    tracing::warn!(error = %e, attempt = attempts, "views: final flush failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// A period of `GET /most-viewed`: the current local day of the newsroom
/// and the days before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// `1d`: today (local), since midnight.
    Day,
    /// `7d`: today and the 6 days before.
    Week,
    /// `30d`: today and the 29 days before.
    Month,
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    /// `1d`, `7d` or `30d`.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "1d",
            Period::Week => "7d",
            Period::Month => "30d",
        }
    }

    /// From its name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// Local days it covers.
    pub fn days(self) -> i64 {
        match self {
            Period::Day => 1,
            Period::Week => 7,
            Period::Month => 30,
        }
    }

    /// Its first and last local day at `now` (UTC) in `tz`.
    pub fn local_days(self, now: NaiveDateTime, tz: Tz) -> (NaiveDate, NaiveDate) {
        let today = now.and_utc().with_timezone(&tz).date_naive();
        (today - chrono::Duration::days(self.days() - 1), today)
    }
}

/// A local day as the buckets store it (`yyyymmdd`).
pub fn day_number(day: NaiveDate) -> i32 {
    day.year() * 10_000 + day.month() as i32 * 100 + day.day() as i32
}

/// One article of a most-viewed ranking.
#[derive(Debug, Clone)]
pub struct MostViewed {
    /// The article.
    pub view: ArticleView,
    /// Its views in the period (as flushed).
    pub period_views: i64,
}

/// A most-viewed ranking.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// Best first; ties newer first.
    pub items: Vec<MostViewed>,
    /// The period's first local day.
    pub first_day: NaiveDate,
    /// Its last local day (today).
    pub last_day: NaiveDate,
}

/// The `limit` published articles (of one section, by slug) with the most
/// views in `period` at `now`: the flushed day buckets of the newsroom's
/// local days. An unknown section ranks nothing.
pub fn most_viewed(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    period: Period,
    section: Option<&str>,
    limit: i64,
    now: NaiveDateTime,
    tz: Tz,
) -> Result<Ranking, ServiceError> {
    let (first_day, last_day) = period.local_days(now, tz);
    let empty = Ranking {
        items: Vec::new(),
        first_day,
        last_day,
    };
    let section_id = match section {
        Some(slug) => match crate::repo::taxonomy::find_section(conn, slug)? {
            Some(found) => Some(found.id),
            None => return Ok(empty),
        },
        None => None,
    };
    let ranked = repo::most_viewed(
        conn,
        day_number(first_day),
        day_number(last_day),
        now,
        section_id,
        limit,
    )?;
    let ids: Vec<i64> = ranked.iter().map(|r| r.id).collect();
    let views = crate::service::articles::views_by_ids(conn, cache, &ids)?;
    let period_views: HashMap<i64, i64> = ranked.iter().map(|r| (r.id, r.period_views)).collect();
    Ok(Ranking {
        items: views
            .into_iter()
            .map(|view| MostViewed {
                period_views: period_views.get(&view.article.id).copied().unwrap_or(0),
                view,
            })
            .collect(),
        ..empty
    })
}

/// Articles whose view counters are read per statement at start (~100
/// bytes each in memory, twice: the driver's result and the rows).
pub const COUNTERS_PER_READ: i64 = 20_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_counters_are_loaded_in_chunks_up_to_the_last_article() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("views.db").display());
        let pool = crate::db::PoolSettings {
            max_size: 2,
            checkout_timeout: std::time::Duration::from_secs(5),
        };
        let db = crate::db::Db::connect(&url, &pool, true).unwrap();
        db.run_blocking(|conn| {
            crate::seed::run(conn, 40, 7, chrono_tz::Asia::Damascus).map(|_| ())
        })
        .unwrap()
        .unwrap();
        db.run_blocking(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(
                "INSERT INTO article_stats (article_id, view_count, comment_count) \
                 SELECT id, id * 3, 0 FROM articles WHERE true \
                 ON CONFLICT (article_id) DO UPDATE SET view_count = excluded.view_count",
            )
            .execute(conn)
        })
        .unwrap()
        .unwrap();
        let all = db
            .run_blocking(|conn| repo::counters_after(conn, 0, i64::MAX))
            .unwrap()
            .unwrap();
        assert!(all.len() > 30, "{} articles", all.len());
        assert!(all.iter().any(|r| r.visible_from().is_none()), "drafts too");
        let views = Views::new(ViewSettings::default(), chrono_tz::Asia::Damascus);
        // 7 a read: several reads, the last one short.
        assert_eq!(views.load_stored(&db, 7).unwrap(), all.len());
        let now = crate::service::now();
        for row in &all {
            let visible = row.visible_from().is_some_and(|at| at <= now);
            assert_eq!(views.is_visible(row.id), visible, "article {}", row.id);
            assert_eq!(views.live(row.id), row.id * 3, "article {}", row.id);
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn views() -> Views {
        let v = Views::new(ViewSettings::default(), chrono_tz::Asia::Damascus);
        v.set_clock(Arc::new(|| at("2026-12-04 12:00:00")));
        v.load(&[
            CounterRow {
                id: 1,
                status: "published".into(),
                published_at: Some(at("2026-01-01 00:00:00")),
                deleted_at: None,
                view_count: Some(100),
            },
            CounterRow {
                id: 2,
                status: "draft".into(),
                published_at: None,
                deleted_at: None,
                view_count: None,
            },
            CounterRow {
                id: 3,
                status: "published".into(),
                published_at: Some(at("2027-01-01 00:00:00")),
                deleted_at: None,
                view_count: Some(0),
            },
        ]);
        v
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    const UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    #[test]
    fn counts_visible_articles_once_per_client_and_never_bots() {
        let v = views();
        assert_eq!(v.record(2, ip(1), UA), None, "a draft");
        assert_eq!(v.record(3, ip(1), UA), None, "scheduled");
        assert_eq!(v.record(99, ip(1), UA), None, "unknown");
        assert_eq!(v.record(-1, ip(1), UA), None, "negative");
        let first = v.record(1, ip(1), UA).unwrap();
        assert_eq!(
            first,
            Recorded {
                view_count: 101,
                counted: true
            }
        );
        let again = v.record(1, ip(1), UA).unwrap();
        assert_eq!(
            again,
            Recorded {
                view_count: 101,
                counted: false
            }
        );
        assert!(v.record(1, ip(2), UA).unwrap().counted, "another address");
        assert!(
            v.record(
                1,
                ip(1),
                "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
            )
            .unwrap()
            .counted,
            "another agent"
        );
        let bot = v.record(
            1,
            ip(3),
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        );
        assert_eq!(
            bot,
            Some(Recorded {
                view_count: 103,
                counted: false
            })
        );
        assert!(!v.record(1, ip(4), "").unwrap().counted, "no User-Agent");
        assert_eq!(v.live(1), 103);
        assert_eq!(v.pending(), 3);
        // The scheduled article becomes visible with time, without a write.
        v.set_clock(Arc::new(|| at("2027-01-02 00:00:00")));
        assert!(v.record(3, ip(1), UA).unwrap().counted);
    }

    #[test]
    fn a_failed_batch_is_retried_whole_and_counted_once() {
        let v = views();
        for n in 1..=5 {
            v.record(1, ip(n), UA);
        }
        let batch = v.take_batch().expect("pending views");
        assert_eq!(batch.totals, vec![(1, 5)]);
        assert_eq!(batch.daily, vec![(1, 20261204, 5)]);
        // In flight: still shown.
        assert_eq!(v.live(1), 105);
        v.record(1, ip(6), UA);
        assert_eq!(v.live(1), 106);
        // The write failed (perhaps after the database applied it).
        v.keep_for_retry(batch.clone());
        assert_eq!(v.live(1), 106, "kept, nothing lost or doubled");
        assert_eq!(v.pending(), 6);
        // While its outcome is unknown, a stored count is not trusted: it
        // may or may not hold the batch.
        let ticket = v.ticket();
        assert_eq!(v.observe(ticket, 1, 105), 106);
        assert_eq!(v.live(1), 106);
        // The retry is the same batch under the same id, not a merged one.
        let retry = lock(&v.retry).take().expect("kept");
        assert_eq!(retry, batch);
        // Written: the stored count (another process added 10) replaces it.
        v.commit(&[(1, 115)]);
        assert_eq!(v.live(1), 116);
        assert_eq!(v.pending(), 1);
        let next = v.take_batch().unwrap();
        assert_eq!(next.totals, vec![(1, 1)]);
        assert_ne!(next.id, batch.id);
        v.commit(&[(1, 116)]);
        assert_eq!(v.pending(), 0);
        assert!(v.take_batch().is_none());
    }

    #[test]
    fn a_stored_count_read_across_a_flush_is_not_trusted() {
        let v = views();
        v.record(1, ip(1), UA);
        // A read that began before the batch left and ended after it was
        // written may or may not include it: the memory's answer is used.
        let ticket = v.ticket();
        let batch = v.take_batch().unwrap();
        assert_eq!(batch.views(), 1);
        v.commit(&[(1, 101)]);
        assert_eq!(v.observe(ticket, 1, 500), 101, "ignored");
        // A read with no flush meanwhile is the truth (other processes' views).
        let ticket = v.ticket();
        assert_eq!(v.observe(ticket, 1, 150), 150);
        v.record(1, ip(2), UA);
        assert_eq!(v.observe(v.ticket(), 1, 150), 151);
    }

    #[test]
    fn days_are_the_newsrooms() {
        let v = views();
        // 20:59 UTC is 23:59 in Damascus (UTC+3); 21:01 UTC is 00:01 the next day.
        v.set_clock(Arc::new(|| at("2026-12-04 20:59:00")));
        v.record(1, ip(1), UA);
        v.set_clock(Arc::new(|| at("2026-12-04 21:01:00")));
        v.record(1, ip(2), UA);
        let batch = v.take_batch().unwrap();
        assert_eq!(batch.daily, vec![(1, 20261204, 1), (1, 20261205, 1)]);
    }

    #[test]
    fn periods_are_local_days_ending_today() {
        // 21:01 UTC on 4 December is 00:01 on the 5th in Damascus.
        let now = at("2026-12-04 21:01:00");
        let tz = chrono_tz::Asia::Damascus;
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            Period::Day.local_days(now, tz),
            (day("2026-12-05"), day("2026-12-05"))
        );
        assert_eq!(
            Period::Week.local_days(now, tz),
            (day("2026-11-29"), day("2026-12-05"))
        );
        assert_eq!(Period::Month.local_days(now, tz).0, day("2026-11-06"));
        assert_eq!(day_number(day("2026-01-09")), 20260109);
        assert_eq!(Period::parse("7d"), Some(Period::Week));
        assert_eq!(Period::parse("2d"), None);
    }

    #[test]
    fn the_dedupe_memory_is_bounded() {
        let v = Views::new(
            ViewSettings {
                dedupe_capacity: 100,
                ..ViewSettings::default()
            },
            chrono_tz::Asia::Damascus,
        );
        v.set_visibility(1, Some(at("2020-01-01 00:00:00")));
        for n in 0..5_000u32 {
            let ip = IpAddr::from(n.to_be_bytes());
            assert!(v.record(1, ip, UA).unwrap().counted);
        }
        assert!(v.dedupe.len() <= 100, "{}", v.dedupe.len());
        assert_eq!(v.pending(), 5_000);
    }
}
