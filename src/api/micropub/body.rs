//! A Micropub request's body, however it came: form-encoded, JSON, or multipart with
//! files. Every shape is read into one [`Incoming`]: properties as Micropub's JSON
//! syntax has them (each an array of values), commands (`mp-*`), an action, the token
//! of an `access_token` field, and the files. Sizes are held as the body arrives.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::HttpRequest;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Map, Value};

use super::error::MicropubError;
use crate::api::caller;
use crate::api::deadline;
use crate::api::error::ApiError;
use crate::api::media::upload::{form_error, read_field, FORM_OVERHEAD};
use crate::api::state::AppState;

/// At most this many files in one request.
const MAX_FILES: usize = 10;

/// What a request asks for.
#[derive(Debug)]
pub enum Request {
    /// A new post: its properties, and its commands (`mp-slug`…) with their values.
    Create { properties: Map<String, Value>, commands: Map<String, Value> },
    /// `update`, `delete` or `undelete` of the post at `url`.
    Action(Action),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Update,
    Delete,
    Undelete,
}

/// An action on an existing post; `update` carries its operations.
#[derive(Debug)]
pub struct Action {
    pub kind: ActionKind,
    pub url: String,
    pub replace: Map<String, Value>,
    pub add: Map<String, Value>,
    pub delete: Deletion,
}

/// An update's `delete`: whole properties by name, or some values of each.
#[derive(Debug, Default)]
pub enum Deletion {
    #[default]
    Nothing,
    Properties(Vec<String>),
    Values(Map<String, Value>),
}

/// A request body, read.
#[derive(Debug)]
pub struct Incoming {
    pub request: Request,
    /// The token of an `access_token` field, when one was sent.
    pub access_token: Option<String>,
    /// Uploaded photos, in the order they came.
    pub files: Vec<Bytes>,
}

fn content_type(req: &HttpRequest) -> String {
    let value = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Reads a Micropub `POST`. `authenticated`: a token came in the `Authorization` header,
/// so files may be read; without it, a multipart form's `access_token` must come before
/// its files and hold a valid token, so no one reads files into memory unknown.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    authenticated: bool,
) -> Result<Incoming, MicropubError> {
    match content_type(req).as_str() {
        "application/json" => {
            let bytes = whole(req, payload, state).await?;
            let value: Value = serde_json::from_slice(&bytes)
                .map_err(|err| MicropubError::invalid(format!("the body is not valid JSON: {err}")))?;
            json_request(value)
        }
        "application/x-www-form-urlencoded" => {
            let bytes = whole(req, payload, state).await?;
            let fields = url::form_urlencoded::parse(&bytes).into_owned().collect();
            form_request(FormParts { fields, files: Vec::new() })
        }
        "multipart/form-data" => {
            let form = multipart(req, payload, state, authenticated, &["photo", "photo[]"]).await?;
            form_request(form)
        }
        other => Err(MicropubError::invalid(format!(
            "the body must be application/x-www-form-urlencoded, application/json or multipart/form-data, not '{other}'"
        ))),
    }
}

/// The whole body, at most `FOLIO_MAX_BODY_BYTES` (413 past it).
async fn whole(req: &HttpRequest, mut payload: web::Payload, state: &AppState) -> Result<BytesMut, MicropubError> {
    let limit = state.max_body_bytes;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(MicropubError::Api(ApiError::PayloadTooLarge { limit }));
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|err| match deadline::is_timeout(&err) {
            true => MicropubError::Api(ApiError::RequestTimeout { seconds: state.body_timeout.as_secs() }),
            false => MicropubError::invalid(format!("the body could not be read: {err}")),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(MicropubError::Api(ApiError::PayloadTooLarge { limit }));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A multipart form: text fields (at most `FOLIO_MAX_BODY_BYTES` in all), and files in
/// the fields named `file_fields` (each at most `FOLIO_MAX_UPLOAD_BYTES`, ten at most).
pub async fn multipart(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    authenticated: bool,
    file_fields: &[&str],
) -> Result<FormParts, MicropubError> {
    let (text_limit, file_limit) = (state.max_body_bytes, state.max_upload_bytes);
    let most = (file_limit + FORM_OVERHEAD).saturating_mul(MAX_FILES).saturating_add(text_limit);
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > most) {
        return Err(MicropubError::Api(ApiError::PayloadTooLarge { limit: file_limit }));
    }
    let mut form = Multipart::new(req.headers(), payload);
    let mut parts = FormParts { fields: Vec::new(), files: Vec::new() };
    let mut text_bytes = 0;
    let mut checked = authenticated;
    while let Some(mut field) = form.try_next().await.map_err(|e| MicropubError::from(form_error(e, req)))? {
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field.content_disposition().and_then(|d| d.get_filename()).is_some();
        if is_file || file_fields.contains(&name.as_str()) {
            if !file_fields.contains(&name.as_str()) {
                return Err(MicropubError::invalid(format!(
                    "files are taken in {} only, not '{name}'",
                    file_fields[0]
                )));
            }
            if !checked {
                let token = parts.access_token().ok_or_else(|| {
                    MicropubError::Unauthorized(
                        "send the token in the Authorization header, or in access_token before the files".into(),
                    )
                })?;
                caller::with_token(req, token.to_owned()).await?;
                checked = true;
            }
            if parts.files.len() == MAX_FILES {
                return Err(MicropubError::invalid(format!("at most {MAX_FILES} files in one request")));
            }
            let too_big = || ApiError::PayloadTooLarge { limit: file_limit };
            parts.files.push(read_field(&mut field, file_limit, req, too_big).await?);
            continue;
        }
        let left = text_limit.saturating_sub(text_bytes);
        let bytes = read_field(&mut field, left, req, || ApiError::PayloadTooLarge { limit: text_limit }).await?;
        text_bytes += bytes.len();
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| MicropubError::invalid(format!("the field '{name}' is not UTF-8 text")))?;
        parts.fields.push((name, text));
    }
    Ok(parts)
}

/// A multipart form's text fields and files, in order.
pub struct FormParts {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Bytes>,
}

impl FormParts {
    pub fn access_token(&self) -> Option<&str> {
        self.fields.iter().find(|(name, _)| name == "access_token").map(|(_, value)| value.as_str())
    }
}

fn form_request(form: FormParts) -> Result<Incoming, MicropubError> {
    let FormParts { fields, files } = form;
    let (mut properties, mut commands) = (Map::new(), Map::new());
    let (mut access_token, mut action, mut url, mut h) = (None, None, None, None);
    for (name, value) in fields {
        let once = |slot: &mut Option<String>, value: String| match slot.replace(value) {
            None => Ok(()),
            Some(_) => Err(MicropubError::invalid(format!("'{name}' is given more than once"))),
        };
        match name.as_str() {
            "access_token" => once(&mut access_token, value)?,
            "action" => once(&mut action, value)?,
            "url" => once(&mut url, value)?,
            "h" => once(&mut h, value)?,
            _ => {
                let key = name.strip_suffix("[]").unwrap_or(&name).to_owned();
                if key.is_empty() {
                    return Err(MicropubError::invalid("a field has no name"));
                }
                let target = if key.starts_with("mp-") { &mut commands } else { &mut properties };
                match target.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
                    Value::Array(values) => values.push(Value::String(value)),
                    _ => return Err(MicropubError::invalid("a field is given in two ways")),
                }
            }
        }
    }
    let request = match action {
        Some(action) => {
            let kind = match action.as_str() {
                "delete" => ActionKind::Delete,
                "undelete" => ActionKind::Undelete,
                "update" => return Err(MicropubError::invalid("an update is sent as JSON")),
                other => return Err(MicropubError::invalid(format!("'{other}' is not an action (delete, undelete)"))),
            };
            let url = url.ok_or_else(|| MicropubError::invalid("an action needs the url of the post"))?;
            Request::Action(Action { kind, url, replace: Map::new(), add: Map::new(), delete: Deletion::Nothing })
        }
        None => {
            match h.as_deref() {
                Some("entry") | None => {}
                Some(other) => {
                    return Err(MicropubError::invalid(format!("h={other} is not a type folio takes (entry)")));
                }
            }
            Request::Create { properties, commands }
        }
    };
    Ok(Incoming { request, access_token, files })
}

/// The object at `name` of `body`, each of whose members is an array.
fn arrays(body: &mut Map<String, Value>, name: &str) -> Result<Map<String, Value>, MicropubError> {
    match body.remove(name) {
        None => Ok(Map::new()),
        Some(Value::Object(map)) if map.values().all(Value::is_array) => Ok(map),
        Some(_) => Err(MicropubError::invalid(format!("'{name}' must be an object whose values are arrays"))),
    }
}

fn json_request(value: Value) -> Result<Incoming, MicropubError> {
    let Value::Object(mut body) = value else {
        return Err(MicropubError::invalid("the body must be a JSON object"));
    };
    let request = match body.remove("action") {
        Some(Value::String(action)) => json_action(&action, body)?,
        Some(_) => return Err(MicropubError::invalid("'action' must be a string")),
        None => {
            match body.get("type") {
                Some(Value::Array(types)) if types.iter().any(|t| t == "h-entry") => {}
                _ => return Err(MicropubError::invalid("'type' must be [\"h-entry\"]")),
            }
            let mut properties = arrays(&mut body, "properties")?;
            let commands = properties.keys().filter(|k| k.starts_with("mp-")).cloned().collect::<Vec<_>>();
            let commands = commands.into_iter().filter_map(|k| properties.remove_entry(&k)).collect();
            properties.remove("access_token");
            Request::Create { properties, commands }
        }
    };
    Ok(Incoming { request, access_token: None, files: Vec::new() })
}

fn json_action(action: &str, mut body: Map<String, Value>) -> Result<Request, MicropubError> {
    let kind = match action {
        "update" => ActionKind::Update,
        "delete" => ActionKind::Delete,
        "undelete" => ActionKind::Undelete,
        other => {
            return Err(MicropubError::invalid(format!("'{other}' is not an action (update, delete, undelete)")));
        }
    };
    let url = match body.remove("url") {
        Some(Value::String(url)) => url,
        _ => return Err(MicropubError::invalid("an action needs 'url', the URL of the post")),
    };
    let replace = arrays(&mut body, "replace")?;
    let add = arrays(&mut body, "add")?;
    let delete = match body.remove("delete") {
        None => Deletion::Nothing,
        Some(Value::Array(names)) => Deletion::Properties(
            names
                .into_iter()
                .map(|name| match name {
                    Value::String(name) => Ok(name),
                    _ => Err(MicropubError::invalid("'delete' must name properties, or map them to arrays")),
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(Value::Object(map)) if map.values().all(Value::is_array) => Deletion::Values(map),
        Some(_) => return Err(MicropubError::invalid("'delete' must name properties, or map them to arrays")),
    };
    if kind != ActionKind::Update && (!replace.is_empty() || !add.is_empty() || !matches!(delete, Deletion::Nothing)) {
        return Err(MicropubError::invalid("replace, add and delete belong to an update"));
    }
    Ok(Request::Action(Action { kind, url, replace, add, delete }))
}
