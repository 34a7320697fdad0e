//! Black-box tests: each starts the real server on port 0 with a fresh database.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod articles;
mod audit;
mod auth;
mod bad_input;
mod contract;
#[path = "../support/database.rs"]
mod database;
mod editorial;
mod etags;
mod feeds;
mod hardening;
mod helpers;
mod keys;
mod limits;
mod login_limits;
mod nul;
mod openapi;
mod pagination;
mod read_model;
mod roles;
mod search;
mod security;
mod seed_article;
mod taxonomy;
