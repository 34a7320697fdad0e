//! What sections and tags share: rows counted by the articles the viewer may see,
//! lookups by id and slug, a page of them, and slugs given or derived.

use std::collections::HashMap;

use super::{free_slug, Conn, Page, PageRequest, Rejected, StoreError, StoreResult};
use crate::content::policy::Visibility;
use crate::content::slug;

/// A row with the number of articles in it (or carrying it) that the viewer may see.
#[derive(Debug, Clone)]
pub struct Counted<R> {
    pub row: R,
    pub article_count: i64,
}

/// A table of terms that articles are filed under: sections, tags.
pub trait Term: Sized {
    /// What a conflict calls one: "a section".
    const KIND: &'static str;
    fn id(&self) -> i64;
    fn by_id(conn: &mut Conn, id: i64) -> StoreResult<Self>;
    fn by_slug(conn: &mut Conn, slug: &str) -> StoreResult<Self>;
    /// Whether a row other than `except` has this slug.
    fn slug_taken(conn: &mut Conn, candidate: &str, except: Option<i64>) -> StoreResult<bool>;
    /// One page in the list's order, and how many there are in all.
    fn page(conn: &mut Conn, page: PageRequest) -> StoreResult<(Vec<Self>, i64)>;
    /// How many articles the viewer may see are under each of `ids`.
    fn counts(conn: &mut Conn, visibility: Visibility, ids: &[i64]) -> StoreResult<HashMap<i64, i64>>;
}

/// Implements [`Term`] for `$row`, a row of `$table`, listed in `$order`; `$counts`
/// counts the visible articles.
macro_rules! term {
    ($row:ty, $table:ident, $kind:literal, order = $order:expr, counts = $counts:path) => {
        impl $crate::store::taxonomy::Term for $row {
            const KIND: &'static str = $kind;

            fn id(&self) -> i64 {
                self.id
            }

            fn by_id(conn: &mut Conn, id: i64) -> StoreResult<Self> {
                Ok($table::table.find(id).select(<$row>::as_select()).first(conn)?)
            }

            fn by_slug(conn: &mut Conn, slug: &str) -> StoreResult<Self> {
                Ok($table::table.filter($table::slug.eq(slug)).select(<$row>::as_select()).first(conn)?)
            }

            fn slug_taken(conn: &mut Conn, candidate: &str, except: Option<i64>) -> StoreResult<bool> {
                let query = $table::table.filter($table::slug.eq(candidate)).filter($table::id.ne(except.unwrap_or(0)));
                Ok(query.count().get_result::<i64>(conn)? > 0)
            }

            fn page(conn: &mut Conn, page: PageRequest) -> StoreResult<(Vec<Self>, i64)> {
                let total = $table::table.count().get_result(conn)?;
                let rows = $table::table.order($order).limit(page.per_page).offset(page.offset());
                Ok((rows.select(<$row>::as_select()).load(conn)?, total))
            }

            fn counts(conn: &mut Conn, visibility: Visibility, ids: &[i64]) -> StoreResult<HashMap<i64, i64>> {
                $counts(conn, visibility, ids)
            }
        }
    };
}
pub(crate) use term;

/// `rows` with their counts.
pub fn counted<R: Term>(conn: &mut Conn, visibility: Visibility, rows: Vec<R>) -> StoreResult<Vec<Counted<R>>> {
    let ids: Vec<i64> = rows.iter().map(Term::id).collect();
    let counts = R::counts(conn, visibility, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| Counted { article_count: counts.get(&row.id()).copied().unwrap_or(0), row })
        .collect())
}

/// `row` with its count.
pub fn one<R: Term>(conn: &mut Conn, visibility: Visibility, row: R) -> StoreResult<Counted<R>> {
    counted(conn, visibility, vec![row])?.pop().ok_or(StoreError::NotFound)
}

pub fn list<R: Term>(conn: &mut Conn, visibility: Visibility, page: PageRequest) -> StoreResult<Page<Counted<R>>> {
    let (rows, total) = R::page(conn, page)?;
    Ok(Page { items: counted(conn, visibility, rows)?, total })
}

pub fn find<R: Term>(conn: &mut Conn, visibility: Visibility, id: i64) -> StoreResult<Counted<R>> {
    let row = R::by_id(conn, id)?;
    one(conn, visibility, row)
}

pub fn find_by_slug<R: Term>(conn: &mut Conn, visibility: Visibility, slug: &str) -> StoreResult<Counted<R>> {
    let row = R::by_slug(conn, slug)?;
    one(conn, visibility, row)
}

/// `wanted`, unless a row other than `except` has it (409).
pub fn explicit_slug<R: Term>(conn: &mut Conn, wanted: String, except: Option<i64>) -> StoreResult<String> {
    if R::slug_taken(conn, &wanted, except)? {
        return Err(StoreError::conflict("slug", format!("{} with this slug already exists", R::KIND)));
    }
    Ok(wanted)
}

/// A free slug made from `name`, or `refused` when nothing of it makes one.
pub fn derived_slug<R: Term>(conn: &mut Conn, name: &str, refused: impl FnOnce() -> Rejected) -> StoreResult<String> {
    let base = slug::slugify(name).ok_or_else(refused)?;
    free_slug(&base, |c| R::slug_taken(conn, c, None))
}
