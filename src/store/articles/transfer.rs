//! Moving articles between databases (`folio export` / `folio import`): every article
//! read in batches, and an article written with the author and dates it had elsewhere.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::write::{create, replace, Placement, Prepared, Writer};
use super::{rows, with_relations, Article};
use crate::db::schema::articles;
use crate::store::{now, read_model, write_tx, Conn, StoreError, StoreResult};

/// Articles read per query: enough to keep the query count low, few enough that a
/// large site's bodies are not all in memory at once with their relations.
const BATCH: usize = 200;

/// Calls `each` with every article, bodies included, in slug order.
pub fn for_each<E: From<StoreError>>(
    conn: &mut Conn,
    mut each: impl FnMut(Article) -> Result<(), E>,
) -> Result<usize, E> {
    let ids: Vec<i64> =
        articles::table.order(articles::slug.asc()).select(articles::id).load(conn).map_err(StoreError::from)?;
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
/// now there (a new version and revision), or creates it (its first revision), then
/// gives it `author` and `dates`, which no API write sets.
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
                replace(conn, current, &content, Some(body), writer)?.row.id
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
