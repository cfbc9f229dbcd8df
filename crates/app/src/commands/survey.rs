//! The ASHA's survey: villages, households, members, the MCP card, status, refusals, search.

use crate::error::AppError;
use crate::fields::{code_field, codes_field, date_field, doses_field, opt_date_field};
use crate::types::*;
use crate::views::{member_by_register_id, survey};
use crate::{App, Clock};
use chrono::Months;
use teeka_domain::facts::check_pregnancy;
use teeka_domain::schedule::evaluate;
use teeka_domain::{
    BeneficiaryFacts, BeneficiaryField, BeneficiaryStatus, Date, DeliveryOutcome, DoseCode, DoseStatus, HouseholdFacts,
    Kind, ReasonCode, RiskCategory, Sex,
};
use teeka_store::Visit;

/// The date of birth of a child `months` old on `today`: the same day of the month that many
/// months before, or the last day of that month when it has no such day (31 March, 1 month →
/// 28/29 February).
pub fn dob_from_age_months(today: Date, months: u32) -> Option<Date> {
    today.checked_sub_months(Months::new(months))
}

impl App {
    /// `villages`: by name, with counts on today.
    pub fn villages(&mut self, _req: VillagesReq, clock: Clock) -> Result<Vec<Village>, AppError> {
        self.guard(&clock)?;
        Ok(survey::villages(self.store()?, clock.today)?)
    }

    /// `add_village`: the existing village when the name is already there (any case).
    pub fn add_village(&mut self, req: AddVillageReq, clock: Clock) -> Result<Village, AppError> {
        let ctx = self.guard(&clock)?;
        let id = self.store_mut()?.add_village(&req.name, &ctx)?;
        Ok(survey::village(self.store()?, id, clock.today)?)
    }

    /// `households`: of a village, by house number.
    pub fn households(&mut self, req: HouseholdsReq, clock: Clock) -> Result<Vec<Household>, AppError> {
        self.guard(&clock)?;
        Ok(survey::households(self.store()?, req.village_id, clock.today)?)
    }

    /// `save_household`: new without `id`; otherwise every field is set as given.
    pub fn save_household(&mut self, req: SaveHouseholdReq, clock: Clock) -> Result<Household, AppError> {
        let ctx = self.guard(&clock)?;
        let risk_category: Option<RiskCategory> = req
            .risk_category
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| code_field("risk_category", r))
            .transpose()?;
        let facts = HouseholdFacts {
            house_no: req.house_no,
            head_of_household: req.head_of_household,
            phone: req.phone,
            risk_category,
        };
        let id = match req.id {
            Some(id) => {
                self.store_mut()?.update_household(id, req.village_id, &facts, &ctx)?;
                id
            }
            None => self.store_mut()?.register_household(req.village_id, &facts, &ctx)?,
        };
        Ok(survey::household(self.store()?, id, clock.today)?)
    }

    /// `members` of a household.
    pub fn members(&mut self, req: MembersReq, clock: Clock) -> Result<Vec<Member>, AppError> {
        self.guard(&clock)?;
        Ok(survey::household_members(self.store()?, req.household_id, clock.today)?)
    }

    /// `beneficiary`: one in full.
    pub fn beneficiary(&mut self, req: BeneficiaryReq, clock: Clock) -> Result<Beneficiary, AppError> {
        self.guard(&clock)?;
        Ok(survey::beneficiary(self.store()?, req.register_id.trim(), clock.today)?)
    }

    /// `add_child`: exactly one of `dob` and `age_months` ([`dob_from_age_months`]); the MCP
    /// card's doses are registered with the child, all or nothing.
    pub fn add_child(&mut self, req: AddChildReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let dob = match (opt_date_field("dob", req.dob.as_deref())?, req.age_months) {
            (Some(d), None) => d,
            (None, Some(m)) => {
                if m > 72 {
                    return Err(AppError::invalid_field(
                        "age_months",
                        format!("age_months {m} is over 6 years: not a child of the schedule"),
                    ));
                }
                dob_from_age_months(clock.today, m).ok_or_else(|| {
                    AppError::invalid_field("age_months", format!("age_months {m} gives no date of birth"))
                })?
            }
            (Some(_), Some(_)) => {
                return Err(AppError::invalid_field("dob", "dob and age_months are both given: give one of them"))
            }
            (None, None) => {
                return Err(AppError::invalid_field("dob", "dob and age_months are both missing: give one of them"))
            }
        };
        let sex: Sex = code_field("sex", &req.sex)?;
        let doses = doses_field(&req.doses)?;
        let facts = BeneficiaryFacts {
            name: req.name,
            sex: Some(sex),
            dob: Some(dob),
            lmp: None,
            mother_name: req.mother_name,
            ..Default::default()
        };
        let (register_id, _warnings) =
            self.store_mut()?.register_beneficiary(req.household_id, Kind::Child, &facts, &doses, &ctx)?;
        Ok(member_by_register_id(self.store()?, &register_id, clock.today)?)
    }

    /// `add_pregnant_woman`: exactly one of `lmp` and `edd` (LMP = EDD − 280 days).
    pub fn add_pregnant_woman(&mut self, req: AddPregnantWomanReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let edd = opt_date_field("edd", req.edd.as_deref())?;
        let lmp = match (opt_date_field("lmp", req.lmp.as_deref())?, edd) {
            (Some(l), None) => l,
            (None, Some(e)) => teeka_domain::model::lmp_from_edd(e)
                .ok_or_else(|| AppError::invalid_field("edd", "edd is too early a date"))?,
            (Some(_), Some(_)) => {
                return Err(AppError::invalid_field("lmp", "lmp and edd are both given: give one of them"))
            }
            (None, None) => {
                return Err(AppError::invalid_field("lmp", "lmp and edd are both missing: give one of them"))
            }
        };
        // The pregnancy as entered (an EDD entered is named as the EDD); the store checks the
        // LMP again with the same rule.
        check_pregnancy(lmp, edd, BeneficiaryStatus::Active, clock.today)?;
        let doses = doses_field(&req.doses)?;
        let facts = BeneficiaryFacts { name: req.name, sex: Some(Sex::F), lmp: Some(lmp), ..Default::default() };
        let (register_id, _warnings) =
            self.store_mut()?.register_beneficiary(req.household_id, Kind::PregnantWoman, &facts, &doses, &ctx)?;
        Ok(member_by_register_id(self.store()?, &register_id, clock.today)?)
    }

    /// `update_beneficiary`: the fields given change; absent ones stay.
    pub fn update_beneficiary(&mut self, req: UpdateBeneficiaryReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let mut fields = Vec::new();
        if let Some(n) = req.name {
            fields.push(BeneficiaryField::Name(n));
        }
        if let Some(s) = req.sex.as_deref() {
            fields.push(BeneficiaryField::Sex(Some(code_field("sex", s)?)));
        }
        if let Some(d) = opt_date_field("dob", req.dob.as_deref())? {
            fields.push(BeneficiaryField::Dob(Some(d)));
        }
        if let Some(d) = opt_date_field("lmp", req.lmp.as_deref())? {
            fields.push(BeneficiaryField::Lmp(Some(d)));
        }
        if let Some(m) = req.mother_name {
            fields.push(BeneficiaryField::MotherName(Some(m)));
        }
        // The national identifiers: given empty, cleared (the store checks their shape).
        let id = |v: String| Some(v).filter(|v| !v.trim().is_empty());
        if let Some(v) = req.abha {
            fields.push(BeneficiaryField::Abha(id(v)));
        }
        if let Some(v) = req.rch_id {
            fields.push(BeneficiaryField::RchId(id(v)));
        }
        if let Some(v) = req.uwin_id {
            fields.push(BeneficiaryField::UwinId(id(v)));
        }
        let register_id = req.register_id.trim();
        self.store_mut()?.update_beneficiary(register_id, fields, &ctx)?;
        Ok(member_by_register_id(self.store()?, register_id, clock.today)?)
    }

    /// `add_doses`: doses from the MCP card (all or none), with warnings about unusual ones.
    pub fn add_doses(&mut self, req: AddDosesReq, clock: Clock) -> Result<DosesAdded, AppError> {
        let ctx = self.guard(&clock)?;
        let doses = doses_field(&req.doses)?;
        let register_id = req.register_id.trim();
        let recorded = self.store_mut()?.record_doses(register_id, &doses, None, &ctx)?;
        Ok(DosesAdded {
            member: member_by_register_id(self.store()?, register_id, clock.today)?,
            warnings: recorded.warnings,
        })
    }

    /// `set_status`: active, migrated or died.
    pub fn set_status(&mut self, req: SetStatusReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let status: BeneficiaryStatus = code_field("status", &req.status)?;
        let register_id = req.register_id.trim();
        self.store_mut()?.update_beneficiary(register_id, vec![BeneficiaryField::Status(status)], &ctx)?;
        Ok(member_by_register_id(self.store()?, register_id, clock.today)?)
    }

    /// `record_delivery`: one event closes the pregnancy and registers each newborn in the
    /// mother's household, born on the date (checked by the domain: not in the future, not
    /// before the LMP, a live birth with a newborn).
    pub fn record_delivery(&mut self, req: RecordDeliveryReq, clock: Clock) -> Result<DeliveryDone, AppError> {
        let ctx = self.guard(&clock)?;
        let date = date_field("date", &req.date)?;
        let outcome: DeliveryOutcome = code_field("outcome", &req.outcome)?;
        let newborns = req
            .newborns
            .iter()
            .enumerate()
            .map(|(i, n)| Ok((n.name.clone(), Some(code_field::<Sex>(&format!("newborns[{i}].sex"), &n.sex)?))))
            .collect::<Result<Vec<_>, AppError>>()?;
        let register_id = req.register_id.trim();
        let (_, ids) = self.store_mut()?.record_delivery(register_id, date, outcome, &newborns, &ctx)?;
        let store = self.store()?;
        Ok(DeliveryDone {
            mother: member_by_register_id(store, register_id, clock.today)?,
            newborns: ids.iter().map(|id| member_by_register_id(store, id, clock.today)).collect::<Result<_, _>>()?,
        })
    }

    /// `record_refusal`: records the doses chosen (`codes`; without them every dose due or
    /// overdue today) as not given today, with the reason (any reason code that applies to the
    /// beneficiary; a refusal reason makes the household resistant while it stands) and its note.
    ///
    /// When nothing is due today, the refusal is recorded against the next dose(s) of the
    /// schedule (the upcoming doses with the earliest due date): the family's refusal is a fact
    /// the ANM must see, and it marks the household resistant, even between due dates. When no
    /// dose is left to give at all, it is refused (`INVALID_INPUT`).
    pub fn record_refusal(&mut self, req: RecordRefusalReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let reason: ReasonCode = code_field("reason", &req.reason)?;
        let register_id = req.register_id.trim();
        let member = member_by_register_id(self.store()?, register_id, clock.today)?;
        let chosen = codes_field(&req.codes)?;
        let mut codes: Vec<DoseCode> =
            if chosen.is_empty() { member.due.iter().map(|d| d.code).collect() } else { chosen };
        if codes.is_empty() {
            let row = self.store()?.beneficiary(register_id)?;
            if let Some(subject) = row.subject() {
                let history = self.store()?.history(row.id)?;
                let states = evaluate(&subject, &history, clock.today, &self.store()?.settings()?);
                let upcoming = states.iter().filter(|s| s.status == DoseStatus::Upcoming);
                if let Some(next) = upcoming.clone().filter_map(|s| s.due_on).min() {
                    codes = upcoming.filter(|s| s.due_on == Some(next)).map(|s| s.code).collect();
                }
            }
        }
        if codes.is_empty() {
            return Err(AppError::invalid(format!(
                "register_id {register_id}: no dose is due or upcoming; nothing to refuse"
            )));
        }
        let visit = Visit { date: clock.today, reason, note: req.note.as_deref(), session: None };
        self.store_mut()?.record_not_given_visit(register_id, &codes, visit, &ctx)?;
        Ok(member_by_register_id(self.store()?, register_id, clock.today)?)
    }

    /// `search`: by name, mother's name, head of household or register id; at most 50.
    pub fn search(&mut self, req: SearchReq, clock: Clock) -> Result<Vec<Found>, AppError> {
        self.guard(&clock)?;
        Ok(survey::search(self.store()?, &req.text, req.village_id, clock.today)?)
    }

    /// `similar_children`: children of the village with a similar name, born within 90 days.
    pub fn similar_children(&mut self, req: SimilarChildrenReq, clock: Clock) -> Result<Vec<Found>, AppError> {
        self.guard(&clock)?;
        let dob = opt_date_field("dob", req.dob.as_deref())?;
        Ok(survey::similar_children(self.store()?, req.village_id, &req.name, dob, clock.today)?)
    }

    /// `similar_households`: households of the village with the same house number or the same
    /// phone ([`HouseholdFacts::similar_to`]), but `id` (the one being edited).
    pub fn similar_households(&mut self, req: SimilarHouseholdsReq, clock: Clock) -> Result<Vec<Household>, AppError> {
        self.guard(&clock)?;
        let facts = HouseholdFacts { house_no: req.house_no, phone: req.phone, ..Default::default() };
        Ok(survey::similar_households(self.store()?, req.village_id, &facts, req.id, clock.today)?)
    }
}
