//! Schema migrations: the SQL files of `migrations/device/`, embedded, applied in order inside
//! one immediate transaction. Append-only: a shipped migration is never edited.

use crate::error::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};

/// (version, name, SQL), in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "0001_init", include_str!("../../../migrations/device/0001_init.sql")),
    (2, "0002_sync", include_str!("../../../migrations/device/0002_sync.sql")),
    (3, "0003_app", include_str!("../../../migrations/device/0003_app.sql")),
    (4, "0004_care", include_str!("../../../migrations/device/0004_care.sql")),
    (5, "0005_delivery", include_str!("../../../migrations/device/0005_delivery.sql")),
    (6, "0006_village_asha", include_str!("../../../migrations/device/0006_village_asha.sql")),
    (7, "0007_flags", include_str!("../../../migrations/device/0007_flags.sql")),
    (8, "0008_campaign", include_str!("../../../migrations/device/0008_campaign.sql")),
    (9, "0009_monitoring", include_str!("../../../migrations/device/0009_monitoring.sql")),
    (10, "0010_national_ids", include_str!("../../../migrations/device/0010_national_ids.sql")),
    (11, "0011_worker", include_str!("../../../migrations/device/0011_worker.sql")),
    (12, "0012_no_hlc_index", include_str!("../../../migrations/device/0012_no_hlc_index.sql")),
];

/// Brings the schema up to date; refuses a store made by a newer build.
///
/// Foreign keys are off while migrating (SQLite's procedure for rebuilding a table, which
/// 0005 does; the pragma cannot change inside a transaction) and checked before committing;
/// the connection's setting is restored after.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let foreign_keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = migrate_in(conn);
    conn.pragma_update(None, "foreign_keys", foreign_keys)?;
    result
}

fn migrate_in(conn: &mut Connection) -> Result<()> {
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
    if current == known {
        // Nothing to apply: no table was rebuilt, so nothing to check (the check reads every
        // row of every table with a foreign key: a second, or more, on a block's store).
        return Ok(tx.commit()?);
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ'))",
            rusqlite::params![version, name],
        )?;
    }
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
    if broken > 0 {
        return Err(StoreError::Corrupt(format!("{broken} rows break a foreign key after migrating")));
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
            assert!(pair[1].0 == pair[0].0 + 1, "{} follows {}", pair[1].0, pair[0].0);
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

    #[test]
    fn the_delivery_migration_keeps_every_row_and_reference() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT").unwrap();
        for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 <= 3) {
            tx.execute_batch(sql).unwrap();
            tx.execute("INSERT INTO schema_migrations VALUES (?1, ?2, 'x')", rusqlite::params![version, name]).unwrap();
        }
        tx.execute_batch(
            "INSERT INTO areas (id, level, name) VALUES ('v', 'village', 'Rampur');
             INSERT INTO households (id, household_id, village_id) VALUES ('h', 'H-1', 'v');
             INSERT INTO beneficiaries (id, register_id, household_id, kind, name, status, doses_packed)
                 VALUES ('b', 'C-1', 'h', 'child', 'Asha', 'died', X'0102');
             INSERT INTO doses (id, beneficiary_id, code, date) VALUES ('d', 'b', 'BCG', '2026-01-01');",
        )
        .unwrap();
        tx.commit().unwrap();
        migrate(&mut conn).unwrap();
        let row: (String, String, Vec<u8>, Option<String>) = conn
            .query_row("SELECT register_id, status, doses_packed, mother_id FROM beneficiaries", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(row, ("C-1".into(), "died".into(), vec![1, 2], None));
        let fk: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 0);
        conn.execute("UPDATE beneficiaries SET status = 'delivered'", []).unwrap();
        let on: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(on, "the connection's setting is restored");
        assert!(
            conn.execute(
                "INSERT INTO doses (id, beneficiary_id, code, date) VALUES ('e', 'nobody', 'BCG', '2026-01-01')",
                []
            )
            .is_err(),
            "the doses still reference beneficiaries"
        );
    }
}
