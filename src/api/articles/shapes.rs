//! Shapes only the OpenAPI document shows: the closed sets of the article list's
//! query parameters, which the list reads into the store's own types.

use utoipa::ToSchema;

/// The article list's `sort`: a field, descending with a leading `-`.
#[derive(ToSchema)]
pub enum ArticleSort {
    #[schema(rename = "published_at")]
    PublishedAt,
    #[schema(rename = "-published_at")]
    PublishedAtDescending,
    #[schema(rename = "title")]
    Title,
    #[schema(rename = "-title")]
    TitleDescending,
    #[schema(rename = "updated_at")]
    UpdatedAt,
    #[schema(rename = "-updated_at")]
    UpdatedAtDescending,
}

/// The article list's `status`: one status, or `any`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum StatusFilter {
    Draft,
    Scheduled,
    Published,
    Archived,
    Any,
}

/// The article list's `include`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Include {
    Body,
}
