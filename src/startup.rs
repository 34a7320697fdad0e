//! Builds the application: opens and migrates the database, makes the first admin
//! when asked, and binds the HTTP server (tests bind port 0).

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::api::error::ApiError;
use crate::api::logging::RootSpans;
use crate::api::making::Making;
use crate::api::respond::StoredPage;
use crate::api::service::OpenApiDocument;
use crate::api::state::AppState;
use crate::api::{headers, routes};
use crate::auth::api_key::KeyUses;
use crate::auth::lane::HashLane;
use crate::auth::token::TokenKeys;
use crate::auth::{password, Role};
use crate::config::{BootstrapAdmin, Settings};
use crate::db::Database;
use crate::domain::{Email, Password};
use crate::runner::versions::Versions;
use crate::runner::Runner;
use crate::store::read_model::kept::{KeptPages, SWEEP_EVERY};
use crate::store::{users, write_tx};

/// Threads per worker for queries (password hashing has threads of its own).
const BLOCKING_THREADS: usize = 12;
/// Password hashes computed at once: 19 MiB and most of a core each.
const HASH_THREADS: usize = 2;
/// Password hashes running or waiting, at most; past that a login gets 503 with
/// Retry-After at once (the wait behind 32 is well under a second).
const HASHES_ADMITTED: usize = 32;

pub struct Application {
    server: Server,
    port: u16,
}

/// Creates the first admin from the environment when the database has no users.
/// The count and the insert are one write transaction: instances starting together
/// on an empty PostgreSQL database make one admin between them.
fn bootstrap_admin(db: &Database, admin: &BootstrapAdmin) -> anyhow::Result<()> {
    let mut conn = db.writer()?;
    if users::count(&mut conn)? > 0 {
        return Ok(());
    }
    Password::try_from(admin.password.as_str())
        .map_err(|problem| anyhow::anyhow!("FOLIO_ADMIN_PASSWORD: {problem}"))?;
    let email = Email::try_from(admin.email.as_str())
        .map_err(|_| anyhow::anyhow!("FOLIO_ADMIN_EMAIL: '{}' is not an email address", admin.email))?
        .into_inner();
    let hash = password::hash(&admin.password).map_err(|e| anyhow::anyhow!("hashing the admin password: {e}"))?;
    let created = write_tx(&mut conn, |conn| {
        if users::count(conn)? > 0 {
            return Ok(false);
        }
        let admin = users::NewUser {
            email: &email,
            password_hash: &hash,
            display_name: "Administrator",
            role: Role::Admin.as_str(),
            bio: None,
        };
        users::create(conn, admin).map(|_| true)
    })?;
    if created {
        tracing::info!(%email, "created the first admin from FOLIO_ADMIN_EMAIL");
    }
    Ok(())
}

/// Opens and migrates the database named in the settings.
pub fn open_database(settings: &Settings) -> anyhow::Result<Database> {
    let db = Database::open(&settings.database_url, &settings.database_tuning)?;
    db.migrate()?;
    let default_locale = settings.locales.default_locale();
    match crate::store::articles::translations::adopt_default_locale(&mut *db.writer()?, default_locale) {
        Ok(0) => {}
        Ok(adopted) => {
            tracing::info!(adopted, "gave {adopted} articles stored before locales the default, {default_locale}")
        }
        Err(error) => tracing::warn!(%error, "cannot give articles stored before locales a locale now"),
    }
    // A database that cannot be written (a disk gone read-only) still serves what it has.
    match crate::store::read_model::rebuild(&mut *db.writer()?) {
        Ok(0) => {}
        Ok(made) => tracing::info!(made, "made the stored public representation of {made} articles"),
        Err(error) => tracing::warn!(%error, "cannot make the stored public representations now"),
    }
    Ok(db)
}

fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, header::IF_NONE_MATCH])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-total-count"),
        ])
        .max_age(3600)
}

/// Binds every address; with port 0, the first one's port is used for the rest, so
/// a host name is served on one port whatever it resolves to.
fn bind(addresses: &[SocketAddr]) -> anyhow::Result<Vec<TcpListener>> {
    let mut listeners: Vec<TcpListener> = Vec::with_capacity(addresses.len());
    for address in addresses {
        let mut address = *address;
        if let Some(first) = listeners.first() {
            address.set_port(first.local_addr()?.port());
        }
        let listener = TcpListener::bind(address).with_context(|| format!("FOLIO_BIND: cannot bind {address}"))?;
        listeners.push(listener);
    }
    Ok(listeners)
}

impl Application {
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = open_database(&settings)?;
        if let Some(admin) = &settings.admin {
            bootstrap_admin(&db, admin)?;
        }
        if settings.jwt_secret_generated {
            tracing::warn!("FOLIO_JWT_SECRET is not set: using a random secret, so tokens die with this process");
        }
        let storage = crate::media::Storage::open(&settings.storage)?;
        let listeners = bind(&settings.bind)?;
        let port = listeners.first().map(TcpListener::local_addr).transpose()?.map_or(0, |a| a.port());
        let writes = crate::runner::writer::Writes::start(db.clone())?;
        let kept_pages = KeptPages::new(settings.list_cache_bytes, |page: &Arc<StoredPage>| page.size());
        let runner = Arc::new(Runner { db, writes, versions: Versions::default() });
        let webhook_hosts = crate::webhooks::resolver::Hosts::start(settings.webhooks.allow_private)?;
        crate::webhooks::start(runner.clone(), webhook_hosts.clone(), &settings.webhooks)?;
        let state = web::Data::new(AppState {
            runner,
            keys: TokenKeys::new(settings.jwt_secret.bytes()),
            max_body_bytes: settings.max_body_bytes,
            body_timeout: settings.body_timeout,
            search_ranked: settings.search_ranked,
            event_retention: settings.webhooks.event_retention,
            login_limits: settings.login_limits,
            trusted_proxies: settings.trusted_proxies.clone(),
            hashes: HashLane::new(HASH_THREADS, HASHES_ADMITTED),
            key_uses: KeyUses::default(),
            webhook_hosts,
            links: settings.links.clone(),
            locales: settings.locales.clone(),
            sitemap_urls_per_file: settings.sitemap_urls_per_file,
            storage,
            variants: crate::media::Variants::default(),
            max_upload_bytes: settings.max_upload_bytes,
            searches: tokio::sync::Semaphore::new(crate::api::state::searches_at_once()),
            kept_pages,
            making: Making::default(),
            public_reads: crate::api::articles::locales::public_reads(settings.locales.default_locale().to_owned()),
        });
        tokio::spawn(sweep_kept_pages(state.clone()));
        let document = web::Data::new(OpenApiDocument(crate::api::openapi::document()));
        let origins = settings.cors_origins.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(document.clone())
                .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
                // Innermost first: CORS refusals become problems, which then get
                // the caching and security headers like every other response.
                .wrap(from_fn(crate::api::deadline::body))
                .wrap(from_fn(crate::api::nul::refuse_in_url))
                .wrap(cors(&origins))
                .wrap(from_fn(headers::problems_only))
                .wrap(from_fn(headers::cache_control))
                .wrap(from_fn(headers::security))
                .wrap(Compress::default())
                .wrap(TracingLogger::<RootSpans>::new())
                .configure(routes::configure)
                .configure(crate::api::docs::configure)
                .default_service(web::to(routes::not_found))
        })
        // Blocking work waits for one of READ_CONNECTIONS + 1 connections anyway; more
        // threads than that per worker only add memory.
        .worker_max_blocking_threads(BLOCKING_THREADS);
        let server = listeners.into_iter().try_fold(server, |server, listener| server.listen(listener))?.run();
        Ok(Self { server, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Drops the kept list pages that can no longer be answered, every [`SWEEP_EVERY`].
async fn sweep_kept_pages(state: web::Data<AppState>) {
    loop {
        tokio::time::sleep(SWEEP_EVERY).await;
        if state.kept_pages.is_empty() {
            continue;
        }
        // Harmless when it fails: a page that cannot be answered never is.
        match state.version().await {
            Ok(version) => state.kept_pages.sweep(&version, crate::store::now()),
            Err(err) => tracing::debug!(error = %err, "cannot drop the list pages kept under an older version"),
        }
    }
}
