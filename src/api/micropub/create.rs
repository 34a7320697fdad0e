//! A Micropub create: the post's properties become an API create of an article, read
//! and checked as `POST /articles` reads its body, written by the same store function
//! (a revision, an audit entry naming the caller's key, webhooks, the read model), with
//! Micropub's facts kept beside it.

use std::collections::HashMap;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::auth;
use super::error::{MicropubError, MicropubReply};
use super::properties::{self, Mapped};
use crate::api::articles::CreateArticle;
use crate::api::caller::Caller;
use crate::api::error::ApiError;
use crate::api::media::upload;
use crate::api::state::AppState;
use crate::content::markdown;
use crate::content::policy;
use crate::content::status::ArticleStatus;
use crate::store::articles::{Placement, RenderedBody, Writer};
use crate::store::audit::Change;
use crate::store::micropub::{self, ContentKind};
use crate::validation::Errors;

/// The plain text of a body, rendered off the async executor: Markdown's text, or
/// HTML's without its tags (a raw HTML block has no text as Markdown reads it).
pub async fn plain_text(body: String, kind: ContentKind) -> Result<String, MicropubError> {
    if kind == ContentKind::Html {
        return Ok(html_text(&body));
    }
    let rendered = web::block(move || markdown::render(&body).map(|r| r.text)).await.map_err(ApiError::internal)?;
    Ok(rendered.unwrap_or_default())
}

/// The text of `html`: its tags dropped (each a space), the common entities decoded.
fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => {
                in_tag = false;
                text.push(' ');
            }
            (false, c) => text.push(c),
            (true, _) => {}
        }
    }
    [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")]
        .iter()
        .fold(text, |text, (entity, c)| text.replace(entity, c))
}

/// Renders a body on a blocking thread, as the article handlers do.
pub async fn render(body: String) -> Result<RenderedBody, MicropubError> {
    let rendered = web::block(move || RenderedBody::render(body)).await.map_err(ApiError::internal)?;
    Ok(rendered.map_err(ApiError::from)?)
}

/// The status a new post gets: what it asks, else `published`, or `draft` for an author
/// (whom asking for `published` is refused, as the API refuses it).
fn status(caller: &Caller, asked: Option<ArticleStatus>) -> Result<ArticleStatus, MicropubError> {
    let actor = caller.who();
    let status =
        asked.unwrap_or(if actor.role.manages_content() { ArticleStatus::Published } else { ArticleStatus::Draft });
    policy::may_write_as(&actor, status).map_err(|denied| MicropubError::Forbidden(denied.to_string()))?;
    Ok(status)
}

/// Stores each uploaded photo as a media item; answers their absolute URLs with their ids.
async fn upload_photos(
    state: &AppState,
    caller: &Caller,
    origin: &str,
    files: Vec<Bytes>,
) -> Result<Vec<(String, i64)>, MicropubError> {
    let mut stored = Vec::with_capacity(files.len());
    for file in files {
        let row = upload::store(state, caller, file, None).await.map_err(MicropubError::from)?;
        stored.push((format!("{origin}{}", row.url()), row.id));
    }
    Ok(stored)
}

/// The API create body that `mapped` stands for, with `title` and `status`.
fn api_body(mapped: &Mapped, title: String, status: ArticleStatus, slug: Option<&Value>) -> Value {
    let mut body = Map::new();
    body.insert("title".into(), json!(title));
    body.insert("body_markdown".into(), json!(mapped.content));
    body.insert("status".into(), json!(status));
    body.insert("tags".into(), json!(mapped.tags));
    if let Some(summary) = &mapped.summary {
        body.insert("excerpt".into(), json!(summary));
    }
    if let Some(published) = &mapped.published {
        body.insert("published_at".into(), json!(published));
    }
    if let Some(cover) = &mapped.cover {
        body.insert("cover_image".into(), cover.clone());
    }
    if let Some(slug) = slug {
        body.insert("slug".into(), slug.clone());
    }
    Value::Object(body)
}

/// Reads an API body as `T`, refusing what the API would refuse, as `invalid_request`.
pub fn checked<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, MicropubError> {
    serde_json::from_value(body).map_err(|err| MicropubError::invalid(format!("a property has a wrong value: {err}")))
}

/// Creates the post; 201 with its absolute URL in `Location`.
pub async fn create(
    state: &AppState,
    req: &HttpRequest,
    caller: Caller,
    mut properties: Map<String, Value>,
    commands: Map<String, Value>,
    files: Vec<Bytes>,
) -> MicropubReply {
    let origin = auth::origin(req, state);
    let uploaded = upload_photos(state, &caller, &origin, files).await?;
    if !uploaded.is_empty() {
        let photos = properties.entry("photo").or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(photos) = photos {
            photos.extend(uploaded.iter().map(|(url, _)| json!(url)));
        }
    }
    let uploaded: HashMap<String, i64> = uploaded.into_iter().collect();
    let mapped = properties::map(&properties, &uploaded)?;
    let status = status(&caller, mapped.status)?;
    let text = if mapped.name.is_some() {
        String::new()
    } else {
        plain_text(mapped.content.clone(), mapped.facts.content_kind).await?
    };
    let title = mapped.title(&text)?;
    let slug = commands.get("mp-slug").and_then(Value::as_array).and_then(|values| values.first());
    let input: CreateArticle = checked(api_body(&mapped, title, status, slug))?;
    let mut errors = Errors::default();
    let sends_published_at = input.sends_published_at();
    let content = input.validate(&mut errors);
    let content = errors.finish(content).map_err(ApiError::invalid)?;
    let actor = caller.who();
    policy::may_set_published_at(&actor, sends_published_at).map_err(ApiError::from)?;
    let rendered = render(content.body_markdown.clone()).await?;
    let prepared = content.with_body(rendered).map_err(ApiError::from)?;
    let facts = mapped.facts;
    let writer = Writer::of(&actor);
    // Writing apps know no locales: a post is in the site's default.
    let placement = Placement { locale: state.locales.default_locale().to_owned(), translation_of: None };
    let article = state
        .write_audited(
            caller.actor(),
            |a: &crate::store::articles::Article| Change::new("create", "article", a.row.id).at_version(a.row.version),
            move |c| micropub::create(c, writer, prepared, placement, facts),
        )
        .await?;
    let section = article.section.as_ref().map(|s| s.slug.as_str());
    let location = state.links.article(&origin, section, &article.row.slug, &article.row.locale);
    created(location)
}

/// 201 with `location`.
pub fn created(location: String) -> MicropubReply {
    let location = HeaderValue::try_from(location).map_err(ApiError::internal)?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, location)).finish())
}
