//! Logging in, rotating refresh tokens, logging out, and what revokes a login.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};

/// Logs in and returns the whole token response.
async fn log_in(app: &TestApp, email: &str, password: &str) -> Value {
    json_body(app.login_response(email, password).await, StatusCode::OK).await
}

async fn refresh(app: &TestApp, refresh_token: &Value) -> reqwest::Response {
    app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": refresh_token})).await
}

/// Creates a user of `role` without logging them in; returns their id and email.
async fn create_user(app: &TestApp, role: &str, name: &str) -> (i64, String) {
    let email = format!("{name}@example.com");
    let body = json!({"email": email, "password": PASSWORD, "display_name": name, "role": role});
    let user = json_body(app.post("/api/v1/users", Some(&app.admin), &body).await, StatusCode::CREATED).await;
    (user["id"].as_i64().unwrap(), email)
}

/// The (unverified) claims of a JWT.
fn jwt_claims(token: &str) -> Value {
    use base64::Engine;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {token}");
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url");
    serde_json::from_slice(&payload).expect("JSON claims")
}

#[tokio::test]
async fn logging_in_returns_a_token_pair_and_the_user_without_a_password_hash() {
    let app = spawn_app().await;

    let response = app.login_response(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    let claims = jwt_claims(body["access_token"].as_str().unwrap());
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900, "{claims}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    assert_eq!(body["user"]["email"], ADMIN_EMAIL);
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"].get("password_hash").is_none(), "{body}");
    assert!(!text.contains("password_hash") && !text.contains("$argon2"), "no hash anywhere: {text}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let app = spawn_app().await;

    let wrong_password = app.login_response(ADMIN_EMAIL, "not the admin password").await;
    let unknown_email = app.login_response("nobody@example.com", ADMIN_PASSWORD).await;

    let wrong_password = problem(wrong_password, StatusCode::UNAUTHORIZED).await;
    let unknown_email = problem(unknown_email, StatusCode::UNAUTHORIZED).await;
    assert_eq!(wrong_password, unknown_email, "the two failures must be indistinguishable");
}

#[tokio::test]
async fn me_returns_the_user_the_token_belongs_to() {
    let app = spawn_app().await;
    let (id, token) = app.user("editor", "Edna Editor").await;

    let response = app.get("/api/v1/auth/me", Some(&token)).await;

    let text = response.text().await.unwrap();
    let me: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(me["id"], id);
    assert_eq!(me["email"], "edna.editor@example.com");
    assert_eq!(me["display_name"], "Edna Editor");
    assert_eq!(me["role"], "editor");
    assert!(!text.contains("password_hash"), "{text}");
}

#[tokio::test]
async fn me_has_an_etag_that_answers_304_until_the_user_changes() {
    let app = spawn_app().await;
    let (id, token) = app.user("editor", "Edna Editor").await;
    let first = app.get("/api/v1/auth/me", Some(&token)).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong ETag: {etag}");

    let again = app.request(reqwest::Method::GET, "/api/v1/auth/me", Some(&token)).header("If-None-Match", &etag);
    assert_eq!(again.send().await.unwrap().status(), StatusCode::NOT_MODIFIED);

    let renamed =
        app.patch(&format!("/api/v1/users/{id}"), Some(&app.admin), &json!({"display_name": "Edna E."})).await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let changed = app.request(reqwest::Method::GET, "/api/v1/auth/me", Some(&token)).header("If-None-Match", &etag);
    let changed = changed.send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn me_without_a_token_is_401_with_a_bearer_challenge() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/auth/me", None).await;

    let challenge = response.headers().get("www-authenticate").expect("WWW-Authenticate").to_str().unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    problem(response, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn refreshing_returns_a_new_pair_and_retires_the_old_refresh_token() {
    let app = spawn_app().await;
    let login = log_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let refreshed = json_body(refresh(&app, &login["refresh_token"]).await, StatusCode::OK).await;

    assert_ne!(refreshed["refresh_token"], login["refresh_token"]);
    assert_eq!(refreshed["token_type"], "Bearer");
    assert_eq!(refreshed["expires_in"], 900);
    let access = refreshed["access_token"].as_str().unwrap();
    let me = json_body(app.get("/api/v1/auth/me", Some(access)).await, StatusCode::OK).await;
    assert_eq!(me["email"], ADMIN_EMAIL, "the new access token works");
    problem(refresh(&app, &login["refresh_token"]).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_login() {
    let app = spawn_app().await;
    let login = log_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let other_login = log_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let second = json_body(refresh(&app, &login["refresh_token"]).await, StatusCode::OK).await;
    let newest = json_body(refresh(&app, &second["refresh_token"]).await, StatusCode::OK).await;

    let replay = refresh(&app, &login["refresh_token"]).await;

    problem(replay, StatusCode::UNAUTHORIZED).await;
    let newest_after = refresh(&app, &newest["refresh_token"]).await;
    problem(newest_after, StatusCode::UNAUTHORIZED).await;
    let other = refresh(&app, &other_login["refresh_token"]).await;
    assert_eq!(other.status(), StatusCode::OK, "another login of the same user is untouched");
}

#[tokio::test]
async fn logging_out_ends_the_refresh_token() {
    let app = spawn_app().await;
    let login = log_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let response = app.post("/api/v1/auth/logout", None, &json!({"refresh_token": login["refresh_token"]})).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    problem(refresh(&app, &login["refresh_token"]).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn logging_out_an_unknown_refresh_token_is_still_204() {
    let app = spawn_app().await;

    let response = app.post("/api/v1/auth/logout", None, &json!({"refresh_token": "no-such-token"})).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn changing_a_users_password_revokes_their_refresh_tokens() {
    let app = spawn_app().await;
    let (id, email) = create_user(&app, "author", "pat").await;
    let login = log_in(&app, &email, PASSWORD).await;
    let new_password = "a brand new long password";

    let change = app.patch(&format!("/api/v1/users/{id}"), Some(&app.admin), &json!({"password": new_password})).await;

    assert_eq!(change.status(), StatusCode::OK);
    problem(refresh(&app, &login["refresh_token"]).await, StatusCode::UNAUTHORIZED).await;
    problem(app.login_response(&email, PASSWORD).await, StatusCode::UNAUTHORIZED).await;
    log_in(&app, &email, new_password).await;
}

#[tokio::test]
async fn changing_a_users_role_revokes_their_refresh_tokens() {
    let app = spawn_app().await;
    let (id, email) = create_user(&app, "author", "rory").await;
    let login = log_in(&app, &email, PASSWORD).await;

    let change = app.patch(&format!("/api/v1/users/{id}"), Some(&app.admin), &json!({"role": "editor"})).await;

    assert_eq!(change.status(), StatusCode::OK);
    problem(refresh(&app, &login["refresh_token"]).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_disabled_user_cannot_log_in_refresh_or_use_their_access_token() {
    let app = spawn_app().await;
    let (id, email) = create_user(&app, "editor", "dee").await;
    let login = log_in(&app, &email, PASSWORD).await;

    let disable = app.patch(&format!("/api/v1/users/{id}"), Some(&app.admin), &json!({"disabled": true})).await;

    assert_eq!(disable.status(), StatusCode::OK);
    let refused = problem(app.login_response(&email, PASSWORD).await, StatusCode::UNAUTHORIZED).await;
    let wrong = problem(app.login_response(&email, "some wrong password").await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(refused, wrong, "a disabled account does not reveal itself");
    problem(refresh(&app, &login["refresh_token"]).await, StatusCode::UNAUTHORIZED).await;
    let access = login["access_token"].as_str().unwrap();
    problem(app.get("/api/v1/auth/me", Some(access)).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn emails_are_case_insensitive_at_login() {
    let app = spawn_app().await;

    let login = log_in(&app, "ADMIN@Example.COM", ADMIN_PASSWORD).await;

    assert_eq!(login["user"]["email"], ADMIN_EMAIL);
}

#[tokio::test]
async fn ten_failed_logins_lock_the_email_out_even_with_the_right_password() {
    let app = spawn_app().await;
    for attempt in 1..=10 {
        let response = app.login_response(ADMIN_EMAIL, "a wrong password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "failure {attempt}");
    }

    let response = app.login_response(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let retry_after = response.headers().get("retry-after").cloned();
    problem(response, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(retry_after.is_some(), "a 429 says when to retry");
}
