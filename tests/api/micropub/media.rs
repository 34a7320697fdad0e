//! micropub.rocks 700–702: the media endpoint, found by `q=config`, takes an upload
//! and answers its absolute URL, where the file is served with its type.

use image::ImageFormat;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;

use super::{error, key, location, ENDPOINT};
use crate::helpers::{json_body, spawn_app, TestApp};

async fn media_endpoint(app: &TestApp) -> String {
    let response = app.client.get(app.url(ENDPOINT)).query(&[("q", "config")]).bearer_auth(&app.admin).send().await;
    let config: Value = json_body(response.unwrap(), StatusCode::OK).await;
    let endpoint = config["media-endpoint"].as_str().unwrap().to_owned();
    let (scheme, rest) = endpoint.split_once("://").unwrap();
    assert!(matches!(scheme, "http" | "https") && rest.contains('/'), "a full URL with a path: {endpoint}");
    endpoint
}

/// Uploads `bytes` as micropub.rocks does, and checks the file served at the Location.
async fn uploads(bytes: Vec<u8>, name: &str, content_type: &str) {
    let app = spawn_app().await;
    let endpoint = media_endpoint(&app).await;
    let part = Part::bytes(bytes.clone()).file_name(name.to_owned()).mime_str(content_type).unwrap();
    let response = app
        .client
        .post(&endpoint)
        .bearer_auth(&app.admin)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let file = app.client.get(location(&response)).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], content_type);
    assert_eq!(file.bytes().await.unwrap().to_vec(), bytes);
}

#[tokio::test]
async fn mp_700_upload_a_jpg_to_the_media_endpoint() {
    uploads(super::image(ImageFormat::Jpeg), "sunset.jpg", "image/jpeg").await;
}

#[tokio::test]
async fn mp_701_upload_a_png_to_the_media_endpoint() {
    uploads(super::image(ImageFormat::Png), "micropub-rocks.png", "image/png").await;
}

#[tokio::test]
async fn mp_702_upload_a_gif_to_the_media_endpoint() {
    uploads(super::image(ImageFormat::Gif), "w3c-socialwg.gif", "image/gif").await;
}

#[tokio::test]
async fn the_media_endpoint_needs_the_media_scope_and_one_file() {
    let app = spawn_app().await;
    let endpoint = app.url("/api/v1/micropub/media");
    let upload = |token: String| {
        let part = Part::bytes(super::image(ImageFormat::Png)).file_name("a.png").mime_str("image/png").unwrap();
        app.client.post(&endpoint).bearer_auth(token).multipart(Form::new().part("file", part)).send()
    };
    let (_, writer) = key(&app, &["content:write"]).await;
    error(upload(writer).await.unwrap(), StatusCode::UNAUTHORIZED, "insufficient_scope").await;
    let (_, media) = key(&app, &["media"]).await;
    assert_eq!(upload(media.clone()).await.unwrap().status(), StatusCode::CREATED);
    let none = app.client.post(&endpoint).bearer_auth(&media).multipart(Form::new().text("alt", "x")).send().await;
    error(none.unwrap(), StatusCode::BAD_REQUEST, "invalid_request").await;
    let text = Part::bytes(b"just text".to_vec()).file_name("a.txt").mime_str("text/plain").unwrap();
    let refused = app.client.post(&endpoint).bearer_auth(&media).multipart(Form::new().part("file", text)).send().await;
    assert_eq!(refused.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let unsigned = Part::bytes(super::image(ImageFormat::Png)).file_name("a.png").mime_str("image/png").unwrap();
    let anonymous = app.client.post(&endpoint).multipart(Form::new().part("file", unsigned)).send().await;
    error(anonymous.unwrap(), StatusCode::UNAUTHORIZED, "unauthorized").await;
}
