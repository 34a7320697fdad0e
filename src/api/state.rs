//! What every handler shares: the database, the token keys and the settings.

use std::sync::Arc;

use super::error::ApiError;
use crate::auth::api_key::KeyUses;
use crate::auth::lane::HashLane;
use crate::auth::token::TokenKeys;
use crate::config::LoginLimits;
use crate::db::Conn;
use crate::proxies::TrustedProxies;
use crate::runner::Runner;
use crate::store::audit::{Actor, Change};
use crate::store::StoreResult;
use crate::webhooks::resolver::Hosts;

pub struct AppState {
    /// The database and the writer thread, shared with the webhook workers.
    pub runner: Arc<Runner>,
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
    /// When this instance last wrote each API key's `last_used_at`.
    pub key_uses: KeyUses,
    /// Where webhook hosts are resolved, and whether they may be internal (see
    /// [`crate::webhooks::guard`]).
    pub webhook_hosts: Hosts,
}

impl AppState {
    /// Runs `f` on a reader connection, off the async executor ([`Runner::read`]).
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        Ok(self.runner.read(f).await?)
    }

    /// Runs `f` on a reader connection, on the calling thread where that is cheaper
    /// ([`Runner::look_up`]).
    pub async fn look_up<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        Ok(self.runner.look_up(f).await?)
    }

    /// Runs `f` in a transaction that claims rows ([`Runner::claim`]).
    pub async fn claim<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        Ok(self.runner.claim(f).await?)
    }

    /// Runs `f` on the writer connection and records `change` of its result in the
    /// audit trail, both in one transaction ([`Runner::write_audited`]).
    pub async fn write_audited<T, F, C>(&self, actor: Actor, change: C, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
        C: FnOnce(&T) -> Change + Send + 'static,
    {
        Ok(self.runner.write_audited(actor, change, f).await?)
    }

    /// Runs `f` on the writer connection, off the async executor ([`Runner::write`]).
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    {
        Ok(self.runner.write(f).await?)
    }
}
