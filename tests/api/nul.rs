//! A NUL character anywhere in a request is the client's mistake: a 4xx naming where it
//! was, never a 500, and nothing logged as an error or a warning (on PostgreSQL, which
//! refuses NUL in text, each used to be a 500 with an ERROR and a stack trace).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::database::TestDatabase;

const EMAIL: &str = "admin@example.com";
const PASSWORD: &str = "nul test admin password";

/// The fields a 422 names.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

/// The real binary as a process of its own with a fresh database, its log in a file and
/// its admin signed in: for the tests that read what folio logs.
pub(crate) struct LoggedServer {
    pub base: String,
    pub client: reqwest::Client,
    pub admin: String,
    child: std::process::Child,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
    _database: TestDatabase,
}

impl LoggedServer {
    /// Starts folio logging at `rust_log`, and logs its admin in.
    pub(crate) async fn start(rust_log: &str) -> Self {
        let database = TestDatabase::new();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("folio.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
            .arg("serve")
            .env("DATABASE_URL", &database.url)
            // Port 0: the port is read back from the log, so no other test's server can take it
            // between a free port being picked and folio binding it.
            .env("FOLIO_BIND", "127.0.0.1:0")
            .env("FOLIO_JWT_SECRET", "logged server secret that is long enough")
            .env("FOLIO_ADMIN_EMAIL", EMAIL)
            .env("FOLIO_ADMIN_PASSWORD", PASSWORD)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{}", listening_port(&mut child, &log));
        let client = reqwest::Client::new();
        let login =
            client.post(format!("{base}/api/v1/auth/login")).json(&json!({"email": EMAIL, "password": PASSWORD}));
        let admin =
            login.send().await.unwrap().json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
        Self { base, client, admin, child, log, _dir: dir, _database: database }
    }

    /// Stops folio (SIGTERM) and returns everything it logged.
    pub(crate) fn stop(mut self) -> String {
        Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        self.child.wait().unwrap();
        std::fs::read_to_string(&self.log).unwrap()
    }
}

/// The port folio says it listens on, once it does; panics with its log if it exits first
/// or takes over 20 s.
fn listening_port(child: &mut std::process::Child, log: &std::path::Path) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let logs = std::fs::read_to_string(log).unwrap_or_default();
        let port = logs.lines().filter(|line| line.contains("folio is listening")).find_map(|line| {
            let after = &line[line.find("port=")? + "port=".len()..];
            after.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        });
        if let Some(port) = port {
            return port;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("folio exited ({status}) before listening: {logs}");
        }
        assert!(Instant::now() < deadline, "folio did not listen within 20 s: {logs}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_anywhere_in_a_request_is_a_4xx_naming_it_and_logs_nothing() {
    let server = LoggedServer::start("info").await;
    let (base, client, token) = (server.base.clone(), server.client.clone(), server.admin.clone());
    let published = json!({"title": "Present", "body_markdown": "Text.", "tags": ["News"], "status": "published"});
    let created = client.post(format!("{base}/api/v1/articles")).bearer_auth(&token).json(&published);
    assert_eq!(created.send().await.unwrap().status(), StatusCode::CREATED);

    for (path, status, named) in [
        ("/api/v1/articles?q=a%00b", StatusCode::UNPROCESSABLE_ENTITY, vec!["q"]),
        ("/api/v1/articles?tag=a%00&section=b%00", StatusCode::UNPROCESSABLE_ENTITY, vec!["tag", "section"]),
        ("/api/v1/articles?page=1&q%00=x", StatusCode::UNPROCESSABLE_ENTITY, vec!["q\\0"]),
        ("/api/v1/articles/slug/present%00", StatusCode::NOT_FOUND, vec![]),
        ("/api/v1/sections/slug/a%00", StatusCode::NOT_FOUND, vec![]),
        ("/api/v1/tags/slug/news%00", StatusCode::NOT_FOUND, vec![]),
        ("/api/v1/articles/1%00", StatusCode::NOT_FOUND, vec![]),
    ] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
        let problem: Value = response.json().await.unwrap();
        if !named.is_empty() {
            assert_eq!(fields(&problem), named, "{path}: {problem}");
        }
    }

    let nul_login = json!({"email": "admin\u{0}@example.com", "password": PASSWORD});
    let refused = client.post(format!("{base}/api/v1/auth/login")).json(&nul_login).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&refused.json().await.unwrap()), ["/email"]);
    let article = json!({
        "title": "A\u{0}B",
        "body_markdown": "Text\u{0}.",
        "tags": ["ok", "bad\u{0}"],
        "metadata": {"key": "value\u{0}", "nested": {"list": ["\u{0}"]}},
    });
    let refused = client.post(format!("{base}/api/v1/articles")).bearer_auth(&token).json(&article);
    let refused = refused.send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut named = fields(&refused.json().await.unwrap());
    named.sort();
    assert_eq!(named, ["/body_markdown", "/metadata/key", "/metadata/nested/list/0", "/tags/1", "/title"]);

    let logs = server.stop();
    assert!(logs.contains("folio is listening"), "{logs}");
    assert!(!logs.contains("ERROR") && !logs.contains("WARN"), "a client's NUL is no error or warning: {logs}");
}
