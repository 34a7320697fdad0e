//! Who sends a Micropub request: a token in `Authorization: Bearer` or in an
//! `access_token` field (never both), an access token or an API key, and the scope a
//! key needs for each thing Micropub does. Also where Micropub lives, absolutely.

use actix_web::HttpRequest;

use super::error::MicropubError;
use crate::api::caller::{self, Caller};
use crate::api::feeds;
use crate::api::state::AppState;
use crate::auth::api_key::Scope;

/// Where the Micropub endpoint is, below the API's origin.
pub const ENDPOINT: &str = "/api/v1/micropub";
/// Where the media endpoint is, below the API's origin.
pub const MEDIA_ENDPOINT: &str = "/api/v1/micropub/media";

/// The caller of the `Authorization` header's token, when one was sent.
pub async fn from_header(req: &HttpRequest) -> Result<Option<Caller>, MicropubError> {
    match caller::bearer(req)? {
        Some(token) => Ok(Some(caller::with_token(req, token).await?)),
        None => Ok(None),
    }
}

/// The caller, from the header's token (`header`) or the form's `access_token`.
pub async fn caller(
    req: &HttpRequest,
    header: Option<Caller>,
    access_token: Option<String>,
) -> Result<Caller, MicropubError> {
    match (header, access_token) {
        (Some(_), Some(_)) => {
            Err(MicropubError::invalid("send the token once: in the Authorization header or in access_token, not both"))
        }
        (Some(caller), None) => Ok(caller),
        (None, Some(token)) if !token.trim().is_empty() => Ok(caller::with_token(req, token.trim().to_owned()).await?),
        (None, _) => Err(MicropubError::Unauthorized(
            "this needs a token: Authorization: Bearer, or an access_token field".into(),
        )),
    }
}

/// Whether the caller may do what needs `scope`: an access token may (its user's role
/// decides the rest); an API key needs the scope.
pub fn require(caller: &Caller, scope: Scope) -> Result<(), MicropubError> {
    match &caller.key {
        Some(key) if !key.scopes.iter().any(|held| held.grants(scope)) => {
            Err(MicropubError::InsufficientScope(format!("this API key lacks the {} scope", scope.as_str())))
        }
        _ => Ok(()),
    }
}

/// The scheme and host the request reached the API at (see [`feeds::origin`]).
pub fn origin(req: &HttpRequest, state: &AppState) -> String {
    feeds::origin(req, &state.trusted_proxies)
}
