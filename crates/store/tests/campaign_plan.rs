//! The campaign's plan on the device: sites imported and entered, rounds and their holidays,
//! sessions not held and moved, the round's session plan and the mop-up list; every bad input
//! refused with nothing stored; and two devices converging whatever the order of their events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use std::collections::BTreeSet;
use teeka_domain::calendar::Weekdays;
use teeka_domain::codes::{HraType, NotHeldReason, SiteType};
use teeka_domain::model::{Contact, SiteField};
use teeka_domain::plan::SessionNorms;
use teeka_domain::register::parse_register;
use teeka_domain::{AreaLevel, Date, DoseCode, Event, EventBody, ReasonCode};
use teeka_store::{Ctx, SiteInput, Store, StoreError};
use uuid::Uuid;

fn date(s: &str) -> Date {
    teeka_domain::parse_date(s).unwrap()
}

fn ctx_on(today: &str, hour: u32) -> Ctx {
    let d = date(today);
    let now: DateTime<Utc> = Utc.from_utc_datetime(&d.and_hms_opt(hour, 0, 0).unwrap());
    Ctx { now, today: d, author: "anm-1".into(), worker: None }
}

fn ctx() -> Ctx {
    ctx_on("2019-12-01", 6)
}

/// Children born in 2019 and a pregnant woman: IMI 2.0's first round (2 December 2019) finds
/// C-1 and C-2 due their 6-week doses, W-1 her Td-1; C-3 has had every dose due so far.
const REGISTER: &str = "register_id,household_id,village,house_no,kind,name,sex,dob,lmp,BCG,OPV0,HEPB0,OPV1,PENTA1,RVV1,FIPV1,PCV1,OPV2,PENTA2,RVV2,OPV3,PENTA3,RVV3,FIPV2,PCV2
C-1,H-1,Rampur,1,child,Aarav,M,2019-09-01,,2019-09-01,2019-09-01,2019-09-01,,,,,,,,,,,,,
C-2,H-2,Rampur,2,child,Priya,F,2019-10-01,,2019-10-01,2019-10-01,2019-10-01,,,,,,,,,,,,,
C-3,H-3,Salempur,3,child,Ravi,M,2019-06-01,,2019-06-01,2019-06-01,2019-06-01,2019-07-13,2019-07-13,2019-07-13,2019-07-13,2019-07-13,2019-08-10,2019-08-10,2019-08-10,2019-09-07,2019-09-07,2019-09-07,2019-09-07,2019-09-07
W-1,H-4,Salempur,4,pregnant_woman,Kamla,F,,2019-08-01,,,,,,,,,,,,,,,,
";

const SITES: &str = "site_id,name,villages,type,hra,anm,anm_phone,mobilizers,avd,distance_km,travel_minutes,ri_day
S-01,Rampur AWC,Rampur,outreach,brick_kiln,Meena,9876543210,Sunita:9123456780;Rekha,Ramesh:9988776655,2.5,20,wed
S-02,Salempur PHC,salempur,fixed,,Kavita,,,,,,
";

fn store() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    let rows = parse_register(REGISTER.as_bytes(), date("2019-12-01")).unwrap();
    s.import_register(&rows, &ctx()).unwrap();
    s
}

fn planned() -> Store {
    let mut s = store();
    s.import_sites(SITES.as_bytes(), &ctx()).unwrap();
    round_1(&mut s);
    s
}

fn wed_sat() -> Weekdays {
    Weekdays::parse("wed,sat").unwrap()
}

fn round_1(s: &mut Store) {
    s.add_round(1, date("2019-12-02"), 7, &wed_sat(), &BTreeSet::new(), &ctx()).unwrap();
}

fn iso(days: &[Date]) -> Vec<String> {
    days.iter().map(|d| teeka_domain::iso(*d)).collect()
}

const ROUND_1: [&str; 7] =
    ["2019-12-02", "2019-12-03", "2019-12-05", "2019-12-06", "2019-12-09", "2019-12-10", "2019-12-12"];

#[test]
fn sites_import_whole_and_again_only_what_changed() {
    let mut s = store();
    let r = s.import_sites(SITES.as_bytes(), &ctx()).unwrap();
    assert_eq!((r.rows, r.new, r.changed, r.unchanged), (2, 2, 0, 0));
    let sites = s.sites().unwrap();
    assert_eq!(sites.len(), 2);
    let s1 = &sites[0];
    assert_eq!((s1.site_id.as_str(), s1.name.as_str()), ("S-01", "Rampur AWC"));
    assert_eq!(s1.villages.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["Rampur"]);
    assert_eq!((s1.site_type, s1.hra), (SiteType::Outreach, HraType::BrickKiln));
    assert_eq!(s1.anm, Some(Contact { name: "Meena".into(), phone: Some("9876543210".into()) }));
    assert_eq!(s1.mobilizers.len(), 2);
    assert_eq!(s1.avd.as_ref().map(|a| a.name.as_str()), Some("Ramesh"));
    assert_eq!((s1.distance_tenths_km, s1.travel_minutes), (Some(25), Some(20)));
    assert_eq!(s1.ri_day.map(|d| d.as_str()), Some("wed"));
    assert_eq!(s.site("S-02").unwrap().villages[0].name, "Salempur", "villages match in any case");
    let events = s.event_count().unwrap();
    // The same file again changes nothing; a changed name is one update of that field.
    let r = s.import_sites(SITES.as_bytes(), &ctx()).unwrap();
    assert_eq!((r.new, r.changed, r.unchanged), (0, 0, 2));
    assert_eq!(s.event_count().unwrap(), events);
    let renamed = SITES.replace("Salempur PHC", "Salempur CHC");
    let r = s.import_sites(renamed.as_bytes(), &ctx()).unwrap();
    assert_eq!((r.new, r.changed, r.unchanged), (0, 1, 1));
    let last = s.events().unwrap().pop().unwrap();
    match last.body {
        EventBody::SiteUpdated { fields, .. } => assert_eq!(fields, [SiteField::Name("Salempur CHC".into())]),
        other => panic!("{other:?}"),
    }
    assert!(matches!(s.site("S-99"), Err(StoreError::UnknownSite(_))));
}

#[test]
fn an_unknown_village_is_located_and_nothing_is_stored() {
    let mut s = store();
    // Kheri, in its sub-centre (a device holds one village of a name: the same name registered
    // twice is one village; the sub-centre may still be written before it).
    let (sc, kheri) = (Uuid::now_v7(), Uuid::now_v7());
    s.append(
        &ctx(),
        vec![
            EventBody::AreaDefined { area: sc, level: AreaLevel::Subcentre, name: "Kheri SC".into(), parent: None },
            EventBody::AreaDefined { area: kheri, level: AreaLevel::Village, name: "Kheri".into(), parent: Some(sc) },
        ],
    )
    .unwrap();
    let events = s.event_count().unwrap();
    let bad = SITES.replace("S-02,Salempur PHC,salempur", "S-02,Salempur PHC,Salempur;Nowhere;Kheri SC/Nowhere");
    let err = s.import_sites(bad.as_bytes(), &ctx()).unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    let text = err.to_string();
    assert!(text.contains("line 3, column 'villages': no village named 'Nowhere'"), "{text}");
    assert!(text.contains("line 3, column 'villages': no village 'Nowhere' in sub-centre 'Kheri SC'"), "{text}");
    let twice = SITES.replace(",Rampur,outreach", ",Rampur;rampur ,outreach");
    let err = s.import_sites(twice.as_bytes(), &ctx()).unwrap_err();
    assert!(err.to_string().contains("line 2, column 'villages'"), "{err}");
    assert_eq!(s.event_count().unwrap(), events, "nothing stored");
    assert!(s.sites().unwrap().is_empty());
    let with_sc = SITES.replace(",Rampur,outreach", ",Rampur;kheri sc/KHERI,outreach");
    s.import_sites(with_sc.as_bytes(), &ctx()).unwrap();
    let villages: Vec<_> = s.site("S-01").unwrap().villages.into_iter().map(|v| (v.id == kheri, v.name)).collect();
    assert_eq!(villages, [(false, "Rampur".to_string()), (true, "Kheri".to_string())]);
    // A file the parser refuses is INVALID_INPUT with its located problems.
    let err = s.import_sites(b"site_id,name\n", &ctx()).unwrap_err();
    assert!(err.to_string().contains("line 1, column 'villages': required column is missing"), "{err}");
}

#[test]
fn a_site_entered_in_the_app_is_checked_and_edited_field_by_field() {
    let mut s = store();
    let village = s.village_records().unwrap()[0].id;
    let n = s.event_count().unwrap();
    let input = SiteInput {
        name: "Rampur AWC".into(),
        villages: vec![village],
        site_type: SiteType::Outreach,
        hra: HraType::None,
        anm: Some(Contact { name: "Meena".into(), phone: Some("98765".into()) }),
        mobilizers: vec![],
        avd: None,
        distance_tenths_km: None,
        travel_minutes: None,
        ri_day: None,
    };
    let err = s.register_site("S-01", &input, &ctx()).unwrap_err();
    assert_eq!((err.code(), err.field()), ("INVALID_INPUT", Some("anm")));
    let err = s.register_site("S 01", &input, &ctx()).unwrap_err();
    assert_eq!(err.field(), Some("site_id"));
    let ok = SiteInput { anm: Some(Contact { name: "Meena".into(), phone: None }), ..input };
    let err = s.register_site("S-01", &SiteInput { villages: vec![], ..ok.clone() }, &ctx()).unwrap_err();
    assert_eq!(err.field(), Some("villages"));
    let err = s.register_site("S-01", &SiteInput { villages: vec![Uuid::nil()], ..ok.clone() }, &ctx()).unwrap_err();
    assert_eq!(err.field(), Some("villages"));
    assert_eq!(s.event_count().unwrap(), n, "nothing stored");
    s.register_site("S-01", &ok, &ctx()).unwrap();
    assert_eq!(s.register_site("S-01", &ok, &ctx()).unwrap_err().field(), Some("site_id"));
    s.update_site("S-01", vec![SiteField::Name("Rampur AWC".into()), SiteField::TravelMinutes(Some(30))], &ctx())
        .unwrap();
    let last = s.events().unwrap().pop().unwrap();
    assert!(
        matches!(&last.body, EventBody::SiteUpdated { fields, .. } if fields == &[SiteField::TravelMinutes(Some(30))]),
        "only what changed: {last:?}"
    );
    let err = s.update_site("S-01", vec![SiteField::Name(" ".into())], &ctx()).unwrap_err();
    assert_eq!(err.field(), Some("name"));
    assert_eq!(s.update_site("S-09", vec![], &ctx()).unwrap_err().code(), "UNKNOWN_SITE");
}

#[test]
fn rounds_have_their_days_and_holidays_move_them() {
    let mut s = store();
    let holidays: BTreeSet<Date> = [date("2019-12-25"), date("2019-12-03")].into();
    let r = s.add_round(1, date("2019-12-02"), 7, &wed_sat(), &holidays, &ctx()).unwrap();
    assert_eq!(iso(&r.holidays), ["2019-12-03"], "holidays outside the round are not kept");
    assert_eq!(
        iso(&r.days),
        ["2019-12-02", "2019-12-05", "2019-12-06", "2019-12-09", "2019-12-10", "2019-12-12", "2019-12-13"]
    );
    let err = s.add_round(1, date("2020-01-06"), 7, &wed_sat(), &BTreeSet::new(), &ctx()).unwrap_err();
    assert_eq!(err.code(), "ROUND_EXISTS");
    assert!(err.to_string().contains("2019-12-02"), "{err}");
    let err = s.add_round(2, date("2020-01-06"), 40, &wed_sat(), &BTreeSet::new(), &ctx()).unwrap_err();
    assert_eq!((err.code(), err.field()), ("INVALID_INPUT", Some("working_days")));
    let every = Weekdays::parse("mon,tue,wed,thu,fri,sat").unwrap();
    let err = s.add_round(2, date("2020-01-06"), 7, &every, &BTreeSet::new(), &ctx()).unwrap_err();
    assert_eq!(err.field(), Some("ri_days"));
    assert_eq!(
        s.add_round(0, date("2020-01-06"), 7, &wed_sat(), &BTreeSet::new(), &ctx()).unwrap_err().field(),
        Some("number")
    );
    // A holiday declared later, and one taken back.
    let r = s.set_round_holiday(1, date("2019-12-10"), true, &ctx()).unwrap();
    assert_eq!(*iso(&r.days).last().unwrap(), "2019-12-16");
    let r = s.set_round_holiday(1, date("2019-12-03"), false, &ctx()).unwrap();
    assert_eq!(iso(&r.holidays), ["2019-12-10"]);
    assert_eq!(iso(&r.days)[..2], ["2019-12-02", "2019-12-03"]);
    let n = s.event_count().unwrap();
    let err = s.set_round_holiday(1, date("2019-12-20"), true, &ctx()).unwrap_err();
    assert_eq!(err.code(), "OUTSIDE_ROUND");
    assert!(err.to_string().contains("a date outside the round: round 1 runs from 2019-12-02 to 2019-12-13"), "{err}");
    assert_eq!(s.set_round_holiday(1, date("2019-12-05"), false, &ctx()).unwrap_err().field(), Some("date"));
    assert_eq!(s.set_round_holiday(3, date("2019-12-05"), true, &ctx()).unwrap_err().code(), "UNKNOWN_ROUND");
    assert_eq!(s.event_count().unwrap(), n, "nothing stored");
    assert_eq!(s.rounds().unwrap().len(), 1);
}

#[test]
fn the_plan_follows_the_due_list_holidays_and_what_happened() {
    let mut s = planned();
    let norms = SessionNorms::default();
    let plan = s.round_plan(1, &norms).unwrap();
    assert_eq!(iso(&plan.days), ROUND_1);
    let s1: Vec<_> = plan.sessions.iter().filter(|x| x.site_id == "S-01").collect();
    assert_eq!(s1.len(), 1);
    assert_eq!(s1[0].expected, ["C-1", "C-2"]);
    assert_eq!(s1[0].site_name, "Rampur AWC");
    assert_eq!(teeka_domain::iso(s1[0].day), "2019-12-02");
    let s2: Vec<_> = plan.sessions.iter().filter(|x| x.site_id == "S-02").collect();
    assert_eq!(s2[0].expected, ["W-1"], "C-3 has nothing due");
    assert!(plan.problems.is_empty());
    // Small norms: two sessions at S-01 (3 injections each).
    let small = SessionNorms { outreach: teeka_domain::plan::Capacity { min: 1, max: 3 }, ..SessionNorms::default() };
    let plan = s.round_plan(1, &small).unwrap();
    let days: Vec<_> = plan.sessions.iter().filter(|x| x.site_id == "S-01").map(|x| teeka_domain::iso(x.day)).collect();
    assert_eq!(days, ["2019-12-02", "2019-12-03"]);
    // A holiday declared after planning moves the sessions: 3 December is off, the second
    // session is on the 5th.
    s.set_round_holiday(1, date("2019-12-03"), true, &ctx()).unwrap();
    let plan = s.round_plan(1, &small).unwrap();
    let days: Vec<_> = plan.sessions.iter().filter(|x| x.site_id == "S-01").map(|x| teeka_domain::iso(x.day)).collect();
    assert_eq!(days, ["2019-12-02", "2019-12-05"]);
    // Not held, then moved to day 7.
    let c = ctx_on("2019-12-02", 12);
    let err = s.session_not_held(1, "S-01", date("2019-12-02"), NotHeldReason::Other, None, &small, &c).unwrap_err();
    assert_eq!(err.field(), Some("note"));
    let err = s.session_not_held(1, "S-01", date("2019-12-06"), NotHeldReason::Weather, None, &small, &c).unwrap_err();
    assert_eq!(err.code(), "OUTSIDE_ROUND");
    assert!(err.to_string().contains("its sessions: 2019-12-02, 2019-12-05"), "{err}");
    let err = s.session_not_held(1, "S-01", date("2019-12-04"), NotHeldReason::Weather, None, &small, &c).unwrap_err();
    assert!(err.to_string().contains("a date outside the round"), "{err}");
    assert_eq!(
        s.session_not_held(1, "S-09", date("2019-12-02"), NotHeldReason::Weather, None, &small, &c).unwrap_err().code(),
        "UNKNOWN_SITE"
    );
    let n = s.event_count().unwrap();
    s.session_not_held(1, "S-01", date("2019-12-02"), NotHeldReason::Weather, Some("flood"), &small, &c).unwrap();
    let err = s.reschedule_session(1, "S-01", date("2019-12-02"), date("2019-12-14"), &small, &c).unwrap_err();
    assert_eq!(err.code(), "OUTSIDE_ROUND");
    let err = s.reschedule_session(1, "S-01", date("2019-12-02"), date("2019-12-02"), &small, &c).unwrap_err();
    assert_eq!(err.field(), Some("to"));
    assert_eq!(s.event_count().unwrap(), n + 1);
    s.reschedule_session(1, "S-01", date("2019-12-02"), date("2019-12-13"), &small, &c).unwrap();
    let plan = s.round_plan(1, &small).unwrap();
    let first = plan.sessions.iter().find(|x| x.site_id == "S-01" && x.number == 1).unwrap();
    assert_eq!(teeka_domain::iso(first.day), "2019-12-13");
    assert_eq!(first.moved_from, Some(date("2019-12-02")));
    assert_eq!(first.not_held, None, "the moved session is held on its new day");
    // Marked not held on its new day, it carries the reason there.
    s.session_not_held(1, "S-01", date("2019-12-13"), NotHeldReason::AnmAbsent, None, &small, &c).unwrap();
    let plan = s.round_plan(1, &small).unwrap();
    let first = plan.sessions.iter().find(|x| x.site_id == "S-01" && x.number == 1).unwrap();
    assert_eq!((first.not_held, first.moved_from), (Some(NotHeldReason::AnmAbsent), Some(date("2019-12-02"))));
}

#[test]
fn the_mop_up_list_is_who_is_still_due_with_the_last_reason() {
    let mut s = planned();
    let day2 = ctx_on("2019-12-03", 10);
    let given = [DoseCode::Penta1, DoseCode::Opv1, DoseCode::Rvv1, DoseCode::Fipv1, DoseCode::Pcv1];
    let doses: Vec<_> = given.iter().map(|c| (*c, date("2019-12-03"))).collect();
    s.record_doses("C-2", &doses, None, &day2).unwrap();
    s.record_not_given("C-1", DoseCode::Penta1, date("2019-12-03"), ReasonCode::ChildSick, &day2).unwrap();
    let day7 = date("2019-12-12");
    let m = s.mop_up(1, "S-01", day7).unwrap();
    assert_eq!(m.items.iter().map(|i| i.register_id.as_str()).collect::<Vec<_>>(), ["C-1"]);
    let c1 = &m.items[0];
    assert!(c1.doses.iter().any(|d| d.code == DoseCode::Penta1));
    let last = c1.last_not_given.as_ref().unwrap();
    assert_eq!((last.code, last.reason, last.date), (DoseCode::Penta1, ReasonCode::ChildSick, date("2019-12-03")));
    let m = s.mop_up(1, "S-02", day7).unwrap();
    assert_eq!(m.items.iter().map(|i| i.register_id.as_str()).collect::<Vec<_>>(), ["W-1"]);
    assert_eq!(m.items[0].last_not_given, None);
    let err = s.mop_up(1, "S-01", date("2019-12-20")).unwrap_err();
    assert_eq!(err.code(), "OUTSIDE_ROUND");
    assert!(
        err.to_string().contains("a date outside the round") && err.to_string().contains("2019-12-02 to 2019-12-12")
    );
    assert_eq!(s.mop_up(2, "S-01", day7).unwrap_err().code(), "UNKNOWN_ROUND");
    assert_eq!(s.mop_up(1, "S-03", day7).unwrap_err().code(), "UNKNOWN_SITE");
}

/// A dose whose next dose falls due before the next round starts is carried onto that round's
/// due list: Penta-1 given on round 1's second day, Penta-2 is due 4 weeks later (31 December),
/// before round 2 (6 January 2020).
#[test]
fn a_next_dose_due_before_the_next_round_is_on_its_due_list() {
    let mut s = planned();
    let day2 = ctx_on("2019-12-03", 10);
    let given = [DoseCode::Penta1, DoseCode::Opv1, DoseCode::Rvv1, DoseCode::Fipv1, DoseCode::Pcv1];
    let doses: Vec<_> = given.iter().map(|c| (*c, date("2019-12-03"))).collect();
    s.record_doses("C-2", &doses, None, &day2).unwrap();
    s.add_round(2, date("2020-01-06"), 7, &wed_sat(), &BTreeSet::new(), &ctx_on("2020-01-01", 6)).unwrap();
    let plan = s.round_plan(2, &SessionNorms::default()).unwrap();
    let s1 = plan.sessions.iter().find(|x| x.site_id == "S-01").unwrap();
    assert!(s1.expected.contains(&"C-2".to_string()), "{:?}", s1.expected);
    let m = s.mop_up(2, "S-01", date("2020-01-16")).unwrap();
    let c2 = m.items.iter().find(|i| i.register_id == "C-2").unwrap();
    assert!(c2.doses.iter().any(|d| d.code == DoseCode::Penta2));
    // Round 1 planned C-2 as well; its mop-up no longer lists it.
    assert!(!s.mop_up(1, "S-01", date("2019-12-12")).unwrap().items.iter().any(|i| i.register_id == "C-2"));
}

// ----- convergence -----

/// What a device shows of the plan, without its own uuids.
fn state(s: &Store) -> String {
    let plan = s.round_plan(1, &SessionNorms::default()).unwrap();
    serde_json::to_string(&(s.sites().unwrap(), s.rounds().unwrap(), plan)).unwrap()
}

/// Two devices with the same register plan apart: both import the sites (B with its own S-01,
/// renamed), both define round 1 (A with a holiday), then each declares or takes back holidays,
/// marks sessions not held and moves them. Returns the shared base and each device's events.
fn two_devices() -> (Vec<Event>, Vec<Event>, Vec<Event>) {
    let origin = store();
    let base = origin.events().unwrap();
    let mut a = Store::open_in_memory().unwrap();
    let mut b = Store::open_in_memory().unwrap();
    // Taken in at the devices' own time, so that their stamps follow the story's hours.
    a.ingest(&base, ctx().now).unwrap();
    b.ingest(&base, ctx().now).unwrap();
    let norms = SessionNorms::default();
    let (ta, tb) = (ctx_on("2019-12-01", 7), ctx_on("2019-12-01", 8));
    a.import_sites(SITES.as_bytes(), &ta).unwrap();
    b.import_sites(SITES.replace("Rampur AWC", "Rampur Anganwadi").as_bytes(), &tb).unwrap();
    a.add_round(1, date("2019-12-02"), 7, &wed_sat(), &[date("2019-12-03")].into(), &ta).unwrap();
    b.add_round(1, date("2019-12-02"), 7, &Weekdays::parse("wed").unwrap(), &BTreeSet::new(), &tb).unwrap();
    a.set_round_holiday(1, date("2019-12-09"), true, &ctx_on("2019-12-02", 9)).unwrap();
    b.set_round_holiday(1, date("2019-12-05"), true, &ctx_on("2019-12-02", 10)).unwrap();
    a.session_not_held(
        1,
        "S-01",
        date("2019-12-02"),
        NotHeldReason::Weather,
        Some("rain"),
        &norms,
        &ctx_on("2019-12-02", 11),
    )
    .unwrap();
    b.session_not_held(
        1,
        "S-01",
        date("2019-12-02"),
        NotHeldReason::AnmAbsent,
        None,
        &norms,
        &ctx_on("2019-12-02", 12),
    )
    .unwrap();
    b.reschedule_session(1, "S-02", date("2019-12-02"), date("2019-12-06"), &norms, &ctx_on("2019-12-02", 12)).unwrap();
    a.update_site("S-02", vec![SiteField::TravelMinutes(Some(45))], &ctx_on("2019-12-02", 13)).unwrap();
    let n = base.len();
    let from_a = a.events().unwrap().into_iter().skip(n).collect();
    let from_b = b.events().unwrap().into_iter().skip(n).collect();
    (base, from_a, from_b)
}

#[test]
fn two_devices_planning_apart_converge_on_one_plan() {
    let (base, from_a, from_b) = two_devices();
    let mut ab = Store::open_in_memory().unwrap();
    ab.ingest(&[base.clone(), from_a.clone(), from_b.clone()].concat(), Utc::now()).unwrap();
    let mut ba = Store::open_in_memory().unwrap();
    ba.ingest(&[base, from_b, from_a].concat(), Utc::now()).unwrap();
    assert_eq!(state(&ab), state(&ba));
    let r = ab.round(1).unwrap();
    assert_eq!(ab.rounds().unwrap().len(), 1, "round 1 defined twice is one round");
    assert_eq!(ab.sites().unwrap().len(), 2, "S-01 registered twice is one site");
    assert_eq!(ab.site("S-01").unwrap().name, "Rampur Anganwadi", "the later registration wins the name");
    assert_eq!(ab.site("S-02").unwrap().travel_minutes, Some(45));
    assert_eq!(r.ri_days.iter().map(|d| d.as_str()).collect::<Vec<_>>(), ["wed"], "B's later definition wins");
    assert_eq!(iso(&r.holidays), ["2019-12-03", "2019-12-05", "2019-12-09"]);
    let plan = ab.round_plan(1, &SessionNorms::default()).unwrap();
    let s1 = plan.sessions.iter().find(|x| x.site_id == "S-01").unwrap();
    assert_eq!(s1.not_held, Some(NotHeldReason::AnmAbsent), "the later not-held wins");
    assert_eq!(s1.note, None);
    let s2 = plan.sessions.iter().find(|x| x.site_id == "S-02").unwrap();
    assert_eq!(teeka_domain::iso(s2.day), "2019-12-06");
}

/// Merges two event streams keeping each one's order (as sync delivers them), choosing by `bits`.
fn interleave(a: &[Event], b: &[Event], mut bits: u64) -> Vec<Event> {
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(a.len() + b.len()));
    while i < a.len() || j < b.len() {
        let take_a = j >= b.len() || (i < a.len() && bits & 1 == 1);
        bits = bits.rotate_right(1) ^ (bits >> 7);
        if take_a {
            out.push(a[i].clone());
            i += 1;
        } else {
            out.push(b[j].clone());
            j += 1;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Whatever the interleaving of the two devices' events (each device's own in its order, as
    /// sync delivers them), and in several batches with one repeated, every replica holds the
    /// same sites, rounds and plan.
    #[test]
    fn sites_rounds_and_session_changes_converge_in_any_order(bits in any::<u64>(), split in 0usize..20) {
        let (base, from_a, from_b) = two_devices();
        let mut reference = Store::open_in_memory().unwrap();
        reference.ingest(&[base.clone(), from_a.clone(), from_b.clone()].concat(), Utc::now()).unwrap();
        let mixed = interleave(&from_a, &from_b, bits);
        let mut replica = Store::open_in_memory().unwrap();
        replica.ingest(&base, Utc::now()).unwrap();
        let (first, second) = mixed.split_at(split.min(mixed.len()));
        replica.ingest(first, Utc::now()).unwrap();
        replica.ingest(second, Utc::now()).unwrap();
        replica.ingest(first, Utc::now()).unwrap();
        prop_assert_eq!(state(&reference), state(&replica));
    }
}
