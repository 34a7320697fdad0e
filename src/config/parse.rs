//! Parsers of single settings: each reads one value (or a pair) and refuses it
//! with a `ConfigError` that names its variable.

use std::net::{SocketAddr, ToSocketAddrs};

use rand::RngCore;

use super::{BootstrapAdmin, ConfigError, Environment, JwtSecret, MIN_JWT_SECRET_BYTES};
use crate::proxies::TrustedProxies;

/// `FOLIO_ENV`: development (the default) or production, in any case: a deploy that
/// writes `Production` must not run as development.
pub(super) fn environment(text: Option<&str>) -> Result<Environment, ConfigError> {
    let Some(text) = text else { return Ok(Environment::Development) };
    match text.to_ascii_lowercase().as_str() {
        "development" | "dev" | "test" => Ok(Environment::Development),
        "production" | "prod" => Ok(Environment::Production),
        _ => Err(ConfigError::new(
            "FOLIO_ENV",
            format!("expected development (or dev, test) or production (or prod), in any case, got '{text}'"),
        )),
    }
}

/// `FOLIO_JWT_SECRET` as given (not trimmed), or a random one outside production;
/// true when it was generated.
pub(super) fn jwt_secret(secret: Option<String>, environment: Environment) -> Result<(JwtSecret, bool), ConfigError> {
    match secret {
        Some(secret) if !secret.is_empty() => {
            if secret.len() < MIN_JWT_SECRET_BYTES {
                return Err(ConfigError::new(
                    "FOLIO_JWT_SECRET",
                    format!("must be at least {MIN_JWT_SECRET_BYTES} bytes, got {}", secret.len()),
                ));
            }
            Ok((JwtSecret(secret.into_bytes()), false))
        }
        _ if environment == Environment::Production => {
            Err(ConfigError::new("FOLIO_JWT_SECRET", "is required when FOLIO_ENV=production"))
        }
        _ => {
            let mut bytes = vec![0u8; 64];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            Ok((JwtSecret(bytes), true))
        }
    }
}

/// `FOLIO_ADMIN_EMAIL` and `FOLIO_ADMIN_PASSWORD`: both or neither.
pub(super) fn admin(email: Option<String>, password: Option<String>) -> Result<Option<BootstrapAdmin>, ConfigError> {
    match (email, password) {
        (Some(email), Some(password)) if !password.is_empty() => Ok(Some(BootstrapAdmin { email, password })),
        (None, None) => Ok(None),
        (Some(_), _) => Err(ConfigError::new("FOLIO_ADMIN_PASSWORD", "must be set together with FOLIO_ADMIN_EMAIL")),
        (None, Some(_)) => Err(ConfigError::new("FOLIO_ADMIN_EMAIL", "must be set together with FOLIO_ADMIN_PASSWORD")),
    }
}

/// `FOLIO_MAX_BODY_BYTES`: 1 KiB to 64 MiB.
pub(super) fn max_body_bytes(text: &str) -> Result<usize, ConfigError> {
    match text.parse::<usize>() {
        Ok(n) if (1024..=64 * 1024 * 1024).contains(&n) => Ok(n),
        _ => Err(ConfigError::new(
            "FOLIO_MAX_BODY_BYTES",
            format!("expected a whole number of bytes from 1024 to 67108864, got '{text}'"),
        )),
    }
}

/// `FOLIO_TRUSTED_PROXIES`: addresses and CIDR blocks, comma-separated.
pub(super) fn trusted_proxies(list: &str) -> Result<TrustedProxies, ConfigError> {
    TrustedProxies::parse(list).map_err(|entry| {
        ConfigError::new(
            "FOLIO_TRUSTED_PROXIES",
            format!("'{entry}' is not an address or a CIDR block like 10.0.0.0/8"),
        )
    })
}

/// `HOST:PORT` with an IP address or a host name; a name gives every address it resolves to.
pub(super) fn bind_addresses(text: &str) -> Result<Vec<SocketAddr>, ConfigError> {
    let refuse = |why: String| ConfigError::new("FOLIO_BIND", why);
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Ok(vec![address]);
    }
    let Some((host, port)) = text.rsplit_once(':').filter(|(host, _)| !host.is_empty()) else {
        return Err(refuse(format!("expected HOST:PORT, like 127.0.0.1:8080 or localhost:8080, got '{text}'")));
    };
    let Ok(port) = port.parse::<u16>() else {
        return Err(refuse(format!("'{port}' is not a port number (0 to 65535)")));
    };
    let mut addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|err| refuse(format!("cannot resolve the host name '{host}': {err}")))?
        .collect();
    addresses.sort_unstable();
    addresses.dedup();
    if addresses.is_empty() {
        return Err(refuse(format!("the host name '{host}' resolves to no address")));
    }
    Ok(addresses)
}

/// A whole number within `range`, or `default` when unset.
pub(super) fn number(
    get: &impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    var: &'static str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    match get(var)? {
        None => Ok(default),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::new(
                var,
                format!("expected a whole number from {} to {}, got '{text}'", range.start(), range.end()),
            )),
        },
    }
}

/// `FOLIO_CORS_ORIGINS`: origins like https://example.com, comma-separated.
pub(super) fn origins(list: &str) -> Result<Vec<String>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        // `https://example.com/` is how browsers' address bars show an origin; the
        // Origin header never has the slash.
        .map(|origin| origin.strip_suffix('/').unwrap_or(origin))
        .map(|origin| {
            let rest = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.contains(['/', ' ', '?', '#']) => Ok(origin.to_owned()),
                _ => Err(ConfigError::new(
                    "FOLIO_CORS_ORIGINS",
                    format!("'{origin}' is not an origin like https://example.com"),
                )),
            }
        })
        .collect()
}

/// The longest wait between two webhook attempts: a week.
const MAX_RETRY_SECONDS: u64 = 7 * 86_400;
/// The most retries a schedule may list.
const MAX_RETRIES: usize = 50;

/// `FOLIO_WEBHOOK_RETRIES`: comma-separated seconds between attempts (`1,1,2`: four attempts).
pub(super) fn retries(list: &str) -> Result<Vec<u64>, ConfigError> {
    let refuse = |why: String| ConfigError::new("FOLIO_WEBHOOK_RETRIES", why);
    let delays = list
        .split(',')
        .map(|part| match part.trim().parse::<u64>() {
            Ok(seconds) if seconds <= MAX_RETRY_SECONDS => Ok(seconds),
            _ => Err(refuse(format!("'{}' is not a number of seconds from 0 to {MAX_RETRY_SECONDS}", part.trim()))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if delays.len() > MAX_RETRIES {
        return Err(refuse(format!("lists {} retries; at most {MAX_RETRIES}", delays.len())));
    }
    Ok(delays)
}

/// A `true`/`false` setting; unset is false.
pub(super) fn flag(var: &'static str, text: Option<&str>) -> Result<bool, ConfigError> {
    match text {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(ConfigError::new(var, format!("expected 'true' or 'false', got '{other}'"))),
    }
}
