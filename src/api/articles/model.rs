//! What the article endpoints read and write, and how input is checked.

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::api::json::Patch;
use crate::api::respond::PageMeta;
use crate::api::sections::check_slug;
use crate::api::tags::MAX_TAG_NAME;
use crate::content::markdown::TocEntry;
use crate::content::status::ArticleStatus;
use crate::store::articles::{self as store, Article, ArticleContent, ArticlePatch, CoverImage, Seo};
use crate::validation::{Errors, FieldError};

pub const MAX_TITLE: usize = 300;
pub const MAX_EXCERPT: usize = 1000;
pub const MAX_TAGS: usize = 50;
pub const MAX_METADATA_BYTES: usize = 16 * 1024;
pub const MAX_METADATA_DEPTH: usize = 8;

/// The article's section, embedded.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionRef {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "blogs")]
    pub slug: String,
    #[schema(example = "Blogs")]
    pub name: String,
}

/// One of the article's tags, embedded.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagRef {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "dry-needling")]
    pub slug: String,
    #[schema(example = "Dry Needling")]
    pub name: String,
}

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

/// Search-engine fields.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeoFields {
    /// Overrides the title in `<title>`; at most 300 characters.
    #[schema(
        example = "Dry Needling for Muscle Recovery",
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub meta_title: Option<String>,
    /// At most 500 characters.
    #[schema(max_length = 500, pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$")]
    pub meta_description: Option<String>,
    /// An absolute http(s) URL.
    #[schema(
        example = "https://clinic.example/blog/dry-needling",
        pattern = "^[hH][tT][tT][pP][sS]?://[^\\s\\u0000-\\u001f\\u007f-\\u009f]+$",
        max_length = 2000
    )]
    pub canonical_url: Option<String>,
}

/// The article's lead image.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverImageFields {
    /// An absolute http(s) URL.
    #[schema(
        example = "https://clinic.example/images/dry-needling.jpg",
        pattern = "^[hH][tT][tT][pP][sS]?://[^\\s\\u0000-\\u001f\\u007f-\\u009f]+$",
        max_length = 2000
    )]
    pub url: String,
    /// Alternative text; empty for a decorative image.
    #[serde(default)]
    #[schema(
        example = "A physiotherapist treating a calf muscle",
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub alt: String,
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
    #[schema(value_type = super::shapes::Seo)]
    pub seo: SeoFields,
    #[schema(value_type = Option<super::shapes::CoverImage>, required = true)]
    pub cover_image: Option<CoverImageFields>,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub data: Vec<ArticleSummary>,
    pub meta: PageMeta,
}

impl From<store::SectionRef> for SectionRef {
    fn from(s: store::SectionRef) -> Self {
        Self { id: s.id, slug: s.slug, name: s.name }
    }
}

impl From<store::TagRef> for TagRef {
    fn from(t: store::TagRef) -> Self {
        Self { id: t.id, slug: t.slug, name: t.name }
    }
}

impl From<Seo> for SeoFields {
    fn from(seo: Seo) -> Self {
        Self { meta_title: seo.meta_title, meta_description: seo.meta_description, canonical_url: seo.canonical_url }
    }
}

impl From<CoverImage> for CoverImageFields {
    fn from(cover: CoverImage) -> Self {
        Self { url: cover.url, alt: cover.alt }
    }
}

fn fields(article: Article) -> (ArticleFields, String, String) {
    let row = article.row;
    let fields = ArticleFields {
        id: row.id,
        slug: row.slug,
        title: row.title,
        excerpt: row.excerpt,
        toc: article.toc,
        word_count: row.word_count,
        reading_time_minutes: row.reading_time_minutes,
        status: article.status,
        published_at: row.published_at.map(|at| at.and_utc()),
        section: article.section.map(SectionRef::from),
        tags: article.tags.into_iter().map(TagRef::from).collect(),
        author: AuthorRef { id: article.author.id, display_name: article.author.display_name, bio: article.author.bio },
        seo: SeoFields {
            meta_title: row.seo_meta_title,
            meta_description: row.seo_meta_description,
            canonical_url: row.seo_canonical_url,
        },
        cover_image: row
            .cover_image_url
            .map(|url| CoverImageFields { url, alt: row.cover_image_alt.unwrap_or_default() }),
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
        Self { fields, body_markdown, body_html }
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

/// A tag given by name; a missing tag is created for editors, an author naming one gets 422.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct TagName(pub String);

impl utoipa::PartialSchema for TagName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .description(Some("A tag name; a missing tag is created for editors, an author naming one gets 422."))
            .min_length(Some(1))
            .max_length(Some(MAX_TAG_NAME))
            .pattern(Some(
                r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$",
            ))
            .into()
    }
}

impl ToSchema for TagName {}

/// A new article.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArticle {
    #[schema(
        example = "The Science Behind Dry Needling for Muscle Recovery",
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub title: String,
    /// Derived from the title (ASCII, made unique) when absent; an explicit slug that is taken is a 409.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    pub slug: Option<String>,
    /// Derived from the body when absent.
    #[schema(max_length = 1000, pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$")]
    pub excerpt: Option<String>,
    /// CommonMark with tables. A body nested deeper than 64 elements (lists, quotes, raw HTML),
    /// with more than 20,000 elements, or with raw HTML past 64 attributes on a tag or 40,000 in all is 422.
    #[schema(
        example = "Muscle recovery can feel challenging…\n\n## Understanding Muscle Damage\n",
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub body_markdown: String,
    /// A section's slug.
    #[schema(example = "blogs", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    pub section: Option<String>,
    /// Tag names, in order, at most 50. Editors create missing tags; authors attach existing ones only
    /// (an unknown name: 422 naming it, e.g. `/tags/0`).
    #[schema(example = json!(["Dry Needling", "Muscle Recovery"]), max_items = 50)]
    pub tags: Option<Vec<TagName>>,
    /// Defaults to `draft`. Authors may only write drafts. `scheduled` needs a future `published_at`.
    pub status: Option<ArticleStatus>,
    /// When it goes live; defaults to now on publishing. A future date makes it `scheduled`.
    /// Years 0001 to 9999. Editors only: an author sending it, even as null, gets 403.
    #[serde(default)]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub published_at: Patch<DateTime<Utc>>,
    pub seo: Option<SeoFields>,
    pub cover_image: Option<CoverImageFields>,
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub metadata: Option<Map<String, Value>>,
}

/// Changes to an article: absent fields stay, `null` clears a nullable one
/// (and re-derives the excerpt). Send `version` or `If-Match`. Authors change only
/// their own drafts, and only as drafts; publishing, unpublishing and later changes are an editor's.
/// `published_at` (years 0001 to 9999) is an editor's field: an author sending it, even as null, gets 403.
/// Authors attach existing tags only (an unknown name: 422 naming it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticle {
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = String, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000, pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$")]
    pub excerpt: Patch<String>,
    #[serde(default)]
    #[schema(value_type = String, pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$")]
    pub body_markdown: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    pub section: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Vec<TagName>, max_items = 50)]
    pub tags: Patch<Vec<TagName>>,
    #[serde(default)]
    #[schema(value_type = ArticleStatus)]
    pub status: Patch<ArticleStatus>,
    #[serde(default)]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub published_at: Patch<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = SeoFields)]
    pub seo: Patch<SeoFields>,
    #[serde(default)]
    #[schema(value_type = Option<CoverImageFields>)]
    pub cover_image: Patch<CoverImageFields>,
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub metadata: Patch<Map<String, Value>>,
    /// The version this change is based on; stale → 409 with the current version.
    #[schema(minimum = 1)]
    pub version: Option<i64>,
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn check_metadata(errors: &mut Errors, metadata: Map<String, Value>) -> Map<String, Value> {
    let value = Value::Object(metadata);
    if value.to_string().len() > MAX_METADATA_BYTES {
        errors.add("/metadata", format!("must be at most {MAX_METADATA_BYTES} bytes serialised"));
    } else if depth(&value) > MAX_METADATA_DEPTH {
        errors.add("/metadata", format!("must be at most {MAX_METADATA_DEPTH} levels deep"));
    }
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn check_tags(errors: &mut Errors, names: Vec<TagName>) -> Vec<String> {
    if names.len() > MAX_TAGS {
        errors.add("/tags", format!("must have at most {MAX_TAGS} tags"));
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::new();
    let mut kept = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let name = errors.line(&format!("/tags/{i}"), &name.0, MAX_TAG_NAME);
        if seen.insert(crate::store::tags::name_key(&name)) {
            kept.push(name);
        }
    }
    kept
}

fn check_seo(errors: &mut Errors, seo: SeoFields) -> Seo {
    Seo {
        meta_title: seo.meta_title.map(|t| errors.line("/seo/meta_title", &t, MAX_TITLE)),
        meta_description: seo.meta_description.map(|d| errors.text("/seo/meta_description", &d, 500)),
        canonical_url: seo.canonical_url.map(|u| errors.url("/seo/canonical_url", &u)),
    }
}

fn check_cover(errors: &mut Errors, cover: CoverImageFields) -> CoverImage {
    CoverImage {
        url: errors.url("/cover_image/url", &cover.url),
        alt: errors.text("/cover_image/alt", &cover.alt, 500),
    }
}

fn check_section(errors: &mut Errors, slug: String) -> String {
    if !crate::content::slug::is_valid(&slug) {
        errors.add("/section", "no section has this slug");
    }
    slug
}

/// A date with a four-digit year: stored as text, dates then sort as they compare.
pub fn check_date(errors: &mut Errors, field: &str, at: DateTime<Utc>) -> NaiveDateTime {
    if !(1..=9999).contains(&at.year()) {
        errors.add(field, "must have a year from 0001 to 9999");
    }
    at.naive_utc()
}

impl CreateArticle {
    /// Whether the body names `published_at` at all (an editor's field).
    pub fn sends_published_at(&self) -> bool {
        !matches!(self.published_at, Patch::Absent)
    }

    pub fn validate(self) -> Result<ArticleContent, Vec<FieldError>> {
        let mut errors = Errors::default();
        let content = ArticleContent {
            title: errors.line("/title", &self.title, MAX_TITLE),
            slug: self.slug.map(|s| check_slug(&mut errors, "/slug", s)),
            excerpt: self.excerpt.map(|e| errors.text("/excerpt", &e, MAX_EXCERPT)),
            body_markdown: errors.text("/body_markdown", &self.body_markdown, usize::MAX),
            section: self.section.map(|s| check_section(&mut errors, s)),
            tags: check_tags(&mut errors, self.tags.unwrap_or_default()),
            status: self.status.unwrap_or(ArticleStatus::Draft),
            published_at: match self.published_at {
                Patch::Value(at) => Some(check_date(&mut errors, "/published_at", at)),
                Patch::Absent | Patch::Null => None,
            },
            seo: self.seo.map(|s| check_seo(&mut errors, s)).unwrap_or_default(),
            cover_image: self.cover_image.map(|c| check_cover(&mut errors, c)),
            metadata: check_metadata(&mut errors, self.metadata.unwrap_or_default()),
        };
        errors.finish(content)
    }
}

impl UpdateArticle {
    pub fn validate(self) -> Result<(ArticlePatch, Option<i64>), Vec<FieldError>> {
        let mut e = Errors::default();
        let patch = ArticlePatch {
            title: self.title.required(&mut e, "/title").map(|t| e.line("/title", &t, MAX_TITLE)),
            slug: self.slug.required(&mut e, "/slug").map(|s| check_slug(&mut e, "/slug", s)),
            excerpt: self.excerpt.nullable().map(|x| x.map(|x| e.text("/excerpt", &x, MAX_EXCERPT))),
            body_markdown: self
                .body_markdown
                .required(&mut e, "/body_markdown")
                .map(|b| e.text("/body_markdown", &b, usize::MAX)),
            section: self.section.nullable().map(|s| s.map(|s| check_section(&mut e, s))),
            tags: self.tags.required(&mut e, "/tags").map(|t| check_tags(&mut e, t)),
            status: self.status.required(&mut e, "/status"),
            published_at: self.published_at.nullable().map(|at| at.map(|at| check_date(&mut e, "/published_at", at))),
            seo: self.seo.required(&mut e, "/seo").map(|s| check_seo(&mut e, s)),
            cover_image: self.cover_image.nullable().map(|c| c.map(|c| check_cover(&mut e, c))),
            metadata: self.metadata.required(&mut e, "/metadata").map(|m| check_metadata(&mut e, m)),
        };
        e.finish((patch, self.version))
    }
}
