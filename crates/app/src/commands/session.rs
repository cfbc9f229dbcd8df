//! The ANM's session: open, its due list, doses given and not given, AEFI, the tally, close.

use crate::error::AppError;
use crate::fields::{code_field, codes_field, date_field};
use crate::types::*;
use crate::views::session;
use crate::{App, Clock};
use chrono::{DateTime, Utc};
use teeka_domain::{AefiFacts, Date, DoseCode, ReasonCode, VialsUsed};
use teeka_store::Visit;

/// The form of an AEFI report as a request sends it, read into its facts.
fn aefi_facts(
    severity: &str,
    observed: &str,
    codes: &[String],
    signs: &[String],
    onset: Option<&str>,
    referral: Option<&str>,
) -> Result<AefiFacts, AppError> {
    let onset = onset
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            DateTime::parse_from_rfc3339(o)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|e| AppError::invalid(format!("onset: '{o}' is not a date and time (RFC 3339): {e}")))
        })
        .transpose()?;
    Ok(AefiFacts {
        severity: code_field("severity", severity)?,
        signs: signs
            .iter()
            .enumerate()
            .map(|(i, s)| code_field(&format!("signs[{i}]"), s))
            .collect::<Result<_, _>>()?,
        observed: observed.to_string(),
        codes: codes_field(codes)?,
        onset,
        referral: referral.map(str::trim).filter(|r| !r.is_empty()).map(|r| code_field("referral", r)).transpose()?,
    })
}

impl App {
    /// `open_session`: the open session of that site and date if there is one (`resumed`). A
    /// session may not be opened in the future (`SESSION_IN_FUTURE`).
    pub fn open_session(&mut self, req: OpenSessionReq, clock: Clock) -> Result<OpenedSession, AppError> {
        let ctx = self.guard(&clock)?;
        let date = date_field("date", &req.date)?;
        let (id, resumed) = self.store_mut()?.open_or_resume_session(req.site_id, date, &ctx)?;
        Ok(OpenedSession { session: self.store()?.session(id)?, resumed })
    }

    /// `sessions`: newest first.
    pub fn sessions(&mut self, _req: SessionsReq, clock: Clock) -> Result<Vec<Session>, AppError> {
        self.guard(&clock)?;
        Ok(self.store()?.sessions()?)
    }

    /// `session_due`.
    pub fn session_due(&mut self, req: SessionDueReq, clock: Clock) -> Result<Vec<SessionItem>, AppError> {
        self.guard(&clock)?;
        Ok(session::items(self.store()?, req.session_id)?)
    }

    /// `session_item`: one beneficiary's item at the session, whether or not on its due list (a
    /// walk-in added at the session), with what the session recorded.
    pub fn session_item(&mut self, req: SessionItemReq, clock: Clock) -> Result<SessionItem, AppError> {
        self.guard(&clock)?;
        Ok(session::item_at(self.store()?, req.session_id, req.register_id.trim())?)
    }

    /// `record_given`: the doses, dated the session date (all or none; `SESSION_CLOSED` when
    /// the session is closed).
    pub fn record_given(&mut self, req: RecordGivenReq, clock: Clock) -> Result<ItemRecorded, AppError> {
        let ctx = self.guard(&clock)?;
        let codes = codes_field(&req.codes)?;
        let s = self.store()?.session(req.session_id)?;
        let doses: Vec<(DoseCode, Date)> = codes.iter().map(|c| (*c, s.date)).collect();
        let register_id = req.register_id.trim();
        let recorded = self.store_mut()?.record_doses(register_id, &doses, Some(s.id), &ctx)?;
        Ok(ItemRecorded { item: session::item_at(self.store()?, s.id, register_id)?, warnings: recorded.warnings })
    }

    /// `record_not_given`: the doses chosen as not given at the session, with the reason (which
    /// must apply to the beneficiary: `REASON_NOT_APPLICABLE`) and its note (required for `OTHER`).
    pub fn record_not_given(&mut self, req: RecordNotGivenReq, clock: Clock) -> Result<ItemRecorded, AppError> {
        let ctx = self.guard(&clock)?;
        let codes = codes_field(&req.codes)?;
        let reason: ReasonCode = code_field("reason", &req.reason)?;
        let s = self.store()?.session(req.session_id)?;
        let register_id = req.register_id.trim();
        let visit = Visit { date: s.date, reason, note: req.note.as_deref(), session: Some(s.id) };
        let recorded = self.store_mut()?.record_not_given_visit(register_id, &codes, visit, &ctx)?;
        Ok(ItemRecorded { item: session::item_at(self.store()?, s.id, register_id)?, warnings: recorded.warnings })
    }

    /// `undo_not_given`: withdraws what the open session recorded as not given to the
    /// beneficiary (a correction event; `SESSION_CLOSED` once closed, `NOT_FOUND` when nothing
    /// stands).
    pub fn undo_not_given(&mut self, req: UndoNotGivenReq, clock: Clock) -> Result<ItemRecorded, AppError> {
        let ctx = self.guard(&clock)?;
        let register_id = req.register_id.trim();
        let recorded = self.store_mut()?.withdraw_not_given(req.session_id, register_id, &ctx)?;
        Ok(ItemRecorded {
            item: session::item_at(self.store()?, req.session_id, register_id)?,
            warnings: recorded.warnings,
        })
    }

    /// `report_aefi`: dated today (an AEFI may be reported after its session closed). A danger
    /// sign makes it serious (`AEFI_SEVERITY_TOO_LOW`); a severe or serious one needs its onset
    /// (not after now: `ONSET_IN_FUTURE`) and its referral.
    pub fn report_aefi(&mut self, req: ReportAefiReq, clock: Clock) -> Result<AefiReported, AppError> {
        let ctx = self.guard(&clock)?;
        let facts = aefi_facts(
            &req.severity,
            &req.observed,
            &req.codes,
            &req.signs,
            req.onset.as_deref(),
            req.referral.as_deref(),
        )?;
        let id = self.store_mut()?.report_aefi(req.register_id.trim(), req.session_id, clock.today, &facts, &ctx)?;
        Ok(AefiReported { id })
    }

    /// `update_aefi`: the report's form saved again (checked whole, the changed fields appended).
    pub fn update_aefi(&mut self, req: UpdateAefiReq, clock: Clock) -> Result<Aefi, AppError> {
        let ctx = self.guard(&clock)?;
        let facts = aefi_facts(
            &req.severity,
            &req.observed,
            &req.codes,
            &req.signs,
            req.onset.as_deref(),
            req.referral.as_deref(),
        )?;
        self.store_mut()?.update_aefi(req.aefi_id, &facts, &ctx)?;
        Ok(self.store()?.aefi_record(req.aefi_id)?.0)
    }

    /// `session_tally`.
    pub fn session_tally(&mut self, req: SessionTallyReq, clock: Clock) -> Result<Tally, AppError> {
        self.guard(&clock)?;
        Ok(session::tally(self.store()?, req.session_id)?)
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
        self.store_mut()?.close_session(req.session_id, vials, &ctx)?;
        Ok(self.store()?.session(req.session_id)?)
    }
}
