//! A client of the real binary for webhook tests: the admin's token, and one method
//! per request the tests make.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::Server;

pub struct Api {
    pub server: Server,
    pub client: reqwest::Client,
    pub token: String,
}

impl Api {
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::with(Server::start_on(database_url, env).await).await
    }

    /// Logs in to `server` as its admin.
    pub async fn with(server: Server) -> Self {
        let client = reqwest::Client::new();
        let token = server.token(&client).await;
        Self { server, client, token }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.client.request(method, self.server.url(path)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// Creates a webhook to `url` for `events`; returns its id and secret.
    pub async fn webhook(&self, url: &str, events: &[&str]) -> (i64, String) {
        let (status, body) = self.post("/api/v1/webhooks", json!({"url": url, "events": events})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (body["id"].as_i64().unwrap(), body["secret"].as_str().unwrap().to_owned())
    }

    pub async fn publish(&self, title: &str) -> i64 {
        let body = json!({"title": title, "body_markdown": "Body.", "status": "published"});
        self.server.create_article(&self.client, &self.token, &body).await
    }
}

pub fn retries(schedule: &str) -> Vec<(&'static str, String)> {
    vec![("FOLIO_WEBHOOK_RETRIES", schedule.to_owned())]
}

pub fn env<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
