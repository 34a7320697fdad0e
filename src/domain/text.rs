//! Text written by people: one-line texts (names, titles) and multi-line texts
//! (descriptions, bodies), each with its length limit.

use super::{chars, string, validated, Refused};

/// No control characters, and something besides white space.
pub const ONE_LINE_PATTERN: &str =
    r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";
/// No control characters but newlines and tabs.
pub const MULTI_LINE_PATTERN: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$";

/// Longest section name, tag name or display name.
pub const MAX_NAME: usize = 100;
/// Longest article or page title.
pub const MAX_TITLE: usize = 300;
/// Longest description or biography.
pub const MAX_DESCRIPTION: usize = 2000;
/// Longest excerpt.
pub const MAX_EXCERPT: usize = 1000;
/// Longest short text: a meta description, an image's alternative text.
pub const MAX_SHORT_TEXT: usize = 500;

fn too_long(max: usize) -> Refused {
    Refused(format!("must be at most {max} characters"))
}

/// A one-line text: not blank, at most `max` characters, no control characters;
/// kept trimmed.
pub fn one_line(value: &str, max: usize) -> Result<String, Refused> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(Refused("must not be empty".into()))
    } else if chars(value) > max {
        Err(too_long(max))
    } else if value.chars().any(char::is_control) {
        Err(Refused("must not contain control characters".into()))
    } else {
        Ok(trimmed.to_owned())
    }
}

/// A multi-line text: at most `max` characters, no control characters but newlines and tabs.
pub fn multi_line(value: &str, max: usize) -> Result<String, Refused> {
    if chars(value) > max {
        Err(too_long(max))
    } else if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        Err(Refused("must not contain control characters".into()))
    } else {
        Ok(value.to_owned())
    }
}

fn one_line_schema(max: usize) -> utoipa::openapi::ObjectBuilder {
    string().min_length(Some(1)).max_length(Some(max)).pattern(Some(ONE_LINE_PATTERN))
}

/// The schema of a multi-line text; unbounded without `maxLength`.
fn multi_line_schema(max: usize) -> utoipa::openapi::ObjectBuilder {
    string().max_length((max < usize::MAX).then_some(max)).pattern(Some(MULTI_LINE_PATTERN))
}

/// Declares text types, each checked by its rule (`one_line` or `multi_line`) with its
/// maximum, and documented by the schema of the same rule.
macro_rules! texts {
    ($($(#[$doc:meta])* $name:ident: $rule:ident($max:expr), $example:expr;)+) => {$(
        pastey::paste! {
            validated! {
                $(#[$doc])* #[derive(Debug)] $name, example = $example, check = |v| $rule(&v, $max), schema = [<$rule _schema>]($max)
            }
        }
    )+};
}

texts! {
    /// The name of a section or a tag: one line of at most 100 characters.
    Name: one_line(MAX_NAME), "Blogs";
    /// A person's name as shown beside their work: one line of at most 100 characters.
    DisplayName: one_line(MAX_NAME), "Nick Lorem";
    /// A title: one line of at most 300 characters.
    Title: one_line(MAX_TITLE), "The Science Behind Dry Needling for Muscle Recovery";
    /// A description or biography: text of at most 2000 characters.
    Description: multi_line(MAX_DESCRIPTION), "Articles from our clinicians.";
    /// An article's excerpt: text of at most 1000 characters.
    Excerpt: multi_line(MAX_EXCERPT), "How dry needling may support muscle recovery.";
    /// A meta description or an image's alternative text: at most 500 characters.
    ShortText: multi_line(MAX_SHORT_TEXT), "A physiotherapist treating a calf muscle";
    /// CommonMark with tables, of any length the body limit allows.
    Markdown: multi_line(usize::MAX), "Muscle recovery can feel challenging…\n\n## Understanding Muscle Damage\n";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_texts_are_trimmed_and_checked() {
        assert_eq!(Name::try_from("  Blogs ").map(Name::into_inner), Ok("Blogs".to_owned()));
        let refusal = |v: &str| Name::try_from(v).err().map(|r| r.0);
        assert_eq!(refusal("   ").as_deref(), Some("must not be empty"));
        assert_eq!(refusal("a\0b").as_deref(), Some("must not contain control characters"));
        assert_eq!(refusal(&"x".repeat(101)).as_deref(), Some("must be at most 100 characters"));
        assert!(Name::try_from("é".repeat(100)).is_ok(), "characters, not bytes");
    }

    #[test]
    fn multi_line_texts_keep_newlines_and_tabs() {
        assert!(Description::try_from("one\n\ttwo\r\n").is_ok());
        assert!(Description::try_from("").is_ok());
        assert!(Description::try_from("a\u{7}b").is_err());
        assert!(Description::try_from("x".repeat(2001)).is_err());
    }
}
