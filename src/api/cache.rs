//! A short-lived, in-process cache of anonymous reads of single published articles.
//!
//! A published article is read far more often than it changes, by readers who all
//! get the same bytes. A write through this server empties the cache at once; a
//! write by another process (the CLI, or another server on the same database) is
//! seen within [`TTL`]. Only 200s are kept, and an article once visible to the
//! public stays so until a write, so a scheduled article is never held back. Lists
//! and counts are not cached: when a scheduled article goes live they change with
//! no write at all.

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

use super::state::AppState;

/// How long an entry may serve before it is built again.
pub const TTL: Duration = Duration::from_secs(5);
/// Bodies kept at most, in bytes (some 1,300 articles of the demo's size).
const BUDGET_BYTES: usize = 32 * 1024 * 1024;

#[derive(Clone)]
struct Entry {
    generation: u64,
    made: Instant,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
pub struct ResponseCache {
    generation: AtomicU64,
    entries: Mutex<(HashMap<String, Entry>, usize)>,
}

impl ResponseCache {
    /// Forgets every entry: content changed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn get(&self, key: &str) -> Option<Entry> {
        let generation = self.generation.load(Ordering::SeqCst);
        let entries = self.entries.lock().ok()?;
        entries.0.get(key).filter(|e| e.generation == generation && e.made.elapsed() < TTL).cloned()
    }

    fn put(&self, key: String, entry: Entry) {
        let Ok(mut entries) = self.entries.lock() else { return };
        let (map, bytes) = &mut *entries;
        // Over budget: drop arbitrary entries (a hash map's order is as good as random
        // here) until the new one fits; hot articles are soon back.
        while *bytes + entry.body.len() > BUDGET_BYTES {
            let Some(victim) = map.keys().next().cloned() else { break };
            if let Some(old) = map.remove(&victim) {
                *bytes -= old.body.len();
            }
        }
        *bytes += entry.body.len();
        if let Some(old) = map.insert(key, entry) {
            *bytes -= old.body.len();
        }
    }
}

fn cacheable(req: &ServiceRequest) -> bool {
    matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.headers().contains_key(header::AUTHORIZATION)
        && req.path().strip_prefix("/api/v1/articles/").is_some_and(|rest| !rest.contains("/revisions"))
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
    let cache = req.app_data::<Data<AppState>>().cloned();
    let Some(state) = cache.filter(|_| cacheable(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = req.uri().to_string();
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
