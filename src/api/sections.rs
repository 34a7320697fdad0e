//! Sections: public reads, editor writes.

use actix_web::web;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::Caller;
use super::error::{Problem, Reply};
use super::json;
use super::state::AppState;
use super::taxonomy::{self, LocalNameInput, LocalNamesInput};
use crate::content::locale::{LocalName, LocalNames, Locales};
use crate::domain::{Description, Name, Slug};
use crate::store::sections::{self, Section, SectionInput, SectionPatch, SectionRow};
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
    /// Its name and description by locale (`{}` when none): articles of that locale embed that name.
    #[schema(example = json!({"fr": {"name": "Blogs", "description": "Les articles de nos cliniciens."}}))]
    #[schema(value_type = BTreeMap<String, LocalName>)]
    pub translations: LocalNames,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Section> for SectionResponse {
    fn from(section: Section) -> Self {
        let row = section.row;
        let translations = row.local_names();
        Self {
            translations,
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

/// A new section. Without `slug`, one is derived from the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSection {
    pub name: Name,
    pub slug: Option<Slug>,
    pub description: Option<Description>,
    /// The enclosing section's id.
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
    /// Lists sort by position, then name. Defaults to 0.
    // Said in words, not as a schema `default`: openapi-typescript makes a property with a
    // default required, so `{"name": "Blogs"}` would not type-check.
    #[serde(default)]
    pub position: i32,
    /// Its name (required) and description in other locales, keyed by locale: the site's
    /// locales only (any case; answered in canonical case), else 422.
    #[schema(example = json!({"fr": {"name": "Blogs", "description": "Les articles de nos cliniciens."}}))]
    #[schema(value_type = Option<BTreeMap<String, LocalNameInput>>)]
    pub translations: Option<LocalNamesInput>,
}

json::patch_body! {
    /// Changes to a section; absent fields stay, `null` clears a nullable one.
    pub struct UpdateSection {
        name: Name as Name,
        slug: Slug as Slug,
        description: Description as Option<Description>,
        /// A parent that would make a cycle is refused (422).
        #[schema(minimum = 1)]
        parent_id: i64 as Option<i64>,
        position: i32 as i32,
        /// Replaces the whole map of names by locale; `null` or `{}` clears it.
        translations: LocalNamesInput as Option<BTreeMap<String, LocalNameInput>>,
    }
}

impl CreateSection {
    /// The store's input; a locale the site lacks is an error at its key.
    fn input(self, errors: &mut Errors, locales: &Locales) -> SectionInput {
        SectionInput {
            name: self.name.into(),
            slug: self.slug.map(String::from),
            description: self.description.map(String::from),
            parent_id: self.parent_id,
            position: self.position,
            translations: taxonomy::local_names(self.translations.unwrap_or_default(), locales, errors),
        }
    }
}

impl UpdateSection {
    /// The store's patch; a `null` where a value is required is an error at its field.
    fn patch(self, errors: &mut Errors, locales: &Locales) -> SectionPatch {
        SectionPatch {
            translations: self
                .translations
                .nullable()
                .map(|sent| taxonomy::local_names(sent.unwrap_or_default(), locales, errors)),
            name: self.name.required(errors, "/name").map(String::from),
            slug: self.slug.required(errors, "/slug").map(String::from),
            position: self.position.required(errors, "/position"),
            description: self.description.nullable().map(|d| d.map(String::from)),
            parent_id: self.parent_id.nullable(),
        }
    }
}

taxonomy::endpoints! {
    SectionResponse, SectionRow, SectionList, SectionRead, CreateSection, UpdateSection, sections;
    tag "sections", path "/api/v1/sections", one "section", all "Sections in all", location "The section's URL";
    ordered "Sections ordered by position, then name", taken "The slug is taken"
}

/// Delete a section.
#[utoipa::path(delete, path = "/api/v1/sections/{id}", tag = "sections", operation_id = "delete_section",
    params(("id" = i64, Path, description = "The section's id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The section still has articles or sub-sections", body = Problem, content_type = "application/problem+json"),
        super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn delete(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Reply {
    taxonomy::delete::<SectionResponse>(state, caller, id.into_inner(), sections::delete).await
}
