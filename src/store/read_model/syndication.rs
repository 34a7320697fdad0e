//! What feeds and the sitemap read of the read model: the stored documents of the newest
//! live articles (a page of the list index), and what links every live article, a range
//! of the index at a time, without a body.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use super::listing::{self, Filter, Item, Scope, EVERY};
use crate::db::schema::{article_listing, listing_counts, sections, tags};
use crate::store::articles::localized;
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
/// section below it) and carrying the tag with slug `tag`, each when given; with
/// `locale`, only articles in it, and the section's and tag's names in it where they
/// have one.
pub fn newest(
    conn: &mut Conn,
    section: Option<&str>,
    tag: Option<&str>,
    locale: Option<&str>,
    limit: i64,
    now: NaiveDateTime,
) -> StoreResult<Result<Newest, Unknown>> {
    let shown = |name: String, translations: String| match locale {
        Some(locale) => localized(&translations, locale).unwrap_or(name),
        None => name,
    };
    let mut scopes: Vec<Scope> = Vec::new();
    let section = match section {
        None => None,
        Some(slug) => {
            let found: Option<(i64, String, String)> = sections::table
                .filter(sections::slug.eq(slug))
                .select((sections::id, sections::name, sections::translations))
                .get_result(conn)
                .optional()?;
            let Some((id, name, translations)) = found else { return Ok(Err(Unknown::Section)) };
            scopes.push(listing::section(id));
            Some(shown(name, translations))
        }
    };
    let tag = match tag {
        None => None,
        Some(slug) => {
            let found: Option<(i64, String, String)> = tags::table
                .filter(tags::slug.eq(slug))
                .select((tags::id, tags::name, tags::translations))
                .get_result(conn)
                .optional()?;
            let Some((id, name, translations)) = found else { return Ok(Err(Unknown::Tag)) };
            scopes.push(listing::tag(id));
            Some(shown(name, translations))
        }
    };
    let items = match locale {
        Some(locale) => listing::newest_in_locale(conn, &scopes, locale, limit, now)?,
        None => {
            let filter = Filter { scopes, after: None, before: None, oldest_first: false, following: None };
            listing::page(conn, &filter, PageRequest { page: 1, per_page: limit }, now, true)?.items
        }
    };
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
#[derive(Debug)]
pub struct Located {
    pub slug: String,
    pub locale: String,
    /// Its section's slug, if it has one.
    pub section: Option<String>,
    pub updated_at: NaiveDateTime,
    /// Its stored document's ETag, which changes whenever any of the above does.
    pub etag: String,
    /// The live members of its translation group, itself included, by locale: none when
    /// it has no live translation.
    pub alternates: Vec<Alternate>,
}

/// A live member of a located article's translation group.
#[derive(Debug)]
pub struct Alternate {
    pub slug: String,
    pub locale: String,
    pub section: Option<String>,
    pub updated_at: NaiveDateTime,
    /// Its stored document's ETag.
    pub etag: String,
}

/// A located article with one live member of its group (or none, when it has no group).
#[derive(Debug, QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = Text)]
    locale: String,
    #[diesel(sql_type = Nullable<Text>)]
    section: Option<String>,
    #[diesel(sql_type = Timestamp)]
    updated_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    etag: String,
    #[diesel(sql_type = Nullable<Text>)]
    m_slug: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    m_locale: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    m_section: Option<String>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    m_updated_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    m_etag: Option<String>,
}

/// Up to `limit` articles live at `now`, oldest first, after the first `skip`: a range of
/// the list index (its entries only), joined to the stored documents' slugs and dates,
/// and to the live members of each one's translation group (in the one statement, so
/// that both are read at the same moment). Oldest first, so that a new article changes
/// the last range only.
pub fn located(conn: &mut Conn, skip: i64, limit: i64, now: NaiveDateTime) -> StoreResult<Vec<Located>> {
    let (kind, scope_id) = EVERY;
    let rows = Sql::new(
        conn,
        "SELECT p.id AS id, d.slug AS slug, d.locale AS locale, s.slug AS section, d.updated_at AS updated_at, \
         d.etag AS etag, m.slug AS m_slug, m.locale AS m_locale, ms.slug AS m_section, \
         m.updated_at AS m_updated_at, m.etag AS m_etag",
    )
    .push(" FROM (SELECT l.article_id AS id, l.live_from AS at FROM article_listing l")
    .with::<Integer, _>(" WHERE l.kind = ?", kind)
    .with::<BigInt, _>(" AND l.scope_id = ?", scope_id)
    .with::<Timestamp, _>(" AND l.live_from <= ?", now)
    .push(" ORDER BY l.live_from, l.article_id")
    .with::<BigInt, _>(" LIMIT ?", limit)
    .with::<BigInt, _>(" OFFSET ?", skip)
    .push(") p JOIN article_documents d ON d.article_id = p.id JOIN articles a ON a.id = p.id")
    .push(" LEFT JOIN sections s ON s.id = a.section_id")
    .push(" LEFT JOIN article_documents m ON d.translation_group IS NOT NULL")
    .push(" AND m.translation_group = d.translation_group")
    .with::<Timestamp, _>(" AND m.live_from <= ?", now)
    .push(" LEFT JOIN articles ma ON ma.id = m.article_id LEFT JOIN sections ms ON ms.id = ma.section_id")
    .push(" ORDER BY p.at, p.id, m.locale")
    .query()
    .load::<Row>(conn)?;
    let mut located: Vec<(i64, Located)> = Vec::new();
    for row in rows {
        let alternate = match (row.m_slug, row.m_locale, row.m_updated_at, row.m_etag) {
            (Some(slug), Some(locale), Some(updated_at), Some(etag)) => {
                Some(Alternate { slug, locale, section: row.m_section, updated_at, etag })
            }
            _ => None,
        };
        match located.last_mut() {
            Some((id, last)) if *id == row.id => last.alternates.extend(alternate),
            _ => located.push((
                row.id,
                Located {
                    slug: row.slug,
                    locale: row.locale,
                    section: row.section,
                    updated_at: row.updated_at,
                    etag: row.etag,
                    alternates: alternate.into_iter().collect(),
                },
            )),
        }
    }
    Ok(located
        .into_iter()
        .map(|(_, mut found)| {
            // Alone in its group for now: no translation to point to.
            if found.alternates.len() < 2 {
                found.alternates.clear();
            }
            found
        })
        .collect())
}
