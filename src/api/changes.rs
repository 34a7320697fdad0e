//! `GET /changes`: what changed in public content since a cursor, for a static-site
//! build or a cache that fetches only what changed ([`crate::store::changes`]).

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Data;
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, Reply};
use super::query::{FromQuery, Query, QueryReader};
use super::respond;
use super::state::AppState;
use crate::store::changes::{self, Change};
use crate::store::now;

/// Changes per page unless `limit` says otherwise, and the most it may say.
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1_000;

/// Where a reader of the feed stands: after event `sequence`, having seen every event
/// up to `as_of`. A cursor older than the events kept may have missed some.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    sequence: i64,
    as_of: i64,
}

impl Cursor {
    fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("c1.{}.{}", self.sequence, self.as_of))
    }

    fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let text = std::str::from_utf8(&bytes).ok()?;
        let mut parts = text.strip_prefix("c1.")?.split('.');
        let sequence = parts.next()?.parse().ok().filter(|s| *s >= 0)?;
        let as_of = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some(Self { sequence, as_of })
    }
}

/// Query parameters of the changes feed.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// The `next_cursor` of an earlier answer; absent: from the oldest change kept.
    #[param(value_type = Option<String>)]
    since: Option<Cursor>,
    /// Changes per page, 1 to 1000.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, default = 100)]
    limit: i64,
}

impl FromQuery for ChangesParams {
    fn read(q: &mut QueryReader) -> Self {
        let since = q.parsed("since", |text| {
            Cursor::decode(text).ok_or_else(|| "must be a next_cursor this API gave".to_owned())
        });
        Self { since, limit: q.int("limit", 1, MAX_LIMIT).unwrap_or(DEFAULT_LIMIT) }
    }
}

/// One change of public content.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeItem {
    /// Its place in the order of all changes: later changes have greater numbers.
    #[schema(example = 1041)]
    pub sequence: i64,
    /// The webhook event's type, except `article.removed`: an article the public could
    /// read no longer is (unpublished, archived, rescheduled ahead, or deleted).
    #[schema(example = "article.published")]
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `article`, `section`, `tag` or `media`.
    #[schema(example = "article")]
    pub resource: &'static str,
    #[schema(example = 12)]
    pub id: i64,
    /// The slug it has after the change (before it, when removed or deleted); empty for media, which have none.
    #[schema(example = "dry-needling")]
    pub slug: String,
    /// An article's locale (one of `FOLIO_LOCALES`, canonical case): with `slug`, what names it, as slugs are
    /// unique per locale; null for sections, tags and media.
    #[schema(example = "en", required = true)]
    pub locale: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl ChangeItem {
    /// `change` as the feed shows it; an article change recorded before articles had
    /// locales is in `default`, the locale every such article was given.
    fn new(change: Change, default: &str) -> Self {
        let resource = change.kind.resource();
        let locale = match change.locale {
            None if resource == "article" => Some(default.to_owned()),
            locale => locale,
        };
        Self {
            sequence: change.sequence,
            kind: change.kind.as_str(),
            resource,
            id: change.id,
            slug: change.slug,
            locale,
            occurred_at: change.occurred_at.and_utc(),
        }
    }
}

/// A page of the changes feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesPage {
    /// Oldest first; empty when caught up.
    pub data: Vec<ChangeItem>,
    /// Pass as `since` next time, also when `data` is empty.
    #[schema(example = "YzEuMTA0MS4xNzY1MDI0MDAw")]
    pub next_cursor: String,
}

/// What changed in public content.
///
/// Oldest first, from the events webhooks announce. The public's view: articles going live,
/// changing while live and no longer live (`article.removed`); an article the public never saw
/// never appears. Sections and tags appear as they change. A static-site build keeps the last
/// `next_cursor` and asks only for what changed since. Changes are kept `FOLIO_EVENT_RETENTION_DAYS`
/// (default 30): a cursor older than that is 410, and the client syncs from scratch (lists), then
/// follows this feed from its beginning. Not cached by a CDN without revalidating (`no-cache`).
#[utoipa::path(get, path = "/api/v1/changes", tag = "delivery", operation_id = "list_changes",
    params(ChangesParams),
    responses(
        (status = 200, description = "The changes after `since`", body = ChangesPage),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 410, description = "`since` is older than the changes kept: sync from scratch",
            body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, response = super::responses::Invalid),
    ),
    security(()))]
pub async fn list(state: Data<AppState>, params: Query<ChangesParams>, req: HttpRequest) -> Reply {
    let ChangesParams { since, limit } = params.0;
    let read_at = now();
    let oldest_kept = read_at - state.event_retention;
    if let Some(cursor) = since {
        if cursor.as_of < oldest_kept.and_utc().timestamp() {
            return Err(ApiError::Gone(format!(
                "this cursor is older than the {} days of changes kept: sync from scratch (read the lists), \
                 then follow /changes from its beginning",
                state.event_retention.num_days()
            )));
        }
    }
    let after = since.map_or(0, |cursor| cursor.sequence);
    let limit = usize::try_from(limit).unwrap_or(100);
    let (found, last, caught_up) = state.read(move |c| changes::after(c, after, limit)).await?;
    // Caught up, the reader has seen everything up to now; else up to its last change.
    let as_of: NaiveDateTime = match found.last() {
        Some(change) if !caught_up => change.occurred_at,
        _ => read_at,
    };
    let next_cursor = Cursor { sequence: last, as_of: as_of.and_utc().timestamp() }.encode();
    let default = state.locales.default_locale();
    let page =
        ChangesPage { data: found.into_iter().map(|change| ChangeItem::new(change, default)).collect(), next_cursor };
    let mut response = respond::ok_with_etag(&req, &page)?;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    respond::cdn_tags(&mut response, "articles sections tags");
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_nothing_else_reads_as_one() {
        let cursor = Cursor { sequence: 1041, as_of: 1_765_024_000 };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        for bad in [
            "",
            "1041",
            "YzEuMQ",
            "not base64!",
            &URL_SAFE_NO_PAD.encode("c1.-1.5"),
            &URL_SAFE_NO_PAD.encode("c1.1.2.3"),
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
