//! Typed settings read once from the environment (and `.env`), validated up front.

use std::net::SocketAddr;
use std::time::Duration;

use crate::content::links::{ArticlePath, Links, SiteUrl, DEFAULT_ARTICLE_PATH};
use crate::content::locale::{Locales, DEFAULT_LOCALES};
use crate::proxies::TrustedProxies;
pub use database_url::{DatabaseUrl, DATABASE_URL_FORMS};
use parse::number;

mod database_url;
mod parse;
mod storage;
pub use storage::{S3Credentials, StorageSetting};

/// The smallest JWT secret accepted, in bytes (HS256 wants at least its hash size).
pub const MIN_JWT_SECRET_BYTES: usize = 32;
const DEFAULT_DATABASE_URL: &str = "sqlite://folio.db";
const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// 10 MiB: the largest upload, by default.
const DEFAULT_MAX_UPLOAD_BYTES: i64 = 10 * 1024 * 1024;
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

/// How the database is used: pool size and how long a statement may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatabaseTuning {
    /// Connections reading in parallel (`FOLIO_DB_POOL_SIZE`); writes have one of their own.
    pub readers: u32,
    /// On PostgreSQL, the longest a statement or a lock wait may take
    /// (`FOLIO_DB_STATEMENT_TIMEOUT_SECONDS`); past it the request gets 503.
    pub statement_timeout: Duration,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, coloured only on a terminal without `NO_COLOR`.
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// From `FOLIO_LOG_FORMAT` (`text`, the default, or `json`).
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var("FOLIO_LOG_FORMAT").as_deref().map(str::trim) {
            Err(std::env::VarError::NotPresent) | Ok("") | Ok("text") => Ok(Self::Text),
            Ok("json") => Ok(Self::Json),
            Ok(other) => Err(ConfigError::new("FOLIO_LOG_FORMAT", format!("expected 'text' or 'json', got '{other}'"))),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::new("FOLIO_LOG_FORMAT", "is not valid UTF-8")),
        }
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
    pub database_url: DatabaseUrl,
    pub database_tuning: DatabaseTuning,
    /// Every address `FOLIO_BIND` names: one, or all that its host name resolves to.
    pub bind: Vec<SocketAddr>,
    pub environment: Environment,
    pub jwt_secret: JwtSecret,
    /// True when no secret was configured and a random one was made for this run.
    pub jwt_secret_generated: bool,
    pub admin: Option<BootstrapAdmin>,
    pub cors_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// How long a whole request body may take to arrive (slow bodies get 408).
    pub body_timeout: Duration,
    /// Matches of a search ranked by relevance, the newest first (`FOLIO_SEARCH_RANKED`);
    /// older matches of a search matching more follow by date.
    pub search_ranked: usize,
    /// Bytes of public list pages kept in memory (`FOLIO_LIST_CACHE_MB`; 0 keeps none).
    pub list_cache_bytes: u64,
    pub login_limits: LoginLimits,
    /// Peers whose `X-Forwarded-For` names the client (for the per-client login limit).
    pub trusted_proxies: TrustedProxies,
    pub webhooks: WebhookSettings,
    /// The locales articles may have (`FOLIO_LOCALES`), the default first.
    pub locales: Locales,
    /// How feeds and the sitemap link articles (`FOLIO_SITE_URL`, `FOLIO_ARTICLE_PATH`).
    pub links: Links,
    /// URLs in one sitemap file (`FOLIO_SITEMAP_URLS_PER_FILE`); past it the sitemap is an index.
    pub sitemap_urls_per_file: i64,
    /// Where media files are kept (`FOLIO_STORAGE`).
    pub storage: StorageSetting,
    /// The largest upload, in bytes (`FOLIO_MAX_UPLOAD_BYTES`); `max_body_bytes` does not apply to uploads.
    pub max_upload_bytes: usize,
}

/// How many failed logins lock further attempts out, per email and per client
/// address, within a sliding window (the store counts them, [`crate::store::logins`]).
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub per_email: i64,
    pub per_client: i64,
    pub window_seconds: i64,
}

/// How webhook deliveries are retried and where they may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Seconds to wait before each retry (`FOLIO_WEBHOOK_RETRIES`); its length is the
    /// number of retries after the first attempt.
    pub retries: Vec<u64>,
    /// Whether endpoints may resolve to loopback, private or link-local addresses:
    /// outside production always, in production only with `FOLIO_WEBHOOK_ALLOW_PRIVATE=true`.
    pub allow_private: bool,
    /// How long events are kept (`FOLIO_EVENT_RETENTION_DAYS`, default 30): the changes
    /// feed reads them, and a cursor older than that is refused.
    pub event_retention: chrono::TimeDelta,
}

/// The default retry schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
pub const DEFAULT_WEBHOOK_RETRIES: [u64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

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
        let environment = parse::environment(get("FOLIO_ENV")?.as_deref())?;
        let database_url = DatabaseUrl::parse(get("DATABASE_URL")?.as_deref().unwrap_or(DEFAULT_DATABASE_URL))?;
        let database_tuning = DatabaseTuning {
            readers: u32::try_from(number(&get, "FOLIO_DB_POOL_SIZE", 8, 1..=256)?).unwrap_or(8),
            statement_timeout: Duration::from_secs(
                number(&get, "FOLIO_DB_STATEMENT_TIMEOUT_SECONDS", 10, 1..=3_600)?.unsigned_abs(),
            ),
        };
        let bind = parse::bind_addresses(get("FOLIO_BIND")?.as_deref().unwrap_or(DEFAULT_BIND))?;
        let (jwt_secret, jwt_secret_generated) = parse::jwt_secret(lookup("FOLIO_JWT_SECRET")?, environment)?;
        let admin = parse::admin(get("FOLIO_ADMIN_EMAIL")?, lookup("FOLIO_ADMIN_PASSWORD")?)?;
        let cors_origins = match get("FOLIO_CORS_ORIGINS")? {
            None => Vec::new(),
            Some(list) => parse::origins(&list)?,
        };
        let max_body_bytes = match get("FOLIO_MAX_BODY_BYTES")? {
            None => DEFAULT_MAX_BODY_BYTES,
            Some(text) => parse::max_body_bytes(&text)?,
        };
        let body_timeout = number(&get, "FOLIO_BODY_TIMEOUT_SECONDS", DEFAULT_BODY_TIMEOUT_SECONDS, 1..=3_600)?;
        let body_timeout = Duration::from_secs(body_timeout.unsigned_abs());
        let search_ranked = number(&get, "FOLIO_SEARCH_RANKED", 1_000, 1..=100_000)?;
        let search_ranked = usize::try_from(search_ranked).unwrap_or(1_000);
        let list_cache_mb = number(&get, "FOLIO_LIST_CACHE_MB", 16, 0..=4_096)?;
        let list_cache_bytes = list_cache_mb.unsigned_abs() << 20;
        let login_limits = LoginLimits {
            per_email: number(&get, "FOLIO_LOGIN_MAX_FAILURES_PER_EMAIL", 10, 1..=100_000)?,
            per_client: number(&get, "FOLIO_LOGIN_MAX_FAILURES_PER_CLIENT", 50, 1..=1_000_000)?,
            window_seconds: number(&get, "FOLIO_LOGIN_WINDOW_SECONDS", 900, 1..=86_400 * 7)?,
        };
        let trusted_proxies = match get("FOLIO_TRUSTED_PROXIES")? {
            None => TrustedProxies::default(),
            Some(list) => parse::trusted_proxies(&list)?,
        };
        let webhooks = WebhookSettings {
            retries: match get("FOLIO_WEBHOOK_RETRIES")? {
                None => DEFAULT_WEBHOOK_RETRIES.to_vec(),
                Some(list) => parse::retries(&list)?,
            },
            // Read in every environment, so that a typo is refused before production.
            allow_private: parse::flag("FOLIO_WEBHOOK_ALLOW_PRIVATE", get("FOLIO_WEBHOOK_ALLOW_PRIVATE")?.as_deref())?
                || environment != Environment::Production,
            // At least the week a starting process looks back for scheduled articles
            // going live: their events are what says each was announced once.
            event_retention: chrono::TimeDelta::days(number(&get, "FOLIO_EVENT_RETENTION_DAYS", 30, 7..=3_650)?),
        };
        let locales = Locales::parse(get("FOLIO_LOCALES")?.as_deref().unwrap_or(DEFAULT_LOCALES))
            .map_err(|why| ConfigError::new("FOLIO_LOCALES", why))?;
        let site = get("FOLIO_SITE_URL")?.map(|url| SiteUrl::parse(&url)).transpose();
        let site = site.map_err(|why| ConfigError::new("FOLIO_SITE_URL", why))?;
        let article_path = ArticlePath::parse(get("FOLIO_ARTICLE_PATH")?.as_deref().unwrap_or(DEFAULT_ARTICLE_PATH))
            .map_err(|why| ConfigError::new("FOLIO_ARTICLE_PATH", why))?;
        // 50,000: the most the sitemaps.org protocol allows in one file.
        let sitemap_urls_per_file = number(&get, "FOLIO_SITEMAP_URLS_PER_FILE", 50_000, 1..=50_000)?;
        let storage = StorageSetting::parse(get("FOLIO_STORAGE")?.as_deref(), &get)?;
        let max_upload_bytes = number(&get, "FOLIO_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES, 1024..=1 << 30)?;
        let max_upload_bytes = usize::try_from(max_upload_bytes).unwrap_or(usize::MAX);
        Ok(Self {
            storage,
            max_upload_bytes,
            links: Links::new(site, article_path, locales.default_locale()),
            locales,
            sitemap_urls_per_file,
            webhooks,
            login_limits,
            trusted_proxies,
            database_url,
            database_tuning,
            bind,
            environment,
            jwt_secret,
            jwt_secret_generated,
            admin,
            cors_origins,
            max_body_bytes,
            body_timeout,
            search_ranked,
            list_cache_bytes,
        })
    }
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
        assert!(s.database_url == DatabaseUrl::Sqlite("folio.db".into()));
        assert_eq!(s.bind, vec![SocketAddr::from(([127, 0, 0, 1], 8080))]);
        assert!(s.jwt_secret_generated);
        assert_eq!(s.max_body_bytes, 1024 * 1024);
        assert_eq!(s.body_timeout, Duration::from_secs(30));
        assert_eq!(s.list_cache_bytes, 16 << 20);
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("FOLIO_BIND", "nowhere")], "FOLIO_BIND"),
            (&[("FOLIO_BIND", "localhost:http")], "FOLIO_BIND"),
            (&[("DATABASE_URL", "folio.db")], "DATABASE_URL"),
            (&[("DATABASE_URL", "not a url")], "DATABASE_URL"),
            (&[("DATABASE_URL", "mysql://db/folio")], "DATABASE_URL"),
            (&[("DATABASE_URL", "sqlite://")], "DATABASE_URL"),
            (&[("FOLIO_JWT_SECRET", "short")], "FOLIO_JWT_SECRET"),
            (&[("FOLIO_ENV", "production")], "FOLIO_JWT_SECRET"),
            (&[("FOLIO_ENV", "staging")], "FOLIO_ENV"),
            (&[("FOLIO_WEBHOOK_RETRIES", "5,soon")], "FOLIO_WEBHOOK_RETRIES"),
            (&[("FOLIO_WEBHOOK_RETRIES", "5,,6")], "FOLIO_WEBHOOK_RETRIES"),
            (&[("FOLIO_WEBHOOK_ALLOW_PRIVATE", "maybe")], "FOLIO_WEBHOOK_ALLOW_PRIVATE"),
            (&[("FOLIO_MAX_BODY_BYTES", "-1")], "FOLIO_MAX_BODY_BYTES"),
            (&[("FOLIO_CORS_ORIGINS", "example.com")], "FOLIO_CORS_ORIGINS"),
            (&[("FOLIO_ADMIN_EMAIL", "a@example.com")], "FOLIO_ADMIN_PASSWORD"),
            (&[("FOLIO_LOGIN_WINDOW_SECONDS", "0")], "FOLIO_LOGIN_WINDOW_SECONDS"),
            (&[("FOLIO_TRUSTED_PROXIES", "10.0.0.1, proxy.internal")], "FOLIO_TRUSTED_PROXIES"),
            (&[("FOLIO_BODY_TIMEOUT_SECONDS", "0")], "FOLIO_BODY_TIMEOUT_SECONDS"),
            (&[("FOLIO_BODY_TIMEOUT_SECONDS", "soon")], "FOLIO_BODY_TIMEOUT_SECONDS"),
            (&[("FOLIO_EVENT_RETENTION_DAYS", "0")], "FOLIO_EVENT_RETENTION_DAYS"),
            (&[("FOLIO_LOCALES", "en,fr_FR")], "FOLIO_LOCALES"),
            (&[("FOLIO_LOCALES", "en,EN")], "FOLIO_LOCALES"),
            (&[("FOLIO_EVENT_RETENTION_DAYS", "6")], "FOLIO_EVENT_RETENTION_DAYS"),
            (&[("FOLIO_SITE_URL", "clinic.example")], "FOLIO_SITE_URL"),
            (&[("FOLIO_SITE_URL", "https://clinic.example/?page=1")], "FOLIO_SITE_URL"),
            (&[("FOLIO_ARTICLE_PATH", "{slug}")], "FOLIO_ARTICLE_PATH"),
            (&[("FOLIO_ARTICLE_PATH", "/{section}")], "FOLIO_ARTICLE_PATH"),
            (&[("FOLIO_ARTICLE_PATH", "/{year}/{slug}")], "FOLIO_ARTICLE_PATH"),
            (&[("FOLIO_SITEMAP_URLS_PER_FILE", "0")], "FOLIO_SITEMAP_URLS_PER_FILE"),
            (&[("FOLIO_SITEMAP_URLS_PER_FILE", "50001")], "FOLIO_SITEMAP_URLS_PER_FILE"),
            (&[("FOLIO_LIST_CACHE_MB", "-1")], "FOLIO_LIST_CACHE_MB"),
            (&[("FOLIO_LIST_CACHE_MB", "4097")], "FOLIO_LIST_CACHE_MB"),
            (&[("FOLIO_LIST_CACHE_MB", "16MB")], "FOLIO_LIST_CACHE_MB"),
        ];
        for (vars, var) in cases {
            let err = settings(vars).expect_err("must be refused");
            assert_eq!(err.var, *var, "case {vars:?}");
        }
    }

    #[test]
    fn database_urls_take_the_four_documented_forms() {
        let url = |text: &str| settings(&[("DATABASE_URL", text)]).expect("accepted").database_url;
        assert!(url("sqlite://data/folio.db") == DatabaseUrl::Sqlite("data/folio.db".into()));
        assert!(url("sqlite:///var/folio.db") == DatabaseUrl::Sqlite("/var/folio.db".into()));
        assert!(url("sqlite:folio.db") == DatabaseUrl::Sqlite("folio.db".into()));
        assert!(matches!(url("postgres://folio:secret@db/folio"), DatabaseUrl::Postgres(_)));
        assert_eq!(format!("{:?}", url("postgresql://folio:secret@db/folio")), "postgresql://folio:…@db/folio");
        assert_eq!(format!("{:?}", url("postgres://folio@db:5432/folio")), "postgres://folio@db:5432/folio");
        assert_eq!(format!("{:?}", url("postgres://db/folio?sslmode=require")), "postgres://db/folio?sslmode=require");
        // A password holding '@' or ':' (percent-encoded, as libpq wants it) is hidden whole.
        assert_eq!(format!("{:?}", url("postgres://u:p%40ss:w@db/f")), "postgres://u:…@db/f");
    }

    #[test]
    fn a_host_name_binds_every_address_it_resolves_to() {
        let s = settings(&[("FOLIO_BIND", "localhost:8080")]).expect("localhost resolves");
        assert!(s.bind.iter().any(|a| a.ip().is_loopback() && a.port() == 8080), "{:?}", s.bind);
        assert!(s.bind.iter().all(|a| a.ip().is_loopback()));
    }

    #[test]
    fn a_cors_origin_loses_its_trailing_slash() {
        let s = settings(&[("FOLIO_CORS_ORIGINS", "https://example.com/, http://127.0.0.1:3000")]).expect("valid");
        assert_eq!(s.cors_origins, ["https://example.com", "http://127.0.0.1:3000"]);
    }

    #[test]
    fn folio_env_is_read_whatever_its_case_and_a_refusal_lists_the_values() {
        let secret = "x".repeat(32);
        for value in ["production", "Production", "PROD", "prod"] {
            let s = settings(&[("FOLIO_ENV", value), ("FOLIO_JWT_SECRET", &secret)]).expect(value);
            assert_eq!(s.environment, Environment::Production, "{value}");
        }
        for value in ["development", "Development", "DEV", "Test"] {
            assert_eq!(settings(&[("FOLIO_ENV", value)]).expect(value).environment, Environment::Development);
        }
        let err = settings(&[("FOLIO_ENV", "Staging")]).expect_err("not an environment");
        for accepted in ["development", "dev", "test", "production", "prod", "Staging"] {
            assert!(err.message.contains(accepted), "{accepted}: {err}");
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
