//! The store's key: whether the store may be opened, and by whom.
//!
//! The app's store is encrypted (SQLCipher) under a random data key wrapped once per worker by
//! their PIN (Argon2id; `teeka_store::keyring`). Until a PIN has unwrapped the key the store is
//! not opened: the lock screen reads only the keyring (the workers' names and roles, the
//! language, the wrong-PIN wait). Once unwrapped the key stays in memory while the app runs, so
//! that locking the screen does not stop the background sync; it is never written down.
//!
//! [`StoreAccess`] is that state, shared by the app, the sync worker and the shell's own
//! connections (enroll, devices): each opens the store through it.
//!
//! A store from before encryption (plain, its workers' PINs kept as PBKDF2 hashes) is encrypted
//! in place at the first sign-in: the worker signing in gets an Argon2id wrap; every other worker
//! a wrap sealed by their PIN's PBKDF2 hash (which only their PIN gives again), wrapped anew with
//! Argon2id at their own next sign-in. A new device's store is plain only until its first worker
//! is added (it may hold the enrollment; nothing syncs before), then encrypted the same way.

use crate::error::{AppCode, AppError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use teeka_store::keyring::{Kdf, NewWrap};
use teeka_store::{DataKey, Store};

/// Whether the store may be opened now.
#[derive(Debug, Clone)]
enum State {
    /// Plain and without workers (a new device): it may be opened (enrollment), not synced.
    Setup,
    /// No PIN has unwrapped the key yet.
    Locked,
    /// Open: with its key, or plain (a store in memory).
    Open(Option<DataKey>),
}

/// The store's path and whether it may be opened: clonable, shared across threads.
#[derive(Debug, Clone)]
pub struct StoreAccess {
    path: Option<PathBuf>,
    state: Arc<RwLock<State>>,
}

impl StoreAccess {
    pub(crate) fn new(path: Option<PathBuf>, setup: bool) -> StoreAccess {
        let state = match (&path, setup) {
            (None, _) => State::Open(None),
            (Some(_), true) => State::Setup,
            (Some(_), false) => State::Locked,
        };
        StoreAccess { path, state: Arc::new(RwLock::new(state)) }
    }

    /// A plain store at `path`, always open (tools and tests over a store without workers).
    pub fn plain(path: PathBuf) -> StoreAccess {
        StoreAccess { path: Some(path), state: Arc::new(RwLock::new(State::Open(None))) }
    }

    fn state(&self) -> State {
        // A panic while holding the lock leaves a plain value behind: keep using it.
        self.state.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn set_open(&self, key: Option<DataKey>) {
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = State::Open(key);
    }

    /// Whether the background sync may run: the store is open (a worker signed in since the app
    /// started).
    pub fn may_sync(&self) -> bool {
        matches!(self.state(), State::Open(_))
    }

    /// A connection of its own to the store: `LOCKED` until a PIN has unwrapped its key.
    pub fn open(&self) -> Result<Store, AppError> {
        let Some(path) = &self.path else {
            return Err(AppError::new(AppCode::Internal, "a store in memory has no second connection"));
        };
        match self.state() {
            State::Setup | State::Open(None) => Ok(Store::open(path)?),
            State::Open(Some(key)) => Ok(Store::open_keyed(path, &key)?),
            State::Locked => Err(AppError::locked()),
        }
    }

    pub(crate) fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// What a worker's wrap's keyring label starts with; the worker's id follows.
pub(crate) const WORKER_LABEL_PREFIX: &str = "worker:";

/// The keyring label of a worker's wrap.
pub(crate) fn worker_label(id: uuid::Uuid) -> String {
    format!("{WORKER_LABEL_PREFIX}{id}")
}

/// The wrap a worker's PBKDF2 PIN hash (`pbkdf2-sha256$ITERATIONS$SALT$HASH`, hex) gives: the
/// hash seals the key, and only the PIN derives it again. `None` for a hash of another shape.
pub(crate) fn wrap_from_pin_hash(label: String, info: Option<String>, hash: &str) -> Option<NewWrap> {
    let parts: Vec<&str> = hash.split('$').collect();
    let ["pbkdf2-sha256", iterations, salt, sealed] = parts.as_slice() else { return None };
    let iterations = iterations.parse().ok()?;
    let salt = hex::decode(salt).ok()?;
    let sealed = hex::decode(sealed).ok()?;
    let mut seal = zeroize::Zeroizing::new([0u8; teeka_store::keyring::KEY_BYTES]);
    if sealed.len() != seal.len() {
        return None;
    }
    seal.copy_from_slice(&sealed);
    Some(NewWrap { label, info, kdf: Kdf::Pbkdf2Sha256 { iterations }, salt, seal })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_pin_hash_becomes_a_wrap_that_the_pin_opens() {
        let hash = crate::pin::hash_pin("4321").unwrap();
        let wrap = wrap_from_pin_hash("worker:x".into(), None, &hash).unwrap();
        let mut ring = teeka_store::Keyring::open_in_memory().unwrap();
        let key = DataKey::random().unwrap();
        ring.add(wrap, &key).unwrap();
        assert_eq!(ring.unwrap("worker:x", "4321").unwrap(), Some(key));
        assert_eq!(ring.unwrap("worker:x", "1234").unwrap(), None);
        assert!(wrap_from_pin_hash("worker:x".into(), None, "garbage").is_none());
        assert!(wrap_from_pin_hash("worker:x".into(), None, "pbkdf2-sha256$10$00$00").is_none());
    }

    #[test]
    fn a_locked_store_is_not_opened_nor_synced() {
        let dir = tempfile::tempdir().unwrap();
        let access = StoreAccess::new(Some(dir.path().join("teeka.db")), false);
        assert!(!access.may_sync());
        assert_eq!(access.open().err().map(|e| e.code), Some(AppCode::Locked));
        let setup = StoreAccess::new(Some(dir.path().join("new.db")), true);
        assert!(!setup.may_sync());
        assert!(setup.open().is_ok(), "a new device's store opens for its enrollment");
        setup.set_open(None);
        assert!(setup.may_sync());
    }
}
