//! Read replicas: PostgreSQL streaming replicas (`DATABASE_REPLICA_URL`) that
//! take the public reads. A thread polls each one's lag against the
//! primary's clock; a replica that is down, not a replica, or lagging beyond
//! the bound is out of rotation (reads go to the primary) until a poll finds
//! it well again. Requests with a token read from the primary, so that the
//! people who write see their writes.

use std::sync::atomic::{AtomicI64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::r2d2;
use diesel::{Connection, QueryableByName, RunQueryDsl};

use super::{Health, Manager};

/// Lag bound and poll interval.
#[derive(Debug, Clone)]
pub struct ReplicaSettings {
    /// A replica further behind than this is out of rotation.
    pub max_lag: Duration,
    /// How often each replica's lag is measured.
    pub poll: Duration,
}

impl Default for ReplicaSettings {
    fn default() -> Self {
        ReplicaSettings {
            max_lag: Duration::from_secs(5),
            poll: Duration::from_millis(500),
        }
    }
}

/// Where a replica stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// Not measured yet (out of rotation until it is).
    Unknown,
    /// Streaming within the lag bound: in rotation.
    Up,
    /// Reachable, but further behind than the bound (or its lag cannot be
    /// measured): out of rotation.
    Lagging,
    /// Unreachable, or not a replica: out of rotation.
    Down,
}

impl ReplicaState {
    /// The state's name in `/readyz` and `/metrics`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaState::Unknown => "unknown",
            ReplicaState::Up => "up",
            ReplicaState::Lagging => "lagging",
            ReplicaState::Down => "down",
        }
    }

    fn from_u8(value: u8) -> Self {
        match value {
            1 => ReplicaState::Up,
            2 => ReplicaState::Lagging,
            3 => ReplicaState::Down,
            _ => ReplicaState::Unknown,
        }
    }
}

/// One replica: its pool and its last measured state.
pub struct Replica {
    /// `host:port/database`, without credentials (for logs and `/readyz`).
    pub name: String,
    url: String,
    pub(super) pool: r2d2::Pool<Manager>,
    pub(super) health: Arc<Health>,
    pub(super) permits: Arc<tokio::sync::Semaphore>,
    state: AtomicU8,
    /// Milliseconds behind the primary at the last poll (-1: unknown).
    lag_ms: AtomicI64,
    /// Why it is out of rotation, when it is.
    reason: Mutex<Option<String>>,
}

impl Replica {
    pub(super) fn new(
        url: &str,
        pool: r2d2::Pool<Manager>,
        health: Arc<Health>,
        permits: Arc<tokio::sync::Semaphore>,
    ) -> Self {
        Replica {
            name: display_name(url),
            url: url.to_string(),
            pool,
            health,
            permits,
            state: AtomicU8::new(0),
            lag_ms: AtomicI64::new(-1),
            reason: Mutex::new(Some("not measured yet".into())),
        }
    }

    /// The state at the last poll (or failed read).
    pub fn state(&self) -> ReplicaState {
        ReplicaState::from_u8(self.state.load(Ordering::Relaxed))
    }

    /// Milliseconds behind the primary at the last poll, if it was measured.
    pub fn lag_ms(&self) -> Option<i64> {
        Some(self.lag_ms.load(Ordering::Relaxed)).filter(|lag| *lag >= 0)
    }

    /// The replica pool's connections.
    pub fn pool_state(&self) -> super::PoolState {
        let state = self.pool.state();
        super::PoolState {
            connections: state.connections,
            idle: state.idle_connections,
            max: self.pool.max_size(),
        }
    }

    /// Why the replica is out of rotation.
    pub fn reason(&self) -> Option<String> {
        self.reason.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn set(&self, state: ReplicaState, lag_ms: Option<i64>, reason: Option<String>) {
        let before = self.state();
        self.state.store(
            match state {
                ReplicaState::Unknown => 0,
                ReplicaState::Up => 1,
                ReplicaState::Lagging => 2,
                ReplicaState::Down => 3,
            },
            Ordering::Relaxed,
        );
        self.lag_ms.store(lag_ms.unwrap_or(-1), Ordering::Relaxed);
        if state == ReplicaState::Down {
            // Its pooled connections may be dead: checkouts ping them for a
            // while, so that none is handed out when it is back.
            self.health.mark_failure();
        }
        if before != state {
            match &reason {
                Some(why) => {
                    tracing::warn!(replica = %self.name, state = state.as_str(), reason = %why, "replica out of rotation")
                }
                None => tracing::info!(replica = %self.name, "replica in rotation"),
            }
        }
        if let Ok(mut slot) = self.reason.lock() {
            *slot = reason;
        }
        metrics::gauge!("khabar_replica_in_rotation", "replica" => self.name.clone())
            .set(if state == ReplicaState::Up { 1.0 } else { 0.0 });
        if let Some(lag) = lag_ms {
            metrics::gauge!("khabar_replica_lag_seconds", "replica" => self.name.clone())
                .set(lag as f64 / 1000.0);
        }
    }

    /// A read found no connection: out of rotation until a poll says otherwise.
    pub(super) fn take_out(&self, why: &str) {
        self.set(ReplicaState::Down, None, Some(why.to_string()));
    }
}

/// The replicas, taken in turn.
#[derive(Default)]
pub struct Replicas {
    list: Vec<Arc<Replica>>,
    next: AtomicUsize,
}

impl Replicas {
    pub(super) fn new(list: Vec<Replica>) -> Self {
        Replicas {
            list: list.into_iter().map(Arc::new).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// Every replica, in configuration order.
    pub fn all(&self) -> &[Arc<Replica>] {
        &self.list
    }

    /// The next replica in rotation, round robin; `None` when none is.
    pub(super) fn pick(&self) -> Option<&Arc<Replica>> {
        let n = self.list.len();
        if n == 0 {
            return None;
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.list[(start + i) % n])
            .find(|r| r.state() == ReplicaState::Up)
    }
}

tokio::task_local! {
    static PRIMARY_READS: bool;
}

/// Runs `f` with its reads on the primary when `primary` is true (requests
/// with a token: editors and moderators read their own writes).
pub async fn reading_from_primary<F: std::future::Future>(primary: bool, f: F) -> F::Output {
    PRIMARY_READS.scope(primary, f).await
}

/// Whether the current task reads from the primary only.
pub(super) fn primary_reads() -> bool {
    PRIMARY_READS.try_with(|p| *p).unwrap_or(false)
}

/// `host:port/database` of a URL, never its credentials.
fn display_name(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => format!(
            "{}:{}{}",
            parsed.host_str().unwrap_or("localhost"),
            parsed.port().unwrap_or(5432),
            parsed.path()
        ),
        Err(_) => "replica".into(),
    }
}

#[derive(QueryableByName)]
struct PrimaryPosition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    lsn: String,
    #[diesel(sql_type = diesel::sql_types::Double)]
    now: f64,
}

#[derive(QueryableByName)]
struct ReplicaPosition {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    recovering: bool,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Bool>)]
    caught_up: Option<bool>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    replayed: Option<f64>,
}

/// Polls every replica of `replicas` until they are dropped.
pub(super) fn spawn_poller(
    replicas: &Arc<Replicas>,
    primary_url: String,
    settings: ReplicaSettings,
) {
    let weak: Weak<Replicas> = Arc::downgrade(replicas);
    let spawned = std::thread::Builder::new()
        .name("khabar-replicas".into())
        .spawn(move || {
            let mut primary: Option<PgConnection> = None;
            let mut connections: Vec<Option<PgConnection>> = Vec::new();
            while let Some(replicas) = weak.upgrade() {
                connections.resize_with(replicas.list.len(), || None);
                let position = measure_primary(&mut primary, &primary_url);
                for (replica, conn) in replicas.list.iter().zip(connections.iter_mut()) {
                    poll(replica, conn, position.as_ref(), &settings);
                }
                drop(replicas);
                std::thread::sleep(settings.poll);
            }
        });
    if let Err(err) = spawned {
        tracing::error!(error = %err, "could not start the replica poller; replicas stay out of rotation");
    }
}

fn connected<'a>(
    slot: &'a mut Option<PgConnection>,
    url: &str,
) -> Result<&'a mut PgConnection, String> {
    if slot.is_none() {
        *slot = Some(PgConnection::establish(url).map_err(|e| super::one_line(&e.to_string()))?);
    }
    Ok(slot.as_mut().expect("just connected"))
}

/// The primary's WAL position and clock.
fn measure_primary(slot: &mut Option<PgConnection>, url: &str) -> Option<PrimaryPosition> {
    let conn = connected(slot, url).ok()?;
    let position = diesel::sql_query(
        "SELECT pg_current_wal_lsn()::text AS lsn, \
         EXTRACT(EPOCH FROM clock_timestamp())::float8 AS now",
    )
    .get_result::<PrimaryPosition>(conn);
    match position {
        Ok(position) => Some(position),
        Err(_) => {
            *slot = None;
            None
        }
    }
}

/// Measures one replica and sets its state. Lag is the primary's clock minus
/// the commit time of the last transaction the replica replayed
/// (`pg_last_xact_replay_timestamp()`), or zero when it has replayed all the
/// WAL the primary has written (an idle primary commits nothing, and its
/// replica is not behind).
fn poll(
    replica: &Replica,
    slot: &mut Option<PgConnection>,
    primary: Option<&PrimaryPosition>,
    settings: &ReplicaSettings,
) {
    let conn = match connected(slot, &replica.url) {
        Ok(conn) => conn,
        Err(why) => return replica.set(ReplicaState::Down, None, Some(why)),
    };
    let lsn = primary.map_or_else(|| "0/0".to_string(), |p| p.lsn.clone());
    let measured = diesel::sql_query(
        "SELECT pg_is_in_recovery() AS recovering, \
         pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up, \
         EXTRACT(EPOCH FROM pg_last_xact_replay_timestamp())::float8 AS replayed",
    )
    .bind::<diesel::sql_types::Text, _>(&lsn)
    .get_result::<ReplicaPosition>(conn);
    let position = match measured {
        Ok(position) => position,
        Err(err) => {
            *slot = None;
            return replica.set(
                ReplicaState::Down,
                None,
                Some(super::one_line(&err.to_string())),
            );
        }
    };
    if !position.recovering {
        return replica.set(
            ReplicaState::Down,
            None,
            Some("not a replica (not in recovery): promoted or misconfigured".into()),
        );
    }
    let Some(primary) = primary else {
        // Without the primary's clock the lag is unknown; keep the replica
        // as it was (reads it serves are as fresh as they were).
        return;
    };
    let lag_ms = if position.caught_up == Some(true) {
        Some(0)
    } else {
        position
            .replayed
            .map(|replayed| (((primary.now - replayed) * 1000.0).max(0.0)) as i64)
    };
    match lag_ms {
        Some(lag) if lag <= settings.max_lag.as_millis() as i64 => {
            replica.set(ReplicaState::Up, Some(lag), None)
        }
        Some(lag) => replica.set(
            ReplicaState::Lagging,
            Some(lag),
            Some(format!(
                "{lag} ms behind the primary (bound {} ms)",
                settings.max_lag.as_millis()
            )),
        ),
        None => replica.set(
            ReplicaState::Lagging,
            None,
            Some("behind the primary, and nothing replayed yet to measure by".into()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_never_show_credentials() {
        assert_eq!(
            display_name("postgres://khabar:secret@db.internal:5433/news?sslmode=disable"),
            "db.internal:5433/news"
        );
        assert_eq!(
            display_name("postgres://127.0.0.1/news"),
            "127.0.0.1:5432/news"
        );
    }

    #[test]
    fn states_round_trip() {
        for state in [
            ReplicaState::Unknown,
            ReplicaState::Up,
            ReplicaState::Lagging,
            ReplicaState::Down,
        ] {
            let code = match state {
                ReplicaState::Unknown => 0,
                ReplicaState::Up => 1,
                ReplicaState::Lagging => 2,
                ReplicaState::Down => 3,
            };
            assert_eq!(ReplicaState::from_u8(code), state);
        }
    }
}
