//! Several real `folio` processes on one PostgreSQL database behave as one server:
//! writes, tokens, refresh families, login limits and `If-Match` are shared; one
//! instance dying leaves the other serving; instances starting together migrate
//! once; and PostgreSQL going away answers 503 until it comes back.
//!
//! Needs `FOLIO_TEST_POSTGRES`: the tests are ignored unless asked for with
//! `--include-ignored`, as `.ci/run`'s PostgreSQL pass does.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

mod support;

use support::cluster::Cluster;
use support::database::{TestDatabase, POSTGRES_VAR};
use support::{statuses, writer, Server, EMAIL, PASSWORD};

/// A fresh PostgreSQL database; these tests are ignored unless asked for, and fail
/// when asked for without a server.
fn postgres() -> TestDatabase {
    let server = std::env::var(POSTGRES_VAR).unwrap_or_default();
    assert!(!server.is_empty(), "{POSTGRES_VAR} must name a PostgreSQL server for this test");
    TestDatabase::postgres(&server)
}

/// Two instances, A and B, on one database.
async fn pair(db: &TestDatabase) -> (Server, Server) {
    let a = Server::start_on(&db.url, &[]).await;
    let b = Server::start_on(&db.url, &[]).await;
    (a, b)
}

async fn get(client: &Client, url: String, token: Option<&str>) -> Response {
    let request = client.get(url);
    let request = if let Some(token) = token { request.bearer_auth(token) } else { request };
    request.send().await.unwrap()
}

async fn body(response: Response) -> Value {
    response.json().await.unwrap()
}

use support::published;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn a_write_on_one_instance_is_read_on_the_other_at_once() {
    let db = postgres();
    let (a, b) = pair(&db).await;
    let client = Client::new();
    let token = a.token(&client).await;
    for n in 0..5 {
        let word = format!("zanzibarquux{n}");
        let id = a.create_article(&client, &token, &published(&format!("Shared {word}"))).await;
        let slug = format!("shared-{word}");

        let by_id = get(&client, b.url(&format!("/api/v1/articles/{id}")), None).await;
        assert_eq!(by_id.status(), StatusCode::OK, "by id on B");
        assert_eq!(body(by_id).await["slug"], slug.as_str());
        let by_slug = get(&client, b.url(&format!("/api/v1/articles/slug/{slug}")), None).await;
        assert_eq!(by_slug.status(), StatusCode::OK, "by slug on B");
        assert_eq!(body(by_slug).await["id"], id);
        let list = body(get(&client, b.url("/api/v1/articles?per_page=100"), Some(&token)).await).await;
        assert_eq!(list["meta"]["total"], n + 1, "the list on B counts every article");
        assert!(list["data"].as_array().unwrap().iter().any(|a| a["id"] == id), "the list on B has {id}");
        let found = body(get(&client, b.url(&format!("/api/v1/articles?q={word}")), Some(&token)).await).await;
        let ids: Vec<&Value> = found["data"].as_array().unwrap().iter().map(|a| &a["id"]).collect();
        assert_eq!(ids, [&json!(id)], "search on B finds {word}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn tokens_and_refresh_families_are_shared_between_instances() {
    let db = postgres();
    let (a, b) = pair(&db).await;
    let client = Client::new();
    let login = client.post(a.url("/api/v1/auth/login")).json(&json!({"email": EMAIL, "password": PASSWORD}));
    let login = body(login.send().await.unwrap()).await;
    let access = login["access_token"].as_str().unwrap();
    let me = get(&client, b.url("/api/v1/auth/me"), Some(access)).await;
    assert_eq!(me.status(), StatusCode::OK, "A's access token works on B");
    assert_eq!(body(me).await["email"], EMAIL);

    let refresh = |server: &Server, token: &Value| {
        client.post(server.url("/api/v1/auth/refresh")).json(&json!({"refresh_token": token})).send()
    };
    let first = &login["refresh_token"];
    let rotated = refresh(&a, first).await.unwrap();
    assert_eq!(rotated.status(), StatusCode::OK, "rotation on A");
    let second = body(rotated).await["refresh_token"].clone();
    assert_ne!(&second, first);
    let replayed = refresh(&b, first).await.unwrap();
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED, "the rotated token replayed on B");
    for server in [&a, &b] {
        let newest = refresh(server, &second).await.unwrap();
        assert_eq!(newest.status(), StatusCode::UNAUTHORIZED, "the replay on B revoked the whole login");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn failed_logins_split_across_instances_lock_the_email() {
    let db = postgres();
    let (a, b) = pair(&db).await;
    let client = Client::new();
    let login = |server: &Server, password: &str| {
        client.post(server.url("/api/v1/auth/login")).json(&json!({"email": EMAIL, "password": password})).send()
    };
    for n in 0..10 {
        let server = if n % 2 == 0 { &a } else { &b };
        let failed = login(server, "a wrong password, not the admin's").await.unwrap();
        assert_eq!(failed.status(), StatusCode::UNAUTHORIZED, "failure {n}");
    }
    for (name, server) in [("A", &a), ("B", &b)] {
        let refused = login(server, PASSWORD).await.unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "the right password on {name}");
        assert!(refused.headers().contains_key("retry-after"), "Retry-After on {name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn racing_if_match_updates_across_instances_let_exactly_one_through() {
    let db = postgres();
    let (a, b) = pair(&db).await;
    let client = Client::new();
    let token = a.token(&client).await;
    for round in 0..3 {
        let id = a.create_article(&client, &token, &published(&format!("Raced {round}"))).await;
        let current = get(&client, b.url(&format!("/api/v1/articles/{id}")), Some(&token)).await;
        let etag = current.headers()["etag"].to_str().unwrap().to_owned();
        let barrier = Arc::new(tokio::sync::Barrier::new(8));
        let racers: Vec<_> = (0..8)
            .map(|n| {
                let url = if n % 2 == 0 { a.url("") } else { b.url("") };
                let (client, token, etag, barrier) = (client.clone(), token.clone(), etag.clone(), barrier.clone());
                tokio::spawn(async move {
                    let request = client
                        .patch(format!("{url}/api/v1/articles/{id}"))
                        .bearer_auth(token)
                        .header("if-match", etag)
                        .json(&json!({"title": format!("Raced {round} by {n}"), "body_markdown": "Won."}));
                    barrier.wait().await;
                    request.send().await.unwrap().status()
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for racer in racers {
            statuses.push(racer.await.unwrap());
        }
        let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        let stale = statuses.iter().filter(|s| **s == StatusCode::PRECONDITION_FAILED).count();
        assert_eq!((ok, stale), (1, 7), "round {round}: {statuses:?}");
        let after = body(get(&client, a.url(&format!("/api/v1/articles/{id}")), Some(&token)).await).await;
        assert_eq!(after["version"], 2, "one update made one new version");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn concurrent_creates_over_both_instances_are_all_kept_and_counted() {
    let db = postgres();
    let (a, b) = pair(&db).await;
    let client = Client::new();
    let token = a.token(&client).await;
    let started = Instant::now();
    let creates: Vec<_> = (0..400)
        .map(|n| {
            let url = if n % 2 == 0 { a.url("") } else { b.url("") };
            let (client, token) = (client.clone(), token.clone());
            tokio::spawn(async move {
                let response = client
                    .post(format!("{url}/api/v1/articles"))
                    .bearer_auth(token)
                    .json(&published(&format!("Created {n}")))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let id = if status == StatusCode::CREATED { body(response).await["id"].as_i64() } else { None };
                (status, id)
            })
        })
        .collect();
    let mut ids = Vec::new();
    for create in creates {
        let (status, id) = create.await.unwrap();
        assert!(!status.is_server_error(), "a create got {status}");
        assert_eq!(status, StatusCode::CREATED);
        ids.push(id.unwrap());
    }
    eprintln!("400 creates over two instances took {:?}", started.elapsed());
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 400, "each create has an id of its own");
    for server in [&a, &b] {
        let list = get(&client, server.url("/api/v1/articles?per_page=1"), Some(&token)).await;
        assert_eq!(list.headers()["x-total-count"], "400");
        assert_eq!(body(list).await["meta"]["total"], 400, "the count is exact on {}", server.base);
    }
    let reads: Vec<_> = ids
        .iter()
        .flat_map(|id| [a.url(&format!("/api/v1/articles/{id}")), b.url(&format!("/api/v1/articles/{id}"))])
        .collect();
    for chunk in reads.chunks(50) {
        let statuses = statuses(&client, chunk, &token).await;
        for (url, status) in chunk.iter().zip(statuses) {
            assert_eq!(status, StatusCode::OK, "{url}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn kill_9_of_one_instance_mid_writes_leaves_the_other_serving() {
    let db = postgres();
    let (mut a, b) = pair(&db).await;
    let client = Client::new();
    let token = a.token(&client).await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let made_on_a = Arc::new(AtomicUsize::new(0));
    let on_a = writer(&client, a.base.clone(), &token, "On A", stop.clone(), made_on_a.clone());
    let on_b = writer(&client, b.base.clone(), &token, "On B", stop.clone(), Arc::default());
    let deadline = Instant::now() + Duration::from_secs(20);
    while made_on_a.load(Ordering::SeqCst) < 5 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let killed = Instant::now();
    let (from_a, a_other) = on_a.await.unwrap();
    // B goes on writing for a while after A died, whatever A held at that moment.
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, Ordering::SeqCst);
    let (from_b, b_other) = on_b.await.unwrap();
    assert!(a_other.is_empty() && b_other.is_empty(), "only 201s before the kill: A {a_other:?}, B {b_other:?}");
    assert!(!from_a.is_empty(), "A wrote before it was killed");
    eprintln!("A made {} articles before kill -9, B {} in all", from_a.len(), from_b.len());

    let after = Instant::now();
    let id = b.create_article(&client, &token, &published("After the kill")).await;
    eprintln!("B's first write after its own loop: {:?} ({:?} after the kill)", after.elapsed(), killed.elapsed());
    let mut ids = from_a;
    ids.extend(from_b);
    ids.push(id);
    let urls: Vec<String> = ids.iter().map(|id| b.url(&format!("/api/v1/articles/{id}"))).collect();
    for chunk in urls.chunks(50) {
        for (url, status) in chunk.iter().zip(statuses(&client, chunk, &token).await) {
            assert_eq!(status, StatusCode::OK, "{url} after A's death");
        }
    }
    let list = body(get(&client, b.url("/api/v1/articles?per_page=1"), Some(&token)).await).await;
    // The write A had in flight may have committed without its answer reaching anyone.
    let total = list["meta"]["total"].as_u64().unwrap();
    assert!((ids.len()..=ids.len() + 1).contains(&(total as usize)), "{total} articles for {} acknowledged", ids.len());
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(url: &str, sql: &str) -> i64 {
    use diesel::{Connection, RunQueryDsl};
    let mut conn = diesel::PgConnection::establish(url).unwrap();
    diesel::sql_query(sql).get_result::<Count>(&mut conn).unwrap().n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn two_instances_started_together_on_an_empty_database_migrate_once_and_make_one_admin() {
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres")).unwrap().count();
    for round in 0..3 {
        let db = postgres();
        let (a, b) = (Server::spawn_on(&db.url, &[]), Server::spawn_on(&db.url, &[]));
        tokio::join!(a.ready(), b.ready());
        let client = Client::new();
        for server in [&a, &b] {
            let token = server.token(&client).await;
            let users = body(get(&client, server.url("/api/v1/users"), Some(&token)).await).await;
            assert_eq!(users["meta"]["total"], 1, "round {round}: one admin, seen from {}", server.base);
        }
        assert_eq!(count(&db.url, "SELECT count(*) AS n FROM users"), 1, "round {round}");
        let applied = count(&db.url, "SELECT count(*) AS n FROM __diesel_schema_migrations");
        let distinct = count(&db.url, "SELECT count(DISTINCT version) AS n FROM __diesel_schema_migrations");
        assert_eq!((applied, distinct), (migrations as i64, migrations as i64), "round {round}: each migration once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn a_public_read_on_one_instance_shows_a_write_on_the_other_at_once() {
    let db = postgres();
    let (a, b) = pair(&db).await;
    let client = Client::new();
    let token = a.token(&client).await;
    let id = a.create_article(&client, &token, &published("Before the edit")).await;
    let paths = [format!("/api/v1/articles/{id}"), "/api/v1/articles".to_owned(), "/api/v1/articles?q=edit".to_owned()];
    for path in &paths {
        // Twice: B keeps the pages of its public lists.
        for _ in 0..2 {
            let read = get(&client, b.url(path), None).await;
            assert_eq!(read.status(), StatusCode::OK);
            assert!(read.text().await.unwrap().contains("Before the edit"));
        }
    }
    let etag = get(&client, a.url(&paths[0]), Some(&token)).await.headers()["etag"].clone();
    let edit = client
        .patch(a.url(&paths[0]))
        .bearer_auth(&token)
        .header("if-match", etag)
        .json(&json!({"title": "After the edit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), StatusCode::OK);
    // A document is read from the database each time; a list page B kept is kept under
    // the database's snapshot, which A's commit changed.
    for path in &paths {
        let text = get(&client, b.url(path), None).await.text().await.unwrap();
        assert!(text.contains("After the edit"), "{path} on B still shows the old title: {text}");
    }
}

/// A read, a write and `/ready` on `server`: each status, its `Retry-After`, and how long it took.
async fn probe(client: &Client, server: &Server, token: &str, id: i64) -> Vec<(String, StatusCode, bool, Duration)> {
    let requests = [
        ("read", client.get(server.url(&format!("/api/v1/articles/{id}"))).bearer_auth(token)),
        ("write", client.post(server.url("/api/v1/articles")).bearer_auth(token).json(&published("During"))),
        ("ready", client.get(server.url("/ready"))),
        ("login", client.post(server.url("/api/v1/auth/login")).json(&json!({"email": EMAIL, "password": PASSWORD}))),
    ];
    let mut answers = Vec::new();
    for (what, request) in requests {
        let sent = Instant::now();
        let response = request.send().await.unwrap();
        let retry_after = response.headers().contains_key("retry-after");
        answers.push((what.to_owned(), response.status(), retry_after, sent.elapsed()));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn postgres_going_away_answers_503_and_folio_recovers_when_it_returns() {
    assert!(Cluster::installed(), "PostgreSQL's server binaries must be installed for this test");
    let mut cluster = Cluster::start();
    let server = Server::start_on(&cluster.url, &[]).await;
    // A hang is a failure: no answer may take this long.
    let client = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let token = server.token(&client).await;
    let id = server.create_article(&client, &token, &published("Before the outage")).await;

    // Writes in flight when the server goes: none may end in a 500.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writes = writer(&client, server.base.clone(), &token, "Around the outage", stop.clone(), Arc::default());
    tokio::time::sleep(Duration::from_millis(200)).await;
    cluster.stop();
    let stopped = Instant::now();
    let mut slowest = Duration::ZERO;
    while stopped.elapsed() < Duration::from_secs(4) {
        let answers = probe(&client, &server, &token, id).await;
        eprintln!("{:?} after the stop: {answers:?}", stopped.elapsed());
        for (what, status, retry_after, took) in answers {
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{what} while PostgreSQL is down");
            assert!(retry_after, "{what}: 503 with Retry-After");
            assert!(took < Duration::from_secs(5), "{what} took {took:?} to answer");
            slowest = slowest.max(took);
        }
    }
    eprintln!("while PostgreSQL was down, the slowest 503 took {slowest:?}");
    stop.store(true, Ordering::SeqCst);
    let (written, refused) = writes.await.unwrap();
    eprintln!("around the stop: {} writes made, then {refused:?}", written.len());
    assert!(refused.iter().all(|s| *s == StatusCode::SERVICE_UNAVAILABLE), "writes cut by the stop: {refused:?}");
    assert!(!refused.is_empty(), "the writer met the outage");

    cluster.restart();
    let restarted = Instant::now();
    loop {
        let answers = probe(&client, &server, &token, id).await;
        let expected = [StatusCode::OK, StatusCode::CREATED, StatusCode::OK, StatusCode::OK];
        if answers.iter().zip(expected).all(|((_, status, _, _), expected)| *status == expected) {
            break;
        }
        for (what, status, _, _) in &answers {
            assert!(!status.is_server_error() || *status == StatusCode::SERVICE_UNAVAILABLE, "{what}: {status}");
        }
        assert!(restarted.elapsed() < Duration::from_secs(15), "not recovered: {answers:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("folio answered again {:?} after PostgreSQL was back", restarted.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn a_frozen_postgres_answers_503_at_the_deadline_instead_of_hanging() {
    assert!(Cluster::installed(), "PostgreSQL's server binaries must be installed for this test");
    let cluster = Cluster::start();
    // Deadline: 3 s for a connection + 1 s statement timeout + 2 s margin = 6 s.
    let server = Server::start_on(&cluster.url, &[("FOLIO_DB_STATEMENT_TIMEOUT_SECONDS", "1")]).await;
    let client = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let token = server.token(&client).await;
    let id = server.create_article(&client, &token, &published("Before the freeze")).await;

    cluster.freeze();
    let frozen = Instant::now();
    let answers = probe(&client, &server, &token, id).await;
    eprintln!("while PostgreSQL was frozen: {answers:?}");
    for (what, status, retry_after, took) in answers {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{what} while PostgreSQL is frozen");
        assert!(retry_after, "{what}: 503 with Retry-After");
        assert!(took < Duration::from_secs(10), "{what} took {took:?}: a hang");
    }
    cluster.thaw();
    let thawed = Instant::now();
    loop {
        let answers = probe(&client, &server, &token, id).await;
        if answers.iter().all(|(_, status, _, _)| status.is_success()) {
            break;
        }
        assert!(thawed.elapsed() < Duration::from_secs(20), "not recovered after the thaw: {answers:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("frozen for {:?}; answering again {:?} after the thaw", thawed - frozen, thawed.elapsed());
}
