//! Many public reads of single articles at once, as a busy site gets them: on
//! PostgreSQL they are looked up together, and each must still get its own article,
//! its own 404 and its own translations.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_body, spawn_app_with, TestApp};

async fn published(app: &TestApp, body: Value) -> Value {
    let mut body = body;
    body["status"] = json!("published");
    app.article(&app.admin, body).await
}

#[tokio::test]
async fn reads_arriving_together_each_get_their_own_article() {
    let app = spawn_app_with(&[("FOLIO_LOCALES", "en,fr")]).await;
    let mut articles = Vec::new();
    for n in 0..12 {
        articles.push(
            published(&app, json!({"title": format!("Article {n}"), "body_markdown": format!("Text {n}.")})).await,
        );
    }
    // The same slug in another locale, a translation of the first: never what a read
    // without `locale` answers, but named among the first's translations.
    let french = published(
        &app,
        json!({"title": "Article 0", "body_markdown": "Texte.", "locale": "fr", "translation_of": articles[0]["id"]}),
    )
    .await;
    assert_eq!(french["slug"], articles[0]["slug"]);
    let draft = app.article(&app.admin, json!({"title": "Draft", "body_markdown": "Not yet."})).await;
    let scheduled = app
        .article(
            &app.admin,
            json!({"title": "Later", "body_markdown": "Soon.", "status": "scheduled", "published_at": "2999-01-01T00:00:00Z"}),
        )
        .await;

    // Each path with the id of the article it must answer (`None`: a 404).
    let mut reads: Vec<(String, Option<i64>)> = Vec::new();
    for article in &articles {
        let id = article["id"].as_i64();
        reads.push((format!("/api/v1/articles/slug/{}", article["slug"].as_str().unwrap()), id));
        reads.push((format!("/api/v1/articles/{}", id.unwrap()), id));
    }
    for hidden in [&draft, &scheduled] {
        reads.push((format!("/api/v1/articles/slug/{}", hidden["slug"].as_str().unwrap()), None));
        reads.push((format!("/api/v1/articles/{}", hidden["id"]), None));
    }
    reads.push(("/api/v1/articles/slug/no-such-article".into(), None));
    reads.push(("/api/v1/articles/999999".into(), None));
    reads.push((format!("/api/v1/articles/{}", french["id"]), french["id"].as_i64()));
    // Every read three times over, all at once.
    let all: Vec<_> = reads.iter().cycle().take(reads.len() * 3).collect();

    let answers = join_all(all.iter().map(|(path, _)| app.get(path, None))).await;

    for ((path, expected), response) in all.iter().zip(answers) {
        let Some(expected) = expected else {
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            continue;
        };
        let language = response.headers()["content-language"].to_str().unwrap().to_owned();
        let body = json_body(response, StatusCode::OK).await;
        assert_eq!(body["id"].as_i64(), Some(*expected), "{path}");
        assert_eq!(body["locale"], language, "{path}: Content-Language is the article's");
        let siblings = body["translations"].as_array().unwrap().len();
        let grouped = *expected == articles[0]["id"].as_i64().unwrap() || Some(*expected) == french["id"].as_i64();
        assert_eq!(siblings, usize::from(grouped), "{path}: its own translations, and only those");
    }
}
