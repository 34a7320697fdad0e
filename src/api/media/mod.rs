//! Media: uploads by any signed-in user, listed and read by signed-in users, changed or
//! deleted by the uploader or an editor; the files themselves are public at
//! content-addressed URLs ([`files`]).

pub mod files;
pub mod upload;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::caller::Caller;
use super::error::{ApiError, Reply};
use super::json::{self, Validating};
use super::query::{PageParams, Query, QueryReader};
use super::respond::{self, PageMeta};
use super::state::AppState;
use crate::domain::ShortText;
use crate::media::storage;
use crate::media::{Kind, Preset};
use crate::store::audit::Change;
use crate::store::media::{self, MediaRow};
use crate::store::PageRequest;

pub use files::{__path_file, file};
pub use upload::{__path_create, create};

/// An uploaded file.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediaResponse {
    #[schema(example = 5)]
    pub id: i64,
    /// Where folio serves the file, whatever the storage: public, cached for ever.
    #[schema(example = "/api/v1/media/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.jpg")]
    pub url: String,
    /// The type read from the file's bytes (not its name or declared type).
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    /// The stored file's size (an SVG's after sanitising).
    #[schema(example = 48213)]
    pub bytes: i64,
    /// In pixels; null where the format has none (PDF, an SVG without size or viewBox).
    #[schema(required = true, example = 1200)]
    pub width: Option<i32>,
    #[schema(required = true, example = 800)]
    pub height: Option<i32>,
    /// Hex SHA-256 of the stored file; uploads of the same bytes share it.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    /// Alternative text.
    #[schema(required = true, example = "A physiotherapist treating a calf muscle")]
    pub alt: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    updated_at: DateTime<Utc>,
}

impl From<MediaRow> for MediaResponse {
    fn from(row: MediaRow) -> Self {
        Self {
            id: row.id,
            url: row.url(),
            content_type: row.content_type,
            bytes: row.bytes,
            width: row.width,
            height: row.height,
            sha256: row.sha256,
            alt: row.alt,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MediaList {
    pub data: Vec<MediaResponse>,
    pub meta: PageMeta,
}

json::patch_body! {
    /// Changes to a media item; `null` clears the alternative text.
    pub struct UpdateMedia {
        alt: ShortText as Option<ShortText>,
    }
}

/// List media items, the newest first.
#[utoipa::path(get, path = "/api/v1/media", tag = "media", operation_id = "list_media",
    params(PageParams),
    responses(
        (status = 200, description = "Media items, the newest first", body = MediaList,
            headers(("X-Total-Count" = i64, description = "Media items in all"))),
        super::responses::ListRefused,
        (status = 403, response = super::responses::Forbidden),
    ),
    security(("bearer" = [])))]
pub async fn list(state: web::Data<AppState>, _caller: Caller, page: Query<PageParams>, req: HttpRequest) -> Reply {
    let page = PageRequest::from(page.0);
    let found = state.read(move |c| media::list(c, page)).await?;
    respond::page(&req, page, found, |data, meta| MediaList { data, meta })
}

/// Get a media item by id.
#[utoipa::path(get, path = "/api/v1/media/{id}", tag = "media", operation_id = "get_media",
    params(("id" = i64, Path, description = "The media item's id", minimum = 1)),
    responses(
        (status = 200, description = "The media item", body = MediaResponse,
            headers(("ETag" = String, description = "Strong validator of the representation"))),
        super::responses::ReadOne,
        (status = 403, response = super::responses::Forbidden),
    ),
    security(("bearer" = [])))]
pub async fn get(state: web::Data<AppState>, _caller: Caller, id: web::Path<i64>, req: HttpRequest) -> Reply {
    QueryReader::new(req.query_string()).finish()?;
    let id = id.into_inner();
    let body = MediaResponse::from(state.read(move |c| media::find(c, id)).await?);
    respond::resource(&req, &body, body.updated_at)
}

/// Change a media item's alternative text (its uploader or an editor).
#[utoipa::path(patch, path = "/api/v1/media/{id}", tag = "media", operation_id = "update_media",
    params(("id" = i64, Path, description = "The media item's id", minimum = 1)),
    request_body = UpdateMedia,
    responses(
        (status = 200, description = "The changed media item", body = MediaResponse),
        super::responses::BodyRefused, super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Validating<UpdateMedia>,
) -> Reply {
    let Validating { body, errors } = body;
    errors.finish(()).map_err(ApiError::invalid)?;
    let id = id.into_inner();
    let who = caller.who();
    let alt = body.alt.nullable().map(|alt| alt.map(ShortText::into_inner).filter(|alt| !alt.is_empty()));
    let row = state
        .write_audited(
            caller.actor(),
            move |_| Change::new("update", "media", id),
            move |c| media::update_alt(c, &who, id, alt),
        )
        .await?;
    Ok(respond::json(StatusCode::OK, respond::tagged(&MediaResponse::from(row))?))
}

/// Delete a media item (its uploader or an editor); its file goes when no other item shares it.
#[utoipa::path(delete, path = "/api/v1/media/{id}", tag = "media", operation_id = "delete_media",
    params(("id" = i64, Path, description = "The media item's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted; the file too, unless another item shares it"),
        super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn delete(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Reply {
    let id = id.into_inner();
    let who = caller.who();
    let deleted = state
        .write_audited(caller.actor(), move |_| Change::new("delete", "media", id), move |c| media::delete(c, &who, id))
        .await?;
    if !deleted.file_shared {
        remove_files(&state, &deleted.row).await;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Removes an original no item has any more, and its variants. The item is gone
/// already: a file that cannot be removed now is left behind, and logged.
async fn remove_files(state: &AppState, row: &MediaRow) {
    let Some(kind) = Kind::from_ext(&row.ext) else { return };
    let mut keys = vec![storage::original_key(&row.sha256, kind)];
    if kind.decoder().is_some() {
        keys.extend(Preset::ALL.map(|preset| storage::variant_key(&row.sha256, preset)));
    }
    for key in keys {
        if let Err(error) = state.storage.delete(&key).await {
            tracing::warn!(error = format!("{error:#}"), %key, "could not remove a media file no item uses");
        }
    }
}
