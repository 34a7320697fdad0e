//! What the article list answers; the article itself is the read model's
//! ([`crate::store::read_model::representation`]). With `fields=`, a read or each list
//! item is an [`ArticleSelection`]: the documents say so with `anyOf`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::openapi::schema::{AnyOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::api::respond::ArticlePageMeta;
use crate::content::markdown::TocEntry;
use crate::content::status::ArticleStatus;
pub use crate::store::read_model::representation::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    /// Each item whole ([`ArticleSummary`]), or with `fields=` only the fields named.
    #[schema(value_type = Vec<ArticleItem>)]
    pub data: Vec<ArticleSummary>,
    pub meta: ArticlePageMeta,
}

/// An article, or a list item, cut by `fields=` to `id` and the fields named; each has
/// the type it has in the whole article.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the answers of `fields=` only")]
pub struct ArticleSelection {
    #[schema(example = 1)]
    id: i64,
    #[schema(required = false)]
    slug: String,
    #[schema(required = false)]
    title: String,
    #[schema(required = false)]
    locale: String,
    #[schema(required = false)]
    excerpt: String,
    #[schema(required = false)]
    toc: Vec<TocEntry>,
    #[schema(required = false)]
    word_count: i32,
    #[schema(required = false)]
    reading_time_minutes: i32,
    #[schema(required = false)]
    status: ArticleStatus,
    published_at: Option<DateTime<Utc>>,
    section: Option<SectionRef>,
    #[schema(required = false)]
    tags: Vec<TagRef>,
    #[schema(required = false)]
    author: AuthorRef,
    #[schema(required = false)]
    seo: Seo,
    cover_image: Option<CoverImage>,
    #[schema(required = false, value_type = std::collections::HashMap<String, serde_json::Value>)]
    metadata: serde_json::Value,
    #[schema(required = false)]
    version: i32,
    #[schema(required = false)]
    created_at: DateTime<Utc>,
    #[schema(required = false)]
    updated_at: DateTime<Utc>,
    #[schema(required = false)]
    body_markdown: String,
    #[schema(required = false)]
    body_html: String,
    /// In a search's list, when named.
    #[schema(required = false)]
    snippet: String,
    /// In a single article's answer, when named.
    #[schema(required = false)]
    translations: Vec<Translation>,
}

/// A schema `$name`: `anyOf` the whole `$whole` (a named schema) and an [`ArticleSelection`],
/// registering both.
macro_rules! whole_or_selection {
    ($(#[$doc:meta])* $name:ident, $whole:ty, $description:literal) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                AnyOfBuilder::new()
                    .item(Ref::from_schema_name(<$whole>::name()))
                    .item(Ref::from_schema_name(ArticleSelection::name()))
                    .description(Some($description))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                schemas.push((Self::name().into(), Self::schema()));
                schemas.push((<$whole>::name().into(), <$whole>::schema()));
                schemas.push((ArticleSelection::name().into(), ArticleSelection::schema()));
                <$whole>::schemas(schemas);
                ArticleSelection::schemas(schemas);
            }
        }
    };
}

whole_or_selection!(
    /// An article as a read answers it: whole, or with `fields=` the fields named.
    ArticleRead,
    ArticleResponse,
    "The whole article; with `fields=`, `id` and the fields named"
);
whole_or_selection!(
    /// A list item: whole, or with `fields=` the fields named.
    ArticleItem,
    ArticleSummary,
    "The list item; with `fields=`, `id` and the fields named"
);
