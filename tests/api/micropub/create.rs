//! micropub.rocks 100–107 (form-encoded), 200–206 (JSON) and 300–301 (multipart).

use image::ImageFormat;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::json;

use super::{article_at, created_form, created_json, location, source, tag_names, CITY, ENDPOINT, SUNSET};
use crate::helpers::spawn_app;

#[tokio::test]
async fn mp_100_create_h_entry_form_encoded() {
    let app = spawn_app().await;
    let url = created_form(&app, &[("h", "entry"), ("content", "Micropub test of creating a basic h-entry")]).await;
    let article = article_at(&app, &url, None).await;
    assert_eq!(article["body_markdown"], "Micropub test of creating a basic h-entry");
    assert_eq!(article["title"], "Micropub test of creating a basic h-entry");
    assert_eq!(article["status"], "published");
}

#[tokio::test]
async fn mp_101_create_h_entry_with_multiple_categories_form_encoded() {
    let app = spawn_app().await;
    let url = created_form(
        &app,
        &[
            ("h", "entry"),
            (
                "content",
                "Micropub test of creating an h-entry with categories. This post should have two categories, test1 and test2",
            ),
            ("category[]", "test1"),
            ("category[]", "test2"),
        ],
    )
    .await;
    let article = article_at(&app, &url, None).await;
    assert_eq!(tag_names(&article), ["test1", "test2"]);
    // No name: the title is the content's first words, at most 80 characters with the ellipsis.
    let title = article["title"].as_str().unwrap();
    assert!(title.chars().count() <= 80 && title.ends_with('…'), "{title}");
    assert!(title.starts_with("Micropub test of creating an h-entry with categories."));
}

#[tokio::test]
async fn mp_104_create_h_entry_with_photo_referenced_by_url_form_encoded() {
    let app = spawn_app().await;
    let url = created_form(
        &app,
        &[("h", "entry"), ("content", "Micropub test of creating a photo referenced by URL"), ("photo", SUNSET)],
    )
    .await;
    let article = article_at(&app, &url, None).await;
    assert_eq!(article["cover_image"]["url"], SUNSET);
    assert_eq!(source(&app, &url, &["photo"]).await["properties"]["photo"], json!([SUNSET]));
}

#[tokio::test]
async fn mp_107_create_h_entry_with_one_category_form_encoded() {
    let app = spawn_app().await;
    let url = created_form(
        &app,
        &[
            ("h", "entry"),
            (
                "content",
                "Micropub test of creating an h-entry with one category. This post should have one category, test1",
            ),
            ("category", "test1"),
        ],
    )
    .await;
    assert_eq!(tag_names(&article_at(&app, &url, None).await), ["test1"]);
}

#[tokio::test]
async fn mp_200_create_h_entry_json() {
    let app = spawn_app().await;
    let body = json!({"type": ["h-entry"], "properties": {"content": ["Micropub test of creating an h-entry with a JSON request"]}});
    let url = created_json(&app, &body).await;
    let article = article_at(&app, &url, None).await;
    assert_eq!(article["body_markdown"], "Micropub test of creating an h-entry with a JSON request");
}

#[tokio::test]
async fn mp_201_create_h_entry_with_multiple_categories_json() {
    let app = spawn_app().await;
    let body = json!({"type": ["h-entry"], "properties": {
        "content": ["Micropub test of creating an h-entry with a JSON request containing multiple categories. This post should have two categories, test1 and test2."],
        "category": ["test1", "test2"]}});
    let url = created_json(&app, &body).await;
    assert_eq!(tag_names(&article_at(&app, &url, None).await), ["test1", "test2"]);
}

#[tokio::test]
async fn mp_202_create_h_entry_with_html_content_json() {
    let app = spawn_app().await;
    let html = "<p>This post has <b>bold</b> and <i>italic</i> text.</p>";
    let url = created_json(&app, &json!({"type": ["h-entry"], "properties": {"content": [{"html": html}]}})).await;
    let article = article_at(&app, &url, None).await;
    let rendered = article["body_html"].as_str().unwrap();
    assert!(rendered.contains("<b>bold</b>") && rendered.contains("<i>italic</i>"), "{rendered}");
    assert_eq!(article["title"], "This post has bold and italic text.");
    assert_eq!(source(&app, &url, &["content"]).await["properties"]["content"], json!([{"html": html}]));
}

#[tokio::test]
async fn mp_202_html_content_is_sanitised_as_always() {
    let app = spawn_app().await;
    let html = "<p>Hi<script>alert(1)</script><img src=x onerror=alert(2)></p>";
    let url = created_json(&app, &json!({"type": ["h-entry"], "properties": {"content": [{"html": html}]}})).await;
    let rendered = article_at(&app, &url, None).await["body_html"].as_str().unwrap().to_owned();
    assert!(!rendered.contains("<script") && !rendered.contains("onerror"), "{rendered}");
}

#[tokio::test]
async fn mp_203_create_h_entry_with_photo_referenced_by_url_json() {
    let app = spawn_app().await;
    let body = json!({"type": ["h-entry"], "properties": {
        "content": ["Micropub test of creating a photo referenced by URL. This post should include a photo of a sunset."],
        "photo": [SUNSET]}});
    let url = created_json(&app, &body).await;
    assert_eq!(article_at(&app, &url, None).await["cover_image"]["url"], SUNSET);
}

#[tokio::test]
async fn mp_204_create_h_entry_with_nested_object_json() {
    let app = spawn_app().await;
    let checkin = json!([{"type": ["h-card"], "properties": {
        "name": ["Los Gorditos"],
        "url": ["https://foursquare.com/v/502c4bbde4b06e61e06d1ebf"],
        "latitude": [45.524330801154],
        "longitude": [-122.68068808051],
        "street-address": ["922 NW Davis St"],
        "locality": ["Portland"],
        "region": ["OR"],
        "country-name": ["United States"],
        "postal-code": ["97209"]}}]);
    let body = json!({"type": ["h-entry"], "properties": {
        "published": ["2017-05-31T12:03:36-07:00"], "content": ["Lunch meeting"], "checkin": checkin}});
    let url = created_json(&app, &body).await;
    let article = article_at(&app, &url, None).await;
    assert_eq!(article["published_at"], "2017-05-31T19:03:36Z");
    assert_eq!(article["title"], "Lunch meeting");
    let kept = source(&app, &url, &[]).await;
    assert_eq!(kept["properties"]["checkin"], checkin, "the nested object comes back as it came");
}

#[tokio::test]
async fn mp_205_create_h_entry_with_photo_with_alt_text_json() {
    let app = spawn_app().await;
    let photo = json!([{"value": SUNSET, "alt": "Photo of a sunset"}]);
    let body = json!({"type": ["h-entry"], "properties": {
        "content": ["Micropub test of creating a photo referenced by URL with alt text. This post should include a photo of a sunset."],
        "photo": photo}});
    let url = created_json(&app, &body).await;
    let article = article_at(&app, &url, None).await;
    assert_eq!(
        (&article["cover_image"]["url"], &article["cover_image"]["alt"]),
        (&json!(SUNSET), &json!("Photo of a sunset"))
    );
    assert_eq!(source(&app, &url, &["photo"]).await["properties"]["photo"], photo);
}

#[tokio::test]
async fn mp_206_create_h_entry_with_multiple_photos_referenced_by_url_json() {
    let app = spawn_app().await;
    let body = json!({"type": ["h-entry"], "properties": {
        "content": ["Micropub test of creating multiple photos referenced by URL. This post should include a photo of a city at night."],
        "photo": [SUNSET, CITY]}});
    let url = created_json(&app, &body).await;
    assert_eq!(article_at(&app, &url, None).await["cover_image"]["url"], SUNSET, "the first is the cover");
    assert_eq!(source(&app, &url, &["photo"]).await["properties"]["photo"], json!([SUNSET, CITY]), "every one kept");
}

fn part(bytes: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).unwrap()
}

#[tokio::test]
async fn mp_300_create_h_entry_with_photo_multipart() {
    let app = spawn_app().await;
    let form = Form::new()
        .text("h", "entry")
        .text("content", "Nice sunset tonight")
        .part("photo", part(super::image(ImageFormat::Jpeg), "sunset.jpg", "image/jpeg"));
    let response = app.client.post(app.url(ENDPOINT)).bearer_auth(&app.admin).multipart(form).send().await.unwrap();
    let url = location(&response);
    let article = article_at(&app, &url, None).await;
    assert!(article["cover_image"]["media_id"].as_i64().is_some(), "the upload is a media item: {article}");
    assert_eq!(article["cover_image"]["width"], 40);
    let file = app.client.get(app.url(article["cover_image"]["url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "image/jpeg");
}

#[tokio::test]
async fn mp_301_create_h_entry_with_two_photos_multipart() {
    let app = spawn_app().await;
    let form = Form::new()
        .text("h", "entry")
        .text("content", "This post should have two photos")
        .part("photo[]", part(super::image(ImageFormat::Jpeg), "sunset.jpg", "image/jpeg"))
        .part("photo[]", part(super::image(ImageFormat::Png), "city-at-night.png", "image/png"));
    let response = app.client.post(app.url(ENDPOINT)).bearer_auth(&app.admin).multipart(form).send().await.unwrap();
    let url = location(&response);
    let photos = source(&app, &url, &["photo"]).await["properties"]["photo"].clone();
    let photos = photos.as_array().unwrap();
    assert_eq!(photos.len(), 2, "{photos:?}");
    for (photo, kind) in photos.iter().zip(["image/jpeg", "image/png"]) {
        let file = app.client.get(photo.as_str().unwrap()).send().await.unwrap();
        assert_eq!((file.status(), file.headers()["content-type"].to_str().unwrap()), (StatusCode::OK, kind));
    }
    let media: serde_json::Value = app.get("/api/v1/media", Some(&app.admin)).await.json().await.unwrap();
    assert_eq!(media["meta"]["total"], 2, "both uploads are media items");
}
