//! Keyset pagination of the article list: where a page starts (just after the last
//! article of the page before, by its place in the list's order), so page 50 costs
//! what page 1 does and articles added meanwhile move nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::list::Sort;
use crate::store::sql::Sql;
use crate::store::{Conn, StoreResult};

/// Where a page starts in a list's order: just after the article its last page ended
/// with (a keyset: page 50 costs what page 1 does, and articles added meanwhile move
/// nothing). Made by `list` and `list_stored` as [`Continuation::next`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Key {
    /// After article `id`, whose sort value is `at` (`published_at` or `updated_at`;
    /// `None`: a draft never published, listed after every date).
    At { at: Option<NaiveDateTime>, id: i64 },
    /// After article `id`, titled `title`.
    Title { title: String, id: i64 },
    /// By relevance, which no stable key orders: after the first `offset` matches.
    Offset(i64),
}

/// Where a list's page stands: how many items come before it, and where the next
/// page starts (`None`: this page is the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continuation {
    pub before: i64,
    pub next: Option<Key>,
}

/// ` AND …` keeping the articles after `key` in `sort`'s order (see [`Sort::order_by`]:
/// drafts never published come after every date, either way). A key of another sort
/// keeps nothing.
pub(super) fn after_key(q: Sql, sort: Sort, key: &Key) -> Sql {
    let (column, op) = match sort {
        Sort::PublishedAt => ("articles.published_at", ">"),
        Sort::PublishedAtDesc => ("articles.published_at", "<"),
        Sort::Title => ("articles.title", ">"),
        Sort::TitleDesc => ("articles.title", "<"),
        Sort::UpdatedAt => ("articles.updated_at", ">"),
        Sort::UpdatedAtDesc => ("articles.updated_at", "<"),
    };
    let dated = matches!(sort, Sort::PublishedAt | Sort::PublishedAtDesc);
    let titled = matches!(sort, Sort::Title | Sort::TitleDesc);
    match key {
        Key::At { at: Some(at), id } if !titled => q
            .with::<Timestamp, _>(&format!(" AND ({column} {op} ?"), *at)
            .with::<Timestamp, _>(&format!(" OR ({column} = ?"), *at)
            .with::<BigInt, _>(&format!(" AND articles.id {op} ?)"), *id)
            .push(if dated { " OR articles.published_at IS NULL)" } else { ")" }),
        Key::At { at: None, id } if dated => {
            q.with::<BigInt, _>(&format!(" AND articles.published_at IS NULL AND articles.id {op} ?"), *id)
        }
        Key::Title { title, id } if titled => q
            .with::<Text, _>(&format!(" AND ({column} {op} ?"), title.clone())
            .with::<Text, _>(&format!(" OR ({column} = ?"), title.clone())
            .with::<BigInt, _>(&format!(" AND articles.id {op} ?))"), *id),
        _ => q.push(" AND 1 = 0"),
    }
}

/// The key of article `id` in `sort`'s order, where the page after it starts.
pub(super) fn key_of(conn: &mut Conn, sort: Sort, id: i64) -> StoreResult<Key> {
    use crate::db::schema::articles;
    let (title, published_at, updated_at) = articles::table
        .filter(articles::id.eq(id))
        .select((articles::title, articles::published_at, articles::updated_at))
        .first::<(String, Option<NaiveDateTime>, NaiveDateTime)>(conn)?;
    Ok(match sort {
        Sort::PublishedAt | Sort::PublishedAtDesc => Key::At { at: published_at, id },
        Sort::Title | Sort::TitleDesc => Key::Title { title, id },
        Sort::UpdatedAt | Sort::UpdatedAtDesc => Key::At { at: Some(updated_at), id },
    })
}
