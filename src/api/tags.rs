//! Tags: public reads, editor writes.

use actix_web::web;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::Caller;
use super::error::Reply;
use super::json;
use super::state::AppState;
use super::taxonomy::{self, LocalNameInput, LocalNamesInput};
use crate::content::locale::{LocalName, LocalNames, Locales};
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
    /// Its name and description by locale (`{}` when none): articles of that locale embed that name.
    #[schema(example = json!({"fr": {"name": "Aiguilles sèches", "description": null}}))]
    #[schema(value_type = BTreeMap<String, LocalName>)]
    pub translations: LocalNames,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Tag> for TagResponse {
    fn from(tag: Tag) -> Self {
        let row = tag.row;
        let translations = row.local_names();
        Self {
            translations,
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
    /// Its name (required) and description in other locales, keyed by locale: the site's
    /// locales only (any case; answered in canonical case), else 422.
    #[schema(example = json!({"fr": {"name": "Aiguilles sèches"}}))]
    #[schema(value_type = Option<BTreeMap<String, LocalNameInput>>)]
    pub translations: Option<LocalNamesInput>,
}

json::patch_body! {
    /// Changes to a tag; absent fields stay, `null` clears the description.
    pub struct UpdateTag {
        name: Name as Name,
        slug: Slug as Slug,
        description: Description as Option<Description>,
        /// Replaces the whole map of names by locale; `null` or `{}` clears it.
        translations: LocalNamesInput as Option<BTreeMap<String, LocalNameInput>>,
    }
}

impl CreateTag {
    /// The store's input; a locale the site lacks is an error at its key.
    fn input(self, errors: &mut Errors, locales: &Locales) -> TagInput {
        TagInput {
            name: self.name.into(),
            slug: self.slug.map(String::from),
            description: self.description.map(String::from),
            translations: taxonomy::local_names(self.translations.unwrap_or_default(), locales, errors),
        }
    }
}

impl UpdateTag {
    /// The store's patch; a `null` where a value is required is an error at its field.
    fn patch(self, errors: &mut Errors, locales: &Locales) -> TagPatch {
        TagPatch {
            translations: self
                .translations
                .nullable()
                .map(|sent| taxonomy::local_names(sent.unwrap_or_default(), locales, errors)),
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
