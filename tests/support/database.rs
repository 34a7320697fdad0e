//! A fresh database for one test: a SQLite file in a temporary directory, or, when
//! `FOLIO_TEST_POSTGRES` names a PostgreSQL server (`postgres://user@host:port/db`),
//! a new database of its own on that server, dropped when the test ends.
//!
//! `.ci/run` runs the whole suite once per backend this way.
#![allow(
    dead_code,
    clippy::expect_used,
    reason = "each test crate that includes this uses only part of it; a test without its database fails loudly"
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

/// The variable naming the PostgreSQL server the tests make their databases on.
pub const POSTGRES_VAR: &str = "FOLIO_TEST_POSTGRES";

pub struct TestDatabase {
    pub url: String,
    /// The server's URL and the database's name, to drop it.
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TestDatabase {
    /// A new, empty database on the backend the suite runs against.
    pub fn new() -> Self {
        match std::env::var(POSTGRES_VAR) {
            Ok(server) if !server.is_empty() => Self::postgres(&server),
            _ => Self::sqlite(),
        }
    }

    /// A new SQLite database, whatever the suite runs against.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("folio.db").display());
        Self { url, postgres: None, _dir: dir }
    }

    /// A new database on the PostgreSQL server `server`.
    pub fn postgres(server: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("folio_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let mut admin = PgConnection::establish(server).expect("the test PostgreSQL server answers");
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop database");
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create database");
        let (base, _) = server.rsplit_once('/').expect("a server URL ends in /DATABASE");
        let url = format!("{base}/{name}");
        Self { url, postgres: Some((server.to_owned(), name)), _dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.postgres {
            if let Ok(mut admin) = PgConnection::establish(server) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}
