//! A stored JSON text read as the bytes a response sends.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Text;
use diesel::sqlite::{Sqlite, SqliteValue};

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
