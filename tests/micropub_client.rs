//! Real Micropub clients against the real binary: the `micropub` and `entries`
//! packages from PyPI create, read, update and delete a post through folio's endpoint
//! (tests/micropub_client/publish.py), with an API key pasted as a writing app's token.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;

use support::api::Api;
use support::database::TestDatabase;

#[tokio::test]
#[ignore = "needs the Python Micropub clients: set FOLIO_TEST_MICROPUB_PYTHON to the python .ci/micropub-client prints"]
async fn python_micropub_clients_create_read_update_and_delete_a_post() {
    let python = std::env::var("FOLIO_TEST_MICROPUB_PYTHON")
        .unwrap_or_else(|_| panic!("set FOLIO_TEST_MICROPUB_PYTHON: .ci/micropub-client DIR prints it"));
    let database = TestDatabase::new();
    let api = Api::start(&database.url, &[]).await;
    let (status, key) = api.post("/api/v1/api-keys", json!({"name": "entries", "scopes": ["content:write"]})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (endpoint, key) = (api.server.url("/api/v1/micropub"), key["key"].as_str().unwrap().to_owned());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/micropub_client/publish.py");
    let run = tokio::task::spawn_blocking(move || Command::new(python).arg(script).arg(endpoint).arg(key).output());
    let output = run.await.unwrap().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the clients failed:\n{stdout}\n{stderr}");
    // What the clients did is there for the API too: the deleted post archived at version 3.
    let article = api.get("/api/v1/articles/slug/from-the-terminal").await;
    assert_eq!((article["status"].as_str(), article["version"].as_i64()), (Some("archived"), Some(3)), "{article}");
    assert_eq!(article["title"], "From the terminal, edited");
}
