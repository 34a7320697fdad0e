//! What an import may be handed and what it may change (issue 17 A7, A9), and what an
//! export writes (A10): dates the API would refuse are refused, dates it accepts read
//! back (also before 1970), only regular files of bounded size are read, a user
//! already there is left as it is, and an export creates every file anew.

use std::os::unix::fs::FileTypeExt;

use super::*;

/// A copy of the export `good` in a new directory, to change.
fn copy_of(good: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files(good) {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Sets the front matter field `key` of the article file `path` to `value`.
fn set_field(path: &Path, key: &str, value: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let prefix = format!("{key}: ");
    let mut found = false;
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| match line.starts_with(&prefix) && !found {
            true => {
                found = true;
                format!("{prefix}{value}")
            }
            false => line.to_owned(),
        })
        .collect();
    assert!(found, "{key} in {}", path.display());
    std::fs::write(path, lines.join("\n")).unwrap();
}

const MOON_LANDING_YEAR: &str = "1965-07-20T20:17:00Z";

#[tokio::test]
async fn dates_before_1970_import_and_read_back_by_id_slug_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let good = demo_export(&TestDatabase::sqlite(), dir.path());
    let copy = copy_of(&good);
    let article = copy.path().join(format!("{DEMO_SLUG}.md"));
    for key in ["published_at", "created_at", "updated_at"] {
        set_field(&article, key, MOON_LANDING_YEAR);
    }
    let target = TestDatabase::new();
    ok(&target.url, &["import", copy.path().to_str().unwrap()]);

    let server = Server::start_on(&target.url, &[]).await;
    let by_slug = reqwest::get(server.url(&format!("/api/v1/articles/slug/{DEMO_SLUG}"))).await.unwrap();
    assert_eq!(by_slug.status(), StatusCode::OK);
    // An HTTP date has a four-digit year: 1965 is one, though the Unix clock starts in 1970.
    assert_eq!(by_slug.headers()["last-modified"], "Tue, 20 Jul 1965 20:17:00 GMT");
    let body: Value = by_slug.json().await.unwrap();
    let id = body["id"].as_i64().unwrap();
    let by_id = reqwest::get(server.url(&format!("/api/v1/articles/{id}"))).await.unwrap();
    assert_eq!(by_id.status(), StatusCode::OK);
    let list = reqwest::get(server.url("/api/v1/articles")).await.unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    let list: Value = list.json().await.unwrap();
    for read in [body, by_id.json().await.unwrap(), list["data"][0].clone()] {
        for key in ["published_at", "created_at", "updated_at"] {
            assert_eq!(read[key], MOON_LANDING_YEAR, "{key} as stored: {read}");
        }
    }
}

#[test]
fn dates_outside_the_years_0001_to_9999_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = demo_export(&TestDatabase::sqlite(), dir.path());
    let name = format!("{DEMO_SLUG}.md");
    for (key, value) in [
        ("created_at", "0000-12-31T00:00:00Z"),
        ("updated_at", "+10000-01-01T00:00:00Z"),
        ("updated_at", "0000-01-01T00:00:00Z"),
        ("published_at", "0000-06-01T00:00:00Z"),
    ] {
        let line = refused(&good, |d| set_field(&d.join(&name), key, value), &name);
        assert!(line.contains(key), "{key}: {value}: names the field: {line}");
    }
}

/// The users' list as the admin reads it, by email.
async fn users_by_email(server: &Server, token: &str) -> BTreeMap<String, Value> {
    let client = reqwest::Client::new();
    let response = client.get(server.url("/api/v1/users?per_page=100")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let users: Value = response.json().await.unwrap();
    users["data"].as_array().unwrap().iter().map(|u| (u["email"].as_str().unwrap().to_owned(), u.clone())).collect()
}

#[tokio::test]
async fn an_existing_user_is_left_exactly_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let good = demo_export(&TestDatabase::sqlite(), dir.path());
    let target = TestDatabase::new();
    let (nick_password, off) = ("nick's own long password", "off@example.com");
    for (email, role, password) in
        [(EMAIL, "admin", support::PASSWORD), (DEMO_AUTHOR, "author", nick_password), (off, "author", nick_password)]
    {
        let created = folio(&target.url, &["user", "create", "--email", email, "--role", role], password);
        assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    }
    let server = Server::start_on(&target.url, &[]).await;
    let client = reqwest::Client::new();
    let token = server.token(&client).await;
    let before = users_by_email(&server, &token).await;
    for (email, patch) in [(DEMO_AUTHOR, json!({"bio": "Writes on needles."})), (off, json!({"disabled": true}))] {
        let url = server.url(&format!("/api/v1/users/{}", before[email]["id"]));
        let patched = client.patch(url).bearer_auth(&token).json(&patch).send().await.unwrap();
        assert_eq!(patched.status(), StatusCode::OK);
    }
    let before = users_by_email(&server, &token).await;

    // The file would promote the author, disable them and rename them, and enable `off`.
    let copy = copy_of(&good);
    let users = json!([
        {"email": DEMO_AUTHOR, "display_name": "Someone Else", "role": "admin", "bio": "Not mine.", "disabled": true},
        {"email": off, "display_name": "Back On", "role": "editor", "bio": null, "disabled": false},
    ]);
    std::fs::write(copy.path().join("users.json"), users.to_string()).unwrap();
    let imported = ok(&target.url, &["import", copy.path().to_str().unwrap()]);
    assert!(imported.contains("users 0 new, 0 updated, 2 unchanged"), "{imported}");

    assert_eq!(users_by_email(&server, &token).await, before, "every user as it was");
    assert_eq!(login(&server, DEMO_AUTHOR, nick_password).await, StatusCode::OK, "the password still works");
    assert_eq!(login(&server, off, nick_password).await, StatusCode::UNAUTHORIZED, "still disabled");
}

/// Makes a FIFO at `path`.
fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
    assert!(std::fs::symlink_metadata(path).unwrap().file_type().is_fifo());
}

/// Makes `path` a sparse file of `bytes` (zeros), taking no room on the disk.
fn sparse(path: &Path, bytes: u64) {
    std::fs::File::create(path).unwrap().set_len(bytes).unwrap();
}

/// Spoils a copy of an export.
type Spoil<'a> = Box<dyn FnOnce(&Path) + 'a>;

#[test]
fn import_reads_regular_files_of_bounded_size_only() {
    let dir = tempfile::tempdir().unwrap();
    let good = demo_export(&TestDatabase::sqlite(), dir.path());
    let article = format!("{DEMO_SLUG}.md");
    // Good files, outside the directory imported.
    let elsewhere = copy_of(&good);
    let outside = |name: &str| elsewhere.path().join(name);
    let link = |target: std::path::PathBuf, name: &'static str| {
        move |d: &Path| {
            std::fs::remove_file(d.join(name)).unwrap();
            std::os::unix::fs::symlink(target, d.join(name)).unwrap();
        }
    };
    let cases: Vec<(Spoil<'_>, &str, &str)> = vec![
        (Box::new(link(outside("users.json"), "users.json")), "users.json", "symbolic link"),
        (Box::new(link("/dev/zero".into(), "users.json")), "users.json", "symbolic link"),
        (Box::new(link(outside("users.json").join("missing"), "users.json")), "users.json", "symbolic link"),
        (
            Box::new(|d: &Path| {
                std::fs::remove_file(d.join("tags.json")).unwrap();
                mkfifo(&d.join("tags.json"));
            }),
            "tags.json",
            "not a regular file",
        ),
        (
            Box::new(|d: &Path| {
                std::fs::remove_file(d.join("sections.json")).unwrap();
                std::fs::create_dir(d.join("sections.json")).unwrap();
            }),
            "sections.json",
            "not a regular file",
        ),
        (Box::new(|d: &Path| sparse(&d.join("users.json"), (64 << 20) + 1)), "users.json", "larger than"),
        (
            Box::new(|d: &Path| std::os::unix::fs::symlink(outside(&article), d.join("another.md")).unwrap()),
            "another.md",
            "symbolic link",
        ),
        (Box::new(|d: &Path| mkfifo(&d.join("another.md"))), "another.md", "not a regular file"),
        (Box::new(|d: &Path| sparse(&d.join("another.md"), 64 << 20)), "another.md", "larger than"),
    ];
    for (spoil, file, why) in cases {
        let line = refused(&good, spoil, file);
        assert!(line.contains(why), "{file}: {why}: {line}");
    }
}

#[test]
fn every_exported_file_is_a_new_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::sqlite();
    ok(&db.url, &["seed-demo"]);
    ok(&db.url, &["export", dir.path().to_str().unwrap()]);
    let names: Vec<String> = files(dir.path()).into_keys().collect();
    assert_eq!(names.len(), 4, "{names:?}");
    for name in names {
        assert!(std::fs::symlink_metadata(dir.path().join(&name)).unwrap().file_type().is_file(), "{name}");
    }
    // A dangling link planted where a file would go: refused, and nothing made at its end.
    let planted = tempfile::tempdir().unwrap();
    let target = planted.path().join("target");
    std::os::unix::fs::symlink(&target, planted.path().join("users.json")).unwrap();
    let line = fails(&db.url, &["export", planted.path().to_str().unwrap()]);
    assert!(line.contains("is not empty"), "{line}");
    assert!(!target.exists(), "nothing written through the link");
}
