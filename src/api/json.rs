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
use serde_json::{Map, Value};
use serde_path_to_error::Segment;

use super::deadline;
use super::error::ApiError;
use super::nul;
use super::state::AppState;
use crate::domain;
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

/// A PATCH body: each field `name: T as S` is a `pub name: Patch<T>`, absent unless sent
/// (`#[serde(default)]`) and documented as `S` (`Option<T>` where `null` clears it). A field's
/// own attributes (its doc, further `#[schema(..)]` facts) go before it. Unknown fields are refused.
macro_rules! patch_body {
    ($(#[$meta:meta])* pub struct $Name:ident {
        $($(#[$field_meta:meta])* $field:ident: $T:ty as $S:ty,)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, ::serde::Deserialize, ::utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $Name {
            $(
                $(#[$field_meta])*
                #[serde(default)]
                #[schema(value_type = $S)]
                pub $field: $crate::api::json::Patch<$T>,
            )*
        }
    };
}
pub(crate) use patch_body;

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

/// A key as a JSON pointer segment (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn pointer(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => out.push_str(&escape(key)),
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

/// Fields reported at most, so that a body of a million bad fields costs little.
const MAX_REPORTED: usize = 20;

/// What stands in for a top-level field with the wrong type or a refused value while the
/// rest of the body is checked: first nothing, then a value of each JSON type, with a
/// string each domain type accepts, until one fits. `None` when there is nothing left to try.
fn stand_in(tried: usize) -> Option<Option<Value>> {
    let examples = domain::EXAMPLES.len();
    Some(match tried {
        0 => None,
        1 => Some(Value::Null),
        2 => Some(Value::String(String::new())),
        n if n < 3 + examples => Some(Value::String(domain::EXAMPLES[n - 3].to_owned())),
        n => Some(match n - 3 - examples {
            0 => Value::from(0),
            1 => Value::Bool(false),
            2 => Value::Array(Vec::new()),
            3 => Value::Object(Map::new()),
            _ => return None,
        }),
    })
}

/// The field a type error names, as a JSON pointer, and the top-level key it lies under.
fn located(err: &serde_path_to_error::Error<serde_json::Error>) -> (String, Option<String>) {
    let mut field = pointer(err.path());
    let text = message(err.inner());
    // A missing field is reported at its parent: name the field itself.
    let missing = text.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
    if let Some(name) = missing {
        field = format!("{}/{}", field.trim_end_matches('/'), escape(name));
    }
    // An unknown field may be reported at its parent too, depending on the deserializer.
    let unknown = text.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next());
    if let Some(name) = unknown.filter(|_| err.path().iter().next().is_none()) {
        field = format!("/{}", escape(name));
    }
    let top = err.path().iter().next().and_then(|segment| match segment {
        Segment::Map { key } => Some(key.clone()),
        _ => None,
    });
    (field, top.or(missing.or(unknown).map(str::to_owned)))
}

/// Parses `bytes` as `T`, finding every top-level field whose type is wrong, not just
/// the first: each is reported, and stood in for while the rest is read. When stand-ins
/// make a whole `T`, it comes back with the errors so far, for the caller's own checks
/// to add to; when none fits a required field, the errors alone.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, Errors), ApiError> {
    // Syntax first: a body that is not JSON at all is a 400 whatever else is wrong.
    let mut body: Value = serde_json::from_slice(bytes)
        .map_err(|err| ApiError::BadRequest(format!("the body is not valid JSON: {err}")))?;
    // serde reads a struct from an array too, field by field in order; a body is an object.
    if !body.is_object() {
        return Err(ApiError::invalid(vec![FieldError::new("/", "the body must be a JSON object")]));
    }
    let nuls = nul::in_json(&body);
    if !nuls.is_empty() {
        return Err(ApiError::invalid(nuls));
    }
    let mut errors = Errors::default();
    let mut standing_in: Vec<(String, usize)> = Vec::new();
    loop {
        let err = match serde_path_to_error::deserialize::<_, T>(&body) {
            Ok(value) => return Ok((value, errors)),
            Err(err) => err,
        };
        let (field, top) = located(&err);
        let Some(top) = top.filter(|_| errors.len() < MAX_REPORTED) else {
            errors.add(field, message(err.inner()));
            return Err(ApiError::invalid(errors.finish(()).err().unwrap_or_default()));
        };
        let next = match standing_in.iter_mut().find(|(key, _)| *key == top) {
            Some((_, tried)) => {
                *tried += 1;
                *tried
            }
            None => {
                errors.settle(format!("/{}", escape(&top)), FieldError::new(field, message(err.inner())));
                standing_in.push((top.clone(), 0));
                0
            }
        };
        // An enum says which values it takes: the first of them stands in best.
        let variant = message(err.inner())
            .strip_prefix("unknown variant `")
            .and_then(|rest| rest.split_once("expected one of `"))
            .and_then(|(_, rest)| rest.split('`').next().map(|v| Value::String(v.to_owned())));
        let stand_in = match (variant, stand_in(next)) {
            (Some(variant), _) if body.get(top.as_str()) != Some(&variant) => Some(variant),
            (_, Some(stand_in)) => stand_in,
            (_, None) => return Err(ApiError::invalid(errors.finish(()).err().unwrap_or_default())),
        };
        if let Value::Object(map) = &mut body {
            match stand_in {
                Some(value) => map.insert(top, value),
                None => map.remove(&top),
            };
        }
    }
}

/// A request body whose JSON types are read, and the errors found doing so, for the
/// handler's own checks to add to: one 422 then names every bad field.
pub struct Validating<T> {
    pub body: T,
    pub errors: Errors,
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The body's bytes, once the content type and the size limit allow them.
fn read(req: &HttpRequest, payload: &mut Payload) -> Extracted<web::BytesMut> {
    let state = req.app_data::<web::Data<AppState>>();
    let limit = state.map_or(1024 * 1024, |s| s.max_body_bytes);
    let seconds = state.map_or(0, |s| s.body_timeout.as_secs());
    let json = is_json(req);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        if declared.is_some_and(|n| n > limit) {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        if !json {
            return Err(ApiError::BadRequest("the body must be JSON, sent with Content-Type: application/json".into()));
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
        Ok(body)
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for Validating<T> {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = read(req, payload);
        Box::pin(async move {
            let (body, errors) = parse(&bytes.await?)?;
            Ok(Self { body, errors })
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parsed = Validating::<T>::from_request(req, payload);
        Box::pin(async move {
            let Validating { body, errors } = parsed.await?;
            errors.finish(Json(body)).map_err(ApiError::invalid)
        })
    }
}

/// A body that may be left out: a request with none at all (no Content-Type, and no
/// length or a length of 0), or with the JSON `null`, reads as `{}`; any other is read as
/// [`Validating`] reads it.
pub struct OptionalBody<T>(pub Validating<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalBody<T> {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let bodiless = !headers.contains_key(header::CONTENT_TYPE)
            && !headers.contains_key(header::TRANSFER_ENCODING)
            && headers.get(header::CONTENT_LENGTH).is_none_or(|length| length.as_bytes() == b"0");
        let bytes = (!bodiless).then(|| read(req, payload));
        Box::pin(async move {
            let bytes = match bytes {
                Some(bytes) => bytes.await?,
                None => web::BytesMut::new(),
            };
            let nothing = bytes.is_empty() || bytes.trim_ascii() == b"null";
            let (body, errors) = parse(if nothing { b"{}" } else { &bytes })?;
            Ok(Self(Validating { body, errors }))
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

    /// What the `Json` extractor does with a body.
    fn strict(bytes: &[u8]) -> Result<Body, ApiError> {
        let (body, errors) = parse(bytes)?;
        errors.finish(body).map_err(ApiError::invalid)
    }

    fn fields(result: Result<Body, ApiError>) -> Vec<String> {
        match result {
            Err(ApiError::Validation { errors, .. }) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn syntax_errors_are_400_and_data_errors_name_the_field() {
        assert!(matches!(strict(b"{\"title\": "), Err(ApiError::BadRequest(_))));
        assert!(matches!(strict(b"{} trailing"), Err(ApiError::BadRequest(_))));
        assert_eq!(fields(strict(br#"{"title": "t", "tags": ["a", 5]}"#)), ["/tags/1"]);
        assert_eq!(fields(strict(br#"{"title": "t", "tags": [], "x": 1}"#)), ["/x"]);
        assert_eq!(fields(strict(br#"[1, 2]"#)), ["/"]);
    }

    #[test]
    fn every_field_with_a_wrong_type_is_named_at_once() {
        let mut named = fields(strict(br#"{"title": 5, "tags": "news", "excerpt": [1], "extra": true}"#));
        named.sort();
        assert_eq!(named, ["/excerpt", "/extra", "/tags", "/title"]);
        assert_eq!(fields(strict(br#"{"tags": []}"#)), ["/title"]);
    }

    #[test]
    fn the_fields_that_parsed_reach_the_handlers_checks() {
        let (body, errors) = parse::<Body>(br#"{"title": "", "tags": 7}"#).expect("stand-ins fit");
        assert_eq!(body.title, "");
        let mut errors = errors;
        errors.add("/title", "must not be empty");
        errors.add("/tags", "a stand-in's own complaint, not reported");
        let found = errors.finish(()).expect_err("two errors");
        let named: Vec<&str> = found.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["/tags", "/title"]);
    }

    #[test]
    fn a_wrong_type_for_an_enum_is_a_422_naming_it() {
        #[derive(Debug, Deserialize)]
        #[expect(dead_code, reason = "fields exist to be parsed")]
        struct WithRole {
            role: crate::auth::Role,
        }
        let (_, errors) = parse::<WithRole>(br#"{"role": 5}"#).expect("a role stands in");
        let errors = errors.finish(()).expect_err("must be 422");
        assert_eq!(errors[0].field, "/role");
    }

    #[test]
    fn patch_fields_tell_absent_from_null() {
        let body = strict(br#"{"title": "t", "tags": []}"#).expect("valid");
        assert_eq!(body.excerpt, Patch::Absent);
        let body = strict(br#"{"title": "t", "tags": [], "excerpt": null}"#).expect("valid");
        assert_eq!(body.excerpt, Patch::Null);
    }
}
