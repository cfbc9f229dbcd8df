//! The supervisor's screens: the round dashboard's report, coverage, follow-up, refusals.

use crate::error::AppError;
use crate::fields::opt_date_field;
use crate::types::*;
use crate::views::{supervisor, survey};
use crate::{App, Clock};
use teeka_domain::kit::VaccineTable;
use teeka_domain::plan::SessionNorms;

impl App {
    /// `coverage`: of everything and of each village, on today.
    pub fn coverage(&mut self, _req: CoverageReq, clock: Clock) -> Result<CoverageResp, AppError> {
        self.guard(&clock)?;
        Ok(supervisor::coverage(&self.store, clock.today)?)
    }

    /// `follow_up`: left-out and drop-out children and pregnant women with a dose due, with their
    /// doses due and how to reach them.
    pub fn follow_up(&mut self, req: FollowUpReq, clock: Clock) -> Result<Vec<FollowUpItem>, AppError> {
        self.guard(&clock)?;
        Ok(supervisor::follow_up(&self.store, req.village_id, clock.today)?)
    }

    /// `set_village_asha`: the village's ASHA, her name and phone (one `village_asha_set` event;
    /// empty clears); the village with them.
    pub fn set_village_asha(&mut self, req: SetVillageAshaReq, clock: Clock) -> Result<Village, AppError> {
        let ctx = self.guard(&clock)?;
        self.store.set_village_asha(req.village_id, req.asha_name.as_deref(), req.asha_phone.as_deref(), &ctx)?;
        Ok(survey::village(&self.store, req.village_id, clock.today)?)
    }

    /// `round_report`: the round's report (`teeka_domain::monitor`) of a village or of an area by
    /// its path, else of the
    /// device's enrolled area, else of every area it holds, on `on` (default today), with the
    /// default session norms and vaccine table.
    pub fn round_report(&mut self, req: RoundReportReq, clock: Clock) -> Result<RoundReport, AppError> {
        self.guard(&clock)?;
        let on = opt_date_field("on", req.on.as_deref())?.unwrap_or(clock.today);
        let norms = SessionNorms::default();
        let area = match (&req.village_id, req.area.as_deref().filter(|a| !a.trim().is_empty())) {
            (Some(v), _) => Some(*v),
            (None, Some(path)) => Some(self.store.area_by_path(path)?),
            (None, None) => None,
        };
        Ok(self.store.round_report(req.round, area, on, &norms, &VaccineTable::default())?)
    }

    /// `refusals`: newest first, each with the person's age.
    pub fn refusals(&mut self, req: RefusalsReq, clock: Clock) -> Result<Vec<Refusal>, AppError> {
        self.guard(&clock)?;
        Ok(supervisor::refusals(&self.store, req.village_id, clock.today)?)
    }
}
