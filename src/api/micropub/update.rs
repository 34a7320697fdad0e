//! Micropub's actions on a post: `update` (replace, add, delete properties), `delete`
//! (archives it) and `undelete` (gives back the status it had). An update lays its
//! operations over the post's properties as `q=source` gives them, and writes the
//! result as one API update: a revision, an audit entry, the same webhooks.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::auth;
use super::body::{Action, ActionKind, Deletion};
use super::create::{checked, created, plain_text, render};
use super::error::{MicropubError, MicropubReply};
use super::properties;
use crate::api::articles::UpdateArticle;
use crate::api::caller::Caller;
use crate::api::error::ApiError;
use crate::api::state::AppState;
use crate::content::status::ArticleStatus;
use crate::store::articles::{self, Article, Expected};
use crate::store::audit::Change;
use crate::store::micropub::{self, PostFacts};
use crate::store::{Conn, StoreError, StoreResult};
use crate::validation::Errors;

/// Where the API serves articles, by id and by slug.
const API_ARTICLES: &str = "/api/v1/articles/";
const API_BY_SLUG: &str = "/api/v1/articles/slug/";

/// The article `url` names (its public URL, or its API URL), with Micropub's facts,
/// if `caller` may read it; else 400 `invalid_request`.
pub async fn find(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    url: &str,
) -> Result<(Article, PostFacts), MicropubError> {
    let unknown = || MicropubError::invalid(format!("no post the caller may see has the URL {url}"));
    let parsed = url::Url::parse(url).map_err(|_| unknown())?;
    let path = parsed.path().to_owned();
    let decoded = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned();
    let by_id = path.strip_prefix(API_ARTICLES).and_then(|rest| rest.parse::<i64>().ok());
    let by_api_slug = path.strip_prefix(API_BY_SLUG).map(decoded);
    let last_segment = path.trim_end_matches('/').rsplit('/').next().map(decoded).filter(|s| !s.is_empty());
    let public = by_id.is_none() && by_api_slug.is_none();
    // The API's by-slug URL names a translation's locale in its query; a public URL
    // may be any locale's, and is matched against each one's link below.
    let locales: Vec<String> = match &by_api_slug {
        Some(_) => {
            let asked = parsed.query_pairs().find(|(key, _)| key == "locale").map(|(_, value)| value.into_owned());
            let locale = asked.as_deref().map_or(Some(state.locales.default_locale()), |l| state.locales.find(l));
            locale.map(str::to_owned).into_iter().collect()
        }
        None => state.locales.all().to_vec(),
    };
    let found = state
        .read(move |c| -> StoreResult<Vec<(Article, PostFacts)>> {
            let mut found = Vec::new();
            let mut keep = |c: &mut Conn, article: StoreResult<Article>| match article {
                Ok(article) => {
                    let facts = micropub::facts(c, article.row.id)?;
                    found.push((article, facts));
                    Ok(())
                }
                Err(StoreError::NotFound) => Ok(()),
                Err(other) => Err(other),
            };
            match (by_id, by_api_slug.or(last_segment)) {
                (Some(id), _) => {
                    let article = articles::find(c, id);
                    keep(c, article)?;
                }
                (None, Some(slug)) => {
                    for locale in &locales {
                        let article = articles::find_by_slug(c, &slug, locale);
                        keep(c, article)?;
                    }
                }
                (None, None) => {}
            }
            Ok(found)
        })
        .await?;
    // A public URL must be the article's, as the site links it.
    let (article, facts) = found
        .into_iter()
        .find(|(article, _)| {
            !public || location(state, req, article).trim_end_matches('/') == url.trim_end_matches('/')
        })
        .ok_or_else(unknown)?;
    if !article.visible_to(caller.visibility()) {
        return Err(unknown());
    }
    Ok((article, facts))
}

/// The article's absolute public URL (the API's by-slug URL without a site).
pub fn location(state: &AppState, req: &HttpRequest, article: &Article) -> String {
    let section = article.section.as_ref().map(|s| s.slug.as_str());
    state.links.article(&auth::origin(req, state), section, &article.row.slug, &article.row.locale)
}

/// Runs `action` as `caller`.
pub async fn act(state: &AppState, req: &HttpRequest, caller: Caller, action: Action) -> MicropubReply {
    let (article, facts) = find(state, req, &caller, &action.url).await?;
    match action.kind {
        ActionKind::Update => update(state, req, caller, article, facts, action).await,
        ActionKind::Delete | ActionKind::Undelete => {
            let deleting = action.kind == ActionKind::Delete;
            if (article.status == ArticleStatus::Archived) == deleting {
                // Deleted already, or not deleted: nothing to do.
                return Ok(HttpResponse::NoContent().finish());
            }
            let actor = caller.who();
            let id = article.row.id;
            state
                .write_audited(
                    caller.actor(),
                    move |a: &Option<Article>| match a {
                        Some(a) => Change::new("update", "article", id).at_version(a.row.version),
                        None => Change::new("update", "article", id),
                    },
                    move |c| match deleting {
                        true => micropub::delete(c, &article, &actor),
                        false => micropub::undelete(c, &article, &actor),
                    },
                )
                .await?;
            Ok(HttpResponse::NoContent().finish())
        }
    }
}

/// `properties` with the update's operations laid over it; `mp-slug` taken out as a command.
fn apply(properties: &mut Map<String, Value>, action: Action) -> Option<Value> {
    let mut slug = None;
    for (name, values) in action.replace {
        // Commands are not properties: `mp-slug` moves the post, the others are not folio's.
        if name.starts_with("mp-") {
            if name == "mp-slug" {
                slug = values.as_array().and_then(|v| v.first()).cloned();
            }
            continue;
        }
        match values.as_array().is_some_and(Vec::is_empty) {
            true => properties.remove(&name),
            false => properties.insert(name, values),
        };
    }
    for (name, values) in action.add {
        let Value::Array(values) = values else { continue };
        if name.starts_with("mp-") {
            continue;
        }
        match properties.entry(name).or_insert_with(|| json!([])) {
            Value::Array(held) => held.extend(values),
            other => *other = Value::Array(values),
        }
    }
    match action.delete {
        Deletion::Nothing => {}
        Deletion::Properties(names) => {
            for name in names {
                properties.remove(&name);
            }
        }
        Deletion::Values(values) => {
            for (name, gone) in values {
                let Value::Array(gone) = gone else { continue };
                if let Some(Value::Array(held)) = properties.get_mut(&name) {
                    held.retain(|value| !gone.contains(value));
                    if held.is_empty() {
                        properties.remove(&name);
                    }
                }
            }
        }
    }
    slug
}

async fn update(
    state: &AppState,
    req: &HttpRequest,
    caller: Caller,
    article: Article,
    facts: PostFacts,
    action: Action,
) -> MicropubReply {
    let origin = auth::origin(req, state);
    let before = properties::source(&article, &facts, &origin);
    let mut after = before.clone();
    let slug = apply(&mut after, action);
    // A cover uploaded as media stays that media item while its photo stays first.
    let mut uploaded = HashMap::new();
    if let (Some(url), Some(id)) = (&article.row.cover_image_url, article.row.cover_media_id) {
        uploaded.insert(format!("{origin}{url}"), id);
    }
    let mapped = properties::map(&after, &uploaded)?;
    let text = if mapped.name.is_some() {
        String::new()
    } else {
        plain_text(mapped.content.clone(), mapped.facts.content_kind).await?
    };
    let mut body = Map::new();
    body.insert("title".into(), json!(mapped.title(&text)?));
    body.insert("body_markdown".into(), json!(mapped.content));
    body.insert("excerpt".into(), json!(mapped.summary));
    body.insert("tags".into(), json!(mapped.tags));
    body.insert("cover_image".into(), mapped.cover.clone().unwrap_or(Value::Null));
    body.insert("version".into(), json!(article.row.version));
    // Status and date change only when the update names them: an archived post keeps
    // its status, an author's draft sends no `published_at`.
    if before.get("post-status") != after.get("post-status") {
        body.insert("status".into(), json!(mapped.status.unwrap_or(ArticleStatus::Published)));
    }
    if before.get("published") != after.get("published") {
        body.insert("published_at".into(), json!(mapped.published));
    }
    if let Some(slug) = slug {
        body.insert("slug".into(), slug);
    }
    let input: UpdateArticle = checked(Value::Object(body))?;
    let mut errors = Errors::default();
    let (patch, version) = input.validate(&mut errors, &state.locales);
    let patch = errors.finish(patch).map_err(ApiError::invalid)?;
    let actor = caller.who();
    crate::content::policy::may_set_published_at(&actor, patch.published_at.is_some()).map_err(ApiError::from)?;
    let rendered = render(mapped.content.clone()).await?;
    let expected = Expected { fingerprints: None, version };
    let facts = PostFacts { status_before_delete: facts.status_before_delete, ..mapped.facts };
    let id = article.row.id;
    let was = location(state, req, &article);
    let changed = state
        .write_audited(
            caller.actor(),
            |a: &Article| Change::new("update", "article", a.row.id).at_version(a.row.version),
            move |c| micropub::update(c, id, &actor, (patch, Some(rendered), expected), facts),
        )
        .await?;
    let now = location(state, req, &changed);
    match now == was {
        true => Ok(HttpResponse::NoContent().finish()),
        false => created(now),
    }
}
