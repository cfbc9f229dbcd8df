//! The round report on the device: the store's tables handed to the domain's
//! `teeka_domain::monitor::round_report` as plain records. No figure is computed here.

use crate::error::{corrupt, opt_parse, parse, Result, StoreError};
use crate::records::REFUSAL_REASONS;
use crate::store::Store;
use std::collections::{BTreeMap, HashMap};
use teeka_domain::kit::VaccineTable;
use teeka_domain::monitor::{
    round_report, AefiRef, AreaNode, HeldSession, Member, MonitorError, PlannedRef, Refusal, Report, ReportInput,
    RoundFrame,
};
use teeka_domain::plan::SessionNorms;
use teeka_domain::{AefiSeverity, AefiSign, Antigen, Date, DoseCode, VialsUsed};
use uuid::Uuid;

/// A beneficiary's canonical ids: its own, its household's and its village's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberIds {
    pub beneficiary: Uuid,
    pub household: Uuid,
    pub village: Uuid,
}

impl Store {
    /// The id of the village named `name` (case-insensitive; `UNKNOWN_VILLAGE` without one).
    pub fn village_named(&self, name: &str) -> Result<Uuid> {
        self.village_id(name.trim())?.ok_or_else(|| StoreError::UnknownVillage(name.trim().to_string()))
    }

    /// The id of the area whose path (`Block/Sub-centre/Village`, its names from the top of the
    /// hierarchy this store holds, as the report's `area`) is `path` (`NOT_FOUND` without one).
    pub fn area_by_path(&self, path: &str) -> Result<Uuid> {
        let areas = self.area_nodes()?;
        let by_id: HashMap<Uuid, &AreaNode> = areas.iter().map(|a| (a.id, a)).collect();
        let path_of = |a: &AreaNode| {
            let mut names = vec![a.name.as_str()];
            let mut at = a.parent;
            while let Some(p) = at.and_then(|p| by_id.get(&p)) {
                if names.len() > areas.len() {
                    break;
                }
                names.push(p.name.as_str());
                at = p.parent;
            }
            names.reverse();
            names.join("/")
        };
        let wanted = path.trim();
        areas
            .iter()
            .filter(|a| path_of(a) == wanted)
            .map(|a| a.id)
            .min()
            .ok_or_else(|| crate::error::not_found(format!("area '{wanted}': no such area on this device")))
    }

    /// Round `number`'s report on `on` (`teeka report`): of the area `village` when given (a
    /// village, or any area by [`Store::area_by_path`]), else of the
    /// device's enrolled area when this store holds it, else of every area it holds. The plan's
    /// sessions are those of `round_plan` with `norms`; wastage is counted with `table`. A device
    /// knows no other device: the report has no device figures.
    pub fn round_report(
        &self,
        number: u32,
        village: Option<Uuid>,
        on: Date,
        norms: &SessionNorms,
        table: &VaccineTable,
    ) -> Result<Report> {
        let round = self.round(number)?;
        let areas = self.area_nodes()?;
        let root = match village {
            Some(v) => {
                if !areas.iter().any(|a| a.id == v) {
                    return Err(StoreError::UnknownVillage(v.to_string()));
                }
                Some(v)
            }
            None => self.enrollment()?.map(|e| e.area_id).filter(|id| areas.iter().any(|a| a.id == *id)),
        };
        let ids = self.member_ids()?;
        let members: Vec<Member> = self
            .people(None)?
            .into_iter()
            .filter_map(|(person, given)| {
                let m = ids.get(&*person.register_id)?;
                Some(Member { beneficiary: m.beneficiary, household: m.household, village: m.village, person, given })
            })
            .collect();
        let plan = self.round_plan(number, norms)?;
        let first_village: HashMap<String, Uuid> =
            self.sites()?.into_iter().filter_map(|s| s.villages.first().map(|v| (s.site_id.clone(), v.id))).collect();
        let planned: Vec<PlannedRef> = plan
            .sessions
            .iter()
            .filter_map(|s| {
                Some(PlannedRef {
                    site_id: s.site_id.clone(),
                    site_name: s.site_name.clone(),
                    village: *first_village.get(&s.site_id)?,
                    day: s.day,
                    not_held: s.not_held,
                })
            })
            .collect();
        let frame = RoundFrame { number, days: round.days.clone() };
        let settings = self.settings()?;
        let refusals = self.refusals_standing()?;
        let sessions = self.held_sessions()?;
        let aefi = self.aefi_refs()?;
        let cases = self.case_facts()?;
        let activities = self.activity_refs()?;
        let input = ReportInput {
            round: &frame,
            on,
            now: None,
            areas: &areas,
            members: &members,
            refusals: &refusals,
            planned: &planned,
            sessions: &sessions,
            aefi: &aefi,
            cases: &cases,
            activities: &activities,
            devices: &[],
            table,
            settings: &settings,
        };
        round_report(&input, root).map_err(|e| match e {
            MonitorError::EmptyRound(n) => StoreError::UnknownRound(n),
            MonitorError::UnknownArea(a) => corrupt(format!("area {a} is not in the area table")),
        })
    }

    /// Every area this store knows.
    fn area_nodes(&self) -> Result<Vec<AreaNode>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, level, name, parent_id FROM areas ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(AreaNode {
                id: parse(&r.get::<_, String>(0)?, "area id")?,
                level: parse(&r.get::<_, String>(1)?, "area level")?,
                name: r.get(2)?,
                parent: opt_parse(r.get(3)?, "parent area")?,
            });
        }
        Ok(out)
    }

    /// Each beneficiary's ids by register id.
    pub(crate) fn member_ids(&self) -> Result<HashMap<String, MemberIds>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.register_id, b.id, h.id, h.village_id FROM beneficiaries b JOIN households h ON h.id = b.household_id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            out.insert(
                r.get(0)?,
                MemberIds {
                    beneficiary: parse(&r.get::<_, String>(1)?, "beneficiary id")?,
                    household: parse(&r.get::<_, String>(2)?, "household id")?,
                    village: parse(&r.get::<_, String>(3)?, "village id")?,
                },
            );
        }
        Ok(out)
    }

    /// The refusals standing (not corrected nor withdrawn), by date.
    fn refusals_standing(&self) -> Result<Vec<Refusal>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT beneficiary_id, code, date, reason FROM not_given
             WHERE superseded_by IS NULL AND reason IN ({}) ORDER BY date, id",
            *REFUSAL_REASONS
        ))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(Refusal {
                beneficiary: parse(&r.get::<_, String>(0)?, "beneficiary id")?,
                code: parse(&r.get::<_, String>(1)?, "dose code")?,
                date: parse(&r.get::<_, String>(2)?, "date")?,
                reason: parse(&r.get::<_, String>(3)?, "reason")?,
            });
        }
        Ok(out)
    }

    /// Every session opened, with its records standing, its doses and its vials by antigen (the
    /// vial ledger's when it has any, else the counts given at its closing).
    fn held_sessions(&self) -> Result<Vec<HeldSession>> {
        let mut records: HashMap<String, u32> = HashMap::new();
        let mut doses: HashMap<String, BTreeMap<Antigen, u32>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT session_id, code, count(*) FROM doses
             WHERE session_id IS NOT NULL AND superseded_by IS NULL GROUP BY session_id, code",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let session: String = r.get(0)?;
            let code: DoseCode = parse(&r.get::<_, String>(1)?, "dose code")?;
            let n: u32 = r.get(2)?;
            *records.entry(session.clone()).or_default() += n;
            *doses.entry(session).or_default().entry(code.antigen()).or_default() += n;
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT session_id, count(*) FROM not_given
             WHERE session_id IS NOT NULL AND superseded_by IS NULL GROUP BY session_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            *records.entry(r.get(0)?).or_default() += r.get::<_, u32>(1)?;
        }
        let mut ledger: HashMap<String, BTreeMap<Antigen, u32>> = HashMap::new();
        let mut stmt =
            self.conn.prepare_cached("SELECT session_id, antigen, count(*) FROM vials GROUP BY session_id, antigen")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let antigen: Antigen = parse(&r.get::<_, String>(1)?, "antigen")?;
            *ledger.entry(r.get(0)?).or_default().entry(antigen).or_default() += r.get::<_, u32>(2)?;
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.site_id, st.site_id, s.date, s.vials FROM sessions s LEFT JOIN sites st ON st.id = s.session_site_id
             ORDER BY s.date, s.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let vials: Vec<(Antigen, u32)> = match ledger.remove(&id) {
                Some(v) => v.into_iter().collect(),
                None => {
                    let closing: Vec<VialsUsed> = serde_json::from_str(&r.get::<_, String>(4)?)
                        .map_err(|e| corrupt(format!("vials of session {id}: {e}")))?;
                    let mut by: BTreeMap<Antigen, u32> = BTreeMap::new();
                    for v in closing {
                        *by.entry(v.antigen).or_default() += v.opened;
                    }
                    by.into_iter().collect()
                }
            };
            out.push(HeldSession {
                session: parse(&id, "session id")?,
                village: parse(&r.get::<_, String>(1)?, "session village")?,
                site_id: r.get(2)?,
                date: parse(&r.get::<_, String>(3)?, "session date")?,
                records: records.get(&id).copied().unwrap_or(0),
                doses: doses.remove(&id).map(|d| d.into_iter().collect()).unwrap_or_default(),
                vials,
            });
        }
        Ok(out)
    }

    /// Every AEFI report as it stands (a danger sign ticked makes it serious).
    fn aefi_refs(&self) -> Result<Vec<AefiRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.register_id, h.village_id, e.date, e.severity, e.signs FROM aefi e
             JOIN beneficiaries b ON b.id = e.beneficiary_id JOIN households h ON h.id = b.household_id
             ORDER BY e.date, e.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let signs: Vec<AefiSign> =
                serde_json::from_str(&r.get::<_, String>(4)?).map_err(|e| corrupt(format!("AEFI signs: {e}")))?;
            out.push(AefiRef {
                register_id: r.get(0)?,
                village: parse(&r.get::<_, String>(1)?, "village id")?,
                date: parse(&r.get::<_, String>(2)?, "AEFI date")?,
                severity: parse::<AefiSeverity>(&r.get::<_, String>(3)?, "severity")?.with_signs(&signs),
            });
        }
        Ok(out)
    }
}
