//! Turns what a reader typed into a safe FTS5 match expression: words and quoted
//! phrases are matched as plain terms (all of them), `word*` as a prefix, and
//! FTS5 operators or stray quotes are never interpreted.

/// At most this many terms are searched for; the rest are ignored.
const MAX_TERMS: usize = 16;

fn quote(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

fn has_word(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// The FTS5 expression for `input`, or `None` when it holds no word at all.
pub fn match_expression(input: &str) -> Option<String> {
    let mut terms = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() && terms.len() < MAX_TERMS {
        if let Some(after) = rest.strip_prefix('"') {
            let (phrase, tail) = after.split_once('"').unwrap_or((after, ""));
            if has_word(phrase) {
                terms.push(quote(phrase.trim()));
            }
            rest = tail.trim_start();
            continue;
        }
        let end = rest.find(|c: char| c.is_whitespace() || c == '"').unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        let prefix = word.ends_with('*');
        let word = word.trim_matches('*');
        if has_word(word) {
            terms.push(if prefix { format!("{}*", quote(word)) } else { quote(word) });
        }
        rest = tail.trim_start();
    }
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::match_expression;

    #[test]
    fn words_phrases_and_prefixes_become_quoted_terms() {
        assert_eq!(match_expression("muscle recovery").as_deref(), Some("\"muscle\" \"recovery\""));
        assert_eq!(match_expression("\"dry needling\" circ*").as_deref(), Some("\"dry needling\" \"circ\"*"));
    }

    #[test]
    fn operators_and_stray_syntax_are_plain_text() {
        for input in ["AND", "a OR b", "NEAR(a b)", "\"unbalanced", "col:term", "a\"b", "-x", "^start"] {
            let expression = match_expression(input).expect("has a word");
            assert!(expression.starts_with('"'), "{input} → {expression}");
        }
        assert_eq!(match_expression("*"), None);
        assert_eq!(match_expression("  \"\" ** -- "), None);
    }
}
