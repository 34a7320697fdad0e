//! The OpenAPI 3.1 document, generated from the handlers and their types.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Type};
use utoipa::{Modify, OpenApi};

use super::webhook_events::{ArticleEvent, PingEvent, SectionEvent, TagEvent};

pub use responses::*;

/// Error responses shared by many operations; their types exist only for the document.
mod responses {
    #![expect(dead_code, reason = "the wrapped problem is read by the OpenAPI derive only")]
    use utoipa::{IntoResponses, ToResponse};

    use crate::api::error::Problem;

    /// A reusable problem+json response per name, described once.
    macro_rules! problems {
        ($($(#[$attr:meta])* $name:ident: $description:literal),+ $(,)?) => {$(
            $(#[$attr])*
            #[derive(ToResponse)]
            #[response(description = $description, content_type = "application/problem+json")]
            pub struct $name(Problem);
        )+};
    }

    problems! {
        BadRequest: "The body is not JSON, or not sent as application/json",
        Unauthorized: "A Bearer access token is needed, or the one sent is invalid or expired",
        Forbidden: "The caller's role may not do this, or the API key sent lacks the scope it needs (named) or may never do this",
        NotFound: "No such resource, or not one the caller may see",
        TooLarge: "The body exceeds FOLIO_MAX_BODY_BYTES",
        Invalid: "Invalid fields or query parameters, each named in `errors`",
        PreconditionFailed: "If-Match does not name the current ETag; nothing changed",
        PreconditionRequired: "Send If-Match with the current ETag (or, on PATCH, the body's version)",
        BodyTimeout: "The body did not arrive within FOLIO_BODY_TIMEOUT_SECONDS; the connection is closed",
    }

    #[derive(ToResponse)]
    #[response(
        description = "The database cannot take this request now (busy, disk full or read-only); retry later",
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))
    )]
    pub struct Unavailable(Problem);

    /// The 503 of an operation that hashes a password, when the hash lane is full.
    #[derive(IntoResponses)]
    #[response(
        status = 503,
        description = "Too many password hashes are running or waiting (only when a password is given); nothing changed, retry after `Retry-After` seconds",
        content_type = "application/problem+json",
        headers(("Retry-After" = i64, description = "Seconds to wait before retrying"))
    )]
    pub struct HashesBusy(Problem);

    /// Response families: a handler names one instead of listing its statuses, each
    /// status answered with the problem response of that name.
    macro_rules! families {
        ($($(#[$attr:meta])* $name:ident { $($status:literal: $response:ident),+ $(,)? })+) => {$(
            $(#[$attr])*
            #[derive(IntoResponses)]
            pub enum $name {
                $(#[response(status = $status)] $response(#[ref_response] $response),)+
            }
        )+};
    }

    /// What a read of one resource answers besides 200.
    #[derive(IntoResponses)]
    pub enum ReadOne {
        #[response(status = 304, description = "Not modified (If-None-Match)")]
        NotModified,
        #[response(status = 401)]
        Unauthorized(#[ref_response] Unauthorized),
        #[response(status = 404)]
        NotFound(#[ref_response] NotFound),
    }

    families! {
        /// What a body that cannot be taken is answered with.
        BodyRefused { 400: BadRequest, 413: TooLarge, 422: Invalid }
        /// What a list answers besides 200: a token that is invalid, or a query that is.
        ListRefused { 401: Unauthorized, 422: Invalid }
        /// What an operation on one resource that needs a role is refused with: no valid
        /// token, not the role, or no such resource.
        GuardedOne { 401: Unauthorized, 403: Forbidden, 404: NotFound }
        /// What a caller without the right token or role is answered with.
        NotAllowed { 401: Unauthorized, 403: Forbidden }
    }
}

/// Every operation of the document.
fn operations(openapi: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
    })
}

/// Declares what any operation may answer: 503 when the database cannot serve, and 408
/// when a body is too slow to arrive (operations that take one). One step here rather
/// than a line in every handler.
struct ServiceLimits;

impl Modify for ServiceLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for operation in operations(openapi) {
            let responses = &mut operation.responses.responses;
            if operation.request_body.is_some() {
                responses.entry("408".into()).or_insert_with(|| Ref::from_response_name("BodyTimeout").into());
            }
            responses.entry("503".into()).or_insert_with(|| Ref::from_response_name("Unavailable").into());
        }
    }
}

/// Declares the RFC 8288 `Link` header on every list, known by its `X-Total-Count`:
/// [`respond::list`](super::respond::list) sends the two together.
struct PageLinks;

impl Modify for PageLinks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let link = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some("RFC 8288 links to the first, previous, next and last pages"))
            .build();
        for operation in operations(openapi) {
            for response in operation.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    if response.headers.contains_key("X-Total-Count") {
                        response.headers.insert("Link".into(), link.clone());
                    }
                }
            }
        }
    }
}

/// How callers authenticate to folio (a bearer token), and how receivers authenticate folio (a signature).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Either an access token (a JWT) from POST /api/v1/auth/login, valid for 15 minutes, \
                         or an API key (`folio_…`, from POST /api/v1/api-keys), which acts for its creator, \
                         never above an editor, within its scopes: `content:read` reads what an editor may \
                         (drafts too), `content:write` also writes articles, sections and tags. A key outside \
                         its scopes gets 403 naming the scope, except on public reads, which it reads as the \
                         public does; users, API keys, the audit trail and sessions are never reached with a \
                         key (403).",
                    ))
                    .build(),
            ),
        );
        // How a receiver authenticates what folio sends (the operations of the
        // `webhooks` object refer to it).
        components.add_security_scheme(
            super::webhook_events::SIGNATURE_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "webhook-signature",
                "Standard Webhooks 1.0: `v1,` + base64 of HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` \
                 (the `webhook-id` and `webhook-timestamp` headers of the same request), keyed with the \
                 base64-decoded part of the webhook's secret after `whsec_`. A receiver recomputes it and \
                 refuses the request when none of the space-separated signatures matches, or when the \
                 timestamp is too far from now.",
            ))),
        );
    }
}

/// The paths and their schemas, from the route table that also serves them.
struct Operations;

impl Modify for Operations {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        super::routes::document(openapi);
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "folio",
        description = "A headless CMS: articles, sections and tags as JSON.\n\n\
            Errors are RFC 9457 problem details (`application/problem+json`). Lists carry \
            `X-Total-Count` and an RFC 8288 `Link` header. Single resources carry a strong \
            `ETag`; article changes need `If-Match` or the body's `version`. Timestamps are \
            RFC 3339 in UTC. Unknown query parameters and body fields are refused with 422.",
        contact(name = "folio maintainers"),
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "/")),
    components(
        responses(BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, Invalid, PreconditionFailed, PreconditionRequired, Unavailable, BodyTimeout),
        schemas(ArticleEvent, SectionEvent, TagEvent, PingEvent),
    ),
    // The paths first: the limits and links are declared on the operations there are.
    modifiers(&SecuritySchemes, &Operations, &ServiceLimits, &PageLinks),
    tags(
        (name = "service", description = "Liveness, readiness and this document"),
        (name = "auth", description = "Logging in, refresh-token rotation, logging out"),
        (name = "users", description = "User accounts (admin only)"),
        (name = "api-keys", description = "API keys for integrators (admin only; never with a key)"),
        (name = "sections", description = "The site's sections, optionally nested"),
        (name = "tags", description = "Tags, created on demand by name"),
        (name = "articles", description = "Articles: Markdown in, sanitised HTML, table of contents and counts out"),
        (name = "audit", description = "The audit trail of every write (admin only, read-only)"),
        (name = "webhooks", description = "Signed event deliveries to your endpoints, their log and replays (admin only)"),
    ),
)]
pub struct ApiDoc;

/// The document as served and as committed in `openapi/openapi.json`, with the
/// `webhooks` object utoipa has no field for.
pub fn document() -> String {
    let json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    // Spliced in as text: a round trip through `serde_json::Value` would sort every key.
    let webhooks = serde_json::to_string_pretty(&super::webhook_events::object()).unwrap_or_default();
    let mut document = match json.strip_suffix("\n}") {
        Some(head) => format!("{head},\n  \"webhooks\": {}\n}}", webhooks.replace('\n', "\n  ")),
        None => json,
    };
    document.push('\n');
    document
}
