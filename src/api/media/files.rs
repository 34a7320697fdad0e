//! `GET /media/files/{sha256}.{ext}`: the stored files, public to anyone with the URL,
//! whatever the storage. A URL names its bytes for ever, so they are cached as
//! immutable and their ETag is the sha256 itself. `?preset=` gives a WebP variant.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use futures_util::TryStreamExt;

use crate::api::error::{ApiError, Reply};
use crate::api::query::QueryReader;
use crate::api::respond;
use crate::api::state::AppState;
use crate::media::{storage, Kind, Preset};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// An SVG opened on its own may style itself, and load or run nothing.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// `{sha256}.{ext}` as stored, or `None` for a name no file can have.
fn parse_name(name: &str) -> Option<(&str, Kind)> {
    let (sha256, ext) = name.split_once('.')?;
    let hex = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex.then_some(())?;
    Some((sha256, Kind::from_ext(ext)?))
}

/// The preset asked for, if any; 422 for one that is unknown or that this file has none of.
fn preset(req: &HttpRequest, kind: Kind) -> Result<Option<Preset>, ApiError> {
    let mut query = QueryReader::new(req.query_string());
    let preset = query.parsed("preset", |name| {
        Preset::parse(name).ok_or_else(|| "must be thumb (320 px wide), card (800) or wide (1600)".to_owned())
    });
    query.finish()?;
    match (preset, kind) {
        (Some(_), Kind::Svg | Kind::Pdf) => {
            Err(ApiError::invalid_field("preset", "SVG and PDF files have no variants: presets are for raster images"))
        }
        (Some(_), Kind::Avif) => Err(ApiError::invalid_field(
            "preset",
            "AVIF files have no variants: this server does not decode AVIF; use the original",
        )),
        (preset, _) => Ok(preset),
    }
}

/// The headers of every answer for a file: caching, validator, type.
fn headers(builder: &mut HttpResponseBuilder, etag: &str, content_type: &'static str) {
    builder.insert_header((header::CACHE_CONTROL, IMMUTABLE)).insert_header((header::ETAG, etag.to_owned()));
    builder.insert_header((header::CONTENT_TYPE, content_type));
    if content_type == Kind::Svg.content_type() {
        builder.insert_header((header::CONTENT_SECURITY_POLICY, SVG_POLICY));
    } else {
        // Compressed already: the server's compression would only spend CPU.
        builder.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("identity")));
    }
}

/// A stored file, or a resized WebP variant of a raster image.
#[utoipa::path(get, path = "/api/v1/media/files/{file}", tag = "media", operation_id = "get_media_file",
    params(
        ("file" = String, Path, description = "`{sha256}.{ext}`, as in a media item's `url`"),
        ("preset" = Option<String>, Query, description = "A WebP variant, never wider than the original: `thumb` (320 px wide), `card` (800) or `wide` (1600); raster images only (not SVG, PDF or AVIF)"),
    ),
    responses(
        (status = 200, description = "The file (public, cached for a year, immutable)",
            headers(
                ("ETag" = String, description = "The sha256 (and the preset): strong and for ever"),
                ("Cache-Control" = String, description = "public, max-age=31536000, immutable"),
            ),
            content(
                (String = "image/jpeg"), (String = "image/png"), (String = "image/webp"), (String = "image/gif"),
                (String = "image/avif"), (String = "image/svg+xml"), (String = "application/pdf"),
            )),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, response = crate::api::responses::NotFound),
        (status = 422, description = "An unknown preset, a preset for a file with no variants, or an unknown parameter", body = crate::api::error::Problem, content_type = "application/problem+json"),
    ),
    security(()))]
pub async fn file(state: web::Data<AppState>, name: web::Path<String>, req: HttpRequest) -> Reply {
    let (sha256, kind) = parse_name(&name).ok_or(ApiError::NotFound)?;
    let preset = preset(&req, kind)?;
    let (etag, content_type) = match preset {
        Some(preset) => (format!("\"{sha256}-{}\"", preset.as_str()), Kind::Webp.content_type()),
        None => (format!("\"{sha256}\""), kind.content_type()),
    };
    if respond::client_has(&req, &etag) {
        let mut response = HttpResponse::NotModified();
        response.insert_header((header::CACHE_CONTROL, IMMUTABLE)).insert_header((header::ETAG, etag));
        return Ok(response.finish());
    }
    let mut response = HttpResponse::Ok();
    headers(&mut response, &etag, content_type);
    if let Some(preset) = preset {
        let variant = state.variants.get(&state.storage, sha256, kind, preset).await.map_err(ApiError::internal)?;
        return Ok(response.body(variant.ok_or(ApiError::NotFound)?));
    }
    let key = storage::original_key(sha256, kind);
    if req.method() == Method::HEAD {
        let size = state.storage.size(&key).await.map_err(ApiError::internal)?.ok_or(ApiError::NotFound)?;
        let nothing = futures_util::stream::empty::<Result<web::Bytes, std::io::Error>>();
        return Ok(response.no_chunking(size).streaming(nothing));
    }
    let stored = state.storage.get(&key).await.map_err(ApiError::internal)?.ok_or(ApiError::NotFound)?;
    let body = stored.body.map_err(|err| std::io::Error::other(err.to_string()));
    Ok(response.no_chunking(stored.size).streaming(body))
}
