//! API keys: stored as hashes, read on every request that sends one.

use chrono::{Duration, NaiveDateTime};
use diesel::backend::Backend;
use diesel::deserialize::FromSql;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::{now, write_tx, Conn, Page, PageRequest, StoreResult};
use crate::auth::api_key::{self, Scope};
use crate::auth::Role;
use crate::db::schema::{api_keys, users};

/// A key as listed; the key itself is never kept, only its hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    #[diesel(deserialize_as = StoredScopes)]
    pub scopes: Vec<Scope>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

/// The `scopes` column as read: the scopes' names, space-separated.
pub struct StoredScopes(Vec<Scope>);

impl<DB: Backend> Queryable<Text, DB> for StoredScopes
where
    String: FromSql<Text, DB>,
{
    type Row = String;

    fn build(names: String) -> diesel::deserialize::Result<Self> {
        Ok(Self(api_key::split_scopes(&names)))
    }
}

impl From<StoredScopes> for Vec<Scope> {
    fn from(stored: StoredScopes) -> Self {
        stored.0
    }
}

/// A key that may be used now, and its creator as they are now.
#[derive(Debug, Clone)]
pub struct Holder {
    pub key_id: i64,
    pub scopes: Vec<Scope>,
    pub user_id: i64,
    pub role: Role,
}

/// A new key's name, scopes and life.
pub struct NewKey<'a> {
    pub name: &'a str,
    pub scopes: &'a [Scope],
    pub created_by: i64,
    /// `None`: never expires.
    pub expires_in_days: Option<i64>,
}

/// Stores a new key; returns it and the key itself, which is not kept.
pub fn create(conn: &mut Conn, new: NewKey<'_>) -> StoreResult<(ApiKey, String)> {
    let (key, hash) = api_key::new_key();
    let created_at = now();
    let prefix: String = key.chars().take(api_key::SHOWN_CHARS).collect();
    let stored = write_tx(conn, |conn| {
        let id = diesel::insert_into(api_keys::table)
            .values((
                api_keys::name.eq(new.name),
                api_keys::key_hash.eq(&hash),
                api_keys::prefix.eq(&prefix),
                api_keys::scopes.eq(api_key::join_scopes(new.scopes)),
                api_keys::created_by.eq(new.created_by),
                api_keys::created_at.eq(created_at),
                api_keys::expires_at.eq(new.expires_in_days.map(|days| created_at + Duration::days(days))),
            ))
            .returning(api_keys::id)
            .get_result::<i64>(conn)?;
        find(conn, id)
    })?;
    Ok((stored, key))
}

pub fn find(conn: &mut Conn, id: i64) -> StoreResult<ApiKey> {
    Ok(api_keys::table.find(id).select(ApiKey::as_select()).first(conn)?)
}

pub fn list(conn: &mut Conn, page: PageRequest) -> StoreResult<Page<ApiKey>> {
    let total = api_keys::table.count().get_result(conn)?;
    page.load(conn, api_keys::table.order(api_keys::id.asc()).select(ApiKey::as_select()), total)
}

/// Revokes a key: it is gone, so its next use is refused on every instance.
pub fn delete(conn: &mut Conn, id: i64) -> StoreResult<()> {
    write_tx(conn, |conn| {
        find(conn, id)?;
        diesel::delete(api_keys::table.find(id)).execute(conn)?;
        Ok(())
    })
}

/// The holder of `key` when it may be used now: known, not expired, its creator enabled.
pub fn holder(conn: &mut Conn, key: &str) -> StoreResult<Option<Holder>> {
    let found: Option<(i64, String, Option<NaiveDateTime>, i64, String, bool)> = api_keys::table
        .inner_join(users::table)
        .filter(api_keys::key_hash.eq(api_key::hash_key(key)))
        .select((api_keys::id, api_keys::scopes, api_keys::expires_at, users::id, users::role, users::disabled))
        .first(conn)
        .optional()?;
    let now = now();
    Ok(found.and_then(|(key_id, scopes, expires_at, user_id, role, disabled)| {
        let live = !disabled && expires_at.is_none_or(|at| at > now);
        let role = Role::parse(&role)?;
        live.then(|| Holder { key_id, scopes: api_key::split_scopes(&scopes), user_id, role })
    }))
}

/// Records that key `id` was used now, unless that was written less than a minute ago
/// (by any instance): one conditional UPDATE, so instances never rewrite it each request.
pub fn touch(conn: &mut Conn, id: i64) -> StoreResult<bool> {
    let now = now();
    let cutoff = now - Duration::seconds(60);
    let changed = diesel::update(
        api_keys::table.find(id).filter(api_keys::last_used_at.is_null().or(api_keys::last_used_at.lt(cutoff))),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)?;
    Ok(changed > 0)
}
