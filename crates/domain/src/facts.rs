//! A household's and a beneficiary's facts: the fields the register, the import, the store and
//! the app all speak of, written once, with the checks on what a worker types into them.

use crate::codes::{BeneficiaryStatus, DoseCode, RiskCategory, Sex};
use crate::dates::{iso, Age, Date};
use crate::model::{edd_from_lmp, BeneficiaryField, HouseholdField};
use crate::schedule::last_child_dose;
use serde::Serialize;

/// Names, house numbers and the like: at most this many characters.
pub const MAX_TEXT: usize = 200;

/// A short note (why a dose was not given, when the reason is "other"): at most this many
/// characters.
pub const MAX_NOTE: usize = 100;

/// Checks an optional short note: a text ([`optional_text`]) of at most [`MAX_NOTE`] characters.
pub fn note_text(field: &str, value: Option<&str>) -> Result<Option<String>, InputError> {
    let note = optional_text(field, value)?;
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(InputError::at(field, format!("{field} is longer than {MAX_NOTE} characters")));
    }
    Ok(note)
}

/// Input that cannot be stored, with the field it is about when there is one (the name of the
/// request's or the register's field, e.g. `name`, `dob`, `doses[1].date`): a form shows the
/// message beside that field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    pub message: String,
    pub field: Option<String>,
}

impl InputError {
    pub fn new(message: impl Into<String>) -> InputError {
        InputError { message: message.into(), field: None }
    }

    /// A problem of one field; the message is expected to name it too (logs, the CLI).
    pub fn at(field: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError { message: message.into(), field: Some(field.into()) }
    }
}

/// Checks a required text (trimmed, not empty, not too long, no control characters).
pub fn required_text(field: &str, value: &str) -> Result<String, InputError> {
    optional_text(field, Some(value))?.ok_or_else(|| InputError::at(field, format!("{field} is empty: write it")))
}

/// Checks an optional text; empty means none.
pub fn optional_text(field: &str, value: Option<&str>) -> Result<Option<String>, InputError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().count() > MAX_TEXT {
        return Err(InputError::at(field, format!("{field} is longer than {MAX_TEXT} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(InputError::at(field, format!("{field} has a control character")));
    }
    Ok(Some(v.to_string()))
}

/// How long before today an active pregnancy's LMP may be.
pub const MAX_LMP_AGE: Age = Age::Months(10);

/// A person the register cannot hold as entered, each with a stable [`Implausible::code`] and
/// the field it is about ([`Implausible::field`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Implausible {
    /// The child is older than the age of the schedule's last dose ([`last_child_dose`]).
    #[error(
        "dob {}: the child would be older than {} (the age of {last}, the schedule's last dose): not a child of the schedule; check the year",
        iso(*dob),
        due.describe()
    )]
    DobTooOld { dob: Date, last: DoseCode, due: Age },
    /// An active pregnancy's LMP more than [`MAX_LMP_AGE`] before today.
    #[error(
        "lmp {}: more than {} before today ({}): not an ongoing pregnancy; check the date, or record how the pregnancy ended",
        iso(*lmp),
        MAX_LMP_AGE.describe(),
        iso(*today)
    )]
    LmpTooOld { lmp: Date, today: Date },
    /// An active pregnancy whose expected date of delivery is past. `field` is what was entered:
    /// `edd`, or `lmp` when the EDD was worked out from it.
    #[error(
        "{field} {}: the expected date of delivery {} is before today ({}): not an ongoing pregnancy; check the date, or record how the pregnancy ended",
        iso(*entered),
        iso(*edd),
        iso(*today)
    )]
    EddPast { field: &'static str, entered: Date, edd: Date, today: Date },
}

impl Implausible {
    /// Every code, in the order of the contract's table.
    pub const CODES: [&'static str; 3] = ["DOB_TOO_OLD", "LMP_TOO_OLD", "EDD_PAST"];

    /// A stable code for scripts and the UI; never match the message.
    pub fn code(&self) -> &'static str {
        match self {
            Implausible::DobTooOld { .. } => "DOB_TOO_OLD",
            Implausible::LmpTooOld { .. } => "LMP_TOO_OLD",
            Implausible::EddPast { .. } => "EDD_PAST",
        }
    }

    /// The field the problem is about (`dob`, `lmp` or `edd`).
    pub fn field(&self) -> &'static str {
        match self {
            Implausible::DobTooOld { .. } => "dob",
            Implausible::LmpTooOld { .. } => "lmp",
            Implausible::EddPast { field, .. } => field,
        }
    }
}

/// A child's date of birth: refused when the child is past the due age of the schedule's last
/// dose on `today` (Td at 16 years: [`last_child_dose`]). The day the last dose is due is still
/// a child's. (A date in the future is refused where dates are read: it is no date of birth.)
pub fn check_dob(dob: Date, today: Date) -> Result<(), Implausible> {
    let Some(last) = last_child_dose() else { return Ok(()) };
    match last.due.after(dob) {
        Some(limit) if limit < today => Err(Implausible::DobTooOld { dob, last: last.code, due: last.due }),
        _ => Ok(()),
    }
}

/// A pregnancy as entered, by its LMP (`from_edd`: the EDD that was entered instead, from which
/// the LMP was worked out): refused when it is `active` and cannot be ongoing on `today` (an LMP
/// more than [`MAX_LMP_AGE`] ago, or an expected date of delivery before today). A pregnancy that
/// is not active (delivered, migrated, closed) is not refused.
pub fn check_pregnancy(
    lmp: Date,
    from_edd: Option<Date>,
    status: BeneficiaryStatus,
    today: Date,
) -> Result<(), Implausible> {
    if status != BeneficiaryStatus::Active {
        return Ok(());
    }
    if from_edd.is_none() && MAX_LMP_AGE.after(lmp).is_some_and(|d| d < today) {
        return Err(Implausible::LmpTooOld { lmp, today });
    }
    let Some(edd) = from_edd.or_else(|| edd_from_lmp(lmp)) else { return Ok(()) };
    if edd < today {
        let (field, entered) = match from_edd {
            Some(e) => ("edd", e),
            None => ("lmp", lmp),
        };
        return Err(Implausible::EddPast { field, entered, edd, today });
    }
    Ok(())
}

/// A phone number as compared between households: its last 10 digits (`+91 98765-43210` and
/// `9876543210` are one phone); none without digits.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let tail = &digits[digits.len().saturating_sub(10)..];
    (!tail.is_empty()).then(|| tail.iter().collect())
}

/// A house number as compared between households: trimmed, inner spaces made one, case-folded
/// (`" bk-3 "` and `"BK-3"` are one house); none when empty.
pub fn house_key(house_no: &str) -> Option<String> {
    let key = house_no.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    (!key.is_empty()).then_some(key)
}

/// A phone number: digits with optional `+`, spaces and dashes; 10 to 13 digits.
pub fn check_phone(p: &str) -> Result<(), String> {
    if !p.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-')) {
        return Err(format!("'{p}' is not a phone number (digits, +, spaces and dashes only)"));
    }
    let digits = p.chars().filter(char::is_ascii_digit).count();
    if !(10..=13).contains(&digits) {
        return Err(format!("'{p}' has {digits} digits; a phone number has 10 (13 with +91)"));
    }
    Ok(())
}

/// An optional phone number as typed: checked as text, then as a phone number.
pub fn optional_phone(value: Option<&str>) -> Result<Option<String>, InputError> {
    let Some(v) = optional_text("phone", value)? else { return Ok(None) };
    check_phone(&v).map_err(|m| InputError::at("phone", format!("phone {m}")))?;
    Ok(Some(v))
}

/// A household's facts (besides its ids and its village). In JSON, their fields in this order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HouseholdFacts {
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    pub phone: Option<String>,
    pub risk_category: Option<RiskCategory>,
}

impl HouseholdFacts {
    /// The facts as a worker typed them, checked: texts trimmed (empty is none), a phone number.
    pub fn checked(&self) -> Result<HouseholdFacts, InputError> {
        Ok(HouseholdFacts {
            house_no: optional_text("house_no", self.house_no.as_deref())?,
            head_of_household: optional_text("head_of_household", self.head_of_household.as_deref())?,
            phone: optional_phone(self.phone.as_deref())?,
            risk_category: self.risk_category,
        })
    }

    /// Whether `other` (a household of the same village) looks like the same one: the same
    /// house number ([`house_key`]) or the same phone ([`phone_key`]). Suggests a duplicate
    /// before saving; never merges.
    pub fn similar_to(&self, other: &HouseholdFacts) -> bool {
        fn same(a: &Option<String>, b: &Option<String>, key: fn(&str) -> Option<String>) -> bool {
            match (a.as_deref().and_then(key), b.as_deref().and_then(key)) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            }
        }
        same(&self.house_no, &other.house_no, house_key) || same(&self.phone, &other.phone, phone_key)
    }

    /// Every fact as a field write (a registration, or an edit that sets them all).
    pub fn fields(&self) -> Vec<HouseholdField> {
        vec![
            HouseholdField::HouseNo(self.house_no.clone()),
            HouseholdField::HeadOfHousehold(self.head_of_household.clone()),
            HouseholdField::Phone(self.phone.clone()),
            HouseholdField::RiskCategory(self.risk_category),
        ]
    }

    /// Sets the fact a field write names; false for the field that is not a fact (the village).
    pub fn set(&mut self, field: HouseholdField) -> bool {
        match field {
            HouseholdField::HouseNo(v) => self.house_no = v,
            HouseholdField::HeadOfHousehold(v) => self.head_of_household = v,
            HouseholdField::Phone(v) => self.phone = v,
            HouseholdField::RiskCategory(v) => self.risk_category = v,
            HouseholdField::Village(_) => return false,
        }
        true
    }

    /// The facts stated here that differ from `old` (an import: an empty cell is not stated and
    /// never clears a value).
    pub fn changes_from(&self, old: &HouseholdFacts) -> Vec<HouseholdField> {
        let mut out = Vec::new();
        let mut text = |new: &Option<String>, old: &Option<String>, f: fn(Option<String>) -> HouseholdField| {
            if new.is_some() && new != old {
                out.push(f(new.clone()));
            }
        };
        text(&self.house_no, &old.house_no, HouseholdField::HouseNo);
        text(&self.head_of_household, &old.head_of_household, HouseholdField::HeadOfHousehold);
        text(&self.phone, &old.phone, HouseholdField::Phone);
        if self.risk_category.is_some() && self.risk_category != old.risk_category {
            out.push(HouseholdField::RiskCategory(self.risk_category));
        }
        out
    }
}

/// A beneficiary's facts (besides its ids, kind, household and status). In JSON, their fields in
/// this order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BeneficiaryFacts {
    pub name: String,
    pub sex: Option<Sex>,
    /// A child's date of birth.
    pub dob: Option<Date>,
    /// A pregnant woman's last menstrual period.
    pub lmp: Option<Date>,
    pub mother_name: Option<String>,
    /// The ABHA number (Ayushman Bharat Health Account), as [`IdKind::Abha`] normalises it:
    /// `NN-NNNN-NNNN-NNNN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abha: Option<String>,
    /// The RCH ID (Reproductive and Child Health portal), 12 digits ([`IdKind::RchId`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rch_id: Option<String>,
    /// The U-WIN id (the national immunization registry), as [`IdKind::UwinId`] checks it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uwin_id: Option<String>,
}

impl BeneficiaryFacts {
    /// Every fact as a field write, in registration order (name, sex, dob or lmp, mother's name).
    pub fn fields(&self) -> Vec<BeneficiaryField> {
        let mut out = vec![BeneficiaryField::Name(self.name.clone()), BeneficiaryField::Sex(self.sex)];
        if let Some(d) = self.dob {
            out.push(BeneficiaryField::Dob(Some(d)));
        }
        if let Some(l) = self.lmp {
            out.push(BeneficiaryField::Lmp(Some(l)));
        }
        out.push(BeneficiaryField::MotherName(self.mother_name.clone()));
        // The national identifiers only when known: a registration without them is written as
        // before they existed.
        out.extend(self.abha.clone().map(|v| BeneficiaryField::Abha(Some(v))));
        out.extend(self.rch_id.clone().map(|v| BeneficiaryField::RchId(Some(v))));
        out.extend(self.uwin_id.clone().map(|v| BeneficiaryField::UwinId(Some(v))));
        out
    }

    /// The national identifiers known, each with its kind, in [`IdKind::ALL`] order.
    pub fn identifiers(&self) -> Vec<(IdKind, &str)> {
        IdKind::ALL.iter().filter_map(|k| self.identifier(*k).map(|v| (*k, v))).collect()
    }

    /// One national identifier, when known.
    pub fn identifier(&self, kind: IdKind) -> Option<&str> {
        match kind {
            IdKind::Abha => self.abha.as_deref(),
            IdKind::RchId => self.rch_id.as_deref(),
            IdKind::UwinId => self.uwin_id.as_deref(),
        }
    }

    /// The national identifiers as typed, checked and normalised ([`IdKind::check`]); empty is
    /// none.
    pub fn checked_ids(mut self) -> Result<BeneficiaryFacts, IdError> {
        self.abha = IdKind::Abha.check_optional(self.abha.as_deref())?;
        self.rch_id = IdKind::RchId.check_optional(self.rch_id.as_deref())?;
        self.uwin_id = IdKind::UwinId.check_optional(self.uwin_id.as_deref())?;
        Ok(self)
    }

    /// Sets the fact a field write names; false for the fields that are not facts (household,
    /// status).
    pub fn set(&mut self, field: BeneficiaryField) -> bool {
        match field {
            BeneficiaryField::Name(n) => self.name = n,
            BeneficiaryField::Sex(s) => self.sex = s,
            BeneficiaryField::Dob(d) => self.dob = d,
            BeneficiaryField::Lmp(d) => self.lmp = d,
            BeneficiaryField::MotherName(m) => self.mother_name = m,
            BeneficiaryField::Abha(v) => self.abha = v,
            BeneficiaryField::RchId(v) => self.rch_id = v,
            BeneficiaryField::UwinId(v) => self.uwin_id = v,
            BeneficiaryField::Household(_) | BeneficiaryField::Status(_) => return false,
        }
        true
    }

    /// The facts stated here that differ from `old` (an import: what is not stated stays).
    pub fn changes_from(&self, old: &BeneficiaryFacts) -> Vec<BeneficiaryField> {
        let mut out = Vec::new();
        if self.name != old.name {
            out.push(BeneficiaryField::Name(self.name.clone()));
        }
        if self.sex.is_some() && self.sex != old.sex {
            out.push(BeneficiaryField::Sex(self.sex));
        }
        if self.dob.is_some() && self.dob != old.dob {
            out.push(BeneficiaryField::Dob(self.dob));
        }
        if self.lmp.is_some() && self.lmp != old.lmp {
            out.push(BeneficiaryField::Lmp(self.lmp));
        }
        if self.mother_name.is_some() && self.mother_name != old.mother_name {
            out.push(BeneficiaryField::MotherName(self.mother_name.clone()));
        }
        if self.abha.is_some() && self.abha != old.abha {
            out.push(BeneficiaryField::Abha(self.abha.clone()));
        }
        if self.rch_id.is_some() && self.rch_id != old.rch_id {
            out.push(BeneficiaryField::RchId(self.rch_id.clone()));
        }
        if self.uwin_id.is_some() && self.uwin_id != old.uwin_id {
            out.push(BeneficiaryField::UwinId(self.uwin_id.clone()));
        }
        out
    }
}

/// A national identifier a beneficiary may carry. Each is optional and checked for its shape
/// only (no checksum, no lookup: Teeka is offline). The rules are in `docs/formats.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// The ABHA number: 14 digits, written `22-7225-4829-5255` (the NRCeS sample's format,
    /// `../shared/docs/domain-reference.md` §5.2). Spaces and dashes are dropped when read; it
    /// is kept as `NN-NNNN-NNNN-NNNN`. An ABHA *address* (`name@abdm`) is not an ABHA number.
    Abha,
    /// The RCH ID of the RCH portal: 12 digits (spaces and dashes dropped), kept as the digits.
    /// UNVERIFIED: the reference does not state its length; 12 digits is the length commonly
    /// printed on MCP cards. A shape rule, not a checked fact.
    RchId,
    /// The U-WIN id. UNVERIFIED: U-WIN's identifier format is not public. Teeka accepts 4 to 32
    /// ASCII letters, digits and dashes, kept as typed (trimmed), so that any plausible
    /// registry number fits and typing slips (spaces, punctuation) are caught.
    UwinId,
}

impl IdKind {
    pub const ALL: [IdKind; 3] = [IdKind::Abha, IdKind::RchId, IdKind::UwinId];

    /// The register column, the request's field and the event field's name.
    pub fn field(self) -> &'static str {
        match self {
            IdKind::Abha => "abha",
            IdKind::RchId => "rch_id",
            IdKind::UwinId => "uwin_id",
        }
    }

    /// The stable code of a value of this kind that is not of its shape.
    pub fn code(self) -> &'static str {
        match self {
            IdKind::Abha => "BAD_ABHA",
            IdKind::RchId => "BAD_RCH_ID",
            IdKind::UwinId => "BAD_UWIN_ID",
        }
    }

    /// What the shape is, in words (the end of an error's message).
    pub fn rule(self) -> &'static str {
        match self {
            IdKind::Abha => "an ABHA number has 14 digits, e.g. 22-7225-4829-5255",
            IdKind::RchId => "an RCH ID has 12 digits",
            IdKind::UwinId => "a U-WIN id has 4 to 32 letters, digits or dashes",
        }
    }

    /// Checks a value typed or read and gives its normalised form.
    pub fn check(self, value: &str) -> Result<String, IdError> {
        let v = value.trim();
        let bad = || IdError { kind: self, value: v.chars().take(40).collect() };
        match self {
            IdKind::Abha | IdKind::RchId => {
                if !v.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ') {
                    return Err(bad());
                }
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                match (self, digits.len()) {
                    (IdKind::Abha, 14) => {
                        Ok(format!("{}-{}-{}-{}", &digits[..2], &digits[2..6], &digits[6..10], &digits[10..]))
                    }
                    (IdKind::RchId, 12) => Ok(digits),
                    _ => Err(bad()),
                }
            }
            IdKind::UwinId => {
                let ok = (4..=32).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                if ok {
                    Ok(v.to_string())
                } else {
                    Err(bad())
                }
            }
        }
    }

    /// [`IdKind::check`] of an optional value; empty is none.
    pub fn check_optional(self, value: Option<&str>) -> Result<Option<String>, IdError> {
        value.map(str::trim).filter(|v| !v.is_empty()).map(|v| self.check(v)).transpose()
    }
}

/// A national identifier that is not of its kind's shape: `BAD_ABHA`, `BAD_RCH_ID` or
/// `BAD_UWIN_ID` ([`IdError::code`]), about the field [`IdKind::field`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} '{value}' is not of its shape: {}", kind.field(), kind.rule())]
pub struct IdError {
    pub kind: IdKind,
    /// The value as given (trimmed, at most 40 characters).
    pub value: String,
}

impl IdError {
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    pub fn field(&self) -> &'static str {
        self.kind.field()
    }
}

/// A status change, when one is stated and differs.
pub fn status_change(new: Option<BeneficiaryStatus>, old: BeneficiaryStatus) -> Option<BeneficiaryField> {
    new.filter(|s| *s != old).map(BeneficiaryField::Status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_checked() {
        assert_eq!(required_text("name", "  Asha "), Ok("Asha".to_string()));
        assert!(required_text("name", "   ").unwrap_err().message.contains("name is empty"));
        assert_eq!(optional_text("house_no", Some(" ")), Ok(None));
        assert!(optional_text("house_no", Some("a\u{7}b")).is_err());
        assert!(optional_text("house_no", Some(&"x".repeat(MAX_TEXT + 1))).is_err());
        assert_eq!(optional_phone(Some("98765 43210")), Ok(Some("98765 43210".into())));
        assert!(optional_phone(Some("12345")).unwrap_err().message.starts_with("phone '12345' has 5 digits"));
    }

    #[test]
    fn an_import_changes_only_what_it_states_differently() {
        let old = HouseholdFacts { house_no: Some("4".into()), phone: Some("9876543210".into()), ..Default::default() };
        let new = HouseholdFacts { house_no: Some("5".into()), ..Default::default() };
        assert_eq!(new.changes_from(&old), vec![HouseholdField::HouseNo(Some("5".into()))]);
        assert!(old.changes_from(&old).is_empty());
        let b = BeneficiaryFacts { name: "Asha".into(), sex: Some(Sex::F), ..Default::default() };
        let renamed = BeneficiaryFacts { name: "Aasha".into(), ..Default::default() };
        assert_eq!(renamed.changes_from(&b), vec![BeneficiaryField::Name("Aasha".into())]);
        assert_eq!(
            status_change(Some(BeneficiaryStatus::Died), BeneficiaryStatus::Active),
            Some(BeneficiaryField::Status(BeneficiaryStatus::Died))
        );
        assert_eq!(status_change(None, BeneficiaryStatus::Active), None);
    }

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn a_child_older_than_the_last_dose_is_refused() {
        let last = last_child_dose().map(|r| (r.code, r.due));
        assert_eq!(last, Some((DoseCode::Td16, Age::Years(16))));
        let today = d(2026, 11, 22);
        // Td-16 is due today: still a child of the schedule; one day older is not.
        assert_eq!(check_dob(d(2010, 11, 22), today), Ok(()));
        let e = check_dob(d(2010, 11, 21), today).unwrap_err();
        assert_eq!((e.code(), e.field()), ("DOB_TOO_OLD", "dob"));
        assert!(
            e.to_string().starts_with("dob 2010-11-21: the child would be older than 16 years (the age of TD16"),
            "{e}"
        );
        assert_eq!(check_dob(d(2026, 1, 10), today), Ok(()));
    }

    #[test]
    fn an_active_pregnancy_that_cannot_be_ongoing_is_refused() {
        let today = d(2026, 11, 22);
        let active = BeneficiaryStatus::Active;
        assert_eq!(check_pregnancy(d(2026, 6, 1), None, active, today), Ok(()));
        // Ten months ago to the day: not more than ten months, but the EDD has passed.
        let e = check_pregnancy(d(2026, 1, 22), None, active, today).unwrap_err();
        assert_eq!((e.code(), e.field()), ("EDD_PAST", "lmp"));
        let e = check_pregnancy(d(2026, 1, 21), None, active, today).unwrap_err();
        assert_eq!((e.code(), e.field()), ("LMP_TOO_OLD", "lmp"));
        assert!(e.to_string().starts_with("lmp 2026-01-21: more than 10 months before today"), "{e}");
        // The EDD worked out from the LMP: the day before it is past is still ongoing.
        let lmp = d(2026, 2, 15);
        assert_eq!(edd_from_lmp(lmp), Some(today));
        assert_eq!(check_pregnancy(lmp, None, active, today), Ok(()));
        assert_eq!(check_pregnancy(d(2026, 2, 14), None, active, today).map_err(|e| e.code()), Err("EDD_PAST"));
        // An EDD entered is named as the EDD, whatever LMP it gives.
        let edd = d(2025, 12, 1);
        let lmp = crate::model::lmp_from_edd(edd).unwrap_or_default();
        let e = check_pregnancy(lmp, Some(edd), active, today).unwrap_err();
        assert_eq!((e.code(), e.field()), ("EDD_PAST", "edd"));
        assert!(e.to_string().starts_with("edd 2025-12-01: the expected date of delivery 2025-12-01 is before today"));
        // Delivered, migrated or closed: not refused.
        for s in [BeneficiaryStatus::Migrated, BeneficiaryStatus::Died] {
            assert_eq!(check_pregnancy(d(2020, 1, 1), None, s, today), Ok(()));
        }
    }

    #[test]
    fn similar_households_share_a_house_number_or_a_phone() {
        assert_eq!(phone_key("+91 98765-43210"), Some("9876543210".into()));
        assert_eq!(phone_key("09876543210"), Some("9876543210".into()));
        assert_eq!(phone_key("--"), None);
        assert_eq!(house_key("  bK-3 "), Some("bk-3".into()));
        assert_eq!(house_key("12  A"), house_key("12 a"));
        assert_eq!(house_key("   "), None);
        let h = |no: Option<&str>, phone: Option<&str>| HouseholdFacts {
            house_no: no.map(str::to_string),
            phone: phone.map(str::to_string),
            ..Default::default()
        };
        assert!(h(Some("BK-3"), None).similar_to(&h(Some(" bk-3"), Some("9876543210"))));
        assert!(h(Some("7"), Some("+919876543210")).similar_to(&h(Some("8"), Some("98765 43210"))));
        assert!(!h(Some("7"), Some("9876543210")).similar_to(&h(Some("8"), Some("9876543211"))));
        assert!(!h(None, None).similar_to(&h(None, None)));
        assert!(!h(Some(" "), None).similar_to(&h(Some(""), None)));
    }

    #[test]
    fn a_field_error_names_its_field() {
        assert_eq!(required_text("name", " ").unwrap_err().field.as_deref(), Some("name"));
        assert_eq!(optional_phone(Some("12")).unwrap_err().field.as_deref(), Some("phone"));
        assert_eq!(InputError::new("x").field, None);
    }

    #[test]
    fn every_fact_is_a_field() {
        let h = HouseholdFacts::default();
        let names: Vec<&str> = h.fields().iter().map(HouseholdField::name).collect();
        assert_eq!(names, ["house_no", "head_of_household", "phone", "risk_category"]);
        let b = BeneficiaryFacts { name: "A".into(), dob: Date::from_ymd_opt(2026, 1, 1), ..Default::default() };
        let names: Vec<&str> = b.fields().iter().map(BeneficiaryField::name).collect();
        assert_eq!(names, ["name", "sex", "dob", "mother_name"]);
        let b = BeneficiaryFacts { abha: Some("x".into()), uwin_id: Some("y".into()), ..b };
        let names: Vec<&str> = b.fields().iter().map(BeneficiaryField::name).collect();
        assert_eq!(names, ["name", "sex", "dob", "mother_name", "abha", "uwin_id"]);
    }

    #[test]
    fn national_identifiers_are_checked_for_shape_and_normalised() {
        assert_eq!(IdKind::Abha.check("22-7225-4829-5255"), Ok("22-7225-4829-5255".into()));
        assert_eq!(IdKind::Abha.check(" 22722548295255 "), Ok("22-7225-4829-5255".into()));
        assert_eq!(IdKind::Abha.check("22 7225 4829 5255"), Ok("22-7225-4829-5255".into()));
        for bad in ["2272254829525", "227225482952555", "22-7225-4829-525X", "asha@abdm", "２２"] {
            let e = IdKind::Abha.check(bad).unwrap_err();
            assert_eq!((e.code(), e.field()), ("BAD_ABHA", "abha"), "{bad}");
        }
        let e = IdKind::Abha.check("1234").unwrap_err();
        assert_eq!(
            e.to_string(),
            "abha '1234' is not of its shape: an ABHA number has 14 digits, e.g. 22-7225-4829-5255"
        );
        assert_eq!(IdKind::RchId.check("1234 5678 9012"), Ok("123456789012".into()));
        assert_eq!(IdKind::RchId.check("12345678901").unwrap_err().code(), "BAD_RCH_ID");
        assert_eq!(IdKind::UwinId.check(" UW-12345 "), Ok("UW-12345".into()));
        for bad in ["abc", "UW 12345", "UW_1", &"9".repeat(33)] {
            assert_eq!(IdKind::UwinId.check(bad).unwrap_err().code(), "BAD_UWIN_ID", "{bad}");
        }
        assert_eq!(IdKind::RchId.check_optional(Some("  ")), Ok(None));
        let f =
            BeneficiaryFacts { abha: Some("22722548295255".into()), rch_id: Some(" ".into()), ..Default::default() };
        let f = f.checked_ids().unwrap();
        assert_eq!((f.abha.as_deref(), f.rch_id.as_deref()), (Some("22-7225-4829-5255"), None));
        assert_eq!(f.identifiers(), vec![(IdKind::Abha, "22-7225-4829-5255")]);
        let long = BeneficiaryFacts { uwin_id: Some("x".repeat(500)), ..Default::default() };
        assert_eq!(long.checked_ids().unwrap_err().value.len(), 40, "the message quotes at most 40 characters");
    }

    #[test]
    fn an_import_sets_identifiers_it_states_and_never_clears_them() {
        let old = BeneficiaryFacts { name: "A".into(), abha: Some("22-7225-4829-5255".into()), ..Default::default() };
        let new = BeneficiaryFacts { name: "A".into(), rch_id: Some("123456789012".into()), ..Default::default() };
        assert_eq!(new.changes_from(&old), vec![BeneficiaryField::RchId(Some("123456789012".into()))]);
        let mut f = old.clone();
        assert!(f.set(BeneficiaryField::UwinId(Some("UW-1".into()))));
        assert_eq!(f.uwin_id.as_deref(), Some("UW-1"));
    }
}
