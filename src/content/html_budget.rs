//! Bounds the HTML handed to the sanitiser, whose parser (html5ever) does work that
//! grows with nesting depth times elements, with unclosed formatting elements times
//! paragraphs, and with the square of one tag's attributes.
//!
//! [`check`] scans the HTML with the tokenizer rules html5ever uses inside tags, and
//! escapes every `<` it does not read as the start of a tag. So every `<` the
//! sanitiser sees as markup is one this scan counted, and the counts are upper bounds
//! of what the sanitiser will build, whatever state its own tokenizer is in.

use std::fmt;

/// What an accepted body may hold at most; with these, any body renders in well under
/// a second on a small machine (measured in the commit that added them).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open elements at any point, formatting elements left open included.
    pub depth: usize,
    /// Start tags (and stray end tags) in all.
    pub elements: usize,
    /// Attributes on one tag.
    pub attributes_per_tag: usize,
    /// Attributes in all.
    pub attributes: usize,
}

pub const LIMITS: Limits = Limits { depth: 64, elements: 20_000, attributes_per_tag: 64, attributes: 40_000 };

/// Which limit a body went past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exceeded {
    Depth(usize),
    Elements(usize),
    AttributesPerTag(usize),
    Attributes(usize),
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Depth(n) => write!(f, "nests elements more than {n} levels deep (lists, quotes and raw HTML)"),
            Self::Elements(n) => write!(f, "has more than {n} elements"),
            Self::AttributesPerTag(n) => write!(f, "has an HTML tag with more than {n} attributes"),
            Self::Attributes(n) => write!(f, "has more than {n} HTML attributes"),
        }
    }
}

/// Elements html5ever keeps in its list of active formatting elements: closing their
/// parent does not end them, they are reopened later.
const FORMATTING: &[&str] =
    &["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track",
    "wbr", "image",
];

/// Elements that a start tag of the same name closes when it is the current one.
const SELF_CLOSING_SIBLINGS: &[&str] = &["p", "li", "dt", "dd", "option", "tr", "td", "th"];

/// Elements whose end clears the formatting elements opened inside them (html5ever's
/// "markers").
const MARKERS: &[&str] = &["td", "th", "caption", "applet", "object", "marquee", "template"];

/// An upper bound of html5ever's stack of open elements and its list of active
/// formatting elements: end tags close only what they name (and what lies above it),
/// formatting elements only their own end tag or a marker ends.
#[derive(Default)]
struct Counts {
    /// Open elements, each with how many formatting elements were open when it started.
    open: Vec<(String, usize)>,
    formatting: Vec<String>,
    elements: usize,
    attributes: usize,
}

impl Counts {
    /// Counts a tag's attributes (end tags have them too, and html5ever reads them).
    fn attributes(&mut self, attributes: usize, limits: &Limits) -> Result<(), Exceeded> {
        self.attributes += attributes;
        if attributes > limits.attributes_per_tag {
            return Err(Exceeded::AttributesPerTag(limits.attributes_per_tag));
        }
        if self.attributes > limits.attributes {
            return Err(Exceeded::Attributes(limits.attributes));
        }
        Ok(())
    }

    fn element(&mut self, limits: &Limits) -> Result<(), Exceeded> {
        self.elements += 1;
        if self.elements > limits.elements {
            return Err(Exceeded::Elements(limits.elements));
        }
        Ok(())
    }

    fn close(&mut self, at: usize) {
        for (name, formatting) in self.open.drain(at..).rev() {
            if MARKERS.contains(&name.as_str()) {
                self.formatting.truncate(formatting);
            }
        }
    }

    fn start(&mut self, name: String, attributes: usize, limits: &Limits) -> Result<(), Exceeded> {
        self.attributes(attributes, limits)?;
        self.element(limits)?;
        if VOID.contains(&name.as_str()) {
            return Ok(());
        }
        if FORMATTING.contains(&name.as_str()) {
            self.formatting.push(name);
        } else {
            if SELF_CLOSING_SIBLINGS.contains(&name.as_str()) && self.open.last().is_some_and(|(n, _)| *n == name) {
                self.close(self.open.len() - 1);
            }
            self.open.push((name, self.formatting.len()));
        }
        if self.open.len() + self.formatting.len() > limits.depth {
            return Err(Exceeded::Depth(limits.depth));
        }
        Ok(())
    }

    fn end(&mut self, name: &str, attributes: usize, limits: &Limits) -> Result<(), Exceeded> {
        self.attributes(attributes, limits)?;
        if FORMATTING.contains(&name) {
            if let Some(at) = self.formatting.iter().rposition(|open| open == name) {
                self.formatting.remove(at);
                return Ok(());
            }
        } else if let Some(at) = self.open.iter().rposition(|(open, _)| open == name) {
            self.close(at);
            return Ok(());
        }
        // A stray end tag may still make an element (`</p>`, `</br>`).
        self.element(limits)
    }
}

/// The HTML with every `<` that does not open a tag or comment escaped, once it is
/// within `limits`.
pub fn check(html: &str, limits: &Limits) -> Result<String, Exceeded> {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut counts = Counts::default();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        out.push_str(&html[copied..i]);
        let rest = &bytes[i + 1..];
        let (end, tag) = match rest.first() {
            Some(c) if c.is_ascii_alphabetic() => tag(bytes, i + 1),
            Some(b'/') if rest.get(1).is_some_and(u8::is_ascii_alphabetic) => tag(bytes, i + 2),
            Some(b'!') if rest.starts_with(b"!--") => (comment_end(bytes, i + 4), None),
            Some(b'!' | b'?' | b'/') => (bogus_comment_end(bytes, i + 2), None),
            _ => {
                out.push_str("&lt;");
                i += 1;
                copied = i;
                continue;
            }
        };
        if let Some(Tag { name, attributes, is_end }) = tag {
            if is_end {
                counts.end(&name, attributes, limits)?;
            } else {
                counts.start(name, attributes, limits)?;
            }
        }
        // The construct's own `<`, then its inside with any `<` escaped.
        out.push('<');
        out.push_str(&html[i + 1..end].replace('<', "&lt;"));
        i = end;
        copied = i;
    }
    out.push_str(&html[copied..]);
    Ok(out)
}

struct Tag {
    name: String,
    attributes: usize,
    is_end: bool,
}

/// Reads a tag whose name starts at `start`, as html5ever's tokenizer does; returns
/// where it ends (after `>`, or the end of input) and what it holds.
fn tag(bytes: &[u8], start: usize) -> (usize, Option<Tag>) {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Name,
        BeforeAttrName,
        AttrName,
        AfterAttrName,
        BeforeValue,
        Quoted(u8),
        Unquoted,
        AfterQuoted,
        SelfClosing,
    }
    let is_end = bytes.get(start.wrapping_sub(1)) == Some(&b'/');
    let is_space = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b' ' | b'\r');
    let mut state = State::Name;
    let mut name_end = None;
    let mut attributes = 0;
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        i += 1;
        state = match (state, c) {
            (State::Quoted(q), c) if c == q => State::AfterQuoted,
            (State::Quoted(q), _) => State::Quoted(q),
            (_, b'>') => {
                name_end.get_or_insert(i - 1);
                let name = String::from_utf8_lossy(&bytes[start..name_end.unwrap_or(start)]).to_ascii_lowercase();
                return (i, Some(Tag { name, attributes, is_end }));
            }
            (State::Name, c) if is_space(c) || c == b'/' => {
                name_end = Some(i - 1);
                if c == b'/' {
                    State::SelfClosing
                } else {
                    State::BeforeAttrName
                }
            }
            (State::Name, _) => State::Name,
            (State::BeforeAttrName | State::AfterQuoted | State::SelfClosing, c) if is_space(c) => {
                State::BeforeAttrName
            }
            (
                State::BeforeAttrName
                | State::AttrName
                | State::AfterAttrName
                | State::AfterQuoted
                | State::SelfClosing,
                b'/',
            ) => State::SelfClosing,
            (State::AttrName | State::AfterAttrName, b'=') => State::BeforeValue,
            (State::AttrName, c) if is_space(c) => State::AfterAttrName,
            (State::AttrName, _) => State::AttrName,
            (State::AfterAttrName, c) if is_space(c) => State::AfterAttrName,
            (State::BeforeValue, c) if is_space(c) => State::BeforeValue,
            (State::BeforeValue, b'"' | b'\'') => State::Quoted(c),
            (State::BeforeValue | State::Unquoted, c) if !is_space(c) => State::Unquoted,
            (State::Unquoted, _) => State::BeforeAttrName,
            // Anything else starts a new attribute (`=` included, as html5ever reads it).
            (_, _) => {
                attributes += 1;
                State::AttrName
            }
        };
    }
    // html5ever drops a tag cut off by the end of input, but has read its attributes.
    let name = String::from_utf8_lossy(&bytes[start..name_end.unwrap_or(bytes.len())]).to_ascii_lowercase();
    (bytes.len(), Some(Tag { name, attributes, is_end }))
}

/// After `<!--`: html5ever ends a comment at `-->` or `--!>`, and at once for `<!-->`
/// and `<!--->`. Ending later than it is safe: what lies between is escaped.
fn comment_end(bytes: &[u8], start: usize) -> usize {
    let body = &bytes[start.min(bytes.len())..];
    if body.starts_with(b">") {
        return start + 1;
    }
    if body.starts_with(b"->") {
        return start + 2;
    }
    for (at, window) in body.windows(3).enumerate() {
        if window == b"-->" {
            return start + at + 3;
        }
    }
    bytes.len()
}

/// `<!…>`, `<?…>` and `</` not followed by a letter: a bogus comment up to the next `>`.
fn bogus_comment_end(bytes: &[u8], start: usize) -> usize {
    let start = start.min(bytes.len());
    bytes[start..].iter().position(|&c| c == b'>').map_or(bytes.len(), |at| start + at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(html: &str) -> Result<String, Exceeded> {
        check(html, &LIMITS)
    }

    #[test]
    fn ordinary_html_passes_unchanged() {
        let html = "<h2 id=\"a\">T</h2>\n<p>x &lt; y <a href=\"http://e.test/?a=1&amp;b=2\">l</a><br/></p>\n<!-- c -->";
        assert_eq!(checked(html).unwrap(), html);
    }

    #[test]
    fn every_lt_that_opens_no_tag_is_escaped() {
        assert_eq!(checked("<div>a < b <3</div>").unwrap(), "<div>a &lt; b &lt;3</div>");
        // Inside a quoted value, a comment or a tag cut off by the end, `<` stays text
        // whatever the sanitiser's tokenizer makes of it.
        assert_eq!(checked("<a title=\"<b>\">x</a>").unwrap(), "<a title=\"&lt;b>\">x</a>");
        assert_eq!(checked("<!-- <b> -->").unwrap(), "<!-- &lt;b> -->");
        assert_eq!(checked("<b x=\"<i><i>").unwrap(), "<b x=\"&lt;i>&lt;i>");
    }

    #[test]
    fn formatting_elements_stay_open_until_their_own_end_tag() {
        let unclosed = |n: usize| (0..n).map(|i| format!("<div><b class=c{i}></div>")).collect::<String>();
        // Each `<div>` adds one level above the formatting elements left open before it.
        assert!(checked(&unclosed(LIMITS.depth - 1)).is_ok());
        assert_eq!(checked(&unclosed(LIMITS.depth)), Err(Exceeded::Depth(LIMITS.depth)));
        // A table cell ends the formatting elements opened inside it.
        let cells = "<table><tr><td><b class=x>a</td></tr></table>".repeat(LIMITS.depth * 2);
        assert!(checked(&cells).is_ok());
    }

    #[test]
    fn optional_end_tags_do_not_add_up() {
        assert!(checked(&"<p>para".repeat(LIMITS.depth * 4)).is_ok());
        assert!(checked(&format!("<ul>{}</ul>", "<li>item".repeat(LIMITS.depth * 4))).is_ok());
    }

    #[test]
    fn attributes_are_counted_as_html5ever_reads_them() {
        let tag = |n: usize| format!("<b{}>", (0..n).map(|i| format!(" a{i}")).collect::<String>());
        assert!(checked(&tag(LIMITS.attributes_per_tag)).is_ok());
        assert!(checked(&tag(LIMITS.attributes_per_tag + 1)).is_err());
        // Quoted values may hold spaces and `>`; after a quote a new attribute starts at once.
        let quoted =
            format!("<b{}>", (0..LIMITS.attributes_per_tag).map(|i| format!(" a{i}=\"x > y\"")).collect::<String>());
        assert!(checked(&quoted).is_ok());
        let glued = format!("<b a=\"\"{}>", "b=\"\"".repeat(LIMITS.attributes_per_tag));
        assert!(checked(&glued).is_err());
        let end_tag = format!("</b{}>", (0..=LIMITS.attributes_per_tag).map(|i| format!(" a{i}")).collect::<String>());
        assert!(checked(&end_tag).is_err());
        let cut_off = format!("<b{}", (0..=LIMITS.attributes_per_tag).map(|i| format!(" a{i}")).collect::<String>());
        assert!(checked(&cut_off).is_err(), "html5ever reads the attributes of a tag the input cuts off");
    }
}
