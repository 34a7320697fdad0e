//! Logging in, refreshing and ending sessions, and who am I.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::{client_address, Caller, NoApiKey};
use super::error::{ApiError, Reply};
use super::json::Json;
use super::respond;
use super::state::AppState;
use super::users::UserResponse;
use crate::auth::password;
use crate::auth::token::ACCESS_TOKEN_SECONDS;
use crate::store::{logins, tokens, users};

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "nick@example.com")]
    pub email: String,
    #[schema(example = "correct horse battery staple")]
    pub password: String,
}

/// A refresh token to rotate or revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The opaque refresh token from login or the last refresh.
    pub refresh_token: String,
}

/// A new access token and the refresh token to get the next one with.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(value_type = TokenType)]
    pub token_type: &'static str,
    /// Seconds until the access token expires (900).
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque, single use: refreshing returns a new one and retires this one.
    pub refresh_token: String,
    pub user: UserResponse,
}

/// Always `Bearer`.
#[derive(ToSchema)]
pub enum TokenType {
    Bearer,
}

const BAD_CREDENTIALS: &str = "the email or password is wrong";
const BAD_REFRESH: &str = "the refresh token is invalid, expired or revoked";

fn tokens_for(state: &AppState, user: users::User, refresh_token: String) -> Reply {
    let access_token = state.keys.issue(user.id, user.role).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token,
        user: user.into(),
    }))
}

/// Log in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong email or password (the same answer for both)", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins for this email (10 in 15 minutes by default) or from this client (50), checks in progress included; refused even with the right password until `Retry-After` seconds pass", body = super::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds until a login may be tried again"))),
        (status = 503, description = "Too many password checks are running or waiting; nothing was checked or counted, retry after `Retry-After` seconds", body = super::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait before retrying"))),
        super::responses::BodyRefused,
    ),
    security(()))]
pub async fn login(state: web::Data<AppState>, body: Json<LoginRequest>, req: HttpRequest) -> Reply {
    let LoginRequest { email, password } = body.0;
    let client = client_address(&req);
    let limits = state.login_limits;
    let lookup_email = email.clone();
    // The check is reserved (counted as a failure) before any hashing, in the same
    // transaction that checks the limits, so parallel attempts cannot exceed them.
    let reserved = state
        .write(move |c| match logins::reserve(c, limits, &lookup_email, &client)? {
            Ok(reservation) => Ok(Ok((reservation, users::find_for_login(c, &lookup_email)?))),
            Err(wait) => Ok(Err(wait)),
        })
        .await?;
    let (reservation, row) = reserved.map_err(|wait| ApiError::TooManyRequests { retry_after: wait.unsigned_abs() })?;
    let ticket = match state.hashes.admit() {
        Ok(ticket) => ticket,
        Err(busy) => {
            // Shed before any password was checked: no failure against anyone.
            state.write(move |c| logins::release(c, reservation)).await?;
            return Err(busy.into());
        }
    };
    let checked = ticket
        .run(move || match row {
            Some(row) if password::verify(&password, &row.password_hash) && !row.disabled => Some(row),
            Some(_) => None,
            None => {
                password::verify_dummy(&password);
                None
            }
        })
        .await?;
    // A failed check keeps its reservation: that is the failure counted.
    let Some(row) = checked else { return Err(ApiError::Unauthorized(BAD_CREDENTIALS)) };
    let user_id = row.id;
    let refresh_token = state
        .write(move |c| {
            logins::record_success(c, &email, reservation)?;
            tokens::issue(c, user_id)
        })
        .await?;
    tokens_for(&state, row.into(), refresh_token)
}

/// Exchange a refresh token for a new pair.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", operation_id = "refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access token and a new refresh token; the old one is retired", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or already used (which revokes the whole login)", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 403, response = super::responses::Forbidden),
        super::responses::BodyRefused,
    ),
    security(()))]
pub async fn refresh(state: web::Data<AppState>, _: NoApiKey, body: Json<RefreshRequest>) -> Reply {
    let token = body.0.refresh_token;
    let rotated = state.write(move |c| tokens::rotate(c, &token)).await?;
    match rotated {
        Ok((user, next)) => tokens_for(&state, user, next),
        Err(refused) => {
            tracing::info!(?refused, "refresh refused");
            Err(ApiError::Unauthorized(BAD_REFRESH))
        }
    }
}

/// End the login a refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "logout",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out (also for an unknown token)"),
        (status = 403, response = super::responses::Forbidden),
        super::responses::BodyRefused,
    ),
    security(()))]
pub async fn logout(state: web::Data<AppState>, _: NoApiKey, body: Json<RefreshRequest>) -> Reply {
    let token = body.0.refresh_token;
    state.write(move |c| tokens::logout(c, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The current user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", operation_id = "me",
    responses(
        (status = 200, description = "The user the token belongs to", body = UserResponse,
            headers(("ETag" = String, description = "Strong validator of the representation"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = super::responses::Unauthorized),
        (status = 403, response = super::responses::Forbidden),
    ),
    security(("bearer" = [])))]
pub async fn me(state: web::Data<AppState>, caller: Caller, req: HttpRequest) -> Reply {
    let id = caller.id;
    let user = UserResponse::from(state.read(move |c| users::find(c, id)).await?);
    let modified = user.updated_at;
    respond::resource(&req, &user, modified)
}
