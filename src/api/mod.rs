//! HTTP: one module per resource, plus the extractors, errors and the OpenAPI document.

pub mod admin;
pub mod api_keys;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod caller;
pub mod deadline;
pub mod docs;
pub mod error;
pub mod headers;
pub mod json;
pub mod nul;
pub mod openapi;
pub mod query;
pub mod respond;
pub mod responses;
pub mod routes;
pub mod sections;
pub mod service;
pub mod state;
pub mod tags;
pub mod taxonomy;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_events;
pub mod webhooks;
