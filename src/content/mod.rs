//! Content processing: slugs, Markdown rendering, front matter parsing, publication status,
//! and who may do what with it (`policy`).
pub mod events;
pub mod front_matter;
pub mod html_budget;
pub mod links;
pub mod locale;
pub mod markdown;
pub mod policy;
pub mod slug;
pub mod status;
