//! The campaign's screens (issue 10): sites, rounds and their calendar, the day's sessions, the
//! carry kit, the vial ledger and the mop-up list.

use crate::error::AppError;
use crate::fields::{code_field, date_field, opt_date_field};
use crate::types::*;
use crate::views::campaign;
use crate::{App, Clock};
use std::collections::BTreeSet;
use teeka_domain::calendar::{RoundDays, Weekdays, DEFAULT_WORKING_DAYS};
use teeka_domain::kit::VaccineTable;
use teeka_domain::plan::SessionNorms;
use teeka_domain::{Contact, Date, Day, WorkerRole};
use teeka_store::SiteInput;

/// The RI weekdays of a request (`ri_days[i]` named when one is wrong).
pub(crate) fn ri_days_field(days: &[String]) -> Result<Weekdays, AppError> {
    let days: Vec<Day> =
        days.iter().enumerate().map(|(i, d)| code_field(&format!("ri_days[{i}]"), d)).collect::<Result<_, _>>()?;
    let text: Vec<&str> = days.iter().map(|d| d.as_str()).collect();
    Weekdays::parse(&text.join(",")).map_err(|e| AppError::invalid_field("ri_days", e.to_string()))
}

/// The holidays of a request (`holidays[i]` named when one is wrong).
pub(crate) fn holidays_field(days: &[String]) -> Result<BTreeSet<Date>, AppError> {
    days.iter().enumerate().map(|(i, d)| date_field(&format!("holidays[{i}]"), d)).collect()
}

impl App {
    /// `round_calendar`: the strip of a round's days, each marked working, Sunday, RI day or
    /// holiday (`teeka plan calendar`'s days, with the days skipped between them).
    pub fn round_calendar(&mut self, req: RoundCalendarReq, clock: Clock) -> Result<RoundCalendar, AppError> {
        self.guard(&clock)?;
        let round = RoundDays {
            start: date_field("start", &req.start)?,
            working_days: req.working_days.unwrap_or(DEFAULT_WORKING_DAYS),
            ri_days: ri_days_field(req.ri_days.as_deref().unwrap_or_default())?,
            holidays: holidays_field(req.holidays.as_deref().unwrap_or_default())?,
        };
        campaign::calendar(&round).map_err(|e| {
            let field = if matches!(e, teeka_domain::calendar::CalendarError::WorkingDays(_)) {
                "working_days"
            } else {
                "ri_days"
            };
            AppError::invalid_field(field, e.to_string())
        })
    }

    /// `sites`: every site of the microplan, by site id.
    pub fn sites(&mut self, _req: SitesReq, clock: Clock) -> Result<Vec<SiteRecord>, AppError> {
        self.guard(&clock)?;
        Ok(self.store()?.sites()?)
    }

    /// `save_site`: registers a new site or records the fields of a known one that changed.
    pub fn save_site(&mut self, req: SaveSiteReq, clock: Clock) -> Result<SiteRecord, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("change the plan")?;
        let site_id = req.site_id.trim().to_string();
        let input = SiteInput {
            name: req.name.clone(),
            villages: req.villages.clone(),
            site_type: code_field("type", &req.site_type)?,
            hra: code_field("hra", &req.hra)?,
            anm: contact(req.anm.as_ref()),
            mobilizers: req.mobilizers.iter().filter_map(|c| contact(Some(c))).collect(),
            avd: contact(req.avd.as_ref()),
            distance_tenths_km: req.distance_tenths_km,
            travel_minutes: req.travel_minutes,
            ri_day: req
                .ri_day
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .map(|d| code_field("ri_day", d))
                .transpose()?,
        };
        if req.new {
            self.store_mut()?.register_site(&site_id, &input, &ctx)?;
        } else {
            self.store_mut()?.update_site(&site_id, input.fields(), &ctx)?;
        }
        Ok(self.store()?.site(&site_id)?)
    }

    /// `rounds`: every round by number, each with its calendar.
    pub fn rounds(&mut self, _req: RoundsReq, clock: Clock) -> Result<Vec<Round>, AppError> {
        self.guard(&clock)?;
        self.store()?.rounds()?.into_iter().map(round_view).collect()
    }

    /// `add_round`: stores a round (one event) and answers with its calendar.
    pub fn add_round(&mut self, req: AddRoundReq, clock: Clock) -> Result<Round, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("change the plan")?;
        let start = date_field("start", &req.start)?;
        let ri_days = ri_days_field(req.ri_days.as_deref().unwrap_or_default())?;
        let holidays = holidays_field(req.holidays.as_deref().unwrap_or_default())?;
        let working_days = req.working_days.unwrap_or(DEFAULT_WORKING_DAYS);
        round_view(self.store_mut()?.add_round(req.number, start, working_days, &ri_days, &holidays, &ctx)?)
    }

    /// `set_round_holiday`: a day of the round declared a holiday, or a working day again; the
    /// plan moves with it.
    pub fn set_round_holiday(&mut self, req: SetRoundHolidayReq, clock: Clock) -> Result<Round, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("change the plan")?;
        let date = date_field("date", &req.date)?;
        round_view(self.store_mut()?.set_round_holiday(req.number, date, req.holiday, &ctx)?)
    }

    /// `round_plan`: the round's sessions per site and day, with the default session norms.
    pub fn round_plan(&mut self, req: RoundPlanReq, clock: Clock) -> Result<RoundPlanView, AppError> {
        self.guard(&clock)?;
        self.plan_view(req.number)
    }

    /// `session_not_held`: the planned session not held, with its reason; the plan after it.
    pub fn session_not_held(&mut self, req: SessionNotHeldReq, clock: Clock) -> Result<RoundPlanView, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("change the plan")?;
        let date = date_field("date", &req.date)?;
        let reason = code_field("reason", &req.reason)?;
        let norms = SessionNorms::default();
        self.store_mut()?.session_not_held(
            req.number,
            req.site_id.trim(),
            date,
            reason,
            req.note.as_deref(),
            &norms,
            &ctx,
        )?;
        self.plan_view(req.number)
    }

    /// `reschedule_session`: the planned session moved to another working day; the plan after it.
    pub fn reschedule_session(&mut self, req: RescheduleSessionReq, clock: Clock) -> Result<RoundPlanView, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("change the plan")?;
        let date = date_field("date", &req.date)?;
        let to = date_field("to", &req.to)?;
        let norms = SessionNorms::default();
        self.store_mut()?.reschedule_session(req.number, req.site_id.trim(), date, to, &norms, &ctx)?;
        self.plan_view(req.number)
    }

    /// `mop_up`: the round's due list at the site still due on the day, with the last reason.
    pub fn mop_up(&mut self, req: MopUpReq, clock: Clock) -> Result<MopUp, AppError> {
        self.guard(&clock)?;
        let date = date_field("date", &req.date)?;
        Ok(self.store()?.mop_up(req.number, req.site_id.trim(), date)?)
    }

    /// `site_kit`: the carry kit of a site on a day, with the default vaccine table.
    pub fn site_kit(&mut self, req: SiteKitReq, clock: Clock) -> Result<SiteKit, AppError> {
        self.guard(&clock)?;
        let date = date_field("date", &req.date)?;
        Ok(self.store()?.site_kit(req.site_id.trim(), date, &VaccineTable::default())?)
    }

    /// `open_site_session`: the session at a microplan site on a day, resumed when open. An
    /// ASHA does not open sessions (`NOT_ALLOWED`).
    pub fn open_site_session(&mut self, req: OpenSiteSessionReq, clock: Clock) -> Result<OpenedSession, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("open a session")?;
        let date = date_field("date", &req.date)?;
        let (id, resumed) = self.store_mut()?.open_site_session(req.site_id.trim(), date, &ctx)?;
        Ok(OpenedSession { session: self.store()?.session(id)?, resumed })
    }

    /// `session_ledger`: the session's vials, with the time left on each now.
    pub fn session_ledger(&mut self, req: SessionLedgerReq, clock: Clock) -> Result<SessionLedger, AppError> {
        self.guard(&clock)?;
        Ok(self.store()?.session_ledger(req.session_id, clock.now, &VaccineTable::default())?)
    }

    /// `open_vial`: a vial opened now (`NOT_ALLOWED` for an ASHA); the ledger after it.
    pub fn open_vial(&mut self, req: OpenVialReq, clock: Clock) -> Result<SessionLedger, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("open a vial")?;
        let antigen = code_field("antigen", &req.antigen)?;
        let expiry = opt_date_field("expiry", req.expiry.as_deref())?;
        self.store_mut()?.open_vial(req.session_id, antigen, req.batch.as_deref(), expiry, req.vvm, &ctx)?;
        Ok(self.store()?.session_ledger(req.session_id, clock.now, &VaccineTable::default())?)
    }

    /// `discard_vial`: an open vial discarded now with its reason; the ledger after it.
    pub fn discard_vial(&mut self, req: DiscardVialReq, clock: Clock) -> Result<SessionLedger, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("discard a vial")?;
        let reason = code_field("reason", &req.reason)?;
        self.store_mut()?.discard_vial(req.vial_id, reason, &ctx)?;
        Ok(self.store()?.session_ledger(req.session_id, clock.now, &VaccineTable::default())?)
    }

    /// `close_ledger_session`: closes the session with its ledger: what the ledger knows (the
    /// vials opened, those to discard at the end, those carried forward) is not asked.
    pub fn close_ledger_session(&mut self, req: CloseLedgerSessionReq, clock: Clock) -> Result<LedgerClosed, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("close a session")?;
        let table = VaccineTable::default();
        let closing = self.store_mut()?.close_ledger_session(req.session_id, &table, &ctx)?;
        Ok(LedgerClosed {
            session: self.store()?.session(req.session_id)?,
            ledger: self.store()?.session_ledger(req.session_id, clock.now, &table)?,
            discarded: u32::try_from(closing.discarded.len()).unwrap_or(u32::MAX),
            carried: u32::try_from(closing.carried.len()).unwrap_or(u32::MAX),
        })
    }

    /// `round_wastage`: per site of the round's plan, its sessions' wastage from the round's
    /// first day to its last; the total sums the vials and doses (`teeka_domain::kit::wastage`).
    pub fn round_wastage(&mut self, req: RoundWastageReq, clock: Clock) -> Result<RoundWastage, AppError> {
        self.guard(&clock)?;
        let round = self.store()?.round(req.number)?;
        let (from, to) = (round.days.first().copied(), round.days.last().copied());
        let table = VaccineTable::default();
        let mut sums: std::collections::BTreeMap<teeka_domain::Antigen, (u32, u32)> = Default::default();
        let mut sites = Vec::new();
        for s in self.store()?.sites()? {
            let wastage = self.store()?.site_wastage(&s.site_id, from, to, &table)?;
            if wastage.is_empty() {
                continue;
            }
            for w in &wastage {
                let e = sums.entry(w.antigen).or_default();
                e.0 += w.vials_opened;
                e.1 += w.doses_given;
            }
            sites.push(SiteWastage { site_id: s.site_id, name: s.name, wastage });
        }
        let total = teeka_domain::kit::KIT_ORDER
            .iter()
            .filter_map(|a| sums.get(a).map(|(v, d)| teeka_domain::kit::wastage(*a, *v, *d, &table)))
            .collect();
        Ok(RoundWastage { round: req.number, sites, total })
    }

    /// `NOT_ALLOWED` when the signed-in worker is an ASHA: she mobilizes; she does not plan,
    /// open sessions or handle vials.
    pub(crate) fn not_asha(&self, what: &str) -> Result<(), AppError> {
        match self.signed_in_role() {
            Some(WorkerRole::Asha) => Err(AppError::new(
                crate::AppCode::NotAllowed,
                format!("an ASHA does not {what}: an ANM or a supervisor does"),
            )),
            _ => Ok(()),
        }
    }

    fn plan_view(&self, number: u32) -> Result<RoundPlanView, AppError> {
        let round = round_view(self.store()?.round(number)?)?;
        Ok(campaign::plan(round, self.store()?.round_plan(number, &SessionNorms::default())?))
    }
}

/// A contact of a request: a blank name is none.
fn contact(c: Option<&ContactInput>) -> Option<Contact> {
    let c = c?;
    let name = c.name.trim();
    if name.is_empty() {
        return None;
    }
    let phone = c.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    Some(Contact { name: name.to_string(), phone })
}

fn round_view(r: teeka_store::RoundRecord) -> Result<Round, AppError> {
    campaign::round(r).map_err(|e| AppError::new(crate::AppCode::StoreCorrupt, e.to_string()))
}
