//! `FOLIO_STORAGE`: where media files are kept, a local folder or an S3-compatible bucket.

use std::path::PathBuf;

use super::ConfigError;

const DEFAULT_FOLDER: &str = "./media";

/// Where media files go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageSetting {
    /// A local folder, made at start-up when missing.
    Folder(PathBuf),
    /// `s3://bucket/prefix`: an S3-compatible bucket, keys under `prefix`.
    S3 { bucket: String, prefix: String, credentials: S3Credentials },
}

/// The `AWS_*` variables read with the rest of the settings; the S3 client also reads
/// the process environment for any other `AWS_*` it knows.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Credentials {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub region: Option<String>,
    /// A non-AWS endpoint (MinIO, R2, moto…); plain http is allowed for it.
    pub endpoint: Option<String>,
}

impl std::fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl StorageSetting {
    pub(super) fn parse(
        value: Option<&str>,
        get: &impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    ) -> Result<Self, ConfigError> {
        let value = value.unwrap_or(DEFAULT_FOLDER);
        let Some(rest) = value.strip_prefix("s3://") else {
            if value.contains("://") {
                return Err(ConfigError::new(
                    "FOLIO_STORAGE",
                    format!("expected a folder or s3://bucket/prefix, got '{value}'"),
                ));
            }
            return Ok(Self::Folder(PathBuf::from(value)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !bucket_ok {
            return Err(ConfigError::new(
                "FOLIO_STORAGE",
                format!("'{bucket}' is not a bucket name (3 to 63 lowercase letters, digits, '-' or '.')"),
            ));
        }
        let credentials = S3Credentials {
            access_key_id: get("AWS_ACCESS_KEY_ID")?,
            secret_access_key: get("AWS_SECRET_ACCESS_KEY")?,
            region: get("AWS_REGION")?,
            endpoint: get("AWS_ENDPOINT_URL")?,
        };
        if let Some(endpoint) = &credentials.endpoint {
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                return Err(ConfigError::new(
                    "AWS_ENDPOINT_URL",
                    format!("expected an http:// or https:// URL, got '{endpoint}'"),
                ));
            }
        }
        Ok(Self::S3 { bucket: bucket.to_owned(), prefix: prefix.trim_matches('/').to_owned(), credentials })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: Option<&str>, vars: &[(&'static str, &str)]) -> Result<StorageSetting, ConfigError> {
        let vars: Vec<(&'static str, String)> = vars.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        StorageSetting::parse(value, &|name| Ok(vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())))
    }

    #[test]
    fn a_folder_by_default_and_a_bucket_with_its_prefix() {
        assert_eq!(parse(None, &[]).ok(), Some(StorageSetting::Folder("./media".into())));
        let Ok(StorageSetting::S3 { bucket, prefix, credentials }) =
            parse(Some("s3://folio-media/site/a/"), &[("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")])
        else {
            panic!("an S3 setting");
        };
        assert_eq!((bucket.as_str(), prefix.as_str()), ("folio-media", "site/a"));
        assert_eq!(credentials.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    }

    #[test]
    fn bad_buckets_schemes_and_endpoints_are_refused_naming_the_variable() {
        for (value, vars, var) in [
            ("s3://", vec![], "FOLIO_STORAGE"),
            ("s3://Upper/x", vec![], "FOLIO_STORAGE"),
            ("gs://bucket", vec![], "FOLIO_STORAGE"),
            ("s3://bucket", vec![("AWS_ENDPOINT_URL", "localhost:9000")], "AWS_ENDPOINT_URL"),
        ] {
            let err = parse(Some(value), &vars).err().map(|e| e.var);
            assert_eq!(err, Some(var), "{value}");
        }
    }
}
