//! Article ETags name the representation: what a read gives, a write answers with and
//! `If-Match` takes; they change when what the article embeds changes, or its status
//! does with time, even though the article's own version does not.

use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, TestApp};

fn etag_of(response: &reqwest::Response) -> String {
    response.headers()["etag"].to_str().unwrap().to_owned()
}

async fn etag(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    etag_of(&response)
}

async fn patch_if_match(app: &TestApp, path: &str, token: &str, tag: &str, body: Value) -> reqwest::Response {
    app.request(Method::PATCH, path, Some(token)).header("If-Match", tag).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn reads_writes_and_if_match_agree_on_one_etag_per_representation() {
    let app = spawn_app().await;
    let created =
        app.post("/api/v1/articles", Some(&app.admin), &json!({"title": "Tagged", "body_markdown": "B."})).await;
    let written = etag_of(&created);
    let article = json_body(created, StatusCode::CREATED).await;
    let path = format!("/api/v1/articles/{}", article["id"]);

    assert_eq!(etag(&app, &path, Some(&app.admin)).await, written, "a read gives what the write answered");
    assert_eq!(etag(&app, "/api/v1/articles/slug/tagged", Some(&app.admin)).await, written, "by slug too");
    let not_modified = app.request(Method::GET, &path, Some(&app.admin)).header("If-None-Match", &written);
    assert_eq!(not_modified.send().await.unwrap().status(), StatusCode::NOT_MODIFIED);

    let weak = format!("W/{written}");
    let refused = patch_if_match(&app, &path, &app.admin, &weak, json!({"title": "Weak"})).await;
    problem(refused, StatusCode::PRECONDITION_FAILED).await;
    let listed = format!("\"0123\", {written}");
    let changed = patch_if_match(&app, &path, &app.admin, &listed, json!({"title": "Changed"})).await;
    let answered = etag_of(&changed);
    json_body(changed, StatusCode::OK).await;
    assert_ne!(answered, written);
    assert_eq!(etag(&app, &path, Some(&app.admin)).await, answered);
}

#[tokio::test]
async fn renaming_an_embedded_tag_or_the_author_changes_the_etag_and_the_old_one_gets_412() {
    let app = spawn_app().await;
    let tag = app.tag("Rust").await;
    let body = json!({"title": "Embeds", "body_markdown": "B.", "tags": ["Rust"], "status": "published"});
    let article = app.article(&app.admin, body).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let before = etag(&app, &path, None).await;

    let renamed =
        app.patch(&format!("/api/v1/tags/{}", tag["id"]), Some(&app.admin), &json!({"name": "Rust Lang"})).await;
    json_body(renamed, StatusCode::OK).await;
    let after_tag = etag(&app, &path, None).await;
    assert_ne!(after_tag, before, "the article shows the tag's new name");
    let stale = patch_if_match(&app, &path, &app.admin, &before, json!({"title": "Stale"})).await;
    problem(stale, StatusCode::PRECONDITION_FAILED).await;

    // The admin wrote it: renaming them renames the embedded author.
    let me: Value = app.get("/api/v1/auth/me", Some(&app.admin)).await.json().await.unwrap();
    let rename = json!({"display_name": "Ada Admin"});
    json_body(app.patch(&format!("/api/v1/users/{}", me["id"]), Some(&app.admin), &rename).await, StatusCode::OK).await;
    let after_author = etag(&app, &path, None).await;
    assert_ne!(after_author, after_tag, "the article embeds its author's display name");
    let stale = patch_if_match(&app, &path, &app.admin, &after_tag, json!({"title": "Stale"})).await;
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let fresh = patch_if_match(&app, &path, &app.admin, &after_author, json!({"title": "Fresh"})).await;
    json_body(fresh, StatusCode::OK).await;
}

#[tokio::test]
async fn a_scheduled_articles_etag_changes_when_it_goes_live() {
    let app = spawn_app().await;
    let at = (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let body = json!({"title": "Soon", "body_markdown": "B.", "status": "published", "published_at": at});
    let article = app.article(&app.admin, body).await;
    assert_eq!(article["status"], "scheduled");
    let path = format!("/api/v1/articles/{}", article["id"]);
    let scheduled = etag(&app, &path, Some(&app.admin)).await;

    let deadline = Instant::now() + Duration::from_secs(5);
    while app.get(&path, None).await.status() != StatusCode::OK {
        assert!(Instant::now() < deadline, "still not public 5 s after creation (published_at {at})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let live = etag(&app, &path, Some(&app.admin)).await;
    assert_ne!(live, scheduled, "the status in the JSON changed, so must the ETag");
    let stale = patch_if_match(&app, &path, &app.admin, &scheduled, json!({"title": "Stale"})).await;
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
}
