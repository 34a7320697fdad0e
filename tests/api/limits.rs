//! Bounds on what one request may make the server do: repeated query parameters,
//! slow bodies, and what the response cache keeps.

use reqwest::StatusCode;

use crate::helpers::{json_body, problem, spawn_app};

fn tags(n: usize) -> String {
    (0..n).map(|i| format!("tag=t{i}")).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn more_than_twenty_tag_filters_are_422_naming_tag_and_twenty_are_served() {
    let app = spawn_app().await;
    let served = app.get(&format!("/api/v1/articles?{}", tags(20)), None).await;
    json_body(served, StatusCode::OK).await;
    for n in [21, 1_001, 3_000] {
        let refused = app.get(&format!("/api/v1/articles?{}", tags(n)), None).await;
        let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], "tag", "{n} tags: {body}");
    }
}

/// A published article's id, created by the admin.
async fn published(app: &crate::helpers::TestApp) -> i64 {
    let body = serde_json::json!({"title": "Cached", "body_markdown": "Words.", "status": "published"});
    app.article(&app.admin, body).await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn leading_zeros_and_empty_parameters_read_the_one_article() {
    let app = spawn_app().await;
    let id = published(&app).await;
    let canonical = app.get(&format!("/api/v1/articles/{id}"), None).await;
    let etag = canonical.headers()["etag"].clone();
    for path in [
        format!("/api/v1/articles/000{id}"),
        format!("/api/v1/articles/{id}?&&&"),
        format!("/api/v1/articles/{}", id.to_string().bytes().map(|b| format!("%{b:02X}")).collect::<String>()),
    ] {
        let response = app.get(&path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["etag"], etag, "{path} is the same article");
    }
}

#[tokio::test]
async fn a_cached_article_still_refuses_unknown_query_parameters() {
    let app = spawn_app().await;
    let id = published(&app).await;
    for _ in 0..2 {
        json_body(app.get(&format!("/api/v1/articles/{id}"), None).await, StatusCode::OK).await;
    }
    let refused = app.get(&format!("/api/v1/articles/{id}?bogus=1"), None).await;
    let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "bogus");
}
