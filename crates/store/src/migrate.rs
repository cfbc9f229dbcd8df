//! Schema migrations: the SQL files of `migrations/device/`, embedded, applied in order inside
//! one immediate transaction. Append-only: a shipped migration is never edited.

use crate::error::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};

/// (version, name, SQL), in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "0001_init", include_str!("../../../migrations/device/0001_init.sql")),
    (2, "0002_sync", include_str!("../../../migrations/device/0002_sync.sql")),
    (3, "0003_app", include_str!("../../../migrations/device/0003_app.sql")),
    (7, "0007_village_asha", include_str!("../../../migrations/device/0007_village_asha.sql")),
];

/// Brings the schema up to date; refuses a store made by a newer build.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL
         ) STRICT",
    )?;
    let current: i64 = tx.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > known {
        return Err(StoreError::NewerSchema { found: current, known });
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ'))",
            rusqlite::params![version, name],
        )?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_names_match_files() {
        // Strictly increasing: numbers are handed out to parallel branches (0007 before 0004–0006
        // were merged), so a branch may hold a gap until they meet.
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[1].0 > pair[0].0, "{} after {}", pair[1].1, pair[0].1);
        }
        for (v, name, _) in MIGRATIONS {
            assert!(name.starts_with(&format!("{v:04}_")));
        }
    }

    #[test]
    fn migrating_twice_is_harmless_and_a_newer_store_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')", []).unwrap();
        assert!(matches!(migrate(&mut conn), Err(StoreError::NewerSchema { found: 999, .. })));
    }
}
