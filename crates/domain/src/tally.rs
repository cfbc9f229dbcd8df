//! A session's tally: its records counted by antigen, by dose, by reason not given and by AEFI
//! severity, and the people it served.

use crate::codes::{AefiSeverity, Antigen, DoseCode, Kind, ReasonCode};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One record of a session, as its tally counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionFact {
    Given { code: DoseCode, beneficiary: Uuid, kind: Kind },
    NotGiven { reason: ReasonCode },
    Aefi { severity: AefiSeverity },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AntigenCount {
    pub antigen: Antigen,
    pub doses: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DoseCount {
    pub code: DoseCode,
    pub doses: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReasonCount {
    pub reason: ReasonCode,
    pub count: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AefiCounts {
    pub minor: u32,
    pub severe: u32,
    pub serious: u32,
}

/// The numbers of a session. `beneficiaries` counts those who received at least one dose at it
/// (split into `children` and `pregnant_women`); not-given records count per reason. Counts are
/// listed in schedule (antigen, dose, reason) order, leaving out zeros.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tally {
    pub session_id: Uuid,
    pub by_antigen: Vec<AntigenCount>,
    pub by_dose: Vec<DoseCount>,
    pub not_given: Vec<ReasonCount>,
    pub aefi: AefiCounts,
    pub beneficiaries: u32,
    pub children: u32,
    pub pregnant_women: u32,
}

/// Counts a session's records.
pub fn tally(session_id: Uuid, facts: impl IntoIterator<Item = SessionFact>) -> Tally {
    let mut by_dose: HashMap<DoseCode, u32> = HashMap::new();
    let mut reasons: HashMap<ReasonCode, u32> = HashMap::new();
    let mut people: HashSet<Uuid> = HashSet::new();
    let mut children: HashSet<Uuid> = HashSet::new();
    let mut aefi = AefiCounts::default();
    for fact in facts {
        match fact {
            SessionFact::Given { code, beneficiary, kind } => {
                *by_dose.entry(code).or_default() += 1;
                people.insert(beneficiary);
                if kind == Kind::Child {
                    children.insert(beneficiary);
                }
            }
            SessionFact::NotGiven { reason } => *reasons.entry(reason).or_default() += 1,
            SessionFact::Aefi { severity: AefiSeverity::Minor } => aefi.minor += 1,
            SessionFact::Aefi { severity: AefiSeverity::Severe } => aefi.severe += 1,
            SessionFact::Aefi { severity: AefiSeverity::Serious } => aefi.serious += 1,
        }
    }
    let mut by_antigen: HashMap<Antigen, u32> = HashMap::new();
    for (code, n) in &by_dose {
        *by_antigen.entry(code.antigen()).or_default() += n;
    }
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Tally {
        session_id,
        by_antigen: Antigen::ALL
            .iter()
            .filter_map(|a| by_antigen.get(a).map(|n| AntigenCount { antigen: *a, doses: *n }))
            .collect(),
        by_dose: DoseCode::ALL
            .iter()
            .filter_map(|c| by_dose.get(c).map(|n| DoseCount { code: *c, doses: *n }))
            .collect(),
        not_given: ReasonCode::ALL
            .iter()
            .filter_map(|r| reasons.get(r).map(|n| ReasonCount { reason: *r, count: *n }))
            .collect(),
        aefi,
        beneficiaries: count(people.len()),
        children: count(children.len()),
        pregnant_women: count(people.len() - children.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_counts_people_once_and_doses_by_antigen() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let t = tally(
            Uuid::nil(),
            [
                SessionFact::Given { code: DoseCode::Penta1, beneficiary: a, kind: Kind::Child },
                SessionFact::Given { code: DoseCode::Opv1, beneficiary: a, kind: Kind::Child },
                SessionFact::Given { code: DoseCode::Td1, beneficiary: b, kind: Kind::PregnantWoman },
                SessionFact::NotGiven { reason: ReasonCode::ALL[0] },
                SessionFact::NotGiven { reason: ReasonCode::ALL[0] },
                SessionFact::Aefi { severity: AefiSeverity::Serious },
            ],
        );
        assert_eq!((t.beneficiaries, t.children, t.pregnant_women), (2, 1, 1));
        assert_eq!(t.by_dose.len(), 3);
        assert_eq!(t.not_given, vec![ReasonCount { reason: ReasonCode::ALL[0], count: 2 }]);
        assert_eq!(t.aefi, AefiCounts { minor: 0, severe: 0, serious: 1 });
        assert_eq!(t.by_antigen.iter().map(|c| c.doses).sum::<u32>(), 3);
    }
}
