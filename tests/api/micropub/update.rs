//! micropub.rocks 400–405 (updates) and 500–503 (delete, undelete).

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{article_at, created_form, created_json, error, form, post_json, tag_names};
use crate::helpers::{spawn_app, TestApp};

/// Creates the post, sends the update (`url` filled in); asserts 200/204, or 201 with a
/// Location, as micropub.rocks does; the article at the post's (perhaps new) URL.
async fn updated(app: &TestApp, post: Value, mut update: Value) -> Value {
    let url = created_json(app, &post).await;
    update["url"] = json!(url);
    let response = post_json(app, Some(&app.admin), &update).await;
    let url = match response.status() {
        StatusCode::OK | StatusCode::NO_CONTENT => url,
        StatusCode::CREATED => response.headers()["location"].to_str().unwrap().to_owned(),
        other => panic!("update answered {other}: {}", response.text().await.unwrap()),
    };
    article_at(app, &url, None).await
}

fn post(content: &str, categories: &[&str]) -> Value {
    let mut properties = json!({"content": [content]});
    if !categories.is_empty() {
        properties["category"] = json!(categories);
    }
    json!({"type": ["h-entry"], "properties": properties})
}

#[tokio::test]
async fn mp_400_update_replace_a_property() {
    let app = spawn_app().await;
    let article = updated(
        &app,
        post("Micropub update test. This text should be replaced if the test succeeds.", &[]),
        json!({"action": "update", "replace": {"content": ["This is the updated text. If you can see this you passed the test!"]}}),
    )
    .await;
    assert_eq!(article["body_markdown"], "This is the updated text. If you can see this you passed the test!");
    assert_eq!(article["version"], 2, "the update is a revision");
}

#[tokio::test]
async fn mp_401_update_add_a_value_to_an_existing_property() {
    let app = spawn_app().await;
    let article = updated(
        &app,
        post("Micropub update test for adding a category. After you run the update, this post should have two categories: test1 and test2.", &["test1"]),
        json!({"action": "update", "add": {"category": ["test2"]}}),
    )
    .await;
    assert_eq!(tag_names(&article), ["test1", "test2"]);
}

#[tokio::test]
async fn mp_402_update_add_a_value_to_a_nonexistent_property() {
    let app = spawn_app().await;
    let article = updated(
        &app,
        post("This test adds a category property to a post that previously had no category. After you run the update, this post should have the category test1.", &[]),
        json!({"action": "update", "add": {"category": ["test1"]}}),
    )
    .await;
    assert_eq!(tag_names(&article), ["test1"]);
}

#[tokio::test]
async fn mp_403_update_remove_a_value_from_a_property() {
    let app = spawn_app().await;
    let article = updated(
        &app,
        post("This test deletes a category from the post. After you run the update, this post should have only the category test1.", &["test1", "test2"]),
        json!({"action": "update", "delete": {"category": ["test2"]}}),
    )
    .await;
    assert_eq!(tag_names(&article), ["test1"]);
}

#[tokio::test]
async fn mp_404_update_remove_a_property() {
    let app = spawn_app().await;
    let article = updated(
        &app,
        post("This test deletes the category property from the post. After you run the update, this post should have no categories.", &["test1", "test2"]),
        json!({"action": "update", "delete": ["category"]}),
    )
    .await;
    assert!(tag_names(&article).is_empty());
}

#[tokio::test]
async fn mp_405_reject_update_with_invalid_syntax() {
    let app = spawn_app().await;
    let url = created_json(&app, &post("Micropub update test #405.", &[])).await;
    let update = json!({"action": "update", "url": url, "replace": "This is not a valid update request."});
    error(post_json(&app, Some(&app.admin), &update).await, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert_eq!(article_at(&app, &url, None).await["version"], 1, "nothing changed");
}

/// Deletes (and with `undelete`, restores) a post made by `create`, as micropub.rocks does.
async fn delete_then(app: &TestApp, url: &str, as_json: bool, undelete: bool) {
    let send = |action: &'static str| async move {
        match as_json {
            true => post_json(app, Some(&app.admin), &json!({"action": action, "url": url})).await,
            false => form(app, Some(&app.admin), &[("action", action), ("url", url)]).await,
        }
    };
    let deleted = send("delete").await;
    assert!(matches!(deleted.status().as_u16(), 200 | 201 | 204), "delete: {}", deleted.status());
    assert_eq!(app.client.get(url).send().await.unwrap().status(), StatusCode::NOT_FOUND, "deleted: 404 to the public");
    let archived = article_at(app, url, Some(&app.admin)).await;
    assert_eq!(archived["status"], "archived", "a delete archives");
    if undelete {
        let restored = send("undelete").await;
        assert!(matches!(restored.status().as_u16(), 200 | 201 | 204), "undelete: {}", restored.status());
        assert_eq!(article_at(app, url, None).await["status"], "published", "the status it had");
    }
}

#[tokio::test]
async fn mp_500_delete_a_post_form_encoded() {
    let app = spawn_app().await;
    let url =
        created_form(&app, &[("h", "entry"), ("content", "This post will be deleted when the test succeeds.")]).await;
    delete_then(&app, &url, false, false).await;
}

#[tokio::test]
async fn mp_501_delete_a_post_json() {
    let app = spawn_app().await;
    let url = created_json(&app, &post("This post will be deleted when the test succeeds.", &[])).await;
    delete_then(&app, &url, true, false).await;
}

#[tokio::test]
async fn mp_502_undelete_a_post_form_encoded() {
    let app = spawn_app().await;
    let url = created_form(
        &app,
        &[("h", "entry"), ("content", "This post will be deleted, and should be restored after undeleting it.")],
    )
    .await;
    delete_then(&app, &url, false, true).await;
}

#[tokio::test]
async fn mp_503_undelete_a_post_json() {
    let app = spawn_app().await;
    let url =
        created_json(&app, &post("This post will be deleted, and should be restored after undeleting it.", &[])).await;
    delete_then(&app, &url, true, true).await;
}
