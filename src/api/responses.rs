//! The responses operations share (problem+json errors, by name and in families): the
//! handlers name them in their `#[utoipa::path]`, and the document declares them once
//! ([`super::openapi`]). Their types exist only for the document.

#![expect(dead_code, reason = "the wrapped problem is read by the OpenAPI derive only")]

use utoipa::{IntoResponses, ToResponse};

use crate::api::error::Problem;

/// A reusable problem+json response per name, described once.
macro_rules! problems {
    ($($(#[$attr:meta])* $name:ident: $description:literal),+ $(,)?) => {$(
        $(#[$attr])*
        #[derive(ToResponse)]
        #[response(description = $description, content_type = "application/problem+json")]
        pub struct $name(Problem);
    )+};
}

problems! {
    BadRequest: "The body is not JSON, or not sent as application/json",
    Unauthorized: "A Bearer access token is needed, or the one sent is invalid or expired",
    Forbidden: "The caller's role may not do this, or the API key sent lacks the scope it needs (named) or may never do this",
    NotFound: "No such resource, or not one the caller may see",
    TooLarge: "The body exceeds FOLIO_MAX_BODY_BYTES",
    Invalid: "Invalid fields or query parameters, each named in `errors`",
    PreconditionFailed: "If-Match does not name the current ETag; nothing changed",
    PreconditionRequired: "Send If-Match with the current ETag (or, on PATCH, the body's version)",
    BodyTimeout: "The body did not arrive within FOLIO_BODY_TIMEOUT_SECONDS; the connection is closed",
}

#[derive(ToResponse)]
#[response(
    description = "The database cannot take this request now (busy, disk full or read-only); retry later",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))
)]
pub struct Unavailable(Problem);

/// The 503 of an operation that hashes a password, when the hash lane is full.
#[derive(IntoResponses)]
#[response(
    status = 503,
    description = "Too many password hashes are running or waiting (only when a password is given); nothing changed, retry after `Retry-After` seconds",
    content_type = "application/problem+json",
    headers(("Retry-After" = i64, description = "Seconds to wait before retrying"))
)]
pub struct HashesBusy(Problem);

/// Response families: a handler names one instead of listing its statuses, each
/// status answered with the problem response of that name.
macro_rules! families {
    ($($(#[$attr:meta])* $name:ident { $($status:literal: $response:ident),+ $(,)? })+) => {$(
        $(#[$attr])*
        #[derive(IntoResponses)]
        pub enum $name {
            $(#[response(status = $status)] $response(#[ref_response] $response),)+
        }
    )+};
}

/// What a read of one resource answers besides 200.
#[derive(IntoResponses)]
pub enum ReadOne {
    #[response(status = 304, description = "Not modified (If-None-Match)")]
    NotModified,
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
}

families! {
    /// What a body that cannot be taken is answered with.
    BodyRefused { 400: BadRequest, 413: TooLarge, 422: Invalid }
    /// What a list answers besides 200: a token that is invalid, or a query that is.
    ListRefused { 401: Unauthorized, 422: Invalid }
    /// What an operation on one resource that needs a role is refused with: no valid
    /// token, not the role, or no such resource.
    GuardedOne { 401: Unauthorized, 403: Forbidden, 404: NotFound }
    /// What a caller without the right token or role is answered with.
    NotAllowed { 401: Unauthorized, 403: Forbidden }
}
