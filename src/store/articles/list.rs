//! The filtered, sorted, paginated article list, with full-text search.
//!
//! Written as SQL built clause by clause: a search joins the FTS5 index to rank by
//! relevance, which diesel's query builder cannot express.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::sqlite::Sqlite;

use super::{rows, search, with_relations, Article, LIVE, SCHEDULED};
use crate::content::policy::Visibility;
use crate::content::status::ArticleStatus;
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

    fn order_by(self) -> &'static str {
        match self {
            Self::PublishedAt => " ORDER BY articles.published_at IS NULL, articles.published_at, articles.id",
            // SQLite puts NULLs (drafts never published) last when descending, so the
            // (status, published_at) index serves this order as it is.
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
    /// `None`: by relevance when searching, else newest first.
    pub sort: Option<Sort>,
    pub page: PageRequest,
    /// Load `body_markdown` and `body_html` too (else they are left empty).
    pub include_body: bool,
}

/// An article in a list, with the highlighted passage that matched a search.
#[derive(Debug, Clone)]
pub struct Hit {
    pub article: Article,
    pub snippet: Option<String>,
}

/// Marks around matched terms in a snippet, replaced by `<mark>` once the text is escaped.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Snippet {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    snippet: String,
}

/// What the WHERE clause needs, resolved ahead: ids for slugs, the match expression.
struct Resolved {
    section_ids: Option<Vec<i64>>,
    tag_ids: Vec<i64>,
    fts: Option<String>,
    now: NaiveDateTime,
}

type Sql = BoxedSqlQuery<'static, Sqlite, SqlQuery>;

/// `fragment` ([`LIVE`] or [`SCHEDULED`]) appended, with now bound to its `?`.
fn at_now(q: Sql, fragment: &'static str, now: NaiveDateTime) -> Sql {
    q.sql(fragment).bind::<Timestamp, _>(now)
}

fn status_clause(q: Sql, status: ArticleStatus, now: NaiveDateTime) -> Sql {
    match status {
        ArticleStatus::Published => at_now(q.sql(" AND "), LIVE, now),
        ArticleStatus::Scheduled => at_now(q.sql(" AND "), SCHEDULED, now),
        other => q.sql(" AND articles.status = ?").bind::<Text, _>(other.stored()),
    }
}

/// `FROM … WHERE …` for the query, joining the search index when searching.
fn from_where(mut q: Sql, query: &ListQuery, r: &Resolved) -> Sql {
    q = match r.fts {
        // CROSS JOIN keeps the index outermost: inside, SQLite would run the match
        // again for every article the other filters let through.
        Some(_) => q.sql(" FROM articles_fts CROSS JOIN articles ON articles.id = articles_fts.rowid WHERE 1 = 1"),
        None => q.sql(" FROM articles WHERE 1 = 1"),
    };
    q = match query.visibility {
        Visibility::All => q,
        Visibility::Public => at_now(q.sql(" AND "), LIVE, r.now),
        Visibility::Author(id) => {
            at_now(q.sql(" AND ("), LIVE, r.now).sql(" OR articles.author_id = ?").bind::<BigInt, _>(id).sql(")")
        }
    };
    match (query.status, query.visibility) {
        // The public sees live articles only: asking for those adds nothing.
        (StatusFilter::Only(ArticleStatus::Published), Visibility::Public) | (StatusFilter::Any, _) => {}
        (StatusFilter::Only(status), _) => q = status_clause(q, status, r.now),
    }
    if let Some(ids) = &r.section_ids {
        q = q.sql(" AND articles.section_id IN (");
        for (i, id) in ids.iter().enumerate() {
            q = q.sql(if i == 0 { "?" } else { ", ?" }).bind::<BigInt, _>(*id);
        }
        q = q.sql(")");
    }
    for tag_id in &r.tag_ids {
        q = q
            .sql(" AND articles.id IN (SELECT article_id FROM article_tags WHERE tag_id = ?")
            .bind::<BigInt, _>(*tag_id)
            .sql(")");
    }
    if let Some(author) = query.author {
        q = q.sql(" AND articles.author_id = ?").bind::<BigInt, _>(author);
    }
    if let Some(after) = query.published_after {
        q = q.sql(" AND articles.published_at >= ?").bind::<Timestamp, _>(after);
    }
    if let Some(before) = query.published_before {
        q = q.sql(" AND articles.published_at < ?").bind::<Timestamp, _>(before);
    }
    if let Some(fts) = &r.fts {
        q = q.sql(" AND articles_fts MATCH ?").bind::<Text, _>(fts.clone());
    }
    q
}

/// The ids of the page, in order. Only ids are sorted, so a sort never carries
/// article bodies, and the covering indexes can answer it.
fn page_ids(query: &ListQuery, r: &Resolved) -> Sql {
    let q = from_where(diesel::sql_query("SELECT articles.id AS id").into_boxed(), query, r);
    let q = match (query.sort, &r.fts) {
        (Some(sort), _) => q.sql(sort.order_by()),
        // Title matches weigh ten times the body, the excerpt five.
        (None, Some(_)) => q.sql(" ORDER BY bm25(articles_fts, 10.0, 5.0, 1.0), articles.id DESC"),
        (None, None) => q.sql(Sort::PublishedAtDesc.order_by()),
    };
    q.sql(" LIMIT ?").bind::<BigInt, _>(query.page.per_page).sql(" OFFSET ?").bind::<BigInt, _>(query.page.offset())
}

/// The highlighted passage of each of `ids` that matched `fts`.
fn snippets(conn: &mut Conn, fts: &str, ids: &[i64]) -> StoreResult<Vec<Snippet>> {
    let mut q = diesel::sql_query(format!(
        "SELECT rowid AS id, snippet(articles_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24) AS snippet \
         FROM articles_fts WHERE articles_fts MATCH ?"
    ))
    .into_boxed()
    .bind::<Text, _>(fts.to_owned())
    .sql(" AND rowid IN (");
    for (i, id) in ids.iter().enumerate() {
        q = q.sql(if i == 0 { "?" } else { ", ?" }).bind::<BigInt, _>(*id);
    }
    Ok(q.sql(")").load(conn)?)
}

/// The snippet as HTML: its text escaped, matched terms in `<mark>`.
fn snippet_html(raw: &str) -> String {
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

fn resolve(conn: &mut Conn, query: &ListQuery) -> StoreResult<Option<Resolved>> {
    let section_ids = match &query.section {
        Some(slug) => match sections::subtree_ids(conn, slug)? {
            ids if ids.is_empty() => return Ok(None),
            ids => Some(ids),
        },
        None => None,
    };
    let Some(tag_ids) = tags::ids_by_slugs(conn, &query.tags)? else { return Ok(None) };
    let fts = match &query.search {
        // No word to look for: nothing can match.
        Some(text) => Some(match search::match_expression(text) {
            Some(expression) => expression,
            None => return Ok(None),
        }),
        None => None,
    };
    Ok(Some(Resolved { section_ids, tag_ids, fts, now: now() }))
}

/// One page of the articles matching `query`, with their relations, and the total.
pub fn list(conn: &mut Conn, query: &ListQuery) -> StoreResult<Page<Hit>> {
    let Some(resolved) = resolve(conn, query)? else {
        return Ok(Page { items: Vec::new(), total: 0 });
    };
    let count = from_where(diesel::sql_query("SELECT COUNT(*) AS total").into_boxed(), query, &resolved);
    let total = count.get_result::<Total>(conn)?.total;
    let ids: Vec<i64> = page_ids(query, &resolved).load::<Id>(conn)?.into_iter().map(|row| row.id).collect();
    let mut snippets: HashMap<i64, String> = match &resolved.fts {
        Some(fts) if !ids.is_empty() => {
            snippets(conn, fts, &ids)?.into_iter().map(|s| (s.id, snippet_html(&s.snippet))).collect()
        }
        _ => HashMap::new(),
    };
    let rows = rows(conn, &ids, query.include_body)?;
    let articles = with_relations(conn, rows, resolved.now)?;
    let items =
        articles.into_iter().map(|article| Hit { snippet: snippets.remove(&article.row.id), article }).collect();
    Ok(Page { items, total })
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
