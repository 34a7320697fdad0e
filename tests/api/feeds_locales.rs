//! Feeds, the sitemap and `/changes` on a site with several locales: each feed parsed
//! with `feed-rs` (its language, only that locale's articles, the section's name in it),
//! the sitemap's hreflang alternates read with `roxmltree`, and the locale of each change.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app_with, TestApp};

const FEEDS: [&str; 3] = ["/api/v1/feeds/articles.rss", "/api/v1/feeds/articles.atom", "/api/v1/feeds/articles.json"];
const SITE: [(&str, &str); 3] = [
    ("FOLIO_SITE_URL", "https://clinic.example/"),
    ("FOLIO_ARTICLE_PATH", "/{section}/{slug}"),
    ("FOLIO_LOCALES", "en,fr,de"),
];
const XHTML: &str = "http://www.w3.org/1999/xhtml";

/// The feed at `path`, with its ETag: XML checked for well-formedness, then parsed.
async fn feed(app: &TestApp, path: &str) -> (feed_rs::model::Feed, String) {
    let response = app.get(path, None).await;
    let status = response.status();
    let etag = response.headers().get("etag").map(|e| e.to_str().unwrap().to_owned()).unwrap_or_default();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    if !path.contains(".json") {
        roxmltree::Document::parse(&body).unwrap_or_else(|err| panic!("{path} is not well-formed: {err}"));
    }
    (feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|err| panic!("{path} does not parse: {err}")), etag)
}

/// The language a feed says, as it says it: `feed-rs` reads RSS's in lower case.
fn language(feed: &feed_rs::model::Feed) -> Option<String> {
    feed.language.clone()
}

fn links(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries.iter().map(|entry| entry.links[0].href.clone()).collect()
}

/// A published article in `locale`, a translation of `of` when given.
async fn translation(app: &TestApp, title: &str, locale: &str, of: i64, published_at: &str) -> Value {
    let body = json!({"title": title, "body_markdown": format!("About {title}."), "status": "published",
        "translation_of": of, "locale": locale, "published_at": published_at});
    app.article(&app.admin, body).await
}

/// Moves article `id`'s moment into the past, as time would: it goes live with no write.
fn goes_live(app: &TestApp, id: i64) {
    let at = "2024-01-01 00:00:00";
    app.run_sql(&format!(
        "UPDATE articles SET published_at = '{at}' WHERE id = {id}; \
         UPDATE article_documents SET live_from = '{at}' WHERE article_id = {id}; \
         UPDATE article_listing SET live_from = '{at}' WHERE article_id = {id};"
    ));
}

#[tokio::test]
async fn a_feed_in_a_locale_lists_its_articles_only_and_says_its_language() {
    let app = spawn_app_with(&SITE).await;
    app.section("Treatments", None).await;
    app.run_sql(r#"UPDATE sections SET translations = '{"fr": {"name": "Traitements", "description": "Les soins"}}'"#);
    let body = json!({"title": "Dry needling", "body_markdown": "About needles.", "section": "treatments",
        "tags": ["Needles"], "status": "published", "published_at": "2024-05-01T10:00:00Z"});
    let english = app.article(&app.admin, body).await;
    let french =
        translation(&app, "Aiguilles sèches", "fr", english["id"].as_i64().unwrap(), "2024-05-02T10:00:00Z").await;
    let body = json!({"title": "Opening hours", "body_markdown": "We open at nine.", "status": "published",
        "published_at": "2024-05-03T10:00:00Z"});
    app.article(&app.admin, body).await;

    for path in FEEDS {
        let (fr, fr_etag) = feed(&app, &format!("{path}?locale=fr")).await;
        assert_eq!(language(&fr).as_deref(), Some("fr"), "{path}");
        assert_eq!(links(&fr), ["https://clinic.example/fr/treatments/aiguilles-seches"], "{path}");
        assert_eq!(fr.entries[0].title.as_ref().unwrap().content, "Aiguilles sèches", "{path}");
        // Tags compare case-insensitively: the same feed, the same ETag.
        let (_, upper_etag) = feed(&app, &format!("{path}?locale=FR")).await;
        assert_eq!(upper_etag, fr_etag, "{path}");

        let (en, en_etag) = feed(&app, &format!("{path}?locale=en")).await;
        assert_eq!(language(&en).as_deref(), Some("en"), "{path}");
        assert_eq!(
            links(&en),
            ["https://clinic.example/opening-hours", "https://clinic.example/treatments/dry-needling"],
            "{path}"
        );
        assert_ne!(en_etag, fr_etag, "{path}: one ETag per locale");

        let (de, _) = feed(&app, &format!("{path}?locale=de")).await;
        assert_eq!(language(&de).as_deref(), Some("de"), "{path}: said even with no article");
        assert!(de.entries.is_empty(), "{path}");

        // Every locale, in two languages: none said.
        let (all, _) = feed(&app, path).await;
        assert_eq!(all.entries.len(), 3, "{path}");
        assert_eq!(language(&all), None, "{path}");

        // The section's name in the locale asked for, where it has one.
        let (narrowed, _) = feed(&app, &format!("{path}?section=treatments&locale=fr")).await;
        assert_eq!(narrowed.title.as_ref().unwrap().content, "Articles in Traitements on clinic.example", "{path}");
        assert_eq!(links(&narrowed), ["https://clinic.example/fr/treatments/aiguilles-seches"], "{path}");
        let (narrowed, _) = feed(&app, &format!("{path}?section=treatments&tag=needles&locale=en")).await;
        assert_eq!(narrowed.title.as_ref().unwrap().content, "Articles in Treatments tagged Needles on clinic.example");
        assert_eq!(links(&narrowed), ["https://clinic.example/treatments/dry-needling"], "{path}");
        let (untranslated, _) = feed(&app, &format!("{path}?tag=needles&locale=fr")).await;
        assert_eq!(untranslated.title.as_ref().unwrap().content, "Articles tagged Needles on clinic.example", "{path}");

        for bad in ["es", "", "de-CH", "fr,en"] {
            let response = app.get(&format!("{path}?locale={bad}"), None).await;
            let refused = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(refused["errors"][0]["field"], "locale", "{path}?locale={bad}: {refused}");
        }
    }

    // Each locale's feed revalidates on its own: a new English article changes the
    // English feed only.
    let path = "/api/v1/feeds/articles.atom";
    let (_, fr_etag) = feed(&app, &format!("{path}?locale=fr")).await;
    let (_, en_etag) = feed(&app, &format!("{path}?locale=en")).await;
    app.article(&app.admin, json!({"title": "News", "body_markdown": "New.", "status": "published"})).await;
    let fr_again = app.request(reqwest::Method::GET, &format!("{path}?locale=fr"), None);
    let fr_again = fr_again.header("If-None-Match", &fr_etag).send().await.unwrap();
    assert_eq!(fr_again.status(), StatusCode::NOT_MODIFIED);
    let en_again = app.request(reqwest::Method::GET, &format!("{path}?locale=en"), None);
    let en_again = en_again.header("If-None-Match", &en_etag).send().await.unwrap();
    assert_eq!(en_again.status(), StatusCode::OK);
    assert_eq!(french["locale"], "fr");
}

#[tokio::test]
async fn a_feed_without_locale_says_the_default_language_when_every_article_is_in_it() {
    let app = spawn_app_with(&[("FOLIO_LOCALES", "fr,en")]).await;
    for path in FEEDS {
        assert_eq!(language(&feed(&app, path).await.0).as_deref(), Some("fr"), "{path}: empty");
    }
    let body = json!({"title": "Bonjour", "body_markdown": "Le texte.", "status": "published"});
    let french = app.article(&app.admin, body).await;
    for path in FEEDS {
        let (all, _) = feed(&app, path).await;
        assert_eq!((language(&all).as_deref(), all.entries.len()), (Some("fr"), 1), "{path}");
    }
    let (_, before) = feed(&app, FEEDS[0]).await;
    translation(&app, "Hello", "en", french["id"].as_i64().unwrap(), "2024-05-02T10:00:00Z").await;
    for path in FEEDS {
        let (all, etag) = feed(&app, path).await;
        assert_eq!((language(&all), all.entries.len()), (None, 2), "{path}: two languages");
        assert_ne!(etag, before);
    }
}

#[tokio::test]
async fn a_feed_in_a_locale_finds_its_articles_behind_many_newer_ones_in_another() {
    let app = spawn_app_with(&SITE).await;
    let mut french = Vec::new();
    for day in 1..=21 {
        let body = json!({"title": format!("Article {day}"), "body_markdown": "Texte.", "status": "published",
            "locale": "fr", "published_at": format!("2023-01-{day:02}T10:00:00Z")});
        french.push(app.article(&app.admin, body).await["slug"].as_str().unwrap().to_owned());
    }
    // More newer English articles than the feed first looks at.
    for n in 0..205 {
        let body = json!({"title": format!("Note {n}"), "body_markdown": "Text.", "status": "published",
            "published_at": format!("2024-02-01T10:{:02}:{:02}Z", n / 60, n % 60)});
        app.article(&app.admin, body).await;
    }
    for path in FEEDS {
        let (fr, _) = feed(&app, &format!("{path}?locale=fr")).await;
        let expected: Vec<String> =
            french.iter().rev().take(20).map(|slug| format!("https://clinic.example/fr/{slug}")).collect();
        assert_eq!(links(&fr), expected, "{path}: the 20 newest in French, newest first");
        let (en, _) = feed(&app, &format!("{path}?locale=en")).await;
        assert_eq!(en.entries.len(), 20, "{path}");
        assert!(links(&en).iter().all(|link| !link.contains("/fr/")), "{path}");
    }
}

/// Each `<url>` of a urlset: its `<loc>`, and its alternates by hreflang.
fn urls(xml: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let document = roxmltree::Document::parse(xml).unwrap_or_else(|err| panic!("not well-formed: {err}\n{xml}"));
    let root = document.root_element();
    assert_eq!(root.lookup_namespace_uri(Some("xhtml")), Some(XHTML), "{xml}");
    let mut found = BTreeMap::new();
    for url in root.children().filter(|node| node.has_tag_name("url")) {
        let loc = url.children().find(|node| node.has_tag_name("loc")).unwrap().text().unwrap().to_owned();
        let mut alternates = BTreeMap::new();
        for link in url.children().filter(|node| node.has_tag_name((XHTML, "link"))) {
            assert_eq!(link.attribute("rel"), Some("alternate"), "{xml}");
            let previous = alternates
                .insert(link.attribute("hreflang").unwrap().to_owned(), link.attribute("href").unwrap().to_owned());
            assert_eq!(previous, None, "one link per locale: {xml}");
        }
        assert!(found.insert(loc, alternates).is_none(), "each URL once: {xml}");
    }
    found
}

async fn sitemap(app: &TestApp, path: &str) -> (String, String) {
    let response = app.get(path, None).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (response.text().await.unwrap(), etag)
}

#[tokio::test]
async fn the_sitemap_links_every_live_translation_of_a_group_from_each_of_them() {
    let app = spawn_app_with(&SITE).await;
    app.section("Treatments", None).await;
    let body = json!({"title": "Dry needling", "body_markdown": "About needles.", "section": "treatments",
        "status": "published", "published_at": "2024-05-01T10:00:00Z"});
    let english = app.article(&app.admin, body).await;
    let group = english["id"].as_i64().unwrap();
    translation(&app, "Aiguilles sèches", "fr", group, "2024-05-02T10:00:00Z").await;
    let german = translation(&app, "Trockennadeln", "de", group, "2999-01-01T00:00:00Z").await;
    let alone = json!({"title": "Opening hours", "body_markdown": "Nine.", "status": "published",
        "published_at": "2024-05-03T10:00:00Z"});
    app.article(&app.admin, alone).await;

    let en = "https://clinic.example/treatments/dry-needling";
    let fr = "https://clinic.example/fr/treatments/aiguilles-seches";
    let de = "https://clinic.example/de/treatments/trockennadeln";
    let group_links = |locales: &[(&str, &str)]| -> BTreeMap<String, String> {
        locales.iter().map(|(l, u)| (l.to_string(), u.to_string())).collect()
    };
    let (xml, before) = sitemap(&app, "/api/v1/sitemap.xml").await;
    let both = group_links(&[("en", en), ("fr", fr)]);
    let expected = BTreeMap::from([
        (en.to_owned(), both.clone()),
        (fr.to_owned(), both),
        ("https://clinic.example/opening-hours".to_owned(), BTreeMap::new()),
    ]);
    assert_eq!(urls(&xml), expected, "the scheduled German translation is not linked yet");

    // Its moment comes: listed, and linked from every member, with no write.
    goes_live(&app, german["id"].as_i64().unwrap());
    let (xml, after) = sitemap(&app, "/api/v1/sitemap.xml").await;
    assert_ne!(after, before, "the sitemap changed");
    let all = group_links(&[("de", de), ("en", en), ("fr", fr)]);
    let found = urls(&xml);
    for member in [en, fr, de] {
        assert_eq!(found[member], all, "{member}");
    }
    assert!(found["https://clinic.example/opening-hours"].is_empty());
}

#[tokio::test]
async fn a_translations_change_changes_every_sitemap_file_that_links_it() {
    let mut env = SITE.to_vec();
    env.push(("FOLIO_SITEMAP_URLS_PER_FILE", "1"));
    let app = spawn_app_with(&env).await;
    let body = json!({"title": "Dry needling", "body_markdown": "About needles.", "status": "published",
        "published_at": "2024-05-01T10:00:00Z"});
    let english = app.article(&app.admin, body).await;
    let french =
        translation(&app, "Aiguilles sèches", "fr", english["id"].as_i64().unwrap(), "2024-05-02T10:00:00Z").await;

    let (first, etag) = sitemap(&app, "/api/v1/sitemaps/1.xml").await;
    let found = urls(&first);
    assert_eq!(found.len(), 1, "{first}");
    assert_eq!(found["https://clinic.example/dry-needling"]["fr"], "https://clinic.example/fr/aiguilles-seches");
    let unchanged = app.request(reqwest::Method::GET, "/api/v1/sitemaps/1.xml", None);
    let unchanged = unchanged.header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    // The French translation's slug changes: the English article's file links the new one.
    let path = format!("/api/v1/articles/{}", french["id"]);
    let patched = app.patch(&path, Some(&app.admin), &json!({"slug": "aiguilles", "version": 1})).await;
    json_body(patched, StatusCode::OK).await;
    let (first, changed) = sitemap(&app, "/api/v1/sitemaps/1.xml").await;
    assert_ne!(changed, etag, "the file of a sibling follows its alternates");
    assert_eq!(urls(&first)["https://clinic.example/dry-needling"]["fr"], "https://clinic.example/fr/aiguilles");

    // Unpublished, it is no alternate any more.
    let patched = app.patch(&path, Some(&app.admin), &json!({"status": "draft", "version": 2})).await;
    json_body(patched, StatusCode::OK).await;
    let (first, _) = sitemap(&app, "/api/v1/sitemap.xml").await;
    let found = urls(&first);
    assert_eq!(found.keys().collect::<Vec<_>>(), ["https://clinic.example/dry-needling"]);
    assert!(found["https://clinic.example/dry-needling"].is_empty(), "alone in its group now: {first}");
}

#[tokio::test]
async fn changes_name_each_articles_locale() {
    let app = spawn_app_with(&SITE).await;
    app.section("Treatments", None).await;
    let body = json!({"title": "Dry needling", "body_markdown": "About needles.", "section": "treatments",
        "status": "published"});
    let english = app.article(&app.admin, body).await;
    let french =
        translation(&app, "Aiguilles sèches", "fr", english["id"].as_i64().unwrap(), "2024-05-02T10:00:00Z").await;

    let page = json_body(app.get("/api/v1/changes", None).await, StatusCode::OK).await;
    let seen: BTreeSet<(String, String, String)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| {
            (
                change["type"].as_str().unwrap().to_owned(),
                change["slug"].as_str().unwrap().to_owned(),
                change["locale"].to_string(),
            )
        })
        .collect();
    let expected = BTreeSet::from([
        ("section.created".to_owned(), "treatments".to_owned(), "null".to_owned()),
        ("article.published".to_owned(), "dry-needling".to_owned(), r#""en""#.to_owned()),
        ("article.published".to_owned(), "aiguilles-seches".to_owned(), r#""fr""#.to_owned()),
    ]);
    assert_eq!(seen, expected, "{page}");
    assert_eq!(french["slug"], "aiguilles-seches");

    // An article event with no locale (written before articles had one) reads as the
    // site's default, the locale start-up gave every such article.
    app.run_sql(r#"UPDATE webhook_events SET payload = replace(payload, '"locale":"fr",', '')"#);
    let page = json_body(app.get("/api/v1/changes", None).await, StatusCode::OK).await;
    let older = page["data"].as_array().unwrap().iter().find(|c| c["slug"] == "aiguilles-seches").unwrap().clone();
    assert_eq!(older["locale"], "en", "{page}");
}
