//! The one rule for NUL characters in a request: refused wherever they come, before
//! anything reads them. No name, slug, email or text folio stores can hold one, and
//! PostgreSQL refuses them in text outright, so a NUL that reached a query would be a
//! 500 and an error in the log for nothing but a client's bad input.
//!
//! In the URL's path (`%00`): 404, since nothing has such a name. In the query string:
//! 422 naming each parameter. In a JSON body ([`in_json`]): 422 naming each field.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::ResponseError;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::error::ApiError;
use crate::validation::FieldError;

const MESSAGE: &str = "must not contain a NUL character";
/// Fields named at most, so that a body of a million NULs costs little.
const MAX_NAMED: usize = 20;

/// Answers a request whose URL carries an encoded NUL (`%00`) with 404 (in the path) or
/// 422 naming the parameters (in the query), without calling the rest of the app.
pub async fn refuse_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refused = if req.path().contains("%00") {
        Some(ApiError::NotFound)
    } else {
        let query = req.query_string();
        query.contains("%00").then(|| ApiError::invalid(in_query(query)))
    };
    match refused {
        Some(error) => Ok(req.into_response(error.error_response())),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// The parameters of `query` whose name or value holds a NUL, named by their name.
fn in_query(query: &str) -> Vec<FieldError> {
    query
        .split('&')
        .filter(|pair| pair.contains("%00"))
        .take(MAX_NAMED)
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let name = percent_decode_str(name).decode_utf8_lossy().replace('\0', "\\0");
            FieldError::new(name, format!("{MESSAGE} (%00)"))
        })
        .collect()
}

/// Every field of `body` (as a JSON pointer) whose key or string value holds a NUL.
pub fn in_json(body: &Value) -> Vec<FieldError> {
    let mut found = Vec::new();
    walk(body, &mut String::new(), &mut found);
    found
}

fn walk(value: &Value, at: &mut String, found: &mut Vec<FieldError>) {
    if found.len() >= MAX_NAMED {
        return;
    }
    let here = at.len();
    match value {
        Value::String(text) if text.contains('\0') => {
            found.push(FieldError::new(if at.is_empty() { "/" } else { at.as_str() }, MESSAGE));
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                at.push('/');
                at.push_str(&index.to_string());
                walk(item, at, found);
                at.truncate(here);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                at.push('/');
                at.push_str(&key.replace('~', "~0").replace('/', "~1").replace('\0', "\\0"));
                if key.contains('\0') {
                    found.push(FieldError::new(at.as_str(), format!("the name {MESSAGE}")));
                } else {
                    walk(item, at, found);
                }
                at.truncate(here);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn every_field_holding_a_nul_is_named_by_its_pointer() {
        let body = json!({"title": "a\u{0}b", "tags": ["ok", "x\u{0}"], "seo": {"meta/title": "\u{0}"}, "n": 1});
        let mut named = fields(in_json(&body));
        named.sort();
        assert_eq!(named, ["/seo/meta~1title", "/tags/1", "/title"]);
        assert_eq!(fields(in_json(&json!({"a\u{0}": 1}))), ["/a\\0"]);
        assert!(in_json(&json!({"title": "fine", "list": [1, null, true]})).is_empty());
    }

    #[test]
    fn query_parameters_holding_a_nul_are_named() {
        assert_eq!(fields(in_query("q=a%00b&page=1&tag=x%00")), ["q", "tag"]);
        assert_eq!(fields(in_query("a%00=1")), ["a\\0"]);
    }

    #[test]
    fn a_body_of_many_nuls_names_a_bounded_number() {
        let many: Vec<Value> = (0..1000).map(|_| Value::String("\0".into())).collect();
        assert_eq!(in_json(&Value::Array(many)).len(), MAX_NAMED);
    }
}
