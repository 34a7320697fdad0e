//! The route table. Every path answers a wrong method with 405 and `Allow`, and
//! anything unknown with a 404 problem.

use actix_web::http::StatusCode;
use actix_web::{guard, web, HttpResponse};

use super::error::{problem, ApiError};
use super::{articles, audit, auth, sections, service, tags, users};

fn method_not_allowed(allow: &'static str) -> impl Fn() -> std::future::Ready<Result<HttpResponse, ApiError>> + Clone {
    move || std::future::ready(Err(ApiError::MethodNotAllowed { allow }))
}

/// GET, and HEAD answered by the same handler (the server leaves out the body).
fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A resource at `path` whose unmatched methods get 405 with `allow`.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed(allow)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health", "GET, HEAD").route(read().to(service::health)))
        .service(resource("/ready", "GET, HEAD").route(read().to(service::ready)))
        .service(
            web::scope("/api/v1")
                .service(resource("/openapi.json", "GET, HEAD").route(read().to(service::openapi_json)))
                .service(resource("/auth/login", "POST").route(web::post().to(auth::login)))
                .service(resource("/auth/refresh", "POST").route(web::post().to(auth::refresh)))
                .service(resource("/auth/logout", "POST").route(web::post().to(auth::logout)))
                .service(resource("/audit", "GET, HEAD").route(read().to(audit::list)))
                .service(resource("/auth/me", "GET, HEAD").route(read().to(auth::me)))
                .service(
                    resource("/users", "GET, HEAD, POST")
                        .route(read().to(users::list))
                        .route(web::post().to(users::create)),
                )
                .service(
                    resource("/users/{id}", "GET, HEAD, PATCH, DELETE")
                        .route(read().to(users::get))
                        .route(web::patch().to(users::update))
                        .route(web::delete().to(users::delete)),
                )
                .service(
                    resource("/sections", "GET, HEAD, POST")
                        .route(read().to(sections::list))
                        .route(web::post().to(sections::create)),
                )
                .service(resource("/sections/slug/{slug}", "GET, HEAD").route(read().to(sections::get_by_slug)))
                .service(
                    resource("/sections/{id}", "GET, HEAD, PATCH, DELETE")
                        .route(read().to(sections::get))
                        .route(web::patch().to(sections::update))
                        .route(web::delete().to(sections::delete)),
                )
                .service(
                    resource("/tags", "GET, HEAD, POST")
                        .route(read().to(tags::list))
                        .route(web::post().to(tags::create)),
                )
                .service(resource("/tags/slug/{slug}", "GET, HEAD").route(read().to(tags::get_by_slug)))
                .service(
                    resource("/tags/{id}", "GET, HEAD, PATCH, DELETE")
                        .route(read().to(tags::get))
                        .route(web::patch().to(tags::update))
                        .route(web::delete().to(tags::delete)),
                )
                .service(
                    resource("/articles", "GET, HEAD, POST")
                        .route(read().to(articles::list))
                        .route(web::post().to(articles::create)),
                )
                .service(resource("/articles/{id}/revisions", "GET, HEAD").route(read().to(articles::revisions::list)))
                .service(
                    resource("/articles/{id}/revisions/{version}", "GET, HEAD")
                        .route(read().to(articles::revisions::get)),
                )
                .service(
                    resource("/articles/{id}/revisions/{version}/restore", "POST")
                        .route(web::post().to(articles::revisions::restore)),
                )
                .service(resource("/articles/slug/{slug}", "GET, HEAD").route(read().to(articles::get_by_slug)))
                .service(
                    resource("/articles/{id}", "GET, HEAD, PATCH, DELETE")
                        .route(read().to(articles::get))
                        .route(web::patch().to(articles::update))
                        .route(web::delete().to(articles::delete)),
                ),
        );
}

/// Anything no route matched.
pub async fn not_found() -> HttpResponse {
    problem(StatusCode::NOT_FOUND, "no such resource".into())
}
