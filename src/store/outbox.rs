//! The outbox: every event webhooks announce is a `webhook_events` row written in the
//! transaction of the change that causes it, so a change and its event are committed
//! together or not at all: one row more than without webhooks, however many webhooks
//! there are. A delivery worker ([`crate::webhooks`]) leases waiting events
//! ([`lease_events`]), sends each to the webhooks that want it, and writes one
//! `webhook_deliveries` row per webhook with the outcome ([`super::deliveries`]).
//!
//! The payloads (`data` of each event) are documented in the OpenAPI `webhooks` object
//! ([`crate::api::webhook_events`]).

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::dsl::max;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use serde_json::Value;

use super::articles::{self, Article};
use super::deliveries::{self, Due, Event, RowId, Target, LEASE};
use super::sql::Sql;
use super::{now, write_tx, Conn, StoreResult};
use crate::content::events::{wants, ArticleEventData, EventRef, EventType};
use crate::db::schema::{articles as articles_table, webhook_deliveries, webhook_events, webhooks};
use crate::db::MultiBackend;

/// Writes an event of type `kind` with `data`, to go to the webhooks that exist now
/// and want it, or to `only` (a ping, whose delivery is written at once). Call inside
/// the change's write transaction. Returns the event's id, its sequence.
pub fn emit(
    conn: &mut Conn,
    kind: &str,
    data: &Value,
    dedupe_key: Option<String>,
    only: Option<i64>,
) -> StoreResult<i64> {
    let now = now();
    let newest = match only {
        Some(id) => Some(id),
        None => webhooks::table.select(max(webhooks::id)).first::<Option<i64>>(conn)?,
    };
    // No webhook to fan out to, or the one of a ping: nothing is left for a worker.
    let dispatched_at = (only.is_some() || newest.is_none()).then_some(now);
    let event_id: i64 = diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::kind.eq(kind),
            webhook_events::payload.eq(data.to_string()),
            webhook_events::created_at.eq(now),
            webhook_events::dedupe_key.eq(dedupe_key),
            webhook_events::max_webhook_id.eq(newest.unwrap_or(0)),
            webhook_events::dispatched_at.eq(dispatched_at),
        ))
        .returning(webhook_events::id)
        .get_result(conn)?;
    if let Some(webhook_id) = only {
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::webhook_id.eq(webhook_id),
                webhook_deliveries::event_id.eq(event_id),
                webhook_deliveries::attempts.eq(0),
                webhook_deliveries::next_attempt_at.eq(Some(now)),
                webhook_deliveries::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(event_id)
}

/// `columns` of the events that wait for their first attempts: not yet dispatched, and
/// held by no live lease at `now`, oldest first.
fn waiting_events(conn: &Conn, columns: &str, now: NaiveDateTime) -> Sql {
    Sql::new(conn, &format!("SELECT {columns} FROM webhook_events WHERE dispatched_at IS NULL"))
        .with::<Timestamp, _>(" AND (leased_until IS NULL OR leased_until < ?) ORDER BY id", now)
}

/// A waiting event as a lease reads it.
#[derive(QueryableByName)]
struct Waiting {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    payload: String,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
    /// The newest webhook when it was written: newer ones never get it.
    #[diesel(sql_type = BigInt)]
    max_webhook_id: i64,
    /// Set if a worker leased it before (and its lease ran out).
    #[diesel(sql_type = Nullable<Timestamp>)]
    leased_until: Option<NaiveDateTime>,
}

/// Whether any event waits for its first attempts (see [`waiting_events`]).
pub fn waiting(conn: &mut Conn, now: NaiveDateTime) -> StoreResult<bool> {
    let first = waiting_events(conn, "id", now).push(" LIMIT 1").query().load::<RowId>(conn)?;
    Ok(!first.is_empty())
}

/// Leases the oldest events that wait for their first attempts, as many as make about
/// `room` sends: one to each webhook that is active now, wants the event's type, is
/// not newer than the event and has no delivery of it yet. An event with no such
/// webhook is dispatched at once. Call inside a [`super::claim_tx`]: on PostgreSQL the
/// events are locked as they are read and those another worker is leasing are skipped.
pub fn lease_events(conn: &mut Conn, now: NaiveDateTime, room: usize) -> StoreResult<Vec<Due>> {
    if room == 0 {
        return Ok(Vec::new());
    }
    // Each event goes to at most every webhook: no more events than make `room` sends.
    let active = webhooks::table.filter(webhooks::active.eq(true)).count().get_result::<i64>(conn)?;
    let wanted = room.div_ceil(usize::try_from(active).unwrap_or(1).max(1));
    let columns = "id, type AS kind, payload, created_at, max_webhook_id, leased_until";
    let mut query =
        waiting_events(conn, columns, now).with::<BigInt, _>(" LIMIT ?", i64::try_from(wanted).unwrap_or(i64::MAX));
    if query.is_postgres() {
        query = query.push(" FOR UPDATE SKIP LOCKED");
    }
    let events = query.query().load::<Waiting>(conn)?;
    if events.is_empty() {
        return Ok(Vec::new());
    }
    // Read after the events: every webhook an event may go to was made before the
    // event was written, so this read sees it even while other writers commit.
    let hooks: Vec<(i64, String, String, String)> = webhooks::table
        .filter(webhooks::active.eq(true))
        .order(webhooks::id.asc())
        .select((webhooks::id, webhooks::url, webhooks::secret, webhooks::events))
        .load(conn)?;
    let hooks: Vec<(Arc<Target>, Vec<String>)> = hooks
        .into_iter()
        .map(|(id, url, secret, events)| {
            (Arc::new(Target { id, url, secret }), serde_json::from_str(&events).unwrap_or_default())
        })
        .collect();
    // Deliveries written before a worker's lease ran out: those webhooks have theirs.
    // An event never leased has none.
    let leased_before: BTreeSet<i64> = events.iter().filter(|e| e.leased_until.is_some()).map(|e| e.id).collect();
    let written = match leased_before.is_empty() {
        true => HashSet::new(),
        false => deliveries::written(conn, &hooks.iter().map(|h| h.0.id).collect(), &leased_before)?,
    };
    let (mut due, mut leased, mut done) = (Vec::new(), Vec::new(), Vec::new());
    for waiting in events {
        let Waiting { id, kind, payload, created_at, max_webhook_id, .. } = waiting;
        let event = Arc::new(Event { id, kind, payload, created_at });
        let sends: Vec<Due> = hooks
            .iter()
            .filter(|(target, subscribed)| {
                target.id <= max_webhook_id && wants(subscribed, &event.kind) && !written.contains(&(target.id, id))
            })
            .map(|(target, _)| Due { delivery: None, attempts: 0, webhook: target.clone(), event: event.clone() })
            .collect();
        if sends.is_empty() {
            done.push(id);
            continue;
        }
        if !due.is_empty() && due.len() + sends.len() > room {
            break;
        }
        leased.push(id);
        due.extend(sends);
    }
    if !done.is_empty() {
        diesel::update(webhook_events::table.filter(webhook_events::id.eq_any(&done)))
            .set(webhook_events::dispatched_at.eq(Some(now)))
            .execute(conn)?;
    }
    if !leased.is_empty() {
        diesel::update(webhook_events::table.filter(webhook_events::id.eq_any(&leased)))
            .set(webhook_events::leased_until.eq(Some(now + LEASE)))
            .execute(conn)?;
    }
    Ok(due)
}

fn key_taken(conn: &mut Conn, key: &str) -> StoreResult<bool> {
    let found: i64 = webhook_events::table.filter(webhook_events::dedupe_key.eq(key)).count().get_result(conn)?;
    Ok(found > 0)
}

/// The key that makes an article's going live at `published_at` one event, whoever
/// notices it: the write that publishes it, or the ticker when its scheduled moment comes.
fn published_key(id: i64, published_at: Option<NaiveDateTime>) -> String {
    let at = published_at.map(|at| at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default();
    format!("article.published:{id}:{at}")
}

/// The cache tags of an article's event: what a CDN purges when it changes, its reads
/// and every list.
fn article_cache_tags(article: &Article) -> Vec<String> {
    let mut tags = article.cache_tags();
    tags.push("articles".into());
    tags
}

/// An event's `data`, from its documented type.
pub(super) fn to_value(data: &impl serde::Serialize) -> Value {
    serde_json::to_value(data).unwrap_or(Value::Null)
}

/// `data` of the `article.*` events.
pub fn article_data(article: &Article) -> Value {
    let row = &article.row;
    to_value(&ArticleEventData {
        id: row.id,
        slug: row.slug.clone(),
        locale: row.locale.clone(),
        title: row.title.clone(),
        status: article.status,
        version: row.version,
        published_at: row.published_at.map(|at| at.and_utc()),
        updated_at: row.updated_at.and_utc(),
        section: article.section.as_ref().map(|s| EventRef { id: s.id, slug: s.slug.clone() }),
        tags: article.tags.iter().map(|t| EventRef { id: t.id, slug: t.slug.clone() }).collect(),
        cache_tags: article_cache_tags(article),
    })
}

/// The event of a write that turned `before` (none: a new article) into `after`, if the
/// public sees a difference: going live, changing while live, or no longer being live.
pub fn article_written(conn: &mut Conn, before: Option<&Article>, after: &Article) -> StoreResult<()> {
    let was_live = before.is_some_and(|a| a.status.is_live());
    let kind = match (was_live, after.status.is_live()) {
        (false, true) => EventType::ArticlePublished,
        (true, true) => EventType::ArticleUpdated,
        (true, false) => EventType::ArticleUnpublished,
        (false, false) => return Ok(()),
    };
    let data = article_data(after);
    let key = (kind == EventType::ArticlePublished).then(|| {
        let key = published_key(after.row.id, after.row.published_at);
        // Published again at the date it had: a new going-live all the same.
        match key_taken(conn, &key) {
            Ok(false) => Ok(key),
            Ok(true) => Ok(format!("{key}:v{}", after.row.version)),
            Err(err) => Err(err),
        }
    });
    emit(conn, kind.as_str(), &data, key.transpose()?, None)?;
    Ok(())
}

/// The event of deleting `article` (read before the delete).
pub fn article_deleted(conn: &mut Conn, article: &Article) -> StoreResult<()> {
    emit(conn, EventType::ArticleDeleted.as_str(), &article_data(article), None, None).map(drop)
}

/// The published articles whose scheduled moment lies in `(since, until]`.
fn going_live(since: NaiveDateTime, until: NaiveDateTime) -> articles_table::BoxedQuery<'static, MultiBackend> {
    articles_table::table
        .filter(articles_table::status.eq("published"))
        .filter(articles_table::published_at.gt(since))
        .filter(articles_table::published_at.le(until))
        .into_boxed()
}

/// Whether any article's scheduled moment lies in `(since, until]`: a read, so that an
/// idle ticker does not take the write lock for [`publish_due`].
pub fn any_going_live(conn: &mut Conn, since: NaiveDateTime, until: NaiveDateTime) -> StoreResult<bool> {
    let first = going_live(since, until).select(articles_table::id).first::<i64>(conn).optional()?;
    Ok(first.is_some())
}

/// Emits `article.published` for every article whose scheduled moment lies in
/// `(since, until]` and has no such event yet; returns how many. Runs in a write
/// transaction, so among instances one does it; the dedupe key proves it was done.
pub fn publish_due(conn: &mut Conn, since: NaiveDateTime, until: NaiveDateTime) -> StoreResult<usize> {
    write_tx(conn, |conn| {
        let due: Vec<(i64, Option<NaiveDateTime>)> =
            going_live(since, until).select((articles_table::id, articles_table::published_at)).load(conn)?;
        let mut emitted = 0;
        for (id, published_at) in due {
            let key = published_key(id, published_at);
            if key_taken(conn, &key)? {
                continue;
            }
            let article = articles::find(conn, id)?;
            if !article.status.is_live() {
                continue;
            }
            emit(conn, EventType::ArticlePublished.as_str(), &article_data(&article), Some(key), None)?;
            emitted += 1;
        }
        Ok(emitted)
    })
}
