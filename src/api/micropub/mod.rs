//! Micropub (W3C Recommendation, 2017-05-23): writing apps (iA Writer, Quill, the
//! Micro.blog apps) create, update and delete posts, query them and upload media. Each
//! write is an API write of an article, by the same store functions.

mod auth;
mod body;
mod create;
pub mod discovery;
mod error;
mod media;
mod properties;
mod query;
mod shapes;
mod update;

use actix_web::web::{self, Data};
use actix_web::HttpRequest;

use self::body::Request;
use self::error::MicropubReply;
use crate::api::state::AppState;
use crate::auth::api_key::Scope;

pub use self::discovery::{__path_root, root};

/// Create, update, delete or undelete a post.
#[utoipa::path(post, path = "/api/v1/micropub", tag = "micropub", operation_id = "micropub",
    request_body(description = "A create (form-encoded, JSON or multipart with photos), or an action (`update` as JSON; `delete` and `undelete` as JSON or form-encoded)",
        content(
            (shapes::FormRequest = "application/x-www-form-urlencoded"),
            (shapes::JsonRequest = "application/json"),
            (shapes::MultipartRequest = "multipart/form-data"),
        )),
    responses(
        (status = 201, description = "Created (or an update moved the post): `Location` is its absolute URL",
            headers(("Location" = String, description = "The post's absolute URL: on FOLIO_SITE_URL when set, else the API's by-slug URL"))),
        (status = 204, description = "Updated, deleted (archived) or undeleted"),
        (status = 400, description = "`invalid_request`: a malformed body, a property of the wrong type, an unknown action or URL, or a token sent twice", body = error::MicropubErrorBody),
        (status = 401, description = "`unauthorized` (no valid token), or `insufficient_scope` (an API key without `content:write`)", body = error::MicropubErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "`forbidden`: the user's role does not allow it (an author publishing, or changing what is no longer their draft)", body = error::MicropubErrorBody),
        (status = 413, description = "The body exceeds FOLIO_MAX_BODY_BYTES, or a photo FOLIO_MAX_UPLOAD_BYTES", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "A photo is none of the types folio takes", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A NUL character in the query string, refused before Micropub reads the request, as on every endpoint", body = crate::api::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn post(state: Data<AppState>, req: HttpRequest, payload: web::Payload) -> MicropubReply {
    let header = auth::from_header(&req).await?;
    let incoming = body::read(&req, payload, &state, header.is_some()).await?;
    let caller = auth::caller(&req, header, incoming.access_token).await?;
    auth::require(&caller, Scope::ContentWrite)?;
    match incoming.request {
        Request::Create { properties, commands } => {
            create::create(&state, &req, caller, properties, commands, incoming.files).await
        }
        Request::Action(action) => update::act(&state, &req, caller, action).await,
    }
}

/// Ask the Micropub endpoint: its configuration, syndication targets, categories, or a post's source.
#[utoipa::path(get, path = "/api/v1/micropub", tag = "micropub", operation_id = "micropub_query",
    params(
        ("q" = String, Query, description = "`config`, `syndicate-to`, `category` or `source`"),
        ("url" = Option<String>, Query, description = "With `q=source`: the post's public or API URL"),
        ("properties[]" = Option<Vec<String>>, Query, description = "With `q=source`: only these properties (then no `type`)"),
        ("filter" = Option<String>, Query, description = "With `q=category`: only tag names starting with this"),
    ),
    responses(
        (status = 200, description = "The answer: `q=config`, `q=syndicate-to`, `q=category` or `q=source`", body = query::QueryAnswer),
        (status = 400, description = "`invalid_request`: no or an unknown `q`, or a `url` naming no post the caller may read", body = error::MicropubErrorBody),
        (status = 401, description = "`unauthorized`, or `insufficient_scope` (`q=source` with a key lacking `content:read`)", body = error::MicropubErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 422, description = "A NUL character in the query string, refused before Micropub reads the request, as on every endpoint", body = crate::api::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn query(state: Data<AppState>, req: HttpRequest) -> MicropubReply {
    let header = auth::from_header(&req).await?;
    let caller = auth::caller(&req, header, None).await?;
    query::answer(&state, &req, caller).await
}

/// Upload a file to the Micropub media endpoint.
#[utoipa::path(post, path = "/api/v1/micropub/media", tag = "micropub", operation_id = "micropub_media",
    request_body(content = shapes::MediaUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored as a media item",
            headers(("Location" = String, description = "The file's absolute URL (the media item's `url`, made absolute)"))),
        (status = 400, description = "`invalid_request`: not a multipart form, or not one file in `file`", body = error::MicropubErrorBody),
        (status = 401, description = "`unauthorized`, or `insufficient_scope` (an API key without `media`)", body = error::MicropubErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 413, description = "The file exceeds FOLIO_MAX_UPLOAD_BYTES", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The bytes are none of JPEG, PNG, WebP, GIF, AVIF, SVG or PDF", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A NUL character in the query string, refused before Micropub reads the request, as on every endpoint", body = crate::api::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn upload(state: Data<AppState>, req: HttpRequest, payload: web::Payload) -> MicropubReply {
    media::upload(&state, &req, payload).await
}
