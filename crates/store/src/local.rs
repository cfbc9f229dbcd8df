//! What stays on this device and never syncs: the app's local settings (`app.*` keys) and the
//! workers who may sign in here. The store keeps a worker's credential as an opaque text that the
//! app makes and checks; it knows nothing of PINs.

use crate::append::Ctx;
use crate::error::{parse, Result};
use crate::store::Store;
use rusqlite::{params, OptionalExtension};
use teeka_domain::facts::required_text;
use teeka_domain::WorkerRole;
use uuid::Uuid;

/// A worker of this device, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalWorker {
    pub id: Uuid,
    pub name: String,
    pub role: WorkerRole,
    /// What the app checks a sign-in against (made by the app; opaque here).
    pub credential: String,
}

/// Sets (or with `None` removes) `key` in the `settings (key, value)` table of `conn`: the
/// store's and the keyring's.
pub(crate) fn put_setting(conn: &rusqlite::Connection, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) => conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, v],
        )?,
        None => conn.execute("DELETE FROM settings WHERE key = ?1", [key])?,
    };
    Ok(())
}

impl Store {
    /// A local setting of the app (never synced).
    pub fn local_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [format!("app.{key}")], |r| r.get(0))
            .optional()?)
    }

    /// Sets (or with `None` removes) a local setting of the app.
    pub fn set_local_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        put_setting(&self.conn, &format!("app.{key}"), value)
    }

    /// Adds a worker (local only: no event) under the id the app gave them.
    pub fn add_worker(
        &mut self,
        id: Uuid,
        name: &str,
        role: WorkerRole,
        credential: &str,
        ctx: &Ctx,
    ) -> Result<LocalWorker> {
        let name = required_text("name", name)?;
        self.conn.execute(
            "INSERT INTO workers (id, name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.to_string(), name, role.as_str(), credential, ctx.now.to_rfc3339()],
        )?;
        Ok(LocalWorker { id, name, role, credential: credential.to_string() })
    }

    /// The workers of this device, in the order they were added.
    pub fn workers(&self) -> Result<Vec<LocalWorker>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, name, role, pin_hash FROM workers ORDER BY created_at, id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(LocalWorker {
                id: parse(&r.get::<_, String>(0)?, "worker id")?,
                name: r.get(1)?,
                role: parse(&r.get::<_, String>(2)?, "role")?,
                credential: r.get(3)?,
            });
        }
        Ok(out)
    }
}
