//! Translations: each a whole article in a group that shares section and tags; reads by
//! locale with a fallback chain; what the public sees of the siblings at each moment.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app_with, TestApp};

const LOCALES: (&str, &str) = ("FOLIO_LOCALES", "en,fr,de-CH");

async fn app() -> TestApp {
    spawn_app_with(&[LOCALES]).await
}

fn id(article: &Value) -> i64 {
    article["id"].as_i64().expect("an id")
}

async fn published(app: &TestApp, title: &str, extra: Value) -> Value {
    let mut body = json!({"title": title, "body_markdown": format!("{title}: the text."), "status": "published"});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    app.article(&app.admin, body).await
}

async fn translation(app: &TestApp, of: &Value, locale: &str, title: &str, mut extra: Value) -> Value {
    extra
        .as_object_mut()
        .unwrap()
        .extend([("translation_of".to_owned(), json!(id(of))), ("locale".to_owned(), json!(locale))]);
    published(app, title, extra).await
}

async fn read(app: &TestApp, path: &str, token: Option<&str>) -> (Value, String, String) {
    let response = app.get(path, token).await;
    let language = response.headers().get("content-language").map(|v| v.to_str().unwrap().to_owned());
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    let body = json_body(response, StatusCode::OK).await;
    (body, language.unwrap_or_default(), etag.unwrap_or_default())
}

fn shown(article: &Value) -> Vec<(String, String)> {
    article["translations"]
        .as_array()
        .expect("translations")
        .iter()
        .map(|t| (t["locale"].as_str().unwrap().to_owned(), t["slug"].as_str().unwrap().to_owned()))
        .collect()
}

fn listed(page: &Value) -> Vec<(i64, String)> {
    page["data"].as_array().unwrap().iter().map(|a| (id(a), a["locale"].as_str().unwrap().to_owned())).collect()
}

#[tokio::test]
async fn locales_are_the_configured_ones_in_canonical_case() {
    let app = app().await;
    let plain = app.article(&app.admin, json!({"title": "Default", "body_markdown": "x"})).await;
    assert_eq!(plain["locale"], "en", "the first configured locale is the default");
    let swiss = app.article(&app.admin, json!({"title": "Grüezi", "body_markdown": "x", "locale": "DE-ch"})).await;
    assert_eq!(swiss["locale"], "de-CH");

    let refused = app
        .post("/api/v1/articles", Some(&app.admin), &json!({"title": "T", "body_markdown": "x", "locale": "de"}))
        .await;
    let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "/locale", "{body}");
    for query in ["locale=es", "locale=en_GB", "fallback=en", "locale=en&fallback=fr,xx"] {
        let list = problem(app.get(&format!("/api/v1/articles?{query}"), None).await, StatusCode::UNPROCESSABLE_ENTITY);
        let body = list.await;
        let field = body["errors"][0]["field"].as_str().unwrap().to_owned();
        assert!(field == "locale" || field == "fallback", "{query}: {body}");
        let one = app.get(&format!("/api/v1/articles/{}?{query}", id(&plain)), None).await;
        assert_eq!(one.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
    }
}

#[tokio::test]
async fn a_translation_joins_the_group_takes_its_terms_and_names_its_siblings() {
    let app = app().await;
    app.section("Blogs", None).await;
    let en = published(&app, "Dry needling", json!({"section": "blogs", "tags": ["Needles", "Recovery"]})).await;
    assert_eq!(shown(&en), vec![], "alone, an article has no translations");
    let fr = translation(&app, &en, "fr", "Aiguilles sèches", json!({})).await;
    assert_eq!((fr["locale"].as_str(), fr["section"]["slug"].as_str()), (Some("fr"), Some("blogs")));
    let tags: Vec<&str> = fr["tags"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(tags, ["needles", "recovery"], "a translation takes its group's tags");
    assert_eq!(shown(&fr), vec![("en".to_owned(), "dry-needling".to_owned())]);
    let (en_now, language, _) = read(&app, &format!("/api/v1/articles/{}", id(&en)), None).await;
    assert_eq!(language, "en");
    assert_eq!(shown(&en_now), vec![("fr".to_owned(), "aiguilles-seches".to_owned())]);
    let (_, language, _) = read(&app, &format!("/api/v1/articles/{}", id(&fr)), Some(&app.admin)).await;
    assert_eq!(language, "fr");

    let cases = [
        (json!({"translation_of": id(&en)}), StatusCode::UNPROCESSABLE_ENTITY, "/locale"),
        (
            json!({"translation_of": id(&en), "locale": "de-CH", "section": "blogs"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/section",
        ),
        (json!({"translation_of": id(&en), "locale": "de-CH", "tags": []}), StatusCode::UNPROCESSABLE_ENTITY, "/tags"),
        (json!({"translation_of": id(&en), "locale": "fr"}), StatusCode::CONFLICT, ""),
        (json!({"translation_of": id(&en), "locale": "en"}), StatusCode::CONFLICT, ""),
        (json!({"translation_of": 999_999, "locale": "de-CH"}), StatusCode::NOT_FOUND, ""),
    ];
    for (extra, status, field) in cases {
        let mut body = json!({"title": "Another", "body_markdown": "x"});
        body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap());
        let answer = problem(app.post("/api/v1/articles", Some(&app.admin), &body).await, status).await;
        if !field.is_empty() {
            assert!(answer["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{extra}: {answer}");
        }
    }
    // A draft another author wrote is not one an author may translate: it is none they know.
    let (_, author) = app.user("author", "Ann Author").await;
    let draft = app.article(&app.admin, json!({"title": "Unseen", "body_markdown": "x"})).await;
    let body = json!({"title": "Traduit", "body_markdown": "x", "translation_of": id(&draft), "locale": "fr"});
    problem(app.post("/api/v1/articles", Some(&author), &body).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn slugs_are_unique_per_locale() {
    let app = app().await;
    let en = published(&app, "Needling", json!({})).await;
    let fr = translation(&app, &en, "fr", "Needling", json!({})).await;
    assert_eq!(fr["slug"], "needling", "a derived slug is free in its own locale");
    let other = published(&app, "Other", json!({"locale": "fr", "slug": "autre"})).await;
    let path = format!("/api/v1/articles/{}", id(&other));
    let taken = app.patch(&path, Some(&app.admin), &json!({"slug": "needling", "version": 1})).await;
    problem(taken, StatusCode::CONFLICT).await;
    let derived = published(&app, "Needling", json!({"locale": "fr"})).await;
    assert_eq!(derived["slug"], "needling-2");
    let (by_slug, language, _) = read(&app, "/api/v1/articles/slug/needling?locale=fr", None).await;
    assert_eq!((id(&by_slug), language.as_str()), (id(&fr), "fr"));
    let (by_slug, language, _) = read(&app, "/api/v1/articles/slug/needling", None).await;
    assert_eq!((id(&by_slug), language.as_str()), (id(&en), "en"), "without locale: the default locale");
}

#[tokio::test]
async fn the_public_sees_live_siblings_only_and_a_scheduled_one_appears_on_time() {
    let app = app().await;
    let en = published(&app, "Live", json!({})).await;
    let path = format!("/api/v1/articles/{}", id(&en));
    app.article(
        &app.admin,
        json!({"title": "Brouillon", "body_markdown": "x", "translation_of": id(&en), "locale": "fr"}),
    )
    .await;
    let (public, _, first_etag) = read(&app, &path, None).await;
    assert_eq!(shown(&public), vec![], "the public never sees a draft translation");
    let (editor, _, _) = read(&app, &path, Some(&app.admin)).await;
    assert_eq!(shown(&editor), vec![("fr".to_owned(), "brouillon".to_owned())], "an editor does");

    let soon = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let body = json!({"title": "Demain", "body_markdown": "x", "status": "published", "published_at": soon,
        "translation_of": id(&en), "locale": "de-CH"});
    let scheduled = app.article(&app.admin, body).await;
    assert_eq!(scheduled["status"], "scheduled");
    let (public, _, etag) = read(&app, &path, None).await;
    assert_eq!((shown(&public), etag.as_str()), (vec![], first_etag.as_str()));

    // Its moment passes with no write.
    app.run_sql(&format!(
        "UPDATE articles SET published_at = '2024-01-01 00:00:00' WHERE id = {id};
         UPDATE article_documents SET live_from = '2024-01-01 00:00:00' WHERE article_id = {id};",
        id = id(&scheduled)
    ));
    let (public, _, etag) = read(&app, &path, None).await;
    assert_eq!(shown(&public), vec![("de-CH".to_owned(), "demain".to_owned())]);
    assert_ne!(etag, first_etag, "what an article shows of its siblings is part of its ETag");
    let not_modified =
        app.request(reqwest::Method::GET, &path, None).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    let stale =
        app.request(reqwest::Method::GET, &path, None).header("if-none-match", &first_etag).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    // A write may send the ETag it read, whatever it showed of the siblings.
    let patched = app
        .request(reqwest::Method::PATCH, &path, Some(&app.admin))
        .header("if-match", &etag)
        .json(&json!({"title": "Live, edited"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_siblings_new_slug_or_title_shows_at_once() {
    let app = app().await;
    let en = published(&app, "English", json!({})).await;
    let path = "/api/v1/articles/slug/english";
    let (_, _, alone) = read(&app, path, None).await;
    let fr = translation(&app, &en, "fr", "Français", json!({})).await;
    let (_, _, before) = read(&app, path, None).await;
    let body = json!({"title": "Français, revu", "slug": "francais-revu", "version": 1});
    json_body(app.patch(&format!("/api/v1/articles/{}", id(&fr)), Some(&app.admin), &body).await, StatusCode::OK).await;
    let (public, _, after) = read(&app, path, None).await;
    assert_eq!(
        public["translations"],
        json!([{"id": id(&fr), "locale": "fr", "slug": "francais-revu", "title": "Français, revu"}])
    );
    assert_ne!(before, after);
    // Unpublished, it leaves the list at once.
    let body = json!({"status": "draft", "version": 2});
    json_body(app.patch(&format!("/api/v1/articles/{}", id(&fr)), Some(&app.admin), &body).await, StatusCode::OK).await;
    let (public, _, last) = read(&app, path, None).await;
    assert_eq!((shown(&public), last), (vec![], alone));
}

#[tokio::test]
async fn reads_by_slug_and_by_id_follow_the_fallback_chain() {
    let app = app().await;
    let en = published(&app, "Only English", json!({})).await;
    let both = published(&app, "Both", json!({})).await;
    let fr = translation(&app, &both, "fr", "Les deux", json!({})).await;
    let french_only = published(&app, "Seulement", json!({"locale": "fr"})).await;

    for token in [None, Some(app.admin.as_str())] {
        let (found, language, _) = read(&app, "/api/v1/articles/slug/only-english?locale=fr&fallback=en", token).await;
        assert_eq!((id(&found), language.as_str()), (id(&en), "en"));
        let missing = app.get("/api/v1/articles/slug/only-english?locale=fr", token).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND, "locale alone: that locale only");
        let missing = app.get("/api/v1/articles/slug/seulement", token).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND, "without locale: the default locale only");
        let (found, _, _) = read(&app, "/api/v1/articles/slug/seulement?locale=de-CH&fallback=fr", token).await;
        assert_eq!(id(&found), id(&french_only));

        // By id: the group's translation in the locale asked for, a language switcher.
        let (switched, language, _) = read(&app, &format!("/api/v1/articles/{}?locale=fr", id(&both)), token).await;
        assert_eq!((id(&switched), language.as_str()), (id(&fr), "fr"));
        let (switched, _, _) =
            read(&app, &format!("/api/v1/articles/{}?locale=de-ch&fallback=fr,en", id(&both)), token).await;
        assert_eq!(id(&switched), id(&fr));
        let (same, _, _) = read(&app, &format!("/api/v1/articles/{}?locale=de-CH&fallback=en", id(&en)), token).await;
        assert_eq!(id(&same), id(&en));
        let none = app.get(&format!("/api/v1/articles/{}?locale=de-CH", id(&both)), token).await;
        assert_eq!(none.status(), StatusCode::NOT_FOUND);
    }
    // Nothing varies on Accept-Language.
    let response = app
        .request(reqwest::Method::GET, "/api/v1/articles/slug/both", None)
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    let vary = response.headers().get("vary").map(|v| v.to_str().unwrap().to_lowercase()).unwrap_or_default();
    assert!(!vary.contains("accept-language"), "{vary}");
    assert_eq!(json_body(response, StatusCode::OK).await["locale"], "en");
}

#[tokio::test]
async fn a_fallback_list_shows_one_item_per_group_and_filters_the_item_shown() {
    let app = app().await;
    app.tag("Kept").await;
    // Group A in en and fr, B in en only, C in fr and de-CH, and a draft fr of B.
    let a_en =
        published(&app, "Alpha kestrel", json!({"tags": ["Kept"], "published_at": "2024-01-04T00:00:00Z"})).await;
    let a_fr = translation(&app, &a_en, "fr", "Alpha faucon", json!({"published_at": "2024-01-03T00:00:00Z"})).await;
    let b_en = published(&app, "Bravo kestrel", json!({"published_at": "2024-01-02T00:00:00Z"})).await;
    let b_fr = app
        .article(
            &app.admin,
            json!({"title": "Bravo brouillon", "body_markdown": "x", "translation_of": id(&b_en), "locale": "fr"}),
        )
        .await;
    let c_fr = published(&app, "Charlie", json!({"locale": "fr", "published_at": "2024-01-01T00:00:00Z"})).await;
    let c_de = translation(&app, &c_fr, "de-CH", "Charlie DE", json!({"published_at": "2024-01-05T00:00:00Z"})).await;

    let page = json_body(app.get("/api/v1/articles?locale=fr&fallback=en", None).await, StatusCode::OK).await;
    assert_eq!(listed(&page), vec![(id(&a_fr), "fr".into()), (id(&b_en), "en".into()), (id(&c_fr), "fr".into())]);
    assert_eq!(page["meta"]["total"], 3, "totals count groups");
    let page = json_body(app.get("/api/v1/articles?locale=de-CH&fallback=fr,en", None).await, StatusCode::OK).await;
    assert_eq!(listed(&page), vec![(id(&c_de), "de-CH".into()), (id(&a_fr), "fr".into()), (id(&b_en), "en".into())]);
    let page = json_body(app.get("/api/v1/articles?locale=fr", None).await, StatusCode::OK).await;
    assert_eq!(
        listed(&page),
        vec![(id(&a_fr), "fr".into()), (id(&c_fr), "fr".into())],
        "locale alone: that locale only"
    );
    let page = json_body(app.get("/api/v1/articles", None).await, StatusCode::OK).await;
    assert_eq!(page["meta"]["total"], 5, "without locale, every locale");

    // Pages count groups: two a page, then the third.
    let first =
        json_body(app.get("/api/v1/articles?locale=fr&fallback=en&per_page=2", None).await, StatusCode::OK).await;
    assert_eq!((first["meta"]["total_pages"].as_i64(), listed(&first).len()), (Some(2), 2));
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let next = app.get(&format!("/api/v1/articles?locale=fr&fallback=en&per_page=2&cursor={cursor}"), None).await;
    assert_eq!(listed(&json_body(next, StatusCode::OK).await), vec![(id(&c_fr), "fr".into())]);

    // Filters and q apply to the item shown: A is shown in French (with the group's tag).
    let tagged =
        json_body(app.get("/api/v1/articles?locale=fr&fallback=en&tag=kept", None).await, StatusCode::OK).await;
    assert_eq!(listed(&tagged), vec![(id(&a_fr), "fr".into())]);
    assert_eq!(tagged["meta"]["total"], 1, "a group counts once whatever its translations: {tagged}");
    let searched =
        json_body(app.get("/api/v1/articles?locale=fr&fallback=en&q=kestrel", None).await, StatusCode::OK).await;
    assert_eq!(listed(&searched), vec![(id(&b_en), "en".into())], "A's English text is not what the list shows");
    assert_eq!(searched["meta"]["total"], 1);

    // An editor listing published articles sees what the public sees; listing any status,
    // the French draft of B is the item shown.
    let editor =
        json_body(app.get("/api/v1/articles?locale=fr&fallback=en", Some(&app.admin)).await, StatusCode::OK).await;
    assert_eq!(listed(&editor).len(), 3);
    let any = app.get("/api/v1/articles?locale=fr&fallback=en&status=any", Some(&app.admin)).await;
    let any = json_body(any, StatusCode::OK).await;
    assert!(listed(&any).contains(&(id(&b_fr), "fr".into())), "{any}");
    assert_eq!(any["meta"]["total"], 3);
}

#[tokio::test]
async fn section_and_tags_belong_to_the_group() {
    let app = app().await;
    app.section("Blogs", None).await;
    let (_, author) = app.user("author", "Ann Author").await;
    let en = app.article(&author, json!({"title": "Mine", "body_markdown": "x", "section": "blogs"})).await;
    let fr = app
        .article(&author, json!({"title": "Le mien", "body_markdown": "x", "translation_of": id(&en), "locale": "fr"}))
        .await;
    let body = json!({"tags": ["Needles"], "version": 1});
    let changed =
        json_body(app.patch(&format!("/api/v1/articles/{}", id(&fr)), Some(&app.admin), &body).await, StatusCode::OK)
            .await;
    assert_eq!(changed["tags"][0]["slug"], "needles");
    let (en_now, _, _) = read(&app, &format!("/api/v1/articles/{}", id(&en)), Some(&app.admin)).await;
    assert_eq!((en_now["tags"][0]["slug"].as_str(), en_now["version"].as_i64()), (Some("needles"), Some(2)));
    let revisions =
        json_body(app.get(&format!("/api/v1/articles/{}/revisions", id(&en)), Some(&app.admin)).await, StatusCode::OK)
            .await;
    assert_eq!(revisions["data"].as_array().unwrap().len(), 2, "one revision each: {revisions}");

    // The editor publishes the English one: its author may no longer change it, so may
    // not change the group's section through the French draft either.
    let body = json!({"status": "published", "version": 2});
    json_body(app.patch(&format!("/api/v1/articles/{}", id(&en)), Some(&app.admin), &body).await, StatusCode::OK).await;
    let body = json!({"section": null, "version": 2});
    let refused =
        problem(app.patch(&format!("/api/v1/articles/{}", id(&fr)), Some(&author), &body).await, StatusCode::FORBIDDEN)
            .await;
    assert!(refused["detail"].as_str().unwrap().contains("every translation"), "{refused}");
    // The rest of the draft is the author's to change.
    let body = json!({"title": "Le mien, revu", "version": 2});
    json_body(app.patch(&format!("/api/v1/articles/{}", id(&fr)), Some(&author), &body).await, StatusCode::OK).await;
}

#[tokio::test]
async fn a_translation_may_move_to_a_locale_its_group_lacks() {
    let app = app().await;
    let en = published(&app, "Original", json!({})).await;
    let fr = translation(&app, &en, "fr", "Traduction", json!({})).await;
    let path = format!("/api/v1/articles/{}", id(&fr));
    problem(app.patch(&path, Some(&app.admin), &json!({"locale": "en", "version": 1})).await, StatusCode::CONFLICT)
        .await;
    let body = problem(
        app.patch(&path, Some(&app.admin), &json!({"locale": "it", "version": 1})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "/locale");
    let response = app.patch(&path, Some(&app.admin), &json!({"locale": "de-ch", "version": 1})).await;
    assert_eq!(response.headers()["content-language"], "de-CH");
    let moved = json_body(response, StatusCode::OK).await;
    assert_eq!(moved["locale"], "de-CH");
    let (public, _, _) = read(&app, &format!("/api/v1/articles/{}", id(&en)), None).await;
    assert_eq!(shown(&public), vec![("de-CH".to_owned(), "traduction".to_owned())]);
    let gone = app.get("/api/v1/articles/slug/traduction?locale=fr", None).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn search_with_a_locale_reads_that_locales_text() {
    let app = app().await;
    let en = published(&app, "Summer muscles", json!({"body_markdown": "Needles heal tired muscles in summer."})).await;
    let fr = translation(
        &app,
        &en,
        "fr",
        "Muscles d'été",
        json!({"body_markdown": "Les aiguilles soignent les muscles en été."}),
    )
    .await;
    let search = |query: &str| {
        let app = &app;
        let query = query.to_owned();
        async move {
            let page = json_body(app.get(&format!("/api/v1/articles?{query}"), None).await, StatusCode::OK).await;
            listed(&page).into_iter().map(|(id, _)| id).collect::<Vec<i64>>()
        }
    };
    assert_eq!(search("q=muscles&locale=fr").await, vec![id(&fr)]);
    assert_eq!(search("q=muscles&locale=en").await, vec![id(&en)]);
    assert_eq!(search("q=aiguilles").await, vec![id(&fr)], "without locale, every locale is searched");
    if std::env::var(crate::database::POSTGRES_VAR).is_ok() {
        // PostgreSQL reads each locale in its language's configuration: stems match.
        assert_eq!(search("q=aiguille&locale=fr").await, vec![id(&fr)]);
        assert_eq!(search("q=muscle&locale=en").await, vec![id(&en)]);
    } else {
        // SQLite's tokenizer folds accents and case.
        assert_eq!(search("q=ETE&locale=fr").await, vec![id(&fr)]);
    }
}
