//! The audit trail (admin only): every write, who made it, from where. Read-only.

use actix_web::web::Data;
use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::caller::Caller;
use super::error::Reply;
use super::query::{FromQuery, Query, QueryReader};
use super::respond::{self, PageMeta};
use super::state::AppState;
use crate::store::audit::{self, Entry, Filter};
use crate::store::PageRequest;

const RESOURCES: [&str; 7] = ["article", "section", "tag", "user", "api_key", "webhook", "media"];

/// One write.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    #[schema(example = 1)]
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The writer; kept after the user is deleted.
    #[schema(required = true, example = 1)]
    pub user_id: Option<i64>,
    /// Their role at the time.
    #[schema(value_type = crate::auth::Role, example = "editor")]
    pub role: String,
    #[schema(value_type = AuditAction, example = "update")]
    pub action: String,
    #[schema(value_type = AuditResource, example = "article")]
    pub resource: String,
    #[schema(required = true, example = 1)]
    pub resource_id: Option<i64>,
    /// The article's version after the write (articles only).
    #[schema(required = true, example = 2)]
    pub version: Option<i32>,
    /// The client's IP address.
    #[schema(example = "127.0.0.1")]
    pub client: String,
    /// The API key the write was made with; null when made with a user's access token.
    #[schema(required = true, example = json!(null))]
    pub api_key_id: Option<i64>,
}

/// What a write did.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    Restore,
    /// A draft preview token made for the article (never the token itself).
    #[schema(rename = "preview_token")]
    PreviewToken,
    /// The article's preview tokens revoked.
    #[schema(rename = "revoke_preview_tokens")]
    RevokePreviewTokens,
}

/// The kind of resource written.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AuditResource {
    Article,
    Section,
    Tag,
    User,
    #[schema(rename = "api_key")]
    ApiKey,
    Webhook,
    Media,
}

impl From<Entry> for AuditEntry {
    fn from(e: Entry) -> Self {
        Self {
            id: e.id,
            at: e.at.and_utc(),
            user_id: e.user_id,
            role: e.role,
            action: e.action,
            resource: e.resource,
            resource_id: e.resource_id,
            version: e.version,
            client: e.client,
            api_key_id: e.api_key_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub data: Vec<AuditEntry>,
    pub meta: PageMeta,
}

/// Filters of the audit trail.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// 1-based page number.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 10_000_000, default = 1)]
    page: i64,
    /// Items per page, 1 to 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 20)]
    per_page: i64,
    /// Only this user's writes.
    #[param(minimum = 1)]
    user: Option<i64>,
    /// Only writes to this kind of resource.
    #[param(inline, value_type = Option<AuditResource>)]
    resource: Option<String>,
    /// Only writes to the resource with this id.
    #[param(minimum = 1)]
    resource_id: Option<i64>,
    /// Only writes at or after this moment.
    #[param(value_type = Option<DateTime<Utc>>)]
    since: Option<NaiveDateTime>,
    /// Only writes before this moment.
    #[param(value_type = Option<DateTime<Utc>>)]
    until: Option<NaiveDateTime>,
}

impl FromQuery for AuditParams {
    fn read(q: &mut QueryReader) -> Self {
        let PageRequest { page, per_page } = q.page();
        Self {
            page,
            per_page,
            user: q.int("user", 1, i64::MAX),
            resource: q.parsed("resource", |r| {
                RESOURCES
                    .contains(&r)
                    .then(|| r.to_owned())
                    .ok_or_else(|| "must be article, section, tag, user, api_key, webhook or media".to_owned())
            }),
            resource_id: q.int("resource_id", 1, i64::MAX),
            since: q.timestamp("since"),
            until: q.timestamp("until"),
        }
    }
}

/// List the audit trail.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", operation_id = "list_audit",
    params(AuditParams),
    responses(
        (status = 200, description = "Writes, newest first", body = AuditList, headers(
            ("X-Total-Count" = i64, description = "Entries matching"))),
        super::responses::ListRefused, super::responses::NotAllowed,
    ),
    security(("bearer" = [])))]
pub async fn list(state: Data<AppState>, caller: Caller, params: Query<AuditParams>, req: HttpRequest) -> Reply {
    caller.require_admin()?;
    let AuditParams { page, per_page, user, resource, resource_id, since, until } = params.0;
    let page = PageRequest { page, per_page };
    let filter = Filter { user_id: user, resource, resource_id, since, until };
    let found = state.read(move |c| audit::list(c, &filter, page)).await?;
    respond::page(&req, page, found, |data, meta| AuditList { data, meta })
}
