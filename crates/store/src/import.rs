//! Register import: turns checked register rows into the events that bring the store in line
//! with them, and appends those in one transaction — all rows or none.
//!
//! Import is idempotent: a row that matches the store makes no event, so importing the same
//! register twice changes nothing. An empty cell means "not stated" and never clears a value. A
//! dose whose date differs from the one on record is a correction: a new event that supersedes
//! the old record (which stays in the log).

use crate::append::{append_in, Ctx};
use crate::error::{Result, StoreError};
use crate::store::Store;
use rusqlite::TransactionBehavior;
use std::collections::HashMap;
use teeka_domain::facts::status_change;
use teeka_domain::record::dose_warnings;
use teeka_domain::register::{RegisterErrors, RegisterRow, RowError};
use teeka_domain::{
    iso, AreaLevel, BeneficiaryFacts, BeneficiaryField, BeneficiaryStatus, Date, DoseCode, EventBody, Given,
    HouseholdFacts, HouseholdField, Kind, Subject,
};
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

struct Known {
    id: Uuid,
    kind: Kind,
    household: Uuid,
    facts: BeneficiaryFacts,
    status: BeneficiaryStatus,
}

impl Store {
    /// Imports checked register rows: all of them, or nothing and every problem located.
    pub fn import_register(&mut self, rows: &[RegisterRow], ctx: &Ctx) -> Result<ImportSummary> {
        let settings = self.settings()?;
        let device_id = self.device_id;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut villages: HashMap<String, (Uuid, bool)> = HashMap::new();
        {
            let mut stmt = tx.prepare("SELECT name, id, je_endemic FROM areas WHERE level = 'village' ORDER BY id")?;
            let mut r = stmt.query([])?;
            while let Some(row) = r.next()? {
                let name: String = row.get(0)?;
                let id = uuid(&row.get::<_, String>(1)?)?;
                villages.entry(name.to_ascii_lowercase()).or_insert((id, row.get(2)?));
            }
        }
        // Each household's register id: its id, its village and its facts.
        let mut households: HashMap<String, (Uuid, Option<Uuid>, HouseholdFacts)> = HashMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT household_id, id, village_id, house_no, head_of_household, phone, risk_category FROM households",
            )?;
            let mut r = stmt.query([])?;
            while let Some(row) = r.next()? {
                let facts = HouseholdFacts {
                    house_no: row.get(3)?,
                    head_of_household: row.get(4)?,
                    phone: row.get(5)?,
                    risk_category: row.get::<_, Option<String>>(6)?.map(|t| parse(&t)).transpose()?,
                };
                let village = Some(uuid(&row.get::<_, String>(2)?)?);
                households.insert(row.get(0)?, (uuid(&row.get::<_, String>(1)?)?, village, facts));
            }
        }
        let mut known: HashMap<String, Known> = HashMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT register_id, id, kind, household_id, name, sex, dob, lmp, mother_name, status, abha, rch_id, uwin_id
                 FROM beneficiaries",
            )?;
            let mut r = stmt.query([])?;
            while let Some(row) = r.next()? {
                let date = |i: usize| -> Result<Option<Date>> {
                    row.get::<_, Option<String>>(i)?.map(|t| parse(&t)).transpose()
                };
                known.insert(
                    row.get(0)?,
                    Known {
                        id: uuid(&row.get::<_, String>(1)?)?,
                        kind: parse(&row.get::<_, String>(2)?)?,
                        household: uuid(&row.get::<_, String>(3)?)?,
                        facts: BeneficiaryFacts {
                            name: row.get(4)?,
                            sex: row.get::<_, Option<String>>(5)?.map(|t| parse(&t)).transpose()?,
                            dob: date(6)?,
                            lmp: date(7)?,
                            mother_name: row.get(8)?,
                            abha: row.get(10)?,
                            rch_id: row.get(11)?,
                            uwin_id: row.get(12)?,
                        },
                        status: parse(&row.get::<_, String>(9)?)?,
                    },
                );
            }
        }
        let mut doses: HashMap<Uuid, Vec<(Uuid, DoseCode, Date)>> = HashMap::new();
        {
            let mut stmt =
                tx.prepare("SELECT beneficiary_id, id, code, date FROM doses WHERE superseded_by IS NULL")?;
            let mut r = stmt.query([])?;
            while let Some(row) = r.next()? {
                doses.entry(uuid(&row.get::<_, String>(0)?)?).or_default().push((
                    uuid(&row.get::<_, String>(1)?)?,
                    parse(&row.get::<_, String>(2)?)?,
                    parse(&row.get::<_, String>(3)?)?,
                ));
            }
        }

        let mut summary = ImportSummary { rows: rows.len(), ..ImportSummary::default() };
        let mut errors = Vec::new();
        let mut bodies = Vec::new();

        // Villages first, then each household's facts merged over all its rows.
        let mut merged: HashMap<&str, (Option<Uuid>, HouseholdFacts)> = HashMap::new();
        for row in rows {
            let village = match villages.get(&row.village.to_ascii_lowercase()) {
                Some((id, _)) => *id,
                None => {
                    let id = Uuid::now_v7();
                    villages.insert(row.village.to_ascii_lowercase(), (id, false));
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
            match households.get(hid) {
                None => {
                    let id = Uuid::now_v7();
                    let mut fields: Vec<HouseholdField> = village.map(HouseholdField::Village).into_iter().collect();
                    fields.extend(new.changes_from(&HouseholdFacts::default()));
                    bodies.push(EventBody::HouseholdRegistered {
                        household: id,
                        household_id: hid.to_string(),
                        fields,
                    });
                    households.insert(hid.to_string(), (id, *village, new.clone()));
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
            let Some((household, _, _)) = households.get(&row.household_id) else { continue };
            let household = *household;
            let je_endemic = villages.get(&row.village.to_ascii_lowercase()).is_some_and(|v| v.1);
            let id = match known.get(&row.register_id) {
                None if row.implausible.is_some() => {
                    errors.extend(row.implausible.clone());
                    continue;
                }
                None => {
                    let id = Uuid::now_v7();
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
                        message: format!(
                            "register id '{}' is already on record as a {}",
                            row.register_id,
                            k.kind.words()
                        ),
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
            let on_record = doses.get(&id).cloned().unwrap_or_default();
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
                    for w in dose_warnings(&subject, &history, code, date, &settings) {
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
            let more = errors.len().saturating_sub(teeka_domain::register::MAX_REPORTED);
            errors.truncate(teeka_domain::register::MAX_REPORTED);
            return Err(StoreError::Register(RegisterErrors { errors, more }));
        }
        summary.events = bodies.len();
        append_in(&tx, device_id, ctx, bodies)?;
        tx.commit()?;
        Ok(summary)
    }
}

fn uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("id '{text}': {e}")))
}

fn parse<T: std::str::FromStr>(text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| StoreError::Corrupt(format!("'{text}': {e}")))
}
