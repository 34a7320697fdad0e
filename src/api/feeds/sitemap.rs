//! The sitemap (sitemaps.org 0.9): each live article's link and when it last changed, at
//! most `FOLIO_SITEMAP_URLS_PER_FILE` to a file (the protocol's limit is 50,000); past
//! that, `/sitemap.xml` is the index of the files, `/sitemaps/{n}.xml`. An article with
//! live translations lists them all, itself included, as `xhtml:link rel="alternate"
//! hreflang` (Google's localized versions), each link where the site shows it.

use actix_web::web::{Data, Path};
use actix_web::HttpRequest;
use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::formats::xml_text;
use super::{answer, etag_of, origin, FeedRefused};
use crate::api::error::{ApiError, Reply};
use crate::api::query::QueryReader;
use crate::api::state::AppState;
use crate::content::links::Links;
use crate::store::now;
use crate::store::read_model::syndication::{self, Located};

const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// The namespace of the `xhtml:link` alternates.
const XHTML: &str = "http://www.w3.org/1999/xhtml";
const CONTENT_TYPE: &str = "application/xml; charset=utf-8";
/// Part of every sitemap's ETag: raise it when the same articles come out differently.
const SITEMAP_FORMAT: &str = "sitemap/2";
/// Where the files of an index are served, below the API's origin.
const FILES: &str = "/api/v1/sitemaps/";

/// A sitemap's 200, as the operations document it.
#[derive(utoipa::IntoResponses)]
#[response(status = 200,
    description = "A `<urlset>` of articles (`<loc>`, `<lastmod>`), oldest first, every published translation with \
        its own URL; an article with live translations also has an `<xhtml:link rel=\"alternate\" hreflang=\"{locale}\" \
        href=\"{url}\"/>` for every live translation of its group, itself included. Or, from /sitemap.xml when there \
        are more than FOLIO_SITEMAP_URLS_PER_FILE, a `<sitemapindex>` of the files",
    content_type = "application/xml",
    headers(("ETag" = String, description = "Strong validator; send it in If-None-Match for a 304"),
        ("Last-Modified" = String, description = "When the newest change to one of its articles was (not on an index)")))]
#[expect(dead_code, reason = "the body type is read by the OpenAPI derive only")]
pub struct SitemapXml(String);

/// What the sitemap answers besides 200.
#[derive(utoipa::IntoResponses)]
pub enum SitemapRefused {
    #[response(status = 304, description = "Not modified (If-None-Match)")]
    NotModified,
    #[response(status = 422)]
    Invalid(#[ref_response] crate::api::responses::Invalid),
}

/// The sitemap, or the index of its files.
#[utoipa::path(get, path = "/api/v1/sitemap.xml", tag = "feeds", operation_id = "sitemap",
    responses(SitemapXml, SitemapRefused), security(()))]
pub async fn sitemap(state: Data<AppState>, req: HttpRequest) -> Reply {
    QueryReader::new(req.query_string()).finish()?;
    let per_file = state.sitemap_urls_per_file;
    let (total, located) = state
        .read(move |c| {
            let now = now();
            let total = syndication::live_count(c, now)?;
            let located = if total <= per_file { syndication::located(c, 0, per_file, now)? } else { Vec::new() };
            Ok((total, located))
        })
        .await?;
    let origin = origin(&req, &state.trusted_proxies);
    if total <= per_file {
        return urlset(&req, &state, &origin, 1, &located);
    }
    let files = files(total, per_file);
    let etag = etag_of([SITEMAP_FORMAT, "index", &origin, &files.to_string()]);
    answer(&req, etag, CONTENT_TYPE, || Ok((index(&origin, files)?, None)))
}

/// One file of the sitemap: its articles, oldest first. Past the last file: 404.
#[utoipa::path(get, path = "/api/v1/sitemaps/{n}.xml", tag = "feeds", operation_id = "sitemap_file",
    params(("n" = i64, Path, description = "The file's number, from 1", minimum = 1)),
    responses(SitemapXml, FeedRefused), security(()))]
pub async fn sitemap_file(state: Data<AppState>, n: Path<i64>, req: HttpRequest) -> Reply {
    QueryReader::new(req.query_string()).finish()?;
    let (n, per_file) = (n.into_inner(), state.sitemap_urls_per_file);
    if n < 1 {
        return Err(ApiError::NotFound);
    }
    let (total, located) = state
        .read(move |c| {
            let now = now();
            let total = syndication::live_count(c, now)?;
            let skip = (n - 1).saturating_mul(per_file);
            let located = if skip < total { syndication::located(c, skip, per_file, now)? } else { Vec::new() };
            Ok((total, located))
        })
        .await?;
    if n > files(total, per_file) {
        return Err(ApiError::NotFound);
    }
    urlset(&req, &state, &origin(&req, &state.trusted_proxies), n, &located)
}

/// How many files `total` articles take; one, empty, when there are none.
fn files(total: i64, per_file: i64) -> i64 {
    ((total + per_file - 1) / per_file).max(1)
}

/// File `n`, of `located`, answered with its ETag and `Last-Modified`.
fn urlset(req: &HttpRequest, state: &AppState, origin: &str, n: i64, located: &[Located]) -> Reply {
    let (settings, file) = (state.links.settings(), format!("{n}/{}", state.sitemap_urls_per_file));
    let parts = [SITEMAP_FORMAT, "urlset", origin, &settings, &file];
    // Each article's ETag, then its live alternates' (which ones, and how each is linked):
    // an alternate's change, or its going live, changes the file of every sibling.
    let rows = located.iter().flat_map(|row| {
        let alternates = row.alternates.iter().map(|alternate| alternate.etag.as_str());
        std::iter::once(row.etag.as_str()).chain(alternates).chain(std::iter::once("/"))
    });
    let etag = etag_of(parts.into_iter().chain(rows));
    answer(req, etag, CONTENT_TYPE, || {
        let alternates = located.iter().flat_map(|row| row.alternates.iter().map(|alternate| alternate.updated_at));
        let modified = located.iter().map(|row| row.updated_at).chain(alternates).max().map(|at| at.and_utc());
        Ok((write_urlset(&state.links, origin, located)?, modified))
    })
}

fn w3c_datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn written(result: std::io::Result<()>) -> Result<(), ApiError> {
    result.map_err(|err| ApiError::internal(anyhow::Error::new(err).context("writing the sitemap")))
}

/// `<?xml …?>` then `<name xmlns=… {attributes}>` holding what `inner` writes.
fn document(
    name: &str,
    attributes: &[(&str, &str)],
    inner: impl FnOnce(&mut Writer<Vec<u8>>) -> std::io::Result<()>,
) -> Result<Vec<u8>, ApiError> {
    let mut writer = Writer::new(Vec::new());
    written(writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))))?;
    let element = writer.create_element(name).with_attribute(("xmlns", NAMESPACE));
    written(element.with_attributes(attributes.iter().copied()).write_inner_content(inner).map(|_| ()))?;
    Ok(writer.into_inner())
}

fn write_urlset(links: &Links, origin: &str, located: &[Located]) -> Result<Vec<u8>, ApiError> {
    document("urlset", &[("xmlns:xhtml", XHTML)], |w| {
        for row in located {
            let link = links.article(origin, row.section.as_deref(), &row.slug, &row.locale);
            w.create_element("url").write_inner_content(|w| {
                w.create_element("loc").write_text_content(BytesText::new(&xml_text(&link)))?;
                w.create_element("lastmod")
                    .write_text_content(BytesText::new(&w3c_datetime(row.updated_at.and_utc())))?;
                for alternate in &row.alternates {
                    let href = links.article(origin, alternate.section.as_deref(), &alternate.slug, &alternate.locale);
                    w.create_element("xhtml:link")
                        .with_attributes([
                            ("rel", "alternate"),
                            ("hreflang", alternate.locale.as_str()),
                            ("href", xml_text(&href).as_ref()),
                        ])
                        .write_empty()?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })
}

fn index(origin: &str, files: i64) -> Result<Vec<u8>, ApiError> {
    document("sitemapindex", &[], |w| {
        for n in 1..=files {
            let loc = format!("{origin}{FILES}{n}.xml");
            w.create_element("sitemap").write_inner_content(|w| {
                w.create_element("loc").write_text_content(BytesText::new(&xml_text(&loc)))?;
                Ok(())
            })?;
        }
        Ok(())
    })
}
