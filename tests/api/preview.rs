//! Draft preview: a token lets anyone holding it read one article as it now is, drafts
//! included, without logging in; only someone who may read the article makes or revokes
//! tokens; expired, revoked, unknown and malformed tokens all read 404; and no token
//! ever reaches the server's log.

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, TestApp};

fn share_path(id: i64) -> String {
    format!("/api/v1/articles/{id}/preview-token")
}

/// `POST /articles/{id}/preview-token` as `token` (none: the public), with `body` (none:
/// no body at all).
async fn share(app: &TestApp, id: i64, token: Option<&str>, body: Option<Value>) -> Response {
    let request = app.request(Method::POST, &share_path(id), token);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    request.send().await.unwrap()
}

/// A preview token for article `id`, made by the bearer of `token`, checked.
async fn preview_token(app: &TestApp, id: i64, token: &str) -> String {
    let made = json_body(share(app, id, Some(token), None).await, StatusCode::CREATED).await;
    made["token"].as_str().unwrap().to_owned()
}

/// `GET /preview/{token}` with no credentials.
async fn preview(app: &TestApp, token: &str) -> Response {
    app.get(&format!("/api/v1/preview/{token}"), None).await
}

/// The article a preview token shows, checked to be there.
async fn previewed(app: &TestApp, token: &str) -> Value {
    json_body(preview(app, token).await, StatusCode::OK).await
}

async fn revoke(app: &TestApp, id: i64, token: Option<&str>) -> Response {
    app.request(Method::DELETE, &format!("/api/v1/articles/{id}/preview-tokens"), token).send().await.unwrap()
}

async fn draft(app: &TestApp, token: &str, title: &str) -> i64 {
    let body = json!({"title": title, "body_markdown": format!("The body of {title}.")});
    app.article(token, body).await["id"].as_i64().unwrap()
}

/// Runs `sql` on the app's database directly: for moments only time could bring.
fn run_sql(app: &TestApp, sql: &str) {
    let url = app.database_url();
    if url.starts_with("postgres") {
        PgConnection::establish(url).unwrap().batch_execute(sql).unwrap();
    } else {
        let mut conn = SqliteConnection::establish(url.strip_prefix("sqlite://").unwrap_or(url)).unwrap();
        conn.batch_execute(&format!("PRAGMA busy_timeout = 5000; {sql}")).unwrap();
    }
}

/// The rows of `preview_tokens`, expired ones included.
fn stored_tokens(app: &TestApp) -> i64 {
    let url = app.database_url();
    let count = diesel::select(diesel::dsl::sql::<BigInt>("(SELECT COUNT(*) FROM preview_tokens)"));
    if url.starts_with("postgres") {
        count.get_result(&mut PgConnection::establish(url).unwrap()).unwrap()
    } else {
        count
            .get_result(&mut SqliteConnection::establish(url.strip_prefix("sqlite://").unwrap_or(url)).unwrap())
            .unwrap()
    }
}

#[tokio::test]
async fn an_author_shares_a_draft_that_anyone_holding_the_token_reads_without_logging_in() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Ada Author").await;
    let id = draft(&app, &author, "Work in progress").await;
    let as_author = app.get(&format!("/api/v1/articles/{id}"), Some(&author)).await;
    let as_author = json_body(as_author, StatusCode::OK).await;

    let before = Utc::now();
    let made = share(&app, id, Some(&author), None).await;
    assert_eq!(made.headers()["cache-control"], "private, no-store");
    let location = made.headers()["location"].to_str().unwrap().to_owned();
    let made = json_body(made, StatusCode::CREATED).await;
    let token = made["token"].as_str().unwrap();
    assert!(token.starts_with("fpv_") && token.len() == 47, "{token}");
    assert_eq!(location, format!("/api/v1/preview/{token}"));
    let expires_at: DateTime<Utc> = made["expires_at"].as_str().unwrap().parse().unwrap();
    let life = (expires_at - before).num_seconds();
    assert!((3598..=3601).contains(&life), "an hour by default, not {life} s");

    let read = preview(&app, token).await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(read.headers()["cache-control"], "private, no-store");
    assert_eq!(read.headers()["x-robots-tag"], "noindex");
    assert!(read.headers().contains_key("etag"));
    let read: Value = read.json().await.unwrap();
    assert_eq!(read, as_author, "the same representation as an authenticated read");
    assert_eq!(read["status"], "draft");

    problem(app.get(&format!("/api/v1/articles/{id}"), None).await, StatusCode::NOT_FOUND).await;
    let slug = as_author["slug"].as_str().unwrap();
    problem(app.get(&format!("/api/v1/articles/slug/{slug}"), None).await, StatusCode::NOT_FOUND).await;

    let editor_made = json_body(share(&app, id, Some(&app.admin), Some(json!({}))).await, StatusCode::CREATED).await;
    assert_eq!(previewed(&app, editor_made["token"].as_str().unwrap()).await["id"], id, "editors share any draft");
    let null_body =
        app.request(Method::POST, &share_path(id), Some(&author)).header("content-type", "application/json");
    assert_eq!(null_body.body("null").send().await.unwrap().status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_token_shows_its_own_article_only() {
    let app = spawn_app().await;
    let first = draft(&app, &app.admin, "First draft").await;
    let second = draft(&app, &app.admin, "Second draft").await;
    let first_token = preview_token(&app, first, &app.admin).await;
    let second_token = preview_token(&app, second, &app.admin).await;
    assert_ne!(first_token, second_token);
    assert_eq!(previewed(&app, &first_token).await["title"], "First draft");
    assert_eq!(previewed(&app, &second_token).await["title"], "Second draft");
}

#[tokio::test]
async fn a_token_shows_the_article_as_it_is_at_each_read() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Ed Iting").await;
    let id = draft(&app, &author, "Before").await;
    let token = preview_token(&app, id, &author).await;
    let before = preview(&app, &token).await;
    let etag = before.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(before.json::<Value>().await.unwrap()["title"], "Before");

    let body = json!({"title": "After", "body_markdown": "Rewritten.", "version": 1});
    json_body(app.patch(&format!("/api/v1/articles/{id}"), Some(&author), &body).await, StatusCode::OK).await;
    let after = preview(&app, &token).await;
    assert_ne!(after.headers()["etag"].to_str().unwrap(), etag);
    let after: Value = after.json().await.unwrap();
    assert_eq!((&after["title"], &after["version"]), (&json!("After"), &json!(2)));
    assert_eq!(after["body_html"], "<p>Rewritten.</p>\n");

    let unchanged = app.request(Method::GET, &format!("/api/v1/preview/{token}"), None).header("If-None-Match", etag);
    assert_eq!(unchanged.send().await.unwrap().status(), StatusCode::OK, "the old ETag no longer matches");
}

#[tokio::test]
async fn expired_revoked_unknown_and_malformed_tokens_all_read_the_same_404() {
    let app = spawn_app().await;
    let id = draft(&app, &app.admin, "Secret plans").await;
    let expired = preview_token(&app, id, &app.admin).await;
    let live = preview_token(&app, id, &app.admin).await;
    run_sql(&app, "UPDATE preview_tokens SET expires_at = '2000-01-01 00:00:00' WHERE id = 1");
    let unknown = format!("fpv_{}", "A".repeat(43));
    let mut answers = Vec::new();
    for token in [expired.as_str(), &unknown, "fpv_short", "not-a-token", &format!("{live}x"), &live[..46]] {
        let refused = problem(preview(&app, token).await, StatusCode::NOT_FOUND).await;
        answers.push(refused);
    }
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]), "one answer for all: {answers:?}");
    assert_eq!(previewed(&app, &live).await["id"], id);

    let short =
        json_body(share(&app, id, Some(&app.admin), Some(json!({"expires_in_seconds": 1}))).await, StatusCode::CREATED);
    let short = short.await["token"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    problem(preview(&app, &short).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn revoking_ends_every_token_of_that_article_and_no_other() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Rev Oker").await;
    let id = draft(&app, &author, "Revoked").await;
    let other = draft(&app, &author, "Kept").await;
    let by_author = preview_token(&app, id, &author).await;
    let by_editor = preview_token(&app, id, &app.admin).await;
    let kept = preview_token(&app, other, &author).await;

    assert_eq!(revoke(&app, id, Some(&author)).await.status(), StatusCode::NO_CONTENT);
    for token in [&by_author, &by_editor] {
        problem(preview(&app, token).await, StatusCode::NOT_FOUND).await;
    }
    assert_eq!(previewed(&app, &kept).await["title"], "Kept");
    assert_eq!(revoke(&app, id, Some(&author)).await.status(), StatusCode::NO_CONTENT, "none left: still 204");
    let again = preview_token(&app, id, &author).await;
    assert_eq!(previewed(&app, &again).await["id"], id, "new tokens work after a revocation");
}

#[tokio::test]
async fn deleting_the_article_ends_its_tokens() {
    let app = spawn_app().await;
    let id = draft(&app, &app.admin, "Short-lived").await;
    let token = preview_token(&app, id, &app.admin).await;
    let current = app.get(&format!("/api/v1/articles/{id}"), Some(&app.admin)).await;
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let deleted = app.request(Method::DELETE, &format!("/api/v1/articles/{id}"), Some(&app.admin));
    assert_eq!(deleted.header("If-Match", etag).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    problem(preview(&app, &token).await, StatusCode::NOT_FOUND).await;
    assert_eq!(stored_tokens(&app), 0, "its tokens went with it");
}

#[tokio::test]
async fn lifetimes_other_than_one_second_to_a_day_are_422_naming_the_field() {
    let app = spawn_app().await;
    let id = draft(&app, &app.admin, "Timed").await;
    for (body, field, why) in [
        (json!({"expires_in_seconds": 0}), "/expires_in_seconds", "zero"),
        (json!({"expires_in_seconds": -5}), "/expires_in_seconds", "negative"),
        (json!({"expires_in_seconds": 86_401}), "/expires_in_seconds", "over a day"),
        (json!({"expires_in_seconds": 1.5}), "/expires_in_seconds", "not whole"),
        (json!({"expires_in_seconds": "60"}), "/expires_in_seconds", "a string"),
        (json!({"expires_in_seconds": 1e30}), "/expires_in_seconds", "beyond any integer"),
        (json!({"expires_in_seconds": null}), "/expires_in_seconds", "null"),
        (json!({"expires_in": 60}), "/expires_in", "an unknown field"),
    ] {
        let refused = problem(share(&app, id, Some(&app.admin), Some(body)).await, StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.await;
        assert_eq!(refused["errors"][0]["field"], field, "{why}: {refused}");
    }
    assert_eq!(stored_tokens(&app), 0, "nothing made");

    let before = Utc::now();
    let day = share(&app, id, Some(&app.admin), Some(json!({"expires_in_seconds": 86_400}))).await;
    let day = json_body(day, StatusCode::CREATED).await;
    let expires_at: DateTime<Utc> = day["expires_at"].as_str().unwrap().parse().unwrap();
    assert!((86_398..=86_401).contains(&(expires_at - before).num_seconds()), "{day}");

    let text = app.request(Method::POST, &share_path(id), Some(&app.admin)).header("content-type", "text/plain");
    problem(text.body("60").send().await.unwrap(), StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn only_someone_signed_in_who_may_read_the_article_shares_or_revokes_it() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Owen Er").await;
    let (_, stranger) = app.user("author", "Str Anger").await;
    let id = draft(&app, &author, "Mine").await;

    for response in [share(&app, id, None, None).await, revoke(&app, id, None).await] {
        let refused = problem(response, StatusCode::UNAUTHORIZED).await;
        assert!(refused["detail"].as_str().unwrap().contains("Bearer"), "{refused}");
    }
    problem(share(&app, id, None, Some(json!({"expires_in_seconds": 0}))).await, StatusCode::UNAUTHORIZED).await;
    problem(share(&app, id, Some(&stranger), None).await, StatusCode::NOT_FOUND).await;
    problem(revoke(&app, id, Some(&stranger)).await, StatusCode::NOT_FOUND).await;
    problem(share(&app, 9999, Some(&app.admin), None).await, StatusCode::NOT_FOUND).await;
    problem(revoke(&app, 9999, Some(&app.admin)).await, StatusCode::NOT_FOUND).await;
    assert_eq!(stored_tokens(&app), 0);

    // A published article is anyone's to read: the stranger may share it too.
    let published = app.article(&app.admin, json!({"title": "Out", "body_markdown": "x", "status": "published"})).await;
    preview_token(&app, published["id"].as_i64().unwrap(), &stranger).await;
}

#[tokio::test]
async fn an_api_key_shares_with_content_read_and_not_without() {
    let app = spawn_app().await;
    let id = draft(&app, &app.admin, "Keyed").await;
    let key = |scopes: Value| {
        let app = &app;
        async move {
            let body = json!({"name": "Preview button", "scopes": scopes});
            let made = json_body(app.post("/api/v1/api-keys", Some(&app.admin), &body).await, StatusCode::CREATED);
            made.await["key"].as_str().unwrap().to_owned()
        }
    };
    let reader = key(json!(["content:read"])).await;
    let token = preview_token(&app, id, &reader).await;
    assert_eq!(previewed(&app, &token).await["id"], id);
    assert_eq!(revoke(&app, id, Some(&reader)).await.status(), StatusCode::NO_CONTENT);

    let webhooks_only = key(json!(["webhooks"])).await;
    let refused = problem(share(&app, id, Some(&webhooks_only), None).await, StatusCode::FORBIDDEN).await;
    assert!(refused["detail"].as_str().unwrap().contains("content:read"), "{refused}");
}

#[tokio::test]
async fn a_token_shows_no_more_than_its_maker_may_read_now() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Aut Hor").await;
    let (editor_id, editor) = app.user("editor", "Ed Itor").await;
    let id = draft(&app, &author, "Under review").await;
    let token = preview_token(&app, id, &editor).await;
    assert_eq!(previewed(&app, &token).await["id"], id);

    let demote = json!({"role": "author"});
    json_body(app.patch(&format!("/api/v1/users/{editor_id}"), Some(&app.admin), &demote).await, StatusCode::OK).await;
    problem(preview(&app, &token).await, StatusCode::NOT_FOUND).await;
    let promote = json!({"role": "editor"});
    json_body(app.patch(&format!("/api/v1/users/{editor_id}"), Some(&app.admin), &promote).await, StatusCode::OK).await;
    assert_eq!(previewed(&app, &token).await["id"], id, "the token was not revoked, only out of its maker's reach");
    let disable = json!({"disabled": true});
    json_body(app.patch(&format!("/api/v1/users/{editor_id}"), Some(&app.admin), &disable).await, StatusCode::OK).await;
    problem(preview(&app, &token).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn expired_tokens_are_removed_when_tokens_are_made() {
    let app = spawn_app().await;
    let first = draft(&app, &app.admin, "One").await;
    let second = draft(&app, &app.admin, "Two").await;
    preview_token(&app, first, &app.admin).await;
    preview_token(&app, first, &app.admin).await;
    let live = preview_token(&app, second, &app.admin).await;
    run_sql(&app, "UPDATE preview_tokens SET expires_at = '2000-01-01 00:00:00' WHERE article_id = (SELECT MIN(id) FROM articles)");
    assert_eq!(stored_tokens(&app), 3);
    preview_token(&app, second, &app.admin).await;
    assert_eq!(stored_tokens(&app), 2, "the expired two are gone, of whichever article");
    assert_eq!(previewed(&app, &live).await["id"], second);
}

#[tokio::test]
async fn the_audit_trail_records_sharing_and_revoking_without_the_token() {
    let app = spawn_app().await;
    let id = draft(&app, &app.admin, "Audited").await;
    let token = preview_token(&app, id, &app.admin).await;
    assert_eq!(revoke(&app, id, Some(&app.admin)).await.status(), StatusCode::NO_CONTENT);
    let trail = app.get(&format!("/api/v1/audit?resource=article&resource_id={id}"), Some(&app.admin)).await;
    let trail = json_body(trail, StatusCode::OK).await;
    let mut actions: Vec<&str> =
        trail["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    actions.sort_unstable();
    assert_eq!(actions, ["create", "preview_token", "revoke_preview_tokens"]);
    assert!(!trail.to_string().contains(&token[4..]), "{trail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_tokens_never_reach_the_log() {
    // Everything any crate logs, so nothing that would show a path is left out.
    let server = crate::nul::LoggedServer::start("trace").await;
    let (base, client, admin) = (server.base.clone(), server.client.clone(), server.admin.clone());
    let created = client.post(format!("{base}/api/v1/articles")).bearer_auth(&admin);
    let created = created.json(&json!({"title": "Logged", "body_markdown": "Quiet."})).send().await.unwrap();
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let made = client.post(format!("{base}{}", share_path(id))).bearer_auth(&admin).send().await.unwrap();
    let token = made.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let read = |path: String| {
        let client = client.clone();
        async move { client.get(path).send().await.unwrap().status() }
    };
    assert_eq!(read(format!("{base}/api/v1/preview/{token}")).await, StatusCode::OK);
    assert_eq!(read(format!("{base}/api/v1/preview/{token}?unknown=1")).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(read(format!("{base}/api/v1/preview/{token}/more")).await, StatusCode::NOT_FOUND);
    let revoked = client.delete(format!("{base}/api/v1/articles/{id}/preview-tokens")).bearer_auth(&admin);
    assert_eq!(revoked.send().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(read(format!("{base}/api/v1/preview/{token}")).await, StatusCode::NOT_FOUND);

    let logs = server.stop();
    let secret = &token["fpv_".len()..];
    let leaks: Vec<&str> = logs.lines().filter(|line| line.contains(secret)).collect();
    assert!(leaks.is_empty(), "the token is in the log: {leaks:#?}");
    assert!(logs.contains("http.target=/api/v1/preview/[redacted]"), "the preview requests are logged: {logs}");
}
