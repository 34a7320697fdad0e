//! Feeds and the sitemap, read back as a feed reader and a search engine would: each feed
//! parsed with `feed-rs`, each XML document checked for well-formedness with `roxmltree`.

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app, spawn_app_with, TestApp};

const SITE: [(&str, &str); 2] =
    [("FOLIO_SITE_URL", "https://clinic.example/"), ("FOLIO_ARTICLE_PATH", "/{section}/{slug}")];
const FEEDS: [(&str, &str); 3] = [
    ("/api/v1/feeds/articles.rss", "application/rss+xml; charset=utf-8"),
    ("/api/v1/feeds/articles.atom", "application/atom+xml; charset=utf-8"),
    ("/api/v1/feeds/articles.json", "application/feed+json"),
];
/// What escaping must carry through exactly.
const TRICKY_TITLE: &str = "Tricky <b> & \"quotes\" 'too' ]]> done";

struct Fetched {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn fetch(app: &TestApp, path: &str) -> Fetched {
    let response = app.get(path, None).await;
    let (status, headers) = (response.status(), response.headers().clone());
    Fetched { status, headers, body: response.text().await.unwrap() }
}

/// The feed at `path`, checked for its content type, parsed; XML checked for well-formedness too.
async fn feed(app: &TestApp, path: &str) -> feed_rs::model::Feed {
    feed_and_bytes(app, path).await.0
}

/// Like [`feed`], with the body as sent.
async fn feed_and_bytes(app: &TestApp, path: &str) -> (feed_rs::model::Feed, String) {
    let fetched = fetch(app, path).await;
    assert_eq!(fetched.status, StatusCode::OK, "{path}: {}", fetched.body);
    let (_, content_type) = FEEDS.iter().find(|(feed, _)| path.starts_with(feed)).unwrap();
    assert_eq!(fetched.headers["content-type"], *content_type, "{path}");
    if !path.contains(".json") {
        roxmltree::Document::parse(&fetched.body).unwrap_or_else(|err| panic!("{path} is not well-formed: {err}"));
    }
    let feed =
        feed_rs::parser::parse(fetched.body.as_bytes()).unwrap_or_else(|err| panic!("{path} does not parse: {err}"));
    (feed, fetched.body)
}

/// Each entry's HTML body exactly as the feed carries it (`feed-rs` trims text): RSS's
/// `content:encoded`, Atom's `content`, JSON Feed's `content_html`.
fn html_bodies(path: &str, body: &str) -> Vec<String> {
    if path.ends_with(".json") {
        let feed: Value = serde_json::from_str(body).unwrap();
        return feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["content_html"].as_str().unwrap().to_owned())
            .collect();
    }
    let name = match path.ends_with(".rss") {
        true => ("http://purl.org/rss/1.0/modules/content/", "encoded"),
        false => ("http://www.w3.org/2005/Atom", "content"),
    };
    let document = roxmltree::Document::parse(body).unwrap();
    let bodies = document.descendants().filter(|node| node.has_tag_name(name));
    bodies.map(|node| node.children().filter_map(|text| text.text()).collect()).collect()
}

fn date(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The links of a feed's entries, in order.
fn links(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries.iter().map(|entry| entry.links[0].href.clone()).collect()
}

/// An article published as `token` at `published_at`.
async fn published(app: &TestApp, token: &str, title: &str, section: Option<&str>, published_at: &str) -> Value {
    let body = json!({"title": title, "body_markdown": format!("About {title}."), "section": section,
        "tags": ["Shared"], "status": "published", "published_at": published_at});
    app.article(token, body).await
}

#[tokio::test]
async fn every_feed_reads_back_with_its_articles_links_dates_html_and_categories() {
    let app = spawn_app_with(&SITE).await;
    let (_, editor) = app.user("editor", "Nick Lorem").await;
    let seed = app.publish_seed_article(&editor).await;
    app.section("News", None).await;
    let body = "Escapes: a < b && c > d, \"double\" and 'single' quotes, ]]> and <em>inline</em> HTML.\n\n```\nif a < b && c]]> {}\n```\n";
    let tricky = app
        .article(
            &editor,
            json!({"title": TRICKY_TITLE, "excerpt": "An excerpt with <, & and ]]>.", "body_markdown": body,
                "section": "news", "tags": ["Q & A", "Escaping"], "status": "published",
                "published_at": "2024-06-02T08:30:00Z"}),
        )
        .await;
    let plain = published(&app, &editor, "No Section", None, "2024-06-01T12:00:00Z").await;
    let newest_first = [&tricky, &plain, &seed];
    let expected_links: Vec<String> = vec![
        format!("https://clinic.example/news/{}", tricky["slug"].as_str().unwrap()),
        format!("https://clinic.example/{}", plain["slug"].as_str().unwrap()),
        format!("https://clinic.example/blogs/{}", seed["slug"].as_str().unwrap()),
    ];

    let mut ids = Vec::new();
    for (path, _) in FEEDS {
        let (feed, bytes) = feed_and_bytes(&app, path).await;
        assert_eq!(feed.title.as_ref().unwrap().content, "Articles on clinic.example", "{path}");
        let hrefs: Vec<&str> = feed.links.iter().map(|link| link.href.as_str()).collect();
        assert!(hrefs.contains(&app.url(path).as_str()), "{path}: a self link among {hrefs:?}");
        let site = hrefs.iter().any(|href| href.trim_end_matches('/') == "https://clinic.example");
        assert!(site, "{path}: the site among {hrefs:?}");
        let html: Vec<&str> = newest_first.iter().map(|article| article["body_html"].as_str().unwrap()).collect();
        assert_eq!(html_bodies(path, &bytes), html, "{path}: the HTML bodies exactly as stored");
        assert_eq!(links(&feed), expected_links, "{path}: newest first, linked on the site");
        for (entry, article) in feed.entries.iter().zip(newest_first) {
            let read =
                json_body(app.get(&format!("/api/v1/articles/{}", article["id"]), None).await, StatusCode::OK).await;
            assert_eq!(entry.title.as_ref().unwrap().content, read["title"], "{path}: the title exactly");
            let html = entry.content.as_ref().and_then(|content| content.body.as_deref()).map(str::trim);
            assert_eq!(html, read["body_html"].as_str().map(str::trim), "{path}: the HTML body");
            assert_eq!(entry.published, Some(date(&read["published_at"])), "{path}");
            if !path.ends_with(".rss") {
                assert_eq!(entry.updated, Some(date(&read["updated_at"])), "{path}");
            }
            assert_eq!(entry.authors[0].name.as_deref(), Some("Nick Lorem"), "{path}");
            let categories: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
            let tags: Vec<&str> =
                read["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
            assert_eq!(categories, tags, "{path}: the tags as categories");
            let excerpt = read["excerpt"].as_str().unwrap();
            let summary = &entry.summary.as_ref().unwrap().content;
            // RSS carries the excerpt as HTML; Atom and JSON Feed as text.
            let expected = if path.ends_with(".rss") { escaped(excerpt) } else { excerpt.to_owned() };
            assert_eq!(summary, &expected, "{path}: the excerpt as the summary");
            assert!(entry.id.starts_with("tag:clinic.example,"), "{path}: {}", entry.id);
        }
        ids.push(feed.entries.iter().map(|entry| entry.id.clone()).collect::<Vec<_>>());
    }
    assert!(ids.iter().all(|these| *these == ids[0]), "the same ids in every format: {ids:?}");
    assert_eq!(tricky["title"], TRICKY_TITLE);
    assert!(seed["body_html"].as_str().unwrap().matches("<h2 id=").count() == 7, "the seed article's HTML");
}

#[tokio::test]
async fn an_id_stays_when_the_slug_and_section_change_and_the_link_follows() {
    let app = spawn_app_with(&SITE).await;
    app.section("News", None).await;
    let article = published(&app, &app.admin, "Moving", Some("news"), "2024-06-01T12:00:00Z").await;
    let before = feed(&app, "/api/v1/feeds/articles.atom").await;
    let change = json!({"slug": "moved", "section": null, "version": article["version"]});
    json_body(
        app.patch(&format!("/api/v1/articles/{}", article["id"]), Some(&app.admin), &change).await,
        StatusCode::OK,
    )
    .await;
    let after = feed(&app, "/api/v1/feeds/articles.atom").await;
    assert_eq!(after.entries[0].id, before.entries[0].id);
    assert_eq!(links(&before), [format!("https://clinic.example/news/{}", article["slug"].as_str().unwrap())]);
    assert_eq!(links(&after), ["https://clinic.example/moved"]);
}

#[tokio::test]
async fn without_a_site_links_point_at_the_api_and_resolve() {
    let app = spawn_app().await;
    let article = published(&app, &app.admin, "At The API", None, "2024-06-01T12:00:00Z").await;
    let slug = article["slug"].as_str().unwrap();
    for (path, _) in FEEDS {
        let feed = feed(&app, path).await;
        assert_eq!(links(&feed), [app.url(&format!("/api/v1/articles/slug/{slug}"))], "{path}");
        assert_eq!(feed.title.as_ref().unwrap().content, "Articles on 127.0.0.1", "{path}");
    }
    let sitemap = fetch(&app, "/api/v1/sitemap.xml").await;
    assert_eq!(sitemap_locs(&sitemap.body), [app.url(&format!("/api/v1/articles/slug/{slug}"))]);
    let link = sitemap_locs(&sitemap.body).remove(0);
    let read = app.client.get(link).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK, "a link without a site is the article's own URL");

    // A client's forwarding headers choose no link: only a trusted proxy's are believed.
    for (name, value) in [("x-forwarded-host", "evil.example"), ("forwarded", "host=evil.example;proto=https")] {
        let response = app.client.get(app.url("/api/v1/feeds/articles.rss")).header(name, value).send().await.unwrap();
        let body = response.text().await.unwrap();
        assert!(!body.contains("evil.example"), "{name}: {body}");
        assert!(body.contains(&app.url(&format!("/api/v1/articles/slug/{slug}"))), "{name}");
    }
}

#[tokio::test]
async fn drafts_and_articles_scheduled_for_later_never_appear() {
    let app = spawn_app_with(&SITE).await;
    let live = published(&app, &app.admin, "Live", None, "2024-06-01T12:00:00Z").await;
    let later = (Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    published(&app, &app.admin, "Later", None, &later).await;
    let draft = json!({"title": "Draft", "body_markdown": "Not yet.", "status": "draft"});
    app.article(&app.admin, draft).await;
    let archived = published(&app, &app.admin, "Archived", None, "2024-05-01T12:00:00Z").await;
    let archive = json!({"status": "archived", "version": archived["version"]});
    json_body(
        app.patch(&format!("/api/v1/articles/{}", archived["id"]), Some(&app.admin), &archive).await,
        StatusCode::OK,
    )
    .await;

    let expected = [format!("https://clinic.example/{}", live["slug"].as_str().unwrap())];
    for (path, _) in FEEDS {
        assert_eq!(links(&feed(&app, path).await), expected, "{path}");
    }
    assert_eq!(sitemap_locs(&fetch(&app, "/api/v1/sitemap.xml").await.body), expected);
}

#[tokio::test]
async fn feeds_narrow_to_a_section_with_the_sections_below_it_and_to_a_tag() {
    let app = spawn_app_with(&SITE).await;
    let blogs = app.section("Blogs & Notes", None).await;
    app.section("Recovery", Some(blogs["id"].as_i64().unwrap())).await;
    let top = published(&app, &app.admin, "Top", Some("blogs-notes"), "2024-06-03T12:00:00Z").await;
    let below = published(&app, &app.admin, "Below", Some("recovery"), "2024-06-02T12:00:00Z").await;
    let tagged = json!({"title": "Tagged", "body_markdown": "Tagged.", "tags": ["Rest & Ice"], "status": "published",
        "published_at": "2024-06-01T12:00:00Z"});
    let tagged = app.article(&app.admin, tagged).await;
    let tag = tagged["tags"][0]["slug"].as_str().unwrap().to_owned();
    let link = |article: &Value, section: &str| {
        format!("https://clinic.example{section}/{}", article["slug"].as_str().unwrap())
    };

    for (path, _) in FEEDS {
        let section = feed(&app, &format!("{path}?section=blogs-notes")).await;
        assert_eq!(links(&section), [link(&top, "/blogs-notes"), link(&below, "/recovery")], "{path}");
        assert_eq!(section.title.unwrap().content, "Articles in Blogs & Notes on clinic.example", "{path}");
        let by_tag = feed(&app, &format!("{path}?tag={tag}")).await;
        assert_eq!(links(&by_tag), [link(&tagged, "")], "{path}");
        assert_eq!(by_tag.title.unwrap().content, "Articles tagged Rest & Ice on clinic.example", "{path}");
        let both = feed(&app, &format!("{path}?section=recovery&tag=shared")).await;
        assert_eq!(links(&both), [link(&below, "/recovery")], "{path}");
        let self_link = app.url(&format!("{path}?section=recovery&tag=shared"));
        assert!(both.links.iter().any(|l| l.href == self_link), "{path}: the self link keeps the filters");

        for (query, detail) in [("section=nowhere", "no section"), ("tag=nothing", "no tag")] {
            let body = problem(app.get(&format!("{path}?{query}"), None).await, StatusCode::NOT_FOUND).await;
            assert!(body["detail"].as_str().unwrap().contains(detail), "{path}?{query}: {body}");
        }
    }
}

#[tokio::test]
async fn parameters_other_than_section_and_tag_are_refused_with_422_naming_them() {
    let app = spawn_app_with(&SITE).await;
    for (path, _) in FEEDS {
        for (query, field) in
            [("page=2", "page"), ("section=", "section"), ("tag=a&tag=b", "tag"), ("limit=5", "limit")]
        {
            let body = problem(app.get(&format!("{path}?{query}"), None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["errors"][0]["field"], field, "{path}?{query}");
        }
    }
    for path in ["/api/v1/sitemap.xml?page=1", "/api/v1/sitemaps/1.xml?x=1"] {
        problem(app.get(path, None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
}

#[tokio::test]
async fn feeds_and_sitemaps_answer_304_to_their_etag_and_change_with_an_article() {
    let app = spawn_app_with(&SITE).await;
    let article = published(&app, &app.admin, "Cached", None, "2024-06-01T12:00:00Z").await;
    let mut paths: Vec<String> = FEEDS.iter().map(|(path, _)| (*path).to_owned()).collect();
    paths.push("/api/v1/feeds/articles.rss?tag=shared".into());
    paths.extend(["/api/v1/sitemap.xml".to_owned(), "/api/v1/sitemaps/1.xml".to_owned()]);
    let mut etags = Vec::new();
    for path in &paths {
        let first = fetch(&app, path).await;
        assert_eq!(first.status, StatusCode::OK, "{path}");
        let etag = first.headers["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{path}: a strong ETag, {etag}");
        let modified = first.headers["last-modified"].to_str().unwrap();
        let updated = date(&article["updated_at"]).format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        assert_eq!(modified, updated, "{path}: Last-Modified is the newest change");
        assert_eq!(fetch(&app, path).await.body, first.body, "{path}: the same bytes again");
        let again = app.request(Method::GET, path, None).header("If-None-Match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        let head = app.request(Method::HEAD, path, None).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK, "{path}: HEAD");
        assert_eq!(head.headers()["etag"], etag.as_str(), "{path}: HEAD");
        assert_eq!(head.headers()["content-type"], first.headers["content-type"], "{path}: HEAD");
        assert!(head.text().await.unwrap().is_empty(), "{path}: HEAD has no body");
        etags.push(etag);
    }
    let sitemap = fetch(&app, "/api/v1/sitemap.xml").await;
    assert_eq!(sitemap.headers["content-type"], "application/xml; charset=utf-8");
    let feed_etags: Vec<&String> = etags[..3].iter().collect();
    assert!(feed_etags.iter().all(|etag| etags.iter().filter(|other| other == etag).count() == 1), "{etags:?}");

    let change = json!({"title": "Cached, changed", "version": article["version"]});
    json_body(
        app.patch(&format!("/api/v1/articles/{}", article["id"]), Some(&app.admin), &change).await,
        StatusCode::OK,
    )
    .await;
    for (path, etag) in paths.iter().zip(&etags) {
        let again = app.request(Method::GET, path, None).header("If-None-Match", etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::OK, "{path}: a changed article changes the ETag");
    }
}

/// The `<loc>`s of a sitemap document (`<url>`s or `<sitemap>`s), checked well-formed
/// and in the sitemaps.org namespace.
fn sitemap_locs(body: &str) -> Vec<String> {
    let document = roxmltree::Document::parse(body).unwrap_or_else(|err| panic!("not well-formed: {err}\n{body}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().namespace(), Some("http://www.sitemaps.org/schemas/sitemap/0.9"));
    root.descendants().filter(|node| node.has_tag_name("loc")).map(|node| node.text().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_sitemap_lists_every_live_article_and_becomes_an_index_past_its_limit() {
    let app = spawn_app_with(&[SITE[0], SITE[1], ("FOLIO_SITEMAP_URLS_PER_FILE", "2")]).await;
    app.section("News", None).await;
    let mut articles = Vec::new();
    for day in 1..=2 {
        let section = (day % 2 == 0).then_some("news");
        articles.push(
            published(&app, &app.admin, &format!("Day {day}"), section, &format!("2024-06-0{day}T12:00:00Z")).await,
        );
    }
    let link = |article: &Value| {
        let section = article["section"]["slug"].as_str().map_or(String::new(), |s| format!("/{s}"));
        format!("https://clinic.example{section}/{}", article["slug"].as_str().unwrap())
    };
    let single = fetch(&app, "/api/v1/sitemap.xml").await;
    assert!(single.body.contains("<urlset"), "two articles fit one file: {}", single.body);
    assert_eq!(sitemap_locs(&single.body), articles.iter().map(link).collect::<Vec<_>>(), "oldest first");
    let document = roxmltree::Document::parse(&single.body).unwrap();
    let lastmods: Vec<DateTime<Utc>> = document
        .descendants()
        .filter(|node| node.has_tag_name("lastmod"))
        .map(|node| node.text().unwrap().parse().unwrap())
        .collect();
    assert_eq!(lastmods, articles.iter().map(|a| date(&a["updated_at"])).collect::<Vec<_>>());

    for day in 3..=5 {
        articles
            .push(published(&app, &app.admin, &format!("Day {day}"), None, &format!("2024-06-0{day}T12:00:00Z")).await);
    }
    let index = fetch(&app, "/api/v1/sitemap.xml").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.body.contains("<sitemapindex"), "five articles, two to a file: {}", index.body);
    let files = sitemap_locs(&index.body);
    let expected: Vec<String> = (1..=3).map(|n| app.url(&format!("/api/v1/sitemaps/{n}.xml"))).collect();
    assert_eq!(files, expected);
    let mut listed = Vec::new();
    for file in files {
        let response = app.client.get(&file).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        assert_eq!(response.headers()["content-type"], "application/xml; charset=utf-8");
        let locs = sitemap_locs(&response.text().await.unwrap());
        assert!(!locs.is_empty() && locs.len() <= 2, "{file}: {locs:?}");
        listed.extend(locs);
    }
    assert_eq!(listed, articles.iter().map(link).collect::<Vec<_>>(), "every article once, oldest first");
    for past in
        ["/api/v1/sitemaps/4.xml", "/api/v1/sitemaps/0.xml", "/api/v1/sitemaps/-1.xml", "/api/v1/sitemaps/x.xml"]
    {
        problem(app.get(past, None).await, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn characters_xml_cannot_carry_are_left_out_and_everything_else_stays() {
    let app = spawn_app_with(&SITE).await;
    let body = json!({"title": "Control", "body_markdown": "Before&#1;after &#xFFFF; and é ✓.", "status": "published"});
    let article = app.article(&app.admin, body).await;
    assert!(article["body_html"].as_str().unwrap().contains('\u{1}'), "the body holds a control character");
    let stored = article["body_html"].as_str().unwrap();
    let carried: String = stored.chars().filter(|c| !matches!(c, '\u{1}' | '\u{FFFF}')).collect();
    for (path, _) in FEEDS {
        let (_, bytes) = feed_and_bytes(&app, path).await;
        let expected = if path.ends_with(".json") { stored } else { carried.as_str() };
        assert_eq!(html_bodies(path, &bytes), [expected], "{path}: JSON carries every character, XML what it can");
    }
    sitemap_locs(&fetch(&app, "/api/v1/sitemap.xml").await.body);
}
