//! Tags: free labels on articles, found by name case-insensitively and created on demand.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde_json::Value;

use super::read_model::{self, Embedded};
use super::taxonomy::{self, term, Counted, Term};
use super::{now, outbox, write_tx, Conn, PageRequest, Rejected, StoreError, StoreResult};
use crate::content::events::{EventType, TagEventData};
use crate::content::locale::{local_names, stored_names, LocalNames};
use crate::content::policy::Visibility;
use crate::db::schema::{article_tags, articles, tags};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Its names by locale, as stored: read them with [`TagRow::local_names`].
    pub translations: String,
}

impl TagRow {
    /// Its name and description in each locale that has them.
    pub fn local_names(&self) -> LocalNames {
        local_names(&self.translations)
    }
}

/// A tag with the number of articles carrying it that the viewer may see.
pub type Tag = Counted<TagRow>;

#[derive(Debug)]
pub struct TagInput {
    pub slug: Option<String>,
    pub name: String,
    pub description: Option<String>,
    /// Its names in configured locales (canonical case), checked like its own.
    pub translations: LocalNames,
}

#[derive(Debug, Default)]
pub struct TagPatch {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    /// The whole new map of names by locale: it replaces the stored one.
    pub translations: Option<LocalNames>,
}

/// The case-insensitive identity of a tag name.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn counts(conn: &mut Conn, visibility: Visibility, ids: &[i64]) -> StoreResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = article_tags::table
        .inner_join(articles::table)
        .filter(article_tags::tag_id.eq_any(ids))
        .filter(super::articles::readable_by(visibility, now()))
        .group_by(article_tags::tag_id)
        .select((article_tags::tag_id, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

term!(TagRow, tags, "a tag", order = (tags::name_key.asc(), tags::id.asc()), counts = counts);

pub fn find(conn: &mut Conn, visibility: Visibility, id: i64) -> StoreResult<Tag> {
    taxonomy::find(conn, visibility, id)
}

pub fn find_by_slug(conn: &mut Conn, visibility: Visibility, slug: &str) -> StoreResult<Tag> {
    taxonomy::find_by_slug(conn, visibility, slug)
}

/// Ids of the tags with these slugs, or `None` when any slug names no tag.
pub fn ids_by_slugs(conn: &mut Conn, slugs: &[String]) -> StoreResult<Option<Vec<i64>>> {
    let found: Vec<(i64, String)> =
        tags::table.filter(tags::slug.eq_any(slugs)).select((tags::id, tags::slug)).load(conn)?;
    Ok(slugs.iter().map(|wanted| found.iter().find(|(_, s)| s == wanted).map(|(id, _)| *id)).collect())
}

fn name_taken(conn: &mut Conn, name: &str, except: Option<i64>) -> StoreResult<bool> {
    let mut query = tags::table.filter(tags::name_key.eq(name_key(name))).into_boxed();
    if let Some(id) = except {
        query = query.filter(tags::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

fn insert(
    conn: &mut Conn,
    slug: String,
    name: &str,
    description: Option<String>,
    translations: &LocalNames,
) -> StoreResult<TagRow> {
    let now = now();
    let id = diesel::insert_into(tags::table)
        .values((
            tags::slug.eq(slug),
            tags::name.eq(name),
            tags::name_key.eq(name_key(name)),
            tags::description.eq(description),
            tags::translations.eq(stored_names(translations)),
            tags::created_at.eq(now),
            tags::updated_at.eq(now),
        ))
        .returning(tags::id)
        .get_result(conn)?;
    let row = TagRow::by_id(conn, id)?;
    outbox::emit(conn, EventType::TagCreated.as_str(), &event_data(&row), None, None)?;
    Ok(row)
}

fn derived_slug(conn: &mut Conn, name: &str, refused: impl FnOnce() -> Rejected) -> StoreResult<String> {
    taxonomy::derived_slug::<TagRow>(conn, name, refused)
}

pub fn create(conn: &mut Conn, visibility: Visibility, input: TagInput) -> StoreResult<Tag> {
    write_tx(conn, |conn| {
        if name_taken(conn, &input.name, None)? {
            return Err(StoreError::conflict("name", "a tag with this name already exists"));
        }
        let slug = match input.slug {
            Some(wanted) => taxonomy::explicit_slug::<TagRow>(conn, wanted, None)?,
            None => derived_slug(conn, &input.name, || Rejected::SlugNotDerivable { from: "name" })?,
        };
        let row = insert(conn, slug, &input.name, input.description, &input.translations)?;
        taxonomy::one(conn, visibility, row)
    })
}

/// The tags with these names, in the order given, creating the missing ones when
/// `may_create` (editors); otherwise a missing one is invalid, so an author's draft
/// cannot publish a tag. Call inside a write transaction; `names` are already trimmed
/// and de-duplicated.
pub fn find_or_create(conn: &mut Conn, names: &[String], may_create: bool) -> StoreResult<Vec<TagRow>> {
    let keys: Vec<String> = names.iter().map(|n| name_key(n)).collect();
    let existing: Vec<(String, TagRow)> =
        tags::table.filter(tags::name_key.eq_any(&keys)).select((tags::name_key, TagRow::as_select())).load(conn)?;
    let mut found: HashMap<String, TagRow> = existing.into_iter().collect();
    let mut rows = Vec::with_capacity(names.len());
    for (index, (name, key)) in names.iter().zip(&keys).enumerate() {
        let row = match found.remove(key) {
            Some(row) => row,
            None if !may_create => return Err(Rejected::UnknownTag { index, name: name.clone() }.into()),
            None => {
                let slug = derived_slug(conn, name, || Rejected::TagNameWithoutSlug { index, name: name.clone() })?;
                insert(conn, slug, name, None, &LocalNames::new())?
            }
        };
        rows.push(row);
    }
    Ok(rows)
}

pub fn update(conn: &mut Conn, visibility: Visibility, id: i64, patch: TagPatch) -> StoreResult<Tag> {
    write_tx(conn, |conn| {
        let current = TagRow::by_id(conn, id)?;
        let (current_slug, current_name) = (current.slug.clone(), current.name.clone());
        let current_names = current.local_names();
        if let Some(name) = &patch.name {
            if name_taken(conn, name, Some(id))? {
                return Err(StoreError::conflict("name", "a tag with this name already exists"));
            }
        }
        let slug = match patch.slug {
            Some(wanted) => taxonomy::explicit_slug::<TagRow>(conn, wanted, Some(id))?,
            None => current.slug,
        };
        let name = patch.name.unwrap_or(current.name);
        diesel::update(tags::table.find(id))
            .set((
                tags::slug.eq(slug),
                tags::name_key.eq(name_key(&name)),
                tags::name.eq(name),
                tags::description.eq(patch.description.unwrap_or(current.description)),
                tags::translations.eq(stored_names(patch.translations.as_ref().unwrap_or(&current_names))),
                tags::updated_at.eq(now()),
            ))
            .execute(conn)?;
        let row = TagRow::by_id(conn, id)?;
        // A name in a locale is what that locale's articles embed: a rename too.
        if (&row.slug, &row.name) != (&current_slug, &current_name) || row.local_names() != current_names {
            read_model::embedded_changed(conn, Embedded::Tag(id))?;
        }
        outbox::emit(conn, EventType::TagUpdated.as_str(), &event_data(&row), None, None)?;
        taxonomy::one(conn, visibility, row)
    })
}

/// Deletes a tag and detaches it from its articles.
pub fn delete(conn: &mut Conn, id: i64) -> StoreResult<()> {
    write_tx(conn, |conn| {
        let row = TagRow::by_id(conn, id)?;
        let detached = read_model::embedding(conn, Embedded::Tag(id))?;
        diesel::delete(article_tags::table.filter(article_tags::tag_id.eq(id))).execute(conn)?;
        diesel::delete(tags::table.find(id)).execute(conn)?;
        read_model::refresh(conn, &detached)?;
        outbox::emit(conn, EventType::TagDeleted.as_str(), &event_data(&row), None, None)?;
        Ok(())
    })
}

/// `data` of the `tag.*` events.
fn event_data(row: &TagRow) -> Value {
    outbox::to_value(&TagEventData {
        id: row.id,
        slug: row.slug.clone(),
        name: row.name.clone(),
        translations: row.local_names(),
        cache_tags: vec![format!("tag-{}", row.id), "tags".into(), "articles".into()],
    })
}
