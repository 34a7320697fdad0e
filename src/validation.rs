//! Field-level validation shared by the HTTP layer and the store.

use serde::Serialize;
use utoipa::ToSchema;

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

/// `local@domain.tld`: one `@`, a dot inside the domain, no spaces or control
/// characters, at most 254 characters. The one rule for the API, the CLI and the
/// first admin from the environment.
pub fn is_email(email: &str) -> bool {
    email.chars().count() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
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

    /// Checks a one-line text: at most `max` characters, not blank, no control characters;
    /// returns it trimmed.
    pub fn line(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.add(field, "must not be empty");
        } else if value.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        } else if value.chars().any(char::is_control) {
            self.add(field, "must not contain control characters");
        }
        trimmed.to_owned()
    }

    /// Checks a multi-line text: at most `max` characters, no control characters but newlines and tabs.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        if value.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        } else if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            self.add(field, "must not contain control characters");
        }
        value.to_owned()
    }

    /// Checks an absolute http(s) URL of at most 2,000 characters, with no spaces.
    pub fn url(&mut self, field: &str, value: &str) -> String {
        let lower = value.to_ascii_lowercase();
        let has_host = ["https://", "http://"]
            .iter()
            .any(|scheme| lower.strip_prefix(scheme).is_some_and(|rest| !rest.is_empty()));
        if !has_host || value.chars().count() > 2000 || value.chars().any(|c| c.is_control() || c.is_whitespace()) {
            self.add(field, "must be an absolute http or https URL of at most 2000 characters");
        }
        value.to_owned()
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

    #[test]
    fn urls_must_be_absolute_http() {
        let mut errors = Errors::default();
        errors.url("/u", "https://example.com/a.png");
        assert!(errors.is_empty());
        for bad in ["javascript:alert(1)", "/relative", "https://", "data:text/html,x", "http://a b"] {
            let mut errors = Errors::default();
            errors.url("/u", bad);
            assert!(!errors.is_empty(), "{bad} must be refused");
        }
    }
}
