//! The directory `folio export` writes and `folio import` reads: one Markdown file with
//! front matter per article, and `sections.json`, `tags.json` and `users.json`. An
//! article's file is named by its slug, `{slug}.md`, in the site's default locale and
//! `{slug}.{locale}.md` in another ([`ArticleRecord::file_name`]): translations may share
//! a slug, and a slug has no dot, so no two names collide; import reads the locale from
//! the front matter, not the name. Everything is matched by slug (articles by slug and
//! locale, users by email), never by id, so the files move between databases; they are
//! written in a fixed order, so two exports of the same content are the same bytes.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::content::front_matter;
use crate::content::locale::LocalNames;
use crate::store::articles::{Article, ArticleContent, CoverImage, Seo};

pub const SECTIONS: &str = "sections.json";
pub const TAGS: &str = "tags.json";
pub const USERS: &str = "users.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionRecord {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The parent section's slug.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub position: i32,
    /// Its name and description by locale; an archive from before locales has none.
    #[serde(default)]
    pub translations: LocalNames,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRecord {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Its name and description by locale; an archive from before locales has none.
    #[serde(default)]
    pub translations: LocalNames,
}

/// A user without any credential: an imported new user has no password until one is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRecord {
    pub email: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub bio: Option<String>,
    #[serde(default)]
    pub disabled: bool,
}

/// The article another one translates: the oldest (first made) of their group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationOf {
    pub slug: String,
    pub locale: String,
}

/// An article's front matter, and its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleRecord {
    pub title: String,
    pub slug: String,
    /// Absent in an archive from before locales: the site's default locale.
    #[serde(default)]
    pub locale: Option<String>,
    /// On every article of a translation group but its oldest: that oldest article.
    #[serde(default)]
    pub translation_of: Option<TranslationOf>,
    #[serde(default)]
    pub section: Option<String>,
    /// The section's name, for a reader of the file; `sections.json` is what import uses.
    #[serde(default)]
    pub section_name: Option<String>,
    /// The author's display name, for a reader of the file; `author_email` names the author.
    #[serde(default)]
    pub author: Option<String>,
    pub author_email: String,
    /// As stored: a scheduled article is `published` with a `published_at` ahead.
    pub status: String,
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only an excerpt of the editor's own; a derived one is derived again on import.
    #[serde(default)]
    pub excerpt: Option<String>,
    #[serde(default)]
    pub seo: Seo,
    #[serde(default)]
    pub cover_image: Option<CoverImage>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
    #[serde(skip)]
    pub body: String,
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

impl ArticleRecord {
    /// The record of a stored article written by the user with `author_email`.
    pub fn of(article: &Article, author_email: &str) -> Self {
        let row = &article.row;
        // What an editor would resend; the rest is what only an export carries.
        let content = ArticleContent::of(article);
        let oldest = article.siblings.iter().map(|s| &s.translation).min_by_key(|t| t.id);
        let translation_of =
            oldest.filter(|t| t.id < row.id).map(|t| TranslationOf { slug: t.slug.clone(), locale: t.locale.clone() });
        Self {
            title: content.title,
            slug: row.slug.clone(),
            locale: Some(row.locale.clone()),
            translation_of,
            section: content.section,
            section_name: article.section.as_ref().map(|s| s.name.clone()),
            author: Some(article.author.display_name.clone()),
            author_email: author_email.to_owned(),
            status: row.status.clone(),
            published_at: row.published_at.map(utc),
            created_at: Some(utc(row.created_at)),
            updated_at: Some(utc(row.updated_at)),
            tags: content.tags,
            excerpt: content.excerpt,
            seo: content.seo,
            cover_image: content.cover_image,
            metadata: content.metadata,
            body: content.body_markdown,
        }
    }

    /// The name of its file: `{slug}.md` in `default_locale`, else `{slug}.{locale}.md`.
    pub fn file_name(&self, default_locale: &str) -> String {
        match self.locale.as_deref() {
            Some(locale) if locale != default_locale => format!("{}.{locale}.md", self.slug),
            _ => format!("{}.md", self.slug),
        }
    }

    /// The file's text: front matter in a fixed order, a blank line, the body.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("---\n");
        let fields = serde_json::to_value(self).unwrap_or_default();
        let order = [
            "title",
            "slug",
            "locale",
            "translation_of",
            "section",
            "section_name",
            "author",
            "author_email",
            "status",
            "published_at",
            "created_at",
            "updated_at",
            "tags",
            "excerpt",
            "seo",
            "cover_image",
            "metadata",
        ];
        for key in order {
            let mut value = fields.get(key).cloned().unwrap_or(Value::Null);
            if let ("seo", Value::Object(seo)) = (key, &mut value) {
                seo.retain(|_, v| !v.is_null());
            }
            let empty = match &value {
                Value::Null => true,
                // Read back as the default when left out.
                Value::Array(items) => items.is_empty(),
                Value::Object(map) => map.is_empty(),
                _ => false,
            };
            match value {
                _ if empty => {}
                value => {
                    out.push_str(key);
                    out.push_str(": ");
                    out.push_str(&front_matter_value(&value));
                    out.push('\n');
                }
            }
        }
        out.push_str("---\n\n");
        out.push_str(&self.body);
        out
    }

    /// Reads a file written by [`Self::to_markdown`] (or by hand, in the same form).
    pub fn parse(source: &str) -> Result<Self, String> {
        let doc = front_matter::parse(source).map_err(|e| e.to_string())?;
        if doc.fields.is_empty() {
            return Err("has no front matter (a `---` block of `key: value` lines)".into());
        }
        let fields: Map<String, Value> = doc.fields.into_iter().collect();
        let mut record: Self =
            serde_path_to_error::deserialize(Value::Object(fields)).map_err(|e| match e.path().to_string() {
                path if path == "." => format!("front matter: {}", e.inner()),
                path => format!("front matter `{path}`: {}", e.inner()),
            })?;
        record.body = format!("{}{}", leading_newlines(source, &doc.body), doc.body);
        Ok(record)
    }
}

/// The newlines a body began with, which the front matter parser drops with the blank
/// line that [`ArticleRecord::to_markdown`] writes after the fence: `source` ends in
/// `body`, so what lies between the closing fence and it is the fence's line ending,
/// that blank line, and the body's own.
fn leading_newlines<'a>(source: &'a str, body: &str) -> &'a str {
    let head = &source[..source.len().saturating_sub(body.len())];
    let Some((_, after)) = head.rsplit_once("---") else { return "" };
    let after = after.trim_start_matches([' ', '\t']);
    let strip_line_end = |text: &'a str| text.strip_prefix("\r\n").or_else(|| text.strip_prefix('\n')).unwrap_or(text);
    strip_line_end(strip_line_end(after))
}

/// A value as the front matter parser reads it back: plain when it is a string that
/// reads back unchanged as plain text, else JSON.
fn front_matter_value(value: &Value) -> String {
    match value {
        Value::String(text)
            if !text.is_empty()
                && text.trim() == text
                && !text.starts_with(['"', '[', '{'])
                && !text.chars().any(char::is_control) =>
        {
            text.clone()
        }
        other => other.to_string(),
    }
}

/// `items` as the pretty JSON of an export file, ending in a newline.
pub fn to_json<T: Serialize>(items: &[T]) -> String {
    let mut text = serde_json::to_string_pretty(items).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_as_written() {
        let record = ArticleRecord {
            title: "  Odd: \"title\" ".into(),
            slug: "odd-title".into(),
            locale: Some("de-CH".into()),
            translation_of: Some(TranslationOf { slug: "odd".into(), locale: "en".into() }),
            section: Some("blogs".into()),
            section_name: Some("[Blogs]".into()),
            author: Some("Nick".into()),
            author_email: "nick@example.com".into(),
            status: "published".into(),
            published_at: Some(DateTime::from_timestamp(1_716_422_400, 0).unwrap_or_default()),
            created_at: None,
            updated_at: Some(DateTime::from_timestamp(1_716_422_401, 500).unwrap_or_default()),
            tags: vec!["A, b".into()],
            excerpt: Some("line\nbreak".into()),
            seo: Seo { meta_title: Some("T".into()), meta_description: None, canonical_url: None },
            cover_image: Some(CoverImage { url: "https://x.example/a.png".into(), alt: String::new(), media_id: None }),
            metadata: serde_json::from_str(r#"{"a": [1, {"b": null}]}"#).unwrap_or_default(),
            body: "# Heading\n\n---\n\nText\n".into(),
        };
        let text = record.to_markdown();
        assert_eq!(ArticleRecord::parse(&text), Ok(record.clone()), "{text}");
        for body in ["\n\nStarts low\r\n", "\r\nCRLF\r\n", "", "\n"] {
            let record = ArticleRecord { body: body.into(), ..record.clone() };
            assert_eq!(ArticleRecord::parse(&record.to_markdown()), Ok(record));
        }
        assert_eq!(record.file_name("en"), "odd-title.de-CH.md");
        assert_eq!(record.file_name("de-CH"), "odd-title.md");
        let bare = ArticleRecord {
            locale: None,
            translation_of: None,
            tags: Vec::new(),
            seo: Seo::default(),
            cover_image: None,
            metadata: Map::new(),
            ..record
        };
        assert_eq!(bare.file_name("fr"), "odd-title.md", "no locale: an archive from before locales");
        let text = bare.to_markdown();
        assert!(!text.contains("seo:") && !text.contains("tags:") && !text.contains("metadata:"), "{text}");
        assert_eq!(ArticleRecord::parse(&text), Ok(bare));
    }

    #[test]
    fn unknown_and_missing_fields_are_refused() {
        let err = ArticleRecord::parse("---\ntitle: T\nslug: t\nauthor_email: a@b.c\nstatus: draft\nfoo: 1\n---\n")
            .unwrap_err();
        assert!(err.contains("foo"), "{err}");
        let err = ArticleRecord::parse("---\ntitle: T\nslug: t\nstatus: draft\n---\n").unwrap_err();
        assert!(err.contains("author_email"), "{err}");
    }
}
