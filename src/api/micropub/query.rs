//! Micropub's queries: `q=config`, `q=syndicate-to`, `q=category` and `q=source`.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::auth::{self, MEDIA_ENDPOINT};
use super::error::{MicropubError, MicropubReply};
use super::properties;
use super::update;
use crate::api::caller::Caller;
use crate::api::state::AppState;
use crate::auth::api_key::Scope;
use crate::store::micropub;

/// A post type a client may offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostType {
    #[schema(example = "note")]
    pub r#type: &'static str,
    #[schema(example = "Note")]
    pub name: &'static str,
}

/// What the endpoint supports (`q=config`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Config {
    /// The media endpoint's absolute URL.
    #[serde(rename = "media-endpoint")]
    #[schema(example = "https://api.example/api/v1/micropub/media")]
    pub media_endpoint: String,
    /// Always empty: folio syndicates nowhere.
    #[serde(rename = "syndicate-to")]
    pub syndicate_to: Vec<Value>,
    /// The queries answered.
    #[schema(example = json!(["config", "source", "syndicate-to", "category"]))]
    pub q: Vec<&'static str>,
    #[serde(rename = "post-types")]
    pub post_types: Vec<PostType>,
}

/// The syndication targets (`q=syndicate-to`): none.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyndicateTo {
    #[serde(rename = "syndicate-to")]
    pub syndicate_to: Vec<Value>,
}

/// Tag names (`q=category`), those starting with `filter` when given.
#[derive(Debug, Serialize, ToSchema)]
pub struct Categories {
    #[schema(example = json!(["Dry Needling", "Muscle Recovery"]))]
    pub categories: Vec<String>,
}

/// A post's properties as a client would send them (`q=source`); with `properties[]`,
/// only those and no `type`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Source {
    /// `["h-entry"]`, unless `properties[]` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["h-entry"]))]
    pub r#type: Option<Vec<&'static str>>,
    /// Each property an array of values: text, `{"html"}` content, `{"value", "alt"}` photos, nested objects.
    #[schema(value_type = Object, example = json!({"content": ["Hello"], "category": ["micropub"]}))]
    pub properties: Map<String, Value>,
}

/// Any of the answers, by `q`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum QueryAnswer {
    Config(Config),
    SyndicateTo(SyndicateTo),
    Categories(Categories),
    Source(Source),
}

/// The query's parameters, repeated ones (`properties[]`) kept in order.
struct Params(Vec<(String, String)>);

impl Params {
    fn one(&self, name: &str) -> Result<Option<&str>, MicropubError> {
        let mut found = self.0.iter().filter(|(key, _)| key == name).map(|(_, value)| value.as_str());
        let value = found.next();
        match found.next() {
            Some(_) => Err(MicropubError::invalid(format!("'{name}' is given more than once"))),
            None => Ok(value),
        }
    }

    fn all(&self, name: &str) -> Vec<String> {
        let bare = name.strip_suffix("[]").unwrap_or(name);
        self.0.iter().filter(|(key, _)| key == name || key == bare).map(|(_, value)| value.clone()).collect()
    }
}

/// Answers the query of `req`, already authenticated as `caller`.
pub async fn answer(state: &AppState, req: &HttpRequest, caller: Caller) -> MicropubReply {
    let params = Params(url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect());
    let answer = match params.one("q")? {
        Some("config") => QueryAnswer::Config(Config {
            media_endpoint: format!("{}{MEDIA_ENDPOINT}", auth::origin(req, state)),
            syndicate_to: Vec::new(),
            q: vec!["config", "source", "syndicate-to", "category"],
            post_types: vec![
                PostType { r#type: "note", name: "Note" },
                PostType { r#type: "article", name: "Article" },
                PostType { r#type: "photo", name: "Photo" },
            ],
        }),
        Some("syndicate-to") => QueryAnswer::SyndicateTo(SyndicateTo { syndicate_to: Vec::new() }),
        Some("category") => {
            let filter = params.one("filter")?.unwrap_or_default().to_owned();
            let categories = state.read(move |c| micropub::tag_names(c, &filter)).await?;
            QueryAnswer::Categories(Categories { categories })
        }
        Some("source") => QueryAnswer::Source(source(state, req, &caller, &params).await?),
        Some(other) => return Err(MicropubError::invalid(format!("q={other} is not a query folio answers"))),
        None => return Err(MicropubError::invalid("a query needs q (config, source, syndicate-to or category)")),
    };
    Ok(HttpResponse::Ok().json(answer))
}

async fn source(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    params: &Params,
) -> Result<Source, MicropubError> {
    auth::require(caller, Scope::ContentRead)?;
    let url = params.one("url")?.ok_or_else(|| MicropubError::invalid("q=source needs the url of a post"))?;
    let (article, facts) = update::find(state, req, caller, url).await?;
    let mut properties = properties::source(&article, &facts, &auth::origin(req, state));
    let wanted = params.all("properties[]");
    if wanted.is_empty() {
        return Ok(Source { r#type: Some(vec!["h-entry"]), properties });
    }
    properties.retain(|name, _| wanted.contains(name));
    Ok(Source { r#type: None, properties })
}
