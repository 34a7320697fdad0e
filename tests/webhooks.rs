//! Webhooks through the real binary and a real HTTP receiver: signed Standard Webhooks
//! deliveries that survive refusals, `kill -9` and a second instance, and scheduled
//! articles announced once.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::SubsecRound;
use reqwest::StatusCode;
use serde_json::{json, Value};

mod support;

use support::api::{env, retries, Api};
use support::database::TestDatabase;
use support::receiver::{expected_signature, Mode, Received, Receiver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_after_refusals_signed_once_each_and_every_attempt_is_logged() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(2)).await;
    let other = Receiver::start(Mode::RefuseFirst(0)).await;
    let vars = retries("1,1,2");
    let api = Api::start(&db.url, &env(&vars)).await;
    let (hook, secret) = api.webhook(&receiver.url(), &["article.published", "section.created"]).await;
    let (_, other_secret) = api.webhook(&other.url(), &["*"]).await;

    let (status, _) = api.post("/api/v1/sections", json!({"name": "Clinic news"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let article = api.publish("Dry needling explained").await;

    // Two refusals each, then a 200: three attempts per event, 1 s and 1 s apart.
    let all = receiver
        .wait_for(30, "both events delivered", |all| all.iter().filter(|r| r.answered == 200).count() == 2)
        .await;
    let mut by_id: HashMap<String, Vec<Received>> = HashMap::new();
    for r in &all {
        by_id.entry(r.id().to_owned()).or_default().push(r.clone());
    }
    assert_eq!(by_id.len(), 2, "two events: {all:#?}");
    for attempts in by_id.values() {
        let answers: Vec<u16> = attempts.iter().map(|r| r.answered).collect();
        assert_eq!(answers, vec![500, 500, 200], "attempts of one event");
        assert!(attempts.iter().all(|r| r.body == attempts[0].body), "every attempt sends the same body");
        for r in attempts {
            assert_eq!(r.headers["webhook-signature"], expected_signature(&secret, r), "signature of {}", r.id());
            let age = chrono::Utc::now().timestamp() - r.headers["webhook-timestamp"].parse::<i64>().unwrap();
            assert!((0..60).contains(&age), "webhook-timestamp is the attempt's time");
        }
    }
    let published = all.iter().map(Received::json).find(|b| b["type"] == "article.published").unwrap();
    assert_eq!(published["data"]["id"], article);
    assert_eq!(published["data"]["slug"], "dry-needling-explained");
    assert_eq!(published["data"]["status"], "published");
    assert_eq!(published["data"]["version"], 1);
    assert!(published["data"]["cache_tags"].as_array().unwrap().contains(&json!(format!("article-{article}"))));
    assert_eq!(
        published["sequence"].to_string(),
        all.iter().find(|r| r.json()["type"] == "article.published").unwrap().id()
    );

    // The log shows each attempt, newest first, once folio has recorded the last one.
    let deadline = Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = api.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
        if log["data"].as_array().unwrap().iter().all(|row| row["delivered_at"].is_string()) {
            break log;
        }
        assert!(Instant::now() < deadline, "the 2xx is recorded: {log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let rows = log["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["type"], "article.published");
    assert_eq!(rows[1]["type"], "section.created");
    for row in rows {
        assert_eq!(row["attempts"], 3, "{row}");
        assert_eq!(row["last_status"], 200);
        assert!(row["delivered_at"].is_string() && row["next_attempt_at"].is_null() && row["last_error"].is_null());
    }

    // The endpoint for `*` got each event once, at the first attempt, signed with its own secret.
    let got = other.wait_for(10, "the * webhook's events", |all| all.len() >= 2).await;
    assert!(got.iter().all(|r| r.headers["webhook-signature"] == expected_signature(&other_secret, r)));

    // Nothing more comes: one 2xx per event and endpoint.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(receiver.all().len(), 6, "no attempt after the 2xx");
    let ids: Vec<String> = other.all().iter().map(|r| r.id().to_owned()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "the * endpoint got each event once");
    assert_eq!(ids.len(), 2, "section.created and article.published: {ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_run_out_after_the_schedule_and_the_log_says_why() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(usize::MAX)).await;
    let vars = retries("1,1,2");
    let api = Api::start(&db.url, &env(&vars)).await;
    let (hook, _) = api.webhook(&receiver.url(), &["article.published"]).await;
    api.publish("Refused everywhere").await;
    receiver.wait_for(20, "four attempts", |all| all.len() >= 4).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(receiver.all().len(), 4, "`1,1,2` is four attempts in all");
    let log = api.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    let row = &log["data"][0];
    assert_eq!(row["attempts"], 4);
    assert_eq!(row["last_status"], 500);
    assert!(row["last_error"].as_str().unwrap().contains("500"), "{row}");
    assert!(row["delivered_at"].is_null() && row["next_attempt_at"].is_null(), "given up: {row}");

    // Redelivery on request sends it again, with the same webhook-id.
    let delivery = row["id"].as_i64().unwrap();
    receiver.set_mode(Mode::RefuseFirst(4));
    let (status, _) = api.post(&format!("/api/v1/webhooks/{hook}/deliveries/{delivery}/redeliver"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let all = receiver.wait_for(10, "the redelivery", |all| all.len() == 5).await;
    assert_eq!(all[4].id(), all[0].id());
    assert_eq!(all[4].answered, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_leased_when_folio_is_killed_are_delivered_after_restart() {
    let db = TestDatabase::new();
    // Accepts the request and never answers: folio holds the lease when it dies.
    let receiver = Receiver::start(Mode::Hang).await;
    let vars = retries("1,1,1,1,1,1,1,1");
    let mut api = Api::start(&db.url, &env(&vars)).await;
    api.webhook(&receiver.url(), &["*"]).await;
    for n in 0..3 {
        api.publish(&format!("Before the crash {n}")).await;
    }
    receiver.wait_for(10, "three sends in flight", |all| all.len() == 3).await;
    api.server.child.kill().unwrap(); // SIGKILL
    api.server.child.wait().unwrap();
    receiver.set_mode(Mode::RefuseFirst(0));

    let api = Api::start(&db.url, &env(&vars)).await;
    // The leases (30 s) expire, then the rows are leased again and sent.
    let all = receiver
        .wait_for(60, "three events after the restart", |all| {
            all.iter().filter(|r| r.answered == 200).map(Received::id).collect::<std::collections::HashSet<_>>().len()
                == 3
        })
        .await;
    let types: Vec<String> = all.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert!(types.iter().all(|t| t == "article.published"), "{types:?}");
    drop(api);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set FOLIO_TEST_POSTGRES and pass --include-ignored (.ci/run does)"]
async fn two_instances_on_postgresql_deliver_each_event_once() {
    let db = TestDatabase::new();
    assert!(db.is_postgres(), "FOLIO_TEST_POSTGRES must name a PostgreSQL server for this test");
    let receiver = Receiver::start(Mode::RefuseFirst(0)).await;
    let first = Api::start(&db.url, &[]).await;
    let second = Api::start(&db.url, &[]).await;
    first.webhook(&receiver.url(), &["article.published"]).await;
    for n in 0..20 {
        let api = if n % 2 == 0 { &first } else { &second };
        api.publish(&format!("Shared {n}")).await;
    }
    receiver.wait_for(30, "20 events", |all| all.len() >= 20).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let all = receiver.all();
    let mut ids: Vec<&str> = all.iter().map(Received::id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    assert_eq!(all.len(), 20, "each event once across both instances");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_article_is_announced_once_when_its_moment_comes() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(0)).await;
    let api = Api::start(&db.url, &[]).await;
    api.webhook(&receiver.url(), &["article.published"]).await;
    // Whole seconds, as the request sends it: the article's moment is this one.
    let moment = (chrono::Utc::now() + chrono::Duration::seconds(3)).trunc_subsecs(0);
    let body = json!({"title": "Later", "body_markdown": "Soon.", "status": "scheduled",
        "published_at": moment.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)});
    let id = api.server.create_article(&api.client, &api.token, &body).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(receiver.all().is_empty(), "nothing before its moment");
    let all = receiver.wait_for(15, "the go-live", |all| !all.is_empty()).await;
    assert!(chrono::Utc::now() >= moment, "announced after its moment");
    assert_eq!(all[0].json()["data"]["id"], id);
    assert_eq!(all[0].json()["type"], "article.published");

    // A restart looks back for missed moments, and finds this one announced already.
    drop(api);
    let api = Api::start(&db.url, &[]).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(receiver.all().len(), 1, "announced exactly once");
    drop(api);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_events_payload_names_its_locale() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(0)).await;
    let api = Api::start(&db.url, &[("FOLIO_LOCALES", "en,fr")]).await;
    api.webhook(&receiver.url(), &["article.published"]).await;
    let english = api.publish("Dry needling").await;
    let body = json!({"title": "Aiguilles sèches", "body_markdown": "Texte.", "status": "published",
        "translation_of": english, "locale": "FR"});
    let french = api.server.create_article(&api.client, &api.token, &body).await;

    let all = receiver.wait_for(15, "both go-lives", |all| all.len() >= 2).await;
    let locales: HashMap<i64, Value> = all
        .iter()
        .map(|r| r.json()["data"].clone())
        .map(|data| (data["id"].as_i64().unwrap(), data["locale"].clone()))
        .collect();
    assert_eq!(locales, HashMap::from([(english, json!("en")), (french, json!("fr"))]), "canonical tags");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_managed_with_a_secret_shown_once_rotated_and_pinged() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(0)).await;
    let api = Api::start(&db.url, &[]).await;
    let (id, secret) = api.webhook(&receiver.url(), &["tag.created"]).await;
    assert_eq!(STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap().len(), 32);
    let read = api.get(&format!("/api/v1/webhooks/{id}")).await;
    assert!(read.get("secret").is_none(), "the secret is shown once: {read}");
    assert_eq!(read["events"], json!(["tag.created"]));
    assert_eq!(api.get("/api/v1/webhooks").await["data"].as_array().unwrap().len(), 1);

    for bad in [
        json!({"url": "ftp://example.com/", "events": ["*"]}),
        json!({"url": receiver.url(), "events": ["article.exploded"]}),
        json!({"url": receiver.url(), "events": []}),
    ] {
        let (status, body) = api.post("/api/v1/webhooks", bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }

    let (status, rotated) = api.post(&format!("/api/v1/webhooks/{id}/rotate-secret"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let (status, queued) = api.post(&format!("/api/v1/webhooks/{id}/test"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let all = receiver.wait_for(10, "the ping", |all| !all.is_empty()).await;
    assert_eq!(all[0].json()["type"], "ping");
    assert_eq!(all[0].id(), queued["event_id"].to_string());
    assert_eq!(all[0].headers["webhook-signature"], expected_signature(&new_secret, &all[0]));

    let (status, patched) =
        api.send(reqwest::Method::PATCH, &format!("/api/v1/webhooks/{id}"), Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["active"], false);
    let (status, _) = api.send(reqwest::Method::DELETE, &format!("/api/v1/webhooks/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.send(reqwest::Method::GET, &format!("/api/v1/webhooks/{id}/deliveries"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let audit = api.get("/api/v1/audit?resource=webhook").await;
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.len(), 4, "create, rotate, change and delete are audited: {audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_internal_addresses_when_saved_and_when_sent() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(0)).await;
    let production = [("FOLIO_ENV", "production")];
    let api = Api::start(&db.url, &production).await;
    for url in
        [receiver.url(), "http://169.254.169.254/latest".into(), "http://[::1]:9/".into(), "http://localhost:9/".into()]
    {
        let (status, body) = api.post("/api/v1/webhooks", json!({"url": url, "events": ["*"]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert_eq!(body["errors"][0]["field"], "/url", "{body}");
    }
    drop(api);

    // Allowed, a webhook to loopback is saved; once the setting is gone, it is not sent.
    let allowed = [("FOLIO_ENV", "production"), ("FOLIO_WEBHOOK_ALLOW_PRIVATE", "true")];
    let api = Api::start(&db.url, &allowed).await;
    let (hook, _) = api.webhook(&receiver.url(), &["*"]).await;
    drop(api);
    let api = Api::start(&db.url, &production).await;
    let (status, _) = api.post(&format!("/api/v1/webhooks/{hook}/test"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let deadline = Instant::now() + Duration::from_secs(10);
    let row = loop {
        let log = api.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
        if log["data"][0]["attempts"].as_i64().unwrap_or(0) > 0 {
            break log["data"][0].clone();
        }
        assert!(Instant::now() < deadline, "no attempt recorded");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(row["last_error"].as_str().unwrap().contains("refused"), "{row}");
    assert!(receiver.all().is_empty(), "nothing reached the loopback receiver");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_change_the_public_can_see_is_one_event_and_a_refused_write_is_none() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(0)).await;
    let api = Api::start(&db.url, &[]).await;
    api.webhook(&receiver.url(), &["*"]).await;
    let patch = |path: String, body: Value| {
        let api = &api;
        async move {
            let (status, answer) = api.send(reqwest::Method::PATCH, &path, Some(body)).await;
            assert_eq!(status, StatusCode::OK, "PATCH {path}: {answer}");
            answer
        }
    };

    let (_, section) = api.post("/api/v1/sections", json!({"name": "News"})).await;
    let section = section["id"].as_i64().unwrap();
    patch(format!("/api/v1/sections/{section}"), json!({"name": "Clinic news"})).await;
    let draft = json!({"title": "Knee pain", "body_markdown": "Body.", "section": "news", "tags": ["Knees"]});
    let article = api.server.create_article(&api.client, &api.token, &draft).await;
    let path = format!("/api/v1/articles/{article}");
    patch(path.clone(), json!({"status": "published", "version": 1})).await;
    patch(path.clone(), json!({"title": "Knee pain, explained", "version": 2})).await;
    patch(path.clone(), json!({"status": "draft", "version": 3})).await;
    patch(path.clone(), json!({"title": "Knee pain (draft)", "version": 4})).await;
    let taken = json!({"title": "Another", "slug": "knee-pain", "body_markdown": "x", "status": "published"});
    let refused = api.server.post_article(&api.client, &api.token, &taken).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT, "a refused write");
    let etag = api.client.get(api.server.url(&path)).bearer_auth(&api.token).send().await.unwrap();
    let etag = etag.headers()["etag"].to_str().unwrap().to_owned();
    let deleted =
        api.client.delete(api.server.url(&path)).bearer_auth(&api.token).header("If-Match", etag).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let tag = api.get("/api/v1/tags").await["data"][0]["id"].as_i64().unwrap();
    patch(format!("/api/v1/tags/{tag}"), json!({"name": "Knee"})).await;
    for gone in [format!("/api/v1/tags/{tag}"), format!("/api/v1/sections/{section}")] {
        let (status, _) = api.send(reqwest::Method::DELETE, &gone, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "DELETE {gone}");
    }

    let expected = [
        "section.created",
        "section.updated",
        "tag.created",
        "article.published",
        "article.updated",
        "article.unpublished",
        "article.deleted",
        "tag.updated",
        "tag.deleted",
        "section.deleted",
    ];
    receiver.wait_for(15, "every event", |all| all.len() >= expected.len()).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut events: Vec<Value> = receiver.all().iter().map(Received::json).collect();
    events.sort_by_key(|e| e["sequence"].as_i64().unwrap());
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, expected);
    let published = &events[3]["data"];
    assert_eq!(published["section"], json!({"id": section, "slug": "news"}));
    assert_eq!(published["tags"], json!([{"id": tag, "slug": "knees"}]));
    assert_eq!(
        published["cache_tags"],
        json!([format!("article-{article}"), format!("section-{section}"), format!("tag-{tag}"), "articles"])
    );
    assert_eq!(events[5]["data"]["status"], "draft");
    assert_eq!(events[6]["data"]["version"], 5, "deleted: the article as it was");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_gets_the_events_from_after_it_was_made_while_it_is_active() {
    let db = TestDatabase::new();
    let (early, late) = (Receiver::start(Mode::RefuseFirst(0)).await, Receiver::start(Mode::RefuseFirst(0)).await);
    let api = Api::start(&db.url, &[]).await;
    api.webhook(&early.url(), &["*"]).await;

    // Made right after the first publish, before a worker sends its event: not for it.
    let first = api.publish("Before the second webhook").await;
    let (late_hook, _) = api.webhook(&late.url(), &["*"]).await;
    let second = api.publish("After the second webhook").await;
    early.wait_for(10, "both events at the first webhook", |all| all.len() >= 2).await;
    late.wait_for(10, "the second event at the second webhook", |all| !all.is_empty()).await;

    // Inactive when its event is sent: never sent to it, also once active again.
    let path = format!("/api/v1/webhooks/{late_hook}");
    let (status, _) = api.send(reqwest::Method::PATCH, &path, Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::OK);
    let third = api.publish("While the second webhook is off").await;
    early.wait_for(10, "the third event at the first webhook", |all| all.len() >= 3).await;
    let (status, _) = api.send(reqwest::Method::PATCH, &path, Some(json!({"active": true}))).await;
    assert_eq!(status, StatusCode::OK);
    let fourth = api.publish("With the second webhook on again").await;
    early.wait_for(10, "the fourth event at the first webhook", |all| all.len() >= 4).await;
    late.wait_for(10, "the fourth event at the second webhook", |all| all.len() >= 2).await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    let articles = |receiver: &Receiver| -> Vec<i64> {
        let mut ids: Vec<i64> = receiver.all().iter().map(|r| r.json()["data"]["id"].as_i64().unwrap()).collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(articles(&early), vec![first, second, third, fourth]);
    assert_eq!(articles(&late), vec![second, fourth]);
    let log = api.get(&format!("{path}/deliveries")).await;
    assert_eq!(log["meta"]["total"], 2, "the log lists what was sent: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inactive_webhooks_retries_wait_until_it_is_active_again() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(1)).await;
    let vars = retries("3,1");
    let api = Api::start(&db.url, &env(&vars)).await;
    let (hook, _) = api.webhook(&receiver.url(), &["*"]).await;
    api.publish("Refused once").await;
    receiver.wait_for(10, "the refused first attempt", |all| !all.is_empty()).await;
    let path = format!("/api/v1/webhooks/{hook}");
    let (status, _) = api.send(reqwest::Method::PATCH, &path, Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::OK);

    // The retry fell due 3 s after the refusal; inactive, the webhook is sent nothing,
    // also while another webhook's sends go on.
    let other = Receiver::start(Mode::RefuseFirst(0)).await;
    api.webhook(&other.url(), &["*"]).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    api.publish("Sent to the other webhook").await;
    other.wait_for(10, "the other webhook's event", |all| !all.is_empty()).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(receiver.all().len(), 1, "no retry while inactive");
    // A test ping goes to an inactive webhook all the same.
    let (status, _) = api.post(&format!("{path}/test"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let pinged = receiver.wait_for(10, "the ping", |all| all.len() == 2).await;
    assert_eq!(pinged[1].json()["type"], "ping");

    let (status, _) = api.send(reqwest::Method::PATCH, &path, Some(json!({"active": true}))).await;
    assert_eq!(status, StatusCode::OK);
    let all = receiver.wait_for(10, "the retry once active", |all| all.len() == 3).await;
    assert_eq!(all[2].json()["type"], "article.published");
    assert_eq!(all.iter().map(|r| r.answered).collect::<Vec<_>>(), vec![500, 500, 200], "the ping refused once too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_deleted_while_it_is_sent_to_leaves_the_others_deliveries_recorded() {
    let db = TestDatabase::new();
    let slow = Duration::from_millis(1500);
    let (doomed, kept) = (Receiver::start(Mode::Slow(slow)).await, Receiver::start(Mode::Slow(slow)).await);
    let api = Api::start(&db.url, &[]).await;
    let (doomed_hook, _) = api.webhook(&doomed.url(), &["article.published"]).await;
    let (kept_hook, _) = api.webhook(&kept.url(), &["article.published"]).await;
    let first = api.publish("Sent to both").await;
    doomed.wait_for(10, "the send to the webhook to delete", |all| !all.is_empty()).await;
    kept.wait_for(10, "the send to the webhook kept", |all| !all.is_empty()).await;

    // Deleted while both sends wait for their answers: both attempts finish after it,
    // and are recorded together (one transaction), the deleted webhook's left out.
    let (status, _) = api.send(reqwest::Method::DELETE, &format!("/api/v1/webhooks/{doomed_hook}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let log_path = format!("/api/v1/webhooks/{kept_hook}/deliveries");
    let deadline = Instant::now() + Duration::from_secs(8);
    let log = loop {
        let log = api.get(&log_path).await;
        if log["meta"]["total"] == 1 || Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(log["meta"]["total"], 1, "the kept webhook's attempt is recorded at once: {log}");
    let delivery = &log["data"][0];
    assert_eq!(delivery["event_id"].as_i64(), kept.all()[0].id().parse().ok());
    assert_eq!((delivery["attempts"].as_i64(), delivery["last_status"].as_i64()), (Some(1), Some(200)), "{log}");

    let second = api.publish("Sent to the kept webhook only").await;
    kept.wait_for(10, "the second event", |all| all.len() >= 2).await;
    tokio::time::sleep(slow + Duration::from_secs(1)).await;
    let ids: Vec<i64> = kept.all().iter().map(|r| r.json()["data"]["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![first, second], "each event once");
    assert_eq!(doomed.all().len(), 1, "nothing more to the deleted webhook");
}

/// The `Surrogate-Key` and `Cache-Tag` of a public GET of `path`, as sets, after checking
/// that both name the same tags.
async fn cdn_tags(api: &Api, path: &str) -> std::collections::BTreeSet<String> {
    let response = api.client.get(api.server.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let space: std::collections::BTreeSet<String> = header("surrogate-key").split(' ').map(str::to_owned).collect();
    let comma: std::collections::BTreeSet<String> = header("cache-tag").split(',').map(str::to_owned).collect();
    assert_eq!(space, comma, "{path}: Surrogate-Key and Cache-Tag name the same");
    space
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_reads_name_the_cache_tags_that_webhook_payloads_purge() {
    let db = TestDatabase::new();
    let receiver = Receiver::start(Mode::RefuseFirst(0)).await;
    let api = Api::start(&db.url, &[]).await;
    api.webhook(&receiver.url(), &["*"]).await;
    let (_, section) = api.post("/api/v1/sections", json!({"name": "Clinic news"})).await;
    let body = json!({"title": "Dry needling", "body_markdown": "Body.", "status": "published",
        "section": "clinic-news", "tags": ["Sports injuries", "Rehab"]});
    let (status, article) = api.post("/api/v1/articles", body).await;
    assert_eq!(status, StatusCode::CREATED, "{article}");
    let id = article["id"].as_i64().unwrap();
    let tag_ids: Vec<i64> = article["tags"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();

    let mut read: Vec<String> = vec![format!("article-{id}"), format!("section-{}", section["id"])];
    read.extend(tag_ids.iter().map(|t| format!("tag-{t}")));
    let read: std::collections::BTreeSet<String> = read.into_iter().collect();
    assert_eq!(cdn_tags(&api, &format!("/api/v1/articles/{id}")).await, read);
    assert_eq!(cdn_tags(&api, "/api/v1/articles/slug/dry-needling").await, read);
    assert_eq!(cdn_tags(&api, "/api/v1/articles/slug/dry-needling?fields=title").await, read);
    for list in [
        "/api/v1/articles",
        "/api/v1/articles?section=clinic-news",
        "/api/v1/feeds/articles.rss",
        "/api/v1/sitemap.xml",
    ] {
        assert_eq!(cdn_tags(&api, list).await, ["articles".to_owned()].into(), "{list}");
    }
    let section_id = section["id"].as_i64().unwrap();
    assert_eq!(
        cdn_tags(&api, &format!("/api/v1/sections/{section_id}")).await,
        [format!("section-{section_id}")].into()
    );
    assert_eq!(cdn_tags(&api, "/api/v1/sections").await, ["sections".to_owned()].into());
    assert_eq!(cdn_tags(&api, &format!("/api/v1/tags/{}", tag_ids[0])).await, [format!("tag-{}", tag_ids[0])].into());
    assert_eq!(cdn_tags(&api, "/api/v1/tags").await, ["tags".to_owned()].into());

    // The article's event purges every one of its reads' tags, and the lists.
    let all = receiver
        .wait_for(30, "the article's event", |all| all.iter().any(|r| r.json()["type"] == "article.published"))
        .await;
    let event = all.iter().map(Received::json).find(|b| b["type"] == "article.published").unwrap();
    let purged: std::collections::BTreeSet<String> =
        event["data"]["cache_tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
    assert!(purged.is_superset(&read), "{purged:?} purges {read:?}");
    assert!(purged.contains("articles"));
    let (_, renamed) = api
        .send(reqwest::Method::PATCH, &format!("/api/v1/sections/{section_id}"), Some(json!({"name": "News"})))
        .await;
    assert_eq!(renamed["name"], "News");
    let all = receiver
        .wait_for(30, "the section's event", |all| all.iter().any(|r| r.json()["type"] == "section.updated"))
        .await;
    let event = all.iter().map(Received::json).find(|b| b["type"] == "section.updated").unwrap();
    assert!(event["data"]["cache_tags"].as_array().unwrap().contains(&json!(format!("section-{section_id}"))));
}
