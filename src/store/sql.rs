//! SQL text built clause by clause for either backend, for the queries diesel's
//! query builder cannot express (full-text search joins and ranking).
//!
//! Clauses are written once; a value goes in through [`Sql::bind`] or [`Sql::with`],
//! which write the backend's placeholder (`?` on SQLite, `$n` on PostgreSQL), so no
//! value is ever part of the SQL text.

use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::serialize::ToSql;
use diesel::sql_types::HasSqlType;

use crate::db::{Conn, MultiBackend};

pub struct Sql {
    query: BoxedSqlQuery<'static, MultiBackend, SqlQuery>,
    postgres: bool,
    binds: usize,
}

impl Sql {
    /// Starts a statement for `conn`'s backend with `text`, which holds no value.
    pub fn new(conn: &Conn, text: &str) -> Self {
        Self { query: diesel::sql_query(text).into_boxed(), postgres: conn.is_postgres(), binds: 0 }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres
    }

    /// Appends `text`, which holds no value.
    pub fn push(mut self, text: &str) -> Self {
        self.query = self.query.sql(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind<ST, V>(mut self, value: V) -> Self
    where
        MultiBackend: HasSqlType<ST>,
        ST: Send + 'static,
        V: ToSql<ST, MultiBackend> + Send + 'static,
    {
        self.binds += 1;
        let placeholder = if self.postgres { format!("${}", self.binds) } else { "?".to_owned() };
        self.query = self.query.sql(placeholder).bind::<ST, V>(value);
        self
    }

    /// Appends `text`, whose one `?` stands for `value`.
    pub fn with<ST, V>(self, text: &str, value: V) -> Self
    where
        MultiBackend: HasSqlType<ST>,
        ST: Send + 'static,
        V: ToSql<ST, MultiBackend> + Send + 'static,
    {
        let (before, after) = text.split_once('?').unwrap_or((text, ""));
        self.push(before).bind::<ST, V>(value).push(after)
    }

    /// Appends `values` as a comma-separated list of placeholders.
    pub fn list<ST, V>(mut self, values: impl IntoIterator<Item = V>) -> Self
    where
        MultiBackend: HasSqlType<ST>,
        ST: Send + 'static,
        V: ToSql<ST, MultiBackend> + Send + 'static,
    {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self = self.push(", ");
            }
            self = self.bind::<ST, V>(value);
        }
        self
    }

    pub fn query(self) -> BoxedSqlQuery<'static, MultiBackend, SqlQuery> {
        self.query
    }
}
