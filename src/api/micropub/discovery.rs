//! How a writing app finds the Micropub endpoint: the API's root names it, and it and
//! every article read carry `Link: <…/api/v1/micropub>; rel="micropub"`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::{self, ENDPOINT, MEDIA_ENDPOINT};
use crate::api::state::AppState;

/// Where things are, absolutely.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiRoot {
    #[schema(example = "folio")]
    pub name: &'static str,
    /// The OpenAPI document.
    #[schema(example = "https://api.example/api/v1/openapi.json")]
    pub openapi: String,
    /// The Micropub endpoint.
    #[schema(example = "https://api.example/api/v1/micropub")]
    pub micropub: String,
    /// The Micropub media endpoint.
    #[schema(example = "https://api.example/api/v1/micropub/media")]
    pub micropub_media: String,
}

/// The API's root: where its document and its Micropub endpoints are.
#[utoipa::path(get, path = "/api/v1/", tag = "service", operation_id = "api_root",
    responses((status = 200, description = "Where things are", body = ApiRoot,
        headers(("Link" = String, description = "`<…/api/v1/micropub>; rel=\"micropub\"`, absolute")))),
    security(()))]
pub async fn root(state: Data<AppState>, req: HttpRequest) -> HttpResponse {
    let origin = auth::origin(&req, &state);
    let mut response = HttpResponse::Ok().json(ApiRoot {
        name: "folio",
        openapi: format!("{origin}/api/v1/openapi.json"),
        micropub: format!("{origin}{ENDPOINT}"),
        micropub_media: format!("{origin}{MEDIA_ENDPOINT}"),
    });
    advertise(&mut response, &req, &state);
    response
}

/// Adds `Link: <…/api/v1/micropub>; rel="micropub"` (absolute) to `response`: how
/// writing apps find where to publish.
pub fn advertise(response: &mut HttpResponse, req: &HttpRequest, state: &AppState) {
    let link = format!("<{}{ENDPOINT}>; rel=\"micropub\"", auth::origin(req, state));
    if let Ok(value) = HeaderValue::try_from(link) {
        response.headers_mut().append(header::LINK, value);
    }
}
