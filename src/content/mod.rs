//! Content processing: slugs, Markdown rendering, front matter parsing and publication status.
pub mod front_matter;
pub mod html_budget;
pub mod markdown;
pub mod slug;
pub mod status;
