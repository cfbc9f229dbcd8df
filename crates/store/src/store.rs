//! The store itself: opening it (WAL, foreign keys, durable commits, migrations), its device id,
//! its schedule settings, and the raw log.

use crate::error::{Result, StoreError};
use crate::migrate;
use rusqlite::{Connection, OptionalExtension};
use std::path::Path;
use teeka_domain::ScheduleSettings;
use uuid::Uuid;

/// The device store.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) device_id: Uuid,
}

/// The page cache of an encrypted store's connection, in KiB.
const ENCRYPTED_CACHE_KIB: i64 = 128 * 1024;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

impl Store {
    /// Opens (creating if needed) the plain store at `path` and brings its schema up to date.
    /// An encrypted one is `STORE_ENCRYPTED` ([`Store::open_keyed`] opens it).
    pub fn open(path: &Path) -> Result<Store> {
        if crate::encrypt::file_state(path)? == crate::encrypt::FileState::Encrypted {
            return Err(StoreError::Encrypted(format!("{}: the store is encrypted", path.display())));
        }
        Self::setup(Connection::open(path)?)
    }

    /// Opens (creating if needed, encrypted) the store at `path` with its data key.
    pub fn open_keyed(path: &Path, key: &crate::keyring::DataKey) -> Result<Store> {
        if crate::encrypt::file_state(path)? == crate::encrypt::FileState::Plain {
            return Err(StoreError::Corrupt(format!(
                "{}: a plain store where an encrypted one was expected",
                path.display()
            )));
        }
        let conn = crate::encrypt::keyed_connection(path, key)?;
        // SQLCipher reads an encrypted store through its own page cache (no memory mapping:
        // every page from the disk is decrypted and checked): a cache that holds a block's due
        // list keeps it from being decrypted again at every read. Memory is taken only as pages
        // are read.
        let store = Self::setup(conn)?;
        store.conn.pragma_update(None, "cache_size", -ENCRYPTED_CACHE_KIB)?;
        Ok(store)
    }

    /// A store in memory, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Read the store through memory mapping and a larger page cache: the due list reads every
        // beneficiary, and copying pages in from the OS each time dominated it.
        conn.pragma_update(None, "mmap_size", 256 * 1024 * 1024)?;
        conn.pragma_update(None, "cache_size", -16 * 1024)?;
        // The store has over a hundred statements it keeps prepared, and one event's projection
        // uses dozens: with rusqlite's default of 16, an import prepared most of them again for
        // every event (a quarter of its time).
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrate::migrate(&mut conn)?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let existing: Option<String> =
            tx.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0)).optional()?;
        let device_id = match existing {
            Some(text) => Uuid::parse_str(&text).map_err(|e| StoreError::Corrupt(format!("device id: {e}")))?,
            None => {
                let id = Uuid::now_v7();
                tx.execute("INSERT INTO meta (key, value) VALUES ('device_id', ?1)", [id.to_string()])?;
                id
            }
        };
        tx.commit()?;
        Ok(Store { conn, device_id })
    }

    /// This device's id, made when the store was created.
    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// The schedule settings of this device.
    pub fn settings(&self) -> Result<ScheduleSettings> {
        let grace: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = 'overdue_grace_days'", [], |r| r.get(0))
            .optional()?;
        let mut s = ScheduleSettings::default();
        if let Some(g) = grace {
            s.overdue_grace_days =
                g.parse().map_err(|_| StoreError::Corrupt(format!("setting overdue_grace_days = '{g}'")))?;
        }
        Ok(s)
    }

    /// Sets the number of days after its due date at which a dose becomes overdue.
    pub fn set_overdue_grace_days(&mut self, days: u32) -> Result<()> {
        if days > 365 {
            return Err(StoreError::Invalid(format!("overdue grace of {days} days is more than a year")));
        }
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('overdue_grace_days', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [days.to_string()],
        )?;
        Ok(())
    }

    /// What SQLite's `PRAGMA integrity_check` finds wrong with the store file (nothing: empty),
    /// and the rows breaking a foreign key (`PRAGMA foreign_key_check`).
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let line: String = r.get(0)?;
            if line != "ok" {
                out.push(line);
            }
        }
        let broken: i64 = self.conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        if broken > 0 {
            out.push(format!("{broken} rows break a foreign key"));
        }
        Ok(out)
    }

    /// This connection's `foreign_keys` and `synchronous` settings (1 and 2 = FULL when open).
    pub fn connection_pragmas(&self) -> Result<(i64, i64)> {
        let fk = self.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        let sync = self.conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        Ok((fk, sync))
    }
}
