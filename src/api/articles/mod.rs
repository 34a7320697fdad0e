//! Articles: public reads of published ones, role-checked writes with optimistic concurrency.

pub mod model;
pub mod revisions;
pub mod shapes;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use utoipa::IntoParams;

use self::model::{ArticleList, ArticleResponse, ArticleSummary, CreateArticle, UpdateArticle};
use super::caller::{Caller, MaybeCaller};
use super::error::{ApiError, Problem};
use super::json::Json;
use super::query::QueryReader;
use super::respond::{self, etag_matches};
use super::state::AppState;
use crate::auth::Role;
use crate::content::status::ArticleStatus;
use crate::store::articles::{
    self, Article, ArticleContent, ListQuery, RenderedBody, Sort, StatusFilter, Visibility, Writer,
};
use crate::store::audit::Change;
use crate::store::{StoreError, StoreResult};

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

fn read_list_query(req: &HttpRequest, caller: &MaybeCaller) -> Result<ListQuery, ApiError> {
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

/// List articles.
#[utoipa::path(get, path = "/api/v1/articles", tag = "articles", operation_id = "list_articles",
    params(ArticleListParams),
    responses(
        (status = 200, description = "A page of articles, newest first by default", body = ArticleList, headers(
            ("X-Total-Count" = i64, description = "Articles matching, on all pages"),
            ("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 422, response = super::openapi::Invalid),
    ),
    security((), ("bearer" = [])))]
pub async fn list(state: web::Data<AppState>, caller: MaybeCaller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let query = read_list_query(&req, &caller)?;
    let (page, include_body) = (query.page, query.include_body);
    let found = state.read(move |c| articles::list(c, &query)).await?;
    let meta = respond::meta(page, found.total);
    let data = found.items.into_iter().map(|hit| ArticleSummary::new(hit.article, hit.snippet, include_body)).collect();
    let body = ArticleList { data, meta };
    respond::list(&req, &body, &body.meta)
}

fn visible(article: Article, visibility: Visibility) -> Result<ArticleResponse, ApiError> {
    if article.visible_to(visibility) {
        Ok(ArticleResponse::from(article))
    } else {
        Err(ApiError::NotFound)
    }
}

/// Get an article by id.
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "articles", operation_id = "get_article",
    params(("id" = i64, Path, description = "The article's id", minimum = 1)),
    responses(
        (status = 200, description = "The article", body = ArticleResponse,
            headers(("ETag" = String, description = "Strong validator; send it in If-Match to change the article"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 404, response = super::openapi::NotFound),
    ),
    security((), ("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    QueryReader::new(req.query_string()).finish()?;
    let id = id.into_inner();
    let article = state.read(move |c| articles::find(c, id)).await?;
    let body = visible(article, caller.visibility())?;
    respond::resource(&req, &body, body.fields.updated_at)
}

/// Get an article by slug.
#[utoipa::path(get, path = "/api/v1/articles/slug/{slug}", tag = "articles", operation_id = "get_article_by_slug",
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The article", body = ArticleResponse,
            headers(("ETag" = String, description = "Strong validator; send it in If-Match to change the article"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 404, response = super::openapi::NotFound),
    ),
    security((), ("bearer" = [])))]
pub async fn get_by_slug(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    slug: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    QueryReader::new(req.query_string()).finish()?;
    let slug = slug.into_inner();
    let article = state.read(move |c| articles::find_by_slug(c, &slug)).await?;
    let body = visible(article, caller.visibility())?;
    respond::resource(&req, &body, body.fields.updated_at)
}

/// The audit trail's record of a write that left `article` at its new version.
pub(super) fn changed(action: &'static str, article: &Article) -> Change {
    Change::new(action, "article", article.row.id).at_version(article.row.version)
}

/// Who writes: authors attach existing tags only, editors create them by name.
pub(super) fn writer(caller: &Caller) -> Writer {
    Writer { id: caller.id, may_create_tags: caller.role != Role::Author }
}

/// `published_at` is an editor's field, like `status`: an author may not send it at all,
/// not even as null, so a draft can neither be backdated nor scheduled ahead.
fn may_set_published_at(caller: &Caller, sent: bool) -> Result<(), ApiError> {
    if caller.role == Role::Author && sent {
        return Err(ApiError::Forbidden("published_at is set by editors; authors leave it out".into()));
    }
    Ok(())
}

/// Renders a body on a blocking thread before the write: the writer connection stays
/// free for other writes meanwhile.
pub(super) async fn render(markdown: String) -> Result<RenderedBody, ApiError> {
    web::block(move || RenderedBody::render(markdown)).await.map_err(ApiError::internal)?.map_err(ApiError::from)
}

/// Authors write drafts only: publishing, scheduling and archiving are an editor's.
pub(super) fn may_write_as(caller: &Caller, status: ArticleStatus) -> StoreResult<()> {
    if caller.role == Role::Author && status != ArticleStatus::Draft {
        return Err(StoreError::Forbidden("authors write drafts only; an editor publishes".into()));
    }
    Ok(())
}

/// Authors change only their own drafts: once an editor has published (or archived)
/// an article, changing or unpublishing it is an editor's call too.
pub(super) fn may_change(caller: &Caller, article: &Article) -> StoreResult<()> {
    if !article.visible_to(caller.visibility()) {
        return Err(StoreError::NotFound);
    }
    if caller.role == Role::Author && article.row.author_id != caller.id {
        return Err(StoreError::Forbidden("authors may only change their own articles".into()));
    }
    if caller.role == Role::Author && article.status != ArticleStatus::Draft {
        return Err(StoreError::Forbidden("this article is no longer a draft; an editor changes it now".into()));
    }
    Ok(())
}

/// Checks `If-Match` (412 when stale) and `version` (409 when stale) against the current article.
fn preconditions_hold(if_match: Option<&str>, version: Option<i64>, current: &Article) -> StoreResult<()> {
    if let Some(given) = if_match {
        let etag =
            respond::tagged(&ArticleResponse::from(current.clone())).map_err(|_| StoreError::PreconditionFailed)?.etag;
        if !etag_matches(given, &etag) {
            return Err(StoreError::PreconditionFailed);
        }
    }
    if let Some(given) = version {
        let current = i64::from(current.row.version);
        if given != current {
            return Err(StoreError::VersionMismatch { given, current });
        }
    }
    Ok(())
}

/// `If-Match`, when sent: `*` or a list of quoted entity tags, else 400.
fn if_match(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let malformed = || ApiError::BadRequest("If-Match must be * or a list of quoted entity tags".into());
    let text = value.to_str().map_err(|_| malformed())?;
    let valid = text.split(',').map(str::trim).all(|tag| {
        let opaque = tag.strip_prefix("W/").unwrap_or(tag);
        tag == "*" || (opaque.len() >= 2 && opaque.starts_with('"') && opaque.ends_with('"'))
    });
    if text.trim().is_empty() || !valid {
        return Err(malformed());
    }
    Ok(Some(text.to_owned()))
}

/// Create an article.
#[utoipa::path(post, path = "/api/v1/articles", tag = "articles", operation_id = "create_article",
    request_body = CreateArticle,
    responses(
        (status = 201, description = "The new article", body = ArticleResponse,
            headers(("Location" = String, description = "The article's URL"), ("ETag" = String, description = "Its strong validator"))),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = super::openapi::TooLarge),
        (status = 422, response = super::openapi::Invalid),
    ),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateArticle>,
) -> Result<HttpResponse, ApiError> {
    let sends_published_at = body.0.sends_published_at();
    let content: ArticleContent = body.0.validate().map_err(ApiError::invalid)?;
    may_write_as(&caller, content.status)?;
    may_set_published_at(&caller, sends_published_at)?;
    let rendered = render(content.body_markdown.clone()).await?;
    let prepared = content.with_body(rendered)?;
    let writer = writer(&caller);
    let article = state
        .write_audited(caller.actor(), |a| changed("create", a), move |c| articles::create(c, writer, prepared))
        .await?;
    respond::created(format!("/api/v1/articles/{}", article.row.id), &ArticleResponse::from(article))
}

/// Change an article.
#[utoipa::path(patch, path = "/api/v1/articles/{id}", tag = "articles", operation_id = "update_article",
    params(
        ("id" = i64, Path, description = "The article's id", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The article's current ETag; this or the body's `version` is required"),
    ),
    request_body = UpdateArticle,
    responses(
        (status = 200, description = "The changed article, at a new version", body = ArticleResponse,
            headers(("ETag" = String, description = "Its new strong validator"))),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
        (status = 409, description = "The slug is taken, or `version` is stale (`current_version` says which is current)", body = Problem, content_type = "application/problem+json"),
        (status = 412, response = super::openapi::PreconditionFailed),
        (status = 413, response = super::openapi::TooLarge),
        (status = 422, response = super::openapi::Invalid),
        (status = 428, response = super::openapi::PreconditionRequired),
    ),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<UpdateArticle>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (patch, version) = body.0.validate().map_err(ApiError::invalid)?;
    let if_match = if_match(&req)?;
    if if_match.is_none() && version.is_none() {
        return Err(ApiError::PreconditionRequired);
    }
    may_set_published_at(&caller, patch.published_at.is_some())?;
    let id = id.into_inner();
    let rendered = match (&patch.body_markdown, &patch.excerpt) {
        (Some(body), _) => Some(render(body.clone()).await?),
        // A custom excerpt cleared: it is derived from the current body again.
        (None, Some(None)) => {
            let current = state.read(move |c| articles::find(c, id)).await?;
            Some(render(current.row.body_markdown).await?)
        }
        (None, _) => None,
    };
    let writer = writer(&caller);
    let article = state
        .write_audited(
            caller.actor(),
            |a| changed("update", a),
            move |c| {
                articles::update(c, id, writer, patch, rendered, |current, next| {
                    may_change(&caller, current)?;
                    may_write_as(&caller, next.status)?;
                    preconditions_hold(if_match.as_deref(), version, current)
                })
            },
        )
        .await?;
    Ok(respond::json(StatusCode::OK, respond::tagged(&ArticleResponse::from(article))?))
}

/// Delete an article.
#[utoipa::path(delete, path = "/api/v1/articles/{id}", tag = "articles", operation_id = "delete_article",
    params(
        ("id" = i64, Path, description = "The article's id", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The article's current ETag; required (428 without it)"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
        (status = 412, response = super::openapi::PreconditionFailed),
        (status = 428, response = super::openapi::PreconditionRequired),
    ),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match(&req)?.ok_or(ApiError::PreconditionRequired)?;
    let id = id.into_inner();
    state
        .write_audited(
            caller.actor(),
            move |_| Change::new("delete", "article", id),
            move |c| {
                articles::delete(c, id, |current| {
                    may_change(&caller, current)?;
                    may_write_as(&caller, current.status)?;
                    preconditions_hold(Some(&if_match), None, current)
                })
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
