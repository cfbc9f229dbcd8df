//! The central server of Teeka: devices enroll, push the events they recorded and pull the
//! events of their area. Storage is SQLite (the embedded default) or PostgreSQL, behind one
//! trait; the rules live once, in `service.rs`; `http.rs` is the axum face.

pub mod db;
pub mod fhir;
pub mod http;
pub mod openapi;
pub mod plan;
pub mod report;
pub mod service;
pub mod tls;

pub use db::postgres::PgDb;
pub use db::sqlite::SqliteDb;
pub use db::{Database, DbError};
pub use service::Service;

/// Where the server keeps its data: `sqlite:PATH` or `postgres://…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(path) = s.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err("sqlite: needs a file path, e.g. sqlite:teeka-server.db".into());
            }
            Ok(DatabaseUrl::Sqlite(path.into()))
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(s.to_string()))
        } else {
            Err(format!("'{s}' is not a database URL: use sqlite:PATH or postgres://USER@HOST:PORT/DB"))
        }
    }
}
