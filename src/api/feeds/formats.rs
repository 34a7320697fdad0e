//! A feed written in each format: RSS 2.0 and Atom 1.0 by their own crates (which escape
//! and quote), JSON Feed 1.1 by serde.

use std::borrow::Cow;

use atom_syndication as atom;
use chrono::{DateTime, SecondsFormat, Utc};
use rss::extension::atom::AtomExtension;
use rss::extension::dublincore::DublinCoreExtension;
use serde::Serialize;

use crate::api::error::ApiError;

/// What `generator` names.
const GENERATOR: &str = "folio";

/// A feed, format aside.
pub struct Feed {
    pub title: String,
    pub description: String,
    /// The site's home page.
    pub home: String,
    /// Where this feed is served: its `rel="self"` link, and its Atom id.
    pub self_url: String,
    /// When its newest change was: the latest `updated` of its entries.
    pub updated: DateTime<Utc>,
    /// The language it says it is in, a BCP 47 tag; none when its entries are in several.
    pub language: Option<String>,
    pub entries: Vec<Entry>,
}

/// An article in a feed.
pub struct Entry {
    /// Stable whatever its slug or section becomes: a `tag:` URI naming the article.
    pub id: String,
    /// The article where the site shows it.
    pub link: String,
    pub title: String,
    /// The excerpt, as text.
    pub summary: String,
    /// The body, sanitised HTML.
    pub html: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// The author's display name.
    pub author: String,
    /// The names of its tags.
    pub categories: Vec<String>,
    /// Its cover image's URL.
    pub image: Option<String>,
}

/// `text` without the characters XML 1.0 cannot carry at all, even escaped (controls
/// other than tab and line ends, U+FFFE and U+FFFF): a body may hold one as a
/// character reference (`&#1;`), which Markdown decodes.
pub fn xml_text(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'));
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| allowed(*c)).collect())
    }
}

fn xml(text: &str) -> String {
    xml_text(text).into_owned()
}

/// An RFC 822 date as RSS writes it (`Thu, 23 May 2024 00:00:00 +0000`); formatted here
/// because chrono's `to_rfc2822` panics on a year it cannot write.
fn rfc822(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn written(result: Result<Vec<u8>, impl std::error::Error + Send + Sync + 'static>) -> Result<Vec<u8>, ApiError> {
    result.map_err(|err| ApiError::internal(anyhow::Error::new(err).context("writing a feed")))
}

/// The feed as RSS 2.0: each item's excerpt (as HTML) in `description`, its body in
/// `content:encoded`, its author in `dc:creator`, and a `guid` that is no permalink.
pub fn rss(feed: &Feed) -> Result<Vec<u8>, ApiError> {
    let items = feed
        .entries
        .iter()
        .map(|entry| rss::Item {
            title: Some(xml(&entry.title)),
            link: Some(xml(&entry.link)),
            description: Some(xml(&quick_xml::escape::partial_escape(entry.summary.as_str()))),
            categories: entry.categories.iter().map(|name| rss::Category { name: xml(name), domain: None }).collect(),
            guid: Some(rss::Guid { value: xml(&entry.id), permalink: false }),
            pub_date: Some(rfc822(entry.published)),
            content: Some(xml(&entry.html)),
            dublin_core_ext: Some(DublinCoreExtension { creators: vec![xml(&entry.author)], ..Default::default() }),
            ..Default::default()
        })
        .collect();
    let this = atom::Link {
        href: xml(&feed.self_url),
        rel: "self".to_owned(),
        mime_type: Some("application/rss+xml".to_owned()),
        ..Default::default()
    };
    let channel = rss::Channel {
        title: xml(&feed.title),
        link: xml(&feed.home),
        description: xml(&feed.description),
        language: feed.language.clone(),
        last_build_date: Some(rfc822(feed.updated)),
        generator: Some(GENERATOR.to_owned()),
        items,
        atom_ext: Some(AtomExtension { links: vec![this] }),
        ..Default::default()
    };
    written(channel.write_to(Vec::new()))
}

/// The feed as Atom 1.0: each entry's excerpt as its `summary` (text) and its body as
/// its `content` (HTML).
pub fn atom(feed: &Feed) -> Result<Vec<u8>, ApiError> {
    let link = |href: &str, rel: &str, mime_type: &str| atom::Link {
        href: xml(href),
        rel: rel.to_owned(),
        mime_type: Some(mime_type.to_owned()),
        ..Default::default()
    };
    let entries = feed
        .entries
        .iter()
        .map(|entry| atom::Entry {
            title: atom::Text::plain(xml(&entry.title)),
            id: xml(&entry.id),
            updated: entry.updated.fixed_offset(),
            published: Some(entry.published.fixed_offset()),
            authors: vec![atom::Person { name: xml(&entry.author), ..Default::default() }],
            categories: entry
                .categories
                .iter()
                .map(|name| atom::Category { term: xml(name), ..Default::default() })
                .collect(),
            links: vec![link(&entry.link, "alternate", "text/html")],
            summary: Some(atom::Text::plain(xml(&entry.summary))),
            content: Some(atom::Content {
                value: Some(xml(&entry.html)),
                content_type: Some("html".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let document = atom::Feed {
        title: atom::Text::plain(xml(&feed.title)),
        subtitle: Some(atom::Text::plain(xml(&feed.description))),
        id: xml(&feed.self_url),
        updated: feed.updated.fixed_offset(),
        links: vec![link(&feed.self_url, "self", "application/atom+xml"), link(&feed.home, "alternate", "text/html")],
        generator: Some(atom::Generator { value: GENERATOR.to_owned(), ..Default::default() }),
        lang: feed.language.clone(),
        entries,
        ..Default::default()
    };
    written(document.write_to(Vec::new()))
}

/// JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>).
#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    description: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    date_published: String,
    date_modified: String,
    authors: [JsonAuthor<'a>; 1],
    tags: &'a [String],
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
}

/// The feed as JSON Feed 1.1.
pub fn json(feed: &Feed) -> Result<Vec<u8>, ApiError> {
    let items = feed
        .entries
        .iter()
        .map(|entry| JsonItem {
            id: &entry.id,
            url: &entry.link,
            title: &entry.title,
            content_html: &entry.html,
            summary: &entry.summary,
            image: entry.image.as_deref(),
            date_published: rfc3339(entry.published),
            date_modified: rfc3339(entry.updated),
            authors: [JsonAuthor { name: &entry.author }],
            tags: &entry.categories,
        })
        .collect();
    let document = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &feed.title,
        description: &feed.description,
        home_page_url: &feed.home,
        feed_url: &feed.self_url,
        language: feed.language.as_deref(),
        items,
    };
    written(serde_json::to_vec(&document))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_drops_only_what_xml_cannot_carry() {
        assert_eq!(xml_text("a\u{1}b\u{FFFF}c\u{B}"), "abc");
        let kept = "tab\t line\n return\r <&> \u{E000} \u{10FFFF} é";
        assert!(matches!(xml_text(kept), Cow::Borrowed(text) if text == kept));
    }

    #[test]
    fn rss_dates_never_panic_and_read_as_rfc_822() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap_or_default();
        assert_eq!(rfc822(at("2024-05-23T00:00:00Z")), "Thu, 23 May 2024 00:00:00 +0000");
        assert_eq!(rfc822(at("0001-01-01T00:00:00Z")), "Mon, 01 Jan 0001 00:00:00 +0000");
    }
}
