//! The rules of an ANM's session work: an AEFI report (its signs decide the least severity; a
//! severe or serious one needs its onset and its referral), a reason for a dose not given (it
//! must apply to whom it is about; "other" says what it was), and a session's date (not in the
//! future). Each refusal has a stable code ([`CareError::code`]). `now` and `today` are arguments.

use crate::codes::{AefiSeverity, AefiSign, DoseCode, Kind, ReasonCode, Referral};
use crate::dates::{iso, Date};
use crate::facts::{note_text, optional_text, InputError};
use crate::model::AefiField;
use chrono::{DateTime, Utc};

/// Why a record of a session's work is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CareError {
    /// A sign that makes an AEFI serious, with a lower severity chosen.
    #[error("severity: {sign} makes an AEFI {minimum}; it cannot be marked {severity}")]
    SeverityTooLow { sign: AefiSign, severity: AefiSeverity, minimum: AefiSeverity },
    /// An onset time after now.
    #[error("onset: {onset} is after now ({now})")]
    OnsetInFuture { onset: DateTime<Utc>, now: DateTime<Utc> },
    /// A reason that cannot be about this kind of beneficiary ("child is sick" for a pregnant woman).
    #[error("reason: {reason} does not apply to a {}", kind.words())]
    ReasonNotApplicable { reason: ReasonCode, kind: Kind },
    /// A session dated after today.
    #[error("date: the session date {} is in the future (today is {}); open a session on its day", iso(*date), iso(*today))]
    SessionInFuture { date: Date, today: Date },
    /// Other input that cannot be stored (a missing onset, a note too long…).
    #[error(transparent)]
    Input(#[from] InputError),
}

impl CareError {
    /// The stable code (`INVALID_INPUT` for [`CareError::Input`]).
    pub fn code(&self) -> &'static str {
        match self {
            CareError::SeverityTooLow { .. } => "AEFI_SEVERITY_TOO_LOW",
            CareError::OnsetInFuture { .. } => "ONSET_IN_FUTURE",
            CareError::ReasonNotApplicable { .. } => "REASON_NOT_APPLICABLE",
            CareError::SessionInFuture { .. } => "SESSION_IN_FUTURE",
            CareError::Input(_) => "INVALID_INPUT",
        }
    }
}

/// A session may be opened on today or a day before, never after.
pub fn check_session_date(date: Date, today: Date) -> Result<(), CareError> {
    if date > today {
        return Err(CareError::SessionInFuture { date, today });
    }
    Ok(())
}

/// Checks a reason for doses not given to a `kind` of beneficiary, with its note: the reason
/// must apply ([`ReasonCode::applies_to`]); the note is a short text, required for a reason that
/// [needs one](ReasonCode::needs_note). Returns the note as stored (trimmed; empty is none).
pub fn check_reason(kind: Kind, reason: ReasonCode, note: Option<&str>) -> Result<Option<String>, CareError> {
    if !reason.applies_to(kind) {
        return Err(CareError::ReasonNotApplicable { reason, kind });
    }
    let note = note_text("note", note)?;
    if note.is_none() && reason.needs_note() {
        return Err(InputError::new(format!("note is empty: say what the reason ({reason}) was")).into());
    }
    Ok(note)
}

/// The least severity these signs allow, and the sign that asks for it.
pub fn minimum_severity(signs: &[AefiSign]) -> Option<(AefiSign, AefiSeverity)> {
    signs.iter().map(|s| (*s, s.minimum_severity())).max_by_key(|(_, m)| *m)
}

/// What an AEFI report says: the fields of its form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AefiFacts {
    pub severity: AefiSeverity,
    pub signs: Vec<AefiSign>,
    /// What was seen, in the worker's words (may be empty when a sign is ticked).
    pub observed: String,
    /// The doses it followed.
    pub codes: Vec<DoseCode>,
    pub onset: Option<DateTime<Utc>>,
    pub referral: Option<Referral>,
}

impl AefiFacts {
    /// The facts checked for a report about a `kind` of beneficiary at `now`: text trimmed, signs
    /// and doses once each; refused when a sign asks for a higher severity, when a severe or
    /// serious report has no onset or no referral, when the onset is after now, when a dose is
    /// the other kind's.
    pub fn checked(&self, kind: Kind, now: DateTime<Utc>) -> Result<AefiFacts, CareError> {
        let observed = optional_text("observed", Some(&self.observed))?.unwrap_or_default();
        let mut signs = Vec::new();
        for s in &self.signs {
            if !signs.contains(s) {
                signs.push(*s);
            }
        }
        if observed.is_empty() && signs.is_empty() {
            return Err(InputError::new("observed is empty: tick a sign or write what was seen").into());
        }
        let mut codes = Vec::new();
        for c in &self.codes {
            if c.kind() != kind {
                return Err(InputError::new(format!("codes: {c} is not a dose of a {}", kind.words())).into());
            }
            if !codes.contains(c) {
                codes.push(*c);
            }
        }
        if let Some((sign, minimum)) = minimum_severity(&signs).filter(|(_, m)| *m > self.severity) {
            return Err(CareError::SeverityTooLow { sign, severity: self.severity, minimum });
        }
        if let Some(onset) = self.onset.filter(|o| *o > now) {
            return Err(CareError::OnsetInFuture { onset, now });
        }
        if self.severity.needs_referral() {
            if self.onset.is_none() {
                let m = format!("onset is missing: a {} AEFI needs the date and time it began", self.severity);
                return Err(InputError::new(m).into());
            }
            if self.referral.is_none() {
                let m = format!("referral is missing: a {} AEFI needs where it was referred", self.severity);
                return Err(InputError::new(m).into());
            }
        }
        Ok(AefiFacts { severity: self.severity, signs, observed, codes, onset: self.onset, referral: self.referral })
    }

    /// The fields that differ from `old` (an edit of a saved report).
    pub fn changes_from(&self, old: &AefiFacts) -> Vec<AefiField> {
        let mut out = Vec::new();
        if self.severity != old.severity {
            out.push(AefiField::Severity(self.severity));
        }
        if self.observed != old.observed {
            out.push(AefiField::Observed(self.observed.clone()));
        }
        if self.codes != old.codes {
            out.push(AefiField::Codes(self.codes.clone()));
        }
        if self.signs != old.signs {
            out.push(AefiField::Signs(self.signs.clone()));
        }
        if self.onset != old.onset {
            out.push(AefiField::Onset(self.onset));
        }
        if self.referral != old.referral {
            out.push(AefiField::Referral(self.referral));
        }
        out
    }

    /// Sets the field a write names.
    pub fn set(&mut self, field: AefiField) {
        match field {
            AefiField::Severity(v) => self.severity = v,
            AefiField::Observed(v) => self.observed = v,
            AefiField::Codes(v) => self.codes = v,
            AefiField::Signs(v) => self.signs = v,
            AefiField::Onset(v) => self.onset = v,
            AefiField::Referral(v) => self.referral = v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::MAX_NOTE;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or_default()
    }

    fn minor(signs: &[AefiSign]) -> AefiFacts {
        AefiFacts {
            severity: AefiSeverity::Minor,
            signs: signs.to_vec(),
            observed: String::new(),
            codes: vec![DoseCode::Penta1],
            onset: None,
            referral: None,
        }
    }

    #[test]
    fn a_danger_sign_cannot_be_marked_minor_or_severe() {
        let now = at("2026-03-10T12:00:00Z");
        for severity in [AefiSeverity::Minor, AefiSeverity::Severe] {
            let f = AefiFacts { severity, ..minor(&[AefiSign::Fever, AefiSign::Seizure]) };
            let e = f.checked(Kind::Child, now).unwrap_err();
            assert_eq!(e.code(), "AEFI_SEVERITY_TOO_LOW");
            assert_eq!(
                e,
                CareError::SeverityTooLow { sign: AefiSign::Seizure, severity, minimum: AefiSeverity::Serious }
            );
        }
        let serious = AefiFacts {
            severity: AefiSeverity::Serious,
            onset: Some(at("2026-03-10T11:00:00Z")),
            referral: Some(Referral::Chc),
            ..minor(&[AefiSign::Anaphylaxis, AefiSign::Anaphylaxis])
        };
        let checked = serious.checked(Kind::Child, now).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.signs, [AefiSign::Anaphylaxis], "each sign once");
        assert!(minor(&[AefiSign::Fever, AefiSign::Rash]).checked(Kind::Child, now).is_ok());
        assert_eq!(minimum_severity(&[]), None);
    }

    #[test]
    fn a_severe_or_serious_aefi_needs_its_onset_before_now_and_its_referral() {
        let now = at("2026-03-10T12:00:00Z");
        let severe = AefiFacts { severity: AefiSeverity::Severe, ..minor(&[AefiSign::Fever]) };
        let e = severe.checked(Kind::Child, now).unwrap_err();
        assert!(e.to_string().starts_with("onset is missing"), "{e}");
        assert_eq!(e.code(), "INVALID_INPUT");
        let later = AefiFacts { onset: Some(at("2026-03-10T12:01:00Z")), ..severe.clone() };
        assert_eq!(later.checked(Kind::Child, now).unwrap_err().code(), "ONSET_IN_FUTURE");
        let no_referral = AefiFacts { onset: Some(at("2026-03-10T09:00:00Z")), ..severe.clone() };
        assert!(no_referral.checked(Kind::Child, now).unwrap_err().to_string().starts_with("referral is missing"));
        let done = AefiFacts { referral: Some(Referral::NotReferred), ..no_referral };
        assert!(done.checked(Kind::Child, now).is_ok());
        // A minor report may say when it began, but not a time to come.
        let minor_later = AefiFacts { onset: Some(at("2026-03-11T00:00:00Z")), ..minor(&[AefiSign::Pain]) };
        assert_eq!(minor_later.checked(Kind::Child, now).unwrap_err().code(), "ONSET_IN_FUTURE");
    }

    #[test]
    fn an_aefi_says_what_was_seen_after_this_kinds_doses() {
        let now = at("2026-03-10T12:00:00Z");
        assert!(minor(&[]).checked(Kind::Child, now).unwrap_err().to_string().starts_with("observed is empty"));
        let typed = AefiFacts { observed: "  red arm ".into(), ..minor(&[]) };
        assert_eq!(typed.checked(Kind::Child, now).map(|f| f.observed), Ok("red arm".to_string()));
        let td = AefiFacts { codes: vec![DoseCode::Td1], ..minor(&[AefiSign::Fever]) };
        assert!(td.checked(Kind::Child, now).unwrap_err().to_string().contains("TD1 is not a dose of a child"));
    }

    #[test]
    fn an_edit_changes_only_the_fields_that_differ() {
        let old = minor(&[AefiSign::Fever]);
        let mut new = AefiFacts {
            severity: AefiSeverity::Serious,
            signs: vec![AefiSign::Fever, AefiSign::Seizure],
            referral: Some(Referral::Hospital),
            ..old.clone()
        };
        let changes = new.changes_from(&old);
        let names: Vec<&str> = changes.iter().map(AefiField::name).collect();
        assert_eq!(names, ["severity", "signs", "referral"]);
        assert!(old.changes_from(&old).is_empty());
        let mut back = old.clone();
        for c in changes {
            back.set(c);
        }
        new.set(AefiField::Observed(String::new()));
        assert_eq!(back, new);
    }

    #[test]
    fn reasons_must_apply_and_other_needs_a_short_note() {
        let e = check_reason(Kind::PregnantWoman, ReasonCode::ChildSick, None).unwrap_err();
        assert_eq!(e.code(), "REASON_NOT_APPLICABLE");
        assert_eq!(e.to_string(), "reason: CHILD_SICK does not apply to a pregnant woman");
        assert_eq!(check_reason(Kind::Child, ReasonCode::ChildSick, None), Ok(None));
        let e = check_reason(Kind::Child, ReasonCode::Other, Some("  ")).unwrap_err();
        assert!(e.to_string().starts_with("note is empty"), "{e}");
        assert_eq!(check_reason(Kind::Child, ReasonCode::Other, Some(" wedding ")), Ok(Some("wedding".into())));
        let long = "x".repeat(MAX_NOTE + 1);
        assert!(check_reason(Kind::Child, ReasonCode::Other, Some(&long)).unwrap_err().to_string().contains("longer"));
        assert_eq!(check_reason(Kind::Child, ReasonCode::NotAtHome, Some("fair")), Ok(Some("fair".into())));
        // "Refused: other reason" says what the family said, too.
        assert!(check_reason(Kind::PregnantWoman, ReasonCode::RefusedOther, None).is_err());
        assert_eq!(
            check_reason(Kind::PregnantWoman, ReasonCode::RefusedOther, Some("husband away")),
            Ok(Some("husband away".into()))
        );
    }

    #[test]
    fn a_session_is_not_opened_in_the_future() {
        let today = Date::from_ymd_opt(2026, 3, 10).unwrap_or_default();
        assert!(check_session_date(today, today).is_ok());
        assert!(check_session_date(today.pred_opt().unwrap_or_default(), today).is_ok());
        let e = check_session_date(today.succ_opt().unwrap_or_default(), today).unwrap_err();
        assert_eq!(e.code(), "SESSION_IN_FUTURE");
        assert!(e.to_string().contains("2026-03-11 is in the future (today is 2026-03-10)"), "{e}");
    }
}
