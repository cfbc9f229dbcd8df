//! The ANM's session: open, its due list, doses given and not given, AEFI, the tally, close.

use crate::error::AppError;
use crate::fields::{code_field, codes_field, date_field};
use crate::types::*;
use crate::views::session;
use crate::{App, Clock};
use teeka_domain::{AefiSeverity, Date, DoseCode, ReasonCode, VialsUsed};

impl App {
    /// `open_session`: the open session of that site and date if there is one. A session may
    /// not be opened in the future.
    pub fn open_session(&mut self, req: OpenSessionReq, clock: Clock) -> Result<Session, AppError> {
        let ctx = self.guard(&clock)?;
        let date = date_field("date", &req.date)?;
        if date > clock.today {
            return Err(AppError::invalid(format!("date {date} is in the future (today is {})", clock.today)));
        }
        let id = self.store.open_session(req.site_id, date, &ctx)?;
        Ok(self.store.session(id)?)
    }

    /// `sessions`: newest first.
    pub fn sessions(&mut self, _req: SessionsReq, clock: Clock) -> Result<Vec<Session>, AppError> {
        self.guard(&clock)?;
        Ok(self.store.sessions()?)
    }

    /// `session_due`.
    pub fn session_due(&mut self, req: SessionDueReq, clock: Clock) -> Result<Vec<SessionItem>, AppError> {
        self.guard(&clock)?;
        Ok(session::items(&self.store, req.session_id)?)
    }

    /// `session_item`: one beneficiary's item at the session, whether or not on its due list (a
    /// walk-in added at the session), with what the session recorded.
    pub fn session_item(&mut self, req: SessionItemReq, clock: Clock) -> Result<SessionItem, AppError> {
        self.guard(&clock)?;
        Ok(session::item_at(&self.store, req.session_id, req.register_id.trim())?)
    }

    /// `record_given`: the doses, dated the session date (all or none; `SESSION_CLOSED` when
    /// the session is closed).
    pub fn record_given(&mut self, req: RecordGivenReq, clock: Clock) -> Result<ItemRecorded, AppError> {
        let ctx = self.guard(&clock)?;
        let codes = codes_field(&req.codes)?;
        let s = self.store.session(req.session_id)?;
        let doses: Vec<(DoseCode, Date)> = codes.iter().map(|c| (*c, s.date)).collect();
        let register_id = req.register_id.trim();
        let recorded = self.store.record_doses(register_id, &doses, Some(s.id), &ctx)?;
        Ok(ItemRecorded { item: session::item_at(&self.store, s.id, register_id)?, warnings: recorded.warnings })
    }

    /// `record_not_given`: the doses not given at the session, with the reason.
    pub fn record_not_given(&mut self, req: RecordNotGivenReq, clock: Clock) -> Result<ItemRecorded, AppError> {
        let ctx = self.guard(&clock)?;
        let codes = codes_field(&req.codes)?;
        let reason: ReasonCode = code_field("reason", &req.reason)?;
        let s = self.store.session(req.session_id)?;
        let register_id = req.register_id.trim();
        let recorded = self.store.record_not_given_codes(register_id, &codes, s.date, reason, Some(s.id), &ctx)?;
        Ok(ItemRecorded { item: session::item_at(&self.store, s.id, register_id)?, warnings: recorded.warnings })
    }

    /// `report_aefi`: dated today (an AEFI may be reported after its session closed).
    pub fn report_aefi(&mut self, req: ReportAefiReq, clock: Clock) -> Result<AefiReported, AppError> {
        let ctx = self.guard(&clock)?;
        let severity: AefiSeverity = code_field("severity", &req.severity)?;
        let codes = codes_field(&req.codes)?;
        let id = self.store.report_aefi(
            req.register_id.trim(),
            req.session_id,
            clock.today,
            severity,
            &req.observed,
            codes,
            &ctx,
        )?;
        Ok(AefiReported { id })
    }

    /// `session_tally`.
    pub fn session_tally(&mut self, req: SessionTallyReq, clock: Clock) -> Result<Tally, AppError> {
        self.guard(&clock)?;
        Ok(session::tally(&self.store, req.session_id)?)
    }

    /// `close_session`: with the vials opened per antigen.
    pub fn close_session(&mut self, req: CloseSessionReq, clock: Clock) -> Result<Session, AppError> {
        let ctx = self.guard(&clock)?;
        let vials = req
            .vials
            .iter()
            .enumerate()
            .map(|(i, v)| {
                Ok(VialsUsed { antigen: code_field(&format!("vials[{i}].antigen"), &v.antigen)?, opened: v.opened })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        self.store.close_session(req.session_id, vials, &ctx)?;
        Ok(self.store.session(req.session_id)?)
    }
}
