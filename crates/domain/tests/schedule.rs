#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The schedule engine against the reference (`/work/shared/docs/domain-reference.md` §1–2) and
//! `docs/schedule.md`.
//!
//! Every date below is written out by hand, not computed with the engine's own arithmetic, so
//! that a slip in `Age::after` or in the table shows up here. The default child is born on
//! 2025-03-15 (6/10/14 weeks: 2025-04-26, 2025-05-24, 2025-06-21; 9 months: 2025-12-15; 1 year:
//! 2026-03-15; 16 months: 2026-07-15; 5 years: 2030-03-15; 7 years: 2032-03-15); the default
//! pregnant woman's LMP is 2025-01-10 (12 weeks: 2025-04-04; EDD: 2025-10-17).
//!
//! The second half of the file holds property tests over random valid histories.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Days;
use proptest::prelude::*;
use teeka_domain::codes::{DoseCode as C, Kind};
use teeka_domain::dates::{parse_date, Age, Date};
use teeka_domain::schedule::{
    classify, evaluate, fully_immunized, rule_of, After, Classification, DoseState, DoseStatus, Given,
    ScheduleSettings, Subject, SCHEDULE,
};

use DoseStatus::{Due as D, Expired as E, Given as G, NotApplicable as NA, Overdue as O, Upcoming as U};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn d(s: &str) -> Date {
    parse_date(s).unwrap_or_else(|e| panic!("bad date in a test table: {e}"))
}

/// Whom a row evaluates.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// A child born on this date, in a village that is not JE-endemic.
    Child(&'static str),
    /// A child born on this date, in a JE-endemic village.
    JeChild(&'static str),
    /// A pregnant woman with this LMP.
    Woman(&'static str),
}

impl Who {
    fn subject(self) -> Subject {
        match self {
            Who::Child(dob) => Subject { kind: Kind::Child, anchor: d(dob), je_endemic: false },
            Who::JeChild(dob) => Subject { kind: Kind::Child, anchor: d(dob), je_endemic: true },
            Who::Woman(lmp) => Subject { kind: Kind::PregnantWoman, anchor: d(lmp), je_endemic: false },
        }
    }
}

type History = &'static [(C, &'static str)];

fn history(h: &[(C, &str)]) -> Vec<Given> {
    h.iter().map(|(code, date)| Given { code: *code, date: d(date) }).collect()
}

fn state_in(states: &[DoseState], code: C) -> DoseState {
    *states.iter().find(|s| s.code == code).unwrap_or_else(|| panic!("{code} not evaluated"))
}

fn state(who: Who, h: &[(C, &str)], on: Date, code: C, settings: &ScheduleSettings) -> DoseState {
    state_in(&evaluate(&who.subject(), &history(h), on, settings), code)
}

/// Checks one status (and due date, if expected) and describes a mismatch.
fn check(what: &str, got: DoseState, want: DoseStatus, due_on: Option<&str>) -> Option<String> {
    let due_ok = match (want, due_on) {
        (NA, _) => got.due_on.is_none(),
        (_, Some(x)) => got.due_on == Some(d(x)),
        (_, None) => true,
    };
    (got.status != want || !due_ok).then(|| {
        format!(
            "{what}: got {} (due_on {:?}), want {} (due_on {})",
            got.status.as_str(),
            got.due_on,
            want.as_str(),
            if want == NA { "none" } else { due_on.unwrap_or("not checked") }
        )
    })
}

fn assert_no_failures(failures: &[String]) {
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// 1. Boundaries: the day before, the day of and the day after every boundary of every dose.
// ---------------------------------------------------------------------------------------------

/// Which boundary of a dose a row tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// The eligible date: max(anchor + earliest, previous dose + minimum interval).
    Eligible,
    /// The due date + 28 days (the default grace).
    Overdue,
    /// anchor + expiry age: from that day on the dose is no longer given.
    Expiry,
}
use Edge::{Eligible, Expiry, Overdue};

/// One boundary of one dose: the statuses on the day before, the day of and the day after
/// `date`, and the due date every non-`not_applicable` status reports (`None`: not checked here,
/// see the scenarios).
struct Boundary {
    what: &'static str,
    code: C,
    edge: Edge,
    who: Who,
    history: History,
    date: &'static str,
    statuses: [DoseStatus; 3],
    due_on: Option<&'static str>,
}

#[allow(clippy::too_many_arguments)]
const fn b(
    what: &'static str,
    code: C,
    edge: Edge,
    who: Who,
    history: History,
    date: &'static str,
    statuses: [DoseStatus; 3],
    due_on: Option<&'static str>,
) -> Boundary {
    Boundary { what, code, edge, who, history, date, statuses, due_on }
}

const KID: Who = Who::Child("2025-03-15");
const JE_KID: Who = Who::JeChild("2025-03-15");
const WOMAN: Who = Who::Woman("2025-01-10");

const NONE: History = &[];
const OPV_1: History = &[(C::Opv1, "2025-04-26")];
const OPV_12: History = &[(C::Opv1, "2025-04-26"), (C::Opv2, "2025-05-24")];
const OPV_123: History = &[(C::Opv1, "2025-04-26"), (C::Opv2, "2025-05-24"), (C::Opv3, "2025-06-21")];
const PENTA_1: History = &[(C::Penta1, "2025-04-26")];
const PENTA_12: History = &[(C::Penta1, "2025-04-26"), (C::Penta2, "2025-05-24")];
const PENTA_123: History = &[(C::Penta1, "2025-04-26"), (C::Penta2, "2025-05-24"), (C::Penta3, "2025-06-21")];
const PENTA_123_B1: History =
    &[(C::Penta1, "2025-04-26"), (C::Penta2, "2025-05-24"), (C::Penta3, "2025-06-21"), (C::Dptb1, "2026-07-15")];
const RVV_1: History = &[(C::Rvv1, "2025-04-26")];
const RVV_12: History = &[(C::Rvv1, "2025-04-26"), (C::Rvv2, "2025-05-24")];
const FIPV_1: History = &[(C::Fipv1, "2025-04-26")];
const FIPV_12: History = &[(C::Fipv1, "2025-04-26"), (C::Fipv2, "2025-06-21")];
const PCV_1: History = &[(C::Pcv1, "2025-04-26")];
const PCV_12: History = &[(C::Pcv1, "2025-04-26"), (C::Pcv2, "2025-06-21")];
const MR_1: History = &[(C::Mr1, "2025-12-15")];
const JE_1: History = &[(C::Je1, "2025-12-15")];
const DPT_1: History = &[(C::Dpt1, "2026-03-15")];
const DPT_12: History = &[(C::Dpt1, "2026-03-15"), (C::Dpt2, "2026-04-12")];
/// Vitamin A on schedule: 9 months, 16 months, then every 6 months.
const VITA: &[(C, &str)] = &[
    (C::Vita1, "2025-12-15"),
    (C::Vita2, "2026-07-15"),
    (C::Vita3, "2027-01-15"),
    (C::Vita4, "2027-07-15"),
    (C::Vita5, "2028-01-15"),
    (C::Vita6, "2028-07-15"),
    (C::Vita7, "2029-01-15"),
    (C::Vita8, "2029-07-15"),
];
const fn vita_before(n: usize) -> History {
    VITA.split_at(n - 1).0
}
const TD_1: History = &[(C::Td1, "2025-01-10")];

#[rustfmt::skip]
const BOUNDARIES: &[Boundary] = &[
    // At birth.
    b("BCG from birth",                          C::Bcg,    Eligible, KID, NONE, "2025-03-15", [U, D, D],   Some("2025-03-15")),
    b("BCG overdue 28 days after birth",         C::Bcg,    Overdue,  KID, NONE, "2025-04-12", [D, O, O],   Some("2025-03-15")),
    b("BCG expires on the 1st birthday",         C::Bcg,    Expiry,   KID, NONE, "2026-03-15", [O, E, E],   Some("2025-03-15")),
    b("HEPB0 from birth",                        C::Hepb0,  Eligible, KID, NONE, "2025-03-15", [U, D, D],   Some("2025-03-15")),
    b("HEPB0 expires after the day after birth", C::Hepb0,  Expiry,   KID, NONE, "2025-03-17", [D, E, E],   Some("2025-03-15")),
    b("OPV0 from birth",                         C::Opv0,   Eligible, KID, NONE, "2025-03-15", [U, D, D],   Some("2025-03-15")),
    b("OPV0 last valid day dob+15",              C::Opv0,   Expiry,   KID, NONE, "2025-03-31", [D, E, E],   Some("2025-03-15")),
    // OPV 6/10/14 weeks, 4 weeks apart, to 5 years.
    b("OPV1 at 6 weeks",                         C::Opv1,   Eligible, KID, NONE,    "2025-04-26", [U, D, D], Some("2025-04-26")),
    b("OPV1 overdue at 6 weeks + 28 days",       C::Opv1,   Overdue,  KID, NONE,    "2025-05-24", [D, O, O], Some("2025-04-26")),
    b("OPV1 expires at 5 years",                 C::Opv1,   Expiry,   KID, NONE,    "2030-03-15", [O, E, E], Some("2025-04-26")),
    b("OPV2 at 10 weeks",                        C::Opv2,   Eligible, KID, OPV_1,   "2025-05-24", [U, D, D], Some("2025-05-24")),
    b("OPV2 overdue",                            C::Opv2,   Overdue,  KID, OPV_1,   "2025-06-21", [D, O, O], Some("2025-05-24")),
    b("OPV2 expires at 5 years",                 C::Opv2,   Expiry,   KID, OPV_1,   "2030-03-15", [O, E, E], Some("2025-05-24")),
    b("OPV3 at 14 weeks",                        C::Opv3,   Eligible, KID, OPV_12,  "2025-06-21", [U, D, D], Some("2025-06-21")),
    b("OPV3 overdue",                            C::Opv3,   Overdue,  KID, OPV_12,  "2025-07-19", [D, O, O], Some("2025-06-21")),
    b("OPV3 expires at 5 years",                 C::Opv3,   Expiry,   KID, OPV_12,  "2030-03-15", [O, E, E], Some("2025-06-21")),
    // Penta: PENTA1 until 1 year, PENTA2/3 until 7 years.
    b("PENTA1 at 6 weeks",                       C::Penta1, Eligible, KID, NONE,     "2025-04-26", [U, D, D], Some("2025-04-26")),
    b("PENTA1 overdue",                          C::Penta1, Overdue,  KID, NONE,     "2025-05-24", [D, O, O], Some("2025-04-26")),
    b("PENTA1 expires at 1 year",                C::Penta1, Expiry,   KID, NONE,     "2026-03-15", [O, E, E], Some("2025-04-26")),
    b("PENTA2 at 10 weeks",                      C::Penta2, Eligible, KID, PENTA_1,  "2025-05-24", [U, D, D], Some("2025-05-24")),
    b("PENTA2 overdue",                          C::Penta2, Overdue,  KID, PENTA_1,  "2025-06-21", [D, O, O], Some("2025-05-24")),
    b("PENTA2 expires at 7 years",               C::Penta2, Expiry,   KID, PENTA_1,  "2032-03-15", [O, E, E], Some("2025-05-24")),
    b("PENTA3 at 14 weeks",                      C::Penta3, Eligible, KID, PENTA_12, "2025-06-21", [U, D, D], Some("2025-06-21")),
    b("PENTA3 overdue",                          C::Penta3, Overdue,  KID, PENTA_12, "2025-07-19", [D, O, O], Some("2025-06-21")),
    b("PENTA3 expires at 7 years",               C::Penta3, Expiry,   KID, PENTA_12, "2032-03-15", [O, E, E], Some("2025-06-21")),
    // Rotavirus: RVV1 until 1 year, RVV2/3 until 5 years.
    b("RVV1 at 6 weeks",                         C::Rvv1,   Eligible, KID, NONE,   "2025-04-26", [U, D, D], Some("2025-04-26")),
    b("RVV1 overdue",                            C::Rvv1,   Overdue,  KID, NONE,   "2025-05-24", [D, O, O], Some("2025-04-26")),
    b("RVV1 expires at 1 year",                  C::Rvv1,   Expiry,   KID, NONE,   "2026-03-15", [O, E, E], Some("2025-04-26")),
    b("RVV2 at 10 weeks",                        C::Rvv2,   Eligible, KID, RVV_1,  "2025-05-24", [U, D, D], Some("2025-05-24")),
    b("RVV2 overdue",                            C::Rvv2,   Overdue,  KID, RVV_1,  "2025-06-21", [D, O, O], Some("2025-05-24")),
    b("RVV2 expires at 5 years",                 C::Rvv2,   Expiry,   KID, RVV_1,  "2030-03-15", [O, E, E], Some("2025-05-24")),
    b("RVV3 at 14 weeks",                        C::Rvv3,   Eligible, KID, RVV_12, "2025-06-21", [U, D, D], Some("2025-06-21")),
    b("RVV3 overdue",                            C::Rvv3,   Overdue,  KID, RVV_12, "2025-07-19", [D, O, O], Some("2025-06-21")),
    b("RVV3 expires at 5 years",                 C::Rvv3,   Expiry,   KID, RVV_12, "2030-03-15", [O, E, E], Some("2025-06-21")),
    // fIPV: 6 weeks, 14 weeks (8 weeks after fIPV1), 9 months.
    b("FIPV1 at 6 weeks",                        C::Fipv1,  Eligible, KID, NONE,    "2025-04-26", [U, D, D], Some("2025-04-26")),
    b("FIPV1 overdue",                           C::Fipv1,  Overdue,  KID, NONE,    "2025-05-24", [D, O, O], Some("2025-04-26")),
    b("FIPV1 expires at 1 year",                 C::Fipv1,  Expiry,   KID, NONE,    "2026-03-15", [O, E, E], Some("2025-04-26")),
    b("FIPV2 at 14 weeks",                       C::Fipv2,  Eligible, KID, FIPV_1,  "2025-06-21", [U, D, D], Some("2025-06-21")),
    b("FIPV2 overdue",                           C::Fipv2,  Overdue,  KID, FIPV_1,  "2025-07-19", [D, O, O], Some("2025-06-21")),
    b("FIPV2 expires at 5 years",                C::Fipv2,  Expiry,   KID, FIPV_1,  "2030-03-15", [O, E, E], Some("2025-06-21")),
    b("FIPV3 at 9 months",                       C::Fipv3,  Eligible, KID, FIPV_12, "2025-12-15", [U, D, D], Some("2025-12-15")),
    b("FIPV3 overdue",                           C::Fipv3,  Overdue,  KID, FIPV_12, "2026-01-12", [D, O, O], Some("2025-12-15")),
    b("FIPV3 expires at 5 years",                C::Fipv3,  Expiry,   KID, FIPV_12, "2030-03-15", [O, E, E], Some("2025-12-15")),
    // PCV 2p+1: 6 weeks, 14 weeks, 9 months.
    b("PCV1 at 6 weeks",                         C::Pcv1,   Eligible, KID, NONE,   "2025-04-26", [U, D, D], Some("2025-04-26")),
    b("PCV1 overdue",                            C::Pcv1,   Overdue,  KID, NONE,   "2025-05-24", [D, O, O], Some("2025-04-26")),
    b("PCV1 expires at 1 year",                  C::Pcv1,   Expiry,   KID, NONE,   "2026-03-15", [O, E, E], Some("2025-04-26")),
    b("PCV2 at 14 weeks",                        C::Pcv2,   Eligible, KID, PCV_1,  "2025-06-21", [U, D, D], Some("2025-06-21")),
    b("PCV2 overdue",                            C::Pcv2,   Overdue,  KID, PCV_1,  "2025-07-19", [D, O, O], Some("2025-06-21")),
    b("PCV2 expires at 5 years",                 C::Pcv2,   Expiry,   KID, PCV_1,  "2030-03-15", [O, E, E], Some("2025-06-21")),
    b("PCVB at 9 months",                        C::Pcvb,   Eligible, KID, PCV_12, "2025-12-15", [U, D, D], Some("2025-12-15")),
    b("PCVB overdue",                            C::Pcvb,   Overdue,  KID, PCV_12, "2026-01-12", [D, O, O], Some("2025-12-15")),
    b("PCVB expires at 5 years",                 C::Pcvb,   Expiry,   KID, PCV_12, "2030-03-15", [O, E, E], Some("2025-12-15")),
    // MR and JE.
    b("MR1 at 9 completed months",               C::Mr1,    Eligible, KID,    NONE, "2025-12-15", [U, D, D], Some("2025-12-15")),
    b("MR1 overdue",                             C::Mr1,    Overdue,  KID,    NONE, "2026-01-12", [D, O, O], Some("2025-12-15")),
    b("MR1 expires at 5 years",                  C::Mr1,    Expiry,   KID,    NONE, "2030-03-15", [O, E, E], Some("2025-12-15")),
    b("MR2 at 16 months",                        C::Mr2,    Eligible, KID,    MR_1, "2026-07-15", [U, D, D], Some("2026-07-15")),
    b("MR2 overdue",                             C::Mr2,    Overdue,  KID,    MR_1, "2026-08-12", [D, O, O], Some("2026-07-15")),
    b("MR2 expires at 5 years",                  C::Mr2,    Expiry,   KID,    MR_1, "2030-03-15", [O, E, E], Some("2026-07-15")),
    b("JE1 at 9 months (endemic)",               C::Je1,    Eligible, JE_KID, NONE, "2025-12-15", [U, D, D], Some("2025-12-15")),
    b("JE1 overdue (endemic)",                   C::Je1,    Overdue,  JE_KID, NONE, "2026-01-12", [D, O, O], Some("2025-12-15")),
    b("JE1 expires at 15 years (endemic)",       C::Je1,    Expiry,   JE_KID, NONE, "2040-03-15", [O, E, E], Some("2025-12-15")),
    b("JE2 at 16 months (endemic)",              C::Je2,    Eligible, JE_KID, JE_1, "2026-07-15", [U, D, D], Some("2026-07-15")),
    b("JE2 overdue (endemic)",                   C::Je2,    Overdue,  JE_KID, JE_1, "2026-08-12", [D, O, O], Some("2026-07-15")),
    b("JE2 expires at 15 years (endemic)",       C::Je2,    Expiry,   JE_KID, JE_1, "2040-03-15", [O, E, E], Some("2026-07-15")),
    // DPT catch-up for a child past 1 year who never had Penta.
    b("DPT1 from the 1st birthday, no Penta",    C::Dpt1,   Eligible, KID, NONE,   "2026-03-15", [NA, D, D], Some("2026-03-15")),
    b("DPT1 overdue",                            C::Dpt1,   Overdue,  KID, NONE,   "2026-04-12", [D, O, O],  Some("2026-03-15")),
    b("DPT1 expires at 7 years",                 C::Dpt1,   Expiry,   KID, NONE,   "2032-03-15", [O, E, E],  Some("2026-03-15")),
    b("DPT2 4 weeks after DPT1",                 C::Dpt2,   Eligible, KID, DPT_1,  "2026-04-12", [U, D, D],  Some("2026-04-12")),
    b("DPT2 overdue",                            C::Dpt2,   Overdue,  KID, DPT_1,  "2026-05-10", [D, O, O],  Some("2026-04-12")),
    b("DPT2 expires at 7 years",                 C::Dpt2,   Expiry,   KID, DPT_1,  "2032-03-15", [O, E, E],  Some("2026-04-12")),
    b("DPT3 4 weeks after DPT2",                 C::Dpt3,   Eligible, KID, DPT_12, "2026-05-10", [U, D, D],  Some("2026-05-10")),
    b("DPT3 overdue",                            C::Dpt3,   Overdue,  KID, DPT_12, "2026-06-07", [D, O, O],  Some("2026-05-10")),
    b("DPT3 expires at 7 years",                 C::Dpt3,   Expiry,   KID, DPT_12, "2032-03-15", [O, E, E],  Some("2026-05-10")),
    // Boosters.
    b("DPTB1 at 16 months",                      C::Dptb1,  Eligible, KID, PENTA_123,    "2026-07-15", [U, D, D], Some("2026-07-15")),
    b("DPTB1 overdue",                           C::Dptb1,  Overdue,  KID, PENTA_123,    "2026-08-12", [D, O, O], Some("2026-07-15")),
    b("DPTB1 expires at 7 years",                C::Dptb1,  Expiry,   KID, PENTA_123,    "2032-03-15", [O, E, E], Some("2026-07-15")),
    b("DPTB2 at 5 years",                        C::Dptb2,  Eligible, KID, PENTA_123_B1, "2030-03-15", [U, D, D], Some("2030-03-15")),
    b("DPTB2 overdue",                           C::Dptb2,  Overdue,  KID, PENTA_123_B1, "2030-04-12", [D, O, O], Some("2030-03-15")),
    b("DPTB2 expires at 7 years",                C::Dptb2,  Expiry,   KID, PENTA_123_B1, "2032-03-15", [O, E, E], Some("2030-03-15")),
    b("OPVB at 16 months",                       C::Opvb,   Eligible, KID, OPV_123,      "2026-07-15", [U, D, D], Some("2026-07-15")),
    b("OPVB overdue",                            C::Opvb,   Overdue,  KID, OPV_123,      "2026-08-12", [D, O, O], Some("2026-07-15")),
    b("OPVB expires at 5 years",                 C::Opvb,   Expiry,   KID, OPV_123,      "2030-03-15", [O, E, E], Some("2026-07-15")),
    // Vitamin A: 9 months, 16 months, then every 6 months to 5 years.
    b("VITA1 at 9 months",                       C::Vita1,  Eligible, KID, vita_before(1), "2025-12-15", [U, D, D], Some("2025-12-15")),
    b("VITA1 overdue",                           C::Vita1,  Overdue,  KID, vita_before(1), "2026-01-12", [D, O, O], Some("2025-12-15")),
    b("VITA1 expires at 5 years",                C::Vita1,  Expiry,   KID, vita_before(1), "2030-03-15", [O, E, E], Some("2025-12-15")),
    b("VITA2 at 16 months",                      C::Vita2,  Eligible, KID, vita_before(2), "2026-07-15", [U, D, D], Some("2026-07-15")),
    b("VITA2 overdue",                           C::Vita2,  Overdue,  KID, vita_before(2), "2026-08-12", [D, O, O], Some("2026-07-15")),
    b("VITA2 expires at 5 years",                C::Vita2,  Expiry,   KID, vita_before(2), "2030-03-15", [O, E, E], Some("2026-07-15")),
    b("VITA3 at 22 months",                      C::Vita3,  Eligible, KID, vita_before(3), "2027-01-15", [U, D, D], Some("2027-01-15")),
    b("VITA3 overdue",                           C::Vita3,  Overdue,  KID, vita_before(3), "2027-02-12", [D, O, O], Some("2027-01-15")),
    b("VITA3 expires at 5 years",                C::Vita3,  Expiry,   KID, vita_before(3), "2030-03-15", [O, E, E], Some("2027-01-15")),
    b("VITA4 at 28 months",                      C::Vita4,  Eligible, KID, vita_before(4), "2027-07-15", [U, D, D], Some("2027-07-15")),
    b("VITA4 overdue",                           C::Vita4,  Overdue,  KID, vita_before(4), "2027-08-12", [D, O, O], Some("2027-07-15")),
    b("VITA4 expires at 5 years",                C::Vita4,  Expiry,   KID, vita_before(4), "2030-03-15", [O, E, E], Some("2027-07-15")),
    b("VITA5 at 34 months",                      C::Vita5,  Eligible, KID, vita_before(5), "2028-01-15", [U, D, D], Some("2028-01-15")),
    b("VITA5 overdue",                           C::Vita5,  Overdue,  KID, vita_before(5), "2028-02-12", [D, O, O], Some("2028-01-15")),
    b("VITA5 expires at 5 years",                C::Vita5,  Expiry,   KID, vita_before(5), "2030-03-15", [O, E, E], Some("2028-01-15")),
    b("VITA6 at 40 months",                      C::Vita6,  Eligible, KID, vita_before(6), "2028-07-15", [U, D, D], Some("2028-07-15")),
    b("VITA6 overdue",                           C::Vita6,  Overdue,  KID, vita_before(6), "2028-08-12", [D, O, O], Some("2028-07-15")),
    b("VITA6 expires at 5 years",                C::Vita6,  Expiry,   KID, vita_before(6), "2030-03-15", [O, E, E], Some("2028-07-15")),
    b("VITA7 at 46 months",                      C::Vita7,  Eligible, KID, vita_before(7), "2029-01-15", [U, D, D], Some("2029-01-15")),
    b("VITA7 overdue",                           C::Vita7,  Overdue,  KID, vita_before(7), "2029-02-12", [D, O, O], Some("2029-01-15")),
    b("VITA7 expires at 5 years",                C::Vita7,  Expiry,   KID, vita_before(7), "2030-03-15", [O, E, E], Some("2029-01-15")),
    b("VITA8 at 52 months",                      C::Vita8,  Eligible, KID, vita_before(8), "2029-07-15", [U, D, D], Some("2029-07-15")),
    b("VITA8 overdue",                           C::Vita8,  Overdue,  KID, vita_before(8), "2029-08-12", [D, O, O], Some("2029-07-15")),
    b("VITA8 expires at 5 years",                C::Vita8,  Expiry,   KID, vita_before(8), "2030-03-15", [O, E, E], Some("2029-07-15")),
    b("VITA9 at 58 months",                      C::Vita9,  Eligible, KID, vita_before(9), "2030-01-15", [U, D, D], Some("2030-01-15")),
    b("VITA9 overdue",                           C::Vita9,  Overdue,  KID, vita_before(9), "2030-02-12", [D, O, O], Some("2030-01-15")),
    b("VITA9 expires at 5 years",                C::Vita9,  Expiry,   KID, vita_before(9), "2030-03-15", [O, E, E], Some("2030-01-15")),
    // Td at 10 and 16 years.
    b("TD10 at 10 years",                        C::Td10,   Eligible, KID, NONE, "2035-03-15", [U, D, D], Some("2035-03-15")),
    b("TD10 overdue",                            C::Td10,   Overdue,  KID, NONE, "2035-04-12", [D, O, O], Some("2035-03-15")),
    b("TD10 expires at 16 years",                C::Td10,   Expiry,   KID, NONE, "2041-03-15", [O, E, E], Some("2035-03-15")),
    b("TD16 at 16 years",                        C::Td16,   Eligible, KID, NONE, "2041-03-15", [U, D, D], Some("2041-03-15")),
    b("TD16 overdue",                            C::Td16,   Overdue,  KID, NONE, "2041-04-12", [D, O, O], Some("2041-03-15")),
    b("TD16 expires at 18 years",                C::Td16,   Expiry,   KID, NONE, "2043-03-15", [O, E, E], Some("2041-03-15")),
    // Pregnant women, from the LMP (due LMP + 12 weeks = 2025-04-04; EDD 2025-10-17).
    b("TD1 from the LMP",                        C::Td1,    Eligible, WOMAN, NONE, "2025-01-10", [U, D, D], None),
    b("TD1 overdue at LMP + 12 weeks + 28 days", C::Td1,    Overdue,  WOMAN, NONE, "2025-05-02", [D, O, O], Some("2025-04-04")),
    b("TD1 expires at LMP + 281 days",           C::Td1,    Expiry,   WOMAN, NONE, "2025-10-18", [O, E, E], Some("2025-04-04")),
    b("TD2 4 weeks after TD1",                   C::Td2,    Eligible, WOMAN, TD_1, "2025-02-07", [U, D, D], None),
    b("TD2 overdue at LMP + 12 weeks + 28 days", C::Td2,    Overdue,  WOMAN, TD_1, "2025-05-02", [D, O, O], Some("2025-04-04")),
    b("TD2 expires at LMP + 281 days",           C::Td2,    Expiry,   WOMAN, TD_1, "2025-10-18", [O, E, E], Some("2025-04-04")),
    b("TDB never due by itself (LMP)",           C::Tdb,    Eligible, WOMAN, NONE, "2025-01-10", [NA, NA, NA], None),
    b("TDB never overdue",                       C::Tdb,    Overdue,  WOMAN, NONE, "2025-05-02", [NA, NA, NA], None),
    b("TDB never expires",                       C::Tdb,    Expiry,   WOMAN, NONE, "2025-10-18", [NA, NA, NA], None),
];

#[test]
fn every_dose_has_every_applicable_boundary_tested() {
    let reference = d("2025-03-15");
    for rule in SCHEDULE.iter() {
        let edges: Vec<Edge> = BOUNDARIES.iter().filter(|r| r.code == rule.code).map(|r| r.edge).collect();
        assert!(edges.contains(&Eligible), "{}: no eligible-date row", rule.code);
        let expiry = rule.expires.map(|e| e.after(reference).unwrap());
        if expiry.is_some() {
            assert!(edges.contains(&Expiry), "{}: no expiry row", rule.code);
        }
        let overdue = rule.due.after(reference).unwrap() + Days::new(28);
        if !matches!(expiry, Some(e) if overdue >= e) {
            assert!(edges.contains(&Overdue), "{}: no overdue row", rule.code);
        }
    }
}

#[test]
fn boundaries_day_before_day_of_day_after() {
    let settings = ScheduleSettings::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in BOUNDARIES {
        let day = d(row.date);
        let days = [(day.pred_opt().unwrap(), "day before"), (day, "day of"), (day.succ_opt().unwrap(), "day after")];
        for ((on, label), want) in days.into_iter().zip(row.statuses) {
            let got = state(row.who, row.history, on, row.code, &settings);
            let what = format!("{} [{} {:?} {}, {label} = {on}]", row.what, row.code, row.edge, row.date);
            failures.extend(check(&what, got, want, row.due_on));
            checked += 1;
        }
    }
    assert_no_failures(&failures);
    assert_eq!(checked, 3 * BOUNDARIES.len());
}

// ---------------------------------------------------------------------------------------------
// 2. Scenarios: (description, subject, history, on, code, expected status, expected due_on).
// ---------------------------------------------------------------------------------------------

struct Case {
    what: &'static str,
    who: Who,
    history: History,
    on: &'static str,
    code: C,
    want: DoseStatus,
    due_on: Option<&'static str>,
}

const fn c(
    what: &'static str,
    who: Who,
    history: History,
    on: &'static str,
    code: C,
    want: DoseStatus,
    due_on: Option<&'static str>,
) -> Case {
    Case { what, who, history, on, code, want, due_on }
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // A given dose is always given, with its date.
    c("BCG given after its expiry stays given", KID, &[(C::Bcg, "2026-04-01")], "2026-05-01", C::Bcg, G, Some("2026-04-01")),
    c("HEPB0 given late (recorded) is given", KID, &[(C::Hepb0, "2025-03-20")], "2025-03-21", C::Hepb0, G, Some("2025-03-20")),
    c("JE1 given in a non-endemic village is given", KID, &[(C::Je1, "2025-12-15")], "2026-01-01", C::Je1, G, Some("2025-12-15")),
    c("the earlier of two records of a dose counts", KID, &[(C::Penta1, "2025-05-01"), (C::Penta1, "2025-04-26")], "2025-05-24", C::Penta1, G, Some("2025-04-26")),
    c("... and the next dose follows it", KID, &[(C::Penta1, "2025-05-01"), (C::Penta1, "2025-04-26")], "2025-05-24", C::Penta2, D, Some("2025-05-24")),
    // Doses dated after `on` are ignored.
    c("PENTA1 given tomorrow is still due today", KID, &[(C::Penta1, "2025-05-01")], "2025-04-30", C::Penta1, D, Some("2025-04-26")),
    c("PENTA1 given today is given", KID, &[(C::Penta1, "2025-05-01")], "2025-05-01", C::Penta1, G, Some("2025-05-01")),
    c("PENTA2 waits while PENTA1's record is in the future", KID, &[(C::Penta1, "2025-05-01")], "2025-04-30", C::Penta2, U, Some("2025-05-28")),
    // Birth doses.
    c("HEPB0 on the day after birth is still due", KID, NONE, "2025-03-16", C::Hepb0, D, Some("2025-03-15")),
    c("HEPB0 never becomes overdue: expired first", KID, NONE, "2025-04-12", C::Hepb0, E, Some("2025-03-15")),
    c("OPV0 on dob+15 is due, not overdue", KID, NONE, "2025-03-30", C::Opv0, D, Some("2025-03-15")),
    c("BCG for a child born on 29 Feb expires on 28 Feb", Who::Child("2024-02-29"), NONE, "2025-02-28", C::Bcg, E, Some("2024-02-29")),
    c("... and is still overdue on 27 Feb", Who::Child("2024-02-29"), NONE, "2025-02-27", C::Bcg, O, Some("2024-02-29")),
    // Minimum intervals after a late previous dose.
    c("PENTA1 at 10 weeks: PENTA2 not before 14 weeks", KID, &[(C::Penta1, "2025-05-24")], "2025-06-20", C::Penta2, U, Some("2025-06-21")),
    c("PENTA1 at 10 weeks: PENTA2 due at 14 weeks", KID, &[(C::Penta1, "2025-05-24")], "2025-06-21", C::Penta2, D, Some("2025-06-21")),
    c("PENTA1 at 10 weeks: PENTA2 due on 14 weeks + 27 days", KID, &[(C::Penta1, "2025-05-24")], "2025-07-18", C::Penta2, D, Some("2025-06-21")),
    c("PENTA1 at 10 weeks: PENTA2 overdue 28 days after its due date", KID, &[(C::Penta1, "2025-05-24")], "2025-07-19", C::Penta2, O, Some("2025-06-21")),
    c("PENTA3 waits for PENTA2, projected 4 weeks after today", KID, &[(C::Penta1, "2025-05-24")], "2025-06-21", C::Penta3, U, Some("2025-07-19")),
    c("OPV1 at 10 weeks: OPV2 not before 14 weeks", KID, &[(C::Opv1, "2025-05-24")], "2025-06-20", C::Opv2, U, Some("2025-06-21")),
    c("OPV1 at 10 weeks: OPV2 due at 14 weeks", KID, &[(C::Opv1, "2025-05-24")], "2025-06-21", C::Opv2, D, Some("2025-06-21")),
    c("RVV1 at 10 weeks: RVV2 not before 14 weeks", KID, &[(C::Rvv1, "2025-05-24")], "2025-06-20", C::Rvv2, U, Some("2025-06-21")),
    c("RVV1 at 10 weeks: RVV2 due at 14 weeks", KID, &[(C::Rvv1, "2025-05-24")], "2025-06-21", C::Rvv2, D, Some("2025-06-21")),
    c("PCV1 at 10 weeks: PCV2 not before 18 weeks (8 weeks)", KID, &[(C::Pcv1, "2025-05-24")], "2025-07-18", C::Pcv2, U, Some("2025-07-19")),
    c("PCV1 at 10 weeks: PCV2 due at 18 weeks", KID, &[(C::Pcv1, "2025-05-24")], "2025-07-19", C::Pcv2, D, Some("2025-07-19")),
    c("PCV2 late: PCVB not before 8 weeks after it", KID, &[(C::Pcv1, "2025-04-26"), (C::Pcv2, "2025-11-01")], "2025-12-26", C::Pcvb, U, Some("2025-12-27")),
    c("PCV2 late: PCVB due 8 weeks after it", KID, &[(C::Pcv1, "2025-04-26"), (C::Pcv2, "2025-11-01")], "2025-12-27", C::Pcvb, D, Some("2025-12-27")),
    c("FIPV1 at 10 weeks: FIPV2 not before 18 weeks", KID, &[(C::Fipv1, "2025-05-24")], "2025-07-18", C::Fipv2, U, Some("2025-07-19")),
    c("FIPV1 at 10 weeks: FIPV2 due at 18 weeks", KID, &[(C::Fipv1, "2025-05-24")], "2025-07-19", C::Fipv2, D, Some("2025-07-19")),
    c("a first dose overdue: the second waits, projected from today", KID, NONE, "2025-06-01", C::Opv2, U, Some("2025-06-29")),
    // Penta started before 1 year continues after 1 year; no DPT for that child.
    c("PENTA1 before 1y: PENTA2 after 1y not before 4 weeks", KID, &[(C::Penta1, "2026-03-01")], "2026-03-28", C::Penta2, U, Some("2026-03-29")),
    c("PENTA1 before 1y: PENTA2 due after 1y", KID, &[(C::Penta1, "2026-03-01")], "2026-03-29", C::Penta2, D, Some("2026-03-29")),
    c("PENTA1 before 1y: PENTA2 overdue after 1y", KID, &[(C::Penta1, "2026-03-01")], "2026-04-26", C::Penta2, O, Some("2026-03-29")),
    c("PENTA1 before 1y: no DPT catch-up", KID, &[(C::Penta1, "2026-03-01")], "2026-03-29", C::Dpt1, NA, None),
    c("PENTA1 before 1y, PENTA2 after: PENTA3 due", KID, &[(C::Penta1, "2026-03-01"), (C::Penta2, "2026-04-05")], "2026-05-03", C::Penta3, D, Some("2026-05-03")),
    c("PENTA3 after 1y: DPTB1 not before 6 months", KID, &[(C::Penta1, "2026-03-01"), (C::Penta2, "2026-04-05"), (C::Penta3, "2026-05-03")], "2026-11-02", C::Dptb1, U, Some("2026-11-03")),
    c("PENTA3 after 1y: DPTB1 due 6 months after it", KID, &[(C::Penta1, "2026-03-01"), (C::Penta2, "2026-04-05"), (C::Penta3, "2026-05-03")], "2026-11-03", C::Dptb1, D, Some("2026-11-03")),
    // No Penta by 1 year: PENTA1 expires, DPT catch-up begins.
    c("no Penta, day before 1y: PENTA1 overdue", KID, NONE, "2026-03-14", C::Penta1, O, Some("2025-04-26")),
    c("no Penta, day before 1y: no DPT yet", KID, NONE, "2026-03-14", C::Dpt1, NA, None),
    c("no Penta at 1y: PENTA1 expired", KID, NONE, "2026-03-15", C::Penta1, E, Some("2025-04-26")),
    c("no Penta at 1y: PENTA2 not applicable", KID, NONE, "2026-03-15", C::Penta2, NA, None),
    c("no Penta at 1y: PENTA3 not applicable", KID, NONE, "2026-03-15", C::Penta3, NA, None),
    c("no Penta at 1y: DPT1 due", KID, NONE, "2026-03-15", C::Dpt1, D, Some("2026-03-15")),
    c("no Penta at 1y: DPT2 upcoming", KID, NONE, "2026-03-15", C::Dpt2, U, Some("2026-04-12")),
    c("no Penta at 1y: DPT3 upcoming", KID, NONE, "2026-03-15", C::Dpt3, U, Some("2026-05-10")),
    c("no Penta at 1y: DPTB1 waits for DPT3", KID, NONE, "2026-03-15", C::Dptb1, U, Some("2026-11-10")),
    c("DPT1 late: DPT2 not before 4 weeks", KID, &[(C::Dpt1, "2026-05-01")], "2026-05-28", C::Dpt2, U, Some("2026-05-29")),
    c("DPT1 late: DPT2 due 4 weeks after DPT1", KID, &[(C::Dpt1, "2026-05-01")], "2026-05-29", C::Dpt2, D, Some("2026-05-29")),
    c("DPT2 late: DPT3 not before 4 weeks", KID, &[(C::Dpt1, "2026-05-01"), (C::Dpt2, "2026-05-29")], "2026-06-25", C::Dpt3, U, Some("2026-06-26")),
    c("DPT2 late: DPT3 due 4 weeks after DPT2", KID, &[(C::Dpt1, "2026-05-01"), (C::Dpt2, "2026-05-29")], "2026-06-26", C::Dpt3, D, Some("2026-06-26")),
    c("DPT3: DPTB1 not before 6 months", KID, &[(C::Dpt1, "2026-04-01"), (C::Dpt2, "2026-05-01"), (C::Dpt3, "2026-06-01")], "2026-11-30", C::Dptb1, U, Some("2026-12-01")),
    c("DPT3: DPTB1 due 6 months after DPT3", KID, &[(C::Dpt1, "2026-04-01"), (C::Dpt2, "2026-05-01"), (C::Dpt3, "2026-06-01")], "2026-12-01", C::Dptb1, D, Some("2026-12-01")),
    c("DPT catch-up ends at 7 years", KID, NONE, "2032-03-15", C::Dpt1, E, Some("2026-03-15")),
    c("DPTB1 not applicable when no primary series can be given", KID, NONE, "2032-03-15", C::Dptb1, NA, None),
    // Boosters after a late third dose.
    c("PENTA3 late: DPTB1 not before 6 months", KID, &[(C::Penta1, "2025-10-01"), (C::Penta2, "2025-11-01"), (C::Penta3, "2026-03-01")], "2026-08-31", C::Dptb1, U, Some("2026-09-01")),
    c("PENTA3 late: DPTB1 due 6 months after PENTA3", KID, &[(C::Penta1, "2025-10-01"), (C::Penta2, "2025-11-01"), (C::Penta3, "2026-03-01")], "2026-09-01", C::Dptb1, D, Some("2026-09-01")),
    c("DPTB1 late: DPTB2 not before 6 months", KID, &[(C::Penta1, "2025-04-26"), (C::Penta2, "2025-05-24"), (C::Penta3, "2025-06-21"), (C::Dptb1, "2029-12-01")], "2030-05-31", C::Dptb2, U, Some("2030-06-01")),
    c("DPTB1 late: DPTB2 due 6 months after DPTB1", KID, &[(C::Penta1, "2025-04-26"), (C::Penta2, "2025-05-24"), (C::Penta3, "2025-06-21"), (C::Dptb1, "2029-12-01")], "2030-06-01", C::Dptb2, D, Some("2030-06-01")),
    c("OPV3 late: OPVB not before 6 months", KID, &[(C::Opv1, "2025-10-01"), (C::Opv2, "2025-11-01"), (C::Opv3, "2026-03-01")], "2026-08-31", C::Opvb, U, Some("2026-09-01")),
    c("OPV3 late: OPVB due 6 months after OPV3", KID, &[(C::Opv1, "2025-10-01"), (C::Opv2, "2025-11-01"), (C::Opv3, "2026-03-01")], "2026-09-01", C::Opvb, D, Some("2026-09-01")),
    c("OPVB waits for an overdue OPV3", KID, OPV_12, "2026-07-15", C::Opvb, U, Some("2027-01-15")),
    // fIPV-3.
    c("FIPV1 the day before 1y: FIPV2 not before 8 weeks", KID, &[(C::Fipv1, "2026-03-14")], "2026-05-08", C::Fipv2, U, Some("2026-05-09")),
    c("FIPV1 the day before 1y: FIPV2 due after 1y", KID, &[(C::Fipv1, "2026-03-14")], "2026-05-09", C::Fipv2, D, Some("2026-05-09")),
    c("FIPV1 the day before 1y: FIPV3 waits for FIPV2", KID, &[(C::Fipv1, "2026-03-14")], "2026-05-09", C::Fipv3, U, Some("2026-06-06")),
    c("FIPV1 before 1y, FIPV2 after: FIPV3 not before 4 weeks", KID, &[(C::Fipv1, "2026-03-14"), (C::Fipv2, "2026-05-09")], "2026-06-05", C::Fipv3, U, Some("2026-06-06")),
    c("FIPV1 before 1y, FIPV2 after: FIPV3 due", KID, &[(C::Fipv1, "2026-03-14"), (C::Fipv2, "2026-05-09")], "2026-06-06", C::Fipv3, D, Some("2026-06-06")),
    c("no fIPV, day before 1y: FIPV3 still possible", KID, NONE, "2026-03-14", C::Fipv3, U, None),
    c("no fIPV before 1y: FIPV1 expired", KID, NONE, "2026-03-15", C::Fipv1, E, Some("2025-04-26")),
    c("no fIPV before 1y: FIPV2 not applicable", KID, NONE, "2026-03-15", C::Fipv2, NA, None),
    c("no fIPV before 1y: FIPV3 not applicable", KID, NONE, "2026-03-15", C::Fipv3, NA, None),
    c("fIPV only from the 1st birthday (recorded): no FIPV3", KID, &[(C::Fipv1, "2026-03-15"), (C::Fipv2, "2026-05-10")], "2026-06-15", C::Fipv3, NA, None),
    c("FIPV1 only after 1y: no FIPV2", KID, &[(C::Fipv1, "2026-03-15")], "2026-05-15", C::Fipv2, NA, None),
    c("FIPV1 the day before 1y: FIPV2 follows", KID, &[(C::Fipv1, "2026-03-14")], "2026-05-09", C::Fipv2, D, Some("2026-05-09")),
    c("before the roll-out no FIPV3 at all", Who::Child("2021-12-01"), &[(C::Fipv1, "2022-01-12"), (C::Fipv2, "2022-03-09")], "2022-09-15", C::Fipv3, NA, None),
    c("MR1 before 2023-01-01: no FIPV3", Who::Child("2022-03-01"), &[(C::Fipv1, "2022-04-12"), (C::Fipv2, "2022-06-07"), (C::Mr1, "2022-12-31")], "2023-01-15", C::Fipv3, NA, None),
    c("MR1 on 2023-01-01: FIPV3 applies", Who::Child("2022-03-01"), &[(C::Fipv1, "2022-04-12"), (C::Fipv2, "2022-06-07"), (C::Mr1, "2023-01-01")], "2023-01-15", C::Fipv3, O, Some("2022-12-01")),
    c("MR1 before 2023 but FIPV3 recorded: given", Who::Child("2022-03-01"), &[(C::Fipv1, "2022-04-12"), (C::Fipv2, "2022-06-07"), (C::Mr1, "2022-12-31"), (C::Fipv3, "2022-12-31")], "2023-01-15", C::Fipv3, G, Some("2022-12-31")),
    // JE.
    c("JE1 not applicable outside endemic villages", KID, NONE, "2025-12-15", C::Je1, NA, None),
    c("JE2 not applicable outside endemic villages", KID, NONE, "2026-07-15", C::Je2, NA, None),
    c("JE2 not applicable outside endemic villages, even after JE1", KID, JE_1, "2026-07-15", C::Je2, NA, None),
    c("JE1 late: JE2 not before 4 weeks", JE_KID, &[(C::Je1, "2026-07-01")], "2026-07-28", C::Je2, U, Some("2026-07-29")),
    c("JE1 late: JE2 due 4 weeks after JE1", JE_KID, &[(C::Je1, "2026-07-01")], "2026-07-29", C::Je2, D, Some("2026-07-29")),
    // MR at 9 completed (calendar) months.
    c("MR1 not at 270 days", KID, NONE, "2025-12-10", C::Mr1, U, Some("2025-12-15")),
    c("MR1 dob 2025-05-31: not on 2026-02-27", Who::Child("2025-05-31"), NONE, "2026-02-27", C::Mr1, U, Some("2026-02-28")),
    c("MR1 dob 2025-05-31: due on 2026-02-28 (month end)", Who::Child("2025-05-31"), NONE, "2026-02-28", C::Mr1, D, Some("2026-02-28")),
    c("MR1 dob 2023-05-31: due on 2024-02-29 (leap year)", Who::Child("2023-05-31"), NONE, "2024-02-29", C::Mr1, D, Some("2024-02-29")),
    c("MR1 dob 2023-05-31: not on 2024-02-28", Who::Child("2023-05-31"), NONE, "2024-02-28", C::Mr1, U, Some("2024-02-29")),
    c("MR1 late: MR2 not before 4 weeks", KID, &[(C::Mr1, "2026-07-01")], "2026-07-28", C::Mr2, U, Some("2026-07-29")),
    c("MR1 late: MR2 due 4 weeks after MR1", KID, &[(C::Mr1, "2026-07-01")], "2026-07-29", C::Mr2, D, Some("2026-07-29")),
    // Vitamin A cadence.
    c("VITA1 late at 1y: VITA2 not before 6 months", KID, &[(C::Vita1, "2026-03-15")], "2026-09-14", C::Vita2, U, Some("2026-09-15")),
    c("VITA1 late at 1y: VITA2 due 6 months after VITA1", KID, &[(C::Vita1, "2026-03-15")], "2026-09-15", C::Vita2, D, Some("2026-09-15")),
    c("VITA2 late: VITA3 due 6 months after VITA2", KID, &[(C::Vita1, "2026-03-15"), (C::Vita2, "2026-09-15")], "2027-03-15", C::Vita3, D, Some("2027-03-15")),
    c("VITA2 late: VITA3 not the day before", KID, &[(C::Vita1, "2026-03-15"), (C::Vita2, "2026-09-15")], "2027-03-14", C::Vita3, U, Some("2027-03-15")),
    c("VITA8 after 54 months: VITA9 would fall on 5y, not applicable", KID, &[(C::Vita1, "2025-12-15"), (C::Vita2, "2026-07-15"), (C::Vita3, "2027-01-15"), (C::Vita4, "2027-07-15"), (C::Vita5, "2028-01-15"), (C::Vita6, "2028-07-15"), (C::Vita7, "2029-01-15"), (C::Vita8, "2029-09-15")], "2029-10-01", C::Vita9, NA, None),
    c("no VITA1: VITA2 waits", KID, NONE, "2026-08-12", C::Vita2, U, Some("2027-02-12")),
    // Td at 10 and 16 years are independent.
    c("TD16 due at 16 even after TD10 at 15", KID, &[(C::Td10, "2040-03-15")], "2041-03-15", C::Td16, D, Some("2041-03-15")),
    // Pregnant women.
    c("TD1 upcoming before the LMP: it becomes due on the LMP", WOMAN, NONE, "2025-01-09", C::Td1, U, Some("2025-01-10")),
    c("TD1 due from the LMP, due date LMP + 12 weeks", WOMAN, NONE, "2025-01-10", C::Td1, D, Some("2025-04-04")),
    c("TD1 still due 27 days after LMP + 12 weeks", WOMAN, NONE, "2025-05-01", C::Td1, D, Some("2025-04-04")),
    c("TD1 last day is the EDD (LMP + 280)", WOMAN, NONE, "2025-10-17", C::Td1, O, Some("2025-04-04")),
    c("TD2 waits for TD1", WOMAN, NONE, "2025-01-10", C::Td2, U, Some("2025-05-02")),
    c("TD1 early: TD2 upcoming until 4 weeks after TD1", WOMAN, &[(C::Td1, "2025-01-24")], "2025-02-20", C::Td2, U, Some("2025-02-21")),
    c("TD1 early: TD2 due 4 weeks after TD1, due date LMP + 12 weeks", WOMAN, &[(C::Td1, "2025-01-24")], "2025-02-21", C::Td2, D, Some("2025-04-04")),
    c("TD1 early: TD2 overdue at LMP + 12 weeks + 28 days", WOMAN, &[(C::Td1, "2025-01-24")], "2025-05-02", C::Td2, O, Some("2025-04-04")),
    c("TD1 late: TD2 due 4 weeks after TD1", WOMAN, &[(C::Td1, "2025-03-21")], "2025-04-18", C::Td2, D, Some("2025-04-18")),
    c("TD1 late: TD2 not the day before", WOMAN, &[(C::Td1, "2025-03-21")], "2025-04-17", C::Td2, U, Some("2025-04-18")),
    c("TD1 late: TD2 overdue 28 days after its due date", WOMAN, &[(C::Td1, "2025-03-21")], "2025-05-16", C::Td2, O, Some("2025-04-18")),
    c("TD1 late: TD2 still due the day before", WOMAN, &[(C::Td1, "2025-03-21")], "2025-05-15", C::Td2, D, Some("2025-04-18")),
    c("TD1 28 days before EDD: TD2 due on the EDD", WOMAN, &[(C::Td1, "2025-09-19")], "2025-10-17", C::Td2, D, Some("2025-10-17")),
    c("TD1 27 days before EDD: TD2 can never be given", WOMAN, &[(C::Td1, "2025-09-20")], "2025-09-21", C::Td2, NA, None),
    c("TDB given: TDB given", WOMAN, &[(C::Tdb, "2025-02-01")], "2025-03-01", C::Tdb, G, Some("2025-02-01")),
    c("TDB given: TD1 not applicable", WOMAN, &[(C::Tdb, "2025-02-01")], "2025-03-01", C::Td1, NA, None),
    c("TDB given: TD2 not applicable", WOMAN, &[(C::Tdb, "2025-02-01")], "2025-03-01", C::Td2, NA, None),
    c("TDB given after TD1: TD1 stays given", WOMAN, &[(C::Td1, "2025-01-10"), (C::Tdb, "2025-02-01")], "2025-03-01", C::Td1, G, Some("2025-01-10")),
    c("TDB given after TD1: TD2 not applicable", WOMAN, &[(C::Td1, "2025-01-10"), (C::Tdb, "2025-02-01")], "2025-03-01", C::Td2, NA, None),
    c("TDB recorded tomorrow: TD1 still due today", WOMAN, &[(C::Tdb, "2025-02-01")], "2025-01-31", C::Td1, D, Some("2025-04-04")),
];

#[test]
fn scenarios() {
    let settings = ScheduleSettings::default();
    let mut failures = Vec::new();
    for case in CASES {
        let got = state(case.who, case.history, d(case.on), case.code, &settings);
        let what = format!("{} [{} on {}]", case.what, case.code, case.on);
        failures.extend(check(&what, got, case.want, case.due_on));
        if case.want == G && got.given_on != got.due_on {
            failures.push(format!("{what}: given_on {:?} differs from due_on {:?}", got.given_on, got.due_on));
        }
    }
    assert_no_failures(&failures);
}

#[test]
fn evaluate_lists_the_doses_of_the_subject_kind_in_schedule_order() {
    let settings = ScheduleSettings::default();
    // A woman's dose in a child's history (and the reverse) is ignored.
    let child = evaluate(&KID.subject(), &history(&[(C::Td1, "2025-04-01")]), d("2025-05-01"), &settings);
    let codes: Vec<C> = child.iter().map(|s| s.code).collect();
    let want: Vec<C> = C::ALL.iter().copied().filter(|c| c.kind() == Kind::Child).collect();
    assert_eq!(codes, want);
    assert_eq!(codes.len(), 39);
    let woman = evaluate(&WOMAN.subject(), &history(&[(C::Bcg, "2025-01-10")]), d("2025-01-10"), &settings);
    assert_eq!(woman.iter().map(|s| s.code).collect::<Vec<_>>(), vec![C::Td1, C::Td2, C::Tdb]);
    assert_eq!(state_in(&woman, C::Td1).status, D);
}

#[test]
fn last_on_is_the_latest_earlier_dose_of_the_series() {
    let settings = ScheduleSettings::default();
    let s = state(KID, PENTA_12, d("2025-06-21"), C::Penta3, &settings);
    assert_eq!(s.last_on, Some(d("2025-05-24")));
    let s = state(KID, PENTA_123, d("2026-07-15"), C::Dptb1, &settings);
    assert_eq!(s.last_on, Some(d("2025-06-21")));
    let s = state(KID, NONE, d("2025-04-26"), C::Penta1, &settings);
    assert_eq!(s.last_on, None);
}

// ---------------------------------------------------------------------------------------------
// 3. The overdue grace is a setting.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_grace_setting_moves_the_overdue_boundary() {
    let grace = |days| ScheduleSettings { overdue_grace_days: days };
    let bcg = |on: &str, g| state(KID, NONE, d(on), C::Bcg, &grace(g)).status;
    // 14 days: overdue from dob + 14.
    assert_eq!(bcg("2025-03-28", 14), D);
    assert_eq!(bcg("2025-03-29", 14), O);
    // The default boundary (dob + 28) with 14 days' grace is long overdue; with 60, still due.
    assert_eq!(bcg("2025-04-12", 14), O);
    assert_eq!(bcg("2025-04-12", 60), D);
    // 0 days: overdue on the due date itself.
    assert_eq!(bcg("2025-03-15", 0), O);
    assert_eq!(bcg("2025-03-14", 0), U);
    // 60 days: PENTA1 due on 2025-04-26 is overdue from 2025-06-25.
    let penta1 = |on: &str| state(KID, NONE, d(on), C::Penta1, &grace(60)).status;
    assert_eq!(penta1("2025-05-24"), D);
    assert_eq!(penta1("2025-06-24"), D);
    assert_eq!(penta1("2025-06-25"), O);
    // The default is 28 days.
    assert_eq!(ScheduleSettings::default(), grace(28));
    // Classification follows the setting.
    let class = |g| classify(&evaluate(&KID.subject(), &[], d("2025-04-12"), &grace(g)));
    assert_eq!(class(28), Classification::LeftOut);
    assert_eq!(class(60), Classification::UpToDate);
}

// ---------------------------------------------------------------------------------------------
// 4. Classification and full immunization.
// ---------------------------------------------------------------------------------------------

/// Every child vaccine due by 14 weeks, on time.
const ON_TIME_14W: History = &[
    (C::Bcg, "2025-03-15"),
    (C::Hepb0, "2025-03-15"),
    (C::Opv0, "2025-03-15"),
    (C::Opv1, "2025-04-26"),
    (C::Penta1, "2025-04-26"),
    (C::Rvv1, "2025-04-26"),
    (C::Fipv1, "2025-04-26"),
    (C::Pcv1, "2025-04-26"),
    (C::Opv2, "2025-05-24"),
    (C::Penta2, "2025-05-24"),
    (C::Rvv2, "2025-05-24"),
    (C::Opv3, "2025-06-21"),
    (C::Penta3, "2025-06-21"),
    (C::Rvv3, "2025-06-21"),
    (C::Fipv2, "2025-06-21"),
    (C::Pcv2, "2025-06-21"),
];

fn on_time_9m() -> Vec<(C, &'static str)> {
    let mut h = ON_TIME_14W.to_vec();
    h.extend([(C::Fipv3, "2025-12-15"), (C::Pcvb, "2025-12-15"), (C::Mr1, "2025-12-15")]);
    h
}

#[test]
fn classification_cases() {
    use Classification::{DropOut, LeftOut, UpToDate};
    let settings = ScheduleSettings::default();
    let class =
        |who: Who, h: &[(C, &str)], on: &str| classify(&evaluate(&who.subject(), &history(h), d(on), &settings));
    let nine = on_time_9m();
    let cases: Vec<(&str, Classification, Classification)> = vec![
        ("newborn, nothing given, on the day of birth", class(KID, NONE, "2025-03-15"), UpToDate),
        ("nothing given, HEPB0 expired, BCG due but not overdue", class(KID, NONE, "2025-04-11"), UpToDate),
        ("nothing given, BCG overdue", class(KID, NONE, "2025-04-12"), LeftOut),
        ("only vitamin A given, vaccines overdue", class(KID, &[(C::Vita1, "2025-12-15")], "2026-01-12"), LeftOut),
        ("BCG only, the 6-week doses still due", class(KID, &[(C::Bcg, "2025-03-15")], "2025-05-23"), UpToDate),
        ("BCG only, the 6-week doses overdue", class(KID, &[(C::Bcg, "2025-03-15")], "2025-05-24"), DropOut),
        ("everything on time to 14 weeks", class(KID, ON_TIME_14W, "2025-07-19"), UpToDate),
        ("everything on time to 9 months, only VITA1 overdue", class(KID, &nine, "2026-01-12"), UpToDate),
        ("everything on time to 9 months, JE1 overdue (endemic)", class(JE_KID, &nine, "2026-01-12"), DropOut),
        (
            "a 20-year-old with nothing: everything expired, nothing overdue",
            class(Who::Child("2000-01-01"), NONE, "2020-06-01"),
            UpToDate,
        ),
        // A pregnant woman is classified by Td (issue 9): no Td is left out even while TD1 is
        // only due; TD1 without TD2 is a drop-out as soon as TD2 is due.
        ("woman, nothing given, TD1 due", class(WOMAN, NONE, "2025-05-01"), LeftOut),
        ("woman, nothing given, on her LMP", class(WOMAN, NONE, "2025-01-10"), LeftOut),
        ("woman, TD1 given, TD2 not yet due", class(WOMAN, TD_1, "2025-02-01"), UpToDate),
        ("woman, TD1 given, TD2 due", class(WOMAN, TD_1, "2025-03-01"), DropOut),
        (
            "woman, TD1 and TD2 given",
            class(WOMAN, &[(C::Td1, "2025-01-10"), (C::Td2, "2025-02-10")], "2025-05-02"),
            UpToDate,
        ),
        ("woman, TD1 given, TD2 expired after the pregnancy", class(WOMAN, TD_1, "2025-12-01"), DropOut),
        ("woman, nothing given, TD1 overdue", class(WOMAN, NONE, "2025-05-02"), LeftOut),
        ("woman, TD1 given, TD2 overdue", class(WOMAN, TD_1, "2025-05-02"), DropOut),
        ("woman, TDB given", class(WOMAN, &[(C::Tdb, "2025-02-01")], "2025-05-02"), UpToDate),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter(|(_, got, want)| got != want)
        .map(|(what, got, want)| format!("{what}: got {}, want {}", got.as_str(), want.as_str()))
        .collect();
    assert_no_failures(&failures);
    // Vitamin A overdue does not count, but it is overdue.
    assert_eq!(state(KID, &nine, d("2026-01-12"), C::Vita1, &settings).status, O);
}

/// The eight FIC doses on time, with MR1 on the given date.
fn fic_history(mr1: &'static str) -> Vec<(C, &'static str)> {
    vec![
        (C::Bcg, "2025-03-15"),
        (C::Opv1, "2025-04-26"),
        (C::Penta1, "2025-04-26"),
        (C::Opv2, "2025-05-24"),
        (C::Penta2, "2025-05-24"),
        (C::Opv3, "2025-06-21"),
        (C::Penta3, "2025-06-21"),
        (C::Mr1, mr1),
    ]
}

#[test]
fn fully_immunized_cases() {
    let dob = d("2025-03-15");
    let fic = |h: &[(C, &str)], on: &str| fully_immunized(dob, &history(h), d(on));
    assert!(fic(&fic_history("2025-12-15"), "2026-03-15"), "all eight on time");
    assert!(fic(&fic_history("2026-03-14"), "2026-06-01"), "MR1 the day before the 1st birthday counts");
    assert!(!fic(&fic_history("2026-03-15"), "2026-06-01"), "MR1 at 365 days (the birthday) does not count");
    assert!(!fic(&fic_history("2026-01-01"), "2025-12-31"), "MR1 recorded after the date does not count yet");
    assert!(fic(&fic_history("2026-01-01"), "2026-01-01"), "MR1 on the date counts");
    let mut no_mr1 = fic_history("2025-12-15");
    no_mr1.pop();
    assert!(!fic(&no_mr1, "2026-06-01"), "MR1 missing");
    for i in 0..8 {
        let mut h = fic_history("2025-12-15");
        let code = h.remove(i).0;
        assert!(!fic(&h, "2026-06-01"), "{code} missing");
    }
    let mut late_bcg = fic_history("2025-12-15");
    late_bcg[0].1 = "2026-03-15";
    assert!(!fic(&late_bcg, "2026-06-01"), "BCG at 365 days does not count");
    let mut dpt = fic_history("2025-12-15");
    dpt.retain(|(c, _)| !matches!(c, C::Penta1 | C::Penta2 | C::Penta3));
    dpt.extend([(C::Dpt1, "2026-03-15"), (C::Dpt2, "2026-04-12"), (C::Dpt3, "2026-05-10")]);
    assert!(!fic(&dpt, "2026-06-01"), "DPT catch-up after 1 year does not make a child fully immunized");
    // The birthday of a child born on 29 February is 28 February.
    let leap_fic = |mr1: &'static str| {
        let h = [
            (C::Bcg, "2024-02-29"),
            (C::Opv1, "2024-04-11"),
            (C::Penta1, "2024-04-11"),
            (C::Opv2, "2024-05-09"),
            (C::Penta2, "2024-05-09"),
            (C::Opv3, "2024-06-06"),
            (C::Penta3, "2024-06-06"),
            (C::Mr1, mr1),
        ];
        fully_immunized(d("2024-02-29"), &history(&h), d("2025-06-01"))
    };
    assert!(leap_fic("2024-11-29"));
    assert!(leap_fic("2025-02-27"));
    assert!(!leap_fic("2025-02-28"), "dob 2024-02-29 + 365 days = 2025-02-28, the 1st birthday");
}

// ---------------------------------------------------------------------------------------------
// 5. Properties over random valid histories.
// ---------------------------------------------------------------------------------------------

/// A beneficiary and a history made by visiting on random dates and giving some of the doses
/// due or overdue on each visit: every dose was valid when given.
#[derive(Debug, Clone)]
struct Scenario {
    subject: Subject,
    history: Vec<Given>,
    settings: ScheduleSettings,
}

fn given_on(history: &[Given], code: C, on: Date) -> Option<Date> {
    history.iter().filter(|g| g.code == code && g.date <= on).map(|g| g.date).min()
}

fn build(woman: bool, offset: u32, je: bool, mode: u8, tdb: bool, grace: u32, visits: &[(u16, u64, u64)]) -> Scenario {
    let kind = if woman { Kind::PregnantWoman } else { Kind::Child };
    let anchor = d("2015-01-01") + Days::new(u64::from(offset));
    let subject = Subject { kind, anchor, je_endemic: je };
    let settings = ScheduleSettings { overdue_grace_days: grace };
    let mut history = Vec::new();
    let mut on = anchor;
    for (i, &(gap, m1, m2)) in visits.iter().enumerate() {
        let gap = if woman { u64::from(gap % 30) } else { u64::from(gap) };
        on = on + Days::new(gap);
        if woman && tdb && i == 0 {
            history.push(Given { code: C::Tdb, date: on });
        }
        let states = evaluate(&subject, &history, on, &settings);
        for s in states.iter().filter(|s| s.status.is_actionable()) {
            let bit = |m: u64| (m >> (s.code.index() % 64)) & 1 == 1;
            let give = match mode {
                0 => false,
                1 => bit(m1) && bit(m2),
                2 => bit(m1),
                3 => bit(m1) || bit(m2),
                _ => true,
            };
            if give {
                history.push(Given { code: s.code, date: on });
            }
        }
    }
    Scenario { subject, history, settings }
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::bool::weighted(0.25),
        0u32..16 * 365,
        any::<bool>(),
        0u8..5,
        prop::bool::weighted(0.2),
        prop_oneof![3 => Just(28u32), 1 => 0u32..90],
        prop::collection::vec((1u16..=120, any::<u64>(), any::<u64>()), 0..80),
    )
        .prop_map(|(woman, offset, je, mode, tdb, grace, visits)| build(woman, offset, je, mode, tdb, grace, &visits))
}

/// The dates worth evaluating a scenario on, in order: a regular grid over the whole schedule,
/// and the day before, of and after every boundary the rules and the history make.
fn checkpoints(s: &Scenario) -> Vec<Date> {
    let a = s.subject.anchor;
    let mut set = BTreeSet::new();
    let mut around = |x: Option<Date>| {
        if let Some(x) = x {
            set.extend([x.pred_opt(), Some(x), x.succ_opt()].into_iter().flatten());
        }
    };
    let (span, step) = if s.subject.kind == Kind::PregnantWoman { (300, 3) } else { (19 * 366, 17) };
    for k in (0..span).step_by(step) {
        around(Some(a + Days::new(k)));
    }
    let grace = Days::new(u64::from(s.settings.overdue_grace_days));
    for rule in SCHEDULE.iter().filter(|r| r.code.kind() == s.subject.kind) {
        around(rule.earliest.after(a));
        around(rule.due.after(a));
        around(rule.due.after(a).map(|x| x + grace));
        around(rule.expires.and_then(|e| e.after(a)));
    }
    for g in &s.history {
        around(Some(g.date));
        for interval in [Age::Weeks(4), Age::Weeks(8), Age::Months(6)] {
            let x = interval.after(g.date);
            around(x);
            around(x.map(|x| x + grace));
        }
    }
    set.into_iter().collect()
}

/// The first ranks of the order a dose's status may only move forward in.
fn rank(s: DoseStatus) -> Option<u8> {
    match s {
        U => Some(0),
        D => Some(1),
        O => Some(2),
        E => Some(3),
        G | NA => None,
    }
}

/// (a) and (b), and the meaning of each status, for every dose of `s` on `on`.
fn check_states(s: &Scenario, on: Date, states: &[DoseState]) -> Result<(), TestCaseError> {
    let a = s.subject.anchor;
    let grace = Days::new(u64::from(s.settings.overdue_grace_days));
    for st in states {
        let rule = rule_of(st.code);
        let ctx = || format!("{} on {on} ({:?}, history {:?})", st.code, st, s.history);
        // (a) Never due or overdue before anchor + earliest, nor before the previous dose + interval.
        if st.status.is_actionable() {
            prop_assert!(on >= rule.earliest.after(a).unwrap(), "before its earliest age: {}", ctx());
            match rule.after {
                After::Nothing => {}
                After::Dose(prev, interval) => {
                    let p = given_on(&s.history, prev, on);
                    prop_assert!(p.is_some(), "actionable before {prev} was given: {}", ctx());
                    prop_assert!(on >= interval.after(p.unwrap()).unwrap(), "before {prev} + interval: {}", ctx());
                }
                After::DtpPrimary(interval) => {
                    let p = [C::Penta3, C::Dpt3].iter().filter_map(|c| given_on(&s.history, *c, on)).max();
                    prop_assert!(p.is_some(), "actionable before PENTA3/DPT3: {}", ctx());
                    prop_assert!(on >= interval.after(p.unwrap()).unwrap(), "before PENTA3/DPT3 + interval: {}", ctx());
                }
            }
        }
        // (b) Never due, overdue or upcoming on or after its expiry.
        if matches!(st.status, D | O | U) {
            if let Some(exp) = rule.expires {
                prop_assert!(on < exp.after(a).unwrap(), "pending on or after its expiry: {}", ctx());
            }
        }
        // Given exactly when recorded on or before `on`; the other statuses mean what they say.
        let given = given_on(&s.history, st.code, on);
        prop_assert_eq!(st.status == G, given.is_some(), "given iff recorded: {}", ctx());
        match st.status {
            G => prop_assert!(st.due_on == given && st.given_on == given, "given date: {}", ctx()),
            NA => prop_assert!(st.due_on.is_none(), "not applicable with a date: {}", ctx()),
            D => prop_assert!(on < st.due_on.unwrap() + grace, "due past the grace: {}", ctx()),
            O => prop_assert!(on >= st.due_on.unwrap() + grace, "overdue within the grace: {}", ctx()),
            U => prop_assert!(st.due_on.is_some_and(|x| x > on), "upcoming without a later date: {}", ctx()),
            E => prop_assert!(st.due_on.is_some(), "expired without a due date: {}", ctx()),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// (a) and (b): at every checkpoint, no dose is actionable too early, nothing is pending
    /// after its expiry, and every status is consistent with its dates.
    #[test]
    fn prop_statuses_respect_ages_intervals_and_expiry(s in scenario()) {
        for on in checkpoints(&s) {
            let states = evaluate(&s.subject, &s.history, on, &s.settings);
            check_states(&s, on, &states)?;
        }
    }

    /// (c): as `on` advances over the same history, a dose's status only moves forward in
    /// upcoming < due < overdue < expired (across spells of not_applicable too), and once
    /// given it stays given.
    #[test]
    fn prop_statuses_never_move_backwards(s in scenario()) {
        let mut last: HashMap<C, (DoseStatus, Date)> = HashMap::new();
        let mut given: HashSet<C> = HashSet::new();
        for on in checkpoints(&s) {
            for st in evaluate(&s.subject, &s.history, on, &s.settings) {
                if given.contains(&st.code) {
                    prop_assert_eq!(st.status, G, "{} was given, then {:?} on {}", st.code, st.status, on);
                    continue;
                }
                if st.status == G {
                    given.insert(st.code);
                    continue;
                }
                if let Some(r) = rank(st.status) {
                    if let Some((before, when)) = last.get(&st.code) {
                        prop_assert!(
                            rank(*before).unwrap_or(0) <= r,
                            "{}: {} on {} then {} on {} (history {:?})",
                            st.code, before.as_str(), when, st.status.as_str(), on, s.history
                        );
                    }
                    last.insert(st.code, (st.status, on));
                }
            }
        }
    }

    /// (d): left-out only when no vaccine was given; drop-out and up-to-date as defined.
    #[test]
    fn prop_classification_follows_its_definition(s in scenario()) {
        for on in checkpoints(&s) {
            let states = evaluate(&s.subject, &s.history, on, &s.settings);
            let class = classify(&states);
            let any_vaccine = s.history.iter().any(|g| g.date <= on && g.code.is_vaccine() && g.code.kind() == s.subject.kind);
            let overdue = states.iter().any(|st| st.code.is_vaccine() && st.status == O);
            if class == Classification::LeftOut {
                prop_assert!(!any_vaccine, "left_out on {} with a vaccine given: {:?}", on, s.history);
            }
            let has = |c: C| s.history.iter().any(|g| g.code == c && g.date <= on);
            let td2 = states.iter().find(|st| st.code == C::Td2).map(|st| st.status);
            let want = if s.subject.kind == Kind::PregnantWoman {
                // By Td: none is left out, TD1 alone once TD2 is due a drop-out.
                if has(C::Td2) || has(C::Tdb) {
                    Classification::UpToDate
                } else if !has(C::Td1) {
                    Classification::LeftOut
                } else if matches!(td2, Some(DoseStatus::Due | O | DoseStatus::Expired)) {
                    Classification::DropOut
                } else {
                    Classification::UpToDate
                }
            } else {
                match (any_vaccine, overdue) {
                    (false, true) => Classification::LeftOut,
                    (true, true) => Classification::DropOut,
                    _ => Classification::UpToDate,
                }
            };
            prop_assert_eq!(class, want, "on {}", on);
        }
    }

    /// fully_immunized is exactly: the eight FIC doses all recorded before the 1st birthday.
    #[test]
    fn prop_fully_immunized_needs_the_eight_doses_before_the_birthday(s in scenario()) {
        prop_assume!(s.subject.kind == Kind::Child);
        let birthday = Age::Years(1).after(s.subject.anchor).unwrap();
        for on in checkpoints(&s) {
            let want = [C::Bcg, C::Opv1, C::Opv2, C::Opv3, C::Penta1, C::Penta2, C::Penta3, C::Mr1]
                .iter()
                .all(|c| given_on(&s.history, *c, on).is_some_and(|g| g < birthday));
            prop_assert_eq!(fully_immunized(s.subject.anchor, &s.history, on), want, "on {}", on);
        }
    }
}
