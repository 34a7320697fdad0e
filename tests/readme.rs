//! The README's curl tour, run as written against the real binary: twice in a row,
//! on a fresh database and then on the one the first run filled.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The tour's shell blocks, in order, as one script.
fn tour() -> String {
    let readme = include_str!("../README.md");
    let start = readme.find("## A tour with curl").unwrap();
    let end = start + readme[start..].find("\n## ").unwrap_or(readme.len() - start);
    let mut script = String::new();
    let mut in_block = false;
    for line in readme[start..end].lines() {
        match line.trim() {
            "```sh" => in_block = true,
            "```" => in_block = false,
            _ if in_block => {
                script.push_str(line);
                script.push('\n');
            }
            _ => {}
        }
    }
    assert!(script.contains("curl"), "the README has a tour");
    script
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_tour_runs_as_written_twice_in_a_row() {
    assert!(
        Command::new("jq").arg("--version").output().is_ok_and(|o| o.status.success()),
        "the tour needs jq (apt-get install jq)"
    );
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_folio"))
        .current_dir(dir.path())
        .env("DATABASE_URL", "sqlite://folio.db")
        .env("FOLIO_BIND", format!("127.0.0.1:{port}"))
        .env("FOLIO_JWT_SECRET", "readme tour secret long enough for hs256")
        // The README's first command.
        .env("FOLIO_ADMIN_EMAIL", "admin@example.com")
        .env("FOLIO_ADMIN_PASSWORD", "change me, please")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !reqwest::get(format!("{base}/ready")).await.is_ok_and(|r| r.status().is_success()) {
        assert!(Instant::now() < deadline, "folio did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let script = tour().replace("http://127.0.0.1:8080", &base);
    let mut outputs = Vec::new();
    for run in 1..=2 {
        let output = Command::new("bash").arg("-euo").arg("pipefail").arg("-c").arg(&script).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "run {run} failed: {stdout}\n{stderr}");
        assert!(!stdout.contains("about:blank"), "run {run} got a problem: {stdout}");
        assert!(stdout.contains("\"title\": \"Hello again\""), "run {run}: the PATCH took: {stdout}");
        assert!(stdout.contains("\"reading_time_minutes\": 1"), "run {run}: the public read: {stdout}");
        outputs.push(stdout);
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(outputs[1].contains("\"total\": 2"), "the second run adds a second article: {}", outputs[1]);
}
