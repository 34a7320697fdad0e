//! The read model is always right: after any write, what the public reads (the stored
//! representation, made at write time) is exactly what an editor reads of the same
//! live article (built from the rows on each request): the same bytes, the same ETag,
//! the same Last-Modified, by id, by slug and in lists; and nothing else is public.

use std::collections::BTreeSet;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, spawn_app, TestApp};

/// One read as the bytes and validators it answered.
#[derive(Debug, PartialEq)]
struct Read {
    status: StatusCode,
    etag: Option<String>,
    last_modified: Option<String>,
    body: String,
}

async fn read(app: &TestApp, path: &str, token: Option<&str>) -> Read {
    let response = app.get(path, token).await;
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    let (etag, last_modified) = (header("etag"), header("last-modified"));
    Read { status: response.status(), etag, last_modified, body: response.text().await.unwrap() }
}

/// Every article as the admin sees it (built from the rows).
async fn all_articles(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let path = format!("/api/v1/articles?status=any&per_page=100&page={page}&sort=title");
        let list = json_body(app.get(&path, Some(&app.admin)).await, StatusCode::OK).await;
        let data = list["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        all.extend(data);
    }
    all
}

/// Checks every article: a live one reads the same publicly (stored) as for the admin
/// (built), by id and by slug; any other is 404 to the public; the public list holds
/// exactly the live ones, each item as the admin's list shows it.
async fn assert_stored_matches_built(app: &TestApp, when: &str) {
    let all = all_articles(app).await;
    let mut live = BTreeSet::new();
    for article in &all {
        let id = article["id"].as_i64().unwrap();
        let slug = article["slug"].as_str().unwrap();
        let built = read(app, &format!("/api/v1/articles/{id}"), Some(&app.admin)).await;
        assert_eq!(built.status, StatusCode::OK, "{when}: article {id}");
        let by_id = read(app, &format!("/api/v1/articles/{id}"), None).await;
        let by_slug = read(app, &format!("/api/v1/articles/slug/{slug}"), None).await;
        if article["status"] == "published" {
            live.insert(id);
            assert_eq!(by_id, built, "{when}: article {id} by id, stored and built");
            assert_eq!(by_slug, built, "{when}: article {id} by slug, stored and built");
        } else {
            assert_eq!(by_id.status, StatusCode::NOT_FOUND, "{when}: {} article {id} by id", article["status"]);
            assert_eq!(by_slug.status, StatusCode::NOT_FOUND, "{when}: {} article {id} by slug", article["status"]);
        }
    }
    for filter in list_filters(app).await {
        for path in [
            format!("/api/v1/articles?per_page=100{filter}"),
            format!("/api/v1/articles?per_page=3&page=2&sort=published_at&include=body{filter}"),
        ] {
            let public = read(app, &path, None).await;
            let admin = read(app, &format!("{path}&status=published"), Some(&app.admin)).await;
            assert_eq!(public.status, StatusCode::OK, "{when}: {path}");
            let (public_body, admin_body): (Value, Value) =
                (serde_json::from_str(&public.body).unwrap(), serde_json::from_str(&admin.body).unwrap());
            assert_eq!(public_body, admin_body, "{when}: {path}, from the list index and from the rows");
        }
    }
    for include in ["", "&include=body"] {
        let path = format!("/api/v1/articles?per_page=100&sort=title{include}");
        let public = json_body(app.get(&path, None).await, StatusCode::OK).await;
        let admin =
            json_body(app.get(&format!("{path}&status=published"), Some(&app.admin)).await, StatusCode::OK).await;
        assert_eq!(public, admin, "{when}: the public list{include} and the admin's list of live articles");
        let listed: BTreeSet<i64> =
            public["data"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
        assert_eq!(listed, live, "{when}: the public list{include} holds the live articles");
    }
}

/// Query strings of list filters: each section, tag and author alone, some pairs, a
/// date range, and an unknown slug.
async fn list_filters(app: &TestApp) -> Vec<String> {
    let mut filters = vec![String::new(), "&section=nowhere".to_owned(), "&tag=nothing".to_owned()];
    let slugs = |list: Value| -> Vec<String> {
        list["data"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap().to_owned()).collect()
    };
    let sections = slugs(json_body(app.get("/api/v1/sections?per_page=100", None).await, StatusCode::OK).await);
    let tags = slugs(json_body(app.get("/api/v1/tags?per_page=100", None).await, StatusCode::OK).await);
    filters.extend(sections.iter().map(|s| format!("&section={s}")));
    filters.extend(tags.iter().map(|t| format!("&tag={t}")));
    for pair in tags.windows(2) {
        filters.push(format!("&tag={}&tag={}", pair[0], pair[1]));
    }
    if let (Some(section), Some(tag)) = (sections.first(), tags.first()) {
        filters.push(format!("&section={section}&tag={tag}&author=1"));
    }
    filters.extend(["&author=1".to_owned(), "&author=2".to_owned()]);
    let hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ");
    filters.push(format!("&published_after={hour_ago}&published_before=2999-01-01T00:00:00Z"));
    filters
}

/// An article's current ETag, as the admin reads it.
async fn etag(app: &TestApp, id: i64) -> String {
    read(app, &format!("/api/v1/articles/{id}"), Some(&app.admin)).await.etag.unwrap()
}

async fn patch_article(app: &TestApp, id: i64, body: Value) -> StatusCode {
    let tag = etag(app, id).await;
    let request =
        app.request(Method::PATCH, &format!("/api/v1/articles/{id}"), Some(&app.admin)).header("if-match", tag);
    request.json(&body).send().await.unwrap().status()
}

#[tokio::test]
async fn after_a_random_sequence_of_writes_every_stored_representation_is_what_the_rows_make() {
    let app = spawn_app().await;
    let mut rng = StdRng::seed_from_u64(0x00f0_1100);
    let (author, author_token) = app.user("author", "Ada Author").await;
    let (editor, _) = app.user("editor", "Eddie Editor").await;
    let mut sections: Vec<i64> = Vec::new();
    for name in ["News", "Blogs", "Guides"] {
        sections.push(app.section(name, None).await["id"].as_i64().unwrap());
    }
    // Two levels below Guides: their articles are listed under every section above.
    let deep = app.section("Deep", Some(sections[2])).await["id"].as_i64().unwrap();
    sections.push(deep);
    sections.push(app.section("Deeper", Some(deep)).await["id"].as_i64().unwrap());
    let mut tags: Vec<String> = (0..6).map(|n| format!("Topic {n}")).collect();
    let mut ids: Vec<i64> = Vec::new();
    let statuses = ["published", "published", "draft", "archived", "scheduled"];

    let mut done = BTreeSet::new();
    for step in 0..120 {
        let action = rng.gen_range(0..13);
        let what = format!("step {step}, action {action}");
        done.insert(match action {
            0..=3 => "create",
            4..=6 => "edit",
            7 | 12 => "section",
            8 => "tag",
            9 => "author",
            10 => "restore",
            _ => "delete",
        });
        match action {
            // A new article, by the admin or (as a draft) by the author.
            0..=3 => {
                let status = *statuses.choose(&mut rng).unwrap();
                let section = app.get(&format!("/api/v1/sections/{}", sections.choose(&mut rng).unwrap()), None).await;
                let section: Value = section.json().await.unwrap();
                let count = rng.gen_range(0..4);
                let chosen: Vec<&String> = tags.choose_multiple(&mut rng, count).collect();
                let mut body = json!({
                    "title": format!("Article {step} {}", rng.gen::<u16>()),
                    "body_markdown": format!("## Part {step}\n\nWords *here* and [a link](https://example.com/{step}).\n\n### More\n\nText."),
                    "section": section["slug"],
                    "tags": chosen,
                    "status": status,
                    "metadata": {"step": step, "nested": {"list": [1, "two"]}},
                });
                if status == "scheduled" {
                    body["published_at"] = json!((chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339());
                }
                let token = if rng.gen_bool(0.2) {
                    body["status"] = json!("draft");
                    body["tags"] = json!([]);
                    body.as_object_mut().unwrap().remove("published_at");
                    &author_token
                } else {
                    &app.admin
                };
                ids.push(app.article(token, body).await["id"].as_i64().unwrap());
            }
            // An edit of an article: its title, body, tags, section or status.
            4..=6 if !ids.is_empty() => {
                let id = *ids.choose(&mut rng).unwrap();
                let change = match rng.gen_range(0..5) {
                    0 => json!({"title": format!("Retitled {step}")}),
                    1 => json!({"body_markdown": format!("# New body {step}\n\n- a\n- b")}),
                    2 => json!({"tags": tags.choose_multiple(&mut rng, 2).collect::<Vec<_>>()}),
                    3 => json!({"status": *statuses[..4].choose(&mut rng).unwrap()}),
                    _ => json!({"seo": {"meta_title": format!("SEO {step}")}, "excerpt": null}),
                };
                assert_eq!(patch_article(&app, id, change).await, StatusCode::OK, "{what}");
            }
            // A section renamed (its name and slug are embedded), or Deep moved to
            // another parent (its articles and Deeper's are then listed elsewhere).
            7 | 12 => {
                let (id, body) = if action == 7 {
                    let id = *sections.choose(&mut rng).unwrap();
                    (id, json!({"name": format!("Section {step}"), "slug": format!("section-{step}")}))
                } else {
                    let parent = [Some(sections[0]), Some(sections[1]), Some(sections[2]), None]
                        .choose(&mut rng)
                        .copied()
                        .flatten();
                    (deep, json!({"parent_id": parent}))
                };
                json_body(app.patch(&format!("/api/v1/sections/{id}"), Some(&app.admin), &body).await, StatusCode::OK)
                    .await;
            }
            // A tag renamed, or deleted (detached from its articles).
            8 => {
                let name = tags.choose(&mut rng).unwrap().clone();
                let slug = name.to_lowercase().replace(' ', "-");
                let found = app.get(&format!("/api/v1/tags/slug/{slug}"), None).await;
                if found.status() == StatusCode::NOT_FOUND {
                    continue; // no article has named it yet
                }
                let tag = json_body(found, StatusCode::OK).await;
                let path = format!("/api/v1/tags/{}", tag["id"]);
                tags.retain(|t| *t != name);
                if rng.gen_bool(0.5) {
                    assert_eq!(app.delete(&path, Some(&app.admin)).await.status(), StatusCode::NO_CONTENT);
                } else {
                    let renamed = format!("Renamed {step}");
                    json_body(
                        app.patch(
                            &path,
                            Some(&app.admin),
                            &json!({"name": renamed, "slug": format!("renamed-{step}")}),
                        )
                        .await,
                        StatusCode::OK,
                    )
                    .await;
                    tags.push(renamed);
                }
            }
            // An author's name or bio changed (both embedded).
            9 => {
                let user = if rng.gen_bool(0.5) { author } else { 1 };
                let body = json!({"display_name": format!("Name {step}"), "bio": format!("Bio {step}")});
                json_body(app.patch(&format!("/api/v1/users/{user}"), Some(&app.admin), &body).await, StatusCode::OK)
                    .await;
            }
            // A revision restored.
            10 if !ids.is_empty() => {
                let id = *ids.choose(&mut rng).unwrap();
                let restored =
                    app.post(&format!("/api/v1/articles/{id}/revisions/1/restore"), Some(&app.admin), &json!({})).await;
                // A revision naming a section or tag renamed since is refused, naming it.
                let status = restored.status();
                assert!(status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY, "{what}: {status}");
            }
            // An article deleted.
            11 if !ids.is_empty() => {
                let id = ids.swap_remove(rng.gen_range(0..ids.len()));
                let tag = etag(&app, id).await;
                let request = app.request(Method::DELETE, &format!("/api/v1/articles/{id}"), Some(&app.admin));
                assert_eq!(request.header("if-match", tag).send().await.unwrap().status(), StatusCode::NO_CONTENT);
            }
            _ => {}
        }
        if step % 10 == 9 {
            assert_stored_matches_built(&app, &what).await;
        }
    }
    assert_eq!(done.len(), 7, "every kind of write ran: {done:?}");
    // The author's articles go to the editor when the author is deleted.
    let deleted = app.delete(&format!("/api/v1/users/{author}?reassign_to={editor}"), Some(&app.admin)).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_stored_matches_built(&app, "after the author's articles went to the editor").await;
}

#[tokio::test]
async fn a_scheduled_article_is_read_from_its_stored_representation_the_moment_it_goes_live() {
    let app = spawn_app().await;
    // folio's clock reads whole seconds: a moment on a whole second goes live at it.
    let moment = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now() + chrono::Duration::seconds(2), 0);
    app.section("Later", None).await;
    let now =
        json!({"title": "Now", "body_markdown": "Here.", "section": "later", "tags": ["Soon"], "status": "published"});
    app.article(&app.admin, now).await;
    let body = json!({"title": "Later", "body_markdown": "Soon.", "section": "later", "tags": ["Soon"],
        "status": "published", "published_at": moment.to_rfc3339()});
    let article = app.article(&app.admin, body).await;
    let totals = || async {
        let mut totals = Vec::new();
        for filter in ["", "?section=later", "?tag=soon", "?tag=soon&section=later"] {
            let list = app.get(&format!("/api/v1/articles{filter}"), None).await;
            totals.push(list.headers()["x-total-count"].to_str().unwrap().parse::<i64>().unwrap());
        }
        totals
    };
    assert_eq!(totals().await, [1, 1, 1, 1], "the scheduled article is not counted before its moment");
    assert_eq!(article["status"], "scheduled");
    let path = format!("/api/v1/articles/{}", article["id"]);
    assert_eq!(read(&app, &path, None).await.status, StatusCode::NOT_FOUND, "not before its moment");
    let wait = (moment - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(100);
    tokio::time::sleep(wait).await;
    let public = read(&app, &path, None).await;
    assert_eq!(public.status, StatusCode::OK, "live at its moment, with no write");
    assert_eq!(public, read(&app, &path, Some(&app.admin)).await, "stored and built agree once live");
    let public: Value = serde_json::from_str(&public.body).unwrap();
    assert_eq!(public["status"], "published");
    assert_eq!(totals().await, [2, 2, 2, 2], "and counted the moment it goes live");
}

#[tokio::test]
async fn representations_missing_or_of_an_older_format_are_made_at_start_up() {
    let old = spawn_app().await;
    let first = old.publish_seed_article(&old.admin).await;
    let second =
        old.article(&old.admin, json!({"title": "Second", "body_markdown": "Two.", "status": "published"})).await;
    // As the release before the read model left it: no representation; and one of an older format.
    old.run_sql(&format!("DELETE FROM article_documents WHERE article_id = {}", first["id"]));
    old.run_sql(&format!(
        "UPDATE article_documents SET format = 0, document = '{{}}' WHERE article_id = {}",
        second["id"]
    ));

    let restarted = crate::helpers::spawn_app_with(&[("DATABASE_URL", old.database_url())]).await;
    for article in [&first, &second] {
        let path = format!("/api/v1/articles/{}", article["id"]);
        let public = read(&restarted, &path, None).await;
        assert_eq!(public.status, StatusCode::OK, "{path}");
        assert_eq!(public, read(&restarted, &path, Some(&restarted.admin)).await, "{path}: made again at start-up");
    }
}

#[tokio::test]
async fn a_kept_list_page_is_made_again_after_any_commit_whoever_made_it() {
    for budget in ["16", "0"] {
        let app = crate::helpers::spawn_app_with(&[("FOLIO_LIST_CACHE_MB", budget)]).await;
        let body = json!({"title": "Kept", "body_markdown": "A needle in here.", "status": "published"});
        let article = app.article(&app.admin, body).await;
        let pages = ["/api/v1/articles", "/api/v1/articles?q=needle", "/api/v1/articles?per_page=5&fields=title"];
        let shows = |title: &'static str| {
            let app = &app;
            async move {
                for path in pages {
                    // Twice: the second answer is the kept page, when pages are kept.
                    for _ in 0..2 {
                        let list = read(app, path, None).await;
                        assert_eq!(list.status, StatusCode::OK, "{path}");
                        assert!(
                            list.body.contains(title),
                            "budget {budget} MB: {path} does not show {title}: {}",
                            list.body
                        );
                    }
                }
            }
        };
        shows("Kept").await;
        // A commit on another connection, as another instance or an import makes: this
        // process hears of it from the database alone.
        app.run_sql(&format!(
            "UPDATE article_summaries SET summary = replace(summary, '\"Kept\"', '\"Changed elsewhere\"') \
             WHERE article_id = {}",
            article["id"]
        ));
        shows("Changed elsewhere").await;
        let id = article["id"].as_i64().unwrap();
        assert_eq!(patch_article(&app, id, json!({"title": "Changed here"})).await, StatusCode::OK);
        shows("Changed here").await;
    }
}
