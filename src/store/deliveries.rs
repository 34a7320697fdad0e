//! Deliveries: one row per event and webhook, written with the outcome of its first
//! attempt and updated by each retry; and the leases that make a worker the one that
//! sends an event's first attempts ([`crate::store::outbox::lease_events`]) or a
//! delivery's retry ([`lease`]).
//!
//! A lease is taken in a [`super::claim_tx`] (on PostgreSQL, rows another instance is
//! leasing are skipped) and lasts [`LEASE`], renewed while its worker still holds it: a
//! worker killed mid-send leaves leases that expire, after which any worker leases the
//! rows again, and sends the event to the webhooks that have no delivery row for it yet.
//! So every event is sent at least once; without a crash, a webhook that answered 2xx
//! is never sent that event again.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use super::sql::Sql;
use super::{Conn, StoreError, StoreResult};
use crate::content::events::PING;
use crate::db::schema::{webhook_deliveries, webhook_events, webhooks};

/// How long a lease belongs to the worker that took it, unless renewed.
pub const LEASE: Duration = Duration::seconds(30);

/// An event as a send needs it.
#[derive(Debug)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    /// Its `data`, as JSON.
    pub payload: String,
    pub created_at: NaiveDateTime,
}

/// Where a send goes, and the secret it is signed with.
#[derive(Debug)]
pub struct Target {
    pub id: i64,
    pub url: String,
    pub secret: String,
}

/// One send to make; an event's sends share it, a webhook's share its target.
#[derive(Debug, Clone)]
pub struct Due {
    /// The delivery row; none for an event's first attempt, whose row its outcome writes.
    pub delivery: Option<i64>,
    /// Attempts made before this one.
    pub attempts: i32,
    pub webhook: Arc<Target>,
    pub event: Arc<Event>,
}

/// Delivery rows written by one statement, at most: 7 bound values each, well inside
/// SQLite's and PostgreSQL's limits.
const INSERT_ROWS: usize = 500;

/// What a worker holds a lease on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Held {
    /// An event whose first attempts it is sending.
    Event(i64),
    /// A delivery it is retrying.
    Delivery(i64),
}

impl Due {
    pub fn held(&self) -> Held {
        match self.delivery {
            Some(id) => Held::Delivery(id),
            None => Held::Event(self.event.id),
        }
    }
}

/// A leased delivery row: its id and attempts, its webhook's id, URL and secret, and
/// its event's id, type, payload and time.
type LeasedRow = (i64, i32, i64, String, String, i64, String, String, NaiveDateTime);

/// A row's id, as SQL of the store's own reads it.
#[derive(QueryableByName)]
pub(super) struct RowId {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
}

/// The ids of the delivery rows due at `now` (retries, and pings) that no live lease
/// holds. An inactive webhook's retries wait until it is active again; a test ping goes
/// to it all the same. The due rows come from the index on next_attempt_at, each joined
/// by key.
fn due_rows(conn: &Conn, now: NaiveDateTime) -> Sql {
    Sql::new(
        conn,
        "SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         JOIN webhook_events e ON e.id = d.event_id WHERE d.delivered_at IS NULL",
    )
    .with::<Text, _>(" AND (w.active OR e.type = ?)", PING)
    .with::<Timestamp, _>(" AND d.next_attempt_at <= ?", now)
    .with::<Timestamp, _>(" AND (d.leased_until IS NULL OR d.leased_until < ?)", now)
}

/// Whether any delivery row is due at `now` (see [`due_rows`]).
pub fn any_due(conn: &mut Conn, now: NaiveDateTime) -> StoreResult<bool> {
    let first = due_rows(conn, now).push(" LIMIT 1").query().load::<RowId>(conn)?;
    Ok(!first.is_empty())
}

/// Leases up to `limit` delivery rows due at `now` (see [`due_rows`]). Call inside a
/// [`super::claim_tx`].
pub fn lease(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> StoreResult<Vec<Due>> {
    if limit < 1 {
        return Ok(Vec::new());
    }
    let mut query = due_rows(conn, now).with::<BigInt, _>(" ORDER BY d.next_attempt_at, d.id LIMIT ?", limit);
    if query.is_postgres() {
        // Other instances lease beside this one: rows they are leasing are skipped.
        query = query.push(" FOR UPDATE OF d SKIP LOCKED");
    }
    let ids: Vec<i64> = query.query().load::<RowId>(conn)?.into_iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
        .set(webhook_deliveries::leased_until.eq(Some(now + LEASE)))
        .execute(conn)?;
    let rows: Vec<LeasedRow> = webhook_deliveries::table
        .inner_join(webhooks::table)
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::id.eq_any(&ids))
        .order(webhook_deliveries::id.asc())
        .select((
            webhook_deliveries::id,
            webhook_deliveries::attempts,
            webhooks::id,
            webhooks::url,
            webhooks::secret,
            webhook_events::id,
            webhook_events::kind,
            webhook_events::payload,
            webhook_events::created_at,
        ))
        .load(conn)?;
    let due = rows
        .into_iter()
        .map(|(delivery, attempts, webhook, url, secret, event, kind, payload, created_at)| Due {
            delivery: Some(delivery),
            attempts,
            webhook: Arc::new(Target { id: webhook, url, secret }),
            event: Arc::new(Event { id: event, kind, payload, created_at }),
        })
        .collect();
    Ok(due)
}

/// Extends the leases of `held`, still held by the worker that took them, to
/// `now + LEASE`; a lease that has already run out stays so (another worker may hold
/// it now).
pub fn renew(conn: &mut Conn, held: &[Held], now: NaiveDateTime) -> StoreResult<()> {
    let (mut events, mut rows) = (Vec::new(), Vec::new());
    for lease in held {
        match *lease {
            Held::Event(id) => events.push(id),
            Held::Delivery(id) => rows.push(id),
        }
    }
    let until = Some(now + LEASE);
    if !events.is_empty() {
        diesel::update(
            webhook_events::table
                .filter(webhook_events::id.eq_any(&events))
                .filter(webhook_events::leased_until.ge(now)),
        )
        .set(webhook_events::leased_until.eq(until))
        .execute(conn)?;
    }
    if !rows.is_empty() {
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::id.eq_any(&rows))
                .filter(webhook_deliveries::leased_until.ge(now)),
        )
        .set(webhook_deliveries::leased_until.eq(until))
        .execute(conn)?;
    }
    Ok(())
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// When it started.
    pub at: NaiveDateTime,
    /// How long it took.
    pub duration_ms: i32,
    /// The HTTP status, when the endpoint answered.
    pub status: Option<u16>,
    /// Why it failed: a non-2xx status, a timeout, a refused connection.
    pub error: Option<String>,
    /// The next attempt is due no sooner than this (its endpoint is backed off until then).
    pub not_before: Option<NaiveDateTime>,
}

impl Attempt {
    /// An attempt that sent nothing, for `error`.
    pub fn not_sent(at: NaiveDateTime, error: String, not_before: Option<NaiveDateTime>) -> Self {
        Self { at, duration_ms: 0, status: None, error: Some(error), not_before }
    }

    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// `(delivered_at, next_attempt_at)` after this attempt, the `attempts`th: delivered
    /// on a 2xx, else due again after `retries[attempts - 1]` seconds, or given up when
    /// the schedule has no more.
    fn outcome(
        &self,
        attempts: i32,
        retries: &[u64],
        now: NaiveDateTime,
    ) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
        if self.succeeded() {
            return (Some(now), None);
        }
        let index = usize::try_from(attempts).unwrap_or(usize::MAX).saturating_sub(1);
        let next = retries
            .get(index)
            .map(|seconds| now + Duration::seconds(i64::try_from(*seconds).unwrap_or(i64::MAX / 1_000)))
            .map(|next| self.not_before.map_or(next, |not_before| next.max(not_before)));
        (None, next)
    }
}

/// Records finished attempts: an event's first attempt writes its delivery row, a
/// retry updates it. Then marks `dispatched` events, whose first attempts are all
/// recorded now, as such. Call inside a [`super::claim_tx`], which records all the
/// attempts that finished together in one commit (on SQLite, one disk flush).
pub fn record(
    conn: &mut Conn,
    attempts: &[(Due, Attempt)],
    dispatched: &[i64],
    retries: &[u64],
    now: NaiveDateTime,
) -> StoreResult<()> {
    if attempts.is_empty() && dispatched.is_empty() {
        return Ok(());
    }
    let (first, again): (Vec<_>, Vec<_>) = attempts.iter().partition(|(due, _)| due.delivery.is_none());
    let mut logged = record_first(conn, &first, retries, now)?;
    for (due, attempt) in again {
        if let Some(id) = due.delivery {
            match record_again(conn, id, attempt, retries, now) {
                Ok(()) => logged.push((id, attempt)),
                // Its webhook was deleted meanwhile.
                Err(StoreError::NotFound) => {}
                Err(other) => return Err(other),
            }
        }
    }
    log_attempts(conn, &logged)?;
    if !dispatched.is_empty() {
        diesel::update(webhook_events::table.filter(webhook_events::id.eq_any(dispatched)))
            .set((webhook_events::dispatched_at.eq(Some(now)), webhook_events::leased_until.eq(None::<NaiveDateTime>)))
            .execute(conn)?;
    }
    Ok(())
}

/// A delivery row a first attempt wrote.
#[derive(QueryableByName)]
struct Written {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    webhook_id: i64,
    #[diesel(sql_type = BigInt)]
    event_id: i64,
}

/// Writes the delivery rows of first attempts, but none for a webhook deleted
/// meanwhile, nor a second for an event and webhook (another worker's, whose lease ran
/// out while this one sent). Returns each row written with its attempt.
fn record_first<'a>(
    conn: &mut Conn,
    attempts: &[&'a (Due, Attempt)],
    retries: &[u64],
    now: NaiveDateTime,
) -> StoreResult<Vec<(i64, &'a Attempt)>> {
    let mut logged = Vec::new();
    if attempts.is_empty() {
        return Ok(logged);
    }
    let hooks: BTreeSet<i64> = attempts.iter().map(|(due, _)| due.webhook.id).collect();
    let mut live = Sql::new(conn, "SELECT id FROM webhooks WHERE id IN (").list::<BigInt, _>(hooks).push(")");
    if live.is_postgres() {
        // A webhook being deleted is waited for; one deleted is not read.
        live = live.push(" FOR KEY SHARE");
    }
    let live: HashSet<i64> = live.query().load::<RowId>(conn)?.into_iter().map(|row| row.id).collect();
    let rows: Vec<_> = attempts.iter().filter(|(due, _)| live.contains(&due.webhook.id)).collect();
    // Many rows a statement: diesel writes a multi-row insert for one backend only.
    for chunk in rows.chunks(INSERT_ROWS) {
        let mut insert = Sql::new(
            conn,
            "INSERT INTO webhook_deliveries (webhook_id, event_id, attempts, last_status, last_error, \
             next_attempt_at, delivered_at, created_at) VALUES ",
        );
        for (i, (due, attempt)) in chunk.iter().enumerate() {
            let (delivered_at, next_attempt_at) = attempt.outcome(1, retries, now);
            insert = insert
                .push(if i == 0 { "(" } else { ", (" })
                .bind::<BigInt, _>(due.webhook.id)
                .push(", ")
                .bind::<BigInt, _>(due.event.id)
                .push(", 1, ")
                .bind::<Nullable<Integer>, _>(attempt.status.map(i32::from))
                .push(", ")
                .bind::<Nullable<Text>, _>(attempt.error.clone())
                .push(", ")
                .bind::<Nullable<Timestamp>, _>(next_attempt_at)
                .push(", ")
                .bind::<Nullable<Timestamp>, _>(delivered_at)
                .push(", ")
                .bind::<Timestamp, _>(now)
                .push(")");
        }
        let written = insert
            .push(" ON CONFLICT (webhook_id, event_id) DO NOTHING RETURNING id, webhook_id, event_id")
            .query()
            .load::<Written>(conn)?;
        let ids: HashMap<(i64, i64), i64> = written.into_iter().map(|w| ((w.webhook_id, w.event_id), w.id)).collect();
        for (due, attempt) in chunk {
            if let Some(id) = ids.get(&(due.webhook.id, due.event.id)) {
                logged.push((*id, attempt));
            }
        }
    }
    Ok(logged)
}

/// Adds `attempts` to their deliveries' attempt logs, many rows a statement.
fn log_attempts(conn: &mut Conn, attempts: &[(i64, &Attempt)]) -> StoreResult<()> {
    for chunk in attempts.chunks(INSERT_ROWS) {
        let mut insert =
            Sql::new(conn, "INSERT INTO webhook_attempts (delivery_id, at, status, error, duration_ms) VALUES ");
        for (i, (delivery, attempt)) in chunk.iter().enumerate() {
            insert = insert
                .push(if i == 0 { "(" } else { ", (" })
                .bind::<BigInt, _>(*delivery)
                .push(", ")
                .bind::<Timestamp, _>(attempt.at)
                .push(", ")
                .bind::<Nullable<Integer>, _>(attempt.status.map(i32::from))
                .push(", ")
                .bind::<Nullable<Text>, _>(attempt.error.clone())
                .push(", ")
                .bind::<Integer, _>(attempt.duration_ms)
                .push(")");
        }
        insert.query().execute(conn)?;
    }
    Ok(())
}

/// Which of `hooks` have a delivery of which of `events`: one look-up of the
/// (webhook, event) index each.
pub(super) fn written(
    conn: &mut Conn,
    hooks: &BTreeSet<i64>,
    events: &BTreeSet<i64>,
) -> StoreResult<HashSet<(i64, i64)>> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq_any(hooks))
        .filter(webhook_deliveries::event_id.eq_any(events))
        .select((webhook_deliveries::webhook_id, webhook_deliveries::event_id))
        .load(conn)?
        .into_iter()
        .collect())
}

/// Records another attempt of delivery `id`.
fn record_again(conn: &mut Conn, id: i64, attempt: &Attempt, retries: &[u64], now: NaiveDateTime) -> StoreResult<()> {
    let attempts: i32 = webhook_deliveries::table.find(id).select(webhook_deliveries::attempts).first(conn)?;
    let attempts = attempts.saturating_add(1);
    let (delivered_at, next_attempt_at) = attempt.outcome(attempts, retries, now);
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::attempts.eq(attempts),
            webhook_deliveries::last_status.eq(attempt.status.map(i32::from)),
            webhook_deliveries::last_error.eq(attempt.error.clone()),
            webhook_deliveries::delivered_at.eq(delivered_at),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}
