//! A URL slug given by a client.

use super::{accept, string, validated, Refused};
use crate::content::slug::{is_valid, MAX_SLUG_LEN};

/// What every slug matches.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

fn check(value: String) -> Result<String, Refused> {
    accept(is_valid(&value), value, || format!("must match {SLUG_PATTERN} and be at most {MAX_SLUG_LEN} characters"))
}

validated!(
    /// Lower-case ASCII words joined by single hyphens, at most 200 characters.
    #[derive(Debug)]
    Slug,
    example = "blogs",
    check = check,
    schema = string().max_length(Some(MAX_SLUG_LEN)).pattern(Some(SLUG_PATTERN)),
);
