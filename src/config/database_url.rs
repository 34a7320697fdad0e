//! `DATABASE_URL`: which backend, its form checked before any connection is tried (so
//! libpq, whose syntax errors quote the whole URL, never sees a malformed one), and
//! shown only with its password masked.

use percent_encoding::percent_decode_str;

use super::ConfigError;

/// Where the data lives, from `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (created when missing), by its path.
    Sqlite(String),
    /// A PostgreSQL server, by its full URL.
    Postgres(String),
}

/// The forms `DATABASE_URL` takes, for the line that refuses any other.
pub const DATABASE_URL_FORMS: &str = "sqlite://PATH, sqlite:PATH, postgres://… or postgresql://…";

/// What stands for a password wherever a URL is shown.
const MASK: &str = "…";

impl DatabaseUrl {
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let refuse = |why: String| {
            ConfigError::new("DATABASE_URL", format!("{why}; the accepted forms are {DATABASE_URL_FORMS}"))
        };
        if let Some(rest) = text.strip_prefix("postgres://").or_else(|| text.strip_prefix("postgresql://")) {
            return match PostgresUrl::parse(rest) {
                Ok(_) => Ok(Self::Postgres(text.to_owned())),
                Err(problem) => Err(refuse(format!("{}: {problem}", mask(text)))),
            };
        }
        let Some(path) = text.strip_prefix("sqlite://").or_else(|| text.strip_prefix("sqlite:")) else {
            return Err(refuse(format!("'{}' is not a database URL", mask(text))));
        };
        if path.is_empty() {
            return Err(refuse("the SQLite path is empty".into()));
        }
        if path.contains('\0') {
            return Err(refuse("the SQLite path contains a NUL byte".into()));
        }
        Ok(Self::Sqlite(path.to_owned()))
    }

    /// Where a PostgreSQL server is expected, for a hint: `HOST:PORT`, or `None` for SQLite.
    pub fn server(&self) -> Option<String> {
        let Self::Postgres(url) = self else { return None };
        let parts = PostgresUrl::parse(scheme_and_rest(url).1).ok()?;
        let port = parts.port.filter(|p| !p.is_empty()).unwrap_or("5432");
        Some(match parts.host.filter(|h| !h.is_empty()) {
            Some(host) if host.contains(':') => format!("[{host}]:{port}"),
            Some(host) => format!("{}:{port}", percent_decode_str(host).decode_utf8_lossy()),
            None => format!("this machine's socket, port {port}"),
        })
    }

    /// `message` (libpq's, say) with this URL and its passwords masked wherever they
    /// appear, percent-encoded or not. A password that is a common word masks that word
    /// elsewhere in the message too: better a garbled line than a leaked secret.
    pub fn redact(&self, message: &str) -> String {
        let Self::Postgres(url) = self else { return message.to_owned() };
        let secrets: Vec<String> = match PostgresUrl::parse(scheme_and_rest(url).1) {
            Ok(parts) => parts
                .password
                .into_iter()
                .chain(parts.query_passwords)
                .flat_map(|secret| [secret.to_owned(), percent_decode_str(secret).decode_utf8_lossy().into_owned()])
                .filter(|secret| !secret.is_empty())
                .collect(),
            Err(_) => Vec::new(),
        };
        let scrub = |text: &str| secrets.iter().fold(text.to_owned(), |text, secret| text.replace(secret, MASK));
        // The URL itself is shown masked, whole, even where its password is a word the rest loses.
        message.split(url.as_str()).map(scrub).collect::<Vec<_>>().join(&mask_postgres(url))
    }
}

/// The URL without a password, for logs and error lines.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{path}"),
            Self::Postgres(url) => f.write_str(&mask_postgres(url)),
        }
    }
}

fn scheme_and_rest(url: &str) -> (&str, &str) {
    match url.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None => ("", url),
    }
}

/// A PostgreSQL URL with its password masked where libpq finds it, else as [`mask`] does.
fn mask_postgres(url: &str) -> String {
    let (scheme, rest) = scheme_and_rest(url);
    let Ok(parts) = PostgresUrl::parse(rest) else { return mask(url) };
    let credentials = match (parts.user, parts.password) {
        (Some(user), Some(_)) => format!("{user}:{MASK}@"),
        (Some(user), None) => format!("{user}@"),
        (None, _) => String::new(),
    };
    mask_parameters(format!("{scheme}://{credentials}{}", parts.after))
}

/// `text` with anything that may be a password masked, however malformed the URL:
/// everything between the first `:` of the credentials and the last `@` (so a
/// password holding `@` or `/` is hidden whole), and every `password=` parameter.
fn mask(text: &str) -> String {
    let (scheme, rest) = scheme_and_rest(text);
    let prefix = if scheme.is_empty() { String::new() } else { format!("{scheme}://") };
    let rest = match rest.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{user}:{MASK}@{host}"),
            None => rest.to_owned(),
        },
        None => rest.to_owned(),
    };
    mask_parameters(prefix + &rest)
}

/// `text` with the value of every `password=` masked.
fn mask_parameters(mut out: String) -> String {
    let mut from = 0;
    while let Some(found) = out[from..].find("password=") {
        let start = from + found + "password=".len();
        let end = out[start..].find('&').map_or(out.len(), |e| start + e);
        out.replace_range(start..end, MASK);
        from = start + MASK.len();
    }
    out
}

/// The parts of a PostgreSQL URL (the text after `postgres://`) that folio needs, as
/// written (percent-encoded), read as libpq reads them:
/// `[user[:password]@][host][:port][,…][/database][?key=value&…]`.
struct PostgresUrl<'a> {
    user: Option<&'a str>,
    password: Option<&'a str>,
    /// Everything after the credentials' `@`.
    after: &'a str,
    query_passwords: Vec<&'a str>,
    /// The first host and its port.
    host: Option<&'a str>,
    port: Option<&'a str>,
}

impl<'a> PostgresUrl<'a> {
    /// The parts, or what is wrong in words that never quote the URL: any piece of it
    /// may be a misplaced piece of the password.
    fn parse(rest: &'a str) -> Result<Self, &'static str> {
        // libpq ends the credentials at the first '@' before any '/'.
        let authority_end = rest.find('/').unwrap_or(rest.len());
        let (credentials, after) = match rest[..authority_end].find('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let (hosts, tail) = after.split_at(after.find(['/', '?']).unwrap_or(after.len()));
        let (path, query) = match tail.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (tail, None),
        };
        if hosts.contains('@') {
            return Err("the user name or password holds an '@': write it as %40");
        }
        if credentials.is_none() && path.contains('@') {
            return Err("the user name or password holds a '/' (write it as %2F), or the database name an '@' (%40)");
        }
        let (user, password) = match credentials {
            Some(credentials) => match credentials.split_once(':') {
                Some((user, password)) => (Some(user), Some(password)),
                None => (Some(credentials), None),
            },
            None => (None, None),
        };
        encoded(user.unwrap_or_default())
            .map_err(|()| "the user name is not valid percent-encoding (write '%' as %25)")?;
        encoded(password.unwrap_or_default())
            .map_err(|()| "the password is not valid percent-encoding (write '%' as %25)")?;
        let mut first = None;
        for spec in hosts.split(',') {
            let (host, port) = host_and_port(spec)?;
            encoded(host).map_err(|()| "a host is not valid percent-encoding")?;
            if let Some(port) = port.filter(|p| !p.is_empty()) {
                if !port.bytes().all(|b| b.is_ascii_digit()) || !matches!(port.parse::<u16>(), Ok(1..)) {
                    return Err("the port is not a number from 1 to 65535");
                }
            }
            first = first.or(Some((host, port)));
        }
        encoded(path).map_err(|()| "the database name is not valid percent-encoding (write '%' as %25)")?;
        let query_passwords = match query {
            Some(query) => parameters(query)?,
            None => Vec::new(),
        };
        let (host, port) = first.unzip();
        Ok(Self { user, password, after, query_passwords, host, port: port.flatten() })
    }
}

/// One entry of the host list: a name or address, or an IPv6 address in `[]`, and its port.
fn host_and_port(spec: &str) -> Result<(&str, Option<&str>), &'static str> {
    let Some(v6) = spec.strip_prefix('[') else {
        return Ok(match spec.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (spec, None),
        });
    };
    let Some(close) = v6.find(']') else { return Err("an IPv6 address has no closing ']'") };
    if close == 0 {
        return Err("the IPv6 address between '[' and ']' is empty");
    }
    match &v6[close + 1..] {
        "" => Ok((&v6[..close], None)),
        tail => match tail.strip_prefix(':') {
            Some(port) => Ok((&v6[..close], Some(port))),
            None => Err("an IPv6 address's ']' is followed by something other than ':PORT'"),
        },
    }
}

/// The query's `password` values; every parameter must be one `key=value`.
fn parameters(query: &str) -> Result<Vec<&str>, &'static str> {
    let mut passwords = Vec::new();
    // libpq allows one `&` at the end, and an empty query.
    let query = query.strip_suffix('&').unwrap_or(query);
    if query.is_empty() {
        return Ok(passwords);
    }
    for param in query.split('&') {
        let Some((key, value)) = param.split_once('=') else {
            return Err("a query parameter is not key=value");
        };
        if key.is_empty() || value.contains('=') {
            return Err("a query parameter is not key=value");
        }
        encoded(key).and(encoded(value)).map_err(|()| "a query parameter is not valid percent-encoding")?;
        if key == "password" {
            passwords.push(value);
        }
    }
    Ok(passwords)
}

/// Whether every `%` in `text` starts an escape of two hex digits, none of them `%00`.
fn encoded(text: &str) -> Result<(), ()> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let escape = bytes.get(i + 1..i + 3).ok_or(())?;
            if !escape.iter().all(u8::is_ascii_hexdigit) || escape == b"00" {
                return Err(());
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        DatabaseUrl::parse(text).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn malformed_postgres_urls_are_refused_without_showing_the_password() {
        let cases = [
            ("postgres://u:S3cret%PW@db/f", "percent-encoding"),
            ("postgres://u:S3cret%0@db/f", "percent-encoding"),
            ("postgres://u:S3cret%00PW@db/f", "percent-encoding"),
            ("postgres://u:S3cretPW@[::1/f", "closing ']'"),
            ("postgres://u:S3cretPW@[]/f", "empty"),
            ("postgres://u:S3cretPW@[::1]x/f", "':PORT'"),
            ("postgres://u:S3cret@PW@db/f", "%40"),
            ("postgres://u:S3cret/PW@db/f", "%2F"),
            ("postgres://u:S3cretPW@db:0/f", "port"),
            ("postgres://u:S3cretPW@db:+5432/f", "port"),
            ("postgres://u:S3cretPW@db:65536/f", "port"),
            ("postgres://db/f?user=u&password=S3cretPW&sslmode", "key=value"),
            ("postgres://db/f?password=S3cret=PW", "key=value"),
            ("postgres://db/f?password=S3cret%zPW", "percent-encoding"),
            ("postgres:/u:S3cretPW@db/f", "not a database URL"),
            ("mysql://u:S3cretPW@db/f", "not a database URL"),
        ];
        for (url, why) in cases {
            let line = refused(url);
            assert!(line.starts_with("DATABASE_URL: ") && line.contains(why), "{url}: {line}");
            assert!(line.contains(DATABASE_URL_FORMS), "{url}: {line}");
            assert!(!line.contains("S3cret") && !line.contains("PW"), "{url}: {line}");
        }
    }

    #[test]
    fn well_formed_postgres_urls_are_accepted() {
        for url in [
            "postgres://db/folio",
            "postgresql://u:p%40ss%2Fw@db:5432/folio?sslmode=require&application_name=a%26b",
            "postgres://u@[::1]:5432,db2:5433/folio",
            "postgres:///folio?host=/var/run/postgresql",
            "postgres://u:@db/folio?",
            "postgres://",
        ] {
            assert!(DatabaseUrl::parse(url).is_ok(), "{url}: {}", refused(url));
        }
    }

    #[test]
    fn the_server_and_the_redacted_message_name_no_password() {
        let url = DatabaseUrl::parse("postgres://u:p%40ss@[::1]:6543/f?password=other").unwrap();
        assert_eq!(url.server().as_deref(), Some("[::1]:6543"));
        assert_eq!(format!("{url:?}"), "postgres://u:…@[::1]:6543/f?password=…");
        let message = "bad: \"postgres://u:p%40ss@[::1]:6543/f?password=other\" p@ss, p%40ss and other";
        assert_eq!(url.redact(message), "bad: \"postgres://u:…@[::1]:6543/f?password=…\" …, … and …");
        let weak = DatabaseUrl::parse("postgres://postgres:postgres@db/f").unwrap();
        let message = "at postgres://postgres:postgres@db/f?connect_timeout=5: role \"postgres\"";
        assert_eq!(weak.redact(message), "at postgres://postgres:…@db/f?connect_timeout=5: role \"…\"");
        let local = DatabaseUrl::parse("postgres:///f").unwrap();
        // A '@' in a parameter is no password's end: the host stays as written.
        let named = DatabaseUrl::parse("postgres://u:pw@db/f?application_name=me@home").unwrap();
        assert_eq!(format!("{named:?}"), "postgres://u:…@db/f?application_name=me@home");
        assert_eq!(local.server().as_deref(), Some("this machine's socket, port 5432"));
    }
}
