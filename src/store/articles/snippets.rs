//! The highlighted passage of each search result: made for the page's rows only, its
//! text escaped and the matched terms in `<mark>`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::store::sql::Sql;
use crate::store::{Conn, StoreResult};

/// Marks around matched terms in a snippet, replaced by `<mark>` once the text is escaped.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// The passage given to PostgreSQL's `ts_headline`: this many characters, this many of
/// them before the first lexeme found. A headline is 12 to 24 words, well inside it;
/// when the passage holds no place with every term, the headline is its first words,
/// so they must reach the lexeme.
const PASSAGE: i32 = 720;
const PASSAGE_BEFORE: i32 = 60;

#[derive(QueryableByName)]
pub(super) struct Snippet {
    #[diesel(sql_type = BigInt)]
    pub(super) id: i64,
    #[diesel(sql_type = Text)]
    pub(super) snippet: String,
}

/// The highlighted passage of each of `ids` that matched `search`: made for the
/// page's rows only.
pub(super) fn snippets(conn: &mut Conn, search: &str, ids: &[i64]) -> StoreResult<Vec<Snippet>> {
    let q = if conn.is_postgres() {
        let options = format!("StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=24, MinWords=12, ShortWord=0");
        // `ts_headline` parses and stems every word it is given: ~2 ms for an article of
        // 10 KB, 25 ms for a page. So it is given the passage around the first place
        // where a lexeme of the search appears as written (most words' stems are
        // their start), and the whole text only when that passage holds no match. Each is
        // read in the language its vectors were made in, so that stemmed terms are marked.
        let q = Sql::new(conn, "SELECT id, CASE WHEN at = 0 OR strpos(near, ")
            .with::<Text, _>("?) > 0 THEN near ", MARK_OPEN.to_string())
            .with::<Text, _>("ELSE ts_headline(config, t, CAST(? AS tsquery), ", search.to_owned())
            .with::<Text, _>("?) END AS snippet FROM (SELECT id, t, at, config, ts_headline(config, ", options.clone())
            .with::<Integer, _>("CASE WHEN at > ? ", PASSAGE_BEFORE)
            .with::<Integer, _>("THEN regexp_replace(substr(t, at - ?, ", PASSAGE_BEFORE)
            .with::<Integer, _>("?), '^\\S*\\s', '') ", PASSAGE)
            .with::<Integer, _>("WHEN at > 0 THEN substr(t, 1, ?) ELSE t END, ", PASSAGE)
            .with::<Text, _>("CAST(? AS tsquery), ", search.to_owned())
            .with::<Text, _>("?) AS near FROM (SELECT id, t, config, COALESCE(", options);
        // The longest lexeme found first: a short one is more often part of another word.
        let mut lexemes = lexemes(search);
        lexemes.sort_by_key(|lexeme| std::cmp::Reverse(lexeme.chars().count()));
        lexemes.into_iter().fold(q, |q, lexeme| q.with::<Text, _>("NULLIF(strpos(low, ?), 0), ", lexeme)).push(
            "0) AS at FROM (SELECT id, folio_search_config(locale) AS config, t, lower(t) AS low \
                 FROM (SELECT id, locale, concat_ws(' … ', title, excerpt, body_text) AS t \
                 FROM articles WHERE id IN (",
        )
    } else {
        // One pass over the matches between the page's lowest and highest id: asked
        // for by id, FTS5 would expand a prefix search again for each.
        let (low, high) = (ids.iter().min().copied().unwrap_or(0), ids.iter().max().copied().unwrap_or(0));
        Sql::new(
            conn,
            &format!(
                "SELECT rowid AS id, snippet(articles_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24) AS snippet \
                 FROM articles_fts WHERE "
            ),
        )
        .with::<Text, _>("articles_fts MATCH ?", search.to_owned())
        .with::<BigInt, _>(" AND rowid BETWEEN ?", low)
        .with::<BigInt, _>(" AND ? AND +rowid IN (", high)
    };
    // `OFFSET 0` keeps each step a step: merged into one, a column would be computed
    // again wherever it is named.
    let close = if conn.is_postgres() {
        ") OFFSET 0) AS texts OFFSET 0) AS lowered OFFSET 0) AS found OFFSET 0) AS passages"
    } else {
        ")"
    };
    Ok(q.list::<BigInt, _>(ids.to_vec()).push(close).query().load(conn)?)
}

/// The lexemes of a `tsquery` as PostgreSQL writes it (`'grey' <-> 'heron' & 'nest':*`),
/// each once, at most [`MAX_LEXEMES`].
fn lexemes(tsquery: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut chars = tsquery.chars();
    while found.len() < MAX_LEXEMES {
        if chars.by_ref().find(|&c| c == '\'').is_none() {
            break;
        }
        let mut lexeme = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => lexeme.extend(chars.next()),
                '\'' if chars.clone().next() == Some('\'') => {
                    chars.next();
                    lexeme.push('\'');
                }
                '\'' => break,
                c => lexeme.push(c),
            }
        }
        if !lexeme.is_empty() && !found.contains(&lexeme) {
            found.push(lexeme);
        }
    }
    found
}

/// Lexemes looked for to place a snippet's passage: a search has at most 16 terms.
const MAX_LEXEMES: usize = 32;

/// The snippet as HTML: its text escaped, matched terms in `<mark>`.
pub(super) fn snippet_html(raw: &str) -> String {
    let mut html = String::with_capacity(raw.len() + 32);
    for c in raw.chars() {
        match c {
            MARK_OPEN => html.push_str("<mark>"),
            MARK_CLOSE => html.push_str("</mark>"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            '"' => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexemes_of_a_tsquery_are_read_once_each_quotes_and_all() {
        assert_eq!(lexemes("'grey' <-> 'heron' & 'nest':* & 'heron'"), ["grey", "heron", "nest"]);
        assert_eq!(lexemes("'o''neil' & 'a\\\\b'"), ["o'neil", "a\\b"]);
        assert!(lexemes("").is_empty());
    }

    #[test]
    fn snippets_are_escaped_with_marks_kept() {
        let raw = format!("a <b> & {MARK_OPEN}word{MARK_CLOSE}");
        assert_eq!(snippet_html(&raw), "a &lt;b&gt; &amp; <mark>word</mark>");
    }
}
