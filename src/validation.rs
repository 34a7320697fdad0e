//! Field-level validation shared by the HTTP layer and the store.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::text::{multi_line, one_line};
use crate::domain::url::http_url;
use crate::domain::{Refused, Slug};

/// One invalid input field; `field` is a JSON pointer into the body or a query parameter name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON pointer into the request body (`/title`) or the query parameter's name.
    #[schema(example = "/title")]
    pub field: String,
    /// What is wrong with it.
    #[schema(example = "must not be empty")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Collects field errors so that one response can name every bad field at once.
#[derive(Debug, Default)]
pub struct Errors {
    found: Vec<FieldError>,
    /// Top-level fields whose JSON had the wrong type: they were reported as such, and
    /// whatever stood in for them while the rest was checked says nothing more.
    settled: Vec<String>,
}

impl Errors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        let under =
            |top: &String| field == *top || field.strip_prefix(top.as_str()).is_some_and(|r| r.starts_with('/'));
        if !self.settled.iter().any(under) {
            self.found.push(FieldError::new(field, message));
        }
    }

    /// Reports `error` and ignores later errors at or under `top`, a top-level field's pointer.
    pub fn settle(&mut self, top: String, error: FieldError) {
        self.found.push(error);
        self.settled.push(top);
    }

    pub fn len(&self) -> usize {
        self.found.len()
    }

    /// Records why `parsed` was refused, if it was, and gives back what to go on with.
    fn keep(&mut self, field: &str, parsed: Result<String, Refused>, original: &str) -> String {
        parsed.unwrap_or_else(|refused| {
            self.add(field, refused.0);
            original.to_owned()
        })
    }

    /// Checks a one-line text (the rule of [`crate::domain::Name`]); returns it trimmed.
    pub fn line(&mut self, field: &str, value: &str, max: usize) -> String {
        let parsed = one_line(value, max);
        self.keep(field, parsed, value.trim())
    }

    /// Checks a multi-line text (the rule of [`crate::domain::Description`]).
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let parsed = multi_line(value, max);
        self.keep(field, parsed, value)
    }

    /// Checks a slug (the rule of [`crate::domain::Slug`]).
    pub fn slug(&mut self, field: &str, value: String) -> String {
        if let Err(refused) = Slug::try_from(value.as_str()) {
            self.add(field, refused.0);
        }
        value
    }

    /// Checks an absolute http(s) URL (the rule of [`crate::domain::HttpUrl`]).
    pub fn url(&mut self, field: &str, value: &str) -> String {
        let parsed = http_url(value);
        self.keep(field, parsed, value)
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// `Ok(value)` when nothing was added, else every error collected.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.found.is_empty() {
            Ok(value)
        } else {
            Err(self.found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_checked() {
        let mut errors = Errors::default();
        assert_eq!(errors.line("/name", "  Blogs ", 10), "Blogs");
        assert!(errors.is_empty());
        errors.line("/name", "   ", 10);
        errors.line("/name", "a\0b", 10);
        errors.line("/name", "abcdefghijk", 10);
        assert_eq!(errors.finish(()).map_err(|e| e.len()), Err(3));
    }
}
