//! Webhook endpoints: where events go, which ones, and the secret they are signed with.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{now, outbox, write_tx, Conn, Page, PageRequest, StoreError, StoreResult};
use crate::content::events::{PingEventData, PING};
use crate::db::schema::{webhook_deliveries, webhooks};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    /// JSON array of event type names.
    pub events: String,
    pub description: Option<String>,
    pub active: bool,
    pub secret: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl WebhookRow {
    pub fn event_names(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }
}

/// A validated webhook to create.
#[derive(Debug)]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub active: bool,
    pub secret: String,
}

/// A validated PATCH; `Some(None)` clears the description.
#[derive(Debug, Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    pub active: Option<bool>,
}

fn events_json(events: &[String]) -> String {
    serde_json::to_string(events).unwrap_or_else(|_| "[]".into())
}

pub fn find(conn: &mut Conn, id: i64) -> StoreResult<WebhookRow> {
    Ok(webhooks::table.find(id).select(WebhookRow::as_select()).first(conn)?)
}

pub fn list(conn: &mut Conn, page: PageRequest) -> StoreResult<Page<WebhookRow>> {
    let total = webhooks::table.count().get_result(conn)?;
    page.load(conn, webhooks::table.order(webhooks::id.asc()).select(WebhookRow::as_select()), total)
}

pub fn create(conn: &mut Conn, input: WebhookInput) -> StoreResult<WebhookRow> {
    write_tx(conn, |conn| {
        let now = now();
        let id: i64 = diesel::insert_into(webhooks::table)
            .values((
                webhooks::url.eq(input.url),
                webhooks::events.eq(events_json(&input.events)),
                webhooks::description.eq(input.description),
                webhooks::active.eq(input.active),
                webhooks::secret.eq(input.secret),
                webhooks::created_at.eq(now),
                webhooks::updated_at.eq(now),
            ))
            .returning(webhooks::id)
            .get_result(conn)?;
        find(conn, id)
    })
}

pub fn update(conn: &mut Conn, id: i64, patch: WebhookPatch) -> StoreResult<WebhookRow> {
    write_tx(conn, |conn| {
        let current = find(conn, id)?;
        diesel::update(webhooks::table.find(id))
            .set((
                webhooks::url.eq(patch.url.unwrap_or(current.url)),
                webhooks::events.eq(patch.events.map_or(current.events, |e| events_json(&e))),
                webhooks::description.eq(patch.description.unwrap_or(current.description)),
                webhooks::active.eq(patch.active.unwrap_or(current.active)),
                webhooks::updated_at.eq(now()),
            ))
            .execute(conn)?;
        find(conn, id)
    })
}

/// Replaces the signing secret; deliveries sent from now on use the new one.
pub fn rotate_secret(conn: &mut Conn, id: i64, secret: String) -> StoreResult<WebhookRow> {
    write_tx(conn, |conn| {
        find(conn, id)?;
        diesel::update(webhooks::table.find(id))
            .set((webhooks::secret.eq(secret), webhooks::updated_at.eq(now())))
            .execute(conn)?;
        find(conn, id)
    })
}

/// Deletes a webhook and its deliveries (events stay: other webhooks may still send them).
pub fn delete(conn: &mut Conn, id: i64) -> StoreResult<()> {
    write_tx(conn, |conn| {
        find(conn, id)?;
        diesel::delete(webhooks::table.find(id)).execute(conn)?;
        Ok(())
    })
}

/// How long a client waits before pinging again, as `Retry-After` says: a ping's
/// attempt is over within the 10 s a receiver has, once its turn comes.
const PING_RETRY_AFTER: u64 = 10;

/// Queues a signed `ping` event to webhook `id` only (active or not); returns its event
/// id. Refused while an earlier ping to it waits for its first attempt or is in flight,
/// so pings cannot pile up behind an endpoint that is slow to answer.
pub fn ping(conn: &mut Conn, id: i64) -> StoreResult<i64> {
    write_tx(conn, |conn| {
        let hook = find(conn, id)?;
        // The rows written before their first attempt are pings' (index
        // webhook_deliveries_untried, which SQLite uses for its condition in a literal).
        let untried: i64 = webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(id))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("webhook_deliveries.attempts = 0"))
            .count()
            .get_result(conn)?;
        if untried > 0 {
            return Err(StoreError::Throttled {
                message: "a test ping to this webhook is still waiting or in flight; retry once it has been tried"
                    .into(),
                retry_after: PING_RETRY_AFTER,
            });
        }
        let data = PingEventData { webhook_id: hook.id, url: hook.url };
        outbox::emit(conn, PING, &serde_json::to_value(data).unwrap_or_default(), None, Some(hook.id))
    })
}
