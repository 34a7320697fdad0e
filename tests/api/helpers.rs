//! `spawn_app`: the real server on port 0 with a fresh temporary database, and a
//! client with a method per thing the tests do.

use std::collections::HashMap;

use folio::config::Settings;
use folio::startup::Application;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

use crate::database::TestDatabase;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin password 123";
pub const PASSWORD: &str = "a long enough password";
pub const SEED_ARTICLE: &str = include_str!("../fixtures/seed-article.md");

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub admin: String,
    /// Dropped with the app: a PostgreSQL database is dropped then.
    _database: TestDatabase,
    /// The media folder (unless FOLIO_STORAGE was given), removed with the app.
    pub media: tempfile::TempDir,
}

/// A started server with its own database, an admin, and the admin's access token.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Like `spawn_app`, with extra environment variables.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let database = TestDatabase::new();
    let media = tempfile::tempdir().expect("a media folder");
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", database.url.clone()),
        ("FOLIO_BIND", "127.0.0.1:0".into()),
        ("FOLIO_JWT_SECRET", "test secret that is long enough to use".into()),
        ("FOLIO_ADMIN_EMAIL", ADMIN_EMAIL.into()),
        ("FOLIO_ADMIN_PASSWORD", ADMIN_PASSWORD.into()),
        ("FOLIO_STORAGE", media.path().display().to_string()),
    ]);
    for (k, v) in extra {
        vars.insert(k, (*v).to_owned());
    }
    let settings = Settings::from_lookup(|name| Ok(vars.get(name).cloned())).expect("valid settings");
    let app = Application::build(settings).expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut test_app = TestApp { address, client, admin: String::new(), _database: database, media };
    test_app.admin = test_app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    test_app
}

impl TestApp {
    /// The URL of the app's database, for the few tests that must set a stored fact
    /// the API cannot (a moment in the past).
    pub fn database_url(&self) -> &str {
        &self._database.url
    }

    /// Whether the app runs on PostgreSQL (where the two backends' answers may differ).
    pub fn is_postgres(&self) -> bool {
        self._database.is_postgres()
    }

    /// Runs `sql` on the app's database directly: for facts only time could set, or a
    /// database as an older folio left it.
    pub fn run_sql(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let url = self.database_url();
        if self.is_postgres() {
            diesel::PgConnection::establish(url).expect("connects").batch_execute(sql).expect("runs");
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            let mut conn = diesel::SqliteConnection::establish(path).expect("opens");
            conn.batch_execute(&format!("PRAGMA busy_timeout = 5000; {sql}")).expect("runs");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request to `path`, with the token when one is given.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().await.expect("request sent")
    }

    pub async fn send_json(&self, method: Method, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(method, path, token).json(body).send().await.expect("request sent")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send_json(Method::POST, path, token, body).await
    }

    /// PATCH carrying the resource's `version` in the body (articles need it or If-Match).
    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send_json(Method::PATCH, path, token, body).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token).send().await.expect("request sent")
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = self.post("/api/v1/auth/login", None, &json!({"email": email, "password": password})).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {email}");
        let body: Value = response.json().await.expect("json");
        body["access_token"].as_str().expect("access token").to_owned()
    }

    /// Creates a user with this role and returns (id, access token).
    pub async fn user(&self, role: &str, name: &str) -> (i64, String) {
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        let response = self
            .post(
                "/api/v1/users",
                Some(&self.admin),
                &json!({"email": email, "password": PASSWORD, "display_name": name, "role": role}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "creating {role} {name}");
        let body: Value = response.json().await.expect("json");
        let token = self.login(&email, PASSWORD).await;
        (body["id"].as_i64().expect("id"), token)
    }

    pub async fn section(&self, name: &str, parent_id: Option<i64>) -> Value {
        let response =
            self.post("/api/v1/sections", Some(&self.admin), &json!({"name": name, "parent_id": parent_id})).await;
        assert_eq!(response.status(), StatusCode::CREATED, "creating section {name}");
        response.json().await.expect("json")
    }

    /// Creates an article as `token` and returns it.
    pub async fn article(&self, token: &str, body: Value) -> Value {
        let response = self.post("/api/v1/articles", Some(token), &body).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::CREATED, "creating article: {text}");
        serde_json::from_str(&text).expect("json")
    }

    /// Publishes the seed article (section Blogs, its six tags) as `token`.
    pub async fn publish_seed_article(&self, token: &str) -> Value {
        let (front, body) = split_front_matter(SEED_ARTICLE);
        if self.get("/api/v1/sections/slug/blogs", None).await.status() == StatusCode::NOT_FOUND {
            self.section("Blogs", None).await;
        }
        self.article(
            token,
            json!({
                "title": front["title"],
                "slug": front["slug"],
                "excerpt": front["excerpt"],
                "body_markdown": body,
                "section": front["section"],
                "tags": front["tags"],
                "status": "published",
                "published_at": front["published_at"],
            }),
        )
        .await
    }
}

/// The seed file's front matter as JSON values, and its body.
pub fn split_front_matter(source: &str) -> (HashMap<String, Value>, String) {
    let rest = source.strip_prefix("---\n").expect("front matter");
    let (head, body) = rest.split_once("\n---\n").expect("closing ---");
    let fields = head
        .lines()
        .filter_map(|line| line.split_once(": "))
        .map(|(k, v)| {
            let value = serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_owned()));
            (k.to_owned(), value)
        })
        .collect();
    (fields, body.trim_start().to_owned())
}

/// Reads a problem+json body, checking its content type and shape.
pub async fn problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response.headers().get("content-type").expect("content type").to_str().expect("ascii");
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("json");
    for key in ["type", "title", "status", "detail"] {
        assert!(body.get(key).is_some(), "problem lacks {key}: {body}");
    }
    assert_eq!(body["status"], status.as_u16());
    body
}

/// The JSON body of a response, after checking its status (the body is shown when it differs).
pub async fn json_body(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "status; body: {text}");
    serde_json::from_str(&text).expect("a JSON body")
}

impl TestApp {
    /// Creates a tag as the admin and returns it.
    pub async fn tag(&self, name: &str) -> Value {
        let response = self.post("/api/v1/tags", Some(&self.admin), &json!({"name": name})).await;
        json_body(response, StatusCode::CREATED).await
    }

    /// `POST /auth/login` with these credentials, whatever the answer.
    pub async fn login_response(&self, email: &str, password: &str) -> Response {
        self.post("/api/v1/auth/login", None, &json!({"email": email, "password": password})).await
    }
}
