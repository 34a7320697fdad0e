//! A short-lived, in-process cache of anonymous reads of single published articles.
//!
//! A published article is read far more often than it changes, by readers who all
//! get the same bytes. A write through this server empties the cache at once; a
//! write by another process (the CLI, or another server on the same database) is
//! seen within the entries' lifetime: [`TTL`] on SQLite, [`SHARED_TTL`] on
//! PostgreSQL, where other instances write all the time. Only 200s are kept, and an article once visible to the
//! public stays so until a write, so a scheduled article is never held back. Lists
//! and counts are not cached: when a scheduled article goes live they change with
//! no write at all.
//!
//! Entries are keyed by the article (its id as a number, or its slug), never by the
//! raw URI: `/articles/0002`, `/articles/%32` and `/articles/2?&&` are the one
//! resource `/articles/2` and share one entry, so a client cannot grow the cache by
//! spelling one article many ways. Everything an entry holds counts against the
//! budget, and stale entries are swept.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::HttpResponse;
use percent_encoding::percent_decode_str;

use super::state::AppState;

/// How long an entry may serve before it is built again, on SQLite.
pub const TTL: Duration = Duration::from_secs(5);
/// The same on PostgreSQL: a write on another instance shows here within a second.
pub const SHARED_TTL: Duration = Duration::from_millis(900);
/// Bytes kept at most: bodies, headers and keys (some 1,300 articles of the demo's size).
const BUDGET_BYTES: usize = 32 * 1024 * 1024;
/// What an entry costs beyond its bytes: the map slot, the header map, the allocations.
const ENTRY_OVERHEAD: usize = 256;

/// Which article a request reads: the cache key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Id(i64),
    Slug(String),
}

#[derive(Clone)]
struct Entry {
    generation: u64,
    made: Instant,
    headers: HeaderMap,
    body: Bytes,
}

impl Entry {
    fn cost(&self, key: &Key) -> usize {
        let key = match key {
            Key::Id(_) => 0,
            Key::Slug(slug) => slug.len(),
        };
        let headers: usize = self.headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
        ENTRY_OVERHEAD + key + headers + self.body.len()
    }

    fn live(&self, generation: u64, ttl: Duration) -> bool {
        self.generation == generation && self.made.elapsed() < ttl
    }
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    /// The summed cost of the entries in `map`.
    bytes: usize,
    swept: Option<Instant>,
}

impl Entries {
    fn remove(&mut self, key: &Key) {
        if let Some(old) = self.map.remove(key) {
            self.bytes -= old.cost(key);
        }
    }

    /// Drops every entry that can no longer serve.
    fn sweep(&mut self, generation: u64, ttl: Duration) {
        let mut freed = 0;
        self.map.retain(|key, entry| {
            let keep = entry.live(generation, ttl);
            if !keep {
                freed += entry.cost(key);
            }
            keep
        });
        self.bytes -= freed;
        self.swept = Some(Instant::now());
    }
}

pub struct ResponseCache {
    generation: AtomicU64,
    entries: Mutex<Entries>,
    ttl: Duration,
}

impl ResponseCache {
    /// A cache whose entries serve for `ttl` at most.
    pub fn new(ttl: Duration) -> Self {
        Self { generation: AtomicU64::new(0), entries: Mutex::default(), ttl }
    }

    /// Forgets every entry: content changed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut entries) = self.entries.lock() {
            *entries = Entries::default();
        }
    }

    fn get(&self, key: &Key) -> Option<Entry> {
        let generation = self.generation.load(Ordering::SeqCst);
        let entries = self.entries.lock().ok()?;
        entries.map.get(key).filter(|e| e.live(generation, self.ttl)).cloned()
    }

    fn put(&self, key: Key, entry: Entry) {
        let cost = entry.cost(&key);
        let Ok(mut entries) = self.entries.lock() else { return };
        let generation = self.generation.load(Ordering::SeqCst);
        // Built before a write that has emptied the cache since: already stale.
        if entry.generation != generation || cost > BUDGET_BYTES {
            return;
        }
        entries.remove(&key);
        if entries.swept.is_none_or(|at| at.elapsed() >= self.ttl) || entries.bytes + cost > BUDGET_BYTES {
            entries.sweep(generation, self.ttl);
        }
        // Still over budget: drop arbitrary live entries (a hash map's order is as good
        // as random here) until the new one fits; hot articles are soon back.
        while entries.bytes + cost > BUDGET_BYTES {
            let Some(victim) = entries.map.keys().next().cloned() else { break };
            entries.remove(&victim);
        }
        entries.bytes += cost;
        entries.map.insert(key, entry);
    }
}

/// The article an anonymous read names, when the read may be served from the cache.
///
/// Only requests whose query string is empty (or only `&`s, which the handler reads as
/// no parameters) qualify: any real parameter goes to the handler, which refuses it.
/// An id is keyed by its value; a path that is not plainly digits or a slug is not
/// cached at all (the handler answers it).
fn key(req: &ServiceRequest) -> Option<Key> {
    let readable = matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.headers().contains_key(header::AUTHORIZATION)
        && req.query_string().split('&').all(str::is_empty);
    if !readable {
        return None;
    }
    let rest = req.path().strip_prefix("/api/v1/articles/")?;
    let (slug, text) = match rest.strip_prefix("slug/") {
        Some(slug) => (true, slug),
        None => (false, rest),
    };
    let text = percent_decode_str(text).decode_utf8().ok()?;
    if slug {
        let plain = !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        plain.then(|| Key::Slug(text.into_owned()))
    } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok().map(Key::Id)
    } else {
        None
    }
}
fn from_entry(req: &ServiceRequest, entry: Entry) -> HttpResponse {
    let etag = entry.headers.get(header::ETAG).cloned();
    let fresh = match (req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()), &etag) {
        (Some(given), Some(etag)) => etag.to_str().is_ok_and(|etag| super::respond::etag_matches_weakly(given, etag)),
        _ => false,
    };
    let mut response = if fresh {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::with_body(StatusCode::OK, BoxBody::new(entry.body))
    };
    for (name, value) in &entry.headers {
        if !(fresh && name == header::CONTENT_TYPE) {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

/// Serves cacheable reads from the cache, and stores the 200s it had to build.
pub async fn serve(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let cached = key(&req).and_then(|key| Some((key, req.app_data::<Data<AppState>>().cloned()?)));
    let Some((key, state)) = cached else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if let Some(entry) = state.cache.get(&key) {
        let response = from_entry(&req, entry);
        return Ok(req.into_response(response));
    }
    let generation = state.cache.generation.load(Ordering::SeqCst);
    let store = req.method() == Method::GET;
    let response = next.call(req).await?;
    if !store || response.status() != StatusCode::OK {
        return Ok(response.map_into_boxed_body());
    }
    let (req, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = body::to_bytes(body).await.map_err(|e| actix_web::error::ErrorInternalServerError(e.into()))?;
    let entry = Entry { generation, made: Instant::now(), headers: head.headers().clone(), body: bytes.clone() };
    state.cache.put(key, entry);
    Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))))
}
