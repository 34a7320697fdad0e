//! Tags: public reads, editor writes.

use actix_web::web;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::Caller;
use super::error::Reply;
use super::json;
use super::state::AppState;
use super::taxonomy;
use crate::domain::{Description, Name, Slug};
use crate::store::tags::{self, Tag, TagInput, TagPatch, TagRow};
use crate::validation::Errors;

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

/// A new tag. Without `slug`, one is derived from the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTag {
    pub name: Name,
    pub slug: Option<Slug>,
    pub description: Option<Description>,
}

json::patch_body! {
    /// Changes to a tag; absent fields stay, `null` clears the description.
    pub struct UpdateTag {
        name: Name as Name,
        slug: Slug as Slug,
        description: Description as Option<Description>,
    }
}

impl From<CreateTag> for TagInput {
    fn from(input: CreateTag) -> Self {
        Self {
            name: input.name.into(),
            slug: input.slug.map(String::from),
            description: input.description.map(String::from),
        }
    }
}

impl UpdateTag {
    /// The store's patch; a `null` where a value is required is an error at its field.
    fn patch(self, errors: &mut Errors) -> TagPatch {
        TagPatch {
            name: self.name.required(errors, "/name").map(String::from),
            slug: self.slug.required(errors, "/slug").map(String::from),
            description: self.description.nullable().map(|d| d.map(String::from)),
        }
    }
}

taxonomy::endpoints! {
    TagResponse, TagRow, TagList, TagRead, CreateTag, UpdateTag, tags;
    tag "tags", path "/api/v1/tags", one "tag", all "Tags in all", location "The tag's URL";
    ordered "Tags ordered by name", taken "The name or slug is taken"
}

/// Delete a tag, detaching it from its articles.
#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "tags", operation_id = "delete_tag",
    params(("id" = i64, Path, description = "The tag's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted and detached from every article"),
        super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn delete(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Reply {
    taxonomy::delete::<TagResponse>(state, caller, id.into_inner(), tags::delete).await
}
