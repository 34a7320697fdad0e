//! Micropub properties and folio's article fields, both ways: a post's properties
//! become the JSON body an API client would send (`POST /articles`, `PATCH
//! /articles/{id}`), checked by the same rules, and an article with what Micropub
//! kept of it becomes the properties a client would send back (`q=source`).

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::error::MicropubError;
use crate::content::status::ArticleStatus;
use crate::store::articles::Article;
use crate::store::micropub::{ContentKind, PostFacts};

/// A title derived from the content is at most this many characters, ellipsis included.
const MAX_DERIVED_TITLE: usize = 80;

/// The properties folio maps to article fields; every other one is kept as it came.
const MAPPED: &[&str] = &["name", "content", "summary", "category", "post-status", "published"];

/// A post's properties read as article fields.
#[derive(Debug)]
pub struct Mapped {
    /// `name`, when given.
    pub name: Option<String>,
    pub content: String,
    pub summary: Option<String>,
    /// The categories that are tag names, in order.
    pub tags: Vec<String>,
    pub status: Option<ArticleStatus>,
    /// `published`, as sent (checked as the API checks `published_at`).
    pub published: Option<String>,
    /// The first photo, as a cover image: `{url, alt}` or `{media_id, alt}`.
    pub cover: Option<Value>,
    /// What Micropub keeps beside the article.
    pub facts: PostFacts,
}

fn first<'a>(properties: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    properties.get(name).and_then(Value::as_array).and_then(|values| values.first())
}

fn text(properties: &Map<String, Value>, name: &str) -> Result<Option<String>, MicropubError> {
    match first(properties, name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(MicropubError::invalid(format!("'{name}' must be text"))),
    }
}

fn content(properties: &Map<String, Value>) -> Result<(String, ContentKind), MicropubError> {
    let wrong = || MicropubError::invalid("'content' must be text, {\"html\": …} or {\"value\": …}");
    match first(properties, "content") {
        None => Ok((String::new(), ContentKind::Markdown)),
        Some(Value::String(text)) => Ok((text.clone(), ContentKind::Markdown)),
        Some(Value::Object(object)) => match (object.get("html"), object.get("value")) {
            (Some(Value::String(html)), _) => Ok((html.clone(), ContentKind::Html)),
            (None, Some(Value::String(text))) => Ok((text.clone(), ContentKind::Markdown)),
            _ => Err(wrong()),
        },
        Some(_) => Err(wrong()),
    }
}

/// A photo's URL and alt text: `"https://…"` or `{"value": "https://…", "alt": "…"}`.
fn photo(value: &Value) -> Result<(String, String), MicropubError> {
    match value {
        Value::String(url) => Ok((url.clone(), String::new())),
        Value::Object(object) => match (object.get("value"), object.get("alt")) {
            (Some(Value::String(url)), None) => Ok((url.clone(), String::new())),
            (Some(Value::String(url)), Some(Value::String(alt))) => Ok((url.clone(), alt.clone())),
            _ => Err(MicropubError::invalid("a 'photo' object needs 'value' (a URL) and may have 'alt' (text)")),
        },
        _ => Err(MicropubError::invalid("'photo' must be URLs, or {\"value\", \"alt\"} objects")),
    }
}

/// Reads `properties` (every value an array). `uploaded` maps the URLs of files
/// uploaded with the request to their media items: such a first photo becomes a media cover.
pub fn map(properties: &Map<String, Value>, uploaded: &HashMap<String, i64>) -> Result<Mapped, MicropubError> {
    let (content, kind) = content(properties)?;
    let status = match text(properties, "post-status")?.as_deref() {
        None => None,
        Some("published") => Some(ArticleStatus::Published),
        Some("draft") => Some(ArticleStatus::Draft),
        Some(other) => {
            return Err(MicropubError::invalid(format!("post-status '{other}' is neither published nor draft")))
        }
    };
    let mut tags = Vec::new();
    let mut kept: Map<String, Value> = properties
        .iter()
        .filter(|(name, _)| !MAPPED.contains(&name.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // A category that is not text (a person tagged, as an h-card) is kept as it came.
    let mut other_categories = Vec::new();
    for category in properties.get("category").and_then(Value::as_array).into_iter().flatten() {
        match category {
            Value::String(name) => tags.push(name.clone()),
            other => other_categories.push(other.clone()),
        }
    }
    if !other_categories.is_empty() {
        kept.insert("category".into(), Value::Array(other_categories));
    }
    let cover = match first(properties, "photo") {
        None => None,
        Some(value) => {
            let (url, alt) = photo(value)?;
            Some(match uploaded.get(&url) {
                Some(id) => json!({"media_id": id, "alt": alt}),
                None => json!({"url": url, "alt": alt}),
            })
        }
    };
    for value in properties.get("photo").and_then(Value::as_array).into_iter().flatten() {
        photo(value)?;
    }
    let name = text(properties, "name")?;
    Ok(Mapped {
        facts: PostFacts { properties: kept, content_kind: kind, named: name.is_some(), status_before_delete: None },
        name,
        content,
        summary: text(properties, "summary")?,
        tags,
        status,
        published: text(properties, "published")?,
        cover,
    })
}

impl Mapped {
    /// The title: the name, else the first words of the content's `text` (at most 80
    /// characters with the ellipsis), else a photo's alt text, else "Photo" for a photo.
    pub fn title(&self, text: &str) -> Result<String, MicropubError> {
        if let Some(name) = &self.name {
            return Ok(name.clone());
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        if !words.is_empty() {
            return Ok(first_words(&words));
        }
        match &self.cover {
            Some(cover) => {
                let alt = cover["alt"].as_str().unwrap_or_default().trim();
                Ok(if alt.is_empty() {
                    "Photo".to_owned()
                } else {
                    first_words(&alt.split_whitespace().collect::<Vec<_>>())
                })
            }
            None => Err(MicropubError::invalid("a post needs content, a name or a photo")),
        }
    }
}

/// `words` joined, cut at a word to at most 80 characters including "…".
fn first_words(words: &[&str]) -> String {
    let whole = words.join(" ");
    if whole.chars().count() <= MAX_DERIVED_TITLE {
        return whole;
    }
    let mut title = String::new();
    for word in words {
        let extra = usize::from(!title.is_empty()) + word.chars().count();
        if title.chars().count() + extra + 1 > MAX_DERIVED_TITLE {
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    if title.is_empty() {
        // One word longer than the limit: cut inside it.
        title = whole.chars().take(MAX_DERIVED_TITLE - 1).collect();
    }
    title.push('…');
    title
}

/// The post's properties as a client would send them back: every kept property, and
/// the mapped ones from the article as it now is.
pub fn source(article: &Article, facts: &PostFacts, origin: &str) -> Map<String, Value> {
    let row = &article.row;
    let mut properties = facts.properties.clone();
    if !row.body_markdown.is_empty() {
        let content = match facts.content_kind {
            ContentKind::Markdown => json!(row.body_markdown),
            ContentKind::Html => json!({"html": row.body_markdown}),
        };
        properties.insert("content".into(), json!([content]));
    }
    if facts.named {
        properties.insert("name".into(), json!([row.title]));
    }
    if row.excerpt_is_custom {
        properties.insert("summary".into(), json!([row.excerpt]));
    }
    let mut categories: Vec<Value> = article.tags.iter().map(|tag| json!(tag.name)).collect();
    if let Some(Value::Array(others)) = properties.remove("category") {
        categories.extend(others);
    }
    if !categories.is_empty() {
        properties.insert("category".into(), Value::Array(categories));
    }
    if let Some(at) = row.published_at {
        properties.insert("published".into(), json!([at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)]));
    }
    let status = match (article.status, facts.status_before_delete) {
        (ArticleStatus::Draft, _) | (ArticleStatus::Archived, Some(ArticleStatus::Draft)) => "draft",
        _ => "published",
    };
    properties.insert("post-status".into(), json!([status]));
    if !properties.contains_key("photo") {
        if let Some(url) = &row.cover_image_url {
            let url = if url.starts_with('/') { format!("{origin}{url}") } else { url.clone() };
            let alt = row.cover_image_alt.clone().unwrap_or_default();
            let photo = if alt.is_empty() { json!(url) } else { json!({"value": url, "alt": alt}) };
            properties.insert("photo".into(), json!([photo]));
        }
    }
    properties
}
