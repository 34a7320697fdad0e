//! Deliveries: one row per event and webhook, leased by a worker while it sends it,
//! and the record of every attempt.
//!
//! A lease is taken in a write transaction (which holds the database's write lock on
//! every instance) and lasts [`LEASE`]: a worker killed mid-send leaves a lease that
//! expires, after which any worker leases the row again. So every event is sent at
//! least once; without a crash, a row with `delivered_at` is never sent again.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::sql::Sql;
use super::{write_tx, Conn, Page, PageRequest, StoreError, StoreResult};
use crate::db::schema::{webhook_deliveries, webhook_events, webhooks};

/// How long a leased delivery belongs to the worker that leased it.
pub const LEASE: Duration = Duration::seconds(30);

/// A delivery to send: where, signed with what, and the event.
#[derive(Debug, Clone, Queryable)]
pub struct Due {
    pub id: i64,
    pub attempts: i32,
    pub url: String,
    pub secret: String,
    pub event_id: i64,
    pub kind: String,
    pub payload: String,
    pub created_at: NaiveDateTime,
}

#[derive(QueryableByName)]
struct Leasable {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Leases up to `limit` deliveries due at `now` that no live lease holds.
pub fn lease(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> StoreResult<Vec<Due>> {
    if limit < 1 {
        return Ok(Vec::new());
    }
    write_tx(conn, |conn| {
        let mut query = Sql::new(conn, "SELECT id FROM webhook_deliveries WHERE delivered_at IS NULL")
            .with::<Timestamp, _>(" AND next_attempt_at <= ?", now)
            .with::<Timestamp, _>(" AND (leased_until IS NULL OR leased_until < ?)", now)
            .with::<BigInt, _>(" ORDER BY next_attempt_at, id LIMIT ?", limit);
        if query.is_postgres() {
            // The write lock already makes leases one at a time; this keeps them so
            // should a lease ever run outside it.
            query = query.push(" FOR UPDATE SKIP LOCKED");
        }
        let ids: Vec<i64> = query.query().load::<Leasable>(conn)?.into_iter().map(|r| r.id).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
            .set(webhook_deliveries::leased_until.eq(Some(now + LEASE)))
            .execute(conn)?;
        let due = webhook_deliveries::table
            .inner_join(webhooks::table)
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::id.eq_any(&ids))
            .order(webhook_deliveries::id.asc())
            .select((
                webhook_deliveries::id,
                webhook_deliveries::attempts,
                webhooks::url,
                webhooks::secret,
                webhook_events::id,
                webhook_events::kind,
                webhook_events::payload,
                webhook_events::created_at,
            ))
            .load::<Due>(conn)?;
        Ok(due)
    })
}

/// Extends the leases of deliveries `ids`, still held by the worker that leased them
/// and not yet sent, to `now + LEASE`; a lease that has already run out stays so (another
/// worker may hold the delivery now).
pub fn renew(conn: &mut Conn, ids: &[i64], now: NaiveDateTime) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq_any(ids))
            .filter(webhook_deliveries::leased_until.ge(now)),
    )
    .set(webhook_deliveries::leased_until.eq(Some(now + LEASE)))
    .execute(conn)?;
    Ok(())
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The HTTP status, when the endpoint answered.
    pub status: Option<u16>,
    /// Why it failed: a non-2xx status, a timeout, a refused connection.
    pub error: Option<String>,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Records attempts, each of delivery `id` (see [`record_one`]), in one transaction:
/// one commit, and one disk flush, for all the attempts that finished together.
pub fn record(conn: &mut Conn, attempts: &[(i64, Attempt)], retries: &[u64], now: NaiveDateTime) -> StoreResult<()> {
    if attempts.is_empty() {
        return Ok(());
    }
    write_tx(conn, |conn| {
        for (id, attempt) in attempts {
            match record_one(conn, *id, attempt, retries, now) {
                // Its webhook was deleted meanwhile.
                Err(StoreError::NotFound) => {}
                other => other?,
            }
        }
        Ok(())
    })
}

/// Records an attempt of delivery `id`: delivered on a 2xx, else due again after
/// `retries[n - 1]` seconds for its `n`th attempt, or given up when the schedule has no more.
fn record_one(conn: &mut Conn, id: i64, attempt: &Attempt, retries: &[u64], now: NaiveDateTime) -> StoreResult<()> {
    let attempts: i32 = webhook_deliveries::table.find(id).select(webhook_deliveries::attempts).first(conn)?;
    let attempts = attempts.saturating_add(1);
    let (delivered_at, next_attempt_at) = if attempt.succeeded() {
        (Some(now), None)
    } else {
        let index = usize::try_from(attempts).unwrap_or(usize::MAX).saturating_sub(1);
        let next = retries
            .get(index)
            .map(|seconds| now + Duration::seconds(i64::try_from(*seconds).unwrap_or(i64::MAX / 1_000)));
        (None, next)
    };
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

/// A delivery as its log shows it.
#[derive(Debug, Clone, Queryable)]
pub struct Delivery {
    pub id: i64,
    pub event_id: i64,
    pub kind: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

/// Webhook `webhook_id`'s deliveries, newest first.
pub fn list(conn: &mut Conn, webhook_id: i64, page: PageRequest) -> StoreResult<Page<Delivery>> {
    super::webhooks::find(conn, webhook_id)?;
    let mine = webhook_deliveries::webhook_id.eq(webhook_id);
    let total = webhook_deliveries::table.filter(mine).count().get_result(conn)?;
    let rows = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(mine)
        .order(webhook_deliveries::id.desc())
        .select((
            webhook_deliveries::id,
            webhook_deliveries::event_id,
            webhook_events::kind,
            webhook_deliveries::attempts,
            webhook_deliveries::last_status,
            webhook_deliveries::last_error,
            webhook_deliveries::next_attempt_at,
            webhook_deliveries::delivered_at,
        ));
    page.load(conn, rows, total)
}

/// Makes delivery `id` of webhook `webhook_id` due now, delivered or not.
pub fn redeliver(conn: &mut Conn, webhook_id: i64, id: i64, now: NaiveDateTime) -> StoreResult<()> {
    write_tx(conn, |conn| {
        let changed = diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::id.eq(id))
                .filter(webhook_deliveries::webhook_id.eq(webhook_id)),
        )
        .set((
            webhook_deliveries::next_attempt_at.eq(Some(now)),
            webhook_deliveries::delivered_at.eq(None::<NaiveDateTime>),
            webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
        match changed {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    })
}
