//! The database's [`Version`] on PostgreSQL, one read for all who ask while it is under
//! way.
//!
//! A version answers a caller when its read started after the caller asked: then it
//! counts every commit made before. On PostgreSQL a read is a round trip, and was most
//! of what answering a kept page cost; so the callers that ask while a read is under
//! way wait for the next one, which starts when it ends, and that one read answers
//! them all. Under load a kept page then costs a fraction of a round trip, not one.

use std::sync::{Arc, Mutex, PoisonError};

use actix_web::web;
use tokio::sync::watch;

use super::deadline::{within, RunError};
use crate::db::{Database, Version};
use crate::store::StoreError;

/// The reads of the version, one at a time, and the latest one's answer.
#[derive(Clone)]
pub struct Versions {
    shared: Arc<Shared>,
}

struct Shared {
    reads: Mutex<Reads>,
    /// The latest read to end.
    ended: watch::Sender<Ended>,
}

#[derive(Default)]
struct Reads {
    /// The number of the latest read started (they count from 1).
    started: u64,
    running: bool,
    /// Someone asked while a read was running: start another when it ends.
    again: bool,
}

/// A read that ended: its number, and what it found (`None` when it failed).
#[derive(Default)]
struct Ended {
    number: u64,
    version: Option<Version>,
}

impl Default for Versions {
    fn default() -> Self {
        let shared = Shared { reads: Mutex::default(), ended: watch::Sender::new(Ended::default()) };
        Self { shared: Arc::new(shared) }
    }
}

impl Versions {
    /// The version of `db` as read after this call began, within the database's deadline.
    pub async fn current(&self, db: &Database) -> Result<Version, RunError> {
        let mut ended = self.shared.ended.subscribe();
        let asked = {
            let mut reads = self.shared.reads.lock().unwrap_or_else(PoisonError::into_inner);
            // Every read numbered above this one starts from now on.
            let asked = reads.started;
            if reads.running {
                reads.again = true;
            } else {
                self.start(&mut reads, db);
            }
            asked
        };
        let read = actix_web::rt::time::timeout(db.deadline(), ended.wait_for(|read| read.number > asked)).await;
        match read {
            Ok(Ok(read)) => read.version.clone().ok_or(RunError::Unavailable),
            Ok(Err(closed)) => Err(RunError::Failed(closed.into())),
            Err(_) => Err(RunError::Unavailable),
        }
    }

    /// Starts read number `reads.started + 1`, on a task of its own: it ends and tells its
    /// answer even when the caller that started it is gone.
    fn start(&self, reads: &mut Reads, db: &Database) {
        reads.running = true;
        reads.started += 1;
        let (number, versions, db) = (reads.started, self.clone(), db.clone());
        tokio::spawn(async move {
            let reader = db.clone();
            let read = web::block(move || reader.version(&mut *reader.reader()?).map_err(StoreError::from));
            let version = match within(db.deadline(), read).await {
                Ok(version) => Some(version),
                Err(err) => {
                    tracing::warn!(error = %err, "cannot read the database's version");
                    None
                }
            };
            versions.shared.ended.send_replace(Ended { number, version });
            let mut reads = versions.shared.reads.lock().unwrap_or_else(PoisonError::into_inner);
            reads.running = false;
            if std::mem::take(&mut reads.again) {
                versions.start(&mut reads, &db);
            }
        });
    }
}
