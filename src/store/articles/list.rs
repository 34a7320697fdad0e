//! The filtered, sorted, paginated article list.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use super::{has_status, visible, with_relations, Article, ArticleRow, Visibility};
use crate::content::status::ArticleStatus;
use crate::db::schema::{article_tags, articles};
use crate::store::{now, sections, tags, Conn, Page, PageRequest, StoreResult};

/// Which statuses a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Only(ArticleStatus),
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    PublishedAt,
    #[default]
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
    pub sort: Sort,
    pub page: PageRequest,
}

fn filtered<'a>(
    query: &ListQuery,
    section_ids: Option<&[i64]>,
    tag_ids: &[i64],
    now: NaiveDateTime,
) -> articles::BoxedQuery<'a, Sqlite> {
    let mut q = visible(query.visibility, now);
    if let StatusFilter::Only(status) = query.status {
        q = q.filter(has_status(status, now));
    }
    if let Some(ids) = section_ids {
        q = q.filter(articles::section_id.eq_any(ids.to_vec()));
    }
    for tag_id in tag_ids {
        let tagged = article_tags::table.filter(article_tags::tag_id.eq(*tag_id)).select(article_tags::article_id);
        q = q.filter(articles::id.eq_any(tagged));
    }
    if let Some(author) = query.author {
        q = q.filter(articles::author_id.eq(author));
    }
    if let Some(after) = query.published_after {
        q = q.filter(articles::published_at.ge(after));
    }
    if let Some(before) = query.published_before {
        q = q.filter(articles::published_at.lt(before));
    }
    q
}

fn sorted(q: articles::BoxedQuery<'_, Sqlite>, sort: Sort) -> articles::BoxedQuery<'_, Sqlite> {
    let q = match sort {
        Sort::PublishedAt => q.order((articles::published_at.is_null().asc(), articles::published_at.asc())),
        Sort::PublishedAtDesc => q.order((articles::published_at.is_null().asc(), articles::published_at.desc())),
        Sort::Title => q.order(articles::title.asc()),
        Sort::TitleDesc => q.order(articles::title.desc()),
        Sort::UpdatedAt => q.order(articles::updated_at.asc()),
        Sort::UpdatedAtDesc => q.order(articles::updated_at.desc()),
    };
    match sort {
        Sort::PublishedAt | Sort::Title | Sort::UpdatedAt => q.then_order_by(articles::id.asc()),
        _ => q.then_order_by(articles::id.desc()),
    }
}

/// One page of the articles matching `query`, with their relations, and the total.
pub fn list(conn: &mut Conn, query: &ListQuery) -> StoreResult<Page<Article>> {
    let empty = || Ok(Page { items: Vec::new(), total: 0 });
    let section_ids = match &query.section {
        Some(slug) => match sections::subtree_ids(conn, slug)? {
            ids if ids.is_empty() => return empty(),
            ids => Some(ids),
        },
        None => None,
    };
    let tag_ids = match tags::ids_by_slugs(conn, &query.tags)? {
        Some(ids) => ids,
        None => return empty(),
    };
    let now = now();
    let total = filtered(query, section_ids.as_deref(), &tag_ids, now).count().get_result(conn)?;
    let rows: Vec<ArticleRow> = sorted(filtered(query, section_ids.as_deref(), &tag_ids, now), query.sort)
        .limit(query.page.per_page)
        .offset(query.page.offset())
        .select(ArticleRow::as_select())
        .load(conn)?;
    Ok(Page { items: with_relations(conn, rows, now)?, total })
}
