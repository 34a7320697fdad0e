//! Editorial safety and search: revisions, races, caching headers, search, login limits.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, spawn_app_with, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

async fn draft(app: &TestApp, token: &str, title: &str, body: &str) -> i64 {
    app.article(token, json!({"title": title, "body_markdown": body})).await["id"].as_i64().unwrap()
}

async fn etag(app: &TestApp, path: &str, token: &str) -> String {
    let response = app.get(path, Some(token)).await;
    response.headers()["etag"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_version_is_a_revision_and_restoring_makes_a_new_one() {
    let app = spawn_app().await;
    let (_, editor) = app.user("editor", "Eve Editor").await;
    let id = draft(&app, &editor, "First title", "First body.").await;
    let path = format!("/api/v1/articles/{id}");
    let changed = app.patch(&path, Some(&editor), &json!({"title": "Second title", "version": 1})).await;
    assert_eq!(changed.status(), StatusCode::OK);

    let list: Value = app.get(&format!("{path}/revisions"), Some(&editor)).await.json().await.unwrap();
    let versions: Vec<i64> = list["data"].as_array().unwrap().iter().map(|r| r["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, [2, 1], "newest first, the current one included");
    assert_eq!(list["data"][1]["article"]["title"], "First title");
    assert_eq!(list["data"][0]["changed_by"]["display_name"], "Eve Editor");

    let restored =
        app.request(Method::POST, &format!("{path}/revisions/1/restore"), Some(&editor)).send().await.unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    let restored: Value = restored.json().await.unwrap();
    assert_eq!((restored["title"].as_str(), restored["version"].as_i64()), (Some("First title"), Some(3)));

    let again = app.request(Method::POST, &format!("{path}/revisions/2/restore"), Some(&editor)).send().await.unwrap();
    let again: Value = again.json().await.unwrap();
    assert_eq!((again["title"].as_str(), again["version"].as_i64()), (Some("Second title"), Some(4)));

    let one = app.get(&format!("{path}/revisions/3"), Some(&editor)).await;
    assert_eq!(one.status(), StatusCode::OK);
    let tag = one.headers()["etag"].to_str().unwrap().to_owned();
    let cached = app
        .request(Method::GET, &format!("{path}/revisions/3"), Some(&editor))
        .header("If-None-Match", tag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    problem(app.get(&format!("{path}/revisions/99"), Some(&editor)).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_revision_list_pages_and_refuses_any_other_parameter() {
    let app = spawn_app().await;
    let id = draft(&app, &app.admin, "First title", "Body.").await;
    let path = format!("/api/v1/articles/{id}");
    let changed = app.patch(&path, Some(&app.admin), &json!({"title": "Second title", "version": 1})).await;
    assert_eq!(changed.status(), StatusCode::OK);

    let page = app.get(&format!("{path}/revisions?per_page=1&page=2"), Some(&app.admin)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-total-count"], "2");
    let page: Value = page.json().await.unwrap();
    let versions: Vec<i64> = page["data"].as_array().unwrap().iter().map(|r| r["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, [1], "the second page of one holds the older version");

    for (query, field) in [("foo=1", "foo"), ("per_page=0", "per_page"), ("page=x", "page")] {
        let refused = app.get(&format!("{path}/revisions?{query}"), Some(&app.admin)).await;
        let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn authors_read_only_their_own_articles_revisions() {
    let app = spawn_app().await;
    let (_, alice) = app.user("author", "Alice Author").await;
    let (_, bob) = app.user("author", "Bob Author").await;
    let id = draft(&app, &alice, "Alice's draft", "Body.").await;
    assert_eq!(app.get(&format!("/api/v1/articles/{id}/revisions"), Some(&alice)).await.status(), StatusCode::OK);
    problem(app.get(&format!("/api/v1/articles/{id}/revisions"), Some(&bob)).await, StatusCode::NOT_FOUND).await;
    problem(app.get(&format!("/api/v1/articles/{id}/revisions"), None).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn two_editors_racing_on_one_article_never_lose_an_update() {
    let app = spawn_app().await;
    let (_, one) = app.user("editor", "Editor One").await;
    let (_, two) = app.user("editor", "Editor Two").await;
    let id = draft(&app, &one, "Shared", "Body.").await;
    let path = format!("/api/v1/articles/{id}");
    let seen = etag(&app, &path, &one).await;

    let send = |token: String, title: &'static str| {
        let request = app
            .request(Method::PATCH, &path, Some(&token))
            .header("If-Match", seen.clone())
            .json(&json!({"title": title}));
        async move { request.send().await.unwrap().status() }
    };
    let (a, b) = tokio::join!(send(one.clone(), "From one"), send(two.clone(), "From two"));
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED], "one wins, one is told");

    let by_version = app.patch(&path, Some(&two), &json!({"title": "Late", "version": 1})).await;
    let body = problem(by_version, StatusCode::CONFLICT).await;
    assert_eq!(body["current_version"], 2);
    let article: Value = app.get(&path, Some(&one)).await.json().await.unwrap();
    assert_eq!(article["version"], 2);
    assert!(["From one", "From two"].contains(&article["title"].as_str().unwrap()));
}

#[tokio::test]
async fn anonymous_reads_are_cacheable_and_authenticated_ones_are_not() {
    let app = spawn_app().await;
    let article = app.publish_seed_article(&app.admin).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let public = app.get(&path, None).await;
    assert!(public.headers()["cache-control"].to_str().unwrap().starts_with("public, max-age=60"));
    assert!(public.headers().contains_key("last-modified"));
    let private = app.get(&path, Some(&app.admin)).await;
    assert_eq!(private.headers()["cache-control"], "private, no-store");
    let missing = app.get("/api/v1/articles/999", None).await;
    assert_eq!(missing.headers()["cache-control"], "private, no-store");
}

#[tokio::test]
async fn search_covers_the_text_not_the_markup_and_ranks_titles_first() {
    let app = spawn_app().await;
    app.publish_seed_article(&app.admin).await;
    let body = "See [the clinic](https://example.com/zebrafish) and <span title=\"quokka\">text</span>.";
    let hidden =
        app.article(&app.admin, json!({"title": "Markup only", "body_markdown": body, "status": "published"})).await;
    assert!(hidden["id"].is_i64());
    let titled = app
        .article(&app.admin, json!({"title": "Needling explained", "body_markdown": "Short.", "status": "published"}))
        .await;
    draft(&app, &app.admin, "Needling draft", "Needling in a draft.").await;

    for word in ["zebrafish", "quokka", "span", "https"] {
        let found: Value = app.get(&format!("/api/v1/articles?q={word}"), None).await.json().await.unwrap();
        assert_eq!(found["meta"]["total"], 0, "{word} appears only in markup");
    }
    let found: Value = app.get("/api/v1/articles?q=needling", None).await.json().await.unwrap();
    assert_eq!(found["meta"]["total"], 2, "drafts are not searched for the public");
    assert_eq!(found["data"][0]["id"], titled["id"], "a title match ranks first");
    assert!(found["data"][1]["snippet"].as_str().unwrap().contains("<mark>"));
    let phrase: Value = app.get("/api/v1/articles?q=%22dry+needling%22+recov*", None).await.json().await.unwrap();
    assert_eq!(phrase["meta"]["total"], 1);
}

#[tokio::test]
async fn search_syntax_is_never_a_server_error() {
    let app = spawn_app().await;
    app.publish_seed_article(&app.admin).await;
    for q in ["%22unbalanced", "AND", "a+OR", "NEAR(a+b)", "title%3Adry", "-x", "dry%22needling", "%5Edry*"] {
        let response = app.get(&format!("/api/v1/articles?q={q}"), None).await;
        assert_eq!(response.status(), StatusCode::OK, "q={q}");
    }
    for q in ["*", "%22%22", "%20", "%5E", "(("] {
        let found: Value = app.get(&format!("/api/v1/articles?q={q}"), None).await.json().await.unwrap();
        assert_eq!(found["meta"]["total"], 0, "q={q} has no word, so nothing matches");
    }
    problem(app.get("/api/v1/articles?q=", None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test]
async fn too_many_failed_logins_lock_the_email_even_with_the_right_password() {
    let app = spawn_app_with(&[("FOLIO_LOGIN_MAX_FAILURES_PER_EMAIL", "3")]).await;
    let wrong = json!({"email": ADMIN_EMAIL, "password": "not the password"});
    for _ in 0..3 {
        problem(app.post("/api/v1/auth/login", None, &wrong).await, StatusCode::UNAUTHORIZED).await;
    }
    let right = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
    let locked = app.post("/api/v1/auth/login", None, &right).await;
    let retry_after: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after));
    problem(locked, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test]
async fn a_successful_login_resets_the_emails_failures() {
    let app = spawn_app_with(&[("FOLIO_LOGIN_MAX_FAILURES_PER_EMAIL", "3")]).await;
    let wrong = json!({"email": ADMIN_EMAIL, "password": "not the password"});
    for _ in 0..2 {
        app.post("/api/v1/auth/login", None, &wrong).await;
    }
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for _ in 0..2 {
        app.post("/api/v1/auth/login", None, &wrong).await;
    }
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn a_cached_public_read_never_outlives_a_write_through_the_api() {
    let app = spawn_app().await;
    let article =
        app.article(&app.admin, json!({"title": "Before", "body_markdown": "B.", "status": "published"})).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    for _ in 0..2 {
        let read: Value = app.get(&path, None).await.json().await.unwrap();
        assert_eq!(read["title"], "Before");
    }
    let tag = app.get(&path, None).await.headers()["etag"].to_str().unwrap().to_owned();
    let cached = app.request(Method::GET, &path, None).header("If-None-Match", tag.clone()).send().await.unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);

    let renamed = app.patch(&path, Some(&app.admin), &json!({"title": "After", "version": 1})).await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let read = app.get(&path, None).await;
    assert_ne!(read.headers()["etag"].to_str().unwrap(), tag);
    assert_eq!(read.json::<Value>().await.unwrap()["title"], "After");
    let slug: Value = app.get("/api/v1/articles/slug/before", None).await.json().await.unwrap();
    assert_eq!(slug["title"], "After");
}
