//! Moving articles between databases (`folio export` / `folio import`): every article
//! read in batches, and an article written with the author and dates it had elsewhere.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::translations::{check_free, group_of};
use super::write::{create, replace, Placement, Prepared, Writer};
use super::{rows, with_relations, Article};
use crate::db::schema::articles;
use crate::store::{now, read_model, write_tx, Conn, StoreError, StoreResult};

/// Articles read per query: enough to keep the query count low, few enough that a
/// large site's bodies are not all in memory at once with their relations.
const BATCH: usize = 200;

/// Calls `each` with every article, bodies included, in slug order (then locale's).
pub fn for_each<E: From<StoreError>>(
    conn: &mut Conn,
    mut each: impl FnMut(Article) -> Result<(), E>,
) -> Result<usize, E> {
    let ids: Vec<i64> = articles::table
        .order((articles::slug.asc(), articles::locale.asc()))
        .select(articles::id)
        .load(conn)
        .map_err(StoreError::from)?;
    let now = now();
    for chunk in ids.chunks(BATCH) {
        let found = rows(conn, chunk, true)?;
        for article in with_relations(conn, found, now)? {
            each(article)?;
        }
    }
    Ok(ids.len())
}

/// The article with this slug in `locale`, if there is one.
pub fn find_by_slug(conn: &mut Conn, slug: &str, locale: &str) -> StoreResult<Option<Article>> {
    match super::find_by_slug(conn, slug, locale) {
        Ok(article) => Ok(Some(article)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

/// When an imported article was made and last changed.
#[derive(Debug, Clone, Copy)]
pub struct Dates {
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Writes `prepared` as the article with its slug: replaces `current`, the article
/// now there (a new version and revision), or creates it (its first revision) where
/// `placement` says, then gives it `author` and `dates`, which no API write sets. A
/// replaced article joins the group of `placement.translation_of` too ([`join_group`]).
pub fn put(
    conn: &mut Conn,
    author: i64,
    prepared: Prepared,
    dates: Dates,
    current: Option<&Article>,
    placement: Placement,
) -> StoreResult<()> {
    write_tx(conn, |conn| {
        let writer = Writer { id: author, may_create_tags: true };
        let id = match current {
            Some(current) => {
                let (content, body) = prepared.into_parts();
                let id = replace(conn, current, &content, Some(body), writer)?.row.id;
                if let Some(original) = placement.translation_of {
                    join_group(conn, id, original)?;
                }
                id
            }
            None => create(conn, writer, prepared, placement)?.row.id,
        };
        diesel::update(articles::table.find(id))
            .set((
                articles::author_id.eq(author),
                articles::created_at.eq(dates.created_at),
                articles::updated_at.eq(dates.updated_at),
            ))
            .execute(conn)?;
        read_model::refresh(conn, &[id])
    })
}

/// Puts article `id` in the translation group of article `original` (made now when the
/// original has none), unless it is in it already: an imported translation of an
/// article that exists. 409 when the group already has an article in its locale.
/// Whether it moved. It leaves any group it was in; its section and tags stay as they
/// are (an export gives every translation its group's). Call inside a write transaction.
pub fn join_group(conn: &mut Conn, id: i64, original: i64) -> StoreResult<bool> {
    let facts = |conn: &mut Conn, id: i64| -> StoreResult<(String, Option<i64>)> {
        Ok(articles::table.find(id).select((articles::locale, articles::translation_group)).first(conn)?)
    };
    let (locale, current) = facts(conn, id)?;
    let (_, group) = facts(conn, original)?;
    if id == original || (current.is_some() && current == group) {
        return Ok(false);
    }
    let group = group_of(conn, original, group)?;
    check_free(conn, Some(group), &locale, Some(id))?;
    diesel::update(articles::table.find(id)).set(articles::translation_group.eq(group)).execute(conn)?;
    // Both stored representations name the group now (cache tags); the members' lists
    // of translations are read at the moment of each read.
    read_model::refresh(conn, &[id, original])?;
    Ok(true)
}
