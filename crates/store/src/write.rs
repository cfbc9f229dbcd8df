//! The register's writes, for the CLI and the app alike: villages, households and beneficiaries
//! entered on the device, doses given and not given (one path each, at a session or not),
//! sessions and AEFI reports. Each checks all its input (with the domain's rules) before it
//! appends anything, and appends all its events in one transaction.

use crate::append::Ctx;
use crate::error::{corrupt, invalid, not_found, Result, StoreError};
use crate::records::SessionRecord;
use crate::store::Store;
use std::collections::HashSet;
use teeka_domain::facts::{optional_phone, optional_text, required_text};
use teeka_domain::record::{check_doses, check_not_given, Fields, Recipient};
use teeka_domain::{
    iso, AefiSeverity, AreaLevel, BeneficiaryFacts, BeneficiaryField, BeneficiaryStatus, Date, DoseCode, Event,
    EventBody, HouseholdFacts, HouseholdField, Kind, ReasonCode, Sex, Subject, VialsUsed, Warning,
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
            Kind::Child => (facts.dob.ok_or_else(|| invalid("dob is missing: a child needs a date of birth"))?, "dob"),
            Kind::PregnantWoman => {
                (facts.lmp.ok_or_else(|| invalid("lmp is missing: a pregnant woman needs an LMP"))?, "lmp")
            }
        };
        if anchor > ctx.today {
            return Err(invalid(format!("{what} {} is in the future (today is {})", iso(anchor), iso(ctx.today))));
        }
        let sex = match kind {
            Kind::Child => facts.sex,
            Kind::PregnantWoman if matches!(facts.sex, None | Some(Sex::F)) => Some(Sex::F),
            Kind::PregnantWoman => return Err(invalid("sex of a pregnant woman must be F")),
        };
        let checked = BeneficiaryFacts {
            name,
            sex,
            dob: (kind == Kind::Child).then_some(anchor),
            lmp: (kind == Kind::PregnantWoman).then_some(anchor),
            mother_name,
        };
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
        let mut checked = Vec::with_capacity(fields.len());
        for f in fields {
            checked.push(match f {
                BeneficiaryField::Name(n) => BeneficiaryField::Name(required_text("name", &n)?),
                BeneficiaryField::MotherName(m) => {
                    BeneficiaryField::MotherName(optional_text("mother_name", m.as_deref())?)
                }
                BeneficiaryField::Dob(Some(d)) | BeneficiaryField::Lmp(Some(d)) if d > ctx.today => {
                    return Err(invalid(format!("date {} is in the future (today is {})", iso(d), iso(ctx.today))))
                }
                BeneficiaryField::Dob(_) if row.kind != Kind::Child => {
                    return Err(invalid(format!("dob: {register_id} is a pregnant woman (set lmp)")))
                }
                BeneficiaryField::Lmp(_) if row.kind != Kind::PregnantWoman => {
                    return Err(invalid(format!("lmp: {register_id} is a child (set dob)")))
                }
                BeneficiaryField::Dob(None) | BeneficiaryField::Lmp(None) => {
                    return Err(invalid("a date of birth or LMP cannot be removed"))
                }
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
        self.record_given_as(register_id, &[(code, date)], None, Fields::Sentence, ctx)
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
        self.record_not_given_as(register_id, &[code], date, reason, None, Fields::Sentence, ctx)
    }

    /// Records doses not given on `date` for `reason` (all or none), optionally at an open
    /// session. A refusal marks the household resistant.
    pub fn record_not_given_codes(
        &mut self,
        register_id: &str,
        codes: &[DoseCode],
        date: Date,
        reason: ReasonCode,
        session: Option<Uuid>,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        self.record_not_given_as(register_id, codes, date, reason, session, Fields::Request, ctx)
    }

    /// The one path of doses not given.
    #[allow(clippy::too_many_arguments)]
    fn record_not_given_as(
        &mut self,
        register_id: &str,
        codes: &[DoseCode],
        date: Date,
        reason: ReasonCode,
        session: Option<Uuid>,
        fields: Fields,
        ctx: &Ctx,
    ) -> Result<Recorded> {
        let (beneficiary, subject, inactive) = self.recipient(register_id, session)?;
        check_not_given(&Recipient { who: register_id, subject, fields }, codes, date, ctx.today)?;
        let bodies = codes
            .iter()
            .map(|code| EventBody::DoseNotGiven { beneficiary, code: *code, date, reason, corrects: None, session })
            .collect();
        let events = self.append(ctx, bodies)?;
        Ok(Recorded { events, warnings: inactive.into_iter().collect() })
    }

    // ----- sessions and AEFI -----

    /// Opens a session at a village on a date; the open session of that site and date if there
    /// is one already.
    pub fn open_session(&mut self, site: Uuid, date: Date, ctx: &Ctx) -> Result<Uuid> {
        if !self.village_exists(site)? {
            return Err(not_found(format!("site_id {site}: no such village on this device")));
        }
        if let Some(id) = self.open_session_at(site, date)? {
            return Ok(id);
        }
        let session = Uuid::now_v7();
        self.append(ctx, vec![EventBody::SessionOpened { session, site, date }])?;
        Ok(session)
    }

    /// Closes a session with the vials opened. Closing a closed session is refused.
    pub fn close_session(&mut self, session: Uuid, vials: Vec<VialsUsed>, ctx: &Ctx) -> Result<()> {
        self.open_session_record(session)?;
        let mut seen = HashSet::new();
        if let Some(v) = vials.iter().find(|v| !seen.insert(v.antigen)) {
            return Err(invalid(format!("vials: {} is listed twice", v.antigen)));
        }
        self.append(ctx, vec![EventBody::SessionClosed { session, vials }])?;
        Ok(())
    }

    /// Reports an adverse event following immunization. Returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn report_aefi(
        &mut self,
        register_id: &str,
        session: Option<Uuid>,
        date: Date,
        severity: AefiSeverity,
        observed: &str,
        codes: Vec<DoseCode>,
        ctx: &Ctx,
    ) -> Result<Uuid> {
        if let Some(s) = session {
            self.session(s)?;
        }
        let row = self.beneficiary(register_id)?;
        let observed = required_text("observed", observed)?;
        if date > ctx.today {
            return Err(invalid(format!("date {} is in the future (today is {})", iso(date), iso(ctx.today))));
        }
        if let Some(c) = codes.iter().find(|c| c.kind() != row.kind) {
            return Err(invalid(format!("codes: {c} is not a dose of a {}", row.kind.words())));
        }
        let aefi = Uuid::now_v7();
        self.append(
            ctx,
            vec![EventBody::AefiReported { aefi, beneficiary: row.id, session, date, severity, observed, codes }],
        )?;
        Ok(aefi)
    }
}
