//! The article write path under hostile input: bodies that would stall the sanitiser,
//! tags and dates that would leak drafts, and fields that are an editor's.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, PASSWORD};

fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"].as_array().map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect()).unwrap_or_default()
}

/// The costliest shape the limits accept: 31 distinct formatting elements left open,
/// which html5ever reopens in every one of the ~19,000 paragraphs after them.
fn worst_accepted_body() -> String {
    let mut body: String = (0..31).map(|i| format!("<b class=c{i}>")).collect();
    body.push_str(&"\n\npara".repeat(19_000));
    body
}

#[tokio::test]
async fn bodies_past_the_sanitiser_limits_are_422_naming_body_markdown() {
    let app = spawn_app().await;
    let one_tag_many_attributes = format!("<b{}>", (0..65).map(|i| format!(" a{i}")).collect::<String>());
    let unclosed: String = (0..65).map(|i| format!("<b class=c{i}>")).collect();
    let cases = [
        ("a list nested 33 deep", "- ".repeat(33) + "x"),
        ("quotes nested 65 deep", "> ".repeat(65) + "x"),
        ("raw <div> nested 65 deep", "<div>".repeat(65) + "x"),
        ("65 formatting elements left open", unclosed + "\n\npara"),
        ("a tag with 65 attributes", one_tag_many_attributes),
        ("20,001 elements", "*a* ".repeat(20_001)),
    ];
    for (what, body) in cases {
        let response =
            app.post("/api/v1/articles", Some(&app.admin), &json!({"title": "Too much", "body_markdown": body})).await;
        let refused = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&refused), ["/body_markdown"], "{what}: {refused}");
    }
    let response = app.get("/api/v1/articles?status=any", Some(&app.admin)).await;
    assert_eq!(json_body(response, StatusCode::OK).await["meta"]["total"], 0, "nothing was stored");
}

#[tokio::test]
async fn the_seed_article_and_the_worst_accepted_body_are_within_the_limits() {
    let app = spawn_app().await;
    app.publish_seed_article(&app.admin).await;
    let article = app.article(&app.admin, json!({"title": "Worst", "body_markdown": worst_accepted_body()})).await;
    assert!(article["body_html"].as_str().unwrap().contains("<p>"));
}

async fn timed(what: &str, request: reqwest::RequestBuilder, expected: StatusCode) -> Duration {
    let started = Instant::now();
    let response = request.send().await.expect("request sent");
    let took = started.elapsed();
    assert_eq!(response.status(), expected, "{what}: {}", response.text().await.unwrap_or_default());
    eprintln!("{what}: {took:?}");
    took
}

#[tokio::test]
async fn a_costly_body_being_written_holds_up_no_other_write_and_no_login() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Slow Author").await;
    let (_, editor) = app.user("editor", "Quick Editor").await;
    let body = json!({"title": "Costly", "body_markdown": worst_accepted_body()});

    let started = Instant::now();
    let writes: Vec<_> = (0..3)
        .map(|_| {
            let request = app.request(reqwest::Method::POST, "/api/v1/articles", Some(&author)).json(&body);
            tokio::spawn(async move {
                let response = request.send().await.expect("request sent");
                (response.status(), started.elapsed())
            })
        })
        .collect();
    // Let the costly writes reach the renderer first.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let quick = json!({"title": "Quick", "body_markdown": "Short."});
    let edit = app.request(reqwest::Method::POST, "/api/v1/articles", Some(&editor)).json(&quick);
    let write_took = timed("editor's write", edit, StatusCode::CREATED).await;
    let credentials = json!({"email": "quick.editor@example.com", "password": PASSWORD});
    let login = app.request(reqwest::Method::POST, "/api/v1/auth/login", None).json(&credentials);
    let login_took = timed("login", login, StatusCode::OK).await;
    let mut slowest = Duration::ZERO;
    for write in writes {
        let (status, took) = write.await.expect("joined");
        assert_eq!(status, StatusCode::CREATED);
        slowest = slowest.max(took);
    }
    eprintln!("the three costly writes took up to {slowest:?}");
    assert!(write_took < Duration::from_secs(2), "the editor's write waited {write_took:?}");
    assert!(login_took < Duration::from_secs(2), "the login waited {login_took:?}");
}

#[tokio::test]
async fn authors_attach_existing_tags_only_and_an_unknown_name_is_422() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Tagging Author").await;
    app.tag("Existing").await;

    let body = json!({"title": "Leaky", "body_markdown": "x", "tags": ["existing", "Acme Acquisition Q3"]});
    let response = app.post("/api/v1/articles", Some(&author), &body).await;
    let refused = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&refused), ["/tags/1"], "{refused}");
    assert!(refused.to_string().contains("Acme Acquisition Q3"), "{refused}");
    let tags = json_body(app.get("/api/v1/tags", None).await, StatusCode::OK).await;
    assert_eq!(tags["meta"]["total"], 1, "no tag was created: {tags}");
    let response = app.get("/api/v1/tags/slug/acme-acquisition-q3", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let draft = app.article(&author, json!({"title": "Fine", "body_markdown": "x", "tags": ["EXISTING"]})).await;
    assert_eq!(draft["tags"][0]["name"], "Existing");
    let path = format!("/api/v1/articles/{}", draft["id"]);
    let response = app.patch(&path, Some(&author), &json!({"version": 1, "tags": ["Secret Project"]})).await;
    assert_eq!(fields(&problem(response, StatusCode::UNPROCESSABLE_ENTITY).await), ["/tags/0"]);

    let by_editor = app.article(&app.admin, json!({"title": "New", "body_markdown": "x", "tags": ["Brand New"]})).await;
    assert_eq!(by_editor["tags"][0]["slug"], "brand-new", "editors still create tags by name");
}

#[tokio::test]
async fn dates_outside_years_0001_to_9999_are_422_and_cannot_leak_a_scheduled_article() {
    let app = spawn_app().await;
    for at in ["+10000-01-01T00:00:00Z", "0000-12-31T00:00:00Z", "-0001-01-01T00:00:00Z"] {
        let body = json!({"title": "Far", "body_markdown": "secret words", "status": "published", "published_at": at});
        let response = app.post("/api/v1/articles", Some(&app.admin), &body).await;
        let refused = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&refused), ["/published_at"], "{at}: {refused}");
    }
    let article = app.article(&app.admin, json!({"title": "Later", "body_markdown": "secret words"})).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let patch = json!({"version": 1, "status": "published", "published_at": "+10000-01-01T00:00:00Z"});
    let response = app.patch(&path, Some(&app.admin), &patch).await;
    assert_eq!(fields(&problem(response, StatusCode::UNPROCESSABLE_ENTITY).await), ["/published_at"]);

    let found = json_body(app.get("/api/v1/articles?q=secret", None).await, StatusCode::OK).await;
    assert_eq!(found["meta"]["total"], 0, "{found}");
    for param in ["published_after", "published_before"] {
        let response = app.get(&format!("/api/v1/articles?{param}=%2B10000-01-01T00:00:00Z"), None).await;
        assert_eq!(fields(&problem(response, StatusCode::UNPROCESSABLE_ENTITY).await), [param]);
    }
    let response = app.get("/api/v1/articles?published_before=9999-12-31T23:59:59Z", None).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn published_at_is_an_editors_field_an_author_sending_it_even_as_null_gets_403() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Backdating Author").await;
    for value in [json!("2001-01-01T00:00:00Z"), json!("2999-01-01T00:00:00Z"), Value::Null] {
        let body = json!({"title": "Old news", "body_markdown": "x", "published_at": value});
        let response = app.post("/api/v1/articles", Some(&author), &body).await;
        let refused = problem(response, StatusCode::FORBIDDEN).await;
        assert!(refused["detail"].as_str().unwrap().contains("published_at"), "{refused}");
    }
    let draft = app.article(&author, json!({"title": "Old news", "body_markdown": "x"})).await;
    let path = format!("/api/v1/articles/{}", draft["id"]);
    for value in [json!("2001-01-01T00:00:00Z"), Value::Null] {
        let response = app.patch(&path, Some(&author), &json!({"version": 1, "published_at": value})).await;
        let refused = problem(response, StatusCode::FORBIDDEN).await;
        assert!(refused["detail"].as_str().unwrap().contains("published_at"), "{refused}");
    }

    let published = app.patch(&path, Some(&app.admin), &json!({"version": 1, "status": "published"})).await;
    let published = json_body(published, StatusCode::OK).await;
    let year: i32 = published["published_at"].as_str().unwrap()[..4].parse().unwrap();
    assert!(year >= 2026, "the editor's publish is dated now, not backdated: {}", published["published_at"]);
}

#[tokio::test]
async fn a_patch_without_a_body_keeps_what_was_rendered_and_a_cleared_excerpt_is_derived_again() {
    let app = spawn_app().await;
    let body = "# Head\n\nFirst paragraph here.\n\n- a\n- b\n";
    let article = app
        .article(
            &app.admin,
            json!({"title": "Kept", "body_markdown": body, "excerpt": "Custom", "status": "published"}),
        )
        .await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let renamed = app.patch(&path, Some(&app.admin), &json!({"version": 1, "title": "Renamed"})).await;
    let renamed = json_body(renamed, StatusCode::OK).await;
    for field in ["body_markdown", "body_html", "toc", "word_count", "reading_time_minutes", "excerpt"] {
        assert_eq!(renamed[field], article[field], "{field} is kept");
    }
    let found = json_body(app.get("/api/v1/articles?q=paragraph", None).await, StatusCode::OK).await;
    assert_eq!(found["meta"]["total"], 1, "the body is still searchable: {found}");

    let cleared = app.patch(&path, Some(&app.admin), &json!({"version": 2, "excerpt": null})).await;
    assert_eq!(json_body(cleared, StatusCode::OK).await["excerpt"], "First paragraph here.");
    let too_deep = json!({"version": 3, "body_markdown": "- ".repeat(40) + "x"});
    let refused = problem(app.patch(&path, Some(&app.admin), &too_deep).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&refused), ["/body_markdown"]);

    let restore = app.request(reqwest::Method::POST, &format!("{path}/revisions/1/restore"), Some(&app.admin));
    let restored = json_body(restore.send().await.unwrap(), StatusCode::OK).await;
    assert_eq!((&restored["excerpt"], &restored["body_html"]), (&article["excerpt"], &article["body_html"]));
}
