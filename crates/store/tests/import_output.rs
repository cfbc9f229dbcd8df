//! The register import's output, held fixed while its speed changes (issue 13): every event it
//! logs and every row of every table it leaves, for a generated register imported into a fresh
//! store and then a second register that corrects doses, adds doses and changes people. A
//! snapshot holds them for one register; a property checks, for any generated register, that
//! the store's tables after the import are those a fresh store makes by taking the same events
//! one by one from elsewhere (`Store::ingest`), and that its export is the domain's replay.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rusqlite::Connection;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use teeka_domain::register::parse_register;
use teeka_store::{Ctx, Store};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn now(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 6, minute, 0).unwrap()
}

fn ctx(minute: u32) -> Ctx {
    Ctx { now: now(minute), today: today(), author: "asha-1".into(), worker: None }
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The child doses the generator gives, with their age in days.
const CHILD_DOSES: [(&str, i64); 9] = [
    ("BCG", 0),
    ("OPV0", 0),
    ("HEPB0", 0),
    ("PENTA1", 42),
    ("OPV1", 42),
    ("PENTA2", 70),
    ("PENTA3", 98),
    ("MR1", 274),
    ("MR2", 500),
];

/// A register of `people` rows in up to three villages (households of one to four people), as
/// on [`today`]; `edit` > 0 gives the same people changed: some doses on other dates (the
/// import's corrections), some doses added, some phone numbers and names changed, a few people
/// added. Every row is one the register can hold.
fn register(seed: u64, people: usize, edit: u64) -> String {
    let mut rng = Rng(seed);
    let mut changes = Rng(seed ^ edit.wrapping_mul(0x5851_f42d_4c95_7f2d));
    let mut csv = String::from("register_id,household_id,village,house_no,phone,kind,name,sex,dob,lmp,mother_name");
    for (code, _) in CHILD_DOSES {
        write!(csv, ",{code}").unwrap();
    }
    csv.push_str(",TD1,TD2\n");
    let villages = ["Rampur", "Lalpur", "Bhatpur"];
    let extra = if edit > 0 { people / 10 + 1 } else { 0 };
    let mut household = 0;
    let mut left_in_household = 0;
    for i in 0..people + extra {
        if left_in_household == 0 {
            household += 1;
            left_in_household = 1 + rng.below(4);
        }
        left_in_household -= 1;
        let changed = edit > 0 && changes.below(3) == 0;
        let village = villages[(household % 3) as usize];
        // A household's phone is one for all its rows.
        let mut house = Rng(seed ^ household ^ edit.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let phone = if edit > 0 && house.below(4) == 0 {
            format!("98{:08}", house.below(100_000_000))
        } else {
            format!("97{:08}", household * 7919 % 100_000_000)
        };
        let name = if changed && changes.below(3) == 0 { format!("Renamed {i}") } else { format!("Person {i}") };
        let child = rng.below(6) != 0;
        write!(csv, "R-{i},H-{household},{village},{household},{phone},").unwrap();
        if child {
            let age = rng.below(700) as i64;
            let dob = today() - chrono::Days::new(age as u64);
            let sex = if rng.below(2) == 0 { "F" } else { "M" };
            write!(csv, "child,{name},{sex},{dob},,Mother {household}").unwrap();
            let given = rng.below(CHILD_DOSES.len() as u64 + 1) as usize;
            for (n, (_, days)) in CHILD_DOSES.iter().enumerate() {
                let mut at = dob + chrono::Days::new(*days as u64 + rng.below(20));
                let add = changed && n == given;
                if changed && n < given && changes.below(4) == 0 {
                    at = at + chrono::Days::new(1 + changes.below(5));
                }
                if (n < given || add) && at <= today() {
                    write!(csv, ",{at}").unwrap();
                } else {
                    csv.push(',');
                }
            }
            csv.push_str(",,\n");
        } else {
            let weeks = 4 + rng.below(30);
            let lmp = today() - chrono::Days::new(weeks * 7);
            write!(csv, "pregnant_woman,{name},F,,{lmp},").unwrap();
            csv.push_str(&",".repeat(CHILD_DOSES.len()));
            let td1 = lmp + chrono::Days::new(20 + rng.below(10));
            let td2 = td1 + chrono::Days::new(28 + rng.below(10));
            let doses = rng.below(3) + u64::from(changed);
            let at = |d: NaiveDate| if d <= today() { d.to_string() } else { String::new() };
            match doses {
                0 => csv.push_str(",,\n"),
                1 => writeln!(csv, ",{},", at(td1)).unwrap(),
                _ => writeln!(csv, ",{},{}", at(td1), at(td2)).unwrap(),
            }
        }
    }
    csv
}

/// Imports `first`, then `second`, into a fresh file store at `path`.
fn import_both(path: &Path, first: &str, second: &str) -> Store {
    let mut store = Store::open(path).unwrap();
    for (n, csv) in [first, second].into_iter().enumerate() {
        let rows = parse_register(csv.as_bytes(), today()).unwrap();
        store.import_register(&rows, &ctx(n as u32)).unwrap();
    }
    store
}

/// Every row of every table of the store at `path`, with each UUID named by the order of its
/// first appearance (the log first, by sequence), so that two stores holding the same thing
/// under other random ids read the same. The HLC stamps are kept: they follow from the times.
fn dump(path: &Path) -> String {
    let conn = Connection::open(path).unwrap();
    let mut names = HashMap::new();
    let mut out = String::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name = 'events' DESC, name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for table in tables {
        if table == "meta" || table == "schema_migrations" {
            continue;
        }
        let order = if table == "events" { " ORDER BY seq" } else { "" };
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}{order}")).unwrap();
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let mut line = String::new();
                for (i, c) in columns.iter().enumerate() {
                    let v = match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => "∅".to_string(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                        rusqlite::types::ValueRef::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
                    };
                    write!(line, "{c}={v} ").unwrap();
                }
                Ok(line)
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut named: Vec<String> = rows.iter_mut().map(|r| name_ids(r, &mut names)).collect();
        if table != "events" {
            named.sort();
        }
        writeln!(out, "## {table} ({} rows)", named.len()).unwrap();
        for r in named {
            writeln!(out, "{}", r.trim_end()).unwrap();
        }
    }
    out
}

/// `text` with every UUID replaced by its name in `names` (a new one named next).
fn name_ids(text: &str, names: &mut HashMap<String, usize>) -> String {
    let bytes = text.as_bytes();
    let is_uuid =
        |s: &[u8]| {
            s.len() == 36
                && s.iter().enumerate().all(|(i, b)| {
                    if [8, 13, 18, 23].contains(&i) {
                        *b == b'-'
                    } else {
                        b.is_ascii_hexdigit()
                    }
                })
        };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if i + 36 <= bytes.len() && is_uuid(&bytes[i..i + 36]) {
            let id = &text[i..i + 36];
            let next = names.len();
            let n = *names.entry(id.to_string()).or_insert(next);
            write!(out, "#{n}").unwrap();
            i += 36;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The same events taken by a fresh store from elsewhere, one by one, in one batch.
fn ingested(path: &Path, events: &[teeka_domain::Event]) {
    let mut store = Store::open(path).unwrap();
    store.ingest(events, now(59)).unwrap();
}

#[test]
fn the_import_logs_and_leaves_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("import.db");
    let first = register(7, 40, 0);
    let second = register(7, 40, 1);
    let store = import_both(&path, &first, &second);
    drop(store);
    let dump = dump(&path);
    for table in ["doses", "field_stamps", "beneficiaries", "outbox", "events"] {
        assert!(dump.contains(&format!("## {table} (")), "{table} in the dump");
    }
    assert!(dump.contains("\"corrects\":\"#"), "the second register corrects doses");
    insta::assert_snapshot!("import_two_registers", dump);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn the_import_leaves_the_tables_that_taking_its_events_leaves(seed in any::<u64>(), people in 1usize..60, edit in 1u64..4) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("import.db");
        let store = import_both(&path, &register(seed, people, 0), &register(seed, people, edit));
        let events = store.events().unwrap();
        let export = store.export().unwrap();
        prop_assert_eq!(&teeka_domain::replay(&events).unwrap(), &export);
        drop(store);
        let other = dir.path().join("ingested.db");
        ingested(&other, &events);
        // The outbox and the clock are the device's own: an ingesting store has neither.
        let tables = |p: &Path| {
            dump(p).split("## ").filter(|t| !t.starts_with("outbox")).collect::<Vec<_>>().join("## ")
        };
        prop_assert_eq!(tables(&path), tables(&other));
    }
}
