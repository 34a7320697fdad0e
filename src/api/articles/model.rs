//! What the article list answers; the article itself is the read model's
//! ([`crate::store::read_model::representation`]).

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::respond::ArticlePageMeta;
pub use crate::store::read_model::representation::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub data: Vec<ArticleSummary>,
    pub meta: ArticlePageMeta,
}
