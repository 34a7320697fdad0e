//! Tags: public reads, editor writes.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::{Caller, MaybeCaller};
use super::error::{ApiError, Problem};
use super::json::{Patch, Validating};
use super::query::{PageParams, Query};
use super::respond::PageMeta;
use super::state::AppState;
use super::taxonomy::{self, Resource};
use crate::domain::{Description, Name, Slug};
use crate::store::tags::{self, Tag, TagInput, TagPatch, TagRow};

/// Longest tag name accepted.
pub const MAX_TAG_NAME: usize = crate::domain::text::MAX_NAME;

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

impl Resource for TagResponse {
    type Row = TagRow;
    type List = TagList;
    const NAME: &'static str = "tag";
    const PATH: &'static str = "/api/v1/tags";

    fn id(&self) -> i64 {
        self.id
    }

    fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    fn list(data: Vec<Self>, meta: PageMeta) -> TagList {
        TagList { data, meta }
    }
}

/// A new tag. Without `slug`, one is derived from the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTag {
    pub name: Name,
    pub slug: Option<Slug>,
    pub description: Option<Description>,
}

/// Changes to a tag; absent fields stay, `null` clears the description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTag {
    #[serde(default)]
    #[schema(value_type = Name)]
    pub name: Patch<Name>,
    #[serde(default)]
    #[schema(value_type = Slug)]
    pub slug: Patch<Slug>,
    #[serde(default)]
    #[schema(value_type = Option<Description>)]
    pub description: Patch<Description>,
}

/// List tags.
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags", operation_id = "list_tags",
    params(PageParams),
    responses(
        (status = 200, description = "Tags ordered by name", body = TagList, headers(
            ("X-Total-Count" = i64, description = "Tags in all"),
            ("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
        super::openapi::ListRefused,
    ),
    security((), ("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    page: Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    taxonomy::list::<TagResponse>(state, caller, page, req).await
}

/// Get a tag by id.
#[utoipa::path(get, path = "/api/v1/tags/{id}", tag = "tags", operation_id = "get_tag",
    params(("id" = i64, Path, description = "The tag's id", minimum = 1)),
    responses(
        (status = 200, description = "The tag", body = TagResponse,
            headers(("ETag" = String, description = "Strong validator of the representation"))),
        super::openapi::ReadOne,
    ),
    security((), ("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    taxonomy::get::<TagResponse>(state, caller, req, move |c, v| tags::find(c, v, id)).await
}

/// Get a tag by slug.
#[utoipa::path(get, path = "/api/v1/tags/slug/{slug}", tag = "tags", operation_id = "get_tag_by_slug",
    params(("slug" = String, Path, description = "The tag's slug")),
    responses(
        (status = 200, description = "The tag", body = TagResponse,
            headers(("ETag" = String, description = "Strong validator of the representation"))),
        super::openapi::ReadOne,
    ),
    security((), ("bearer" = [])))]
pub async fn get_by_slug(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    slug: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    taxonomy::get::<TagResponse>(state, caller, req, move |c, v| tags::find_by_slug(c, v, &slug)).await
}

/// Create a tag.
#[utoipa::path(post, path = "/api/v1/tags", tag = "tags", operation_id = "create_tag",
    request_body = CreateTag,
    responses(
        (status = 201, description = "The new tag", body = TagResponse,
            headers(("Location" = String, description = "The tag's URL"))),
        (status = 409, description = "The name or slug is taken", body = Problem, content_type = "application/problem+json"),
        super::openapi::BodyRefused, super::openapi::NotAllowed,
    ),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Validating<CreateTag>,
) -> Result<HttpResponse, ApiError> {
    let Validating { body: input, errors } = body;
    let tag = TagInput {
        name: input.name.into(),
        slug: input.slug.map(String::from),
        description: input.description.map(String::from),
    };
    taxonomy::create::<TagResponse>(state, caller, errors, move |c, v| tags::create(c, v, tag)).await
}

/// Change a tag.
#[utoipa::path(patch, path = "/api/v1/tags/{id}", tag = "tags", operation_id = "update_tag",
    params(("id" = i64, Path, description = "The tag's id", minimum = 1)),
    request_body = UpdateTag,
    responses(
        (status = 200, description = "The changed tag", body = TagResponse),
        (status = 409, description = "The name or slug is taken", body = Problem, content_type = "application/problem+json"),
        super::openapi::BodyRefused, super::openapi::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Validating<UpdateTag>,
) -> Result<HttpResponse, ApiError> {
    let Validating { body: input, mut errors } = body;
    let patch = TagPatch {
        name: input.name.required(&mut errors, "/name").map(String::from),
        slug: input.slug.required(&mut errors, "/slug").map(String::from),
        description: input.description.nullable().map(|d| d.map(String::from)),
    };
    let id = id.into_inner();
    taxonomy::update::<TagResponse>(state, caller, id, errors, move |c, v| tags::update(c, v, id, patch)).await
}

/// Delete a tag, detaching it from its articles.
#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "tags", operation_id = "delete_tag",
    params(("id" = i64, Path, description = "The tag's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted and detached from every article"),
        super::openapi::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn delete(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    taxonomy::delete::<TagResponse>(state, caller, id.into_inner(), tags::delete).await
}
