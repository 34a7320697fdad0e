//! Sending webhooks: the delivery workers and the scheduled-publication ticker that
//! every folio process runs beside its HTTP server.
//!
//! Events are rows written with the change that causes them ([`crate::store::outbox`]).
//! Each process runs one dispatcher, which in one write transaction per cycle records
//! the attempts that finished, renews the leases of the deliveries it still holds, fans
//! out new events into deliveries and leases the due ones ([`deliveries::lease`]). Its
//! senders send them with at most [`CONCURRENCY`] in flight and a [`TIMEOUT`], signed
//! the Standard Webhooks way. A process killed mid-send leaves leases that expire, and
//! the rows are sent again: at least once, with the same `webhook-id`.
//!
//! Cycles are at least [`CYCLE`] apart while there is work: every write transaction
//! waits for the write lock that changes need too (and, on SQLite, flushes the disk),
//! so a few large ones cost changes far less than many small ones.

pub mod guard;
pub mod sign;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Data;
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use tokio::sync::{mpsc, Semaphore};
use tokio::time::Instant;

use crate::api::error::ApiError;
use crate::api::state::AppState;
use crate::config::WebhookSettings;
use crate::db::schema::{articles, webhook_deliveries};
use crate::store::deliveries::{self, Attempt, Due};
use crate::store::{now, outbox, write_tx, StoreResult};

/// Deliveries in flight per process.
pub const CONCURRENCY: usize = 16;
/// How long an endpoint has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries a process holds at most: leased, and waiting to be sent or being sent.
/// Their leases are renewed while they wait, however long the endpoints take.
const HELD: usize = 1024;
/// Events fanned out in one transaction, at most.
const FAN_OUT_BATCH: i64 = 256;
/// The shortest time between two cycles while there is work.
const CYCLE: Duration = Duration::from_millis(100);
/// How often an idle dispatcher looks for new events and due deliveries.
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

struct Worker {
    state: Data<AppState>,
    client: reqwest::Client,
    retries: Vec<u64>,
    allow_private: bool,
}

/// Starts the dispatcher, its senders and the ticker on the current runtime.
pub fn start(state: Data<AppState>, settings: &WebhookSettings) -> anyhow::Result<()> {
    let mut client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("folio-webhooks/", env!("CARGO_PKG_VERSION")));
    if !settings.allow_private {
        client = client.dns_resolver(Arc::new(guard::PublicOnly));
    }
    let worker = Arc::new(Worker {
        state,
        client: client.build()?,
        retries: settings.retries.clone(),
        allow_private: settings.allow_private,
    });
    let (leased, to_send) = mpsc::channel(HELD);
    let (finished, attempts) = mpsc::unbounded_channel();
    tokio::spawn(worker.clone().send_forever(to_send, finished));
    tokio::spawn(worker.clone().dispatch_forever(leased, attempts));
    tokio::spawn(worker.tick_forever());
    Ok(())
}

/// What one dispatcher cycle writes and gets.
struct Cycle {
    finished: Vec<(i64, Attempt)>,
    renew: Vec<i64>,
    /// How many due deliveries to lease (fanning out new events first), if any.
    room: usize,
}

impl Worker {
    /// Sends what the dispatcher leased, [`CONCURRENCY`] at a time, and hands each
    /// attempt back to it.
    async fn send_forever(
        self: Arc<Self>,
        mut leased: mpsc::Receiver<Due>,
        finished: mpsc::UnboundedSender<(i64, Attempt)>,
    ) {
        let permits = Arc::new(Semaphore::new(CONCURRENCY));
        while let Some(due) = leased.recv().await {
            let Ok(permit) = permits.clone().acquire_owned().await else { return };
            let (worker, finished) = (self.clone(), finished.clone());
            tokio::spawn(async move {
                let attempt = worker.send(&due).await;
                // The dispatcher has gone only when the process is stopping; the lease then expires.
                let _ = finished.send((due.id, attempt));
                drop(permit);
            });
        }
    }

    async fn dispatch_forever(
        self: Arc<Self>,
        leased: mpsc::Sender<Due>,
        mut attempts: mpsc::UnboundedReceiver<(i64, Attempt)>,
    ) {
        // What this process holds, and until when its lease runs.
        let mut held: HashMap<i64, NaiveDateTime> = HashMap::new();
        let mut finished = Vec::new();
        loop {
            let started = Instant::now();
            while let Ok(attempt) = attempts.try_recv() {
                finished.push(attempt);
            }
            for (id, _) in &finished {
                held.remove(id);
            }
            let now = now();
            let renew: Vec<i64> =
                held.iter().filter(|(_, until)| **until - now < deliveries::LEASE / 2).map(|(id, _)| *id).collect();
            let room = HELD.saturating_sub(held.len());
            let room = match room > 0 && self.due_now().await.unwrap_or(true) {
                true => room,
                false => 0,
            };
            let busy = !finished.is_empty() || !renew.is_empty() || room > 0;
            if busy {
                let cycle = Cycle { finished: std::mem::take(&mut finished), renew, room };
                match self.cycle(cycle).await {
                    Ok((renewed, due)) => {
                        let until = now + deliveries::LEASE;
                        held.extend(renewed.into_iter().map(|id| (id, until)));
                        for due in due {
                            // Never full (it holds no more than `held` does); closed
                            // only when the process is stopping.
                            let id = due.id;
                            match leased.try_send(due) {
                                Ok(()) => drop(held.insert(id, until)),
                                Err(mpsc::error::TrySendError::Full(_)) => {}
                                Err(mpsc::error::TrySendError::Closed(_)) => return,
                            }
                        }
                    }
                    // The attempts are not recorded: their leases expire, and they
                    // are sent again.
                    Err(err) => tracing::warn!(error = %err, "cannot dispatch webhook deliveries"),
                }
            }
            if held.is_empty() {
                tokio::time::sleep(POLL).await;
            } else {
                // A send finishing wakes the dispatcher, at most once a cycle.
                tokio::time::sleep_until(started + CYCLE).await;
                if let Ok(Some(attempt)) = tokio::time::timeout(POLL, attempts.recv()).await {
                    finished.push(attempt);
                }
            }
        }
    }

    /// Whether any event waits for its fan-out or any delivery is due: a read, so an
    /// idle process does not take the write lock.
    async fn due_now(&self) -> Result<bool, ApiError> {
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

    /// One write transaction: records the finished attempts, renews leases, fans out
    /// the events that wait for it and leases up to `room` due deliveries. Returns the
    /// renewed ids and the leased deliveries.
    async fn cycle(&self, cycle: Cycle) -> Result<(Vec<i64>, Vec<Due>), ApiError> {
        let retries = self.retries.clone();
        self.state
            .write(move |conn| {
                write_tx(conn, |conn| {
                    let now = now();
                    deliveries::record(conn, &cycle.finished, &retries, now)?;
                    deliveries::renew(conn, &cycle.renew, now)?;
                    let mut due = Vec::new();
                    if cycle.room > 0 {
                        outbox::fan_out(conn, now, FAN_OUT_BATCH)?;
                        due = deliveries::lease(conn, now, i64::try_from(cycle.room).unwrap_or(1))?;
                    }
                    Ok((cycle.renew, due))
                })
            })
            .await
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
