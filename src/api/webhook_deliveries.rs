//! A webhook's delivery log, and sending one again on request (admin only).

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::caller::Caller;
use super::error::Reply;
use super::query::{PageParams, Query, QueryReader};
use super::respond::{self, PageMeta};
use super::state::AppState;
use crate::store::delivery_log::{self, Delivery, LoggedAttempt};
use crate::store::{now, PageRequest};

/// One event's delivery to one webhook: every attempt so far, summed up.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    #[schema(example = 7)]
    pub id: i64,
    /// The event's id: its `webhook-id` header and `sequence`.
    #[schema(example = 42)]
    pub event_id: i64,
    /// The event's type (an event type, or `ping`).
    #[serde(rename = "type")]
    #[schema(example = "article.published")]
    pub kind: String,
    /// Attempts made so far.
    #[schema(example = 1)]
    pub attempts: i32,
    /// The HTTP status of the last attempt; null when none was made or none answered.
    #[schema(required = true, example = 200)]
    pub last_status: Option<i32>,
    /// Why the last attempt failed; null when it succeeded or none was made.
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// When the next attempt is due; null once delivered or when retries ran out.
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When an attempt got a 2xx; null until then.
    #[schema(required = true)]
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            kind: d.kind,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at.map(|at| at.and_utc()),
            delivered_at: d.delivered_at.map(|at| at.and_utc()),
        }
    }
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResponse {
    /// When it started.
    pub at: DateTime<Utc>,
    /// The HTTP status the endpoint answered; null when no answer came (no address, no
    /// connection, no answer within 10 s, or not sent while the endpoint was backed off).
    #[schema(required = true, example = 500)]
    pub status: Option<i32>,
    /// Why it failed; null when it succeeded.
    #[schema(required = true, example = "the endpoint answered 500 Internal Server Error")]
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    #[schema(example = 42)]
    pub duration_ms: i32,
}

impl From<LoggedAttempt> for AttemptResponse {
    fn from(a: LoggedAttempt) -> Self {
        Self { at: a.at.and_utc(), status: a.status, error: a.error, duration_ms: a.duration_ms }
    }
}

/// A delivery and every attempt of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryWithAttempts {
    #[serde(flatten)]
    pub delivery: DeliveryResponse,
    /// Every attempt, oldest first (attempts made before folio kept this log are counted
    /// in `attempts` only).
    pub attempt_log: Vec<AttemptResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub data: Vec<DeliveryResponse>,
    pub meta: PageMeta,
}

/// List a webhook's deliveries, newest event first.
///
/// An event's delivery is listed from its first attempt on, moments after the change
/// (a ping's at once). A webhook never gets an event from before it was made, nor one
/// whose first attempt falls while it is inactive.
///
/// A receiver has 3 s to accept the connection and 10 s to answer. When 3 sends in a
/// row to an endpoint (a URL's scheme, host and port) got no answer, it is backed off
/// for 30 s, doubling each time up to 10 minutes: sends due meanwhile are not made but
/// counted as failed attempts, `last_error` saying "not sent: the endpoint is backed
/// off … next try at …", and their next attempt falls when the retry schedule says and
/// not before the back-off ends. Then one send probes the endpoint; any answer ends
/// the back-off.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    params(("id" = i64, Path, description = "The webhook's id", minimum = 1), PageParams),
    responses(
        (status = 200, description = "A page of deliveries, newest event first", body = DeliveryList, headers(
            ("X-Total-Count" = i64, description = "Deliveries in all"))),
        super::responses::ListRefused, super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn list(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    page: Query<PageParams>,
    req: HttpRequest,
) -> Reply {
    caller.require_webhook_manager()?;
    let id = id.into_inner();
    let page = PageRequest::from(page.0);
    let found = state.read(move |c| delivery_log::list(c, id, page)).await?;
    respond::page(&req, page, found, |data, meta| DeliveryList { data, meta })
}

/// Get a delivery with every attempt of it, oldest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}", tag = "webhooks",
    operation_id = "get_webhook_delivery",
    params(
        ("id" = i64, Path, description = "The webhook's id", minimum = 1),
        ("delivery_id" = i64, Path, description = "The delivery's id", minimum = 1),
    ),
    responses(
        (status = 200, description = "The delivery and its attempts", body = DeliveryWithAttempts,
            headers(("ETag" = String, description = "Strong validator of the representation"))),
        super::responses::ReadOne, super::responses::NotAllowed,
    ),
    security(("bearer" = [])))]
pub async fn get(state: Data<AppState>, caller: Caller, ids: Path<(i64, i64)>, req: HttpRequest) -> Reply {
    QueryReader::new(req.query_string()).finish()?;
    caller.require_webhook_manager()?;
    let (id, delivery_id) = ids.into_inner();
    let (delivery, attempts) = state.read(move |c| delivery_log::find(c, id, delivery_id)).await?;
    let body = DeliveryWithAttempts {
        delivery: delivery.into(),
        attempt_log: attempts.into_iter().map(AttemptResponse::from).collect(),
    };
    respond::ok_with_etag(&req, &body)
}

/// What a redelivery queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedeliveryQueued {
    #[schema(example = 7)]
    pub delivery_id: i64,
}

/// Send a delivery again now, delivered before or not (same event, same `webhook-id`).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", tag = "webhooks",
    operation_id = "redeliver_webhook_delivery",
    params(
        ("id" = i64, Path, description = "The webhook's id", minimum = 1),
        ("delivery_id" = i64, Path, description = "The delivery's id", minimum = 1),
    ),
    responses(
        (status = 202, description = "Due now; the log shows the attempt", body = RedeliveryQueued),
        super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn redeliver(state: Data<AppState>, caller: Caller, ids: Path<(i64, i64)>) -> Reply {
    caller.require_webhook_manager()?;
    let (id, delivery_id) = ids.into_inner();
    state.write(move |c| delivery_log::redeliver(c, id, delivery_id, now())).await?;
    Ok(respond::json(StatusCode::ACCEPTED, respond::tagged(&RedeliveryQueued { delivery_id })?))
}
