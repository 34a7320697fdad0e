//! What feeds and the sitemap read of the read model: the stored documents of the newest
//! live articles (a page of the list index), and what links every live article, a range
//! of the index at a time, without a body.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use super::listing::{self, Filter, Item, Scope, EVERY};
use crate::db::schema::{article_listing, listing_counts, sections, tags};
use crate::store::sql::Sql;
use crate::store::{Conn, PageRequest, StoreResult};

/// The newest live articles a feed shows, and the names of what it is narrowed to.
pub struct Newest {
    /// The section's name, when narrowed to a section.
    pub section: Option<String>,
    /// The tag's name, when narrowed to a tag.
    pub tag: Option<String>,
    /// Their stored documents and ETags, newest first.
    pub items: Vec<Item>,
}

/// What a feed was narrowed to that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    Section,
    Tag,
}

/// The `limit` newest articles live at `now`, in the section with slug `section` (or a
/// section below it) and carrying the tag with slug `tag`, each when given.
pub fn newest(
    conn: &mut Conn,
    section: Option<&str>,
    tag: Option<&str>,
    limit: i64,
    now: NaiveDateTime,
) -> StoreResult<Result<Newest, Unknown>> {
    let mut scopes: Vec<Scope> = Vec::new();
    let section = match section {
        None => None,
        Some(slug) => {
            let found: Option<(i64, String)> = sections::table
                .filter(sections::slug.eq(slug))
                .select((sections::id, sections::name))
                .get_result(conn)
                .optional()?;
            let Some((id, name)) = found else { return Ok(Err(Unknown::Section)) };
            scopes.push(listing::section(id));
            Some(name)
        }
    };
    let tag = match tag {
        None => None,
        Some(slug) => {
            let found: Option<(i64, String)> =
                tags::table.filter(tags::slug.eq(slug)).select((tags::id, tags::name)).get_result(conn).optional()?;
            let Some((id, name)) = found else { return Ok(Err(Unknown::Tag)) };
            scopes.push(listing::tag(id));
            Some(name)
        }
    };
    let filter = Filter { scopes, after: None, before: None, oldest_first: false, following: None };
    let items = listing::page(conn, &filter, PageRequest { page: 1, per_page: limit }, now, true)?.items;
    Ok(Ok(Newest { section, tag, items }))
}

/// How many articles are live at `now`: the maintained count of every article, less
/// those still scheduled (as a list's total is).
pub fn live_count(conn: &mut Conn, now: NaiveDateTime) -> StoreResult<i64> {
    let (kind, scope_id) = EVERY;
    let stored: Option<i64> = listing_counts::table
        .filter(listing_counts::kind.eq(kind))
        .filter(listing_counts::scope_id.eq(scope_id))
        .select(listing_counts::articles)
        .get_result(conn)
        .optional()?;
    let scheduled: i64 = article_listing::table
        .filter(article_listing::kind.eq(kind))
        .filter(article_listing::scope_id.eq(scope_id))
        .filter(article_listing::live_from.gt(now))
        .count()
        .get_result(conn)?;
    Ok(stored.unwrap_or(0) - scheduled)
}

/// What links a live article, and when it last changed.
#[derive(Debug, QueryableByName)]
pub struct Located {
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub locale: String,
    /// Its section's slug, if it has one.
    #[diesel(sql_type = Nullable<Text>)]
    pub section: Option<String>,
    #[diesel(sql_type = Timestamp)]
    pub updated_at: NaiveDateTime,
    /// Its stored document's ETag, which changes whenever any of the above does.
    #[diesel(sql_type = Text)]
    pub etag: String,
}

/// Up to `limit` articles live at `now`, oldest first, after the first `skip`: a range of
/// the list index (its entries only), joined to the stored documents' slugs and dates.
/// Oldest first, so that a new article changes the last range only.
pub fn located(conn: &mut Conn, skip: i64, limit: i64, now: NaiveDateTime) -> StoreResult<Vec<Located>> {
    let (kind, scope_id) = EVERY;
    let rows = Sql::new(
        conn,
        "SELECT d.slug AS slug, d.locale AS locale, s.slug AS section, d.updated_at AS updated_at, d.etag AS etag",
    )
    .push(" FROM (SELECT l.article_id AS id, l.live_from AS at FROM article_listing l")
    .with::<Integer, _>(" WHERE l.kind = ?", kind)
    .with::<BigInt, _>(" AND l.scope_id = ?", scope_id)
    .with::<Timestamp, _>(" AND l.live_from <= ?", now)
    .push(" ORDER BY l.live_from, l.article_id")
    .with::<BigInt, _>(" LIMIT ?", limit)
    .with::<BigInt, _>(" OFFSET ?", skip)
    .push(") p JOIN article_documents d ON d.article_id = p.id JOIN articles a ON a.id = p.id")
    .push(" LEFT JOIN sections s ON s.id = a.section_id ORDER BY p.at, p.id")
    .query()
    .load::<Located>(conn)?;
    Ok(rows)
}
