//! Store functions run from async code: off the async executor, within the database's
//! deadline. The HTTP handlers (through [`crate::api::state::AppState`]) and the
//! webhook workers both run their database work here.

pub mod batches;
mod deadline;
pub mod versions;
pub mod writer;

use std::time::Instant;

use actix_web::web;
use tokio::sync::oneshot;

use self::deadline::within;
pub use self::deadline::RunError;
use self::versions::Versions;
use self::writer::Writes;
use crate::db::{Conn, Database, Version};
use crate::store::audit::{self, Actor, Change};
use crate::store::{claim_tx, StoreError, StoreResult};

/// The database and the writer thread, as async code reaches them.
pub struct Runner {
    pub db: Database,
    /// The writer thread, where writes queue for their turn without holding a
    /// blocking thread each (a queue of those would starve reads).
    pub writes: Writes,
    /// PostgreSQL's reads of its version, shared by the callers that ask at once.
    pub versions: Versions,
}

impl Runner {
    /// Runs `f` on a reader connection, off the async executor.
    pub async fn read<T, F>(&self, f: F) -> Result<T, RunError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        let db = self.db.clone();
        within(self.db.deadline(), web::block(move || f(&mut *db.reader()?))).await
    }

    /// Runs `f` on a reader connection: on SQLite right here, on the calling thread,
    /// for a look-up that costs less than handing it to another thread would (a public
    /// read of a stored representation); on PostgreSQL, which answers over the network,
    /// off the async executor as [`Runner::read`] does.
    pub async fn look_up<T, F>(&self, f: F) -> Result<T, RunError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        if self.db.is_shared() {
            return self.read(f).await;
        }
        let mut conn = self.db.reader().map_err(StoreError::from)?;
        Ok(f(&mut conn)?)
    }

    /// The database's version as of a moment after this call began (see
    /// [`Database::version`]): on SQLite read right here, on its own connection; on
    /// PostgreSQL one read for all the callers that ask while it is under way.
    pub async fn version(&self) -> Result<Version, RunError> {
        if self.db.is_shared() {
            return self.versions.current(&self.db).await;
        }
        let db = self.db.clone();
        self.look_up(move |conn| Ok(db.version(conn)?)).await
    }

    /// Runs `f` in a [`claim_tx`]: on PostgreSQL on a pooled connection beside the
    /// writer, so it does not wait its turn with the content writes; on SQLite on the
    /// writer connection, in turn.
    pub async fn claim<T, F>(&self, f: F) -> Result<T, RunError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        match self.db.is_shared() {
            // The readers' pool: a connection like any other, bar the turn.
            true => self.read(move |conn| claim_tx(conn, f)).await,
            false => self.write(move |conn| claim_tx(conn, f)).await,
        }
    }

    /// Runs `f` on the writer connection and records `change` of its result in the
    /// audit trail, both in one transaction: a savepoint of the transaction that
    /// commits it together with the writes queued beside it ([`Writes::run_grouped`]).
    pub async fn write_audited<T, F, C>(&self, actor: Actor, change: C, f: F) -> Result<T, RunError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
        C: FnOnce(&T) -> Change + Send + 'static,
    {
        let due = Instant::now() + self.db.deadline();
        let answer = self.writes.run_grouped(move |conn| {
            if Instant::now() >= due {
                return Err(StoreError::Unavailable("no turn to write before the deadline".into()));
            }
            let value = f(conn)?;
            audit::record(conn, &actor, change(&value))?;
            Ok(value)
        });
        self.written(answer).await
    }

    /// Runs `f` on the writer connection, off the async executor.
    pub async fn write<T, F>(&self, f: F) -> Result<T, RunError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        let db = self.db.clone();
        // Waiting for the turn counts against the deadline too: behind a stuck write,
        // the rest are told to retry instead of queueing without end, and are not run
        // when their turn comes after all.
        let deadline = self.db.deadline();
        let due = Instant::now() + deadline;
        let answer = self.writes.run(move || {
            if Instant::now() >= due {
                return Err(StoreError::Unavailable("no turn to write before the deadline".into()));
            }
            f(&mut *db.writer()?)
        });
        self.written(answer).await
    }

    /// The answer of a write queued on the writer thread, or [`RunError::Unavailable`]
    /// past the deadline.
    async fn written<T>(&self, answer: oneshot::Receiver<StoreResult<T>>) -> Result<T, RunError> {
        let deadline = self.db.deadline();
        // A write cut by the deadline may still commit when the database wakes: like
        // any request cut by a timeout, its outcome is unknown to the client.
        match actix_web::rt::time::timeout(deadline, answer).await {
            Ok(Ok(written)) => written.map_err(RunError::from),
            Ok(Err(_)) => Err(RunError::Failed(anyhow::anyhow!("a write panicked"))),
            Err(_) => {
                tracing::warn!(?deadline, "no write before the deadline");
                Err(RunError::Unavailable)
            }
        }
    }
}
