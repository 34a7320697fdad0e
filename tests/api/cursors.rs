//! Cursor pagination of article lists: every order walked page by page while articles
//! are added between the fetches, with no item twice and none missed.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, TestApp};

async fn publish(app: &TestApp, title: &str, day: u32) -> i64 {
    let at = format!("2024-03-{day:02}T09:00:00Z");
    let body =
        json!({"title": title, "body_markdown": "Needling and rehab.", "status": "published", "published_at": at});
    app.article(&app.admin, body).await["id"].as_i64().unwrap()
}

/// Walks `path` by cursor, `per_page` 3, calling `between` after each page; returns
/// every item's id in the order seen.
async fn walk(app: &TestApp, path: &str, token: Option<&str>, mut between: impl AsyncFnMut(usize)) -> Vec<i64> {
    let (mut seen, mut url, mut pages) = (Vec::new(), format!("{path}&per_page=3"), 0);
    loop {
        let response = app.get(&url, token).await;
        let link = response.headers().get("link").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        let page = json_body(response, StatusCode::OK).await;
        seen.extend(page["data"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()));
        pages += 1;
        assert!(pages < 50, "the walk ends");
        let Some(cursor) = page["meta"]["next_cursor"].as_str() else {
            assert!(!link.contains("cursor="), "no next link on the last page: {link}");
            return seen;
        };
        if url.contains("cursor=") {
            assert!(link.contains(&format!("cursor={cursor}>; rel=\"next\"")), "{link}");
        }
        between(pages).await;
        url = format!("{path}&per_page=3&cursor={cursor}");
    }
}

fn assert_once_each(seen: &[i64], expected: &[i64], what: &str) {
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "{what}: no article twice: {seen:?}");
    for id in expected {
        assert!(unique.contains(id), "{what}: article {id} seen: {seen:?}");
    }
}

#[tokio::test]
async fn every_order_walks_by_cursor_without_repeats_or_gaps_while_articles_are_added() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for (n, title) in
        ["Kappa", "Alpha", "Mu", "Delta", "Beta", "Omega", "Gamma", "Zeta", "Eta", "Iota"].iter().enumerate()
    {
        ids.push(publish(&app, title, u32::try_from(n).unwrap() + 1).await);
    }
    let orders = [
        "/api/v1/articles?sort=-published_at",
        "/api/v1/articles?sort=published_at",
        "/api/v1/articles?sort=title",
        "/api/v1/articles?sort=-title",
        "/api/v1/articles?sort=updated_at",
        "/api/v1/articles?sort=-updated_at",
        "/api/v1/articles?q=needling&sort=-published_at",
        "/api/v1/articles?include=body",
    ];
    let mut added = 0;
    for path in orders {
        let before: Vec<i64> = json_body(app.get(&format!("{path}&per_page=100"), None).await, StatusCode::OK).await
            ["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        let seen = walk(&app, path, None, async |_| {
            added += 1;
            // Lands at either end of every order: the newest, and first by title.
            publish(&app, &format!("Aaa added {added}"), 28).await;
        })
        .await;
        assert_once_each(&seen, &before, path);
        let position: Vec<usize> = before.iter().map(|id| seen.iter().position(|s| s == id).unwrap()).collect();
        assert!(position.windows(2).all(|w| w[0] < w[1]), "{path}: in the list's order: {before:?} vs {seen:?}");
    }
    assert!(ids.len() == 10);
}

#[tokio::test]
async fn drafts_without_a_date_are_walked_after_every_date() {
    let app = spawn_app().await;
    let mut expected = Vec::new();
    for day in 1..=4 {
        expected.push(publish(&app, &format!("Live {day}"), day).await);
    }
    for n in 0..4 {
        expected.push(
            app.article(&app.admin, json!({"title": format!("Draft {n}"), "body_markdown": "x"})).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    for path in ["/api/v1/articles?status=any&sort=published_at", "/api/v1/articles?status=any&sort=-published_at"] {
        let seen = walk(&app, path, Some(&app.admin), async |_| {}).await;
        assert_eq!(seen.len(), expected.len(), "{path}: {seen:?}");
        assert_once_each(&seen, &expected, path);
        assert!(seen[4..].iter().all(|id| expected[4..].contains(id)), "{path}: drafts last: {seen:?}");
    }
}

#[tokio::test]
async fn a_search_by_relevance_pages_by_position_and_meta_says_where_a_page_stands() {
    let app = spawn_app().await;
    for day in 1..=7 {
        publish(&app, &format!("Needling {day}"), day).await;
    }
    let seen = walk(&app, "/api/v1/articles?q=needling", None, async |_| {}).await;
    assert_eq!(seen.len(), 7);
    assert_once_each(&seen, &seen.clone(), "relevance");

    let first = json_body(app.get("/api/v1/articles?per_page=3", None).await, StatusCode::OK).await;
    assert_eq!(first["meta"]["page"], 1);
    let cursor = first["meta"]["next_cursor"].as_str().unwrap();
    let second =
        json_body(app.get(&format!("/api/v1/articles?per_page=3&cursor={cursor}"), None).await, StatusCode::OK).await;
    assert_eq!(
        second["meta"],
        json!({"page": 2, "per_page": 3, "total": 7, "total_pages": 3, "next_cursor": second["meta"]["next_cursor"]})
    );
    let last = json_body(app.get("/api/v1/articles?per_page=3&page=3", None).await, StatusCode::OK).await;
    assert_eq!(last["meta"]["next_cursor"], Value::Null, "the last page has none");
}

#[tokio::test]
async fn a_cursor_that_does_not_fit_the_request_is_422() {
    let app = spawn_app().await;
    for day in 1..=3 {
        publish(&app, &format!("Article {day}"), day).await;
    }
    let page = json_body(app.get("/api/v1/articles?per_page=1&sort=title", None).await, StatusCode::OK).await;
    let cursor = page["meta"]["next_cursor"].as_str().unwrap().to_owned();
    for query in [
        format!("sort=title&cursor={cursor}&page=2"),
        format!("sort=-title&cursor={cursor}"),
        format!("cursor={cursor}"),
        "cursor=garbage".to_owned(),
        "cursor=".to_owned(),
    ] {
        let body =
            problem(app.get(&format!("/api/v1/articles?{query}"), None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], "cursor", "{query}: {body}");
    }
}
