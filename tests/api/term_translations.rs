//! Section and tag names per locale: `translations` on create and PATCH (the site's
//! locales only, a PATCH replacing the map), and the names an article of that locale
//! embeds, in every read, stored or built, and in its ETag.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app_with, TestApp};

const LOCALES: (&str, &str) = ("FOLIO_LOCALES", "en,fr,de-CH");

async fn create(app: &TestApp, kind: &str, body: Value) -> Value {
    json_body(app.post(&format!("/api/v1/{kind}"), Some(&app.admin), &body).await, StatusCode::CREATED).await
}

async fn patch(app: &TestApp, kind: &str, id: &Value, body: Value) -> Value {
    json_body(app.patch(&format!("/api/v1/{kind}/{id}"), Some(&app.admin), &body).await, StatusCode::OK).await
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    json_body(app.get(path, token).await, StatusCode::OK).await
}

/// The fields a 422 names.
async fn refused_fields(response: reqwest::Response) -> Vec<String> {
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn sections_and_tags_keep_their_names_by_locale_and_a_patch_replaces_the_map() {
    let app = spawn_app_with(&[LOCALES]).await;
    for kind in ["sections", "tags"] {
        let created = create(
            &app,
            kind,
            json!({"name": "Treatments", "translations": {
                "FR": {"name": " Traitements ", "description": "Les soins."},
                "de-ch": {"name": "Behandlungen"},
            }}),
        )
        .await;
        let expected = json!({
            "fr": {"name": "Traitements", "description": "Les soins."},
            "de-CH": {"name": "Behandlungen", "description": null},
        });
        assert_eq!(created["translations"], expected, "{kind}: canonical keys, trimmed names: {created}");
        let id = &created["id"];
        for path in [format!("/api/v1/{kind}/{id}"), format!("/api/v1/{kind}/slug/treatments")] {
            assert_eq!(get(&app, &path, None).await["translations"], expected, "{path}");
        }
        let list = get(&app, &format!("/api/v1/{kind}"), None).await;
        assert_eq!(list["data"][0]["translations"], expected, "{kind} list");

        let unnamed = create(&app, kind, json!({"name": "Plain"})).await;
        assert_eq!(unnamed["translations"], json!({}), "{kind} without translations");

        let untouched = patch(&app, kind, id, json!({"description": "Care"})).await;
        assert_eq!(untouched["translations"], expected, "{kind}: a PATCH without translations keeps them");
        let replaced = patch(&app, kind, id, json!({"translations": {"fr": {"name": "Soins"}}})).await;
        assert_eq!(
            replaced["translations"],
            json!({"fr": {"name": "Soins", "description": null}}),
            "{kind}: a PATCH replaces the whole map"
        );
        for clear in [json!(null), json!({})] {
            patch(&app, kind, id, json!({"translations": {"de-CH": {"name": "Pflege"}}})).await;
            let cleared = patch(&app, kind, id, json!({"translations": clear})).await;
            assert_eq!(cleared["translations"], json!({}), "{kind}: {clear} clears");
        }
    }
}

#[tokio::test]
async fn translations_in_unknown_locales_or_with_bad_names_are_422_naming_them() {
    let app = spawn_app_with(&[LOCALES]).await;
    let long = "n".repeat(101);
    let cases = [
        (json!({"xx": {"name": "X"}}), "/translations/xx", "a locale the site lacks"),
        (json!({"de": {"name": "X"}}), "/translations/de", "de is not de-CH"),
        (json!({"fr": {}}), "/translations/fr/name", "a name is required"),
        (json!({"fr": {"name": "  "}}), "/translations/fr/name", "a blank name"),
        (json!({"fr": {"name": long}}), "/translations/fr/name", "a name over 100 characters"),
        (json!({"fr": {"name": "A\u{7}"}}), "/translations/fr/name", "a control character"),
        (json!({"fr": {"name": "A", "description": 5}}), "/translations/fr/description", "a description not text"),
        (json!({"fr": {"name": "A", "slug": "a"}}), "/translations/fr/slug", "an unknown field"),
        (json!({"fr": {"name": "A"}, "FR": {"name": "B"}}), "/translations/fr", "the same locale twice"),
        (json!(["fr"]), "/translations", "not an object"),
    ];
    for kind in ["sections", "tags"] {
        let existing = create(&app, kind, json!({"name": "Existing"})).await;
        for (translations, field, why) in &cases {
            let created = app
                .post(
                    &format!("/api/v1/{kind}"),
                    Some(&app.admin),
                    &json!({"name": "New", "translations": translations}),
                )
                .await;
            let fields = refused_fields(created).await;
            assert_eq!(fields, [*field], "{kind} create, {why}");
            let id = &existing["id"];
            let patched = app
                .patch(&format!("/api/v1/{kind}/{id}"), Some(&app.admin), &json!({"translations": translations}))
                .await;
            assert_eq!(refused_fields(patched).await, [*field], "{kind} PATCH, {why}");
        }
        let listed = get(&app, &format!("/api/v1/{kind}"), None).await;
        assert_eq!(listed["meta"]["total"], 1, "{kind}: nothing refused was created: {listed}");
        let id = &existing["id"];
        assert_eq!(get(&app, &format!("/api/v1/{kind}/{id}"), None).await["translations"], json!({}));
    }
}

/// A site with a section and a tag named in French, and an article in English with
/// its French translation, both published, both filed under them.
struct Bilingual {
    app: TestApp,
    section: Value,
    tag: Value,
    en: Value,
    fr: Value,
}

async fn bilingual() -> Bilingual {
    let app = spawn_app_with(&[LOCALES]).await;
    let section =
        create(&app, "sections", json!({"name": "Treatments", "translations": {"fr": {"name": "Traitements"}}})).await;
    let tag =
        create(&app, "tags", json!({"name": "Dry Needling", "translations": {"fr": {"name": "Aiguilles"}}})).await;
    let en = app
        .article(
            &app.admin,
            json!({"title": "Needles", "body_markdown": "Text.", "status": "published",
                   "section": "treatments", "tags": ["Dry Needling"]}),
        )
        .await;
    let fr = app
        .article(
            &app.admin,
            json!({"title": "Aiguilles", "slug": "needles", "body_markdown": "Texte.", "status": "published",
                   "translation_of": en["id"], "locale": "fr"}),
        )
        .await;
    Bilingual { app, section, tag, en, fr }
}

/// The section and tag names an article answer shows.
fn names(article: &Value) -> (String, String) {
    (article["section"]["name"].as_str().unwrap().to_owned(), article["tags"][0]["name"].as_str().unwrap().to_owned())
}

fn french() -> (String, String) {
    ("Traitements".to_owned(), "Aiguilles".to_owned())
}

fn english() -> (String, String) {
    ("Treatments".to_owned(), "Dry Needling".to_owned())
}

#[tokio::test]
async fn an_article_shows_its_section_and_tags_by_their_names_in_its_locale() {
    let Bilingual { app, en, fr, .. } = bilingual().await;
    assert_eq!(names(&fr), french(), "the created answer: {fr}");
    assert_eq!(names(&en), english());
    let admin = Some(app.admin.as_str());
    for token in [None, admin] {
        let who = if token.is_some() { "the admin" } else { "the public" };
        for (id, want) in [(&fr["id"], french()), (&en["id"], english())] {
            let read = get(&app, &format!("/api/v1/articles/{id}"), token).await;
            assert_eq!(names(&read), want, "{who}, by id {id}");
        }
        let by_slug = get(&app, "/api/v1/articles/slug/needles?locale=fr", token).await;
        assert_eq!(names(&by_slug), french(), "{who}, by slug in fr");
        let by_slug = get(&app, "/api/v1/articles/slug/needles", token).await;
        assert_eq!(names(&by_slug), english(), "{who}, by slug in the default locale");
        let switched = get(&app, &format!("/api/v1/articles/{}?locale=fr", en["id"]), token).await;
        assert_eq!(names(&switched), french(), "{who}, the language switcher");

        let list = get(&app, "/api/v1/articles", token).await;
        for item in list["data"].as_array().unwrap() {
            let want = if item["locale"] == "fr" { french() } else { english() };
            assert_eq!(names(item), want, "{who}, the list: {item}");
        }
        let list = get(&app, "/api/v1/articles?locale=fr", token).await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1, "{who}: {list}");
        assert_eq!(names(&list["data"][0]), french(), "{who}, the list in fr");
    }
}

#[tokio::test]
async fn renaming_a_term_in_a_locale_changes_that_locales_articles_and_their_etags_only() {
    let Bilingual { app, section, tag, en, fr } = bilingual().await;
    let etag = |id: Value| {
        let app = &app;
        async move {
            let response = app.get(&format!("/api/v1/articles/{id}"), None).await;
            assert_eq!(response.status(), StatusCode::OK);
            response.headers()["etag"].to_str().unwrap().to_owned()
        }
    };
    let (fr_before, en_before) = (etag(fr["id"].clone()).await, etag(en["id"].clone()).await);

    patch(&app, "sections", &section["id"], json!({"translations": {"fr": {"name": "Soins"}}})).await;
    let fr_after = etag(fr["id"].clone()).await;
    assert_ne!(fr_after, fr_before, "the French name of its section changed");
    assert_eq!(etag(en["id"].clone()).await, en_before, "the English article shows no French name");
    let read = get(&app, &format!("/api/v1/articles/{}", fr["id"]), None).await;
    assert_eq!(read["section"]["name"], "Soins");

    patch(&app, "tags", &tag["id"], json!({"translations": null})).await;
    assert_ne!(etag(fr["id"].clone()).await, fr_after, "the French name of its tag went");
    assert_eq!(etag(en["id"].clone()).await, en_before);
    let read = get(&app, &format!("/api/v1/articles/{}", fr["id"]), None).await;
    assert_eq!(read["tags"][0]["name"], "Dry Needling", "no French name: the tag's own");
    let list = get(&app, "/api/v1/articles?locale=fr", None).await;
    assert_eq!(names(&list["data"][0]), ("Soins".to_owned(), "Dry Needling".to_owned()), "the stored summary too");
}

#[derive(diesel::QueryableByName)]
struct Payload {
    #[diesel(sql_type = diesel::sql_types::Text)]
    payload: String,
}

/// The `data` of the newest webhook event of type `kind`, as the outbox holds it.
fn newest_event(app: &TestApp, kind: &str) -> Value {
    use diesel::{Connection, RunQueryDsl};
    let sql = format!("SELECT payload FROM webhook_events WHERE type = '{kind}' ORDER BY id DESC LIMIT 1");
    let url = app.database_url();
    let found: Payload = if url.starts_with("postgres") {
        diesel::sql_query(sql).get_result(&mut diesel::PgConnection::establish(url).unwrap()).unwrap()
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        diesel::sql_query(sql).get_result(&mut diesel::SqliteConnection::establish(path).unwrap()).unwrap()
    };
    serde_json::from_str(&found.payload).unwrap()
}

#[tokio::test]
async fn a_change_of_names_by_locale_alone_is_announced_like_a_rename() {
    let Bilingual { app, section, tag, .. } = bilingual().await;
    let before = get(&app, "/api/v1/changes", None).await["data"].as_array().unwrap().len();
    patch(&app, "sections", &section["id"], json!({"translations": {"fr": {"name": "Soins"}}})).await;
    patch(&app, "tags", &tag["id"], json!({"translations": {}})).await;
    let section_event = newest_event(&app, "section.updated");
    assert_eq!(section_event["id"], section["id"]);
    assert_eq!(section_event["translations"], json!({"fr": {"name": "Soins", "description": null}}), "{section_event}");
    let tag_event = newest_event(&app, "tag.updated");
    assert_eq!(tag_event["translations"], json!({}), "{tag_event}");
    let changes = get(&app, "/api/v1/changes", None).await;
    let kinds: Vec<&Value> = changes["data"].as_array().unwrap()[before..].iter().map(|c| &c["type"]).collect();
    assert_eq!(kinds, [&json!("section.updated"), &json!("tag.updated")], "{changes}");
}
