//! Failed-login counting: too many failures for one email, or from one client
//! address, within the window locks further attempts out until the oldest expires.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{now, write_tx, Conn, StoreResult};
use crate::config::LoginLimits;
use crate::db::schema::login_failures;

fn keys(email: &str, client: &str) -> [String; 2] {
    [format!("email:{}", super::users::normalise_email(email)), format!("client:{client}")]
}

/// Seconds until a login for this email from this client may be tried again, if
/// locked out. Checks in progress count: their reservations are failure rows.
fn locked_for(conn: &mut Conn, limits: LoginLimits, email: &str, client: &str) -> StoreResult<Option<i64>> {
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

/// The failure rows a password check in progress holds, one per key: it counts as a
/// failure from the moment it is reserved, and stays one unless it succeeds or is
/// called off. If the process dies mid-check, it simply ages out of the window.
#[derive(Debug, Clone, Copy)]
pub struct Reservation {
    email_row: i64,
    client_row: i64,
}

/// Checks the limits and, when neither is reached, reserves a failure against the
/// email and the client, in one write transaction: parallel attempts see each
/// other's reservations, so no more checks start than the limits allow.
/// `Err(seconds)` says how long until a login may be tried again.
pub fn reserve(
    conn: &mut Conn,
    limits: LoginLimits,
    email: &str,
    client: &str,
) -> StoreResult<Result<Reservation, i64>> {
    write_tx(conn, |conn| {
        if let Some(wait) = locked_for(conn, limits, email, client)? {
            return Ok(Err(wait));
        }
        let now = now();
        let since = now - Duration::seconds(limits.window_seconds);
        let mut rows = [0; 2];
        for (row, key) in rows.iter_mut().zip(keys(email, client)) {
            diesel::delete(
                login_failures::table.filter(login_failures::key.eq(&key)).filter(login_failures::failed_at.le(since)),
            )
            .execute(conn)?;
            *row = diesel::insert_into(login_failures::table)
                .values((login_failures::key.eq(&key), login_failures::failed_at.eq(now)))
                .returning(login_failures::id)
                .get_result(conn)?;
        }
        Ok(Ok(Reservation { email_row: rows[0], client_row: rows[1] }))
    })
}

/// Calls off a reserved check that never ran (the server was too busy): it is no failure.
pub fn release(conn: &mut Conn, reservation: Reservation) -> StoreResult<()> {
    let rows = [reservation.email_row, reservation.client_row];
    diesel::delete(login_failures::table.filter(login_failures::id.eq_any(rows))).execute(conn)?;
    Ok(())
}

/// A successful login clears the email's failures, those in progress included, and
/// its own reservation against the client (the client's other failures stay).
pub fn record_success(conn: &mut Conn, email: &str, reservation: Reservation) -> StoreResult<()> {
    let [email_key, _] = keys(email, "");
    write_tx(conn, |conn| {
        diesel::delete(login_failures::table.filter(login_failures::key.eq(email_key))).execute(conn)?;
        diesel::delete(login_failures::table.filter(login_failures::id.eq(reservation.client_row))).execute(conn)?;
        Ok(())
    })
}
