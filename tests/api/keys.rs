//! API keys: shown once, scoped, acting for their creator (never above an editor),
//! refused at once when revoked, expired, tampered with or their creator disabled.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, spawn_app_with, TestApp};

/// Creates a key as `token` and returns the answer (with `key`).
async fn create_key(app: &TestApp, token: &str, body: Value) -> Value {
    json_body(app.post("/api/v1/api-keys", Some(token), &body).await, StatusCode::CREATED).await
}

async fn key_with(app: &TestApp, scopes: &[&str]) -> (i64, String) {
    let created = create_key(app, &app.admin, json!({"name": "Integration", "scopes": scopes})).await;
    (created["id"].as_i64().unwrap(), created["key"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_key_is_shown_once_at_creation_and_never_again() {
    let app = spawn_app().await;
    let response = app
        .post("/api/v1/api-keys", Some(&app.admin), &json!({"name": "Site build", "scopes": ["content:read"]}))
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = json_body(response, StatusCode::CREATED).await;
    let key = created["key"].as_str().unwrap();
    assert!(
        key.starts_with("folio_") && key.len() == 44 && key[6..].bytes().all(|b| b.is_ascii_alphanumeric()),
        "{key}"
    );
    assert_eq!(created["prefix"], key[..12]);
    assert_eq!(created["scopes"], json!(["content:read"]));
    let created_at: chrono::DateTime<chrono::Utc> = created["created_at"].as_str().unwrap().parse().unwrap();
    let expires_at: chrono::DateTime<chrono::Utc> = created["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires_at - created_at, chrono::Duration::days(90), "absent expires_in_days is 90 days");
    assert_eq!(created["last_used_at"], Value::Null);

    let read = app.get(&location, Some(&app.admin)).await;
    assert!(read.headers().contains_key("etag"));
    let read = json_body(read, StatusCode::OK).await;
    assert!(read.get("key").is_none(), "the key is never shown again: {read}");
    assert_eq!(read["prefix"], key[..12]);
    let list = json_body(app.get("/api/v1/api-keys", Some(&app.admin)).await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 1);
    assert!(list["data"][0].get("key").is_none());
    assert!(!list.to_string().contains(key));

    let forever =
        create_key(&app, &app.admin, json!({"name": "n", "scopes": ["media"], "expires_in_days": null})).await;
    assert_eq!(forever["expires_at"], Value::Null, "null is never");
    let ten = create_key(&app, &app.admin, json!({"name": "n", "scopes": ["media"], "expires_in_days": 10})).await;
    assert!(ten["expires_at"].is_string());
    for (body, field) in [
        (json!({"name": "n", "scopes": ["media"], "expires_in_days": 0}), "/expires_in_days"),
        (json!({"name": "n", "scopes": ["media"], "expires_in_days": 3651}), "/expires_in_days"),
        (json!({"name": "n", "scopes": []}), "/scopes"),
        (json!({"name": "n", "scopes": ["everything"]}), "/scopes"),
        (json!({"name": "", "scopes": ["media"]}), "/name"),
    ] {
        let refused =
            problem(app.post("/api/v1/api-keys", Some(&app.admin), &body).await, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        assert!(refused["errors"][0]["field"].as_str().unwrap().starts_with(field), "{body}: {refused}");
    }
    let (_, editor) = app.user("editor", "Eve Editor").await;
    problem(
        app.post("/api/v1/api-keys", Some(&editor), &json!({"name": "n", "scopes": ["media"]})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(app.get("/api/v1/api-keys", Some(&editor)).await, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn content_read_reads_drafts_and_a_key_without_it_reads_as_the_public() {
    let app = spawn_app().await;
    let (_, editor) = app.user("editor", "Eve Editor").await;
    let draft = app.article(&editor, json!({"title": "Draft", "body_markdown": "Not yet."})).await;
    let path = format!("/api/v1/articles/{}", draft["id"]);
    let (_, reader) = key_with(&app, &["content:read"]).await;
    let (_, hooks) = key_with(&app, &["webhooks"]).await;

    assert_eq!(json_body(app.get(&path, Some(&reader)).await, StatusCode::OK).await["title"], "Draft");
    let listed = json_body(app.get("/api/v1/articles?status=draft", Some(&reader)).await, StatusCode::OK).await;
    assert_eq!(listed["meta"]["total"], 1, "drafts too: {listed}");

    problem(app.get(&path, Some(&hooks)).await, StatusCode::NOT_FOUND).await;
    let public = json_body(app.get("/api/v1/articles?status=published", Some(&hooks)).await, StatusCode::OK).await;
    assert_eq!(public["meta"]["total"], 0, "the public sees no draft: {public}");
    let refused = problem(app.get("/api/v1/articles?status=draft", Some(&hooks)).await, StatusCode::FORBIDDEN).await;
    assert_eq!(refused["detail"], "this API key lacks the content:read scope");
    json_body(app.get("/api/v1/sections", Some(&hooks)).await, StatusCode::OK).await;
    let refused = problem(app.get(&format!("{path}/revisions"), Some(&hooks)).await, StatusCode::FORBIDDEN).await;
    assert_eq!(refused["detail"], "this API key lacks the content:read scope");
}

#[tokio::test]
async fn content_write_acts_for_the_creator_and_the_audit_names_the_key() {
    let app = spawn_app().await;
    let (key_id, writer) = key_with(&app, &["content:write"]).await;
    let (_, reader) = key_with(&app, &["content:read"]).await;
    let me = json_body(app.get("/api/v1/auth/me", Some(&app.admin)).await, StatusCode::OK).await;

    let refused = app.post("/api/v1/articles", Some(&reader), &json!({"title": "No", "body_markdown": "x"})).await;
    assert_eq!(problem(refused, StatusCode::FORBIDDEN).await["detail"], "this API key lacks the content:write scope");
    let refused = app.post("/api/v1/tags", Some(&reader), &json!({"name": "No"})).await;
    assert_eq!(problem(refused, StatusCode::FORBIDDEN).await["detail"], "this API key lacks the content:write scope");

    let article =
        app.article(&writer, json!({"title": "By key", "body_markdown": "Hello.", "status": "published"})).await;
    assert_eq!(article["author"]["id"], me["id"], "the key's creator is the author");
    let id = article["id"].as_i64().unwrap();
    let revisions =
        json_body(app.get(&format!("/api/v1/articles/{id}/revisions"), Some(&writer)).await, StatusCode::OK).await;
    assert_eq!(revisions["data"][0]["changed_by"]["id"], me["id"]);
    json_body(app.post("/api/v1/sections", Some(&writer), &json!({"name": "Keyed"})).await, StatusCode::CREATED).await;

    let trail = json_body(
        app.get(&format!("/api/v1/audit?resource=article&resource_id={id}"), Some(&app.admin)).await,
        StatusCode::OK,
    )
    .await;
    let entry = &trail["data"][0];
    assert_eq!((entry["api_key_id"].as_i64(), entry["user_id"].clone()), (Some(key_id), me["id"].clone()), "{entry}");
    assert_eq!(entry["role"], "editor", "a key acts never above an editor");
    let by_token = json_body(app.get("/api/v1/audit?resource=api_key", Some(&app.admin)).await, StatusCode::OK).await;
    assert_eq!(by_token["data"][0]["api_key_id"], Value::Null, "a write with a user's token names no key");
}

#[tokio::test]
async fn users_keys_audit_and_sessions_are_never_reached_with_a_key() {
    let app = spawn_app().await;
    let (key_id, key) = key_with(&app, &["content:read", "content:write", "webhooks", "media"]).await;
    let never = [
        (Method::GET, "/api/v1/users".to_owned()),
        (Method::POST, "/api/v1/users".to_owned()),
        (Method::GET, "/api/v1/api-keys".to_owned()),
        (Method::POST, "/api/v1/api-keys".to_owned()),
        (Method::DELETE, format!("/api/v1/api-keys/{key_id}")),
        (Method::GET, "/api/v1/audit".to_owned()),
        (Method::GET, "/api/v1/auth/me".to_owned()),
        (Method::POST, "/api/v1/auth/refresh".to_owned()),
        (Method::POST, "/api/v1/auth/logout".to_owned()),
    ];
    for (method, path) in never {
        let body = json!({"refresh_token": "x", "name": "n", "scopes": ["media"], "email": "a@example.com",
            "password": "a long enough password", "display_name": "A", "role": "admin"});
        let response = app.request(method.clone(), &path, Some(&key)).json(&body).send().await.unwrap();
        problem(response, StatusCode::FORBIDDEN).await;
    }
    json_body(app.get(&format!("/api/v1/api-keys/{key_id}"), Some(&app.admin)).await, StatusCode::OK).await;
}

#[tokio::test]
async fn a_key_with_the_webhooks_scope_manages_webhooks_and_no_other_key_does() {
    let app = spawn_app().await;
    let (_, hooks) = key_with(&app, &["webhooks"]).await;
    let (_, content) = key_with(&app, &["content:read", "content:write"]).await;
    let body = json!({"url": "https://hooks.example.com/folio", "events": ["article.published"]});
    let created = json_body(app.post("/api/v1/webhooks", Some(&hooks), &body).await, StatusCode::CREATED).await;
    let path = format!("/api/v1/webhooks/{}", created["id"]);
    json_body(app.get(&path, Some(&hooks)).await, StatusCode::OK).await;
    json_body(app.get(&format!("{path}/deliveries"), Some(&hooks)).await, StatusCode::OK).await;
    for response in
        [app.get("/api/v1/webhooks", Some(&content)).await, app.post("/api/v1/webhooks", Some(&content), &body).await]
    {
        let refused = problem(response, StatusCode::FORBIDDEN).await;
        assert!(refused["detail"].as_str().unwrap().contains("webhooks"), "{refused}");
    }
    // The audit trail names the key that made the webhook.
    let audit = json_body(app.get("/api/v1/audit?resource=webhook", Some(&app.admin)).await, StatusCode::OK).await;
    assert!(audit["data"][0]["api_key_id"].is_i64(), "{audit}");
}

#[tokio::test]
async fn a_demoted_admins_key_loses_the_webhooks_at_once_and_regains_them_with_the_role() {
    let app = spawn_app().await;
    let (admin_id, second_admin) = app.user("admin", "Second Admin").await;
    let key = create_key(&app, &second_admin, json!({"name": "Hooks", "scopes": ["webhooks"]})).await;
    let key = key["key"].as_str().unwrap().to_owned();
    let body = json!({"url": "https://hooks.example.com/folio", "events": ["article.published"]});
    let created = json_body(app.post("/api/v1/webhooks", Some(&key), &body).await, StatusCode::CREATED).await;
    let hook = format!("/api/v1/webhooks/{}", created["id"]);
    let user = format!("/api/v1/users/{admin_id}");

    for role in ["author", "editor"] {
        json_body(app.patch(&user, Some(&app.admin), &json!({"role": role})).await, StatusCode::OK).await;
        let refusals = [
            app.get("/api/v1/webhooks", Some(&key)).await,
            app.get(&hook, Some(&key)).await,
            app.post("/api/v1/webhooks", Some(&key), &body).await,
            app.patch(&hook, Some(&key), &json!({"url": "https://elsewhere.example.com/"})).await,
            app.post(&format!("{hook}/rotate-secret"), Some(&key), &json!({})).await,
            app.post(&format!("{hook}/test"), Some(&key), &json!({})).await,
            app.get(&format!("{hook}/deliveries"), Some(&key)).await,
            app.delete(&hook, Some(&key)).await,
        ];
        for response in refusals {
            let refused = problem(response, StatusCode::FORBIDDEN).await;
            assert!(refused["detail"].as_str().unwrap().contains("no longer an admin"), "{role}: {refused}");
        }
    }
    let unchanged = json_body(app.get(&hook, Some(&app.admin)).await, StatusCode::OK).await;
    assert_eq!(unchanged["url"], "https://hooks.example.com/folio", "nothing was re-pointed");
    let audit = json_body(app.get("/api/v1/audit?resource=webhook", Some(&app.admin)).await, StatusCode::OK).await;
    assert_eq!(audit["meta"]["total"], 1, "only the creation, made while an admin: {audit}");

    json_body(app.patch(&user, Some(&app.admin), &json!({"role": "admin"})).await, StatusCode::OK).await;
    json_body(app.get(&hook, Some(&key)).await, StatusCode::OK).await;
}

#[tokio::test]
async fn revoked_expired_tampered_and_orphaned_keys_are_refused_with_401() {
    let app = spawn_app().await;
    let (revoked_id, revoked) = key_with(&app, &["content:read"]).await;
    let (expired_id, expired) = key_with(&app, &["content:read"]).await;
    for key in [&revoked, &expired] {
        json_body(app.get("/api/v1/articles", Some(key)).await, StatusCode::OK).await;
    }
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{revoked_id}"), Some(&app.admin)).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(app.get(&format!("/api/v1/api-keys/{revoked_id}"), Some(&app.admin)).await, StatusCode::NOT_FOUND).await;
    app.run_sql(&format!("UPDATE api_keys SET expires_at = '2001-01-01 00:00:00' WHERE id = {expired_id}"));

    // The last checksum character changed: well formed, but its checksum does not fit.
    let (_, good) = key_with(&app, &["content:read"]).await;
    let last = good.chars().last().unwrap();
    let tampered = format!("{}{}", &good[..good.len() - 1], if last == 'a' { 'b' } else { 'a' });
    let unknown = format!("folio_{}", "A".repeat(38));
    for key in [&revoked, &expired, &tampered, &unknown, &"folio_".to_owned()] {
        let refused = problem(app.get("/api/v1/articles", Some(key)).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(refused["detail"], "the API key is unknown, revoked or expired", "{key}");
    }

    // A key of a disabled creator stops at once.
    let (admin_id, other_admin) = app.user("admin", "Ada Admin").await;
    let (_, theirs) = key_with(&app, &["content:read"]).await;
    let (_, orphan) = {
        let created = create_key(&app, &other_admin, json!({"name": "theirs", "scopes": ["content:read"]})).await;
        (created["id"].clone(), created["key"].as_str().unwrap().to_owned())
    };
    json_body(app.get("/api/v1/articles", Some(&orphan)).await, StatusCode::OK).await;
    json_body(
        app.patch(&format!("/api/v1/users/{admin_id}"), Some(&app.admin), &json!({"disabled": true})).await,
        StatusCode::OK,
    )
    .await;
    problem(app.get("/api/v1/articles", Some(&orphan)).await, StatusCode::UNAUTHORIZED).await;
    json_body(app.get("/api/v1/articles", Some(&theirs)).await, StatusCode::OK).await;
}

#[tokio::test]
async fn last_used_at_is_written_once_a_minute_not_on_every_request() {
    let app = spawn_app().await;
    let (id, key) = key_with(&app, &["content:read"]).await;
    let path = format!("/api/v1/api-keys/{id}");
    json_body(app.get("/api/v1/articles", Some(&key)).await, StatusCode::OK).await;
    let first = json_body(app.get(&path, Some(&app.admin)).await, StatusCode::OK).await["last_used_at"].clone();
    assert!(first.is_string(), "the first use is written: {first}");
    // Timestamps are kept to the second: a write per request would now show.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    json_body(app.get("/api/v1/articles", Some(&key)).await, StatusCode::OK).await;
    let second = json_body(app.get(&path, Some(&app.admin)).await, StatusCode::OK).await["last_used_at"].clone();
    assert_eq!(first, second, "not rewritten within the minute");
}

#[tokio::test]
async fn a_second_instance_on_the_same_database_honours_revocation_and_the_minute() {
    let a = spawn_app().await;
    let b = spawn_app_with(&[("DATABASE_URL", a.database_url())]).await;
    let (id, key) = key_with(&a, &["content:read"]).await;
    let path = format!("/api/v1/api-keys/{id}");
    json_body(a.get("/api/v1/articles", Some(&key)).await, StatusCode::OK).await;
    let first = json_body(a.get(&path, Some(&a.admin)).await, StatusCode::OK).await["last_used_at"].clone();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // B has not written this key's use yet, so it tries: the database's own condition stops it.
    json_body(b.get("/api/v1/articles", Some(&key)).await, StatusCode::OK).await;
    let second = json_body(a.get(&path, Some(&a.admin)).await, StatusCode::OK).await["last_used_at"].clone();
    assert_eq!(first, second, "another instance does not rewrite it within the minute either");

    assert_eq!(a.delete(&path, Some(&a.admin)).await.status(), StatusCode::NO_CONTENT);
    problem(b.get("/api/v1/articles", Some(&key)).await, StatusCode::UNAUTHORIZED).await;
}
