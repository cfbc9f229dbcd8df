//! Applies an event to the projection tables. Facts are inserted; mutable fields follow
//! last-writer-wins per field, ordered by (HLC stamp, device id), so every replica that has seen
//! the same events holds the same state whatever order they arrived in.

use crate::error::{Result, StoreError};
use rusqlite::types::{ToSql, Value};
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::{HashMap, HashSet};
use teeka_domain::{
    iso, planned_session_key, AefiField, AreaLevel, BeneficiaryField, Date, DiscardReason, Event, EventBody,
    HouseholdField, SiteField,
};
use uuid::Uuid;

/// What applying a batch of events in one transaction keeps between them: the beneficiaries
/// whose doses changed (the caller packs their doses and sets their flags with
/// [`crate::packed::pack_doses`] before committing), and what the batch already looked up.
#[derive(Default)]
pub struct Batch {
    pub dirty: HashSet<Uuid>,
    /// Ids already resolved to their canonical id; emptied whenever an alias is made.
    resolved: HashMap<Uuid, Uuid>,
    /// Beneficiaries found held here (rows are never deleted, so this stays true).
    held: HashSet<Uuid>,
}

impl Batch {
    /// [`resolve`], remembered for the rest of the batch.
    fn resolve(&mut self, tx: &Transaction<'_>, id: Uuid) -> Result<Uuid> {
        if let Some(c) = self.resolved.get(&id) {
            return Ok(*c);
        }
        let c = resolve(tx, id)?;
        self.resolved.insert(id, c);
        Ok(c)
    }

    /// Whether the beneficiary (a canonical id) is held here.
    fn holds_beneficiary(&mut self, tx: &Transaction<'_>, id: Uuid) -> Result<bool> {
        if self.held.contains(&id) {
            return Ok(true);
        }
        let held = exists(tx, "beneficiaries", id)?;
        if held {
            self.held.insert(id);
        }
        Ok(held)
    }

    /// Makes `id` an alias of `canonical`.
    fn alias(&mut self, tx: &Transaction<'_>, id: Uuid, canonical: &str) -> Result<()> {
        self.resolved.clear();
        alias(tx, id, canonical)
    }
}

/// Applies one event of a batch.
pub fn apply(tx: &Transaction<'_>, event: &Event, batch: &mut Batch) -> Result<()> {
    let stamp = Stamp::of(event.stamp());
    match &event.body {
        EventBody::AreaDefined { area, level, name, parent } => {
            // A village named by a device (no parent) is the village of the same name already
            // here; two villages of the hierarchy (each with its sub-centre) are two villages,
            // whatever their names: a block's device holds the Rampur of each sub-centre.
            if *level == AreaLevel::Village {
                let same_name: Option<String> = tx
                    .prepare_cached(
                        "SELECT id FROM areas WHERE level = 'village' AND name = ?1 COLLATE NOCASE AND id <> ?2
                           AND (?3 IS NULL OR parent_id IS NULL)
                         ORDER BY id LIMIT 1",
                    )?
                    .query_row(params![name, area.to_string(), parent.map(|p| p.to_string())], |r| r.get(0))
                    .optional()?;
                if let Some(existing) = same_name {
                    // The village this device named before it knew the hierarchy now has its
                    // place in it: the parent of the one it stands for.
                    if let Some(p) = parent {
                        let p = resolve(tx, *p)?;
                        tx.prepare_cached("UPDATE areas SET parent_id = ?1 WHERE id = ?2 AND parent_id IS NULL")?
                            .execute(params![p.to_string(), existing])?;
                    }
                    return batch.alias(tx, *area, &existing);
                }
            }
            let parent = parent.map(|p| resolve(tx, p)).transpose()?;
            tx.prepare_cached(
                "INSERT INTO areas (id, level, name, parent_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![area.to_string(), level.as_str(), name, parent.map(|p| p.to_string())])?;
        }
        EventBody::VillageJeEndemicSet { area, je_endemic } => {
            set_field(tx, "areas", resolve(tx, *area)?, "je_endemic", &stamp, je_endemic)?;
        }
        EventBody::VillageAshaSet { area, name, phone } => {
            let area = resolve(tx, *area)?;
            set_field(tx, "areas", area, "asha_name", &stamp, name)?;
            set_field(tx, "areas", area, "asha_phone", &stamp, phone)?;
        }
        EventBody::HouseholdRegistered { household, household_id, fields } => {
            match registered_as(tx, "SELECT id FROM households WHERE household_id = ?1", household_id, *household)? {
                Some(e) => {
                    batch.alias(tx, *household, &e)?;
                    set_household_fields(tx, parse_id(&e)?, fields, &stamp)?;
                }
                _ => {
                    let village = fields
                        .iter()
                        .find_map(|f| match f {
                            HouseholdField::Village(v) => Some(*v),
                            _ => None,
                        })
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!("household {household_id} registered without a village"))
                        })?;
                    let village = resolve(tx, village)?;
                    if !exists(tx, "areas", village)? {
                        return Ok(());
                    }
                    tx.prepare_cached(
                        "INSERT INTO households (id, household_id, village_id) VALUES (?1, ?2, ?3)
                         ON CONFLICT (id) DO NOTHING",
                    )?
                    .execute(params![
                        household.to_string(),
                        household_id,
                        resolve(tx, village)?.to_string()
                    ])?;
                    set_household_fields(tx, *household, fields, &stamp)?;
                }
            }
        }
        EventBody::HouseholdUpdated { household, fields } => {
            set_household_fields(tx, resolve(tx, *household)?, fields, &stamp)?
        }
        EventBody::BeneficiaryRegistered { beneficiary, register_id, kind, fields } => {
            match registered_as(tx, "SELECT id FROM beneficiaries WHERE register_id = ?1", register_id, *beneficiary)? {
                Some(e) => {
                    batch.alias(tx, *beneficiary, &e)?;
                    set_beneficiary_fields(tx, parse_id(&e)?, fields, &stamp)?;
                    replay_early(tx, *beneficiary, batch)?;
                }
                _ => {
                    let mut name = None;
                    let mut household = None;
                    for f in fields {
                        match f {
                            BeneficiaryField::Name(n) => name = Some(n.clone()),
                            BeneficiaryField::Household(h) => household = Some(*h),
                            _ => {}
                        }
                    }
                    let (Some(name), Some(household)) = (name, household) else {
                        return Err(StoreError::Corrupt(format!(
                            "beneficiary {register_id} registered without a name or household"
                        )));
                    };
                    let household = resolve(tx, household)?;
                    if !exists(tx, "households", household)? {
                        return Ok(());
                    }
                    tx.prepare_cached(
                        "INSERT INTO beneficiaries (id, register_id, household_id, kind, name, status)
                         VALUES (?1, ?2, ?3, ?4, ?5, 'active') ON CONFLICT (id) DO NOTHING",
                    )?
                    .execute(params![
                        beneficiary.to_string(),
                        register_id,
                        household.to_string(),
                        kind.as_str(),
                        name
                    ])?;
                    set_beneficiary_fields(tx, *beneficiary, fields, &stamp)?;
                    replay_early(tx, *beneficiary, batch)?;
                }
            }
        }
        EventBody::BeneficiaryUpdated { beneficiary, fields } => {
            set_beneficiary_fields(tx, resolve(tx, *beneficiary)?, fields, &stamp)?
        }
        EventBody::DoseGiven { beneficiary, code, date, corrects, session } => {
            let beneficiary = batch.resolve(tx, *beneficiary)?;
            if !batch.holds_beneficiary(tx, beneficiary)? {
                return Ok(());
            }
            let id = event.id.to_string();
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO doses (id, beneficiary_id, code, date, corrects, superseded_by, session_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, (SELECT id FROM doses WHERE corrects = ?1 ORDER BY id LIMIT 1), ?6)
                     ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    id,
                    beneficiary.to_string(),
                    code.as_str(),
                    iso(*date),
                    corrects.map(|c| c.to_string()),
                    session.map(|s| s.to_string())
                ])?;
            if inserted == 0 {
                return Ok(());
            }
            // The flags of the same dose twice are set again with the packed doses.
            batch.dirty.insert(beneficiary);
            if let Some(old) = corrects {
                let owner: Option<String> = tx
                    .prepare_cached("UPDATE doses SET superseded_by = ?1 WHERE id = ?2 RETURNING beneficiary_id")?
                    .query_row(params![id, old.to_string()], |r| r.get(0))
                    .optional()?;
                if let Some(o) = owner {
                    batch.dirty.insert(parse_id(&o)?);
                }
            }
        }
        EventBody::DoseNotGiven { beneficiary, code, date, reason, corrects, session, note } => {
            let beneficiary = resolve(tx, *beneficiary)?;
            if !exists(tx, "beneficiaries", beneficiary)? {
                return Ok(());
            }
            let id = event.id.to_string();
            // Superseded at once by a correction or a withdrawal that arrived first.
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO not_given (id, beneficiary_id, code, date, reason, corrects, superseded_by, session_id, note)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                             coalesce((SELECT id FROM not_given WHERE corrects = ?1 ORDER BY id LIMIT 1),
                                      (SELECT withdrawn_by FROM not_given_withdrawn WHERE record_id = ?1)),
                             ?7, ?8)
                     ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    id,
                    beneficiary.to_string(),
                    code.as_str(),
                    iso(*date),
                    reason.as_str(),
                    corrects.map(|c| c.to_string()),
                    session.map(|s| s.to_string()),
                    note
                ])?;
            if inserted == 0 {
                return Ok(());
            }
            if let Some(old) = corrects {
                tx.prepare_cached("UPDATE not_given SET superseded_by = ?1 WHERE id = ?2")?
                    .execute(params![id, old.to_string()])?;
            }
            // A refusal makes the household resistant while it stands: derived when read
            // (`records::RESISTANT`), never a flag set here.
        }
        EventBody::NotGivenWithdrawn { records, .. } => {
            let id = event.id.to_string();
            for record in records {
                tx.prepare_cached(
                    "INSERT INTO not_given_withdrawn (record_id, withdrawn_by) VALUES (?1, ?2)
                     ON CONFLICT (record_id) DO NOTHING",
                )?
                .execute(params![record.to_string(), id])?;
                tx.prepare_cached("UPDATE not_given SET superseded_by = ?1 WHERE id = ?2 AND superseded_by IS NULL")?
                    .execute(params![id, record.to_string()])?;
            }
        }
        EventBody::SessionOpened { session, site, date, session_site } => {
            let site = resolve(tx, *site)?;
            if !exists(tx, "areas", site)? {
                // A site outside this device's area: the event stays in the log.
                return Ok(());
            }
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO sessions (id, site_id, date, session_site_id) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    session.to_string(),
                    site.to_string(),
                    iso(*date),
                    session_site.map(|s| resolve(tx, s)).transpose()?.map(|s| s.to_string())
                ])?;
            if inserted == 1 {
                // Closings that arrived before this opening.
                let sql = "SELECT hlc, device_id, body FROM events
                           WHERE kind = 'session_closed' AND json_extract(body, '$.session') = ?1 ORDER BY seq";
                for (stamp, body) in logged(tx, sql, *session)? {
                    if let EventBody::SessionClosed { session, vials } = body {
                        close(tx, session, &vials, &Stamp::of(stamp))?;
                    }
                }
            }
        }
        EventBody::SessionClosed { session, vials } => close(tx, *session, vials, &stamp)?,
        EventBody::DeliveryRecorded { beneficiary, household, date, outcome, mother_name, newborns } => {
            let mother = resolve(tx, *beneficiary)?;
            if !exists(tx, "beneficiaries", mother)? {
                // Not registered here (yet): kept in the log, applied when the mother's
                // registration comes.
                return Ok(());
            }
            // Applied once: a later registration of the mother's id finds it in the log again.
            let first = tx
                .prepare_cached("INSERT INTO deliveries (id, mother_id) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING")?
                .execute(params![event.id.to_string(), mother.to_string()])?;
            if first == 0 {
                return Ok(());
            }
            set_beneficiary_fields(tx, mother, &[BeneficiaryField::Status(outcome.mother_status())], &stamp)?;
            let t = "beneficiaries";
            let live_births = i64::try_from(newborns.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            set_field(tx, t, mother, "delivered_on", &stamp, &iso(*date))?;
            set_field(tx, t, mother, "delivery_outcome", &stamp, &outcome.as_str())?;
            set_field(tx, t, mother, "live_births", &stamp, &live_births)?;
            for n in newborns {
                // The newborn's registration, as its own event would carry it (aliases and all).
                let registration = Event { body: n.registration(*household, *date, mother_name), ..event.clone() };
                apply(tx, &registration, batch)?;
                let child = resolve(tx, n.beneficiary)?;
                set_field(tx, t, child, "mother_id", &stamp, &mother.to_string())?;
            }
        }
        EventBody::AefiReported {
            aefi,
            beneficiary,
            session,
            date,
            severity,
            observed,
            codes,
            signs,
            onset,
            referral,
        } => {
            let beneficiary = resolve(tx, *beneficiary)?;
            if !exists(tx, "beneficiaries", beneficiary)? {
                // Not registered here (yet): kept in the log, applied when the registration comes.
                return Ok(());
            }
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO aefi (id, beneficiary_id, session_id, date, severity, observed, codes)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, '[]') ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    aefi.to_string(),
                    beneficiary.to_string(),
                    session.map(|s| s.to_string()),
                    iso(*date),
                    severity.as_str(),
                    observed,
                ])?;
            if inserted == 1 {
                let fields = [
                    AefiField::Severity(*severity),
                    AefiField::Observed(observed.clone()),
                    AefiField::Codes(codes.clone()),
                    AefiField::Signs(signs.clone()),
                    AefiField::Onset(*onset),
                    AefiField::Referral(*referral),
                ];
                set_aefi_fields(tx, *aefi, &fields, &stamp)?;
                // Edits that arrived before the report.
                for (stamp, body) in aefi_edits(tx, *aefi)? {
                    if let EventBody::AefiUpdated { aefi, fields, .. } = body {
                        set_aefi_fields(tx, aefi, &fields, &Stamp::of(stamp))?;
                    }
                }
            }
        }
        EventBody::AefiUpdated { aefi, fields, .. } => set_aefi_fields(tx, *aefi, fields, &stamp)?,
        EventBody::SiteRegistered { site, site_id, fields } => {
            match registered_as(tx, "SELECT id FROM sites WHERE site_id = ?1", site_id, *site)? {
                Some(e) => {
                    batch.alias(tx, *site, &e)?;
                    set_site_fields(tx, parse_id(&e)?, fields, &stamp)?;
                }
                None => {
                    let name = fields.iter().find_map(|f| match f {
                        SiteField::Name(n) => Some(n.clone()),
                        _ => None,
                    });
                    let site_type = fields.iter().find_map(|f| match f {
                        SiteField::SiteType(t) => Some(*t),
                        _ => None,
                    });
                    let (Some(name), Some(site_type)) = (name, site_type) else {
                        return Err(StoreError::Corrupt(format!("site {site_id} registered without a name or type")));
                    };
                    tx.prepare_cached(
                        "INSERT INTO sites (id, site_id, name, site_type) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (id) DO NOTHING",
                    )?
                    .execute(params![site.to_string(), site_id, name, site_type.as_str()])?;
                    set_site_fields(tx, *site, fields, &stamp)?;
                }
            }
        }
        EventBody::SiteUpdated { site, fields } => set_site_fields(tx, resolve(tx, *site)?, fields, &stamp)?,
        EventBody::RoundDefined { round, number, start, working_days, ri_days, holidays } => {
            let id = match registered_as(tx, "SELECT id FROM rounds WHERE number = ?1", &number.to_string(), *round)? {
                Some(e) => {
                    batch.alias(tx, *round, &e)?;
                    parse_id(&e)?
                }
                None => {
                    tx.prepare_cached(
                        "INSERT INTO rounds (id, number, start, working_days) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (id) DO NOTHING",
                    )?
                    .execute(params![round.to_string(), number, iso(*start), working_days])?;
                    *round
                }
            };
            set_field(tx, "rounds", id, "start", &stamp, &iso(*start))?;
            set_field(tx, "rounds", id, "working_days", &stamp, working_days)?;
            set_field(tx, "rounds", id, "ri_days", &stamp, &to_json(ri_days)?)?;
            for date in holidays {
                set_holiday(tx, id, *date, true, &stamp)?;
            }
        }
        EventBody::RoundHolidaySet { round, date, holiday } => {
            set_holiday(tx, resolve(tx, *round)?, *date, *holiday, &stamp)?
        }
        EventBody::SessionNotHeld { round, site, date, reason, note } => {
            if let Some(id) = planned_session(tx, *round, *site, *date)? {
                set_field(tx, "planned_sessions", id, "not_held_reason", &stamp, &reason.as_str())?;
                set_field(tx, "planned_sessions", id, "note", &stamp, note)?;
            }
        }
        EventBody::SessionRescheduled { round, site, date, to } => {
            if let Some(id) = planned_session(tx, *round, *site, *date)? {
                set_field(tx, "planned_sessions", id, "moved_to", &stamp, &iso(*to))?;
            }
        }
        EventBody::VialOpened { vial, session, antigen, batch, expiry, vvm, opened_at } => {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO vials (id, session_id, antigen, batch, expiry, vvm, opened_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    vial.to_string(),
                    session.to_string(),
                    antigen.as_str(),
                    batch,
                    expiry.map(iso),
                    vvm,
                    rfc3339(opened_at)
                ])?;
            if inserted == 1 {
                // Discards that arrived before the opening.
                let sql = "SELECT hlc, device_id, body FROM events
                           WHERE kind = 'vial_discarded' AND json_extract(body, '$.vial') = ?1 ORDER BY seq";
                for (stamp, body) in logged(tx, sql, *vial)? {
                    if let EventBody::VialDiscarded { vial, session, reason, at } = body {
                        discard(tx, vial, session, reason, &at, &Stamp::of(stamp))?;
                    }
                }
            }
        }
        EventBody::VialDiscarded { vial, session, reason, at } => discard(tx, *vial, *session, *reason, at, &stamp)?,
        // A resistant family's case file: fields by last-writer-wins, visits as facts. A
        // household not held here (outside this device's area) leaves them in the log only.
        EventBody::RefusalAssigned { household, persuader, name } => {
            if let Some(h) = case_file(tx, *household)? {
                set_field(tx, "case_files", h, "persuader", &stamp, &persuader.as_str())?;
                set_field(tx, "case_files", h, "persuader_name", &stamp, name)?;
            }
        }
        EventBody::RefusalEscalated { household, date, escalated, note } => {
            if let Some(h) = case_file(tx, *household)? {
                set_field(tx, "case_files", h, "escalated", &stamp, escalated)?;
                set_field(tx, "case_files", h, "escalated_on", &stamp, &iso(*date))?;
                set_field(tx, "case_files", h, "escalation_note", &stamp, note)?;
            }
        }
        EventBody::RefusalVisited { visit, household, date, by, by_name, action, outcome, note } => {
            let h = resolve(tx, *household)?;
            if exists(tx, "households", h)? {
                tx.prepare_cached(
                    "INSERT INTO case_visits (id, household_id, date, by_role, by_name, action, outcome, note)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    visit.to_string(),
                    h.to_string(),
                    iso(*date),
                    by.as_str(),
                    by_name,
                    action.as_str(),
                    outcome.as_str(),
                    note
                ])?;
            }
        }
        EventBody::ActivityRecorded { activity, village, date, kind, led_by, leader, attendance, note } => {
            let v = resolve(tx, *village)?;
            if exists(tx, "areas", v)? {
                tx.prepare_cached(
                    "INSERT INTO activities (id, village_id, date, kind, led_by, leader, attendance, note)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    activity.to_string(),
                    v.to_string(),
                    iso(*date),
                    kind.as_str(),
                    led_by,
                    leader.map(|l| l.as_str()),
                    attendance,
                    note
                ])?;
            }
        }
    }
    Ok(())
}

/// The edits of an AEFI report already in the log (those that arrived before it).
fn aefi_edits(tx: &Transaction<'_>, aefi: Uuid) -> Result<Vec<(teeka_domain::Stamp, EventBody)>> {
    let sql = "SELECT hlc, device_id, body FROM events
               WHERE kind = 'aefi_updated' AND json_extract(body, '$.aefi') = ?1 ORDER BY seq";
    logged(tx, sql, aefi)
}

/// The events already in the log that `sql` finds for `id` (`SELECT hlc, device_id, body …
/// = ?1`), in log order, each with its stamp: those that arrived before what they are about.
/// The kind and the JSON path are written out in each caller's `sql`, not parameters, so that
/// SQLite uses that kind's partial index instead of scanning the log.
fn logged(tx: &Transaction<'_>, sql: &'static str, id: Uuid) -> Result<Vec<(teeka_domain::Stamp, EventBody)>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params![id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|(hlc, device, body)| Ok((Stamp::parse(&hlc, &device)?, parse_body(&body)?))).collect()
}

/// Sets the fields of an AEFI report that win (none when the report is not here).
fn set_aefi_fields(tx: &Transaction<'_>, aefi: Uuid, fields: &[AefiField], stamp: &Stamp) -> Result<()> {
    for f in fields {
        let column = f.name();
        match f {
            AefiField::Severity(v) => set_field(tx, "aefi", aefi, column, stamp, &v.as_str())?,
            AefiField::Observed(v) => set_field(tx, "aefi", aefi, column, stamp, v)?,
            AefiField::Codes(v) => set_field(tx, "aefi", aefi, column, stamp, &to_json(v)?)?,
            AefiField::Signs(v) => set_field(tx, "aefi", aefi, column, stamp, &to_json(v)?)?,
            AefiField::Onset(v) => set_field(
                tx,
                "aefi",
                aefi,
                column,
                stamp,
                &v.map(|o| o.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            )?,
            AefiField::Referral(v) => set_field(tx, "aefi", aefi, column, stamp, &v.map(|r| r.as_str()))?,
        }
    }
    Ok(())
}

/// Sets the fields of a site that win; a change of its villages rewrites `site_villages`.
fn set_site_fields(tx: &Transaction<'_>, id: Uuid, fields: &[SiteField], stamp: &Stamp) -> Result<()> {
    let t = "sites";
    for f in fields {
        let column = f.name();
        match f {
            SiteField::Name(v) => set_field(tx, t, id, column, stamp, v)?,
            SiteField::Villages(v) => {
                let villages = v.iter().map(|v| resolve(tx, *v)).collect::<Result<Vec<_>>>()?;
                if set_field_won(tx, t, id, column, stamp, &to_json(&villages)?)? {
                    tx.prepare_cached("DELETE FROM site_villages WHERE site_id = ?1")?.execute([id.to_string()])?;
                    for (position, village) in villages.iter().enumerate() {
                        tx.prepare_cached(
                            "INSERT INTO site_villages (site_id, village_id, position)
                             SELECT ?1, id, ?3 FROM areas WHERE id = ?2 ON CONFLICT DO NOTHING",
                        )?
                        .execute(params![id.to_string(), village.to_string(), position])?;
                    }
                }
            }
            SiteField::SiteType(v) => set_field(tx, t, id, column, stamp, &v.as_str())?,
            SiteField::Hra(v) => set_field(tx, t, id, column, stamp, &v.as_str())?,
            SiteField::Anm(v) | SiteField::Avd(v) => {
                set_field(tx, t, id, column, stamp, &v.as_ref().map(to_json).transpose()?)?
            }
            SiteField::Mobilizers(v) => set_field(tx, t, id, column, stamp, &to_json(v)?)?,
            SiteField::DistanceTenthsKm(v) | SiteField::TravelMinutes(v) => set_field(tx, t, id, column, stamp, v)?,
            SiteField::RiDay(v) => set_field(tx, t, id, column, stamp, &v.map(|d| d.as_str()))?,
        };
    }
    Ok(())
}

/// Declares a round's day a holiday or a working day again (last-writer-wins per day).
fn set_holiday(tx: &Transaction<'_>, round: Uuid, date: Date, holiday: bool, stamp: &Stamp) -> Result<()> {
    if !exists(tx, "rounds", round)? {
        return Ok(());
    }
    let id = Uuid::new_v5(&round, format!("holiday/{}", iso(date)).as_bytes());
    tx.prepare_cached(
        "INSERT INTO round_holidays (id, round_id, date) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![id.to_string(), round.to_string(), iso(date)])?;
    set_field(tx, "round_holidays", id, "holiday", stamp, &holiday)?;
    Ok(())
}

/// The row of the session a round's plan has at a site on a day, made when first needed (none
/// when the round or the site is not here).
fn planned_session(tx: &Transaction<'_>, round: Uuid, site: Uuid, date: Date) -> Result<Option<Uuid>> {
    let (round, site) = (resolve(tx, round)?, resolve(tx, site)?);
    if !exists(tx, "rounds", round)? || !exists(tx, "sites", site)? {
        return Ok(None);
    }
    let id = planned_session_key(round, site, date);
    tx.prepare_cached(
        "INSERT INTO planned_sessions (id, round_id, site_id, date) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![id.to_string(), round.to_string(), site.to_string(), iso(date)])?;
    Ok(Some(id))
}

/// Discards a vial: the first discard by stamp is kept, whichever arrives first.
fn discard(
    tx: &Transaction<'_>,
    vial: Uuid,
    session: Option<Uuid>,
    reason: DiscardReason,
    at: &chrono::DateTime<chrono::Utc>,
    stamp: &Stamp,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE vials SET discard_reason = ?2, discarded_at = ?3, discarded_session = ?4, discard_hlc = ?5,
                          discard_device = ?6
         WHERE id = ?1 AND (discard_hlc IS NULL OR (discard_hlc, discard_device) > (?5, ?6))",
    )?
    .execute(params![
        vial.to_string(),
        reason.as_str(),
        rfc3339(at),
        session.map(|s| s.to_string()),
        stamp.hlc,
        stamp.device
    ])?;
    Ok(())
}

/// A time as the store keeps it: RFC 3339, UTC, with `Z`.
fn rfc3339(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The same dose on record twice: both kept, flagged for review while both stand (set again
/// after every change to that dose of that beneficiary, so the flags do not depend on the order
/// the records arrived in).
fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_body(json: &str) -> Result<EventBody> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("event body: {e}")))
}

/// Closes a session (a fact: closed stays closed); the vials follow the latest closing.
fn close(tx: &Transaction<'_>, session: Uuid, vials: &[teeka_domain::VialsUsed], stamp: &Stamp) -> Result<()> {
    let changed = tx.prepare_cached("UPDATE sessions SET closed = 1 WHERE id = ?1")?.execute([session.to_string()])?;
    if changed == 0 {
        // Opened elsewhere and not (yet) here: found again from the log when the opening arrives.
        return Ok(());
    }
    let json = serde_json::to_string(vials).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    set_field(tx, "sessions", session, "vials", stamp, &json)
}

/// Applies the AEFI reports and deliveries about `beneficiary` that arrived before its
/// registration (in the order the log holds them: the projection's rules make it not matter).
fn replay_early(tx: &Transaction<'_>, beneficiary: Uuid, batch: &mut Batch) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, device_id, hlc, body FROM events
         WHERE kind = 'aefi_reported' AND json_extract(body, '$.beneficiary') = ?1
         UNION ALL
         SELECT id, device_id, hlc, body FROM events
         WHERE kind = 'delivery_recorded' AND json_extract(body, '$.beneficiary') = ?1",
    )?;
    let early = stmt
        .query_map([beneficiary.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (id, device, hlc, body) in early {
        let event = Event {
            id: parse_id(&id)?,
            device_id: parse_id(&device)?,
            hlc: hlc.parse().map_err(|e: teeka_domain::hlc::BadHlc| StoreError::Corrupt(e.to_string()))?,
            author: String::new(),
            worker: None,
            recorded_at: chrono::DateTime::default(),
            body: parse_body(&body)?,
        };
        apply(tx, &event, batch)?;
    }
    Ok(())
}

/// The canonical id of a village, household or beneficiary (itself unless it is an alias).
pub fn resolve(tx: &Transaction<'_>, id: Uuid) -> Result<Uuid> {
    let canonical: Option<String> = tx
        .prepare_cached("SELECT canonical FROM aliases WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    canonical.map_or(Ok(id), |c| parse_id(&c))
}

/// The id another registration gave the same household id or register id (found by `sql`),
/// if any: then `id` becomes an alias of it.
fn registered_as(tx: &Transaction<'_>, sql: &str, key: &str, id: Uuid) -> Result<Option<String>> {
    let existing: Option<String> = tx.prepare_cached(sql)?.query_row([key], |r| r.get(0)).optional()?;
    Ok(existing.filter(|e| *e != id.to_string()))
}

/// Whether a row with this id is in `table` (a compile-time name).
/// The case file of `household` (its canonical id), made empty when first named; `None` when
/// the household is not held here.
fn case_file(tx: &Transaction<'_>, household: Uuid) -> Result<Option<Uuid>> {
    let h = resolve(tx, household)?;
    if !exists(tx, "households", h)? {
        return Ok(None);
    }
    tx.prepare_cached("INSERT INTO case_files (id) VALUES (?1) ON CONFLICT (id) DO NOTHING")?
        .execute([h.to_string()])?;
    Ok(Some(h))
}

fn exists(tx: &Transaction<'_>, table: &str, id: Uuid) -> Result<bool> {
    Ok(tx.prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?.exists([id.to_string()])?)
}

fn alias(tx: &Transaction<'_>, id: Uuid, canonical: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO aliases (id, canonical) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING")?
        .execute(params![id.to_string(), canonical])?;
    Ok(())
}

fn parse_id(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("id '{text}': {e}")))
}

/// The stamp of the event being applied: its place in the domain's last-writer-wins order, and
/// its text as `field_stamps` keeps it.
struct Stamp {
    order: teeka_domain::Stamp,
    hlc: String,
    device: String,
}

impl Stamp {
    fn of(order: teeka_domain::Stamp) -> Stamp {
        Stamp { order, hlc: order.hlc.to_string(), device: order.device.to_string() }
    }

    fn parse(hlc: &str, device: &str) -> Result<teeka_domain::Stamp> {
        let bad = |e: String| StoreError::Corrupt(format!("stamp ({hlc}, {device}): {e}"));
        Ok(teeka_domain::Stamp {
            hlc: hlc.parse().map_err(|e: teeka_domain::hlc::BadHlc| bad(e.to_string()))?,
            device: Uuid::parse_str(device).map_err(|e| bad(e.to_string()))?,
        })
    }
}

fn set_household_fields(tx: &Transaction<'_>, id: Uuid, fields: &[HouseholdField], stamp: &Stamp) -> Result<()> {
    let mut values = Vec::with_capacity(fields.len());
    for f in fields {
        values.push(match f {
            HouseholdField::Village(v) => ("village_id", Value::Text(resolve(tx, *v)?.to_string())),
            HouseholdField::HouseNo(v) | HouseholdField::HeadOfHousehold(v) | HouseholdField::Phone(v) => {
                (f.name(), text(v.as_deref()))
            }
            HouseholdField::RiskCategory(v) => (f.name(), text(v.map(|r| r.as_str()))),
        });
    }
    set_fields(tx, "households", id, stamp, &values).map(|_| ())
}

fn set_beneficiary_fields(tx: &Transaction<'_>, id: Uuid, fields: &[BeneficiaryField], stamp: &Stamp) -> Result<()> {
    let mut values = Vec::with_capacity(fields.len());
    for f in fields {
        values.push(match f {
            BeneficiaryField::Household(h) => ("household_id", Value::Text(resolve(tx, *h)?.to_string())),
            BeneficiaryField::Name(n) => (f.name(), Value::Text(n.clone())),
            BeneficiaryField::Sex(s) => (f.name(), text(s.map(|s| s.as_str()))),
            BeneficiaryField::Dob(d) | BeneficiaryField::Lmp(d) => (f.name(), text(d.map(iso).as_deref())),
            BeneficiaryField::MotherName(m)
            | BeneficiaryField::Abha(m)
            | BeneficiaryField::RchId(m)
            | BeneficiaryField::UwinId(m) => (f.name(), text(m.as_deref())),
            BeneficiaryField::Status(s) => (f.name(), Value::Text(s.as_str().to_string())),
        });
    }
    set_fields(tx, "beneficiaries", id, stamp, &values).map(|_| ())
}

fn text(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |t| Value::Text(t.to_string()))
}

/// Sets the columns one event gives one row, each by [`set_field`]'s rule, with one read of the
/// row's stamps and one update: a column named twice takes its first value (the second write,
/// with the same stamp, would not override the first). `table` and the columns are
/// compile-time names, never input.
fn set_fields(tx: &Transaction<'_>, table: &str, id: Uuid, stamp: &Stamp, values: &[(&str, Value)]) -> Result<bool> {
    if values.is_empty() {
        return Ok(false);
    }
    let entity = id.to_string();
    let mut current: Vec<(String, teeka_domain::Stamp)> = Vec::new();
    {
        let mut stmt = tx.prepare_cached("SELECT field, hlc, device_id FROM field_stamps WHERE entity_id = ?1")?;
        let mut rows = stmt.query([&entity])?;
        while let Some(r) = rows.next()? {
            current.push((r.get(0)?, Stamp::parse(r.get_ref(1)?.as_str()?, r.get_ref(2)?.as_str()?)?));
        }
    }
    let mut won: Vec<&(&str, Value)> = Vec::with_capacity(values.len());
    for v in values {
        if won.iter().any(|w| w.0 == v.0) {
            continue;
        }
        let last = current.iter().find(|c| c.0 == v.0).map(|c| c.1);
        if stamp.order.overrides(last) {
            won.push(v);
        }
    }
    if won.is_empty() {
        return Ok(false);
    }
    let set: Vec<String> = won.iter().enumerate().map(|(i, (c, _))| format!("{c} = ?{}", i + 2)).collect();
    let sql = format!("UPDATE {table} SET {} WHERE id = ?1", set.join(", "));
    let mut update = tx.prepare_cached(&sql)?;
    update.raw_bind_parameter(1, &entity)?;
    for (i, (_, v)) in won.iter().enumerate() {
        update.raw_bind_parameter(i + 2, v)?;
    }
    if update.raw_execute()? == 0 {
        // Not registered here (a household moved in from outside this device's area): the event
        // stays in the log; nothing in the projection changes.
        return Ok(false);
    }
    let mut stamp_it = tx.prepare_cached(
        "INSERT INTO field_stamps (entity_id, field, hlc, device_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (entity_id, field) DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id",
    )?;
    for (column, _) in won {
        stamp_it.execute(params![entity, column, stamp.hlc, stamp.device])?;
    }
    Ok(true)
}

/// Sets one column if this stamp overrides the one that last set it ([`teeka_domain::Stamp`]).
/// `table` and `column` are always compile-time names, never input.
fn set_field(
    tx: &Transaction<'_>,
    table: &str,
    id: Uuid,
    column: &str,
    stamp: &Stamp,
    value: &dyn ToSql,
) -> Result<()> {
    set_field_won(tx, table, id, column, stamp, value).map(|_| ())
}

/// [`set_field`], telling whether the value was set.
fn set_field_won(
    tx: &Transaction<'_>,
    table: &str,
    id: Uuid,
    column: &str,
    stamp: &Stamp,
    value: &dyn ToSql,
) -> Result<bool> {
    let value = match value.to_sql()? {
        rusqlite::types::ToSqlOutput::Borrowed(v) => Value::from(v),
        rusqlite::types::ToSqlOutput::Owned(v) => v,
        _ => return Err(StoreError::Corrupt(format!("{table}.{column}: a value the projection does not write"))),
    };
    set_fields(tx, table, id, stamp, &[(column, value)])
}
