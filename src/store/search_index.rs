//! SQLite's search index takes each write transaction's changes at its end.
//!
//! FTS5 writes the terms it holds in memory to disk as a new segment whenever a
//! savepoint or a statement journal opens, so an index kept by row triggers wrote a
//! segment per create in a group commit, and merged them again and again. The
//! triggers (migration `search_at_commit`) note instead which articles changed and
//! what the index held for each; [`catch_up`] hands the index the whole transaction's
//! changes in one statement before it commits, and FTS5 writes them as one segment.
//! Every write transaction ends through it ([`super::write_tx`]), so readers, who see
//! committed transactions only, never see an article the index has not caught up with.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

diesel::table! {
    /// The articles changed since the index last caught up (SQLite only).
    search_pending (id) {
        id -> BigInt,
    }
}

/// Brings the index up to the articles as they are in this transaction: what it held
/// for each changed article is deleted, and the article, where it still exists, is
/// indexed again. Costs one cached lookup when nothing changed.
pub(super) fn catch_up(conn: &mut SqliteConnection) -> QueryResult<()> {
    let pending: bool =
        diesel::select(diesel::dsl::exists(search_pending::table.select(search_pending::id))).get_result(conn)?;
    if !pending {
        return Ok(());
    }
    // One statement, so FTS5 opens no savepoint between the deletes and the inserts;
    // the deletes come first, as an article changed twice needs. The few changed
    // articles lead the join (`CROSS JOIN`): the planner takes this table, empty
    // between transactions, for a large one (the statistics say so of every small
    // table, `crate::db::refresh_statistics`), and would otherwise read every article.
    conn.batch_execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, body_text)
             SELECT command, id, title, excerpt, body_text FROM (
                 SELECT 1 AS step, 'delete' AS command, id, title, excerpt, body_text
                     FROM search_pending WHERE indexed
                 UNION ALL
                 SELECT 2, NULL, articles.id, articles.title, articles.excerpt, articles.body_text
                     FROM search_pending CROSS JOIN articles ON articles.id = search_pending.id
                 ORDER BY step);
         DELETE FROM search_pending;",
    )
}
