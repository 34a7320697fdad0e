//! The changes feed: what changed in public content, oldest first, read from the
//! outbox's events ([`super::outbox`]), and how long those events are kept.
//!
//! The events are the webhooks' own, so the feed and the webhooks never disagree. The
//! feed shows what the public saw change: an article going live, changing while live,
//! or no longer being live (`article.removed`: unpublished, archived, rescheduled
//! ahead, or deleted while live); sections and tags, which are public, as they come.
//! An article deleted before the public ever saw it never appears, and test pings
//! never do.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::{write_tx, Conn, StoreResult};
use crate::content::events::{EventType, PING};
use crate::content::status::ArticleStatus;
use crate::db::schema::{webhook_deliveries, webhook_events};

/// A change as the feed shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The event's id: its place in the order of all events.
    pub sequence: i64,
    pub kind: ChangeKind,
    pub id: i64,
    pub slug: String,
    /// An article's locale, as its event says it; `None` for the other resources, and
    /// for an article event written before articles had locales.
    pub locale: Option<String>,
    pub occurred_at: NaiveDateTime,
}

/// What happened, in the feed's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// An event that keeps its webhook name (`article.published`, `tag.updated`…).
    Event(EventType),
    /// An article the public could read is no longer readable.
    ArticleRemoved,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Event(event) => event.as_str(),
            Self::ArticleRemoved => "article.removed",
        }
    }

    /// `article`, `section`, `tag` or `media`: the part of the type before its dot.
    pub fn resource(self) -> &'static str {
        self.as_str().split_once('.').map_or("", |(resource, _)| resource)
    }
}

/// What the feed reads of an event's `data`: every event's names its resource so.
#[derive(Deserialize)]
struct Named {
    id: i64,
    /// Media have none: their changes show an empty slug.
    #[serde(default)]
    slug: String,
    /// Articles' only.
    locale: Option<String>,
    status: Option<ArticleStatus>,
}

/// The change the public sees in event `kind` with `data`, if any.
fn public_change(kind: &str, data: &Named) -> Option<ChangeKind> {
    let event = EventType::parse(kind)?;
    match event {
        EventType::ArticleUnpublished => Some(ChangeKind::ArticleRemoved),
        // A deleted article reports the status it had: only a live one was seen.
        EventType::ArticleDeleted => {
            data.status.is_some_and(ArticleStatus::is_live).then_some(ChangeKind::ArticleRemoved)
        }
        EventType::All => None,
        event => Some(ChangeKind::Event(event)),
    }
}

/// Up to `limit` public changes after event `after`, oldest first, and the last event
/// looked at (the feed's position once these are read): events that show the public
/// nothing are passed over, so a page is short only when the feed is caught up.
pub fn after(conn: &mut Conn, after: i64, limit: usize) -> StoreResult<(Vec<Change>, i64, bool)> {
    let batch = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
    let (mut changes, mut last) = (Vec::new(), after);
    loop {
        let rows: Vec<(i64, String, String, NaiveDateTime)> = webhook_events::table
            .filter(webhook_events::id.gt(last))
            .filter(webhook_events::kind.ne(PING))
            .order(webhook_events::id)
            .limit(batch)
            .select((webhook_events::id, webhook_events::kind, webhook_events::payload, webhook_events::created_at))
            .load(conn)?;
        let exhausted = rows.len() < usize::try_from(batch).unwrap_or(usize::MAX);
        for (sequence, kind, payload, occurred_at) in rows {
            last = sequence;
            // Every payload is folio's own; one it cannot read shows nothing.
            let Ok(data) = serde_json::from_str::<Named>(&payload) else { continue };
            if let Some(kind) = public_change(&kind, &data) {
                changes.push(Change { sequence, kind, id: data.id, slug: data.slug, locale: data.locale, occurred_at });
                if changes.len() == limit {
                    return Ok((changes, last, false));
                }
            }
        }
        if exhausted {
            return Ok((changes, last, true));
        }
    }
}

/// When the event `sequence` happened, if it is still kept.
pub fn occurred_at(conn: &mut Conn, sequence: i64) -> StoreResult<Option<NaiveDateTime>> {
    Ok(webhook_events::table
        .filter(webhook_events::id.eq(sequence))
        .select(webhook_events::created_at)
        .first(conn)
        .optional()?)
}

/// Events [`prune`] removes at most per call: one short write, so that a long
/// history is pruned between other writes, not ahead of them.
pub const PRUNE_BATCH: usize = 1_000;

/// Removes up to [`PRUNE_BATCH`] of the events that happened before `before`, with
/// their deliveries and attempt logs, except those a webhook still waits to retry;
/// returns how many. Call again while it returns a full batch.
pub fn prune(conn: &mut Conn, before: NaiveDateTime) -> StoreResult<usize> {
    write_tx(conn, |conn| {
        let pending = webhook_deliveries::table
            .filter(webhook_deliveries::event_id.eq(webhook_events::id))
            .filter(webhook_deliveries::delivered_at.is_null())
            .filter(webhook_deliveries::next_attempt_at.is_not_null());
        // Oldest first along the primary key: the old events are its start.
        let old: Vec<i64> = webhook_events::table
            .filter(webhook_events::created_at.lt(before))
            .filter(webhook_events::dispatched_at.is_not_null())
            .filter(diesel::dsl::not(diesel::dsl::exists(pending)))
            .order(webhook_events::id)
            .limit(i64::try_from(PRUNE_BATCH).unwrap_or(1_000))
            .select(webhook_events::id)
            .load(conn)?;
        // Deliveries and their attempts go with their event (ON DELETE CASCADE).
        Ok(diesel::delete(webhook_events::table.filter(webhook_events::id.eq_any(&old))).execute(conn)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(status: Option<ArticleStatus>) -> Named {
        Named { id: 1, slug: "a".into(), locale: None, status }
    }

    #[test]
    fn the_public_sees_removals_of_what_it_could_read_only() {
        let live = named(Some(ArticleStatus::Published));
        assert_eq!(public_change("article.unpublished", &live), Some(ChangeKind::ArticleRemoved));
        assert_eq!(public_change("article.deleted", &live), Some(ChangeKind::ArticleRemoved));
        for never_seen in [ArticleStatus::Draft, ArticleStatus::Scheduled, ArticleStatus::Archived] {
            assert_eq!(public_change("article.deleted", &named(Some(never_seen))), None, "{never_seen:?}");
        }
        assert_eq!(public_change("article.published", &live), Some(ChangeKind::Event(EventType::ArticlePublished)));
        assert_eq!(public_change("tag.deleted", &named(None)), Some(ChangeKind::Event(EventType::TagDeleted)));
        assert_eq!(public_change("ping", &named(None)), None);
    }

    #[test]
    fn each_kind_names_its_resource() {
        assert_eq!(ChangeKind::ArticleRemoved.resource(), "article");
        assert_eq!(ChangeKind::Event(EventType::SectionCreated).resource(), "section");
        assert_eq!(ChangeKind::Event(EventType::TagUpdated).resource(), "tag");
        assert_eq!(ChangeKind::Event(EventType::MediaDeleted).resource(), "media");
    }

    #[test]
    fn media_events_show_without_a_slug() {
        let data: Named =
            serde_json::from_str(r#"{"id": 4, "sha256": "ab", "url": "/x"}"#).unwrap_or_else(|_| named(None));
        assert_eq!((data.id, data.slug.as_str()), (4, ""));
        assert_eq!(public_change("media.created", &data), Some(ChangeKind::Event(EventType::MediaCreated)));
    }
}
