//! `/docs`: Swagger UI, bundled in the binary so it works with no internet access.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa_swagger_ui::{Config, SwaggerUi};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/docs",
        web::get()
            .to(|| async { HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/docs/")).finish() }),
    )
    // No online validator: Swagger UI would send the document to validator.swagger.io
    // from any host but localhost (and folio's own policy blocks it anyway).
    .service(SwaggerUi::new("/docs/{_:.*}").config(Config::new(["/api/v1/openapi.json"]).validator_url("none")));
}
