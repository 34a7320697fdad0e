//! Draft preview tokens: stored as hashes, each for one article; the article is read
//! through one as its maker may read it now.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::articles::{self, Article};
use super::{now, write_tx, Conn, StoreError, StoreResult};
use crate::auth::{preview, Role};
use crate::content::policy::{self, Actor};
use crate::db::schema::{preview_tokens, users};

/// A token just made: the token itself, which is not kept, and when it stops working.
#[derive(Debug)]
pub struct Created {
    pub token: String,
    pub expires_at: NaiveDateTime,
}

/// The article `article_id` as `actor` may see it, else not found (also when hidden).
fn shared_by(conn: &mut Conn, article_id: i64, actor: &Actor) -> StoreResult<Article> {
    let article = articles::find(conn, article_id)?;
    policy::may_share_preview(actor, &article.facts())?;
    Ok(article)
}

/// Makes a token for article `article_id` that works for `lifetime`, when `actor` may
/// read the article. Removes every expired token first, so the table does not grow.
pub fn create(conn: &mut Conn, article_id: i64, actor: &Actor, lifetime: Duration) -> StoreResult<Created> {
    let (token, hash) = preview::new_token();
    let created_at = now();
    let expires_at = created_at + lifetime;
    write_tx(conn, |conn| {
        shared_by(conn, article_id, actor)?;
        diesel::delete(preview_tokens::table.filter(preview_tokens::expires_at.le(created_at))).execute(conn)?;
        diesel::insert_into(preview_tokens::table)
            .values((
                preview_tokens::article_id.eq(article_id),
                preview_tokens::token_hash.eq(&hash),
                preview_tokens::created_by.eq(actor.id),
                preview_tokens::created_at.eq(created_at),
                preview_tokens::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    Ok(Created { token, expires_at })
}

/// Revokes every token of article `article_id`, when `actor` may read the article;
/// answers how many there were.
pub fn revoke_all(conn: &mut Conn, article_id: i64, actor: &Actor) -> StoreResult<usize> {
    write_tx(conn, |conn| {
        shared_by(conn, article_id, actor)?;
        Ok(diesel::delete(preview_tokens::table.filter(preview_tokens::article_id.eq(article_id))).execute(conn)?)
    })
}

/// The article `token` shows, as it is now: `None` when the token is malformed, unknown,
/// revoked or expired, when its maker is disabled, or may no longer read the article.
/// The token is found by its hash, through the unique index: no comparison of the token
/// itself whose time could tell how much of a guess was right.
pub fn article(conn: &mut Conn, token: &str) -> StoreResult<Option<Article>> {
    if !preview::well_formed(token) {
        return Ok(None);
    }
    let found: Option<(i64, NaiveDateTime, i64, String, bool)> = preview_tokens::table
        .inner_join(users::table)
        .filter(preview_tokens::token_hash.eq(preview::hash(token)))
        .select((preview_tokens::article_id, preview_tokens::expires_at, users::id, users::role, users::disabled))
        .first(conn)
        .optional()?;
    let Some((article_id, expires_at, maker, role, disabled)) = found else { return Ok(None) };
    let Some(role) = Role::parse(&role).filter(|_| !disabled && expires_at > now()) else { return Ok(None) };
    match shared_by(conn, article_id, &Actor { id: maker, role }) {
        Ok(article) => Ok(Some(article)),
        Err(StoreError::NotFound | StoreError::Denied(_)) => Ok(None),
        Err(other) => Err(other),
    }
}
