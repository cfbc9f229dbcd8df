//! `teeka-server --passphrase-file FILE` on the embedded database: a server whose database is
//! encrypted serves a device as any other, its file holds no name in the clear, and without the
//! passphrase, with a wrong one or with one given to PostgreSQL it refuses with a stable code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::world::Env;
use common::Kind;

const AREAS: &str = "state,district,block,subcentre,village\nUP,Sitapur,Mahmudabad,Bhatpur,Rampur\n";
const TODAY: &str = "2026-11-20";
const REGISTER: &str =
    "register_id,household_id,village,kind,name,sex,dob,BCG\nR-1,H-1,Rampur,child,Pinki,F,2026-06-01,2026-06-01\n";

#[test]
fn an_encrypted_server_database_serves_and_is_unreadable_without_its_passphrase() {
    let Some(mut env) = Env::new(Kind::Sqlite) else { return };
    let key = env.write("passphrase.txt", "correct horse battery staple\n");
    env.server_args = vec!["--passphrase-file".into(), key];
    env.admin(&["import", "areas", &env.write("areas.csv", AREAS)]);
    let server = env.serve();
    let device = env.device("anm-meena", TODAY);
    device.enroll(&server, &env.code("Rampur", "anm"));
    device.ok(TODAY, &["import", "register", &env.write("register.csv", REGISTER)]);
    device.sync(TODAY);
    drop(server);

    let db = env.dir().join("server.db");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.extend(std::fs::read(env.dir().join("server.db-wal")).unwrap_or_default());
    assert!(!bytes.starts_with(b"SQLite format 3\0"));
    for name in ["Rampur", "Pinki"] {
        assert!(!bytes.windows(name.len()).any(|w| w == name.as_bytes()), "{name} in the clear");
    }
    // With it: the device's records are there.
    let export = env.admin_json(&["export", "--format", "json"]);
    assert!(export.to_string().contains("Pinki"), "{export}");

    // Without it, with a wrong one; and one given to PostgreSQL.
    env.server_args.clear();
    let run = env.server_run(&["devices"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(run.stderr.starts_with("error[STORE_ENCRYPTED]: "), "{}", run.stderr);
    assert!(run.stderr.contains("--passphrase-file"), "{}", run.stderr);
    let wrong = env.write("wrong.txt", "incorrect horse\n");
    env.server_args = vec!["--passphrase-file".into(), wrong];
    let run = env.server_run(&["devices"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(run.stderr.starts_with("error[WRONG_PASSPHRASE]: "), "{}", run.stderr);
    let empty = env.write("empty.txt", "\n");
    env.server_args = vec!["--passphrase-file".into(), empty];
    let run = env.server_run(&["devices"]);
    assert!(run.stderr.starts_with("error[INVALID_INPUT]: ") && run.stderr.contains("is empty"), "{}", run.stderr);

    let mut cmd = std::process::Command::new(teeka_testkit::server_binary());
    let out = cmd
        .env("TEEKA_SERVER_PASSPHRASE", "anything")
        .args(["--database-url", "postgres://nobody@127.0.0.1:1/none", "devices"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error[INVALID_INPUT]: a passphrase is for the embedded database"), "{stderr}");
}
