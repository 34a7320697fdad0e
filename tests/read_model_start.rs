//! The read model at start-up, through the real binary on the suite's backend: a
//! published article whose stored representation is missing, or of an older format,
//! has it made again before folio answers.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use reqwest::StatusCode;
use serde_json::Value;

mod support;

use support::api::Api;
use support::database::TestDatabase;

#[derive(diesel::QueryableByName)]
struct Formats {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    documents: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    formats: i64,
}

/// Runs `sql`, if any, on the database, then counts the stored documents and their formats.
fn documents_after(db: &TestDatabase, sql: Option<&str>) -> (i64, i64) {
    let count = "SELECT count(*) AS documents, count(DISTINCT format) AS formats FROM article_documents";
    let counted: Formats = if db.is_postgres() {
        let mut conn = PgConnection::establish(&db.url).unwrap();
        if let Some(sql) = sql {
            conn.batch_execute(sql).unwrap();
        }
        diesel::sql_query(count).get_result(&mut conn).unwrap()
    } else {
        let mut conn = SqliteConnection::establish(db.url.trim_start_matches("sqlite://")).unwrap();
        if let Some(sql) = sql {
            conn.batch_execute(sql).unwrap();
        }
        diesel::sql_query(count).get_result(&mut conn).unwrap()
    };
    (counted.documents, counted.formats)
}

async fn public_article(api: &Api, id: i64) -> Value {
    let response = reqwest::get(api.server.url(&format!("/api/v1/articles/{id}"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "article {id}");
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn representations_missing_or_of_another_format_are_made_again_at_start() {
    let db = TestDatabase::new();
    let api = Api::start(&db.url, &[]).await;
    let ids = [api.publish("Dry needling").await, api.publish("Shin splints").await, api.publish("Rest").await];
    let mut before = Vec::new();
    for id in ids {
        before.push(public_article(&api, id).await);
    }
    drop(api);

    // What an older folio, or a representation lost, leaves: one missing, one of the
    // format before.
    let broken = format!(
        "DELETE FROM article_documents WHERE article_id = {};
         UPDATE article_documents SET format = format - 1 WHERE article_id = {};",
        ids[0], ids[1]
    );
    assert_eq!(documents_after(&db, Some(&broken)), (2, 2));

    let api = Api::start(&db.url, &[]).await;
    assert_eq!(documents_after(&db, None), (3, 1), "every article's representation, all of one format");
    for (id, before) in ids.into_iter().zip(before) {
        assert_eq!(public_article(&api, id).await, before, "article {id} after the restart");
    }
    // Nothing is missing now: a start that finds as many as it needs leaves them as they are.
    drop(api);
    let api = Api::start(&db.url, &[]).await;
    assert_eq!(documents_after(&db, None), (3, 1));
    assert_eq!(public_article(&api, ids[0]).await["id"], ids[0]);
}
