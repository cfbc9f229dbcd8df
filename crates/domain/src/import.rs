//! The register import's rules: checked register rows ([`RegisterRow`]) turned into the events
//! that bring a register in line with them, given what it already holds ([`Standing`]).
//!
//! Import is idempotent: a row that matches the register makes no event, so importing the same
//! register twice changes nothing. An empty cell means "not stated" and never clears a value. A
//! dose whose date differs from the one on record is a correction: a new event that supersedes
//! the old record (which stays in the log). Pure: the ids of new records come from the caller.
//! The device store (`Store::import_register`, which every register and FHIR import ends in) and
//! the server (`teeka-server import fhir`) both use it.

use crate::codes::{AreaLevel, BeneficiaryStatus, DoseCode, Kind};
use crate::dates::{iso, Date};
use crate::facts::{status_change, BeneficiaryFacts, HouseholdFacts};
use crate::model::{BeneficiaryField, EventBody, HouseholdField};
use crate::record::dose_warnings;
use crate::register::{RegisterErrors, RegisterRow, RowError, MAX_REPORTED};
use crate::schedule::{Given, ScheduleSettings, Subject};
use std::collections::HashMap;
use uuid::Uuid;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub rows: usize,
    pub villages_added: usize,
    pub households_added: usize,
    pub households_updated: usize,
    pub beneficiaries_added: usize,
    pub beneficiaries_updated: usize,
    pub doses_added: usize,
    pub doses_corrected: usize,
    pub events: usize,
    /// Doses recorded although outside their schedule window, and corrections made.
    pub warnings: Vec<String>,
}

/// A beneficiary on record, as the import compares a row with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBeneficiary {
    pub id: Uuid,
    pub kind: Kind,
    pub household: Uuid,
    pub facts: BeneficiaryFacts,
    pub status: BeneficiaryStatus,
}

/// What a register holds, as the import reads it.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    /// Each village by its name folded to ASCII lower case: its id and whether JE vaccine is
    /// given there.
    pub villages: HashMap<String, (Uuid, bool)>,
    /// Each household by its register id: its id, its village and its facts.
    pub households: HashMap<String, (Uuid, Option<Uuid>, HouseholdFacts)>,
    /// Each beneficiary by its register id.
    pub beneficiaries: HashMap<String, KnownBeneficiary>,
    /// Each beneficiary's doses on record (not superseded): id, code and date.
    pub doses: HashMap<Uuid, Vec<(Uuid, DoseCode, Date)>>,
}

/// The events an import of `rows` makes in a register holding `standing` (the villages, the
/// households, then each row's beneficiary and doses), with its summary (`events` counted); or
/// every problem located, when any row cannot be taken. A village no row's name matches is
/// defined (without a parent: a device's own naming). `new_id` makes the id of each new record.
pub fn import_events(
    rows: &[RegisterRow],
    mut standing: Standing,
    settings: &ScheduleSettings,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<(Vec<EventBody>, ImportSummary), RegisterErrors> {
    let mut summary = ImportSummary { rows: rows.len(), ..ImportSummary::default() };
    let mut errors = Vec::new();
    let mut bodies = Vec::new();

    // Villages first, then each household's facts merged over all its rows.
    let mut merged: HashMap<&str, (Option<Uuid>, HouseholdFacts)> = HashMap::new();
    for row in rows {
        let village = match standing.villages.get(&row.village.to_ascii_lowercase()) {
            Some((id, _)) => *id,
            None => {
                let id = new_id();
                standing.villages.insert(row.village.to_ascii_lowercase(), (id, false));
                bodies.push(EventBody::AreaDefined {
                    area: id,
                    level: AreaLevel::Village,
                    name: row.village.clone(),
                    parent: None,
                });
                summary.villages_added += 1;
                id
            }
        };
        let (v, f) = merged.entry(row.household_id.as_str()).or_default();
        *v = v.or(Some(village));
        let stated = &row.household;
        f.house_no = f.house_no.take().or_else(|| stated.house_no.clone());
        f.head_of_household = f.head_of_household.take().or_else(|| stated.head_of_household.clone());
        f.phone = f.phone.take().or_else(|| stated.phone.clone());
        f.risk_category = f.risk_category.or(stated.risk_category);
    }
    let mut order: Vec<&str> = merged.keys().copied().collect();
    order.sort_unstable();
    for hid in order {
        let (village, new) = &merged[hid];
        match standing.households.get(hid) {
            None => {
                let id = new_id();
                let mut fields: Vec<HouseholdField> = village.map(HouseholdField::Village).into_iter().collect();
                fields.extend(new.changes_from(&HouseholdFacts::default()));
                bodies.push(EventBody::HouseholdRegistered { household: id, household_id: hid.to_string(), fields });
                standing.households.insert(hid.to_string(), (id, *village, new.clone()));
                summary.households_added += 1;
            }
            Some((id, old_village, old)) => {
                let mut fields = Vec::new();
                if village.is_some() && village != old_village {
                    fields.extend(village.map(HouseholdField::Village));
                }
                fields.extend(new.changes_from(old));
                if !fields.is_empty() {
                    bodies.push(EventBody::HouseholdUpdated { household: *id, fields });
                    summary.households_updated += 1;
                }
            }
        }
    }

    for row in rows {
        let Some((household, _, _)) = standing.households.get(&row.household_id) else { continue };
        let household = *household;
        let je_endemic = standing.villages.get(&row.village.to_ascii_lowercase()).is_some_and(|v| v.1);
        let id = match standing.beneficiaries.get(&row.register_id) {
            None if row.implausible.is_some() => {
                errors.extend(row.implausible.clone());
                continue;
            }
            None => {
                let id = new_id();
                let mut fields = vec![BeneficiaryField::Household(household)];
                fields.extend(row.facts.changes_from(&BeneficiaryFacts::default()));
                fields.push(BeneficiaryField::Status(row.status.unwrap_or(BeneficiaryStatus::Active)));
                bodies.push(EventBody::BeneficiaryRegistered {
                    beneficiary: id,
                    register_id: row.register_id.clone(),
                    kind: row.kind,
                    fields,
                });
                summary.beneficiaries_added += 1;
                id
            }
            Some(k) if k.kind != row.kind => {
                errors.push(RowError {
                    line: row.line,
                    column: Some("kind".into()),
                    message: format!("register id '{}' is already on record as a {}", row.register_id, k.kind.words()),
                });
                continue;
            }
            Some(k) => {
                let mut fields = Vec::new();
                if k.household != household {
                    fields.push(BeneficiaryField::Household(household));
                }
                fields.extend(row.facts.changes_from(&k.facts));
                fields.extend(status_change(row.status, k.status));
                let dates_or_status = |f: &BeneficiaryField| {
                    matches!(f, BeneficiaryField::Dob(_) | BeneficiaryField::Lmp(_) | BeneficiaryField::Status(_))
                };
                if let (Some(problem), true) = (&row.implausible, fields.iter().any(dates_or_status)) {
                    errors.push(problem.clone());
                    continue;
                }
                if !fields.is_empty() {
                    bodies.push(EventBody::BeneficiaryUpdated { beneficiary: k.id, fields });
                    summary.beneficiaries_updated += 1;
                }
                k.id
            }
        };
        let anchor = if row.kind == Kind::Child { row.facts.dob } else { row.facts.lmp };
        let on_record = standing.doses.get(&id).cloned().unwrap_or_default();
        // A changed DOB or LMP must not leave a dose on record before it. A dose this row
        // corrects (the earliest of its code, when the row gives that code another date) is
        // checked as corrected, by the parser.
        if let Some(anchor) = anchor {
            let corrected: Vec<Uuid> = row
                .doses
                .iter()
                .filter_map(|&(code, date)| {
                    let same: Vec<_> = on_record.iter().filter(|d| d.1 == code).collect();
                    if same.iter().any(|d| d.2 == date) {
                        return None;
                    }
                    same.iter().min_by_key(|d| d.2).map(|d| d.0)
                })
                .collect();
            if let Some((_, code, date)) =
                on_record.iter().filter(|d| d.2 < anchor && !corrected.contains(&d.0)).min_by_key(|d| d.2)
            {
                let (column, what) = if row.kind == Kind::Child { ("dob", "birth") } else { ("lmp", "the LMP") };
                errors.push(RowError {
                    line: row.line,
                    column: Some(column.into()),
                    message: format!(
                        "{code} is on record as given on {}, before {what} ({}); correct that dose date too",
                        iso(*date),
                        iso(anchor)
                    ),
                });
                continue;
            }
        }
        for &(code, date) in &row.doses {
            let same_code: Vec<&(Uuid, DoseCode, Date)> = on_record.iter().filter(|d| d.1 == code).collect();
            if same_code.iter().any(|d| d.2 == date) {
                continue;
            }
            let corrects = same_code.iter().min_by_key(|d| d.2).map(|d| (d.0, d.2));
            if let Some(anchor) = anchor {
                let mut history: Vec<Given> = on_record
                    .iter()
                    .filter(|d| Some(d.0) != corrects.map(|c| c.0))
                    .map(|d| Given { code: d.1, date: d.2 })
                    .collect();
                history.extend(row.doses.iter().filter(|d| d.0 != code).map(|&(code, date)| Given { code, date }));
                let subject = Subject { kind: row.kind, anchor, je_endemic };
                for w in dose_warnings(&subject, &history, code, date, settings) {
                    summary.warnings.push(format!("line {} ({}): {w}", row.line, row.register_id));
                }
            }
            if let Some((_, old)) = corrects {
                summary.warnings.push(format!(
                    "line {} ({}): {code} corrected from {} to {}",
                    row.line,
                    row.register_id,
                    iso(old),
                    iso(date)
                ));
                summary.doses_corrected += 1;
            } else {
                summary.doses_added += 1;
            }
            bodies.push(EventBody::DoseGiven {
                beneficiary: id,
                code,
                date,
                corrects: corrects.map(|c| c.0),
                session: None,
            });
        }
    }
    if !errors.is_empty() {
        let more = errors.len().saturating_sub(MAX_REPORTED);
        errors.truncate(MAX_REPORTED);
        return Err(RegisterErrors { errors, more });
    }
    summary.events = bodies.len();
    Ok((bodies, summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::model::Event;
    use crate::register::parse_register;
    use crate::replay::Replay;

    const HEADER: &str = "register_id,household_id,village,kind,name,sex,dob,BCG,OPV0";

    fn rows(body: &str) -> Vec<RegisterRow> {
        let today = Date::from_ymd_opt(2026, 3, 1).unwrap();
        parse_register(format!("{HEADER}\n{body}").as_bytes(), today).unwrap()
    }

    /// Ids 1, 2, 3…
    fn ids() -> impl FnMut() -> Uuid {
        let mut n = 0u128;
        move || {
            n += 1;
            Uuid::from_u128(n)
        }
    }

    /// The events applied to a replay, as a store of the device would hold them.
    fn replayed(replay: &mut Replay, bodies: Vec<EventBody>, first: u128) {
        for (i, body) in bodies.into_iter().enumerate() {
            let event = Event {
                id: Uuid::from_u128(first + i as u128),
                device_id: Uuid::nil(),
                hlc: Hlc { wall_ms: 1_000 + first as u64, counter: i as u32 },
                author: "test".into(),
                worker: None,
                recorded_at: chrono::DateTime::UNIX_EPOCH,
                body,
            };
            replay.apply(&event).unwrap();
        }
    }

    #[test]
    fn the_register_read_back_from_its_events_imports_as_its_changes_only() {
        let mut new_id = ids();
        let settings = ScheduleSettings::default();
        let first = rows("R-1,H-1,Rampur,child,Asha,F,2025-06-01,2025-06-01,2025-06-01\nR-2,H-1,Rampur,child,Ravi,M,2025-07-01,2025-07-01,");
        let (bodies, s) = import_events(&first, Standing::default(), &settings, &mut new_id).unwrap();
        assert_eq!(
            (s.villages_added, s.households_added, s.beneficiaries_added, s.doses_added, s.events),
            (1, 1, 2, 3, 7)
        );
        let mut replay = Replay::default();
        replayed(&mut replay, bodies, 100);

        // The same rows again: nothing.
        let (again, s) = import_events(&first, replay.standing(), &settings, &mut new_id).unwrap();
        assert!(again.is_empty(), "{again:?}");
        assert_eq!((s.rows, s.events, s.warnings.len()), (2, 0, 0));

        // R-1's BCG on another date corrects the one on record; R-2's OPV0 is added; a new
        // household in a new village.
        let changed = rows(
            "R-1,H-1,Rampur,child,Asha,F,2025-06-01,2025-06-02,2025-06-01\nR-2,H-1,Rampur,child,Ravi,M,2025-07-01,2025-07-01,2025-07-01\nR-3,H-2,Kheri,child,Gita,F,2025-08-01,,",
        );
        let standing = replay.standing();
        let bcg = standing.doses[&standing.beneficiaries["R-1"].id].iter().find(|d| d.1 == DoseCode::Bcg).unwrap().0;
        let (bodies, s) = import_events(&changed, standing, &settings, &mut new_id).unwrap();
        assert_eq!(
            (s.villages_added, s.households_added, s.beneficiaries_added, s.doses_added, s.doses_corrected),
            (1, 1, 1, 1, 1)
        );
        assert!(bodies
            .iter()
            .any(|b| matches!(b, EventBody::DoseGiven { code: DoseCode::Bcg, corrects: Some(c), .. } if *c == bcg)));
        replayed(&mut replay, bodies, 200);
        let (again, _) = import_events(&changed, replay.standing(), &settings, &mut new_id).unwrap();
        assert!(again.is_empty(), "{again:?}");
    }

    #[test]
    fn a_row_that_contradicts_the_register_is_located_and_nothing_is_made() {
        let mut new_id = ids();
        let settings = ScheduleSettings::default();
        let (bodies, _) = import_events(
            &rows("R-1,H-1,Rampur,child,Asha,F,2025-06-01,2025-06-01,"),
            Standing::default(),
            &settings,
            &mut new_id,
        )
        .unwrap();
        let mut replay = Replay::default();
        replayed(&mut replay, bodies, 100);
        let as_woman = format!("{HEADER},lmp\nR-1,H-1,Rampur,pregnant_woman,Asha,F,,,,2026-01-01");
        let today = Date::from_ymd_opt(2026, 3, 1).unwrap();
        let rows = parse_register(as_woman.as_bytes(), today).unwrap();
        let err = import_events(&rows, replay.standing(), &settings, &mut new_id).unwrap_err();
        assert_eq!(err.errors.len(), 1);
        assert_eq!((err.errors[0].line, err.errors[0].column.as_deref()), (2, Some("kind")));
        assert!(err.errors[0].message.contains("already on record as a child"), "{}", err.errors[0].message);
    }
}
