//! The OpenAPI 3.1 document, generated from the handlers and their types.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Type};
use utoipa::{Modify, OpenApi};

use super::articles::model::ArticleRead;
use super::responses::{
    BadRequest, BodyTimeout, Forbidden, Invalid, NotFound, PreconditionFailed, PreconditionRequired, TooLarge,
    Unauthorized, Unavailable,
};
use super::webhook_events::{ArticleEvent, MediaEvent, PingEvent, SectionEvent, TagEvent};

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
            RFC 3339 in UTC. Unknown query parameters and body fields are refused with 422.\n\n\
            Caching: successful anonymous reads may be cached a minute by a CDN, and each public \
            read of content names what it shows for purging, in `Surrogate-Key` (space-separated) \
            and `Cache-Tag` (comma-separated): `article-{id} section-{id} tag-{id}` on an article, \
            `section-{id}` or `tag-{id}` on a section or tag, `articles`, `sections` or `tags` on \
            lists, feeds and the sitemap. Webhook payloads carry the tags a change purges in \
            `data.cache_tags`.",
        contact(name = "folio maintainers"),
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "/")),
    components(
        responses(BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, Invalid, PreconditionFailed, PreconditionRequired, Unavailable, BodyTimeout),
        // An article read's body, which the read's responses name without registering it.
        schemas(ArticleEvent, SectionEvent, TagEvent, MediaEvent, PingEvent, ArticleRead),
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
        (name = "delivery", description = "For frontends and static-site builds: what changed since a cursor"),
        (name = "preview", description = "Draft preview: tokens that show one article, drafts included, without logging in"),
        (name = "audit", description = "The audit trail of every write (admin only, read-only)"),
        (name = "webhooks", description = "Signed event deliveries to your endpoints, their log and replays (admin only)"),
        (name = "feeds", description = "RSS, Atom and JSON Feed of the newest published articles, and the sitemap"),
        (name = "media", description = "Uploaded images and documents, their content-addressed files and resized variants"),
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
