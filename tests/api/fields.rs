//! `fields=`: only the fields named (and `id`), with an ETag of their own, on reads and
//! lists, for the public and for signed-in callers alike.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{json_body, problem, spawn_app};

/// The names of `value`'s fields, sorted.
fn keys(value: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    names
}

#[tokio::test]
async fn a_read_returns_only_the_fields_named_with_its_own_etag() {
    let app = spawn_app().await;
    let article = app.publish_seed_article(&app.admin).await;
    let (id, slug) = (article["id"].as_i64().unwrap(), article["slug"].as_str().unwrap().to_owned());
    for token in [None, Some(app.admin.as_str())] {
        for path in [format!("/api/v1/articles/{id}"), format!("/api/v1/articles/slug/{slug}")] {
            let whole = app.get(&path, token).await;
            let whole_etag = whole.headers()["etag"].to_str().unwrap().to_owned();
            let full = json_body(whole, StatusCode::OK).await;

            let response = app.get(&format!("{path}?fields=title,toc,slug"), token).await;
            let etag = response.headers()["etag"].to_str().unwrap().to_owned();
            let cut = json_body(response, StatusCode::OK).await;
            let names = keys(&cut);
            assert_eq!(names, ["id", "slug", "title", "toc"], "{path}");
            for name in names {
                assert_eq!(cut[name], full[name], "{path}: {name} as in the whole article");
            }
            assert_ne!(etag, whole_etag, "{path}: a selection has its own ETag");
            let again = app
                .request(reqwest::Method::GET, &format!("{path}?fields=title,toc,slug"), token)
                .header("If-None-Match", &etag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
            let stale = app
                .request(reqwest::Method::GET, &format!("{path}?fields=title"), token)
                .header("If-None-Match", &etag)
                .send()
                .await
                .unwrap();
            assert_eq!(stale.status(), StatusCode::OK, "{path}: another selection, another ETag");

            let body = json_body(app.get(&format!("{path}?fields=body_html"), token).await, StatusCode::OK).await;
            assert_eq!(body["body_html"], full["body_html"]);
        }
    }
}

#[tokio::test]
async fn list_items_carry_only_the_fields_named() {
    let app = spawn_app().await;
    app.publish_seed_article(&app.admin).await;
    for token in [None, Some(app.admin.as_str())] {
        let list = json_body(app.get("/api/v1/articles?fields=slug,published_at", token).await, StatusCode::OK).await;
        assert_eq!(keys(&list["data"][0]), ["id", "published_at", "slug"]);
        assert_eq!(list["meta"]["total"], 1, "the list's meta is whole");

        let bodies = json_body(app.get("/api/v1/articles?fields=title,body_html", token).await, StatusCode::OK).await;
        assert_eq!(keys(&bodies["data"][0]), ["body_html", "id", "title"], "naming the body loads it");
        assert!(bodies["data"][0]["body_html"].as_str().unwrap().contains("<h2"));

        let search =
            json_body(app.get("/api/v1/articles?q=needling&fields=title,snippet", token).await, StatusCode::OK).await;
        assert_eq!(keys(&search["data"][0]), ["id", "snippet", "title"]);
        assert!(search["data"][0]["snippet"].as_str().unwrap().contains("<mark>"));
    }
    let whole = app.get("/api/v1/articles", None).await.headers()["etag"].to_str().unwrap().to_owned();
    let cut = app.get("/api/v1/articles?fields=slug", None).await.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(whole, cut, "a list of selections has its own ETag");
}

#[tokio::test]
async fn unknown_or_empty_field_names_are_422() {
    let app = spawn_app().await;
    let article = app.publish_seed_article(&app.admin).await;
    let read = format!("/api/v1/articles/{}", article["id"]);
    for path in [
        format!("{read}?fields=title,password"),
        format!("{read}?fields="),
        format!("{read}?fields=snippet"),
        "/api/v1/articles?fields=title,,slug".to_owned(),
        "/api/v1/articles?fields=email".to_owned(),
    ] {
        let body = problem(app.get(&path, None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], "fields", "{path}: {body}");
    }
}
