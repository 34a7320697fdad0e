//! Sending webhooks: the delivery workers and the scheduled-publication ticker that
//! every folio process runs beside its HTTP server.
//!
//! Events are rows written with the change that causes them ([`crate::store::outbox`]).
//! Each process runs one dispatcher, which in one transaction per cycle records
//! the attempts that finished, renews the leases it still holds, and leases due retries
//! ([`deliveries::lease`]) and waiting events ([`outbox::lease_events`]), as many sends
//! as it has room for. Its senders ([`send`]) send them signed the Standard Webhooks
//! way, each endpoint in a lane of its own ([`lanes`]), so that a slow or dead endpoint
//! delays only its own deliveries. A process killed mid-send leaves leases that
//! expire, and the sends are made again: at least once, with the same `webhook-id`.
//!
//! Cycles are at least [`CYCLE`] apart while there is work: on SQLite each cycle's
//! transaction waits its turn with the changes and flushes the disk, so a few large
//! ones cost changes far less than many small ones. On PostgreSQL a cycle locks the
//! rows it changes and runs beside the changes ([`crate::store::claim_tx`]).

mod addresses;
pub mod guard;
mod holdings;
mod lanes;
pub mod resolver;
mod send;
pub mod sign;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Bytes;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};
use thread_priority::ThreadPriority;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::config::WebhookSettings;
use crate::runner::{RunError, Runner};
use crate::store::deliveries::{self, Attempt, Due, Event, Held};
use crate::store::{changes, now, outbox, StoreResult};
use holdings::Holdings;
use resolver::Hosts;
use send::{Input, Sender};
/// Deliveries a process holds at most: leased, and waiting to be sent or being sent.
/// Their leases are renewed while they wait, however long the endpoints take. Room
/// for a cycle's worth of sends at ~10,000 a second.
const HELD: usize = 2048;
/// The shortest time between two cycles while there is work: on SQLite, each cycle
/// is a turn of the writer and a flush of the disk. (At 100 ms and 1,024 held,
/// creates/s with 10 webhooks were 92 % of without; at 200 ms and 2,048, 96-98 %, the
/// delivery p50 going from ~80 to ~155 ms.)
const CYCLE: Duration = Duration::from_millis(200);
/// How often an idle dispatcher looks for new events and due deliveries.
const POLL: Duration = Duration::from_millis(250);
/// How often the ticker looks for scheduled articles whose moment came.
const TICK: Duration = Duration::from_secs(2);
/// How far back a starting process looks for scheduled articles that went live while
/// no process ran (never before the webhooks migration, so that articles published
/// before it are not announced).
const CATCH_UP: chrono::Duration = chrono::Duration::days(7);
/// The version of the migration that made the outbox.
/// How often events past their retention are removed: at start-up, then hourly.
const PRUNE_EVERY: Duration = Duration::from_secs(3_600);

const OUTBOX_MIGRATION: &str = "20261130000020";

/// The body every send of `event` carries: the same bytes to every webhook, at every
/// attempt.
pub fn body(event: &Event) -> Bytes {
    let data: Value = serde_json::from_str(&event.payload).unwrap_or(Value::Null);
    let body = json!({
        "type": event.kind,
        "timestamp": event.created_at.and_utc(),
        "sequence": event.id,
        "data": data,
    });
    Bytes::from(body.to_string())
}

struct Worker {
    runner: Arc<Runner>,
    retries: Vec<u64>,
    /// How long events are kept ([`WebhookSettings::event_retention`]).
    event_retention: chrono::TimeDelta,
}

/// Starts the dispatcher and the ticker on the current runtime, and the senders on a
/// thread of their own at the lowest priority.
pub fn start(runner: Arc<Runner>, hosts: Hosts, settings: &WebhookSettings) -> anyhow::Result<()> {
    let sender = Arc::new(Sender::new(hosts)?);
    let worker =
        Arc::new(Worker { runner, retries: settings.retries.clone(), event_retention: settings.event_retention });
    let (leased, input) = mpsc::unbounded_channel();
    let (finished, attempts) = mpsc::unbounded_channel();
    let inputs = leased.downgrade();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name("folio-webhooks".into()).spawn(move || {
        // Requests first: on a busy machine the sends take what the server leaves.
        if let Err(err) = ThreadPriority::Min.set_for_current() {
            tracing::warn!(error = ?err, "webhook sends run at normal priority");
        }
        runtime.block_on(sender.run(inputs, input, finished));
    })?;
    tokio::spawn(worker.clone().dispatch_forever(leased, attempts));
    tokio::spawn(worker.clone().prune_forever());
    tokio::spawn(worker.tick_forever());
    Ok(())
}

/// What one dispatcher cycle writes and gets.
struct Cycle {
    finished: Vec<(Due, Attempt)>,
    /// Events whose first attempts are all among `finished` or recorded before.
    dispatched: Vec<i64>,
    renew: Vec<Held>,
    /// How many sends to lease, if any.
    room: usize,
}

impl Worker {
    async fn dispatch_forever(
        self: Arc<Self>,
        leased: mpsc::UnboundedSender<Input>,
        mut attempts: mpsc::UnboundedReceiver<(Due, Attempt)>,
    ) {
        let mut holdings = Holdings::default();
        let mut finished = Vec::new();
        loop {
            let started = Instant::now();
            while let Ok(attempt) = attempts.try_recv() {
                finished.push(attempt);
            }
            let dispatched: Vec<i64> = finished.iter().filter_map(|(due, _)| holdings.finish(due)).collect();
            let now = now();
            let renew = holdings.expiring(now);
            let room = HELD.saturating_sub(holdings.total);
            let room = match room > 0 && self.due_now().await.unwrap_or(true) {
                true => room,
                false => 0,
            };
            if !finished.is_empty() || !renew.is_empty() || room > 0 {
                let cycle = Cycle { finished: std::mem::take(&mut finished), dispatched, renew, room };
                match self.cycle(cycle).await {
                    Ok((renewed, due)) => {
                        let until = now + deliveries::LEASE;
                        holdings.renewed(&renewed, until);
                        // An event's sends follow each other: its body is made once.
                        let mut made: Option<(i64, Bytes)> = None;
                        for due in due {
                            holdings.take(&due, until);
                            let content = match &made {
                                Some((event, content)) if *event == due.event.id => content.clone(),
                                _ => body(&due.event),
                            };
                            made = Some((due.event.id, content.clone()));
                            // Closed only when the process is stopping.
                            if leased.send(Input::Leased((due, content))).is_err() {
                                return;
                            }
                        }
                    }
                    // The attempts are not recorded: their leases expire, and they
                    // are sent again.
                    Err(err) => tracing::warn!(error = %err, "cannot dispatch webhook deliveries"),
                }
            }
            if holdings.total == 0 {
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

    /// Whether any event waits for its first attempts or any retry is due: a read, so
    /// an idle process does not take the write lock.
    async fn due_now(&self) -> Result<bool, RunError> {
        let now = now();
        self.runner.read(move |conn| Ok(outbox::waiting(conn, now)? || deliveries::any_due(conn, now)?)).await
    }

    /// One transaction, which claims rows (see [`Runner::claim`]): records the
    /// finished attempts, renews leases, and leases up to `room` sends, due retries
    /// first, then waiting events' first attempts. Returns the renewed leases and the sends.
    async fn cycle(&self, cycle: Cycle) -> Result<(Vec<Held>, Vec<Due>), RunError> {
        let retries = self.retries.clone();
        self.runner
            .claim(move |conn| {
                let now = now();
                deliveries::record(conn, &cycle.finished, &cycle.dispatched, &retries, now)?;
                deliveries::renew(conn, &cycle.renew, now)?;
                let mut due = deliveries::lease(conn, now, i64::try_from(cycle.room).unwrap_or(0))?;
                due.extend(outbox::lease_events(conn, now, cycle.room.saturating_sub(due.len()))?);
                Ok((cycle.renew, due))
            })
            .await
    }

    /// Removes the events kept past [`Worker::event_retention`], a batch per write
    /// ([`changes::prune`]); each instance does it, and whichever comes first finds the work.
    async fn prune_forever(self: Arc<Self>) {
        loop {
            let before = now() - self.event_retention;
            loop {
                match self.runner.write(move |conn| changes::prune(conn, before)).await {
                    Ok(removed) if removed == changes::PRUNE_BATCH => {}
                    Ok(removed) => {
                        if removed > 0 {
                            tracing::info!(removed, "removed events past their retention");
                        }
                        break;
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot remove events past their retention");
                        break;
                    }
                }
            }
            tokio::time::sleep(PRUNE_EVERY).await;
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
    async fn tick(&self, from: NaiveDateTime, until: NaiveDateTime) -> Result<(), RunError> {
        let any = self.runner.read(move |conn| outbox::any_going_live(conn, from, until)).await?;
        if any {
            self.runner.write(move |conn| outbox::publish_due(conn, from, until)).await?;
        }
        Ok(())
    }

    /// Where a starting process looks back from (see [`CATCH_UP`]).
    async fn catch_up_from(&self, now: NaiveDateTime) -> Result<NaiveDateTime, RunError> {
        let migrated = self.runner.read(migrated_at).await?;
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
