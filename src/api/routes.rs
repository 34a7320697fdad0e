//! The route table. Every path answers a wrong method with 405 and `Allow`, and
//! anything unknown with a 404 problem.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::error::{problem, ApiError};
use super::{articles, auth, sections, service, tags, users};

fn method_not_allowed(allow: &'static str) -> impl Fn() -> std::future::Ready<Result<HttpResponse, ApiError>> + Clone {
    move || std::future::ready(Err(ApiError::MethodNotAllowed { allow }))
}

/// A resource at `path` whose unmatched methods get 405 with `allow`.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed(allow)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health", "GET").route(web::get().to(service::health)))
        .service(resource("/ready", "GET").route(web::get().to(service::ready)))
        .service(
            web::scope("/api/v1")
                .service(resource("/openapi.json", "GET").route(web::get().to(service::openapi_json)))
                .service(resource("/auth/login", "POST").route(web::post().to(auth::login)))
                .service(resource("/auth/refresh", "POST").route(web::post().to(auth::refresh)))
                .service(resource("/auth/logout", "POST").route(web::post().to(auth::logout)))
                .service(resource("/auth/me", "GET").route(web::get().to(auth::me)))
                .service(
                    resource("/users", "GET, POST")
                        .route(web::get().to(users::list))
                        .route(web::post().to(users::create)),
                )
                .service(
                    resource("/users/{id}", "GET, PATCH, DELETE")
                        .route(web::get().to(users::get))
                        .route(web::patch().to(users::update))
                        .route(web::delete().to(users::delete)),
                )
                .service(
                    resource("/sections", "GET, POST")
                        .route(web::get().to(sections::list))
                        .route(web::post().to(sections::create)),
                )
                .service(resource("/sections/slug/{slug}", "GET").route(web::get().to(sections::get_by_slug)))
                .service(
                    resource("/sections/{id}", "GET, PATCH, DELETE")
                        .route(web::get().to(sections::get))
                        .route(web::patch().to(sections::update))
                        .route(web::delete().to(sections::delete)),
                )
                .service(
                    resource("/tags", "GET, POST").route(web::get().to(tags::list)).route(web::post().to(tags::create)),
                )
                .service(resource("/tags/slug/{slug}", "GET").route(web::get().to(tags::get_by_slug)))
                .service(
                    resource("/tags/{id}", "GET, PATCH, DELETE")
                        .route(web::get().to(tags::get))
                        .route(web::patch().to(tags::update))
                        .route(web::delete().to(tags::delete)),
                )
                .service(
                    resource("/articles", "GET, POST")
                        .route(web::get().to(articles::list))
                        .route(web::post().to(articles::create)),
                )
                .service(resource("/articles/slug/{slug}", "GET").route(web::get().to(articles::get_by_slug)))
                .service(
                    resource("/articles/{id}", "GET, PATCH, DELETE")
                        .route(web::get().to(articles::get))
                        .route(web::patch().to(articles::update))
                        .route(web::delete().to(articles::delete)),
                ),
        );
}

/// Anything no route matched.
pub async fn not_found() -> HttpResponse {
    problem(StatusCode::NOT_FOUND, "no such resource".into())
}
