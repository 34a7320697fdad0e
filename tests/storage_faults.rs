//! The real binary when its disk fills under it, or fails and goes read-only under
//! it: writes answer 503 with `Retry-After` and reads keep working. Needs root (it
//! mounts a small tmpfs, and an ext4 image in it): the tests are ignored unless asked for
//! with `--include-ignored`, as `.ci/run` does as root.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::Server;

/// A tmpfs mounted for the test, unmounted however the test ends.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Result<Self, String> {
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .map_err(|e| e.to_string())?;
        match output.status.success() {
            true => Ok(Self(at.to_owned())),
            false => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
        }
    }

    /// Writes zeros until the file system refuses more.
    fn fill(&self) -> PathBuf {
        let path = self.0.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while file.write_all(&chunk).is_ok() {}
        while file.write_all(&chunk[..512]).is_ok() {}
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazily: a server still holding files open must not keep the mount alive.
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Sends a write, and checks it is refused with 503, problem+json and Retry-After.
async fn refused(client: &reqwest::Client, server: &Server, token: &str, what: &str) {
    let body = json!({"title": format!("Big {what}"), "body_markdown": "Words that take room. ".repeat(20_000)});
    let response = server.post_article(client, token, &body).await;
    let status = response.status();
    let retry = response.headers().get("retry-after").cloned();
    let content_type = response.headers().get("content-type").cloned();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "a write with the disk {what}: {text}");
    assert!(retry.is_some(), "503 without Retry-After with the disk {what}");
    assert_eq!(content_type.unwrap(), "application/problem+json");
    let small = json!({"title": format!("Small {what}"), "body_markdown": "Words."});
    let response = server.post_article(client, token, &small).await;
    let status = response.status();
    assert!(!status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE, "small write: {status}");
}

/// Reads the article as the admin (past the cache) and the public list.
async fn readable(client: &reqwest::Client, server: &Server, token: &str, id: i64, what: &str) {
    let one = client.get(server.url(&format!("/api/v1/articles/{id}"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(one.status(), StatusCode::OK, "reading an article with the disk {what}");
    let list = client.get(server.url("/api/v1/articles?per_page=5")).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::OK, "listing articles with the disk {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root: mounts a tmpfs and a loop-backed ext4; run as root with --include-ignored (.ci/run does)"]
async fn a_full_disk_makes_writes_503_while_reads_keep_working_and_writes_resume_after() {
    let dir = tempfile::tempdir().unwrap();
    let disk = Tmpfs::mount(dir.path(), "8m").unwrap_or_else(|why| panic!("mounting a tmpfs needs root: {why}"));
    let server = Server::start(&dir.path().join("folio.db"), &[]).await;
    let client = reqwest::Client::new();
    let token = server.token(&client).await;
    let article = json!({"title": "Before", "body_markdown": "Words.", "status": "published"});
    let id = server.create_article(&client, &token, &article).await;

    let filler = disk.fill();
    refused(&client, &server, &token, "full").await;
    readable(&client, &server, &token, id, "full").await;

    std::fs::remove_file(filler).unwrap();
    let after = json!({"title": "After", "body_markdown": "Words."});
    let response = server.post_article(&client, &token, &after).await;
    assert_eq!(response.status(), StatusCode::CREATED, "writes work again once the disk has room");
    drop(server);
    drop(disk);
}

/// An ext4 file system in an image inside `Tmpfs`, mounted with `errors=remount-ro`:
/// the kernel's answer to a failing disk, and the default on many distributions.
/// Needs a loop device and `mkfs.ext4`.
struct Ext4 {
    at: PathBuf,
    device: String,
}

impl Ext4 {
    fn mount(inside: &Tmpfs) -> Result<Self, String> {
        let image = inside.0.join("disk.img");
        let at = inside.0.join("disk");
        std::fs::File::create(&image).and_then(|f| f.set_len(16 << 20)).map_err(|e| e.to_string())?;
        std::fs::create_dir(&at).map_err(|e| e.to_string())?;
        run(Command::new("mkfs.ext4").args(["-q", "-F", "-O", "^has_journal"]).arg(&image))?;
        run(Command::new("mount").args(["-o", "loop,errors=remount-ro"]).arg(&image).arg(&at))?;
        // Unmounted by Drop from here on, whatever fails next.
        let mut disk = Self { at, device: String::new() };
        let device = run(Command::new("findmnt").args(["-n", "-o", "SOURCE"]).arg(&disk.at))?;
        disk.device = device.trim().trim_start_matches("/dev/").to_owned();
        match disk.trigger().exists() {
            true => Ok(disk),
            false => Err(format!("this kernel has no {}", disk.trigger().display())),
        }
    }

    /// What an operator does after the failure: unmount, check, mount again read-write.
    fn repair(&self) {
        run(Command::new("umount").arg(&self.at)).unwrap();
        // 1: errors were corrected, as they should be after the error reported.
        let fsck = Command::new("e2fsck").arg("-fy").arg(self.image()).output().unwrap();
        assert!(fsck.status.code().is_some_and(|code| code <= 1), "e2fsck: {fsck:?}");
        run(Command::new("mount").args(["-o", "loop,errors=remount-ro"]).arg(self.image()).arg(&self.at)).unwrap();
    }

    fn image(&self) -> PathBuf {
        self.at.with_file_name("disk.img")
    }

    fn trigger(&self) -> PathBuf {
        Path::new("/sys/fs/ext4").join(&self.device).join("trigger_fs_error")
    }

    /// Reports a file-system error, as a failing disk would: ext4 remounts itself read-only
    /// at once, with files still open for writing (which `mount -o remount,ro` refuses).
    fn fail(&self) {
        std::fs::write(self.trigger(), "test: disk failing").unwrap();
        let probe = std::fs::write(self.at.join("probe"), "x").unwrap_err();
        assert_eq!(probe.raw_os_error(), Some(30), "the file system is not read-only (EROFS) after the error: {probe}");
    }
}

impl Drop for Ext4 {
    fn drop(&mut self) {
        // The loop device detaches itself (autoclear) once the last user lets go.
        let _ = Command::new("umount").arg("-l").arg(&self.at).status();
    }
}

/// A fresh ext4 disk in a tmpfs at `dir`; these tests are ignored unless asked for, and
/// fail when this machine cannot make one.
fn ext4_in_tmpfs(dir: &Path) -> (Tmpfs, Ext4) {
    let disk = Tmpfs::mount(dir, "40m").and_then(|tmpfs| {
        let ext4 = Ext4::mount(&tmpfs)?;
        Ok((tmpfs, ext4))
    });
    disk.unwrap_or_else(|why| panic!("needs root, a loop device and mkfs.ext4: {why}"))
}

/// Runs a set-up command; its stderr when it fails.
fn run(command: &mut Command) -> Result<String, String> {
    let output = command.output().map_err(|e| e.to_string())?;
    match output.status.success() {
        true => Ok(String::from_utf8_lossy(&output.stdout).into_owned()),
        false => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
    }
}

/// A request that must be refused with 503, problem+json and Retry-After.
async fn unavailable(request: reqwest::RequestBuilder, what: &str) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let retry = response.headers().get("retry-after").cloned();
    let content_type = response.headers().get("content-type").cloned();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{what} on a read-only disk: {text}");
    assert!(retry.is_some(), "{what}: 503 without Retry-After");
    assert_eq!(content_type.unwrap(), "application/problem+json", "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root: mounts a tmpfs and a loop-backed ext4; run as root with --include-ignored (.ci/run does)"]
async fn a_disk_gone_read_only_makes_writes_503_while_reads_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    // Dropped in reverse: the server, then the ext4 mount, then the tmpfs under it.
    let (_tmpfs, disk) = ext4_in_tmpfs(dir.path());
    let server = Server::start(&disk.at.join("folio.db"), &[]).await;
    let client = reqwest::Client::new();
    let token = server.token(&client).await;
    let article = json!({"title": "Before", "body_markdown": "Words to find.", "status": "published"});
    let response = server.post_article(&client, &token, &article).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let etag = response.headers()["etag"].clone();
    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    disk.fail();

    let post = |path: &str| client.post(server.url(path)).bearer_auth(&token);
    unavailable(post("/api/v1/articles").json(&json!({"title": "After", "body_markdown": "Words."})), "creating").await;
    let patch = client.patch(server.url(&format!("/api/v1/articles/{id}"))).bearer_auth(&token);
    unavailable(patch.header("if-match", etag).json(&json!({"title": "Changed"})), "editing").await;
    unavailable(post("/api/v1/sections").json(&json!({"name": "News"})), "a new section").await;
    let login = json!({"email": support::EMAIL, "password": support::PASSWORD});
    unavailable(client.post(server.url("/api/v1/auth/login")).json(&login), "logging in").await;

    readable(&client, &server, &token, id, "read-only").await;
    for page in 1..=8 {
        let url = server.url(&format!("/api/v1/articles?q=find&per_page={page}"));
        let response = client.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "a search on a read-only disk");
    }
    // The pools replace connections as they age (and open more under load): one opened
    // now, with folio's own pragmas, must read too.
    let url = folio::config::DatabaseUrl::parse(&format!("sqlite://{}", disk.at.join("folio.db").display())).unwrap();
    let tuning = folio::config::DatabaseTuning { readers: 1, statement_timeout: std::time::Duration::from_secs(5) };
    let fresh = folio::db::Database::open(&url, &tuning).unwrap();
    fresh.reader().unwrap().batch_execute("SELECT count(*) FROM articles").unwrap();
    drop(fresh);
    let ready = client.get(server.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK, "reads work, so the server is ready for them");
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root: mounts a tmpfs and a loop-backed ext4; run as root with --include-ignored (.ci/run does)"]
async fn writes_acknowledged_before_the_disk_went_read_only_are_there_once_it_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let (_tmpfs, disk) = ext4_in_tmpfs(dir.path());
    let db = disk.at.join("folio.db");
    let server = Server::start(&db, &[]).await;
    let client = reqwest::Client::new();
    let token = server.token(&client).await;
    let mut acknowledged = Vec::new();
    for n in 0..5 {
        let article = json!({"title": format!("Acknowledged {n}"), "body_markdown": "Words.", "status": "published"});
        acknowledged.push(server.create_article(&client, &token, &article).await);
    }

    disk.fail();
    drop(server);
    disk.repair();

    let server = Server::start(&db, &[]).await;
    for id in acknowledged {
        let response = client.get(server.url(&format!("/api/v1/articles/{id}"))).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "article {id} was acknowledged with 201 before the disk failed");
    }
    let token = server.token(&client).await;
    let after = json!({"title": "After the repair", "body_markdown": "Words."});
    let response = server.post_article(&client, &token, &after).await;
    assert_eq!(response.status(), StatusCode::CREATED, "writes work again once the disk is repaired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root: mounts a tmpfs and a loop-backed ext4; run as root with --include-ignored (.ci/run does)"]
async fn restarted_on_a_disk_gone_read_only_folio_serves_reads_and_refuses_writes_with_503() {
    let dir = tempfile::tempdir().unwrap();
    let (_tmpfs, disk) = ext4_in_tmpfs(dir.path());
    let db = disk.at.join("folio.db");
    let server = Server::start(&db, &[]).await;
    let client = reqwest::Client::new();
    let token = server.token(&client).await;
    let article = json!({"title": "Before", "body_markdown": "Words to find.", "status": "published"});
    let id = server.create_article(&client, &token, &article).await;

    // The disk fails, and the supervisor restarts folio, as it would after a crash or a deploy.
    disk.fail();
    drop(server);
    let server = Server::start(&db, &[]).await;

    readable(&client, &server, &token, id, "read-only since start-up").await;
    let search = client.get(server.url("/api/v1/articles?q=find")).send().await.unwrap();
    assert_eq!(search.status(), StatusCode::OK, "a search on a disk read-only since start-up");
    let post = |path: &str| client.post(server.url(path)).bearer_auth(&token);
    unavailable(post("/api/v1/articles").json(&json!({"title": "After", "body_markdown": "Words."})), "creating").await;
    let login = json!({"email": support::EMAIL, "password": support::PASSWORD});
    unavailable(client.post(server.url("/api/v1/auth/login")).json(&login), "logging in").await;
}
