//! What webhooks announce: the closed list of event types, and which a webhook wants.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::locale::{LocalName, LocalNames};
use super::status::ArticleStatus;

/// An event a webhook can subscribe to; `*` subscribes to all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    /// An article became live: published now, or a scheduled article's moment came.
    #[serde(rename = "article.published")]
    ArticlePublished,
    /// A live article changed and is still live.
    #[serde(rename = "article.updated")]
    ArticleUpdated,
    /// A live article stopped being live (draft, archived, or rescheduled ahead).
    #[serde(rename = "article.unpublished")]
    ArticleUnpublished,
    /// An article was deleted, whatever its status (`data.status` says which it had).
    #[serde(rename = "article.deleted")]
    ArticleDeleted,
    #[serde(rename = "section.created")]
    SectionCreated,
    #[serde(rename = "section.updated")]
    SectionUpdated,
    #[serde(rename = "section.deleted")]
    SectionDeleted,
    /// Also when an editor's article names a tag that did not exist.
    #[serde(rename = "tag.created")]
    TagCreated,
    #[serde(rename = "tag.updated")]
    TagUpdated,
    #[serde(rename = "tag.deleted")]
    TagDeleted,
    /// A file was uploaded (each upload, even of bytes stored already).
    #[serde(rename = "media.created")]
    MediaCreated,
    #[serde(rename = "media.deleted")]
    MediaDeleted,
    /// `*`: every event above (never `ping`, which goes to one webhook on request).
    #[serde(rename = "*")]
    All,
}

impl EventType {
    /// Every event type a change can cause, `*` excluded.
    pub const EVENTS: [Self; 12] = [
        Self::ArticlePublished,
        Self::ArticleUpdated,
        Self::ArticleUnpublished,
        Self::ArticleDeleted,
        Self::SectionCreated,
        Self::SectionUpdated,
        Self::SectionDeleted,
        Self::TagCreated,
        Self::TagUpdated,
        Self::TagDeleted,
        Self::MediaCreated,
        Self::MediaDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArticlePublished => "article.published",
            Self::ArticleUpdated => "article.updated",
            Self::ArticleUnpublished => "article.unpublished",
            Self::ArticleDeleted => "article.deleted",
            Self::SectionCreated => "section.created",
            Self::SectionUpdated => "section.updated",
            Self::SectionDeleted => "section.deleted",
            Self::TagCreated => "tag.created",
            Self::TagUpdated => "tag.updated",
            Self::TagDeleted => "tag.deleted",
            Self::MediaCreated => "media.created",
            Self::MediaDeleted => "media.deleted",
            Self::All => "*",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::EVENTS.into_iter().chain([Self::All]).find(|e| e.as_str() == text)
    }
}

/// Whether a webhook subscribed to `subscribed` (stored names) wants an event of type `kind`.
pub fn wants(subscribed: &[String], kind: &str) -> bool {
    subscribed.iter().any(|s| s == kind || s == EventType::All.as_str())
}

/// A section or tag an article is filed under, as events name it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventRef {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "treatments")]
    pub slug: String,
}

/// `data` of the `article.*` events: the article as it is after the change (before
/// it, for `article.deleted`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleEventData {
    #[schema(example = 12)]
    pub id: i64,
    #[schema(example = "dry-needling")]
    pub slug: String,
    /// Its locale, one of `FOLIO_LOCALES` in canonical case: with `slug`, what names it
    /// (slugs are unique per locale).
    #[schema(example = "en")]
    pub locale: String,
    #[schema(example = "Dry needling")]
    pub title: String,
    pub status: ArticleStatus,
    #[schema(example = 3)]
    pub version: i32,
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    #[schema(required = true)]
    pub section: Option<EventRef>,
    pub tags: Vec<EventRef>,
    /// What a CDN purges: `article-{id}`, `section-{id}`, `tag-{id}` of each tag, and `articles`.
    #[schema(example = json!(["article-12", "section-3", "tag-7", "articles"]))]
    pub cache_tags: Vec<String>,
}

/// `data` of the `section.*` events: the section after the change (before it, when deleted).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionEventData {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "treatments")]
    pub slug: String,
    #[schema(example = "Treatments")]
    pub name: String,
    #[schema(required = true)]
    pub parent_id: Option<i64>,
    /// Its name and description by locale (the configured locales that have them).
    #[schema(value_type = BTreeMap<String, LocalName>)]
    pub translations: LocalNames,
    /// `section-{id}`, `sections` and `articles` (articles embed their section).
    #[schema(example = json!(["section-3", "sections", "articles"]))]
    pub cache_tags: Vec<String>,
}

/// `data` of the `tag.*` events: the tag after the change (before it, when deleted).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagEventData {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "sports-injuries")]
    pub slug: String,
    #[schema(example = "Sports injuries")]
    pub name: String,
    /// Its name and description by locale (the configured locales that have them).
    #[schema(value_type = BTreeMap<String, LocalName>)]
    pub translations: LocalNames,
    /// `tag-{id}`, `tags` and `articles` (articles embed their tags).
    #[schema(example = json!(["tag-7", "tags", "articles"]))]
    pub cache_tags: Vec<String>,
}

/// `data` of the `media.*` events: the media item (before it went, when deleted).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaEventData {
    #[schema(example = 5)]
    pub id: i64,
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    #[schema(example = "/api/v1/media/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.jpg")]
    pub url: String,
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    /// `media-{id}` and `media`.
    #[schema(example = json!(["media-5", "media"]))]
    pub cache_tags: Vec<String>,
}

/// `data` of a `ping`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PingEventData {
    #[schema(example = 1)]
    pub webhook_id: i64,
    #[schema(example = "https://hooks.example.com/folio")]
    pub url: String,
}

/// The type of the signed test event `POST /webhooks/{id}/test` sends.
pub const PING: &str = "ping";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_and_matches_its_serde_name() {
        for event in EventType::EVENTS.into_iter().chain([EventType::All]) {
            assert_eq!(EventType::parse(event.as_str()), Some(event));
            let json = serde_json::to_value(event).unwrap_or_default();
            assert_eq!(json.as_str(), Some(event.as_str()));
        }
    }

    #[test]
    fn star_wants_every_event_and_a_list_only_its_own() {
        assert!(wants(&["*".into()], "tag.deleted"));
        assert!(wants(&["tag.deleted".into()], "tag.deleted"));
        assert!(!wants(&["tag.created".into()], "tag.deleted"));
    }
}
