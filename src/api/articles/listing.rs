//! The article list's query: its documented parameters, and reading them.

use actix_web::HttpRequest;
use chrono::Datelike;
use utoipa::IntoParams;

use super::shapes;
use crate::api::caller::MaybeCaller;
use crate::api::error::ApiError;
use crate::api::query::QueryReader;
use crate::content::status::ArticleStatus;
use crate::store::articles::{ListQuery, Sort, StatusFilter};

/// Longest search accepted, in characters.
const MAX_SEARCH_CHARS: usize = 200;
/// Most `tag` filters in one list query.
const MAX_TAG_FILTERS: usize = 20;

/// Query parameters of the article list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the parameters QueryReader reads")]
pub struct ArticleListParams {
    /// 1-based page number.
    #[param(minimum = 1, maximum = 10_000_000, default = 1)]
    page: Option<i64>,
    /// Items per page, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    per_page: Option<i64>,
    /// A section slug; articles of its sub-sections are included. Unknown: an empty page.
    section: Option<String>,
    /// A tag slug; repeat it (up to 20 times) to require every tag given. Unknown: an empty page.
    #[param(max_items = 20)]
    tag: Option<Vec<String>>,
    /// An author's user id.
    #[param(minimum = 1)]
    author: Option<i64>,
    /// Only articles published at or after this moment (years 0001 to 9999).
    published_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Only articles published before this moment (years 0001 to 9999).
    published_before: Option<chrono::DateTime<chrono::Utc>>,
    /// Full-text search over title, excerpt and body text: every word must match;
    /// `"quoted phrases"` and `prefix*` work, nothing else is syntax; no word at all finds nothing. Results come by
    /// relevance (title first) unless `sort` is given, each with a `snippet`.
    #[param(min_length = 1, max_length = 200)]
    q: Option<String>,
    /// Sort order; `-` means descending. Default: `-published_at`, or relevance with `q`.
    #[param(inline, value_type = Option<shapes::ArticleSort>)]
    sort: Option<String>,
    /// `published` (the default) or, with a token, `draft`, `scheduled`, `archived` or `any`.
    /// Authors see their own articles in statuses other than `published`.
    #[param(inline, value_type = Option<shapes::StatusFilter>)]
    status: Option<String>,
    /// `body` to include `body_markdown` and `body_html` in each item.
    #[param(inline, value_type = Option<shapes::Include>)]
    include: Option<String>,
}

pub(super) fn read_list_query(req: &HttpRequest, caller: &MaybeCaller) -> Result<ListQuery, ApiError> {
    let mut q = QueryReader::new(req.query_string());
    let page = q.page();
    let section = q.text("section");
    let tags = q.repeated("tag", MAX_TAG_FILTERS);
    let author = q.int("author", 1, i64::MAX);
    let published_after = q.timestamp("published_after");
    let published_before = q.timestamp("published_before");
    for (name, at) in [("published_after", published_after), ("published_before", published_before)] {
        // Dates are stored as text: only four-digit years sort as they compare.
        if at.is_some_and(|at| !(1..=9999).contains(&at.year())) {
            q.error(name, "must have a year from 0001 to 9999");
        }
    }
    let sort = q.parsed("sort", |s| {
        Sort::parse(s).ok_or_else(|| {
            "must be one of published_at, -published_at, title, -title, updated_at, -updated_at".to_owned()
        })
    });
    let search = q.parsed("q", |s| match s.chars().count() {
        0 => Err("must not be empty".to_owned()),
        n if n > MAX_SEARCH_CHARS => Err(format!("must be at most {MAX_SEARCH_CHARS} characters")),
        _ => Ok(s.to_owned()),
    });
    let status = q
        .parsed("status", |s| match s {
            "any" => Ok(StatusFilter::Any),
            other => ArticleStatus::parse(other)
                .map(StatusFilter::Only)
                .ok_or_else(|| "must be one of draft, scheduled, published, archived, any".to_owned()),
        })
        .unwrap_or(StatusFilter::Only(ArticleStatus::Published));
    let include_body = q.parsed("include", |s| match s {
        "body" => Ok(true),
        _ => Err("must be 'body'".to_owned()),
    });
    q.finish()?;
    if status != StatusFilter::Only(ArticleStatus::Published) && caller.0.is_none() {
        return Err(ApiError::Unauthorized("listing articles that are not published needs a Bearer access token"));
    }
    let query = ListQuery {
        visibility: caller.visibility(),
        status,
        section,
        tags,
        author,
        published_after,
        published_before,
        search,
        sort,
        page,
        include_body: include_body.unwrap_or(false),
    };
    Ok(query)
}
