//! The embedded database encrypted with SQLCipher under a passphrase (`--passphrase-file`): a
//! new one made encrypted, a plain one encrypted in place with nothing lost, and neither opened
//! without the passphrase nor with a wrong one. The file holds no name in the clear.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use teeka_server::{DbError, Service, SqliteDb};
use teeka_testkit::fixtures::t0;

const AREAS: &[u8] = b"state,district,block,subcentre,village\nUP,Sitapur,Mahmudabad,Bhatpur,Rampur\n";

fn holds(path: &Path, text: &str) -> bool {
    let mut bytes = std::fs::read(path).unwrap();
    for side in ["-wal", "-shm"] {
        bytes.extend(std::fs::read(format!("{}{side}", path.display())).unwrap_or_default());
    }
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

async fn village_found(db: SqliteDb) -> bool {
    Service::new(db).find_area("Rampur").await.is_ok()
}

#[tokio::test]
async fn a_new_database_is_made_encrypted_and_opens_only_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let svc = Service::new(SqliteDb::open_with(&path, Some("wheat field 42")).unwrap());
    svc.import_areas(AREAS, t0()).await.unwrap();
    drop(svc);

    assert!(!std::fs::read(&path).unwrap().starts_with(b"SQLite format 3\0"));
    assert!(!holds(&path, "Rampur"), "a village's name in the clear");
    assert!(matches!(SqliteDb::open(&path), Err(DbError::Encrypted(_))));
    let wrong = SqliteDb::open_with(&path, Some("wheat field 43"));
    assert!(matches!(wrong, Err(DbError::WrongPassphrase(_))));
    assert_eq!(wrong.err().unwrap().code(), "WRONG_PASSPHRASE");
    assert!(village_found(SqliteDb::open_with(&path, Some("wheat field 42")).unwrap()).await);
}

#[tokio::test]
async fn a_plain_database_is_encrypted_in_place_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let svc = Service::new(SqliteDb::open(&path).unwrap());
    svc.import_areas(AREAS, t0()).await.unwrap();
    drop(svc);
    assert!(holds(&path, "Rampur"));

    let db = SqliteDb::open_with(&path, Some("it's a 'quoted' passphrase")).unwrap();
    assert!(village_found(db).await);
    assert!(!holds(&path, "Rampur"), "the plain file is gone");
    assert!(!Path::new(&format!("{}.encrypting", path.display())).exists());
    assert!(matches!(SqliteDb::open(&path), Err(DbError::Encrypted(_))));
    // Opened again: the same data, the migrations not applied twice.
    let db = SqliteDb::open_with(&path, Some("it's a 'quoted' passphrase")).unwrap();
    assert!(village_found(db).await);
}
