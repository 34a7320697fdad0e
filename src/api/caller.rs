//! Who is calling: the `Caller` extractor needs a valid token, `MaybeCaller` takes one
//! when given. The user is re-read on every request, so a role change or a lock
//! takes effect at once, not when the access token expires.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::TryFutureExt;

use super::error::ApiError;
use super::state::AppState;
use crate::auth::Role;
use crate::content::policy::{self, Visibility};
use crate::store::audit::Actor;
use crate::store::users;

/// An authenticated, enabled user.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: i64,
    pub role: Role,
    /// The client's address, for the audit trail.
    pub client: String,
}

/// The caller when a token was sent; a bad token is still a 401, never silently public.
pub struct MaybeCaller(pub Option<Caller>);

impl Caller {
    /// The caller as the audit trail records them.
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.id, role: self.role.as_str(), client: self.client.clone() }
    }

    /// The caller as the rules ([`policy`]) see them.
    pub fn who(&self) -> policy::Actor {
        policy::Actor { id: self.id, role: self.role }
    }

    pub fn visibility(&self) -> Visibility {
        Visibility::of(Some(&self.who()))
    }

    /// Editors and admins only.
    pub fn require_content_manager(&self) -> Result<(), ApiError> {
        Ok(policy::may_manage_content(&self.who())?)
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        Ok(policy::may_administer(&self.who())?)
    }
}

impl MaybeCaller {
    pub fn visibility(&self) -> Visibility {
        Visibility::of(self.0.as_ref().map(Caller::who).as_ref())
    }
}

const INVALID: &str = "the access token is missing, invalid or expired";

fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| ApiError::Unauthorized(INVALID))?;
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(ApiError::Unauthorized("the Authorization header must be 'Bearer <access token>'")),
    }
}

/// The client's address: the peer's, or behind a trusted proxy the one it forwards.
pub fn client_address(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|addr| addr.ip()) else { return String::new() };
    let forwarded = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok());
    match req.app_data::<web::Data<AppState>>() {
        Some(state) => state.trusted_proxies.client(peer, forwarded).to_string(),
        None => peer.to_string(),
    }
}

async fn authenticate(req: HttpRequest) -> Result<Option<Caller>, ApiError> {
    let Some(token) = bearer(&req)? else { return Ok(None) };
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal(anyhow::anyhow!("no state")))?;
    let claims = state.keys.verify(&token).ok_or(ApiError::Unauthorized(INVALID))?;
    let id = claims.user_id().ok_or(ApiError::Unauthorized(INVALID))?;
    let user = state.read(move |conn| users::find(conn, id)).await;
    match user {
        Ok(user) if !user.disabled => {
            let client = client_address(&req);
            Ok(Some(Caller { id: user.id, role: user.role, client }))
        }
        Ok(_) | Err(ApiError::NotFound) => Err(ApiError::Unauthorized(INVALID)),
        Err(other) => Err(other),
    }
}

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req.clone()).map_ok(MaybeCaller))
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(
            async move { authenticate(req).await?.ok_or(ApiError::Unauthorized("this needs a Bearer access token")) },
        )
    }
}
