//! Articles: derived fields, visibility, scheduling, list filters and sorting, and
//! optimistic concurrency with ETags and versions.

use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, TestApp};

fn published(title: &str, at: &str) -> Value {
    json!({"title": title, "body_markdown": format!("About {title}."), "status": "published", "published_at": at})
}

fn draft(title: &str) -> Value {
    json!({"title": title, "body_markdown": format!("About {title}.")})
}

fn id_of(article: &Value) -> i64 {
    article["id"].as_i64().unwrap()
}

/// The titles of `GET /articles?{query}` as `token` sees them.
async fn titles(app: &TestApp, query: &str, token: Option<&str>) -> Vec<String> {
    let body = json_body(app.get(&format!("/api/v1/articles?{query}"), token).await, StatusCode::OK).await;
    body["data"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect()
}

fn etag_of(response: &Response) -> String {
    response.headers().get("etag").expect("an ETag").to_str().unwrap().to_owned()
}

async fn current_etag(app: &TestApp, id: i64, token: &str) -> String {
    etag_of(&app.get(&format!("/api/v1/articles/{id}"), Some(token)).await)
}

/// A PATCH of article `id`, with `If-Match` when given.
async fn patch(app: &TestApp, id: i64, token: &str, if_match: Option<&str>, body: Value) -> Response {
    let mut request = app.request(Method::PATCH, &format!("/api/v1/articles/{id}"), Some(token)).json(&body);
    if let Some(etag) = if_match {
        request = request.header("If-Match", etag);
    }
    request.send().await.unwrap()
}

async fn delete(app: &TestApp, id: i64, token: &str, if_match: Option<&str>) -> Response {
    let mut request = app.request(Method::DELETE, &format!("/api/v1/articles/{id}"), Some(token));
    if let Some(etag) = if_match {
        request = request.header("If-Match", etag);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn creating_an_article_answers_201_with_its_location() {
    let app = spawn_app().await;

    let response = app.post("/api/v1/articles", Some(&app.admin), &draft("Located")).await;

    let location = response.headers().get("location").expect("Location").to_str().unwrap().to_owned();
    let created = json_body(response, StatusCode::CREATED).await;
    assert!(location.ends_with(&format!("/api/v1/articles/{}", id_of(&created))), "{location}");
    let fetched = json_body(app.get(&location, Some(&app.admin)).await, StatusCode::OK).await;
    assert_eq!(fetched["id"], created["id"]);
}

#[tokio::test]
async fn the_slug_is_transliterated_from_the_title_and_made_unique() {
    let app = spawn_app().await;
    let title = "Café Déjà Vu’s Guide";

    let first = app.article(&app.admin, draft(title)).await;
    let second = app.article(&app.admin, draft(title)).await;

    assert_eq!(first["slug"], "cafe-deja-vus-guide");
    assert_eq!(second["slug"], "cafe-deja-vus-guide-2");
}

#[tokio::test]
async fn an_explicit_slug_that_is_taken_is_a_conflict() {
    let app = spawn_app().await;
    app.article(&app.admin, json!({"title": "One", "slug": "taken", "body_markdown": "x"})).await;

    let response = app
        .post("/api/v1/articles", Some(&app.admin), &json!({"title": "Two", "slug": "taken", "body_markdown": "y"}))
        .await;

    problem(response, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn the_excerpt_is_derived_from_the_body_when_absent() {
    let app = spawn_app().await;
    let body = "## A heading\n\nThe *first* paragraph says this.\n\nThe second says more.";

    let article = app.article(&app.admin, json!({"title": "Excerpted", "body_markdown": body})).await;

    assert_eq!(article["excerpt"], "The first paragraph says this.");
    let id = id_of(&article);
    let changed = patch(&app, id, &app.admin, None, json!({"body_markdown": "A new opening.", "version": 1})).await;
    assert_eq!(json_body(changed, StatusCode::OK).await["excerpt"], "A new opening.", "re-derived on change");
}

#[tokio::test]
async fn tags_are_found_by_name_case_insensitively_created_when_missing_and_kept_in_order() {
    let app = spawn_app().await;
    let rust = app.tag("Rust").await;

    let article = app
        .article(&app.admin, json!({"title": "Tagged", "body_markdown": "x", "tags": ["Zebra", "rust", "Apple"]}))
        .await;

    let names: Vec<&str> = article["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Zebra", "Rust", "Apple"]);
    assert_eq!(article["tags"][1]["id"], rust["id"], "the existing tag is reused");
    let tags = json_body(app.get("/api/v1/tags", None).await, StatusCode::OK).await;
    assert_eq!(tags["meta"]["total"], 3, "only Zebra and Apple were created: {tags}");
}

#[tokio::test]
async fn a_draft_is_invisible_to_the_public_and_other_authors() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Ann Author").await;
    let (_, other_author) = app.user("author", "Otto Other").await;
    let (_, editor) = app.user("editor", "Ed Editor").await;
    app.article(&editor, published("Live", "2024-01-01T00:00:00Z")).await;
    let article = app.article(&author, draft("Secret Draft")).await;
    let by_id = format!("/api/v1/articles/{}", id_of(&article));
    let by_slug = format!("/api/v1/articles/slug/{}", article["slug"].as_str().unwrap());

    for path in [&by_id, &by_slug] {
        problem(app.get(path, None).await, StatusCode::NOT_FOUND).await;
        problem(app.get(path, Some(&other_author)).await, StatusCode::NOT_FOUND).await;
        for reader in [&author, &editor] {
            let seen = json_body(app.get(path, Some(reader)).await, StatusCode::OK).await;
            assert_eq!(seen["status"], "draft");
        }
    }
    assert_eq!(titles(&app, "", None).await, ["Live"]);
}

#[tokio::test]
async fn a_published_article_with_a_future_date_is_scheduled_until_that_moment() {
    let app = spawn_app().await;
    let at = (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339_opts(SecondsFormat::Secs, true);

    let article = app.article(&app.admin, published("Soon", &at)).await;

    assert_eq!(article["status"], "scheduled");
    let path = format!("/api/v1/articles/{}", id_of(&article));
    problem(app.get(&path, None).await, StatusCode::NOT_FOUND).await;
    assert!(titles(&app, "", None).await.is_empty(), "not listed before its moment");
    assert_eq!(titles(&app, "status=scheduled", Some(&app.admin)).await, ["Soon"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    let live = loop {
        let response = app.get(&path, None).await;
        if response.status() == StatusCode::OK {
            break json_body(response, StatusCode::OK).await;
        }
        assert!(Instant::now() < deadline, "still not public 5 s after creation (published_at {at})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(live["status"], "published");
    assert_eq!(titles(&app, "", None).await, ["Soon"]);
}

#[tokio::test]
async fn the_section_filter_includes_sub_sections() {
    let app = spawn_app().await;
    let blogs = app.section("Blogs", None).await;
    app.section("News", blogs["id"].as_i64()).await;
    app.section("Other", None).await;
    for (title, section) in [("In Blogs", "blogs"), ("In News", "news"), ("In Other", "other")] {
        let mut article = published(title, "2024-01-01T00:00:00Z");
        article["section"] = json!(section);
        app.article(&app.admin, article).await;
    }

    let in_blogs = titles(&app, "section=blogs&sort=title", None).await;
    let in_news = titles(&app, "section=news", None).await;

    assert_eq!(in_blogs, ["In Blogs", "In News"]);
    assert_eq!(in_news, ["In News"]);
}

#[tokio::test]
async fn a_repeated_tag_filter_requires_every_tag() {
    let app = spawn_app().await;
    for (title, tags) in [("Both", json!(["X", "Y"])), ("Only X", json!(["X"])), ("Only Y", json!(["Y"]))] {
        let mut article = published(title, "2024-01-01T00:00:00Z");
        article["tags"] = tags;
        app.article(&app.admin, article).await;
    }

    let both = titles(&app, "tag=x&tag=y", None).await;
    let x = titles(&app, "tag=x&sort=title", None).await;

    assert_eq!(both, ["Both"]);
    assert_eq!(x, ["Both", "Only X"]);
}

#[tokio::test]
async fn the_author_filter_keeps_one_authors_articles() {
    let app = spawn_app().await;
    let (first_id, first) = app.user("editor", "First Editor").await;
    let (_, second) = app.user("editor", "Second Editor").await;
    app.article(&first, published("By First", "2024-01-01T00:00:00Z")).await;
    app.article(&second, published("By Second", "2024-01-01T00:00:00Z")).await;

    let found = titles(&app, &format!("author={first_id}"), None).await;

    assert_eq!(found, ["By First"]);
}

#[tokio::test]
async fn published_after_is_inclusive_and_published_before_exclusive() {
    let app = spawn_app().await;
    for day in 1..=3 {
        app.article(&app.admin, published(&format!("Day {day}"), &format!("2024-01-0{day}T00:00:00Z"))).await;
    }

    let after = titles(&app, "published_after=2024-01-02T00:00:00Z&sort=published_at", None).await;
    let before = titles(&app, "published_before=2024-01-02T00:00:00Z", None).await;
    let between = titles(
        &app,
        "published_after=2024-01-01T00:00:00Z&published_before=2024-01-03T00:00:00Z&sort=published_at",
        None,
    )
    .await;

    assert_eq!(after, ["Day 2", "Day 3"]);
    assert_eq!(before, ["Day 1"]);
    assert_eq!(between, ["Day 1", "Day 2"]);
}

#[tokio::test]
async fn an_unknown_section_or_tag_gives_an_empty_page() {
    let app = spawn_app().await;
    app.article(&app.admin, published("Anything", "2024-01-01T00:00:00Z")).await;

    for query in ["section=no-such-section", "tag=no-such-tag"] {
        let response = app.get(&format!("/api/v1/articles?{query}"), None).await;

        let body = json_body(response, StatusCode::OK).await;
        assert_eq!(body["data"], json!([]), "{query}");
        assert_eq!(body["meta"]["total"], 0, "{query}");
    }
}

#[tokio::test]
async fn articles_sort_by_title_either_way_and_by_publication_date() {
    let app = spawn_app().await;
    for (title, at) in
        [("Banana", "2024-01-01T00:00:00Z"), ("Cherry", "2024-01-02T00:00:00Z"), ("Apple", "2024-01-03T00:00:00Z")]
    {
        app.article(&app.admin, published(title, at)).await;
    }

    assert_eq!(titles(&app, "sort=title", None).await, ["Apple", "Banana", "Cherry"]);
    assert_eq!(titles(&app, "sort=-title", None).await, ["Cherry", "Banana", "Apple"]);
    assert_eq!(titles(&app, "sort=published_at", None).await, ["Banana", "Cherry", "Apple"]);
    assert_eq!(titles(&app, "", None).await, ["Apple", "Cherry", "Banana"], "newest first by default");
}

#[tokio::test]
async fn list_items_carry_the_body_only_with_include_body() {
    let app = spawn_app().await;
    app.article(&app.admin, json!({"title": "Bodied", "body_markdown": "# Hi", "status": "published"})).await;

    let plain = json_body(app.get("/api/v1/articles", None).await, StatusCode::OK).await;
    let with_body = json_body(app.get("/api/v1/articles?include=body", None).await, StatusCode::OK).await;

    let item = &plain["data"][0];
    assert!(item.get("body_markdown").is_none() && item.get("body_html").is_none(), "{item}");
    assert_eq!(item["title"], "Bodied");
    let item = &with_body["data"][0];
    assert_eq!(item["body_markdown"], "# Hi");
    assert!(item["body_html"].as_str().unwrap().contains("<h1"), "{item}");
}

#[tokio::test]
async fn status_draft_lists_every_draft_for_an_editor_but_only_their_own_for_an_author() {
    let app = spawn_app().await;
    let (_, ann) = app.user("author", "Ann Author").await;
    let (_, bob) = app.user("author", "Bob Author").await;
    let (_, editor) = app.user("editor", "Ed Editor").await;
    app.article(&ann, draft("Ann 1")).await;
    app.article(&ann, draft("Ann 2")).await;
    app.article(&bob, draft("Bob 1")).await;
    app.article(&editor, published("Published", "2024-01-01T00:00:00Z")).await;

    let for_editor = titles(&app, "status=draft&sort=title", Some(&editor)).await;
    let for_ann = titles(&app, "status=draft&sort=title", Some(&ann)).await;
    let for_public = app.get("/api/v1/articles?status=draft", None).await;

    assert_eq!(for_editor, ["Ann 1", "Ann 2", "Bob 1"]);
    assert_eq!(for_ann, ["Ann 1", "Ann 2"]);
    problem(for_public, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_get_carries_a_strong_etag_and_if_none_match_gives_304_without_a_body() {
    let app = spawn_app().await;
    let article = app.article(&app.admin, published("Cached", "2024-01-01T00:00:00Z")).await;
    let by_id = format!("/api/v1/articles/{}", id_of(&article));
    let by_slug = format!("/api/v1/articles/slug/{}", article["slug"].as_str().unwrap());

    for path in [by_id, by_slug] {
        let etag = etag_of(&app.get(&path, None).await);
        let again = app.request(Method::GET, &path, None).header("If-None-Match", &etag).send().await.unwrap();

        assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong ETag: {etag}");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(etag_of(&again), etag, "{path}: a 304 repeats the ETag");
        assert!(again.bytes().await.unwrap().is_empty(), "{path}: a 304 has no body");
    }
}

#[tokio::test]
async fn a_patch_without_if_match_or_version_is_428() {
    let app = spawn_app().await;
    let article = app.article(&app.admin, draft("Unconditional")).await;

    let response = patch(&app, id_of(&article), &app.admin, None, json!({"title": "Changed"})).await;

    problem(response, StatusCode::PRECONDITION_REQUIRED).await;
}

#[tokio::test]
async fn a_patch_with_a_stale_if_match_is_412_and_changes_nothing() {
    let app = spawn_app().await;
    let id = id_of(&app.article(&app.admin, draft("First")).await);
    let stale = current_etag(&app, id, &app.admin).await;
    json_body(patch(&app, id, &app.admin, Some(&stale), json!({"title": "Second"})).await, StatusCode::OK).await;

    let response = patch(&app, id, &app.admin, Some(&stale), json!({"title": "Third"})).await;

    problem(response, StatusCode::PRECONDITION_FAILED).await;
    let article = json_body(app.get(&format!("/api/v1/articles/{id}"), Some(&app.admin)).await, StatusCode::OK).await;
    assert_eq!((article["title"].as_str(), article["version"].as_i64()), (Some("Second"), Some(2)));
}

#[tokio::test]
async fn a_patch_with_a_stale_version_is_409_naming_the_current_version() {
    let app = spawn_app().await;
    let id = id_of(&app.article(&app.admin, draft("First")).await);
    json_body(patch(&app, id, &app.admin, None, json!({"title": "Second", "version": 1})).await, StatusCode::OK).await;

    let response = patch(&app, id, &app.admin, None, json!({"title": "Third", "version": 1})).await;

    let body = problem(response, StatusCode::CONFLICT).await;
    assert_eq!(body["current_version"], 2);
    let article = json_body(app.get(&format!("/api/v1/articles/{id}"), Some(&app.admin)).await, StatusCode::OK).await;
    assert_eq!((article["title"].as_str(), article["version"].as_i64()), (Some("Second"), Some(2)));
}

#[tokio::test]
async fn a_patch_with_the_current_version_bumps_the_version_and_the_etag() {
    let app = spawn_app().await;
    let article = app.article(&app.admin, draft("First")).await;
    let id = id_of(&article);
    let before = current_etag(&app, id, &app.admin).await;

    let response = patch(&app, id, &app.admin, None, json!({"title": "Second", "version": 1})).await;

    let etag = etag_of(&response);
    let changed = json_body(response, StatusCode::OK).await;
    assert_eq!(article["version"], 1);
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["title"], "Second");
    assert_ne!(etag, before);
    assert_eq!(current_etag(&app, id, &app.admin).await, etag, "the PATCH answer's ETag is the GET's");
}

#[tokio::test]
async fn when_if_match_and_version_are_both_sent_both_must_be_current() {
    let app = spawn_app().await;
    let id = id_of(&app.article(&app.admin, draft("First")).await);
    let stale = current_etag(&app, id, &app.admin).await;
    json_body(patch(&app, id, &app.admin, None, json!({"title": "Second", "version": 1})).await, StatusCode::OK).await;
    let current = current_etag(&app, id, &app.admin).await;

    let stale_version = patch(&app, id, &app.admin, Some(&current), json!({"title": "X", "version": 1})).await;
    let stale_etag = patch(&app, id, &app.admin, Some(&stale), json!({"title": "X", "version": 2})).await;

    problem(stale_version, StatusCode::CONFLICT).await;
    problem(stale_etag, StatusCode::PRECONDITION_FAILED).await;
    let both = patch(&app, id, &app.admin, Some(&current), json!({"title": "Third", "version": 2})).await;
    assert_eq!(json_body(both, StatusCode::OK).await["version"], 3);
}

#[tokio::test]
async fn deleting_needs_the_current_etag() {
    let app = spawn_app().await;
    let id = id_of(&app.article(&app.admin, draft("Doomed")).await);
    let stale = current_etag(&app, id, &app.admin).await;
    json_body(patch(&app, id, &app.admin, None, json!({"title": "Still Doomed", "version": 1})).await, StatusCode::OK)
        .await;
    let current = current_etag(&app, id, &app.admin).await;

    problem(delete(&app, id, &app.admin, None).await, StatusCode::PRECONDITION_REQUIRED).await;
    problem(delete(&app, id, &app.admin, Some(&stale)).await, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(app.get(&format!("/api/v1/articles/{id}"), Some(&app.admin)).await.status(), StatusCode::OK);
    let deleted = delete(&app, id, &app.admin, Some(&current)).await;

    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    problem(app.get(&format!("/api/v1/articles/{id}"), Some(&app.admin)).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn the_html_is_sanitised_against_script_injection() {
    let app = spawn_app().await;
    let body = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\nSafe text.";

    let article = app.article(&app.admin, json!({"title": "Hostile", "body_markdown": body})).await;

    let html = article["body_html"].as_str().unwrap().to_lowercase();
    for bad in ["<script", "onerror", "javascript:"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    assert!(html.contains("safe text."), "{html}");
    assert_eq!(article["body_markdown"], body, "the Markdown is kept as written");
}

#[tokio::test]
async fn metadata_seo_and_cover_image_round_trip() {
    let app = spawn_app().await;
    let metadata = json!({"reviewed": true, "sources": [1, "two", {"three": null}], "deep": {"a": {"b": 1.5}}});
    let seo = json!({
        "meta_title": "A Better Title",
        "meta_description": "What search engines show.",
        "canonical_url": "https://clinic.example/blog/round-trip",
    });
    let cover = json!({"url": "https://clinic.example/images/cover.jpg", "alt": "A calm treatment room"});

    let created = app
        .article(
            &app.admin,
            json!({"title": "Round Trip", "body_markdown": "x", "metadata": metadata, "seo": seo, "cover_image": cover}),
        )
        .await;
    let fetched =
        json_body(app.get(&format!("/api/v1/articles/{}", id_of(&created)), Some(&app.admin)).await, StatusCode::OK)
            .await;

    for article in [&created, &fetched] {
        assert_eq!(article["metadata"], metadata);
        assert_eq!(article["seo"], seo);
        // A cover at a URL is no media item and has no known size.
        let mut sent = cover.clone();
        sent.as_object_mut().unwrap().extend([
            ("media_id".to_owned(), Value::Null),
            ("width".to_owned(), Value::Null),
            ("height".to_owned(), Value::Null),
        ]);
        assert_eq!(article["cover_image"], sent);
    }
}

#[tokio::test]
async fn if_none_match_uses_the_weak_comparison() {
    let app = spawn_app().await;
    let article = app.article(&app.admin, published("Cached", "2024-01-01T00:00:00Z")).await;
    let path = format!("/api/v1/articles/{}", id_of(&article));
    let etag = etag_of(&app.get(&path, None).await);

    // RFC 9110 §13.1.2: a cache or proxy may hand back the tag weakened (nginx does when it compresses).
    let response = app.request(Method::GET, &path, None).header("If-None-Match", format!("W/{etag}")).send().await;

    assert_eq!(response.unwrap().status(), StatusCode::NOT_MODIFIED);
}
