//! What an editor writes about an article: the whole content, or a patch laid over it.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Article;
use crate::content::status::ArticleStatus;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seo {
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
}

/// An article's lead image: at a URL, or a media item (whose URL the write fills in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverImage {
    pub url: String,
    pub alt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_id: Option<i64>,
}

/// Everything an editor writes about an article, validated; the rest is derived.
#[derive(Debug, Clone)]
pub struct ArticleContent {
    pub title: String,
    /// An explicit slug; `None` derives one from the title (on create) or keeps the current one.
    pub slug: Option<String>,
    /// An explicit excerpt; `None` derives one from the body.
    pub excerpt: Option<String>,
    pub body_markdown: String,
    /// A section slug.
    pub section: Option<String>,
    /// Tag names in order, trimmed and without case-insensitive duplicates.
    pub tags: Vec<String>,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub seo: Seo,
    pub cover_image: Option<CoverImage>,
    pub metadata: Map<String, Value>,
}

/// A validated PATCH: `None` leaves a field alone; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct ArticlePatch {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub excerpt: Option<Option<String>>,
    pub body_markdown: Option<String>,
    pub section: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub status: Option<ArticleStatus>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub seo: Option<Seo>,
    pub cover_image: Option<Option<CoverImage>>,
    pub metadata: Option<Map<String, Value>>,
    /// A configured locale, canonical: the article moves there (its group must not hold it).
    pub locale: Option<String>,
}

impl ArticleContent {
    /// The content of a stored article, as an editor would resend it.
    pub fn of(article: &Article) -> Self {
        let row = &article.row;
        Self {
            title: row.title.clone(),
            slug: Some(row.slug.clone()),
            excerpt: row.excerpt_is_custom.then(|| row.excerpt.clone()),
            body_markdown: row.body_markdown.clone(),
            section: article.section.as_ref().map(|s| s.slug.clone()),
            tags: article.tags.iter().map(|t| t.name.clone()).collect(),
            // A scheduled article is a published one with a date ahead; resending it must
            // not fail once that date has passed.
            status: match article.status {
                ArticleStatus::Scheduled => ArticleStatus::Published,
                other => other,
            },
            published_at: row.published_at,
            seo: Seo {
                meta_title: row.seo_meta_title.clone(),
                meta_description: row.seo_meta_description.clone(),
                canonical_url: row.seo_canonical_url.clone(),
            },
            cover_image: row.cover_image_url.clone().map(|url| CoverImage {
                url,
                alt: row.cover_image_alt.clone().unwrap_or_default(),
                media_id: row.cover_media_id,
            }),
            metadata: match &article.metadata {
                Value::Object(map) => map.clone(),
                _ => Map::new(),
            },
        }
    }

    /// This content with the patch's fields laid over it.
    pub fn patched(self, patch: ArticlePatch) -> Self {
        Self {
            title: patch.title.unwrap_or(self.title),
            slug: patch.slug.or(self.slug),
            excerpt: patch.excerpt.unwrap_or(self.excerpt),
            body_markdown: patch.body_markdown.unwrap_or(self.body_markdown),
            section: patch.section.unwrap_or(self.section),
            tags: patch.tags.unwrap_or(self.tags),
            status: patch.status.unwrap_or(self.status),
            published_at: patch.published_at.unwrap_or(self.published_at),
            seo: patch.seo.unwrap_or(self.seo),
            cover_image: patch.cover_image.unwrap_or(self.cover_image),
            metadata: patch.metadata.unwrap_or(self.metadata),
        }
    }
}
