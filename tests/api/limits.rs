//! Bounds on what one request may make the server do: repeated query parameters,
//! slow bodies, and that nothing is kept per URI.

use reqwest::StatusCode;

use crate::helpers::{json_body, problem, spawn_app};

fn tags(n: usize) -> String {
    (0..n).map(|i| format!("tag=t{i}")).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn more_than_twenty_tag_filters_are_422_naming_tag_and_twenty_are_served() {
    let app = spawn_app().await;
    let served = app.get(&format!("/api/v1/articles?{}", tags(20)), None).await;
    json_body(served, StatusCode::OK).await;
    for n in [21, 1_001, 3_000] {
        let refused = app.get(&format!("/api/v1/articles?{}", tags(n)), None).await;
        let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], "tag", "{n} tags: {body}");
    }
}

/// A published article's id, created by the admin.
async fn published(app: &crate::helpers::TestApp) -> i64 {
    let body = serde_json::json!({"title": "Cached", "body_markdown": "Words.", "status": "published"});
    app.article(&app.admin, body).await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn leading_zeros_and_empty_parameters_read_the_one_article() {
    let app = spawn_app().await;
    let id = published(&app).await;
    let canonical = app.get(&format!("/api/v1/articles/{id}"), None).await;
    let etag = canonical.headers()["etag"].clone();
    for path in [
        format!("/api/v1/articles/000{id}"),
        format!("/api/v1/articles/{id}?&&&"),
        format!("/api/v1/articles/{}", id.to_string().bytes().map(|b| format!("%{b:02X}")).collect::<String>()),
    ] {
        let response = app.get(&path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["etag"], etag, "{path} is the same article");
    }
}

#[tokio::test]
async fn an_article_read_often_still_refuses_unknown_query_parameters() {
    let app = spawn_app().await;
    let id = published(&app).await;
    for _ in 0..2 {
        json_body(app.get(&format!("/api/v1/articles/{id}"), None).await, StatusCode::OK).await;
    }
    let refused = app.get(&format!("/api/v1/articles/{id}?bogus=1"), None).await;
    let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "bogus");
}

/// Sends `head` and then a body of `Content-Length: 100` a byte every half second, and
/// returns what the server answered and how long the connection stayed open.
async fn trickle(address: &str, head: &'static str) -> (String, std::time::Duration) {
    use std::io::{Read, Write};
    let addr = address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(15))).unwrap();
        let started = std::time::Instant::now();
        let mut writer = stream.try_clone().unwrap();
        let head = format!("{head}\r\nHost: folio\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
        writer.write_all(head.as_bytes()).unwrap();
        let sender = std::thread::spawn(move || {
            for _ in 0..30 {
                if writer.write_all(b" ").is_err() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
        });
        let mut answer = Vec::new();
        // Ends when the server closes the connection (or the read timeout fails the test).
        let read = stream.read_to_end(&mut answer);
        let open = started.elapsed();
        assert!(read.is_ok(), "the connection was still open after {open:?}: {read:?}");
        drop(stream);
        let _ = sender.join();
        (String::from_utf8_lossy(&answer).into_owned(), open)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_body_still_arriving_at_the_deadline_gets_408_and_the_connection_is_closed() {
    let app = crate::helpers::spawn_app_with(&[("FOLIO_BODY_TIMEOUT_SECONDS", "2")]).await;
    let (answer, open) = trickle(&app.address, "POST /api/v1/auth/login HTTP/1.1").await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(open < std::time::Duration::from_secs(5), "408 after {open:?}, deadline 2 s");
}

#[tokio::test]
async fn a_slow_body_nobody_reads_does_not_hold_the_connection_either() {
    let app = crate::helpers::spawn_app_with(&[("FOLIO_BODY_TIMEOUT_SECONDS", "2")]).await;
    let (answer, open) = trickle(&app.address, "DELETE /api/v1/tags/1 HTTP/1.1").await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(open < std::time::Duration::from_secs(5), "connection open for {open:?}, deadline 2 s");
}

#[tokio::test]
async fn every_operation_declares_503_and_every_body_taking_one_408() {
    let app = spawn_app().await;
    let spec = json_body(app.get("/api/v1/openapi.json", None).await, StatusCode::OK).await;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            assert!(responses.get("503").is_some(), "{method} {path} does not declare 503");
            if operation.get("requestBody").is_some() {
                assert!(responses.get("408").is_some(), "{method} {path} does not declare 408");
            }
        }
    }
    let unavailable = &spec["components"]["responses"]["Unavailable"];
    assert!(unavailable["headers"].get("Retry-After").is_some(), "{unavailable}");
}
