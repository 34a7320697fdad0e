//! The filtered, sorted, paginated article list, with full-text search.
//!
//! Written as SQL built clause by clause: a search joins SQLite's FTS5 index, or
//! matches PostgreSQL's `tsvector` column, to rank by relevance, which diesel's query
//! builder cannot express.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::keyset::{after_key, key_of, Continuation, Key};
use super::shown::{in_locales, shown_rules, Chain};
use super::snippets::{snippet_html, snippets};
use super::{relevance, rows, search, with_relations, Article};
use crate::content::policy::Visibility;
use crate::content::status::ArticleStatus;
use crate::store::read_model::{self, listing};
use crate::store::sql::Sql;
use crate::store::{now, sections, tags, Conn, Page, PageRequest, StoreResult};

/// Which statuses a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Only(ArticleStatus),
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    PublishedAt,
    PublishedAtDesc,
    Title,
    TitleDesc,
    UpdatedAt,
    UpdatedAtDesc,
}

impl Sort {
    pub const ALL: [(&'static str, Self); 6] = [
        ("published_at", Self::PublishedAt),
        ("-published_at", Self::PublishedAtDesc),
        ("title", Self::Title),
        ("-title", Self::TitleDesc),
        ("updated_at", Self::UpdatedAt),
        ("-updated_at", Self::UpdatedAtDesc),
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().find(|(name, _)| *name == text).map(|(_, sort)| *sort)
    }

    /// Drafts never published (no date) come last either way.
    fn order_by(self, postgres: bool) -> &'static str {
        match self {
            Self::PublishedAt => " ORDER BY articles.published_at IS NULL, articles.published_at, articles.id",
            // SQLite puts NULLs last when descending, so the (status, published_at)
            // index serves this order as it is; PostgreSQL puts them first unless told.
            Self::PublishedAtDesc if postgres => " ORDER BY articles.published_at DESC NULLS LAST, articles.id DESC",
            Self::PublishedAtDesc => " ORDER BY articles.published_at DESC, articles.id DESC",
            Self::Title => " ORDER BY articles.title, articles.id",
            Self::TitleDesc => " ORDER BY articles.title DESC, articles.id DESC",
            Self::UpdatedAt => " ORDER BY articles.updated_at, articles.id",
            Self::UpdatedAtDesc => " ORDER BY articles.updated_at DESC, articles.id DESC",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub visibility: Visibility,
    pub status: StatusFilter,
    /// A section slug; its sub-sections are included.
    pub section: Option<String>,
    /// Tag slugs; an article must carry all of them.
    pub tags: Vec<String>,
    pub author: Option<i64>,
    /// Inclusive.
    pub published_after: Option<NaiveDateTime>,
    /// Exclusive.
    pub published_before: Option<NaiveDateTime>,
    /// Words to search title, excerpt and body text for.
    pub search: Option<String>,
    /// Matches of the search ranked by relevance, the newest first; older ones follow
    /// by date.
    pub ranked: usize,
    /// `None`: by relevance when searching, else newest first.
    pub sort: Option<Sort>,
    pub page: PageRequest,
    /// The page after this key, instead of page `page.page` (its `per_page` still holds).
    pub after: Option<Key>,
    /// Load `body_markdown` and `body_html` too (else they are left empty).
    pub include_body: bool,
    /// Empty: every locale. One: that locale only. More: a fallback chain, one item per
    /// translation group, in the first of these locales that has one the caller may read.
    pub locales: Vec<String>,
    /// The locales whose language a search reads its words in: those listed, or every
    /// configured one.
    pub search_locales: Vec<String>,
}

impl ListQuery {
    /// How many items come before the page asked for by number or by relevance position.
    pub(super) fn offset(&self) -> i64 {
        match self.after {
            Some(Key::Offset(offset)) => offset,
            _ => self.page.offset(),
        }
    }
}

/// An article in a list, with the highlighted passage that matched a search.
#[derive(Debug, Clone)]
pub struct Hit {
    pub article: Article,
    pub snippet: Option<String>,
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

#[derive(QueryableByName)]
pub(super) struct Id {
    #[diesel(sql_type = BigInt)]
    pub(super) id: i64,
}

/// What the WHERE clause needs, resolved ahead: ids for slugs, the match expression
/// (FTS5's on SQLite, a `tsquery` on PostgreSQL).
pub(super) struct Resolved {
    section_ids: Option<Vec<i64>>,
    tag_ids: Vec<i64>,
    pub(super) search: Option<String>,
    pub(super) now: NaiveDateTime,
}

/// `FROM … WHERE …` for the query, joining the search index when searching.
fn from_where(q: Sql, query: &ListQuery, r: &Resolved) -> Sql {
    let q = match (&r.search, q.is_postgres()) {
        // CROSS JOIN keeps the index outermost: inside, SQLite would run the match
        // again for every article the other filters let through.
        (Some(_), false) => {
            q.push(" FROM articles_fts CROSS JOIN articles ON articles.id = articles_fts.rowid WHERE 1 = 1")
        }
        _ => q.push(" FROM articles WHERE 1 = 1"),
    };
    let q = conditions(q, query, r);
    match &r.search {
        Some(search) if q.is_postgres() => {
            q.with::<Text, _>(" AND articles.search @@ CAST(? AS tsquery)", search.clone())
        }
        Some(search) => q.with::<Text, _>(" AND articles_fts MATCH ?", search.clone()),
        None => q,
    }
}

/// Whether the query asks for more than what its caller may see in the status it
/// lists: a section, tags, an author, dates or locales.
pub(super) fn is_filtered(query: &ListQuery) -> bool {
    !query.locales.is_empty()
        || query.section.is_some()
        || !query.tags.is_empty()
        || query.author.is_some()
        || query.published_after.is_some()
        || query.published_before.is_some()
}

/// ` AND …` for each condition on `articles` besides the search: who may see it, its
/// status and the filters.
pub(super) fn conditions(q: Sql, query: &ListQuery, r: &Resolved) -> Sql {
    filtered(q, query, r, Chain::Choose)
}

fn filtered(mut q: Sql, query: &ListQuery, r: &Resolved, chain: Chain) -> Sql {
    q = shown_rules(q, query, r.now, "articles");
    if let Some(ids) = &r.section_ids {
        q = q.push(" AND articles.section_id IN (").list::<BigInt, _>(ids.clone()).push(")");
    }
    for tag_id in &r.tag_ids {
        q = q.with::<BigInt, _>(" AND articles.id IN (SELECT article_id FROM article_tags WHERE tag_id = ?)", *tag_id);
    }
    if let Some(author) = query.author {
        q = q.with::<BigInt, _>(" AND articles.author_id = ?", author);
    }
    if let Some(after) = query.published_after {
        q = q.with::<Timestamp, _>(" AND articles.published_at >= ?", after);
    }
    if let Some(before) = query.published_before {
        q = q.with::<Timestamp, _>(" AND articles.published_at < ?", before);
    }
    in_locales(q, query, r.now, chain)
}

/// How many items the list has. A list in a fallback chain whose filters every
/// translation of a group shares (section and tags belong to the group) has one item
/// per group with a translation it may show in the chain's locales: those are counted
/// without choosing which translation each shows, half the work of counting the items.
fn total(conn: &Conn, query: &ListQuery, r: &Resolved) -> Sql {
    let shared_filters = r.search.is_none()
        && query.author.is_none()
        && query.published_after.is_none()
        && query.published_before.is_none();
    if query.locales.len() < 2 || !shared_filters {
        return from_where(Sql::new(conn, "SELECT COUNT(*) AS total"), query, r);
    }
    let groups = "SELECT COUNT(DISTINCT COALESCE(articles.translation_group, -articles.id)) AS total";
    filtered(Sql::new(conn, groups).push(" FROM articles WHERE 1 = 1"), query, r, Chain::Every)
}

/// The ids of the page in `sort`'s order. Only ids are sorted, so a sort never carries
/// article bodies, and the covering indexes can answer it.
fn page_ids(conn: &Conn, query: &ListQuery, r: &Resolved, sort: Sort) -> Sql {
    let q = from_where(Sql::new(conn, "SELECT articles.id AS id"), query, r);
    let postgres = q.is_postgres();
    let (q, offset) = match &query.after {
        Some(key) => (after_key(q, sort, key), 0),
        None => (q, query.page.offset()),
    };
    q.push(sort.order_by(postgres))
        .with::<BigInt, _>(" LIMIT ?", query.page.per_page)
        .with::<BigInt, _>(" OFFSET ?", offset)
}

fn resolve(conn: &mut Conn, query: &ListQuery) -> StoreResult<Option<Resolved>> {
    let section_ids = match &query.section {
        Some(slug) => match sections::subtree_ids(conn, slug)? {
            ids if ids.is_empty() => return Ok(None),
            ids => Some(ids),
        },
        None => None,
    };
    let Some(tag_ids) = tags::ids_by_slugs(conn, &query.tags)? else { return Ok(None) };
    let search = match query.search.as_deref().map(search::terms) {
        // No word to look for: nothing can match.
        Some(terms) if terms.is_empty() => return Ok(None),
        Some(terms) if conn.is_postgres() => Some(search::tsquery(conn, &terms, &query.search_locales)?),
        Some(terms) => Some(search::fts5(&terms)),
        None => None,
    };
    Ok(Some(Resolved { section_ids, tag_ids, search, now: now() }))
}

/// The page `query` asks for: the total, the page's ids in order, where it stands, and
/// with a search the highlighted passage of each; `None` when nothing can match.
struct Found {
    total: i64,
    ids: Vec<i64>,
    continuation: Continuation,
    snippets: HashMap<i64, String>,
    now: NaiveDateTime,
}

/// The end of a list that has `total` items: nothing comes after it.
fn nothing(query: &ListQuery) -> Continuation {
    Continuation { before: query.offset(), next: None }
}

fn find_page(conn: &mut Conn, query: &ListQuery) -> StoreResult<Option<Found>> {
    let Some(resolved) = resolve(conn, query)? else { return Ok(None) };
    let (total, ids, continuation) = match (&resolved.search, query.sort) {
        (Some(search), None) => {
            let (total, ids) = relevance::page(conn, query, &resolved, search)?;
            let end = query.offset().saturating_add(i64::try_from(ids.len()).unwrap_or(0));
            let next = (end < total && !ids.is_empty()).then_some(Key::Offset(end));
            (total, ids, Continuation { before: query.offset(), next })
        }
        (_, sort) => {
            let sort = sort.unwrap_or(Sort::PublishedAtDesc);
            let total = total(conn, query, &resolved).query().get_result::<Total>(conn)?.total;
            let before = match &query.after {
                Some(key) => {
                    let count = from_where(Sql::new(conn, "SELECT COUNT(*) AS total"), query, &resolved);
                    total - after_key(count, sort, key).query().get_result::<Total>(conn)?.total
                }
                None => query.page.offset(),
            };
            let page = page_ids(conn, query, &resolved, sort);
            let ids: Vec<i64> = page.query().load::<Id>(conn)?.into_iter().map(|row| row.id).collect();
            let next = match ids.last() {
                Some(last) if before + i64::try_from(ids.len()).unwrap_or(0) < total => {
                    Some(key_of(conn, sort, *last)?)
                }
                _ => None,
            };
            (total, ids, Continuation { before, next })
        }
    };
    let snippets: HashMap<i64, String> = match &resolved.search {
        Some(search) if !ids.is_empty() => {
            snippets(conn, search, &ids)?.into_iter().map(|s| (s.id, snippet_html(&s.snippet))).collect()
        }
        _ => HashMap::new(),
    };
    Ok(Some(Found { total, ids, continuation, snippets, now: resolved.now }))
}

/// One page of the articles matching `query`, with their relations, and the total;
/// and where the page stands.
pub fn list(conn: &mut Conn, query: &ListQuery) -> StoreResult<(Page<Hit>, Continuation)> {
    let Some(Found { total, ids, continuation, mut snippets, now }) = find_page(conn, query)? else {
        return Ok((Page { items: Vec::new(), total: 0 }, nothing(query)));
    };
    let rows = rows(conn, &ids, query.include_body)?;
    let articles = with_relations(conn, rows, now)?;
    let items =
        articles.into_iter().map(|article| Hit { snippet: snippets.remove(&article.row.id), article }).collect();
    Ok((Page { items, total }, continuation))
}

/// A list item as the read model stores it, with the passage that matched a search.
#[derive(Debug, Clone)]
pub struct StoredHit {
    /// The item's JSON: its summary, or with `include_body` its document.
    pub json: String,
    /// The ETag of the article's document.
    pub etag: String,
    pub snippet: Option<String>,
}

/// How the public's list `query` is answered: from the read model's list index, or,
/// for a search or another order, by the query over the articles ([`find_page`]).
enum Public {
    Listed(listing::Filter),
    Queried,
    /// An unknown section or tag: nothing to list.
    Nothing,
}

fn public(conn: &mut Conn, query: &ListQuery) -> StoreResult<Public> {
    let oldest_first = match query.sort {
        _ if query.search.is_some() || !query.locales.is_empty() => return Ok(Public::Queried),
        None | Some(Sort::PublishedAtDesc) => false,
        Some(Sort::PublishedAt) => true,
        Some(_) => return Ok(Public::Queried),
    };
    let following = match &query.after {
        Some(Key::At { at: Some(at), id }) => Some((*at, *id)),
        // A key of another order (forged, or of another sort) lists nothing.
        Some(_) => return Ok(Public::Nothing),
        None => None,
    };
    let mut scopes = Vec::new();
    if let Some(slug) = &query.section {
        match sections::id_by_slug(conn, slug)? {
            Some(id) => scopes.push(listing::section(id)),
            None => return Ok(Public::Nothing),
        }
    }
    match tags::ids_by_slugs(conn, &query.tags)? {
        Some(ids) => scopes.extend(listing::tags_filter(&ids)),
        None => return Ok(Public::Nothing),
    }
    scopes.extend(query.author.map(listing::author));
    let (after, before) = (query.published_after, query.published_before);
    Ok(Public::Listed(listing::Filter { scopes, after, before, oldest_first, following }))
}

/// Like [`list`], for the public: the page is found in the read model's list index
/// (or, searching, by [`find_page`]) and its items are the stored representations
/// ([`read_model::summaries`]); nothing is built. An article unpublished between the
/// page's queries is left out.
pub fn list_stored(conn: &mut Conn, query: &ListQuery) -> StoreResult<(Page<StoredHit>, Continuation)> {
    debug_assert_eq!(query.visibility, Visibility::Public, "only live articles are stored");
    let empty = || Ok((Page { items: Vec::new(), total: 0 }, nothing(query)));
    let (total, ids, continuation, mut snippets) = match public(conn, query)? {
        Public::Listed(filter) => {
            let listed = listing::page(conn, &filter, query.page, now(), query.include_body)?;
            let end = listed.before + i64::try_from(listed.items.len()).unwrap_or(0);
            let next = match listed.items.last() {
                Some(last) if end < listed.total => Some(Key::At { at: Some(last.live_from), id: last.article_id }),
                _ => None,
            };
            let continuation = Continuation { before: listed.before, next };
            let items =
                listed.items.into_iter().map(|item| StoredHit { json: item.json, etag: item.etag, snippet: None });
            return Ok((Page { items: items.collect(), total: listed.total }, continuation));
        }
        Public::Queried => match find_page(conn, query)? {
            Some(Found { total, ids, continuation, snippets, .. }) => (total, ids, continuation, snippets),
            None => return empty(),
        },
        Public::Nothing => return empty(),
    };
    let mut stored = read_model::summaries(conn, &ids, query.include_body)?;
    let items = ids
        .iter()
        .filter_map(|id| {
            let (json, etag) = stored.remove(id)?;
            Some(StoredHit { json, etag, snippet: snippets.remove(id) })
        })
        .collect();
    Ok((Page { items, total }, continuation))
}
