//! Refresh tokens: stored as hashes, rotated on use, revoked per login (family); a change
//! to the user revokes them all ([`super::users::update`]).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::users::{find, User};
use super::{now, write_tx, Conn, StoreError, StoreResult};
use crate::auth::token::{hash_refresh_token, new_family, new_refresh_token, REFRESH_TOKEN_DAYS};
use crate::db::schema::refresh_tokens;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
struct TokenRow {
    id: i64,
    user_id: i64,
    family: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewToken<'a> {
    user_id: i64,
    token_hash: &'a str,
    family: &'a str,
    expires_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Why a refresh token was refused; every variant answers 401 the same way.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Unknown,
    Expired,
    Revoked,
    /// An already-rotated token came back: the whole login was revoked.
    Replayed,
    UserDisabled,
}

fn insert(conn: &mut Conn, user_id: i64, family: &str) -> StoreResult<String> {
    let (token, hash) = new_refresh_token();
    let created_at = now();
    diesel::insert_into(refresh_tokens::table)
        .values(NewToken {
            user_id,
            token_hash: &hash,
            family,
            expires_at: created_at + Duration::days(REFRESH_TOKEN_DAYS),
            created_at,
        })
        .execute(conn)?;
    Ok(token)
}

/// Starts a new login for the user and returns its first refresh token.
pub fn issue(conn: &mut Conn, user_id: i64) -> StoreResult<String> {
    write_tx(conn, |conn| insert(conn, user_id, &new_family()))
}

/// Exchanges a refresh token for a new one in the same family; the old one stops working.
pub fn rotate(conn: &mut Conn, token: &str) -> StoreResult<Result<(User, String), Refused>> {
    write_tx(conn, |conn| {
        let hash = hash_refresh_token(token);
        let Some(row) = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select(TokenRow::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(Err(Refused::Unknown));
        };
        let now = now();
        if row.used_at.is_some() {
            revoke_family(conn, &row.family)?;
            return Ok(Err(Refused::Replayed));
        }
        if row.revoked_at.is_some() {
            return Ok(Err(Refused::Revoked));
        }
        if row.expires_at <= now {
            return Ok(Err(Refused::Expired));
        }
        let user = find(conn, row.user_id)?;
        if user.disabled {
            return Ok(Err(Refused::UserDisabled));
        }
        diesel::update(refresh_tokens::table.find(row.id)).set(refresh_tokens::used_at.eq(now)).execute(conn)?;
        let next = insert(conn, row.user_id, &row.family)?;
        Ok(Ok((user, next)))
    })
}

/// Ends the login this token belongs to; unknown tokens are ignored.
pub fn logout(conn: &mut Conn, token: &str) -> StoreResult<()> {
    write_tx(conn, |conn| {
        let family: Option<String> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(hash_refresh_token(token)))
            .select(refresh_tokens::family)
            .first(conn)
            .optional()?;
        if let Some(family) = family {
            revoke_family(conn, &family)?;
        }
        Ok(())
    })
}

fn revoke_family(conn: &mut Conn, family: &str) -> Result<usize, StoreError> {
    Ok(diesel::update(
        refresh_tokens::table.filter(refresh_tokens::family.eq(family)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?)
}
