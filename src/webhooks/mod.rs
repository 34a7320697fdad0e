//! Sending webhooks: the delivery workers and the scheduled-publication ticker that
//! every folio process runs beside its HTTP server.
//!
//! Events and deliveries are rows ([`crate::store::outbox`]); a worker leases the due
//! ones ([`deliveries::lease`]), sends each with at most [`CONCURRENCY`] in flight and a
//! [`TIMEOUT`], signs it the Standard Webhooks way, and records the attempt. A process
//! killed mid-send leaves leases that expire, and the rows are sent again: at least
//! once, with the same `webhook-id`.

pub mod guard;
pub mod sign;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Data;
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use tokio::sync::{mpsc, Semaphore};

use crate::api::state::AppState;
use crate::config::WebhookSettings;
use crate::db::schema::{articles, webhook_deliveries};
use crate::store::deliveries::{self, Attempt, Due};
use crate::store::{now, outbox, write_tx, StoreResult};

/// Deliveries in flight per process.
pub const CONCURRENCY: usize = 8;
/// How long an endpoint has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries leased in one transaction: each lease takes the write lock (and, on
/// SQLite, a flush to disk) that publishes need too, so fewer, larger leases leave
/// them more of it. Bounded by the lease: sent [`CONCURRENCY`] at a time, a batch is
/// done within two [`TIMEOUT`]s (20 s), well inside [`deliveries::LEASE`] (30 s).
const LEASE_BATCH: usize = CONCURRENCY + CONCURRENCY / 2;
/// Events fanned out in one transaction, at most.
const FAN_OUT_BATCH: i64 = 256;
/// How often an idle worker looks for due deliveries.
const POLL: Duration = Duration::from_millis(250);
/// How often the ticker looks for scheduled articles whose moment came.
const TICK: Duration = Duration::from_secs(2);
/// How far back a starting process looks for scheduled articles that went live while
/// no process ran (never before the webhooks migration, so that articles published
/// before it are not announced).
const CATCH_UP: chrono::Duration = chrono::Duration::days(7);
/// The version of the migration that made the outbox.
const OUTBOX_MIGRATION: &str = "20261130000020";

/// The body every attempt of a delivery sends: the same bytes each time.
pub fn body(due: &Due) -> String {
    let data: Value = serde_json::from_str(&due.payload).unwrap_or(Value::Null);
    json!({
        "type": due.kind,
        "timestamp": due.created_at.and_utc(),
        "sequence": due.event_id,
        "data": data,
    })
    .to_string()
}

/// Attempts recorded in one transaction, at most.
const RECORD_BATCH: usize = 256;

struct Worker {
    state: Data<AppState>,
    client: reqwest::Client,
    retries: Vec<u64>,
    allow_private: bool,
    /// Finished attempts, to the recorder.
    finished: mpsc::UnboundedSender<(i64, Attempt)>,
}

/// Starts the delivery worker and the ticker on the current runtime.
pub fn start(state: Data<AppState>, settings: &WebhookSettings) -> anyhow::Result<()> {
    let mut client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("folio-webhooks/", env!("CARGO_PKG_VERSION")));
    if !settings.allow_private {
        client = client.dns_resolver(Arc::new(guard::PublicOnly));
    }
    let (finished, attempts) = mpsc::unbounded_channel();
    let worker = Arc::new(Worker {
        state,
        client: client.build()?,
        retries: settings.retries.clone(),
        allow_private: settings.allow_private,
        finished,
    });
    tokio::spawn(worker.clone().record_forever(attempts));
    tokio::spawn(worker.clone().deliver_forever());
    tokio::spawn(worker.tick_forever());
    Ok(())
}

impl Worker {
    async fn deliver_forever(self: Arc<Self>) {
        let permits = Arc::new(Semaphore::new(CONCURRENCY));
        loop {
            let free = permits.available_permits();
            if free < CONCURRENCY / 2 {
                // Wait for sends to finish, then lease several at once.
                drop(permits.clone().acquire_owned().await);
                continue;
            }
            let leased = match self.due_now().await {
                Ok(true) => self.lease(LEASE_BATCH).await,
                Ok(false) => Ok(Vec::new()),
                Err(err) => Err(err),
            };
            let leased = match leased {
                Ok(leased) => leased,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot lease webhook deliveries");
                    Vec::new()
                }
            };
            // Fewer than wanted: the queue is drained. Waiting a poll before the next
            // lease gathers the events of that time into one lease transaction.
            let drained = leased.len() < LEASE_BATCH;
            for due in leased {
                let Ok(permit) = permits.clone().acquire_owned().await else { return };
                let worker = self.clone();
                tokio::spawn(async move {
                    worker.deliver(due).await;
                    drop(permit);
                });
            }
            if drained {
                tokio::time::sleep(POLL).await;
            }
        }
    }

    /// Whether any event waits for its fan-out or any delivery is due: a read, so an
    /// idle process does not take the write lock.
    async fn due_now(&self) -> Result<bool, crate::api::error::ApiError> {
        let now = now();
        self.state
            .read(move |conn| {
                if outbox::undispatched(conn)? {
                    return Ok(true);
                }
                let due: i64 = webhook_deliveries::table
                    .filter(webhook_deliveries::delivered_at.is_null())
                    .filter(webhook_deliveries::next_attempt_at.le(now))
                    .filter(webhook_deliveries::leased_until.is_null().or(webhook_deliveries::leased_until.lt(now)))
                    .count()
                    .get_result(conn)?;
                Ok(due > 0)
            })
            .await
    }

    /// Fans out the events that wait for it, then leases up to `limit` due deliveries:
    /// one write transaction for both.
    async fn lease(&self, limit: usize) -> Result<Vec<Due>, crate::api::error::ApiError> {
        let limit = i64::try_from(limit).unwrap_or(1);
        self.state
            .write(move |conn| {
                write_tx(conn, |conn| {
                    let now = now();
                    outbox::fan_out(conn, now, FAN_OUT_BATCH)?;
                    deliveries::lease(conn, now, limit)
                })
            })
            .await
    }

    async fn deliver(&self, due: Due) {
        let attempt = self.send(&due).await;
        // The recorder has gone only when the process is stopping; the lease then expires.
        let _ = self.finished.send((due.id, attempt));
    }

    /// Records finished attempts, all that are waiting in one transaction: a busy
    /// process flushes the disk once per batch rather than once per attempt.
    async fn record_forever(self: Arc<Self>, mut attempts: mpsc::UnboundedReceiver<(i64, Attempt)>) {
        while let Some(first) = attempts.recv().await {
            let mut batch = vec![first];
            while batch.len() < RECORD_BATCH {
                match attempts.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            let retries = self.retries.clone();
            let count = batch.len();
            if let Err(err) = self.state.write(move |conn| deliveries::record(conn, &batch, &retries, now())).await {
                // Their leases expire and the deliveries are sent again.
                tracing::warn!(attempts = count, error = %err, "cannot record webhook attempts");
            }
        }
    }

    async fn send(&self, due: &Due) -> Attempt {
        let failed = |error: String| Attempt { status: None, error: Some(error) };
        let url = match guard::parse(&due.url) {
            Ok(url) => url,
            Err(why) => return failed(format!("the URL {why}")),
        };
        if !self.allow_private {
            // The resolver refuses internal names; an address written as such is not resolved.
            if let Err(why) = guard::check_public(&url).await {
                return failed(format!("refused: the URL {why}"));
            }
        }
        let id = due.event_id.to_string();
        let timestamp = Utc::now().timestamp();
        let body = body(due);
        let Some(signature) = sign::signature(&due.secret, &id, timestamp, &body) else {
            return failed("the webhook's secret is not a whsec_ secret".into());
        };
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                let error = (!status.is_success()).then(|| format!("the endpoint answered {status}"));
                Attempt { status: Some(status.as_u16()), error }
            }
            Err(err) if err.is_timeout() => failed(format!("no answer within {} s", TIMEOUT.as_secs())),
            Err(err) => failed(describe(&err)),
        }
    }

    async fn tick_forever(self: Arc<Self>) {
        let mut since: Option<NaiveDateTime> = None;
        loop {
            let until = now();
            let from = match since {
                Some(since) => Ok(since),
                None => self.catch_up_from(until).await,
            };
            let ticked = match from {
                Ok(from) => self.tick(from, until).await.map(|()| until),
                Err(err) => Err(err),
            };
            match ticked {
                Ok(until) => since = Some(until),
                Err(err) => tracing::warn!(error = %err, "cannot announce scheduled articles"),
            }
            tokio::time::sleep(TICK).await;
        }
    }

    /// Announces the articles whose scheduled moment lies in `(from, until]`.
    async fn tick(&self, from: NaiveDateTime, until: NaiveDateTime) -> Result<(), crate::api::error::ApiError> {
        let any: bool = self
            .state
            .read(move |conn| {
                let n: i64 = articles::table
                    .filter(articles::status.eq("published"))
                    .filter(articles::published_at.gt(from))
                    .filter(articles::published_at.le(until))
                    .count()
                    .get_result(conn)?;
                Ok(n > 0)
            })
            .await?;
        if any {
            let emitted = self.state.write(move |conn| outbox::publish_due(conn, from, until)).await?;
            if emitted > 0 {
                self.state.cache.invalidate();
            }
        }
        Ok(())
    }

    /// Where a starting process looks back from (see [`CATCH_UP`]).
    async fn catch_up_from(&self, now: NaiveDateTime) -> Result<NaiveDateTime, crate::api::error::ApiError> {
        let migrated = self.state.read(migrated_at).await?;
        Ok(migrated.map_or(now, |at| at.max(now - CATCH_UP)))
    }
}

diesel::table! {
    __diesel_schema_migrations (version) {
        version -> Text,
        run_on -> Timestamp,
    }
}

/// When the outbox's migration ran on this database.
fn migrated_at(conn: &mut crate::db::Conn) -> StoreResult<Option<NaiveDateTime>> {
    Ok(__diesel_schema_migrations::table
        .filter(__diesel_schema_migrations::version.eq(OUTBOX_MIGRATION))
        .select(__diesel_schema_migrations::run_on)
        .first(conn)
        .optional()?)
}

/// An error of reqwest, with its causes: "error sending request" alone says nothing.
fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
