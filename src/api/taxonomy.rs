//! What the section and tag endpoints share: public reads, editor writes, each audited.
//! The endpoints themselves (and their OpenAPI documentation) stay in `sections` and `tags`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::caller::{Caller, MaybeCaller};
use super::error::ApiError;
use super::query::{PageParams, Query, QueryReader};
use super::respond::{self, PageMeta};
use super::state::AppState;
use crate::store::articles::Visibility;
use crate::store::audit::Change;
use crate::store::taxonomy::{self, Counted, Term};
use crate::store::{Conn, PageRequest, StoreResult};
use crate::validation::Errors;

/// The representation of a section or a tag.
pub trait Resource: From<Counted<Self::Row>> + Serialize {
    type Row: Term + Send + 'static;
    /// The list body: `data` and `meta`.
    type List: Serialize;
    /// What the audit trail calls it: "section".
    const NAME: &'static str;
    /// Where the collection is: "/api/v1/sections".
    const PATH: &'static str;
    fn id(&self) -> i64;
    fn updated_at(&self) -> DateTime<Utc>;
    fn list(data: Vec<Self>, meta: PageMeta) -> Self::List;
}

pub async fn list<R: Resource>(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    page: Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::from(page.0);
    let visibility = caller.visibility();
    let found = state.read(move |c| taxonomy::list::<R::Row>(c, visibility, page)).await?;
    let meta = || respond::meta(page, found.total);
    let body = R::list(found.items.into_iter().map(R::from).collect(), meta());
    respond::list(&req, &body, &meta())
}

/// One by id or by slug, whichever `find` looks up.
pub async fn get<R: Resource>(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    req: HttpRequest,
    find: impl FnOnce(&mut Conn, Visibility) -> StoreResult<Counted<R::Row>> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    QueryReader::new(req.query_string()).finish()?;
    let visibility = caller.visibility();
    let body = R::from(state.read(move |c| find(c, visibility)).await?);
    respond::resource(&req, &body, body.updated_at())
}

/// Creates one with `create` once the body held no errors: 201 with its location.
pub async fn create<R: Resource>(
    state: web::Data<AppState>,
    caller: Caller,
    errors: Errors,
    create: impl FnOnce(&mut Conn, Visibility) -> StoreResult<Counted<R::Row>> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    caller.require_content_manager()?;
    errors.finish(()).map_err(ApiError::invalid)?;
    let visibility = caller.visibility();
    let change = |row: &Counted<R::Row>| Change::new("create", R::NAME, row.row.id());
    let created = R::from(state.write_audited(caller.actor(), change, move |c| create(c, visibility)).await?);
    respond::created(format!("{}/{}", R::PATH, created.id()), &created)
}

/// Changes one with `update` once the body held no errors: 200 with its new ETag.
pub async fn update<R: Resource>(
    state: web::Data<AppState>,
    caller: Caller,
    id: i64,
    errors: Errors,
    update: impl FnOnce(&mut Conn, Visibility) -> StoreResult<Counted<R::Row>> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    caller.require_content_manager()?;
    errors.finish(()).map_err(ApiError::invalid)?;
    let visibility = caller.visibility();
    let change = move |_: &Counted<R::Row>| Change::new("update", R::NAME, id);
    let changed = R::from(state.write_audited(caller.actor(), change, move |c| update(c, visibility)).await?);
    Ok(respond::json(StatusCode::OK, respond::tagged(&changed)?))
}

/// Deletes one with `delete`: 204.
pub async fn delete<R: Resource>(
    state: web::Data<AppState>,
    caller: Caller,
    id: i64,
    delete: fn(&mut Conn, i64) -> StoreResult<()>,
) -> Result<HttpResponse, ApiError> {
    caller.require_content_manager()?;
    state.write_audited(caller.actor(), move |_| Change::new("delete", R::NAME, id), move |c| delete(c, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
