//! The real `folio` binary as an operator meets it: bad settings, where it listens,
//! and what its logs look like when they go to a file.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

const SECRET: &str = "startup test secret long enough for hs256";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn folio(dir: &tempfile::TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_folio"));
    command
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("FOLIO_JWT_SECRET", SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `serve` with `DATABASE_URL` and returns what it printed, and how long it took to stop.
fn refused_start(database_url: &str) -> (Output, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = folio(&dir)
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("FOLIO_BIND", format!("127.0.0.1:{}", free_port()))
        .spawn()
        .unwrap();
    // Never wait longer than the contract allows plus a margin; a server that
    // started is a failure too.
    while started.elapsed() < Duration::from_secs(5) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    if child.try_wait().unwrap().is_none() {
        child.kill().unwrap();
    }
    (child.wait_with_output().unwrap(), elapsed)
}

#[test]
fn a_database_url_that_cannot_work_stops_start_up_at_once_with_one_line() {
    let cases = [
        ("sqlite://no/such/dir/folio.db", "no/such/dir/folio.db"),
        ("sqlite:///proc/folio.db", "/proc/folio.db"),
        ("not a url", "not a url"),
        ("folio.db", "folio.db"),
        ("mysql://db.example/folio", "mysql://db.example/folio"),
        // Nothing listens on port 1: refused at once, and the password never shown.
        ("postgres://folio:hunter2@127.0.0.1:1/folio", "127.0.0.1:1/folio"),
    ];
    for (url, named) in cases {
        let (output, elapsed) = refused_start(url);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{url}: must not start");
        assert!(elapsed < Duration::from_secs(2), "{url}: took {elapsed:?}");
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{url}: one line, got {stderr}");
        let line = lines[0];
        assert!(line.contains("DATABASE_URL"), "{url}: {line}");
        assert!(line.contains(named), "{url}: the line names the path: {line}");
        assert!(line.contains("sqlite://PATH") && line.contains("postgres://"), "{url}: the forms: {line}");
        assert!(!line.contains("hunter2"), "{url}: the password is never printed: {line}");
    }
}

async fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if reqwest::get(format!("{base}/ready")).await.is_ok_and(|r| r.status() == StatusCode::OK) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("folio did not become ready at {base}");
}

/// Starts `serve` with `vars` on a fresh database, sends one bad login (a 4xx)
/// and one good read, stops it, and returns its stderr.
async fn logs_of_a_short_run(vars: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut command = folio(&dir);
    command.arg("serve").env("FOLIO_BIND", format!("localhost:{port}")).env("RUST_LOG", "info");
    for (name, value) in vars {
        command.env(name, value);
    }
    let child = command.spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base).await;
    let client = reqwest::Client::new();
    let refused = client.post(format!("{base}/api/v1/auth/login")).body("not json").send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let read = client.get(format!("{base}/api/v1/articles")).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stderr).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_to_a_file_have_no_colour_codes_and_no_warning_for_a_clients_mistake() {
    let logs = logs_of_a_short_run(&[]).await;
    assert!(logs.contains("folio is listening"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "no ANSI escape codes when not a terminal: {logs}");
    assert!(!logs.contains("WARN"), "a 4xx is no warning: {logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folio_log_format_json_writes_one_json_object_per_line() {
    let logs = logs_of_a_short_run(&[("FOLIO_LOG_FORMAT", "json")]).await;
    let lines: Vec<serde_json::Value> =
        logs.lines().filter(|l| !l.is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().any(|l| l["fields"]["message"] == "folio is listening"), "{logs}");
    assert!(lines.iter().all(|l| l["level"] != "WARN" && l["level"] != "ERROR"), "{logs}");
}

#[test]
fn a_bad_log_format_or_bind_address_is_one_line_naming_the_variable() {
    for (name, value) in
        [("FOLIO_LOG_FORMAT", "yaml"), ("FOLIO_BIND", "localhost"), ("FOLIO_BIND", "nohost.invalid:80")]
    {
        let dir = tempfile::tempdir().unwrap();
        let output = folio(&dir).arg("serve").env(name, value).output().unwrap();
        assert!(!output.status.success(), "{name}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{name}={value}: {stderr}");
        assert!(stderr.contains(name), "{name}={value}: {stderr}");
    }
}
