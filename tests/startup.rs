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
    }
}

/// Starts `serve` on `url` and checks that it stopped within 5 s with one line naming
/// `DATABASE_URL` and never `password`, nor any part of it; gives the line.
fn refused_without_the_password(url: &str, password: &str) -> String {
    let (output, elapsed) = refused_start(url);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "{url}: must not start");
    assert!(elapsed < Duration::from_secs(5), "{url}: took {elapsed:?}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{url}: one line, got {stderr}");
    assert!(lines[0].contains("DATABASE_URL"), "{url}: {stderr}");
    for part in password.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        assert!(!stderr.contains(part), "{url}: the password ({part}) is never printed: {stderr}");
    }
    lines[0].to_owned()
}

#[test]
fn a_malformed_postgres_url_is_one_line_with_the_accepted_forms_and_never_the_password() {
    // Each password is written as the URL has it, and every word of it must stay hidden.
    let cases = [
        ("postgres://folio:S3cret%PW@127.0.0.1/folio", "S3cret%PW"),
        ("postgres://folio:S3cret%0PW@127.0.0.1/folio", "S3cret%0PW"),
        ("postgres://folio:S3cret%00PW@127.0.0.1/folio", "S3cret%00PW"),
        ("postgres://folio:S3cretPW@[::1/folio", "S3cretPW"),
        ("postgresql://folio:S3cretPW@[]:5432/folio", "S3cretPW"),
        ("postgres://folio:S3cretPW@[::1]x/folio", "S3cretPW"),
        ("postgres://folio:S3cret@PW@127.0.0.1/folio", "S3cret@PW"),
        ("postgres://folio:S3cret/PW@127.0.0.1/folio", "S3cret/PW"),
        ("postgres://folio:S3cretPW@127.0.0.1:99999/folio", "S3cretPW"),
        ("postgres://folio:S3cretPW@127.0.0.1:5432x/folio", "S3cretPW"),
        ("postgres://127.0.0.1/folio?user=folio&password=S3cretPW&sslmode", "S3cretPW"),
        ("postgres://127.0.0.1/folio?password=S3cret%zzPW", "S3cret%zzPW"),
    ];
    for (url, password) in cases {
        let line = refused_without_the_password(url, password);
        assert!(line.contains("sqlite://PATH") && line.contains("postgres://"), "{url}: the forms: {line}");
    }
}

#[test]
fn a_closed_port_gets_asked_whether_postgres_runs_there_not_the_accepted_forms() {
    let port = free_port();
    let url = format!("postgres://folio:S3cretPW@127.0.0.1:{port}/folio");
    let line = refused_without_the_password(&url, "S3cretPW");
    assert!(line.contains(&format!("is PostgreSQL running at 127.0.0.1:{port}?")), "{line}");
    assert!(!line.contains("accepted forms"), "the URL is well-formed: {line}");
}

/// The test cluster's `postgres://USER@HOST:PORT/DB`, split into the part before the
/// user and the `HOST:PORT`.
fn test_cluster() -> (String, String) {
    let server = std::env::var("FOLIO_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| panic!("FOLIO_TEST_POSTGRES must name the test PostgreSQL server"));
    let (scheme, rest) = server.split_once("://").unwrap();
    let (_, host_and_db) = rest.rsplit_once('@').unwrap_or(("", rest));
    let host = host_and_db.split('/').next().unwrap();
    (scheme.to_owned(), host.to_owned())
}

#[test]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
fn a_missing_database_or_an_unknown_role_gets_a_fitting_hint_not_the_accepted_forms() {
    let (scheme, host) = test_cluster();
    let missing = format!("{scheme}://postgres:S3cretPW@{host}/folio_no_such_database");
    let line = refused_without_the_password(&missing, "S3cretPW");
    assert!(line.contains("CREATE DATABASE folio_no_such_database"), "{line}");
    assert!(!line.contains("accepted forms"), "{line}");

    let stranger = format!("{scheme}://folio_no_such_role:S3cretPW@{host}/postgres");
    let line = refused_without_the_password(&stranger, "S3cretPW");
    assert!(line.contains("check the user and password"), "{line}");
    assert!(!line.contains("accepted forms"), "{line}");
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

#[derive(diesel::QueryableByName)]
struct PlanStep {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// How SQLite runs the statement FTS5 deletes a merged segment's pages with, as a
/// connection opened on the file now plans it.
fn plan_of_fts5_range_delete(path: &std::path::Path) -> String {
    use diesel::{Connection, RunQueryDsl};
    let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let sql = "EXPLAIN QUERY PLAN DELETE FROM articles_fts_data WHERE id >= 1 AND id <= 2";
    let steps: Vec<PlanStep> = diesel::sql_query(sql).load(&mut conn).unwrap();
    steps.into_iter().map(|s| s.detail).collect::<Vec<_>>().join("; ")
}

/// The admin's access token, from the server at `base`.
async fn login(client: &reqwest::Client, base: &str) -> String {
    let login = serde_json::json!({"email": "admin@example.com", "password": "a long admin password"});
    let response = client.post(format!("{base}/api/v1/auth/login")).json(&login).send().await.unwrap();
    let session: serde_json::Value = response.json().await.unwrap();
    session["access_token"].as_str().unwrap().to_owned()
}

/// Creates article number `n` as `token`'s holder.
async fn create(client: &reqwest::Client, base: &str, token: &str, n: usize) {
    let article = serde_json::json!({"title": format!("Needling {n}"), "body_markdown": "Dry needling, again."});
    let created =
        client.post(format!("{base}/api/v1/articles")).bearer_auth(token).json(&article).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
}

/// Statistics taken when a site is new said the search index's pages were two rows:
/// every range FTS5 deleted while merging was then a scan of the whole index, and
/// creates slowed as the index grew. A new site's small tables are planned as
/// tables that will grow, before and after a restart with a few articles.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_sites_statistics_never_make_the_search_index_merges_scan_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("folio.db");
    let start = || {
        let port = free_port();
        let child = folio(&dir)
            .arg("serve")
            .env("DATABASE_URL", format!("sqlite://{}", path.display()))
            .env("FOLIO_BIND", format!("127.0.0.1:{port}"))
            .env("FOLIO_ADMIN_EMAIL", "admin@example.com")
            .env("FOLIO_ADMIN_PASSWORD", "a long admin password")
            .spawn()
            .unwrap();
        (child, format!("http://127.0.0.1:{port}"))
    };
    let stop = |child: std::process::Child| {
        Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
        child.wait_with_output().unwrap();
    };

    // The writer refreshes the statistics when it starts, before its first write: each
    // plan is read after a create.
    let client = reqwest::Client::new();
    let (child, base) = start();
    wait_ready(&base).await;
    let token = login(&client, &base).await;
    create(&client, &base, &token, 0).await;
    let plan = plan_of_fts5_range_delete(&path);
    assert!(plan.contains("INTEGER PRIMARY KEY"), "a new site: {plan}");
    for n in 1..20 {
        create(&client, &base, &token, n).await;
    }
    stop(child);

    let (child, base) = start();
    wait_ready(&base).await;
    let token = login(&client, &base).await;
    create(&client, &base, &token, 20).await;
    let plan = plan_of_fts5_range_delete(&path);
    assert!(plan.contains("INTEGER PRIMARY KEY"), "after a restart with 20 articles: {plan}");
    stop(child);
}
