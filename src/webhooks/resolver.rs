//! The names of webhook hosts, resolved by folio itself: asynchronously, on a thread of
//! their own, with a deadline, and at most [`LOOKUPS`] at once. A nameserver that never
//! answers then costs a save its deadline and nothing else: no thread of the pool that
//! database reads use waits on it (the system's `getaddrinfo` would hold one each).
//!
//! The sending client resolves through the same [`Hosts`] and connects to exactly the
//! addresses it checked, so nothing resolves a name again between the check and the
//! connection.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, Semaphore};

use super::addresses::{is_internal, Refusal, INTERNAL};

/// How long a name may take to resolve.
pub const DEADLINE: Duration = Duration::from_secs(5);
/// Lookups under way at once, at most; more wait their turn within their deadline.
const LOOKUPS: usize = 64;

/// A resolver's refusal of a name, as the sending client carries it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub Refusal);

/// Where webhook hosts are resolved, and whether they may be internal.
#[derive(Clone)]
pub struct Hosts {
    /// None when the system's resolver configuration cannot be read: no name resolves.
    resolver: Option<TokioResolver>,
    /// The runtime of the resolver's thread, where every lookup and its sockets run.
    runtime: Handle,
    permits: Arc<Semaphore>,
    pub allow_private: bool,
    /// The resolver's thread ends when the last of these is dropped.
    _alive: mpsc::UnboundedSender<()>,
}

impl Hosts {
    /// Starts the resolver's thread, with the system's configuration (`/etc/resolv.conf`
    /// and `/etc/hosts`).
    pub fn start(allow_private: bool) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (alive, gone) = mpsc::unbounded_channel::<()>();
        std::thread::Builder::new().name("folio-dns".into()).spawn(move || {
            let mut gone = gone;
            runtime.block_on(gone.recv())
        })?;
        let _inside = handle.enter();
        let resolver = match TokioResolver::builder_tokio() {
            Ok(mut builder) => {
                let options = builder.options_mut();
                // Each lookup gives up by itself within the deadline, too.
                options.timeout = Duration::from_secs(2);
                options.attempts = 2;
                Some(builder.build()?)
            }
            Err(err) => {
                tracing::warn!(error = %err, "no resolver configuration: webhook hosts given by name cannot be resolved");
                None
            }
        };
        Ok(Self { resolver, runtime: handle, permits: Arc::new(Semaphore::new(LOOKUPS)), allow_private, _alive: alive })
    }

    /// Every address of `host`, or why not, within [`DEADLINE`].
    async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, Refusal> {
        let Some(resolver) = self.resolver.clone() else {
            return Err("its host cannot be resolved (no nameserver is configured)".into());
        };
        let late = || format!("its host did not resolve within {} s", DEADLINE.as_secs());
        let lookup = async {
            let _permit = self.permits.acquire().await.map_err(|_| late())?;
            let name = host.to_owned();
            let mut running = self.runtime.spawn(async move { resolver.lookup_ip(name).await });
            let found = match tokio::time::timeout(DEADLINE, &mut running).await {
                Ok(done) => done.map_err(|_| late())?,
                Err(_) => {
                    running.abort();
                    return Err(late());
                }
            };
            let found = found.map_err(|e| format!("its host cannot be resolved ({e})"))?;
            Ok(found.iter().collect::<Vec<IpAddr>>())
        };
        let addresses = tokio::time::timeout(DEADLINE, lookup).await.map_err(|_| late())??;
        match addresses.is_empty() {
            true => Err("its host resolves to no address".into()),
            false => Ok(addresses),
        }
    }

    /// The addresses of `host` a webhook may reach: all of them, or none when any is
    /// internal (unless internal addresses are allowed). Which one was internal is not
    /// said: the caller must not learn the inside's layout.
    pub async fn checked(&self, host: &str) -> Result<Vec<IpAddr>, Refusal> {
        let addresses = self.addresses(host).await?;
        match !self.allow_private && addresses.iter().any(|ip| is_internal(*ip)) {
            true => Err(INTERNAL.into()),
            false => Ok(addresses),
        }
    }
}

impl Resolve for Hosts {
    fn resolve(&self, name: Name) -> Resolving {
        let hosts = self.clone();
        Box::pin(async move {
            match hosts.checked(name.as_str()).await {
                Ok(addresses) => Ok(Box::new(addresses.into_iter().map(|ip| SocketAddr::new(ip, 0))) as Addrs),
                Err(why) => Err(Box::new(Refused(why)) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}
