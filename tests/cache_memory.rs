//! A flood of distinct URIs for one article: the real binary's peak memory must stay
//! small, whatever the URIs look like (nothing is kept per URI).
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;
use support::Server;

const READS: usize = 12_000;
/// Each URI carries at least this many `&`s: 2 KB, short enough to send 12,000 of them
/// quickly to a debug build, long enough that keeping them all would show.
const PADDING: usize = 2_000;
const CLIENTS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twelve_thousand_padded_uris_of_one_article_keep_peak_memory_small() {
    let database = support::database::TestDatabase::new();
    let server = Server::start_on(&database.url, &[]).await;
    let client = reqwest::Client::new();
    let token = server.token(&client).await;
    let body = json!({"title": "Cached", "body_markdown": "A paragraph of words. ".repeat(400), "status": "published"});
    let id = server.create_article(&client, &token, &body).await;
    let canonical = client.get(server.url(&format!("/api/v1/articles/{id}"))).send().await.unwrap();
    assert_eq!(canonical.status(), StatusCode::OK);
    let expected = canonical.bytes().await.unwrap();
    let before = server.memory_kb("VmHWM");

    let server = Arc::new(server);
    let mut tasks = Vec::new();
    for worker in 0..CLIENTS {
        let (client, server, expected) = (client.clone(), server.clone(), expected.clone());
        tasks.push(tokio::spawn(async move {
            for n in (worker..READS).step_by(CLIENTS) {
                // Every URI distinct, every one naming the same article: leading zeros
                // in the id, then empty query parameters.
                let uri = format!("/api/v1/articles/{}{id}?{}", "0".repeat(n % 100), "&".repeat(PADDING + n / 100));
                let response = client.get(server.url(&uri)).send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK, "read {n}");
                assert_eq!(response.bytes().await.unwrap(), expected, "read {n} is the article");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let after = server.memory_kb("VmHWM");
    let grown_mb = after.saturating_sub(before) / 1024;
    eprintln!("VmHWM before {} MB, after {READS} padded reads {} MB (+{grown_mb} MB)", before / 1024, after / 1024);
    assert!(grown_mb < 24, "peak memory grew by {grown_mb} MB over {READS} reads of one article");
}
