//! Receivers that hang, through the real binary: a dead endpoint delays only its own
//! deliveries, is backed off once it keeps timing out, and test pings cannot pile up.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

mod support;

use support::api::Api;
use support::database::TestDatabase;
use support::receiver::{Mode, Receiver};

/// Polls webhook `hook`'s log until a delivery's `last_error` contains `text`.
async fn logged(api: &Api, hook: i64, text: &str, seconds: u64) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let log = api.get(&format!("/api/v1/webhooks/{hook}/deliveries?per_page=100")).await;
        let found = log["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["last_error"].as_str().is_some_and(|error| error.contains(text)));
        if let Some(row) = found {
            return row.clone();
        }
        assert!(Instant::now() < deadline, "no delivery of webhook {hook} says {text:?} within {seconds} s: {log}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receivers_that_never_answer_delay_only_their_own_deliveries() {
    let db = TestDatabase::new();
    let mut hanging = Vec::new();
    for _ in 0..16 {
        hanging.push(Receiver::start(Mode::Hang).await);
    }
    let healthy = Receiver::start(Mode::RefuseFirst(0)).await;
    let api = Api::start(&db.url, &[]).await;
    // The hanging ones first: their sends come first in every event's fan-out.
    let mut hung_hooks = Vec::new();
    for receiver in &hanging {
        hung_hooks.push(api.webhook(&receiver.url(), &["article.published"]).await.0);
    }
    api.webhook(&healthy.url(), &["article.published"]).await;

    let mut published = HashMap::new();
    for n in 0..20 {
        let id = api.publish(&format!("While others hang {n}")).await;
        published.insert(id, Instant::now());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let arrived = healthy.wait_for(30, "every event at the healthy receiver", |all| all.len() >= 20).await;
    let mut latencies: Vec<Duration> = arrived
        .iter()
        .map(|r| r.at.saturating_duration_since(published[&r.json()["data"]["id"].as_i64().unwrap()]))
        .collect();
    latencies.sort_unstable();
    let (p50, max) = (latencies[latencies.len() / 2], latencies[latencies.len() - 1]);
    eprintln!(
        "delivery to the healthy receiver while 16 others hang: p50 {p50:?}, max {max:?} (n={})",
        latencies.len()
    );
    assert!(max < Duration::from_secs(5), "a healthy delivery waited for the hanging ones: max {max:?}");

    // Each hanging endpoint times out, is backed off, and its log says so.
    let row = logged(&api, hung_hooks[0], "backed off", 40).await;
    assert!(row["last_status"].is_null(), "{row}");
    assert!(row["next_attempt_at"].is_string(), "a backed-off delivery is retried later: {row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_test_ping_while_one_is_pending_gets_429_with_retry_after() {
    let db = TestDatabase::new();
    let (dead, alive) = (Receiver::start(Mode::Hang).await, Receiver::start(Mode::RefuseFirst(0)).await);
    let api = Api::start(&db.url, &[]).await;
    let (dead_hook, _) = api.webhook(&dead.url(), &["tag.created"]).await;
    let (alive_hook, _) = api.webhook(&alive.url(), &["tag.created"]).await;
    let ping = |hook: i64| {
        let request = api.client.post(api.server.url(&format!("/api/v1/webhooks/{hook}/test"))).bearer_auth(&api.token);
        async move { request.send().await.unwrap() }
    };

    assert_eq!(ping(dead_hook).await.status(), StatusCode::ACCEPTED);
    dead.wait_for(10, "the first ping", |all| !all.is_empty()).await;
    for _ in 0..3 {
        let refused = ping(dead_hook).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
        assert_eq!(refused.headers()["content-type"], "application/problem+json");
    }
    // The limit is per webhook.
    assert_eq!(ping(alive_hook).await.status(), StatusCode::ACCEPTED);
    alive.wait_for(10, "the other webhook's ping", |all| !all.is_empty()).await;

    // Once the first ping's attempt is over (no answer within 10 s), another may go.
    logged(&api, dead_hook, "no answer within 10 s", 20).await;
    assert_eq!(ping(dead_hook).await.status(), StatusCode::ACCEPTED);
}
