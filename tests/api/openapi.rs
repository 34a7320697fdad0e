use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let served: Value = response.json().await.unwrap();
    let committed: Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("openapi/openapi.json is JSON");
    assert!(
        served == committed,
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
    assert_eq!(served["openapi"], "3.1.0");
}

#[tokio::test]
async fn the_webhooks_object_documents_every_event_with_its_payload_schema() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/v1/openapi.json", None).await.json().await.unwrap();
    let events = [
        "article.published",
        "article.updated",
        "article.unpublished",
        "article.deleted",
        "section.created",
        "section.updated",
        "section.deleted",
        "tag.created",
        "tag.updated",
        "tag.deleted",
        "media.created",
        "media.deleted",
        "ping",
    ];
    let webhooks = doc["webhooks"].as_object().expect("a webhooks object");
    assert_eq!(webhooks.len(), events.len());
    for event in events {
        let post = &webhooks[event]["post"];
        let reference = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
        let name = reference.strip_prefix("#/components/schemas/").unwrap();
        let schema = &doc["components"]["schemas"][name];
        for field in ["type", "timestamp", "sequence", "data"] {
            assert!(schema["required"].as_array().unwrap().contains(&Value::from(field)), "{event}: {field}");
        }
        let data =
            schema["properties"]["data"]["$ref"].as_str().unwrap().strip_prefix("#/components/schemas/").unwrap();
        assert!(doc["components"]["schemas"][data]["properties"].is_object(), "{event}: {data} is documented");
        let headers: Vec<&str> =
            post["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(headers, ["webhook-id", "webhook-timestamp", "webhook-signature"], "{event}");
    }
}

#[tokio::test]
async fn every_operation_has_a_summary_an_id_and_declared_security() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/v1/openapi.json", None).await.json().await.unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{name} has a summary");
            assert!(op["operationId"].is_string(), "{name} has an operationId");
            assert!(op["security"].is_array(), "{name} declares its security");
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    let reference = response["$ref"].as_str();
                    let problem = response["content"]["application/problem+json"].is_object();
                    // Micropub answers its own errors, `{"error", "error_description"}`, as its clients expect.
                    let micropub = path.starts_with("/api/v1/micropub")
                        && response["content"]["application/json"]["schema"]["$ref"]
                            == "#/components/schemas/MicropubErrorBody";
                    assert!(problem || micropub || reference.is_some(), "{name} {status} is declared as problem+json");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_interactive_docs_are_served_from_the_binary() {
    let app = spawn_app().await;
    let redirect = app.get("/docs", None).await;
    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("swagger-ui"));
    let config = app.get("/docs/swagger-initializer.js", None).await;
    assert_eq!(config.status(), StatusCode::OK);
    let config = config.text().await.unwrap();
    assert!(config.contains("/api/v1/openapi.json"), "{config}");
    // Served from any host but localhost, Swagger UI would call its online validator.
    assert!(config.contains(r#""validatorUrl": "none""#), "{config}");
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let health = app.get("/health", None).await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");
    assert_eq!(app.get("/ready", None).await.status(), StatusCode::OK);
}

/// `path` with every `{parameter}` replaced by 1 (`/sitemaps/{n}.xml`: `/sitemaps/1.xml`).
fn concrete(path: &str) -> String {
    let mut concrete = String::new();
    let mut rest = path;
    while let Some((before, after)) = rest.split_once('{') {
        concrete.push_str(before);
        concrete.push('1');
        rest = after.split_once('}').map_or("", |(_, after)| after);
    }
    concrete + rest
}

#[tokio::test]
async fn every_documented_operation_is_served_and_every_other_method_is_405_with_allow() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/v1/openapi.json", None).await.json().await.unwrap();
    let all = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
    for (path, item) in doc["paths"].as_object().unwrap() {
        let mut documented: Vec<String> = item.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
        if documented.iter().any(|m| m == "GET") {
            documented.push("HEAD".into());
        }
        let url = concrete(path);
        for method in all {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let response = app.request(method.clone(), &url, Some(&app.admin)).send().await.unwrap();
            if documented.iter().any(|m| *m == method.as_str()) {
                assert_ne!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is documented: served");
            } else {
                assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is not documented");
                let allow = response.headers()["allow"].to_str().unwrap().to_owned();
                let mut allowed: Vec<&str> = allow.split(", ").collect();
                allowed.sort_unstable();
                let mut expected: Vec<&str> = documented.iter().map(String::as_str).collect();
                expected.sort_unstable();
                assert_eq!(allowed, expected, "{path}: Allow lists the documented methods");
            }
        }
    }
}
