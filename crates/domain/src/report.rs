//! The due list and the coverage report, computed from the register on a date.

use crate::codes::{BeneficiaryStatus, DoseCode, Kind};
use crate::dates::{Age, Date};
use crate::schedule::{
    classify, evaluate_into, fully_immunized, fully_immunized_by, on_time_due, AnchorDates, Classification, DoseState,
    DoseStatus, Given, ScheduleSettings, Subject,
};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// What the reports need of one beneficiary. Texts are shared (`Arc<str>`): a due list of a block
/// copies them for tens of thousands of people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub register_id: Arc<str>,
    pub name: Arc<str>,
    pub kind: Kind,
    pub household_id: Arc<str>,
    pub village: Arc<str>,
    pub status: BeneficiaryStatus,
    /// Date of birth (child) or LMP (pregnant woman).
    pub anchor: Date,
    pub je_endemic: bool,
}

impl Person {
    fn subject(&self) -> Subject {
        Subject { kind: self.kind, anchor: self.anchor, je_endemic: self.je_endemic }
    }

    /// Active and already born (or pregnant) on `on`.
    fn counts_on(&self, on: Date) -> bool {
        self.status == BeneficiaryStatus::Active && self.anchor <= on
    }
}

/// One dose on a due list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DueDose {
    pub code: DoseCode,
    /// `due` or `overdue` (`upcoming` in [`upcoming`]).
    pub status: DoseStatus,
    pub due_on: Option<Date>,
    /// When the previous dose of the series was given.
    pub last_on: Option<Date>,
}

/// One beneficiary on a due list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    pub register_id: Arc<str>,
    pub name: Arc<str>,
    pub kind: Kind,
    pub household_id: Arc<str>,
    pub village: Arc<str>,
    pub classification: Classification,
    pub fully_immunized: bool,
    pub doses: Vec<DueDose>,
}

/// The due-list entry of a beneficiary on `on`: `None` unless active with a dose due or overdue.
pub fn due_item(p: &Person, history: &[Given], on: Date, settings: &ScheduleSettings) -> Option<DueItem> {
    due_item_with(p, &AnchorDates::new(p.anchor), history, on, settings, &mut Vec::new())
}

/// The due list of many beneficiaries, in their order.
pub fn due_list(people: &[(Person, Vec<Given>)], on: Date, settings: &ScheduleSettings) -> Vec<DueItem> {
    let mut lister = DueLister::default();
    people.iter().filter_map(|(p, history)| lister.item(p, history, on, settings)).collect()
}

/// Builds due-list entries one beneficiary at a time, computing the dates of each anchor (date of
/// birth, LMP) once and reusing its buffers.
#[derive(Default)]
pub struct DueLister {
    cache: HashMap<Date, AnchorDates>,
    states: Vec<DoseState>,
}

impl DueLister {
    /// The due-list entry of one beneficiary, as [`due_item`].
    pub fn item(&mut self, p: &Person, history: &[Given], on: Date, settings: &ScheduleSettings) -> Option<DueItem> {
        if !p.counts_on(on) {
            return None;
        }
        let dates = self.cache.entry(p.anchor).or_insert_with(|| AnchorDates::new(p.anchor));
        due_item_with(p, dates, history, on, settings, &mut self.states)
    }
}

fn due_item_with(
    p: &Person,
    dates: &AnchorDates,
    history: &[Given],
    on: Date,
    settings: &ScheduleSettings,
    states: &mut Vec<DoseState>,
) -> Option<DueItem> {
    if !p.counts_on(on) {
        return None;
    }
    evaluate_into(&p.subject(), dates, history, on, settings, states);
    if !states.iter().any(|s| s.status.is_actionable()) {
        return None;
    }
    let s = standing_from(p.kind, dates, states, history, on, true);
    Some(DueItem {
        register_id: p.register_id.clone(),
        name: p.name.clone(),
        kind: p.kind,
        household_id: p.household_id.clone(),
        village: p.village.clone(),
        classification: s.classification,
        fully_immunized: s.fully_immunized,
        doses: s.due,
    })
}

/// Where one beneficiary stands on a date: what the badges and the due doses of a screen show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub classification: Classification,
    /// A child fully immunized by the first birthday (never a pregnant woman).
    pub fully_immunized: bool,
    /// The doses due or overdue; none unless active and born (or pregnant) on the date.
    pub due: Vec<DueDose>,
}

/// Where a beneficiary stands on `on`: the same rules as the due list ([`due_item`]), for one
/// beneficiary whatever their status.
pub fn standing(
    subject: &Subject,
    status: BeneficiaryStatus,
    history: &[Given],
    on: Date,
    settings: &ScheduleSettings,
) -> Standing {
    let dates = AnchorDates::new(subject.anchor);
    let mut states = Vec::new();
    evaluate_into(subject, &dates, history, on, settings, &mut states);
    let counts = status == BeneficiaryStatus::Active && subject.anchor <= on;
    standing_from(subject.kind, &dates, &states, history, on, counts)
}

fn standing_from(
    kind: Kind,
    dates: &AnchorDates,
    states: &[DoseState],
    history: &[Given],
    on: Date,
    counts: bool,
) -> Standing {
    let due = if counts {
        states
            .iter()
            .filter(|s| s.status.is_actionable())
            .map(|s| DueDose { code: s.code, status: s.status, due_on: s.due_on, last_on: s.last_on })
            .collect()
    } else {
        Vec::new()
    };
    Standing {
        classification: classify(states),
        fully_immunized: kind == Kind::Child && fully_immunized_by(dates.first_birthday(), history, on),
        due,
    }
}

/// The doses not yet due on `on`, each with the date it falls due (status `upcoming`), soonest
/// first: what a beneficiary's card shows as "due on …". None unless active. A dose waiting on
/// an earlier dose of its series carries the earliest date it could be given
/// (see [`crate::schedule::evaluate`]).
pub fn upcoming(
    subject: &Subject,
    status: BeneficiaryStatus,
    history: &[Given],
    on: Date,
    settings: &ScheduleSettings,
) -> Vec<DueDose> {
    if status != BeneficiaryStatus::Active {
        return Vec::new();
    }
    let dates = AnchorDates::new(subject.anchor);
    let mut states = Vec::new();
    evaluate_into(subject, &dates, history, on, settings, &mut states);
    let mut out: Vec<DueDose> = states
        .iter()
        .filter(|s| s.status == DoseStatus::Upcoming && s.due_on.is_some())
        .map(|s| DueDose { code: s.code, status: s.status, due_on: s.due_on, last_on: s.last_on })
        .collect();
    out.sort_by_key(|d| (d.due_on, d.code));
    out
}

/// A drop-out rate between two doses: (from − to) ÷ from × 100, over the children who could
/// have had the later dose on the date: those who have it, or for whom it is overdue (past its
/// due date as the schedule dates it for the child, plus the grace) or expired. A child too
/// young for it, or not yet due it after a late first dose, is no drop-out yet.
/// `docs/schedule.md`, "Coverage".
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DropOut {
    /// The active children who could have had the later dose on the date.
    pub cohort: u32,
    /// Of them, those with the first dose on record.
    pub from: u32,
    /// Of them, those with the later dose on record.
    pub to: u32,
    /// Percent with one decimal; `null` when nobody had the first dose.
    pub rate: Option<f64>,
}

/// Full immunization among the children aged 12–23 months on the date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Fic {
    /// Active children who had their first birthday but not their second.
    pub cohort: u32,
    pub fully_immunized: u32,
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DropOuts {
    pub penta1_penta3: DropOut,
    pub penta1_mr1: DropOut,
    pub bcg_mr1: DropOut,
    pub mr1_mr2: DropOut,
}

/// Coverage of a register (or one village of it) on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Coverage {
    pub date: Date,
    pub village: Option<String>,
    /// Active children born on or before the date.
    pub children: u32,
    /// Active pregnant women whose LMP is on or before the date.
    pub pregnant_women: u32,
    pub fic: Fic,
    pub dropout: DropOuts,
    pub left_out: u32,
    pub drop_out: u32,
    pub up_to_date: u32,
    pub resistant_households: u32,
    /// The active pregnant women by Td ([`classify`]): no Td (left out), Td-1 without Td-2
    /// once it is due (drop-out), the others (protected or on schedule).
    pub pregnant_left_out: u32,
    pub pregnant_drop_out: u32,
    pub pregnant_up_to_date: u32,
}

pub(crate) fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

pub(crate) fn dropout(cohort: u32, from: u32, to: u32) -> DropOut {
    DropOut {
        cohort,
        from,
        to,
        rate: percent(from.saturating_sub(to), from).map(|r| {
            if to > from {
                -percent(to - from, from).unwrap_or(0.0)
            } else {
                r
            }
        }),
    }
}

/// Computes coverage from every beneficiary and their doses.
pub fn coverage<'a>(
    people: impl IntoIterator<Item = (&'a Person, &'a [Given])>,
    resistant_households: u32,
    on: Date,
    village: Option<String>,
    settings: &ScheduleSettings,
) -> Coverage {
    let mut c = Coverage {
        date: on,
        village,
        children: 0,
        pregnant_women: 0,
        fic: Fic { cohort: 0, fully_immunized: 0, percent: None },
        dropout: DropOuts {
            penta1_penta3: dropout(0, 0, 0),
            penta1_mr1: dropout(0, 0, 0),
            bcg_mr1: dropout(0, 0, 0),
            mr1_mr2: dropout(0, 0, 0),
        },
        left_out: 0,
        drop_out: 0,
        up_to_date: 0,
        resistant_households,
        pregnant_left_out: 0,
        pregnant_drop_out: 0,
        pregnant_up_to_date: 0,
    };
    // Per pair of DROP_OUT_PAIRS: [cohort, from, to].
    let mut pair_counts = [[0u32; 3]; 4];
    let mut cache: HashMap<Date, AnchorDates> = HashMap::new();
    let mut states = Vec::with_capacity(42);
    for (p, history) in people {
        if !p.counts_on(on) {
            continue;
        }
        let dates = cache.entry(p.anchor).or_insert_with(|| AnchorDates::new(p.anchor));
        evaluate_into(&p.subject(), dates, history, on, settings, &mut states);
        if p.kind == Kind::PregnantWoman {
            c.pregnant_women += 1;
            match classify(&states) {
                Classification::LeftOut => c.pregnant_left_out += 1,
                Classification::DropOut => c.pregnant_drop_out += 1,
                Classification::UpToDate => c.pregnant_up_to_date += 1,
            }
            continue;
        }
        c.children += 1;
        let mut first: [Option<Date>; 42] = [None; 42];
        for g in history.iter().filter(|g| g.date <= on) {
            let slot = &mut first[g.code.index()];
            *slot = Some(slot.map_or(g.date, |d| d.min(g.date)));
        }
        for ((from, to), n) in DROP_OUT_PAIRS.iter().zip(pair_counts.iter_mut()) {
            if could_have_had(*to, dates, &first, &states, on, settings) {
                n[0] += 1;
                n[1] += u32::from(first[from.index()].is_some());
                n[2] += u32::from(first[to.index()].is_some());
            }
        }
        match classify(&states) {
            Classification::LeftOut => c.left_out += 1,
            Classification::DropOut => c.drop_out += 1,
            Classification::UpToDate => c.up_to_date += 1,
        }
        if in_fic_cohort(p.anchor, on) {
            c.fic.cohort += 1;
            c.fic.fully_immunized += u32::from(fully_immunized(p.anchor, history, on));
        }
    }
    c.fic.percent = percent(c.fic.fully_immunized, c.fic.cohort);
    let [a, b, d, e] = pair_counts.map(|[cohort, from, to]| dropout(cohort, from, to));
    c.dropout = DropOuts { penta1_penta3: a, penta1_mr1: b, bcg_mr1: d, mr1_mr2: e };
    c
}

/// Whether a child born on `dob` is of the FIC cohort on `on`: had their first birthday, not
/// their second.
pub fn in_fic_cohort(dob: Date, on: Date) -> bool {
    Age::Years(1).after(dob).is_some_and(|b| b <= on) && Age::Years(2).after(dob).is_some_and(|b| on < b)
}

/// Whether a child could have had `to` by `on`: has it, or it applies to the child and its
/// on-time date ([`on_time_due`]) plus the overdue grace has passed. `docs/schedule.md`, choice 21.
fn could_have_had(
    to: DoseCode,
    dates: &AnchorDates,
    first: &[Option<Date>; 42],
    states: &[DoseState],
    on: Date,
    settings: &ScheduleSettings,
) -> bool {
    if first[to.index()].is_some() {
        return true;
    }
    let applies = states.iter().find(|s| s.code == to).is_some_and(|s| s.status != DoseStatus::NotApplicable);
    applies
        && on_time_due(to, dates, first, states)
            .and_then(|due| due.checked_add_days(chrono::Days::new(u64::from(settings.overdue_grace_days))))
            .is_some_and(|overdue_from| on >= overdue_from)
}

/// The pairs of the drop-out rates, in the order of [`DropOuts`].
pub const DROP_OUT_PAIRS: [(DoseCode, DoseCode); 4] = [
    (DoseCode::Penta1, DoseCode::Penta3),
    (DoseCode::Penta1, DoseCode::Mr1),
    (DoseCode::Bcg, DoseCode::Mr1),
    (DoseCode::Mr1, DoseCode::Mr2),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap_or_default()
    }

    fn child(id: &str, dob: &str) -> Person {
        Person {
            register_id: id.into(),
            name: id.into(),
            kind: Kind::Child,
            household_id: "H".into(),
            village: "V".into(),
            status: BeneficiaryStatus::Active,
            anchor: d(dob),
            je_endemic: false,
        }
    }

    fn given(doses: &[(DoseCode, &str)]) -> Vec<Given> {
        doses.iter().map(|(code, date)| Given { code: *code, date: d(date) }).collect()
    }

    fn cover(people: &[(Person, Vec<Given>)], on: &str) -> Coverage {
        let s = ScheduleSettings::default();
        coverage(people.iter().map(|(p, h)| (p, h.as_slice())), 0, d(on), None, &s)
    }

    #[test]
    fn a_child_too_young_for_the_later_dose_is_no_drop_out() {
        // 10 months old: MR1 given at 9 months; MR2 is due at 16 months.
        let people = [(child("A", "2026-01-10"), given(&[(DoseCode::Mr1, "2026-10-12")]))];
        let c = cover(&people, "2026-11-10");
        assert_eq!((c.dropout.mr1_mr2.cohort, c.dropout.mr1_mr2.from, c.dropout.mr1_mr2.rate), (0, 0, None));
    }

    #[test]
    fn giving_penta1_does_not_raise_the_penta1_to_penta3_rate() {
        // Two children past Penta3's due age plus the grace, both complete; a third of 7 weeks.
        let done = given(&[(DoseCode::Penta1, "2025-06-12"), (DoseCode::Penta3, "2025-07-24")]);
        let mut people = vec![
            (child("A", "2025-05-01"), done.clone()),
            (child("B", "2025-05-01"), done),
            (child("C", "2026-09-20"), vec![]),
        ];
        let before = cover(&people, "2026-11-10").dropout.penta1_penta3;
        people[2].1 = given(&[(DoseCode::Penta1, "2026-11-05")]);
        let after = cover(&people, "2026-11-10").dropout.penta1_penta3;
        assert_eq!(before, after, "the young child is outside the cohort");
        assert_eq!((after.cohort, after.from, after.to, after.rate), (2, 2, 2, Some(0.0)));
    }

    #[test]
    fn a_late_first_dose_does_not_raise_the_rate_either() {
        // 5 months old and never vaccinated: past Penta3's age plus the grace, so in the cohort
        // (from 0); Penta1 given today moves Penta3's on-time date 8 weeks on: out of the cohort.
        let done = given(&[(DoseCode::Penta1, "2025-06-12"), (DoseCode::Penta3, "2025-07-24")]);
        let mut people = vec![(child("A", "2025-05-01"), done), (child("G", "2026-06-10"), vec![])];
        let before = cover(&people, "2026-11-22").dropout.penta1_penta3;
        assert_eq!((before.cohort, before.from, before.to, before.rate), (2, 1, 1, Some(0.0)));
        people[1].1 = given(&[(DoseCode::Penta1, "2026-11-22")]);
        let after = cover(&people, "2026-11-22").dropout.penta1_penta3;
        assert_eq!((after.cohort, after.from, after.to, after.rate), (1, 1, 1, Some(0.0)));
    }

    #[test]
    fn a_child_who_missed_the_middle_dose_is_a_drop_out() {
        // Penta1 at 6 weeks, no Penta2 at 7 months: Penta3 was due on time 8 weeks after Penta1.
        let people = [(child("A", "2026-04-20"), given(&[(DoseCode::Penta1, "2026-06-03")]))];
        let c = cover(&people, "2026-11-22").dropout.penta1_penta3;
        assert_eq!((c.cohort, c.from, c.to, c.rate), (1, 1, 0, Some(100.0)));
        // Not before Penta3's on-time date (29 July) plus the 28-day grace.
        let c = cover(&people, "2026-08-25").dropout.penta1_penta3;
        assert_eq!(c.cohort, 0);
        assert_eq!(cover(&people, "2026-08-26").dropout.penta1_penta3.cohort, 1);
    }

    fn woman(id: &str, lmp: &str) -> Person {
        Person { kind: Kind::PregnantWoman, ..child(id, lmp) }
    }

    #[test]
    fn pregnant_women_are_classified_by_td_in_coverage_and_on_the_due_list() {
        // LMP 2026-09-01; on 2026-11-10 TD1 is due (not overdue) for a woman with no Td.
        let on = "2026-11-10";
        let people = [
            (woman("W-0", "2026-09-01"), vec![]),
            (woman("W-1", "2026-09-01"), given(&[(DoseCode::Td1, "2026-09-20")])),
            (woman("W-2", "2026-09-01"), given(&[(DoseCode::Td1, "2026-09-20"), (DoseCode::Td2, "2026-10-20")])),
            (woman("W-B", "2026-09-01"), given(&[(DoseCode::Tdb, "2026-09-20")])),
            (woman("W-N", "2026-09-01"), given(&[(DoseCode::Td1, "2026-11-01")])),
        ];
        let c = cover(&people, on);
        assert_eq!((c.pregnant_women, c.pregnant_left_out, c.pregnant_drop_out, c.pregnant_up_to_date), (5, 1, 1, 3));
        assert_eq!((c.left_out, c.drop_out, c.up_to_date), (0, 0, 0), "children only");
        let s = ScheduleSettings::default();
        let list = due_list(&people, d(on), &s);
        let of = |id: &str| list.iter().find(|i| &*i.register_id == id).map(|i| (i.classification, i.doses.len()));
        assert_eq!(of("W-0"), Some((Classification::LeftOut, 1)), "TD1 only due, still left out");
        assert_eq!(of("W-1"), Some((Classification::DropOut, 1)), "TD2 due after TD1");
        assert_eq!(of("W-2"), None);
        let st = standing(&woman("W-0", "2026-09-01").subject(), BeneficiaryStatus::Active, &[], d(on), &s);
        assert_eq!(st.classification, Classification::LeftOut, "never up to date without Td");
        assert_eq!(st.due.iter().map(|x| x.status).collect::<Vec<_>>(), vec![DoseStatus::Due]);
    }

    #[test]
    fn a_child_past_the_later_dose_without_it_is_a_drop_out() {
        // 2 years old: MR1 at 9 months, no MR2 (due at 16 months).
        let people = [(child("A", "2024-11-01"), given(&[(DoseCode::Mr1, "2025-08-05")]))];
        let c = cover(&people, "2026-11-10").dropout.mr1_mr2;
        assert_eq!((c.cohort, c.from, c.to, c.rate), (1, 1, 0, Some(100.0)));
    }

    #[test]
    fn upcoming_doses_come_with_their_due_dates_soonest_first() {
        let s = ScheduleSettings::default();
        let subject = Subject { kind: Kind::Child, anchor: d("2025-01-01"), je_endemic: false };
        let history =
            given(&[(DoseCode::Bcg, "2025-01-01"), (DoseCode::Opv0, "2025-01-01"), (DoseCode::Hepb0, "2025-01-01")]);
        let up = upcoming(&subject, BeneficiaryStatus::Active, &history, d("2025-01-20"), &s);
        let first = up.first().map(|u| (u.code, u.status, u.due_on));
        assert_eq!(first, Some((DoseCode::Opv1, DoseStatus::Upcoming, Some(d("2025-02-12")))));
        assert!(up.iter().any(|u| u.code == DoseCode::Mr1 && u.due_on == Some(d("2025-10-01"))));
        assert!(up.windows(2).all(|w| w[0].due_on <= w[1].due_on));
        assert!(up.iter().all(|u| u.code != DoseCode::Bcg));
        assert!(upcoming(&subject, BeneficiaryStatus::Migrated, &history, d("2025-01-20"), &s).is_empty());
    }

    mod consistent {
        //! What one screen shows must agree: the FIC figure and the drop-out rates, the
        //! drop-out rates and the children classified as drop-outs.
        use super::*;
        use crate::schedule::{evaluate, SCHEDULE};
        use proptest::prelude::*;

        const ON: &str = "2026-11-22";

        /// A child under 5 on [`ON`] and a history in schedule order: each dose of the child's
        /// schedule given or not (a later dose of a series only after the one it follows), each
        /// given one some days after its due age (and after the previous given one).
        fn a_child() -> impl Strategy<Value = (Date, Vec<Given>)> {
            (0i64..(5 * 365 - 1), proptest::collection::vec((any::<bool>(), 0u64..120), SCHEDULE.len())).prop_map(
                |(age_days, choices)| {
                    let on = d(ON);
                    let dob = on - chrono::Days::new(age_days as u64);
                    let mut history = Vec::new();
                    let mut last = dob;
                    for (rule, (give, late)) in SCHEDULE.iter().zip(choices) {
                        let follows = match rule.after {
                            crate::schedule::After::Dose(prev, _) => history.iter().any(|g: &Given| g.code == prev),
                            _ => true,
                        };
                        if !give || !follows || rule.code.kind() != Kind::Child {
                            continue;
                        }
                        let Some(due) = rule.due.after(dob) else { continue };
                        let date = due.max(last) + chrono::Days::new(late);
                        if date <= on {
                            history.push(Given { code: rule.code, date });
                            last = date;
                        }
                    }
                    (dob, history)
                },
            )
        }

        fn person(dob: Date) -> Person {
            Person { anchor: dob, ..child("X", ON) }
        }

        proptest! {
            #[test]
            fn a_fully_immunized_child_is_no_drop_out_and_a_drop_out_is_classified_so((dob, history) in a_child()) {
                let on = d(ON);
                let people = [(person(dob), history.clone())];
                let c = cover(&people, ON);
                let d = c.dropout;
                let fic = c.fic.fully_immunized == 1;
                let classified = classify(&evaluate(&person(dob).subject(), &history, on, &ScheduleSettings::default()));
                for (pair, (from, to)) in [d.penta1_penta3, d.penta1_mr1, d.bcg_mr1, d.mr1_mr2].iter().zip(DROP_OUT_PAIRS) {
                    prop_assert!(pair.from <= pair.cohort && pair.to <= pair.cohort);
                    let dropped = pair.from == 1 && pair.to == 0;
                    if fic && to != DoseCode::Mr2 {
                        prop_assert!(!dropped, "an FIC child counted as a {from:?} → {to:?} drop-out");
                    }
                    if dropped {
                        prop_assert_eq!(classified, Classification::DropOut, "{:?} → {:?}", from, to);
                    }
                }
            }

            #[test]
            fn the_first_dose_of_a_series_given_today_never_raises_its_rate((dob, history) in a_child()) {
                let on = d(ON);
                let done = given(&[(DoseCode::Penta1, "2025-06-12"), (DoseCode::Penta3, "2025-07-24"),
                                   (DoseCode::Mr1, "2026-02-05")]);
                for first in [DoseCode::Penta1, DoseCode::Mr1] {
                    if history.iter().any(|g| g.code == first) {
                        continue;
                    }
                    let mut people = vec![(child("A", "2025-05-01"), done.clone()), (person(dob), history.clone())];
                    let rate = |c: &Coverage| if first == DoseCode::Penta1 { c.dropout.penta1_penta3.rate } else { c.dropout.mr1_mr2.rate };
                    let before = rate(&cover(&people, ON));
                    people[1].1.push(Given { code: first, date: on });
                    prop_assert_eq!(rate(&cover(&people, ON)), before, "{:?} given today", first);
                }
            }
        }
    }
}
