//! Headers every response carries: caching policy and security headers.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;

use super::error::{problem, PROBLEM_JSON};

const PUBLIC_CACHE: &str = "public, max-age=60, stale-while-revalidate=300";
const NO_STORE: &str = "private, no-store";

/// Cache-Control for every response: successful anonymous reads may be cached by a CDN
/// for a minute (and served stale while revalidating); anything with a token, any
/// write and any error must not be stored. Reads vary by `Authorization`.
pub async fn cache_control(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let anonymous = !req.headers().contains_key(header::AUTHORIZATION);
    let mut response = next.call(req).await?;
    let status = response.status();
    let cacheable = read && anonymous && (status.is_success() || status == StatusCode::NOT_MODIFIED);
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if cacheable { PUBLIC_CACHE } else { NO_STORE };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    if read {
        headers.append(header::VARY, HeaderValue::from_static("Authorization"));
    }
    Ok(response)
}

/// The interactive docs need their own scripts and styles; JSON needs nothing at all.
const DOCS_POLICY: &str =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// `nosniff`, no referrer, and a Content-Security-Policy fitting what is served.
pub async fn security(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.contains("javascript") || v.starts_with("text/css"));
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // A handler that set its own policy (an SVG file's) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let policy = if html { DOCS_POLICY } else { API_POLICY };
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
    Ok(response)
}

/// Errors raised outside folio's handlers (a refused CORS preflight, a missing docs
/// asset) come as bare or plain-text bodies; give them the problem+json every
/// client of this API expects.
pub async fn problems_only(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?;
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes());
    let is_problem = content_type.is_some_and(|v| v.starts_with(PROBLEM_JSON.as_bytes()));
    // Micropub's errors are its own JSON (`{"error", "error_description"}`), which its clients read.
    let is_micropub = content_type.is_some_and(|v| v.starts_with(b"application/json"))
        && response.request().path().starts_with("/api/v1/micropub");
    if !(status.is_client_error() || status.is_server_error()) || is_problem || is_micropub {
        return Ok(response.map_into_boxed_body());
    }
    let detail = status.canonical_reason().unwrap_or("error").to_lowercase();
    let (req, original) = response.into_parts();
    let mut replaced = problem(status, detail);
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replaced.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, replaced))
}
