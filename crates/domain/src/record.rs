//! Checks on a dose about to be recorded. What was given must be on record, so a dose outside
//! its schedule window is recorded with a warning rather than refused; only impossible input
//! (unknown code, wrong kind, before birth, in the future) is refused, by the caller.

use crate::dates::{iso, Date};
use crate::schedule::{evaluate, DoseStatus, Given, ScheduleSettings, Subject};
use crate::DoseCode;

/// Warnings for giving `code` on `date` to `subject` whose other doses are `history`.
pub fn dose_warnings(
    subject: &Subject,
    history: &[Given],
    code: DoseCode,
    date: Date,
    settings: &ScheduleSettings,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(earlier) = history.iter().filter(|g| g.code == code).map(|g| g.date).min() {
        warnings.push(format!(
            "{code} is already on record (given {}); both records are kept and flagged for review",
            iso(earlier)
        ));
        return warnings;
    }
    let before: Vec<Given> = history.iter().copied().filter(|g| g.date <= date).collect();
    let states = evaluate(subject, &before, date, settings);
    let Some(state) = states.iter().find(|s| s.code == code) else {
        return warnings;
    };
    let window = match state.status {
        DoseStatus::Due | DoseStatus::Overdue | DoseStatus::Given => None,
        DoseStatus::Upcoming => Some(match state.due_on {
            Some(d) => format!("{code} given on {} is early: it was not yet due (due {})", iso(date), iso(d)),
            None => format!("{code} given on {} is early: it was not yet due", iso(date)),
        }),
        DoseStatus::Expired => Some(format!("{code} given on {} is past its maximum age", iso(date))),
        DoseStatus::NotApplicable => {
            Some(format!("{code} given on {} is outside the schedule for this beneficiary (not applicable)", iso(date)))
        }
    };
    warnings.extend(window.map(|w| format!("{w}; recorded as given")));
    warnings
}
