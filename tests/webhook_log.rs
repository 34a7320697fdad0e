//! A delivery's attempt log through the real binary: every attempt's time, status,
//! error and duration, oldest first, kept with the delivery.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

mod support;

use support::api::{env, retries, Api};
use support::database::TestDatabase;
use support::receiver::{Mode, Receiver};

/// Webhook `hook`'s one delivery once `done` holds for it.
async fn delivery_when(api: &Api, hook: i64, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = api.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
        if let Some(row) = log["data"].as_array().unwrap().first().filter(|row| done(row)) {
            return row.clone();
        }
        assert!(Instant::now() < deadline, "the delivery of webhook {hook} did not get there: {log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_lists_every_attempt_oldest_first_with_status_error_and_duration() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(2)).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let vars = retries("1,1");
    let api = Api::start(&db.url, &env(&vars)).await;
    let (hook, _) = api.webhook(&receiver.url(), &["article.published"]).await;
    // Nothing listens there: no attempt gets an answer.
    let (dead_hook, _) = api.webhook(&format!("http://{closed}/hook"), &["article.published"]).await;
    api.publish("Logged attempt by attempt").await;

    let row = delivery_when(&api, hook, |row| row["delivered_at"].is_string()).await;
    let one = api.get(&format!("/api/v1/webhooks/{hook}/deliveries/{}", row["id"])).await;
    for field in ["id", "event_id", "type", "attempts", "last_status", "last_error", "next_attempt_at", "delivered_at"]
    {
        assert_eq!(one[field], row[field], "{field}: the listed delivery, and more");
    }
    let log = one["attempt_log"].as_array().unwrap();
    let statuses: Vec<Option<i64>> = log.iter().map(|a| a["status"].as_i64()).collect();
    assert_eq!(statuses, vec![Some(500), Some(500), Some(200)], "{one}");
    assert!(log[0]["error"].as_str().unwrap().contains("500") && log[2]["error"].is_null(), "{one}");
    let times: Vec<&str> = log.iter().map(|a| a["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_unstable();
    assert_eq!(times, sorted, "oldest first");
    assert!(log.iter().all(|a| a["duration_ms"].as_i64().is_some_and(|ms| (0..10_000).contains(&ms))), "{one}");

    // Given up after three attempts, none answered: status null each time, and why.
    let row = delivery_when(&api, dead_hook, |row| row["attempts"] == 3 && row["next_attempt_at"].is_null()).await;
    let one = api.get(&format!("/api/v1/webhooks/{dead_hook}/deliveries/{}", row["id"])).await;
    let log = one["attempt_log"].as_array().unwrap();
    assert_eq!(log.len(), 3, "{one}");
    assert!(log.iter().all(|a| a["status"].is_null() && a["error"].is_string()), "{one}");

    // Another webhook's delivery, or none, is not found under this webhook.
    for path in [
        format!("/api/v1/webhooks/{hook}/deliveries/{}", row["id"]),
        format!("/api/v1/webhooks/{hook}/deliveries/999999"),
    ] {
        let (status, body) = api.send(reqwest::Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }

    // A redelivery is one attempt more in the same log.
    let delivered = api.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await["data"][0]["id"].clone();
    let (status, _) = api.post(&format!("/api/v1/webhooks/{hook}/deliveries/{delivered}/redeliver"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    delivery_when(&api, hook, |row| row["attempts"] == 4 && row["delivered_at"].is_string()).await;
    let one = api.get(&format!("/api/v1/webhooks/{hook}/deliveries/{delivered}")).await;
    assert_eq!(one["attempt_log"].as_array().unwrap().len(), 4, "{one}");
}
