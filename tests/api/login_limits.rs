//! The login limits hold however parallel the attempts, and the client address
//! they count by comes from `X-Forwarded-For` only behind a trusted proxy.

use reqwest::StatusCode;
use serde_json::json;
use tokio::task::JoinHandle;

use crate::helpers::{problem, spawn_app, spawn_app_with, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

/// Sends a login in its own task, so that many are in flight at once.
fn login_task(app: &TestApp, email: &str, password: &str, forwarded_for: Option<&str>) -> JoinHandle<StatusCode> {
    let mut request =
        app.client.post(app.url("/api/v1/auth/login")).json(&json!({"email": email, "password": password}));
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    tokio::spawn(async move { request.send().await.expect("request sent").status() })
}

async fn statuses(tasks: Vec<JoinHandle<StatusCode>>) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    statuses
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn forty_parallel_wrong_passwords_for_one_email_get_at_most_ten_401s() {
    let app = spawn_app().await;

    let tasks = (0..40).map(|_| login_task(&app, ADMIN_EMAIL, "a wrong password", None)).collect();
    let statuses = statuses(tasks).await;

    let (checked, refused) =
        (count(&statuses, StatusCode::UNAUTHORIZED), count(&statuses, StatusCode::TOO_MANY_REQUESTS));
    assert!(checked <= 10, "{checked} password checks failed for one email: {statuses:?}");
    assert_eq!(checked + refused, 40, "the rest are refused: {statuses:?}");
    let late = app.login_response(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(late.status(), StatusCode::TOO_MANY_REQUESTS, "ten failures lock the email, right password or not");
}

#[tokio::test]
async fn the_right_password_in_a_parallel_burst_is_refused_once_ten_checks_are_under_way() {
    let app = spawn_app().await;
    let mut wrong: Vec<_> = (0..89).map(|_| login_task(&app, ADMIN_EMAIL, "a wrong password", None)).collect();
    // Once one of the burst is refused, ten checks are counted (in progress or done).
    let mut done = Vec::new();
    while let Some(position) = wrong.iter().position(JoinHandle::is_finished).or((!wrong.is_empty()).then_some(0)) {
        let status = wrong.remove(position).await.expect("task");
        done.push(status);
        if status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
    }

    let right = app.login_response(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let right = problem(right, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(right["detail"].as_str().is_some_and(|d| d.contains("retry")), "{right}");
    done.extend(statuses(wrong).await);
    assert!(count(&done, StatusCode::UNAUTHORIZED) <= 10, "{done:?}");
}

#[tokio::test]
async fn a_success_clears_the_emails_failures() {
    let app = spawn_app().await;
    for _ in 0..9 {
        assert_eq!(app.login_response(ADMIN_EMAIL, "a wrong password").await.status(), StatusCode::UNAUTHORIZED);
    }
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let tasks = (0..10).map(|_| login_task(&app, ADMIN_EMAIL, "a wrong password", None)).collect();

    assert_eq!(count(&statuses(tasks).await, StatusCode::UNAUTHORIZED), 10, "ten more may be tried");
}

#[tokio::test]
async fn without_trusted_proxies_x_forwarded_for_cannot_dodge_the_client_limit() {
    let app = spawn_app_with(&[("FOLIO_LOGIN_MAX_FAILURES_PER_CLIENT", "3")]).await;
    for n in 0..3 {
        let status = login_task(&app, &format!("u{n}@example.com"), "wrong", Some(&format!("198.51.100.{n}"))).await;
        assert_eq!(status.expect("task"), StatusCode::UNAUTHORIZED);
    }

    let spoofed = login_task(&app, "other@example.com", "wrong", Some("203.0.113.99")).await.expect("task");

    assert_eq!(spoofed, StatusCode::TOO_MANY_REQUESTS, "the header is ignored when the peer is not a trusted proxy");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = spawn_app_with(&[
        ("FOLIO_LOGIN_MAX_FAILURES_PER_CLIENT", "3"),
        ("FOLIO_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1"),
    ])
    .await;
    for n in 0..3 {
        // The proxy chain 10.1.2.3 is trusted too; the client is the address before it.
        let status = login_task(&app, &format!("u{n}@example.com"), "wrong", Some("203.0.113.7, 10.1.2.3")).await;
        assert_eq!(status.expect("task"), StatusCode::UNAUTHORIZED);
    }

    let same = login_task(&app, "other@example.com", "wrong", Some("203.0.113.7")).await.expect("task");
    // A client that writes a made-up address in front is still known by the address the proxy saw.
    let spoofing = login_task(&app, "other@example.com", "wrong", Some("192.0.2.1, 203.0.113.7")).await.expect("task");
    let another = login_task(&app, "other@example.com", "wrong", Some("203.0.113.8")).await.expect("task");

    assert_eq!(same, StatusCode::TOO_MANY_REQUESTS, "the forwarded client has used its failures");
    assert_eq!(spoofing, StatusCode::TOO_MANY_REQUESTS, "the right-most untrusted address counts");
    assert_eq!(another, StatusCode::UNAUTHORIZED, "another forwarded client counts separately");
}
