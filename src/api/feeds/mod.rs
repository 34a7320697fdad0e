//! Feeds of the newest published articles (RSS 2.0, Atom 1.0, JSON Feed 1.1) and the
//! sitemap, for feed readers, search engines and the sites that link them. Both are made
//! from the read model (the stored documents of live articles), and link each article
//! where the site shows it ([`crate::content::links`]).

mod formats;
pub mod sitemap;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use self::formats::{Entry, Feed};
use super::articles::locales::configured;
use super::error::{problem, ApiError, Reply};
use super::query::{FromQuery, Query, QueryReader};
use super::respond::{self, client_has};
use super::state::AppState;
use crate::content::links::Links;
use crate::proxies::TrustedProxies;
use crate::store::now;
use crate::store::read_model::syndication::{self, Newest, Unknown};

/// Articles in a feed: the newest this many.
const ITEMS: i64 = 20;
/// Part of every feed's ETag: raise it when the same articles come out differently, so
/// that clients holding the old bytes fetch the new.
const FEED_FORMAT: &str = "feed/2";

/// `section`, `tag` and `locale` of every feed.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// A section's slug: only articles in it or in a section below it. Unknown: 404.
    #[param(min_length = 1)]
    section: Option<String>,
    /// A tag's slug: only articles carrying it. Unknown: 404.
    #[param(min_length = 1)]
    tag: Option<String>,
    /// One of the site's locales (`FOLIO_LOCALES`, compared case-insensitively): only articles in it, and
    /// the feed says it as its language (RSS `<language>`, Atom `xml:lang`, JSON Feed `language`); a
    /// section's or tag's name in the title is its name in that locale where it has one. Without it, the
    /// feed lists every locale and says the site's default locale as its language only when every
    /// article it lists is in that locale (an empty feed says it too), else no language. Other locales: 422.
    #[param(value_type = Option<String>, example = "fr")]
    locale: Option<String>,
}

impl FromQuery for FeedParams {
    fn read(q: &mut QueryReader) -> Self {
        let mut slug = |name: &str| {
            q.parsed(name, |text| match text {
                "" => Err("must not be empty".to_owned()),
                slug => Ok(slug.to_owned()),
            })
        };
        let (section, tag) = (slug("section"), slug("tag"));
        Self { section, tag, locale: q.text("locale") }
    }
}

/// A feed's 200, as the operations document it: `$format` served as `$content_type`.
macro_rules! feed_response {
    ($name:ident, $format:literal, $content_type:literal, $body:ty) => {
        #[derive(utoipa::IntoResponses)]
        #[response(status = 200, description = concat!("The 20 newest published articles as ", $format,
                        ", each with its HTML body, newest first"),
                    content_type = $content_type,
                    headers(("ETag" = String, description = "Strong validator; send it in If-None-Match for a 304"),
                        ("Last-Modified" = String, description = "When the newest change to one of its articles was")))]
        #[expect(dead_code, reason = "the body type is read by the OpenAPI derive only")]
        pub struct $name($body);
    };
}

feed_response!(RssFeed, "RSS 2.0", "application/rss+xml", String);
feed_response!(AtomFeed, "Atom 1.0", "application/atom+xml", String);
// A JSON document (https://jsonfeed.org/version/1.1), not a string.
feed_response!(JsonFeed, "JSON Feed 1.1", "application/feed+json", serde_json::Value);

/// What a feed or sitemap answers besides 200.
#[derive(utoipa::IntoResponses)]
pub enum FeedRefused {
    #[response(status = 304, description = "Not modified (If-None-Match)")]
    NotModified,
    #[response(status = 404)]
    NotFound(#[ref_response] super::responses::NotFound),
    #[response(status = 422)]
    Invalid(#[ref_response] super::responses::Invalid),
}

/// The newest articles as RSS 2.0.
#[utoipa::path(get, path = "/api/v1/feeds/articles.rss", tag = "feeds", operation_id = "feed_rss",
    params(FeedParams), responses(RssFeed, FeedRefused), security(()))]
pub async fn rss(state: Data<AppState>, params: Query<FeedParams>, req: HttpRequest) -> Reply {
    serve(&state, params.0, &req, Format::Rss).await
}

/// The newest articles as Atom 1.0.
#[utoipa::path(get, path = "/api/v1/feeds/articles.atom", tag = "feeds", operation_id = "feed_atom",
    params(FeedParams), responses(AtomFeed, FeedRefused), security(()))]
pub async fn atom(state: Data<AppState>, params: Query<FeedParams>, req: HttpRequest) -> Reply {
    serve(&state, params.0, &req, Format::Atom).await
}

/// The newest articles as JSON Feed 1.1.
#[utoipa::path(get, path = "/api/v1/feeds/articles.json", tag = "feeds", operation_id = "feed_json",
    params(FeedParams), responses(JsonFeed, FeedRefused), security(()))]
pub async fn json(state: Data<AppState>, params: Query<FeedParams>, req: HttpRequest) -> Reply {
    serve(&state, params.0, &req, Format::Json).await
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Self::Rss => "application/rss+xml; charset=utf-8",
            Self::Atom => "application/atom+xml; charset=utf-8",
            Self::Json => "application/feed+json",
        }
    }

    fn write(self, feed: &Feed) -> Result<Vec<u8>, ApiError> {
        match self {
            Self::Rss => formats::rss(feed),
            Self::Atom => formats::atom(feed),
            Self::Json => formats::json(feed),
        }
    }
}

/// The scheme and host the request reached the API at (`https://api.example`): where
/// links point without a site, and where the feeds are. `Forwarded` and
/// `X-Forwarded-Host`/`-Proto` are believed from a trusted proxy only
/// (`FOLIO_TRUSTED_PROXIES`): from anyone else they would let a client choose the links
/// a CDN then caches for everybody.
pub fn origin(req: &HttpRequest, proxies: &TrustedProxies) -> String {
    if req.peer_addr().is_some_and(|peer| proxies.trusts(peer.ip())) {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let config = req.app_config();
    let host = req.headers().get(header::HOST).and_then(|host| host.to_str().ok()).unwrap_or(config.host());
    format!("{}://{host}", if config.secure() { "https" } else { "http" })
}

/// The host that names the site in a feed's title and its entries' ids: the site's, or
/// without one the API's (`origin`'s, without a port).
fn site_host(links: &Links, origin: &str) -> String {
    match links.site_host() {
        Some(host) => host.to_owned(),
        None => url::Url::parse(origin)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| origin.split_once("://").map_or(origin, |(_, host)| host).to_owned()),
    }
}

/// A strong ETag: a hash of `parts`, each ended so that no two lists hash alike.
pub fn etag_of<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let hex: String = hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// A 304 when the client holds `etag` already, with nothing written; else 200 with the
/// body `write` makes, as `content_type`, with the ETag and, when `write` knows it,
/// `Last-Modified`.
pub fn answer(
    req: &HttpRequest,
    etag: String,
    content_type: &'static str,
    write: impl FnOnce() -> Result<(Vec<u8>, Option<DateTime<Utc>>), ApiError>,
) -> Reply {
    let mut response = if client_has(req, &etag) {
        HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish()
    } else {
        let (body, modified) = write()?;
        let mut response = HttpResponse::Ok().content_type(content_type).insert_header((header::ETAG, etag)).body(body);
        if let Some(date) = modified.and_then(respond::http_date).and_then(|date| HeaderValue::try_from(date).ok()) {
            response.headers_mut().insert(header::LAST_MODIFIED, date);
        }
        response
    };
    // Any article's change may change a feed or a sitemap, and every article event names `articles`.
    respond::cdn_tags(&mut response, "articles");
    Ok(response)
}

/// What a feed shows of an article's stored document.
#[derive(Debug, Deserialize)]
struct Stored {
    id: i64,
    slug: String,
    locale: String,
    title: String,
    excerpt: String,
    published_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    section: Option<SectionSlug>,
    tags: Vec<TagName>,
    author: Author,
    cover_image: Option<Cover>,
    body_html: String,
}

#[derive(Debug, Deserialize)]
struct SectionSlug {
    slug: String,
}

#[derive(Debug, Deserialize)]
struct TagName {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Author {
    display_name: String,
}

#[derive(Debug, Deserialize)]
struct Cover {
    url: String,
}

/// One feed: its articles read, its ETag compared before any is parsed or written.
async fn serve(state: &AppState, params: FeedParams, req: &HttpRequest, format: Format) -> Reply {
    let locale = match params.locale.as_deref() {
        Some(text) => Some(configured(&state.locales, text).map_err(|why| ApiError::invalid_field("locale", why))?),
        None => None,
    };
    let (section, tag, asked) = (params.section.clone(), params.tag.clone(), locale.clone());
    let found = state
        .read(move |c| syndication::newest(c, section.as_deref(), tag.as_deref(), asked.as_deref(), ITEMS, now()))
        .await?;
    let newest = match found {
        Ok(newest) => newest,
        Err(Unknown::Section) => {
            let slug = params.section.unwrap_or_default();
            return Ok(problem(StatusCode::NOT_FOUND, format!("no section has the slug '{slug}'")));
        }
        Err(Unknown::Tag) => {
            let slug = params.tag.unwrap_or_default();
            return Ok(problem(StatusCode::NOT_FOUND, format!("no tag has the slug '{slug}'")));
        }
    };
    let origin = origin(req, &state.trusted_proxies);
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in [("section", &params.section), ("tag", &params.tag), ("locale", &locale)] {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    let query = query.finish();
    let self_url = match query.as_str() {
        "" => format!("{origin}{}", req.path()),
        query => format!("{origin}{}?{query}", req.path()),
    };
    let settings = state.links.settings();
    let names = [newest.section.as_deref().unwrap_or_default(), newest.tag.as_deref().unwrap_or_default()];
    // The language said follows from the locale asked for, or from the items' locales
    // (their ETags) and the default.
    let default = state.locales.default_locale();
    let parts = [FEED_FORMAT, format.content_type(), &settings, &self_url, names[0], names[1], default];
    let etag = etag_of(parts.into_iter().chain(newest.items.iter().map(|item| item.etag.as_str())));
    answer(req, etag, format.content_type(), || {
        let feed =
            feed(&state.links, &origin, self_url, locale.as_deref().unwrap_or(default), locale.is_some(), newest)?;
        let modified = (!feed.entries.is_empty()).then_some(feed.updated);
        Ok((format.write(&feed)?, modified))
    })
}

/// The feed of `newest`, its links and ids made for `origin`, in `language`: the locale
/// asked for (`asked`), or the site's default, said only when every entry is in it.
fn feed(
    links: &Links,
    origin: &str,
    self_url: String,
    language: &str,
    asked: bool,
    newest: Newest,
) -> Result<Feed, ApiError> {
    let host = site_host(links, origin);
    let mut entries = Vec::with_capacity(newest.items.len());
    let mut all_in_language = true;
    for item in &newest.items {
        let stored: Stored = serde_json::from_str(&item.json)
            .map_err(|err| ApiError::internal(anyhow::Error::new(err).context("reading a stored article")))?;
        all_in_language &= stored.locale == language;
        entries.push(Entry {
            // RFC 4151: the site's name on a day it held it (the article's first), and the
            // article's id, which no edit changes.
            id: format!("tag:{host},{}:article:{}", stored.created_at.format("%Y-%m-%d"), stored.id),
            link: links.article(origin, stored.section.as_ref().map(|s| s.slug.as_str()), &stored.slug, &stored.locale),
            title: stored.title,
            summary: stored.excerpt,
            html: stored.body_html,
            published: stored.published_at.unwrap_or(stored.updated_at),
            updated: stored.updated_at,
            author: stored.author.display_name,
            categories: stored.tags.into_iter().map(|tag| tag.name).collect(),
            // A media item's file is served by this API: absolute from its origin.
            image: stored.cover_image.map(|cover| match cover.url.starts_with('/') {
                true => format!("{origin}{}", cover.url),
                false => cover.url,
            }),
        });
    }
    let narrowed = match (&newest.section, &newest.tag) {
        (None, None) => String::new(),
        (Some(section), None) => format!(" in {section}"),
        (None, Some(tag)) => format!(" tagged {tag}"),
        (Some(section), Some(tag)) => format!(" in {section} tagged {tag}"),
    };
    Ok(Feed {
        title: format!("Articles{narrowed} on {host}"),
        description: format!("The newest articles{narrowed} on {host}"),
        home: links.home(origin),
        self_url,
        language: (asked || all_in_language).then(|| language.to_owned()),
        // A feed with no article has not changed since there was none: a fixed date keeps
        // its bytes, and so its ETag, the same.
        updated: entries.iter().map(|entry| entry.updated).max().unwrap_or(DateTime::UNIX_EPOCH),
        entries,
    })
}
