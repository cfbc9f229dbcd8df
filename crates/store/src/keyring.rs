//! The data key of an encrypted store and its wraps.
//!
//! An encrypted store (SQLCipher) is opened with a random 32-byte **data key**. The key is never
//! written down as it is: each secret that may open the store (a worker's PIN, the CLI's
//! passphrase) keeps a **wrap** of it, the key sealed with XChaCha20-Poly1305 under a key derived
//! from the secret with Argon2id (a random salt per wrap). The wraps live in the **keyring**, a
//! small plain SQLite file beside the store (`<store>.keys`), which must be readable before the
//! store is: it also keeps what a locked app shows and counts (its settings), never a record of
//! the register. A wrong secret fails the seal's check; nothing else tells a right one.
//!
//! The store knows nothing of PINs: a secret is text, a wrap's label and its `info` are the
//! caller's. `docs/security.md`, "Encryption at rest".

use crate::error::{Result, StoreError};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// Bytes of a data key (SQLCipher's raw key: AES-256).
pub const KEY_BYTES: usize = 32;
const SALT_BYTES: usize = 16;
const NONCE_BYTES: usize = 24;

/// A store's data key: random, zeroed when dropped, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey(Zeroizing<[u8; KEY_BYTES]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A new random key.
    pub fn random() -> Result<DataKey> {
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        fill_random(key.as_mut())?;
        Ok(DataKey(key))
    }

    /// SQLCipher's literal for this raw key, `"x'…'"` (no key derivation of its own: the key is
    /// random).
    pub(crate) fn literal(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(hex::encode(self.0.as_ref()));
        Zeroizing::new(format!("\"x'{}'\"", hex.as_str()))
    }

    /// SQLCipher's statement that keys a connection with it.
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("PRAGMA key = {};", self.literal().as_str()))
    }
}

pub(crate) fn fill_random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| StoreError::Keyring(format!("no randomness: {e}")))
}

/// How a wrap's key is derived from its secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    /// Argon2id (RFC 9106) with memory in KiB, passes and lanes: every new wrap.
    Argon2id { memory_kib: u32, passes: u32, lanes: u32 },
    /// PBKDF2-HMAC-SHA256 with its iterations: the wrap of a worker whose PIN was kept as such a
    /// hash before the store was encrypted (its key is that hash), until their next sign-in
    /// wraps again with Argon2id.
    Pbkdf2Sha256 { iterations: u32 },
}

/// Argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): about 40 ms on a
/// laptop, a few hundred on a low-end phone, once per sign-in.
pub const ARGON2ID: Kdf = Kdf::Argon2id { memory_kib: 19_456, passes: 2, lanes: 1 };

impl Kdf {
    fn text(self) -> String {
        match self {
            Kdf::Argon2id { memory_kib, passes, lanes } => format!("argon2id$m={memory_kib},t={passes},p={lanes}"),
            Kdf::Pbkdf2Sha256 { iterations } => format!("pbkdf2-sha256${iterations}"),
        }
    }

    fn parse(text: &str) -> Option<Kdf> {
        if let Some(rest) = text.strip_prefix("argon2id$") {
            let mut m = None;
            let mut t = None;
            let mut p = None;
            for part in rest.split(',') {
                match part.split_once('=')? {
                    ("m", v) => m = v.parse().ok(),
                    ("t", v) => t = v.parse().ok(),
                    ("p", v) => p = v.parse().ok(),
                    _ => return None,
                }
            }
            return Some(Kdf::Argon2id { memory_kib: m?, passes: t?, lanes: p? });
        }
        let iterations = text.strip_prefix("pbkdf2-sha256$")?.parse().ok()?;
        Some(Kdf::Pbkdf2Sha256 { iterations })
    }

    /// The key that seals a wrap, from its secret and salt.
    pub fn derive(self, secret: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; KEY_BYTES]>> {
        let mut out = Zeroizing::new([0u8; KEY_BYTES]);
        match self {
            Kdf::Argon2id { memory_kib, passes, lanes } => {
                let params = argon2::Params::new(memory_kib, passes, lanes, Some(KEY_BYTES))
                    .map_err(|e| StoreError::Keyring(format!("argon2id settings: {e}")))?;
                argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                    .hash_password_into(secret, salt, out.as_mut())
                    .map_err(|e| StoreError::Keyring(format!("argon2id: {e}")))?;
            }
            Kdf::Pbkdf2Sha256 { iterations } => {
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, salt, iterations, out.as_mut());
            }
        }
        Ok(out)
    }
}

/// A wrap to store: the data key sealed under `seal` (derived with `kdf` from a secret and
/// `salt`).
pub struct NewWrap {
    pub label: String,
    pub info: Option<String>,
    pub kdf: Kdf,
    pub salt: Vec<u8>,
    pub seal: Zeroizing<[u8; KEY_BYTES]>,
}

impl NewWrap {
    /// A new Argon2id wrap of `secret` (a fresh salt).
    pub fn argon2id(label: &str, info: Option<String>, secret: &str) -> Result<NewWrap> {
        let mut salt = vec![0u8; SALT_BYTES];
        fill_random(&mut salt)?;
        let seal = ARGON2ID.derive(secret.as_bytes(), &salt)?;
        Ok(NewWrap { label: label.to_string(), info, kdf: ARGON2ID, salt, seal })
    }
}

/// One wrap's owner, as its caller described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrapLabel {
    pub label: String,
    pub info: Option<String>,
    /// Whether it is wrapped with Argon2id (else an older KDF, to wrap again).
    pub current: bool,
}

/// A wrap as stored: its KDF, salt, nonce and sealed key.
type StoredWrap = (String, Vec<u8>, Vec<u8>, Vec<u8>);

/// The keyring: the wraps of one store's data key, and the settings a locked app needs.
pub struct Keyring {
    conn: Connection,
}

impl Keyring {
    /// Where the keyring of the store at `store` lives: beside it, `<store>.keys`.
    pub fn path_for(store: &Path) -> PathBuf {
        crate::encrypt::sibling(store, ".keys")
    }

    /// Opens (creating if needed) the keyring at `path`.
    pub fn open(path: &Path) -> Result<Keyring> {
        Self::setup(Connection::open(path)?)
    }

    /// The keyring at `path` if there is one.
    pub fn open_existing(path: &Path) -> Result<Option<Keyring>> {
        if !path.exists() {
            return Ok(None);
        }
        Ok(Some(Self::open(path)?))
    }

    /// A keyring in memory (tests, and an app over a store in memory).
    pub fn open_in_memory() -> Result<Keyring> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(conn: Connection) -> Result<Keyring> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS wraps (
                 label TEXT PRIMARY KEY,
                 info TEXT,
                 kdf TEXT NOT NULL,
                 salt BLOB NOT NULL,
                 nonce BLOB NOT NULL,
                 sealed BLOB NOT NULL
             ) STRICT;
             CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;",
        )?;
        Ok(Keyring { conn })
    }

    /// The wraps' owners, in the order they were first added.
    pub fn labels(&self) -> Result<Vec<WrapLabel>> {
        let mut stmt = self.conn.prepare("SELECT label, info, kdf FROM wraps ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, String>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (label, info, kdf) = row?;
            out.push(WrapLabel { label, info, current: kdf == ARGON2ID.text() });
        }
        Ok(out)
    }

    /// Whether any secret opens the store.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.conn.query_row("SELECT count(*) FROM wraps", [], |r| r.get::<_, i64>(0))? == 0)
    }

    /// Whether `label` has a wrap.
    pub fn has(&self, label: &str) -> Result<bool> {
        Ok(self.conn.query_row("SELECT 1 FROM wraps WHERE label = ?1", [label], |_| Ok(())).optional()?.is_some())
    }

    /// The data key that `secret` unwraps from `label`'s wrap: `None` when the secret is not the
    /// one (the seal does not open), `NOT_FOUND` when there is no such wrap.
    pub fn unwrap(&self, label: &str, secret: &str) -> Result<Option<DataKey>> {
        let row: Option<StoredWrap> = self
            .conn
            .query_row("SELECT kdf, salt, nonce, sealed FROM wraps WHERE label = ?1", [label], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let (kdf, salt, nonce, sealed) = row.ok_or_else(|| StoreError::NotFound(format!("no key wrap for {label}")))?;
        let kdf = Kdf::parse(&kdf).ok_or_else(|| StoreError::Keyring(format!("{label}: unknown KDF '{kdf}'")))?;
        if nonce.len() != NONCE_BYTES {
            return Err(StoreError::Keyring(format!("{label}: a nonce of {} bytes", nonce.len())));
        }
        let seal = kdf.derive(secret.as_bytes(), &salt)?;
        let cipher = XChaCha20Poly1305::new(seal.as_ref().into());
        let Ok(mut opened) =
            cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &sealed, aad: label.as_bytes() })
        else {
            return Ok(None);
        };
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        let fits = opened.len() == KEY_BYTES;
        if fits {
            key.copy_from_slice(&opened);
        }
        opened.zeroize();
        if !fits {
            return Err(StoreError::Keyring(format!("{label}: the wrapped key is not {KEY_BYTES} bytes")));
        }
        Ok(Some(DataKey(key)))
    }

    /// Adds (or replaces) one wrap of `key`.
    pub fn add(&mut self, wrap: NewWrap, key: &DataKey) -> Result<()> {
        let tx = self.conn.transaction()?;
        insert(&tx, wrap, key)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces every wrap with `wraps`, in one transaction (a store encrypted with a new key).
    pub fn replace_all(&mut self, wraps: Vec<NewWrap>, key: &DataKey) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM wraps", [])?;
        for wrap in wraps {
            insert(&tx, wrap, key)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Sets what the caller keeps about `label`'s owner.
    pub fn set_info(&mut self, label: &str, info: Option<&str>) -> Result<()> {
        self.conn.execute("UPDATE wraps SET info = ?2 WHERE label = ?1", params![label, info])?;
        Ok(())
    }

    /// A setting kept beside the wraps (what a locked app needs).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// Sets (or with `None` removes) a setting.
    pub fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        crate::local::put_setting(&self.conn, key, value)
    }
}

fn insert(tx: &rusqlite::Transaction<'_>, wrap: NewWrap, key: &DataKey) -> Result<()> {
    let mut nonce = [0u8; NONCE_BYTES];
    fill_random(&mut nonce)?;
    let cipher = XChaCha20Poly1305::new(wrap.seal.as_ref().into());
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: key.0.as_ref(), aad: wrap.label.as_bytes() })
        .map_err(|e| StoreError::Keyring(format!("cannot seal the key: {e}")))?;
    tx.execute(
        "INSERT INTO wraps (label, info, kdf, salt, nonce, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (label) DO UPDATE SET info = excluded.info, kdf = excluded.kdf, salt = excluded.salt,
             nonce = excluded.nonce, sealed = excluded.sealed",
        params![wrap.label, wrap.info, wrap.kdf.text(), wrap.salt, nonce.to_vec(), sealed],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_secret_unwraps_its_own_wrap_only() {
        let mut ring = Keyring::open_in_memory().unwrap();
        let key = DataKey::random().unwrap();
        ring.add(NewWrap::argon2id("worker:a", Some("Meena".into()), "1234").unwrap(), &key).unwrap();
        ring.add(NewWrap::argon2id("worker:b", None, "9876").unwrap(), &key).unwrap();
        assert_eq!(ring.unwrap("worker:a", "1234").unwrap(), Some(key.clone()));
        assert_eq!(ring.unwrap("worker:b", "9876").unwrap(), Some(key.clone()));
        assert_eq!(ring.unwrap("worker:a", "9876").unwrap(), None, "another's secret");
        assert_eq!(ring.unwrap("worker:a", "").unwrap(), None);
        assert_eq!(ring.unwrap("worker:c", "1234").unwrap_err().code(), "NOT_FOUND");
        let labels = ring.labels().unwrap();
        assert_eq!(labels.len(), 2);
        assert_eq!(
            (labels[0].label.as_str(), labels[0].info.as_deref(), labels[0].current),
            ("worker:a", Some("Meena"), true)
        );
        assert!(!format!("{key:?}").contains(&hex::encode(key.0.as_ref())), "never printed");
    }

    #[test]
    fn a_wrap_is_bound_to_its_label() {
        let mut ring = Keyring::open_in_memory().unwrap();
        let key = DataKey::random().unwrap();
        ring.add(NewWrap::argon2id("worker:a", None, "1234").unwrap(), &key).unwrap();
        // Moving a's sealed key under b's label does not open it with a's secret.
        ring.conn.execute("UPDATE wraps SET label = 'worker:b'", []).unwrap();
        assert_eq!(ring.unwrap("worker:b", "1234").unwrap(), None);
    }

    #[test]
    fn a_pin_hash_kept_before_encryption_is_a_wrap_until_wrapped_again() {
        let mut ring = Keyring::open_in_memory().unwrap();
        let key = DataKey::random().unwrap();
        let kdf = Kdf::Pbkdf2Sha256 { iterations: 1000 };
        let salt = b"0123456789abcdef".to_vec();
        let seal = kdf.derive(b"4321", &salt).unwrap();
        ring.replace_all(vec![NewWrap { label: "worker:old".into(), info: None, kdf, salt, seal }], &key).unwrap();
        assert!(!ring.labels().unwrap()[0].current);
        assert_eq!(ring.unwrap("worker:old", "4321").unwrap(), Some(key.clone()));
        assert_eq!(ring.unwrap("worker:old", "1234").unwrap(), None);
        ring.add(NewWrap::argon2id("worker:old", None, "4321").unwrap(), &key).unwrap();
        assert!(ring.labels().unwrap()[0].current);
        assert_eq!(ring.unwrap("worker:old", "4321").unwrap(), Some(key));
    }

    #[test]
    fn kdf_texts_round_trip_and_junk_is_refused() {
        for kdf in [ARGON2ID, Kdf::Pbkdf2Sha256 { iterations: 100_000 }] {
            assert_eq!(Kdf::parse(&kdf.text()), Some(kdf));
        }
        for junk in ["", "argon2id$", "argon2id$m=1", "argon2id$m=1,t=1,p=1,x=2", "pbkdf2-sha256$x", "scrypt$1"] {
            assert_eq!(Kdf::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn settings_are_kept_and_removed() {
        let mut ring = Keyring::open_in_memory().unwrap();
        ring.set_setting("language", Some("hi")).unwrap();
        assert_eq!(ring.setting("language").unwrap().as_deref(), Some("hi"));
        ring.set_setting("language", None).unwrap();
        assert_eq!(ring.setting("language").unwrap(), None);
    }

    #[test]
    fn the_keyring_sits_beside_its_store() {
        assert_eq!(Keyring::path_for(Path::new("/data/teeka.db")), PathBuf::from("/data/teeka.db.keys"));
    }
}
