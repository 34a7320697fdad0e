//! The text side of a render: plain text for the search index, the excerpt and
//! the word count, read from the Markdown events.

use pulldown_cmark::{Event, TagEnd};

pub(super) const EXCERPT_MAX_CHARS: usize = 300;

/// Text of the inline events up to the end of the enclosing block.
pub(super) fn inline_text(events: &[Event<'_>]) -> String {
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
pub(super) fn plain_text(events: &[Event<'_>]) -> (String, String) {
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

pub(super) fn collapse_whitespace(text: &str) -> String {
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

pub(super) fn count_words(text: &str) -> u32 {
    let words = text.split_whitespace().filter(|word| word.chars().any(char::is_alphanumeric)).count();
    u32::try_from(words).unwrap_or(u32::MAX)
}
