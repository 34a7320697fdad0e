//! PostgreSQL's search vectors through the real binary: a create has its body's vector
//! made ahead of its write, the write's trigger takes it, and every stored vector is
//! the one the articles' text gives, whichever write made it (made ahead, made by the
//! trigger, or left alone by an update that changed no text).
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{json, Value};

mod support;

use support::api::Api;
use support::database::{TestDatabase, POSTGRES_VAR};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(db: &TestDatabase, sql: &str) -> i64 {
    let mut conn = PgConnection::establish(&db.url).unwrap();
    diesel::sql_query(sql).get_result::<Count>(&mut conn).unwrap().n
}

/// Articles whose stored vectors differ from those their text gives now.
fn wrong_vectors(db: &TestDatabase) -> i64 {
    count(
        db,
        "SELECT count(*) AS n FROM articles
         WHERE search IS DISTINCT FROM
                   setweight(to_tsvector(folio_search_config(locale), title), 'A')
                   || setweight(to_tsvector(folio_search_config(locale), excerpt), 'B')
                   || setweight(to_tsvector(folio_search_config(locale), body_text), 'C')
            OR search_head IS DISTINCT FROM
                   setweight(to_tsvector(folio_search_config(locale), title), 'A')
                   || setweight(to_tsvector(folio_search_config(locale), excerpt), 'B')",
    )
}

fn waiting_vectors(db: &TestDatabase) -> i64 {
    count(db, "SELECT count(*) AS n FROM body_vectors")
}

/// The ids a search lists; `query` is `q=…` and any other parameters.
async fn found(api: &Api, query: &str) -> Vec<i64> {
    let page = api.get(&format!("/api/v1/articles?{query}")).await;
    page["data"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

async fn create(api: &Api, body: Value) -> (StatusCode, Value) {
    api.post("/api/v1/articles", body).await
}

async fn patch(api: &Api, id: i64, body: Value) -> (StatusCode, Value) {
    api.send(reqwest::Method::PATCH, &format!("/api/v1/articles/{id}"), Some(body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn every_write_leaves_the_vectors_its_text_gives() {
    let server = std::env::var(POSTGRES_VAR).unwrap_or_default();
    assert!(!server.is_empty(), "{POSTGRES_VAR} must name a PostgreSQL server for this test");
    let db = TestDatabase::postgres(&server);
    let api = Api::start(&db.url, &[("FOLIO_LOCALES", "en,fr")]).await;
    let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed-article.md")).unwrap();

    let (status, needling) = create(
        &api,
        json!({"title": "Dry needling", "slug": "dry-needling", "body_markdown": seed, "status": "published"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{needling}");
    let (status, french) = create(
        &api,
        json!({"title": "Les coureurs", "locale": "fr", "status": "published",
               "body_markdown": "Les coureurs courent vite dans les montagnes enneigées."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{french}");
    assert_eq!(waiting_vectors(&db), 0, "each create took the vector made ahead of it");

    // A create refused in its write leaves the vector made for it; the next create of
    // that body takes it.
    let taken = json!({"title": "Again", "slug": "dry-needling", "body_markdown": "Quokkas hop.", "status": "draft"});
    let (status, problem) = create(&api, taken).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(waiting_vectors(&db), 1, "the refused create's vector was made ahead");
    let (status, quokkas) =
        create(&api, json!({"title": "Quokkas", "body_markdown": "Quokkas hop.", "status": "published"})).await;
    assert_eq!(status, StatusCode::CREATED, "{quokkas}");
    assert_eq!(waiting_vectors(&db), 0);

    // Updates: the title alone, then the body (whose vector the trigger makes), then the status.
    let id = quokkas["id"].as_i64().unwrap();
    let (status, renamed) = patch(&api, id, json!({"title": "Wallabies", "version": 1})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(found(&api, "q=wallabies").await, [id]);
    assert_eq!(found(&api, "q=quokkas").await, [id], "the body still says quokkas");
    let (status, rewritten) = patch(&api, id, json!({"body_markdown": "Numbats dig.", "version": 2})).await;
    assert_eq!(status, StatusCode::OK, "{rewritten}");
    assert_eq!(found(&api, "q=numbats").await, [id]);
    assert!(found(&api, "q=quokkas").await.is_empty(), "the old body is no longer matched");
    // An update that changes no text keeps the vectors as they are.
    let (status, archived) = patch(&api, id, json!({"status": "archived", "version": 3})).await;
    assert_eq!(status, StatusCode::OK, "{archived}");

    // The seed article is found by its words, the French one by a stem of its language.
    assert_eq!(found(&api, "q=needling").await, [needling["id"].as_i64().unwrap()]);
    assert_eq!(found(&api, "q=coureurs&locale=fr").await, [french["id"].as_i64().unwrap()]);
    assert_eq!(wrong_vectors(&db), 0, "every article's vectors are those its text gives");
    assert_eq!(count(&db, "SELECT count(*) AS n FROM articles"), 3);
}
