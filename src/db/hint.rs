//! What the operator should do about a database that cannot be opened: the end of the
//! one line that stops start-up, fitted to the failure. The accepted forms of
//! `DATABASE_URL` only where the form may be what is wrong.

use crate::config::{DatabaseUrl, DATABASE_URL_FORMS};

/// The advice for `reason`, why `url` could not be opened (libpq's and the server's
/// messages, which are English unless the server is told otherwise).
pub fn for_failure(url: &DatabaseUrl, reason: &str) -> Option<String> {
    let server = || url.server().unwrap_or_else(|| "its host and port".into());
    match url {
        // `sqlite://var/folio.db` for `/var/folio.db` is the usual reason a file cannot be made.
        DatabaseUrl::Sqlite(_) => Some(format!("the accepted forms are {DATABASE_URL_FORMS}")),
        DatabaseUrl::Postgres(_) => {
            if let Some(name) = quoted(reason, "database \"", "\" does not exist") {
                Some(format!("create it with CREATE DATABASE {}", identifier(name)))
            } else if reason.contains("Connection refused")
                || (reason.contains("socket") && reason.contains("No such file or directory"))
            {
                Some(format!("is PostgreSQL running at {}?", server()))
            } else if quoted(reason, "role \"", "\" does not exist").is_some()
                || ["password authentication failed", "no password supplied"].iter().any(|m| reason.contains(m))
            {
                Some("check the user and password".into())
            } else if reason.contains("could not translate host name") {
                Some("check the host name".into())
            } else if reason.contains("timeout expired") {
                Some(format!("is PostgreSQL reachable at {}?", server()))
            } else {
                None
            }
        }
    }
}

/// The text between `before` and `after` in `text`.
fn quoted<'a>(text: &'a str, before: &str, after: &str) -> Option<&'a str> {
    let start = text.find(before)? + before.len();
    let len = text[start..].find(after)?;
    Some(&text[start..start + len])
}

/// `name` as SQL writes it: bare when it is a plain lower-case identifier, else quoted.
fn identifier(name: &str) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_gets_its_own_hint() {
        let url = DatabaseUrl::parse("postgres://u:pw@db.internal:6543/folio").unwrap();
        let hint = |reason: &str| for_failure(&url, reason).unwrap_or_default();
        let refused =
            "connection to server at \"10.0.0.1\", port 6543 failed: Connection refused Is the server running";
        assert_eq!(hint(refused), "is PostgreSQL running at db.internal:6543?");
        let missing = "connection to server failed: FATAL: database \"Folio\" does not exist";
        assert_eq!(hint(missing), "create it with CREATE DATABASE \"Folio\"");
        assert_eq!(hint("FATAL: role \"u\" does not exist"), "check the user and password");
        assert_eq!(hint("FATAL: password authentication failed for user \"u\""), "check the user and password");
        assert_eq!(hint("could not translate host name \"db.internal\" to address"), "check the host name");
        assert_eq!(for_failure(&url, "invalid sslmode value: \"x\""), None);
        let sqlite = DatabaseUrl::parse("sqlite://no/such/dir/f.db").unwrap();
        assert!(for_failure(&sqlite, "unable to open database file").unwrap_or_default().contains("sqlite://PATH"));
    }
}
