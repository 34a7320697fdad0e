//! API keys for integrators (admin only, and never with a key): create, list, read, revoke.

use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::admin;
use super::caller::Caller;
use super::error::{ApiError, Reply};
use super::json::{Patch, Validating};
use super::respond;
use super::state::AppState;
use crate::auth::api_key::Scope;
use crate::domain::Name;
use crate::store::api_keys::{self, ApiKey, NewKey};
use crate::store::audit::Change;

/// Days a key lives when `expires_in_days` is left out.
const DEFAULT_DAYS: i64 = 90;
const MAX_DAYS: i64 = 3650;

/// An API key as listed: the key itself is shown once, when it is created.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyResponse {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "Static site build")]
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The key's first 12 characters, to tell keys apart.
    #[schema(example = "folio_3kTq9Z")]
    pub prefix: String,
    /// The admin who created it; the key acts for them.
    #[schema(example = 1)]
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    /// Null: never expires.
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Written at most once a minute; null until first used.
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiKey> for ApiKeyResponse {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id,
            name: key.name,
            scopes: key.scopes,
            prefix: key.prefix,
            created_by: key.created_by,
            created_at: key.created_at.and_utc(),
            expires_at: key.expires_at.map(|at| at.and_utc()),
            last_used_at: key.last_used_at.map(|at| at.and_utc()),
        }
    }
}

/// A new key: the one time the key itself is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub api_key: ApiKeyResponse,
    /// `folio_` + 32 random characters + a 6-character checksum. Shown only now: keep it.
    #[schema(example = "folio_3kTq9Zb1cD2eF3gH4iJ5kL6mN7oP8qR92pu82R")]
    pub key: String,
}

/// A new API key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    pub name: Name,
    /// At least one.
    #[schema(min_items = 1)]
    pub scopes: Vec<Scope>,
    /// 1 to 3650; left out, 90; `null`, the key never expires.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650, default = 90)]
    pub expires_in_days: Patch<i64>,
}

admin::reads! {
    ApiKeyList of ApiKeyResponse from api_keys,
        last_modified |key: &ApiKeyResponse| key.last_used_at.unwrap_or(key.created_at), allowed require_admin;
    tag "api-keys", path "/api/v1/api-keys";
    /// List API keys.
    list "list_api_keys", page "A page of keys, without the keys themselves", all "Keys in all";
    /// Get an API key (never the key itself).
    get "get_api_key", id "The key's id", one "The key, without the key itself"
}

/// Create an API key; the key is in this answer only.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", operation_id = "create_api_key",
    request_body = CreateApiKey,
    responses(
        (status = 201, description = "The new key, shown this once", body = CreatedApiKey,
            headers(("Location" = String, description = "The key's URL"))),
        super::responses::BodyRefused, super::responses::NotAllowed,
    ),
    security(("bearer" = [])))]
pub async fn create(state: Data<AppState>, caller: Caller, body: Validating<CreateApiKey>) -> Reply {
    caller.require_admin()?;
    let Validating { body: input, mut errors } = body;
    if input.scopes.is_empty() {
        errors.add("/scopes", "must name at least one scope");
    }
    let expires_in_days = match input.expires_in_days {
        Patch::Absent => Some(DEFAULT_DAYS),
        Patch::Null => None,
        Patch::Value(days) if (1..=MAX_DAYS).contains(&days) => Some(days),
        Patch::Value(_) => {
            errors.add("/expires_in_days", format!("must be from 1 to {MAX_DAYS}, or null for never"));
            None
        }
    };
    errors.finish(()).map_err(ApiError::invalid)?;
    let created_by = caller.id;
    let (stored, key) = state
        .write_audited(
            caller.actor(),
            |(k, _): &(ApiKey, String)| Change::new("create", "api_key", k.id),
            move |c| {
                let new = NewKey { name: input.name.as_str(), scopes: &input.scopes, created_by, expires_in_days };
                api_keys::create(c, new)
            },
        )
        .await?;
    let location = format!("/api/v1/api-keys/{}", stored.id);
    respond::created(location, &CreatedApiKey { api_key: stored.into(), key })
}

/// Revoke an API key: refused from the next request on, on every instance.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api-keys", operation_id = "delete_api_key",
    params(("id" = i64, Path, description = "The key's id", minimum = 1)),
    responses(
        (status = 204, description = "Revoked"),
        super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn delete(state: Data<AppState>, caller: Caller, id: Path<i64>) -> Reply {
    caller.require_admin()?;
    let id = id.into_inner();
    state
        .write_audited(caller.actor(), move |_| Change::new("delete", "api_key", id), move |c| api_keys::delete(c, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
