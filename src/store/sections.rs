//! Sections: the site's (optionally nested) divisions such as "Blogs" or "News".

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde_json::Value;

use super::read_model::{self, Embedded};
use super::taxonomy::{self, derived_slug, term, Counted, Term};
use super::{now, outbox, write_tx, Conn, PageRequest, Rejected, StoreError, StoreResult};
use crate::content::events::{EventType, SectionEventData};
use crate::content::locale::{local_names, stored_names, LocalNames};
use crate::content::policy::Visibility;
use crate::db::schema::{articles, sections};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sections)]
pub struct SectionRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Its names by locale, as stored: read them with [`SectionRow::local_names`].
    pub translations: String,
}

impl SectionRow {
    /// Its name and description in each locale that has them.
    pub fn local_names(&self) -> LocalNames {
        local_names(&self.translations)
    }
}

/// A section with the number of articles in it that the viewer may see.
pub type Section = Counted<SectionRow>;

/// A validated section to create; `slug` is derived from `name` when absent.
#[derive(Debug)]
pub struct SectionInput {
    pub slug: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub parent_id: Option<i64>,
    pub position: i32,
    /// Its names in configured locales (canonical case), checked like its own.
    pub translations: LocalNames,
}

/// A validated PATCH; `Some(None)` clears a nullable field.
#[derive(Debug, Default)]
pub struct SectionPatch {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub parent_id: Option<Option<i64>>,
    pub position: Option<i32>,
    /// The whole new map of names by locale: it replaces the stored one.
    pub translations: Option<LocalNames>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = sections)]
struct SectionValues {
    slug: String,
    name: String,
    description: Option<String>,
    parent_id: Option<i64>,
    position: i32,
    updated_at: NaiveDateTime,
    translations: String,
}

fn counts(conn: &mut Conn, visibility: Visibility, ids: &[i64]) -> StoreResult<HashMap<i64, i64>> {
    let rows: Vec<(Option<i64>, i64)> = articles::table
        .filter(super::articles::readable_by(visibility, now()))
        .filter(articles::section_id.eq_any(ids))
        .group_by(articles::section_id)
        .select((articles::section_id, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, n)| id.map(|id| (id, n))).collect())
}

term!(
    SectionRow,
    sections,
    "a section",
    order = (sections::position.asc(), sections::name.asc(), sections::id.asc()),
    counts = counts
);

pub fn find(conn: &mut Conn, visibility: Visibility, id: i64) -> StoreResult<Section> {
    taxonomy::find(conn, visibility, id)
}

pub fn find_by_slug(conn: &mut Conn, visibility: Visibility, slug: &str) -> StoreResult<Section> {
    taxonomy::find_by_slug(conn, visibility, slug)
}

/// The id of the section with this slug.
pub fn id_by_slug(conn: &mut Conn, slug: &str) -> StoreResult<Option<i64>> {
    Ok(sections::table.filter(sections::slug.eq(slug)).select(sections::id).get_result(conn).optional()?)
}

/// The section with this slug and every section below it, for filtering articles.
pub fn subtree_ids(conn: &mut Conn, slug: &str) -> StoreResult<Vec<i64>> {
    let all: Vec<(i64, String, Option<i64>)> =
        sections::table.select((sections::id, sections::slug, sections::parent_id)).load(conn)?;
    let Some(root) = all.iter().find(|(_, s, _)| s == slug).map(|(id, _, _)| *id) else {
        return Ok(Vec::new());
    };
    let mut ids = vec![root];
    let mut next = 0;
    while next < ids.len() {
        let parent = ids[next];
        ids.extend(all.iter().filter(|(_, _, p)| *p == Some(parent)).map(|(id, _, _)| *id));
        next += 1;
    }
    Ok(ids)
}

/// Refuses a parent that does not exist or that lies below (or is) the section itself.
fn check_parent(conn: &mut Conn, id: Option<i64>, parent: Option<i64>) -> StoreResult<()> {
    let mut cursor = parent;
    let mut steps = 0;
    while let Some(current) = cursor {
        if Some(current) == id {
            return Err(Rejected::ParentCycle.into());
        }
        cursor = sections::table
            .find(current)
            .select(sections::parent_id)
            .first(conn)
            .optional()?
            .ok_or(Rejected::UnknownParent)?;
        steps += 1;
        if steps > 10_000 {
            return Err(Rejected::TreeTooDeep.into());
        }
    }
    Ok(())
}

pub fn create(conn: &mut Conn, visibility: Visibility, input: SectionInput) -> StoreResult<Section> {
    write_tx(conn, |conn| {
        check_parent(conn, None, input.parent_id)?;
        let slug = match input.slug {
            Some(wanted) => taxonomy::explicit_slug::<SectionRow>(conn, wanted, None)?,
            None => derived_slug::<SectionRow>(conn, &input.name, || Rejected::SlugNotDerivable { from: "name" })?,
        };
        let now = now();
        let id = diesel::insert_into(sections::table)
            .values((
                SectionValues {
                    slug,
                    name: input.name,
                    description: input.description,
                    parent_id: input.parent_id,
                    position: input.position,
                    updated_at: now,
                    translations: stored_names(&input.translations),
                },
                sections::created_at.eq(now),
            ))
            .returning(sections::id)
            .get_result(conn)?;
        let row = SectionRow::by_id(conn, id)?;
        outbox::emit(conn, EventType::SectionCreated.as_str(), &event_data(&row), None, None)?;
        taxonomy::one(conn, visibility, row)
    })
}

pub fn update(conn: &mut Conn, visibility: Visibility, id: i64, patch: SectionPatch) -> StoreResult<Section> {
    write_tx(conn, |conn| {
        let current = SectionRow::by_id(conn, id)?;
        let (current_slug, current_name, current_parent) =
            (current.slug.clone(), current.name.clone(), current.parent_id);
        let current_names = current.local_names();
        let parent_id = patch.parent_id.unwrap_or(current.parent_id);
        check_parent(conn, Some(id), parent_id)?;
        let slug = match patch.slug {
            Some(wanted) => taxonomy::explicit_slug::<SectionRow>(conn, wanted, Some(id))?,
            None => current.slug,
        };
        diesel::update(sections::table.find(id))
            .set(SectionValues {
                slug,
                name: patch.name.unwrap_or(current.name),
                description: patch.description.unwrap_or(current.description),
                parent_id,
                position: patch.position.unwrap_or(current.position),
                updated_at: now(),
                translations: stored_names(patch.translations.as_ref().unwrap_or(&current_names)),
            })
            .execute(conn)?;
        let row = SectionRow::by_id(conn, id)?;
        if row.parent_id != current_parent {
            read_model::embedded_changed(conn, Embedded::SectionTree(id))?;
        } else if (&row.slug, &row.name) != (&current_slug, &current_name) || row.local_names() != current_names {
            // A name in a locale is what that locale's articles embed: a rename too.
            read_model::embedded_changed(conn, Embedded::Section(id))?;
        }
        outbox::emit(conn, EventType::SectionUpdated.as_str(), &event_data(&row), None, None)?;
        taxonomy::one(conn, visibility, row)
    })
}

/// Deletes an empty leaf section; one with articles or children is a conflict.
pub fn delete(conn: &mut Conn, id: i64) -> StoreResult<()> {
    write_tx(conn, |conn| {
        let row = SectionRow::by_id(conn, id)?;
        let children: i64 = sections::table.filter(sections::parent_id.eq(id)).count().get_result(conn)?;
        if children > 0 {
            return Err(StoreError::conflict("id", format!("the section has {children} sub-sections")));
        }
        let used: i64 = articles::table.filter(articles::section_id.eq(id)).count().get_result(conn)?;
        if used > 0 {
            return Err(StoreError::conflict("id", format!("the section still has {used} articles")));
        }
        diesel::delete(sections::table.find(id)).execute(conn)?;
        outbox::emit(conn, EventType::SectionDeleted.as_str(), &event_data(&row), None, None)?;
        Ok(())
    })
}

/// `data` of the `section.*` events.
fn event_data(row: &SectionRow) -> Value {
    outbox::to_value(&SectionEventData {
        id: row.id,
        slug: row.slug.clone(),
        name: row.name.clone(),
        parent_id: row.parent_id,
        translations: row.local_names(),
        cache_tags: vec![format!("section-{}", row.id), "sections".into(), "articles".into()],
    })
}
