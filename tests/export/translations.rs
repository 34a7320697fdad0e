//! A site in several locales moves whole: each article's `locale`, its translation
//! group (`translation_of` naming the group's oldest article), and the section and tag
//! names by locale; translations sharing a slug get files of their own, an archive
//! from before locales lands in the default locale, and bad locales or groups are
//! refused naming the file and the field.

use super::*;

const LOCALES: (&str, &str) = ("FOLIO_LOCALES", "en,fr,de");

/// A site in English, French and German: a section and a tag named in French, an
/// English article with a French translation of the same slug, and a German article alone.
async fn bilingual_site(server: &Server) {
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
    let fr = json!({"fr": {"name": "Traitements", "description": "Les soins."}});
    post("/api/v1/sections", json!({"name": "Treatments", "translations": fr})).await;
    post("/api/v1/tags", json!({"name": "Dry Needling", "translations": {"fr": {"name": "Aiguilles"}}})).await;
    let en = post(
        "/api/v1/articles",
        json!({"title": "Needles", "body_markdown": "Text.", "status": "published",
               "section": "treatments", "tags": ["Dry Needling"]}),
    )
    .await;
    post(
        "/api/v1/articles",
        json!({"title": "Aiguilles", "slug": "needles", "body_markdown": "Texte.", "status": "draft",
               "translation_of": en["id"], "locale": "fr"}),
    )
    .await;
    post(
        "/api/v1/articles",
        json!({"title": "Nadeln", "body_markdown": "Text.", "status": "published", "locale": "de"}),
    )
    .await;
}

/// What the admin reads of each article (by slug, in its locale) and of the section
/// and tag, without the ids a move may change.
async fn site(server: &Server) -> Value {
    let client = reqwest::Client::new();
    let token = server.token(&client).await;
    let get = |path: String| {
        let request = client.get(server.url(&path)).bearer_auth(&token).send();
        async move {
            let response = request.await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.json::<Value>().await.unwrap()
        }
    };
    let mut articles = Vec::new();
    for (slug, locale) in [("needles", "en"), ("needles", "fr"), ("nadeln", "de")] {
        let read = get(format!("/api/v1/articles/slug/{slug}?locale={locale}")).await;
        let translations: Vec<Value> = read["translations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| json!({"locale": t["locale"], "slug": t["slug"], "title": t["title"]}))
            .collect();
        articles.push(json!({
            "slug": read["slug"], "locale": read["locale"], "title": read["title"], "status": read["status"],
            "translations": translations, "section": read["section"]["name"],
            "tags": read["tags"].as_array().unwrap().iter().map(|t| t["name"].clone()).collect::<Vec<_>>(),
        }));
    }
    let names = |list: Value| -> Vec<Value> {
        list["data"].as_array().unwrap().iter().map(|t| json!([t["slug"], t["name"], t["translations"]])).collect()
    };
    json!({
        "articles": articles,
        "sections": names(get("/api/v1/sections".into()).await),
        "tags": names(get("/api/v1/tags".into()).await),
    })
}

/// The bilingual site on SQLite, its export, and what its API shows.
async fn bilingual_export(dir: &Path) -> (std::path::PathBuf, Value) {
    let source = TestDatabase::sqlite();
    let server = Server::start_on(&source.url, &[LOCALES]).await;
    bilingual_site(&server).await;
    let shown = site(&server).await;
    let out = dir.join("first");
    ok_with(&source.url, &["export", out.to_str().unwrap()], &[LOCALES]);
    (out, shown)
}

/// Gives the imported admin (who has no password) the one the tests log in with.
fn set_admin_password(target: &TestDatabase) {
    let set = folio(&target.url, &["user", "set-password", "--email", EMAIL], support::PASSWORD);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
}

#[tokio::test]
async fn a_site_in_three_locales_moves_with_its_groups_and_names_by_locale() {
    let dir = tempfile::tempdir().unwrap();
    let (first, before) = bilingual_export(dir.path()).await;
    let written = files(&first);
    let names: Vec<&str> = written.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["nadeln.de.md", "needles.fr.md", "needles.md", "sections.json", "tags.json", "users.json"],
        "a file per translation, though two share a slug"
    );
    let en = &written["needles.md"];
    assert!(en.contains("\nlocale: en\n") && !en.contains("translation_of"), "the group's oldest: {en}");
    let fr = &written["needles.fr.md"];
    assert!(fr.contains("\nlocale: fr\ntranslation_of: {\"locale\":\"en\",\"slug\":\"needles\"}\n"), "{fr}");
    assert!(!written["nadeln.de.md"].contains("translation_of"), "alone");
    assert!(written["sections.json"].contains("\"Traitements\""), "{}", written["sections.json"]);
    assert!(written["tags.json"].contains("\"Aiguilles\""), "{}", written["tags.json"]);
    assert_eq!(before["articles"][0]["translations"][0]["locale"], "fr", "the source has the group: {before}");
    assert_eq!(before["articles"][1]["section"], "Traitements", "{before}");

    let target = TestDatabase::new();
    let imported = ok_with(&target.url, &["import", first.to_str().unwrap()], &[LOCALES]);
    assert!(imported.contains("articles 3 new, 0 updated, 0 unchanged"), "{imported}");
    set_admin_password(&target);
    {
        let server = Server::start_on(&target.url, &[LOCALES]).await;
        assert_eq!(site(&server).await, before, "locales, groups and names as they were");
    }
    let second = dir.path().join("second");
    ok_with(&target.url, &["export", second.to_str().unwrap()], &[LOCALES]);
    assert_same_export(&first, &second);
    let again = ok_with(&target.url, &["import", first.to_str().unwrap()], &[LOCALES]);
    assert!(again.contains("sections 0 new, 0 updated, 1 unchanged"), "{again}");
    assert!(again.contains("tags 0 new, 0 updated, 1 unchanged"), "{again}");
    assert!(again.contains("articles 0 new, 0 updated, 3 unchanged"), "{again}");
}

#[tokio::test]
async fn an_article_already_there_joins_the_group_its_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let (first, before) = bilingual_export(dir.path()).await;
    // The same articles, none a translation of another: imported first, they make no group.
    let apart = dir.path().join("apart");
    std::fs::create_dir(&apart).unwrap();
    for (name, text) in files(&first) {
        let kept: Vec<&str> = text.split_inclusive('\n').filter(|l| !l.starts_with("translation_of:")).collect();
        std::fs::write(apart.join(name), kept.concat()).unwrap();
    }
    let target = TestDatabase::new();
    ok_with(&target.url, &["import", apart.to_str().unwrap()], &[LOCALES]);
    let joined = ok_with(&target.url, &["import", first.to_str().unwrap()], &[LOCALES]);
    assert!(joined.contains("articles 0 new, 1 updated, 2 unchanged"), "only the French one moved: {joined}");
    set_admin_password(&target);
    let server = Server::start_on(&target.url, &[LOCALES]).await;
    assert_eq!(site(&server).await["articles"], before["articles"], "grouped as in the source");
    let again = ok_with(&target.url, &["import", first.to_str().unwrap()], &[LOCALES]);
    assert!(again.contains("articles 0 new, 0 updated, 3 unchanged"), "{again}");
}

#[tokio::test]
async fn an_archive_from_before_locales_imports_into_the_default_locale() {
    let dir = tempfile::tempdir().unwrap();
    let old = demo_export(&TestDatabase::sqlite(), dir.path());
    let article = old.join(format!("{DEMO_SLUG}.md"));
    let text = std::fs::read_to_string(&article).unwrap();
    assert!(text.contains("\nlocale: en\n"), "{text}");
    std::fs::write(&article, text.replace("\nlocale: en\n", "\n")).unwrap();
    let target = TestDatabase::new();
    let french_first = [("FOLIO_LOCALES", "fr,en")];
    ok_with(&target.url, &["import", old.to_str().unwrap()], &french_first);
    let again = ok_with(&target.url, &["import", old.to_str().unwrap()], &french_first);
    assert!(again.contains("articles 0 new, 0 updated, 1 unchanged"), "{again}");
    let server = Server::start_on(&target.url, &french_first).await;
    let read = reqwest::get(server.url(&format!("/api/v1/articles/slug/{DEMO_SLUG}"))).await.unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let read: Value = read.json().await.unwrap();
    assert_eq!(read["locale"], "fr", "the site's default: {read}");
}

/// Imports a copy of `good` changed by `spoil` on a new database with the three
/// locales: checks that it fails with one line naming `file` and `field`, and that
/// nothing was imported.
fn refused_naming(good: &Path, spoil: impl FnOnce(&Path), file: &str, field: &str) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files(good) {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    spoil(dir.path());
    let target = TestDatabase::new();
    let out = folio_with(&target.url, &["import", dir.path().to_str().unwrap()], "", &[LOCALES]);
    let line = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "refused: {line}");
    assert_eq!(line.trim_end().lines().count(), 1, "one line: {line}");
    assert!(line.contains(file) && line.contains(field), "names {file} and {field}: {line}");
    let after = tempfile::tempdir().unwrap();
    let out = ok_with(&target.url, &["export", after.path().join("x").to_str().unwrap()], &[LOCALES]);
    assert!(out.starts_with("exported 0 articles, 0 sections, 0 tags and 0 users"), "nothing imported: {out}");
}

#[tokio::test]
async fn unknown_locales_and_groups_naming_no_article_are_refused_naming_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (good, _) = bilingual_export(dir.path()).await;
    let edit = |name: &'static str, from: &'static str, to: &str| {
        let to = to.to_owned();
        move |d: &Path| {
            let text = std::fs::read_to_string(d.join(name)).unwrap();
            assert!(text.contains(from), "{from} in {name}");
            std::fs::write(d.join(name), text.replacen(from, &to, 1)).unwrap();
        }
    };
    let fr = "needles.fr.md";
    refused_naming(&good, edit(fr, "locale: fr\n", "locale: it\n"), fr, "locale");
    let of = "translation_of: {\"locale\":\"en\",\"slug\":\"needles\"}";
    refused_naming(
        &good,
        edit(fr, of, "translation_of: {\"locale\":\"en\",\"slug\":\"nowhere\"}"),
        fr,
        "translation_of",
    );
    refused_naming(
        &good,
        edit(fr, of, "translation_of: {\"locale\":\"it\",\"slug\":\"needles\"}"),
        fr,
        "translation_of.locale",
    );
    refused_naming(&good, edit(fr, of, "translation_of: {\"slug\":\"needles\"}"), fr, "translation_of");
    refused_naming(
        &good,
        edit(fr, of, "translation_of: {\"locale\":\"fr\",\"slug\":\"needles\"}"),
        fr,
        "translation_of",
    );
    // The German article claims to be the group's English one, which it already has.
    let claim = format!("locale: en\n{of}\n");
    refused_naming(&good, edit("nadeln.de.md", "locale: de\n", &claim), "nadeln.de.md", "translation_of");
    refused_naming(&good, edit("sections.json", "\"fr\": {", "\"it\": {"), "sections.json", "translations.it");
    refused_naming(&good, edit("tags.json", "\"Aiguilles\"", "\"\""), "tags.json", "translations.fr.name");
    refused_naming(
        &good,
        |d| std::fs::write(d.join("zz.fr.md"), std::fs::read_to_string(d.join(fr)).unwrap()).unwrap(),
        "zz.fr.md",
        "another file has the slug needles in fr",
    );
}
