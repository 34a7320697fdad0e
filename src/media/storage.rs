//! Where media files are kept: a local folder or an S3-compatible bucket, through
//! `object_store`, under content-addressed keys, so a key never names two contents
//! and whatever is stored under one can be cached for ever.

use std::sync::Arc;

use actix_web::web::Bytes;
use anyhow::Context;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, PutPayload};

use super::kind::Kind;
use super::preset::Preset;
use crate::config::StorageSetting;

/// A stored file read back: its size and a stream of its bytes.
pub struct Stored {
    pub size: u64,
    pub body: BoxStream<'static, Result<Bytes, object_store::Error>>,
}

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

/// The key of an original: `originals/{sha256}.{ext}`.
pub fn original_key(sha256: &str, kind: Kind) -> Path {
    Path::from(format!("originals/{sha256}.{}", kind.ext()))
}

/// The key of a variant: `variants/{sha256}-{preset}.webp`.
pub fn variant_key(sha256: &str, preset: Preset) -> Path {
    Path::from(format!("variants/{sha256}-{}.webp", preset.as_str()))
}

impl Storage {
    /// The storage the setting names: the folder made when missing, the bucket's client
    /// configured (an unreachable bucket shows on the first upload, not here).
    pub fn open(setting: &StorageSetting) -> anyhow::Result<Self> {
        let store: Arc<dyn ObjectStore> = match setting {
            StorageSetting::Folder(folder) => {
                std::fs::create_dir_all(folder)
                    .with_context(|| format!("FOLIO_STORAGE: cannot make the folder {}", folder.display()))?;
                let local = LocalFileSystem::new_with_prefix(folder)
                    .with_context(|| format!("FOLIO_STORAGE: cannot use the folder {}", folder.display()))?;
                Arc::new(local)
            }
            StorageSetting::S3 { bucket, prefix, credentials } => {
                let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
                if let Some(key) = &credentials.access_key_id {
                    builder = builder.with_access_key_id(key);
                }
                if let Some(secret) = &credentials.secret_access_key {
                    builder = builder.with_secret_access_key(secret);
                }
                if let Some(region) = &credentials.region {
                    builder = builder.with_region(region);
                }
                if let Some(endpoint) = &credentials.endpoint {
                    builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
                }
                let s3 = builder.build().context("FOLIO_STORAGE: the S3 bucket's settings (AWS_*) are incomplete")?;
                match prefix.is_empty() {
                    true => Arc::new(s3),
                    false => Arc::new(PrefixStore::new(s3, prefix.as_str())),
                }
            }
        };
        Ok(Self { store })
    }

    pub async fn put(&self, key: &Path, bytes: Bytes) -> anyhow::Result<()> {
        self.store.put(key, PutPayload::from_bytes(bytes)).await.with_context(|| format!("storing {key}"))?;
        Ok(())
    }

    /// The file under `key`, streamed; `None` when there is none.
    pub async fn get(&self, key: &Path) -> anyhow::Result<Option<Stored>> {
        match self.store.get(key).await {
            Ok(found) => Ok(Some(Stored { size: found.meta.size, body: found.into_stream().boxed() })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err).with_context(|| format!("reading {key}")),
        }
    }

    /// The whole file under `key`; `None` when there is none.
    pub async fn read(&self, key: &Path) -> anyhow::Result<Option<Bytes>> {
        match self.store.get(key).await {
            Ok(found) => Ok(Some(found.bytes().await.with_context(|| format!("reading {key}"))?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err).with_context(|| format!("reading {key}")),
        }
    }

    /// The size of the file under `key`; `None` when there is none.
    pub async fn size(&self, key: &Path) -> anyhow::Result<Option<u64>> {
        match self.store.head(key).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err).with_context(|| format!("looking up {key}")),
        }
    }

    /// Removes the file under `key`; one already gone is no error.
    pub async fn delete(&self, key: &Path) -> anyhow::Result<()> {
        match self.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err).with_context(|| format!("removing {key}")),
        }
    }
}
