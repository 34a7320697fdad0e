//! Micropub's errors: `{"error", "error_description"}` with the codes its clients
//! read. What Micropub has no code for (a body too large, a file of a type folio does
//! not take, the database busy, a bug) stays the API's problem+json.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::error::ApiError;
use crate::runner::RunError;
use crate::store::StoreError;

/// What a Micropub handler answers.
pub type MicropubReply = Result<HttpResponse, MicropubError>;

/// A Micropub error.
#[derive(Debug, Serialize, ToSchema)]
pub struct MicropubErrorBody {
    /// `invalid_request`, `unauthorized`, `insufficient_scope` or `forbidden`.
    #[schema(example = "invalid_request")]
    pub error: &'static str,
    /// What went wrong, for a human.
    #[schema(example = "no post has this URL")]
    pub error_description: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MicropubError {
    /// 400 `invalid_request`: the request is malformed, or names no post the caller may see.
    #[error("{0}")]
    InvalidRequest(String),
    /// 401 `unauthorized`: no token, or one that is unknown, revoked or expired.
    #[error("{0}")]
    Unauthorized(String),
    /// 401 `insufficient_scope`: an API key without the scope this needs.
    #[error("{0}")]
    InsufficientScope(String),
    /// 403 `forbidden`: the user's role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// Anything else, answered as the API answers it.
    #[error(transparent)]
    Api(ApiError),
}

impl MicropubError {
    pub fn invalid(description: impl Into<String>) -> Self {
        Self::InvalidRequest(description.into())
    }

    fn code(&self) -> Option<&'static str> {
        match self {
            Self::InvalidRequest(_) => Some("invalid_request"),
            Self::Unauthorized(_) => Some("unauthorized"),
            Self::InsufficientScope(_) => Some("insufficient_scope"),
            Self::Forbidden(_) => Some("forbidden"),
            Self::Api(_) => None,
        }
    }
}

impl From<ApiError> for MicropubError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::BadRequest(why) | ApiError::Conflict(why) => Self::InvalidRequest(why),
            ApiError::Validation { detail, .. } => Self::InvalidRequest(detail),
            ApiError::VersionConflict { .. } | ApiError::PreconditionFailed => {
                Self::invalid("the post changed while this request was made; send it again")
            }
            // A post the caller may not see is, to them, no post at all.
            ApiError::NotFound => Self::invalid("no post the caller may see has this URL"),
            ApiError::Unauthorized(why) => Self::Unauthorized(why.to_owned()),
            ApiError::Forbidden(why) => Self::Forbidden(why),
            other => Self::Api(other),
        }
    }
}

impl From<RunError> for MicropubError {
    fn from(err: RunError) -> Self {
        Self::from(ApiError::from(err))
    }
}

impl From<StoreError> for MicropubError {
    fn from(err: StoreError) -> Self {
        Self::from(ApiError::from(err))
    }
}

impl ResponseError for MicropubError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::InsufficientScope(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Api(err) => err.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let Some(error) = self.code() else {
            return match self {
                Self::Api(err) => err.error_response(),
                _ => HttpResponse::InternalServerError().finish(),
            };
        };
        tracing::debug!(error, description = %self, "micropub request refused");
        let body = MicropubErrorBody { error, error_description: self.to_string() };
        let mut response = HttpResponse::build(self.status_code()).json(body);
        let challenge = match self {
            Self::Unauthorized(_) => Some("Bearer realm=\"folio\""),
            Self::InsufficientScope(_) => Some("Bearer realm=\"folio\", error=\"insufficient_scope\""),
            _ => None,
        };
        if let Some(challenge) = challenge {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        response
    }
}
