//! Test support for Teeka, for the tests and the benchmarks only (never a dependency of what
//! ships):
//!
//! - [`PgCluster`]: a throwaway PostgreSQL cluster (`pg`).
//! - [`proxy`]: the one TCP proxy in front of a server: faults, an emulated link, bytes counted
//!   per request path.
//! - [`fixtures`]: the areas, registers, events and enrollments the server's and sync's tests
//!   share.
//! - [`server_binary`]: where the `teeka-server` binary is, for tests of other packages.

mod bin;
pub mod fixtures;
mod pg;
pub mod proxy;

pub use bin::server_binary;
pub use pg::{bin_dir, skip_postgres, PgCluster, BIN_VAR, SKIP_VAR};
