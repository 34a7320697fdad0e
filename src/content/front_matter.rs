//! Front matter: the `---`-fenced block of `key: value` lines at the top of a
//! Markdown file.
//!
//! This is deliberately not YAML: each value is either JSON (when it starts
//! with `"`, `[` or `{`) or a plain string, so there is exactly one way to
//! read every line.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// A Markdown file split into its front matter fields and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub fields: BTreeMap<String, Value>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontMatterError {
    /// The opening `---` has no closing `---` line.
    Unterminated,
    /// A line (1-based, counting the opening `---` as line 1) is not a
    /// `key: value` pair, or repeats a key.
    BadLine { line: usize },
    /// A value that looks like JSON does not parse as JSON.
    BadValue { key: String },
}

impl fmt::Display for FrontMatterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unterminated => f.write_str("front matter is not closed by a `---` line"),
            Self::BadLine { line } => {
                write!(f, "front matter line {line} is not a new `key: value` pair")
            }
            Self::BadValue { key } => {
                write!(f, "front matter value of `{key}` is not valid JSON")
            }
        }
    }
}

impl std::error::Error for FrontMatterError {}

/// Splits `source` into front matter fields and body.
///
/// Without a leading `---` line the whole source is the body. Lines may end
/// in `\n` or `\r\n`; blank lines inside the block are ignored.
pub fn parse(source: &str) -> Result<Document, FrontMatterError> {
    // Editors on Windows like to prepend a byte order mark.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut lines = source.split_inclusive('\n');
    let mut offset = match lines.next() {
        Some(first) if is_fence(first) => first.len(),
        _ => {
            return Ok(Document { fields: BTreeMap::new(), body: source.to_owned() });
        }
    };
    let mut fields = BTreeMap::new();
    for (index, line) in lines.enumerate() {
        offset += line.len();
        if is_fence(line) {
            let body = source[offset..].trim_start_matches(['\r', '\n']).to_owned();
            return Ok(Document { fields, body });
        }
        if line.trim().is_empty() {
            continue;
        }
        let bad_line = FrontMatterError::BadLine { line: index + 2 };
        let (key, raw) = split_line(line).ok_or_else(|| bad_line.clone())?;
        if fields.contains_key(key) {
            // Silently letting the later line win would hide typos.
            return Err(bad_line);
        }
        fields.insert(key.to_owned(), parse_value(key, raw)?);
    }
    Err(FrontMatterError::Unterminated)
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

fn split_line(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    is_key(key).then_some((key, value.trim()))
}

/// Keys follow `[a-z_][a-z0-9_]*` so they map onto struct fields unchanged.
fn is_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn parse_value(key: &str, raw: &str) -> Result<Value, FrontMatterError> {
    if raw.starts_with(['"', '[', '{']) {
        serde_json::from_str(raw).map_err(|_| FrontMatterError::BadValue { key: key.to_owned() })
    } else {
        Ok(Value::String(raw.to_owned()))
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use serde_json::json;

    const SEED: &str = include_str!("../../tests/fixtures/seed-article.md");

    #[test]
    fn seed_article_front_matter() {
        let doc = parse(SEED).unwrap();
        let field = |key: &str| doc.fields.get(key).cloned().unwrap_or(Value::Null);
        assert_eq!(field("title"), json!("The Science Behind Dry Needling for Muscle Recovery"));
        assert_eq!(field("slug"), json!("the-science-behind-dry-needling-for-muscle-recovery"));
        assert_eq!(field("section"), json!("blogs"));
        assert_eq!(
            field("tags"),
            json!(["Dry Needling", "Muscle Recovery", "DOMS", "Trigger Points", "Sports Recovery", "Physical Therapy"])
        );
        assert_eq!(field("published_at"), json!("2024-05-23T00:00:00Z"));
        assert!(doc.body.starts_with("Muscle recovery can feel challenging"));
    }

    #[test]
    fn no_front_matter_means_all_body() {
        for source in ["", "# Title\n\nText", "\n---\na: b\n---\n", "----\n"] {
            let doc = parse(source).unwrap();
            assert!(doc.fields.is_empty());
            assert_eq!(doc.body, source);
        }
    }

    #[test]
    fn values_plain_and_json() {
        let doc =
            parse("---\n\na: plain text  \nb: \"quoted: yes\"\nc: [1, 2]\nd: {\"x\": null}\ne:\nf: 42\n---\nbody")
                .unwrap();
        assert_eq!(doc.fields["a"], json!("plain text"));
        assert_eq!(doc.fields["b"], json!("quoted: yes"));
        assert_eq!(doc.fields["c"], json!([1, 2]));
        assert_eq!(doc.fields["d"], json!({"x": null}));
        assert_eq!(doc.fields["e"], json!(""));
        // Only JSON-looking values are typed; everything else stays a string.
        assert_eq!(doc.fields["f"], json!("42"));
        assert_eq!(doc.body, "body");
    }

    #[test]
    fn crlf_and_leading_newlines() {
        let doc = parse("---\r\ntitle: Hi\r\ntags: [\"a\"]\r\n---\r\n\r\n\r\nBody\r\nmore").unwrap();
        assert_eq!(doc.fields["title"], json!("Hi"));
        assert_eq!(doc.fields["tags"], json!(["a"]));
        assert_eq!(doc.body, "Body\r\nmore");
        let empty_body = parse("\u{feff}---\nk: v\n---").unwrap();
        assert_eq!(empty_body.body, "");
        assert_eq!(empty_body.fields["k"], json!("v"));
    }

    #[test]
    fn errors() {
        use FrontMatterError::*;
        assert_eq!(parse("---\ntitle: x\n"), Err(Unterminated));
        assert_eq!(parse("---"), Err(Unterminated));
        assert_eq!(parse("---\ntitle: x\nnot a pair\n---\n"), Err(BadLine { line: 3 }));
        assert_eq!(parse("---\nTitle: x\n---\n"), Err(BadLine { line: 2 }));
        assert_eq!(parse("---\n9lives: x\n---\n"), Err(BadLine { line: 2 }));
        assert_eq!(parse("---\n a: x\n---\n"), Err(BadLine { line: 2 }));
        assert_eq!(parse("---\na: 1\n\na: 2\n---\n"), Err(BadLine { line: 4 }));
        assert_eq!(parse("---\ntags: [\"a\",\n---\n"), Err(BadValue { key: "tags".into() }));
        assert_eq!(parse("---\ntitle: \"unterminated\n---\n"), Err(BadValue { key: "title".into() }));
        let message = BadLine { line: 3 }.to_string();
        assert!(message.contains("line 3"), "{message}");
    }
}
