//! Look-ups asked for at once, made together: one hand-over to a blocking thread, one
//! connection and one query for all the callers waiting.
//!
//! On PostgreSQL a public read of one article is one indexed look-up, yet each costs a
//! hand-over to a blocking thread and back, a connection from the pool and a round
//! trip, far more than the row. So the reads that arrive while batches are under way
//! wait for the next one, which starts as one ends and looks up all of them at once.

use std::sync::{Arc, Mutex, PoisonError};

use actix_web::web;
use tokio::sync::oneshot;

use super::deadline::{within, RunError};
use crate::db::{Conn, Database};
use crate::store::{StoreError, StoreResult};

/// At most this many keys in one query; the rest wait for the next batch.
const MOST_KEYS: usize = 64;

/// Batches under way at once: while one waits for the database, the next is made ready,
/// and the database answers both.
const MOST_RUNNING: usize = 2;

/// What a batch looks up: the value of each key, in the keys' order.
type LookUp<K, V> = dyn Fn(&mut Conn, Vec<K>) -> StoreResult<Vec<V>> + Send + Sync;

/// Keys `K` looked up in batches, each answered with its `V`.
pub struct Batches<K, V> {
    shared: Arc<Shared<K, V>>,
}

struct Shared<K, V> {
    look_up: Box<LookUp<K, V>>,
    queue: Mutex<Queue<K, V>>,
}

struct Queue<K, V> {
    waiting: Vec<(K, oneshot::Sender<Result<V, Failure>>)>,
    running: usize,
}

/// Why a batch has no values, told to each of its callers.
#[derive(Clone)]
enum Failure {
    /// The database cannot answer now: retry later.
    Unavailable(String),
    Failed(String),
}

impl Failure {
    fn of(err: &RunError) -> Self {
        match err {
            RunError::Store(StoreError::Unavailable(_) | StoreError::Pool(_)) | RunError::Unavailable => {
                Self::Unavailable(err.to_string())
            }
            other => Self::Failed(other.to_string()),
        }
    }
}

impl From<Failure> for RunError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Unavailable(cause) => Self::Store(StoreError::Unavailable(cause)),
            Failure::Failed(cause) => Self::Failed(anyhow::anyhow!(cause)),
        }
    }
}

impl<K: Send + 'static, V: Send + 'static> Batches<K, V> {
    /// Batches made by `look_up`, which answers each key in order.
    pub fn new(look_up: impl Fn(&mut Conn, Vec<K>) -> StoreResult<Vec<V>> + Send + Sync + 'static) -> Self {
        let queue = Mutex::new(Queue { waiting: Vec::new(), running: 0 });
        Self { shared: Arc::new(Shared { look_up: Box::new(look_up), queue }) }
    }

    /// The value of `key` on `db`, looked up after this call began, within the
    /// database's deadline.
    pub async fn get(&self, db: &Database, key: K) -> Result<V, RunError> {
        let (answer, answered) = oneshot::channel();
        {
            let mut queue = self.shared.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.waiting.push((key, answer));
            if queue.running < MOST_RUNNING {
                queue.running += 1;
                tokio::spawn(run(self.shared.clone(), db.clone()));
            }
        }
        match actix_web::rt::time::timeout(db.deadline(), answered).await {
            Ok(Ok(value)) => value.map_err(RunError::from),
            Ok(Err(_)) => Err(RunError::Failed(anyhow::anyhow!("a batch ended without answering"))),
            Err(_) => Err(RunError::Unavailable),
        }
    }
}

/// Looks up the waiting keys, a batch at a time, until none wait: one of the
/// [`MOST_RUNNING`]. A task of its own, it answers every caller even when the one that
/// started it is gone.
async fn run<K: Send + 'static, V: Send + 'static>(shared: Arc<Shared<K, V>>, db: Database) {
    loop {
        let batch: Vec<_> = {
            let mut queue = shared.queue.lock().unwrap_or_else(PoisonError::into_inner);
            if queue.waiting.is_empty() {
                queue.running -= 1;
                return;
            }
            let count = queue.waiting.len().min(MOST_KEYS);
            queue.waiting.drain(..count).collect()
        };
        let (keys, answers): (Vec<K>, Vec<_>) = batch.into_iter().unzip();
        let (work, reader) = (shared.clone(), db.clone());
        let found = within(db.deadline(), web::block(move || (work.look_up)(&mut *reader.reader()?, keys))).await;
        match found {
            Ok(values) => {
                for (answer, value) in answers.into_iter().zip(values) {
                    // The caller may be gone: its answer goes nowhere.
                    let _ = answer.send(Ok(value));
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "a batch of look-ups failed");
                let failure = Failure::of(&err);
                for answer in answers {
                    let _ = answer.send(Err(failure.clone()));
                }
            }
        }
    }
}
