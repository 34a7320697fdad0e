//! Black-box tests: each starts the real server on port 0 with a fresh database.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod articles;
mod audit;
mod auth;
mod bad_input;
mod changes;
mod contract;
mod cursors;
#[path = "../support/database.rs"]
mod database;
mod editorial;
mod etags;
mod feeds;
mod feeds_locales;
mod fields;
mod hardening;
mod helpers;
mod keys;
mod limits;
mod login_limits;
mod media;
mod micropub;
mod nul;
mod openapi;
mod pagination;
mod preview;
mod read_model;
mod reads_at_once;
mod roles;
mod search;
mod security;
mod seed_article;
mod taxonomy;
mod term_translations;
mod translations;
