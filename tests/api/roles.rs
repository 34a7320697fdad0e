//! The role table of API.md through the real server: for every endpoint, the exact
//! status an admin, an editor, an author and the public get.
//!
//! Each row names an endpoint and the status of each role, in the order
//! `[admin, editor, author, public]`. Every cell runs against a target made fresh
//! for it (a section, a tag, a user or an article), so no cell sees another's writes.

use reqwest::header::{IF_MATCH, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, TestApp, PASSWORD};

const FUTURE: &str = "2099-01-01T00:00:00Z";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Editor,
    Author,
    Public,
}

const COLUMNS: [Who; 4] = [Who::Admin, Who::Editor, Who::Author, Who::Public];

/// What a cell acts on, made fresh for every cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Nothing,
    Section,
    Tag,
    /// An author account that is not one of the callers.
    User,
    /// A draft written by the `author` column's user.
    AuthorDraft,
    /// An article of the `author` column's user that an editor published.
    AuthorPublished,
    /// A draft of another author.
    RivalDraft,
    /// Another author's article that an editor published.
    RivalPublished,
    /// An editor's article scheduled for a future date.
    Scheduled,
}

/// One endpoint and the status each role gets: `[admin, editor, author, public]`.
struct Row {
    what: &'static str,
    method: Method,
    /// Below `/api/v1`; `{id}` and `{slug}` are the target's.
    path: &'static str,
    target: Target,
    /// `NO_BODY` for none; `{n}` in strings becomes a number unique to the cell.
    body: Value,
    expect: [u16; 4],
}

const NO_BODY: Value = Value::Null;

/// A row for `request`, written `"METHOD /path"`.
fn row(what: &'static str, request: &'static str, target: Target, body: Value, expect: [u16; 4]) -> Row {
    let (method, path) = request.split_once(' ').unwrap();
    Row { what, method: method.parse().unwrap(), path, target, body, expect }
}

#[derive(Default)]
struct Made {
    id: i64,
    slug: String,
    version: i64,
    etag: String,
}

/// A server with an editor, an author and a rival author, and a counter for unique names.
struct World {
    app: TestApp,
    editor: String,
    author: String,
    rival: String,
    made: u32,
}

impl World {
    async fn new() -> Self {
        let app = spawn_app().await;
        let (_, editor) = app.user("editor", "Eddie Editor").await;
        let (_, author) = app.user("author", "Ada Author").await;
        let (_, rival) = app.user("author", "Rita Rival").await;
        Self { app, editor, author, rival, made: 0 }
    }

    fn token(&self, who: Who) -> Option<&str> {
        match who {
            Who::Admin => Some(&self.app.admin),
            Who::Editor => Some(&self.editor),
            Who::Author => Some(&self.author),
            Who::Public => None,
        }
    }

    async fn created(&self, path: &str, body: Value) -> Value {
        let response = self.app.post(path, Some(&self.app.admin), &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "creating {path} {body}");
        response.json().await.unwrap()
    }

    /// An article written by `writer`, then published by the editor when `publish`.
    async fn article(&self, writer: &str, n: u32, publish: bool) -> Made {
        let made =
            self.app.article(writer, json!({"title": format!("Article {n}"), "body_markdown": "Some text."})).await;
        let path = format!("/api/v1/articles/{}", made["id"]);
        if publish {
            let body = json!({"status": "published", "version": made["version"]});
            let response = self.app.patch(&path, Some(&self.editor), &body).await;
            assert_eq!(response.status(), StatusCode::OK, "publishing {path}");
        }
        self.current(&path).await
    }

    /// The article at `path` as an admin sees it: id, slug, version and ETag.
    async fn current(&self, path: &str) -> Made {
        let response = self.app.get(path, Some(&self.app.admin)).await;
        assert_eq!(response.status(), StatusCode::OK, "reading {path}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        Made {
            id: body["id"].as_i64().unwrap(),
            slug: body["slug"].as_str().unwrap().into(),
            version: body["version"].as_i64().unwrap(),
            etag,
        }
    }

    async fn make(&mut self, target: Target) -> Made {
        self.made += 1;
        let n = self.made;
        let plain = |body: Value| Made {
            id: body["id"].as_i64().unwrap(),
            slug: body["slug"].as_str().unwrap_or_default().into(),
            ..Made::default()
        };
        match target {
            Target::Nothing => Made::default(),
            Target::Section => plain(self.created("/api/v1/sections", json!({"name": format!("Section {n}")})).await),
            Target::Tag => plain(self.created("/api/v1/tags", json!({"name": format!("Tag {n}")})).await),
            Target::User => plain(
                self.created(
                    "/api/v1/users",
                    json!({"email": format!("target{n}@example.com"), "password": PASSWORD,
                           "display_name": format!("Target {n}"), "role": "author"}),
                )
                .await,
            ),
            Target::AuthorDraft => self.article(&self.author, n, false).await,
            Target::AuthorPublished => self.article(&self.author, n, true).await,
            Target::RivalDraft => self.article(&self.rival, n, false).await,
            Target::RivalPublished => self.article(&self.rival, n, true).await,
            Target::Scheduled => {
                let body = json!({"title": format!("Article {n}"), "body_markdown": "Soon.",
                                  "status": "scheduled", "published_at": FUTURE});
                let made = self.app.article(&self.editor, body).await;
                self.current(&format!("/api/v1/articles/{}", made["id"])).await
            }
        }
    }

    /// Runs every cell of `rows` and fails once, listing every cell that went wrong.
    async fn check(&mut self, rows: Vec<Row>) {
        let mut failures = Vec::new();
        let mut cells = 0;
        for row in &rows {
            for (who, expected) in COLUMNS.into_iter().zip(row.expect) {
                cells += 1;
                if let Some(failure) = self.cell(row, who, expected).await {
                    failures.push(failure);
                }
            }
        }
        assert!(failures.is_empty(), "{} of {cells} cells are wrong:\n{}", failures.len(), failures.join("\n"));
    }

    async fn cell(&mut self, row: &Row, who: Who, expected: u16) -> Option<String> {
        let made = self.make(row.target).await;
        let path = format!("/api/v1{}", row.path).replace("{id}", &made.id.to_string()).replace("{slug}", &made.slug);
        let mut body: Value =
            serde_json::from_str(&row.body.to_string().replace("{n}", &self.made.to_string())).unwrap();
        let mut request = self.app.request(row.method.clone(), &path, self.token(who));
        if row.path.starts_with("/articles/") && made.version > 0 {
            if row.method == Method::PATCH {
                body["version"] = made.version.into();
            }
            if row.method == Method::DELETE {
                request = request.header(IF_MATCH, &made.etag);
            }
        }
        if !body.is_null() {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let www_authenticate = response.headers().get(WWW_AUTHENTICATE).map(|v| v.to_str().unwrap_or("").to_owned());
        let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_owned());
        let text = response.text().await.unwrap();
        let case = format!("{} as {who:?}: {} {path}", row.what, row.method);
        if status != expected {
            return Some(format!("{case}: expected {expected}, got {status}: {text}"));
        }
        if status >= 400 && content_type.as_deref() != Some("application/problem+json") {
            return Some(format!("{case}: {status} is not problem+json ({content_type:?}): {text}"));
        }
        if status == 401 && !www_authenticate.as_deref().is_some_and(|v| v.starts_with("Bearer")) {
            return Some(format!("{case}: 401 without WWW-Authenticate: Bearer ({www_authenticate:?})"));
        }
        None
    }
}

use Target as T;

#[tokio::test]
async fn users_endpoints_are_for_admins_only() {
    let mut world = World::new().await;
    let user =
        json!({"email": "new{n}@example.com", "password": PASSWORD, "display_name": "New {n}", "role": "author"});
    let rows = vec![
        row("list users", "GET /users", T::Nothing, NO_BODY, [200, 403, 403, 401]),
        row("create a user", "POST /users", T::Nothing, user, [201, 403, 403, 401]),
        row("read a user", "GET /users/{id}", T::User, NO_BODY, [200, 403, 403, 401]),
        row("rename a user", "PATCH /users/{id}", T::User, json!({"display_name": "Renamed"}), [200, 403, 403, 401]),
        row("promote a user", "PATCH /users/{id}", T::User, json!({"role": "editor"}), [200, 403, 403, 401]),
        row("disable a user", "PATCH /users/{id}", T::User, json!({"disabled": true}), [200, 403, 403, 401]),
        row("delete a user", "DELETE /users/{id}", T::User, NO_BODY, [204, 403, 403, 401]),
        row("who am I", "GET /auth/me", T::Nothing, NO_BODY, [200, 200, 200, 401]),
        row("log out", "POST /auth/logout", T::Nothing, json!({"refresh_token": "unknown"}), [204, 204, 204, 204]),
    ];
    world.check(rows).await;
}

#[tokio::test]
async fn sections_and_tags_are_public_to_read_and_for_editors_to_write() {
    let mut world = World::new().await;
    let (new, renamed) = (json!({"name": "New {n}"}), json!({"name": "Renamed {n}"}));
    let rows = vec![
        row("list sections", "GET /sections", T::Nothing, NO_BODY, [200, 200, 200, 200]),
        row("read a section", "GET /sections/{id}", T::Section, NO_BODY, [200, 200, 200, 200]),
        row("read a section by slug", "GET /sections/slug/{slug}", T::Section, NO_BODY, [200, 200, 200, 200]),
        row("create a section", "POST /sections", T::Nothing, new.clone(), [201, 201, 403, 401]),
        row("rename a section", "PATCH /sections/{id}", T::Section, renamed.clone(), [200, 200, 403, 401]),
        row("delete a section", "DELETE /sections/{id}", T::Section, NO_BODY, [204, 204, 403, 401]),
        row("list tags", "GET /tags", T::Nothing, NO_BODY, [200, 200, 200, 200]),
        row("read a tag", "GET /tags/{id}", T::Tag, NO_BODY, [200, 200, 200, 200]),
        row("read a tag by slug", "GET /tags/slug/{slug}", T::Tag, NO_BODY, [200, 200, 200, 200]),
        row("create a tag", "POST /tags", T::Nothing, new, [201, 201, 403, 401]),
        row("rename a tag", "PATCH /tags/{id}", T::Tag, renamed, [200, 200, 403, 401]),
        row("delete a tag", "DELETE /tags/{id}", T::Tag, NO_BODY, [204, 204, 403, 401]),
    ];
    world.check(rows).await;
}

#[tokio::test]
async fn articles_are_read_as_the_role_table_says() {
    let mut world = World::new().await;
    let rows = vec![
        row("list published articles", "GET /articles", T::Nothing, NO_BODY, [200, 200, 200, 200]),
        row("list published, explicitly", "GET /articles?status=published", T::Nothing, NO_BODY, [200, 200, 200, 200]),
        row("list drafts", "GET /articles?status=draft", T::Nothing, NO_BODY, [200, 200, 200, 401]),
        row("list scheduled", "GET /articles?status=scheduled", T::Nothing, NO_BODY, [200, 200, 200, 401]),
        row("list archived", "GET /articles?status=archived", T::Nothing, NO_BODY, [200, 200, 200, 401]),
        row("list any status", "GET /articles?status=any", T::Nothing, NO_BODY, [200, 200, 200, 401]),
        row("read another's published", "GET /articles/{id}", T::RivalPublished, NO_BODY, [200, 200, 200, 200]),
        row("...by slug", "GET /articles/slug/{slug}", T::RivalPublished, NO_BODY, [200, 200, 200, 200]),
        row("read the author's draft", "GET /articles/{id}", T::AuthorDraft, NO_BODY, [200, 200, 200, 404]),
        row("...by slug", "GET /articles/slug/{slug}", T::AuthorDraft, NO_BODY, [200, 200, 200, 404]),
        row("read another's draft", "GET /articles/{id}", T::RivalDraft, NO_BODY, [200, 200, 404, 404]),
        row("...by slug", "GET /articles/slug/{slug}", T::RivalDraft, NO_BODY, [200, 200, 404, 404]),
        row("read a scheduled article", "GET /articles/{id}", T::Scheduled, NO_BODY, [200, 200, 404, 404]),
        row("...by slug", "GET /articles/slug/{slug}", T::Scheduled, NO_BODY, [200, 200, 404, 404]),
    ];
    world.check(rows).await;
}

#[tokio::test]
async fn articles_are_written_as_the_role_table_says() {
    let mut world = World::new().await;
    let new = |extra: Value| {
        let mut body = json!({"title": "New {n}", "body_markdown": "Text."});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let (create, patch, delete) = ("POST /articles", "PATCH /articles/{id}", "DELETE /articles/{id}");
    let scheduled = new(json!({"status": "scheduled", "published_at": FUTURE}));
    let dated = new(json!({"status": "published", "published_at": FUTURE}));
    let edit = json!({"title": "Edited"});
    let rows = vec![
        row("create without a status", create, T::Nothing, new(json!({})), [201, 201, 201, 401]),
        row("create a draft", create, T::Nothing, new(json!({"status": "draft"})), [201, 201, 201, 401]),
        row("create published", create, T::Nothing, new(json!({"status": "published"})), [201, 201, 403, 401]),
        row("create archived", create, T::Nothing, new(json!({"status": "archived"})), [201, 201, 403, 401]),
        row("create scheduled", create, T::Nothing, scheduled, [201, 201, 403, 401]),
        row("create published, dated later", create, T::Nothing, dated, [201, 201, 403, 401]),
        row("edit the author's draft", patch, T::AuthorDraft, edit.clone(), [200, 200, 200, 401]),
        row("edit another's draft", patch, T::RivalDraft, edit.clone(), [200, 200, 404, 401]),
        row("edit another's published", patch, T::RivalPublished, edit.clone(), [200, 200, 403, 401]),
        row("edit the author's published", patch, T::AuthorPublished, edit.clone(), [200, 200, 403, 401]),
        row("edit a scheduled article", patch, T::Scheduled, edit, [200, 200, 404, 401]),
        row("delete the author's draft", delete, T::AuthorDraft, NO_BODY, [204, 204, 204, 401]),
        row("delete another's draft", delete, T::RivalDraft, NO_BODY, [204, 204, 404, 401]),
        row("delete another's published", delete, T::RivalPublished, NO_BODY, [204, 204, 403, 401]),
        row("delete the author's published", delete, T::AuthorPublished, NO_BODY, [204, 204, 403, 401]),
        row("delete a scheduled article", delete, T::Scheduled, NO_BODY, [204, 204, 404, 401]),
    ];
    world.check(rows).await;
}

#[tokio::test]
async fn publishing_scheduling_archiving_and_unpublishing_are_for_editors() {
    let mut world = World::new().await;
    let status = |status: &str| json!({"status": status});
    let (patch, schedule) = ("PATCH /articles/{id}", json!({"status": "scheduled", "published_at": FUTURE}));
    let dated = json!({"published_at": FUTURE});
    let rows = vec![
        row("publish the author's draft", patch, T::AuthorDraft, status("published"), [200, 200, 403, 401]),
        row("schedule the author's draft", patch, T::AuthorDraft, schedule, [200, 200, 403, 401]),
        row("archive the author's draft", patch, T::AuthorDraft, status("archived"), [200, 200, 403, 401]),
        row("date a draft, an editor's field", patch, T::AuthorDraft, dated, [200, 200, 403, 401]),
        row("unpublish another's", patch, T::RivalPublished, status("draft"), [200, 200, 403, 401]),
        row("archive another's", patch, T::RivalPublished, status("archived"), [200, 200, 403, 401]),
        row("unschedule an article", patch, T::Scheduled, status("draft"), [200, 200, 404, 401]),
    ];
    world.check(rows).await;
}

/// API.md gives publish/unpublish to editors, and the server refuses an author's DELETE of
/// their own published article; taking it off the site through PATCH must be refused too.
#[tokio::test]
async fn authors_cannot_unpublish_their_own_published_articles() {
    let mut world = World::new().await;
    let unpublish = json!({"status": "draft"});
    let rows = vec![row("unpublish own", "PATCH /articles/{id}", T::AuthorPublished, unpublish, [200, 200, 403, 401])];
    world.check(rows).await;
}

/// Revisions need a token; editors read and restore any article's, authors their own.
#[tokio::test]
async fn revisions_are_for_editors_and_the_articles_own_author() {
    let mut world = World::new().await;
    let (list, one) = ("GET /articles/{id}/revisions", "GET /articles/{id}/revisions/1");
    let restore = "POST /articles/{id}/revisions/1/restore";
    let rows = vec![
        row("revisions of the author's draft", list, T::AuthorDraft, NO_BODY, [200, 200, 200, 401]),
        row("revisions of another's draft", list, T::RivalDraft, NO_BODY, [200, 200, 404, 401]),
        row("revisions of another's published", list, T::RivalPublished, NO_BODY, [200, 200, 403, 401]),
        row("a revision of the author's draft", one, T::AuthorDraft, NO_BODY, [200, 200, 200, 401]),
        row("a revision of another's draft", one, T::RivalDraft, NO_BODY, [200, 200, 404, 401]),
        row("a revision of another's published", one, T::RivalPublished, NO_BODY, [200, 200, 403, 401]),
        row("a revision of a scheduled article", one, T::Scheduled, NO_BODY, [200, 200, 404, 401]),
        row("restore the author's draft", restore, T::AuthorDraft, NO_BODY, [200, 200, 200, 401]),
        row("restore another's draft", restore, T::RivalDraft, NO_BODY, [200, 200, 404, 401]),
        row("restore another's published", restore, T::RivalPublished, NO_BODY, [200, 200, 403, 401]),
    ];
    world.check(rows).await;
}

#[tokio::test]
async fn authors_attach_existing_tags_and_editors_create_missing_ones_by_name() {
    let world = World::new().await;
    let app = &world.app;
    app.post("/api/v1/tags", Some(&app.admin), &json!({"name": "Existing"})).await;

    let body = json!({"title": "Tagged", "body_markdown": "Text.", "tags": ["Brand New Tag", "existing"]});
    let refused = app.post("/api/v1/articles", Some(&world.author), &body).await;
    let refused = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["field"], "/tags/0", "an author cannot create a tag: {refused}");
    let article = app.article(&world.editor, body).await;

    let names: Vec<&str> = article["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Brand New Tag", "Existing"], "tags in the order given, an existing one found by name");
    let response = app.get("/api/v1/tags/slug/brand-new-tag", Some(&world.editor)).await;
    assert_eq!(response.status(), StatusCode::OK, "the missing tag was created");
    let attached =
        app.article(&world.author, json!({"title": "Mine", "body_markdown": "x", "tags": ["brand new tag"]}));
    assert_eq!(attached.await["tags"][0]["name"], "Brand New Tag", "authors attach existing tags by name");
    let direct = app.post("/api/v1/tags", Some(&world.author), &json!({"name": "Direct"})).await;
    problem(direct, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn admins_cannot_demote_disable_or_delete_themselves() {
    let world = World::new().await;
    let app = &world.app;
    let me: Value = app.get("/api/v1/auth/me", Some(&app.admin)).await.json().await.unwrap();
    let path = format!("/api/v1/users/{}", me["id"]);
    let cases = [
        ("demote to editor", json!({"role": "editor"})),
        ("demote to author", json!({"role": "author"})),
        ("disable", json!({"disabled": true})),
    ];
    for (what, body) in cases {
        let response = app.patch(&path, Some(&app.admin), &body).await;
        let body = problem(response, StatusCode::CONFLICT).await;
        assert!(!body["detail"].as_str().unwrap().is_empty(), "{what}: {body}");
    }
    problem(app.delete(&path, Some(&app.admin)).await, StatusCode::CONFLICT).await;

    let harmless = app.patch(&path, Some(&app.admin), &json!({"display_name": "Still Admin", "role": "admin"})).await;
    assert_eq!(harmless.status(), StatusCode::OK, "changes that keep the admin an admin are fine");
    let me: Value = app.get("/api/v1/auth/me", Some(&app.admin)).await.json().await.unwrap();
    assert_eq!((me["role"].as_str(), me["disabled"].as_bool()), (Some("admin"), Some(false)));

    let (_, other_admin) = app.user("admin", "Other Admin").await;
    let demoted = app.patch(&path, Some(&other_admin), &json!({"role": "editor"})).await;
    assert_eq!(demoted.status(), StatusCode::OK, "another admin may demote them");
}

#[tokio::test]
async fn a_disabled_user_cannot_log_in_and_their_tokens_stop_working_at_once() {
    let world = World::new().await;
    let app = &world.app;
    let (id, token) = app.user("editor", "Soon Disabled").await;
    let login = json!({"email": "soon.disabled@example.com", "password": PASSWORD});
    let session: Value = app.post("/api/v1/auth/login", None, &login).await.json().await.unwrap();
    assert_eq!(app.get("/api/v1/auth/me", Some(&token)).await.status(), StatusCode::OK);

    let path = format!("/api/v1/users/{id}");
    let disabled = app.patch(&path, Some(&app.admin), &json!({"disabled": true})).await;
    assert_eq!(disabled.status(), StatusCode::OK);

    for response in [
        app.get("/api/v1/auth/me", Some(&token)).await,
        app.post("/api/v1/sections", Some(&token), &json!({"name": "Blocked"})).await,
        app.get("/api/v1/articles?status=draft", Some(&token)).await,
    ] {
        assert!(response.headers()[WWW_AUTHENTICATE].to_str().unwrap().starts_with("Bearer"));
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
    problem(app.post("/api/v1/auth/login", None, &login).await, StatusCode::UNAUTHORIZED).await;
    let refresh = json!({"refresh_token": session["refresh_token"]});
    problem(app.post("/api/v1/auth/refresh", None, &refresh).await, StatusCode::UNAUTHORIZED).await;

    app.patch(&path, Some(&app.admin), &json!({"disabled": false})).await;
    let again = app.post("/api/v1/auth/login", None, &login).await;
    assert_eq!(again.status(), StatusCode::OK, "enabled again, they log in");
}

#[tokio::test]
async fn a_role_change_or_deletion_takes_effect_on_the_next_request() {
    let world = World::new().await;
    let app = &world.app;
    let (id, token) = app.user("editor", "Changing Role").await;
    let section = |name: &str| json!({"name": name});
    assert_eq!(app.post("/api/v1/sections", Some(&token), &section("First")).await.status(), StatusCode::CREATED);

    let path = format!("/api/v1/users/{id}");
    app.patch(&path, Some(&app.admin), &json!({"role": "author"})).await;
    problem(app.post("/api/v1/sections", Some(&token), &section("Second")).await, StatusCode::FORBIDDEN).await;

    app.patch(&path, Some(&app.admin), &json!({"role": "admin"})).await;
    assert_eq!(app.get("/api/v1/users", Some(&token)).await.status(), StatusCode::OK, "promoted to admin");

    app.patch(&path, Some(&app.admin), &json!({"role": "author"})).await;
    assert_eq!(app.delete(&path, Some(&app.admin)).await.status(), StatusCode::NO_CONTENT);
    problem(app.get("/api/v1/auth/me", Some(&token)).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn the_public_sees_published_articles_only() {
    let world = World::new().await;
    let app = &world.app;
    app.section("News", None).await;
    let article = |status: &str, at: Option<&str>| {
        json!({"title": format!("A {status} article"), "body_markdown": "Text.", "section": "news",
               "tags": ["Visible"], "status": status, "published_at": at})
    };
    let published = app.article(&world.editor, article("published", None)).await;
    let hidden = [
        app.article(&world.editor, article("draft", None)).await,
        app.article(&world.editor, article("scheduled", Some(FUTURE))).await,
        app.article(&world.editor, article("archived", None)).await,
        app.article(
            &world.author,
            json!({"title": "An author's draft", "body_markdown": "Text.", "section": "news", "tags": ["Visible"]}),
        )
        .await,
    ];

    for query in ["", "?section=news", "?tag=visible", "?sort=title", "?per_page=100"] {
        let response = app.get(&format!("/api/v1/articles{query}"), None).await;
        assert_eq!(response.headers()["x-total-count"], "1", "{query}");
        let list: Value = response.json().await.unwrap();
        let ids: Vec<&Value> = list["data"].as_array().unwrap().iter().map(|a| &a["id"]).collect();
        assert_eq!(ids, [&published["id"]], "public list {query}");
    }
    for article in &hidden {
        for path in [
            format!("/api/v1/articles/{}", article["id"]),
            format!("/api/v1/articles/slug/{}", article["slug"].as_str().unwrap()),
        ] {
            let body = problem(app.get(&path, None).await, StatusCode::NOT_FOUND).await;
            assert!(!body.to_string().contains(article["title"].as_str().unwrap()), "{path} leaks nothing: {body}");
        }
    }
    let count = |path: &'static str, token: Option<String>| async move {
        let body: Value = app.get(path, token.as_deref()).await.json().await.unwrap();
        body["article_count"].as_i64().unwrap()
    };
    assert_eq!(count("/api/v1/sections/slug/news", None).await, 1, "the public's section count");
    assert_eq!(count("/api/v1/tags/slug/visible", None).await, 1, "the public's tag count");
    assert_eq!(count("/api/v1/sections/slug/news", Some(world.editor.clone())).await, 5, "an editor counts all");

    let drafts: Value = app.get("/api/v1/articles?status=draft", Some(&world.author)).await.json().await.unwrap();
    let ids: Vec<&Value> = drafts["data"].as_array().unwrap().iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, [&hidden[3]["id"]], "an author lists only their own drafts");
    let all: Value = app.get("/api/v1/articles?status=draft", Some(&world.editor)).await.json().await.unwrap();
    assert_eq!(all["meta"]["total"], 2, "an editor lists every draft");
}

#[tokio::test]
async fn article_writes_without_a_precondition_are_428_and_change_nothing() {
    let mut world = World::new().await;
    let made = world.make(Target::AuthorDraft).await;
    let app = &world.app;
    let path = format!("/api/v1/articles/{}", made.id);

    let patched = app.patch(&path, Some(&world.editor), &json!({"title": "Unconditional"})).await;
    problem(patched, StatusCode::PRECONDITION_REQUIRED).await;
    problem(app.delete(&path, Some(&world.editor)).await, StatusCode::PRECONDITION_REQUIRED).await;
    let stale =
        app.request(Method::DELETE, &path, Some(&world.editor)).header(IF_MATCH, "\"stale\"").send().await.unwrap();
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let old = app.patch(&path, Some(&world.editor), &json!({"title": "Old", "version": made.version + 1})).await;
    problem(old, StatusCode::CONFLICT).await;

    let now = world.current(&path).await;
    assert_eq!((now.version, now.etag), (made.version, made.etag), "nothing changed");
}
