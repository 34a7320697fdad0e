//! Typed settings read once from the environment (and `.env`), validated up front.

use std::net::SocketAddr;
use std::time::Duration;

use rand::RngCore;

use crate::store::logins::LoginLimits;

/// The smallest JWT secret accepted, in bytes (HS256 wants at least its hash size).
pub const MIN_JWT_SECRET_BYTES: usize = 32;
const DEFAULT_DATABASE_URL: &str = "sqlite://folio.db";
const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Seconds a request body may take to arrive, by default.
const DEFAULT_BODY_TIMEOUT_SECONDS: i64 = 30;

/// A setting that stops start-up; its `Display` is the one line the operator sees.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

impl ConfigError {
    fn new(var: &'static str, message: impl Into<String>) -> Self {
        Self { var, message: message.into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Where the first admin comes from on an empty database.
#[derive(Clone)]
pub struct BootstrapAdmin {
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for BootstrapAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootstrapAdmin").field("email", &self.email).finish_non_exhaustive()
    }
}

#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSecret(..)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    pub environment: Environment,
    pub jwt_secret: JwtSecret,
    /// True when no secret was configured and a random one was made for this run.
    pub jwt_secret_generated: bool,
    pub admin: Option<BootstrapAdmin>,
    pub cors_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// How long a whole request body may take to arrive (slow bodies get 408).
    pub body_timeout: Duration,
    pub login_limits: LoginLimits,
}

impl Settings {
    /// Reads the process environment (after loading `.env`, when present).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::new(name, "is not valid UTF-8")),
        })
    }

    /// Builds settings from any variable source; empty values count as unset.
    pub fn from_lookup(
        lookup: impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    ) -> Result<Self, ConfigError> {
        let get = |name: &'static str| -> Result<Option<String>, ConfigError> {
            Ok(lookup(name)?.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()))
        };
        let environment = match get("FOLIO_ENV")?.as_deref() {
            None | Some("development") | Some("dev") | Some("test") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(ConfigError::new(
                    "FOLIO_ENV",
                    format!("expected 'development' or 'production', got '{other}'"),
                ))
            }
        };
        let database_url = get("DATABASE_URL")?.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let bind_text = get("FOLIO_BIND")?.unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = bind_text.parse().map_err(|_| {
            ConfigError::new("FOLIO_BIND", format!("expected an address like 127.0.0.1:8080, got '{bind_text}'"))
        })?;
        let (jwt_secret, jwt_secret_generated) = match lookup("FOLIO_JWT_SECRET")? {
            Some(secret) if !secret.is_empty() => {
                if secret.len() < MIN_JWT_SECRET_BYTES {
                    return Err(ConfigError::new(
                        "FOLIO_JWT_SECRET",
                        format!("must be at least {MIN_JWT_SECRET_BYTES} bytes, got {}", secret.len()),
                    ));
                }
                (JwtSecret(secret.into_bytes()), false)
            }
            _ if environment == Environment::Production => {
                return Err(ConfigError::new("FOLIO_JWT_SECRET", "is required when FOLIO_ENV=production"));
            }
            _ => {
                let mut bytes = vec![0u8; 64];
                rand::rngs::OsRng.fill_bytes(&mut bytes);
                (JwtSecret(bytes), true)
            }
        };
        let admin = match (get("FOLIO_ADMIN_EMAIL")?, lookup("FOLIO_ADMIN_PASSWORD")?) {
            (Some(email), Some(password)) if !password.is_empty() => Some(BootstrapAdmin { email, password }),
            (None, None) => None,
            (Some(_), _) => {
                return Err(ConfigError::new("FOLIO_ADMIN_PASSWORD", "must be set together with FOLIO_ADMIN_EMAIL"))
            }
            (None, Some(_)) => {
                return Err(ConfigError::new("FOLIO_ADMIN_EMAIL", "must be set together with FOLIO_ADMIN_PASSWORD"))
            }
        };
        let cors_origins = match get("FOLIO_CORS_ORIGINS")? {
            None => Vec::new(),
            Some(list) => parse_origins(&list)?,
        };
        let max_body_bytes = match get("FOLIO_MAX_BODY_BYTES")? {
            None => DEFAULT_MAX_BODY_BYTES,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1024..=64 * 1024 * 1024).contains(&n) => n,
                _ => {
                    return Err(ConfigError::new(
                        "FOLIO_MAX_BODY_BYTES",
                        format!("expected a whole number of bytes from 1024 to 67108864, got '{text}'"),
                    ))
                }
            },
        };
        let body_timeout = number(&get, "FOLIO_BODY_TIMEOUT_SECONDS", DEFAULT_BODY_TIMEOUT_SECONDS, 1..=3_600)?;
        let body_timeout = Duration::from_secs(body_timeout.unsigned_abs());
        let login_limits = LoginLimits {
            per_email: number(&get, "FOLIO_LOGIN_MAX_FAILURES_PER_EMAIL", 10, 1..=100_000)?,
            per_client: number(&get, "FOLIO_LOGIN_MAX_FAILURES_PER_CLIENT", 50, 1..=1_000_000)?,
            window_seconds: number(&get, "FOLIO_LOGIN_WINDOW_SECONDS", 900, 1..=86_400 * 7)?,
        };
        Ok(Self {
            login_limits,
            database_url,
            bind,
            environment,
            jwt_secret,
            jwt_secret_generated,
            admin,
            cors_origins,
            max_body_bytes,
            body_timeout,
        })
    }
}

/// A whole number within `range`, or `default` when unset.
fn number(
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

fn parse_origins(list: &str) -> Result<Vec<String>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|name| Ok(map.get(name).cloned()))
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let s = settings(&[]).expect("defaults are valid");
        assert_eq!(s.database_url, "sqlite://folio.db");
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.jwt_secret_generated);
        assert_eq!(s.max_body_bytes, 1024 * 1024);
        assert_eq!(s.body_timeout, Duration::from_secs(30));
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("FOLIO_BIND", "nowhere")], "FOLIO_BIND"),
            (&[("FOLIO_JWT_SECRET", "short")], "FOLIO_JWT_SECRET"),
            (&[("FOLIO_ENV", "production")], "FOLIO_JWT_SECRET"),
            (&[("FOLIO_ENV", "staging")], "FOLIO_ENV"),
            (&[("FOLIO_MAX_BODY_BYTES", "-1")], "FOLIO_MAX_BODY_BYTES"),
            (&[("FOLIO_CORS_ORIGINS", "example.com")], "FOLIO_CORS_ORIGINS"),
            (&[("FOLIO_ADMIN_EMAIL", "a@example.com")], "FOLIO_ADMIN_PASSWORD"),
            (&[("FOLIO_LOGIN_WINDOW_SECONDS", "0")], "FOLIO_LOGIN_WINDOW_SECONDS"),
            (&[("FOLIO_BODY_TIMEOUT_SECONDS", "0")], "FOLIO_BODY_TIMEOUT_SECONDS"),
            (&[("FOLIO_BODY_TIMEOUT_SECONDS", "soon")], "FOLIO_BODY_TIMEOUT_SECONDS"),
        ];
        for (vars, var) in cases {
            let err = settings(vars).expect_err("must be refused");
            assert_eq!(err.var, *var, "case {vars:?}");
        }
    }

    #[test]
    fn production_accepts_a_long_secret() {
        let secret = "x".repeat(32);
        let s = settings(&[("FOLIO_ENV", "production"), ("FOLIO_JWT_SECRET", &secret)]).expect("valid");
        assert!(!s.jwt_secret_generated);
        assert_eq!(s.environment, Environment::Production);
    }
}
