//! The device store: durability settings, the event log beside every change, all-or-nothing
//! writes, and convergence of replicas that take the same events in different orders.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rusqlite::Connection;
use teeka_domain::register::parse_register;
use teeka_domain::{DoseCode, Event, EventBody, ReasonCode};
use teeka_store::{Ctx, Store, StoreError};

fn date(s: &str) -> NaiveDate {
    teeka_domain::parse_date(s).unwrap()
}

fn ctx_at(now: DateTime<Utc>, author: &str) -> Ctx {
    Ctx { now, today: date("2026-11-22"), author: author.into(), worker: None }
}

fn ctx() -> Ctx {
    ctx_at(Utc.with_ymd_and_hms(2026, 11, 22, 6, 0, 0).unwrap(), "asha-1")
}

const REGISTER: &str = "register_id,household_id,village,house_no,phone,kind,name,sex,dob,lmp,mother_name,BCG,OPV1
C-1,H-1,Rampur,12,9876543210,child,आरव,M,2026-06-01,,सुनीता,2026-06-01,
C-2,H-1,Rampur,12,,child,Priya,F,2026-09-10,,सुनीता,,
W-1,H-2,Rampur,7,,pregnant_woman,Kamla,F,,2026-09-05,,,
";

fn imported(store: &mut Store) {
    let rows = parse_register(REGISTER.as_bytes(), date("2026-11-22")).unwrap();
    store.import_register(&rows, &ctx()).unwrap();
}

#[test]
fn a_file_store_is_durable_wal_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let id = {
        let mut s = Store::open(&path).unwrap();
        imported(&mut s);
        s.device_id()
    };
    // Reopening keeps the device id and the data.
    let s = Store::open(&path).unwrap();
    assert_eq!(s.device_id(), id);
    assert_eq!(s.export().unwrap().beneficiaries.len(), 3);
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    // The settings the store sets on its own connection are per connection: check them there.
    drop(conn);
    let (fk, sync) = s.connection_pragmas().unwrap();
    assert_eq!((fk, sync), (1, 2), "foreign_keys on, synchronous FULL");
}

#[test]
fn every_change_is_one_event_with_author_device_and_rising_clock() {
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let n = s.event_count().unwrap();
    // 1 village + 2 households + 3 beneficiaries + 1 dose.
    assert_eq!(n, 7);
    let r = s.record_dose("C-1", DoseCode::Opv1, date("2026-07-13"), &ctx_at(Utc::now(), "anm-7")).unwrap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(s.event_count().unwrap(), n + 1);
    let events = s.events().unwrap();
    let last = events.last().unwrap();
    assert_eq!(Some(last), r.event());
    assert_eq!(last.author, "anm-7");
    assert_eq!(last.device_id, s.device_id());
    assert_eq!(last.id.get_version_num(), 7);
    assert!(events.windows(2).all(|w| w[0].hlc < w[1].hlc), "stamps rise in log order");
}

#[test]
fn a_clock_set_back_does_not_reorder_events() {
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let last = s.events().unwrap().last().unwrap().hlc;
    // The phone's clock jumps back three days.
    let back = ctx_at(Utc.with_ymd_and_hms(2026, 11, 19, 6, 0, 0).unwrap(), "asha-1");
    let e = s.record_dose("C-2", DoseCode::Bcg, date("2026-09-10"), &back).unwrap().events.remove(0);
    assert!(e.hlc > last);
}

#[test]
fn a_refused_record_stores_nothing() {
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let n = s.event_count().unwrap();
    let c = ctx();
    let errs = [
        s.record_dose("C-1", DoseCode::Opv1, date("2026-05-31"), &c).unwrap_err(),
        s.record_dose("C-1", DoseCode::Opv1, date("2026-11-23"), &c).unwrap_err(),
        s.record_dose("C-9", DoseCode::Opv1, date("2026-11-01"), &c).unwrap_err(),
        s.record_dose("W-1", DoseCode::Bcg, date("2026-11-01"), &c).unwrap_err(),
        s.record_not_given("W-1", DoseCode::Td1, date("2026-09-01"), ReasonCode::NotAtHome, &c).unwrap_err(),
    ];
    let codes: Vec<_> = errs.iter().map(StoreError::code).collect();
    assert_eq!(codes, ["INVALID_INPUT", "INVALID_INPUT", "UNKNOWN_BENEFICIARY", "INVALID_INPUT", "INVALID_INPUT"]);
    assert_eq!(s.event_count().unwrap(), n);
}

/// Whatever path an event takes into the log, the device never makes one the server would refuse
/// over a limit (`teeka_domain::limits`): it is refused with the field named and nothing stored.
#[test]
fn an_event_over_a_limit_is_never_made() {
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let n = s.event_count().unwrap();
    let child = s.events().unwrap().iter().find_map(|e| match e.body {
        EventBody::BeneficiaryRegistered { beneficiary, .. } => Some(beneficiary),
        _ => None,
    });
    let child = child.unwrap();
    let update = |fields| vec![EventBody::BeneficiaryUpdated { beneficiary: child, fields }];
    use teeka_domain::BeneficiaryField::Name;
    let long = s.append(&ctx(), update(vec![Name("x".repeat(201))])).unwrap_err();
    assert_eq!((long.code(), long.field()), ("INVALID_INPUT", Some("name")));
    assert!(long.to_string().contains("name is 201 characters long; at most 200"), "{long}");
    let many = s.append(&ctx(), update((0..101).map(|i| Name(format!("A{i}"))).collect())).unwrap_err();
    assert_eq!((many.code(), many.field()), ("INVALID_INPUT", Some("fields")));
    let author = s.append(&ctx_at(ctx().now, &"w".repeat(201)), update(vec![Name("Asha".into())])).unwrap_err();
    assert_eq!((author.code(), author.field()), ("INVALID_INPUT", Some("author")));
    assert_eq!(s.event_count().unwrap(), n, "nothing stored");
    s.append(&ctx(), update(vec![Name("अ".repeat(200))])).unwrap();
}

/// An enrolled device makes nothing its role may not (`teeka_domain::roles`; the server would
/// refuse it with the same code): an ASHA's device copies a dose from the card, plans no site.
#[test]
fn an_enrolled_device_makes_nothing_its_role_may_not() {
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let enrollment = |role: &str| teeka_store::Enrollment {
        server_url: "http://127.0.0.1:1".into(),
        token: "t".into(),
        area_id: uuid::Uuid::nil(),
        area: "UP/Sitapur/Mahmudabad/Bhatpur/Rampur".into(),
        role: role.into(),
        server_cert: None,
    };
    s.save_enrollment(&enrollment("asha")).unwrap();
    let n = s.event_count().unwrap();
    s.record_dose("C-2", DoseCode::Bcg, date("2026-09-10"), &ctx()).unwrap();
    use teeka_domain::{SiteField, SiteType};
    let site = || EventBody::SiteRegistered {
        site: uuid::Uuid::now_v7(),
        site_id: "S-1".into(),
        fields: vec![SiteField::Name("Rampur AWC".into()), SiteField::SiteType(SiteType::Fixed)],
    };
    let e = s.append(&ctx(), vec![site()]).unwrap_err();
    assert_eq!(e.code(), "FORBIDDEN_ROLE");
    assert_eq!(e.to_string(), "an ASHA does not plan session sites: a supervisor does");
    assert_eq!(s.event_count().unwrap(), n + 1, "the card's dose only");
    s.save_enrollment(&enrollment("supervisor")).unwrap();
    s.append(&ctx(), vec![site()]).unwrap();
}

/// A pinned server certificate is kept with the enrollment, and enrolling again without one
/// forgets it (the device then trusts the system's authorities).
#[test]
fn the_pinned_certificate_is_kept_with_the_enrollment() {
    let mut s = Store::open_in_memory().unwrap();
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let pinned = teeka_store::Enrollment {
        server_url: "https://teeka.example.in".into(),
        token: "t".into(),
        area_id: uuid::Uuid::nil(),
        area: "UP/Sitapur".into(),
        role: "anm".into(),
        server_cert: Some(pem.into()),
    };
    s.save_enrollment(&pinned).unwrap();
    assert_eq!(s.enrollment().unwrap().unwrap().server_cert.as_deref(), Some(pem));
    s.save_enrollment(&teeka_store::Enrollment { server_cert: None, ..pinned }).unwrap();
    assert_eq!(s.enrollment().unwrap().unwrap().server_cert, None);
}

/// The national identifiers: checked and normalised by every write, stored, exported, written to
/// the register CSV and read back from it; a bad one is refused with its code and nothing stored.
#[test]
fn national_identifiers_are_checked_stored_and_exported() {
    use teeka_domain::BeneficiaryField;
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let c = ctx();
    let n = s.event_count().unwrap();
    let bad = [
        s.update_beneficiary("C-1", vec![BeneficiaryField::Abha(Some("1234".into()))], &c).unwrap_err(),
        s.update_beneficiary("C-1", vec![BeneficiaryField::RchId(Some("12-34".into()))], &c).unwrap_err(),
        s.update_beneficiary("C-1", vec![BeneficiaryField::UwinId(Some("a b".into()))], &c).unwrap_err(),
    ];
    let codes: Vec<_> = bad.iter().map(|e| (e.code(), e.field())).collect();
    assert_eq!(codes, [("BAD_ABHA", Some("abha")), ("BAD_RCH_ID", Some("rch_id")), ("BAD_UWIN_ID", Some("uwin_id"))]);
    assert_eq!(s.event_count().unwrap(), n, "nothing stored");
    let fields = vec![
        BeneficiaryField::Abha(Some("22 7225 4829 5255".into())),
        BeneficiaryField::RchId(Some("123456789012".into())),
        BeneficiaryField::UwinId(Some("UW-1".into())),
    ];
    s.update_beneficiary("C-1", fields, &c).unwrap();
    let b = s.export().unwrap().beneficiaries.into_iter().find(|b| b.register_id == "C-1").unwrap();
    assert_eq!(
        (b.facts.abha.as_deref(), b.facts.rch_id.as_deref(), b.facts.uwin_id.as_deref()),
        (Some("22-7225-4829-5255"), Some("123456789012"), Some("UW-1"))
    );
    // Cleared, then set again by a register import (which never clears).
    s.update_beneficiary("C-1", vec![BeneficiaryField::UwinId(None)], &c).unwrap();
    let csv = teeka_domain::register::write_register(&s.export().unwrap().register_rows()).unwrap();
    let mut fresh = Store::open_in_memory().unwrap();
    fresh.import_register(&parse_register(csv.as_bytes(), date("2026-11-22")).unwrap(), &c).unwrap();
    let b = fresh.export().unwrap().beneficiaries.into_iter().find(|b| b.register_id == "C-1").unwrap();
    assert_eq!((b.facts.abha.as_deref(), b.facts.uwin_id.as_deref()), (Some("22-7225-4829-5255"), None));
    assert_eq!(fresh.export().unwrap().register_rows(), s.export().unwrap().register_rows());
}

/// A register imported again months later, as the ASHA keeps it: a pregnancy on record whose EDD
/// has since passed (the delivery not yet recorded) does not make the whole file fail; a row that
/// gives her another LMP or a new person that cannot be held still does, and nothing is stored.
#[test]
fn a_re_import_after_an_edd_passed_is_accepted_for_what_is_already_on_record() {
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let later = date("2027-07-01");
    let c = Ctx { today: later, ..ctx() };
    let rows = parse_register(REGISTER.as_bytes(), later).unwrap();
    assert!(rows[2].implausible.is_some(), "W-1's EDD (2027-06-12) is past on {later}");
    let n = s.event_count().unwrap();
    let summary = s.import_register(&rows, &c).unwrap();
    assert_eq!((summary.events, s.event_count().unwrap()), (0, n), "nothing new, nothing refused");
    let changed = REGISTER.replace("2026-09-05", "2026-09-01");
    let err = s.import_register(&parse_register(changed.as_bytes(), later).unwrap(), &c).unwrap_err();
    assert_eq!(err.code(), "REGISTER_INVALID");
    assert!(err.to_string().contains("line 4, column 'lmp'"), "{err}");
    let new = format!("{REGISTER}W-2,H-2,Rampur,7,,pregnant_woman,Sita,F,,2026-09-05,,,\n");
    let err = s.import_register(&parse_register(new.as_bytes(), later).unwrap(), &c).unwrap_err();
    assert!(err.to_string().contains("line 5, column 'lmp'"), "{err}");
    assert_eq!(s.event_count().unwrap(), n);
}

/// The store's writes refuse a person the register cannot hold with the domain's check (a child
/// past Td at 16, a pregnancy that cannot be ongoing), naming the field; nothing is stored.
#[test]
fn an_implausible_person_is_refused_and_nothing_stored() {
    use teeka_domain::{BeneficiaryFacts, BeneficiaryField, BeneficiaryStatus, Kind};
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let c = ctx();
    let n = s.event_count().unwrap();
    let village = s.add_village("Rampur", &c).unwrap();
    let household = s.household_records(village).unwrap()[0].id;
    let child = BeneficiaryFacts { name: "Ravi".into(), dob: Some(date("2010-11-21")), ..Default::default() };
    let woman = BeneficiaryFacts { name: "Sita".into(), lmp: Some(date("2026-01-01")), ..Default::default() };
    let errs = [
        s.register_beneficiary(household, Kind::Child, &child, &[], &c).unwrap_err(),
        s.register_beneficiary(household, Kind::PregnantWoman, &woman, &[], &c).unwrap_err(),
        s.update_beneficiary("C-1", vec![BeneficiaryField::Dob(Some(date("2001-01-01")))], &c).unwrap_err(),
        s.update_beneficiary("W-1", vec![BeneficiaryField::Lmp(Some(date("2026-02-01")))], &c).unwrap_err(),
    ];
    let got: Vec<_> = errs.iter().map(|e| (e.code(), e.field())).collect();
    assert_eq!(
        got,
        [
            ("DOB_TOO_OLD", Some("dob")),
            ("LMP_TOO_OLD", Some("lmp")),
            ("DOB_TOO_OLD", Some("dob")),
            ("EDD_PAST", Some("lmp"))
        ]
    );
    assert_eq!(s.event_count().unwrap(), n);
    // Td-16 due today: still a child. A pregnancy no longer active is not refused.
    let child = BeneficiaryFacts { dob: Some(date("2010-11-22")), ..child };
    s.register_beneficiary(household, Kind::Child, &child, &[], &c).unwrap();
    let moved =
        vec![BeneficiaryField::Status(BeneficiaryStatus::Migrated), BeneficiaryField::Lmp(Some(date("2026-01-01")))];
    s.update_beneficiary("W-1", moved, &c).unwrap();
}

#[test]
fn a_failing_import_rolls_back_everything() {
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let before = serde_json::to_string(&s.export().unwrap()).unwrap();
    let n = s.event_count().unwrap();
    // Row 2 is new and fine; row 3 turns a child into a pregnant woman, which the store refuses.
    let bad = "register_id,household_id,village,kind,name,sex,dob,lmp\nC-3,H-3,Salempur,child,Golu,M,2026-01-01,\nC-1,H-1,Rampur,pregnant_woman,X,F,,2026-09-01\n";
    let rows = parse_register(bad.as_bytes(), date("2026-11-22")).unwrap();
    let err = s.import_register(&rows, &ctx()).unwrap_err();
    assert_eq!(err.code(), "REGISTER_INVALID");
    assert!(err.to_string().contains("line 3, column 'kind'"), "{err}");
    assert_eq!(s.event_count().unwrap(), n);
    assert_eq!(serde_json::to_string(&s.export().unwrap()).unwrap(), before);
    assert_eq!(s.villages().unwrap(), ["Rampur"]);
}

#[test]
fn a_newer_store_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(Store::open(&path).unwrap());
    Connection::open(&path).unwrap().execute("INSERT INTO schema_migrations VALUES (99, '0099_x', 'now')", []).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert_eq!(err.code(), "STORE_TOO_NEW");
}

/// A store from before version 7 kept a flag on a dose whose twin was corrected away (a flag was
/// never lifted then); opening it with this build sets every standing dose's flag by the rule the
/// projection keeps now.
#[test]
fn an_upgraded_store_lifts_the_flags_of_doses_without_a_twin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut s = Store::open(&path).unwrap();
    imported(&mut s);
    s.record_dose("C-1", DoseCode::Opv1, date("2026-11-20"), &ctx()).unwrap();
    s.record_dose("C-1", DoseCode::Opv1, date("2026-11-21"), &ctx()).unwrap();
    drop(s);
    let flagged = |c: &Connection| -> i64 {
        c.query_row("SELECT count(*) FROM doses WHERE flagged = 1 AND superseded_by IS NULL", [], |r| r.get(0)).unwrap()
    };
    // As version 6 left it (what versions 7 to 12 made undone): one of the twins superseded, the
    // other still flagged.
    let c = Connection::open(&path).unwrap();
    c.execute_batch(
        "UPDATE doses SET superseded_by = id WHERE rowid = (SELECT max(rowid) FROM doses WHERE code = 'OPV1');
         DELETE FROM schema_migrations WHERE version >= 7;
         DROP TABLE activities; DROP TABLE case_visits; DROP TABLE case_files;
         DROP TABLE planned_sessions; DROP TABLE round_holidays; DROP TABLE rounds; DROP TABLE site_villages;
         DROP TABLE sites; DROP TABLE vials; DROP INDEX sessions_session_site; DROP INDEX events_vial_discarded;
         ALTER TABLE sessions DROP COLUMN session_site_id;
         DROP INDEX beneficiaries_abha; DROP INDEX beneficiaries_rch_id; DROP INDEX beneficiaries_uwin_id;
         ALTER TABLE beneficiaries DROP COLUMN abha; ALTER TABLE beneficiaries DROP COLUMN rch_id;
         ALTER TABLE beneficiaries DROP COLUMN uwin_id; ALTER TABLE events DROP COLUMN worker;
         CREATE INDEX events_hlc ON events (hlc, device_id, id);",
    )
    .unwrap();
    assert_eq!(flagged(&c), 1);
    drop(c);
    drop(Store::open(&path).unwrap());
    assert_eq!(flagged(&Connection::open(&path).unwrap()), 0, "the lone OPV1 is no longer flagged");
}

/// Two devices edit the same register while apart; after exchanging events both hold the same
/// state, whatever the order in which they took them.
#[test]
fn two_devices_converge_after_exchanging_events() {
    let mut a = Store::open_in_memory().unwrap();
    imported(&mut a);
    let mut b = Store::open_in_memory().unwrap();
    b.ingest(&a.events().unwrap(), Utc::now()).unwrap();
    assert_eq!(export(&a), export(&b));

    // Apart: both rename C-2 and record doses; B marks W-1 migrated; A records a refusal.
    let t = |h| ctx_at(Utc.with_ymd_and_hms(2026, 11, 22, h, 0, 0).unwrap(), "x");
    rename(&mut a, "C-2", "Priya Kumari", &t(7));
    rename(&mut b, "C-2", "Priyanka", &t(8));
    a.record_dose("C-2", DoseCode::Bcg, date("2026-09-10"), &t(7)).unwrap();
    b.record_dose("C-2", DoseCode::Bcg, date("2026-09-10"), &t(8)).unwrap();
    a.record_not_given("C-1", DoseCode::Opv1, date("2026-11-20"), ReasonCode::RefusedFearAefi, &t(7)).unwrap();
    set_status(&mut b, "W-1", "migrated", &t(9));

    let from_a = a.events().unwrap();
    let from_b = b.events().unwrap();
    a.ingest(&from_b, Utc::now()).unwrap();
    b.ingest(&from_a, Utc::now()).unwrap();
    // Taking the same events again changes nothing.
    assert_eq!(a.ingest(&from_b, Utc::now()).unwrap(), 0);
    assert_eq!(export(&a), export(&b));
    let ex = a.export().unwrap();
    let c2 = ex.beneficiaries.iter().find(|x| x.register_id == "C-2").unwrap();
    assert_eq!(c2.facts.name, "Priyanka", "the later write wins");
    assert_eq!(c2.doses.len(), 2, "the same dose recorded on two devices keeps both records");
    assert!(ex.beneficiaries.iter().find(|x| x.register_id == "C-1").unwrap().resistant_household);
}

fn export(s: &Store) -> String {
    serde_json::to_string(&s.export().unwrap()).unwrap()
}

fn rename(s: &mut Store, register_id: &str, name: &str, c: &Ctx) {
    let id = beneficiary_id(s, register_id);
    s.append(
        c,
        vec![EventBody::BeneficiaryUpdated {
            beneficiary: id,
            fields: vec![teeka_domain::BeneficiaryField::Name(name.into())],
        }],
    )
    .unwrap();
}

fn set_status(s: &mut Store, register_id: &str, status: &str, c: &Ctx) {
    let id = beneficiary_id(s, register_id);
    let status = status.parse().unwrap();
    s.append(
        c,
        vec![EventBody::BeneficiaryUpdated {
            beneficiary: id,
            fields: vec![teeka_domain::BeneficiaryField::Status(status)],
        }],
    )
    .unwrap();
}

fn beneficiary_id(s: &Store, register_id: &str) -> uuid::Uuid {
    s.events()
        .unwrap()
        .into_iter()
        .find_map(|e| match e.body {
            EventBody::BeneficiaryRegistered { beneficiary, register_id: r, .. } if r == register_id => {
                Some(beneficiary)
            }
            _ => None,
        })
        .unwrap()
}

/// Events of several devices: registrations first (as sync delivers them), then field updates
/// and doses from three devices with clashing stamps.
fn scenario() -> (Vec<Event>, Vec<Event>) {
    let mut origin = Store::open_in_memory().unwrap();
    imported(&mut origin);
    let base = origin.events().unwrap();
    let mut edits = Vec::new();
    for (i, device) in (0..3).map(|i| (i, Store::open_in_memory().unwrap())).collect::<Vec<_>>().iter_mut() {
        device.ingest(&base, Utc::now()).unwrap();
        // Two of the devices share a wall time, so the counter and the device id decide.
        let when = Utc.with_ymd_and_hms(2026, 11, 22, 7 + (*i as u32).min(1), 0, 0).unwrap();
        let c = ctx_at(when, "w");
        rename(device, "C-1", &format!("name from device {i}"), &c);
        set_status(device, "W-1", ["active", "migrated", "died"][*i], &c);
        device.record_dose("C-2", DoseCode::Bcg, date("2026-09-10"), &c).unwrap();
        let n = base.len();
        edits.extend(device.events().unwrap().into_iter().skip(n));
    }
    (base, edits)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn replicas_converge_whatever_the_order(seed in any::<u64>()) {
        let (base, edits) = scenario();
        let events = [base.clone(), edits.clone()].concat();
        let mut shuffled = edits;
        // A deterministic shuffle from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut in_order = Store::open_in_memory().unwrap();
        in_order.ingest(&events, Utc::now()).unwrap();
        let mut reordered = Store::open_in_memory().unwrap();
        reordered.ingest(&base, Utc::now()).unwrap();
        // Delivered in several batches, one repeated.
        let (first, second) = shuffled.split_at(shuffled.len() / 2);
        reordered.ingest(second, Utc::now()).unwrap();
        reordered.ingest(first, Utc::now()).unwrap();
        reordered.ingest(second, Utc::now()).unwrap();
        prop_assert_eq!(export(&in_order), export(&reordered));
        prop_assert_eq!(in_order.event_count().unwrap(), reordered.event_count().unwrap());
    }
}

/// The due list reads doses packed beside each beneficiary; they must always equal the dose
/// records, through new doses, corrections and events from other devices.
#[test]
fn packed_doses_follow_every_change() {
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    s.record_dose("C-1", DoseCode::Opv1, date("2026-07-13"), &ctx()).unwrap();
    let fix = "register_id,household_id,village,kind,name,sex,dob,BCG,OPV1\nC-1,H-1,Rampur,child,आरव,M,2026-06-01,2026-06-02,2026-07-14\n";
    s.import_register(&parse_register(fix.as_bytes(), date("2026-11-22")).unwrap(), &ctx()).unwrap();
    let mut other = Store::open_in_memory().unwrap();
    other.ingest(&s.events().unwrap(), Utc::now()).unwrap();
    other.record_dose("C-2", DoseCode::Bcg, date("2026-09-11"), &ctx()).unwrap();
    s.ingest(&other.events().unwrap(), Utc::now()).unwrap();
    let export = s.export().unwrap();
    for (person, history) in s.people(None).unwrap() {
        let mut packed: Vec<_> = history.iter().map(|g| (g.code, g.date)).collect();
        let b = export.beneficiaries.iter().find(|b| *b.register_id == *person.register_id).unwrap();
        let mut recorded: Vec<_> = b.doses.iter().map(|d| (d.code, d.date)).collect();
        packed.sort();
        recorded.sort();
        assert_eq!(packed, recorded, "{}", person.register_id);
    }
    let c1 = export.beneficiaries.iter().find(|b| b.register_id == "C-1").unwrap();
    assert_eq!(
        c1.doses.iter().map(|d| (d.code.as_str(), d.date.to_string())).collect::<Vec<_>>(),
        [("BCG", "2026-06-02".to_string()), ("OPV1", "2026-07-14".to_string())]
    );
}

/// A household moved into this device's area from outside it arrives without its registration:
/// events about it are kept in the log and change nothing, and the sync is not stuck on them.
#[test]
fn events_about_records_never_registered_here_are_kept_and_harmless() {
    let mut elsewhere = Store::open_in_memory().unwrap();
    imported(&mut elsewhere);
    elsewhere.record_dose("C-1", DoseCode::Opv1, date("2026-07-13"), &ctx()).unwrap();
    set_status(&mut elsewhere, "C-2", "migrated", &ctx());
    let all = elsewhere.events().unwrap();
    // Everything but the registrations of the households and beneficiaries.
    let orphans: Vec<Event> = all
        .into_iter()
        .filter(|e| !matches!(e.body, EventBody::HouseholdRegistered { .. } | EventBody::BeneficiaryRegistered { .. }))
        .collect();
    let mut here = Store::open_in_memory().unwrap();
    assert_eq!(here.ingest(&orphans, Utc::now()).unwrap(), orphans.len());
    assert_eq!(here.event_count().unwrap(), orphans.len() as u64);
    assert!(here.export().unwrap().beneficiaries.is_empty());
    assert!(here.due_list(date("2026-11-22"), None).unwrap().is_empty());
}

/// Search folds names in memory: either script finds the other, the mother's name and the head
/// of household are searched, and so are register ids and the household's phone.
#[test]
fn search_finds_names_across_scripts_ids_and_phones() {
    let mut s = Store::open_in_memory().unwrap();
    imported(&mut s);
    let ids = |text: &str| -> Vec<String> {
        s.search_beneficiaries(text, None).unwrap().into_iter().map(|r| r.register_id).collect()
    };
    assert_eq!(ids("aarav"), ["C-1"]);
    assert_eq!(ids("प्रिया"), ["C-2"]);
    assert_eq!(ids("sunita"), ["C-2", "C-1"], "the mother's name, ordered by the child's name");
    assert_eq!(ids("कमला"), ["W-1"]);
    assert_eq!(ids("c-2"), ["C-2"]);
    assert_eq!(ids("98765"), ["C-2", "C-1"], "the household's phone");
    assert!(ids("zz").is_empty());
    assert!(ids("  ").is_empty());
    let village = s.village_records().unwrap()[0].id;
    assert_eq!(s.search_beneficiaries("kamla", Some(village)).unwrap().len(), 1);
    assert!(s.search_beneficiaries("kamla", Some(uuid::Uuid::nil())).unwrap().is_empty());
}

/// A village's ASHA is one event per change; two devices setting her converge on the later one
/// whatever the order they take the events in; a bad phone stores nothing.
#[test]
fn a_villages_asha_converges_by_the_later_write() {
    let mut a = Store::open_in_memory().unwrap();
    imported(&mut a);
    let mut b = Store::open_in_memory().unwrap();
    b.ingest(&a.events().unwrap(), Utc::now()).unwrap();
    let village = a.village_records().unwrap()[0].id;
    let t = |h| ctx_at(Utc.with_ymd_and_hms(2026, 11, 22, h, 0, 0).unwrap(), "sup");
    let before = a.event_count().unwrap();
    assert!(a.set_village_asha(village, Some("Sunita"), Some("12"), &t(7)).is_err());
    assert_eq!(a.event_count().unwrap(), before, "a refused write stores nothing");
    let e = a.set_village_asha(village, Some(" Sunita Devi "), Some("9876543210"), &t(7)).unwrap();
    assert_eq!(e.body.kind(), "village_asha_set");
    b.set_village_asha(village, Some("Geeta"), None, &t(8)).unwrap();
    let (from_a, from_b) = (a.events().unwrap(), b.events().unwrap());
    b.ingest(&from_a, Utc::now()).unwrap();
    a.ingest(&from_b, Utc::now()).unwrap();
    for s in [&a, &b] {
        let v = s.village_records().unwrap().into_iter().find(|v| v.id == village).unwrap();
        assert_eq!((v.asha_name.as_deref(), v.asha_phone.as_deref()), (Some("Geeta"), None));
    }
    assert!(a.set_village_asha(uuid::Uuid::nil(), Some("X"), None, &t(9)).is_err());
}
