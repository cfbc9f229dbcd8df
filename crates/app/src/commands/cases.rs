//! The case-files screen (issue 11): resistant families' case files (an ASHA's "my families to
//! visit", the ANM's and supervisor's open cases) and the villages' communication activities.
//! An ASHA records visits and activities; assigning and escalating are an ANM's or a
//! supervisor's (`NOT_ALLOWED` for an ASHA).

use crate::error::AppError;
use crate::fields::{code_field, date_field, opt_date_field};
use crate::types::*;
use crate::views::cases;
use crate::{App, Clock};
use teeka_store::{NewActivity, NewVisit};

impl App {
    /// `case_files`: the families with a refusal standing today, oldest first.
    pub fn case_files(&mut self, req: CaseFilesReq, clock: Clock) -> Result<Vec<CaseFile>, AppError> {
        self.guard(&clock)?;
        let open_only = req.open_only.unwrap_or(false);
        Ok(cases::case_files(self.store()?, req.village_id, open_only, req.mine.unwrap_or(false), clock.today)?)
    }

    /// `record_case_visit`: a visit to a resistant family; the case file after it.
    pub fn record_case_visit(&mut self, req: RecordCaseVisitReq, clock: Clock) -> Result<CaseFile, AppError> {
        let ctx = self.guard(&clock)?;
        let visit = NewVisit {
            date: date_field("date", &req.date)?,
            by: code_field("by", &req.by)?,
            by_name: req.by_name.as_deref(),
            action: code_field("action", &req.action)?,
            outcome: code_field("outcome", &req.outcome)?,
            note: req.note.as_deref(),
        };
        let household = req.household.to_string();
        self.store_mut()?.record_case_visit(&household, visit, &ctx)?;
        Ok(self.store()?.case_file(&household, clock.today)?)
    }

    /// `assign_case`: who is to persuade the family (an ANM's or a supervisor's); the case file.
    pub fn assign_case(&mut self, req: AssignCaseReq, clock: Clock) -> Result<CaseFile, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("assign a family's case")?;
        let persuader = code_field("persuader", &req.persuader)?;
        let household = req.household.to_string();
        self.store_mut()?.assign_case(&household, persuader, req.name.as_deref(), &ctx)?;
        Ok(self.store()?.case_file(&household, clock.today)?)
    }

    /// `escalate_case`: the case escalated to the block task force today, or the escalation
    /// withdrawn (an ANM's or a supervisor's); the case file.
    pub fn escalate_case(&mut self, req: EscalateCaseReq, clock: Clock) -> Result<CaseFile, AppError> {
        let ctx = self.guard(&clock)?;
        self.not_asha("escalate a family's case")?;
        let household = req.household.to_string();
        self.store_mut()?.escalate_case(&household, req.escalated, req.note.as_deref(), &ctx)?;
        Ok(self.store()?.case_file(&household, clock.today)?)
    }

    /// `record_activity`: a communication activity held in a village; the activity.
    pub fn record_activity(&mut self, req: RecordActivityReq, clock: Clock) -> Result<Activity, AppError> {
        let ctx = self.guard(&clock)?;
        let activity = NewActivity {
            date: date_field("date", &req.date)?,
            kind: code_field("kind", &req.kind)?,
            led_by: &req.led_by,
            leader: req
                .leader
                .as_deref()
                .filter(|l| !l.trim().is_empty())
                .map(|l| code_field("leader", l))
                .transpose()?,
            attendance: req.attendance,
            note: req.note.as_deref(),
        };
        let id = self.store_mut()?.record_activity(req.village_id, activity, &ctx)?;
        self.store()?
            .activities(Some(req.village_id), None, None)?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| AppError::new(crate::AppCode::StoreCorrupt, "the activity just recorded is not there"))
    }

    /// `activities`: of a village or all, from `from` to `to`, newest first.
    pub fn activities(&mut self, req: ActivitiesReq, clock: Clock) -> Result<Vec<Activity>, AppError> {
        self.guard(&clock)?;
        let from = opt_date_field("from", req.from.as_deref())?;
        let to = opt_date_field("to", req.to.as_deref())?;
        Ok(self.store()?.activities(req.village_id, from, to)?)
    }
}
