//! Lists paginate alike: `{data, meta}`, `X-Total-Count`, and an RFC 8288 `Link`
//! header whose links keep the other query parameters.

use std::collections::HashMap;

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, TestApp, PASSWORD};

/// An app with 45 published articles, "Article 01" published first (00:01) and
/// "Article 45" last (00:45), so the default newest-first order is checkable.
async fn app_with_45_articles() -> TestApp {
    let app = spawn_app().await;
    let (_, editor) = app.user("editor", "Page Editor").await;
    for i in 1..=45 {
        app.article(
            &editor,
            json!({
                "title": format!("Article {i:02}"),
                "body_markdown": format!("The body of article {i}."),
                "status": "published",
                "published_at": format!("2024-01-01T00:{i:02}:00Z"),
            }),
        )
        .await;
    }
    app
}

/// The `Link` header as `rel → URL`.
fn links(response: &Response) -> HashMap<String, String> {
    let header = response.headers().get("link").expect("a Link header").to_str().expect("ascii");
    header
        .split(',')
        .map(|link| {
            let (target, params) = link.trim().split_once(';').expect("<url>; rel=...");
            let url = target.trim().strip_prefix('<').and_then(|t| t.strip_suffix('>')).expect("<url>");
            let rel = params.trim().strip_prefix("rel=").expect("rel=").trim_matches('"');
            (rel.to_owned(), url.to_owned())
        })
        .collect()
}

/// A link's target as a path the test client can request (links may be absolute).
fn path_of(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => url,
    }
}

/// The query parameters of a link, as `name → value`.
fn query_of(url: &str) -> HashMap<String, String> {
    let (_, query) = url.split_once('?').expect("a query string");
    query.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

fn total_count(response: &Response) -> i64 {
    response.headers().get("x-total-count").expect("X-Total-Count").to_str().unwrap().parse().unwrap()
}

fn titles(body: &Value) -> Vec<String> {
    body["data"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect()
}

fn numbered(range: impl Iterator<Item = i32>) -> Vec<String> {
    range.map(|i| format!("Article {i:02}")).collect()
}

#[tokio::test]
async fn the_first_page_has_twenty_items_and_the_totals() {
    let app = app_with_45_articles().await;

    let response = app.get("/api/v1/articles", None).await;

    assert_eq!(total_count(&response), 45);
    let body = json_body(response, StatusCode::OK).await;
    assert_eq!(
        body["meta"],
        json!({"page": 1, "per_page": 20, "total": 45, "total_pages": 3, "next_cursor": body["meta"]["next_cursor"]})
    );
    assert!(body["meta"]["next_cursor"].is_string(), "more pages follow");
    assert_eq!(titles(&body), numbered((26..=45).rev()), "newest first");
}

#[tokio::test]
async fn a_middle_page_links_to_the_first_previous_next_and_last_pages() {
    let app = app_with_45_articles().await;

    let response = app.get("/api/v1/articles?page=2", None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let links = links(&response);
    let page_of = |rel: &str| query_of(&links[rel])["page"].clone();
    assert_eq!(page_of("first"), "1");
    assert_eq!(page_of("prev"), "1");
    assert_eq!(page_of("next"), "3");
    assert_eq!(page_of("last"), "3");
    let next = json_body(app.get(path_of(&links["next"]), None).await, StatusCode::OK).await;
    assert_eq!(next["meta"]["page"], 3, "the next link leads to page 3");
    assert_eq!(titles(&next), numbered((1..=5).rev()));
}

#[tokio::test]
async fn the_first_page_has_no_prev_link_and_the_last_page_no_next_link() {
    let app = app_with_45_articles().await;

    let first = links(&app.get("/api/v1/articles", None).await);
    let last = links(&app.get("/api/v1/articles?page=3", None).await);

    assert!(!first.contains_key("prev"), "page 1 has no prev: {first:?}");
    assert_eq!(query_of(&first["next"])["page"], "2");
    assert!(!last.contains_key("next"), "the last page has no next: {last:?}");
    assert_eq!(query_of(&last["prev"])["page"], "2");
    assert_eq!(query_of(&last["first"])["page"], "1");
    assert_eq!(query_of(&last["last"])["page"], "3");
}

#[tokio::test]
async fn links_keep_the_other_query_parameters() {
    let app = app_with_45_articles().await;

    let response = app.get("/api/v1/articles?per_page=10&sort=title&page=2", None).await;

    let links = links(&response);
    for rel in ["first", "prev", "next", "last"] {
        let query = query_of(&links[rel]);
        assert_eq!(query.get("per_page").map(String::as_str), Some("10"), "{rel}: {}", links[rel]);
        assert_eq!(query.get("sort").map(String::as_str), Some("title"), "{rel}: {}", links[rel]);
    }
    assert_eq!(query_of(&links["last"])["page"], "5");
    let next = json_body(app.get(path_of(&links["next"]), None).await, StatusCode::OK).await;
    assert_eq!(
        next["meta"],
        json!({"page": 3, "per_page": 10, "total": 45, "total_pages": 5, "next_cursor": next["meta"]["next_cursor"]})
    );
    assert!(next["meta"]["next_cursor"].is_string(), "more pages follow");
    assert_eq!(titles(&next), numbered(21..=30), "still sorted by title");
}

#[tokio::test]
async fn the_last_page_holds_the_remaining_five() {
    let app = app_with_45_articles().await;

    let response = app.get("/api/v1/articles?page=3", None).await;

    assert_eq!(total_count(&response), 45);
    let body = json_body(response, StatusCode::OK).await;
    assert_eq!(body["meta"], json!({"page": 3, "per_page": 20, "total": 45, "total_pages": 3, "next_cursor": null}));
    assert_eq!(titles(&body), numbered((1..=5).rev()));
}

#[tokio::test]
async fn a_page_past_the_end_is_ok_and_empty() {
    let app = app_with_45_articles().await;

    let response = app.get("/api/v1/articles?page=4", None).await;

    assert_eq!(total_count(&response), 45);
    let links = links(&response);
    assert!(!links.contains_key("next"), "nothing follows: {links:?}");
    assert_eq!(query_of(&links["last"])["page"], "3");
    let body = json_body(response, StatusCode::OK).await;
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["meta"], json!({"page": 4, "per_page": 20, "total": 45, "total_pages": 3, "next_cursor": null}));
}

#[tokio::test]
async fn per_page_100_returns_every_article_on_one_page() {
    let app = app_with_45_articles().await;

    let response = app.get("/api/v1/articles?per_page=100", None).await;

    let links = links(&response);
    assert!(!links.contains_key("prev") && !links.contains_key("next"), "{links:?}");
    assert_eq!(query_of(&links["last"])["page"], "1");
    let body = json_body(response, StatusCode::OK).await;
    assert_eq!(body["meta"], json!({"page": 1, "per_page": 100, "total": 45, "total_pages": 1, "next_cursor": null}));
    assert_eq!(titles(&body), numbered((1..=45).rev()));
}

#[tokio::test]
async fn per_page_over_100_or_a_page_below_1_is_refused_not_clamped() {
    let app = spawn_app().await;

    for query in ["per_page=101", "page=0"] {
        let response = app.get(&format!("/api/v1/articles?{query}"), None).await;

        let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        let field = query.split('=').next().unwrap();
        assert!(body["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{query}: {body}");
    }
}

/// Checks page 2 of 3 (two items a page, five in all) of a list, and returns its body.
async fn second_of_three_pages(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let response = app.get(&format!("{path}?per_page=2&page=2"), token).await;
    assert_eq!(total_count(&response), 5, "{path}");
    let links = links(&response);
    for (rel, page) in [("first", "1"), ("prev", "1"), ("next", "3"), ("last", "3")] {
        let query = query_of(&links[rel]);
        assert_eq!((query["page"].as_str(), query["per_page"].as_str()), (page, "2"), "{path} {rel}");
    }
    let body = json_body(response, StatusCode::OK).await;
    let mut meta = body["meta"].clone();
    // Article lists also say where the next page starts (cursors, tests/api/cursors.rs).
    let next_cursor = meta.as_object_mut().unwrap().remove("next_cursor");
    assert_eq!(next_cursor.is_some(), path.starts_with("/api/v1/articles"), "{path}");
    assert_eq!(meta, json!({"page": 2, "per_page": 2, "total": 5, "total_pages": 3}), "{path}");
    assert_eq!(body["data"].as_array().unwrap().len(), 2, "{path}");
    body
}

#[tokio::test]
async fn sections_paginate_like_articles() {
    let app = spawn_app().await;
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
        app.section(name, None).await;
    }

    let body = second_of_three_pages(&app, "/api/v1/sections", None).await;

    let names: Vec<&str> = body["data"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Charlie", "Delta"]);
}

#[tokio::test]
async fn tags_paginate_like_articles() {
    let app = spawn_app().await;
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
        app.tag(name).await;
    }

    let body = second_of_three_pages(&app, "/api/v1/tags", None).await;

    let names: Vec<&str> = body["data"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Charlie", "Delta"]);
}

#[tokio::test]
async fn users_paginate_like_articles() {
    let app = spawn_app().await;
    for name in ["bravo", "charlie", "delta", "echo"] {
        let user = json!({"email": format!("{name}@example.com"), "password": PASSWORD, "display_name": name, "role": "author"});
        json_body(app.post("/api/v1/users", Some(&app.admin), &user).await, StatusCode::CREATED).await;
    }

    let body = second_of_three_pages(&app, "/api/v1/users", Some(&app.admin)).await;

    assert_eq!(body["meta"]["total"], 5, "the admin and four others");
}
