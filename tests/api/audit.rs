use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app};

#[tokio::test]
async fn every_write_is_in_the_audit_trail_with_who_what_and_where() {
    let app = spawn_app().await;
    let (editor_id, editor) = app.user("editor", "Eve Editor").await;
    let article = app.article(&editor, json!({"title": "Audited", "body_markdown": "Body."})).await;
    let id = article["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}");
    app.patch(&path, Some(&editor), &json!({"title": "Audited again", "version": 1})).await;
    let etag = app.get(&path, Some(&editor)).await.headers()["etag"].to_str().unwrap().to_owned();
    let deleted = app.request(Method::DELETE, &path, Some(&editor)).header("If-Match", etag).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    let trail: Value = app
        .get(&format!("/api/v1/audit?user={editor_id}&resource=article"), Some(&app.admin))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<(&str, Option<i64>)> = trail["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["version"].as_i64()))
        .collect();
    assert_eq!(actions, [("delete", None), ("update", Some(2)), ("create", Some(1))]);
    let newest = &trail["data"][0];
    assert_eq!((newest["role"].as_str(), newest["client"].as_str()), (Some("editor"), Some("127.0.0.1")));
    assert_eq!(newest["resource_id"], id);

    let users: Value = app.get("/api/v1/audit?resource=user", Some(&app.admin)).await.json().await.unwrap();
    assert_eq!(users["meta"]["total"], 1, "creating the editor is recorded");
}

#[tokio::test]
async fn only_admins_read_the_trail_and_nobody_can_change_it() {
    let app = spawn_app().await;
    let (_, editor) = app.user("editor", "Eve Editor").await;
    problem(app.get("/api/v1/audit", Some(&editor)).await, StatusCode::FORBIDDEN).await;
    problem(app.get("/api/v1/audit", None).await, StatusCode::UNAUTHORIZED).await;
    for method in [Method::POST, Method::PATCH, Method::DELETE, Method::PUT] {
        let response = app.request(method.clone(), "/api/v1/audit", Some(&app.admin)).send().await.unwrap();
        problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    }
    problem(app.get("/api/v1/audit?resource=comment", Some(&app.admin)).await, StatusCode::UNPROCESSABLE_ENTITY).await;
}
