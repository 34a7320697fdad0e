//! Micropub's media endpoint: a `multipart/form-data` upload in `file`, stored by the
//! one upload path (`POST /media`'s), answered with the file's absolute URL.

use actix_web::web;
use actix_web::HttpRequest;

use super::auth;
use super::body;
use super::create::created;
use super::error::{MicropubError, MicropubReply};
use crate::api::media::upload;
use crate::api::state::AppState;
use crate::auth::api_key::Scope;

/// Stores the upload; 201 with the file's absolute URL in `Location`.
pub async fn upload(state: &AppState, req: &HttpRequest, payload: web::Payload) -> MicropubReply {
    let header = auth::from_header(req).await?;
    let content_type = req.headers().get(actix_web::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if !content_type.is_some_and(|t| t.to_ascii_lowercase().starts_with("multipart/form-data")) {
        return Err(MicropubError::invalid("the media endpoint takes multipart/form-data with the file in 'file'"));
    }
    let form = body::multipart(req, payload, state, header.is_some(), &["file"]).await?;
    let access_token = form.access_token().map(str::to_owned);
    let caller = auth::caller(req, header, access_token).await?;
    auth::require(&caller, Scope::Media)?;
    let mut files = form.files.into_iter();
    let (Some(file), None) = (files.next(), files.next()) else {
        return Err(MicropubError::invalid("send one file, in 'file'"));
    };
    let row = upload::store(state, &caller, file, None).await?;
    created(format!("{}{}", auth::origin(req, state), row.url()))
}
