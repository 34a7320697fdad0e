//! Users: accounts, their roles and their lock-out switch.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::read_model::{self, Embedded};
use super::{now, write_tx, Conn, Page, PageRequest, Rejected, StoreError, StoreResult};
use crate::auth::Role;
use crate::db::schema::{articles, refresh_tokens, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub bio: Option<String>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A user as the rest of folio sees them; the hash stays in the store.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub bio: Option<String>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            // The CHECK constraint admits only the three roles.
            role: Role::parse(&row.role).unwrap_or(Role::Author),
            bio: row.bio,
            disabled: row.disabled,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub bio: Option<&'a str>,
}

/// What a PATCH may change; `None` leaves a field alone, `Some(None)` clears `bio`.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub bio: Option<Option<String>>,
    pub disabled: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Emails are compared case-insensitively, so they are kept lower-cased.
pub use crate::domain::email::normalise as normalise_email;

pub fn find(conn: &mut Conn, id: i64) -> StoreResult<User> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn)?.into())
}

/// The user with this email and their password hash, for logging in.
pub fn find_for_login(conn: &mut Conn, email: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::email.eq(normalise_email(email)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn count(conn: &mut Conn) -> StoreResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn list(conn: &mut Conn, page: PageRequest) -> StoreResult<Page<User>> {
    let total = users::table.count().get_result(conn)?;
    let rows = users::table.order(users::id.asc()).select(UserRow::as_select());
    Ok(page.load::<_, UserRow>(conn, rows, total)?.map(User::from))
}

pub fn create(conn: &mut Conn, new: NewUser<'_>) -> StoreResult<User> {
    write_tx(conn, |conn| {
        let now = now();
        let id = diesel::insert_into(users::table)
            .values((&new, users::created_at.eq(now), users::updated_at.eq(now)))
            .returning(users::id)
            .get_result(conn)
            .map_err(email_conflict)?;
        find(conn, id)
    })
}

/// Applies `changes`; a new password, role or lock revokes the user's refresh tokens.
pub fn update(conn: &mut Conn, id: i64, mut changes: UserChanges) -> StoreResult<User> {
    write_tx(conn, |conn| {
        let current = find(conn, id)?;
        let revoke = changes.password_hash.is_some()
            || changes.role.as_deref().is_some_and(|role| role != current.role.as_str())
            || changes.disabled.is_some_and(|disabled| disabled != current.disabled);
        changes.updated_at = Some(now());
        diesel::update(users::table.find(id)).set(&changes).execute(conn).map_err(email_conflict)?;
        if revoke {
            revoke_logins(conn, id)?;
        }
        let user = find(conn, id)?;
        // What articles embed of their author: the name and bio.
        if (&user.display_name, &user.bio) != (&current.display_name, &current.bio) {
            read_model::embedded_changed(conn, Embedded::Author(id))?;
        }
        Ok(user)
    })
}

/// Deletes a user; one with articles needs `reassign_to`, who receives them.
pub fn delete(conn: &mut Conn, id: i64, reassign_to: Option<i64>) -> StoreResult<()> {
    write_tx(conn, |conn| {
        find(conn, id)?;
        let owned: i64 = articles::table.filter(articles::author_id.eq(id)).count().get_result(conn)?;
        if owned > 0 {
            let Some(heir) = reassign_to else {
                return Err(StoreError::conflict(
                    "reassign_to",
                    format!("the user has {owned} articles; pass ?reassign_to=USER_ID or disable the user instead"),
                ));
            };
            if heir == id {
                return Err(Rejected::HeirIsTheUser.into());
            }
            find(conn, heir).map_err(|_| Rejected::UnknownHeir)?;
            let inherited = read_model::embedding(conn, Embedded::Author(id))?;
            diesel::update(articles::table.filter(articles::author_id.eq(id)))
                .set(articles::author_id.eq(heir))
                .execute(conn)?;
            read_model::refresh(conn, &inherited)?;
        }
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::user_id.eq(id))).execute(conn)?;
        diesel::delete(users::table.find(id)).execute(conn)?;
        Ok(())
    })
}

/// Revokes every login of the user (password, role or lock change): their refresh
/// tokens, as [`delete`] removes them. Call inside a transaction.
fn revoke_logins(conn: &mut Conn, user_id: i64) -> StoreResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?)
}

fn email_conflict(err: diesel::result::Error) -> StoreError {
    match StoreError::from(err) {
        StoreError::Conflict { .. } => StoreError::conflict("email", "a user with this email already exists"),
        other => other,
    }
}
