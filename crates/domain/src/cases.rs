//! The checks on what a worker records in a resistant family's case file (a visit) and of a
//! village's communication activity, before anything is stored. Pure: `today` and the family's
//! first refusal are arguments. The case file's state is `crate::monitor::case_state`.

use crate::dates::{iso, Date};
use crate::facts::{note_text, optional_text, required_text, InputError};

/// The most people a communication activity may count.
pub const MAX_ATTENDANCE: u32 = 10_000;

/// Why a case-file record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The household has no refusal standing: it has no case file to visit.
    #[error("household {0} has no refusal standing: it has no case file (a refusal opens one)")]
    NoRefusal(String),
    #[error(transparent)]
    Input(#[from] InputError),
}

impl CaseError {
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::NoRefusal(_) => "NO_REFUSAL",
            CaseError::Input(_) => "INVALID_INPUT",
        }
    }
}

/// A visit's checked texts: the visitor's name and the note.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckedVisit {
    pub by_name: Option<String>,
    pub note: Option<String>,
}

/// A date that may not be after today.
fn not_future(field: &str, date: Date, today: Date) -> Result<(), InputError> {
    if date > today {
        return Err(InputError::at(field, format!("{field} {} is in the future (today is {})", iso(date), iso(today))));
    }
    Ok(())
}

/// Checks a visit to the family of `household` on `date`: the family has a refusal standing
/// (`first_refusal`, its first), the date is neither in the future nor before that refusal,
/// and the texts fit (the note at most [`crate::facts::MAX_NOTE`] characters).
pub fn check_visit(
    household: &str,
    first_refusal: Option<Date>,
    date: Date,
    by_name: Option<&str>,
    note: Option<&str>,
    today: Date,
) -> Result<CheckedVisit, CaseError> {
    let first = first_refusal.ok_or_else(|| CaseError::NoRefusal(household.to_string()))?;
    not_future("date", date, today)?;
    if date < first {
        return Err(InputError::at(
            "date",
            format!("date {} is before the family's first refusal ({})", iso(date), iso(first)),
        )
        .into());
    }
    Ok(CheckedVisit { by_name: optional_text("by_name", by_name)?, note: note_text("note", note)? })
}

/// Checks a case file's assignment or escalation: the family has a refusal standing; the texts
/// fit (`field` names the text: `name` or `note`).
pub fn check_case_text(
    household: &str,
    first_refusal: Option<Date>,
    field: &str,
    text: Option<&str>,
) -> Result<Option<String>, CaseError> {
    first_refusal.ok_or_else(|| CaseError::NoRefusal(household.to_string()))?;
    Ok(if field == "note" { note_text(field, text)? } else { optional_text(field, text)? })
}

/// A communication activity's checked texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedActivity {
    pub led_by: String,
    pub note: Option<String>,
}

/// Checks a communication activity: not in the future, someone led it, 0 to
/// [`MAX_ATTENDANCE`] attended, the note at most [`crate::facts::MAX_NOTE`] characters.
pub fn check_activity(
    date: Date,
    led_by: &str,
    attendance: u32,
    note: Option<&str>,
    today: Date,
) -> Result<CheckedActivity, InputError> {
    not_future("date", date, today)?;
    let led_by = required_text("led_by", led_by)?;
    if attendance > MAX_ATTENDANCE {
        return Err(InputError::at(
            "attendance",
            format!("attendance {attendance} is more than {MAX_ATTENDANCE}: count the people who came"),
        ));
    }
    Ok(CheckedActivity { led_by, note: note_text("note", note)? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn a_visit_needs_a_refusal_and_a_date_from_it_to_today() {
        let today = d("2026-03-10");
        let first = Some(d("2026-03-01"));
        assert_eq!(check_visit("HH-1", None, today, None, None, today).unwrap_err().code(), "NO_REFUSAL");
        let e = check_visit("HH-1", first, d("2026-03-11"), None, None, today).unwrap_err();
        assert!(matches!(&e, CaseError::Input(i) if i.field.as_deref() == Some("date")), "{e}");
        assert!(e.to_string().contains("future"), "{e}");
        let e = check_visit("HH-1", first, d("2026-02-28"), None, None, today).unwrap_err();
        assert!(e.to_string().contains("before the family's first refusal (2026-03-01)"), "{e}");
        let ok = check_visit("HH-1", first, d("2026-03-01"), Some(" Sunita "), Some(""), today).unwrap();
        assert_eq!(ok, CheckedVisit { by_name: Some("Sunita".into()), note: None });
        let long = "x".repeat(101);
        let e = check_visit("HH-1", first, today, None, Some(&long), today).unwrap_err();
        assert!(matches!(&e, CaseError::Input(i) if i.field.as_deref() == Some("note")), "{e}");
    }

    #[test]
    fn an_assignment_or_escalation_needs_a_refusal() {
        assert_eq!(check_case_text("HH-1", None, "name", Some("x")).unwrap_err().code(), "NO_REFUSAL");
        assert_eq!(
            check_case_text("HH-1", Some(d("2026-01-01")), "name", Some(" Imam ")).unwrap(),
            Some("Imam".into())
        );
        let e = check_case_text("HH-1", Some(d("2026-01-01")), "note", Some(&"y".repeat(101))).unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
    }

    #[test]
    fn an_activity_is_led_by_someone_counts_its_people_and_is_not_in_the_future() {
        let today = d("2026-03-10");
        assert!(check_activity(d("2026-03-11"), "Sunita", 10, None, today).unwrap_err().message.contains("future"));
        assert_eq!(check_activity(today, "  ", 10, None, today).unwrap_err().field.as_deref(), Some("led_by"));
        assert_eq!(
            check_activity(today, "Sunita", 10_001, None, today).unwrap_err().field.as_deref(),
            Some("attendance")
        );
        let ok = check_activity(today, " Sunita ", 10_000, Some("at the temple"), today).unwrap();
        assert_eq!(ok, CheckedActivity { led_by: "Sunita".into(), note: Some("at the temple".into()) });
        assert!(check_activity(today, "Sunita", 0, None, today).is_ok());
    }
}
