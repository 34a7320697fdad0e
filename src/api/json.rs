//! A JSON body extractor that answers like the contract says: 400 for a wrong content
//! type or JSON that does not parse, 413 over the size limit, 422 naming the field
//! for wrong types, unknown fields and bad values.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_path_to_error::Segment;

use super::deadline;
use super::error::ApiError;
use super::state::AppState;
use crate::validation::{Errors, FieldError};

/// A request body parsed as `T`.
pub struct Json<T>(pub T);

/// A field of a PATCH body: absent (leave alone), `null` (clear) or a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Self::Value(value),
            None => Self::Null,
        })
    }
}

impl<T> Patch<T> {
    /// For a field that cannot be cleared: the value if given; null is an error.
    pub fn required(self, errors: &mut Errors, field: &str) -> Option<T> {
        match self {
            Self::Absent => None,
            Self::Null => {
                errors.add(field, "must not be null");
                None
            }
            Self::Value(value) => Some(value),
        }
    }

    /// For a field that may be cleared: `Some(None)` on null.
    pub fn nullable(self) -> Option<Option<T>> {
        match self {
            Self::Absent => None,
            Self::Null => Some(None),
            Self::Value(v) => Some(Some(v)),
        }
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn pointer(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => out.push('?'),
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// serde's message without its " at line 1 column 9" suffix.
fn message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Parses `bytes` as `T`, classifying failures as the contract wants.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first: a body that is not JSON at all is a 400 whatever else is wrong.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|err| classify("/".into(), err))?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // serde reads a struct from an array too, field by field in order; a body is an object.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'[') {
        return Err(ApiError::invalid(vec![FieldError::new("/", "the body must be a JSON object")]));
    }
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let mut field = pointer(err.path());
        let err = err.into_inner();
        // A missing field is reported at its parent: name the field itself.
        if let Some(name) = message(&err).strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
            field = format!("{}/{name}", field.trim_end_matches('/'));
        }
        classify(field, err)
    })?;
    de.end().map_err(|err| classify("/".into(), err))?;
    Ok(value)
}

fn classify(field: String, err: serde_json::Error) -> ApiError {
    match err.classify() {
        serde_json::error::Category::Data => ApiError::invalid(vec![FieldError::new(field, message(&err))]),
        _ => ApiError::BadRequest(format!("the body is not valid JSON: {err}")),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>();
        let limit = state.map_or(1024 * 1024, |s| s.max_body_bytes);
        let seconds = state.map_or(0, |s| s.body_timeout.as_secs());
        let json = is_json(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            if !json {
                return Err(ApiError::BadRequest(
                    "the body must be JSON, sent with Content-Type: application/json".into(),
                ));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|err| match deadline::is_timeout(&err) {
                    true => ApiError::RequestTimeout { seconds },
                    false => ApiError::BadRequest(format!("the body could not be read: {err}")),
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(Json)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be parsed")]
    struct Body {
        title: String,
        tags: Vec<String>,
        #[serde(default)]
        excerpt: Patch<String>,
    }

    #[test]
    fn syntax_errors_are_400_and_data_errors_name_the_field() {
        assert!(matches!(parse::<Body>(b"{\"title\": "), Err(ApiError::BadRequest(_))));
        assert!(matches!(parse::<Body>(b"{} trailing"), Err(ApiError::BadRequest(_))));
        let Err(ApiError::Validation { errors, .. }) = parse::<Body>(br#"{"title": "t", "tags": ["a", 5]}"#) else {
            panic!("wrong type must be 422")
        };
        assert_eq!(errors[0].field, "/tags/1");
        let Err(ApiError::Validation { errors, .. }) = parse::<Body>(br#"{"title": "t", "tags": [], "x": 1}"#) else {
            panic!("unknown field must be 422")
        };
        assert!(errors[0].message.contains("unknown field `x`"), "{errors:?}");
    }

    #[test]
    fn patch_fields_tell_absent_from_null() {
        let body: Body = parse(br#"{"title": "t", "tags": []}"#).expect("valid");
        assert_eq!(body.excerpt, Patch::Absent);
        let body: Body = parse(br#"{"title": "t", "tags": [], "excerpt": null}"#).expect("valid");
        assert_eq!(body.excerpt, Patch::Null);
    }
}
