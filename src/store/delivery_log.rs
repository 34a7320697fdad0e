//! A webhook's delivery log: each delivery summed up, every attempt of one, and
//! sending one again on request.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{write_tx, Conn, Page, PageRequest, StoreError, StoreResult};
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_events};

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

/// One attempt as the log shows it.
#[derive(Debug, Clone, Queryable)]
pub struct LoggedAttempt {
    pub at: NaiveDateTime,
    pub status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// The columns of a [`Delivery`].
type DeliveryColumns = (
    webhook_deliveries::id,
    webhook_deliveries::event_id,
    webhook_events::kind,
    webhook_deliveries::attempts,
    webhook_deliveries::last_status,
    webhook_deliveries::last_error,
    webhook_deliveries::next_attempt_at,
    webhook_deliveries::delivered_at,
);

const DELIVERY: DeliveryColumns = (
    webhook_deliveries::id,
    webhook_deliveries::event_id,
    webhook_events::kind,
    webhook_deliveries::attempts,
    webhook_deliveries::last_status,
    webhook_deliveries::last_error,
    webhook_deliveries::next_attempt_at,
    webhook_deliveries::delivered_at,
);

/// Webhook `webhook_id`'s deliveries, newest event first.
pub fn list(conn: &mut Conn, webhook_id: i64, page: PageRequest) -> StoreResult<Page<Delivery>> {
    super::webhooks::find(conn, webhook_id)?;
    let mine = webhook_deliveries::webhook_id.eq(webhook_id);
    let total = webhook_deliveries::table.filter(mine).count().get_result(conn)?;
    let rows = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(mine)
        .order((webhook_deliveries::event_id.desc(), webhook_deliveries::id.desc()))
        .select(DELIVERY);
    page.load(conn, rows, total)
}

/// Delivery `id` of webhook `webhook_id`, and every attempt of it, oldest first.
pub fn find(conn: &mut Conn, webhook_id: i64, id: i64) -> StoreResult<(Delivery, Vec<LoggedAttempt>)> {
    let delivery = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::id.eq(id))
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .select(DELIVERY)
        .first(conn)?;
    let attempts = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(id))
        .order(webhook_attempts::id.asc())
        .select((
            webhook_attempts::at,
            webhook_attempts::status,
            webhook_attempts::error,
            webhook_attempts::duration_ms,
        ))
        .load(conn)?;
    Ok((delivery, attempts))
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
