//! folio: a headless CMS serving articles, sections and tags as JSON.

/// HTTP: handlers per resource, extractors, errors, the OpenAPI document.
pub mod api;
/// Roles, argon2id passwords, JWT access tokens and refresh tokens.
pub mod auth;
/// The `folio` command line: serve, migrate, user create, openapi, seed-demo.
pub mod cli;
/// Typed settings from the environment.
pub mod config;
/// Pure domain logic: slugs, Markdown rendering, front matter, article status.
pub mod content;
/// The SQLite backend: pools, pragmas, migrations, schema.
pub mod db;
/// Validated domain types: slugs, emails, passwords, texts, URLs.
pub mod domain;
/// Media files: type sniffing, SVG sanitising, storage and image variants.
pub mod media;
/// Which client a request comes from, behind trusted reverse proxies.
pub mod proxies;
/// Store functions run from async code, off the executor and within the database's deadline.
pub mod runner;
/// Builds and runs the HTTP server.
pub mod startup;
/// Persistence, one module per table family.
pub mod store;
/// Field-level validation errors.
pub mod validation;
/// Sending webhooks: delivery workers and the scheduled-publication ticker.
pub mod webhooks;
