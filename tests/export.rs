//! `folio export` and `folio import` as a person runs them: the real binary, a site
//! moved to a fresh database (PostgreSQL when `FOLIO_TEST_POSTGRES` is set, which is
//! the SQLite to PostgreSQL move) and exported again, byte for byte the same.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

#[path = "export/hardening.rs"]
mod hardening;
mod support;
#[path = "export/translations.rs"]
mod translations;

use support::database::TestDatabase;
use support::{Server, EMAIL};

const DEMO_SLUG: &str = "the-science-behind-dry-needling-for-muscle-recovery";
const DEMO_AUTHOR: &str = "nick-lorem@example.com";

/// Runs `folio ARGS` on the database `url`, with `stdin` as its standard input.
fn folio(url: &str, args: &[&str], stdin: &str) -> Output {
    folio_with(url, args, stdin, &[])
}

/// Runs `folio ARGS` as [`folio`] does, with extra environment variables.
fn folio_with(url: &str, args: &[&str], stdin: &str, extra: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .envs(extra.iter().copied())
        .env("DATABASE_URL", url)
        .env("FOLIO_JWT_SECRET", "process test secret long enough for hs256")
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `folio ARGS` and checks that it succeeded; gives its standard output.
fn ok(url: &str, args: &[&str]) -> String {
    ok_with(url, args, &[])
}

/// Runs `folio ARGS` with extra environment variables and checks that it succeeded.
fn ok_with(url: &str, args: &[&str], extra: &[(&str, &str)]) -> String {
    let out = folio_with(url, args, "", extra);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "folio {args:?}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `folio ARGS`, checks that it failed with exit code 1, and gives its one line on stderr.
fn fails(url: &str, args: &[&str]) -> String {
    let out = folio(url, args, "");
    assert_eq!(out.status.code(), Some(1), "folio {args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

/// Every file of an export directory by name, with its text.
fn files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

fn assert_same_export(first: &Path, second: &Path) {
    let (a, b) = (files(first), files(second));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "the same files");
    for (name, text) in &a {
        assert_eq!(text, &b[name], "{name} differs");
    }
}

/// What the API shows of an article, without the ids a move may change.
fn portable(article: &Value) -> Value {
    let mut tags = article["tags"].clone();
    for tag in tags.as_array_mut().unwrap() {
        tag.as_object_mut().unwrap().remove("id");
    }
    json!({
        "slug": article["slug"], "title": article["title"], "excerpt": article["excerpt"],
        "body_markdown": article["body_markdown"], "body_html": article["body_html"], "toc": article["toc"],
        "word_count": article["word_count"], "reading_time_minutes": article["reading_time_minutes"],
        "tags": tags, "section": {"slug": article["section"]["slug"], "name": article["section"]["name"]},
        "author": article["author"]["display_name"], "status": article["status"],
        "published_at": article["published_at"], "created_at": article["created_at"],
        "updated_at": article["updated_at"], "seo": article["seo"], "cover_image": article["cover_image"],
        "metadata": article["metadata"],
    })
}

async fn article_by_slug(server: &Server, slug: &str) -> Value {
    let response = reqwest::get(server.url(&format!("/api/v1/articles/slug/{slug}"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// The demo site (`seed-demo`) on SQLite, exported into a new directory of `dir`.
fn demo_export(source: &TestDatabase, dir: &Path) -> std::path::PathBuf {
    ok(&source.url, &["seed-demo"]);
    let out = dir.join("first");
    ok(&source.url, &["export", out.to_str().unwrap()]);
    out
}

#[tokio::test]
async fn the_demo_article_moves_to_a_fresh_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let source = TestDatabase::sqlite();
    let first = demo_export(&source, dir.path());
    let target = TestDatabase::new();
    ok(&target.url, &["import", first.to_str().unwrap()]);
    let second = dir.path().join("second");
    ok(&target.url, &["export", second.to_str().unwrap()]);
    assert_same_export(&first, &second);
    let text = &files(&first)[&format!("{DEMO_SLUG}.md")];
    assert!(text.starts_with("---\ntitle: The Science Behind Dry Needling"), "{text}");
    assert!(!files(&first)["users.json"].contains("argon2"), "no password hash is exported");

    let before = Server::start_on(&source.url, &[]).await;
    let after = Server::start_on(&target.url, &[]).await;
    let (old, new) = (article_by_slug(&before, DEMO_SLUG).await, article_by_slug(&after, DEMO_SLUG).await);
    assert_eq!(portable(&old), portable(&new));
    assert_eq!(new["status"], "published");
    assert!(new["toc"].as_array().is_some_and(|toc| !toc.is_empty()), "{new}");
    assert_eq!(new["tags"].as_array().unwrap().len(), 6);
    // History starts again at the import: one revision, which the API serves. The
    // target has users, so no admin is bootstrapped: one is made as on a live site.
    let admin = folio(&target.url, &["user", "create", "--email", EMAIL, "--role", "admin"], support::PASSWORD);
    assert!(admin.status.success(), "{}", String::from_utf8_lossy(&admin.stderr));
    let client = reqwest::Client::new();
    let token = after.token(&client).await;
    let id = new["id"].as_i64().unwrap();
    let revisions = client.get(after.url(&format!("/api/v1/articles/{id}/revisions"))).bearer_auth(&token).send();
    let revisions = revisions.await.unwrap();
    assert_eq!(revisions.status(), StatusCode::OK);
    assert_eq!(revisions.headers()["x-total-count"], "1");
}

async fn login(server: &Server, email: &str, password: &str) -> StatusCode {
    let body = json!({"email": email, "password": password});
    reqwest::Client::new().post(server.url("/api/v1/auth/login")).json(&body).send().await.unwrap().status()
}

#[tokio::test]
async fn an_imported_user_cannot_log_in_until_a_password_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let first = demo_export(&TestDatabase::sqlite(), dir.path());
    let target = TestDatabase::new();
    ok(&target.url, &["import", first.to_str().unwrap()]);
    let server = Server::start_on(&target.url, &[]).await;
    for guess in ["", "x", "correct horse battery staple"] {
        assert_eq!(login(&server, DEMO_AUTHOR, guess).await, StatusCode::UNAUTHORIZED, "password {guess:?}");
    }
    let password = "correct horse battery staple";
    let refused = folio(&target.url, &["user", "set-password", "--email", "nobody@example.com"], password);
    assert_eq!(refused.status.code(), Some(1));
    let set = folio(&target.url, &["user", "set-password", "--email", DEMO_AUTHOR], &format!("{password}\n"));
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert_eq!(login(&server, DEMO_AUTHOR, password).await, StatusCode::OK);
    // A second import leaves the user, and the password set since, as they are.
    ok(&target.url, &["import", first.to_str().unwrap()]);
    assert_eq!(login(&server, DEMO_AUTHOR, password).await, StatusCode::OK);
}

#[tokio::test]
async fn export_refuses_a_directory_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::sqlite();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let line = fails(&db.url, &["export", dir.path().to_str().unwrap()]);
    assert!(line.contains("is not empty"), "{line}");
    assert_eq!(files(dir.path()).len(), 1, "nothing written");
}

/// How long a refused import may run: it stops before anything slow.
const REFUSAL_DEADLINE: Duration = Duration::from_secs(10);

/// Runs `folio ARGS` on the database `url` with at most 32 MiB of heap (`ulimit -d`),
/// killed at [`REFUSAL_DEADLINE`]; checks that it ended by itself, failing with exit
/// code 1, and gives its one line on stderr. An import that reads a FIFO or
/// `/dev/zero`, or a whole oversized file, fails the test instead of hanging it or
/// filling the machine's memory.
fn fails_bounded(url: &str, args: &[&str]) -> String {
    let started = Instant::now();
    let mut child = Command::new("bash")
        .arg("-c")
        .arg("ulimit -d 32768 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("FOLIO_JWT_SECRET", "process test secret long enough for hs256")
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() && started.elapsed() < REFUSAL_DEADLINE {
        std::thread::sleep(Duration::from_millis(20));
    }
    let hung = child.try_wait().unwrap().is_none();
    if hung {
        child.kill().unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!hung, "folio {args:?} still ran after {REFUSAL_DEADLINE:?}: {stderr}");
    assert_eq!(out.status.code(), Some(1), "folio {args:?} should fail: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

/// Breaks a copy of a good export with `spoil`, imports it, and checks that the import
/// fails with one line naming `file` and leaves the database as it was: empty. Gives the line.
fn refused(good: &Path, spoil: impl FnOnce(&Path), file: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files(good) {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    spoil(dir.path());
    let target = TestDatabase::new();
    let line = fails_bounded(&target.url, &["import", dir.path().to_str().unwrap()]);
    assert!(line.contains(file), "names {file}: {line}");
    let after = tempfile::tempdir().unwrap();
    let out = ok(&target.url, &["export", after.path().join("x").to_str().unwrap()]);
    assert!(out.starts_with("exported 0 articles, 0 sections, 0 tags and 0 users"), "nothing imported: {out}");
    line
}

#[test]
fn bad_input_imports_nothing_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = demo_export(&TestDatabase::sqlite(), dir.path());
    let article = format!("{DEMO_SLUG}.md");
    let edit = |name: String, from: &'static str, to: &'static str| {
        move |d: &Path| {
            let text = std::fs::read_to_string(d.join(&name)).unwrap();
            assert!(text.contains(from), "{from} in {name}");
            std::fs::write(d.join(&name), text.replacen(from, to, 1)).unwrap();
        }
    };
    refused(&good, |d| std::fs::remove_file(d.join("users.json")).unwrap(), "users.json");
    refused(&good, |d| std::fs::write(d.join("tags.json"), "[{\"slug\": ").unwrap(), "tags.json");
    refused(&good, edit("sections.json".into(), "\"name\"", "\"nmae\""), "sections.json");
    refused(&good, edit(article.clone(), "\nslug:", "\nnot a pair\nslug:"), &article);
    refused(&good, edit(article.clone(), "status: published", "status: gone"), &article);
    refused(&good, edit(article.clone(), "title: The", "title: \"The"), &article);
    // Found only inside the transaction, after the users, sections and tags were written.
    refused(&good, edit(article.clone(), "author_email: nick-lorem", "author_email: someone-else"), &article);
    refused(&good, edit(article.clone(), "section: blogs", "section: nowhere"), &article);
    // One bad file among good ones: none of them is imported.
    refused(
        &good,
        |d| {
            let text = std::fs::read_to_string(d.join(&article)).unwrap();
            let other = text.replace(&format!("slug: {DEMO_SLUG}"), "slug: another");
            std::fs::write(d.join("another.md"), other.replace("title: The", "title: \"\"")).unwrap();
        },
        "another.md",
    );
}

/// Creates `n` articles of every status, spread over sections, tags, authors and dates.
async fn varied_site(server: &Server, n: usize) {
    let client = reqwest::Client::new();
    let admin = server.token(&client).await;
    let post = |path: &str, body: Value| {
        let request = client.post(server.url(path)).bearer_auth(&admin).json(&body).send();
        async move {
            let response = request.await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED, "{body}");
            response.json::<Value>().await.unwrap()
        }
    };
    let mut writers = vec![admin.clone()];
    let mut author = Value::Null;
    for (i, role) in ["editor", "editor", "author"].iter().enumerate() {
        let email = format!("writer{i}@example.com");
        let password = "a long enough password";
        let bio = if i == 0 { json!("Writes on **rehab**.") } else { Value::Null };
        let user = json!({"email": email, "password": password, "display_name": format!("Writer {i}"), "role": role, "bio": bio});
        let created = post("/api/v1/users", user).await;
        if *role == "author" {
            author = created["id"].clone();
        }
        if *role == "editor" {
            let body = json!({"email": email, "password": password});
            let login = client.post(server.url("/api/v1/auth/login")).json(&body).send().await.unwrap();
            writers.push(login.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned());
        }
    }
    let news = post("/api/v1/sections", json!({"name": "News", "position": 2})).await;
    post("/api/v1/sections", json!({"name": "Blogs", "slug": "blogs", "description": "Ours.", "position": 1})).await;
    let parent = news["id"].as_i64().unwrap();
    post("/api/v1/sections", json!({"name": "Local news", "parent_id": parent, "position": 0})).await;
    let sections = [json!("news"), json!("blogs"), json!("local-news"), Value::Null];
    for i in 0..n {
        let (status, published_at) = match i % 5 {
            0 => ("draft", Value::Null),
            1 => ("published", json!(format!("20{:02}-0{}-1{}T0{}:30:00Z", i % 25, 1 + i % 9, i % 10, i % 10))),
            2 => ("scheduled", json!(format!("2{}99-01-01T00:00:00Z", 1 + i % 8))),
            3 => ("archived", json!("2020-02-29T12:00:00Z")),
            _ => ("published", Value::Null),
        };
        let mut body = json!({
            "title": format!("Article {i}: on \"recovery\", part {}", i % 7),
            "body_markdown": format!("# Part {i}\n\nSome *text* {i}.\n\n## Details\n\n- one\n- two\n\n| a | b |\n|---|---|\n| {i} | x |\n"),
            "status": status,
            "section": sections[i % 4],
            "tags": (0..i % 4).map(|t| format!("Topic {}", (i + t) % 9)).collect::<Vec<_>>(),
            "metadata": {"n": i, "nested": {"odd": i % 2 == 1}},
        });
        if !published_at.is_null() {
            body["published_at"] = published_at;
        }
        if i % 11 == 0 {
            // Leading blank lines and CRLF endings are kept as written.
            body["body_markdown"] = json!(format!("\n\nStarts low {i}.\r\n\r\n## Then\r\n"));
        }
        if i % 3 == 0 {
            body["excerpt"] = json!(format!("Excerpt {i}\nwith a second line"));
            body["seo"] = json!({"meta_title": format!("SEO {i}"), "canonical_url": format!("https://x.example/{i}")});
        }
        if i % 4 == 1 {
            body["cover_image"] = json!({"url": format!("https://img.example/{i}.jpg"), "alt": "A picture"});
        }
        server.create_article(&client, &writers[i % writers.len()], &body).await;
    }
    let disabled = json!({"disabled": true});
    let url = server.url(&format!("/api/v1/users/{author}"));
    assert!(client.patch(url).bearer_auth(&admin).json(&disabled).send().await.unwrap().status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_articles_round_trip_and_importing_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let source = TestDatabase::sqlite();
    {
        let server = Server::start_on(&source.url, &[]).await;
        varied_site(&server, 1000).await;
    }
    let first = dir.path().join("first");
    assert!(ok(&source.url, &["export", first.to_str().unwrap()]).starts_with("exported 1000 articles"));
    assert_eq!(files(&first).len(), 1003);
    let target = TestDatabase::new();
    let imported = ok(&target.url, &["import", first.to_str().unwrap()]);
    assert!(imported.contains("articles 1000 new, 0 updated, 0 unchanged"), "{imported}");
    let second = dir.path().join("second");
    ok(&target.url, &["export", second.to_str().unwrap()]);
    assert_same_export(&first, &second);
    let again = ok(&target.url, &["import", first.to_str().unwrap()]);
    assert!(again.contains("users 0 new, 0 updated, 4 unchanged"), "{again}");
    assert!(again.contains("articles 0 new, 0 updated, 1000 unchanged"), "{again}");
    let third = dir.path().join("third");
    ok(&target.url, &["export", third.to_str().unwrap()]);
    assert_same_export(&first, &third);

    // The imported admin has no password, and the database has users, so none is
    // bootstrapped: set-password is how the moved site's admin gets in.
    let server = Server::start_on(&target.url, &[]).await;
    assert_eq!(login(&server, EMAIL, support::PASSWORD).await, StatusCode::UNAUTHORIZED);
    let set = folio(&target.url, &["user", "set-password", "--email", EMAIL], support::PASSWORD);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let client = reqwest::Client::new();
    let token = server.token(&client).await;
    let list = client.get(server.url("/api/v1/articles?status=any&per_page=1")).bearer_auth(&token).send();
    let list = list.await.unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(list.headers()["x-total-count"], "1000", "no duplicates");
    // An admin's PATCH is the other way to give an imported user a password.
    let writer = "writer0@example.com";
    assert_eq!(login(&server, writer, "a long enough password").await, StatusCode::UNAUTHORIZED);
    let users = client.get(server.url("/api/v1/users?per_page=100")).bearer_auth(&token).send();
    let users: Value = users.await.unwrap().json().await.unwrap();
    let id = users["data"].as_array().unwrap().iter().find(|u| u["email"] == writer).unwrap()["id"].clone();
    let patch = json!({"password": "a new long enough password"});
    let patched = client.patch(server.url(&format!("/api/v1/users/{id}"))).bearer_auth(&token).json(&patch).send();
    assert_eq!(patched.await.unwrap().status(), StatusCode::OK);
    assert_eq!(login(&server, writer, "a new long enough password").await, StatusCode::OK);
}
