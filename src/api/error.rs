//! The one error type of the HTTP layer, always rendered as RFC 9457 problem+json.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::content::policy::Denied;
use crate::runner::RunError;
use crate::store::{Rejected, StoreError};
use crate::validation::FieldError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// What a handler answers: a response, or an error that renders as a problem.
pub type Reply = Result<HttpResponse, ApiError>;

/// An RFC 9457 problem detail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type; `about:blank` means the status says it all.
    #[schema(example = "about:blank")]
    pub r#type: &'static str,
    /// The status code's reason phrase.
    #[schema(example = "Unprocessable Entity")]
    pub title: &'static str,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong with this request, for a human.
    #[schema(example = "the request body has invalid fields")]
    pub detail: String,
    /// Every invalid field (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The article's current version (409 on a stale `version` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("no such resource")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("{0}")]
    Conflict(String),
    /// What the request names is no longer kept (a changes cursor older than the events).
    #[error("{0}")]
    Gone(String),
    #[error("version {given} is stale; the current version is {current}")]
    VersionConflict { given: i64, current: i64 },
    #[error("the resource has changed since the ETag given in If-Match")]
    PreconditionFailed,
    #[error("the request body did not arrive within {seconds} seconds")]
    RequestTimeout { seconds: u64 },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// An upload of a type folio does not take.
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Validation { detail: String, errors: Vec<FieldError> },
    #[error("this request must carry If-Match with the current ETag, or the body's version")]
    PreconditionRequired,
    #[error("too many failed attempts; retry in {retry_after} seconds")]
    TooManyRequests { retry_after: u64 },
    /// Too soon for this request (not a failed login): retry after `retry_after` seconds.
    #[error("{detail}")]
    Throttled { detail: String, retry_after: u64 },
    #[error("the database cannot take this request now; retry shortly")]
    Unavailable,
    /// Too many password checks are running or waiting (the hash lane is full).
    #[error("the server is checking too many passwords now; retry in a second")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 422 naming the fields.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        Self::Validation { detail, errors }
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict { message, .. } => Self::Conflict(message),
            StoreError::Rejected(rejected) => Self::from(rejected),
            StoreError::Denied(denied) => Self::from(denied),
            StoreError::PreconditionFailed => Self::PreconditionFailed,
            StoreError::Throttled { message, retry_after } => Self::Throttled { detail: message, retry_after },
            StoreError::Stale { given, current } => Self::VersionConflict { given, current },
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                Self::Unavailable
            }
            // Every connection stayed busy for the pool's whole timeout: overload, so
            // the client should retry, not report a bug.
            StoreError::Pool(cause) => {
                tracing::warn!(%cause, "no database connection free");
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}

impl From<RunError> for ApiError {
    fn from(err: RunError) -> Self {
        match err {
            RunError::Store(err) => Self::from(err),
            RunError::Unavailable => Self::Unavailable,
            RunError::Failed(err) => Self::Internal(err),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        match denied {
            // Not theirs to know about: as if it did not exist.
            Denied::Hidden => Self::NotFound,
            Denied::Forbidden(reason) => Self::Forbidden(reason.to_owned()),
            Denied::OwnAccount(reason) => Self::Conflict(reason.to_owned()),
        }
    }
}

/// The request field that held a value the store refused.
fn pointer(rejected: &Rejected) -> String {
    match rejected {
        Rejected::UnknownSection => "/section".to_owned(),
        Rejected::UnknownTag { index, .. } | Rejected::TagNameWithoutSlug { index, .. } => format!("/tags/{index}"),
        Rejected::SlugNotDerivable { .. } => "/slug".to_owned(),
        Rejected::UnknownParent | Rejected::ParentCycle | Rejected::TreeTooDeep => "/parent_id".to_owned(),
        Rejected::HeirIsTheUser | Rejected::UnknownHeir => "reassign_to".to_owned(),
        Rejected::ScheduledWithoutFutureDate => "/published_at".to_owned(),
        Rejected::UnknownMedia => "/cover_image/media_id".to_owned(),
        Rejected::BodyTooComplex(_) => "/body_markdown".to_owned(),
    }
}

impl From<Rejected> for ApiError {
    fn from(rejected: Rejected) -> Self {
        Self::invalid_field(pointer(&rejected), rejected.to_string())
    }
}

impl From<crate::auth::lane::LaneError> for ApiError {
    fn from(err: crate::auth::lane::LaneError) -> Self {
        match err {
            crate::auth::lane::LaneError::Busy => Self::Busy,
            stopped @ crate::auth::lane::LaneError::Stopped => Self::internal(stopped),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::VersionConflict { .. } => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::TooManyRequests { .. } | Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = match self {
            Self::Internal(err) => {
                tracing::error!(error = ?err, "request failed");
                "an unexpected error occurred".to_owned()
            }
            // The client's mistake, or load shed on purpose: worth a look when
            // debugging, not a warning to the operator.
            other => {
                tracing::debug!(status = status.as_u16(), error = %other, "request refused");
                other.to_string()
            }
        };
        let body = Problem {
            errors: match self {
                Self::Validation { errors, .. } => Some(errors.clone()),
                _ => None,
            },
            current_version: match self {
                Self::VersionConflict { current, .. } => Some(*current),
                _ => None,
            },
            ..problem_body(status, detail)
        };
        let mut response = render(status, &body);
        let headers = response.headers_mut();
        match self {
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"folio\""));
            }
            Self::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::try_from(allow.as_str()) {
                    headers.insert(header::ALLOW, value);
                }
            }
            Self::TooManyRequests { retry_after } | Self::Throttled { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            Self::Unavailable | Self::Busy => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        // The rest of a late or oversized body is still on its way: the connection
        // cannot be reused.
        if let Self::RequestTimeout { .. } | Self::PayloadTooLarge { .. } = self {
            response.head_mut().set_connection_type(ConnectionType::Close);
        }
        response
    }
}

fn problem_body(status: StatusCode, detail: String) -> Problem {
    Problem {
        r#type: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        errors: None,
        current_version: None,
    }
}

fn render(status: StatusCode, body: &Problem) -> HttpResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    HttpResponse::build(status).content_type(PROBLEM_JSON).body(bytes)
}

/// A bare problem response for `status`, for errors raised outside handlers.
pub fn problem(status: StatusCode, detail: String) -> HttpResponse {
    render(status, &problem_body(status, detail))
}
