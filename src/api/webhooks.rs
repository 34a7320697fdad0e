//! Webhooks (admin only): endpoints that receive signed events, their secrets, and a
//! test ping. Deliveries and their log are in [`super::webhook_deliveries`].

use actix_web::http::StatusCode;
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
use crate::content::events::EventType;
use crate::domain::{Description, HttpUrl};
use crate::store::audit::Change;
use crate::store::webhooks::{self, WebhookInput, WebhookPatch, WebhookRow};
use crate::store::{Conn, StoreResult};
use crate::validation::Errors;
use crate::webhooks::{guard, sign};

/// The most event types one webhook lists.
const MAX_EVENTS: usize = 20;

/// An endpoint that receives events. Its secret is shown only when made.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "https://hooks.example.com/folio")]
    pub url: String,
    /// The event types sent to it; `*` for all.
    pub events: Vec<EventType>,
    #[schema(required = true, example = "Rebuild the static site")]
    pub description: Option<String>,
    /// An inactive webhook is sent nothing but a test ping: not the events of that time,
    /// ever, and its retries only once it is active again.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookRow> for WebhookResponse {
    fn from(row: WebhookRow) -> Self {
        Self {
            id: row.id,
            events: row.event_names().iter().filter_map(|name| EventType::parse(name)).collect(),
            url: row.url,
            description: row.description,
            active: row.active,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A webhook with its signing secret: answered once, when made or rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// `whsec_` + base64 of 32 random bytes; the key is the base64-decoded part after
    /// `whsec_`. Shown only now: store it.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwc2VjcmV0Zm9sZW8=")]
    pub secret: String,
}

impl From<WebhookRow> for WebhookWithSecret {
    fn from(row: WebhookRow) -> Self {
        let secret = row.secret.clone();
        Self { webhook: row.into(), secret }
    }
}

/// A new webhook.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where events are POSTed. In production, a URL whose host is or resolves to an
    /// internal address (loopback, private, link-local, shared, reserved, documentation,
    /// or an IPv6 form embedding one), or does not resolve within 5 s, is refused unless
    /// `FOLIO_WEBHOOK_ALLOW_PRIVATE=true`.
    pub url: HttpUrl,
    /// At least one event type, or `["*"]`.
    #[schema(value_type = Vec<EventType>, min_items = 1, max_items = 20)]
    pub events: Vec<String>,
    pub description: Option<Description>,
    /// Defaults to true.
    pub active: Option<bool>,
}

/// Changes to a webhook; absent fields stay, `null` clears the description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    #[serde(default)]
    #[schema(value_type = HttpUrl)]
    pub url: Patch<HttpUrl>,
    #[serde(default)]
    #[schema(value_type = Vec<EventType>, min_items = 1, max_items = 20)]
    pub events: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Description>)]
    pub description: Patch<Description>,
    #[serde(default)]
    #[schema(value_type = bool)]
    pub active: Patch<bool>,
}

/// The event names, known and de-duplicated, or errors at `/events/…`.
fn event_names(names: Vec<String>, errors: &mut Errors) -> Vec<String> {
    if names.is_empty() {
        errors.add("/events", "must name at least one event type, or \"*\"");
    }
    if names.len() > MAX_EVENTS {
        errors.add("/events", format!("must name at most {MAX_EVENTS} event types"));
    }
    let mut known = Vec::new();
    for (index, name) in names.into_iter().enumerate() {
        match EventType::parse(&name) {
            Some(_) if known.contains(&name) => {}
            Some(_) => known.push(name),
            None => errors.add(format!("/events/{index}"), format!("{name:?} is not an event type")),
        }
    }
    known
}

/// The URL checked beyond its form: http(s) with a host and, in production, public
/// (resolved within the resolver's deadline).
async fn checked_url(state: &AppState, url: &str, errors: &mut Errors) -> String {
    match guard::parse(url) {
        Err(why) => errors.add("/url", why),
        Ok(parsed) => {
            if let Err(why) = guard::check(&state.webhook_hosts, &parsed).await {
                errors.add("/url", why);
            }
        }
    }
    url.to_owned()
}

admin::reads! {
    WebhookList of WebhookResponse from webhooks,
        last_modified |hook: &WebhookResponse| hook.updated_at, allowed require_webhook_manager;
    tag "webhooks", path "/api/v1/webhooks";
    /// List webhooks.
    list "list_webhooks", page "A page of webhooks", all "Webhooks in all";
    /// Get a webhook (without its secret).
    get "get_webhook", id "The webhook's id", one "The webhook"
}

/// Create a webhook; the answer carries its secret, shown this once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "create_webhook",
    request_body = CreateWebhook,
    responses(
        (status = 201, description = "The new webhook, with its secret", body = WebhookWithSecret,
            headers(("Location" = String, description = "The webhook's URL"))),
        super::responses::BodyRefused, super::responses::NotAllowed,
    ),
    security(("bearer" = [])))]
pub async fn create(state: Data<AppState>, caller: Caller, body: Validating<CreateWebhook>) -> Reply {
    caller.require_webhook_manager()?;
    let Validating { body: input, mut errors } = body;
    let events = event_names(input.events, &mut errors);
    let url = checked_url(&state, input.url.as_str(), &mut errors).await;
    errors.finish(()).map_err(ApiError::invalid)?;
    let new = WebhookInput {
        url,
        events,
        description: input.description.map(String::from),
        active: input.active.unwrap_or(true),
        secret: sign::new_secret(),
    };
    let hook = state
        .write_audited(
            caller.actor(),
            |h: &WebhookRow| Change::new("create", "webhook", h.id),
            move |c| webhooks::create(c, new),
        )
        .await?;
    respond::created(format!("/api/v1/webhooks/{}", hook.id), &WebhookWithSecret::from(hook))
}

/// Change a webhook.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "update_webhook",
    params(("id" = i64, Path, description = "The webhook's id", minimum = 1)),
    request_body = UpdateWebhook,
    responses(
        (status = 200, description = "The changed webhook", body = WebhookResponse),
        super::responses::BodyRefused, super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn update(state: Data<AppState>, caller: Caller, id: Path<i64>, body: Validating<UpdateWebhook>) -> Reply {
    caller.require_webhook_manager()?;
    let id = id.into_inner();
    let Validating { body: input, mut errors } = body;
    let events = input.events.required(&mut errors, "/events").map(|names| event_names(names, &mut errors));
    let url = match input.url.required(&mut errors, "/url") {
        Some(url) => Some(checked_url(&state, url.as_str(), &mut errors).await),
        None => None,
    };
    let patch = WebhookPatch {
        url,
        events,
        description: input.description.nullable().map(|d| d.map(String::from)),
        active: input.active.required(&mut errors, "/active"),
    };
    errors.finish(()).map_err(ApiError::invalid)?;
    updated::<WebhookResponse>(&state, &caller, id, move |c| webhooks::update(c, id, patch)).await
}

/// Delete a webhook and its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "delete_webhook",
    params(("id" = i64, Path, description = "The webhook's id", minimum = 1)),
    responses((status = 204, description = "Deleted"), super::responses::GuardedOne),
    security(("bearer" = [])))]
pub async fn delete(state: Data<AppState>, caller: Caller, id: Path<i64>) -> Reply {
    caller.require_webhook_manager()?;
    let id = id.into_inner();
    state
        .write_audited(caller.actor(), move |_| Change::new("delete", "webhook", id), move |c| webhooks::delete(c, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace a webhook's secret; the answer carries the new one, shown this once.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks",
    operation_id = "rotate_webhook_secret",
    params(("id" = i64, Path, description = "The webhook's id", minimum = 1)),
    responses(
        (status = 200, description = "The webhook with its new secret; attempts from now on are signed with it",
            body = WebhookWithSecret),
        super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn rotate_secret(state: Data<AppState>, caller: Caller, id: Path<i64>) -> Reply {
    caller.require_webhook_manager()?;
    let id = id.into_inner();
    let secret = sign::new_secret();
    updated::<WebhookWithSecret>(&state, &caller, id, move |c| webhooks::rotate_secret(c, id, secret)).await
}

/// Changes webhook `id` by `change`, audited as its update, and answers it as a `Body`.
async fn updated<Body: Serialize + From<WebhookRow>>(
    state: &AppState,
    caller: &Caller,
    id: i64,
    change: impl FnOnce(&mut Conn) -> StoreResult<WebhookRow> + Send + 'static,
) -> Reply {
    let hook = state.write_audited(caller.actor(), move |_| Change::new("update", "webhook", id), change).await?;
    Ok(respond::json(StatusCode::OK, respond::tagged(&Body::from(hook))?))
}

/// What a test ping queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct PingQueued {
    /// The ping's event id: its `webhook-id` and `sequence`.
    #[schema(example = 42)]
    pub event_id: i64,
}

/// Send a signed `ping` event to a webhook (active or not).
///
/// One ping per webhook may wait or be in flight at a time: another is refused with 429
/// until the first has been tried (answered, or no answer within 10 s).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks", operation_id = "test_webhook",
    params(("id" = i64, Path, description = "The webhook's id", minimum = 1)),
    responses(
        (status = 202, description = "Queued; its delivery shows in the log", body = PingQueued),
        (status = 429, description = "A ping to this webhook is still waiting or in flight; nothing was queued, retry after `Retry-After` seconds", body = super::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait before pinging again"))),
        super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn test(state: Data<AppState>, caller: Caller, id: Path<i64>) -> Reply {
    caller.require_webhook_manager()?;
    let id = id.into_inner();
    let event_id = state.write(move |c| webhooks::ping(c, id)).await?;
    Ok(respond::json(StatusCode::ACCEPTED, respond::tagged(&PingQueued { event_id })?))
}
