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

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use super::html_budget::{self, Exceeded};
use super::slug;

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

const EXCERPT_MAX_CHARS: usize = 300;

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

/// Text of the inline events up to the end of the enclosing block.
fn inline_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(end) if !is_inline(*end) => break,
            _ => {}
        }
    }
    text
}

/// The plain text of every block, and the excerpt: the text of the first
/// top-level paragraph that has any.
fn plain_text(events: &[Event<'_>]) -> (String, String) {
    let mut text = String::new();
    let mut excerpt = None;
    // Paragraphs inside lists, quotes and tables make poor excerpts.
    let mut nesting = 0_usize;
    let mut paragraph_start = None;
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak => text.push(' '),
            Event::HardBreak => text.push('\n'),
            Event::Start(tag) => {
                let end = tag.to_end();
                separate(&mut text, end);
                if is_container(end) {
                    nesting += 1;
                } else if end == TagEnd::Paragraph && nesting == 0 && excerpt.is_none() {
                    paragraph_start = Some(text.len());
                }
            }
            Event::End(end) => {
                let closes_candidate = *end == TagEnd::Paragraph;
                if let Some(start) = paragraph_start.take_if(|_| closes_candidate) {
                    let candidate = collapse_whitespace(text.get(start..).unwrap_or_default());
                    if !candidate.is_empty() {
                        excerpt = Some(shorten(candidate));
                    }
                }
                if is_container(*end) {
                    nesting = nesting.saturating_sub(1);
                }
                separate(&mut text, *end);
            }
            _ => {}
        }
    }
    text.truncate(text.trim_end().len());
    (text, excerpt.unwrap_or_default())
}

/// Keeps the words of neighbouring blocks (and table cells) apart.
fn separate(text: &mut String, end: TagEnd) {
    if is_inline(end) || text.is_empty() {
        return;
    }
    if end == TagEnd::TableCell {
        if !text.ends_with(char::is_whitespace) {
            text.push(' ');
        }
    } else {
        text.truncate(text.trim_end().len());
        if !text.is_empty() {
            text.push('\n');
        }
    }
}

fn is_inline(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

fn is_container(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::List(_) | TagEnd::BlockQuote(_) | TagEnd::Table | TagEnd::FootnoteDefinition | TagEnd::DefinitionList
    )
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts collapsed text to at most `EXCERPT_MAX_CHARS`, at a space if there is
/// one, and marks the cut with an ellipsis.
fn shorten(text: String) -> String {
    if text.chars().count() <= EXCERPT_MAX_CHARS {
        return text;
    }
    // One char more, so a space right after the limit still counts.
    let head: String = text.chars().take(EXCERPT_MAX_CHARS + 1).collect();
    let cut = match head.rfind(' ') {
        Some(space) => space,
        None => head.char_indices().nth(EXCERPT_MAX_CHARS).map_or(head.len(), |(i, _)| i),
    };
    format!("{}…", &head[..cut])
}

fn count_words(text: &str) -> u32 {
    let words = text.split_whitespace().filter(|word| word.chars().any(char::is_alphanumeric)).count();
    u32::try_from(words).unwrap_or(u32::MAX)
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
mod tests {

    use super::*;
    use crate::content::front_matter;
    use proptest::prelude::*;

    const SEED: &str = include_str!("../../tests/fixtures/seed-article.md");

    /// XSS filter-evasion vectors, mostly from the OWASP cheat sheet.
    const XSS: &[&str] = &[
        "<script>alert(1)</script>",
        "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<IMG SRC=JaVaScRiPt:alert('XSS')>",
        "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
        "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
        "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
        "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;\
         &#58;&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;\">x</a>",
        "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099\
         &#0000114&#0000105&#0000112&#0000116&#0000058&#0000097>",
        "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61>",
        "<a href=\"javascript&colon;alert(1)\">x</a> <a href=\"  javascript:alert(1)\">y</a>",
        "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](<javascript:alert(1)>)",
        "[x](&#106;avascript:alert(1)) [v](vbscript:msgbox(1)) [t](java\tscript:alert(1))",
        "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](data:text/html,<script>alert(1)</script>)",
        "<svg/onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<img src=x onerror=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<body onload=alert(1)>",
        "<div style=\"background:url(javascript:alert(1))\" class=\"x\">x</div>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<object data=\"javascript:alert(1)\"></object><embed src=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><button formaction=javascript:alert(1)>x</button></form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\"><base href=\"javascript:/\">",
        "<h2 id=\"x\" onclick=\"alert(1)\">raw</h2>\n\n# Real <img src=x onerror=alert(1)>",
        "<a title=\"x onmouseover=alert(1)\" href=\"#\">t</a>",
        "<details open ontoggle=alert(1)>",
    ];

    const DANGEROUS_TAGS: &str = "script iframe svg math object embed style form button meta base body noscript";

    fn assert_safe(html: &str) {
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        for tag in start_tags(html) {
            let name = tag.name.to_ascii_lowercase();
            assert!(!DANGEROUS_TAGS.split(' ').any(|t| t == name), "{html}");
            for (attr, value) in tag.attrs {
                let attr = attr.to_ascii_lowercase();
                assert!(!attr.starts_with("on"), "{html}");
                assert!(attr != "style" && attr != "class", "{html}");
                let value = value.trim().to_ascii_lowercase();
                for scheme in ["javascript:", "data:", "vbscript:"] {
                    assert!(!value.starts_with(scheme), "{html}");
                }
            }
        }
    }

    /// The toc must name exactly the headings that carry an id, in order,
    /// and nothing but those headings may carry one.
    fn assert_toc_matches(rendered: &Rendered) {
        let tags = start_tags(&rendered.html);
        let ids: Vec<&str> = tags.iter().filter_map(|t| t.attr("id")).collect();
        let heading_ids: Vec<&str> = tags.iter().filter(|t| is_heading(t.name)).filter_map(|t| t.attr("id")).collect();
        let anchors: Vec<&str> = rendered.toc.iter().map(|e| e.anchor.as_str()).collect();
        assert_eq!(anchors, heading_ids, "{}", rendered.html);
        assert_eq!(ids, heading_ids, "{}", rendered.html);
        let unique: HashSet<&str> = anchors.iter().copied().collect();
        assert_eq!(unique.len(), anchors.len());
        for entry in &rendered.toc {
            assert!((1..=6).contains(&entry.level) && slug::is_valid(&entry.anchor));
        }
    }

    fn anchors(markdown: &str) -> Vec<String> {
        render(markdown).unwrap().toc.into_iter().map(|e| e.anchor).collect()
    }

    #[test]
    fn seed_article() {
        let body = front_matter::parse(SEED).unwrap().body;
        let rendered = render(&body).unwrap();
        let html = &rendered.html;
        assert_eq!(html.matches("<h2 ").count(), 7);
        assert_eq!(html.matches("<h2 id=\"").count(), 7);
        assert_eq!(html.matches("<h3 ").count(), 15);
        assert_eq!(html.matches("<h3 id=\"").count(), 15);
        assert_eq!(html.matches("<li>").count(), 44);
        let levels: Vec<u8> =
            start_tags(html).iter().filter(|t| is_heading(t.name)).map(|t| t.name[1..].parse().unwrap()).collect();
        let toc_levels: Vec<u8> = rendered.toc.iter().map(|e| e.level).collect();
        assert_eq!(toc_levels.len(), 22);
        assert_eq!(toc_levels, levels);
        // The seed's headings are plain `## Text` lines, so the source says
        // what the toc must be, independently of the HTML scanner.
        let source: Vec<(u8, &str)> = body
            .lines()
            .filter_map(|line| line.split_once(' '))
            .filter(|(hashes, _)| !hashes.is_empty() && hashes.bytes().all(|b| b == b'#'))
            .map(|(hashes, text)| (u8::try_from(hashes.len()).unwrap(), text.trim()))
            .collect();
        let toc: Vec<(u8, &str)> = rendered.toc.iter().map(|e| (e.level, e.text.as_str())).collect();
        assert_eq!(toc, source);
        assert_toc_matches(&rendered);
        assert_safe(html);
        assert_eq!(rendered.toc[0].anchor, "understanding-muscle-damage-and-the-recovery-challenge");
        eprintln!("seed article word_count = {}", rendered.word_count);
        assert!((2000..=2600).contains(&rendered.word_count));
        assert!(rendered.excerpt.starts_with("Muscle recovery can feel challenging"));
        assert!(rendered.excerpt.ends_with('…') && rendered.excerpt.chars().count() <= 301);
    }

    #[test]
    fn duplicate_headings_get_unique_anchors() {
        assert_eq!(anchors("# A\n# A\n# A-1"), ["a", "a-1", "a-1-1"]);
        assert_eq!(anchors("# Intro\n## Intro\n### Intro"), ["intro", "intro-1", "intro-2"]);
        assert_eq!(anchors("# x-1\n# x\n# x"), ["x-1", "x", "x-2"]);
        assert_eq!(anchors("#\n# !!!\n# 中"), ["section", "section-1", "zhong"]);
    }

    #[test]
    fn heading_text_is_plain() {
        let rendered = render("## Hello *big* `code` [link](http://x.test) <b>raw</b>\n").unwrap();
        assert_eq!(rendered.toc[0].text, "Hello big code link raw");
        assert_eq!(rendered.toc[0].anchor, "hello-big-code-link-raw");
    }

    #[test]
    fn xss_vectors_are_neutralised() {
        for vector in XSS {
            let rendered = render(vector).unwrap();
            assert_safe(&rendered.html);
            assert_toc_matches(&rendered);
        }
    }

    #[test]
    fn only_generated_headings_keep_ids() {
        let rendered = render("<h2 id=\"intro\">Raw</h2>\n\n# Intro\n").unwrap();
        assert_eq!(rendered.html.matches(" id=").count(), 1);
        assert_toc_matches(&rendered);
        // An unclosed inline <textarea> swallows the heading after it.
        let swallowed = render("x <textarea>\n\n# Gone\n").unwrap();
        assert!(swallowed.toc.is_empty(), "{}", swallowed.html);
        assert_eq!(swallowed.html, render("x <textarea>\n\n# Gone\n").unwrap().html);
        assert!(swallowed.html.contains("id=\"gone\""), "{}", swallowed.html);
    }

    #[test]
    fn tag_scanner_skips_quoted_values() {
        let tags = start_tags("<p title=\"<h2 id=&quot;x&quot;>\">t</p><h3 id=\"y\" x=z>");
        let names: Vec<&str> = tags.iter().map(|t| t.name).collect();
        assert_eq!(names, ["p", "h3"]);
        assert_eq!(tags[1].attrs, [("id", "y"), ("x", "z")]);
    }

    #[test]
    fn plain_text_has_no_markup() {
        let md = "# Title\n\nSee [the docs](http://secret.test) \
                  <span title=\"hidden\">now</span>.\n\n\
                  - one\n  - two\n\n| a | b |\n|:--|--:|\n| c | d |\n\n```\nlet x = 1;\n```\n";
        let rendered = render(md).unwrap();
        assert_eq!(rendered.text, "Title\nSee the docs now.\none\ntwo\na b\nc d\nlet x = 1;");
        assert_eq!(rendered.word_count, 14);
        assert!(!rendered.html.contains("style="));
    }

    #[test]
    fn excerpt_is_the_first_top_level_paragraph() {
        assert_eq!(render("# Hi\n\nSome *text* and `code`.\n").unwrap().excerpt, "Some text and code.");
        assert_eq!(
            render("# H\n\n- item\n\n> quote\n\nFirst  para\nline.\n\nNext.").unwrap().excerpt,
            "First para line."
        );
        assert_eq!(render("# Only a heading\n\n- and a list").unwrap().excerpt, "");
        let long = "word ".repeat(100);
        let excerpt = render(&long).unwrap().excerpt;
        assert!(excerpt.ends_with("word…") && excerpt.chars().count() <= 301, "{excerpt}");
        let unbroken = render(&"x".repeat(400)).unwrap().excerpt;
        assert_eq!(unbroken.chars().count(), 301);
    }

    #[test]
    fn reading_time() {
        assert_eq!(reading_time_minutes(0), 1);
        assert_eq!(reading_time_minutes(230), 1);
        assert_eq!(reading_time_minutes(231), 2);
        assert_eq!(reading_time_minutes(u32::MAX), u32::MAX.div_ceil(230));
    }

    /// Pieces that, glued together at random, hit the interesting parsers.
    const FRAGMENTS: &[&str] = &[
        "# Intro\n",
        "## Intro\n",
        "### ",
        "#\n",
        "intro-1",
        "\n\n",
        "\n",
        " ",
        "text ",
        "*em* ",
        "`code`",
        "- item\n",
        "1. item\n",
        "> quote\n",
        "| a | b |\n|---|:-:|\n",
        "```\n",
        "<h2 id=\"intro\">",
        "</h2>",
        "<textarea>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<table>",
        "<a href=\"javascript:alert(1)\">",
        "[x](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "\"",
        "<",
        ">",
        "&#106;",
        "Setext\n===\n",
        "<div>",
        "</div>",
        "<pre>",
        "<math><style>",
    ];

    fn check_invariants(markdown: &str) {
        // A body past the limits is refused, which is safe too.
        let Ok(rendered) = render(markdown) else { return };
        assert_safe(&rendered.html);
        assert_toc_matches(&rendered);
        assert!(rendered.excerpt.chars().count() <= EXCERPT_MAX_CHARS + 1);
    }

    proptest! {
        #[test]
        fn any_string_renders_safely(markdown in any::<String>()) {
            check_invariants(&markdown);
        }

        #[test]
        fn ascii_soup_renders_safely(markdown in "[ -~\n]{0,300}") {
            check_invariants(&markdown);
        }

        #[test]
        fn fragment_soup_renders_safely(
            parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..30)
        ) {
            check_invariants(&parts.concat());
        }
    }
}
