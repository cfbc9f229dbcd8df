//! The register after a log: a pure fold of events into the rows of the [`Export`].
//!
//! These are the device store's rules (its projection, `crates/store/src/project.rs`, read by
//! its export), held in memory, so that a replica without a device store (the server) gives the
//! export a device gives after ingesting the same events:
//!
//! - An event is applied once, however often it arrives (keyed by its id).
//! - Mutable fields follow last-writer-wins per field under the [`Stamp`] (HLC, then device id);
//!   within one event the first value of a field wins.
//! - A village named like a village already known (ASCII case aside) is an alias of it; a
//!   household id or register id registered again under another id makes that id an alias of
//!   the first, and the registration's fields apply to the first. Events about an alias apply to
//!   its canonical record (one step: an alias never points at another alias's target).
//! - A household whose village, a beneficiary whose household, a dose whose beneficiary is not
//!   known when it arrives is left out (it stays in the log); a field naming an unknown village
//!   or household is an error, as the store's foreign keys make it.
//! - A correction supersedes the record it names, even when it arrives first; the same dose
//!   active twice for a beneficiary keeps both, flagged for review while both stand (so the
//!   flags do not depend on the order of arrival: a correction that removes one lifts them); a
//!   withdrawal of not-given records makes them stand no more, even when it arrives first.
//! - A household is resistant while one of its beneficiaries has a refusal standing (derived
//!   from the records, never a sticky flag: a refusal corrected or withdrawn no longer counts).
//!
//! - A delivery sets its mother's status and delivery (last-writer-wins) and registers each
//!   newborn as its own registration would (aliases included), linked to the mother; one whose
//!   mother is not known yet waits, and applies when she is registered.
//!
//! A village's JE setting is kept (last-writer-wins) for [`Replay::people`], the due list's input.
//! Events that change nothing the export shows (sessions, AEFI, the microplan) are passed over.

use crate::codes::Antigen;
use crate::codes::{AreaLevel, BeneficiaryStatus, DoseCode, Kind, ReasonCode};
use crate::dates::Date;
use crate::export::{Export, ExportBeneficiary, ExportDelivery, ExportDose, ExportNotGiven};
use crate::facts::{BeneficiaryFacts, HouseholdFacts};
use crate::import::{KnownBeneficiary, Standing};
use crate::model::{BeneficiaryField, Event, EventBody, HouseholdField, Stamp};
use crate::monitor::{Member, Refusal};
use crate::report::Person;
use crate::schedule::Given;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// What one session recorded ([`Replay::session_records`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionRecords {
    /// Dose and not-given records standing.
    pub records: u32,
    /// Doses given standing, by antigen.
    pub doses: BTreeMap<Antigen, u32>,
}

/// Why a log cannot be replayed: the cases where the device store refuses it too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// A new household without a village, or a new beneficiary without a name or household.
    #[error("event {event}: {what} '{key}' registered without {missing}")]
    Incomplete { event: Uuid, what: &'static str, key: String, missing: &'static str },
    /// A field or a parent naming an area or household the register does not have.
    #[error("event {event}: the {what} {id} it names is not in the register")]
    UnknownReference { event: Uuid, what: &'static str, id: Uuid },
}

impl ReplayError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ReplayError::Incomplete { .. } => "LOG_INCOMPLETE_REGISTRATION",
            ReplayError::UnknownReference { .. } => "LOG_UNKNOWN_REFERENCE",
        }
    }
}

/// The export after `events`, applied in the order given.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Export, ReplayError> {
    let mut register = Replay::default();
    for event in events {
        register.apply(event)?;
    }
    Ok(register.export())
}

/// The register's state after the events applied so far.
#[derive(Debug, Default)]
pub struct Replay {
    applied: HashSet<Uuid>,
    areas: HashMap<Uuid, AreaRow>,
    /// Village rows by their name folded to ASCII lower case.
    villages: HashMap<String, BTreeSet<Uuid>>,
    /// The villages defined without a parent (named by a device).
    parentless: HashSet<Uuid>,
    aliases: HashMap<Uuid, Uuid>,
    households: HashMap<Uuid, HouseholdRow>,
    household_ids: HashMap<String, Uuid>,
    beneficiaries: HashMap<Uuid, BeneficiaryRow>,
    register_ids: HashMap<String, Uuid>,
    /// Each session's site (a village), as first opened.
    sessions: HashMap<Uuid, Uuid>,
    /// Dose records, each with the session it was given at.
    doses: Records<Option<Uuid>>,
    /// Not-given records, each with its reason and session.
    not_given: Records<NotGivenExtra>,
    /// The stamp of the write that last set each field of each record.
    stamps: HashMap<(Uuid, &'static str), Stamp>,
    /// Deliveries whose mother is not known yet, by the mother's id as they name it.
    waiting: HashMap<Uuid, Vec<(Uuid, Stamp, EventBody)>>,
}

#[derive(Debug)]
struct AreaRow {
    name: String,
    /// Whether JE vaccine is given in the village (last-writer-wins).
    je_endemic: bool,
}

#[derive(Debug)]
struct HouseholdRow {
    household_id: String,
    village: Uuid,
    facts: HouseholdFacts,
}

#[derive(Debug)]
struct BeneficiaryRow {
    register_id: String,
    household: Uuid,
    kind: Kind,
    facts: BeneficiaryFacts,
    status: BeneficiaryStatus,
    mother: Option<Uuid>,
    delivery: Option<ExportDelivery>,
}

/// What a not-given record holds besides its dose and date.
#[derive(Debug, Clone, Copy)]
struct NotGivenExtra {
    reason: ReasonCode,
    session: Option<Uuid>,
}

/// Dose records (`T` = their session) or not-given records (`T` = [`NotGivenExtra`]).
#[derive(Debug)]
struct Records<T> {
    rows: HashMap<Uuid, Record<T>>,
    /// Each beneficiary's records, in the order they arrived.
    of: HashMap<Uuid, Vec<Uuid>>,
    /// The records naming each corrected id.
    corrections: HashMap<Uuid, BTreeSet<Uuid>>,
    /// The ids withdrawn (whether or not their record has arrived).
    withdrawn: HashSet<Uuid>,
}

impl<T> Default for Records<T> {
    fn default() -> Self {
        Records { rows: HashMap::new(), of: HashMap::new(), corrections: HashMap::new(), withdrawn: HashSet::new() }
    }
}

#[derive(Debug)]
struct Record<T> {
    code: DoseCode,
    date: Date,
    superseded_by: Option<Uuid>,
    extra: T,
}

/// A record as an event gives it.
struct NewRecord<T> {
    id: Uuid,
    beneficiary: Uuid,
    code: DoseCode,
    date: Date,
    corrects: Option<Uuid>,
    extra: T,
}

impl<T> Records<T> {
    /// Adds a record, superseded at once if a correction of it came first, and supersedes the
    /// record it corrects. False if a record with its id is already there.
    fn insert(&mut self, new: NewRecord<T>) -> bool {
        if self.rows.contains_key(&new.id) {
            return false;
        }
        let superseded_by = self.corrections.get(&new.id).and_then(|c| c.first().copied());
        self.of.entry(new.beneficiary).or_default().push(new.id);
        self.rows.insert(new.id, Record { code: new.code, date: new.date, superseded_by, extra: new.extra });
        if let Some(old) = new.corrects {
            self.corrections.entry(old).or_default().insert(new.id);
            if let Some(o) = self.rows.get_mut(&old) {
                o.superseded_by = Some(new.id);
            }
        }
        true
    }

    /// The records of `beneficiary` not superseded, sorted by date, code (as text) and id.
    fn active(&self, beneficiary: Uuid) -> Vec<(Uuid, &Record<T>)> {
        let mut out: Vec<(Uuid, &Record<T>)> = self
            .of
            .get(&beneficiary)
            .into_iter()
            .flatten()
            .filter_map(|id| self.rows.get(id).map(|r| (*id, r)))
            .filter(|(id, r)| r.superseded_by.is_none() && !self.withdrawn.contains(id))
            .collect();
        out.sort_unstable_by(|(ia, a), (ib, b)| (a.date, a.code.as_str(), ia).cmp(&(b.date, b.code.as_str(), ib)));
        out
    }
}

impl Replay {
    /// Applies one event (nothing if it was applied before).
    pub fn apply(&mut self, event: &Event) -> Result<(), ReplayError> {
        if !self.applied.insert(event.id) {
            return Ok(());
        }
        self.apply_body(event.id, event.stamp(), &event.body)
    }

    fn apply_body(&mut self, id: Uuid, stamp: Stamp, body: &EventBody) -> Result<(), ReplayError> {
        match body {
            EventBody::AreaDefined { area, level, name, parent } => {
                if *level == AreaLevel::Village {
                    // The store's rule: a village named by a device (no parent) is the one of the
                    // same name already known; two villages with a parent stay two.
                    let same_name = self.villages.get(&name.to_ascii_lowercase()).and_then(|ids| {
                        ids.iter().find(|v| *v != area && (parent.is_none() || self.parentless.contains(*v))).copied()
                    });
                    if let Some(existing) = same_name {
                        // The village a device named now has its place in the hierarchy: it is
                        // parentless no more (the store sets its parent), so a second village
                        // of that name with a parent stays a village of its own.
                        if parent.is_some() {
                            self.parentless.remove(&existing);
                        }
                        self.alias(*area, existing);
                        return Ok(());
                    }
                }
                let parent = parent.map(|p| self.resolve(p));
                if self.areas.contains_key(area) {
                    return Ok(());
                }
                if let Some(p) = parent.filter(|p| p != area && !self.areas.contains_key(p)) {
                    return Err(ReplayError::UnknownReference { event: id, what: "area", id: p });
                }
                self.areas.insert(*area, AreaRow { name: name.clone(), je_endemic: false });
                if *level == AreaLevel::Village {
                    self.villages.entry(name.to_ascii_lowercase()).or_default().insert(*area);
                    if parent.is_none() {
                        self.parentless.insert(*area);
                    }
                }
            }
            EventBody::HouseholdRegistered { household, household_id, fields } => {
                match self.household_ids.get(household_id).copied().filter(|e| e != household) {
                    Some(existing) => {
                        self.alias(*household, existing);
                        self.set_household_fields(existing, fields, stamp, id)?;
                    }
                    None => {
                        let village =
                            HouseholdField::villages(fields).next().ok_or_else(|| ReplayError::Incomplete {
                                event: id,
                                what: "household",
                                key: household_id.clone(),
                                missing: "a village",
                            })?;
                        let village = self.resolve(village);
                        if !self.areas.contains_key(&village) {
                            return Ok(());
                        }
                        if !self.households.contains_key(household) {
                            let village = self.resolve(village);
                            if !self.areas.contains_key(&village) {
                                return Err(ReplayError::UnknownReference { event: id, what: "village", id: village });
                            }
                            self.household_ids.insert(household_id.clone(), *household);
                            self.households.insert(
                                *household,
                                HouseholdRow {
                                    household_id: household_id.clone(),
                                    village,
                                    facts: HouseholdFacts::default(),
                                },
                            );
                        }
                        self.set_household_fields(*household, fields, stamp, id)?;
                    }
                }
            }
            EventBody::HouseholdUpdated { household, fields } => {
                let household = self.resolve(*household);
                self.set_household_fields(household, fields, stamp, id)?;
            }
            EventBody::BeneficiaryRegistered { beneficiary, register_id, kind, fields } => {
                match self.register_ids.get(register_id).copied().filter(|e| e != beneficiary) {
                    Some(existing) => {
                        self.alias(*beneficiary, existing);
                        self.set_beneficiary_fields(existing, fields, stamp, id)?;
                        self.apply_waiting(*beneficiary)?;
                    }
                    None => {
                        // The row is made with the last name and household given; the fields
                        // then set the first of each (an equal stamp does not override).
                        let mut name = None;
                        let mut household = None;
                        for f in fields {
                            match f {
                                BeneficiaryField::Name(n) => name = Some(n),
                                BeneficiaryField::Household(h) => household = Some(*h),
                                _ => {}
                            }
                        }
                        let (Some(name), Some(household)) = (name, household) else {
                            return Err(ReplayError::Incomplete {
                                event: id,
                                what: "beneficiary",
                                key: register_id.clone(),
                                missing: "a name or household",
                            });
                        };
                        let household = self.resolve(household);
                        if !self.households.contains_key(&household) {
                            return Ok(());
                        }
                        if !self.beneficiaries.contains_key(beneficiary) {
                            self.register_ids.insert(register_id.clone(), *beneficiary);
                            self.beneficiaries.insert(
                                *beneficiary,
                                BeneficiaryRow {
                                    register_id: register_id.clone(),
                                    household,
                                    kind: *kind,
                                    facts: BeneficiaryFacts { name: name.clone(), ..BeneficiaryFacts::default() },
                                    status: BeneficiaryStatus::Active,
                                    mother: None,
                                    delivery: None,
                                },
                            );
                        }
                        self.set_beneficiary_fields(*beneficiary, fields, stamp, id)?;
                        self.apply_waiting(*beneficiary)?;
                    }
                }
            }
            EventBody::BeneficiaryUpdated { beneficiary, fields } => {
                let beneficiary = self.resolve(*beneficiary);
                self.set_beneficiary_fields(beneficiary, fields, stamp, id)?;
            }
            EventBody::DoseGiven { beneficiary, code, date, corrects, session } => {
                let beneficiary = self.resolve(*beneficiary);
                if !self.beneficiaries.contains_key(&beneficiary) {
                    return Ok(());
                }
                let new = NewRecord { id, beneficiary, code: *code, date: *date, corrects: *corrects, extra: *session };
                self.doses.insert(new);
            }
            EventBody::DoseNotGiven { beneficiary, code, date, reason, corrects, session, .. } => {
                let beneficiary = self.resolve(*beneficiary);
                if !self.beneficiaries.contains_key(&beneficiary) {
                    return Ok(());
                }
                let extra = NotGivenExtra { reason: *reason, session: *session };
                let new = NewRecord { id, beneficiary, code: *code, date: *date, corrects: *corrects, extra };
                self.not_given.insert(new);
            }
            EventBody::NotGivenWithdrawn { records, .. } => self.not_given.withdrawn.extend(records.iter().copied()),
            EventBody::DeliveryRecorded { beneficiary, household, date, outcome, mother_name, newborns } => {
                let mother = self.resolve(*beneficiary);
                if !self.beneficiaries.contains_key(&mother) {
                    self.waiting.entry(*beneficiary).or_default().push((id, stamp, body.clone()));
                    return Ok(());
                }
                self.set_beneficiary_fields(mother, &[BeneficiaryField::Status(outcome.mother_status())], stamp, id)?;
                if self.wins(mother, "delivery", stamp) {
                    let live_births = u32::try_from(newborns.len()).unwrap_or(u32::MAX);
                    if let Some(b) = self.beneficiaries.get_mut(&mother) {
                        b.delivery = Some(ExportDelivery { date: *date, outcome: *outcome, live_births });
                    }
                    self.stamps.insert((mother, "delivery"), stamp);
                }
                for n in newborns {
                    self.apply_body(id, stamp, &n.registration(*household, *date, mother_name))?;
                    let child = self.resolve(n.beneficiary);
                    if self.beneficiaries.contains_key(&child) && self.wins(child, "mother", stamp) {
                        if let Some(c) = self.beneficiaries.get_mut(&child) {
                            c.mother = Some(mother);
                        }
                        self.stamps.insert((child, "mother"), stamp);
                    }
                }
            }
            EventBody::VillageJeEndemicSet { area, je_endemic } => {
                let area = self.resolve(*area);
                if self.areas.contains_key(&area) && self.wins(area, "je_endemic", stamp) {
                    if let Some(a) = self.areas.get_mut(&area) {
                        a.je_endemic = *je_endemic;
                    }
                    self.stamps.insert((area, "je_endemic"), stamp);
                }
            }
            EventBody::VillageAshaSet { .. }
            | EventBody::SessionClosed { .. }
            | EventBody::AefiReported { .. }
            | EventBody::AefiUpdated { .. } => {}
            // The microplan and the vial ledger are not in the export.
            EventBody::SessionOpened { session, site, .. } => {
                let site = self.resolve(*site);
                if self.areas.contains_key(&site) {
                    self.sessions.entry(*session).or_insert(site);
                }
            }
            EventBody::SiteRegistered { .. }
            | EventBody::SiteUpdated { .. }
            | EventBody::RoundDefined { .. }
            | EventBody::RoundHolidaySet { .. }
            | EventBody::SessionNotHeld { .. }
            | EventBody::SessionRescheduled { .. }
            | EventBody::VialOpened { .. }
            | EventBody::VialDiscarded { .. } => {}
            // Case files and activities are the report's ([`crate::monitor::Monitor`]).
            EventBody::RefusalAssigned { .. }
            | EventBody::RefusalVisited { .. }
            | EventBody::RefusalEscalated { .. }
            | EventBody::ActivityRecorded { .. } => {}
        }
        Ok(())
    }

    /// The export: every beneficiary, sorted by village name, household id and register id (as
    /// bytes), each with its records not superseded.
    pub fn export(&self) -> Export {
        let resistant: HashSet<Uuid> = self
            .beneficiaries
            .iter()
            .filter(|(id, _)| self.not_given.active(**id).iter().any(|(_, r)| r.extra.reason.is_refusal()))
            .map(|(_, b)| b.household)
            .collect();
        let mut out: Vec<ExportBeneficiary> = Vec::with_capacity(self.beneficiaries.len());
        for (id, b) in &self.beneficiaries {
            let Some(h) = self.households.get(&b.household) else { continue };
            let Some(village) = self.areas.get(&h.village) else { continue };
            out.push(ExportBeneficiary {
                register_id: b.register_id.clone(),
                household_id: h.household_id.clone(),
                village: village.name.clone(),
                kind: b.kind,
                facts: b.facts.clone(),
                status: b.status,
                household: h.facts.clone(),
                resistant_household: resistant.contains(&b.household),
                doses: {
                    // The same dose on record twice: both kept, flagged for review.
                    let active = self.doses.active(*id);
                    let twice = |code: DoseCode| active.iter().filter(|(_, r)| r.code == code).count() > 1;
                    active
                        .iter()
                        .map(|(id, r)| ExportDose {
                            id: *id,
                            code: r.code,
                            date: r.date,
                            flagged: twice(r.code),
                            session: r.extra,
                            site: r
                                .extra
                                .and_then(|s| self.sessions.get(&s))
                                .and_then(|a| self.areas.get(&self.resolve(*a)))
                                .map(|a| a.name.clone()),
                        })
                        .collect()
                },
                not_given: self
                    .not_given
                    .active(*id)
                    .into_iter()
                    .map(|(id, r)| ExportNotGiven { id, code: r.code, date: r.date, reason: r.extra.reason })
                    .collect(),
                mother: b.mother.and_then(|m| self.beneficiaries.get(&m)).map(|m| m.register_id.clone()),
                delivery: b.delivery,
            });
        }
        out.sort_unstable_by(|a, b| {
            (&a.village, &a.household_id, &a.register_id).cmp(&(&b.village, &b.household_id, &b.register_id))
        });
        Export { beneficiaries: out }
    }

    /// The register as the due list reads it: every beneficiary with a date of birth (a child)
    /// or an LMP (a pregnant woman), with its village's id (canonical) and its doses not
    /// superseded, in the export's order (village name, household id, register id).
    pub fn people(&self) -> Vec<(Uuid, Person, Vec<Given>)> {
        let mut out = Vec::with_capacity(self.beneficiaries.len());
        for (id, b) in &self.beneficiaries {
            let Some(h) = self.households.get(&b.household) else { continue };
            let Some(village) = self.areas.get(&h.village) else { continue };
            let anchor = if b.kind == Kind::Child { b.facts.dob } else { b.facts.lmp };
            let Some(anchor) = anchor else { continue };
            let person = Person {
                register_id: b.register_id.as_str().into(),
                name: b.facts.name.as_str().into(),
                kind: b.kind,
                household_id: h.household_id.as_str().into(),
                village: village.name.as_str().into(),
                status: b.status,
                anchor,
                je_endemic: village.je_endemic,
            };
            let history =
                self.doses.active(*id).into_iter().map(|(_, r)| Given { code: r.code, date: r.date }).collect();
            out.push((h.village, person, history));
        }
        out.sort_unstable_by(|(_, a, _), (_, b, _)| {
            (&a.village, &a.household_id, &a.register_id).cmp(&(&b.village, &b.household_id, &b.register_id))
        });
        out
    }

    /// The register as the round report reads it ([`Member`]s): every beneficiary with a date
    /// of birth or an LMP, with its household and village (canonical ids) and its doses
    /// standing, in [`Replay::people`]'s order.
    pub fn members(&self) -> Vec<Member> {
        let mut out = Vec::with_capacity(self.beneficiaries.len());
        for (id, b) in &self.beneficiaries {
            let Some(h) = self.households.get(&b.household) else { continue };
            let Some(village) = self.areas.get(&h.village) else { continue };
            let anchor = if b.kind == Kind::Child { b.facts.dob } else { b.facts.lmp };
            let Some(anchor) = anchor else { continue };
            let person = Person {
                register_id: b.register_id.as_str().into(),
                name: b.facts.name.as_str().into(),
                kind: b.kind,
                household_id: h.household_id.as_str().into(),
                village: village.name.as_str().into(),
                status: b.status,
                anchor,
                je_endemic: village.je_endemic,
            };
            let given = self.doses.active(*id).into_iter().map(|(_, r)| Given { code: r.code, date: r.date }).collect();
            out.push(Member { beneficiary: *id, household: b.household, village: h.village, person, given });
        }
        out.sort_unstable_by(|a, b| {
            (&a.person.village, &a.person.household_id, &a.person.register_id, a.beneficiary).cmp(&(
                &b.person.village,
                &b.person.household_id,
                &b.person.register_id,
                b.beneficiary,
            ))
        });
        out
    }

    /// The refusals standing: the not-given records not superseded nor withdrawn whose reason is
    /// a refusal ([`ReasonCode::is_refusal`]), by beneficiary (canonical id), date and dose.
    pub fn refusals(&self) -> Vec<Refusal> {
        let mut out: Vec<Refusal> = self
            .beneficiaries
            .keys()
            .flat_map(|id| {
                self.not_given
                    .active(*id)
                    .into_iter()
                    .filter(|(_, r)| r.extra.reason.is_refusal())
                    .map(|(_, r)| Refusal { beneficiary: *id, code: r.code, date: r.date, reason: r.extra.reason })
            })
            .collect();
        out.sort_unstable_by(|a, b| {
            (a.beneficiary, a.date, a.code.as_str()).cmp(&(b.beneficiary, b.date, b.code.as_str()))
        });
        out
    }

    /// What each session recorded: its dose and not-given records standing (of beneficiaries in
    /// the register), and its doses by antigen.
    pub fn session_records(&self) -> HashMap<Uuid, SessionRecords> {
        let mut out: HashMap<Uuid, SessionRecords> = HashMap::new();
        for id in self.beneficiaries.keys() {
            for (_, r) in self.doses.active(*id) {
                let Some(session) = r.extra else { continue };
                let s = out.entry(session).or_default();
                s.records += 1;
                *s.doses.entry(r.code.antigen()).or_default() += 1;
            }
            for (_, r) in self.not_given.active(*id) {
                let Some(session) = r.extra.session else { continue };
                out.entry(session).or_default().records += 1;
            }
        }
        out
    }

    /// The register as the import reads it ([`Standing`]), as a device's store holding these
    /// events gives it: each village name's first village (by id), the households, the
    /// beneficiaries and their doses standing.
    pub fn standing(&self) -> Standing {
        let mut out = Standing::default();
        for (name, ids) in &self.villages {
            if let Some((id, a)) = ids.iter().find_map(|id| self.areas.get(id).map(|a| (*id, a))) {
                out.villages.insert(name.clone(), (id, a.je_endemic));
            }
        }
        for (id, h) in &self.households {
            out.households.insert(h.household_id.clone(), (*id, Some(h.village), h.facts.clone()));
        }
        for (id, b) in &self.beneficiaries {
            let known = KnownBeneficiary {
                id: *id,
                kind: b.kind,
                household: b.household,
                facts: b.facts.clone(),
                status: b.status,
            };
            out.beneficiaries.insert(b.register_id.clone(), known);
            let doses: Vec<_> = self.doses.active(*id).into_iter().map(|(d, r)| (d, r.code, r.date)).collect();
            if !doses.is_empty() {
                out.doses.insert(*id, doses);
            }
        }
        out
    }

    /// A beneficiary's register id and its household's and village's ids (canonical), when it
    /// is in the register.
    pub fn placement(&self, beneficiary: Uuid) -> Option<(&str, Uuid, Uuid)> {
        let b = self.beneficiaries.get(&self.resolve(beneficiary))?;
        let h = self.households.get(&b.household)?;
        Some((b.register_id.as_str(), b.household, h.village))
    }

    /// The canonical id of an area, household or beneficiary (itself unless it is an alias).
    pub fn canonical(&self, id: Uuid) -> Uuid {
        self.resolve(id)
    }

    /// Applies the deliveries that named `beneficiary` before it was registered.
    fn apply_waiting(&mut self, beneficiary: Uuid) -> Result<(), ReplayError> {
        for (id, stamp, body) in self.waiting.remove(&beneficiary).unwrap_or_default() {
            self.apply_body(id, stamp, &body)?;
        }
        Ok(())
    }

    /// The canonical id of a village, household or beneficiary (itself unless it is an alias).
    fn resolve(&self, id: Uuid) -> Uuid {
        self.aliases.get(&id).copied().unwrap_or(id)
    }

    /// Makes `id` an alias of `canonical`, unless it is an alias already.
    fn alias(&mut self, id: Uuid, canonical: Uuid) {
        self.aliases.entry(id).or_insert(canonical);
    }

    /// Whether a write of `field` of `record` under `stamp` wins over the last one.
    fn wins(&self, record: Uuid, field: &'static str, stamp: Stamp) -> bool {
        stamp.overrides(self.stamps.get(&(record, field)).copied())
    }

    /// Sets the fields that win of a household in the register (of none, if it is not).
    fn set_household_fields(
        &mut self,
        household: Uuid,
        fields: &[HouseholdField],
        stamp: Stamp,
        event: Uuid,
    ) -> Result<(), ReplayError> {
        for f in fields {
            if !self.households.contains_key(&household) || !self.wins(household, f.name(), stamp) {
                continue;
            }
            let value = match f {
                HouseholdField::Village(v) => {
                    let v = self.resolve(*v);
                    if !self.areas.contains_key(&v) {
                        return Err(ReplayError::UnknownReference { event, what: "village", id: v });
                    }
                    HouseholdField::Village(v)
                }
                other => other.clone(),
            };
            let Some(h) = self.households.get_mut(&household) else { continue };
            match value {
                HouseholdField::Village(v) => h.village = v,
                fact => {
                    h.facts.set(fact);
                }
            }
            self.stamps.insert((household, f.name()), stamp);
        }
        Ok(())
    }

    /// Sets the fields that win of a beneficiary in the register (of none, if it is not).
    fn set_beneficiary_fields(
        &mut self,
        beneficiary: Uuid,
        fields: &[BeneficiaryField],
        stamp: Stamp,
        event: Uuid,
    ) -> Result<(), ReplayError> {
        for f in fields {
            if !self.beneficiaries.contains_key(&beneficiary) || !self.wins(beneficiary, f.name(), stamp) {
                continue;
            }
            let value = match f {
                BeneficiaryField::Household(h) => {
                    let h = self.resolve(*h);
                    if !self.households.contains_key(&h) {
                        return Err(ReplayError::UnknownReference { event, what: "household", id: h });
                    }
                    BeneficiaryField::Household(h)
                }
                other => other.clone(),
            };
            let Some(b) = self.beneficiaries.get_mut(&beneficiary) else { continue };
            match value {
                BeneficiaryField::Household(h) => b.household = h,
                BeneficiaryField::Status(s) => b.status = s,
                fact => {
                    b.facts.set(fact);
                }
            }
            self.stamps.insert((beneficiary, f.name()), stamp);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::hlc::Hlc;

    const A: u128 = 0xa;
    const B: u128 = 0xb;

    /// Builds a log: each event gets the next id; `at` sets the stamp of the next ones.
    struct Log {
        events: Vec<Event>,
        next: u128,
        device: u128,
        wall_ms: u64,
    }

    impl Log {
        fn new() -> Log {
            Log { events: Vec::new(), next: 0x100, device: A, wall_ms: 1 }
        }
        fn at(&mut self, device: u128, wall_ms: u64) -> &mut Log {
            self.device = device;
            self.wall_ms = wall_ms;
            self
        }
        fn push(&mut self, body: EventBody) -> Uuid {
            self.next += 1;
            let id = Uuid::from_u128(self.next);
            self.events.push(Event {
                id,
                device_id: Uuid::from_u128(self.device),
                hlc: Hlc { wall_ms: self.wall_ms, counter: 0 },
                author: "asha".into(),
                worker: None,
                recorded_at: chrono::DateTime::default(),
                body,
            });
            id
        }
        fn village(&mut self, id: u128, name: &str) -> Uuid {
            let area = Uuid::from_u128(id);
            self.push(EventBody::AreaDefined { area, level: AreaLevel::Village, name: name.into(), parent: None });
            area
        }
        fn household(&mut self, id: u128, household_id: &str, village: Uuid) -> Uuid {
            let household = Uuid::from_u128(id);
            let fields = vec![HouseholdField::Village(village)];
            self.push(EventBody::HouseholdRegistered { household, household_id: household_id.into(), fields });
            household
        }
        fn child(&mut self, id: u128, register_id: &str, household: Uuid, name: &str) -> Uuid {
            let beneficiary = Uuid::from_u128(id);
            let fields = vec![BeneficiaryField::Name(name.into()), BeneficiaryField::Household(household)];
            let register_id = register_id.into();
            self.push(EventBody::BeneficiaryRegistered { beneficiary, register_id, kind: Kind::Child, fields });
            beneficiary
        }
        fn dose(&mut self, beneficiary: Uuid, code: DoseCode, day: u32, corrects: Option<Uuid>) -> Uuid {
            let date = Date::from_ymd_opt(2026, 1, day).unwrap();
            self.push(EventBody::DoseGiven { beneficiary, code, date, corrects, session: None })
        }
        fn export(&self) -> Export {
            replay(&self.events).unwrap()
        }
    }

    #[test]
    fn people_are_the_due_lists_input_with_their_village() {
        let (mut log, c) = rampur();
        let v = Uuid::from_u128(1);
        // A village named again on another device is an alias: its households are Rampur's.
        let again = log.at(B, 2).village(9, "RAMPUR");
        let h = log.household(10, "H-2", again);
        log.child(11, "C-2", h, "Priya");
        let dob = Date::from_ymd_opt(2025, 12, 1).unwrap();
        log.push(EventBody::BeneficiaryUpdated { beneficiary: c, fields: vec![BeneficiaryField::Dob(Some(dob))] });
        let first = log.dose(c, DoseCode::Bcg, 2, None);
        log.dose(c, DoseCode::Opv0, 2, Some(first));
        log.at(A, 5).push(EventBody::VillageJeEndemicSet { area: again, je_endemic: true });
        log.at(B, 4).push(EventBody::VillageJeEndemicSet { area: v, je_endemic: false });
        let mut r = Replay::default();
        for e in &log.events {
            r.apply(e).unwrap();
        }
        let people = r.people();
        assert_eq!(people.len(), 1, "C-2 has no date of birth: not on a due list");
        let (village, p, history) = &people[0];
        assert_eq!((*village, &*p.register_id, p.anchor, p.je_endemic), (v, "C-1", dob, true));
        assert_eq!(history, &[Given { code: DoseCode::Opv0, date: Date::from_ymd_opt(2026, 1, 2).unwrap() }]);
        assert_eq!(r.canonical(again), v);
    }

    fn rampur() -> (Log, Uuid) {
        let mut log = Log::new();
        let v = log.village(1, "Rampur");
        let h = log.household(2, "H-1", v);
        let c = log.child(3, "C-1", h, "Aarav");
        (log, c)
    }

    #[test]
    fn the_later_stamp_wins_per_field_whatever_the_arrival_order() {
        let (mut log, c) = rampur();
        log.at(B, 5)
            .push(EventBody::BeneficiaryUpdated { beneficiary: c, fields: vec![BeneficiaryField::Name("B".into())] });
        log.at(A, 5).push(EventBody::BeneficiaryUpdated {
            beneficiary: c,
            fields: vec![BeneficiaryField::Name("A".into()), BeneficiaryField::MotherName(Some("Sunita".into()))],
        });
        log.at(A, 4).push(EventBody::BeneficiaryUpdated {
            beneficiary: c,
            fields: vec![BeneficiaryField::Status(BeneficiaryStatus::Migrated), BeneficiaryField::MotherName(None)],
        });
        let b = &log.export().beneficiaries[0];
        assert_eq!(b.facts.name, "B", "same HLC: the greater device id wins");
        assert_eq!(b.facts.mother_name.as_deref(), Some("Sunita"), "an earlier stamp arriving later loses");
        assert_eq!(b.status, BeneficiaryStatus::Migrated, "each field on its own");
        let mut reversed = log.events.clone();
        reversed[3..].reverse();
        assert_eq!(replay(&reversed).unwrap(), log.export());
    }

    /// Every order of `events` (up to 6 of them).
    fn orders(events: &[Event]) -> Vec<Vec<Event>> {
        if events.len() <= 1 {
            return vec![events.to_vec()];
        }
        let mut out = Vec::new();
        for i in 0..events.len() {
            let mut rest = events.to_vec();
            let first = rest.remove(i);
            for mut o in orders(&rest) {
                o.insert(0, first.clone());
                out.push(o);
            }
        }
        out
    }

    #[test]
    fn a_delivery_registers_its_newborns_and_converges_in_any_order() {
        use crate::codes::{DeliveryOutcome, Sex};
        use crate::model::Newborn;
        let mut log = Log::new();
        let v = log.village(1, "Rampur");
        let h = log.household(2, "H-1", v);
        let prefix = log.events.len();
        let mother = Uuid::from_u128(3);
        let fields = vec![
            BeneficiaryField::Name("Sunita".into()),
            BeneficiaryField::Household(h),
            BeneficiaryField::Lmp(Date::from_ymd_opt(2026, 2, 1)),
        ];
        log.push(EventBody::BeneficiaryRegistered {
            beneficiary: mother,
            register_id: "W-1".into(),
            kind: Kind::PregnantWoman,
            fields,
        });
        let date = Date::from_ymd_opt(2026, 11, 5).unwrap();
        let baby = |id: u128, rid: &str| Newborn {
            beneficiary: Uuid::from_u128(id),
            register_id: rid.into(),
            name: "Baby of Sunita".into(),
            sex: Some(Sex::F),
        };
        let delivery = EventBody::DeliveryRecorded {
            beneficiary: mother,
            household: h,
            date,
            outcome: DeliveryOutcome::LiveBirth,
            mother_name: "Sunita".into(),
            newborns: vec![baby(10, "B-1")],
        };
        log.at(A, 5).push(delivery.clone());
        // The same delivery recorded on another device, later, with its own newborn ids and
        // the same register id: an alias of the first.
        if let EventBody::DeliveryRecorded { newborns, .. } = &mut delivery.clone() {
            newborns[0] = baby(11, "B-1");
            let mut again = delivery.clone();
            if let EventBody::DeliveryRecorded { newborns: n, .. } = &mut again {
                *n = newborns.clone();
            }
            log.at(B, 6).push(again);
        }
        // The mother's name is corrected meanwhile.
        log.at(A, 7).push(EventBody::BeneficiaryUpdated {
            beneficiary: mother,
            fields: vec![BeneficiaryField::Name("Sunita Devi".into())],
        });
        let want = log.export();
        assert_eq!(want.beneficiaries.len(), 2, "{want:?}");
        let [baby_row, mom] = [&want.beneficiaries[0], &want.beneficiaries[1]];
        assert_eq!(baby_row.register_id, "B-1");
        assert_eq!((baby_row.kind, baby_row.facts.dob, baby_row.facts.sex), (Kind::Child, Some(date), Some(Sex::F)));
        assert_eq!(baby_row.facts.mother_name.as_deref(), Some("Sunita"));
        assert_eq!(baby_row.mother.as_deref(), Some("W-1"));
        assert_eq!(mom.status, BeneficiaryStatus::Delivered);
        assert_eq!(mom.facts.name, "Sunita Devi");
        assert_eq!(mom.delivery, Some(ExportDelivery { date, outcome: DeliveryOutcome::LiveBirth, live_births: 1 }));
        let (registration, update) = (log.events[prefix].id, log.events[prefix + 3].id);
        for order in orders(&log.events[prefix..]) {
            // An update before the registration it updates is left out (as everywhere); the
            // deliveries may come before it.
            let at = |id: Uuid| order.iter().position(|e| e.id == id);
            if at(update) < at(registration) {
                continue;
            }
            let mut events = log.events[..prefix].to_vec();
            events.extend(order.iter().cloned());
            // And each event twice.
            events.extend(order);
            assert_eq!(replay(&events).unwrap(), want, "order {:?}", events.iter().map(|e| e.id).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_correction_supersedes_even_when_it_arrives_first() {
        let (mut log, c) = rampur();
        let old = log.dose(c, DoseCode::Bcg, 2, None);
        let new = log.dose(c, DoseCode::Bcg, 3, Some(old));
        let doses = |events: &[Event]| -> Vec<(Uuid, bool)> {
            replay(events).unwrap().beneficiaries[0].doses.iter().map(|d| (d.id, d.flagged)).collect()
        };
        assert_eq!(doses(&log.events), vec![(new, false)]);
        let n = log.events.len();
        log.events.swap(n - 1, n - 2);
        assert_eq!(doses(&log.events), vec![(new, false)], "the correction came first");
    }

    #[test]
    fn the_same_dose_twice_is_kept_and_flagged_while_both_stand() {
        let (mut log, c) = rampur();
        let first = log.dose(c, DoseCode::Opv1, 5, None);
        let second = log.at(B, 2).dose(c, DoseCode::Opv1, 4, None);
        log.dose(c, DoseCode::Bcg, 4, None);
        let doses = &log.export().beneficiaries[0].doses;
        assert_eq!(
            doses.iter().map(|d| (d.code, d.flagged)).collect::<Vec<_>>(),
            vec![(DoseCode::Bcg, false), (DoseCode::Opv1, true), (DoseCode::Opv1, true)]
        );
        assert_eq!((doses[1].id, doses[2].id), (second, first), "sorted by date");
        // Correcting one's date leaves two OPV1s: both still flagged.
        let corrected = log.dose(c, DoseCode::Opv1, 6, Some(first));
        let doses = &log.export().beneficiaries[0].doses;
        assert!(doses.iter().filter(|d| d.code == DoseCode::Opv1).all(|d| d.flagged));
        // Correcting it to the dose it really was (OPV2) leaves one OPV1: the flags are lifted,
        // whatever the order the three records arrive in.
        log.dose(c, DoseCode::Opv2, 6, Some(corrected));
        let n = log.events.len();
        let mut orders = vec![log.events.clone()];
        let mut late = log.events.clone();
        late[n - 4..].reverse();
        orders.push(late);
        for events in orders {
            let doses = replay(&events).unwrap().beneficiaries.remove(0).doses;
            assert!(doses.iter().all(|d| !d.flagged), "{doses:?}");
        }
    }

    #[test]
    fn ids_registered_twice_become_aliases_of_the_first() {
        let (mut log, c) = rampur();
        log.at(B, 2);
        let v2 = log.village(11, "RAMPUR");
        let h2 = log.household(12, "H-1", v2);
        let c2 = log.child(13, "C-1", h2, "Aarav Kumar");
        log.dose(c2, DoseCode::Bcg, 2, None);
        log.push(EventBody::HouseholdUpdated { household: h2, fields: vec![HouseholdField::Phone(Some("98".into()))] });
        let export = log.export();
        assert_eq!(export.beneficiaries.len(), 1);
        let b = &export.beneficiaries[0];
        assert_eq!(
            (b.village.as_str(), b.facts.name.as_str()),
            ("Rampur", "Aarav Kumar"),
            "the later registration's fields win"
        );
        assert_eq!((b.doses.len(), b.household.phone.as_deref()), (1, Some("98")));
        assert_ne!(c, c2);
    }

    #[test]
    fn a_refusal_marks_the_household_resistant_and_unknown_beneficiaries_are_left_out() {
        let (mut log, c) = rampur();
        let date = Date::from_ymd_opt(2026, 1, 9).unwrap();
        let not_given = |beneficiary, reason| EventBody::DoseNotGiven {
            beneficiary,
            code: DoseCode::Opv1,
            date,
            reason,
            corrects: None,
            session: None,
            note: None,
        };
        log.push(not_given(c, ReasonCode::ChildSick));
        assert!(!log.export().beneficiaries[0].resistant_household);
        log.push(not_given(Uuid::from_u128(99), ReasonCode::RefusedFamily));
        assert!(!log.export().beneficiaries[0].resistant_household);
        log.push(not_given(c, ReasonCode::RefusedReligious));
        let b = &log.export().beneficiaries[0];
        assert!(b.resistant_household);
        assert_eq!(b.not_given.len(), 2);
    }

    #[test]
    fn a_withdrawn_refusal_no_longer_stands_nor_makes_the_household_resistant_in_any_order() {
        let (mut log, c) = rampur();
        let date = Date::from_ymd_opt(2026, 1, 9).unwrap();
        let refusal = |code| EventBody::DoseNotGiven {
            beneficiary: c,
            code,
            date,
            reason: ReasonCode::RefusedFamily,
            corrects: None,
            session: None,
            note: None,
        };
        let r1 = log.push(refusal(DoseCode::Opv1));
        let r2 = log.push(refusal(DoseCode::Penta1));
        assert!(log.export().beneficiaries[0].resistant_household);
        log.push(EventBody::NotGivenWithdrawn { beneficiary: c, session: None, records: vec![r1] });
        let b = &log.export().beneficiaries[0];
        assert!(b.resistant_household, "the other refusal still stands");
        assert_eq!(b.not_given.iter().map(|n| n.id).collect::<Vec<_>>(), [r2]);
        log.push(EventBody::NotGivenWithdrawn { beneficiary: c, session: None, records: vec![r2] });
        let after = log.export();
        assert!(!after.beneficiaries[0].resistant_household);
        assert!(after.beneficiaries[0].not_given.is_empty());
        // The withdrawals first: the same register.
        let mut reversed = log.events.clone();
        let n = reversed.len();
        reversed[n - 4..].reverse();
        assert_eq!(replay(&reversed).unwrap(), after);
    }

    #[test]
    fn what_the_store_refuses_the_replay_refuses() {
        let (mut log, c) = rampur();
        let unknown = Uuid::from_u128(77);
        let moved =
            EventBody::BeneficiaryUpdated { beneficiary: c, fields: vec![BeneficiaryField::Household(unknown)] };
        log.push(moved.clone());
        assert!(replay(&log.events).is_ok(), "a write that loses (an equal stamp) is not checked");
        log.events.pop();
        let event = log.at(A, 2).push(moved);
        let e = replay(&log.events).unwrap_err();
        assert_eq!(e, ReplayError::UnknownReference { event, what: "household", id: unknown });
        assert_eq!(e.code(), "LOG_UNKNOWN_REFERENCE");
        log.events.pop();
        let event =
            log.push(EventBody::HouseholdRegistered { household: unknown, household_id: "H-9".into(), fields: vec![] });
        assert_eq!(replay(&log.events).unwrap_err().code(), "LOG_INCOMPLETE_REGISTRATION");
        assert!(replay(&log.events).unwrap_err().to_string().starts_with(&format!("event {event}: household 'H-9'")));
    }
}
