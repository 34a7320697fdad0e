//! `POST /media`: a streamed `multipart/form-data` upload, its size held to
//! `FOLIO_MAX_UPLOAD_BYTES` as it arrives (not `FOLIO_MAX_BODY_BYTES`, which is for
//! JSON), its type told from its bytes, stored under its sha256.

use actix_multipart::{Field, Multipart};
use actix_web::http::header;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::HttpRequest;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::MediaResponse;
use crate::api::caller::Caller;
use crate::api::deadline;
use crate::api::error::{ApiError, Reply};
use crate::api::respond;
use crate::api::state::AppState;
use crate::domain::ShortText;
use crate::media::{self, storage, Inspected, Refused};
use crate::store::audit::Change;
use crate::store::media::NewMedia;

/// What multipart framing and the `alt` field may add to the file, at most.
pub(crate) const FORM_OVERHEAD: usize = 64 * 1024;
/// The longest `alt` field read, in bytes (the text itself is held to 500 characters).
const MAX_ALT_BYTES: usize = 4 * 1024;

/// The upload form.
#[derive(ToSchema)]
#[expect(dead_code, reason = "read by the OpenAPI derive only: the handler reads the form as it streams")]
pub struct UploadForm {
    /// JPEG, PNG, WebP, GIF, AVIF, SVG or PDF, told from its bytes; at most `FOLIO_MAX_UPLOAD_BYTES`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Alternative text, at most 500 characters.
    alt: Option<String>,
}

/// What a failed multipart read means: the deadline, or a malformed form.
pub(crate) fn form_error(err: actix_multipart::MultipartError, req: &HttpRequest) -> ApiError {
    if let actix_multipart::MultipartError::Payload(payload) = &err {
        if deadline::is_timeout(payload) {
            let seconds = req.app_data::<web::Data<AppState>>().map_or(0, |s| s.body_timeout.as_secs());
            return ApiError::RequestTimeout { seconds };
        }
    }
    ApiError::BadRequest(format!("the body is not a valid multipart/form-data form: {err}"))
}

/// A field's bytes, refused with `too_big` past `limit` as they arrive.
pub(crate) async fn read_field(
    field: &mut Field,
    limit: usize,
    req: &HttpRequest,
    too_big: impl Fn() -> ApiError,
) -> Result<Bytes, ApiError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = field.try_next().await.map_err(|e| form_error(e, req))? {
        if bytes.len() + chunk.len() > limit {
            return Err(too_big());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

/// The form's file and alt text, read as the body streams in.
async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<(Bytes, Option<String>), ApiError> {
    let mut form = Multipart::new(req.headers(), payload);
    let (mut file, mut alt) = (None, None);
    while let Some(mut field) = form.try_next().await.map_err(|e| form_error(e, req))? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if file.is_none() => {
                file = Some(read_field(&mut field, limit, req, || ApiError::PayloadTooLarge { limit }).await?);
            }
            "alt" if alt.is_none() => {
                let too_long = || ApiError::invalid_field("alt", "must be at most 500 characters");
                let bytes = read_field(&mut field, MAX_ALT_BYTES, req, too_long).await?;
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| ApiError::invalid_field("alt", "must be UTF-8 text"))?;
                let text = ShortText::try_from(text.as_str()).map_err(|why| ApiError::invalid_field("alt", why.0))?;
                alt = Some(text.into_inner()).filter(|t| !t.is_empty());
            }
            "file" | "alt" => return Err(ApiError::invalid_field(name, "is given more than once")),
            _ => return Err(ApiError::invalid_field(name, "is not a field of the upload form (file, alt)")),
        }
    }
    let file = file.ok_or_else(|| ApiError::invalid_field("file", "is required"))?;
    Ok((file, alt))
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Unsupported(why) => Self::UnsupportedMediaType(why),
            Refused::Invalid(why) => Self::invalid_field("file", why),
        }
    }
}

/// Upload a file.
#[utoipa::path(post, path = "/api/v1/media", tag = "media", operation_id = "create_media",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The new media item", body = MediaResponse,
            headers(("Location" = String, description = "The media item's URL"))),
        (status = 400, description = "The body is not a multipart/form-data form", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file exceeds FOLIO_MAX_UPLOAD_BYTES (answered as soon as that is known, before the rest arrives)", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The bytes are none of JPEG, PNG, WebP, GIF, AVIF, SVG or PDF (whatever the name or declared type says), or an SVG holds an HTML page", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A missing or unknown field, alt text too long, an image whose header gives no size or over 50 megapixels, or an SVG that cannot be read", body = crate::api::error::Problem, content_type = "application/problem+json"),
        crate::api::responses::NotAllowed,
    ),
    security(("bearer" = [])))]
pub async fn create(state: web::Data<AppState>, caller: Caller, req: HttpRequest, payload: web::Payload) -> Reply {
    let limit = state.max_upload_bytes;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > (limit + FORM_OVERHEAD) as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let (file, alt) = read_form(&req, payload, limit).await?;
    let row = store(&state, &caller, file, alt).await?;
    let body = MediaResponse::from(row);
    respond::created(format!("/api/v1/media/{}", body.id), &body)
}

/// Stores an uploaded file, its type told from its bytes, and records it as a media
/// item uploaded by `caller`: the one upload path, also Micropub's.
pub async fn store(
    state: &AppState,
    caller: &Caller,
    file: Bytes,
    alt: Option<String>,
) -> Result<crate::store::media::MediaRow, ApiError> {
    let Inspected { kind, bytes, width, height } =
        web::block(move || media::inspect(file.to_vec())).await.map_err(ApiError::internal)??;
    let sha256: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let key = storage::original_key(&sha256, kind);
    let size = bytes.len();
    // The same bytes stored already (by another upload) are not sent again.
    if state.storage.size(&key).await.map_err(ApiError::internal)? != Some(size as u64) {
        state.storage.put(&key, Bytes::from(bytes)).await.map_err(ApiError::internal)?;
    }
    let new = NewMedia {
        sha256,
        ext: kind.ext(),
        content_type: kind.content_type(),
        bytes: i64::try_from(size).unwrap_or(i64::MAX),
        width: width.and_then(|w| i32::try_from(w).ok()),
        height: height.and_then(|h| i32::try_from(h).ok()),
        alt,
        uploaded_by: caller.id,
    };
    state
        .write_audited(
            caller.actor(),
            |row: &crate::store::media::MediaRow| Change::new("create", "media", row.id),
            move |c| crate::store::media::create(c, new),
        )
        .await
        .map_err(ApiError::from)
}
