//! Stable codes: dose codes, reasons for a dose not given, and the enumerations of the register.
//!
//! Every code here appears in CSV files, JSON documents and the event log, so its text is a
//! contract: add codes, never rename them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares a fieldless enum whose variants have one stable text code each, with `as_str`,
/// `ALL`, `Display`, `FromStr` (case-insensitive) and serde as that text.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name { $($(#[$vmeta])* #[cfg_attr(feature = "ts", ts(rename = $code))] $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text code.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(t))
                    .ok_or_else(|| UnknownCode {
                        what: $what,
                        value: s.to_string(),
                        expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(" "),
                    })
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        /// One of the codes, as written (a reader also takes other letter cases and spaces
        /// around it).
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$($code),+] })
            }
        }
    };
}

/// A text that is not one of the codes it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}' (expected one of: {expected})")]
pub struct UnknownCode {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

coded_enum! {
    /// One dose of the National Immunization Schedule, in schedule order.
    DoseCode, "dose code" {
        Bcg = "BCG", Hepb0 = "HEPB0", Opv0 = "OPV0",
        Opv1 = "OPV1", Opv2 = "OPV2", Opv3 = "OPV3",
        Penta1 = "PENTA1", Penta2 = "PENTA2", Penta3 = "PENTA3",
        Rvv1 = "RVV1", Rvv2 = "RVV2", Rvv3 = "RVV3",
        Fipv1 = "FIPV1", Fipv2 = "FIPV2", Fipv3 = "FIPV3",
        Pcv1 = "PCV1", Pcv2 = "PCV2", Pcvb = "PCVB",
        Mr1 = "MR1", Mr2 = "MR2", Je1 = "JE1", Je2 = "JE2",
        Dpt1 = "DPT1", Dpt2 = "DPT2", Dpt3 = "DPT3",
        Dptb1 = "DPTB1", Dptb2 = "DPTB2", Opvb = "OPVB",
        Vita1 = "VITA1", Vita2 = "VITA2", Vita3 = "VITA3", Vita4 = "VITA4", Vita5 = "VITA5",
        Vita6 = "VITA6", Vita7 = "VITA7", Vita8 = "VITA8", Vita9 = "VITA9",
        Td10 = "TD10", Td16 = "TD16",
        Td1 = "TD1", Td2 = "TD2", Tdb = "TDB",
    }
}

coded_enum! {
    /// Why a dose due was not given (reference §4). Refusals mark the household resistant.
    ReasonCode, "reason" {
        RefusedFearAefi = "REFUSED_FEAR_AEFI",
        RefusedReligious = "REFUSED_RELIGIOUS",
        RefusedFamily = "REFUSED_FAMILY",
        RefusedNoFaith = "REFUSED_NO_FAITH",
        RefusedOther = "REFUSED_OTHER",
        ChildSick = "CHILD_SICK",
        NotAtHome = "NOT_AT_HOME",
        MigratedTemporarily = "MIGRATED_TEMPORARILY",
        Unaware = "UNAWARE",
        SiteTooFar = "SITE_TOO_FAR",
        VaccineOutOfStock = "VACCINE_OUT_OF_STOCK",
        SessionNotHeld = "SESSION_NOT_HELD",
        Other = "OTHER",
    }
}

impl ReasonCode {
    /// A refusal by the family (vaccine hesitancy), as opposed to an obstacle.
    pub fn is_refusal(self) -> bool {
        matches!(
            self,
            ReasonCode::RefusedFearAefi
                | ReasonCode::RefusedReligious
                | ReasonCode::RefusedFamily
                | ReasonCode::RefusedNoFaith
                | ReasonCode::RefusedOther
        )
    }
}

coded_enum! {
    /// Whom a register row describes.
    Kind, "kind" { Child = "child", PregnantWoman = "pregnant_woman" }
}

coded_enum! {
    /// Sex as written on the register.
    Sex, "sex" { M = "M", F = "F", O = "O" }
}

coded_enum! {
    /// Whether a beneficiary is still served here. Only `active` ones appear on a due list.
    BeneficiaryStatus, "status" {
        Active = "active", Migrated = "migrated", Died = "died",
        /// A pregnant woman whose pregnancy ended (a delivery recorded: live birth, stillbirth or
        /// abortion); no more Td is due.
        Delivered = "delivered",
    }
}

coded_enum! {
    /// How a pregnancy ended, as the MCP card and the RCH register record it. A live birth
    /// registers each newborn; a maternal death also marks the mother died.
    DeliveryOutcome, "delivery outcome" {
        LiveBirth = "live_birth",
        Stillbirth = "stillbirth",
        /// Abortion or miscarriage (spontaneous or induced), before 28 weeks.
        Abortion = "abortion",
        /// The mother died (in pregnancy, at delivery or after); newborns born alive are listed.
        MaternalDeath = "maternal_death",
    }
}

impl DeliveryOutcome {
    /// Whether newborns may be listed with this outcome (and a live birth needs one).
    pub fn may_have_newborns(self) -> bool {
        matches!(self, DeliveryOutcome::LiveBirth | DeliveryOutcome::MaternalDeath)
    }

    /// The mother's status once this outcome is recorded.
    pub fn mother_status(self) -> BeneficiaryStatus {
        match self {
            DeliveryOutcome::MaternalDeath => BeneficiaryStatus::Died,
            _ => BeneficiaryStatus::Delivered,
        }
    }
}

coded_enum! {
    /// High-risk-area type of a household (reference §3.3).
    RiskCategory, "risk category" {
        UrbanSlum = "urban_slum",
        Migratory = "migratory",
        BrickKiln = "brick_kiln",
        ConstructionSite = "construction_site",
        Nomadic = "nomadic",
        Tribal = "tribal",
        Riverine = "riverine",
        ForestHilly = "forest_hilly",
        Other = "other",
    }
}

coded_enum! {
    /// Levels of the area hierarchy, from the top.
    AreaLevel, "area level" {
        State = "state", District = "district", Block = "block", Subcentre = "subcentre", Village = "village",
    }
}

coded_enum! {
    /// A vaccine (antigen) as counted at a session: several doses share one (OPV1–3, OPVB and
    /// OPV0 are all OPV). Vials are opened per antigen.
    Antigen, "antigen" {
        Bcg = "BCG", Hepb = "HEPB", Opv = "OPV", Penta = "PENTA", Rvv = "RVV", Fipv = "FIPV",
        Pcv = "PCV", Mr = "MR", Je = "JE", Dpt = "DPT", Vita = "VITA", Td = "TD",
    }
}

coded_enum! {
    /// A day of the week, as the microplan and the round calendar write it (`wed`): a site's
    /// routine-immunization day, the RI days a round skips.
    Day, "weekday" {
        Mon = "mon", Tue = "tue", Wed = "wed", Thu = "thu", Fri = "fri", Sat = "sat", Sun = "sun",
    }
}

impl Day {
    /// The same day as chrono's.
    pub fn weekday(self) -> chrono::Weekday {
        match self {
            Day::Mon => chrono::Weekday::Mon,
            Day::Tue => chrono::Weekday::Tue,
            Day::Wed => chrono::Weekday::Wed,
            Day::Thu => chrono::Weekday::Thu,
            Day::Fri => chrono::Weekday::Fri,
            Day::Sat => chrono::Weekday::Sat,
            Day::Sun => chrono::Weekday::Sun,
        }
    }

    /// chrono's day as a `Day`.
    pub fn of(day: chrono::Weekday) -> Day {
        Day::ALL[day.num_days_from_monday() as usize]
    }
}

coded_enum! {
    /// A session site's kind in the microplan (domain reference §3.4).
    SiteType, "site type" { Fixed = "fixed", Outreach = "outreach", Mobile = "mobile" }
}

coded_enum! {
    /// The high-risk-area type of a session site (domain reference §3.3: the polio programme's
    /// HRAs and the hard-to-reach areas IMI targets).
    HraType, "high-risk-area type" {
        None = "none", UrbanSlum = "urban_slum", Nomadic = "nomadic", BrickKiln = "brick_kiln",
        ConstructionSite = "construction_site", Riverine = "riverine", ForestTribal = "forest_tribal",
        Hilly = "hilly", OtherMigrant = "other_migrant",
    }
}

coded_enum! {
    /// Why a planned session was not held.
    NotHeldReason, "reason a session was not held" {
        VaccineNotAvailable = "VACCINE_NOT_AVAILABLE", AnmAbsent = "ANM_ABSENT",
        MobilizerAbsent = "MOBILIZER_ABSENT", HolidayDeclared = "HOLIDAY_DECLARED",
        LawAndOrder = "LAW_AND_ORDER", Weather = "WEATHER", Other = "OTHER",
    }
}

coded_enum! {
    /// Why an opened vial was discarded (domain reference §6.1, the open-vial policy).
    DiscardReason, "vial discard reason" {
        SessionEnd = "SESSION_END", TimeLimit = "TIME_LIMIT", VvmDiscard = "VVM_DISCARD",
        Expired = "EXPIRED", Contaminated = "CONTAMINATED", Frozen = "FROZEN", LabelMissing = "LABEL_MISSING",
    }
}

coded_enum! {
    /// How bad an adverse event following immunization is (reference: minor, severe, serious).
    AefiSeverity, "AEFI severity" { Minor = "minor", Severe = "severe", Serious = "serious" }
}

coded_enum! {
    /// A sign seen after vaccination, ticked on the AEFI form. Seizure, unconsciousness,
    /// difficulty breathing and anaphylaxis make a report serious ([`AefiSign::minimum_severity`]).
    AefiSign, "AEFI sign" {
        Seizure = "seizure",
        Unconscious = "unconscious",
        BreathingDifficulty = "breathing_difficulty",
        Anaphylaxis = "anaphylaxis",
        Fever = "fever",
        Swelling = "swelling",
        Pain = "pain",
        Abscess = "abscess",
        Rash = "rash",
        PersistentCrying = "persistent_crying",
        Vomiting = "vomiting",
    }
}

coded_enum! {
    /// Where a severe or serious AEFI was referred (or that it was not).
    Referral, "referral" { NotReferred = "not_referred", Phc = "phc", Chc = "chc", Hospital = "hospital" }
}

coded_enum! {
    /// What a worker signed in on a device does.
    WorkerRole, "role" { Asha = "asha", Anm = "anm", Supervisor = "supervisor" }
}

coded_enum! {
    /// Who persuades a resistant family, or made a visit to one (SMNet's case work: influencers,
    /// religious leaders, mothers' meetings).
    Persuader, "persuader" {
        Asha = "asha", Anm = "anm", Aww = "aww", Mobilizer = "mobilizer",
        ReligiousLeader = "religious_leader", CommunityInfluencer = "community_influencer",
        MedicalOfficer = "medical_officer",
    }
}

coded_enum! {
    /// What was done on a visit to a resistant family.
    VisitAction, "visit action" {
        HomeVisit = "home_visit", Counselling = "counselling", MothersMeeting = "mothers_meeting",
        ReligiousLeaderVisit = "religious_leader_visit", Announcement = "announcement",
    }
}

coded_enum! {
    /// How a visit to a resistant family ended, in the worker's words. Whether the family is
    /// persuaded is shown by the doses (`monitor::case_status`), not only by this.
    VisitOutcome, "visit outcome" { Persuaded = "persuaded", StillRefusing = "still_refusing", Migrated = "migrated" }
}

coded_enum! {
    /// Where a resistant family's case stands ([`crate::monitor::case_state`]): persuaded once a
    /// refused dose has been given since, by itself; migrated or still refusing by the last
    /// visit; open otherwise.
    CaseStatus, "case status" {
        Open = "open", StillRefusing = "still_refusing", Persuaded = "persuaded", Migrated = "migrated",
    }
}

coded_enum! {
    /// A communication activity of a village (SMNet's social mobilisation).
    ActivityKind, "activity" {
        MothersMeeting = "mothers_meeting", CommunityMeeting = "community_meeting",
        ReligiousAnnouncement = "religious_announcement", Rally = "rally", Miking = "miking",
    }
}

impl ReasonCode {
    /// Whether this reason can be given for this kind of beneficiary: "child is sick" is not a
    /// reason for a pregnant woman.
    pub fn applies_to(self, kind: Kind) -> bool {
        !(self == ReasonCode::ChildSick && kind != Kind::Child)
    }

    /// Whether the reason needs a short note saying what it was: "other reason", and "refused:
    /// other reason" (what a resistant family says is what the case work starts from).
    pub fn needs_note(self) -> bool {
        matches!(self, ReasonCode::Other | ReasonCode::RefusedOther)
    }
}

impl AefiSign {
    /// The least severity a report with this sign may have: serious for seizure,
    /// unconsciousness, difficulty breathing and anaphylaxis; minor otherwise.
    pub fn minimum_severity(self) -> AefiSeverity {
        match self {
            AefiSign::Seizure | AefiSign::Unconscious | AefiSign::BreathingDifficulty | AefiSign::Anaphylaxis => {
                AefiSeverity::Serious
            }
            _ => AefiSeverity::Minor,
        }
    }
}

impl AefiSeverity {
    /// The severity a report with these signs has: at least each sign's
    /// [`AefiSign::minimum_severity`]. Applied when a report is read, since its fields converge
    /// one by one (last-writer-wins): a danger sign ticked on one phone and "minor" chosen on
    /// another still read as serious.
    pub fn with_signs(self, signs: &[AefiSign]) -> AefiSeverity {
        signs.iter().map(|s| s.minimum_severity()).fold(self, AefiSeverity::max)
    }

    /// Severe and serious reports ask for the onset time and the referral.
    pub fn needs_referral(self) -> bool {
        self != AefiSeverity::Minor
    }
}

impl Kind {
    /// Plain words for messages: "child", "pregnant woman".
    pub fn words(self) -> &'static str {
        match self {
            Kind::Child => "child",
            Kind::PregnantWoman => "pregnant woman",
        }
    }
}

impl DoseCode {
    /// Who receives this dose.
    pub fn kind(self) -> Kind {
        match self {
            DoseCode::Td1 | DoseCode::Td2 | DoseCode::Tdb => Kind::PregnantWoman,
            _ => Kind::Child,
        }
    }

    /// Vitamin A is a micronutrient, not a vaccine: it never counts as "a vaccine received".
    pub fn is_vaccine(self) -> bool {
        !matches!(
            self,
            DoseCode::Vita1
                | DoseCode::Vita2
                | DoseCode::Vita3
                | DoseCode::Vita4
                | DoseCode::Vita5
                | DoseCode::Vita6
                | DoseCode::Vita7
                | DoseCode::Vita8
                | DoseCode::Vita9
        )
    }

    /// The antigen this dose gives.
    pub fn antigen(self) -> Antigen {
        use DoseCode as C;
        match self {
            C::Bcg => Antigen::Bcg,
            C::Hepb0 => Antigen::Hepb,
            C::Opv0 | C::Opv1 | C::Opv2 | C::Opv3 | C::Opvb => Antigen::Opv,
            C::Penta1 | C::Penta2 | C::Penta3 => Antigen::Penta,
            C::Rvv1 | C::Rvv2 | C::Rvv3 => Antigen::Rvv,
            C::Fipv1 | C::Fipv2 | C::Fipv3 => Antigen::Fipv,
            C::Pcv1 | C::Pcv2 | C::Pcvb => Antigen::Pcv,
            C::Mr1 | C::Mr2 => Antigen::Mr,
            C::Je1 | C::Je2 => Antigen::Je,
            C::Dpt1 | C::Dpt2 | C::Dpt3 | C::Dptb1 | C::Dptb2 => Antigen::Dpt,
            C::Vita1 | C::Vita2 | C::Vita3 | C::Vita4 | C::Vita5 | C::Vita6 | C::Vita7 | C::Vita8 | C::Vita9 => {
                Antigen::Vita
            }
            C::Td10 | C::Td16 | C::Td1 | C::Td2 | C::Tdb => Antigen::Td,
        }
    }

    /// Position in the schedule (the order of `ALL`).
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_text() {
        for c in DoseCode::ALL {
            assert_eq!(c.as_str().parse::<DoseCode>(), Ok(*c));
            assert_eq!(c.index(), DoseCode::ALL.iter().position(|x| x == c).unwrap_or(usize::MAX));
        }
        for r in ReasonCode::ALL {
            assert_eq!(r.as_str().parse::<ReasonCode>(), Ok(*r));
        }
        assert_eq!(DoseCode::ALL.len(), 42);
    }

    #[test]
    fn parsing_is_case_insensitive_and_reports_the_expected_set() {
        assert_eq!("penta1".parse::<DoseCode>(), Ok(DoseCode::Penta1));
        assert_eq!(" Pregnant_Woman ".parse::<Kind>(), Ok(Kind::PregnantWoman));
        let e = "PENTA4".parse::<DoseCode>().unwrap_err();
        assert!(e.to_string().contains("unknown dose code 'PENTA4'"));
        assert!(e.to_string().contains("PENTA3"));
    }

    #[test]
    fn refusals_are_the_refused_codes() {
        let refusals: Vec<_> = ReasonCode::ALL.iter().filter(|r| r.is_refusal()).collect();
        assert_eq!(refusals.len(), 5);
        assert!(refusals.iter().all(|r| r.as_str().starts_with("REFUSED_")));
    }

    #[test]
    fn every_dose_has_an_antigen_and_every_antigen_a_dose() {
        assert_eq!(DoseCode::Opvb.antigen(), Antigen::Opv);
        assert_eq!(DoseCode::Dptb2.antigen(), Antigen::Dpt);
        assert_eq!(DoseCode::Td16.antigen(), Antigen::Td);
        assert_eq!(DoseCode::Vita9.antigen(), Antigen::Vita);
        assert_eq!(DoseCode::Hepb0.antigen(), Antigen::Hepb);
        for a in Antigen::ALL {
            assert!(DoseCode::ALL.iter().any(|c| c.antigen() == *a), "{a} has no dose");
            assert_eq!(a.as_str().parse::<Antigen>(), Ok(*a));
        }
        let wire: Vec<&str> = Antigen::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(wire.join(" "), "BCG HEPB OPV PENTA RVV FIPV PCV MR JE DPT VITA TD");
        assert_eq!("Serious".parse::<AefiSeverity>(), Ok(AefiSeverity::Serious));
        assert_eq!("anm".parse::<WorkerRole>(), Ok(WorkerRole::Anm));
    }

    #[test]
    fn reasons_apply_to_whom_they_can_and_other_needs_a_note() {
        assert!(ReasonCode::ChildSick.applies_to(Kind::Child));
        assert!(!ReasonCode::ChildSick.applies_to(Kind::PregnantWoman));
        for r in ReasonCode::ALL.iter().filter(|r| **r != ReasonCode::ChildSick) {
            assert!(r.applies_to(Kind::Child) && r.applies_to(Kind::PregnantWoman), "{r}");
        }
        let noted: Vec<_> = ReasonCode::ALL.iter().filter(|r| r.needs_note()).collect();
        assert_eq!(noted, [&ReasonCode::RefusedOther, &ReasonCode::Other]);
    }

    #[test]
    fn the_danger_signs_make_an_aefi_serious() {
        let serious: Vec<&str> = AefiSign::ALL
            .iter()
            .filter(|s| s.minimum_severity() == AefiSeverity::Serious)
            .map(|s| s.as_str())
            .collect();
        assert_eq!(serious, ["seizure", "unconscious", "breathing_difficulty", "anaphylaxis"]);
        assert_eq!(AefiSign::Fever.minimum_severity(), AefiSeverity::Minor);
        assert!(AefiSeverity::Minor < AefiSeverity::Severe && AefiSeverity::Severe < AefiSeverity::Serious);
        assert!(!AefiSeverity::Minor.needs_referral() && AefiSeverity::Severe.needs_referral());
        // Fields that converged one by one read serious with a danger sign, whatever the severity.
        assert_eq!(AefiSeverity::Minor.with_signs(&[AefiSign::Fever, AefiSign::Seizure]), AefiSeverity::Serious);
        assert_eq!(AefiSeverity::Severe.with_signs(&[AefiSign::Fever]), AefiSeverity::Severe);
        assert_eq!(AefiSeverity::Minor.with_signs(&[]), AefiSeverity::Minor);
        assert_eq!("PHC".parse::<Referral>(), Ok(Referral::Phc));
    }

    #[test]
    fn serde_uses_the_text_codes() {
        let json = serde_json::to_string(&DoseCode::Pcvb).unwrap_or_default();
        assert_eq!(json, "\"PCVB\"");
        let back: Result<DoseCode, _> = serde_json::from_str("\"XYZ\"");
        assert!(back.is_err());
    }
}
