//! The request bodies Micropub takes, as the OpenAPI document describes them. The
//! handlers read bodies as they stream ([`super::body`]): these types are never built.
#![expect(dead_code, reason = "read by the OpenAPI derives only: the handlers read the bodies as they stream")]

use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A new post in Micropub's JSON syntax.
#[derive(Deserialize, ToSchema)]
pub struct JsonCreate {
    /// `["h-entry"]`.
    #[schema(example = json!(["h-entry"]))]
    r#type: Vec<String>,
    /// Each property an array of values. `name` → title (absent: the first words of the
    /// content, at most 80 characters); `content` (text is Markdown, `{"html": …}` HTML) →
    /// body; `summary` → excerpt; `category` → tags; `post-status` (`published`, or
    /// `draft`; authors write drafts); `published` → published_at; `photo` (URLs or
    /// `{"value", "alt"}`, the first the cover image); `mp-slug` → slug. Every other
    /// property, nested objects included, is kept as it came and given back by `q=source`.
    #[schema(value_type = Object, example = json!({"content": ["Hello world"], "category": ["micropub"]}))]
    properties: Map<String, Value>,
}

/// What an action does.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum ActionName {
    Update,
    Delete,
    Undelete,
}

/// An action on the post at `url`: `update` (with `replace`, `add`, `delete`), `delete`
/// (archives it) or `undelete` (restores the status it had).
#[derive(Deserialize, ToSchema)]
pub struct JsonAction {
    action: ActionName,
    /// The post's public URL, or its API URL.
    #[schema(example = "https://clinic.example/blogs/hello-world")]
    url: String,
    /// Properties to replace, each an array of values.
    #[schema(value_type = Option<Object>, example = json!({"content": ["New text"]}))]
    replace: Option<Map<String, Value>>,
    /// Values to add, each property an array.
    #[schema(value_type = Option<Object>, example = json!({"category": ["test2"]}))]
    add: Option<Map<String, Value>>,
    /// Property names to remove, or values to remove from each property.
    #[schema(value_type = Option<Value>, example = json!(["category"]))]
    delete: Option<Value>,
}

/// A JSON request: a create, or an action.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum JsonRequest {
    Create(JsonCreate),
    Action(JsonAction),
}

/// A form-encoded create (`h=entry`, `property[]` for several values), or a delete or
/// undelete (`action`, `url`). Every other field is a property kept as it came.
#[derive(Deserialize, ToSchema)]
pub struct FormRequest {
    /// `entry`.
    #[schema(example = "entry")]
    h: Option<String>,
    /// Markdown.
    #[schema(example = "Hello world")]
    content: Option<String>,
    name: Option<String>,
    summary: Option<String>,
    /// Tag names; `category` for one.
    #[serde(rename = "category[]")]
    category: Option<Vec<String>>,
    /// A photo's URL; `photo[]` for several.
    photo: Option<String>,
    /// `published` or `draft`.
    #[serde(rename = "post-status")]
    post_status: Option<String>,
    /// RFC 3339.
    published: Option<String>,
    #[serde(rename = "mp-slug")]
    mp_slug: Option<String>,
    /// The token, when it is not in the Authorization header (never both).
    access_token: Option<String>,
    /// `delete` or `undelete`.
    action: Option<String>,
    /// The post an action is on.
    url: Option<String>,
}

/// A create with files: the form's fields, and photos uploaded as media (at most
/// `FOLIO_MAX_UPLOAD_BYTES` each, ten at most; the first is the cover image).
#[derive(Deserialize, ToSchema)]
pub struct MultipartRequest {
    #[schema(example = "entry")]
    h: Option<String>,
    content: Option<String>,
    name: Option<String>,
    /// Tag names.
    #[serde(rename = "category[]")]
    category: Option<Vec<String>>,
    /// JPEG, PNG, WebP, GIF, AVIF, SVG or PDF, told from the bytes; `photo[]` for several.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Option<Vec<Vec<u8>>>,
    /// The token, sent before the files, when it is not in the Authorization header.
    access_token: Option<String>,
}

/// A media endpoint upload.
#[derive(Deserialize, ToSchema)]
pub struct MediaUpload {
    /// JPEG, PNG, WebP, GIF, AVIF, SVG or PDF, told from its bytes; at most `FOLIO_MAX_UPLOAD_BYTES`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The token, sent before the file, when it is not in the Authorization header.
    access_token: Option<String>,
}
