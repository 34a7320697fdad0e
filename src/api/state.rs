//! What every handler shares: the database, the token keys and the settings.

use actix_web::web;

use super::cache::ResponseCache;
use super::error::ApiError;
use crate::auth::lane::HashLane;
use crate::auth::token::TokenKeys;
use crate::db::{Conn, Database};
use crate::proxies::TrustedProxies;
use crate::store::audit::{self, Actor, Change};
use crate::store::logins::LoginLimits;
use crate::store::{write_tx, StoreResult};

pub struct AppState {
    pub db: Database,
    pub keys: TokenKeys,
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    pub login_limits: LoginLimits,
    pub trusted_proxies: TrustedProxies,
    /// Where every password hash runs: its own few threads, bounded.
    pub hashes: HashLane,
    /// Writers wait their turn here, not in a blocking thread: there is one writer
    /// connection, and a queue of writes holding blocking threads starves reads.
    pub write_turn: tokio::sync::Mutex<()>,
    /// Anonymous reads of public content; emptied by every content write.
    pub cache: ResponseCache,
    /// Whether webhook URLs may resolve to internal addresses (see [`crate::webhooks::guard`]).
    pub webhooks_allow_private: bool,
}

impl AppState {
    /// Runs `f` on a reader connection, off the async executor.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || f(&mut *db.reader()?)).await.map_err(ApiError::internal)?.map_err(ApiError::from)
    }

    /// Runs `f` on the writer connection and records `change` of its result in the
    /// audit trail, both in one transaction.
    pub async fn write_audited<T, F, C>(&self, actor: Actor, change: C, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
        C: FnOnce(&T) -> Change + Send + 'static,
    {
        let written = self
            .write(move |conn| {
                write_tx(conn, |conn| {
                    let value = f(conn)?;
                    audit::record(conn, &actor, change(&value))?;
                    Ok(value)
                })
            })
            .await;
        // Every content write is audited; a failed one may still have changed nothing,
        // but forgetting a few cached reads costs little.
        self.cache.invalidate();
        written
    }

    /// Runs `f` on the writer connection, off the async executor.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        let db = self.db.clone();
        let _turn = self.write_turn.lock().await;
        web::block(move || f(&mut *db.writer()?)).await.map_err(ApiError::internal)?.map_err(ApiError::from)
    }
}
