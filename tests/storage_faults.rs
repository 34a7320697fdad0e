//! The real binary when its disk fills under it: writes answer 503 with
//! `Retry-After`, reads keep working, and writes work again once there is room. Needs root (it mounts a small tmpfs); without it the test says why and passes.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::Server;

/// A tmpfs mounted for the test, unmounted however the test ends.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Result<Self, String> {
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .map_err(|e| e.to_string())?;
        match output.status.success() {
            true => Ok(Self(at.to_owned())),
            false => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
        }
    }

    /// Writes zeros until the file system refuses more.
    fn fill(&self) -> PathBuf {
        let path = self.0.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while file.write_all(&chunk).is_ok() {}
        while file.write_all(&chunk[..512]).is_ok() {}
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazily: a server still holding files open must not keep the mount alive.
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Sends a write, and checks it is refused with 503, problem+json and Retry-After.
async fn refused(client: &reqwest::Client, server: &Server, token: &str, what: &str) {
    let body = json!({"title": format!("Big {what}"), "body_markdown": "Words that take room. ".repeat(20_000)});
    let response = client.post(server.url("/api/v1/articles")).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    let retry = response.headers().get("retry-after").cloned();
    let content_type = response.headers().get("content-type").cloned();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "a write with the disk {what}: {text}");
    assert!(retry.is_some(), "503 without Retry-After with the disk {what}");
    assert_eq!(content_type.unwrap(), "application/problem+json");
    let small = json!({"title": format!("Small {what}"), "body_markdown": "Words."});
    let response = client.post(server.url("/api/v1/articles")).bearer_auth(token).json(&small).send().await.unwrap();
    let status = response.status();
    assert!(!status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE, "small write: {status}");
}

/// Reads the article as the admin (past the cache) and the public list.
async fn readable(client: &reqwest::Client, server: &Server, token: &str, id: i64, what: &str) {
    let one = client.get(server.url(&format!("/api/v1/articles/{id}"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(one.status(), StatusCode::OK, "reading an article with the disk {what}");
    let list = client.get(server.url("/api/v1/articles?per_page=5")).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::OK, "listing articles with the disk {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_makes_writes_503_while_reads_keep_working_and_writes_resume_after() {
    let dir = tempfile::tempdir().unwrap();
    let disk = match Tmpfs::mount(dir.path(), "8m") {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("skipped: mounting a tmpfs needs root (CI runs as root): {why}");
            return;
        }
    };
    let server = Server::start(&dir.path().join("folio.db"), &[]).await;
    let client = reqwest::Client::new();
    let token = server.token(&client).await;
    let article = json!({"title": "Before", "body_markdown": "Words.", "status": "published"});
    let response = client.post(server.url("/api/v1/articles")).bearer_auth(&token).json(&article).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let filler = disk.fill();
    refused(&client, &server, &token, "full").await;
    readable(&client, &server, &token, id, "full").await;

    std::fs::remove_file(filler).unwrap();
    let after = json!({"title": "After", "body_markdown": "Words."});
    let response = client.post(server.url("/api/v1/articles")).bearer_auth(&token).json(&after).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "writes work again once the disk has room");
    drop(server);
    drop(disk);
}
