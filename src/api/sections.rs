//! Sections: public reads, editor writes.

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
use super::state::AppState;
use crate::content::slug;
use crate::store::audit::Change;
use crate::store::sections::{self, Section, SectionInput, SectionPatch};
use crate::validation::Errors;

/// A section of the site, such as "Blogs"; sections may nest.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionResponse {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "blogs")]
    pub slug: String,
    #[schema(example = "Blogs")]
    pub name: String,
    #[schema(required = true, example = "Articles from our clinicians.")]
    pub description: Option<String>,
    /// The enclosing section, or null at the top level.
    #[schema(required = true)]
    pub parent_id: Option<i64>,
    /// Lists sort by position, then name.
    #[schema(example = 0)]
    pub position: i32,
    /// Articles directly in this section that the caller may see (published ones for the public).
    #[schema(example = 1)]
    pub article_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Section> for SectionResponse {
    fn from(section: Section) -> Self {
        let row = section.row;
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            parent_id: row.parent_id,
            position: row.position,
            article_count: section.article_count,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionList {
    pub data: Vec<SectionResponse>,
    pub meta: PageMeta,
}

/// A new section. Without `slug`, one is derived from the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSection {
    #[schema(
        example = "Blogs",
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    #[schema(example = "blogs", pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    pub slug: Option<String>,
    #[schema(max_length = 2000, pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$")]
    pub description: Option<String>,
    /// The enclosing section's id.
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
    /// Lists sort by position, then name. Defaults to 0.
    // Said in words, not as a schema `default`: openapi-typescript makes a property with a
    // default required, so `{"name": "Blogs"}` would not type-check.
    #[serde(default)]
    pub position: i32,
}

/// Changes to a section; absent fields stay, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSection {
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = String, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 200)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$")]
    pub description: Patch<String>,
    /// A parent that would make a cycle is refused (422).
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub parent_id: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = i32)]
    pub position: Patch<i32>,
}

/// Checks an explicit slug against the contract's pattern.
pub fn check_slug(errors: &mut Errors, field: &str, value: String) -> String {
    if !slug::is_valid(&value) {
        errors.add(field, "must match ^[a-z0-9]+(-[a-z0-9]+)*$ and be at most 200 characters");
    }
    value
}

/// List sections.
#[utoipa::path(get, path = "/api/v1/sections", tag = "sections", operation_id = "list_sections",
    params(super::openapi::PageParams),
    responses(
        (status = 200, description = "Sections ordered by position, then name", body = SectionList, headers(
            ("X-Total-Count" = i64, description = "Sections in all"),
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
    let found = state.read(move |c| sections::list(c, visibility, page)).await?;
    let meta = respond::meta(page, found.total);
    let body = SectionList { data: found.items.into_iter().map(SectionResponse::from).collect(), meta };
    respond::list(&req, &body, &body.meta)
}

/// Get a section by id.
#[utoipa::path(get, path = "/api/v1/sections/{id}", tag = "sections", operation_id = "get_section",
    params(("id" = i64, Path, description = "The section's id", minimum = 1)),
    responses(
        (status = 200, description = "The section", body = SectionResponse,
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
    let section = state.read(move |c| sections::find(c, visibility, id)).await?;
    let body = SectionResponse::from(section);
    respond::resource(&req, &body, body.updated_at)
}

/// Get a section by slug.
#[utoipa::path(get, path = "/api/v1/sections/slug/{slug}", tag = "sections", operation_id = "get_section_by_slug",
    params(("slug" = String, Path, description = "The section's slug")),
    responses(
        (status = 200, description = "The section", body = SectionResponse,
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
    let section = state.read(move |c| sections::find_by_slug(c, visibility, &slug)).await?;
    let body = SectionResponse::from(section);
    respond::resource(&req, &body, body.updated_at)
}

/// Create a section.
#[utoipa::path(post, path = "/api/v1/sections", tag = "sections", operation_id = "create_section",
    request_body = CreateSection,
    responses(
        (status = 201, description = "The new section", body = SectionResponse,
            headers(("Location" = String, description = "The section's URL"))),
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
    body: Validating<CreateSection>,
) -> Result<HttpResponse, ApiError> {
    caller.require_content_manager()?;
    let Validating { body: input, mut errors } = body;
    let section = SectionInput {
        name: errors.line("/name", &input.name, 100),
        slug: input.slug.map(|s| check_slug(&mut errors, "/slug", s)),
        description: input.description.map(|d| errors.text("/description", &d, 2000)),
        parent_id: input.parent_id,
        position: input.position,
    };
    let section = errors.finish(section).map_err(ApiError::invalid)?;
    let visibility = caller.visibility();
    let created = state
        .write_audited(
            caller.actor(),
            |s: &Section| Change::new("create", "section", s.row.id),
            move |c| sections::create(c, visibility, section),
        )
        .await?;
    respond::created(format!("/api/v1/sections/{}", created.row.id), &SectionResponse::from(created))
}

/// Change a section.
#[utoipa::path(patch, path = "/api/v1/sections/{id}", tag = "sections", operation_id = "update_section",
    params(("id" = i64, Path, description = "The section's id", minimum = 1)),
    request_body = UpdateSection,
    responses(
        (status = 200, description = "The changed section", body = SectionResponse),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = super::openapi::TooLarge),
        (status = 422, response = super::openapi::Invalid),
    ),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Validating<UpdateSection>,
) -> Result<HttpResponse, ApiError> {
    caller.require_content_manager()?;
    let Validating { body: input, mut errors } = body;
    let patch = SectionPatch {
        name: input.name.required(&mut errors, "/name").map(|name| errors.line("/name", &name, 100)),
        slug: input.slug.required(&mut errors, "/slug").map(|s| check_slug(&mut errors, "/slug", s)),
        position: input.position.required(&mut errors, "/position"),
        description: input.description.nullable().map(|d| d.map(|d| errors.text("/description", &d, 2000))),
        parent_id: input.parent_id.nullable(),
    };
    let patch = errors.finish(patch).map_err(ApiError::invalid)?;
    let (visibility, id) = (caller.visibility(), id.into_inner());
    let section = state
        .write_audited(
            caller.actor(),
            move |_| Change::new("update", "section", id),
            move |c| sections::update(c, visibility, id, patch),
        )
        .await?;
    Ok(respond::json(StatusCode::OK, respond::tagged(&SectionResponse::from(section))?))
}

/// Delete a section.
#[utoipa::path(delete, path = "/api/v1/sections/{id}", tag = "sections", operation_id = "delete_section",
    params(("id" = i64, Path, description = "The section's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
        (status = 409, description = "The section still has articles or sub-sections", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    caller.require_content_manager()?;
    let id = id.into_inner();
    state
        .write_audited(caller.actor(), move |_| Change::new("delete", "section", id), move |c| sections::delete(c, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
