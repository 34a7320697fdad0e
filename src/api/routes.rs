//! The route table: one list of operations makes both the router and the OpenAPI
//! paths, so nothing is served undocumented or documented unserved. Each operation's
//! path and methods are the ones its `#[utoipa::path]` declares. Every path answers
//! HEAD wherever it answers GET, a wrong method with 405 and `Allow`, and anything
//! unknown with a 404 problem.

use actix_web::http::{Method, StatusCode};
use actix_web::{guard, web, FromRequest, Handler, HttpResponse, Responder, Route};
use utoipa::openapi::path::{HttpMethod, PathItemBuilder, PathsBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};

use super::articles::{self, revisions};
use super::error::{problem, ApiError};
use super::feeds::{self, sitemap};
use super::{
    api_keys, audit, auth, changes, media, micropub, preview, sections, service, tags, users, webhook_deliveries,
    webhooks,
};

type Schemas = Vec<(String, RefOr<Schema>)>;

/// One documented operation and the handler that serves it.
struct Operation {
    path: String,
    methods: Vec<HttpMethod>,
    serve: Box<dyn Fn(Route) -> Route>,
    document: fn(PathsBuilder) -> PathsBuilder,
    schemas: fn(&mut Schemas),
}

impl Operation {
    /// `P` is the documentation `#[utoipa::path]` made for `handler`.
    // `SchemaReferences` and `Tags` are how utoipa's own router integrations read
    // what `#[utoipa::path]` declares beyond the `Path` trait.
    fn new<P, F, Args>(handler: F) -> Self
    where
        P: utoipa::Path + utoipa::__dev::SchemaReferences + for<'t> utoipa::__dev::Tags<'t>,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        Self {
            path: P::path(),
            methods: P::methods(),
            serve: Box::new(move |route| route.to(handler.clone())),
            document: add_path::<P>,
            schemas: P::schemas,
        }
    }
}

/// Adds `P`'s operation, with its tags, at its path.
fn add_path<P: utoipa::Path + for<'t> utoipa::__dev::Tags<'t>>(paths: PathsBuilder) -> PathsBuilder {
    let mut operation = P::operation();
    operation.tags.get_or_insert_with(Vec::new).extend(P::tags().into_iter().map(str::to_owned));
    let item = P::methods()
        .into_iter()
        .fold(PathItemBuilder::new(), |item, method| item.operation(method, operation.clone()))
        .build();
    paths.path(P::path(), item)
}

macro_rules! operations {
    ($($module:ident: [$($handler:ident),+ $(,)?]),+ $(,)?) => {
        pastey::paste! {
            /// Every operation, in the order the router tries them and the document lists them.
            fn operations() -> Vec<Operation> {
                vec![$($(Operation::new::<$module::[<__path_ $handler>], _, _>($module::$handler)),+),+]
            }
        }
    };
}

operations![
    service: [health, ready, openapi_json],
    auth: [login, refresh, logout, me],
    users: [list, create, get, update, delete],
    api_keys: [list, create, get, delete],
    sections: [list, create, get, get_by_slug, update, delete],
    tags: [list, create, get, get_by_slug, update, delete],
    articles: [list, create, get, get_by_slug, update, delete],
    revisions: [list, get, restore],
    preview: [create, revoke, get],
    changes: [list],
    audit: [list],
    webhooks: [list, create, get, update, delete, rotate_secret, test],
    webhook_deliveries: [list, get, redeliver],
    feeds: [rss, atom, json],
    sitemap: [sitemap, sitemap_file],
    media: [list, create, get, update, delete, file],
    micropub: [root, post, query, upload],
];

/// The route for one method; GET also answers HEAD (the server leaves out the body).
fn route(method: &HttpMethod) -> Route {
    let method = match method {
        HttpMethod::Get => return web::route().guard(guard::Any(guard::Get()).or(guard::Head())),
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    };
    web::route().method(method)
}

/// The `Allow` header of a path served by `operations`.
fn allow(operations: &[&Operation]) -> String {
    let mut methods = Vec::new();
    for method in operations.iter().flat_map(|op| &op.methods) {
        let names: &[&str] = match method {
            HttpMethod::Get => &["GET", "HEAD"],
            HttpMethod::Post => &["POST"],
            HttpMethod::Put => &["PUT"],
            HttpMethod::Delete => &["DELETE"],
            HttpMethod::Options => &["OPTIONS"],
            HttpMethod::Head => &["HEAD"],
            HttpMethod::Patch => &["PATCH"],
            HttpMethod::Trace => &["TRACE"],
        };
        methods.extend(names.iter().filter(|name| !methods.contains(*name)).copied().collect::<Vec<_>>());
    }
    methods.join(", ")
}

/// The scope a path is served in: `/api/v1/articles` for `/api/v1/articles/slug/{slug}`,
/// none for `/health`. A request is matched against the scopes' fixed prefixes first,
/// and only then against the patterns of its own scope: with every path one resource
/// of the app, each request ran the regular expression of every parameterised path
/// registered before its own (a tenth of a slug read's CPU).
fn scope_of(path: &str) -> Option<&str> {
    // The API's root (`/api/v1/`) is a path of its own, in no scope.
    let rest = path.strip_prefix("/api/v1/").filter(|rest| !rest.is_empty())?;
    let end = rest.find('/').map_or(path.len(), |at| "/api/v1/".len() + at);
    Some(&path[..end])
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    let operations = operations();
    let mut paths: Vec<&str> = Vec::new();
    for operation in &operations {
        if !paths.contains(&operation.path.as_str()) {
            paths.push(&operation.path);
        }
    }
    let resource = |path: &str, pattern: &str| {
        let here: Vec<&Operation> = operations.iter().filter(|op| op.path == path).collect();
        let allow = allow(&here);
        here.iter()
            .flat_map(|op| op.methods.iter().map(move |method| (op, method)))
            .fold(web::resource(pattern), |resource, (op, method)| resource.route((op.serve)(route(method))))
            .default_service(web::to(move || {
                std::future::ready(Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow: allow.clone() }))
            }))
    };
    let mut scopes: Vec<&str> = Vec::new();
    for path in &paths {
        match scope_of(path) {
            Some(scope) if !scopes.contains(&scope) => scopes.push(scope),
            Some(_) => {}
            None => {
                cfg.service(resource(path, path));
            }
        }
    }
    for scope in scopes {
        let served = paths.iter().filter(|path| scope_of(path) == Some(scope));
        let scoped =
            served.fold(web::scope(scope), |scoped, path| scoped.service(resource(path, &path[scope.len()..])));
        cfg.service(scoped.default_service(web::to(not_found)));
    }
}

/// Puts every operation, and every schema they refer to, into `openapi`.
pub fn document(openapi: &mut OpenApi) {
    let operations = operations();
    openapi.paths = operations.iter().fold(PathsBuilder::new(), |paths, op| (op.document)(paths)).build();
    let mut schemas = Schemas::new();
    for operation in &operations {
        (operation.schemas)(&mut schemas);
    }
    let components = openapi.components.get_or_insert_with(Default::default);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
}

/// Anything no route matched.
pub async fn not_found() -> HttpResponse {
    problem(StatusCode::NOT_FOUND, "no such resource".into())
}
