//! A URL slug given by a client.

use super::{accept, string, validated};
use crate::content::slug::{is_valid, MAX_SLUG_LEN};

/// What every slug matches.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

validated!(
    /// Lower-case ASCII words joined by single hyphens, at most 200 characters.
    #[derive(Debug)]
    Slug,
    example = "blogs",
    check = |v| {
        accept(is_valid(&v), v, || format!("must match {SLUG_PATTERN} and be at most {MAX_SLUG_LEN} characters"))
    },
    schema = string().max_length(Some(MAX_SLUG_LEN)).pattern(Some(SLUG_PATTERN)),
);
