//! Encryption at rest: telling a plain store from an encrypted one, opening with a data key,
//! encrypting a plain store in place, and the CLI's passphrase.
//!
//! A store is plain SQLite or SQLCipher (AES-256 per page, the whole file, its header too) under
//! a raw 32-byte data key whose wraps are in its [`Keyring`]. Encrypting in place writes an
//! encrypted copy beside the store, makes it durable, lets the caller record the key's wraps,
//! then renames the copy over the plain file: a crash at any point leaves either the plain store
//! whole or the encrypted one whole.

use crate::error::{Result, StoreError};
use crate::keyring::{DataKey, Keyring, NewWrap};
use crate::store::Store;
use rusqlite::Connection;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What a store's file is, before it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// No file yet (or an empty one): opening creates it.
    Missing,
    /// Plain SQLite.
    Plain,
    /// Not SQLite's header: encrypted (SQLCipher encrypts the header too).
    Encrypted,
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The keyring label of the CLI's passphrase.
pub const PASSPHRASE_LABEL: &str = "passphrase";

/// What the file at `path` is.
pub fn file_state(path: &Path) -> Result<FileState> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(e.into()),
    };
    let mut head = Vec::with_capacity(16);
    file.by_ref().take(16).read_to_end(&mut head)?;
    Ok(match head.len() {
        0 => FileState::Missing,
        _ if head.as_slice() == SQLITE_HEADER => FileState::Plain,
        _ => FileState::Encrypted,
    })
}

/// SQLCipher's settings for Teeka's stores (after the key, before the first read), for the
/// schema `schema` (`main` or an attached one). Measured (`teeka-bench encryption`,
/// `docs/benchmarks.md`): with SQLCipher 4's defaults (4 KiB pages, HMAC-SHA512) a durable dose
/// record cost 45 % more than in a plain store; 2 KiB pages halve the bytes each written page
/// seals, and HMAC-SHA256 is the hash phones' ARMv8 cores and today's x86 cores compute in
/// hardware. Still AES-256 per page with an HMAC that checks each page read.
fn cipher_settings(schema: &str) -> String {
    format!("PRAGMA {schema}.cipher_page_size = 2048; PRAGMA {schema}.cipher_hmac_algorithm = HMAC_SHA256;")
}

/// A connection to the store at `path` under `key`, checked to open with it.
pub(crate) fn keyed_connection(path: &Path, key: &DataKey) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(&key.pragma())?;
    conn.execute_batch(&cipher_settings("main"))?;
    if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        return Err(match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => {
                StoreError::Corrupt(format!("{}: the store does not open with its key", path.display()))
            }
            _ => e.into(),
        });
    }
    Ok(conn)
}

/// `path` with `suffix` added to its file name: the files that sit beside a store.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_there(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Makes the rename of a file in `path`'s directory durable.
fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Encrypts the plain store at `path` in place under `key`. No connection to it may be open.
/// `before_swap` runs once the encrypted copy is durable and before it replaces the plain file:
/// where the caller records the key's wraps (if it fails, the plain store stays as it was).
/// Nothing of the plain file stays under the store's names: its WAL is emptied into it first
/// and the file itself is replaced. (Its blocks stay on the disk until reused: a filesystem
/// matter, `docs/security.md`.)
pub fn encrypt_in_place(path: &Path, key: &DataKey, before_swap: impl FnOnce() -> Result<()>) -> Result<()> {
    if file_state(path)? != FileState::Plain {
        return Err(StoreError::Invalid(format!("{}: not a plain store", path.display())));
    }
    let copy = sibling(path, ".encrypting");
    remove_if_there(&copy)?;
    {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Everything in the WAL into the file, and the WAL emptied.
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy != 0 {
            return Err(StoreError::Invalid(format!("{}: the store is in use; close it first", path.display())));
        }
        let copy_text = copy.to_str().ok_or_else(|| StoreError::Invalid(format!("{}: not UTF-8", copy.display())))?;
        let attach = zeroize::Zeroizing::new(format!("ATTACH DATABASE ?1 AS encrypted KEY {}", key.literal().as_str()));
        conn.execute(&attach, [copy_text])?;
        conn.execute_batch(&cipher_settings("encrypted"))?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.execute("DETACH DATABASE encrypted", [])?;
    }
    std::fs::File::open(&copy)?.sync_all()?;
    // The copy opens with the key and holds what the plain file held.
    {
        let check = keyed_connection(&copy, key)?;
        let ok: String = check.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if ok != "ok" {
            remove_if_there(&copy)?;
            return Err(StoreError::Corrupt(format!("the encrypted copy failed its check: {ok}")));
        }
    }
    if let Err(e) = before_swap() {
        remove_if_there(&copy)?;
        return Err(e);
    }
    for leftover in ["-wal", "-shm"] {
        remove_if_there(&sibling(path, leftover))?;
    }
    std::fs::rename(&copy, path)?;
    sync_dir(path)?;
    Ok(())
}

/// Opens the store at `path` as the CLI does, with or without a passphrase:
/// - no passphrase: a plain store (created if missing); an encrypted one is `STORE_ENCRYPTED`;
/// - a passphrase and no store yet: a new encrypted store, its key wrapped by the passphrase;
/// - a passphrase and a plain store: the store encrypted in place (nothing lost, the plain file
///   gone), then opened;
/// - a passphrase and an encrypted store: opened if the passphrase unwraps its key, else
///   `WRONG_PASSPHRASE` (`STORE_ENCRYPTED` if its keyring has no passphrase: an app's store,
///   opened by its workers' PINs).
pub fn open_with_passphrase(path: &Path, passphrase: Option<&str>) -> Result<Store> {
    let state = file_state(path)?;
    let Some(passphrase) = passphrase else {
        return match state {
            FileState::Encrypted => Err(StoreError::Encrypted(format!(
                "{}: the store is encrypted: give its passphrase with --passphrase-file FILE or TEEKA_PASSPHRASE",
                path.display()
            ))),
            _ => Store::open(path),
        };
    };
    if passphrase.is_empty() {
        return Err(StoreError::InvalidField { field: "passphrase".into(), message: "the passphrase is empty".into() });
    }
    let ring_path = Keyring::path_for(path);
    match state {
        FileState::Encrypted => {
            let ring = Keyring::open_existing(&ring_path)?.ok_or_else(|| {
                StoreError::Keyring(format!(
                    "{} is missing: without it the store cannot be opened",
                    ring_path.display()
                ))
            })?;
            if !ring.has(PASSPHRASE_LABEL)? {
                return Err(StoreError::Encrypted(format!(
                    "{}: the store is opened by its workers' PINs in the app, not by a passphrase",
                    path.display()
                )));
            }
            let key = ring.unwrap(PASSPHRASE_LABEL, passphrase)?.ok_or(StoreError::WrongPassphrase)?;
            Store::open_keyed(path, &key)
        }
        FileState::Missing | FileState::Plain => {
            let mut ring = Keyring::open(&ring_path)?;
            // A key wrapped before a crash (a store created or encrypted, not yet renamed) is used
            // again; else a new one.
            let key = match ring.has(PASSPHRASE_LABEL)? {
                true => ring.unwrap(PASSPHRASE_LABEL, passphrase)?.ok_or(StoreError::WrongPassphrase)?,
                false => {
                    let key = DataKey::random()?;
                    if state == FileState::Missing {
                        ring.replace_all(vec![NewWrap::argon2id(PASSPHRASE_LABEL, None, passphrase)?], &key)?;
                    }
                    key
                }
            };
            if state == FileState::Plain {
                let wrap = NewWrap::argon2id(PASSPHRASE_LABEL, None, passphrase)?;
                encrypt_in_place(path, &key, || ring.replace_all(vec![wrap], &key))?;
            }
            Store::open_keyed(path, &key)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn write_name(store: &mut Store, name: &str) {
        store.set_local_setting("probe", Some(name)).unwrap();
    }

    #[test]
    fn a_plain_store_is_encrypted_in_place_with_nothing_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("teeka.db");
        let device = {
            let mut s = Store::open(&path).unwrap();
            write_name(&mut s, "Sunita Devi");
            s.device_id()
        };
        assert_eq!(file_state(&path).unwrap(), FileState::Plain);
        let key = DataKey::random().unwrap();
        let mut swapped = false;
        encrypt_in_place(&path, &key, || {
            swapped = true;
            Ok(())
        })
        .unwrap();
        assert!(swapped);
        assert_eq!(file_state(&path).unwrap(), FileState::Encrypted);
        assert!(!contains(&std::fs::read(&path).unwrap(), b"Sunita Devi"));
        assert!(!sibling(&path, ".encrypting").exists());
        // A plain open fails, as the sqlite3 tool does; the key opens it with everything kept.
        assert_eq!(Store::open(&path).err().map(|e| e.code()), Some("STORE_ENCRYPTED"));
        let plain = Connection::open(&path).unwrap();
        assert!(plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err());
        let s = Store::open_keyed(&path, &key).unwrap();
        assert_eq!(s.device_id(), device);
        assert_eq!(s.local_setting("probe").unwrap().as_deref(), Some("Sunita Devi"));
        drop(s);
        let other = DataKey::random().unwrap();
        assert_eq!(Store::open_keyed(&path, &other).err().map(|e| e.code()), Some("STORE_CORRUPT"));
    }

    #[test]
    fn a_failed_swap_leaves_the_plain_store_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("teeka.db");
        write_name(&mut Store::open(&path).unwrap(), "Asha");
        let key = DataKey::random().unwrap();
        let e = encrypt_in_place(&path, &key, || Err(StoreError::Keyring("disk full".into()))).unwrap_err();
        assert_eq!(e.code(), "STORE_CORRUPT");
        assert_eq!(file_state(&path).unwrap(), FileState::Plain);
        assert!(!sibling(&path, ".encrypting").exists());
        assert_eq!(Store::open(&path).unwrap().local_setting("probe").unwrap().as_deref(), Some("Asha"));
    }

    #[test]
    fn the_cli_passphrase_creates_migrates_and_opens() {
        let dir = tempfile::tempdir().unwrap();
        // A new store with a passphrase is encrypted from the start.
        let new = dir.path().join("new.db");
        write_name(&mut open_with_passphrase(&new, Some("correct horse")).unwrap(), "Kavita");
        assert_eq!(file_state(&new).unwrap(), FileState::Encrypted);
        assert_eq!(open_with_passphrase(&new, None).err().map(|e| e.code()), Some("STORE_ENCRYPTED"));
        assert_eq!(open_with_passphrase(&new, Some("wrong")).err().map(|e| e.code()), Some("WRONG_PASSPHRASE"));
        let s = open_with_passphrase(&new, Some("correct horse")).unwrap();
        assert_eq!(s.local_setting("probe").unwrap().as_deref(), Some("Kavita"));
        // A plain store given a passphrase is encrypted in place.
        let old = dir.path().join("old.db");
        write_name(&mut open_with_passphrase(&old, None).unwrap(), "Rekha");
        assert!(!Keyring::path_for(&old).exists(), "a plain store has no keyring");
        let s = open_with_passphrase(&old, Some("pass")).unwrap();
        assert_eq!(s.local_setting("probe").unwrap().as_deref(), Some("Rekha"));
        drop(s);
        assert_eq!(file_state(&old).unwrap(), FileState::Encrypted);
        assert!(!contains(&std::fs::read(&old).unwrap(), b"Rekha"));
        // Without its keyring an encrypted store cannot be opened: said so.
        std::fs::remove_file(Keyring::path_for(&old)).unwrap();
        let e = open_with_passphrase(&old, Some("pass")).err().unwrap();
        assert!(e.to_string().contains("is missing"), "{e}");
        assert_eq!(open_with_passphrase(&old, Some("")).err().map(|e| e.code()), Some("INVALID_INPUT"));
    }
}
