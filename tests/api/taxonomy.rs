//! Sections and tags: slugs, nesting, ordering, counts and deletion rules.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, TestApp};

async fn create(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.post(path, Some(&app.admin), &body).await
}

fn id_of(resource: &Value) -> i64 {
    resource["id"].as_i64().unwrap()
}

/// One published, one scheduled and one draft article, all in `section` and tagged `tag`.
async fn one_live_article_and_two_hidden_ones(app: &TestApp, section: &str, tag: &str) {
    for (title, status, at) in [
        ("Live One", "published", Some("2024-01-01T00:00:00Z")),
        ("Scheduled One", "published", Some("2099-01-01T00:00:00Z")),
        ("Draft One", "draft", None),
    ] {
        let article = json!({"title": title, "body_markdown": "x", "status": status, "published_at": at,
            "section": section, "tags": [tag]});
        app.article(&app.admin, article).await;
    }
}

#[tokio::test]
async fn section_and_tag_slugs_are_derived_from_their_names() {
    let app = spawn_app().await;

    let section = create(&app, "/api/v1/sections", json!({"name": "Health & Fitness"})).await;
    let tag = create(&app, "/api/v1/tags", json!({"name": "Dry Needling"})).await;

    for (response, slug, kind) in [(section, "health-fitness", "sections"), (tag, "dry-needling", "tags")] {
        let location = response.headers().get("location").expect("Location").to_str().unwrap().to_owned();
        let created = json_body(response, StatusCode::CREATED).await;
        assert_eq!(created["slug"], slug);
        assert!(location.ends_with(&format!("/api/v1/{kind}/{}", id_of(&created))), "{location}");
    }
}

#[tokio::test]
async fn an_explicit_duplicate_slug_is_a_conflict() {
    let app = spawn_app().await;
    app.section("Blogs", None).await;
    app.tag("Recovery").await;
    let news = app.section("News", None).await;
    let rest = app.tag("Rest").await;

    let section = create(&app, "/api/v1/sections", json!({"name": "Other Blogs", "slug": "blogs"})).await;
    let tag = create(&app, "/api/v1/tags", json!({"name": "Other Recovery", "slug": "recovery"})).await;
    let section_patch = format!("/api/v1/sections/{}", id_of(&news));
    let section_patch = app.patch(&section_patch, Some(&app.admin), &json!({"slug": "blogs"})).await;
    let tag_patch = format!("/api/v1/tags/{}", id_of(&rest));
    let tag_patch = app.patch(&tag_patch, Some(&app.admin), &json!({"slug": "recovery"})).await;

    for response in [section, tag, section_patch, tag_patch] {
        problem(response, StatusCode::CONFLICT).await;
    }
}

#[tokio::test]
async fn sections_nest() {
    let app = spawn_app().await;
    let blogs = app.section("Blogs", None).await;

    let news = app.section("News", Some(id_of(&blogs))).await;

    assert_eq!(blogs["parent_id"], Value::Null);
    assert_eq!(news["parent_id"], blogs["id"]);
    let fetched = json_body(app.get(&format!("/api/v1/sections/{}", id_of(&news)), None).await, StatusCode::OK).await;
    assert_eq!(fetched["parent_id"], blogs["id"]);
    let orphan = create(&app, "/api/v1/sections", json!({"name": "Orphan", "parent_id": 9999})).await;
    problem(orphan, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test]
async fn a_parent_that_would_make_a_cycle_is_refused_with_422() {
    let app = spawn_app().await;
    let top = app.section("Top", None).await;
    let middle = app.section("Middle", Some(id_of(&top))).await;
    let bottom = app.section("Bottom", Some(id_of(&middle))).await;
    let top_path = format!("/api/v1/sections/{}", id_of(&top));

    for parent in [&bottom, &top] {
        let response = app.patch(&top_path, Some(&app.admin), &json!({"parent_id": parent["id"]})).await;

        let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        let errors = body["errors"].as_array().unwrap();
        assert!(errors.iter().any(|e| e["field"].as_str().unwrap().contains("parent_id")), "{body}");
    }
    let unchanged = json_body(app.get(&top_path, None).await, StatusCode::OK).await;
    assert_eq!(unchanged["parent_id"], Value::Null);
}

#[tokio::test]
async fn a_section_with_children_or_articles_cannot_be_deleted_but_an_empty_one_can() {
    let app = spawn_app().await;
    let parent = app.section("Parent", None).await;
    let child = app.section("Child", Some(id_of(&parent))).await;
    let used = app.section("Used", None).await;
    app.article(&app.admin, json!({"title": "A Draft", "body_markdown": "x", "section": "used"})).await;
    let empty = app.section("Empty", None).await;
    let path = |section: &Value| format!("/api/v1/sections/{}", id_of(section));

    problem(app.delete(&path(&parent), Some(&app.admin)).await, StatusCode::CONFLICT).await;
    problem(app.delete(&path(&used), Some(&app.admin)).await, StatusCode::CONFLICT).await;
    let deleted = app.delete(&path(&empty), Some(&app.admin)).await;

    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    problem(app.get(&path(&empty), None).await, StatusCode::NOT_FOUND).await;
    for kept in [&parent, &child, &used] {
        assert_eq!(app.get(&path(kept), None).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn sections_are_listed_by_position_then_name() {
    let app = spawn_app().await;
    for (name, position) in [("Zeta", 0), ("Alpha", 1), ("Beta", 0), ("Gamma", -1)] {
        let response = create(&app, "/api/v1/sections", json!({"name": name, "position": position})).await;
        json_body(response, StatusCode::CREATED).await;
    }

    let list = json_body(app.get("/api/v1/sections", None).await, StatusCode::OK).await;

    let names: Vec<&str> = list["data"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Gamma", "Beta", "Zeta", "Alpha"]);
}

#[tokio::test]
async fn section_article_counts_show_the_public_only_published_articles() {
    let app = spawn_app().await;
    let (_, editor) = app.user("editor", "Ed Editor").await;
    let section = app.section("Blogs", None).await;
    one_live_article_and_two_hidden_ones(&app, "blogs", "Recovery").await;
    let by_id = format!("/api/v1/sections/{}", id_of(&section));

    for (token, expected) in [(None, 1), (Some(editor.as_str()), 3)] {
        let listed = json_body(app.get("/api/v1/sections", token).await, StatusCode::OK).await;
        let one = json_body(app.get(&by_id, token).await, StatusCode::OK).await;
        let by_slug = json_body(app.get("/api/v1/sections/slug/blogs", token).await, StatusCode::OK).await;

        assert_eq!(listed["data"][0]["article_count"], expected, "list, token: {}", token.is_some());
        assert_eq!(one["article_count"], expected, "by id, token: {}", token.is_some());
        assert_eq!(by_slug["article_count"], expected, "by slug, token: {}", token.is_some());
    }
}

#[tokio::test]
async fn tag_article_counts_show_the_public_only_published_articles() {
    let app = spawn_app().await;
    let (_, editor) = app.user("editor", "Ed Editor").await;
    let tag = app.tag("Recovery").await;
    app.section("Blogs", None).await;
    one_live_article_and_two_hidden_ones(&app, "blogs", "Recovery").await;
    let by_id = format!("/api/v1/tags/{}", id_of(&tag));

    for (token, expected) in [(None, 1), (Some(editor.as_str()), 3)] {
        let listed = json_body(app.get("/api/v1/tags", token).await, StatusCode::OK).await;
        let one = json_body(app.get(&by_id, token).await, StatusCode::OK).await;
        let by_slug = json_body(app.get("/api/v1/tags/slug/recovery", token).await, StatusCode::OK).await;

        assert_eq!(listed["data"][0]["article_count"], expected, "list, token: {}", token.is_some());
        assert_eq!(one["article_count"], expected, "by id, token: {}", token.is_some());
        assert_eq!(by_slug["article_count"], expected, "by slug, token: {}", token.is_some());
    }
}

#[tokio::test]
async fn sections_and_tags_are_found_by_slug() {
    let app = spawn_app().await;
    let section = app.section("Sports Medicine", None).await;
    let tag = app.tag("Trigger Points").await;

    let found_section = json_body(app.get("/api/v1/sections/slug/sports-medicine", None).await, StatusCode::OK).await;
    let found_tag = json_body(app.get("/api/v1/tags/slug/trigger-points", None).await, StatusCode::OK).await;

    assert_eq!(found_section["id"], section["id"]);
    assert_eq!(found_section["name"], "Sports Medicine");
    assert_eq!(found_tag["id"], tag["id"]);
    assert_eq!(found_tag["name"], "Trigger Points");
    problem(app.get("/api/v1/sections/slug/no-such-section", None).await, StatusCode::NOT_FOUND).await;
    problem(app.get("/api/v1/tags/slug/no-such-tag", None).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn tag_names_are_unique_case_insensitively() {
    let app = spawn_app().await;
    app.tag("Rust").await;
    let other = app.tag("Go").await;

    let created = create(&app, "/api/v1/tags", json!({"name": "rust", "slug": "rust-again"})).await;
    let renamed =
        app.patch(&format!("/api/v1/tags/{}", id_of(&other)), Some(&app.admin), &json!({"name": "RUST"})).await;

    problem(created, StatusCode::CONFLICT).await;
    problem(renamed, StatusCode::CONFLICT).await;
    let go = json_body(app.get(&format!("/api/v1/tags/{}", id_of(&other)), None).await, StatusCode::OK).await;
    assert_eq!(go["name"], "Go", "the refused rename changed nothing");
}

#[tokio::test]
async fn deleting_a_tag_detaches_it_from_its_articles() {
    let app = spawn_app().await;
    let article = app
        .article(
            &app.admin,
            json!({"title": "Tagged", "body_markdown": "x", "status": "published", "tags": ["Doomed", "Kept"]}),
        )
        .await;
    let doomed = &article["tags"][0];

    let response = app.delete(&format!("/api/v1/tags/{}", doomed["id"]), Some(&app.admin)).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let fetched =
        json_body(app.get(&format!("/api/v1/articles/{}", id_of(&article)), None).await, StatusCode::OK).await;
    let names: Vec<&str> = fetched["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Kept"]);
    problem(app.get(&format!("/api/v1/tags/{}", doomed["id"]), None).await, StatusCode::NOT_FOUND).await;
    let by_tag = json_body(app.get("/api/v1/articles?tag=doomed", None).await, StatusCode::OK).await;
    assert_eq!(by_tag["meta"]["total"], 0);
}
