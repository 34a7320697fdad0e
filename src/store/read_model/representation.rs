//! An article's public representation: the article with its body, the summary a list
//! shows, and what they embed. The read model stores them as JSON ([`super`]); the API
//! answers them and documents them (`ToSchema`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::content::markdown::TocEntry;
use crate::content::status::ArticleStatus;
pub use crate::store::articles::translations::Translation;
use crate::store::articles::{self as store, Article};

/// What an article embeds of a term (its section, each of its tags): the id, slug and
/// name, converted from the store's embedded type of the same name.
macro_rules! term_ref {
    ($(#[$doc:meta])* $name:ident, slug $slug:literal, name $display:literal) => {
        $(#[$doc])*
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            #[schema(example = 1)]
            pub id: i64,
            #[schema(example = $slug)]
            pub slug: String,
            #[schema(example = $display)]
            pub name: String,
        }

        impl From<store::$name> for $name {
            fn from(term: store::$name) -> Self {
                let name = term.local_name.unwrap_or(term.name);
                Self { id: term.id, slug: term.slug, name }
            }
        }
    };
}

term_ref!(
    /// The article's section, embedded.
    SectionRef, slug "blogs", name "Blogs"
);
term_ref!(
    /// One of the article's tags, embedded.
    TagRef, slug "dry-needling", name "Dry Needling"
);

/// The article's author, embedded; never their email.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorRef {
    #[schema(example = 2)]
    pub id: i64,
    #[schema(example = "Nick Lorem")]
    pub display_name: String,
    #[schema(required = true)]
    pub bio: Option<String>,
}

/// Search-engine fields, as sent: each one null when unset.
#[derive(Debug, Serialize, ToSchema)]
pub struct Seo {
    /// Overrides the title in `<title>`.
    #[schema(required = true, example = "Dry Needling for Muscle Recovery")]
    pub meta_title: Option<String>,
    #[schema(required = true)]
    pub meta_description: Option<String>,
    /// An absolute http(s) URL.
    #[schema(required = true, example = "https://clinic.example/blog/dry-needling")]
    pub canonical_url: Option<String>,
}

/// The article's lead image: at a URL as sent, or a media item with its file's URL and size.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverImage {
    /// An absolute http(s) URL, or a media item's file (`/api/v1/media/files/{sha256}.{ext}`).
    #[schema(example = "/api/v1/media/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.jpg")]
    pub url: String,
    /// Alternative text; `""` for a decorative image.
    #[schema(example = "A physiotherapist treating a calf muscle")]
    pub alt: String,
    /// The media item, when the cover is one.
    #[schema(required = true, example = 4)]
    pub media_id: Option<i64>,
    /// In pixels, when the cover is a media item whose format has a size; else null.
    #[schema(required = true, example = 1600)]
    pub width: Option<i32>,
    #[schema(required = true, example = 900)]
    pub height: Option<i32>,
}

/// Every article field but the body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleFields {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "the-science-behind-dry-needling-for-muscle-recovery")]
    pub slug: String,
    #[schema(example = "The Science Behind Dry Needling for Muscle Recovery")]
    pub title: String,
    /// Its locale, one of the site's (`FOLIO_LOCALES`), in canonical case: what `Content-Language` says of it.
    #[schema(example = "en")]
    pub locale: String,
    /// Given by the editor, or derived from the body's first paragraph.
    pub excerpt: String,
    /// Every heading of the body, in order.
    pub toc: Vec<TocEntry>,
    /// Words in the body's text.
    #[schema(example = 2163)]
    pub word_count: i32,
    /// `ceil(word_count / 230)`, at least 1.
    #[schema(example = 10)]
    pub reading_time_minutes: i32,
    pub status: ArticleStatus,
    /// When it went (or goes) live; null for a draft never published.
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub section: Option<SectionRef>,
    /// In the order the editor gave them.
    pub tags: Vec<TagRef>,
    pub author: AuthorRef,
    pub seo: Seo,
    #[schema(required = true)]
    pub cover_image: Option<CoverImage>,
    /// Free JSON object (at most 16 KiB, 8 levels deep).
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub metadata: Value,
    /// Incremented by every change; send it back in PATCH for optimistic concurrency.
    #[schema(example = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An article with its body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleResponse {
    #[serde(flatten)]
    pub fields: ArticleFields,
    /// What the editor wrote: CommonMark with tables.
    pub body_markdown: String,
    /// The body rendered and sanitised, with an `id` on every heading.
    pub body_html: String,
    /// The other translations of the article the caller may read now, by locale (the public: the live
    /// ones; one going live on schedule appears then): for `hreflang` links and a language switcher.
    /// Stored documents leave it out; every answer has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = true, value_type = Vec<Translation>)]
    pub translations: Option<Vec<Translation>>,
}

/// An article in a list: the body only with `include=body`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    #[serde(flatten)]
    pub fields: ArticleFields,
    /// Present with `include=body`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_markdown: Option<String>,
    /// Present with `include=body`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// With `q`: the passage that matched, as HTML-escaped text with `<mark>` around the terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "how <mark>dry</mark> <mark>needling</mark> may support muscle recovery")]
    pub snippet: Option<String>,
}

impl From<store::Seo> for Seo {
    fn from(seo: store::Seo) -> Self {
        Self { meta_title: seo.meta_title, meta_description: seo.meta_description, canonical_url: seo.canonical_url }
    }
}

impl From<store::CoverImage> for CoverImage {
    fn from(cover: store::CoverImage) -> Self {
        Self { url: cover.url, alt: cover.alt, media_id: cover.media_id, width: None, height: None }
    }
}

fn fields(article: Article) -> (ArticleFields, String, String) {
    let row = article.row;
    let fields = ArticleFields {
        id: row.id,
        slug: row.slug,
        title: row.title,
        locale: row.locale,
        excerpt: row.excerpt,
        toc: article.toc,
        word_count: row.word_count,
        reading_time_minutes: row.reading_time_minutes,
        status: article.status,
        published_at: row.published_at.map(|at| at.and_utc()),
        section: article.section.map(SectionRef::from),
        tags: article.tags.into_iter().map(TagRef::from).collect(),
        author: AuthorRef { id: article.author.id, display_name: article.author.display_name, bio: article.author.bio },
        seo: Seo {
            meta_title: row.seo_meta_title,
            meta_description: row.seo_meta_description,
            canonical_url: row.seo_canonical_url,
        },
        cover_image: row.cover_image_url.map(|url| CoverImage {
            url,
            alt: row.cover_image_alt.unwrap_or_default(),
            media_id: row.cover_media_id,
            width: row.cover_image_width,
            height: row.cover_image_height,
        }),
        metadata: article.metadata,
        version: row.version,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    };
    (fields, row.body_markdown, row.body_html)
}

impl From<Article> for ArticleResponse {
    fn from(article: Article) -> Self {
        let (fields, body_markdown, body_html) = fields(article);
        Self { fields, body_markdown, body_html, translations: None }
    }
}

impl ArticleSummary {
    pub fn new(article: Article, snippet: Option<String>, include_body: bool) -> Self {
        let (fields, markdown, html) = fields(article);
        Self {
            fields,
            body_markdown: include_body.then_some(markdown),
            body_html: include_body.then_some(html),
            snippet,
        }
    }
}
