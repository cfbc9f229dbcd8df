//! Who may record what: the role matrix, once for the device and the server
//! (`docs/security.md`, "Roles"). An ASHA surveys households, copies doses from the MCP card,
//! records refusals and deliveries, visits resistant families and holds meetings; she gives no
//! dose at a session. Only an ANM opens and closes sessions, records what a session gave or did
//! not give, and opens and discards vials. Only a supervisor plans: sites, rounds and their
//! holidays. The ANM and the supervisor set a village's ASHA and JE setting, report a session
//! not held or moved, and escalate a case to the block task force. Anyone may report an AEFI.
//!
//! The server refuses an event its device's role may not make (`FORBIDDEN_ROLE`, per event, as
//! it refuses one out of scope); an enrolled device refuses to make one.

use crate::codes::WorkerRole;
use crate::model::EventBody;

/// Why a role may not record an event: what the event does, and who does it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} does not {what}: {who}", role_words(*role))]
pub struct RoleRefusal {
    pub role: WorkerRole,
    pub what: &'static str,
    pub who: &'static str,
}

fn role_words(role: WorkerRole) -> &'static str {
    match role {
        WorkerRole::Asha => "an ASHA",
        WorkerRole::Anm => "an ANM",
        WorkerRole::Supervisor => "a supervisor",
    }
}

/// Who may record an event of this kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Every role.
    Anyone,
    /// The ANM (a session's records, vials).
    Anm,
    /// The supervisor (plans).
    Supervisor,
    /// The ANM and the supervisor.
    AnmOrSupervisor,
}

impl Allowed {
    pub fn admits(self, role: WorkerRole) -> bool {
        match self {
            Allowed::Anyone => true,
            Allowed::Anm => role == WorkerRole::Anm,
            Allowed::Supervisor => role == WorkerRole::Supervisor,
            Allowed::AnmOrSupervisor => role != WorkerRole::Asha,
        }
    }

    fn who(self) -> &'static str {
        match self {
            Allowed::Anyone => "anyone does",
            Allowed::Anm => "an ANM does",
            Allowed::Supervisor => "a supervisor does",
            Allowed::AnmOrSupervisor => "an ANM or a supervisor does",
        }
    }
}

/// Who may record `body`, and what it does in words.
pub fn allowed(body: &EventBody) -> (Allowed, &'static str) {
    use EventBody as E;
    match body {
        E::AreaDefined { .. } => (Allowed::Anyone, "name a village"),
        E::HouseholdRegistered { .. } | E::HouseholdUpdated { .. } => (Allowed::Anyone, "survey households"),
        E::BeneficiaryRegistered { .. } | E::BeneficiaryUpdated { .. } => (Allowed::Anyone, "register beneficiaries"),
        E::DoseGiven { session: None, .. } => (Allowed::Anyone, "copy doses from the MCP card"),
        E::DoseNotGiven { session: None, .. } => (Allowed::Anyone, "record a dose not given at home"),
        E::NotGivenWithdrawn { session: None, .. } => (Allowed::Anyone, "withdraw a dose not given at home"),
        E::DeliveryRecorded { .. } => (Allowed::Anyone, "record deliveries"),
        E::AefiReported { .. } | E::AefiUpdated { .. } => (Allowed::Anyone, "report an AEFI"),
        E::RefusalAssigned { .. } | E::RefusalVisited { .. } => (Allowed::Anyone, "work on a refusal case"),
        E::ActivityRecorded { .. } => (Allowed::Anyone, "record a meeting"),
        E::DoseGiven { session: Some(_), .. } => (Allowed::Anm, "give doses at a session"),
        E::DoseNotGiven { session: Some(_), .. } | E::NotGivenWithdrawn { session: Some(_), .. } => {
            (Allowed::Anm, "record a session's doses not given")
        }
        E::SessionOpened { .. } | E::SessionClosed { .. } => (Allowed::Anm, "open or close sessions"),
        E::VialOpened { .. } | E::VialDiscarded { .. } => (Allowed::Anm, "open or discard vials"),
        E::SiteRegistered { .. } | E::SiteUpdated { .. } => (Allowed::Supervisor, "plan session sites"),
        E::RoundDefined { .. } | E::RoundHolidaySet { .. } => (Allowed::Supervisor, "plan rounds"),
        E::VillageJeEndemicSet { .. } | E::VillageAshaSet { .. } => (Allowed::AnmOrSupervisor, "set up a village"),
        E::SessionNotHeld { .. } | E::SessionRescheduled { .. } => {
            (Allowed::AnmOrSupervisor, "report a session not held or moved")
        }
        E::RefusalEscalated { .. } => (Allowed::AnmOrSupervisor, "escalate a case to the block task force"),
    }
}

/// Whether `role` may record `body` (the matrix above).
pub fn may_record(role: WorkerRole, body: &EventBody) -> Result<(), RoleRefusal> {
    let (allowed, what) = allowed(body);
    if allowed.admits(role) {
        Ok(())
    } else {
        Err(RoleRefusal { role, what, who: allowed.who() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::DoseCode;
    use uuid::Uuid;

    #[test]
    fn an_asha_copies_cards_an_anm_gives_doses_at_sessions_a_supervisor_plans() {
        let date = crate::dates::Date::from_ymd_opt(2026, 11, 2).unwrap();
        let dose = |session| EventBody::DoseGiven {
            beneficiary: Uuid::nil(),
            code: DoseCode::Bcg,
            date,
            corrects: None,
            session,
        };
        let opened = EventBody::SessionOpened { session: Uuid::nil(), site: Uuid::nil(), date, session_site: None };
        let site = EventBody::SiteRegistered { site: Uuid::nil(), site_id: "S-1".into(), fields: vec![] };
        use WorkerRole::{Anm, Asha, Supervisor};
        let table = [
            (dose(None), [true, true, true]),
            (dose(Some(Uuid::nil())), [false, true, false]),
            (opened, [false, true, false]),
            (site, [false, false, true]),
        ];
        for (body, expected) in table {
            let got = [Asha, Anm, Supervisor].map(|r| may_record(r, &body).is_ok());
            assert_eq!(got, expected, "{body:?}");
        }
        let e = may_record(Asha, &dose(Some(Uuid::nil()))).unwrap_err();
        assert_eq!(e.to_string(), "an ASHA does not give doses at a session: an ANM does");
    }
}
