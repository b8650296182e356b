//! Public reads of one article by id on PostgreSQL, gathered into batches.
//!
//! Each PostgreSQL read costs a hop to the blocking pool, a round trip on
//! the socket and the wake-ups on both ends; measured at 100,000 articles,
//! cache off, these were a third of the server's CPU for an uncached
//! article (thread switches 21%, `send` 14%). Under load many such reads
//! are waiting at once: while a few batches run, the ids that arrive queue,
//! and the next batch reads them all with one `id = ANY($1)`. A lone read
//! waits for nothing (it starts a batch of one at once). Hand-written: no
//! crate batches diesel reads.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

use crate::db::Db;
use crate::error::AppError;
use crate::service::articles::{self, ArticleView};
use crate::service::taxonomy::TaxonomyCache;

/// Most ids one statement reads.
const MAX_BATCH: usize = 64;

/// What a waiting read gets back.
type Outcome = Result<Option<ArticleView>, BatchError>;

/// A failed batch, told to each of its reads.
#[derive(Debug, Clone)]
enum BatchError {
    Unavailable(String),
    Failed(String),
}

#[derive(Default)]
struct Queue {
    waiting: Vec<(i64, oneshot::Sender<Outcome>)>,
    running: usize,
}

/// Gathers concurrent reads of published articles by id.
pub struct ArticleBatcher {
    queue: Arc<Mutex<Queue>>,
    /// Batches running at once (each holds one pooled connection).
    max_running: usize,
}

impl ArticleBatcher {
    /// At most `max_running` batches at once.
    pub fn new(max_running: usize) -> Self {
        ArticleBatcher {
            queue: Arc::default(),
            max_running: max_running.max(1),
        }
    }

    /// The published, due article `id` (`None`: not found for the public).
    pub async fn published(
        &self,
        db: &Db,
        taxonomy: &Arc<TaxonomyCache>,
        id: i64,
    ) -> Result<Option<ArticleView>, AppError> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.waiting.push((id, tx));
            let start = queue.running < self.max_running;
            if start {
                queue.running += 1;
            }
            start
        };
        if start {
            actix_web::rt::spawn(drain(self.queue.clone(), db.clone(), taxonomy.clone()));
        }
        match rx.await {
            Ok(Ok(view)) => Ok(view),
            Ok(Err(BatchError::Unavailable(why))) => Err(AppError::Unavailable(why)),
            Ok(Err(BatchError::Failed(why))) => Err(AppError::Internal(why)),
            Err(_) => Err(AppError::Internal("an article batch was dropped".into())),
        }
    }
}

/// Reads batches until no read is waiting.
async fn drain(queue: Arc<Mutex<Queue>>, db: Db, taxonomy: Arc<TaxonomyCache>) {
    loop {
        let batch: Vec<(i64, oneshot::Sender<Outcome>)> = {
            let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            if queue.waiting.is_empty() {
                queue.running -= 1;
                return;
            }
            let take = queue.waiting.len().min(MAX_BATCH);
            queue.waiting.drain(..take).collect()
        };
        let mut ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        let cache = taxonomy.clone();
        let now = crate::service::now();
        let read = db
            .read(move |conn| articles::published_views_by_ids(conn, &cache, &ids, now))
            .await;
        match read {
            Ok(views) => {
                let mut by_id: std::collections::HashMap<i64, ArticleView> =
                    views.into_iter().map(|v| (v.article.id, v)).collect();
                // The last waiter for an id takes the view, the others a copy.
                let mut left: std::collections::HashMap<i64, usize> = Default::default();
                for (id, _) in &batch {
                    *left.entry(*id).or_default() += 1;
                }
                for (id, tx) in batch {
                    let count = left.get_mut(&id).expect("counted above");
                    *count -= 1;
                    let view = if *count == 0 {
                        by_id.remove(&id)
                    } else {
                        by_id.get(&id).cloned()
                    };
                    let _ = tx.send(Ok(view));
                }
            }
            Err(err) => {
                let err = match crate::error::AppError::from(err) {
                    AppError::Unavailable(why) => BatchError::Unavailable(why),
                    other => BatchError::Failed(other.to_string()),
                };
                for (_, tx) in batch {
                    let _ = tx.send(Err(err.clone()));
                }
            }
        }
    }
}
