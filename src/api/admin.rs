//! What the admin-only collections without filters (users, API keys, webhooks) share:
//! their list and their read by id, documented and answered the same way.

/// The list body and the documented list and get handlers of an admin-only collection:
/// a page of `$store::list` and one `$store::find`, each item made a `$Item`, for callers
/// `Caller::$allowed` lets in; a read answers with its ETag and `Last-Modified` from
/// `$modified`. Each handler's doc comment is its summary (utoipa reads only literal doc
/// comments).
macro_rules! reads {
    ($List:ident of $Item:ident from $store:ident, last_modified $modified:expr, allowed $allowed:ident;
     tag $tag:literal, path $path:literal;
     $(#[doc = $list_doc:literal])* list $list_operation:literal, page $page:literal, all $all:literal;
     $(#[doc = $get_doc:literal])* get $get_operation:literal, id $id:literal, one $one:literal) => {
        #[derive(Debug, ::serde::Serialize, ::utoipa::ToSchema)]
        pub struct $List {
            pub data: Vec<$Item>,
            pub meta: $crate::api::respond::PageMeta,
        }

        $(#[doc = $list_doc])*
        #[utoipa::path(get, path = $path, tag = $tag, operation_id = $list_operation,
            params($crate::api::query::PageParams),
            responses(
                (status = 200, description = $page, body = $List, headers(
                    ("X-Total-Count" = i64, description = $all))),
                $crate::api::responses::ListRefused, $crate::api::responses::NotAllowed,
            ),
            security(("bearer" = [])))]
        pub async fn list(
            state: ::actix_web::web::Data<$crate::api::state::AppState>,
            caller: $crate::api::caller::Caller,
            page: $crate::api::query::Query<$crate::api::query::PageParams>,
            req: ::actix_web::HttpRequest,
        ) -> $crate::api::error::Reply {
            caller.$allowed()?;
            let page = $crate::store::PageRequest::from(page.0);
            let found = state.read(move |c| $store::list(c, page)).await?;
            $crate::api::respond::page(&req, page, found, |data, meta| $List { data, meta })
        }

        $(#[doc = $get_doc])*
        #[utoipa::path(get, path = concat!($path, "/{id}"), tag = $tag, operation_id = $get_operation,
            params(("id" = i64, Path, description = $id, minimum = 1)),
            responses(
                (status = 200, description = $one, body = $Item,
                    headers(("ETag" = String, description = "Strong validator of the representation"))),
                $crate::api::responses::ReadOne, $crate::api::responses::NotAllowed,
            ),
            security(("bearer" = [])))]
        pub async fn get(
            state: ::actix_web::web::Data<$crate::api::state::AppState>,
            caller: $crate::api::caller::Caller,
            id: ::actix_web::web::Path<i64>,
            req: ::actix_web::HttpRequest,
        ) -> $crate::api::error::Reply {
            $crate::api::query::QueryReader::new(req.query_string()).finish()?;
            caller.$allowed()?;
            let id = id.into_inner();
            let body = $Item::from(state.read(move |c| $store::find(c, id)).await?);
            let modified: fn(&$Item) -> ::chrono::DateTime<::chrono::Utc> = $modified;
            $crate::api::respond::resource(&req, &body, modified(&body))
        }
    };
}
pub(crate) use reads;
