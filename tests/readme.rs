//! The README's curl tour, run as written against the real binary: twice in a row,
//! on a fresh database and then on the one the first run filled.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The blocks fenced as `kind` (`sh`, `text`) of the README section under `heading`, in
/// order, as one text.
fn blocks(heading: &str, kind: &str) -> String {
    let readme = include_str!("../README.md");
    let start = readme.find(heading).unwrap();
    let end = start + readme[start..].find("\n## ").unwrap_or(readme.len() - start);
    let mut text = String::new();
    let mut in_block = false;
    let opening = format!("```{kind}");
    for line in readme[start..end].lines() {
        match line.trim() {
            fence if fence == opening => in_block = true,
            "```" => in_block = false,
            _ if in_block => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    assert!(!text.is_empty(), "the README's {heading} has a {kind} block");
    text
}

/// The tour's shell blocks, in order, as one script.
fn tour() -> String {
    blocks("## A tour with curl", "sh")
}

/// folio on a fresh SQLite database in `dir`, with the README's first admin and `extra`
/// settings; and its base URL once it is ready.
async fn start(dir: &std::path::Path, extra: &[(&str, &str)]) -> (std::process::Child, String) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_folio"));
    command
        .current_dir(dir)
        .env("DATABASE_URL", "sqlite://folio.db")
        .env("FOLIO_BIND", format!("127.0.0.1:{port}"))
        .env("FOLIO_JWT_SECRET", "readme tour secret long enough for hs256")
        // The README's first command.
        .env("FOLIO_ADMIN_EMAIL", "admin@example.com")
        .env("FOLIO_ADMIN_PASSWORD", "change me, please")
        .env("RUST_LOG", "error")
        .envs(extra.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let server = command.spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !reqwest::get(format!("{base}/ready")).await.is_ok_and(|r| r.status().is_success()) {
        assert!(Instant::now() < deadline, "folio did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (server, base)
}

fn has_jq() -> bool {
    Command::new("jq").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_tour_runs_as_written_twice_in_a_row() {
    assert!(has_jq(), "the tour needs jq (apt-get install jq)");
    let dir = tempfile::tempdir().unwrap();
    let (mut server, base) = start(dir.path(), &[]).await;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_bilingual_site_prints_what_the_readme_says() {
    assert!(has_jq(), "the example needs jq (apt-get install jq)");
    let dir = tempfile::tempdir().unwrap();
    let site = [("FOLIO_LOCALES", "en,fr"), ("FOLIO_SITE_URL", "https://clinic.example")];
    let (mut server, base) = start(dir.path(), &site).await;
    let script = blocks("## Translations", "sh").replace("http://127.0.0.1:8080", &base);
    let output = Command::new("bash").arg("-euo").arg("pipefail").arg("-c").arg(&script).output().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout, blocks("## Translations", "text"));
}
