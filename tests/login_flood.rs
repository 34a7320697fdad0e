//! The real `folio` binary under a flood of failed logins: memory stays bounded,
//! public reads stay fast, and load that is shed is not counted against anyone.
//! Also: a bad `FOLIO_TRUSTED_PROXIES` stops start-up.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

const EMAIL: &str = "admin@example.com";
const PASSWORD: &str = "flood admin password";
const FLOOD: usize = 200;
/// Of the flood, this many are wrong passwords for the admin's email.
const AT_ADMIN: usize = 40;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(db: &Path) -> Server {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("FOLIO_BIND", format!("127.0.0.1:{port}"))
        .env("FOLIO_JWT_SECRET", "flood secret that is long enough for hs256")
        .env("FOLIO_ADMIN_EMAIL", EMAIL)
        .env("FOLIO_ADMIN_PASSWORD", PASSWORD)
        // Every request comes from 127.0.0.1: lift the per-client limit so that the
        // flood reaches the password checks instead of being refused up front.
        .env("FOLIO_LOGIN_MAX_FAILURES_PER_CLIENT", "1000000")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if reqwest::get(format!("{}/ready", server.base)).await.is_ok_and(|r| r.status() == StatusCode::OK) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("folio did not become ready");
}

/// Peak resident memory of process `pid`, in MiB.
fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

async fn login(client: &reqwest::Client, base: &str, email: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

fn p90(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[(times.len() * 9 / 10).min(times.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_keeps_memory_bounded_and_public_reads_fast() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("flood.db")).await;
    let pid = server.child.id();
    let client = reqwest::Client::builder().pool_max_idle_per_host(256).build().unwrap();
    let base = server.base.clone();
    let token: Value = login(&client, &base, EMAIL, PASSWORD).await.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    for n in 0..5 {
        let body = json!({"title": format!("Public {n}"), "body_markdown": "Words.", "status": "published"});
        let r = client.post(format!("{base}/api/v1/articles")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let rss_before = peak_rss_mib(pid);

    let flooding = Arc::new(AtomicBool::new(true));
    // Readers arrive at a steady rate, as a site's visitors do, so a stall shows in
    // every read that arrives during it rather than in one slow sample.
    let reader = {
        let (base, flooding) = (base.clone(), flooding.clone());
        // Its own connections, so reads never wait behind the flood's in the client.
        let client = reqwest::Client::new();
        tokio::spawn(async move {
            let mut reads = Vec::new();
            while flooding.load(Ordering::SeqCst) {
                let (client, base) = (client.clone(), base.clone());
                reads.push(tokio::spawn(async move {
                    let started = Instant::now();
                    let r = client.get(format!("{base}/api/v1/articles?per_page=5")).send().await.unwrap();
                    assert_eq!(r.status(), StatusCode::OK);
                    r.bytes().await.unwrap();
                    started.elapsed()
                }));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let mut times = Vec::new();
            for read in reads {
                times.push(read.await.unwrap());
            }
            times
        })
    };
    let started = Instant::now();
    let logins: Vec<_> = (0..FLOOD)
        .map(|n| {
            let (client, base) = (client.clone(), base.clone());
            let email = if n % (FLOOD / AT_ADMIN) == 0 { EMAIL.to_owned() } else { format!("flood{n}@example.com") };
            tokio::spawn(async move {
                let r = login(&client, &base, &email, "a wrong password for the flood").await;
                let retry_after = r.headers().contains_key("retry-after");
                (email, r.status(), retry_after)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in logins {
        answers.push(task.await.unwrap());
    }
    let flood_seconds = started.elapsed().as_secs_f64();
    flooding.store(false, Ordering::SeqCst);
    let reads = reader.await.unwrap();
    let peak = peak_rss_mib(pid);
    let count = |status| answers.iter().filter(|a| a.1 == status).count();
    let read_p90 = p90(reads.clone());
    eprintln!(
        "login flood: {FLOOD} logins in {flood_seconds:.1} s ({} 401, {} 503, {} 429); peak RSS {rss_before} -> {peak} MiB; \
         {} public reads, p90 {read_p90:?}, max {:?}",
        count(StatusCode::UNAUTHORIZED),
        count(StatusCode::SERVICE_UNAVAILABLE),
        count(StatusCode::TOO_MANY_REQUESTS),
        reads.len(),
        reads.iter().max().unwrap(),
    );

    for (email, status, retry_after) in &answers {
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::SERVICE_UNAVAILABLE, StatusCode::TOO_MANY_REQUESTS].contains(status),
            "{email}: {status}"
        );
        assert!(*status == StatusCode::UNAUTHORIZED || *retry_after, "a {status} says when to retry");
    }
    assert!(peak < 200, "peak RSS {peak} MiB during {FLOOD} concurrent logins");
    assert!(reads.len() >= 5, "only {} reads during the flood", reads.len());
    assert!(read_p90 < Duration::from_secs(1), "public reads' p90 {read_p90:?} during the flood");

    // Shed logins (503) are not failed password checks: the admin may still log in
    // unless ten of the flood's attempts at the admin's email were really checked.
    let admin_401 = answers.iter().filter(|a| a.0 == EMAIL && a.1 == StatusCode::UNAUTHORIZED).count();
    assert!(admin_401 <= 10, "{admin_401} checked failures for one email");
    let expected = if admin_401 < 10 { StatusCode::OK } else { StatusCode::TOO_MANY_REQUESTS };
    assert_eq!(login(&client, &base, EMAIL, PASSWORD).await.status(), expected, "{admin_401} failures counted");
}

#[test]
fn a_bad_trusted_proxies_value_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite://{}", dir.path().join("bad.db").display()))
        .env("FOLIO_BIND", "127.0.0.1:0")
        .env("FOLIO_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/40")
        .env("RUST_LOG", "error")
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("FOLIO_TRUSTED_PROXIES") && stderr.contains("10.0.0.0/40"), "{stderr}");
}
