//! Micropub through the real server: micropub.rocks' 36 server tests, each sending the
//! request micropub.rocks sends and checking what it checks (and, where micropub.rocks
//! asks a human to look at the post, reading the article back), plus folio's own rules.

mod auth;
mod create;
mod media;
mod query;
mod rules;
mod update;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, TestApp};

pub const ENDPOINT: &str = "/api/v1/micropub";
/// Where micropub.rocks serves its sample photos.
pub const SUNSET: &str = "https://micropub.rocks/media/sunset.jpg";
pub const CITY: &str = "https://micropub.rocks/media/city-at-night.jpg";

/// A form-encoded POST to the endpoint, with the token in the header when given.
pub async fn form(app: &TestApp, token: Option<&str>, pairs: &[(&str, &str)]) -> Response {
    app.request(reqwest::Method::POST, ENDPOINT, token).form(pairs).send().await.unwrap()
}

/// A JSON POST to the endpoint.
pub async fn post_json(app: &TestApp, token: Option<&str>, body: &Value) -> Response {
    app.post(ENDPOINT, token, body).await
}

/// The `Location` of a 201 (or 202).
pub fn location(response: &Response) -> String {
    assert!(
        matches!(response.status(), StatusCode::CREATED | StatusCode::ACCEPTED),
        "expected 201 or 202, got {}",
        response.status()
    );
    let location = response.headers().get("location").expect("a Location header").to_str().unwrap();
    assert!(location.starts_with("http://") || location.starts_with("https://"), "absolute: {location}");
    location.to_owned()
}

/// Creates a post form-encoded as the admin; its Location.
pub async fn created_form(app: &TestApp, pairs: &[(&str, &str)]) -> String {
    location(&form(app, Some(&app.admin), pairs).await)
}

/// Creates a post as JSON as the admin; its Location.
pub async fn created_json(app: &TestApp, body: &Value) -> String {
    location(&post_json(app, Some(&app.admin), body).await)
}

/// The article at a post's URL (the API's by-slug URL, no site being configured), as `token` reads it.
pub async fn article_at(app: &TestApp, url: &str, token: Option<&str>) -> Value {
    let mut request = app.client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    json_body(request.send().await.unwrap(), StatusCode::OK).await
}

pub fn tag_names(article: &Value) -> Vec<&str> {
    article["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect()
}

/// `q=source` for `url`, with `properties[]` when given.
pub async fn source(app: &TestApp, url: &str, properties: &[&str]) -> Value {
    let mut query = vec![("q", "source"), ("url", url)];
    query.extend(properties.iter().map(|p| ("properties[]", *p)));
    let response = app.client.get(app.url(ENDPOINT)).query(&query).bearer_auth(&app.admin).send().await.unwrap();
    json_body(response, StatusCode::OK).await
}

/// Asserts a Micropub error: the status, `application/json` and the error code; the body.
pub async fn error(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], code, "{body}");
    assert!(body["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    body
}

/// An API key with `scopes`, made by the admin.
pub async fn key(app: &TestApp, scopes: &[&str]) -> (i64, String) {
    let body = json!({"name": "Writing app", "scopes": scopes});
    let created = json_body(app.post("/api/v1/api-keys", Some(&app.admin), &body).await, StatusCode::CREATED).await;
    (created["id"].as_i64().unwrap(), created["key"].as_str().unwrap().to_owned())
}

/// A small image in `format`.
pub fn image(format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(40, 30, |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image).write_to(&mut out, format).unwrap();
    out.into_inner()
}
