//! What the article endpoints take: a new article and changes to one, and how they are checked.

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{PartialSchema, ToSchema};

use crate::api::articles::locales::configured;
use crate::api::json::Patch;
use crate::content::locale::Locales;
use crate::content::status::ArticleStatus;
use crate::domain::text::{MAX_EXCERPT, MAX_NAME, MAX_SHORT_TEXT, MAX_TITLE};
use crate::domain::Title;
use crate::store::articles::{ArticleContent, ArticlePatch, CoverImage, Seo};
use crate::validation::Errors;

pub const MAX_TAGS: usize = 50;
pub const MAX_METADATA_BYTES: usize = 16 * 1024;
pub const MAX_METADATA_DEPTH: usize = 8;

/// Search-engine fields.
#[derive(Debug, Deserialize, ToSchema)]
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

/// The article's lead image: `url` or `media_id`, one of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverImageFields {
    /// An absolute http(s) URL.
    #[schema(
        example = "https://clinic.example/images/dry-needling.jpg",
        pattern = "^[hH][tT][tT][pP][sS]?://[^\\s\\u0000-\\u001f\\u007f-\\u009f]+$",
        max_length = 2000
    )]
    pub url: Option<String>,
    /// A media item (`POST /media`): the response then carries its file's URL, width and height. Unknown: 422.
    #[schema(example = 4, minimum = 1)]
    pub media_id: Option<i64>,
    /// Alternative text; empty for a decorative image.
    #[serde(default)]
    #[schema(
        example = "A physiotherapist treating a calf muscle",
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub alt: String,
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
            .max_length(Some(MAX_NAME))
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
    // Documented by the schema of a `Title`, the rule `validate` checks it by.
    #[schema(schema_with = Title::schema)]
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
    /// One of the site's locales (`FOLIO_LOCALES`, compared case-insensitively, answered in canonical case);
    /// default: the site's default. Required with `translation_of`. Other locales: 422.
    #[schema(example = "en", max_length = 100)]
    pub locale: Option<String>,
    /// The id of the article this one translates: it joins that article's translation group and takes the
    /// group's section and tags (sending `section` or `tags` too is 422). A group already holding `locale`:
    /// 409; an article the caller may not read, or none: 404.
    #[schema(example = 1, minimum = 1)]
    pub translation_of: Option<i64>,
}

/// Where a new article goes, read from its body.
#[derive(Debug, Clone)]
pub struct Placing {
    pub locale: String,
    pub translation_of: Option<i64>,
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
    /// Moves the article to another of the site's locales, one its translation group does not hold (else 409).
    #[serde(default)]
    #[schema(value_type = String, example = "fr", max_length = 100)]
    pub locale: Patch<String>,
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
        let name = errors.line(&format!("/tags/{i}"), &name.0, MAX_NAME);
        if seen.insert(crate::store::tags::name_key(&name)) {
            kept.push(name);
        }
    }
    kept
}

fn check_seo(errors: &mut Errors, seo: SeoFields) -> Seo {
    Seo {
        meta_title: seo.meta_title.map(|t| errors.line("/seo/meta_title", &t, MAX_TITLE)),
        meta_description: seo.meta_description.map(|d| errors.text("/seo/meta_description", &d, MAX_SHORT_TEXT)),
        canonical_url: seo.canonical_url.map(|u| errors.url("/seo/canonical_url", &u)),
    }
}

fn check_cover(errors: &mut Errors, cover: CoverImageFields) -> CoverImage {
    let alt = errors.text("/cover_image/alt", &cover.alt, MAX_SHORT_TEXT);
    match (cover.url, cover.media_id) {
        (Some(url), None) => CoverImage { url: errors.url("/cover_image/url", &url), alt, media_id: None },
        (None, Some(id)) => {
            if id < 1 {
                errors.add("/cover_image/media_id", "must be a media item's id, 1 or more");
            }
            // The write fills in the item's URL.
            CoverImage { url: String::new(), alt, media_id: Some(id) }
        }
        (Some(_), Some(_)) => {
            errors.add("/cover_image", "give url or media_id, not both");
            CoverImage { url: String::new(), alt, media_id: None }
        }
        (None, None) => {
            errors.add("/cover_image", "needs url (an image anywhere) or media_id (an uploaded one)");
            CoverImage { url: String::new(), alt, media_id: None }
        }
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

    /// Where the article goes, with what is wrong added to `errors`: call before
    /// [`Self::validate`].
    pub fn placing(&self, errors: &mut Errors, locales: &Locales) -> Placing {
        let locale = match &self.locale {
            Some(text) => configured(locales, text).unwrap_or_else(|why| {
                errors.add("/locale", why);
                String::new()
            }),
            None => {
                if self.translation_of.is_some() {
                    errors.add("/locale", "is required with translation_of: the locale of the new translation");
                }
                locales.default_locale().to_owned()
            }
        };
        if let Some(id) = self.translation_of {
            if id < 1 {
                errors.add("/translation_of", "must be an article's id, 1 or more");
            }
            let shared =
                "belongs to the translation group: a translation takes its group's; change it on any translation";
            if self.section.is_some() {
                errors.add("/section", shared);
            }
            if self.tags.is_some() {
                errors.add("/tags", shared);
            }
        }
        Placing { locale, translation_of: self.translation_of }
    }

    /// The content, with what is wrong with it added to `errors` (those of the JSON types first).
    pub fn validate(self, errors: &mut Errors) -> ArticleContent {
        ArticleContent {
            title: errors.line("/title", &self.title, MAX_TITLE),
            slug: self.slug.map(|s| errors.slug("/slug", s)),
            excerpt: self.excerpt.map(|e| errors.text("/excerpt", &e, MAX_EXCERPT)),
            body_markdown: errors.text("/body_markdown", &self.body_markdown, usize::MAX),
            section: self.section.map(|s| check_section(errors, s)),
            tags: check_tags(errors, self.tags.unwrap_or_default()),
            status: self.status.unwrap_or(ArticleStatus::Draft),
            published_at: match self.published_at {
                Patch::Value(at) => Some(check_date(errors, "/published_at", at)),
                Patch::Absent | Patch::Null => None,
            },
            seo: self.seo.map(|s| check_seo(errors, s)).unwrap_or_default(),
            cover_image: self.cover_image.map(|c| check_cover(errors, c)),
            metadata: check_metadata(errors, self.metadata.unwrap_or_default()),
        }
    }
}

impl UpdateArticle {
    /// The patch and the version it is based on, with what is wrong added to `e`.
    pub fn validate(self, e: &mut Errors, locales: &Locales) -> (ArticlePatch, Option<i64>) {
        let patch = ArticlePatch {
            title: self.title.required(e, "/title").map(|t| e.line("/title", &t, MAX_TITLE)),
            slug: self.slug.required(e, "/slug").map(|s| e.slug("/slug", s)),
            excerpt: self.excerpt.nullable().map(|x| x.map(|x| e.text("/excerpt", &x, MAX_EXCERPT))),
            body_markdown: self
                .body_markdown
                .required(e, "/body_markdown")
                .map(|b| e.text("/body_markdown", &b, usize::MAX)),
            section: self.section.nullable().map(|s| s.map(|s| check_section(e, s))),
            tags: self.tags.required(e, "/tags").map(|t| check_tags(e, t)),
            status: self.status.required(e, "/status"),
            published_at: self.published_at.nullable().map(|at| at.map(|at| check_date(e, "/published_at", at))),
            seo: self.seo.required(e, "/seo").map(|s| check_seo(e, s)),
            cover_image: self.cover_image.nullable().map(|c| c.map(|c| check_cover(e, c))),
            metadata: self.metadata.required(e, "/metadata").map(|m| check_metadata(e, m)),
            locale: self.locale.required(e, "/locale").map(|text| {
                configured(locales, &text).unwrap_or_else(|why| {
                    e.add("/locale", why);
                    text
                })
            }),
        };
        (patch, self.version)
    }
}
