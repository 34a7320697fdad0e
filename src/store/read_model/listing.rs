//! The read model's list index: where each published article is listed, so that a
//! public list's page is a range of one index and its total a maintained count.
//!
//! An article stored as published has a row in `article_listing` for each scope it is
//! listed in: every article, its section and each section above it (a section's list
//! includes its sub-sections'), each of its tags and each pair of them, its author;
//! each row keyed by the scope, then the moment it goes live and its id, which is the
//! order lists show (newest first, or the reverse). `listing_counts` holds how many articles each scope
//! lists, kept by the writes; the public sees only those live now, so a scope's public
//! total is its count less its articles still scheduled, a count of the index range
//! after now (a scheduled article counts the moment it goes live, with no write).
//!
//! Two tags are one scope (their pair). Filters that combine more (three tags, a
//! section and an author) walk the scope with the fewest articles in order and probe
//! the others by key; a date range bounds the walk.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use crate::db::schema::{article_listing, listing_counts, sections};
use crate::store::articles::Article;
use crate::store::sql::Sql;
use crate::store::{Conn, PageRequest, StoreResult};

/// A scope: its kind and the id of what it lists by (0 for every article).
pub type Scope = (i32, i64);

pub const EVERY: Scope = (0, 0);
pub fn section(id: i64) -> Scope {
    (1, id)
}
pub fn tag(id: i64) -> Scope {
    (2, id)
}
pub fn author(id: i64) -> Scope {
    (3, id)
}
/// Two tags together: the articles carrying both, so that the commonest combined
/// filter is a range of its own with an exact count, not a walk of one tag probing
/// the other. Tag ids stay far below 2³¹.
pub fn tag_pair(a: i64, b: i64) -> Scope {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    (4, (low << 32) | (high & 0xffff_ffff))
}

/// The scopes a filter by all of `tags` reads: the pair of its first two, and the rest
/// one by one.
pub fn tags_filter(tags: &[i64]) -> Vec<Scope> {
    let mut tags = tags.to_vec();
    tags.sort_unstable();
    tags.dedup();
    match tags.as_slice() {
        [a, b, rest @ ..] => std::iter::once(tag_pair(*a, *b)).chain(rest.iter().map(|t| tag(*t))).collect(),
        one => one.iter().map(|t| tag(*t)).collect(),
    }
}

/// Each section's parent, to list an article under every section above its own.
pub type Parents = HashMap<i64, Option<i64>>;

pub fn parents(conn: &mut Conn) -> StoreResult<Parents> {
    Ok(sections::table
        .select((sections::id, sections::parent_id))
        .load::<(i64, Option<i64>)>(conn)?
        .into_iter()
        .collect())
}

/// The scopes `article` is listed in.
pub fn scopes_of(article: &Article, parents: &Parents) -> BTreeSet<Scope> {
    let mut scopes = BTreeSet::from([EVERY, author(article.author.id)]);
    scopes.extend(article.tags.iter().map(|t| tag(t.id)));
    for (i, a) in article.tags.iter().enumerate() {
        scopes.extend(article.tags[i + 1..].iter().map(|b| tag_pair(a.id, b.id)));
    }
    let mut next = article.section.as_ref().map(|s| s.id);
    // A cycle cannot be stored (sections refuse one); the bound is for safety only.
    while let Some(id) = next.filter(|_| scopes.len() < 10_000) {
        if !scopes.insert(section(id)) {
            break;
        }
        next = parents.get(&id).copied().flatten();
    }
    scopes
}

/// Lists article `id` in `scopes` from `live_from` on, or nowhere (`None`), replacing
/// its rows and adjusting each scope's count by the difference. Call in the write's
/// transaction.
pub fn set(conn: &mut Conn, id: i64, listed: Option<(NaiveDateTime, BTreeSet<Scope>)>) -> StoreResult<()> {
    let old: BTreeSet<Scope> = article_listing::table
        .filter(article_listing::article_id.eq(id))
        .select((article_listing::kind, article_listing::scope_id))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    diesel::delete(article_listing::table.filter(article_listing::article_id.eq(id))).execute(conn)?;
    replace(conn, id, &old, listed)
}

/// Lists article `id`, just created and so listed nowhere yet, as [`set`] does.
pub fn set_new(conn: &mut Conn, id: i64, listed: Option<(NaiveDateTime, BTreeSet<Scope>)>) -> StoreResult<()> {
    replace(conn, id, &BTreeSet::new(), listed)
}

/// Lists article `id`, whose rows (in `old`) are gone, as `listed` says.
fn replace(
    conn: &mut Conn,
    id: i64,
    old: &BTreeSet<Scope>,
    listed: Option<(NaiveDateTime, BTreeSet<Scope>)>,
) -> StoreResult<()> {
    let new = listed.as_ref().map(|(_, scopes)| scopes.clone()).unwrap_or_default();
    let changes: Vec<(Scope, i64)> =
        old.difference(&new).map(|scope| (*scope, -1)).chain(new.difference(old).map(|scope| (*scope, 1))).collect();
    count(conn, &changes)?;
    if let Some((live_from, scopes)) = listed {
        let mut insert = Sql::new(conn, "INSERT INTO article_listing (kind, scope_id, live_from, article_id) VALUES ");
        for (i, (kind, scope_id)) in scopes.into_iter().enumerate() {
            insert = insert
                .push(if i == 0 { "(" } else { ", (" })
                .bind::<Integer, _>(kind)
                .push(", ")
                .bind::<BigInt, _>(scope_id)
                .push(", ")
                .bind::<Timestamp, _>(live_from)
                .push(", ")
                .bind::<BigInt, _>(id)
                .push(")");
        }
        insert.query().execute(conn)?;
    }
    Ok(())
}

/// Adds each change to its scope's count.
fn count(conn: &mut Conn, changes: &[(Scope, i64)]) -> StoreResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut upsert = Sql::new(conn, "INSERT INTO listing_counts (kind, scope_id, articles) VALUES ");
    for (i, ((kind, scope_id), by)) in changes.iter().enumerate() {
        upsert = upsert
            .push(if i == 0 { "(" } else { ", (" })
            .bind::<Integer, _>(*kind)
            .push(", ")
            .bind::<BigInt, _>(*scope_id)
            .push(", ")
            .bind::<BigInt, _>(*by)
            .push(")");
    }
    upsert
        .push(" ON CONFLICT (kind, scope_id) DO UPDATE SET articles = listing_counts.articles + excluded.articles")
        .query()
        .execute(conn)?;
    Ok(())
}

/// What a public list asks for: articles listed in every one of `scopes`, live in
/// `[after, before)`, newest first unless `oldest_first`; with `following`, only those
/// that come after that article (its moment and id) in that order.
#[derive(Debug, Clone)]
pub struct Filter {
    pub scopes: Vec<Scope>,
    pub after: Option<NaiveDateTime>,
    pub before: Option<NaiveDateTime>,
    pub oldest_first: bool,
    pub following: Option<(NaiveDateTime, i64)>,
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// A listed article's stored JSON and ETag, and where it stands in the list.
#[derive(QueryableByName)]
pub struct Item {
    #[diesel(sql_type = Text)]
    pub json: String,
    #[diesel(sql_type = Text)]
    pub etag: String,
    #[diesel(sql_type = Timestamp)]
    pub live_from: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub article_id: i64,
}

/// A page of a list: how many items the list has, how many come before the page, and
/// the page's items.
pub struct Listed {
    pub total: i64,
    pub before: i64,
    pub items: Vec<Item>,
}

/// Each of `scopes`' maintained count. One look-up per scope, not one statement for
/// all: a list names one or two scopes, and a fixed statement is prepared once per
/// connection where one built for the number of scopes is prepared at every run.
/// `scopes` without repeats (every article when none), the one with the fewest articles
/// first: it drives a walk of the index, the others are probed. With their counts.
fn smallest_first(conn: &mut Conn, scopes: &[Scope]) -> StoreResult<(Vec<Scope>, HashMap<Scope, i64>)> {
    let mut scopes: Vec<Scope> = scopes.to_vec();
    scopes.sort_unstable();
    scopes.dedup();
    if scopes.is_empty() {
        scopes.push(EVERY);
    }
    let counts = counts(conn, &scopes)?;
    scopes.sort_by_key(|scope| counts.get(scope).copied().unwrap_or(0));
    Ok((scopes, counts))
}

fn counts(conn: &mut Conn, scopes: &[Scope]) -> StoreResult<HashMap<Scope, i64>> {
    let mut found = HashMap::new();
    for (kind, scope_id) in scopes {
        let articles: Option<i64> = listing_counts::table
            .filter(listing_counts::kind.eq(kind))
            .filter(listing_counts::scope_id.eq(scope_id))
            .select(listing_counts::articles)
            .get_result(conn)
            .optional()?;
        found.insert((*kind, *scope_id), articles.unwrap_or(0));
    }
    Ok(found)
}

/// `FROM … WHERE …` of the rows of `driver` that the filter lets through at `now`.
fn from_where(q: Sql, driver: Scope, probes: &[Scope], filter: &Filter, now: NaiveDateTime) -> Sql {
    let mut q = q
        .with::<Integer, _>(" FROM article_listing l WHERE l.kind = ?", driver.0)
        .with::<BigInt, _>(" AND l.scope_id = ?", driver.1)
        .with::<Timestamp, _>(" AND l.live_from <= ?", now);
    if let Some(after) = filter.after {
        q = q.with::<Timestamp, _>(" AND l.live_from >= ?", after);
    }
    if let Some(before) = filter.before {
        q = q.with::<Timestamp, _>(" AND l.live_from < ?", before);
    }
    for (kind, scope_id) in probes {
        q = q
            .with::<Integer, _>(" AND EXISTS (SELECT 1 FROM article_listing o WHERE o.kind = ?", *kind)
            .with::<BigInt, _>(" AND o.scope_id = ?", *scope_id)
            .push(" AND o.live_from = l.live_from AND o.article_id = l.article_id)");
    }
    q
}

/// ` AND …` keeping the rows after `following` in the filter's order (a keyset: the
/// same cost on every page, and no row seen twice when articles are added meanwhile).
fn following(q: Sql, filter: &Filter) -> Sql {
    let Some((at, id)) = filter.following else { return q };
    let op = if filter.oldest_first { ">" } else { "<" };
    q.with::<Timestamp, _>(&format!(" AND (l.live_from {op} ?"), at)
        .with::<Timestamp, _>(" OR (l.live_from = ?", at)
        .with::<BigInt, _>(&format!(" AND l.article_id {op} ?))"), id)
}

/// How many of a scope's newest entries [`newest_in_locale`] looks at first, per article
/// it wants.
const LOCALE_WINDOW: i64 = 10;

/// The stored documents of the `limit` newest articles in `locale` that every one of
/// `scopes` lists (every article when none), live at `now`, newest first; no total is
/// counted. The index has no locale, so the smallest scope is walked newest first:
///
/// - first its newest `limit × LOCALE_WINDOW` entries, probing each one's stored
///   document for its locale (a row read each, past the body on SQLite): enough when
///   the locale is common, as a site's default is;
/// - else, for a locale with few recent articles, the whole scope against the ids of
///   the locale's documents, read once from the (locale, slug) index alone: an index
///   walk, no row read but the items'.
pub fn newest_in_locale(
    conn: &mut Conn,
    scopes: &[Scope],
    locale: &str,
    limit: i64,
    now: NaiveDateTime,
) -> StoreResult<Vec<Item>> {
    let (scopes, _) = smallest_first(conn, scopes)?;
    let (driver, probes) = (scopes[0], &scopes[1..]);
    let filter = Filter { scopes: Vec::new(), after: None, before: None, oldest_first: false, following: None };
    let select = "SELECT s.document AS json, s.etag AS etag, p.at AS live_from, p.id AS article_id \
         FROM (SELECT w.id AS id, w.at AS at FROM (SELECT l.article_id AS id, l.live_from AS at";
    let window = from_where(Sql::new(conn, select), driver, probes, &filter, now)
        .push(" ORDER BY l.live_from DESC, l.article_id DESC")
        .with::<BigInt, _>(" LIMIT ?", limit.saturating_mul(LOCALE_WINDOW))
        .push(") w WHERE EXISTS (SELECT 1 FROM article_documents x WHERE x.article_id = w.id")
        .with::<Text, _>(" AND x.locale = ?)", locale.to_owned());
    let items = newest_first(window, "w.at DESC, w.id DESC", limit).query().load::<Item>(conn)?;
    if i64::try_from(items.len()).unwrap_or(i64::MAX) >= limit {
        return Ok(items);
    }
    let select = "SELECT s.document AS json, s.etag AS etag, p.at AS live_from, p.id AS article_id \
         FROM (SELECT l.article_id AS id, l.live_from AS at";
    let whole = from_where(Sql::new(conn, select), driver, probes, &filter, now).with::<Text, _>(
        " AND l.article_id IN (SELECT x.article_id FROM article_documents x WHERE x.locale = ?)",
        locale.to_owned(),
    );
    Ok(newest_first(whole, "l.live_from DESC, l.article_id DESC", limit).query().load::<Item>(conn)?)
}

/// `q`, an inner select of [`newest_in_locale`], ended: its `limit` first in `order`
/// (newest first), joined to their stored documents.
fn newest_first(q: Sql, order: &str, limit: i64) -> Sql {
    q.push(&format!(" ORDER BY {order}"))
        .with::<BigInt, _>(" LIMIT ?", limit)
        .push(") p JOIN article_documents s ON s.article_id = p.id ORDER BY p.at DESC, p.id DESC")
}

/// The stored items of `page` of the articles `filter` lists, live at `now` (their
/// summaries, or with `with_body` their documents), and the list's total: with
/// `filter.following`, the page after that article instead of page `page.page`. One
/// statement finds the page in the index and joins its twenty items.
pub fn page(
    conn: &mut Conn,
    filter: &Filter,
    page: PageRequest,
    now: NaiveDateTime,
    with_body: bool,
) -> StoreResult<Listed> {
    let (scopes, counts) = smallest_first(conn, &filter.scopes)?;
    let (driver, probes) = (scopes[0], &scopes[1..]);
    let total = if probes.is_empty() && filter.after.is_none() && filter.before.is_none() {
        // The maintained count, less those of them still scheduled.
        let scheduled = article_listing::table
            .filter(article_listing::kind.eq(driver.0))
            .filter(article_listing::scope_id.eq(driver.1))
            .filter(article_listing::live_from.gt(now))
            .count()
            .get_result::<i64>(conn)?;
        counts.get(&driver).copied().unwrap_or(0) - scheduled
    } else {
        let q = from_where(Sql::new(conn, "SELECT COUNT(*) AS total"), driver, probes, filter, now);
        q.query().get_result::<Total>(conn)?.total
    };
    let (before, offset) = match filter.following {
        Some(_) => {
            let q = from_where(Sql::new(conn, "SELECT COUNT(*) AS total"), driver, probes, filter, now);
            (total - following(q, filter).query().get_result::<Total>(conn)?.total, 0)
        }
        None => (page.offset(), page.offset()),
    };
    if total <= before {
        return Ok(Listed { total, before, items: Vec::new() });
    }
    let (direction, table, column) = match (filter.oldest_first, with_body) {
        (true, true) => ("", "article_documents", "document"),
        (true, false) => ("", "article_summaries", "summary"),
        (false, true) => (" DESC", "article_documents", "document"),
        (false, false) => (" DESC", "article_summaries", "summary"),
    };
    let select = format!(
        "SELECT s.{column} AS json, s.etag AS etag, p.at AS live_from, p.id AS article_id \
         FROM (SELECT l.article_id AS id, l.live_from AS at"
    );
    let q = from_where(Sql::new(conn, &select), driver, probes, filter, now);
    let items = following(q, filter)
        .push(&format!(" ORDER BY l.live_from{direction}, l.article_id{direction}"))
        .with::<BigInt, _>(" LIMIT ?", page.per_page)
        .with::<BigInt, _>(" OFFSET ?", offset)
        .push(&format!(") p JOIN {table} s ON s.article_id = p.id ORDER BY p.at{direction}, p.id{direction}"))
        .query()
        .load::<Item>(conn)?;
    Ok(Listed { total, before, items })
}
