//! Cache invalidation across nodes: PostgreSQL `LISTEN/NOTIFY`.
//!
//! Every node keeps answers, the taxonomy and view-counting visibility in
//! memory. After a write, the node that made it invalidates its own caches at
//! once (see `AppState`) and publishes the change on the channel
//! `khabar_invalidate`; every other node listening on the same database
//! applies it within one poll of its listener (`LISTEN_POLL`) after the
//! notification arrives. A listener that lost its connection treats
//! everything as changed when it is back (it may have missed messages); the
//! answer cache's TTL stays the safety net behind all of it. On SQLite (one
//! process per file) there is nothing to tell.

use std::sync::mpsc;
use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};

use crate::api::AppState;

/// The notification channel.
pub const CHANNEL: &str = "khabar_invalidate";

/// How often the listener reads notifications that arrived (libpq's
/// `PQnotifies` does not wait, so the listener polls its socket).
pub const LISTEN_POLL: Duration = Duration::from_millis(20);

/// A change other nodes must apply to their caches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// One article changed (and which lists show, when `lists`).
    Article {
        /// The article.
        id: i64,
        /// Whether lists may show other articles or another order.
        lists: bool,
    },
    /// Lists may show other articles (a new article).
    Lists,
    /// Sections, tags or authors changed.
    Taxonomy,
    /// An article's visibility for view counting may have changed.
    Visibility(i64),
    /// The sender wrote view counts: stored counts moved under answers
    /// cached elsewhere.
    Counted,
}

impl Change {
    /// `node|kind[:args]`, short enough for NOTIFY's 8,000-byte payloads.
    fn encode(&self, node: u64) -> String {
        match self {
            Change::Article { id, lists } => format!("{node:x}|a:{id}:{}", u8::from(*lists)),
            Change::Lists => format!("{node:x}|l"),
            Change::Taxonomy => format!("{node:x}|t"),
            Change::Visibility(id) => format!("{node:x}|v:{id}"),
            Change::Counted => format!("{node:x}|c"),
        }
    }

    /// The sender node and the change; `None` for anything else.
    fn decode(payload: &str) -> Option<(u64, Change)> {
        let (node, rest) = payload.split_once('|')?;
        let node = u64::from_str_radix(node, 16).ok()?;
        let change = match rest.split(':').collect::<Vec<_>>().as_slice() {
            ["a", id, lists] => Change::Article {
                id: id.parse().ok()?,
                lists: *lists == "1",
            },
            ["l"] => Change::Lists,
            ["t"] => Change::Taxonomy,
            ["c"] => Change::Counted,
            ["v", id] => Change::Visibility(id.parse().ok()?),
            _ => return None,
        };
        Some((node, change))
    }
}

/// Publishes this node's changes, from a thread of its own (a handler never
/// waits for it).
#[derive(Clone)]
pub struct Broadcaster {
    node: u64,
    sender: mpsc::Sender<Change>,
}

impl Broadcaster {
    /// Starts the publishing thread for the PostgreSQL database at `url`.
    pub fn start(url: &str) -> Broadcaster {
        let node = rand::random::<u64>();
        let (sender, receiver) = mpsc::channel::<Change>();
        let url = url.to_string();
        let spawned = std::thread::Builder::new()
            .name("khabar-notify".into())
            .spawn(move || publish(&url, node, &receiver));
        if let Err(err) = spawned {
            tracing::error!(error = %err, "could not start the invalidation publisher");
        }
        Broadcaster { node, sender }
    }

    /// This node's id (its own notifications come back to it, and are skipped).
    pub fn node(&self) -> u64 {
        self.node
    }

    /// Queues `change` for the other nodes.
    pub fn send(&self, change: Change) {
        // Only fails once the thread is gone (shutdown).
        let _ = self.sender.send(change);
    }
}

fn publish(url: &str, node: u64, receiver: &mpsc::Receiver<Change>) {
    let mut conn: Option<PgConnection> = None;
    // Ends when every Broadcaster is dropped.
    while let Ok(change) = receiver.recv() {
        let payload = change.encode(node);
        // One retry on a fresh connection; then the TTL is the safety net.
        for attempt in 0..2 {
            if conn.is_none() {
                conn = PgConnection::establish(url).ok();
            }
            let Some(c) = conn.as_mut() else { continue };
            match diesel::sql_query("SELECT pg_notify($1, $2)")
                .bind::<diesel::sql_types::Text, _>(CHANNEL)
                .bind::<diesel::sql_types::Text, _>(&payload)
                .execute(c)
            {
                Ok(_) => break,
                Err(err) => {
                    conn = None;
                    if attempt == 1 {
                        tracing::warn!(error = %err, change = ?change, "could not tell other nodes of a change; they see it when their caches expire");
                    }
                }
            }
        }
    }
}

/// Applies the other nodes' changes to `state` until it is dropped.
pub fn listen(state: &Arc<AppState>, url: &str, node: u64) {
    let weak: Weak<AppState> = Arc::downgrade(state);
    let url = url.to_string();
    let spawned = std::thread::Builder::new()
        .name("khabar-listen".into())
        .spawn(move || {
            let mut conn: Option<PgConnection> = None;
            let mut listened_before = false;
            loop {
                let Some(state) = weak.upgrade() else { return };
                if conn.is_none() {
                    conn = PgConnection::establish(&url).ok().and_then(|mut c| {
                        diesel::sql_query(format!("LISTEN {CHANNEL}"))
                            .execute(&mut c)
                            .ok()
                            .map(|_| c)
                    });
                    if conn.is_some() && listened_before {
                        // Messages may have been missed while it was away.
                        tracing::info!("invalidation listener reconnected: every cached answer is dropped");
                        state.taxonomy.invalidate();
                        state.responses.everything_changed();
                        state.list_index.mark_everything();
                    }
                    listened_before |= conn.is_some();
                }
                if let Some(c) = conn.as_mut() {
                    let mut lost = false;
                    for notification in c.notifications_iter() {
                        match notification {
                            Ok(n) => match Change::decode(&n.payload) {
                                Some((from, change)) if from != node => apply(&state, change),
                                _ => {}
                            },
                            Err(err) => {
                                tracing::warn!(error = %err, "invalidation listener lost its connection");
                                lost = true;
                                break;
                            }
                        }
                    }
                    if lost {
                        conn = None;
                    }
                }
                drop(state);
                std::thread::sleep(if conn.is_some() {
                    LISTEN_POLL
                } else {
                    Duration::from_secs(1)
                });
            }
        });
    if let Err(err) = spawned {
        tracing::error!(error = %err, "could not start the invalidation listener");
    }
}

/// Another node's change, applied here as that node applied it.
fn apply(state: &AppState, change: Change) {
    metrics::counter!("khabar_invalidations_received_total").increment(1);
    match change {
        Change::Article { id, lists } => {
            state.list_index.mark(id);
            state.responses.article_changed(id, lists)
        }
        Change::Lists => {
            state.list_index.mark_everything();
            state.responses.lists_changed()
        }
        Change::Counted => state.responses.counted_elsewhere(),
        Change::Taxonomy => {
            state.taxonomy.invalidate();
            state.responses.everything_changed();
        }
        Change::Visibility(id) => {
            state.list_index.mark(id);
            let row = state
                .db
                .run_blocking(|conn| crate::repo::views::counter_row(conn, id));
            match row {
                Ok(Ok(Some(row))) => state.views.set_visibility(id, row.visible_from()),
                Ok(Ok(None)) => state.views.set_visibility(id, None),
                // The views' own catch-up corrects it.
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_round_trip_and_strangers_are_ignored() {
        for change in [
            Change::Article {
                id: 42,
                lists: true,
            },
            Change::Article {
                id: 7,
                lists: false,
            },
            Change::Lists,
            Change::Taxonomy,
            Change::Visibility(9),
            Change::Counted,
        ] {
            assert_eq!(
                Change::decode(&change.encode(0xabc)),
                Some((0xabc, change.clone()))
            );
        }
        for junk in ["", "x", "zz|a:1:1", "1|a:x:1", "1|q", "1|v:"] {
            assert_eq!(Change::decode(junk), None, "{junk}");
        }
    }
}
