//! The real `folio` binary as a child process, for tests that need its memory
//! figures or its own file system.
#![allow(
    dead_code,
    reason = "each test crate that includes this uses only part of it, so `expect` would be unfulfilled in some"
)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

pub mod api;
pub mod cluster;
pub mod database;
pub mod receiver;
use serde_json::{json, Value};

pub const EMAIL: &str = "admin@example.com";
pub const PASSWORD: &str = "process test admin password";

/// A port for a server to bind, free when asked. Taken below Linux's ephemeral range
/// (32768-60999), where every outgoing connection of the tests gets its own port, so
/// none of those can take it before folio binds it (a port the kernel picks for
/// `bind(0)` comes from that range); and never one given before in this test binary
/// (test binaries run one at a time).
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    // Test binaries start at different places, so one does not meet the ports the one
    // before it has just closed.
    let start = std::process::id() % 100 * 120;
    loop {
        let next = u32::from(NEXT.fetch_add(1, Ordering::Relaxed));
        let port = u16::try_from(20_000 + (start + next) % 12_000).unwrap();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A running `folio serve`, killed when dropped (also when a test fails half-way).
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts the binary on a free port with the SQLite database at `db`, and waits until ready.
    pub async fn start(db: &Path, extra: &[(&str, &str)]) -> Self {
        Self::start_on(&format!("sqlite://{}", db.display()), extra).await
    }

    /// Starts the binary on a free port with the database `database_url`, and waits until ready.
    pub async fn start_on(database_url: &str, extra: &[(&str, &str)]) -> Self {
        let server = Self::spawn_on(database_url, extra);
        server.ready().await;
        server
    }

    /// Starts the binary on a free port with the database `database_url`, without waiting:
    /// several can be started at the same instant, then awaited with [`Server::ready`].
    pub fn spawn_on(database_url: &str, extra: &[(&str, &str)]) -> Self {
        Self::spawn_wrapped(&[], database_url, extra)
    }

    /// Starts the binary as [`Server::spawn_on`] does, as the last arguments of `wrapper`
    /// (a command that sets something up and then runs it), and waits until ready.
    pub async fn start_wrapped(wrapper: &[&str], database_url: &str, extra: &[(&str, &str)]) -> Self {
        let server = Self::spawn_wrapped(wrapper, database_url, extra);
        server.ready().await;
        server
    }

    fn spawn_wrapped(wrapper: &[&str], database_url: &str, extra: &[(&str, &str)]) -> Self {
        let port = free_port();
        let folio = env!("CARGO_BIN_EXE_folio");
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(folio);
                command
            }
            None => Command::new(folio),
        };
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("FOLIO_BIND", format!("127.0.0.1:{port}"))
            .env("FOLIO_JWT_SECRET", "process test secret long enough for hs256")
            .env("FOLIO_ADMIN_EMAIL", EMAIL)
            .env("FOLIO_ADMIN_PASSWORD", PASSWORD)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(if std::env::var_os("FOLIO_TEST_LOG").is_some() { Stdio::inherit() } else { Stdio::null() });
        for (name, value) in extra {
            command.env(name, value);
        }
        Self { child: command.spawn().unwrap(), base: format!("http://127.0.0.1:{port}") }
    }

    /// Waits until `/ready` answers 200; panics after 20 s.
    pub async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let ready = reqwest::get(format!("{}/ready", self.base)).await;
            if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("folio did not become ready");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The admin's access token.
    pub async fn token(&self, client: &reqwest::Client) -> String {
        let response = client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": EMAIL, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "admin login");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// `POST /api/v1/articles` with `body`, as the bearer of `token`, whatever the answer.
    pub async fn post_article(&self, client: &reqwest::Client, token: &str, body: &Value) -> reqwest::Response {
        client.post(self.url("/api/v1/articles")).bearer_auth(token).json(body).send().await.unwrap()
    }

    /// Creates an article and returns its id, checking that it was created.
    pub async fn create_article(&self, client: &reqwest::Client, token: &str, body: &Value) -> i64 {
        let response = self.post_article(client, token, body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "creating {body}");
        response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    /// A `/proc/PID/status` figure in kB, such as `VmHWM` (peak resident memory).
    pub fn memory_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with(&format!("{field}:"))).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

/// A published article's input.
pub fn published(title: &str) -> Value {
    json!({"title": title, "body_markdown": format!("The body of {title}."), "status": "published"})
}

/// The statuses of GETs of `urls`, sent at once.
pub async fn statuses(client: &reqwest::Client, urls: &[String], token: &str) -> Vec<StatusCode> {
    let tasks: Vec<_> = urls
        .iter()
        .map(|url| {
            let request = client.get(url).bearer_auth(token);
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

/// Creates articles on `base` in a loop until `stop` or a transport error, counting them in
/// `made`; the ids made, and any status other than 201.
pub fn writer(
    client: &reqwest::Client,
    base: String,
    token: &str,
    tag: &'static str,
    stop: Arc<AtomicBool>,
    made: Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<(Vec<i64>, Vec<StatusCode>)> {
    let (client, token) = (client.clone(), token.to_owned());
    tokio::spawn(async move {
        let (mut ids, mut other) = (Vec::new(), Vec::new());
        for n in 0.. {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let body = published(&format!("{tag} {n}"));
            let sent = client.post(format!("{base}/api/v1/articles")).bearer_auth(&token).json(&body).send().await;
            match sent {
                Ok(r) if r.status() == StatusCode::CREATED => {
                    let Ok(created) = r.json::<Value>().await else { break };
                    ids.push(created["id"].as_i64().unwrap());
                    made.fetch_add(1, Ordering::SeqCst);
                }
                Ok(r) => other.push(r.status()),
                Err(_) => break,
            }
        }
        (ids, other)
    })
}
