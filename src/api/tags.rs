//! Tags: public reads, editor writes.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::{Caller, MaybeCaller};
use super::error::{ApiError, Problem};
use super::json::{Patch, Validating};
use super::query::QueryReader;
use super::respond::{self, PageMeta};
use super::sections::check_slug;
use super::state::AppState;
use crate::store::audit::Change;
use crate::store::tags::{self, Tag, TagInput, TagPatch};

/// Longest tag name accepted.
pub const MAX_TAG_NAME: usize = 100;

/// A tag; names are unique case-insensitively.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagResponse {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "dry-needling")]
    pub slug: String,
    #[schema(example = "Dry Needling")]
    pub name: String,
    #[schema(required = true)]
    pub description: Option<String>,
    /// Articles carrying the tag that the caller may see (published ones for the public).
    #[schema(example = 1)]
    pub article_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Tag> for TagResponse {
    fn from(tag: Tag) -> Self {
        let row = tag.row;
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            article_count: tag.article_count,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub data: Vec<TagResponse>,
    pub meta: PageMeta,
}

/// A new tag. Without `slug`, one is derived from the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTag {
    #[schema(
        example = "Dry Needling",
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    #[schema(example = "dry-needling", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    pub slug: Option<String>,
    #[schema(max_length = 2000, pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$")]
    pub description: Option<String>,
}

/// Changes to a tag; absent fields stay, `null` clears the description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTag {
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = String, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$")]
    pub description: Patch<String>,
}

/// List tags.
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags", operation_id = "list_tags",
    params(super::openapi::PageParams),
    responses(
        (status = 200, description = "Tags ordered by name", body = TagList, headers(
            ("X-Total-Count" = i64, description = "Tags in all"),
            ("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 422, response = super::openapi::Invalid),
    ),
    security((), ("bearer" = [])))]
pub async fn list(state: web::Data<AppState>, caller: MaybeCaller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let mut query = QueryReader::new(req.query_string());
    let page = query.page();
    query.finish()?;
    let visibility = caller.visibility();
    let found = state.read(move |c| tags::list(c, visibility, page)).await?;
    let meta = respond::meta(page, found.total);
    let body = TagList { data: found.items.into_iter().map(TagResponse::from).collect(), meta };
    respond::list(&req, &body, &body.meta)
}

/// Get a tag by id.
#[utoipa::path(get, path = "/api/v1/tags/{id}", tag = "tags", operation_id = "get_tag",
    params(("id" = i64, Path, description = "The tag's id", minimum = 1)),
    responses(
        (status = 200, description = "The tag", body = TagResponse,
            headers(("ETag" = String, description = "Strong validator of the representation"))),
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
    let (visibility, id) = (caller.visibility(), id.into_inner());
    let tag = state.read(move |c| tags::find(c, visibility, id)).await?;
    let body = TagResponse::from(tag);
    respond::resource(&req, &body, body.updated_at)
}

/// Get a tag by slug.
#[utoipa::path(get, path = "/api/v1/tags/slug/{slug}", tag = "tags", operation_id = "get_tag_by_slug",
    params(("slug" = String, Path, description = "The tag's slug")),
    responses(
        (status = 200, description = "The tag", body = TagResponse,
            headers(("ETag" = String, description = "Strong validator of the representation"))),
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
    let (visibility, slug) = (caller.visibility(), slug.into_inner());
    let tag = state.read(move |c| tags::find_by_slug(c, visibility, &slug)).await?;
    let body = TagResponse::from(tag);
    respond::resource(&req, &body, body.updated_at)
}

/// Create a tag.
#[utoipa::path(post, path = "/api/v1/tags", tag = "tags", operation_id = "create_tag",
    request_body = CreateTag,
    responses(
        (status = 201, description = "The new tag", body = TagResponse,
            headers(("Location" = String, description = "The tag's URL"))),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, description = "The name or slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = super::openapi::TooLarge),
        (status = 422, response = super::openapi::Invalid),
    ),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Validating<CreateTag>,
) -> Result<HttpResponse, ApiError> {
    caller.require_content_manager()?;
    let Validating { body: input, mut errors } = body;
    let tag = TagInput {
        name: errors.line("/name", &input.name, MAX_TAG_NAME),
        slug: input.slug.map(|s| check_slug(&mut errors, "/slug", s)),
        description: input.description.map(|d| errors.text("/description", &d, 2000)),
    };
    let tag = errors.finish(tag).map_err(ApiError::invalid)?;
    let visibility = caller.visibility();
    let created = state
        .write_audited(
            caller.actor(),
            |t: &Tag| Change::new("create", "tag", t.row.id),
            move |c| tags::create(c, visibility, tag),
        )
        .await?;
    respond::created(format!("/api/v1/tags/{}", created.row.id), &TagResponse::from(created))
}

/// Change a tag.
#[utoipa::path(patch, path = "/api/v1/tags/{id}", tag = "tags", operation_id = "update_tag",
    params(("id" = i64, Path, description = "The tag's id", minimum = 1)),
    request_body = UpdateTag,
    responses(
        (status = 200, description = "The changed tag", body = TagResponse),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
        (status = 409, description = "The name or slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = super::openapi::TooLarge),
        (status = 422, response = super::openapi::Invalid),
    ),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Validating<UpdateTag>,
) -> Result<HttpResponse, ApiError> {
    caller.require_content_manager()?;
    let Validating { body: input, mut errors } = body;
    let patch = TagPatch {
        name: input.name.required(&mut errors, "/name").map(|name| errors.line("/name", &name, MAX_TAG_NAME)),
        slug: input.slug.required(&mut errors, "/slug").map(|s| check_slug(&mut errors, "/slug", s)),
        description: input.description.nullable().map(|d| d.map(|d| errors.text("/description", &d, 2000))),
    };
    let patch = errors.finish(patch).map_err(ApiError::invalid)?;
    let (visibility, id) = (caller.visibility(), id.into_inner());
    let tag = state
        .write_audited(
            caller.actor(),
            move |_| Change::new("update", "tag", id),
            move |c| tags::update(c, visibility, id, patch),
        )
        .await?;
    Ok(respond::json(StatusCode::OK, respond::tagged(&TagResponse::from(tag))?))
}

/// Delete a tag, detaching it from its articles.
#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "tags", operation_id = "delete_tag",
    params(("id" = i64, Path, description = "The tag's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted and detached from every article"),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
    ),
    security(("bearer" = [])))]
pub async fn delete(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    caller.require_content_manager()?;
    let id = id.into_inner();
    state
        .write_audited(caller.actor(), move |_| Change::new("delete", "tag", id), move |c| tags::delete(c, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
