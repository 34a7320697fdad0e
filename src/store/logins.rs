//! Failed-login counting: too many failures for one email, or from one client
//! address, within the window locks further attempts out until the oldest expires.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{now, write_tx, Conn, StoreResult};
use crate::db::schema::login_failures;

/// The limits; from the settings.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub per_email: i64,
    pub per_client: i64,
    pub window_seconds: i64,
}

fn keys(email: &str, client: &str) -> [String; 2] {
    [format!("email:{}", super::users::normalise_email(email)), format!("client:{client}")]
}

/// Seconds until a login for this email from this client may be tried again, if locked out.
pub fn locked_for(conn: &mut Conn, limits: LoginLimits, email: &str, client: &str) -> StoreResult<Option<i64>> {
    let now = now();
    let since = now - Duration::seconds(limits.window_seconds);
    let mut wait = None;
    for (key, limit) in keys(email, client).iter().zip([limits.per_email, limits.per_client]) {
        let times: Vec<NaiveDateTime> = login_failures::table
            .filter(login_failures::key.eq(key))
            .filter(login_failures::failed_at.gt(since))
            .order(login_failures::failed_at.desc())
            .limit(limit)
            .select(login_failures::failed_at)
            .load(conn)?;
        if times.len() as i64 >= limit {
            // The lock lifts when the oldest of the last `limit` failures leaves the window.
            let oldest = times.last().copied().unwrap_or(now);
            let seconds = (oldest + Duration::seconds(limits.window_seconds) - now).num_seconds().max(1);
            wait = Some(wait.map_or(seconds, |w: i64| w.max(seconds)));
        }
    }
    Ok(wait)
}

/// Counts a failure against the email and the client, forgetting ones past the window.
pub fn record_failure(conn: &mut Conn, limits: LoginLimits, email: &str, client: &str) -> StoreResult<()> {
    write_tx(conn, |conn| {
        let now = now();
        let since = now - Duration::seconds(limits.window_seconds);
        for key in keys(email, client) {
            diesel::delete(
                login_failures::table.filter(login_failures::key.eq(&key)).filter(login_failures::failed_at.le(since)),
            )
            .execute(conn)?;
            diesel::insert_into(login_failures::table)
                .values((login_failures::key.eq(&key), login_failures::failed_at.eq(now)))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// A successful login clears the email's failures (not the client's).
pub fn record_success(conn: &mut Conn, email: &str) -> StoreResult<()> {
    let [email_key, _] = keys(email, "");
    diesel::delete(login_failures::table.filter(login_failures::key.eq(email_key))).execute(conn)?;
    Ok(())
}
