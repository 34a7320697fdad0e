//! What the section and tag endpoints share: public reads, editor writes, each audited.
//! The endpoints themselves (and their OpenAPI documentation) stay in `sections` and `tags`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::articles::locales::configured;
use super::caller::{Caller, MaybeCaller};
use super::error::{ApiError, Reply};
use super::query::{PageParams, Query, QueryReader};
use super::respond::{self, PageMeta};
use super::state::AppState;
use crate::content::locale::{LocalName, LocalNames, Locales};
use crate::content::policy::Visibility;
use crate::domain::{Description, Name};
use crate::store::audit::Change;
use crate::store::taxonomy::{self, Counted, Term};
use crate::store::{Conn, PageRequest, StoreResult};
use crate::validation::Errors;

/// A section's or tag's name in one locale, and optionally its description there:
/// checked like its own name and description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalNameInput {
    pub name: Name,
    pub description: Option<Description>,
}

/// Names by locale as sent: keys are the site's locales, in any case.
pub type LocalNamesInput = BTreeMap<String, LocalNameInput>;

/// `sent` keyed by canonical locale; a key naming no configured locale, or naming one
/// another key names too, is an error at `/translations/{key}`.
pub fn local_names(sent: LocalNamesInput, locales: &Locales, errors: &mut Errors) -> LocalNames {
    let mut names = LocalNames::new();
    for (key, local) in sent {
        let field = format!("/translations/{}", key.replace('~', "~0").replace('/', "~1"));
        match configured(locales, &key) {
            Err(why) => errors.add(field, format!("{key:?} {why}")),
            Ok(locale) if names.contains_key(&locale) => {
                errors.add(field, format!("names {locale}, which another key names too"));
            }
            Ok(locale) => {
                let name = LocalName { name: local.name.into(), description: local.description.map(String::from) };
                names.insert(locale, name);
            }
        }
    }
    names
}

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
) -> Reply {
    let page = PageRequest::from(page.0);
    let visibility = caller.visibility();
    let found = state.read(move |c| taxonomy::list::<R::Row>(c, visibility, page)).await?;
    let mut response = respond::page(&req, page, found, R::list)?;
    respond::cdn_tags(&mut response, &format!("{}s", R::NAME));
    Ok(response)
}

/// One by id or by slug, whichever `find` looks up.
pub async fn get<R: Resource>(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    req: HttpRequest,
    find: impl FnOnce(&mut Conn, Visibility) -> StoreResult<Counted<R::Row>> + Send + 'static,
) -> Reply {
    QueryReader::new(req.query_string()).finish()?;
    let visibility = caller.visibility();
    let body = R::from(state.read(move |c| find(c, visibility)).await?);
    let mut response = respond::resource(&req, &body, body.updated_at())?;
    respond::cdn_tags(&mut response, &format!("{}-{}", R::NAME, body.id()));
    Ok(response)
}

/// Creates one with `create` once the body held no errors: 201 with its location.
pub async fn create<R: Resource>(
    state: web::Data<AppState>,
    caller: Caller,
    errors: Errors,
    create: impl FnOnce(&mut Conn, Visibility) -> StoreResult<Counted<R::Row>> + Send + 'static,
) -> Reply {
    let change = |row: &Counted<R::Row>| Change::new("create", R::NAME, row.row.id());
    let created: R = write(state, caller, errors, change, create).await?;
    respond::created(format!("{}/{}", R::PATH, created.id()), &created)
}

/// Changes one with `update` once the body held no errors: 200 with its new ETag.
pub async fn update<R: Resource>(
    state: web::Data<AppState>,
    caller: Caller,
    id: i64,
    errors: Errors,
    update: impl FnOnce(&mut Conn, Visibility) -> StoreResult<Counted<R::Row>> + Send + 'static,
) -> Reply {
    let change = move |_: &Counted<R::Row>| Change::new("update", R::NAME, id);
    let changed: R = write(state, caller, errors, change, update).await?;
    Ok(respond::json(StatusCode::OK, respond::tagged(&changed)?))
}

/// What a create and an update share: a content manager's body without errors, written
/// with `write` and audited as `change` says.
async fn write<R: Resource>(
    state: web::Data<AppState>,
    caller: Caller,
    errors: Errors,
    change: impl FnOnce(&Counted<R::Row>) -> Change + Send + 'static,
    write: impl FnOnce(&mut Conn, Visibility) -> StoreResult<Counted<R::Row>> + Send + 'static,
) -> Result<R, ApiError> {
    caller.require_content_manager()?;
    errors.finish(()).map_err(ApiError::invalid)?;
    let visibility = caller.visibility();
    Ok(R::from(state.write_audited(caller.actor(), change, move |c| write(c, visibility)).await?))
}

/// Deletes one with `delete`: 204.
pub async fn delete<R: Resource>(
    state: web::Data<AppState>,
    caller: Caller,
    id: i64,
    delete: fn(&mut Conn, i64) -> StoreResult<()>,
) -> Reply {
    caller.require_content_manager()?;
    state.write_audited(caller.actor(), move |_| Change::new("delete", R::NAME, id), move |c| delete(c, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The list body, the read response, the [`Resource`] impl and the documented handlers
/// (list, get by id or slug, create, update) of one term, which differ only in names:
/// `sections` and `tags` each name theirs in one invocation. `$store` is the term's store
/// module; the create body's `input` makes its store input, the update body's `patch`
/// gathers its field errors; both check `translations` against the site's locales.
/// Delete stays with each term: what it refuses differs.
/// Each handler states its `summary` as well as its doc: utoipa reads only literal doc comments.
macro_rules! endpoints {
    ($Resource:ident, $Row:ident, $List:ident, $Read:ident, $Create:ident, $Update:ident, $store:ident;
     tag $tag:literal, path $path:literal, one $one:literal, all $all:literal, location $location:literal;
     ordered $ordered:literal, taken $taken:literal) => {
        #[derive(Debug, ::serde::Serialize, ::utoipa::ToSchema)]
        pub struct $List {
            pub data: Vec<$Resource>,
            pub meta: $crate::api::respond::PageMeta,
        }

        #[doc = concat!("A ", $one, " read by id or by slug, with its ETag.")]
        #[derive(::utoipa::IntoResponses)]
        #[response(status = 200, description = concat!("The ", $one),
            headers(("ETag" = String, description = "Strong validator of the representation")))]
        #[expect(dead_code, reason = "the wrapped representation is read by the OpenAPI derive only")]
        pub struct $Read($Resource);

        impl $crate::api::taxonomy::Resource for $Resource {
            type Row = $Row;
            type List = $List;
            const NAME: &'static str = $one;
            const PATH: &'static str = $path;

            fn id(&self) -> i64 {
                self.id
            }

            fn updated_at(&self) -> ::chrono::DateTime<::chrono::Utc> {
                self.updated_at
            }

            fn list(data: Vec<Self>, meta: $crate::api::respond::PageMeta) -> $List {
                $List { data, meta }
            }
        }

        #[doc = concat!("List ", $tag, ".")]
        #[utoipa::path(get, path = $path, tag = $tag, operation_id = concat!("list_", $tag),
            summary = concat!("List ", $tag, "."),
            params($crate::api::query::PageParams),
            responses(
                (status = 200, description = $ordered, body = $List, headers(
                    ("X-Total-Count" = i64, description = $all))),
                $crate::api::responses::ListRefused,
            ),
            security((), ("bearer" = [])))]
        pub async fn list(
            state: ::actix_web::web::Data<$crate::api::state::AppState>,
            caller: $crate::api::caller::MaybeCaller,
            page: $crate::api::query::Query<$crate::api::query::PageParams>,
            req: ::actix_web::HttpRequest,
        ) -> $crate::api::error::Reply {
            $crate::api::taxonomy::list::<$Resource>(state, caller, page, req).await
        }

        #[doc = concat!("Get a ", $one, " by id.")]
        #[utoipa::path(get, path = concat!($path, "/{id}"), tag = $tag, operation_id = concat!("get_", $one),
            summary = concat!("Get a ", $one, " by id."),
            params(("id" = i64, Path, description = concat!("The ", $one, "'s id"), minimum = 1)),
            responses($Read, $crate::api::responses::ReadOne),
            security((), ("bearer" = [])))]
        pub async fn get(
            state: ::actix_web::web::Data<$crate::api::state::AppState>,
            caller: $crate::api::caller::MaybeCaller,
            id: ::actix_web::web::Path<i64>,
            req: ::actix_web::HttpRequest,
        ) -> $crate::api::error::Reply {
            let id = id.into_inner();
            $crate::api::taxonomy::get::<$Resource>(state, caller, req, move |c, v| $store::find(c, v, id)).await
        }

        #[doc = concat!("Get a ", $one, " by slug.")]
        #[utoipa::path(get, path = concat!($path, "/slug/{slug}"), tag = $tag,
            operation_id = concat!("get_", $one, "_by_slug"), summary = concat!("Get a ", $one, " by slug."),
            params(("slug" = String, Path, description = concat!("The ", $one, "'s slug"))),
            responses($Read, $crate::api::responses::ReadOne),
            security((), ("bearer" = [])))]
        pub async fn get_by_slug(
            state: ::actix_web::web::Data<$crate::api::state::AppState>,
            caller: $crate::api::caller::MaybeCaller,
            slug: ::actix_web::web::Path<String>,
            req: ::actix_web::HttpRequest,
        ) -> $crate::api::error::Reply {
            let slug = slug.into_inner();
            $crate::api::taxonomy::get::<$Resource>(state, caller, req, move |c, v| $store::find_by_slug(c, v, &slug))
                .await
        }

        #[doc = concat!("Create a ", $one, ".")]
        #[utoipa::path(post, path = $path, tag = $tag, operation_id = concat!("create_", $one),
            summary = concat!("Create a ", $one, "."),
            request_body = $Create,
            responses(
                (status = 201, description = concat!("The new ", $one), body = $Resource,
                    headers(("Location" = String, description = $location))),
                (status = 409, description = $taken, body = $crate::api::error::Problem, content_type = "application/problem+json"),
                $crate::api::responses::BodyRefused, $crate::api::responses::NotAllowed,
            ),
            security(("bearer" = [])))]
        pub async fn create(
            state: ::actix_web::web::Data<$crate::api::state::AppState>,
            caller: $crate::api::caller::Caller,
            body: $crate::api::json::Validating<$Create>,
        ) -> $crate::api::error::Reply {
            let $crate::api::json::Validating { body: input, mut errors } = body;
            let input = input.input(&mut errors, &state.locales);
            $crate::api::taxonomy::create::<$Resource>(state, caller, errors, move |c, v| $store::create(c, v, input)).await
        }

        #[doc = concat!("Change a ", $one, ".")]
        #[utoipa::path(patch, path = concat!($path, "/{id}"), tag = $tag, operation_id = concat!("update_", $one),
            summary = concat!("Change a ", $one, "."),
            params(("id" = i64, Path, description = concat!("The ", $one, "'s id"), minimum = 1)),
            request_body = $Update,
            responses(
                (status = 200, description = concat!("The changed ", $one), body = $Resource),
                (status = 409, description = $taken, body = $crate::api::error::Problem, content_type = "application/problem+json"),
                $crate::api::responses::BodyRefused, $crate::api::responses::GuardedOne,
            ),
            security(("bearer" = [])))]
        pub async fn update(
            state: ::actix_web::web::Data<$crate::api::state::AppState>,
            caller: $crate::api::caller::Caller,
            id: ::actix_web::web::Path<i64>,
            body: $crate::api::json::Validating<$Update>,
        ) -> $crate::api::error::Reply {
            let $crate::api::json::Validating { body: input, mut errors } = body;
            let patch = input.patch(&mut errors, &state.locales);
            let id = id.into_inner();
            $crate::api::taxonomy::update::<$Resource>(state, caller, id, errors, move |c, v| $store::update(c, v, id, patch))
                .await
        }
    };
}
pub(crate) use endpoints;
