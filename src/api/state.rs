//! What every handler shares: the database, the token keys and the settings.

use std::sync::Arc;

use super::articles::locales::PublicReads;
use super::making::Making;
use super::respond::StoredPage;
use crate::auth::api_key::KeyUses;
use crate::auth::lane::HashLane;
use crate::auth::token::TokenKeys;
use crate::config::LoginLimits;
use crate::content::links::Links;
use crate::content::locale::Locales;
use crate::proxies::TrustedProxies;
use crate::runner::Runner;
use crate::store::read_model::kept::KeptPages;
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
    /// How long events are kept, so how old a changes cursor may be (`FOLIO_EVENT_RETENTION_DAYS`).
    pub event_retention: chrono::TimeDelta,
    pub login_limits: LoginLimits,
    pub trusted_proxies: TrustedProxies,
    /// Where every password hash runs: its own few threads, bounded.
    pub hashes: HashLane,
    /// When this instance last wrote each API key's `last_used_at`.
    pub key_uses: KeyUses,
    /// Where webhook hosts are resolved, and whether they may be internal (see
    /// [`crate::webhooks::guard`]).
    pub webhook_hosts: Hosts,
    /// How feeds and the sitemap link articles.
    pub links: Links,
    /// The locales articles may have, the default first (`FOLIO_LOCALES`).
    pub locales: Locales,
    /// URLs in one sitemap file ([`crate::config::Settings::sitemap_urls_per_file`]).
    pub sitemap_urls_per_file: i64,
    /// Where media files are kept.
    pub storage: crate::media::Storage,
    /// Image variants, made once each, a few at a time.
    pub variants: crate::media::Variants,
    /// The largest upload (`FOLIO_MAX_UPLOAD_BYTES`).
    pub max_upload_bytes: usize,
    /// Searches running at once: one a core ([`searches_at_once`]).
    pub searches: tokio::sync::Semaphore,
    /// Pages of public lists, searches among them, kept while the data is the same.
    pub kept_pages: KeptPages<Arc<StoredPage>>,
    /// The kept pages being made, one request at a time each.
    pub making: Making,
    /// The public's reads of one article, in batches on PostgreSQL.
    pub public_reads: PublicReads,
}

/// How many searches run at once; the others wait their turn.
///
/// A search is CPU work on a reader connection, and holds the doclists of the words
/// it looks for (tens of MB for a common word at 100,000 articles). More searches at
/// once than cores finish no sooner, hold more memory, and take the reader
/// connections the other reads need: 64 searches held all eight, and a by-slug read
/// waited behind them.
pub fn searches_at_once() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// Handlers reach the database through the runner: `state.read(…)`, `state.write(…)`;
/// its errors become HTTP answers through `ApiError`'s `From`.
impl std::ops::Deref for AppState {
    type Target = Runner;

    fn deref(&self) -> &Runner {
        &self.runner
    }
}
