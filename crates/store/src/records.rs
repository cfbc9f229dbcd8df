//! The records the app's screens are built from: beneficiaries with where they live and their
//! facts, households, villages, the doses, not-given records and AEFI of a beneficiary, sessions
//! and what they recorded, refusals. Domain types and plain records; how a screen shows them is
//! the app's (`crates/app/src/views`).

use crate::append::{read_event, EVENT_COLUMNS};
use crate::error::{corrupt, not_found, opt_parse, parse, Result, StoreError};
use crate::store::Store;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;
use teeka_domain::similar::SearchQuery;
use teeka_domain::tally::SessionFact;
use teeka_domain::{
    AefiFacts, AefiSeverity, AefiSign, BeneficiaryFacts, BeneficiaryStatus, Date, DoseCode, ExportDelivery, Given,
    HouseholdFacts, Kind, ReasonCode, Referral, Subject, VialsUsed,
};
use uuid::Uuid;

/// The reasons that are refusals ([`ReasonCode::is_refusal`]), as an SQL list of text codes.
pub(crate) static REFUSAL_REASONS: LazyLock<String> = LazyLock::new(|| {
    ReasonCode::ALL.iter().filter(|r| r.is_refusal()).map(|r| format!("'{r}'")).collect::<Vec<_>>().join(", ")
});

/// Whether the household `h` is resistant: an SQL expression, true while one of its members has
/// a refusal standing (not superseded, not withdrawn). Derived, so that a refusal corrected or
/// undone no longer counts, whatever order the events arrived in.
pub(crate) static RESISTANT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "EXISTS (SELECT 1 FROM beneficiaries rb JOIN not_given rn ON rn.beneficiary_id = rb.id
                 WHERE rb.household_id = h.id AND rn.superseded_by IS NULL AND rn.reason IN ({}))",
        *REFUSAL_REASONS
    )
});

/// The most rows [`Store::search_beneficiaries`] returns.
pub const SEARCH_LIMIT: usize = 50;

/// A beneficiary as the register holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeneficiaryRecord {
    pub id: Uuid,
    pub register_id: String,
    /// The household's internal id.
    pub household: Uuid,
    /// The household's register id.
    pub household_id: String,
    pub kind: Kind,
    pub facts: BeneficiaryFacts,
    pub status: BeneficiaryStatus,
    pub je_endemic: bool,
    pub place: Place,
    /// A newborn registered by a delivery: the mother's register id.
    pub mother: Option<String>,
    /// A mother whose delivery was recorded: the latest record of it.
    pub delivery: Option<ExportDelivery>,
}

impl BeneficiaryRecord {
    /// Date of birth (child) or LMP (pregnant woman).
    pub fn anchor(&self) -> Option<Date> {
        if self.kind == Kind::Child {
            self.facts.dob
        } else {
            self.facts.lmp
        }
    }

    /// Whom the schedule is evaluated for; `None` without a date of birth or LMP.
    pub fn subject(&self) -> Option<Subject> {
        Some(Subject { kind: self.kind, anchor: self.anchor()?, je_endemic: self.je_endemic })
    }
}

/// A village with the number of its households and of its active children and pregnant women.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageRecord {
    pub id: Uuid,
    pub name: String,
    pub households: u32,
    pub children: u32,
    pub pregnant_women: u32,
    /// The village's ASHA, as a supervisor set her (`village_asha_set`).
    pub asha_name: Option<String>,
    pub asha_phone: Option<String>,
}

/// A household as the register holds it, with its number of members (any status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdRecord {
    pub id: Uuid,
    pub household_id: String,
    pub village_id: Uuid,
    pub village: String,
    pub facts: HouseholdFacts,
    pub resistant: bool,
    pub members: u32,
}

/// What a session recorded: per register id, the doses given and the doses not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionRecords {
    pub given: HashMap<String, Vec<DoseCode>>,
    pub not_given: HashMap<String, Vec<NotGivenCode>>,
}

/// Where a beneficiary lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Place {
    pub village_id: Uuid,
    pub village: String,
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    /// The household's phone.
    pub phone: Option<String>,
}

/// A dose on record (corrections applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DoseRecord {
    pub id: Uuid,
    pub code: DoseCode,
    pub date: Date,
    pub flagged: bool,
    pub session_id: Option<Uuid>,
}

/// A dose not given, on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotGivenRecord {
    pub id: Uuid,
    pub code: DoseCode,
    pub date: Date,
    pub reason: ReasonCode,
    pub session_id: Option<Uuid>,
    /// What an "other" reason was.
    pub note: Option<String>,
}

/// An adverse event reported (its edits applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AefiRecord {
    pub id: Uuid,
    pub date: Date,
    pub severity: AefiSeverity,
    pub observed: String,
    pub codes: Vec<DoseCode>,
    pub session_id: Option<Uuid>,
    /// The signs ticked (none in older reports).
    pub signs: Vec<AefiSign>,
    /// When it began.
    pub onset: Option<chrono::DateTime<chrono::Utc>>,
    /// Where it was referred.
    pub referral: Option<Referral>,
}

impl AefiRecord {
    /// The report's form fields.
    pub fn facts(&self) -> AefiFacts {
        AefiFacts {
            severity: self.severity,
            signs: self.signs.clone(),
            observed: self.observed.clone(),
            codes: self.codes.clone(),
            onset: self.onset,
            referral: self.referral,
        }
    }
}

/// A session on record, with its site's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionRecord {
    pub id: Uuid,
    pub site_id: Uuid,
    pub site: String,
    pub date: Date,
    pub closed: bool,
    pub vials: Vec<VialsUsed>,
}

/// A dose not given at a session, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotGivenCode {
    pub code: DoseCode,
    pub reason: ReasonCode,
    /// What an "other" reason was.
    pub note: Option<String>,
}

/// A refusal on record: one visit (the doses of one beneficiary refused together, on one date,
/// for one reason, at one session or outside any), however many doses it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefusalRecord {
    pub register_id: String,
    pub name: String,
    pub village: String,
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    /// The first dose refused (in schedule order); `codes` has them all.
    pub code: DoseCode,
    pub date: Date,
    pub reason: ReasonCode,
    /// Every dose refused at this visit, in schedule order.
    pub codes: Vec<DoseCode>,
    pub note: Option<String>,
    pub session_id: Option<Uuid>,
}

/// What makes not-given records one visit: the register id, the date, the reason, the note and
/// the session.
type Visit = (String, Date, ReasonCode, Option<String>, Option<Uuid>);

const ROW_COLUMNS: &str = "b.id, b.register_id, b.household_id, b.kind, b.name, b.sex, b.dob, b.lmp, b.mother_name,
     b.status, a.je_endemic, a.id, a.name, h.house_no, h.head_of_household, h.household_id,
     (SELECT m.register_id FROM beneficiaries m WHERE m.id = b.mother_id), b.delivered_on, b.delivery_outcome, b.live_births,
     h.phone, b.abha, b.rch_id, b.uwin_id";
const ROW_FROM: &str =
    "FROM beneficiaries b JOIN households h ON h.id = b.household_id JOIN areas a ON a.id = h.village_id";

fn read_row(r: &rusqlite::Row<'_>) -> Result<BeneficiaryRecord> {
    Ok(BeneficiaryRecord {
        id: parse(&r.get::<_, String>(0)?, "beneficiary id")?,
        register_id: r.get(1)?,
        household: parse(&r.get::<_, String>(2)?, "household id")?,
        household_id: r.get(15)?,
        kind: parse(&r.get::<_, String>(3)?, "kind")?,
        facts: BeneficiaryFacts {
            name: r.get(4)?,
            sex: opt_parse(r.get(5)?, "sex")?,
            dob: opt_parse(r.get(6)?, "date of birth")?,
            lmp: opt_parse(r.get(7)?, "LMP")?,
            mother_name: r.get(8)?,
            abha: r.get(21)?,
            rch_id: r.get(22)?,
            uwin_id: r.get(23)?,
        },
        status: parse(&r.get::<_, String>(9)?, "status")?,
        je_endemic: r.get(10)?,
        place: Place {
            village_id: parse(&r.get::<_, String>(11)?, "village id")?,
            village: r.get(12)?,
            house_no: r.get(13)?,
            head_of_household: r.get(14)?,
            phone: r.get(20)?,
        },
        mother: r.get(16)?,
        delivery: match (
            opt_parse(r.get(17)?, "delivery date")?,
            opt_parse(r.get(18)?, "delivery outcome")?,
            r.get(19)?,
        ) {
            (Some(date), Some(outcome), Some(live_births)) => Some(ExportDelivery { date, outcome, live_births }),
            _ => None,
        },
    })
}

fn session_of(t: Option<String>) -> Result<Option<Uuid>> {
    opt_parse::<Uuid>(t, "session id")
}

impl Store {
    fn beneficiaries_where(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<BeneficiaryRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {ROW_COLUMNS} {ROW_FROM} WHERE {filter}"))?;
        let mut rows = stmt.query(args)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(read_row(r)?);
        }
        Ok(out)
    }

    /// One beneficiary by register id (`UNKNOWN_BENEFICIARY` when there is none).
    pub fn beneficiary(&self, register_id: &str) -> Result<BeneficiaryRecord> {
        self.beneficiaries_where("b.register_id = ?1", &[&register_id])?
            .pop()
            .ok_or_else(|| StoreError::UnknownBeneficiary(register_id.to_string()))
    }

    /// The members of a household (any status), children first, then by name.
    pub fn household_members(&self, household: Uuid) -> Result<Vec<BeneficiaryRecord>> {
        if !self.household_exists(household)? {
            return Err(not_found(format!("household_id {household}: no such household on this device")));
        }
        self.beneficiaries_where(
            "b.household_id = ?1 ORDER BY b.kind, b.name, b.register_id",
            &[&household.to_string()],
        )
    }

    /// The children of a village, by name.
    pub fn village_children(&self, village: Uuid) -> Result<Vec<BeneficiaryRecord>> {
        if !self.village_exists(village)? {
            return Err(not_found(format!("village_id {village}: no such village on this device")));
        }
        self.beneficiaries_where(
            "a.id = ?1 AND b.kind = 'child' ORDER BY b.name, b.register_id",
            &[&village.to_string()],
        )
    }

    /// Every beneficiary (any status), optionally of one village, by register id.
    pub fn beneficiaries_in(&self, village: Option<Uuid>) -> Result<Vec<BeneficiaryRecord>> {
        self.beneficiaries_where("(?1 IS NULL OR a.id = ?1) ORDER BY b.register_id", &[&village.map(|v| v.to_string())])
    }

    /// Beneficiaries found by `text` ([`SearchQuery`]): their name, mother's name or head of
    /// household in either script (Devanagari or Latin letters), their register id, or their
    /// household's phone; optionally of one village, at most [`SEARCH_LIMIT`], by name. Names are
    /// folded in memory: a device holds a few thousand people.
    pub fn search_beneficiaries(&self, text: &str, village: Option<Uuid>) -> Result<Vec<BeneficiaryRecord>> {
        let Some(q) = SearchQuery::new(text) else {
            return Ok(Vec::new());
        };
        // Only what is searched is read for everyone; the full records only for those found.
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.register_id, b.name, b.mother_name, h.head_of_household, h.phone
             FROM beneficiaries b JOIN households h ON h.id = b.household_id
             WHERE ?1 IS NULL OR h.village_id = ?1",
        )?;
        let mut rows = stmt.query([village.map(|v| v.to_string())])?;
        let some = |t: &Option<String>| t.as_deref().is_some_and(|t| q.matches_name(t));
        let mut found: Vec<(String, String)> = Vec::new();
        while let Some(r) = rows.next()? {
            let (register_id, name): (String, String) = (r.get(0)?, r.get(1)?);
            let (mother, head, phone): (Option<String>, Option<String>, Option<String>) =
                (r.get(2)?, r.get(3)?, r.get(4)?);
            if q.matches_id(&register_id)
                || q.matches_name(&name)
                || some(&mother)
                || some(&head)
                || phone.as_deref().is_some_and(|p| q.matches_phone(p))
            {
                found.push((name, register_id));
            }
        }
        found.sort();
        found.truncate(SEARCH_LIMIT);
        found.into_iter().map(|(_, register_id)| self.beneficiary(&register_id)).collect()
    }

    /// The active doses of several beneficiaries.
    pub fn histories(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Given>>> {
        let mut out: HashMap<Uuid, Vec<Given>> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT code, date FROM doses WHERE beneficiary_id = ?1 AND superseded_by IS NULL")?;
        for id in ids {
            let mut rows = stmt.query([id.to_string()])?;
            let h = out.entry(*id).or_default();
            while let Some(r) = rows.next()? {
                h.push(Given {
                    code: parse(&r.get::<_, String>(0)?, "dose code")?,
                    date: parse(&r.get::<_, String>(1)?, "dose date")?,
                });
            }
        }
        Ok(out)
    }

    /// The ids a beneficiary's events may name: its own and those of its aliases (the same
    /// person registered on two devices).
    pub fn beneficiary_ids(&self, id: Uuid) -> Result<Vec<Uuid>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM aliases WHERE canonical = ?1 ORDER BY id")?;
        let mut rows = stmt.query([id.to_string()])?;
        let mut ids = vec![id];
        while let Some(r) = rows.next()? {
            ids.push(parse(&r.get::<_, String>(0)?, "alias id")?);
        }
        Ok(ids)
    }

    /// The events of the log that may be about these beneficiaries (their text names one of the
    /// ids; `teeka_domain::audit` keeps those that are), in log order, each with whether it still
    /// waits in the outbox to be sent.
    pub fn events_naming(&self, ids: &[Uuid]) -> Result<Vec<(teeka_domain::audit::Logged, bool)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let named = (1..=ids.len()).map(|i| format!("instr(events.body, ?{i}) > 0")).collect::<Vec<_>>().join(" OR ");
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {EVENT_COLUMNS}, events.seq, EXISTS (SELECT 1 FROM outbox o WHERE o.event_seq = events.seq)
               FROM events WHERE {named} ORDER BY events.seq"
        ))?;
        let texts: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let mut rows = stmt.query(rusqlite::params_from_iter(texts.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let event = read_event(r)?;
            let seq: i64 = r.get(7)?;
            let logged = teeka_domain::audit::Logged {
                seq: u64::try_from(seq).unwrap_or(0),
                area: String::new(),
                received_at: None,
                event,
            };
            out.push((logged, r.get::<_, bool>(8)?));
        }
        Ok(out)
    }

    /// The active doses of one beneficiary.
    pub fn history(&self, id: Uuid) -> Result<Vec<Given>> {
        Ok(self.histories(&[id])?.remove(&id).unwrap_or_default())
    }

    /// A beneficiary's doses on record (corrections applied), by date.
    pub fn dose_records(&self, beneficiary: Uuid) -> Result<Vec<DoseRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, code, date, flagged, session_id FROM doses WHERE beneficiary_id = ?1 AND superseded_by IS NULL
             ORDER BY date, code, id",
        )?;
        let mut rows = stmt.query([beneficiary.to_string()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(DoseRecord {
                id: parse(&r.get::<_, String>(0)?, "dose id")?,
                code: parse(&r.get::<_, String>(1)?, "dose code")?,
                date: parse(&r.get::<_, String>(2)?, "dose date")?,
                flagged: r.get(3)?,
                session_id: session_of(r.get(4)?)?,
            });
        }
        Ok(out)
    }

    /// A beneficiary's not-given records (corrections applied), by date.
    pub fn not_given_records(&self, beneficiary: Uuid) -> Result<Vec<NotGivenRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, code, date, reason, session_id, note FROM not_given WHERE beneficiary_id = ?1 AND superseded_by IS NULL
             ORDER BY date, code, id",
        )?;
        let mut rows = stmt.query([beneficiary.to_string()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(NotGivenRecord {
                id: parse(&r.get::<_, String>(0)?, "record id")?,
                code: parse(&r.get::<_, String>(1)?, "dose code")?,
                date: parse(&r.get::<_, String>(2)?, "date")?,
                reason: parse(&r.get::<_, String>(3)?, "reason")?,
                session_id: session_of(r.get(4)?)?,
                note: r.get(5)?,
            });
        }
        Ok(out)
    }

    /// A beneficiary's AEFI reports, by date.
    pub fn aefi_records(&self, beneficiary: Uuid) -> Result<Vec<AefiRecord>> {
        self.aefi_where("beneficiary_id = ?1", &beneficiary.to_string())
    }

    /// One AEFI report and the register id of whom it is about (`NOT_FOUND` without it).
    pub fn aefi_record(&self, id: Uuid) -> Result<(AefiRecord, String)> {
        let register_id: Option<String> = self
            .conn
            .query_row(
                "SELECT b.register_id FROM aefi x JOIN beneficiaries b ON b.id = x.beneficiary_id WHERE x.id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let register_id = register_id.ok_or_else(|| not_found(format!("aefi_id {id}: no such AEFI on this device")))?;
        let record = self
            .aefi_where("id = ?1", &id.to_string())?
            .pop()
            .ok_or_else(|| not_found(format!("aefi_id {id}: no such AEFI on this device")))?;
        Ok((record, register_id))
    }

    fn aefi_where(&self, filter: &str, arg: &str) -> Result<Vec<AefiRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, date, severity, observed, codes, session_id, signs, onset, referral FROM aefi
             WHERE {filter} ORDER BY date, id"
        ))?;
        let mut rows = stmt.query([arg])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let signs: Vec<AefiSign> =
                serde_json::from_str(&r.get::<_, String>(6)?).map_err(|e| corrupt(format!("AEFI signs: {e}")))?;
            out.push(AefiRecord {
                id: parse(&r.get::<_, String>(0)?, "AEFI id")?,
                date: parse(&r.get::<_, String>(1)?, "AEFI date")?,
                severity: parse::<AefiSeverity>(&r.get::<_, String>(2)?, "severity")?.with_signs(&signs),
                observed: r.get(3)?,
                codes: serde_json::from_str(&r.get::<_, String>(4)?)
                    .map_err(|e| corrupt(format!("AEFI codes: {e}")))?,
                session_id: session_of(r.get(5)?)?,
                signs,
                onset: opt_parse(r.get(7)?, "AEFI onset")?,
                referral: opt_parse(r.get(8)?, "referral")?,
            });
        }
        Ok(out)
    }

    // ----- villages and households -----

    pub(crate) fn village_exists(&self, id: Uuid) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM areas WHERE id = ?1 AND level = 'village'")?
            .exists([id.to_string()])?)
    }

    pub(crate) fn household_exists(&self, id: Uuid) -> Result<bool> {
        Ok(self.conn.prepare_cached("SELECT 1 FROM households WHERE id = ?1")?.exists([id.to_string()])?)
    }

    /// The villages by name, with their counts.
    pub fn village_records(&self) -> Result<Vec<VillageRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.name,
                    (SELECT count(*) FROM households h WHERE h.village_id = a.id),
                    (SELECT count(*) FROM beneficiaries b JOIN households h ON h.id = b.household_id
                      WHERE h.village_id = a.id AND b.kind = 'child' AND b.status = 'active'),
                    (SELECT count(*) FROM beneficiaries b JOIN households h ON h.id = b.household_id
                      WHERE h.village_id = a.id AND b.kind = 'pregnant_woman' AND b.status = 'active'),
                    a.asha_name, a.asha_phone
             FROM areas a WHERE a.level = 'village' ORDER BY a.name COLLATE NOCASE, a.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(VillageRecord {
                id: parse(&r.get::<_, String>(0)?, "village id")?,
                name: r.get(1)?,
                households: r.get(2)?,
                children: r.get(3)?,
                pregnant_women: r.get(4)?,
                asha_name: r.get(5)?,
                asha_phone: r.get(6)?,
            });
        }
        Ok(out)
    }

    /// The name of a village by id.
    pub fn village_name(&self, id: Uuid) -> Result<String> {
        self.conn
            .query_row("SELECT name FROM areas WHERE id = ?1 AND level = 'village'", [id.to_string()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| not_found(format!("village_id {id}: no such village on this device")))
    }

    /// The households of a village.
    pub fn household_records(&self, village: Uuid) -> Result<Vec<HouseholdRecord>> {
        if !self.village_exists(village)? {
            return Err(not_found(format!("village_id {village}: no such village on this device")));
        }
        self.households_where("h.village_id = ?1", &village.to_string())
    }

    /// One household.
    pub fn household_record(&self, id: Uuid) -> Result<HouseholdRecord> {
        self.households_where("h.id = ?1", &id.to_string())?
            .pop()
            .ok_or_else(|| not_found(format!("household_id {id}: no such household on this device")))
    }

    fn households_where(&self, filter: &str, arg: &str) -> Result<Vec<HouseholdRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT h.id, h.household_id, a.id, a.name, h.house_no, h.head_of_household, h.phone, h.risk_category,
                    {resistant}, (SELECT count(*) FROM beneficiaries b WHERE b.household_id = h.id)
             FROM households h JOIN areas a ON a.id = h.village_id WHERE {filter}",
            resistant = *RESISTANT
        ))?;
        let mut rows = stmt.query([arg])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(HouseholdRecord {
                id: parse(&r.get::<_, String>(0)?, "household id")?,
                household_id: r.get(1)?,
                village_id: parse(&r.get::<_, String>(2)?, "village id")?,
                village: r.get(3)?,
                facts: HouseholdFacts {
                    house_no: r.get(4)?,
                    head_of_household: r.get(5)?,
                    phone: r.get(6)?,
                    risk_category: opt_parse(r.get(7)?, "risk category")?,
                },
                resistant: r.get(8)?,
                members: r.get(9)?,
            });
        }
        Ok(out)
    }

    /// Whether the village of a household is JE-endemic (`NOT_FOUND` without the household).
    pub(crate) fn household_je_endemic(&self, household: Uuid) -> Result<bool> {
        let je: Option<bool> = self
            .conn
            .query_row(
                "SELECT a.je_endemic FROM households h JOIN areas a ON a.id = h.village_id WHERE h.id = ?1",
                [household.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        je.ok_or_else(|| not_found(format!("household_id {household}: no such household on this device")))
    }

    // ----- sessions -----

    /// One session.
    pub fn session(&self, id: Uuid) -> Result<SessionRecord> {
        self.sessions_where("s.id = ?1", &[&id.to_string()])?
            .pop()
            .ok_or_else(|| not_found(format!("session_id {id}: no such session on this device")))
    }

    /// Every session, newest first (by date, then by id).
    pub fn sessions(&self) -> Result<Vec<SessionRecord>> {
        self.sessions_where("1", &[])
    }

    /// The open session of a site on a date, if there is one.
    pub(crate) fn open_session_at(&self, site: Uuid, date: Date) -> Result<Option<Uuid>> {
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM sessions WHERE site_id = ?1 AND date = ?2 AND closed = 0 ORDER BY id LIMIT 1",
                params![site.to_string(), teeka_domain::iso(date)],
                |r| r.get(0),
            )
            .optional()?;
        opt_parse(id, "session id")
    }

    fn sessions_where(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<SessionRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT s.id, s.site_id, a.name, s.date, s.closed, s.vials FROM sessions s JOIN areas a ON a.id = s.site_id
             WHERE {filter} ORDER BY s.date DESC, s.id DESC"
        ))?;
        let mut rows = stmt.query(args)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(SessionRecord {
                id: parse(&r.get::<_, String>(0)?, "session id")?,
                site_id: parse(&r.get::<_, String>(1)?, "site id")?,
                site: r.get(2)?,
                date: parse(&r.get::<_, String>(3)?, "session date")?,
                closed: r.get(4)?,
                vials: serde_json::from_str(&r.get::<_, String>(5)?).map_err(|e| corrupt(format!("vials: {e}")))?,
            });
        }
        Ok(out)
    }

    /// What a session recorded (corrections applied), optionally for one register id only.
    pub fn session_records(&self, session: Uuid, register_id: Option<&str>) -> Result<SessionRecords> {
        let mut out = SessionRecords::default();
        let sid = session.to_string();
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.register_id, d.code FROM doses d JOIN beneficiaries b ON b.id = d.beneficiary_id
             WHERE d.session_id = ?1 AND (?2 IS NULL OR b.register_id = ?2) AND d.superseded_by IS NULL ORDER BY d.id",
        )?;
        let mut rows = stmt.query(params![sid, register_id])?;
        while let Some(r) = rows.next()? {
            out.given.entry(r.get(0)?).or_default().push(parse(&r.get::<_, String>(1)?, "dose code")?);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.register_id, n.code, n.reason, n.note FROM not_given n JOIN beneficiaries b ON b.id = n.beneficiary_id
             WHERE n.session_id = ?1 AND (?2 IS NULL OR b.register_id = ?2) AND n.superseded_by IS NULL ORDER BY n.id",
        )?;
        let mut rows = stmt.query(params![sid, register_id])?;
        while let Some(r) = rows.next()? {
            out.not_given.entry(r.get(0)?).or_default().push(NotGivenCode {
                code: parse(&r.get::<_, String>(1)?, "dose code")?,
                reason: parse(&r.get::<_, String>(2)?, "reason")?,
                note: r.get(3)?,
            });
        }
        Ok(out)
    }

    /// The not-given records of a beneficiary at a session that still stand.
    pub(crate) fn standing_not_given_at(&self, session: Uuid, beneficiary: Uuid) -> Result<Vec<Uuid>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM not_given WHERE session_id = ?1 AND beneficiary_id = ?2 AND superseded_by IS NULL ORDER BY id",
        )?;
        let ids = stmt
            .query_map(params![session.to_string(), beneficiary.to_string()], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter().map(|i| parse(i, "record id")).collect()
    }

    /// Every record of a session that its tally counts: doses given, not given, AEFI.
    pub fn session_facts(&self, session: Uuid) -> Result<Vec<SessionFact>> {
        let sid = session.to_string();
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.code, d.beneficiary_id, b.kind FROM doses d JOIN beneficiaries b ON b.id = d.beneficiary_id
             WHERE d.session_id = ?1 AND d.superseded_by IS NULL",
        )?;
        let mut rows = stmt.query([&sid])?;
        while let Some(r) = rows.next()? {
            out.push(SessionFact::Given {
                code: parse(&r.get::<_, String>(0)?, "dose code")?,
                beneficiary: parse(&r.get::<_, String>(1)?, "beneficiary id")?,
                kind: parse(&r.get::<_, String>(2)?, "kind")?,
            });
        }
        let mut stmt =
            self.conn.prepare_cached("SELECT reason FROM not_given WHERE session_id = ?1 AND superseded_by IS NULL")?;
        let mut rows = stmt.query([&sid])?;
        while let Some(r) = rows.next()? {
            out.push(SessionFact::NotGiven { reason: parse(&r.get::<_, String>(0)?, "reason")? });
        }
        let mut stmt = self.conn.prepare_cached("SELECT severity, signs FROM aefi WHERE session_id = ?1")?;
        let mut rows = stmt.query([&sid])?;
        while let Some(r) = rows.next()? {
            let signs: Vec<AefiSign> =
                serde_json::from_str(&r.get::<_, String>(1)?).map_err(|e| corrupt(format!("AEFI signs: {e}")))?;
            let severity = parse::<AefiSeverity>(&r.get::<_, String>(0)?, "severity")?.with_signs(&signs);
            out.push(SessionFact::Aefi { severity });
        }
        Ok(out)
    }

    /// Refusals on record (not superseded nor withdrawn), newest first, optionally of one
    /// village: one row per visit ([`RefusalRecord`]), listing its doses.
    pub fn refusal_records(&self, village: Option<Uuid>) -> Result<Vec<RefusalRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT b.register_id, b.name, a.name, h.house_no, h.head_of_household, n.code, n.date, n.reason,
                    n.note, n.session_id
             FROM not_given n JOIN beneficiaries b ON b.id = n.beneficiary_id
             JOIN households h ON h.id = b.household_id JOIN areas a ON a.id = h.village_id
             WHERE n.superseded_by IS NULL AND n.reason IN ({}) AND (?1 IS NULL OR a.id = ?1)
             ORDER BY n.date DESC, n.id DESC",
            *REFUSAL_REASONS
        ))?;
        let mut rows = stmt.query([village.map(|v| v.to_string())])?;
        let mut out: Vec<RefusalRecord> = Vec::new();
        let mut visits: HashMap<Visit, usize> = HashMap::new();
        while let Some(r) = rows.next()? {
            let register_id: String = r.get(0)?;
            let code: DoseCode = parse(&r.get::<_, String>(5)?, "dose code")?;
            let date: Date = parse(&r.get::<_, String>(6)?, "date")?;
            let reason: ReasonCode = parse(&r.get::<_, String>(7)?, "reason")?;
            let note: Option<String> = r.get(8)?;
            let session_id = session_of(r.get(9)?)?;
            let key = (register_id.clone(), date, reason, note.clone(), session_id);
            if let Some(i) = visits.get(&key) {
                let visit = &mut out[*i];
                visit.codes.push(code);
                visit.codes.sort_unstable();
                visit.code = visit.codes[0];
                continue;
            }
            visits.insert(key, out.len());
            out.push(RefusalRecord {
                register_id,
                name: r.get(1)?,
                village: r.get(2)?,
                house_no: r.get(3)?,
                head_of_household: r.get(4)?,
                code,
                date,
                reason,
                codes: vec![code],
                note,
                session_id,
            });
        }
        Ok(out)
    }
}
