//! The public's and the editors' lists of articles: a filter, a search or a page of
//! either. The public's pages are kept ([`crate::store::read_model::kept`]).

use std::sync::Arc;

use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};

use super::cursor;
use super::fields::Fields;
use super::listing::ArticleListParams;
use super::model::{ArticleList, ArticleSummary};
use crate::api::caller::MaybeCaller;
use crate::api::error::{ApiError, Reply};
use crate::api::making::Taken;
use crate::api::query::Query;
use crate::api::respond::{self, ArticlePageMeta, StoredPage};
use crate::api::state::AppState;
use crate::content::policy::Visibility;
use crate::store::articles::{self, Continuation, StoredHit};
use crate::store::{self, Page};

/// List articles.
#[utoipa::path(get, path = "/api/v1/articles", tag = "articles", operation_id = "list_articles",
    params(ArticleListParams),
    responses(
        (status = 200, description = "A page of articles, newest first by default", body = ArticleList, headers(
            ("X-Total-Count" = i64, description = "Articles matching, on all pages"))),
        crate::api::responses::ListRefused,
        (status = 403, description = "A status other than `published` was asked for with an API key that lacks `content:read`", body = crate::api::error::Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])))]
pub async fn list(
    state: Data<AppState>,
    caller: MaybeCaller,
    params: Query<ArticleListParams>,
    req: HttpRequest,
) -> Reply {
    let (query, fields) = params.0.for_caller(&caller, state.search_ranked, &state.locales)?;
    let (per_page, include_body, by_cursor) = (query.page.per_page, query.include_body, query.after.is_some());
    let searching = query.search.is_some();
    let order = cursor::order_name(query.sort, searching);
    let meta = move |total: i64, continuation: Continuation| {
        let next_cursor = continuation.next.map(|key| cursor::encode(order, key));
        ArticlePageMeta::new(per_page, total, continuation.before, next_cursor)
    };
    if query.visibility == Visibility::Public {
        // The public's pages are the same for everyone: kept by the query string.
        let key = req.query_string().to_owned();
        // One request makes a page at a time; the others wait for it, then read it.
        let mut turn = None;
        let made_after = loop {
            if !state.kept_pages.keeps() {
                break None;
            }
            let version = state.version().await?;
            let at = store::now();
            if let Some(page) = state.kept_pages.kept(&key, &version, at) {
                return Ok(every_article(page.answer(&req)));
            }
            if turn.is_some() {
                break Some((version, at));
            }
            match state.making.take(&key, state.db.deadline()).await {
                Taken::Free(mine) => {
                    turn = Some(mine);
                    break Some((version, at));
                }
                Taken::Waited(mine) => turn = Some(mine),
                Taken::TimedOut => break Some((version, at)),
            }
        };
        let _turn = search_turn(&state, searching).await?;
        let kept = state.clone();
        let (ticket, (found, continuation)) = state
            .read(move |c| {
                // The ticket first: the page is read after it.
                let ticket = made_after.map(|(version, at)| kept.kept_pages.ticket(c, version, at)).transpose()?;
                Ok((ticket, articles::list_stored(c, &query)?))
            })
            .await?;
        let meta = meta(found.total, continuation);
        let found = match &fields {
            Some(fields) => selected(found, fields)?,
            None => found,
        };
        let page = Arc::new(StoredPage::new(meta, found, by_cursor)?);
        if let Some(ticket) = ticket {
            state.kept_pages.keep(key, ticket, page.clone());
        }
        // Kept: the requests waiting for it find it now.
        drop(turn);
        return Ok(every_article(page.answer(&req)));
    }
    let _turn = search_turn(&state, searching).await?;
    let (found, continuation) = state.read(move |c| articles::list(c, &query)).await?;
    let meta = meta(found.total, continuation);
    let data = found.items.into_iter().map(|hit| ArticleSummary::new(hit.article, hit.snippet, include_body));
    if let Some(fields) = &fields {
        let mut items = Vec::new();
        for summary in data {
            let json = serde_json::to_string(&summary).map_err(ApiError::internal)?;
            items.push(StoredHit { etag: json.clone(), json, snippet: None });
        }
        let found = selected(Page { items, total: found.total }, fields)?;
        return respond::stored_page(&req, &meta, found, by_cursor).map(every_article);
    }
    let body = ArticleList { data: data.collect(), meta: meta.clone() };
    respond::article_list(&req, &body, &meta, by_cursor).map(every_article)
}

/// A search's turn (`None` for another list): it waits for one as long as a read may
/// wait for the database, then is told to retry.
async fn search_turn(state: &AppState, searching: bool) -> Result<Option<tokio::sync::SemaphorePermit<'_>>, ApiError> {
    if !searching {
        return Ok(None);
    }
    let waited = tokio::time::timeout(state.db.deadline(), state.searches.acquire()).await;
    Ok(Some(waited.map_err(|_| ApiError::Unavailable)?.map_err(ApiError::internal)?))
}

/// A list names `articles` for a CDN: every article event purges it.
fn every_article(mut response: HttpResponse) -> HttpResponse {
    respond::cdn_tags(&mut response, "articles");
    response
}

/// Each item of `found` cut to `fields` (the snippet of a search among them, when named).
fn selected(found: Page<StoredHit>, fields: &Fields) -> Result<Page<StoredHit>, ApiError> {
    let mut items = Vec::with_capacity(found.items.len());
    for item in found.items {
        let mut whole = Vec::with_capacity(item.json.len() + 256);
        match &item.snippet {
            Some(snippet) => respond::with_snippet(&mut whole, &item.json, snippet)?,
            None => whole.extend_from_slice(item.json.as_bytes()),
        }
        let json = String::from_utf8(fields.select(&whole)?).map_err(ApiError::internal)?;
        let etag = format!("{}{}", fields.etag(&item.etag), item.snippet.as_deref().unwrap_or(""));
        items.push(StoredHit { json, etag, snippet: None });
    }
    Ok(Page { items, total: found.total })
}
