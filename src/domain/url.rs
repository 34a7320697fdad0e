//! Links to other sites: canonical URLs, images.

use super::{chars, string, validated, Refused};

pub const MAX_URL_CHARS: usize = 2000;

/// `http://` or `https://` (any case), then something, with no white space.
pub const HTTP_URL_PATTERN: &str = r"^[hH][tT][tT][pP][sS]?://[^\s\u0000-\u001f\u007f-\u009f]+$";

/// An absolute http(s) URL of at most 2000 characters, with no spaces.
pub fn http_url(value: &str) -> Result<String, Refused> {
    let lower = value.to_ascii_lowercase();
    let has_host =
        ["https://", "http://"].iter().any(|scheme| lower.strip_prefix(scheme).is_some_and(|rest| !rest.is_empty()));
    if !has_host || chars(value) > MAX_URL_CHARS || value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Refused(format!("must be an absolute http or https URL of at most {MAX_URL_CHARS} characters")));
    }
    Ok(value.to_owned())
}

validated!(
    /// An absolute http or https URL.
    #[derive(Debug)]
    HttpUrl,
    example = "https://clinic.example/images/dry-needling.jpg",
    check = |v| http_url(&v),
    schema = string().max_length(Some(MAX_URL_CHARS)).pattern(Some(HTTP_URL_PATTERN)),
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(HttpUrl::try_from("https://example.com/a.png").is_ok());
        for bad in ["javascript:alert(1)", "/relative", "https://", "data:text/html,x", "http://a b"] {
            assert!(HttpUrl::try_from(bad).is_err(), "{bad} must be refused");
        }
    }
}
