//! Liveness, readiness and the OpenAPI document.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, Reply};
use super::state::AppState;

/// The service's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(value_type = HealthStatus)]
    pub status: &'static str,
}

/// Always `ok` when the service answers at all.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "service", operation_id = "health",
    responses((status = 200, description = "Alive", body = Health)),
    security(()))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/ready", tag = "service", operation_id = "ready",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database does not answer", body = super::error::Problem, content_type = "application/problem+json"),
    ),
    security(()))]
pub async fn ready(state: web::Data<AppState>) -> Reply {
    state
        .read(|conn| conn.batch_execute("SELECT 1").map_err(crate::store::StoreError::from))
        .await
        .map_err(|_| ApiError::Unavailable)?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// This OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "service", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)),
    security(()))]
pub async fn openapi_json(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(document.0.clone())
}

/// The rendered document, made once at start-up.
pub struct OpenApiDocument(pub String);
