//! micropub.rocks 600–603: configuration, syndication targets and the source of a post.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{created_json, ENDPOINT};
use crate::helpers::{json_body, spawn_app, TestApp};

async fn query(app: &TestApp, q: &[(&str, &str)]) -> Value {
    let response = app.client.get(app.url(ENDPOINT)).query(q).bearer_auth(&app.admin).send().await.unwrap();
    json_body(response, StatusCode::OK).await
}

#[tokio::test]
async fn mp_600_configuration_query() {
    let app = spawn_app().await;
    let config = query(&app, &[("q", "config")]).await;
    assert_eq!(
        config,
        json!({
            "media-endpoint": app.url("/api/v1/micropub/media"),
            "syndicate-to": [],
            "q": ["config", "source", "syndicate-to", "category"],
            "post-types": [{"type": "note", "name": "Note"}, {"type": "article", "name": "Article"}, {"type": "photo", "name": "Photo"}],
        })
    );
}

#[tokio::test]
async fn mp_601_syndication_endpoint_query() {
    let app = spawn_app().await;
    assert_eq!(query(&app, &[("q", "syndicate-to")]).await, json!({"syndicate-to": []}));
}

fn source_test_post() -> Value {
    json!({"type": ["h-entry"], "properties": {
        "content": ["Test of querying the endpoint for the source content"],
        "category": ["micropub", "test"]}})
}

#[tokio::test]
async fn mp_602_source_query_all_properties() {
    let app = spawn_app().await;
    let url = created_json(&app, &source_test_post()).await;
    let source = query(&app, &[("q", "source"), ("url", &url)]).await;
    assert_eq!(source["type"], json!(["h-entry"]));
    assert_eq!(source["properties"]["content"][0], "Test of querying the endpoint for the source content");
    assert_eq!(source["properties"]["category"], json!(["micropub", "test"]));
    assert_eq!(source["properties"]["post-status"], json!(["published"]));
}

#[tokio::test]
async fn mp_603_source_query_specific_properties() {
    let app = spawn_app().await;
    let url = created_json(&app, &source_test_post()).await;
    let source =
        query(&app, &[("q", "source"), ("properties[]", "content"), ("properties[]", "category"), ("url", &url)]).await;
    assert_eq!(
        source,
        json!({"properties": {
            "content": ["Test of querying the endpoint for the source content"],
            "category": ["micropub", "test"]}})
    );
}

#[tokio::test]
async fn category_query_lists_tag_names_filtered_by_prefix() {
    let app = spawn_app().await;
    created_json(
        &app,
        &json!({"type": ["h-entry"], "properties": {"content": ["x"], "category": ["Travel", "Tea", "Food"]}}),
    )
    .await;
    assert_eq!(query(&app, &[("q", "category")]).await, json!({"categories": ["Food", "Tea", "Travel"]}));
    assert_eq!(query(&app, &[("q", "category"), ("filter", "t")]).await, json!({"categories": ["Tea", "Travel"]}));
}
