//! A page of search results by relevance, at a cost bounded whatever the search matches.
//!
//! Ranking costs per match: FTS5's `bm25` reads each match's position lists and column
//! sizes, PostgreSQL's `ts_rank` each match's `tsvector` (out of line, compressed, for
//! a long body). A search matching most articles ranked them all, and 64 of them at
//! once queued every other search behind them. So a search takes two steps:
//!
//! 1. The ids of every match the caller may list, newest first, from the index alone:
//!    on SQLite FTS5's doclists, minus the articles not live (from the unpublished
//!    ones' table and the status index, never from article rows); on PostgreSQL the
//!    GIN index and each match's row, never its body's vector. This gives the exact
//!    total, and the pages past the ranked matches.
//! 2. The newest [`ListQuery::ranked`] matches (all of them, for most searches) ranked by
//!    relevance, for the part of the page among them. Older matches of a search
//!    matching more follow, newest first.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::list::{conditions, is_filtered, Id, ListQuery, Resolved, StatusFilter};
use super::SCHEDULED;
use crate::content::policy::Visibility;
use crate::content::status::ArticleStatus;
use crate::store::sql::Sql;
use crate::store::{Conn, StoreResult};

/// The total and the page's ids of a search ordered by relevance.
pub(super) fn page(conn: &mut Conn, query: &ListQuery, r: &Resolved, search: &str) -> StoreResult<(i64, Vec<i64>)> {
    let matches = all_matches(conn, query, r, search)?;
    let total = i64::try_from(matches.len()).unwrap_or(i64::MAX);
    let offset = usize::try_from(query.offset()).unwrap_or(usize::MAX);
    let end = offset.saturating_add(usize::try_from(query.page.per_page).unwrap_or(0)).min(matches.len());
    let ranked = &matches[..matches.len().min(query.ranked.max(1))];
    let mut ids = Vec::new();
    if offset < ranked.len() {
        let wanted = end.min(ranked.len()) - offset;
        ids = load(conn, ranking(conn, query, r, search, ranked, offset, wanted))?;
    }
    if let Some(older) = matches.get(offset.max(ranked.len())..end) {
        ids.extend_from_slice(older);
    }
    Ok((total, ids))
}

fn load(conn: &mut Conn, q: Sql) -> StoreResult<Vec<i64>> {
    Ok(q.query().load::<Id>(conn)?.into_iter().map(|row| row.id).collect())
}

/// Every match the caller may list, newest first.
fn all_matches(conn: &mut Conn, query: &ListQuery, r: &Resolved, search: &str) -> StoreResult<Vec<i64>> {
    if !conn.is_postgres() {
        let q = Sql::new(conn, "SELECT rowid AS id FROM articles_fts WHERE")
            .with::<Text, _>(" articles_fts MATCH ?", search.to_owned());
        return load(conn, listed(q, query, r).push(" ORDER BY rowid DESC"));
    }
    // From the GIN index, the conditions checked on each match's row. For a word in most
    // articles the planner would rather scan the table (or an index of it) and test
    // every row's `search`, read out of line: ~60 µs a row. Told to use no such scan,
    // and given no condition another index could answer, it has the GIN index left.
    let q = Sql::new(conn, "SELECT articles.id AS id FROM articles WHERE")
        .with::<Text, _>(" articles.search @@ CAST(? AS tsquery)", search.to_owned());
    let q = conditions(q.push(" AND (1 = 1"), query, r).push(") IS TRUE ORDER BY articles.id DESC");
    conn.transaction(|conn| {
        conn.batch_execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")?;
        load(conn, q)
    })
}

/// Of the `ranked` matches (newest first), `count` from `offset` on in order of relevance.
fn ranking(
    conn: &Conn,
    query: &ListQuery,
    r: &Resolved,
    search: &str,
    ranked: &[i64],
    offset: usize,
    count: usize,
) -> Sql {
    let oldest = ranked.last().copied().unwrap_or(0);
    let q = if conn.is_postgres() {
        // Title matches first, then by the title and excerpt's vector: small, stored in
        // the row, where the body's would be read out of line for every match.
        Sql::new(conn, "SELECT articles.id AS id FROM articles WHERE articles.id IN (")
            .list::<BigInt, _>(ranked.to_vec())
            .with::<Text, _>(
                ") ORDER BY ts_filter(articles.search_head, '{a}') @@ CAST(? AS tsquery) DESC",
                search.to_owned(),
            )
            .with::<Text, _>(
                ", ts_rank('{0, 0.1, 0.5, 1.0}', articles.search_head, CAST(? AS tsquery), 1) DESC",
                search.to_owned(),
            )
            .push(", articles.id DESC")
    } else {
        // Title matches first (every term in the title, as on PostgreSQL); then by bm25,
        // title words weighing ten times the body's, the excerpt's five.
        let q = Sql::new(conn, "SELECT rowid AS id FROM articles_fts WHERE")
            .with::<Text, _>(" articles_fts MATCH ?", search.to_owned())
            .with::<BigInt, _>(" AND rowid >= ?", oldest);
        listed(q, query, r)
            .with::<Text, _>(
                " ORDER BY +rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
                format!("{{title}} : ({search})"),
            )
            .with::<BigInt, _>(" AND rowid >= ?) DESC, bm25(articles_fts, 10.0, 5.0, 1.0), rowid DESC", oldest)
    };
    let (offset, count) = (i64::try_from(offset).unwrap_or(i64::MAX), i64::try_from(count).unwrap_or(0));
    q.with::<BigInt, _>(" LIMIT ?", count).with::<BigInt, _>(" OFFSET ?", offset)
}

/// ` AND …`: the FTS5 row is an article the query lists. Its `+` keeps SQLite from handing
/// the ids to FTS5 to look up one at a time.
fn listed(q: Sql, query: &ListQuery, r: &Resolved) -> Sql {
    let everything = query.visibility == Visibility::All && query.status == StatusFilter::Any;
    let public = query.visibility == Visibility::Public && query.status == StatusFilter::Only(ArticleStatus::Published);
    match (is_filtered(query), everything, public) {
        (false, true, _) => q,
        // Not live: the unpublished ones, each match looked up in their table (its
        // b-tree, no list made), and the few scheduled ones from the status index.
        (false, _, true) => q
            .push(" AND +rowid NOT IN (SELECT id FROM articles_unpublished)")
            .with::<Timestamp, _>(&format!(" AND +rowid NOT IN (SELECT id FROM articles WHERE {SCHEDULED})"), r.now),
        _ => conditions(q.push(" AND +rowid IN (SELECT articles.id FROM articles WHERE 1 = 1"), query, r).push(")"),
    }
}
