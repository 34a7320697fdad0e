//! Articles: public reads of published ones, role-checked writes with optimistic concurrency.

mod cursor;
mod fields;
mod input;
mod listing;
mod lists;
pub mod locales;
pub mod model;
pub mod revisions;
pub mod shapes;

use actix_web::http::{header, StatusCode};
use actix_web::web::{self, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use self::fields::Fields;
pub use self::input::{check_date, CreateArticle, UpdateArticle};
pub use self::listing::ArticleListParams;
pub use self::lists::{__path_list, list};
use self::locales::Target;
use self::model::ArticleResponse;
use super::caller::{Caller, MaybeCaller};
use super::error::{ApiError, Problem, Reply};
use super::json::Validating;
use super::query::QueryReader;
use super::respond::{self, Tagged};
use super::state::AppState;
use crate::content::policy;
use crate::content::policy::Visibility;
use crate::store::articles::translations;
use crate::store::articles::{self, Article, Expected, Placement, RenderedBody, Writer};
use crate::store::audit::Change;
use crate::store::now;

/// The article as `visibility` may see it, tagged with its ETag; else 404.
fn visible(article: Article, visibility: Visibility) -> Result<(Tagged, DateTime<Utc>), ApiError> {
    if !article.visible_to(visibility) {
        return Err(ApiError::NotFound);
    }
    let modified = article.row.updated_at.and_utc();
    Ok((tagged(article, visibility)?, modified))
}

/// The article's JSON, with the translations a caller with `visibility` may read, and a
/// strong ETag naming that representation ([`Article::fingerprint`] and the
/// translations shown), the same whichever request reads or writes it.
pub(super) fn tagged(article: Article, visibility: Visibility) -> Result<Tagged, ApiError> {
    let shown = article.translations_for(visibility);
    let etag = translations::etag(&article.fingerprint(), &shown);
    let mut response = ArticleResponse::from(article);
    response.translations = Some(shown);
    Tagged::with_etag(&response, etag)
}

/// A single-article answer: `tagged` with its `Content-Language`.
pub(super) fn one_article(status: StatusCode, article: Article, visibility: Visibility) -> Reply {
    let locale = article.row.locale.clone();
    let mut response = respond::json(status, tagged(article, visibility)?);
    locales::language(&mut response, &locale);
    Ok(response)
}

/// An article read by id or by slug, with the ETag that a change sends back in `If-Match`.
#[derive(utoipa::IntoResponses)]
#[response(status = 200, description = "The article (with `fields=`, `id` and the fields named)",
    headers(("ETag" = String, description = "Strong validator; send it in If-Match to change the article (a selection's \
            is its own)"),
        ("Last-Modified" = String, description = "`updated_at` as an HTTP date (`Tue, 20 Jul 1965 20:17:00 GMT`), \
            also before 1970: an imported article keeps its dates")))]
pub struct ArticleRead(model::ArticleRead);

/// Get an article by id.
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "articles", operation_id = "get_article",
    params(("id" = i64, Path, description = "The article's id", minimum = 1),
        ("fields" = Option<String>, Query, description = "Top-level fields to return, comma-separated (`title,slug,body_html`); `id` is always there. Unknown names: 422. The selection has its own ETag.", example = "title,slug,body_html"),
        ("locale" = Option<String>, Query, description = "One of the site's locales (`FOLIO_LOCALES`): the answer is the translation of this article's group in that locale (a language switcher), else the first of `fallback` that has one; none readable: 404. Other locales: 422.", example = "fr"),
        ("fallback" = Option<String>, Query, description = "Locales to try in order after `locale`, comma-separated; needs `locale` (else 422).", example = "en")),
    responses(ArticleRead, super::responses::ReadOne,
        (status = 422, response = super::responses::Invalid)),
    security((), ("bearer" = [])))]
pub async fn get(state: Data<AppState>, caller: MaybeCaller, id: Path<i64>, req: HttpRequest) -> Reply {
    read_one(&state, &caller, &req, Target::Id(id.into_inner()))
        .await
        .map(|response| with_micropub(response, &req, &state))
}

/// An article read names the Micropub endpoint, where writing apps publish.
fn with_micropub(mut response: HttpResponse, req: &HttpRequest, state: &AppState) -> HttpResponse {
    super::micropub::discovery::advertise(&mut response, req, state);
    response
}

/// Get an article by slug.
#[utoipa::path(get, path = "/api/v1/articles/slug/{slug}", tag = "articles", operation_id = "get_article_by_slug",
    params(("slug" = String, Path, description = "The article's slug (slugs are unique per locale)"),
        ("fields" = Option<String>, Query, description = "Top-level fields to return, comma-separated (`title,slug,body_html`); `id` is always there. Unknown names: 422. The selection has its own ETag.", example = "title,slug,body_html"),
        ("locale" = Option<String>, Query, description = "One of the site's locales (`FOLIO_LOCALES`): the slug is looked up in it, then in each of `fallback` in turn. Without it, in the site's default locale only. Other locales: 422.", example = "fr"),
        ("fallback" = Option<String>, Query, description = "Locales to try in order after `locale`, comma-separated; needs `locale` (else 422).", example = "en")),
    responses(ArticleRead, super::responses::ReadOne,
        (status = 422, response = super::responses::Invalid)),
    security((), ("bearer" = [])))]
pub async fn get_by_slug(state: Data<AppState>, caller: MaybeCaller, slug: Path<String>, req: HttpRequest) -> Reply {
    read_one(&state, &caller, &req, Target::Slug(slug.into_inner()))
        .await
        .map(|response| with_micropub(response, &req, &state))
}

/// One article, if the caller may see it, all of it or the `fields` asked for, in the
/// locale asked for. The public gets the stored document (one look-up, no serialising)
/// with the translations live now; a caller who may see more gets the article built
/// from its rows. Either answer says its locale in `Content-Language`.
async fn read_one(state: &AppState, caller: &MaybeCaller, req: &HttpRequest, target: Target) -> Reply {
    let mut query = QueryReader::new(req.query_string());
    let fields = query.parsed("fields", |text| Fields::parse(text, &fields::ARTICLE));
    let (locale, fallback) = (query.text("locale"), query.text("fallback"));
    query.finish()?;
    let chain = locales::chain(&state.locales, locale, fallback)?;
    let default = state.locales.default_locale().to_owned();
    let cut = |tagged: Tagged| match &fields {
        Some(fields) => {
            Ok::<_, ApiError>(Tagged { body: fields.select(&tagged.body)?, etag: fields.etag(&tagged.etag) })
        }
        None => Ok(tagged),
    };
    let visibility = caller.visibility();
    if visibility == Visibility::Public {
        let found = match chain {
            // On PostgreSQL with the reads arriving meanwhile, in one query.
            None if state.db.is_shared() => state.public_reads.get(&state.db, target).await?,
            chain => state.look_up(move |c| locales::stored(c, &target, chain.as_deref(), &default, now())).await?,
        };
        let (document, shown) = found.ok_or(ApiError::NotFound)?;
        let body = locales::with_translations(document.json, &shown)?;
        let tagged = Tagged { body, etag: locales::etag_with(&document.etag, &shown) };
        let mut response = respond::resource_tagged(req, cut(tagged)?, document.updated_at.and_utc());
        respond::cdn_tags(&mut response, &document.cache_tags);
        locales::language(&mut response, &document.locale);
        return Ok(response);
    }
    let article = state.read(move |c| locales::found(c, &target, chain.as_deref(), &default, visibility)).await?;
    let cache_tags = article.cache_tags().join(" ");
    let locale = article.row.locale.clone();
    let (tagged, modified) = visible(article, visibility)?;
    let mut response = respond::resource_tagged(req, cut(tagged)?, modified);
    respond::cdn_tags(&mut response, &cache_tags);
    locales::language(&mut response, &locale);
    Ok(response)
}

/// The audit trail's record of a write that left `article` at its new version.
pub(super) fn changed(action: &'static str, article: &Article) -> Change {
    Change::new(action, "article", article.row.id).at_version(article.row.version)
}

/// Renders a body on a blocking thread before the write: the writer connection stays
/// free for other writes meanwhile.
pub(super) async fn render(markdown: String) -> Result<RenderedBody, ApiError> {
    web::block(move || RenderedBody::render(markdown)).await.map_err(ApiError::internal)?.map_err(ApiError::from)
}

/// On PostgreSQL, has the search vector of a rendered body made beside the other
/// requests, before its write queues for the writer's turn ([`articles::vector_ahead`]).
/// If it cannot be, the write makes it.
async fn search_ahead(state: &AppState, locale: &str, rendered: &RenderedBody) {
    if !state.db.is_shared() {
        return;
    }
    let (locale, text) = (locale.to_owned(), rendered.text().to_owned());
    if let Err(error) = state.look_up(move |c| articles::vector_ahead(c, &locale, &text)).await {
        tracing::warn!(%error, "cannot make a body's search vector ahead of its write");
    }
}

/// `If-Match`, when sent (else `None`): what the write then expects of the article, as
/// [`Expected::fingerprints`]: `*` accepts any; a weak tag never matches (the strong comparison).
/// Anything but `*` or a list of quoted entity tags is a 400.
fn if_match(req: &HttpRequest) -> Result<Option<Option<Vec<String>>>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let malformed = || ApiError::BadRequest("If-Match must be * or a list of quoted entity tags".into());
    let text = value.to_str().map_err(|_| malformed())?;
    if text.trim().is_empty() {
        return Err(malformed());
    }
    let mut strong = Vec::new();
    for tag in text.split(',').map(str::trim) {
        if tag == "*" {
            return Ok(Some(None));
        }
        let (weak, opaque) = match tag.strip_prefix("W/") {
            Some(rest) => (true, rest),
            None => (false, tag),
        };
        let quoted = opaque.len() >= 2 && opaque.starts_with('"') && opaque.ends_with('"');
        if !quoted {
            return Err(malformed());
        }
        if !weak {
            strong.push(opaque[1..opaque.len() - 1].to_owned());
        }
    }
    Ok(Some(Some(strong)))
}

/// Create an article.
#[utoipa::path(post, path = "/api/v1/articles", tag = "articles", operation_id = "create_article",
    request_body = CreateArticle,
    responses(
        (status = 201, description = "The new article", body = ArticleResponse,
            headers(("Location" = String, description = "The article's URL"), ("ETag" = String, description = "Its strong validator"))),
        (status = 404, description = "`translation_of` names no article the caller may read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken in this locale, or the translation group already holds this locale", body = Problem, content_type = "application/problem+json"),
        super::responses::BodyRefused, super::responses::NotAllowed,
    ),
    security(("bearer" = [])))]
pub async fn create(state: Data<AppState>, caller: Caller, body: Validating<CreateArticle>) -> Reply {
    let Validating { body, mut errors } = body;
    let sends_published_at = body.sends_published_at();
    let placing = body.placing(&mut errors, &state.locales);
    let content = body.validate(&mut errors);
    let content = errors.finish(content).map_err(ApiError::invalid)?;
    let actor = caller.who();
    let visibility = caller.visibility();
    policy::may_write_as(&actor, content.status)?;
    policy::may_set_published_at(&actor, sends_published_at)?;
    if let Some(original) = placing.translation_of {
        // A translation of an article the caller may not read is of none they know.
        let original = state.read(move |c| articles::find(c, original)).await?;
        if !original.visible_to(visibility) {
            return Err(ApiError::NotFound);
        }
    }
    let rendered = render(content.body_markdown.clone()).await?;
    search_ahead(&state, &placing.locale, &rendered).await;
    let prepared = content.with_body(rendered)?;
    let writer = Writer::of(&actor);
    let placement = Placement { locale: placing.locale, translation_of: placing.translation_of };
    let article = state
        .write_audited(
            caller.actor(),
            |a| changed("create", a),
            move |c| articles::create(c, writer, prepared, placement),
        )
        .await?;
    let location = format!("/api/v1/articles/{}", article.row.id);
    let locale = article.row.locale.clone();
    let mut response = respond::created_tagged(location, tagged(article, visibility)?)?;
    locales::language(&mut response, &locale);
    Ok(response)
}

/// Change an article.
#[utoipa::path(patch, path = "/api/v1/articles/{id}", tag = "articles", operation_id = "update_article",
    params(
        ("id" = i64, Path, description = "The article's id", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The article's current ETag; this or the body's `version` is required"),
    ),
    request_body = UpdateArticle,
    responses(
        (status = 200, description = "The changed article, at a new version", body = ArticleResponse,
            headers(("ETag" = String, description = "Its new strong validator"))),
        (status = 409, description = "The slug is taken in the locale, the group already holds the `locale` asked for, or `version` is stale (`current_version` says which is current)", body = Problem, content_type = "application/problem+json"),
        (status = 412, response = super::responses::PreconditionFailed),
        (status = 428, response = super::responses::PreconditionRequired),
        super::responses::BodyRefused, super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn update(
    state: Data<AppState>,
    caller: Caller,
    id: Path<i64>,
    body: Validating<UpdateArticle>,
    req: HttpRequest,
) -> Reply {
    let Validating { body, mut errors } = body;
    let (patch, version) = body.validate(&mut errors, &state.locales);
    let patch = errors.finish(patch).map_err(ApiError::invalid)?;
    let if_match = if_match(&req)?;
    if if_match.is_none() && version.is_none() {
        return Err(ApiError::PreconditionRequired);
    }
    let expected = Expected { fingerprints: if_match.flatten(), version };
    let actor = caller.who();
    policy::may_set_published_at(&actor, patch.published_at.is_some())?;
    let id = id.into_inner();
    let rendered = match (&patch.body_markdown, &patch.excerpt) {
        (Some(body), _) => Some(render(body.clone()).await?),
        // A custom excerpt cleared: it is derived from the current body again.
        (None, Some(None)) => {
            let current = state.read(move |c| articles::find(c, id)).await?;
            Some(render(current.row.body_markdown).await?)
        }
        (None, _) => None,
    };
    let article = state
        .write_audited(
            caller.actor(),
            |a| changed("update", a),
            move |c| articles::update(c, id, &actor, patch, rendered, &expected),
        )
        .await?;
    one_article(StatusCode::OK, article, caller.visibility())
}

/// Delete an article.
#[utoipa::path(delete, path = "/api/v1/articles/{id}", tag = "articles", operation_id = "delete_article",
    params(
        ("id" = i64, Path, description = "The article's id", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The article's current ETag; required (428 without it)"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = super::responses::BadRequest),
        (status = 412, response = super::responses::PreconditionFailed),
        (status = 428, response = super::responses::PreconditionRequired),
        super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn delete(state: Data<AppState>, caller: Caller, id: Path<i64>, req: HttpRequest) -> Reply {
    let expected = Expected { fingerprints: if_match(&req)?.ok_or(ApiError::PreconditionRequired)?, version: None };
    let id = id.into_inner();
    let actor = caller.who();
    state
        .write_audited(
            caller.actor(),
            move |_| Change::new("delete", "article", id),
            move |c| articles::delete(c, id, &actor, &expected),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
