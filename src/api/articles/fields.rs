//! `fields=`: an article, or each item of a list, with only the top-level fields named
//! (and `id`), cut from the JSON it would otherwise answer: the stored representation
//! for the public, so a selection costs no query and no rebuilding.

use serde_json::{Map, Value};

use crate::api::error::ApiError;

/// Every top-level field of an article, in the order responses list them.
pub const ARTICLE: [&str; 22] = [
    "id",
    "slug",
    "title",
    "locale",
    "excerpt",
    "toc",
    "word_count",
    "reading_time_minutes",
    "status",
    "published_at",
    "section",
    "tags",
    "author",
    "seo",
    "cover_image",
    "metadata",
    "version",
    "created_at",
    "updated_at",
    "body_markdown",
    "body_html",
    "translations",
];

/// What a single article has that a list item has not: its translations.
pub const TRANSLATIONS: &str = "translations";

/// What a list item has besides an article's fields: the passage a search matched.
pub const SNIPPET: &str = "snippet";

/// The fields asked for: a subset of [`ARTICLE`] (and, in lists, [`SNIPPET`]), `id`
/// always among them, kept in the responses' order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields(Vec<&'static str>);

impl Fields {
    /// `text`, comma-separated names of `known`; else what is wrong with it.
    pub fn parse(text: &str, known: &[&'static str]) -> Result<Self, String> {
        let mut wanted = vec!["id"];
        for name in text.split(',').map(str::trim) {
            match known.iter().find(|known| **known == name) {
                Some(known) => wanted.push(known),
                None if name.is_empty() => return Err("must name fields, comma-separated".to_owned()),
                None => return Err(format!("has `{name}`, which is not one of {}", known.join(", "))),
            }
        }
        Ok(Self(known.iter().copied().filter(|name| wanted.contains(name)).collect()))
    }

    /// Whether any field named needs the article's body.
    pub fn want_body(&self) -> bool {
        self.0.iter().any(|name| name.starts_with("body_"))
    }

    /// The JSON object `json` with only these fields, in this order.
    pub fn select(&self, json: &[u8]) -> Result<Vec<u8>, ApiError> {
        let mut whole: Map<String, Value> = serde_json::from_slice(json).map_err(ApiError::internal)?;
        let mut out = Vec::with_capacity(json.len().min(4096));
        out.push(b'{');
        for name in &self.0 {
            let Some(value) = whole.remove(*name) else { continue };
            if out.len() > 1 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, name).map_err(ApiError::internal)?;
            out.push(b':');
            serde_json::to_writer(&mut out, &value).map_err(ApiError::internal)?;
        }
        out.push(b'}');
        Ok(out)
    }

    /// The ETag of the selection from a representation tagged `etag`: its own, since
    /// its bytes differ, and changing whenever the representation's does.
    pub fn etag(&self, etag: &str) -> String {
        format!("\"{}.{}\"", etag.trim_matches('"'), self.0.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_in_the_responses_order_with_id_and_unknown_ones_are_refused() {
        let fields = Fields::parse("title,slug,title", &ARTICLE).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(fields, Fields(vec!["id", "slug", "title"]));
        let json = br#"{"id":1,"title":"T <&>","slug":"t","body_html":"<p>x</p>"}"#;
        assert_eq!(fields.select(json).ok(), Some(br#"{"id":1,"slug":"t","title":"T <&>"}"#.to_vec()));
        assert_eq!(fields.etag("\"abc\""), "\"abc.id.slug.title\"");
        assert!(!fields.want_body());
        assert!(Fields::parse("body_html", &ARTICLE).is_ok_and(|f| f.want_body()));
        assert!(Fields::parse("title,nope", &ARTICLE).is_err());
        assert!(Fields::parse("", &ARTICLE).is_err());
        assert!(Fields::parse("title,,slug", &ARTICLE).is_err());
        assert!(Fields::parse(SNIPPET, &ARTICLE).is_err());
    }
}
