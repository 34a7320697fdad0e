//! The highlighted passage of each search result: made for the page's rows only, its
//! text escaped and the matched terms in `<mark>`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::store::sql::Sql;
use crate::store::{Conn, StoreResult};

/// Marks around matched terms in a snippet, replaced by `<mark>` once the text is escaped.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

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
        // Read in the language its vectors were made in, so that stemmed terms are marked.
        Sql::new(
            conn,
            "SELECT id, ts_headline(folio_search_config(locale), concat_ws(' … ', title, excerpt, body_text), ",
        )
        .with::<Text, _>("CAST(? AS tsquery), ", search.to_owned())
        .with::<Text, _>("?) AS snippet FROM articles WHERE id IN (", options)
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
    Ok(q.list::<BigInt, _>(ids.to_vec()).push(")").query().load(conn)?)
}

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
    fn snippets_are_escaped_with_marks_kept() {
        let raw = format!("a <b> & {MARK_OPEN}word{MARK_CLOSE}");
        assert_eq!(snippet_html(&raw), "a &lt;b&gt; &amp; <mark>word</mark>");
    }
}
