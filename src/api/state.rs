//! What every handler shares: the database, the token keys and the settings.

use std::future::Future;
use std::time::{Duration, Instant};

use actix_web::error::BlockingError;
use actix_web::web;
use tokio::sync::oneshot;

use super::error::ApiError;
use crate::auth::api_key::KeyUses;
use crate::auth::lane::HashLane;
use crate::auth::token::TokenKeys;
use crate::db::writer::Writes;
use crate::db::{Conn, Database};
use crate::proxies::TrustedProxies;
use crate::store::audit::{self, Actor, Change};
use crate::store::logins::LoginLimits;
use crate::store::{claim_tx, StoreError, StoreResult};
use crate::webhooks::resolver::Hosts;

pub struct AppState {
    pub db: Database,
    pub keys: TokenKeys,
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// Matches of a search ranked by relevance ([`crate::config::Settings::search_ranked`]).
    pub search_ranked: usize,
    pub login_limits: LoginLimits,
    pub trusted_proxies: TrustedProxies,
    /// Where every password hash runs: its own few threads, bounded.
    pub hashes: HashLane,
    /// The writer thread, where writes queue for their turn without holding a
    /// blocking thread each (a queue of those would starve reads).
    pub writes: Writes,
    /// When this instance last wrote each API key's `last_used_at`.
    pub key_uses: KeyUses,
    /// Where webhook hosts are resolved, and whether they may be internal (see
    /// [`crate::webhooks::guard`]).
    pub webhook_hosts: Hosts,
}

impl AppState {
    /// Runs `f` on a reader connection, off the async executor.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
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
    /// off the async executor as [`AppState::read`] does.
    pub async fn look_up<T, F>(&self, f: F) -> Result<T, ApiError>
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

    /// Runs `f` in a [`claim_tx`]: on PostgreSQL on a pooled connection beside the
    /// writer, so it does not wait its turn with the content writes; on SQLite on the
    /// writer connection, in turn.
    pub async fn claim<T, F>(&self, f: F) -> Result<T, ApiError>
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
    pub async fn write_audited<T, F, C>(&self, actor: Actor, change: C, f: F) -> Result<T, ApiError>
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
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        let db = self.db.clone();
        // Waiting for the turn counts against the deadline too: behind a stuck write,
        // the rest are told to retry instead of queueing without end, and are not run
        // when their turn comes after all.
        let due = Instant::now() + self.db.deadline();
        let answer = self.writes.run(move || {
            if Instant::now() >= due {
                return Err(StoreError::Unavailable("no turn to write before the deadline".into()));
            }
            f(&mut *db.writer()?)
        });
        self.written(answer).await
    }

    /// The answer of a write queued on the writer thread, or 503 past the deadline.
    async fn written<T>(&self, answer: oneshot::Receiver<StoreResult<T>>) -> Result<T, ApiError> {
        let deadline = self.db.deadline();
        // A write cut by the deadline may still commit when the database wakes: like
        // any request cut by a timeout, its outcome is unknown to the client.
        match actix_web::rt::time::timeout(deadline, answer).await {
            Ok(Ok(written)) => written.map_err(ApiError::from),
            Ok(Err(_)) => Err(ApiError::internal(anyhow::anyhow!("a write panicked"))),
            Err(_) => {
                tracing::warn!(?deadline, "no write before the deadline");
                Err(ApiError::Unavailable)
            }
        }
    }
}

/// The answer of blocking database work, or 503 once the database has taken longer
/// than it can when it is working ([`crate::db::Database::deadline`]): a frozen server
/// or a silent network answers nothing, and neither its statement timeout nor the
/// pool notices. The work itself cannot be stopped; it ends when the database answers
/// or the connection breaks.
async fn within<T>(
    deadline: Duration,
    work: impl Future<Output = Result<StoreResult<T>, BlockingError>>,
) -> Result<T, ApiError> {
    match actix_web::rt::time::timeout(deadline, work).await {
        Ok(done) => done.map_err(ApiError::internal)?.map_err(ApiError::from),
        Err(_) => {
            tracing::warn!(?deadline, "the database did not answer in time");
            Err(ApiError::Unavailable)
        }
    }
}
