//! Who is calling: the `Caller` extractor needs a valid token, `MaybeCaller` takes one
//! when given. The user is re-read on every request, so a role change or a lock
//! takes effect at once, not when the access token expires.
//!
//! A token may also be an API key (`folio_…`), read from the database on every request
//! so a revocation holds at once on every instance. A key acts for its creator, never
//! above an editor, and only within its scopes: [`key_needs`] is the one rule of which
//! scope each route needs, applied here and nowhere else.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::TryFutureExt;

use super::error::ApiError;
use super::state::AppState;
use crate::auth::api_key::{self, Scope};
use crate::auth::Role;
use crate::content::policy::{self, Visibility};
use crate::store::audit::Actor;
use crate::store::{api_keys, users};

/// An authenticated, enabled user.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: i64,
    pub role: Role,
    /// The client's address, for the audit trail.
    pub client: String,
    /// The API key the caller came with, if any.
    pub key: Option<KeyGrant>,
}

/// An API key's id and scopes, and its creator's role, as read on this request.
#[derive(Debug, Clone)]
pub struct KeyGrant {
    pub id: i64,
    pub scopes: Vec<Scope>,
    /// The creator's role now, above editor included: the key acts within it.
    pub creator: Role,
}

/// The caller when a token was sent; a bad token is still a 401, never silently public.
/// A key outside its scopes reads as the public; the refusal it would get is kept, for
/// what the public may not ask at all.
pub struct MaybeCaller(pub Option<Caller>, Option<ApiError>);

impl Caller {
    /// The caller as the audit trail records them.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            role: self.role.as_str(),
            client: self.client.clone(),
            api_key_id: self.key.as_ref().map(|key| key.id),
        }
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

    /// Admins, and API keys with the `webhooks` scope whose creator is an admin now
    /// (the scope is checked as the caller is extracted, [`key_needs`]): a key acts for
    /// its creator as the creator is now, so a demoted admin's key loses webhooks too.
    pub fn require_webhook_manager(&self) -> Result<(), ApiError> {
        match &self.key {
            Some(key) if key.scopes.contains(&Scope::Webhooks) => match key.creator.is_admin() {
                true => Ok(()),
                false => Err(ApiError::Forbidden(KEY_CREATOR_NOT_ADMIN.to_owned())),
            },
            _ => self.require_admin(),
        }
    }
}

impl MaybeCaller {
    /// A signed-in caller, for what the public may not ask: 401 without a token, the
    /// key's 403 when it was sent without the scope.
    pub fn signed_in(&self, why: &'static str) -> Result<&Caller, ApiError> {
        match (&self.0, &self.1) {
            (Some(caller), _) => Ok(caller),
            (None, Some(ApiError::Forbidden(reason))) => Err(ApiError::Forbidden(reason.clone())),
            (None, _) => Err(ApiError::Unauthorized(why)),
        }
    }

    pub fn visibility(&self) -> Visibility {
        Visibility::of(self.0.as_ref().map(Caller::who).as_ref())
    }
}

const INVALID: &str = "the access token is missing, invalid or expired";
const INVALID_KEY: &str = "the API key is unknown, revoked or expired";
const KEY_CREATOR_NOT_ADMIN: &str =
    "this API key acts for its creator, who is no longer an admin: webhooks need the admin role";
const NEVER_WITH_A_KEY: &str =
    "API keys cannot reach this: users, API keys, the audit trail and sessions need a user's access token";

/// The scope a key needs to reach the route `req` matched; `Err` when no key may reach
/// it at all, which is every route not named here (a new route is closed to keys until
/// it is given its scope here).
fn key_needs(req: &HttpRequest) -> Result<Scope, ()> {
    let pattern = req.match_pattern().unwrap_or_default();
    let resource = pattern.strip_prefix("/api/v1/").and_then(|rest| rest.split('/').next());
    let read = matches!(*req.method(), actix_web::http::Method::GET | actix_web::http::Method::HEAD);
    // Sharing a preview (or ending the sharing) of what a key may read changes no content.
    let preview = pattern.ends_with("/preview-token") || pattern.ends_with("/preview-tokens");
    match resource {
        Some("articles") if preview => Ok(Scope::ContentRead),
        Some("articles" | "sections" | "tags") if read => Ok(Scope::ContentRead),
        Some("articles" | "sections" | "tags") => Ok(Scope::ContentWrite),
        Some("webhooks") => Ok(Scope::Webhooks),
        Some("media") => Ok(Scope::Media),
        _ => Err(()),
    }
}

/// Whether a key with `scopes` may reach the route `req` matched: a 403 naming the
/// missing scope, or saying no key may.
fn key_reaches(req: &HttpRequest, scopes: &[Scope]) -> Result<(), ApiError> {
    match key_needs(req) {
        Err(()) => Err(ApiError::Forbidden(NEVER_WITH_A_KEY.to_owned())),
        Ok(needed) if !scopes.iter().any(|held| held.grants(needed)) => {
            Err(ApiError::Forbidden(format!("this API key lacks the {} scope", needed.as_str())))
        }
        Ok(_) => Ok(()),
    }
}

/// The token of an `Authorization: Bearer` header, if one was sent; a malformed header is a 401.
pub fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
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

/// The caller an API key stands for: its creator, never above an editor.
async fn authenticate_key(req: &HttpRequest, state: &AppState, key: String) -> Result<Caller, ApiError> {
    if !api_key::well_formed(&key) {
        return Err(ApiError::Unauthorized(INVALID_KEY));
    }
    let holder =
        state.read(move |conn| api_keys::holder(conn, &key)).await?.ok_or(ApiError::Unauthorized(INVALID_KEY))?;
    if state.key_uses.due(holder.key_id) {
        let id = holder.key_id;
        // Bookkeeping: a request is never refused because its use could not be written.
        if let Err(error) = state.write(move |conn| api_keys::touch(conn, id)).await {
            tracing::warn!(%error, key_id = id, "could not record an API key's use");
        }
    }
    let role = if holder.role.is_admin() { Role::Editor } else { holder.role };
    Ok(Caller {
        id: holder.user_id,
        role,
        client: client_address(req),
        key: Some(KeyGrant { id: holder.key_id, scopes: holder.scopes, creator: holder.role }),
    })
}

async fn authenticate(req: HttpRequest) -> Result<Option<Caller>, ApiError> {
    let Some(token) = bearer(&req)? else { return Ok(None) };
    with_token(&req, token).await.map(Some)
}

/// The caller `token` (an access token or an API key) stands for, however it came:
/// Micropub also takes it from a form field. The key's scopes are not checked here.
pub async fn with_token(req: &HttpRequest, token: String) -> Result<Caller, ApiError> {
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal(anyhow::anyhow!("no state")))?;
    if api_key::looks_like_key(&token) {
        return authenticate_key(req, state, token).await;
    }
    let claims = state.keys.verify(&token).ok_or(ApiError::Unauthorized(INVALID))?;
    let id = claims.user_id().ok_or(ApiError::Unauthorized(INVALID))?;
    let user = state.read(move |conn| users::find(conn, id)).await.map_err(ApiError::from);
    match user {
        Ok(user) if !user.disabled => {
            let client = client_address(req);
            Ok(Caller { id: user.id, role: user.role, client, key: None })
        }
        Ok(_) | Err(ApiError::NotFound) => Err(ApiError::Unauthorized(INVALID)),
        Err(other) => Err(other),
    }
}

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        // A key outside its scopes reads as the public does: public reads stay public.
        Box::pin(authenticate(req.clone()).map_ok(move |caller| {
            let refused =
                caller.as_ref().and_then(|c| c.key.as_ref()).and_then(|key| key_reaches(&req, &key.scopes).err());
            match refused {
                Some(refused) => MaybeCaller(None, Some(refused)),
                None => MaybeCaller(caller, None),
            }
        }))
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let caller =
                authenticate(req.clone()).await?.ok_or(ApiError::Unauthorized("this needs a Bearer access token"))?;
            if let Some(key) = &caller.key {
                key_reaches(&req, &key.scopes)?;
            }
            Ok(caller)
        })
    }
}

/// For the operations that take no bearer token but must never be reached with an API
/// key (refreshing and ending a session): 403 when one is sent.
pub struct NoApiKey;

impl FromRequest for NoApiKey {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = matches!(bearer(req), Ok(Some(token)) if api_key::looks_like_key(&token));
        std::future::ready(if key { Err(ApiError::Forbidden(NEVER_WITH_A_KEY.to_owned())) } else { Ok(Self) })
    }
}
