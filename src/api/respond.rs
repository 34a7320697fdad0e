//! Response helpers: strong ETags with 304s, and paginated lists with their headers.

use actix_web::body::MessageBody;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::error::{ApiError, Reply};
use crate::store::articles::StoredHit;
use crate::store::{Page, PageRequest};

/// Pagination facts of a list response.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct PageMeta {
    /// The 1-based page number returned.
    #[schema(example = 1)]
    pub page: i64,
    /// Items per page asked for (1 to 100, default 20).
    #[schema(example = 20)]
    pub per_page: i64,
    /// Items matching, on all pages.
    #[schema(example = 45)]
    pub total: i64,
    /// Pages in all; 0 when nothing matches.
    #[schema(example = 3)]
    pub total_pages: i64,
}

/// Pagination facts of an article list: a page's, and where the next one starts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticlePageMeta {
    /// The 1-based page number returned (with `cursor`: the page it would have by number).
    #[schema(example = 1)]
    pub page: i64,
    /// Items per page asked for (1 to 100, default 20).
    #[schema(example = 20)]
    pub per_page: i64,
    /// Items matching, on all pages.
    #[schema(example = 45)]
    pub total: i64,
    /// Pages in all; 0 when nothing matches.
    #[schema(example = 3)]
    pub total_pages: i64,
    /// Pass as `cursor` for the next page (same filters and `sort`); null on the last page.
    #[schema(
        required = true,
        example = "eyJvIjoiLXB1Ymxpc2hlZF9hdCIsImsiOnsiQXQiOnsiYXQiOiIyMDI0LTA1LTIzVDAwOjAwOjAwIiwiaWQiOjEyfX19"
    )]
    pub next_cursor: Option<String>,
}

impl ArticlePageMeta {
    /// The facts of a page with `before` items before it, of `total` in all.
    pub fn new(per_page: i64, total: i64, before: i64, next_cursor: Option<String>) -> Self {
        let PageMeta { total_pages, .. } = meta(PageRequest { page: 1, per_page }, total);
        Self { page: before / per_page.max(1) + 1, per_page, total, total_pages, next_cursor }
    }

    fn numbered(&self) -> PageMeta {
        PageMeta { page: self.page, per_page: self.per_page, total: self.total, total_pages: self.total_pages }
    }
}

/// The serialised body and its strong ETag (a hash of exactly those bytes).
pub struct Tagged {
    pub body: Vec<u8>,
    pub etag: String,
}

pub fn tagged(value: &impl Serialize) -> Result<Tagged, ApiError> {
    let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
    let digest = Sha256::digest(&body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    Ok(Tagged { body, etag: format!("\"{hex}\"") })
}

impl Tagged {
    /// `value` serialised, with an ETag the caller derived from what identifies it
    /// (quoted, and changing whenever these bytes would).
    pub fn with_etag(value: &impl Serialize, etag: String) -> Result<Self, ApiError> {
        Ok(Self { body: serde_json::to_vec(value).map_err(ApiError::internal)?, etag })
    }
}

/// Whether an `If-None-Match` list names `etag`: the weak comparison (RFC 9110 §13.1.2),
/// so a `W/` prefix that a compressing proxy added still matches.
pub fn etag_matches_weakly(header_value: &str, etag: &str) -> bool {
    header_value
        .split(',')
        .map(|candidate| candidate.trim().trim_start_matches("W/"))
        .any(|candidate| candidate == "*" || candidate == etag)
}

/// Whether the request's `If-None-Match` names `etag`: the client has that body already.
pub fn client_has(req: &HttpRequest, etag: &str) -> bool {
    req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| etag_matches_weakly(v, etag))
}

/// A 200 JSON response with its ETag, or a bodiless 304 when the client has it already.
pub fn ok_with_etag(req: &HttpRequest, value: &impl Serialize) -> Reply {
    Ok(ok_tagged(req, tagged(value)?))
}

/// A 200 JSON response of `tagged`, or a bodiless 304 when the client has it already.
fn ok_tagged(req: &HttpRequest, tagged: Tagged) -> HttpResponse {
    if client_has(req, &tagged.etag) {
        return not_modified(tagged.etag);
    }
    json(StatusCode::OK, tagged)
}

/// A single resource: 200 with its ETag and `Last-Modified`, or 304.
pub fn resource(req: &HttpRequest, value: &impl Serialize, modified: DateTime<Utc>) -> Reply {
    Ok(resource_tagged(req, tagged(value)?, modified))
}

/// Like [`resource`], for a body tagged already.
pub fn resource_tagged(req: &HttpRequest, tagged: Tagged, modified: DateTime<Utc>) -> HttpResponse {
    let mut response = ok_tagged(req, tagged);
    if let Some(value) = http_date(modified).and_then(|date| HeaderValue::try_from(date).ok()) {
        response.headers_mut().insert(header::LAST_MODIFIED, value);
    }
    response
}

/// `at` as an HTTP date (IMF-fixdate, RFC 9110 §5.6.7: `Tue, 20 Jul 1965 20:17:00 GMT`),
/// which has a four-digit year; `None` outside the years 0001–9999, which nothing stores.
/// Formatted here because `httpdate` panics on a date before 1970, and an imported
/// article keeps the dates it had; field by field, as chrono's `format` reads its
/// pattern again at every call (2 % of a read by slug's CPU).
pub fn http_date(at: DateTime<Utc>) -> Option<String> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    (1..=9999).contains(&at.year()).then(|| {
        let (day, month) = (DAYS[at.weekday().num_days_from_monday() as usize], MONTHS[at.month0() as usize]);
        let (date, year, hour, minute, second) = (at.day(), at.year(), at.hour(), at.minute(), at.second());
        format!("{day}, {date:02} {month} {year:04} {hour:02}:{minute:02}:{second:02} GMT")
    })
}

/// A JSON response of `status` carrying the ETag of its body.
pub fn json(status: StatusCode, tagged: Tagged) -> HttpResponse {
    json_body(status, tagged.body, tagged.etag)
}

fn json_body(status: StatusCode, body: impl MessageBody + 'static, etag: String) -> HttpResponse {
    HttpResponse::build(status).content_type("application/json").insert_header((header::ETAG, etag)).body(body)
}

/// 304 Not Modified: the client has the representation tagged `etag`.
fn not_modified(etag: String) -> HttpResponse {
    HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish()
}

/// 201 Created with `Location` and the new resource.
pub fn created(location: String, value: &impl Serialize) -> Reply {
    created_tagged(location, tagged(value)?)
}

/// Like [`created`], for a body tagged already.
pub fn created_tagged(location: String, tagged: Tagged) -> Reply {
    let mut response = json(StatusCode::CREATED, tagged);
    let location = HeaderValue::try_from(location).map_err(ApiError::internal)?;
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

pub fn meta(page: PageRequest, total: i64) -> PageMeta {
    let total_pages = if total == 0 { 0 } else { (total - 1) / page.per_page + 1 };
    PageMeta { page: page.page, per_page: page.per_page, total, total_pages }
}

/// The request's URL with `name` set to `value` and `page` and `cursor` dropped, other
/// parameters kept as sent.
fn url_with(req: &HttpRequest, name: &str, value: &str) -> String {
    let mut parts: Vec<String> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !matches!(p.split('=').next(), Some("page" | "cursor")))
        .map(str::to_owned)
        .collect();
    parts.push(format!("{name}={value}"));
    format!("{}?{}", req.path(), parts.join("&"))
}

/// The request's URL with `page` set to `n`, other parameters kept as sent.
fn page_url(req: &HttpRequest, n: i64) -> String {
    url_with(req, "page", &n.to_string())
}

/// A list body `{data, meta}` with `X-Total-Count` and an RFC 8288 `Link` header.
pub fn list(req: &HttpRequest, body: &impl Serialize, meta: &PageMeta) -> Reply {
    Ok(list_tagged(req, tagged(body)?, meta, Next::Numbered))
}

/// An article list `body` with its `meta`, answered as [`list`] does; `Link rel="next"`
/// names the next page by cursor when the request came `by_cursor`.
pub fn article_list(req: &HttpRequest, body: &impl Serialize, meta: &ArticlePageMeta, by_cursor: bool) -> Reply {
    Ok(list_tagged(req, tagged(body)?, &meta.numbered(), Next::after(meta, by_cursor)))
}

/// How a list's `Link` header points at its next page.
#[derive(Clone, Copy)]
enum Next<'a> {
    /// By number: `page` plus one.
    Numbered,
    /// The request came by cursor: the next page is this cursor's, if any. A page found
    /// by position has no `prev`.
    Cursor(Option<&'a str>),
}

impl<'a> Next<'a> {
    /// How an article list's page links its next: by cursor when the request came by one.
    fn after(meta: &'a ArticlePageMeta, by_cursor: bool) -> Self {
        match by_cursor {
            true => Self::Cursor(meta.next_cursor.as_deref()),
            false => Self::Numbered,
        }
    }
}

/// Like [`list`], for a body tagged already.
fn list_tagged(req: &HttpRequest, tagged: Tagged, meta: &PageMeta, next: Next) -> HttpResponse {
    with_links(req, ok_tagged(req, tagged), meta, next)
}

/// `response` to a list's page, with the page's `Link`s and `X-Total-Count`.
fn with_links(req: &HttpRequest, mut response: HttpResponse, meta: &PageMeta, next: Next) -> HttpResponse {
    let last = meta.total_pages.max(1);
    let mut links = vec![format!("<{}>; rel=\"first\"", page_url(req, 1))];
    match next {
        Next::Numbered => {
            if meta.page > 1 {
                links.push(format!("<{}>; rel=\"prev\"", page_url(req, (meta.page - 1).min(last))));
            }
            if meta.page < meta.total_pages {
                links.push(format!("<{}>; rel=\"next\"", page_url(req, meta.page + 1)));
            }
        }
        Next::Cursor(Some(cursor)) => links.push(format!("<{}>; rel=\"next\"", url_with(req, "cursor", cursor))),
        Next::Cursor(None) => {}
    }
    links.push(format!("<{}>; rel=\"last\"", page_url(req, last)));
    let headers = response.headers_mut();
    headers.insert(header::HeaderName::from_static("x-total-count"), HeaderValue::from(meta.total));
    if let Ok(link) = HeaderValue::try_from(links.join(", ")) {
        headers.insert(header::LINK, link);
    }
    response
}

/// The page of `found` that the request asked for: each item made a `T`, wrapped with the
/// page's facts into the list body by `wrap`, answered as [`list`] does.
pub fn page<I, T: From<I>, L: Serialize>(
    req: &HttpRequest,
    page: PageRequest,
    found: Page<I>,
    wrap: impl FnOnce(Vec<T>, PageMeta) -> L,
) -> Reply {
    let meta = meta(page, found.total);
    let body = wrap(found.items.into_iter().map(T::from).collect(), meta);
    list(req, &body, &meta)
}

/// A page of stored items answered as [`list`] does (see [`StoredPage`]).
pub fn stored_page(req: &HttpRequest, meta: &ArticlePageMeta, found: Page<StoredHit>, by_cursor: bool) -> Reply {
    let page = StoredPage::new(meta.clone(), found, by_cursor)?;
    Ok(page.answer(req))
}

/// A page of a list of stored items, as answered: the body `{"data": […], "meta": {…}}`
/// put together from the items' stored JSON (a search's snippet added to each), and
/// its strong ETag from what names those bytes: each item's ETag and snippet, and the
/// page's facts. Nothing is serialised but the facts and the snippets. The public's
/// pages are kept ([`crate::store::read_model::kept`]) and answered again as they are.
pub struct StoredPage {
    /// The body, shared by every answer that sends it.
    body: actix_web::web::Bytes,
    etag: String,
    meta: ArticlePageMeta,
    /// The request came by cursor: `Link` names the next page by cursor too.
    by_cursor: bool,
}

impl StoredPage {
    pub fn new(meta: ArticlePageMeta, found: Page<StoredHit>, by_cursor: bool) -> Result<Self, ApiError> {
        let meta_json = serde_json::to_vec(&meta).map_err(ApiError::internal)?;
        let size: usize = found.items.iter().map(|item| item.json.len() + 64).sum();
        let mut body = Vec::with_capacity(size + meta_json.len() + 32);
        let mut hash = Sha256::new();
        hash.update(b"stored list/1");
        hash.update(&meta_json);
        body.extend_from_slice(b"{\"data\":[");
        for (i, item) in found.items.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            hash.update(item.etag.as_bytes());
            match &item.snippet {
                Some(snippet) => {
                    let at = body.len();
                    with_snippet(&mut body, &item.json, snippet)?;
                    hash.update(&body[at..]);
                }
                None => {
                    hash.update(b"-");
                    body.extend_from_slice(item.json.as_bytes());
                }
            }
        }
        body.extend_from_slice(b"],\"meta\":");
        body.extend_from_slice(&meta_json);
        body.push(b'}');
        let etag: String = hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
        Ok(Self { body: body.into(), etag: format!("\"{etag}\""), meta, by_cursor })
    }

    /// The answer to `req`: 200 with the page, or 304 when the client has it.
    pub fn answer(&self, req: &HttpRequest) -> HttpResponse {
        let response = match client_has(req, &self.etag) {
            true => not_modified(self.etag.clone()),
            false => json_body(StatusCode::OK, self.body.clone(), self.etag.clone()),
        };
        with_links(req, response, &self.meta.numbered(), Next::after(&self.meta, self.by_cursor))
    }

    /// The bytes it holds, near enough.
    pub fn size(&self) -> usize {
        std::mem::size_of::<Self>() + self.body.len() + self.etag.len() + 256
    }
}

/// Names what `response` shows for a CDN to purge by (`tags` space-separated, e.g.
/// `article-12 section-3 tag-7`): `Surrogate-Key` as Fastly reads it (space-separated),
/// `Cache-Tag` as Cloudflare does (comma-separated). Webhook payloads carry the same
/// names in `cache_tags`.
pub fn cdn_tags(response: &mut HttpResponse, tags: &str) {
    let comma_separated = tags.split_whitespace().collect::<Vec<_>>().join(",");
    let headers = response.headers_mut();
    if let (Ok(space), Ok(comma)) = (HeaderValue::try_from(tags), HeaderValue::try_from(comma_separated)) {
        headers.insert(header::HeaderName::from_static("surrogate-key"), space);
        headers.insert(header::HeaderName::from_static("cache-tag"), comma);
    }
}

/// Writes the stored item `json` with `snippet` added to it into `out`.
pub fn with_snippet(out: &mut Vec<u8>, json: &str, snippet: &str) -> Result<(), ApiError> {
    let open =
        json.strip_suffix('}').ok_or_else(|| ApiError::internal(anyhow::anyhow!("a stored item is not an object")))?;
    out.extend_from_slice(open.as_bytes());
    out.extend_from_slice(b",\"snippet\":");
    serde_json::to_writer(&mut *out, snippet).map_err(ApiError::internal)?;
    out.push(b'}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_cover_every_year_a_date_may_have_and_nothing_else() {
        let date = |text: &str| http_date(text.parse().unwrap_or_default());
        assert_eq!(date("1965-07-20T20:17:00Z").as_deref(), Some("Tue, 20 Jul 1965 20:17:00 GMT"));
        assert_eq!(date("2024-05-23T00:00:00Z").as_deref(), Some("Thu, 23 May 2024 00:00:00 GMT"));
        assert_eq!(date("0001-01-01T00:00:00Z").as_deref(), Some("Mon, 01 Jan 0001 00:00:00 GMT"));
        assert_eq!(date("9999-12-31T23:59:59.999Z").as_deref(), Some("Fri, 31 Dec 9999 23:59:59 GMT"));
        // Every weekday and month, each field at its widest and narrowest, as chrono writes it.
        let mut at =
            chrono::NaiveDate::from_ymd_opt(1, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|at| at.and_utc());
        while let Some(now) = at.filter(|at| at.year() <= 9999) {
            assert_eq!(http_date(now), Some(now.format("%a, %d %b %Y %H:%M:%S GMT").to_string()));
            at = now.checked_add_signed(chrono::TimeDelta::seconds(86_400 * 37 + 3_600 * 5 + 60 * 7 + 13));
        }
        let outside = |year: i32| chrono::NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        for year in [0, -1, 10_000] {
            let at = outside(year).map(|at| at.and_utc());
            assert_eq!(at.and_then(http_date), None, "{year}");
        }
    }
}
