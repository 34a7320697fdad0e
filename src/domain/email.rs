//! Email addresses, the identity users log in with.

use super::{accept, chars, string, validated, Refused};

pub const MAX_EMAIL_CHARS: usize = 254;

/// `local@domain.tld` with no white space or control characters.
pub const EMAIL_PATTERN: &str = r"^[^@\s\u0000-\u001f\u007f-\u009f]+@[^@.\s\u0000-\u001f\u007f-\u009f][^@\s\u0000-\u001f\u007f-\u009f]*\.[^@\s\u0000-\u001f\u007f-\u009f]*[^@.\s\u0000-\u001f\u007f-\u009f]$";

/// `local@domain.tld`: one `@`, a dot inside the domain, no spaces or control
/// characters, at most 254 characters.
fn is_email(email: &str) -> bool {
    chars(email) <= MAX_EMAIL_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

/// Emails are compared case-insensitively, so they are kept lower-cased.
pub fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

fn check(value: String) -> Result<String, Refused> {
    let why = || "must be an email address such as nick@example.com".to_owned();
    accept(is_email(&value), normalise(&value), why)
}

validated!(
    /// An email address, lower-cased.
    #[derive(Debug)]
    Email,
    example = "nick@example.com",
    check = check,
    schema = string().max_length(Some(MAX_EMAIL_CHARS)).pattern(Some(EMAIL_PATTERN)),
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(Email::try_from("Nick@Example.COM").map(Email::into_inner), Ok("nick@example.com".to_owned()));
        for bad in ["not-an-email", "a@b", "a b@example.com", "@example.com", "a@.com", "a@b.", "a@b@c.d", ""] {
            assert!(Email::try_from(bad).is_err(), "{bad}");
        }
        assert!(Email::try_from(format!("{}@example.com", "a".repeat(243))).is_err());
    }
}
