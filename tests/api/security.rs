use reqwest::{Method, StatusCode};

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn every_response_carries_the_security_headers_and_no_server_banner() {
    let app = spawn_app().await;
    for path in ["/health", "/api/v1/articles", "/api/v1/nowhere", "/docs/"] {
        let response = app.get(path, None).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert!(headers.contains_key("content-security-policy"), "{path}");
        assert!(!headers.contains_key("server"), "{path} names no server");
    }
    let docs = app.get("/docs/", None).await;
    let policy = docs.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-eval"), "{policy}");
    let api = app.get("/api/v1/articles", None).await;
    assert_eq!(api.headers()["content-security-policy"], "default-src 'none'; frame-ancestors 'none'");
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = spawn_app_with(&[("FOLIO_CORS_ORIGINS", "https://www.example.com")]).await;
    let preflight = |origin: &'static str| {
        app.request(Method::OPTIONS, "/api/v1/articles", None)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .send()
    };
    let allowed = preflight("https://www.example.com").await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://www.example.com");

    let refused = preflight("https://evil.example").await.unwrap();
    assert!(!refused.headers().contains_key("access-control-allow-origin"));
    crate::helpers::problem(refused, StatusCode::BAD_REQUEST).await;
    let simple = app
        .request(Method::GET, "/api/v1/articles", None)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!simple.headers().contains_key("access-control-allow-origin"));
    assert_ne!(simple.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_cors_origin_written_with_a_trailing_slash_is_allowed() {
    let app = spawn_app_with(&[("FOLIO_CORS_ORIGINS", "https://www.example.com/")]).await;
    let response = app
        .request(Method::GET, "/api/v1/articles", None)
        .header("Origin", "https://www.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["access-control-allow-origin"], "https://www.example.com");
}

#[tokio::test]
async fn a_refresh_token_is_not_an_access_token() {
    let app = spawn_app().await;
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"email": crate::helpers::ADMIN_EMAIL, "password": crate::helpers::ADMIN_PASSWORD}),
        )
        .await;
    let body: serde_json::Value = login.json().await.unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    let response = app.get("/api/v1/auth/me", Some(refresh)).await;
    crate::helpers::problem(response, StatusCode::UNAUTHORIZED).await;
}
