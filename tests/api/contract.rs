//! The OpenAPI document as a frontend's code generator reads it: what the server
//! always sends is required, free objects are free, closed sets are enums, and a
//! request needs only what the server needs. Checked against real responses.

use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::helpers::{json_body, spawn_app, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

async fn document(app: &TestApp) -> Value {
    json_body(app.get("/api/v1/openapi.json", None).await, StatusCode::OK).await
}

/// Follows `$ref`s to the schema they name.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => resolve(doc, &doc["components"]["schemas"][name]),
        None => schema,
    }
}

/// The schema without its `null` alternative: `T` of a `oneOf [null, T]`.
fn non_null<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let schema = resolve(doc, schema);
    match schema["oneOf"].as_array() {
        Some(variants) => {
            let mut rest = variants.iter().filter(|v| v["type"] != "null");
            let variant = rest.next().expect("a non-null variant");
            assert!(rest.next().is_none(), "one non-null variant in {schema}");
            resolve(doc, variant)
        }
        None => schema,
    }
}

/// Properties and `required` of an object schema, merging `allOf` parts (serde's flatten).
fn object_parts(doc: &Value, schema: &Value) -> (Map<String, Value>, Vec<String>) {
    let schema = non_null(doc, schema);
    let mut properties = schema["properties"].as_object().cloned().unwrap_or_default();
    let mut required: Vec<String> =
        schema["required"].as_array().into_iter().flatten().filter_map(|r| r.as_str().map(str::to_owned)).collect();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (p, r) = object_parts(doc, part);
        properties.extend(p);
        required.extend(r);
    }
    (properties, required)
}

/// Walks a real response beside its schema and records every disagreement: a key sent
/// but optional or undeclared, a required key not sent, a string outside its enum.
fn compare(doc: &Value, schema: &Value, value: &Value, at: &str, failures: &mut Vec<String>) {
    if value.is_null() {
        return;
    }
    let schema = non_null(doc, schema);
    // An article read or list item is `anyOf` the whole and a `fields=` selection: these
    // requests send no `fields=`, so they get the whole, the first.
    let schema = match schema["anyOf"].as_array().and_then(|variants| variants.first()) {
        Some(whole) => non_null(doc, whole),
        None => schema,
    };
    match value {
        Value::Object(object) => {
            let (properties, required) = object_parts(doc, schema);
            if properties.is_empty() && schema.get("additionalProperties").is_some() {
                return;
            }
            for (key, item) in object {
                match properties.get(key) {
                    None => failures.push(format!("{at}/{key} is sent but not in the schema")),
                    Some(property) => {
                        if !required.contains(key) {
                            failures.push(format!("{at}/{key} is always sent but not required"));
                        }
                        compare(doc, property, item, &format!("{at}/{key}"), failures);
                    }
                }
            }
            for key in required.iter().filter(|k| !object.contains_key(*k)) {
                failures.push(format!("{at}/{key} is required but not sent"));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                compare(doc, &schema["items"], item, &format!("{at}/{i}"), failures);
            }
        }
        Value::String(text) => {
            if let Some(allowed) = schema["enum"].as_array() {
                if !allowed.contains(value) {
                    failures.push(format!("{at} is {text:?}, outside its enum {allowed:?}"));
                }
            }
        }
        _ => {}
    }
}

/// The schema of the JSON body `method path` answers with `status`.
fn response_schema<'a>(doc: &'a Value, method: &str, path: &str, status: u16) -> &'a Value {
    let schema = &doc["paths"][path][method]["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} {status} declares a JSON body");
    schema
}

/// An app with one of everything, every optional field filled where it can be.
async fn app_with_content() -> (TestApp, Value) {
    let app = spawn_app().await;
    let (editor_id, editor) = app.user("editor", "Nick Lorem").await;
    let bio = json!({"bio": "Physiotherapist."});
    json_body(app.patch(&format!("/api/v1/users/{editor_id}"), Some(&app.admin), &bio).await, StatusCode::OK).await;
    let parent = app.section("Clinic", None).await;
    app.section("Blogs", parent["id"].as_i64()).await;
    let article = app
        .article(
            &editor,
            json!({
                "title": "Dry Needling", "body_markdown": "Intro.\n\n## First\n\nText.", "section": "blogs",
                "tags": ["DOMS"], "status": "published", "seo": {"meta_title": "Dry needling"},
                "cover_image": {"url": "https://clinic.example/a.jpg"}, "metadata": {"hero_variant": "wide"},
            }),
        )
        .await;
    let id = article["id"].as_i64().unwrap();
    let change = json!({"title": "Dry Needling, Explained", "version": 1});
    json_body(app.patch(&format!("/api/v1/articles/{id}"), Some(&editor), &change).await, StatusCode::OK).await;
    (app, article)
}

#[tokio::test]
async fn every_key_a_response_carries_is_required_in_its_schema() {
    let (app, article) = app_with_content().await;
    let doc = document(&app).await;
    let id = article["id"].as_i64().unwrap();
    let admin = Some(app.admin.as_str());
    let section = app.get("/api/v1/sections/slug/blogs", None).await.json::<Value>().await.unwrap();
    let tag = app.get("/api/v1/tags/slug/doms", None).await.json::<Value>().await.unwrap();
    let user = article["author"]["id"].as_i64().unwrap();
    let cases: Vec<(&str, String, &str, Option<&str>)> = vec![
        ("/api/v1/articles", "/api/v1/articles".into(), "get", None),
        ("/api/v1/articles/{id}", format!("/api/v1/articles/{id}"), "get", None),
        (
            "/api/v1/articles/slug/{slug}",
            format!("/api/v1/articles/slug/{}", article["slug"].as_str().unwrap()),
            "get",
            None,
        ),
        ("/api/v1/articles/{id}/revisions", format!("/api/v1/articles/{id}/revisions"), "get", admin),
        ("/api/v1/articles/{id}/revisions/{version}", format!("/api/v1/articles/{id}/revisions/1"), "get", admin),
        ("/api/v1/sections", "/api/v1/sections".into(), "get", None),
        ("/api/v1/sections/{id}", format!("/api/v1/sections/{}", section["id"]), "get", None),
        ("/api/v1/tags", "/api/v1/tags".into(), "get", None),
        ("/api/v1/tags/{id}", format!("/api/v1/tags/{}", tag["id"]), "get", None),
        ("/api/v1/users", "/api/v1/users".into(), "get", admin),
        ("/api/v1/users/{id}", format!("/api/v1/users/{user}"), "get", admin),
        ("/api/v1/auth/me", "/api/v1/auth/me".into(), "get", admin),
        ("/api/v1/audit", "/api/v1/audit".into(), "get", admin),
        ("/health", "/health".into(), "get", None),
    ];
    let mut failures = Vec::new();
    for (template, path, method, token) in cases {
        let body = json_body(app.get(&path, token).await, StatusCode::OK).await;
        compare(&doc, response_schema(&doc, method, template, 200), &body, &format!("GET {path}"), &mut failures);
    }
    let login = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
    let tokens = json_body(app.post("/api/v1/auth/login", None, &login).await, StatusCode::OK).await;
    compare(&doc, response_schema(&doc, "post", "/api/v1/auth/login", 200), &tokens, "POST login", &mut failures);
    assert!(failures.is_empty(), "the document disagrees with real responses:\n{}", failures.join("\n"));
}

/// Every place `metadata` appears, and where it must also accept `null`.
const METADATA: [(&str, bool); 4] =
    [("ArticleFields", false), ("RevisionContent", false), ("CreateArticle", true), ("UpdateArticle", false)];

#[tokio::test]
async fn metadata_is_a_free_json_object_both_ways() {
    let (app, article) = app_with_content().await;
    let doc = document(&app).await;
    for (name, nullable) in METADATA {
        let schema = &doc["components"]["schemas"][name]["properties"]["metadata"];
        let object = non_null(&doc, schema);
        assert!(object["type"] == "object" || object["type"] == json!(["object", "null"]), "{name}: {schema}");
        let free = &object["additionalProperties"];
        assert!(*free == json!(true) || *free == json!({}), "{name}.metadata admits any key: {schema}");
        let admits_null =
            object["type"].as_array().is_some_and(|t| t.contains(&json!("null"))) || schema["oneOf"].is_array();
        assert_eq!(admits_null, nullable, "{name}.metadata null: {schema}");
    }
    assert_eq!(article["metadata"], json!({"hero_variant": "wide"}), "the server takes and returns any key");
}

#[tokio::test]
async fn the_document_names_a_relative_server() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert_eq!(doc["servers"], json!([{"url": "/"}]), "/docs must call the server it is served from");
}

/// Walks every schema and parameter of the document.
fn each_schema<'a>(value: &'a Value, at: String, found: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            found.push((at.clone(), value));
            for (key, item) in map {
                each_schema(item, format!("{at}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                each_schema(item, format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// The values a query parameter of `method path` admits.
fn parameter_enum(doc: &Value, path: &str, name: &str) -> Vec<String> {
    let params = doc["paths"][path]["get"]["parameters"].as_array().expect("parameters");
    let param = params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{path} has {name}"));
    let schema = non_null(doc, &param["schema"]);
    let values = schema["enum"].as_array().unwrap_or_else(|| panic!("{path}?{name} is an enum: {param}"));
    values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn closed_sets_are_enums_that_match_what_the_server_accepts() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut found = Vec::new();
    each_schema(&doc, String::new(), &mut found);
    let literal_alternatives = |p: &str| p.chars().all(|c| c.is_ascii_lowercase() || "_|()^$?-".contains(c));
    for (at, schema) in found {
        if let Some(pattern) = schema["pattern"].as_str() {
            assert!(!literal_alternatives(pattern), "{at} lists a closed set as pattern {pattern}: use an enum");
        }
    }
    let cases = [
        ("/api/v1/articles", "status", vec!["draft", "scheduled", "published", "archived", "any"], "pubished"),
        (
            "/api/v1/articles",
            "sort",
            vec!["published_at", "-published_at", "title", "-title", "updated_at", "-updated_at"],
            "date",
        ),
        ("/api/v1/articles", "include", vec!["body"], "bodies"),
        (
            "/api/v1/audit",
            "resource",
            vec!["article", "section", "tag", "user", "api_key", "webhook", "media"],
            "articles",
        ),
    ];
    for (path, name, expected, misspelt) in cases {
        let mut values = parameter_enum(&doc, path, name);
        values.sort();
        let mut wanted: Vec<String> = expected.iter().map(|v| (*v).to_owned()).collect();
        wanted.sort();
        assert_eq!(values, wanted, "{path}?{name}");
        for value in &values {
            let response = app.get(&format!("{path}?{name}={value}"), Some(&app.admin)).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}?{name}={value} is accepted");
        }
        let response = app.get(&format!("{path}?{name}={misspelt}"), Some(&app.admin)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}?{name}={misspelt} is refused");
    }
    let entry = &doc["components"]["schemas"]["AuditEntry"]["properties"];
    for field in ["role", "action", "resource"] {
        assert!(non_null(&doc, &entry[field])["enum"].is_array(), "AuditEntry.{field} is an enum: {}", entry[field]);
    }
}

#[tokio::test]
async fn a_request_needs_only_the_fields_the_server_needs() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let bodies = [
        ("/api/v1/sections", json!({"name": "Blogs"})),
        ("/api/v1/tags", json!({"name": "DOMS"})),
        ("/api/v1/articles", json!({"title": "A title", "body_markdown": "Text."})),
        (
            "/api/v1/users",
            json!({"email": "nick@example.com", "password": "a long enough password", "display_name": "Nick", "role": "author"}),
        ),
    ];
    for (path, minimal) in bodies {
        let schema = &doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"];
        let (properties, mut required) = object_parts(&doc, schema);
        required.sort();
        let mut sent: Vec<String> = minimal.as_object().unwrap().keys().cloned().collect();
        sent.sort();
        assert_eq!(required, sent, "POST {path} requires exactly what the server needs");
        for (name, property) in &properties {
            // openapi-typescript makes a property with a `default` required, in request bodies too.
            assert!(property.get("default").is_none(), "POST {path}: {name} carries a default: say it in words");
        }
        let response = app.send_json(Method::POST, path, Some(&app.admin), &minimal).await;
        assert_eq!(response.status(), StatusCode::CREATED, "POST {path} with {minimal}");
    }
}

/// The `$ref` a property points to, through a `oneOf [null, T]`.
fn refers_to(property: &Value) -> Option<&str> {
    let target = property["oneOf"].as_array().and_then(|v| v.iter().find(|v| v["type"] != "null")).unwrap_or(property);
    target["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/"))
}

#[tokio::test]
async fn each_input_rule_is_one_schema_whose_example_the_server_accepts() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    let rules = [
        ("name", "Name", &["CreateSection", "UpdateSection", "CreateTag", "UpdateTag"][..]),
        ("slug", "Slug", &["CreateSection", "UpdateSection", "CreateTag", "UpdateTag"]),
        ("description", "Description", &["CreateSection", "UpdateSection", "CreateTag", "UpdateTag"]),
        ("bio", "Description", &["CreateUser", "UpdateUser"]),
        ("email", "Email", &["CreateUser", "UpdateUser"]),
        ("password", "Password", &["CreateUser", "UpdateUser"]),
        ("display_name", "DisplayName", &["CreateUser", "UpdateUser"]),
    ];
    for (field, rule, bodies) in rules {
        for body in bodies {
            let property = &schemas[*body]["properties"][field];
            assert_eq!(refers_to(property), Some(rule), "{body}.{field}: {property}");
        }
    }
    let example = |rule: &str| schemas[rule]["example"].clone();
    let user = json!({"email": example("Email"), "password": example("Password"),
                      "display_name": example("DisplayName"), "role": "author", "bio": example("Description")});
    let section = json!({"name": example("Name"), "slug": example("Slug"), "description": example("Description")});
    for (path, body) in [("/api/v1/users", user), ("/api/v1/sections", section)] {
        let response = app.post(path, Some(&app.admin), &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{path} {body}: {}", response.text().await.unwrap());
    }
}
