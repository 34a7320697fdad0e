//! What an import may be handed (issue 17 A7): dates the API would refuse are
//! refused, dates it accepts read back (also before 1970).

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
