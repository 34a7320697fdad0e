//! micropub.rocks 800–805: where the token may come, and what happens without one.

use reqwest::StatusCode;

use super::{created_form, error, form, key, location, source};
use crate::helpers::spawn_app;

#[tokio::test]
async fn mp_800_accept_access_token_in_http_header() {
    let app = spawn_app().await;
    created_form(&app, &[("h", "entry"), ("content", "Testing accepting access token in HTTP Authorization header")])
        .await;
}

#[tokio::test]
async fn mp_801_accept_access_token_in_post_body() {
    let app = spawn_app().await;
    let response = form(
        &app,
        None,
        &[("h", "entry"), ("content", "Testing accepting access token in post body"), ("access_token", &app.admin)],
    )
    .await;
    location(&response);
}

#[tokio::test]
async fn mp_802_does_not_store_access_token_property() {
    let app = spawn_app().await;
    let response = form(
        &app,
        None,
        &[("h", "entry"), ("content", "Testing accepting access token in post body"), ("access_token", &app.admin)],
    )
    .await;
    let url = location(&response);
    let properties = source(&app, &url, &[]).await["properties"].clone();
    assert_eq!(properties["content"][0], "Testing accepting access token in post body");
    assert!(properties.get("access_token").is_none(), "{properties}");
    assert!(properties.get("h").is_none(), "{properties}");
}

#[tokio::test]
async fn mp_803_rejects_unauthenticated_requests() {
    let app = spawn_app().await;
    let response = form(
        &app,
        None,
        &[("h", "entry"), ("content", "Testing unauthenticated request. This should not create a post.")],
    )
    .await;
    assert_eq!(response.headers()["www-authenticate"].to_str().unwrap().split(' ').next(), Some("Bearer"));
    error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let invalid = form(&app, Some("not-a-token"), &[("h", "entry"), ("content", "x")]).await;
    error(invalid, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let list: serde_json::Value = app.get("/api/v1/articles", None).await.json().await.unwrap();
    assert_eq!(list["meta"]["total"], 0, "no post was made: {list}");
}

#[tokio::test]
async fn mp_804_rejects_unauthorized_access_tokens() {
    let app = spawn_app().await;
    // A valid key of a user who may post, without the scope to create posts.
    let (_, read_only) = key(&app, &["content:read"]).await;
    let response = form(
        &app,
        Some(&read_only),
        &[
            ("h", "entry"),
            ("content", "Testing a request with an unauthorized access token. This should not create a post."),
        ],
    )
    .await;
    error(response, StatusCode::UNAUTHORIZED, "insufficient_scope").await;
    let (_, media_only) = key(&app, &["media"]).await;
    error(
        form(&app, Some(&media_only), &[("action", "delete"), ("url", "https://x.example/a")]).await,
        StatusCode::UNAUTHORIZED,
        "insufficient_scope",
    )
    .await;
}

#[tokio::test]
async fn mp_805_rejects_token_in_header_and_body() {
    let app = spawn_app().await;
    let response = form(
        &app,
        Some(&app.admin),
        &[
            ("h", "entry"),
            ("content", "Testing accepting access token in HTTP Authorization header and POST body. This should not create a post"),
            ("access_token", &app.admin),
        ],
    )
    .await;
    error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
}
