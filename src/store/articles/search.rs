//! Turns what a reader typed into a safe search of either backend: words and quoted
//! phrases are matched as plain terms (all of them), `word*` as a prefix, and no
//! operator or stray quote of FTS5 or of `tsquery` is ever interpreted.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::store::sql::Sql;
use crate::store::{Conn, StoreResult};

/// At most this many terms are searched for; the rest are ignored.
const MAX_TERMS: usize = 16;

/// One thing every match must contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Phrase(String),
    Prefix(String),
}

fn has_word(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// The terms of `input`; none when it holds no word at all.
pub fn terms(input: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() && terms.len() < MAX_TERMS {
        if let Some(after) = rest.strip_prefix('"') {
            let (phrase, tail) = after.split_once('"').unwrap_or((after, ""));
            if has_word(phrase) {
                terms.push(Term::Phrase(phrase.trim().to_owned()));
            }
            rest = tail.trim_start();
            continue;
        }
        let end = rest.find(|c: char| c.is_whitespace() || c == '"').unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        let prefix = word.ends_with('*');
        let word = word.trim_matches('*');
        if has_word(word) {
            terms.push(if prefix { Term::Prefix(word.to_owned()) } else { Term::Word(word.to_owned()) });
        }
        rest = tail.trim_start();
    }
    terms
}

/// The FTS5 match expression of `terms`: each one a quoted string.
pub fn fts5(terms: &[Term]) -> String {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let parts: Vec<String> = terms
        .iter()
        .map(|term| match term {
            Term::Word(text) | Term::Phrase(text) => quote(text),
            Term::Prefix(text) => format!("{}*", quote(text)),
        })
        .collect();
    parts.join(" ")
}

#[derive(QueryableByName)]
struct Expression {
    #[diesel(sql_type = Text)]
    query: String,
}

/// The `tsquery` of `terms` as text, made by PostgreSQL's own parser from bound values
/// (so words split exactly as the indexed text was): a word as `plainto_tsquery`, a
/// phrase as `phraseto_tsquery`, a prefix as one quoted lexeme with `:*` (as typed when
/// the configuration drops it); all ANDed.
/// Each term is read in the text-search configuration of each of `locales` (an
/// article's vectors are made in its locale's), any of them matching.
pub fn tsquery(conn: &mut Conn, terms: &[Term], locales: &[String]) -> StoreResult<String> {
    let mut sql = Sql::new(conn, "SELECT CAST(");
    for (i, term) in terms.iter().enumerate() {
        if i > 0 {
            sql = sql.push(" && ");
        }
        sql = sql.push("(");
        for (j, locale) in locales.iter().enumerate() {
            if j > 0 {
                sql = sql.push(" || ");
            }
            let config = |sql: Sql, function: &str| {
                sql.with::<Text, _>(&format!("{function}(folio_search_config(?), "), locale.clone())
            };
            sql = match term {
                Term::Word(text) => config(sql, "plainto_tsquery").with::<Text, _>("?)", text.clone()),
                Term::Phrase(text) => config(sql, "phraseto_tsquery").with::<Text, _>("?)", text.clone()),
                // A prefix the configuration drops as a stop word (`no*`, or `s*` in
                // English) would match nothing: it is then matched as typed, against the
                // lexemes so begun.
                Term::Prefix(text) => {
                    let quoted = format!("'{}':*", text.replace('\\', "\\\\").replace('\'', "''"));
                    let sql =
                        config(sql.push("COALESCE(NULLIF("), "to_tsquery").with::<Text, _>("?), ''), ", quoted.clone());
                    sql.with::<Text, _>("to_tsquery('simple', ?))", quoted)
                }
            };
        }
        sql = sql.push(")");
    }
    Ok(sql.push(" AS TEXT) AS query").query().get_result::<Expression>(conn)?.query)
}

/// On PostgreSQL, makes the search vector of a body's plain `text` in `locale` ahead
/// of the write that stores it, on `conn` (a reader's, not the writer's): the write's
/// trigger then finds it instead of making it in the writer's turn (the migration
/// `search_ahead`). Vectors no write took within the hour (their writes failed) go
/// meanwhile. Nothing on SQLite, where FTS5 indexes a body as its write commits
/// (`store::search_index`).
pub fn vector_ahead(conn: &mut Conn, locale: &str, text: &str) -> StoreResult<()> {
    let Conn::Postgres(conn) = conn else { return Ok(()) };
    diesel::sql_query(
        "WITH stale AS (DELETE FROM body_vectors WHERE made_at < now() - interval '1 hour')
         INSERT INTO body_vectors (digest, vector)
         VALUES (folio_body_digest($1, $2), folio_body_vector($1, $2))
         ON CONFLICT (digest) DO NOTHING",
    )
    .bind::<Text, _>(locale)
    .bind::<Text, _>(text)
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn match_expression(input: &str) -> Option<String> {
        let terms = terms(input);
        (!terms.is_empty()).then(|| fts5(&terms))
    }

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
