//! folio's own rules for Micropub: roles, a write that is an API write (revision,
//! audit entry naming the key, events), properties kept as they came, hostile input,
//! discovery, and URLs on a configured site.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{article_at, created_json, error, form, key, location, post_json, source, ENDPOINT};
use crate::helpers::{json_body, spawn_app, spawn_app_with};

#[tokio::test]
async fn an_author_writes_drafts_and_is_forbidden_to_publish() {
    let app = spawn_app().await;
    let (_, author) = app.user("author", "Ann Author").await;
    let url = location(&form(&app, Some(&author), &[("h", "entry"), ("content", "A draft by default")]).await);
    assert_eq!(article_at(&app, &url, Some(&author)).await["status"], "draft");
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), StatusCode::NOT_FOUND, "drafts are not public");
    let asked = form(&app, Some(&author), &[("h", "entry"), ("content", "Live!"), ("post-status", "published")]).await;
    error(asked, StatusCode::FORBIDDEN, "forbidden").await;
    let dated =
        form(&app, Some(&author), &[("h", "entry"), ("content", "x"), ("published", "2020-01-01T00:00:00Z")]).await;
    error(dated, StatusCode::FORBIDDEN, "forbidden").await;
    // Authors attach existing tags only, as in the API.
    let tagged = form(&app, Some(&author), &[("h", "entry"), ("content", "x"), ("category", "brand-new")]).await;
    error(tagged, StatusCode::BAD_REQUEST, "invalid_request").await;
    // Their own draft they may change; an editor's published post they may not.
    let update = json!({"action": "update", "url": url, "replace": {"content": ["Changed"]}});
    assert_eq!(post_json(&app, Some(&author), &update).await.status(), StatusCode::NO_CONTENT);
    let editors = created_json(&app, &json!({"type": ["h-entry"], "properties": {"content": ["Editor's"]}})).await;
    let theirs = json!({"action": "update", "url": editors, "replace": {"content": ["Mine now"]}});
    error(post_json(&app, Some(&author), &theirs).await, StatusCode::FORBIDDEN, "forbidden").await;
    // A draft with post-status: draft from an editor stays a draft.
    let draft =
        location(&form(&app, Some(&app.admin), &[("h", "entry"), ("content", "d"), ("post-status", "draft")]).await);
    assert_eq!(article_at(&app, &draft, Some(&app.admin)).await["status"], "draft");
}

#[tokio::test]
async fn a_micropub_write_is_an_api_write_with_revisions_audit_and_events() {
    let app = spawn_app().await;
    let (key_id, key) = key(&app, &["content:write"]).await;
    let created =
        form(&app, Some(&key), &[("h", "entry"), ("name", "Hello"), ("content", "First"), ("mp-slug", "hello-there")])
            .await;
    let url = location(&created);
    assert!(url.ends_with("/api/v1/articles/slug/hello-there"), "{url}");
    let update = json!({"action": "update", "url": url, "replace": {"content": ["Second"]}});
    assert_eq!(post_json(&app, Some(&key), &update).await.status(), StatusCode::NO_CONTENT);
    let article = article_at(&app, &url, None).await;
    assert_eq!((&article["title"], &article["body_markdown"]), (&json!("Hello"), &json!("Second")));
    let id = article["id"].as_i64().unwrap();

    let revisions =
        json_body(app.get(&format!("/api/v1/articles/{id}/revisions"), Some(&app.admin)).await, StatusCode::OK).await;
    let versions: Vec<i64> =
        revisions["data"].as_array().unwrap().iter().map(|r| r["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, [2, 1]);
    assert_eq!(revisions["data"][1]["article"]["body_markdown"], "First");

    let trail = json_body(app.get("/api/v1/audit?resource=article", Some(&app.admin)).await, StatusCode::OK).await;
    let entries: Vec<(&str, Option<i64>, Option<i64>)> = trail["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["version"].as_i64(), e["api_key_id"].as_i64()))
        .collect();
    assert_eq!(
        entries,
        [("update", Some(2), Some(key_id)), ("create", Some(1), Some(key_id))],
        "the trail names the key"
    );

    // The same events an API write makes: what a webhook is sent, and the changes feed shows.
    let changes = json_body(app.get("/api/v1/changes", None).await, StatusCode::OK).await;
    let types: Vec<&str> = changes["data"].as_array().unwrap().iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["article.published", "article.updated"]);
    let delete = json!({"action": "delete", "url": url});
    assert_eq!(post_json(&app, Some(&key), &delete).await.status(), StatusCode::NO_CONTENT);
    let changes = json_body(app.get("/api/v1/changes", None).await, StatusCode::OK).await;
    assert_eq!(changes["data"].as_array().unwrap().last().unwrap()["type"], "article.removed");
}

#[tokio::test]
async fn source_gives_back_unknown_and_nested_properties_as_they_came() {
    let app = spawn_app().await;
    let properties = json!({
        "content": ["Kept"],
        "like-of": ["https://example.com/a-post"],
        "location": [{"type": ["h-adr"], "properties": {"locality": ["Lyon"], "geo": [{"type": ["h-geo"], "properties": {"latitude": ["45.76"], "altitude": [{"value": "170", "unit": "m"}]}}]}}],
        "category": ["travel", {"type": ["h-card"], "properties": {"name": ["Ann"], "url": ["https://ann.example"]}}],
        "x-rating": [4.5, true, null],
    });
    let url = created_json(&app, &json!({"type": ["h-entry"], "properties": properties})).await;
    let back = source(&app, &url, &[]).await;
    for name in ["content", "like-of", "location", "category", "x-rating"] {
        assert_eq!(back["properties"][name], properties[name], "{name}");
    }
    assert_eq!(super::tag_names(&article_at(&app, &url, None).await), ["travel"], "text categories are tags");
    // Form-encoded unknown properties too; `h`, `access_token` and `mp-*` are not properties.
    let url = location(
        &form(
            &app,
            None,
            &[
                ("h", "entry"),
                ("content", "f"),
                ("bookmark-of", "https://b.example"),
                ("syndication[]", "https://s1"),
                ("syndication[]", "https://s2"),
                ("mp-slug", "form-post"),
                ("access_token", &app.admin),
            ],
        )
        .await,
    );
    let back = source(&app, &url, &[]).await["properties"].clone();
    assert_eq!(back["bookmark-of"], json!(["https://b.example"]));
    assert_eq!(back["syndication"], json!(["https://s1", "https://s2"]));
    for gone in ["h", "access_token", "mp-slug"] {
        assert!(back.get(gone).is_none(), "{gone}: {back}");
    }
    // An update keeps them, and may replace them.
    let update = json!({"action": "update", "url": url, "replace": {"bookmark-of": ["https://c.example"]}});
    assert_eq!(post_json(&app, Some(&app.admin), &update).await.status(), StatusCode::NO_CONTENT);
    let back = source(&app, &url, &[]).await["properties"].clone();
    assert_eq!(
        (&back["bookmark-of"], &back["syndication"]),
        (&json!(["https://c.example"]), &json!(["https://s1", "https://s2"]))
    );
}

#[tokio::test]
async fn hostile_input_is_a_400_or_413_never_a_500() {
    let app = spawn_app_with(&[("FOLIO_MAX_BODY_BYTES", "4096")]).await;
    let post = |body: Vec<u8>, content_type: &'static str| {
        app.client
            .post(app.url(ENDPOINT))
            .bearer_auth(&app.admin)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let bad: Vec<(&str, Vec<u8>, &str)> = vec![
        ("application/json", b"{not json".to_vec(), "malformed JSON"),
        ("application/json", b"[1,2]".to_vec(), "not an object"),
        (
            "application/json",
            br#"{"type":["h-entry"],"properties":{"content":"not an array"}}"#.to_vec(),
            "a bare value",
        ),
        ("application/json", br#"{"type":["h-entry"],"properties":{"content":[42]}}"#.to_vec(), "content a number"),
        (
            "application/json",
            br#"{"type":["h-entry"],"properties":{"name":[{"a":1}],"content":["x"]}}"#.to_vec(),
            "name an object",
        ),
        (
            "application/json",
            br#"{"type":["h-entry"],"properties":{"photo":[7],"content":["x"]}}"#.to_vec(),
            "photo a number",
        ),
        (
            "application/json",
            br#"{"type":["h-entry"],"properties":{"published":["yesterday"],"content":["x"]}}"#.to_vec(),
            "a bad date",
        ),
        (
            "application/json",
            br#"{"type":["h-entry"],"properties":{"post-status":["live"],"content":["x"]}}"#.to_vec(),
            "unknown status",
        ),
        ("application/json", br#"{"type":["h-event"],"properties":{"content":["x"]}}"#.to_vec(), "unknown type"),
        ("application/json", br#"{"type":["h-entry"],"properties":{}}"#.to_vec(), "nothing to post"),
        ("application/json", br#"{"action":"explode","url":"http://x"}"#.to_vec(), "unknown action"),
        ("application/json", br#"{"action":7}"#.to_vec(), "action a number"),
        (
            "application/json",
            br#"{"action":"update","url":"http://127.0.0.1/nowhere","replace":{"content":["x"]}}"#.to_vec(),
            "unknown URL",
        ),
        ("application/json", br#"{"action":"delete","url":"not a url"}"#.to_vec(), "not a URL"),
        (
            "application/json",
            br#"{"action":"update","url":"http://x","delete":"category"}"#.to_vec(),
            "delete a string",
        ),
        ("application/json", br#"{"action":"delete"}"#.to_vec(), "no url"),
        ("application/x-www-form-urlencoded", b"h=entry&content=x&mp-slug=Not%20A%20Slug".to_vec(), "a bad slug"),
        ("application/x-www-form-urlencoded", b"h=card&name=x".to_vec(), "h=card"),
        ("application/x-www-form-urlencoded", b"action=update&url=http://x".to_vec(), "a form update"),
        ("application/x-www-form-urlencoded", b"h=entry&content=%FF%FE".to_vec(), "not UTF-8"),
        ("text/plain", b"hello".to_vec(), "a wrong content type"),
        ("multipart/form-data; boundary=zzz", b"--zzz\r\nbroken".to_vec(), "a broken multipart body"),
    ];
    for (content_type, body, why) in bad {
        let response = post(body, content_type).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{why}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{why}: {body}");
    }
    let huge = format!("h=entry&content={}", "a".repeat(10_000)).into_bytes();
    assert_eq!(post(huge, "application/x-www-form-urlencoded").await.unwrap().status(), StatusCode::PAYLOAD_TOO_LARGE);
    let nested = format!("{}1{}", "[".repeat(2000), "]".repeat(2000)).into_bytes();
    assert_eq!(post(nested, "application/json").await.unwrap().status(), StatusCode::BAD_REQUEST, "deep nesting");
    let response =
        app.client.get(app.url(ENDPOINT)).bearer_auth(&app.admin).query(&[("q", "nothing")]).send().await.unwrap();
    error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
    error(app.get(ENDPOINT, Some(&app.admin)).await, StatusCode::BAD_REQUEST, "invalid_request").await;
    let unknown = app
        .client
        .get(app.url(ENDPOINT))
        .bearer_auth(&app.admin)
        .query(&[("q", "source"), ("url", "http://127.0.0.1/nope")])
        .send()
        .await
        .unwrap();
    error(unknown, StatusCode::BAD_REQUEST, "invalid_request").await;
    error(app.get(&format!("{ENDPOINT}?q=config"), None).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn the_api_root_and_every_article_read_name_the_endpoint() {
    let app = spawn_app().await;
    let expected = format!("<{}>; rel=\"micropub\"", app.url("/api/v1/micropub"));
    let root = app.get("/api/v1/", None).await;
    assert_eq!(root.headers()["link"], expected.as_str());
    let body = json_body(root, StatusCode::OK).await;
    assert_eq!(body["micropub"], app.url("/api/v1/micropub"));
    let article = app.publish_seed_article(&app.admin).await;
    let id = article["id"].as_i64().unwrap();
    let slug = article["slug"].as_str().unwrap();
    for path in [format!("/api/v1/articles/{id}"), format!("/api/v1/articles/slug/{slug}")] {
        for token in [None, Some(app.admin.as_str())] {
            let response = app.get(&path, token).await;
            assert_eq!(response.status(), StatusCode::OK);
            let links: Vec<&str> = response.headers().get_all("link").iter().map(|v| v.to_str().unwrap()).collect();
            assert!(links.contains(&expected.as_str()), "{path}: {links:?}");
        }
    }
}

#[tokio::test]
async fn on_a_site_the_location_is_the_public_url_and_either_url_finds_the_post() {
    let app =
        spawn_app_with(&[("FOLIO_SITE_URL", "https://clinic.example/"), ("FOLIO_ARTICLE_PATH", "/posts/{slug}")]).await;
    let url =
        location(&form(&app, Some(&app.admin), &[("h", "entry"), ("name", "On the site"), ("content", "x")]).await);
    assert_eq!(url, "https://clinic.example/posts/on-the-site");
    let by_public = json!({"action": "update", "url": url, "replace": {"content": ["by the public URL"]}});
    assert_eq!(post_json(&app, Some(&app.admin), &by_public).await.status(), StatusCode::NO_CONTENT);
    let api_url = app.url("/api/v1/articles/slug/on-the-site");
    let by_api = json!({"action": "update", "url": api_url, "add": {"category": ["api"]}});
    assert_eq!(post_json(&app, Some(&app.admin), &by_api).await.status(), StatusCode::NO_CONTENT);
    let article = article_at(&app, &api_url, None).await;
    assert_eq!(article["body_markdown"], "by the public URL");
    // A slug change moves the post: 201 with the new URL.
    let moved = json!({"action": "update", "url": url, "replace": {"mp-slug": ["moved"]}});
    let response = post_json(&app, Some(&app.admin), &moved).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["location"], "https://clinic.example/posts/moved");
    // Another site's URL with the same slug is no post of this one.
    let elsewhere = json!({"action": "delete", "url": "https://other.example/posts/moved"});
    error(post_json(&app, Some(&app.admin), &elsewhere).await, StatusCode::BAD_REQUEST, "invalid_request").await;
}
