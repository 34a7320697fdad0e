//! Where webhooks may send, through the real binary in production: every form of an
//! internal address refused without saying which, names resolved with a deadline off
//! the pool reads use, and sends that never go through an environment proxy.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

mod support;

use support::api::Api;
use support::database::TestDatabase;
use support::receiver::{Mode, Receiver};
use support::Server;

const PRODUCTION: [(&str, &str); 1] = [("FOLIO_ENV", "production")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ipv6_form_of_an_internal_address_is_refused_without_naming_it() {
    let db = TestDatabase::new();
    let api = Api::start(&db.url, &PRODUCTION).await;
    let cases = [
        ("http://[::127.0.0.1]/", "IPv4-compatible loopback"),
        ("http://[::ffff:0:7f00:1]/", "IPv4-translated loopback"),
        ("http://[64:ff9b::a9fe:a9fe]/", "NAT64 of 169.254.169.254"),
        ("http://[2002:a9fe:a9fe::]/", "6to4 of 169.254.169.254"),
        ("http://[fec0::1]/", "site-local"),
        ("http://[2001:db8::1]/", "documentation"),
        ("http://[100::1]/", "discard-only"),
        ("http://[::ffff:169.254.169.254]/", "IPv4-mapped metadata"),
        ("http://[2001:0:a9fe:a9fe::1]/", "Teredo with an internal server"),
        ("http://[3fff::1]/", "documentation"),
        ("http://0x7f.1/", "loopback written in hex"),
        ("http://localhost:9/", "a name for loopback"),
    ];
    for (url, what) in cases {
        let (status, body) = api.post("/api/v1/webhooks", json!({"url": url, "events": ["*"]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url} ({what}): {body}");
        assert_eq!(body["errors"][0]["field"], "/url", "{body}");
        let said = body.to_string();
        for address in ["127.0.0.1", "::1", "7f00", "169.254", "a9fe"] {
            let named_by_caller = url.contains(address);
            assert!(named_by_caller || !said.contains(address), "{url}: the answer names {address}: {said}");
        }
        assert!(said.contains("internal address"), "{url}: {said}");
    }
    let (status, body) =
        api.post("/api/v1/webhooks", json!({"url": "http://[64:ff9b::808:808]/", "events": ["*"]})).await;
    assert_eq!(status, StatusCode::CREATED, "NAT64 of a public address passes: {body}");
}

/// A nameserver on a loopback address of its own that takes every query and never
/// answers, as a nameserver behind a dead link does.
struct SilentNameserver {
    _socket: std::net::UdpSocket,
    ip: std::net::Ipv4Addr,
}

impl SilentNameserver {
    fn start() -> Self {
        let seed = std::process::id();
        for n in 0..200u32 {
            let [_, _, c, d] = (seed.wrapping_mul(31).wrapping_add(n * 7919)).to_be_bytes();
            let ip = std::net::Ipv4Addr::new(127, 53, c, d.max(1));
            if let Ok(socket) = std::net::UdpSocket::bind((ip, 53)) {
                return Self { _socket: socket, ip };
            }
        }
        panic!("no loopback address free for a nameserver on port 53");
    }
}

/// Whether this process may make a mount namespace (root, as in CI).
fn can_unshare_mounts() -> bool {
    std::process::Command::new("unshare").args(["--mount", "true"]).status().is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_resolve_slowly_get_422_at_the_deadline_and_reads_stay_fast() {
    if !can_unshare_mounts() {
        eprintln!("skipped: needs root to give folio a resolv.conf of its own (unshare --mount)");
        return;
    }
    let db = TestDatabase::new();
    let nameserver = SilentNameserver::start();
    let dir = tempfile::tempdir().unwrap();
    let resolv = dir.path().join("resolv.conf");
    std::fs::write(&resolv, format!("nameserver {}\n", nameserver.ip)).unwrap();
    // folio reads the system's resolver configuration: its own, in a mount namespace.
    let script = r#"mount --bind "$0" /etc/resolv.conf && exec "$@""#;
    let wrapper = ["unshare", "--mount", "sh", "-c", script, resolv.to_str().unwrap()];
    let api = Api::with(Server::start_wrapped(&wrapper, &db.url, &PRODUCTION).await).await;
    for n in 0..5 {
        api.publish(&format!("Read while names resolve {n}")).await;
    }

    let saves: Vec<_> = (0..40)
        .map(|n| {
            let (client, url, token) = (api.client.clone(), api.server.url("/api/v1/webhooks"), api.token.clone());
            tokio::spawn(async move {
                let started = Instant::now();
                let body = json!({"url": format!("https://hook-{n}.never-answers.test/"), "events": ["*"]});
                let response = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap(), started.elapsed())
            })
        })
        .collect();
    // Anonymous readers while the saves are under way, each read of another page so
    // that none is a cached answer.
    let busy = Arc::new(AtomicBool::new(true));
    let readers: Vec<_> = (0..4u32)
        .map(|reader| {
            let (client, base, busy) = (api.client.clone(), api.server.url(""), busy.clone());
            tokio::spawn(async move {
                let mut took = Vec::new();
                for i in 0u32.. {
                    if !busy.load(Ordering::SeqCst) {
                        break;
                    }
                    let url =
                        format!("{base}/api/v1/articles?per_page={}&page={}", 1 + reader * 25 + i % 25, 1 + i / 25);
                    let started = Instant::now();
                    assert_eq!(client.get(url).send().await.unwrap().status(), StatusCode::OK);
                    took.push(started.elapsed());
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                took
            })
        })
        .collect();
    let mut answers = Vec::new();
    for save in saves {
        answers.push(save.await.unwrap());
    }
    busy.store(false, Ordering::SeqCst);
    let mut reads = Vec::new();
    for reader in readers {
        reads.extend(reader.await.unwrap());
    }
    reads.sort_unstable();
    let (p50, max) = (reads[reads.len() / 2], reads[reads.len() - 1]);
    eprintln!("reads while 40 names resolve slowly: p50 {p50:?}, max {max:?} (n={})", reads.len());

    for (status, body, took) in answers {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "/url", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("did not resolve within 5 s"), "{body}");
        assert!(took < Duration::from_secs(9), "a save answered at the deadline, not {took:?}");
    }
    assert!(p50 < Duration::from_millis(100), "reads wait for the lookups: p50 {p50:?}");
    assert!(max < Duration::from_secs(3), "a read waited for the lookups: max {max:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_connect_directly_and_never_through_an_environment_proxy() {
    let db = TestDatabase::new();
    let (proxy, receiver) = (Receiver::start(Mode::RefuseFirst(0)).await, Receiver::start(Mode::RefuseFirst(0)).await);
    let proxy_url = format!("http://{}", proxy.address);
    let mut env = vec![("FOLIO_ENV", "production"), ("FOLIO_WEBHOOK_ALLOW_PRIVATE", "true")];
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        env.push((name, proxy_url.as_str()));
    }
    env.extend([("NO_PROXY", ""), ("no_proxy", "")]);
    let api = Api::start(&db.url, &env).await;
    let by_name = format!("http://localhost:{}/hook", receiver.address.port());
    for (n, url) in [receiver.url(), by_name].iter().enumerate() {
        let (hook, _) = api.webhook(url, &["*"]).await;
        let (status, _) = api.post(&format!("/api/v1/webhooks/{hook}/test"), json!({})).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        receiver.wait_for(10, &format!("the ping to {url}"), |all| all.len() > n).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(proxy.all().is_empty(), "a send went through the proxy: {:#?}", proxy.all());
}
