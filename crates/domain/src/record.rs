//! Checks on doses about to be recorded: the one rule the CLI, the app and the import share.
//!
//! What was given must be on record, so a dose outside its schedule window is recorded with a
//! [`Warning`] rather than refused; only impossible input (a dose of the other kind, a date before
//! birth or the LMP, a date in the future, the same dose twice in one record) is refused.

use crate::codes::{BeneficiaryStatus, DeliveryOutcome, DoseCode, Kind};
use crate::dates::{iso, Date};
use crate::facts::{required_text, InputError};
use crate::schedule::{evaluate, DoseStatus, Given, ScheduleSettings, Subject};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;

/// Why a dose being recorded is unusual. Serialized as `{"code": …, "params": {…}}` so that the
/// UI can say it in the worker's language; [`fmt::Display`] gives the English sentence the CLI
/// prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "code", content = "params", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Warning {
    /// The same dose is already on record: both records are kept and flagged for review.
    AlreadyGiven { dose: DoseCode, given_on: Date },
    /// Given before it was due.
    Early { dose: DoseCode, date: Date, due_on: Option<Date> },
    /// Given past the dose's maximum age.
    PastMaxAge { dose: DoseCode, date: Date },
    /// Not a dose of this beneficiary's schedule (JE outside an endemic village, say).
    NotApplicable { dose: DoseCode, date: Date },
    /// Recorded for a beneficiary who is not active (migrated or died).
    NotActive { register_id: String, status: BeneficiaryStatus },
}

impl Warning {
    /// Every warning's code, in declaration order (the UI's list of codes to translate).
    pub const CODES: [&'static str; 5] = ["ALREADY_GIVEN", "EARLY", "PAST_MAX_AGE", "NOT_APPLICABLE", "NOT_ACTIVE"];

    /// The stable code (the `code` of its JSON form).
    pub fn code(&self) -> &'static str {
        match self {
            Warning::AlreadyGiven { .. } => "ALREADY_GIVEN",
            Warning::Early { .. } => "EARLY",
            Warning::PastMaxAge { .. } => "PAST_MAX_AGE",
            Warning::NotApplicable { .. } => "NOT_APPLICABLE",
            Warning::NotActive { .. } => "NOT_ACTIVE",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::AlreadyGiven { dose, given_on } => write!(
                f,
                "{dose} is already on record (given {}); both records are kept and flagged for review",
                iso(*given_on)
            ),
            Warning::Early { dose, date, due_on: Some(d) } => {
                write!(
                    f,
                    "{dose} given on {} is early: it was not yet due (due {}); recorded as given",
                    iso(*date),
                    iso(*d)
                )
            }
            Warning::Early { dose, date, due_on: None } => {
                write!(f, "{dose} given on {} is early: it was not yet due; recorded as given", iso(*date))
            }
            Warning::PastMaxAge { dose, date } => {
                write!(f, "{dose} given on {} is past its maximum age; recorded as given", iso(*date))
            }
            Warning::NotApplicable { dose, date } => write!(
                f,
                "{dose} given on {} is outside the schedule for this beneficiary (not applicable); recorded as given",
                iso(*date)
            ),
            Warning::NotActive { register_id, status } => write!(f, "{register_id} is marked {status}"),
        }
    }
}

/// Whom doses are being recorded for.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    /// How messages name them (a register id or a name).
    pub who: &'a str,
    pub subject: Subject,
    /// How a refusal names the dose it is about.
    pub fields: Fields,
}

/// How a refusal names what it is about: by the request's fields (`doses[1] (BCG): …`,
/// `codes: …`: the app's commands, several doses at once), or by the sentence alone, which names
/// the dose and its date (the CLI, whose flags give one dose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fields {
    Request,
    Sentence,
}

impl Fields {
    /// `field` is the request's field (`doses[1]`), `shown` how the message names it
    /// (`doses[1] (BCG)`).
    fn refuse(self, field: String, shown: String, message: String) -> InputError {
        match self {
            Fields::Request => InputError::at(field, format!("{shown}: {message}")),
            Fields::Sentence => InputError::new(message),
        }
    }
}

/// Refuses a dose record that cannot be true: a dose of the other kind, a date in the future or
/// before the subject's birth or LMP. `Err` holds the sentence (without the field's name).
pub fn check_dose(who: &str, subject: &Subject, code: DoseCode, date: Date, today: Date) -> Result<(), String> {
    if code.kind() != subject.kind {
        let whose = if code.kind() == Kind::Child { "a child's" } else { "a pregnant woman's" };
        return Err(format!("{code} is {whose} dose; {who} is a {}", subject.kind.words()));
    }
    if date > today {
        return Err(format!("dose date {} is in the future (today is {})", iso(date), iso(today)));
    }
    if date < subject.anchor {
        let what = if subject.kind == Kind::Child { "birth" } else { "the LMP" };
        return Err(format!("dose date {} is before {what} ({})", iso(date), iso(subject.anchor)));
    }
    Ok(())
}

/// Checks doses about to be recorded together for `to`, whose doses on record are `history`:
/// each as [`check_dose`], none twice. Returns the warnings about them, in order.
pub fn check_doses(
    to: &Recipient<'_>,
    history: &[Given],
    doses: &[(DoseCode, Date)],
    today: Date,
    settings: &ScheduleSettings,
) -> Result<Vec<Warning>, InputError> {
    if doses.is_empty() {
        return Err(InputError::at("doses", "codes is empty: name at least one dose"));
    }
    let mut seen = HashSet::new();
    let mut history = history.to_vec();
    let mut warnings = Vec::new();
    for (i, (code, date)) in doses.iter().enumerate() {
        let at = |m| to.fields.refuse(format!("doses[{i}]"), format!("doses[{i}] ({code})"), m);
        check_dose(to.who, &to.subject, *code, *date, today).map_err(at)?;
        if !seen.insert(*code) {
            return Err(at(format!("{code} is listed twice")));
        }
        warnings.extend(dose_warnings(&to.subject, &history, *code, *date, settings));
        history.push(Given { code: *code, date: *date });
    }
    Ok(warnings)
}

/// Checks doses about to be recorded as not given on one date: each of the subject's kind,
/// none twice, the date neither in the future nor before the anchor.
pub fn check_not_given(to: &Recipient<'_>, codes: &[DoseCode], date: Date, today: Date) -> Result<(), InputError> {
    if codes.is_empty() {
        return Err(InputError::new("codes is empty: name at least one dose"));
    }
    let mut seen = HashSet::new();
    for code in codes {
        let at = |m| to.fields.refuse("codes".into(), "codes".into(), m);
        check_dose(to.who, &to.subject, *code, date, today).map_err(at)?;
        if !seen.insert(*code) {
            return Err(at(format!("{code} is listed twice")));
        }
    }
    Ok(())
}

/// Warnings for giving `code` on `date` to `subject` whose other doses are `history`.
pub fn dose_warnings(
    subject: &Subject,
    history: &[Given],
    code: DoseCode,
    date: Date,
    settings: &ScheduleSettings,
) -> Vec<Warning> {
    if let Some(given_on) = history.iter().filter(|g| g.code == code).map(|g| g.date).min() {
        return vec![Warning::AlreadyGiven { dose: code, given_on }];
    }
    let before: Vec<Given> = history.iter().copied().filter(|g| g.date <= date).collect();
    let states = evaluate(subject, &before, date, settings);
    let Some(state) = states.iter().find(|s| s.code == code) else {
        return Vec::new();
    };
    let warning = match state.status {
        DoseStatus::Due | DoseStatus::Overdue | DoseStatus::Given => None,
        DoseStatus::Upcoming => Some(Warning::Early { dose: code, date, due_on: state.due_on }),
        DoseStatus::Expired => Some(Warning::PastMaxAge { dose: code, date }),
        DoseStatus::NotApplicable => Some(Warning::NotApplicable { dose: code, date }),
    };
    warning.into_iter().collect()
}

/// What a delivery to be recorded needs of the mother.
#[derive(Debug, Clone, Copy)]
pub struct Mother<'a> {
    pub register_id: &'a str,
    pub kind: Kind,
    pub status: BeneficiaryStatus,
    pub lmp: Option<Date>,
}

/// The one check on a delivery being recorded (the CLI's and the app's): the mother is an
/// active pregnant woman; the date is neither in the future nor before her LMP; a live birth
/// lists at least one newborn, a stillbirth or abortion none; each newborn has a name.
/// Returns the newborns' names, trimmed.
pub fn check_delivery(
    mother: &Mother<'_>,
    date: Date,
    today: Date,
    outcome: DeliveryOutcome,
    names: &[&str],
) -> Result<Vec<String>, InputError> {
    let who = mother.register_id;
    if mother.kind != Kind::PregnantWoman {
        return Err(InputError::new(format!("{who} is a child: only a pregnant woman's delivery is recorded")));
    }
    if mother.status != BeneficiaryStatus::Active {
        return Err(InputError::new(format!("{who} is {}: her delivery cannot be recorded", mother.status)));
    }
    if date > today {
        return Err(InputError::new(format!("date {} is in the future (today is {})", iso(date), iso(today))));
    }
    if let Some(lmp) = mother.lmp.filter(|l| date < *l) {
        return Err(InputError::new(format!("date {} is before {who}'s LMP {}", iso(date), iso(lmp))));
    }
    if outcome == DeliveryOutcome::LiveBirth && names.is_empty() {
        return Err(InputError::new("newborns: a live birth needs at least one newborn"));
    }
    if !outcome.may_have_newborns() && !names.is_empty() {
        return Err(InputError::new(format!("newborns: a {outcome} has no newborns")));
    }
    if names.len() > MAX_NEWBORNS {
        return Err(InputError::new(format!("newborns: more than {MAX_NEWBORNS}")));
    }
    names.iter().enumerate().map(|(i, n)| required_text(&format!("newborns[{i}].name"), n)).collect()
}

/// The most newborns one delivery registers.
pub const MAX_NEWBORNS: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap_or_default()
    }

    fn child() -> Subject {
        Subject { kind: Kind::Child, anchor: d("2026-01-01"), je_endemic: false }
    }

    #[test]
    fn the_code_list_is_every_warning_code_in_order() {
        let date = d("2026-02-01");
        let every = [
            Warning::AlreadyGiven { dose: DoseCode::Bcg, given_on: date },
            Warning::Early { dose: DoseCode::Bcg, date, due_on: None },
            Warning::PastMaxAge { dose: DoseCode::Bcg, date },
            Warning::NotApplicable { dose: DoseCode::Je1, date },
            Warning::NotActive { register_id: "RMP-1".into(), status: BeneficiaryStatus::Died },
        ];
        let codes: Vec<&str> = every.iter().map(Warning::code).collect();
        assert_eq!(codes, Warning::CODES);
    }

    #[test]
    fn impossible_doses_are_refused_naming_the_dose() {
        let to = Recipient { who: "RMP-1", subject: child(), fields: Fields::Request };
        let s = ScheduleSettings::default();
        let today = d("2026-11-01");
        let err = |doses: &[(DoseCode, Date)]| check_doses(&to, &[], doses, today, &s).unwrap_err().message;
        assert_eq!(
            err(&[(DoseCode::Td1, d("2026-02-01"))]),
            "doses[0] (TD1): TD1 is a pregnant woman's dose; RMP-1 is a child"
        );
        assert!(err(&[(DoseCode::Bcg, d("2026-12-01"))]).contains("is in the future (today is 2026-11-01)"));
        assert!(err(&[(DoseCode::Bcg, d("2025-12-01"))]).ends_with("dose date 2025-12-01 is before birth (2026-01-01)"));
        assert!(err(&[(DoseCode::Bcg, d("2026-01-02")), (DoseCode::Bcg, d("2026-01-03"))]).contains("listed twice"));
        assert!(err(&[]).contains("codes is empty"));
        // The request's field, for a form to show the message beside it.
        let e = check_doses(&to, &[], &[(DoseCode::Bcg, d("2026-01-02")), (DoseCode::Td1, d("2026-02-01"))], today, &s);
        assert_eq!(e.unwrap_err().field.as_deref(), Some("doses[1]"));
        // One dose named by the CLI's flags: the sentence alone, which names the dose and date.
        let cli = Recipient { fields: Fields::Sentence, ..to };
        let e = check_doses(&cli, &[], &[(DoseCode::Bcg, d("2026-12-01"))], today, &s).unwrap_err().message;
        assert_eq!(e, "dose date 2026-12-01 is in the future (today is 2026-11-01)");
        let e = check_not_given(&cli, &[DoseCode::Td1], d("2026-02-01"), today).unwrap_err().message;
        assert_eq!(e, "TD1 is a pregnant woman's dose; RMP-1 is a child");
    }

    #[test]
    fn unusual_doses_warn_with_codes_and_english_text() {
        let to = Recipient { who: "RMP-1", subject: child(), fields: Fields::Request };
        let s = ScheduleSettings::default();
        let history = [Given { code: DoseCode::Bcg, date: d("2026-01-02") }];
        let w = check_doses(&to, &history, &[(DoseCode::Bcg, d("2026-01-05"))], d("2026-11-01"), &s).unwrap();
        assert_eq!(w, vec![Warning::AlreadyGiven { dose: DoseCode::Bcg, given_on: d("2026-01-02") }]);
        assert_eq!(
            w[0].to_string(),
            "BCG is already on record (given 2026-01-02); both records are kept and flagged for review"
        );
        let json = serde_json::to_value(&w[0]).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"code": "ALREADY_GIVEN", "params": {"dose": "BCG", "given_on": "2026-01-02"}})
        );
        assert_eq!(w[0].code(), "ALREADY_GIVEN");
        let early = check_doses(&to, &[], &[(DoseCode::Mr1, d("2026-03-01"))], d("2026-11-01"), &s).unwrap();
        assert_eq!(early.iter().map(Warning::code).collect::<Vec<_>>(), ["EARLY"]);
        assert!(early[0].to_string().ends_with("recorded as given"));
    }

    #[test]
    fn not_given_checks_each_code() {
        let to = Recipient { who: "RMP-1", subject: child(), fields: Fields::Request };
        assert!(check_not_given(&to, &[DoseCode::Bcg], d("2026-02-01"), d("2026-11-01")).is_ok());
        let e = check_not_given(&to, &[DoseCode::Bcg, DoseCode::Bcg], d("2026-02-01"), d("2026-11-01")).unwrap_err();
        assert_eq!(e.message, "codes: BCG is listed twice");
        assert!(check_not_given(&to, &[DoseCode::Td1], d("2026-02-01"), d("2026-11-01")).is_err());
    }

    #[test]
    fn a_delivery_is_checked_against_the_mother_and_the_outcome() {
        let w = Mother {
            register_id: "W-1",
            kind: Kind::PregnantWoman,
            status: BeneficiaryStatus::Active,
            lmp: Some(d("2026-02-01")),
        };
        let today = d("2026-11-10");
        let live = DeliveryOutcome::LiveBirth;
        assert_eq!(
            check_delivery(&w, d("2026-11-05"), today, live, &[" Baby of Sunita "]).unwrap(),
            vec!["Baby of Sunita"]
        );
        let e = |m: &Mother<'_>, date: &str, o, names: &[&str]| {
            check_delivery(m, d(date), today, o, names).unwrap_err().message
        };
        assert_eq!(e(&w, "2026-11-11", live, &["A"]), "date 2026-11-11 is in the future (today is 2026-11-10)");
        assert_eq!(e(&w, "2026-01-31", live, &["A"]), "date 2026-01-31 is before W-1's LMP 2026-02-01");
        assert_eq!(e(&w, "2026-11-05", live, &[]), "newborns: a live birth needs at least one newborn");
        assert_eq!(e(&w, "2026-11-05", DeliveryOutcome::Stillbirth, &["A"]), "newborns: a stillbirth has no newborns");
        assert_eq!(e(&w, "2026-11-05", live, &["  "]), "newborns[0].name is empty: write it");
        assert!(check_delivery(&w, d("2026-05-01"), today, DeliveryOutcome::Abortion, &[]).is_ok());
        assert!(check_delivery(&w, d("2026-11-05"), today, DeliveryOutcome::MaternalDeath, &["A"]).is_ok());
        let child = Mother { kind: Kind::Child, ..w };
        assert_eq!(
            e(&child, "2026-11-05", live, &["A"]),
            "W-1 is a child: only a pregnant woman's delivery is recorded"
        );
        let done = Mother { status: BeneficiaryStatus::Delivered, ..w };
        assert_eq!(e(&done, "2026-11-05", live, &["A"]), "W-1 is delivered: her delivery cannot be recorded");
    }
}
