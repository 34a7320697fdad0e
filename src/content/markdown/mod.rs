//! Markdown to sanitised HTML, with a table of contents, plain text for the
//! search index, a word count and an excerpt.
//!
//! Raw HTML in the Markdown is allowed through `ammonia`'s default allow-list.
//! Headings that the Markdown itself produces get an `id` from their text;
//! every other `id`, including one on a heading the author typed as raw HTML,
//! is removed, so the table of contents and the ids in the HTML always agree.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use super::html_budget::{self, Exceeded};
use super::slug;
use text::{collapse_whitespace, count_words, inline_text, plain_text};

mod text;

/// One heading of an article, for its table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TocEntry {
    /// Heading level, 1 to 6.
    #[schema(example = 2, minimum = 1, maximum = 6)]
    pub level: u8,
    /// The heading's plain text.
    #[schema(example = "Understanding Muscle Damage and the Recovery Challenge")]
    pub text: String,
    /// The heading's `id` in `body_html`, without `#`; unique within the article.
    #[schema(example = "understanding-muscle-damage-and-the-recovery-challenge")]
    pub anchor: String,
}

/// Everything derived from one Markdown body.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// Every heading left in `html`, in document order.
    pub toc: Vec<TocEntry>,
    /// Words of the body's text (not its markup).
    pub word_count: u32,
    /// The body's plain text, blocks separated by `\n`, for a search index.
    pub text: String,
    /// The text of the first top-level paragraph, cut at a space to at most
    /// 300 characters plus "…"; empty when there is no such paragraph.
    pub excerpt: String,
}

pub const WORDS_PER_MINUTE: u32 = 230;

/// Anchor for a heading whose text has nothing to make a slug from.
const FALLBACK_ANCHOR: &str = "section";

thread_local! {
    /// Secret prefix on the heading ids that `render` generates, while the
    /// sanitiser runs on this thread. Authors cannot guess it, so raw HTML
    /// cannot smuggle in an id that the table of contents does not know.
    static ID_PREFIX: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Built once: assembling an `ammonia::Builder` allocates a dozen sets.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    for tag in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(tag, ["id"].iter());
    }
    builder.attribute_filter(keep_generated_ids);
    builder
});

/// `id` is only allowed on headings, so this sees heading ids alone; it keeps
/// those carrying this render's prefix, without the prefix.
fn keep_generated_ids<'u>(_element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    if attribute != "id" {
        return Some(Cow::Borrowed(value));
    }
    ID_PREFIX.with_borrow(|prefix| {
        // Outside `render` there is no prefix, and "" would let every id in.
        if prefix.is_empty() {
            return None;
        }
        value.strip_prefix(prefix.as_str()).map(Cow::Borrowed)
    })
}

/// Renders CommonMark with tables and strikethrough; refuses a body whose HTML would
/// cost the sanitiser more than [`html_budget::LIMITS`] allow. Never panics.
pub fn render(markdown: &str) -> Result<Rendered, Exceeded> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, options).collect();
    let prefix = format!("h{:016x}-", RandomState::new().hash_one(markdown));
    let headings = assign_anchors(&mut events, &prefix);
    let (text, excerpt) = plain_text(&events);

    let mut unsanitised = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut unsanitised, events.into_iter());
    let unsanitised = html_budget::check(&unsanitised, &html_budget::LIMITS)?;
    ID_PREFIX.set(prefix.clone());
    let mut html = SANITIZER.clean(&unsanitised).to_string();
    ID_PREFIX.take();
    if html.contains(&prefix) {
        // A heading swallowed into text by raw HTML shows its id; drop the
        // prefix so the output does not vary between renders.
        html = html.replace(&prefix, "");
    }

    Ok(Rendered { toc: toc_from_html(&html, headings), word_count: count_words(&text), html, text, excerpt })
}

/// Minutes to read `word_count` words, rounded up, at least 1.
pub fn reading_time_minutes(word_count: u32) -> u32 {
    word_count.div_ceil(WORDS_PER_MINUTE).max(1)
}

/// Gives every Markdown heading a unique id (with `prefix`) and returns the
/// headings in document order.
fn assign_anchors(events: &mut [Event<'_>], prefix: &str) -> Vec<TocEntry> {
    let mut used = HashSet::new();
    let mut next_suffix: HashMap<String, u32> = HashMap::new();
    let mut entries = Vec::new();
    for start in 0..events.len() {
        let Event::Start(Tag::Heading { level, .. }) = &events[start] else {
            continue;
        };
        let level = *level;
        let text = collapse_whitespace(&inline_text(&events[start + 1..]));
        let base = slug::slugify(&text).unwrap_or_else(|| FALLBACK_ANCHOR.to_owned());
        let anchor = unique_anchor(base, &mut used, &mut next_suffix);
        events[start] = Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(format!("{prefix}{anchor}"))),
            classes: Vec::new(),
            attrs: Vec::new(),
        });
        entries.push(TocEntry { level: level as u8, text, anchor });
    }
    entries
}

/// `base`, or the first free `base-n`; free means no earlier heading took it.
fn unique_anchor(base: String, used: &mut HashSet<String>, next_suffix: &mut HashMap<String, u32>) -> String {
    let mut anchor = base.clone();
    if used.contains(&anchor) {
        let n = next_suffix.entry(base.clone()).or_insert(1);
        loop {
            anchor = slug::with_suffix(&base, *n);
            *n += 1;
            if !used.contains(&anchor) {
                break;
            }
        }
    }
    used.insert(anchor.clone());
    anchor
}

/// The headings whose ids survived sanitising, in the order the HTML has them.
///
/// The HTML decides rather than the Markdown because raw HTML can swallow a
/// generated heading: an unclosed inline `<textarea>` turns the rest of the
/// article into text.
fn toc_from_html(html: &str, headings: Vec<TocEntry>) -> Vec<TocEntry> {
    let mut by_anchor: HashMap<String, TocEntry> =
        headings.into_iter().map(|entry| (entry.anchor.clone(), entry)).collect();
    start_tags(html)
        .iter()
        .filter(|tag| is_heading(tag.name))
        .filter_map(|tag| tag.attr("id"))
        .filter_map(|id| by_anchor.remove(id))
        .collect()
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// A start tag of serialised HTML; attribute values are still escaped.
struct StartTag<'a> {
    name: &'a str,
    attrs: Vec<(&'a str, &'a str)>,
}

impl StartTag<'_> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// Start tags of HTML as html5ever serialises it: text never holds a raw `<`
/// and attribute values are always double-quoted, so a `"` is all that can
/// hide a `>`.
fn start_tags(html: &str) -> Vec<StartTag<'_>> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let mut in_value = false;
        let close = rest
            .find(|c: char| {
                in_value ^= c == '"';
                c == '>' && !in_value
            })
            .unwrap_or(rest.len());
        tags.extend(parse_start_tag(&rest[..close]));
        rest = &rest[close..];
    }
    tags
}

/// Parses what is between `<` and `>`; `None` for end tags and comments.
fn parse_start_tag(tag: &str) -> Option<StartTag<'_>> {
    let name_end = tag.find(|c: char| c.is_ascii_whitespace() || c == '/').unwrap_or(tag.len());
    let name = &tag[..name_end];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut attrs = Vec::new();
    let mut rest = &tag[name_end..];
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            break;
        }
        let attr_end = rest.find(|c: char| c.is_ascii_whitespace() || c == '=').unwrap_or(rest.len());
        let attr = &rest[..attr_end];
        rest = &rest[attr_end..];
        let mut value = "";
        if let Some(after_equals) = rest.strip_prefix('=') {
            let (quoted, delimiter) = match after_equals.strip_prefix('"') {
                Some(quoted) => (quoted, '"'),
                None => (after_equals, ' '),
            };
            let value_end = quoted.find(delimiter).unwrap_or(quoted.len());
            value = &quoted[..value_end];
            rest = quoted.get(value_end + 1..).unwrap_or("");
        }
        attrs.push((attr, value));
    }
    Some(StartTag { name, attrs })
}

#[cfg(test)]
mod tests;
