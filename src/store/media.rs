//! Media items: one row per upload; rows uploading the same bytes share one stored
//! file, named by its sha256 ([`crate::media::storage`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use super::{now, outbox, write_tx, Conn, Page, PageRequest, StoreError, StoreResult};
use crate::content::events::{EventType, MediaEventData};
use crate::content::policy::{self, Actor};
use crate::db::schema::{articles, media};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: i64,
    pub sha256: String,
    pub ext: String,
    pub content_type: String,
    pub bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub alt: Option<String>,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MediaRow {
    /// Where folio serves the file, whatever the storage.
    pub fn url(&self) -> String {
        file_url(&self.sha256, &self.ext)
    }
}

/// `/api/v1/media/files/{sha256}.{ext}`.
pub fn file_url(sha256: &str, ext: &str) -> String {
    format!("/api/v1/media/files/{sha256}.{ext}")
}

/// A stored upload to record.
#[derive(Debug)]
pub struct NewMedia {
    pub sha256: String,
    pub ext: &'static str,
    pub content_type: &'static str,
    pub bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub alt: Option<String>,
    pub uploaded_by: i64,
}

/// What deleting a media item leaves: the row as it was, and whether another row
/// still shares its file (so the file stays).
#[derive(Debug)]
pub struct Deleted {
    pub row: MediaRow,
    pub file_shared: bool,
}

/// One media item with its url, width and height, or [`StoreError::NotFound`].
pub fn find(conn: &mut Conn, id: i64) -> StoreResult<MediaRow> {
    Ok(media::table.find(id).select(MediaRow::as_select()).first(conn)?)
}

/// A page of media items, the newest first.
pub fn list(conn: &mut Conn, page: PageRequest) -> StoreResult<Page<MediaRow>> {
    let total = media::table.count().get_result(conn)?;
    page.load(
        conn,
        media::table.order((media::created_at.desc(), media::id.desc())).select(MediaRow::as_select()),
        total,
    )
}

pub fn create(conn: &mut Conn, new: NewMedia) -> StoreResult<MediaRow> {
    write_tx(conn, |conn| {
        let now = now();
        let id: i64 = diesel::insert_into(media::table)
            .values((
                media::sha256.eq(&new.sha256),
                media::ext.eq(new.ext),
                media::content_type.eq(new.content_type),
                media::bytes.eq(new.bytes),
                media::width.eq(new.width),
                media::height.eq(new.height),
                media::alt.eq(&new.alt),
                media::uploaded_by.eq(new.uploaded_by),
                media::created_at.eq(now),
                media::updated_at.eq(now),
            ))
            .returning(media::id)
            .get_result(conn)?;
        let row = find(conn, id)?;
        outbox::emit(conn, EventType::MediaCreated.as_str(), &event_data(&row), None, None)?;
        Ok(row)
    })
}

/// Sets the alt text (`Some(None)` clears it, `None` leaves it), for the uploader or an editor.
pub fn update_alt(conn: &mut Conn, actor: &Actor, id: i64, alt: Option<Option<String>>) -> StoreResult<MediaRow> {
    write_tx(conn, |conn| {
        let row = find(conn, id)?;
        policy::may_change_media(actor, row.uploaded_by)?;
        let alt = alt.unwrap_or(row.alt);
        diesel::update(media::table.find(id)).set((media::alt.eq(alt), media::updated_at.eq(now()))).execute(conn)?;
        find(conn, id)
    })
}

/// Deletes a media item, for the uploader or an editor; says whether its file is still
/// shared by another item. The file itself is the caller's to remove.
pub fn delete(conn: &mut Conn, actor: &Actor, id: i64) -> StoreResult<Deleted> {
    write_tx(conn, |conn| {
        let row = find(conn, id)?;
        policy::may_change_media(actor, row.uploaded_by)?;
        let covers: i64 = articles::table.filter(articles::cover_media_id.eq(id)).count().get_result(conn)?;
        if covers > 0 {
            return Err(StoreError::conflict(
                "id",
                format!("{covers} article(s) use this media item as their cover: change their cover_image first"),
            ));
        }
        diesel::delete(media::table.find(id)).execute(conn)?;
        outbox::emit(conn, EventType::MediaDeleted.as_str(), &event_data(&row), None, None)?;
        let file_shared = shares_file(conn, &row.sha256, &row.ext)?;
        Ok(Deleted { row, file_shared })
    })
}

/// Whether any item has the file `{sha256}.{ext}`.
pub fn shares_file(conn: &mut Conn, sha256: &str, ext: &str) -> StoreResult<bool> {
    let count: i64 =
        media::table.filter(media::sha256.eq(sha256)).filter(media::ext.eq(ext)).count().get_result(conn)?;
    Ok(count > 0)
}

/// `data` of the `media.*` events.
fn event_data(row: &MediaRow) -> Value {
    outbox::to_value(&MediaEventData {
        id: row.id,
        sha256: row.sha256.clone(),
        url: row.url(),
        content_type: row.content_type.clone(),
        cache_tags: vec![format!("media-{}", row.id), "media".into()],
    })
}
