//! Draft preview: a token that shows one article as it now is, drafts included, to
//! whoever holds it, without logging in, so a frontend's preview mode can render a draft
//! the public cannot see. Making and revoking tokens is for someone signed in who may
//! read the article; the token itself is shown once and only its hash is kept.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::articles::locales::language;
use super::articles::model::ArticleResponse;
use super::articles::tagged;
use super::caller::Caller;
use super::error::{ApiError, Problem, Reply};
use super::json::{OptionalBody, Patch, Validating};
use super::query::QueryReader;
use super::respond;
use super::state::AppState;
use crate::content::policy::Visibility;
use crate::store::audit::Change;
use crate::store::preview_tokens;
use crate::validation::Errors;

/// Where a token is read: this, then the token. Requests here are logged without it
/// ([`super::logging`]).
pub const PREVIEW_PATH: &str = "/api/v1/preview/";
/// Seconds a token works when `expires_in_seconds` is left out, and at most.
const DEFAULT_SECONDS: i64 = 3600;
const MAX_SECONDS: i64 = 86_400;
/// A preview is one person's look at unpublished work: no cache keeps it, no search
/// engine indexes it.
const NO_STORE: &str = "private, no-store";

/// A new preview token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePreviewToken {
    /// Seconds the token works: a whole number from 1 to 86400 (24 hours); left out, 3600.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1, maximum = 86400, default = 3600, example = 3600)]
    pub expires_in_seconds: Patch<i64>,
}

/// A preview token: the one time it is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewToken {
    /// `fpv_` + 43 base64url characters. Whoever holds it reads the article at
    /// `GET /api/v1/preview/{token}` until it expires or is revoked. Shown only now.
    #[schema(example = "fpv_q3J5Vd0bH2m8kXcN1rT7yLpA4sWzE6uGiO9fYjKhB0M")]
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
}

/// The token's life asked for, checked.
fn lifetime(asked: Patch<i64>, errors: &mut Errors) -> Duration {
    match asked {
        Patch::Absent => Duration::seconds(DEFAULT_SECONDS),
        Patch::Value(seconds) if (1..=MAX_SECONDS).contains(&seconds) => Duration::seconds(seconds),
        Patch::Null | Patch::Value(_) => {
            errors.add("/expires_in_seconds", format!("must be a whole number of seconds from 1 to {MAX_SECONDS}"));
            Duration::zero()
        }
    }
}

/// Make a preview token for an article.
#[utoipa::path(post, path = "/api/v1/articles/{id}/preview-token", tag = "preview", operation_id = "create_preview_token",
    params(("id" = i64, Path, description = "The article's id", minimum = 1)),
    request_body(content = Option<CreatePreviewToken>, description = "May be left out altogether (no body, or `null`): the token then works an hour"),
    responses(
        (status = 201, description = "The token, shown this once. It shows the article as it is at each read, while \
            the token's maker may still read it; revoking the article's tokens or deleting the article ends it.",
            body = PreviewToken,
            headers(("Location" = String, description = "Where the token reads the article: `/api/v1/preview/{token}`"))),
        (status = 401, response = super::responses::Unauthorized),
        (status = 403, description = "The API key sent lacks `content:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article, or not one the caller may read", body = Problem, content_type = "application/problem+json"),
        (status = 400, response = super::responses::BadRequest),
        (status = 413, response = super::responses::TooLarge),
        (status = 422, description = "`expires_in_seconds` is not a whole number from 1 to 86400, or the body has an unknown field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: OptionalBody<CreatePreviewToken>,
) -> Reply {
    let OptionalBody(Validating { body, mut errors }) = body;
    let lifetime = lifetime(body.expires_in_seconds, &mut errors);
    errors.finish(()).map_err(ApiError::invalid)?;
    let id = id.into_inner();
    let actor = caller.who();
    let created = state
        .write_audited(
            caller.actor(),
            move |_| Change::new("preview_token", "article", id),
            move |c| preview_tokens::create(c, id, &actor, lifetime),
        )
        .await?;
    let location = format!("{PREVIEW_PATH}{}", created.token);
    respond::created(location, &PreviewToken { token: created.token, expires_at: created.expires_at.and_utc() })
}

/// Revoke every preview token of an article.
#[utoipa::path(delete, path = "/api/v1/articles/{id}/preview-tokens", tag = "preview", operation_id = "revoke_preview_tokens",
    params(("id" = i64, Path, description = "The article's id", minimum = 1)),
    responses(
        (status = 204, description = "Revoked: every token made for the article, by anyone, reads 404 from now on (also when there were none)"),
        (status = 401, response = super::responses::Unauthorized),
        (status = 403, description = "The API key sent lacks `content:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article, or not one the caller may read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn revoke(state: Data<AppState>, caller: Caller, id: Path<i64>) -> Reply {
    let id = id.into_inner();
    let actor = caller.who();
    state
        .write_audited(
            caller.actor(),
            move |_| Change::new("revoke_preview_tokens", "article", id),
            move |c| preview_tokens::revoke_all(c, id, &actor),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Read an article through a preview token.
#[utoipa::path(get, path = "/api/v1/preview/{token}", tag = "preview", operation_id = "get_preview",
    params(("token" = String, Path, description = "A token from `POST /api/v1/articles/{id}/preview-token`")),
    responses(
        (status = 200, description = "The article the token was made for, as it is now, drafts included: the \
            same representation as `GET /api/v1/articles/{id}` gives a caller who may read it",
            body = ArticleResponse,
            headers(
                ("Cache-Control" = String, description = "Always `private, no-store`: no cache keeps a preview"),
                ("X-Robots-Tag" = String, description = "Always `noindex`"),
                ("ETag" = String, description = "Strong validator of the representation"),
                ("Last-Modified" = String, description = "`updated_at` as an HTTP date"),
            )),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "The token is unknown, malformed, expired or revoked, its article is deleted, \
            or its maker can no longer read the article: all answered alike", body = Problem, content_type = "application/problem+json"),
        (status = 422, response = super::responses::Invalid),
    ),
    security(()))]
pub async fn get(state: Data<AppState>, token: Path<String>, req: HttpRequest) -> Reply {
    QueryReader::new(req.query_string()).finish()?;
    let token = token.into_inner();
    let article = state.read(move |c| preview_tokens::article(c, &token)).await?.ok_or(ApiError::NotFound)?;
    let modified = article.row.updated_at.and_utc();
    let locale = article.row.locale.clone();
    // Its translations as the public sees them: a preview link is shared.
    let mut response = respond::resource_tagged(&req, tagged(article, Visibility::Public)?, modified);
    language(&mut response, &locale);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    headers.insert(HeaderName::from_static("x-robots-tag"), HeaderValue::from_static("noindex"));
    Ok(response)
}
