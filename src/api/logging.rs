//! The request log: one span per request, as `tracing-actix-web` makes it, except that a
//! path carrying a secret is logged without it. A preview token in a log would let
//! anyone who reads the log read the draft.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::field::Empty;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

use super::preview::PREVIEW_PATH;

/// What stands in the log for a secret.
const REDACTED: &str = "[redacted]";

/// The request's path and query as logged: everything after the preview path (the
/// token, and anything after it) replaced, whether the request names the path as
/// routing reads it or escaped.
pub fn logged_target(raw: &str, routed: &str) -> String {
    if raw.starts_with(PREVIEW_PATH) || routed.starts_with(PREVIEW_PATH) {
        return format!("{PREVIEW_PATH}{REDACTED}");
    }
    raw.to_owned()
}

/// The root span of each request: the fields of [`DefaultRootSpanBuilder`]'s, with
/// `http.target` from [`logged_target`].
pub struct RootSpans;

impl RootSpanBuilder for RootSpans {
    fn on_request_start(request: &ServiceRequest) -> Span {
        // The fields are worked out only when the span is kept: the route alone is a
        // second match of the path against the routes (3 % of a read by slug's CPU).
        let route = || request.match_pattern().unwrap_or_else(|| "default".to_owned());
        let target = || {
            let raw = request.uri().path_and_query().map_or("", |p| p.as_str());
            logged_target(raw, request.match_info().as_str())
        };
        let user_agent = || request.headers().get("User-Agent").and_then(|h| h.to_str().ok()).unwrap_or("");
        let request_id = || request.extensions().get::<RequestId>().map(ToString::to_string).unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route(),
            http.flavor = ?request.version(),
            http.scheme = %request.connection_info().scheme(),
            http.host = %request.connection_info().host(),
            http.client_ip = %request.connection_info().realip_remote_addr().unwrap_or(""),
            http.user_agent = %user_agent(),
            http.target = %target(),
            http.status_code = Empty,
            otel.name = %format!("{} {}", request.method(), route()),
            otel.kind = "server",
            otel.status_code = Empty,
            trace_id = Empty,
            request_id = %request_id(),
            exception.message = Empty,
            exception.details = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_tokens_never_reach_the_log_and_other_paths_do_unchanged() {
        let token = "fpv_q3J5Vd0bH2m8kXcN1rT7yLpA4sWzE6uGiO9fYjKhB0M";
        let path = format!("/api/v1/preview/{token}");
        assert_eq!(logged_target(&path, &path), "/api/v1/preview/[redacted]");
        assert_eq!(logged_target(&format!("{path}?a=b"), &path), "/api/v1/preview/[redacted]");
        assert_eq!(logged_target(&format!("{path}/more"), &path), "/api/v1/preview/[redacted]");
        let escaped = format!("/api/v1/%70review/{token}");
        assert_eq!(logged_target(&escaped, &path), "/api/v1/preview/[redacted]");
        assert_eq!(logged_target("/api/v1/articles/7?page=2", "/api/v1/articles/7"), "/api/v1/articles/7?page=2");
    }
}
