//! A PostgreSQL cluster of the bench's own, in its temporary directory: started with
//! the repository's `.ci/postgres` (initdb + pg_ctl), stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::server::{free_port, repository_root};

pub struct Cluster {
    dir: PathBuf,
    /// The URL of the database folio uses on it.
    pub url: String,
}

fn script() -> PathBuf {
    repository_root().join(".ci").join("postgres")
}

impl Cluster {
    /// Starts a cluster in `dir` and creates the database `folio` on it.
    pub fn start(dir: &Path) -> anyhow::Result<Self> {
        let dir = dir.join("pg");
        let port = free_port()?.to_string();
        let output =
            Command::new(script()).arg("start").arg(&dir).arg(&port).output().context("running .ci/postgres start")?;
        anyhow::ensure!(
            output.status.success(),
            ".ci/postgres start failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
        let cluster = Self { dir, url: format!("postgres://postgres@127.0.0.1:{port}/folio") };
        let created = Command::new("psql")
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-qc", "CREATE DATABASE folio"])
            .output()
            .context("running psql")?;
        anyhow::ensure!(
            created.status.success(),
            "creating the database: {}",
            String::from_utf8_lossy(&created.stderr).trim()
        );
        Ok(cluster)
    }

    /// The server's version, for the report.
    pub fn version(&self) -> String {
        Command::new("psql")
            .args([self.url.as_str(), "-tAc", "SHOW server_version"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|v| !v.is_empty())
            .map_or_else(|| "PostgreSQL".to_owned(), |v| format!("PostgreSQL {v}"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).output();
    }
}
