//! `GET /changes`: a static-site build follows it and ends up with the public list;
//! what the public never saw never shows; cursors survive restarts and expire with the
//! events kept.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, spawn_app_with, TestApp};

/// Every change after `since` (all of them when `None`), fetched `limit` at a time,
/// and the cursor to go on from.
async fn follow(app: &TestApp, since: Option<&str>, limit: usize) -> (Vec<Value>, String) {
    let (mut all, mut cursor) = (Vec::new(), since.map(str::to_owned));
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/changes?limit={limit}&since={cursor}"),
            None => format!("/api/v1/changes?limit={limit}"),
        };
        let page = json_body(app.get(&path, None).await, StatusCode::OK).await;
        let data = page["data"].as_array().unwrap().clone();
        assert!(data.len() <= limit, "{page}");
        cursor = Some(page["next_cursor"].as_str().unwrap().to_owned());
        if data.is_empty() {
            return (all, cursor.unwrap());
        }
        all.extend(data);
    }
}

/// What a static-site build keeps: each live article's slug, by id.
fn apply(site: &mut BTreeMap<i64, String>, changes: &[Value]) {
    for change in changes.iter().filter(|c| c["resource"] == "article") {
        let id = change["id"].as_i64().unwrap();
        match change["type"].as_str().unwrap() {
            "article.published" | "article.updated" => site.insert(id, change["slug"].as_str().unwrap().to_owned()),
            "article.removed" => site.remove(&id),
            other => panic!("an article change of type {other}"),
        };
    }
}

/// The public list, as the same map.
async fn public_list(app: &TestApp) -> BTreeMap<i64, String> {
    let page = json_body(app.get("/api/v1/articles?per_page=100", None).await, StatusCode::OK).await;
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_i64().unwrap(), a["slug"].as_str().unwrap().to_owned()))
        .collect()
}

async fn publish(app: &TestApp, title: &str) -> Value {
    app.article(&app.admin, json!({"title": title, "body_markdown": "Text.", "status": "published"})).await
}

async fn change(app: &TestApp, article: &Value, body: Value) -> Value {
    let mut body = body;
    body["version"] = article["version"].clone();
    let path = format!("/api/v1/articles/{}", article["id"]);
    json_body(app.patch(&path, Some(&app.admin), &body).await, StatusCode::OK).await
}

async fn delete(app: &TestApp, article: &Value) {
    let response = app
        .request(Method::DELETE, &format!("/api/v1/articles/{}", article["id"]), Some(&app.admin))
        .header("If-Match", "*")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_site_built_from_the_changes_equals_the_public_list() {
    let app = spawn_app().await;
    let kept = publish(&app, "Kept").await;
    let renamed = publish(&app, "Renamed later").await;
    let unpublished = publish(&app, "Unpublished later").await;
    let draft = app.article(&app.admin, json!({"title": "Never public", "body_markdown": "Draft."})).await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    let scheduled = app
        .article(
            &app.admin,
            json!({"title": "Goes live on its own", "body_markdown": "Later.", "status": "published", "published_at": soon}),
        )
        .await;
    app.section("Clinic news", None).await;

    // The first build: everything from the beginning, two changes a page.
    let mut site = BTreeMap::new();
    let (first, cursor) = follow(&app, None, 2).await;
    apply(&mut site, &first);
    assert_eq!(site, public_list(&app).await);
    assert!(first.iter().any(|c| c["type"] == "section.created" && c["resource"] == "section"), "{first:?}");

    // Then editors work: a rename, an unpublish, a reschedule ahead, a live delete, a
    // draft deleted unseen; and the scheduled article's moment comes with no request.
    change(&app, &renamed, json!({"slug": "renamed-now", "title": "Renamed now"})).await;
    change(&app, &unpublished, json!({"status": "draft"})).await;
    let ahead = publish(&app, "Rescheduled ahead").await;
    let next_year = (chrono::Utc::now() + chrono::Duration::days(365)).to_rfc3339();
    change(&app, &ahead, json!({"published_at": next_year})).await;
    let gone = publish(&app, "Deleted while live").await;
    delete(&app, &gone).await;
    delete(&app, &draft).await;
    change(&app, &kept, json!({"excerpt": "Edited while live."})).await;
    tokio::time::sleep(Duration::from_secs(6)).await;

    let (later, _) = follow(&app, Some(&cursor), 3).await;
    apply(&mut site, &later);
    let public = public_list(&app).await;
    assert_eq!(site, public, "the site follows the public list: {later:#?}");
    assert!(public.contains_key(&scheduled["id"].as_i64().unwrap()), "the scheduled article went live");
    assert_eq!(public.get(&renamed["id"].as_i64().unwrap()).map(String::as_str), Some("renamed-now"));

    let removed: Vec<i64> =
        later.iter().filter(|c| c["type"] == "article.removed").map(|c| c["id"].as_i64().unwrap()).collect();
    for article in [&unpublished, &ahead, &gone] {
        assert!(removed.contains(&article["id"].as_i64().unwrap()), "{article} removed: {later:#?}");
    }
    let everything: Vec<&Value> = first.iter().chain(&later).collect();
    assert!(
        everything.iter().all(|c| !(c["resource"] == "article" && c["id"] == draft["id"])),
        "the draft the public never saw never appears"
    );
    let sequences: Vec<i64> = everything.iter().map(|c| c["sequence"].as_i64().unwrap()).collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "oldest first, each once: {sequences:?}");
    for c in &everything {
        assert!(c["occurred_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().is_ok(), "{c}");
    }
}

#[tokio::test]
async fn changes_the_public_never_saw_do_not_make_empty_pages() {
    let app = spawn_app().await;
    for n in 0..5 {
        let draft = app.article(&app.admin, json!({"title": format!("Draft {n}"), "body_markdown": "x"})).await;
        delete(&app, &draft).await;
    }
    let live = publish(&app, "Live").await;
    let page = json_body(app.get("/api/v1/changes?limit=1", None).await, StatusCode::OK).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["data"][0]["id"], live["id"]);
    assert_eq!(page["data"][0]["type"], "article.published");
}

#[tokio::test]
async fn a_cursor_survives_a_restart_and_works_on_every_instance() {
    let first = spawn_app().await;
    publish(&first, "Before").await;
    let (_, cursor) = follow(&first, None, 100).await;
    let second = spawn_app_with(&[("DATABASE_URL", first.database_url())]).await;
    let after = publish(&second, "After").await;
    for app in [&first, &second] {
        let (changes, _) = follow(app, Some(&cursor), 100).await;
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0]["id"], after["id"]);
    }
    let caught_up = json_body(first.get(&format!("/api/v1/changes?since={cursor}"), None).await, StatusCode::OK).await;
    assert_eq!(caught_up["data"].as_array().unwrap().len(), 1);
    let response = first.get(&format!("/api/v1/changes?since={cursor}"), None).await;
    assert_eq!(response.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn a_cursor_older_than_the_events_kept_is_410_and_old_events_are_pruned() {
    let app = spawn_app_with(&[("FOLIO_EVENT_RETENTION_DAYS", "30")]).await;
    let long_ago = chrono::Utc::now() - chrono::Duration::days(40);
    for title in ["Old one", "Old two"] {
        let body =
            json!({"title": title, "body_markdown": "x", "status": "published", "published_at": long_ago.to_rfc3339()});
        app.article(&app.admin, body).await;
    }
    app.run_sql(&format!("UPDATE webhook_events SET created_at = '{}'", long_ago.format("%Y-%m-%d %H:%M:%S")));
    let page = json_body(app.get("/api/v1/changes?limit=1", None).await, StatusCode::OK).await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let gone = problem(app.get(&format!("/api/v1/changes?since={cursor}"), None).await, StatusCode::GONE).await;
    assert!(gone["detail"].as_str().unwrap().contains("sync from scratch"), "{gone}");

    // A process starting prunes what is past its retention; the articles stay.
    let restarted = spawn_app_with(&[("DATABASE_URL", app.database_url()), ("FOLIO_EVENT_RETENTION_DAYS", "30")]).await;
    let mut page = Value::Null;
    for _ in 0..100 {
        page = json_body(restarted.get("/api/v1/changes", None).await, StatusCode::OK).await;
        if page["data"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(page["data"], json!([]), "events past the retention are removed at start-up");
    assert_eq!(public_list(&restarted).await.len(), 2);
}

#[tokio::test]
async fn bad_parameters_are_422_naming_them() {
    let app = spawn_app().await;
    for (query, field) in [
        ("since=not-a-cursor", "since"),
        ("since=", "since"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("page=2", "page"),
    ] {
        let body =
            problem(app.get(&format!("/api/v1/changes?{query}"), None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
}
