//! Shapes only the OpenAPI document shows: how articles look when the server sends
//! them, and the closed sets of the list's query parameters.
//!
//! `SeoFields` and `CoverImageFields` are read from requests, where every field may be
//! left out, and written into responses, where every field is always sent (as `null`
//! or `""` when unset). One schema cannot say both, so responses name these instead;
//! tests/api/contract.rs checks them against real responses.

use utoipa::ToSchema;

/// Search-engine fields, as sent: each one null when unset.
#[derive(ToSchema)]
#[expect(dead_code, reason = "read by the OpenAPI derive only")]
pub struct Seo {
    /// Overrides the title in `<title>`.
    #[schema(required = true, example = "Dry Needling for Muscle Recovery")]
    meta_title: Option<String>,
    #[schema(required = true)]
    meta_description: Option<String>,
    /// An absolute http(s) URL.
    #[schema(required = true, example = "https://clinic.example/blog/dry-needling")]
    canonical_url: Option<String>,
}

/// The article's lead image, as sent.
#[derive(ToSchema)]
#[expect(dead_code, reason = "read by the OpenAPI derive only")]
pub struct CoverImage {
    /// An absolute http(s) URL.
    #[schema(example = "https://clinic.example/images/dry-needling.jpg")]
    url: String,
    /// Alternative text; `""` for a decorative image.
    #[schema(example = "A physiotherapist treating a calf muscle")]
    alt: String,
}

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
