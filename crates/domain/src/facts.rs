//! A household's and a beneficiary's facts: the fields the register, the import, the store and
//! the app all speak of, written once, with the checks on what a worker types into them.

use crate::codes::{BeneficiaryStatus, RiskCategory, Sex};
use crate::dates::Date;
use crate::model::{BeneficiaryField, HouseholdField};
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
        return Err(InputError::new(format!("{field} is longer than {MAX_NOTE} characters")));
    }
    Ok(note)
}

/// Input that cannot be stored, with the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    pub message: String,
}

impl InputError {
    pub fn new(message: impl Into<String>) -> InputError {
        InputError { message: message.into() }
    }
}

/// Checks a required text (trimmed, not empty, not too long, no control characters).
pub fn required_text(field: &str, value: &str) -> Result<String, InputError> {
    optional_text(field, Some(value))?.ok_or_else(|| InputError::new(format!("{field} is empty: write it")))
}

/// Checks an optional text; empty means none.
pub fn optional_text(field: &str, value: Option<&str>) -> Result<Option<String>, InputError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().count() > MAX_TEXT {
        return Err(InputError::new(format!("{field} is longer than {MAX_TEXT} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(InputError::new(format!("{field} has a control character")));
    }
    Ok(Some(v.to_string()))
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
    check_phone(&v).map_err(|m| InputError::new(format!("phone {m}")))?;
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
        out
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
        out
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

    #[test]
    fn every_fact_is_a_field() {
        let h = HouseholdFacts::default();
        let names: Vec<&str> = h.fields().iter().map(HouseholdField::name).collect();
        assert_eq!(names, ["house_no", "head_of_household", "phone", "risk_category"]);
        let b = BeneficiaryFacts { name: "A".into(), dob: Date::from_ymd_opt(2026, 1, 1), ..Default::default() };
        let names: Vec<&str> = b.fields().iter().map(BeneficiaryField::name).collect();
        assert_eq!(names, ["name", "sex", "dob", "mother_name"]);
    }
}
