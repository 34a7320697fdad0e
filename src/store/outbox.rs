//! The outbox: every event webhooks announce is a `webhook_events` row written in the
//! transaction of the change that causes it, with one `webhook_deliveries` row per
//! active webhook that wants it. Nothing is sent here: the delivery workers
//! ([`crate::webhooks`]) send what these rows say, so a change and its event are
//! committed together or not at all.
//!
//! The payloads (`data` of each event) are documented in the OpenAPI `webhooks` object
//! ([`crate::api::webhook_events`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use super::articles::{self, Article};
use super::sections::SectionRow;
use super::tags::TagRow;
use super::{now, write_tx, Conn, StoreResult};
use crate::content::events::{wants, ArticleEventData, EventRef, EventType, SectionEventData, TagEventData};
use crate::db::schema::{articles as articles_table, webhook_deliveries, webhook_events, webhooks};

/// Writes an event of type `kind` with `data`, and a delivery of it to each active
/// webhook subscribed to it (or to `only`, for a ping). Call inside the change's write
/// transaction. Returns the event's id, its sequence.
pub fn emit(
    conn: &mut Conn,
    kind: &str,
    data: &Value,
    dedupe_key: Option<String>,
    only: Option<i64>,
) -> StoreResult<i64> {
    let now = now();
    let event_id: i64 = diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::kind.eq(kind),
            webhook_events::payload.eq(data.to_string()),
            webhook_events::created_at.eq(now),
            webhook_events::dedupe_key.eq(dedupe_key),
        ))
        .returning(webhook_events::id)
        .get_result(conn)?;
    let targets: Vec<i64> = match only {
        Some(id) => vec![id],
        None => webhooks::table
            .filter(webhooks::active.eq(true))
            .select((webhooks::id, webhooks::events))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .filter(|(_, events)| wants(&serde_json::from_str::<Vec<String>>(events).unwrap_or_default(), kind))
            .map(|(id, _)| id)
            .collect(),
    };
    // One row a statement: a multi-row insert is written differently per backend.
    for webhook_id in targets {
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

/// The cache tags of an article: what a CDN purges when it changes.
fn article_cache_tags(article: &Article) -> Vec<String> {
    let mut tags = vec![format!("article-{}", article.row.id)];
    tags.extend(article.section.iter().map(|s| format!("section-{}", s.id)));
    tags.extend(article.tags.iter().map(|t| format!("tag-{}", t.id)));
    tags.push("articles".into());
    tags
}

fn to_value(data: &impl serde::Serialize) -> Value {
    serde_json::to_value(data).unwrap_or(Value::Null)
}

/// `data` of the `article.*` events.
pub fn article_data(article: &Article) -> Value {
    let row = &article.row;
    to_value(&ArticleEventData {
        id: row.id,
        slug: row.slug.clone(),
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

/// `data` of the `section.*` events.
pub fn section_data(row: &SectionRow) -> Value {
    to_value(&SectionEventData {
        id: row.id,
        slug: row.slug.clone(),
        name: row.name.clone(),
        parent_id: row.parent_id,
        cache_tags: vec![format!("section-{}", row.id), "sections".into(), "articles".into()],
    })
}

/// `data` of the `tag.*` events.
pub fn tag_data(row: &TagRow) -> Value {
    to_value(&TagEventData {
        id: row.id,
        slug: row.slug.clone(),
        name: row.name.clone(),
        cache_tags: vec![format!("tag-{}", row.id), "tags".into(), "articles".into()],
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

/// Emits `article.published` for every article whose scheduled moment lies in
/// `(since, until]` and has no such event yet; returns how many. Runs in a write
/// transaction, so among instances one does it; the dedupe key proves it was done.
pub fn publish_due(conn: &mut Conn, since: NaiveDateTime, until: NaiveDateTime) -> StoreResult<usize> {
    write_tx(conn, |conn| {
        let due: Vec<(i64, Option<NaiveDateTime>)> = articles_table::table
            .filter(articles_table::status.eq("published"))
            .filter(articles_table::published_at.gt(since))
            .filter(articles_table::published_at.le(until))
            .select((articles_table::id, articles_table::published_at))
            .load(conn)?;
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
