//! The register's writes, for the CLI and the app alike: villages, households and beneficiaries
//! entered on the device, doses given and not given (one path each, at a session or not),
//! sessions and AEFI reports. Each checks all its input (with the domain's rules) before it
//! appends anything, and appends all its events in one transaction.

use crate::append::Ctx;
use crate::error::{corrupt, invalid, invalid_at, not_found, Result, StoreError};
use crate::records::SessionRecord;
use crate::store::Store;
use std::collections::HashSet;
use teeka_domain::care::{check_reason, check_session_date};
use teeka_domain::facts::{check_dob, check_pregnancy, optional_phone, optional_text, required_text};
use teeka_domain::record::{check_delivery, check_doses, check_not_given, Fields, Mother, Recipient};
use teeka_domain::{
    iso, AefiFacts, AreaLevel, BeneficiaryFacts, BeneficiaryField, BeneficiaryStatus, Date, DeliveryOutcome, DoseCode,
    Event, EventBody, HouseholdFacts, HouseholdField, IdKind, Kind, Newborn, ReasonCode, Sex, Subject, VialsUsed,
    Warning,
};
use uuid::Uuid;

/// Records that were stored (one event each, in order), with any warnings about them.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub events: Vec<Event>,
    pub warnings: Vec<Warning>,
}

impl Recorded {
    /// The first record's event (the only one of a single record).
    pub fn event(&self) -> Option<&Event> {
        self.events.first()
    }
}

/// 12 upper-case hex digits of randomness (the random tail of a UUIDv7).
fn random_suffix() -> String {
    let hex = Uuid::now_v7().simple().to_string().to_uppercase();
    hex[hex.len() - 12..].to_string()
}

impl Store {
    /// Marks a village JE-endemic (or not).
    pub fn set_je_endemic(&mut self, village: &str, je_endemic: bool, ctx: &Ctx) -> Result<Event> {
        let area = self.village_id(village)?.ok_or_else(|| StoreError::UnknownVillage(village.to_string()))?;
        let mut events = self.append(ctx, vec![EventBody::VillageJeEndemicSet { area, je_endemic }])?;
        events.pop().ok_or_else(|| corrupt("an append returned no event"))
    }

    /// Sets a village's ASHA: her name and phone (empty or `None` clears each), checked as a
    /// household's texts and phone are.
    pub fn set_village_asha(
        &mut self,
        village: Uuid,
        name: Option<&str>,
        phone: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Event> {
        if !self.village_exists(village)? {
            return Err(not_found(format!("village_id {village}: no such village on this device")));
        }
        let name = optional_text("asha_name", name)?;
        let phone = optional_phone(phone)?;
        let mut events = self.append(ctx, vec![EventBody::VillageAshaSet { area: village, name, phone }])?;
        events.pop().ok_or_else(|| corrupt("an append returned no event"))
    }

    /// The id of the village named `name` (case-insensitive), adding it if there is none.
    pub fn add_village(&mut self, name: &str, ctx: &Ctx) -> Result<Uuid> {
        let name = required_text("name", name)?;
        if let Some(id) = self.village_id(&name)? {
            return Ok(id);
        }
        let parent = self.enrollment()?.map(|e| e.area_id);
        let area = Uuid::now_v7();
        self.append(ctx, vec![EventBody::AreaDefined { area, level: AreaLevel::Village, name, parent }])?;
        Ok(area)
    }

    fn household_fields(&self, village: Uuid, facts: &HouseholdFacts) -> Result<Vec<HouseholdField>> {
        if !self.village_exists(village)? {
            return Err(not_found(format!("village_id {village}: no such village on this device")));
        }
        let mut fields = vec![HouseholdField::Village(village)];
        fields.extend(facts.checked()?.fields());
        Ok(fields)
    }

    /// Registers a household in a village, with a new household id `HH-` + 12 hex digits of
    /// randomness (two devices must not make the same one: equal ids merge households).
    pub fn register_household(&mut self, village: Uuid, facts: &HouseholdFacts, ctx: &Ctx) -> Result<Uuid> {
        let fields = self.household_fields(village, facts)?;
        let household = Uuid::now_v7();
        let household_id = format!("HH-{}", random_suffix());
        self.append(ctx, vec![EventBody::HouseholdRegistered { household, household_id, fields }])?;
        Ok(household)
    }

    /// Sets every fact of a household (and its village).
    pub fn update_household(&mut self, id: Uuid, village: Uuid, facts: &HouseholdFacts, ctx: &Ctx) -> Result<()> {
        if !self.household_exists(id)? {
            return Err(not_found(format!("id {id}: no such household on this device")));
        }
        let fields = self.household_fields(village, facts)?;
        self.append(ctx, vec![EventBody::HouseholdUpdated { household: id, fields }])?;
        Ok(())
    }

    /// Registers a beneficiary in a household with a new register id `B-` + 12 hex digits, and
    /// the doses of the MCP card, in one transaction: all or nothing. A child needs `dob`; a
    /// pregnant woman `lmp`. Returns the register id and the warnings about the doses.
    pub fn register_beneficiary(
        &mut self,
        household: Uuid,
        kind: Kind,
        facts: &BeneficiaryFacts,
        doses: &[(DoseCode, Date)],
        ctx: &Ctx,
    ) -> Result<(String, Vec<Warning>)> {
        let je_endemic = self.household_je_endemic(household)?;
        let name = required_text("name", &facts.name)?;
        let mother_name = optional_text("mother_name", facts.mother_name.as_deref())?;
        let (anchor, what) = match kind {
            Kind::Child => {
                (facts.dob.ok_or_else(|| invalid_at("dob", "dob is missing: a child needs a date of birth"))?, "dob")
            }
            Kind::PregnantWoman => {
                (facts.lmp.ok_or_else(|| invalid_at("lmp", "lmp is missing: a pregnant woman needs an LMP"))?, "lmp")
            }
        };
        if anchor > ctx.today {
            return Err(invalid_at(
                what,
                format!("{what} {} is in the future (today is {})", iso(anchor), iso(ctx.today)),
            ));
        }
        match kind {
            Kind::Child => check_dob(anchor, ctx.today)?,
            Kind::PregnantWoman => check_pregnancy(anchor, None, BeneficiaryStatus::Active, ctx.today)?,
        }
        let sex = match kind {
            Kind::Child => facts.sex,
            Kind::PregnantWoman if matches!(facts.sex, None | Some(Sex::F)) => Some(Sex::F),
            Kind::PregnantWoman => return Err(invalid_at("sex", "sex of a pregnant woman must be F")),
        };
        let checked = BeneficiaryFacts {
            name,
            sex,
            dob: (kind == Kind::Child).then_some(anchor),
            lmp: (kind == Kind::PregnantWoman).then_some(anchor),
            mother_name,
            abha: facts.abha.clone(),
            rch_id: facts.rch_id.clone(),
            uwin_id: facts.uwin_id.clone(),
        }
        .checked_ids()?;
        let subject = Subject { kind, anchor, je_endemic };
        let warnings = if doses.is_empty() {
            Vec::new()
        } else {
            let to = Recipient { who: &checked.name, subject, fields: Fields::Request };
            check_doses(&to, &[], doses, ctx.today, &self.settings()?)?
        };
        let beneficiary = Uuid::now_v7();
        let register_id = format!("B-{}", random_suffix());
        let mut fields = vec![BeneficiaryField::Household(household)];
        fields.extend(checked.fields());
        fields.push(BeneficiaryField::Status(BeneficiaryStatus::Active));
        let mut bodies =
            vec![EventBody::BeneficiaryRegistered { beneficiary, register_id: register_id.clone(), kind, fields }];
        bodies.extend(doses.iter().map(|(code, date)| EventBody::DoseGiven {
            beneficiary,
            code: *code,
            date: *date,
            corrects: None,
            session: None,
        }));
        self.append(ctx, bodies)?;
        Ok((register_id, warnings))
    }

    /// Changes some fields of a beneficiary (checked as at registration).
    pub fn update_beneficiary(&mut self, register_id: &str, fields: Vec<BeneficiaryField>, ctx: &Ctx) -> Result<()> {
        let row = self.beneficiary(register_id)?;
        // The status the beneficiary has once these fields are set.
        let status = fields
            .iter()
            .rev()
            .find_map(|f| match f {
                BeneficiaryField::Status(s) => Some(*s),
                _ => None,
            })
            .unwrap_or(row.status);
        let mut checked = Vec::with_capacity(fields.len());
        for f in fields {
            checked.push(match f {
                BeneficiaryField::Name(n) => BeneficiaryField::Name(required_text("name", &n)?),
                BeneficiaryField::MotherName(m) => {
                    BeneficiaryField::MotherName(optional_text("mother_name", m.as_deref())?)
                }
                BeneficiaryField::Dob(Some(d)) | BeneficiaryField::Lmp(Some(d)) if d > ctx.today => {
                    let what = f.name();
                    return Err(invalid_at(
                        what,
                        format!("{what} {} is in the future (today is {})", iso(d), iso(ctx.today)),
                    ));
                }
                BeneficiaryField::Dob(_) if row.kind != Kind::Child => {
                    return Err(invalid_at("dob", format!("dob: {register_id} is a pregnant woman (set lmp)")))
                }
                BeneficiaryField::Lmp(_) if row.kind != Kind::PregnantWoman => {
                    return Err(invalid_at("lmp", format!("lmp: {register_id} is a child (set dob)")))
                }
                BeneficiaryField::Dob(Some(d)) => {
                    check_dob(d, ctx.today)?;
                    f
                }
                BeneficiaryField::Lmp(Some(d)) => {
                    check_pregnancy(d, None, status, ctx.today)?;
                    f
                }
                BeneficiaryField::Dob(None) | BeneficiaryField::Lmp(None) => {
                    return Err(invalid("a date of birth or LMP cannot be removed"))
                }
                BeneficiaryField::Abha(v) => BeneficiaryField::Abha(IdKind::Abha.check_optional(v.as_deref())?),
                BeneficiaryField::RchId(v) => BeneficiaryField::RchId(IdKind::RchId.check_optional(v.as_deref())?),
                BeneficiaryField::UwinId(v) => BeneficiaryField::UwinId(IdKind::UwinId.check_optional(v.as_deref())?),
                BeneficiaryField::Household(h) if !self.household_exists(h)? => {
                    return Err(not_found(format!("household_id {h}: no such household on this device")))
                }
                other => other,
            });
        }
        if checked.is_empty() {
            return Ok(());
        }
        self.append(ctx, vec![EventBody::BeneficiaryUpdated { beneficiary: row.id, fields: checked }])?;
        Ok(())
    }

    fn open_session_record(&self, session: Uuid) -> Result<SessionRecord> {
        let s = self.session(session)?;
        if s.closed {
            return Err(StoreError::SessionClosed(format!(
                "session {session} of {} on {} is closed",
                s.site,
                iso(s.date)
            )));
        }
        Ok(s)
    }

    /// Whom doses are recorded for, at `session` if any (which must be open): the beneficiary's
    /// internal id, the schedule's subject, and a warning when they are not active.
    fn recipient(&self, register_id: &str, session: Option<Uuid>) -> Result<(Uuid, Subject, Option<Warning>)> {
        if let Some(s) = session {
            self.open_session_record(s)?;
        }
        let row = self.beneficiary(register_id)?;
        let subject = row.subject().ok_or_else(|| corrupt(format!("{register_id} has no date of birth or LMP")))?;
        let inactive = (row.status != BeneficiaryStatus::Active)
            .then(|| Warning::NotActive { register_id: register_id.to_string(), status: row.status });
        Ok((row.id, subject, inactive))
    }

    /// Records doses given (several codes at once, all or none), optionally at an open session.
    /// Refuses what cannot be true, naming the request's field (`doses[i]`); warns about what is
    /// unusual.
    pub fn record_doses(
        &mut self,
        register_id: &str,
        doses: &[(DoseCode, Date)],
        session: Option<Uuid>,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        self.record_given_as(register_id, doses, session, Fields::Request, ctx)
    }

    /// The one path of doses given: [`Store::record_doses`] and [`Store::record_dose`].
    fn record_given_as(
        &mut self,
        register_id: &str,
        doses: &[(DoseCode, Date)],
        session: Option<Uuid>,
        fields: Fields,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        let (beneficiary, subject, inactive) = self.recipient(register_id, session)?;
        let history = self.history(beneficiary)?;
        let to = Recipient { who: register_id, subject, fields };
        let mut warnings: Vec<Warning> = inactive.into_iter().collect();
        warnings.extend(check_doses(&to, &history, doses, ctx.today, &self.settings()?)?);
        let bodies = doses
            .iter()
            .map(|(code, date)| EventBody::DoseGiven { beneficiary, code: *code, date: *date, corrects: None, session })
            .collect();
        let events = self.append(ctx, bodies)?;
        Ok(Recorded { events, warnings })
    }

    /// Records one dose given outside a session (the path of [`Store::record_doses`]; a refusal
    /// is the sentence alone, which names the dose and its date: the CLI's flags name one dose).
    pub fn record_dose(&mut self, register_id: &str, code: DoseCode, date: Date, ctx: &Ctx) -> Result<Recorded> {
        self.record_dose_at(register_id, code, date, None, ctx)
    }

    /// [`Store::record_dose`] at an open session, if any (`teeka record dose --session`).
    pub fn record_dose_at(
        &mut self,
        register_id: &str,
        code: DoseCode,
        date: Date,
        session: Option<Uuid>,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        self.record_given_as(register_id, &[(code, date)], session, Fields::Sentence, ctx)
    }

    /// Records one dose not given outside a session (the path of
    /// [`Store::record_not_given_codes`], refusals named as by [`Store::record_dose`]).
    pub fn record_not_given(
        &mut self,
        register_id: &str,
        code: DoseCode,
        date: Date,
        reason: ReasonCode,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        self.record_not_given_noted(register_id, code, date, reason, None, ctx)
    }

    /// [`Store::record_not_given`] with a note saying what the reason was (required for
    /// `OTHER`: [`teeka_domain::care::check_reason`]).
    pub fn record_not_given_noted(
        &mut self,
        register_id: &str,
        code: DoseCode,
        date: Date,
        reason: ReasonCode,
        note: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        let visit = Visit { date, reason, note, session: None };
        self.record_not_given_as(register_id, &[code], visit, Fields::Sentence, ctx)
    }

    /// Records doses not given on `date` for `reason` (all or none), optionally at an open
    /// session. A refusal makes the household resistant while it stands.
    pub fn record_not_given_codes(
        &mut self,
        register_id: &str,
        codes: &[DoseCode],
        date: Date,
        reason: ReasonCode,
        session: Option<Uuid>,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        self.record_not_given_visit(register_id, codes, Visit { date, reason, note: None, session }, ctx)
    }

    /// Records the doses not given at one visit (all or none): the reason must apply to the
    /// beneficiary and `OTHER` needs its note ([`teeka_domain::care::check_reason`]).
    pub fn record_not_given_visit(
        &mut self,
        register_id: &str,
        codes: &[DoseCode],
        visit: Visit<'_>,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        self.record_not_given_as(register_id, codes, visit, Fields::Request, ctx)
    }

    /// The one path of doses not given.
    fn record_not_given_as(
        &mut self,
        register_id: &str,
        codes: &[DoseCode],
        visit: Visit<'_>,
        fields: Fields,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        let Visit { date, reason, note, session } = visit;
        let (beneficiary, subject, inactive) = self.recipient(register_id, session)?;
        check_not_given(&Recipient { who: register_id, subject, fields }, codes, date, ctx.today)?;
        let note = check_reason(subject.kind, reason, note)?;
        let bodies = codes
            .iter()
            .map(|code| EventBody::DoseNotGiven {
                beneficiary,
                code: *code,
                date,
                reason,
                corrects: None,
                session,
                note: note.clone(),
            })
            .collect();
        let events = self.append(ctx, bodies)?;
        Ok(Recorded { events, warnings: inactive.into_iter().collect() })
    }

    /// Undoes what was recorded as not given to a beneficiary at an open session (a refusal
    /// entered by mistake): one event withdrawing those records. `NOT_FOUND` when none stands.
    pub fn withdraw_not_given(&mut self, session: Uuid, register_id: &str, ctx: &Ctx) -> Result<Recorded> {
        self.open_session_record(session)?;
        let row = self.beneficiary(register_id)?;
        let records = self.standing_not_given_at(session, row.id)?;
        if records.is_empty() {
            return Err(not_found(format!(
                "register_id {register_id}: nothing is recorded as not given at this session"
            )));
        }
        let events = self
            .append(ctx, vec![EventBody::NotGivenWithdrawn { beneficiary: row.id, session: Some(session), records }])?;
        Ok(Recorded { events, warnings: Vec::new() })
    }

    // ----- sessions and AEFI -----

    /// Opens a session at a village on a date; the open session of that site and date if there
    /// is one already. A date after today is refused (`SESSION_IN_FUTURE`).
    pub fn open_session(&mut self, site: Uuid, date: Date, ctx: &Ctx) -> Result<Uuid> {
        Ok(self.open_or_resume_session(site, date, ctx)?.0)
    }

    /// [`Store::open_session`], saying whether it resumed the open session of that site and date.
    pub fn open_or_resume_session(&mut self, site: Uuid, date: Date, ctx: &Ctx) -> Result<(Uuid, bool)> {
        if !self.village_exists(site)? {
            return Err(not_found(format!("site_id {site}: no such village on this device")));
        }
        check_session_date(date, ctx.today)?;
        if let Some(id) = self.open_session_at(site, date)? {
            return Ok((id, true));
        }
        let session = Uuid::now_v7();
        self.append(ctx, vec![EventBody::SessionOpened { session, site, date, session_site: None }])?;
        Ok((session, false))
    }

    /// Closes a session with the vials opened, counted. Closing a closed session is refused. A
    /// session with a vial ledger is closed from its ledger (with the default vaccine table:
    /// [`Store::close_ledger_session`]) and takes no counts.
    pub fn close_session(&mut self, session: Uuid, vials: Vec<VialsUsed>, ctx: &Ctx) -> Result<()> {
        self.open_session_record(session)?;
        let in_ledger = self.ledger_vial_count(session)?;
        if in_ledger > 0 {
            if !vials.is_empty() {
                return Err(invalid(format!(
                    "vials: session {session} has a vial ledger ({in_ledger} vials opened): its vials are counted from it; close it without counts"
                )));
            }
            self.close_ledger_session(session, &teeka_domain::kit::VaccineTable::default(), ctx)?;
            return Ok(());
        }
        let mut seen = HashSet::new();
        if let Some(v) = vials.iter().find(|v| !seen.insert(v.antigen)) {
            return Err(invalid(format!("vials: {} is listed twice", v.antigen)));
        }
        self.append(ctx, vec![EventBody::SessionClosed { session, vials }])?;
        Ok(())
    }

    /// Reports an adverse event following immunization, observed on `date` (not after today),
    /// its facts checked by [`AefiFacts::checked`] at `ctx.now`. Returns its id.
    pub fn report_aefi(
        &mut self,
        register_id: &str,
        session: Option<Uuid>,
        date: Date,
        facts: &AefiFacts,
        ctx: &Ctx,
    ) -> Result<Uuid> {
        if let Some(s) = session {
            self.session(s)?;
        }
        let row = self.beneficiary(register_id)?;
        if date > ctx.today {
            return Err(invalid(format!("date {} is in the future (today is {})", iso(date), iso(ctx.today))));
        }
        let f = facts.checked(row.kind, ctx.now)?;
        let aefi = Uuid::now_v7();
        self.append(
            ctx,
            vec![EventBody::AefiReported {
                aefi,
                beneficiary: row.id,
                session,
                date,
                severity: f.severity,
                observed: f.observed,
                codes: f.codes,
                signs: f.signs,
                onset: f.onset,
                referral: f.referral,
            }],
        )?;
        Ok(aefi)
    }

    /// Saves an AEFI report's form again: the new facts are checked as a whole, and the fields
    /// that changed are appended (last-writer-wins per field). Nothing is appended when nothing
    /// changed.
    pub fn update_aefi(&mut self, aefi: Uuid, facts: &AefiFacts, ctx: &Ctx) -> Result<()> {
        let (record, register_id) = self.aefi_record(aefi)?;
        let row = self.beneficiary(&register_id)?;
        let new = facts.checked(row.kind, ctx.now)?;
        let fields = new.changes_from(&record.facts());
        if fields.is_empty() {
            return Ok(());
        }
        self.append(ctx, vec![EventBody::AefiUpdated { aefi, beneficiary: row.id, fields }])?;
        Ok(())
    }

    /// Records how a pregnant woman's pregnancy ended, in one event: her status becomes
    /// `delivered` (`died` for a maternal death) and each newborn (name, sex) is registered in
    /// her household with a new register id, born on `date`, linked to her. Checked with
    /// [`check_delivery`]. Returns the event and the newborns' register ids, in order.
    pub fn record_delivery(
        &mut self,
        mother: &str,
        date: Date,
        outcome: DeliveryOutcome,
        newborns: &[(String, Option<Sex>)],
        ctx: &Ctx,
    ) -> Result<(Event, Vec<String>)> {
        let row = self.beneficiary(mother)?;
        let names: Vec<&str> = newborns.iter().map(|(n, _)| n.as_str()).collect();
        let who = Mother { register_id: mother, kind: row.kind, status: row.status, lmp: row.facts.lmp };
        let names = check_delivery(&who, date, ctx.today, outcome, &names)?;
        let newborns: Vec<Newborn> = names
            .into_iter()
            .zip(newborns)
            .map(|(name, (_, sex))| Newborn {
                beneficiary: Uuid::now_v7(),
                register_id: format!("B-{}", random_suffix()),
                name,
                sex: *sex,
            })
            .collect();
        let ids = newborns.iter().map(|n| n.register_id.clone()).collect();
        let body = EventBody::DeliveryRecorded {
            beneficiary: row.id,
            household: row.household,
            date,
            outcome,
            mother_name: row.facts.name,
            newborns,
        };
        let event = self.append(ctx, vec![body])?.pop().ok_or_else(|| corrupt("a delivery appended no event"))?;
        Ok((event, ids))
    }
}

/// One visit's doses not given: the date, the reason (with its note) and the session, if any.
#[derive(Debug, Clone, Copy)]
pub struct Visit<'a> {
    pub date: Date,
    pub reason: ReasonCode,
    pub note: Option<&'a str>,
    pub session: Option<Uuid>,
}
