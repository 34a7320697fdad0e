//! The public's look-ups of stored documents: one article's by id, by slug or by
//! translation group, or many at once; each read as the bytes the response sends.

use chrono::NaiveDateTime;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::{Sqlite, SqliteValue};

use crate::db::schema::article_documents;
use crate::store::{Conn, StoreResult};

/// A stored document, as a public read answers it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_documents)]
pub struct Document {
    /// The JSON of the article, body included.
    #[diesel(column_name = document, deserialize_as = JsonBytes)]
    pub json: Vec<u8>,
    /// Its strong ETag, quoted.
    pub etag: String,
    /// Its `Last-Modified`.
    pub updated_at: NaiveDateTime,
    /// What a CDN purges when it changes, space-separated
    /// ([`crate::store::articles::Article::cache_tags`]).
    pub cache_tags: String,
    pub article_id: i64,
    pub slug: String,
    /// The article's locale: what `Content-Language` says.
    pub locale: String,
    /// Its translation group, if it has translations: whose live members a read lists.
    pub translation_group: Option<i64>,
}

/// Room left after a document read for what the read appends to it, its live
/// translations (`,"translations":[]` when it has none): the document is most of the
/// answer, and does not move to grow.
const ROOM: usize = 256;

/// A JSON text the store wrote, read as its bytes, unchecked: folio wrote it from a
/// `String`, and it goes to the client as it is. diesel's `String` checks a text as
/// UTF-8 twice, 3 % of a read by slug's CPU with a 23 KB document.
#[derive(Debug, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct JsonBytes(Vec<u8>);

impl JsonBytes {
    fn with_room(bytes: &[u8]) -> Self {
        let mut owned = Vec::with_capacity(bytes.len() + ROOM);
        owned.extend_from_slice(bytes);
        Self(owned)
    }
}

impl From<JsonBytes> for Vec<u8> {
    fn from(json: JsonBytes) -> Self {
        json.0
    }
}

impl FromSql<Text, Sqlite> for JsonBytes {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        Ok(Self::with_room(value.read_blob()))
    }
}

impl FromSql<Text, Pg> for JsonBytes {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        Ok(Self::with_room(value.as_bytes()))
    }
}

// The look-ups below run on the backend's own connection, not through `Conn`: a query
// through the multi-backend connection has its SQL written out again at every run
// before the statement cache is asked (a tenth of a public read's CPU). They name at
// most one row and say no `LIMIT`: SQLite prepares a statement whose `LIMIT` is a bound
// value again at every run, which was a sixth of a public read's CPU.

/// The document of article `id`, when it is live at `now`.
pub fn live_by_id(conn: &mut Conn, id: i64, now: NaiveDateTime) -> StoreResult<Option<Document>> {
    let query = article_documents::table
        .filter(article_documents::article_id.eq(id))
        .filter(article_documents::live_from.le(now));
    Ok(match conn {
        Conn::Sqlite(conn) => query.select(Document::as_select()).get_result(conn).optional()?,
        Conn::Postgres(conn) => query.select(Document::as_select()).get_result(conn).optional()?,
    })
}

/// The document of the article with `slug` in `locale`, when it is live at `now`.
pub fn live_by_slug(conn: &mut Conn, slug: &str, locale: &str, now: NaiveDateTime) -> StoreResult<Option<Document>> {
    let query = article_documents::table
        .filter(article_documents::slug.eq(slug))
        .filter(article_documents::locale.eq(locale))
        .filter(article_documents::live_from.le(now));
    Ok(match conn {
        Conn::Sqlite(conn) => query.select(Document::as_select()).get_result(conn).optional()?,
        Conn::Postgres(conn) => query.select(Document::as_select()).get_result(conn).optional()?,
    })
}

/// The documents live at `now` of the articles `ids` and of those with one of `slugs`
/// in `locale`: many reads in one query, in no order.
pub fn live_documents(
    conn: &mut Conn,
    ids: &[i64],
    slugs: &[&str],
    locale: &str,
    now: NaiveDateTime,
) -> StoreResult<Vec<Document>> {
    let named = article_documents::locale.eq(locale).and(article_documents::slug.eq_any(slugs));
    let query = article_documents::table
        .filter(article_documents::article_id.eq_any(ids).or(named))
        .filter(article_documents::live_from.le(now));
    Ok(match conn {
        Conn::Sqlite(conn) => query.select(Document::as_select()).load(conn)?,
        Conn::Postgres(conn) => query.select(Document::as_select()).load(conn)?,
    })
}

/// The document of the translation in `locale` of the group `group`, when it is live at `now`.
pub fn live_in_group(conn: &mut Conn, group: i64, locale: &str, now: NaiveDateTime) -> StoreResult<Option<Document>> {
    let query = article_documents::table
        .filter(article_documents::translation_group.eq(group))
        .filter(article_documents::locale.eq(locale))
        .filter(article_documents::live_from.le(now));
    Ok(match conn {
        Conn::Sqlite(conn) => query.select(Document::as_select()).get_result(conn).optional()?,
        Conn::Postgres(conn) => query.select(Document::as_select()).get_result(conn).optional()?,
    })
}
