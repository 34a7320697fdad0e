//! Bad input, endpoint by endpoint: every case gets the right 4xx as problem+json, a
//! 422 names the field (a JSON pointer) or the query parameter, and the server keeps
//! answering afterwards. A few valid cases at the limits guard against refusing all.

use reqwest::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, spawn_app_with, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};

const SECRET: &str = "test secret that is long enough to use";
const JSON: Option<&str> = Some("application/json");
const FORM: &str = "application/x-www-form-urlencoded";

/// What a case sends as its body.
enum Body {
    None,
    Json(Value),
    /// Raw bytes with this content type (none when `None`).
    Raw(Vec<u8>, Option<&'static str>),
}

struct Case {
    what: &'static str,
    method: Method,
    path: String,
    body: Body,
    status: u16,
    /// The field or parameter a 422 must name, or the methods a 405's `Allow` must list.
    names: Option<&'static str>,
}

/// A case for `request`, written `"METHOD /path"`, sending `body` (none when null).
fn case(what: &'static str, request: impl AsRef<str>, body: Value, status: u16, names: Option<&'static str>) -> Case {
    let (method, path) = request.as_ref().split_once(' ').unwrap();
    let body = if body.is_null() { Body::None } else { Body::Json(body) };
    Case { what, method: method.parse().unwrap(), path: path.into(), body, status, names }
}

/// A JSON body that is wrong in `field` (422).
fn invalid(what: &'static str, request: impl AsRef<str>, body: Value, field: &'static str) -> Case {
    case(what, request, body, 422, Some(field))
}

/// A POST of raw bytes.
fn raw(what: &'static str, path: &str, bytes: &[u8], content_type: Option<&'static str>, status: u16) -> Case {
    let body = Body::Raw(bytes.to_vec(), content_type);
    Case { what, method: Method::POST, path: path.into(), body, status, names: None }
}

/// A GET of `path` whose query is wrong in `parameter` (422).
fn query(what: &'static str, path: impl AsRef<str>, parameter: &'static str) -> Case {
    case(what, format!("GET {}", path.as_ref()), Value::Null, 422, Some(parameter))
}

/// Sends every case with `token` and fails once, listing every case that went wrong.
async fn expect_all(app: &TestApp, token: Option<&str>, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(failure) = check(app, token, case).await {
            failures.push(format!("{} ({} {}): {failure}", case.what, case.method, case.path));
        }
    }
    still_healthy(app).await;
    assert!(failures.is_empty(), "{} of {} cases are wrong:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

async fn check(app: &TestApp, token: Option<&str>, case: &Case) -> Result<(), String> {
    let mut request = app.request(case.method.clone(), &case.path, token);
    request = match &case.body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Raw(bytes, Some(content_type)) => request.header(CONTENT_TYPE, *content_type).body(bytes.clone()),
        Body::Raw(bytes, None) => request.body(bytes.clone()),
    };
    let response = request.send().await.map_err(|e| format!("not answered: {e}"))?;
    let status = response.status();
    let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let (content_type, allow, www_authenticate) = (header(CONTENT_TYPE), header(ALLOW), header(WWW_AUTHENTICATE));
    if status.as_u16() != case.status || (status.is_client_error() && content_type != "application/problem+json") {
        let text = response.text().await.unwrap_or_default();
        return Err(format!("expected {} problem+json, got {status} {content_type}: {text}", case.status));
    }
    if !status.is_client_error() {
        return Ok(());
    }
    let body = problem(response, status).await;
    let text = body.to_string();
    if ["diesel", "SQL", "sqlite", "panicked", "<html"].iter().any(|leak| text.contains(leak)) {
        return Err(format!("the problem leaks internals: {text}"));
    }
    match (status.as_u16(), case.names) {
        (422, Some(field)) => {
            let named = body["errors"].as_array().is_some_and(|errors| errors.iter().any(|e| e["field"] == field));
            if !named {
                return Err(format!("errors do not name {field}: {text}"));
            }
        }
        (405, Some(expected)) => {
            let allowed: Vec<&str> = allow.split(',').map(str::trim).collect();
            if let Some(missing) = expected.split(", ").find(|method| !allowed.contains(method)) {
                return Err(format!("Allow {allow:?} lacks {missing}"));
            }
        }
        (401, _) if !www_authenticate.starts_with("Bearer") => {
            return Err(format!("401 without WWW-Authenticate: Bearer ({www_authenticate:?})"));
        }
        _ => {}
    }
    Ok(())
}

async fn still_healthy(app: &TestApp) {
    let response = app.get("/health", None).await;
    assert_eq!(response.status(), StatusCode::OK, "the server still answers /health");
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"status": "ok"}));
}

/// `levels` objects nested in each other.
fn nested(levels: usize) -> Value {
    (0..levels).fold(json!(1), |inner, _| json!({"a": inner}))
}

/// `base` with the fields of `extra` laid over it.
fn with(base: Value, extra: Value) -> Value {
    let mut body = base;
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

/// A valid new article with the fields of `extra` laid over it.
fn article(extra: Value) -> Value {
    with(json!({"title": "A title", "body_markdown": "Text."}), extra)
}

#[tokio::test]
async fn article_bodies_that_do_not_parse_or_do_not_validate_are_refused() {
    let app = spawn_app().await;
    app.section("News", None).await;
    let existing = app.article(&app.admin, json!({"title": "Existing", "slug": "taken", "body_markdown": "x"})).await;
    let url = "/api/v1/articles";
    let one = format!("PATCH {url}/{}", existing["id"]);
    let post = |what, body, field| invalid(what, "POST /api/v1/articles", body, field);
    let patch = |what, body, field| invalid(what, &one, with(json!({"version": 1}), body), field);
    let valid = br#"{"title": "A title", "body_markdown": "Text."}"#;
    let tags: Vec<String> = (0..51).map(|i| format!("Tag {i}")).collect();
    let big = json!({"blob": "x".repeat(16 * 1024)});
    let past = json!({"status": "scheduled", "published_at": "2020-01-01T00:00:00Z"});
    let script = json!({"url": "javascript:alert(1)"});
    let positional = json!(["T", null, null, "Body", null, null, null, null, null, null, null]);
    let cases = vec![
        raw("JSON cut short", url, br#"{"title": "#, JSON, 400),
        raw("a trailing comma", url, br#"{"title": "a",}"#, JSON, 400),
        raw("an empty body", url, b"", JSON, 400),
        raw("trailing garbage", url, br#"{"title": "a", "body_markdown": "b"} x"#, JSON, 400),
        raw("invalid UTF-8 in a string", url, b"{\"title\": \"\xff\", \"body_markdown\": \"b\"}", JSON, 400),
        raw("valid JSON sent as text/plain", url, valid, Some("text/plain"), 400),
        raw("valid JSON sent as a form", url, valid, Some(FORM), 400),
        raw("valid JSON without a content type", url, valid, None, 400),
        post("an array instead of an object", json!([]), "/"),
        post("the fields as an array, in order", positional, "/"),
        post("a number for the title", json!({"title": 5, "body_markdown": "b"}), "/title"),
        post("a string for the tags", article(json!({"tags": "rust"})), "/tags"),
        post("a number among the tags", article(json!({"tags": ["ok", 5]})), "/tags/1"),
        post("an unknown field", article(json!({"bogus": 1})), "/bogus"),
        post("an unknown field in seo", article(json!({"seo": {"keywords": "x"}})), "/seo/keywords"),
        post("a missing title", json!({"body_markdown": "b"}), "/title"),
        post("a missing body", json!({"title": "t"}), "/body_markdown"),
        post("an empty title", article(json!({"title": "   "})), "/title"),
        post("a title with nothing to make a slug of", article(json!({"title": "!!!"})), "/slug"),
        post("a title of 301 characters", article(json!({"title": "x".repeat(301)})), "/title"),
        post("a NUL byte in the title", article(json!({"title": "a\u{0}b"})), "/title"),
        post("a NUL byte in the body", article(json!({"body_markdown": "a\u{0}b"})), "/body_markdown"),
        post("a slug with spaces and capitals", article(json!({"slug": "Not A Slug"})), "/slug"),
        post("a slug of 201 characters", article(json!({"slug": "a".repeat(201)})), "/slug"),
        post("an unknown section slug", article(json!({"section": "no-such-section"})), "/section"),
        post("a section name, not a slug", article(json!({"section": "News"})), "/section"),
        post("51 tags", article(json!({"tags": tags})), "/tags"),
        post("an empty tag name", article(json!({"tags": ["ok", " "]})), "/tags/1"),
        post("a tag name with nothing to make a slug of", article(json!({"tags": ["!!!"]})), "/tags/0"),
        post("metadata 9 levels deep", article(json!({"metadata": nested(9)})), "/metadata"),
        post("metadata over 16 KiB", article(json!({"metadata": big})), "/metadata"),
        post("metadata that is an array", article(json!({"metadata": [1]})), "/metadata"),
        post("a javascript: cover image", article(json!({"cover_image": script})), "/cover_image/url"),
        post("a relative cover image", article(json!({"cover_image": {"url": "/a.png"}})), "/cover_image/url"),
        post("a data: canonical URL", article(json!({"seo": {"canonical_url": "data:,x"}})), "/seo/canonical_url"),
        post("a date without a time", article(json!({"published_at": "2024-05-23"})), "/published_at"),
        post("a date in words", article(json!({"published_at": "yesterday"})), "/published_at"),
        post("an unknown status", article(json!({"status": "live"})), "/status"),
        post("scheduled in the past", article(past), "/published_at"),
        post("scheduled without a date", article(json!({"status": "scheduled"})), "/published_at"),
        case("a slug another article has", "POST /api/v1/articles", article(json!({"slug": "taken"})), 409, None),
        patch("a null title", json!({"title": null}), "/title"),
        patch("a number for the title", json!({"title": 5}), "/title"),
        patch("a string version", json!({"version": "1"}), "/version"),
        patch("an unknown field", json!({"author_id": 2}), "/author_id"),
        patch("a bad slug", json!({"slug": "Not A Slug"}), "/slug"),
        patch("a null body", json!({"body_markdown": null}), "/body_markdown"),
        patch("an unknown section", json!({"section": "nowhere"}), "/section"),
        patch("deep metadata", json!({"metadata": nested(9)}), "/metadata"),
        case("no version and no If-Match", &one, json!({"title": "t"}), 428, None),
        case("a stale version", &one, json!({"title": "t", "version": 7}), 409, None),
    ];
    expect_all(&app, Some(&app.admin), cases).await;
    let unchanged: Value = app.get(&format!("{url}/{}", existing["id"]), Some(&app.admin)).await.json().await.unwrap();
    assert_eq!((unchanged["title"].as_str(), unchanged["version"].as_i64()), (Some("Existing"), Some(1)));
}

#[tokio::test]
async fn article_bodies_at_the_limits_are_accepted() {
    let app = spawn_app().await;
    let tags: Vec<String> = (0..50).map(|i| format!("Tag {i}")).collect();
    let cases = [
        ("a title of 300 characters", json!({"title": "x".repeat(300)})),
        ("50 tags", json!({"tags": tags})),
        ("metadata 8 levels deep", json!({"metadata": nested(8)})),
        ("metadata just under 16 KiB", json!({"metadata": {"blob": "x".repeat(16 * 1024 - 20)}})),
        ("scheduled in the future", json!({"status": "scheduled", "published_at": "2099-01-01T00:00:00Z"})),
        ("an https cover image", json!({"cover_image": {"url": "https://example.com/a.png", "alt": ""}})),
    ];
    for (what, extra) in cases {
        let response = app.post("/api/v1/articles", Some(&app.admin), &article(extra)).await;
        let status = response.status();
        assert_eq!(status, StatusCode::CREATED, "{what}: {}", response.text().await.unwrap());
    }
}

#[tokio::test]
async fn user_section_tag_and_auth_bodies_that_are_wrong_are_refused() {
    let app = spawn_app().await;
    let (author_id, author) = app.user("author", "Has Articles").await;
    let (user_id, _) = app.user("author", "Plain User").await;
    app.article(&author, json!({"title": "Mine", "body_markdown": "Text."})).await;
    let parent = app.section("Parent", None).await["id"].clone();
    let child = app.section("Child", parent.as_i64()).await["id"].clone();
    let used = app.section("Used", None).await["id"].clone();
    app.article(&app.admin, json!({"title": "In Used", "body_markdown": "Text.", "section": "used"})).await;
    let tag = app.post("/api/v1/tags", Some(&app.admin), &json!({"name": "Rust"})).await.json::<Value>().await.unwrap();
    let user = json!({"email": "new@example.com", "password": PASSWORD, "display_name": "New", "role": "author"});
    let new_user = |what, extra, field| invalid(what, "POST /api/v1/users", with(user.clone(), extra), field);
    let change_user_path = format!("PATCH /api/v1/users/{user_id}");
    let change_user = |what, body, field| invalid(what, &change_user_path, body, field);
    let delete_author = format!("DELETE /api/v1/users/{author_id}");
    let new_section = |what, body, field| invalid(what, "POST /api/v1/sections", body, field);
    let section = |method: &str, id: &Value| format!("{method} /api/v1/sections/{id}");
    let (new_tag, change_tag) = ("POST /api/v1/tags", format!("PATCH /api/v1/tags/{}", tag["id"]));
    let (login, refresh) = ("POST /api/v1/auth/login", "POST /api/v1/auth/refresh");
    let taken = with(user.clone(), json!({"email": ADMIN_EMAIL.to_uppercase()}));
    let nameless = json!({"email": "x@example.com", "password": PASSWORD, "role": "author"});
    let cases = vec![
        new_user("a password of 5 characters", json!({"password": "short"}), "/password"),
        new_user("a password of 11 characters", json!({"password": "elevenchars"}), "/password"),
        new_user("an email without @", json!({"email": "not-an-email"}), "/email"),
        new_user("an email without a domain dot", json!({"email": "a@b"}), "/email"),
        new_user("an email with a space", json!({"email": "a b@example.com"}), "/email"),
        new_user("an unknown role", json!({"role": "superuser"}), "/role"),
        new_user("an empty display name", json!({"display_name": ""}), "/display_name"),
        new_user("a password hash given", json!({"password_hash": "x"}), "/password_hash"),
        invalid("a missing display name", "POST /api/v1/users", nameless, "/display_name"),
        case("an email taken in another case", "POST /api/v1/users", taken, 409, None),
        change_user("a null email", json!({"email": null}), "/email"),
        change_user("a string for disabled", json!({"disabled": "yes"}), "/disabled"),
        change_user("a short new password", json!({"password": "short"}), "/password"),
        case("another's email", &change_user_path, json!({"email": "Has.Articles@Example.com"}), 409, None),
        case("a user who has articles", &delete_author, Value::Null, 409, None),
        invalid("reassign_to not a number", format!("{delete_author}?reassign_to=abc"), Value::Null, "reassign_to"),
        invalid("reassign_to themself", format!("{delete_author}?reassign_to={author_id}"), Value::Null, "reassign_to"),
        invalid("reassign_to nobody", format!("{delete_author}?reassign_to=999999"), Value::Null, "reassign_to"),
        new_section("an empty section name", json!({"name": ""}), "/name"),
        new_section("a bad section slug", json!({"name": "X", "slug": "Not A Slug"}), "/slug"),
        new_section("a missing parent", json!({"name": "X", "parent_id": 999_999}), "/parent_id"),
        new_section("a string parent id", json!({"name": "X", "parent_id": "1"}), "/parent_id"),
        new_section("a string position", json!({"name": "X", "position": "first"}), "/position"),
        new_section("a position past i32", json!({"name": "X", "position": 2_147_483_648_i64}), "/position"),
        new_section("a parent id past i64", json!({"name": "X", "parent_id": 1e20}), "/parent_id"),
        new_section("a name with nothing to make a slug of", json!({"name": "!!!"}), "/slug"),
        case("a taken section slug", "POST /api/v1/sections", json!({"name": "X", "slug": "parent"}), 409, None),
        invalid("a parent below the section", section("PATCH", &parent), json!({"parent_id": child}), "/parent_id"),
        invalid("the section as its own parent", section("PATCH", &parent), json!({"parent_id": parent}), "/parent_id"),
        invalid("a null section name", section("PATCH", &child), json!({"name": null}), "/name"),
        case("a section with children", section("DELETE", &parent), Value::Null, 409, None),
        case("a section with articles", section("DELETE", &used), Value::Null, 409, None),
        invalid("an empty tag name", new_tag, json!({"name": ""}), "/name"),
        invalid("a tag name of 101 characters", new_tag, json!({"name": "x".repeat(101)}), "/name"),
        case("a tag name taken in another case", new_tag, json!({"name": "RUST"}), 409, None),
        invalid("a bad tag slug", &change_tag, json!({"slug": "Bad Slug"}), "/slug"),
        invalid("a missing password", login, json!({"email": "x@example.com"}), "/password"),
        invalid("a number for the email", login, json!({"email": 5, "password": "x"}), "/email"),
        invalid("credentials as an array", login, json!([ADMIN_EMAIL, ADMIN_PASSWORD]), "/"),
        invalid("a number for the refresh token", refresh, json!({"refresh_token": 5}), "/refresh_token"),
        raw("a login that is a form", "/api/v1/auth/login", b"email=a&password=b", Some(FORM), 400),
    ];
    expect_all(&app, Some(&app.admin), cases).await;
    let child_now: Value = app.get(&format!("/api/v1/sections/{child}"), None).await.json().await.unwrap();
    assert_eq!(child_now["name"], "Child", "refused changes change nothing");
    let parent_now: Value = app.get(&format!("/api/v1/sections/{parent}"), None).await.json().await.unwrap();
    assert_eq!(parent_now["parent_id"], Value::Null, "no cycle was stored");
}

#[tokio::test]
async fn bad_query_parameters_are_422_naming_the_parameter() {
    let app = spawn_app().await;
    let articles = |what, query, parameter| self::query(what, format!("/api/v1/articles?{query}"), parameter);
    let cases = vec![
        articles("per_page over 100", "per_page=101", "per_page"),
        articles("per_page zero", "per_page=0", "per_page"),
        articles("per_page negative", "per_page=-5", "per_page"),
        articles("page zero", "page=0", "page"),
        articles("page negative", "page=-1", "page"),
        articles("page not a number", "page=abc", "page"),
        articles("page a fraction", "page=1.5", "page"),
        articles("page given twice", "page=1&page=2", "page"),
        articles("page past i64", "page=99999999999999999999", "page"),
        articles("an unknown sort", "sort=bogus", "sort"),
        articles("an unknown status", "status=bogus", "status"),
        articles("an unknown parameter", "foo=1", "foo"),
        articles("invalid UTF-8 in section", "section=%FF", "section"),
        articles("invalid UTF-8 in tag", "tag=%FF", "tag"),
        articles("invalid UTF-8 in q", "q=%FF", "q"),
        articles("a date in words", "published_after=yesterday", "published_after"),
        articles("a month 13", "published_before=2024-13-01T00:00:00Z", "published_before"),
        articles("an author that is not a number", "author=abc", "author"),
        articles("an author of zero", "author=0", "author"),
        articles("an unknown include", "include=everything", "include"),
        query("per_page over 100 on sections", "/api/v1/sections?per_page=101", "per_page"),
        query("an unknown parameter on sections", "/api/v1/sections?foo=1", "foo"),
        query("page zero on tags", "/api/v1/tags?page=0", "page"),
        query("an unknown parameter on tags", "/api/v1/tags?foo=1", "foo"),
    ];
    expect_all(&app, None, cases).await;
    let admin_only = vec![
        query("page zero on users", "/api/v1/users?page=0", "page"),
        query("an unknown parameter on users", "/api/v1/users?foo=1", "foo"),
    ];
    expect_all(&app, Some(&app.admin), admin_only).await;
}

#[tokio::test]
async fn valid_queries_and_pages_past_the_end_are_200() {
    let app = spawn_app().await;
    app.publish_seed_article(&app.admin).await;
    let empty_pages = ["/api/v1/articles?page=999", "/api/v1/sections?page=50", "/api/v1/tags?page=50&per_page=100"];
    for path in empty_pages {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["data"], json!([]), "{path}: {body}");
        assert!(body["meta"]["total"].as_i64().unwrap() >= 1, "{path}: the total is still counted: {body}");
    }
    let valid = [
        "q=needling",
        "q=needling&sort=title",
        "tag=dry-needling&tag=doms",
        "section=no-such-section",
        "published_after=2024-01-01T00:00:00Z&published_before=2025-01-01T00:00:00%2B02:00",
        "include=body&per_page=100&page=1",
        "author=1&sort=-updated_at",
        "status=published",
    ];
    for query in valid {
        let response = app.get(&format!("/api/v1/articles?{query}"), None).await;
        let status = response.status();
        assert_eq!(status, StatusCode::OK, "{query}: {}", response.text().await.unwrap());
    }
    still_healthy(&app).await;
}

#[tokio::test]
async fn unknown_paths_wrong_methods_and_bad_ids_are_problems() {
    let app = spawn_app().await;
    let missing = |what, request| case(what, request, Value::Null, 404, None);
    let wrong_method = |what, request, allow| case(what, request, json!({}), 405, Some(allow));
    let huge = "99999999999999999999";
    let cases = vec![
        missing("an unknown API path", "GET /api/v1/nope".into()),
        missing("an unknown top-level path", "GET /nope".into()),
        missing("another API version", "GET /api/v2/articles".into()),
        wrong_method("PUT on articles", "PUT /api/v1/articles", "GET, POST"),
        wrong_method("DELETE on articles", "DELETE /api/v1/articles", "GET, POST"),
        wrong_method("PUT on an article", "PUT /api/v1/articles/1", "GET, PATCH, DELETE"),
        wrong_method("POST on a section", "POST /api/v1/sections/1", "GET, PATCH, DELETE"),
        wrong_method("DELETE on a tag slug", "DELETE /api/v1/tags/slug/rust", "GET"),
        wrong_method("POST on health", "POST /health", "GET"),
        wrong_method("GET on login", "GET /api/v1/auth/login", "POST"),
        missing("an id that is a word", "GET /api/v1/articles/abc".into()),
        missing("an id past i64", format!("GET /api/v1/articles/{huge}")),
        missing("an id of zero", "GET /api/v1/articles/0".into()),
        missing("a negative id", "GET /api/v1/articles/-1".into()),
        missing("a fractional id", "GET /api/v1/articles/1.5".into()),
        missing("an id that exists nowhere", "GET /api/v1/articles/123456".into()),
        case("PATCH on a word id", "PATCH /api/v1/articles/abc", json!({"version": 1}), 404, None),
        missing("DELETE on a huge section id", format!("DELETE /api/v1/sections/{huge}")),
        case("PATCH on a huge tag id", format!("PATCH /api/v1/tags/{huge}"), json!({"name": "x"}), 404, None),
        missing("a user id that is a word", "GET /api/v1/users/abc".into()),
        missing("DELETE on a huge user id", format!("DELETE /api/v1/users/{huge}")),
        missing("a revision past i64", format!("GET /api/v1/articles/1/revisions/{huge}")),
        missing("a slug with spaces", "GET /api/v1/articles/slug/Not%20A%20Slug".into()),
    ];
    expect_all(&app, Some(&app.admin), cases).await;
}

/// An `Authorization` value carrying these claims signed with `secret`.
fn bearer(claims: &Value, secret: &str, algorithm: jsonwebtoken::Algorithm) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
    format!("Bearer {}", jsonwebtoken::encode(&jsonwebtoken::Header::new(algorithm), claims, &key).unwrap())
}

fn base64url(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A token that claims no signature is needed.
fn unsigned(claims: &Value) -> String {
    format!("Bearer {}.{}.", base64url(&json!({"alg": "none", "typ": "JWT"})), base64url(claims))
}

/// `authorization` with its payload replaced, keeping the old signature.
fn swap_payload(authorization: &str, claims: &Value) -> String {
    let parts: Vec<&str> = authorization.split('.').collect();
    format!("{}.{}.{}", parts[0], base64url(claims), parts[2])
}

#[tokio::test]
async fn bad_tokens_are_401_with_www_authenticate() {
    let app = spawn_app().await;
    let me: Value = app.get("/api/v1/auth/me", Some(&app.admin)).await.json().await.unwrap();
    let now = chrono::Utc::now().timestamp();
    let claims = |changes: Value| {
        let valid = json!({"sub": me["id"].to_string(), "role": "admin", "iss": "folio", "aud": "folio-api",
                           "iat": now, "nbf": now, "exp": now + 600});
        with(valid, changes)
    };
    let (hs256, hs512) = (jsonwebtoken::Algorithm::HS256, jsonwebtoken::Algorithm::HS512);
    let signed = |changes: Value| bearer(&claims(changes), SECRET, hs256);
    let forged = signed(json!({}));
    let response = app.request(Method::GET, "/api/v1/auth/me", None).header(AUTHORIZATION, &forged).send().await;
    assert_eq!(response.unwrap().status(), StatusCode::OK, "the crafted token is valid, so the others test one thing");

    let mut no_exp = claims(json!({}));
    no_exp.as_object_mut().unwrap().remove("exp");
    let cases = [
        ("garbage", "Bearer garbage".to_owned()),
        ("three garbage parts", "Bearer a.b.c".to_owned()),
        ("another scheme", forged.replace("Bearer", "Basic")),
        ("a scheme without a token", "Bearer".to_owned()),
        ("a token without a scheme", forged.replace("Bearer ", "")),
        ("expired an hour ago", signed(json!({"iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}))),
        ("signed with another secret", bearer(&claims(json!({})), "another secret, long enough to use", hs256)),
        ("alg none", unsigned(&claims(json!({})))),
        ("HS512 with the right secret", bearer(&claims(json!({})), SECRET, hs512)),
        ("another audience", signed(json!({"aud": "someone-else"}))),
        ("another issuer", signed(json!({"iss": "evil"}))),
        ("not valid before next hour", signed(json!({"nbf": now + 3600}))),
        ("without exp", bearer(&no_exp, SECRET, hs256)),
        ("a user who does not exist", signed(json!({"sub": "999999"}))),
        ("a subject that is no id", signed(json!({"sub": "admin"}))),
        ("the signature of another token", swap_payload(&forged, &claims(json!({"sub": "2"})))),
    ];
    let mut failures = Vec::new();
    for (what, authorization) in &cases {
        for path in ["/api/v1/auth/me", "/api/v1/users", "/api/v1/articles?status=draft", "/api/v1/articles"] {
            let response = app.request(Method::GET, path, None).header(AUTHORIZATION, authorization).send().await;
            let response = response.unwrap();
            let status = response.status();
            let challenge = response.headers().get(WWW_AUTHENTICATE).map(|v| v.to_str().unwrap().to_owned());
            if status != StatusCode::UNAUTHORIZED || !challenge.as_deref().is_some_and(|c| c.starts_with("Bearer")) {
                failures.push(format!("{what} on {path}: {status} {challenge:?} {}", response.text().await.unwrap()));
            } else {
                problem(response, status).await;
            }
        }
    }
    still_healthy(&app).await;
    assert!(failures.is_empty(), "tokens that got in:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let app = spawn_app_with(&[("FOLIO_MAX_BODY_BYTES", "2048")]).await;
    let big = "x".repeat(4000);
    let too_large = |what, request, body| case(what, request, body, 413, None);
    let user = json!({"email": "b@example.com", "password": big, "display_name": "B", "role": "author"});
    let cases = vec![
        too_large("a big article", "POST /api/v1/articles", json!({"title": "Big", "body_markdown": big})),
        too_large("a big login", "POST /api/v1/auth/login", json!({"email": "a@example.com", "password": big})),
        too_large("a big user", "POST /api/v1/users", user),
        too_large("a big section change", "PATCH /api/v1/sections/1", json!({"description": big})),
        raw("a big body that is not even JSON", "/api/v1/tags", big.as_bytes(), Some("text/plain"), 413),
    ];
    expect_all(&app, Some(&app.admin), cases).await;
    let small = json!({"title": "Small", "body_markdown": "x".repeat(1500)});
    let response = app.post("/api/v1/articles", Some(&app.admin), &small).await;
    assert_eq!(response.status(), StatusCode::CREATED, "a body under the limit is taken");
}

#[tokio::test]
async fn single_resource_reads_refuse_unknown_query_parameters_too() {
    let app = spawn_app().await;
    let article = app.publish_seed_article(&app.admin).await;
    for path in [
        format!("/api/v1/articles/{}?foo=1", article["id"]),
        "/api/v1/articles/slug/the-science-behind-dry-needling-for-muscle-recovery?foo=1".to_owned(),
        "/api/v1/sections/slug/blogs?foo=1".to_owned(),
        "/api/v1/tags/1?foo=1".to_owned(),
    ] {
        let body = problem(app.get(&path, None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], "foo", "{path}");
    }
}

/// The fields a 422 names, sorted.
async fn named_fields(app: &TestApp, method: Method, path: &str, body: Value) -> Vec<String> {
    let response = app.send_json(method, path, Some(&app.admin), &body).await;
    let problem = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let mut fields: Vec<String> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    fields.sort();
    fields
}

#[tokio::test]
async fn one_422_names_every_bad_field_wrong_types_and_bad_values_alike() {
    let app = spawn_app().await;
    let (user_id, _) = app.user("author", "Plain User").await;
    let tag = app.tag("Rust").await;
    let article_id = app.article(&app.admin, json!({"title": "Fine", "body_markdown": "B."})).await["id"].clone();
    let cases: Vec<(Method, String, Value, &[&str])> = vec![
        (Method::POST, "/api/v1/users".into(), json!({"role": 5}), &["/display_name", "/email", "/password", "/role"]),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"email": 5, "password": "short", "display_name": "", "role": "king"}),
            &["/display_name", "/email", "/password", "/role"],
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{user_id}"),
            json!({"disabled": "yes", "display_name": " ", "role": 7}),
            &["/disabled", "/display_name", "/role"],
        ),
        (
            Method::POST,
            "/api/v1/articles".into(),
            json!({"title": "", "body_markdown": 5}),
            &["/body_markdown", "/title"],
        ),
        (
            Method::PATCH,
            format!("/api/v1/articles/{article_id}"),
            json!({"title": " ", "status": 3, "version": 1}),
            &["/status", "/title"],
        ),
        (Method::POST, "/api/v1/sections".into(), json!({"name": "", "position": "first"}), &["/name", "/position"]),
        (Method::POST, "/api/v1/tags".into(), json!({"name": 5, "slug": "Not A Slug"}), &["/name", "/slug"]),
        (
            Method::PATCH,
            format!("/api/v1/tags/{}", tag["id"]),
            json!({"name": [], "description": 3}),
            &["/description", "/name"],
        ),
    ];
    for (method, path, body, expected) in cases {
        let named = named_fields(&app, method.clone(), &path, body.clone()).await;
        assert_eq!(named, expected, "{method} {path} {body}");
    }
}
