//! The campaign's plan on the device: the microplan's session sites (imported from the sites
//! CSV or entered one at a time), the rounds with their holidays, what happened to the planned
//! sessions (not held, moved), and the reads built on them: the round's session plan and the
//! mop-up list. Each write checks all its input with the domain's rules before it appends
//! anything, and appends its events in one transaction (`Store::append`).

use crate::append::Ctx;
use crate::error::{corrupt, invalid_at, parse, Result, StoreError};
use crate::store::Store;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use teeka_domain::calendar::{CalendarError, RoundDays, Weekdays};
use teeka_domain::codes::{Day, HraType, NotHeldReason, SiteType};
use teeka_domain::model::{Contact, SiteField};
use teeka_domain::plan::{
    apply_changes, check_not_held, plan_sessions, round_due_list, Expected, PlanChange, PlanProblem, SessionNorms,
    SessionPlan, SiteToPlan,
};
use teeka_domain::register::RowError;
use teeka_domain::report::{DueDose, DueItem, DueLister, Person};
use teeka_domain::sites::{check_site_fields, parse_sites, valid_site_id, SiteErrors};
use teeka_domain::{iso, Date, DoseCode, EventBody, Given, Kind, ReasonCode};
use uuid::Uuid;

/// A village a site serves, as this store knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteVillage {
    pub id: Uuid,
    pub name: String,
}

/// A session site of the microplan, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteRecord {
    /// The site's uuid on this device (not in the JSON: `site_id` is the key).
    #[serde(skip)]
    pub id: Uuid,
    pub site_id: String,
    pub name: String,
    /// The villages it serves that this store knows, in the microplan's order.
    pub villages: Vec<SiteVillage>,
    #[serde(rename = "type")]
    pub site_type: SiteType,
    pub hra: HraType,
    pub anm: Option<Contact>,
    pub mobilizers: Vec<Contact>,
    pub avd: Option<Contact>,
    /// From the cold-chain point, in tenths of a kilometre (25 is 2.5 km).
    pub distance_tenths_km: Option<u32>,
    pub travel_minutes: Option<u32>,
    pub ri_day: Option<Day>,
}

/// A site entered one at a time (the app's form): its facts, its villages by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteInput {
    pub name: String,
    pub villages: Vec<Uuid>,
    pub site_type: SiteType,
    pub hra: HraType,
    pub anm: Option<Contact>,
    pub mobilizers: Vec<Contact>,
    pub avd: Option<Contact>,
    pub distance_tenths_km: Option<u32>,
    pub travel_minutes: Option<u32>,
    pub ri_day: Option<Day>,
}

impl SiteInput {
    /// The fields of its registration.
    pub fn fields(&self) -> Vec<SiteField> {
        vec![
            SiteField::Name(self.name.trim().to_string()),
            SiteField::Villages(self.villages.clone()),
            SiteField::SiteType(self.site_type),
            SiteField::Hra(self.hra),
            SiteField::Anm(self.anm.clone()),
            SiteField::Mobilizers(self.mobilizers.clone()),
            SiteField::Avd(self.avd.clone()),
            SiteField::DistanceTenthsKm(self.distance_tenths_km),
            SiteField::TravelMinutes(self.travel_minutes),
            SiteField::RiDay(self.ri_day),
        ]
    }
}

/// What an import of the sites file did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SitesImported {
    pub rows: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// A round as stored, with its working days now (holidays declared since it was made included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoundRecord {
    #[serde(skip)]
    pub id: Uuid,
    pub number: u32,
    pub start: Date,
    pub working_days: u32,
    pub ri_days: Vec<Day>,
    /// The days declared holidays (those set back to working days are not listed).
    pub holidays: Vec<Date>,
    pub days: Vec<Date>,
}

impl RoundRecord {
    /// Its calendar's settings.
    pub fn round_days(&self) -> RoundDays {
        RoundDays {
            start: self.start,
            working_days: self.working_days,
            ri_days: Weekdays::of(&self.ri_days),
            holidays: self.holidays.iter().copied().collect(),
        }
    }

    fn first_day(&self) -> Date {
        self.days.first().copied().unwrap_or(self.start)
    }

    fn span(&self) -> String {
        match (self.days.first(), self.days.last()) {
            (Some(a), Some(b)) => format!("round {} runs from {} to {}", self.number, iso(*a), iso(*b)),
            _ => format!("round {} has no working day", self.number),
        }
    }
}

/// A site as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlannedSite {
    pub site_id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub site_type: SiteType,
    pub anm: Option<String>,
    pub villages: Vec<String>,
    /// Beneficiaries on the round's due list in its villages.
    pub due: u32,
    pub injections: u32,
    pub sessions: u32,
}

/// One session of a round's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanSessionRecord {
    pub site_id: String,
    pub site_name: String,
    pub day: Date,
    /// 1-based, among the site's sessions in the round.
    pub number: u32,
    pub injections: u32,
    /// The register ids expected, in call order.
    pub expected: Vec<String>,
    pub not_held: Option<NotHeldReason>,
    pub note: Option<String>,
    /// The day the plan first gave it, when it was moved.
    pub moved_from: Option<Date>,
}

/// A round's session plan (`teeka plan sessions --format json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoundPlan {
    pub round: u32,
    pub days: Vec<Date>,
    pub norms: SessionNorms,
    pub sites: Vec<PlannedSite>,
    pub sessions: Vec<PlanSessionRecord>,
    pub problems: Vec<PlanProblem>,
}

/// The latest not-given record standing of a beneficiary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LastNotGiven {
    pub code: DoseCode,
    pub date: Date,
    pub reason: ReasonCode,
    pub note: Option<String>,
}

/// One beneficiary of a mop-up list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MopUpItem {
    pub register_id: String,
    pub name: String,
    pub kind: Kind,
    pub household_id: String,
    pub village: String,
    /// The doses still due or overdue on the mop-up's date.
    pub doses: Vec<DueDose>,
    pub last_not_given: Option<LastNotGiven>,
}

/// Who of a round's due list at a site is still due on a day of the round
/// (`teeka plan mop-up --format json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MopUp {
    pub round: u32,
    pub site_id: String,
    pub site_name: String,
    pub date: Date,
    pub items: Vec<MopUpItem>,
}

/// Beneficiaries with their doses, as [`Store::people`] gives them.
type People = Vec<(Person, Vec<Given>)>;

/// A known village: its id, its name and its parent's (the sub-centre).
struct KnownVillage {
    id: Uuid,
    name: String,
    parent: Option<String>,
}

/// The CLI's flag or the app's field for a calendar's problem.
fn calendar_error(e: CalendarError) -> StoreError {
    let field = match e {
        CalendarError::WorkingDays(_) => "working_days",
        CalendarError::NoWorkingDay => "ri_days",
        CalendarError::Weekday(_) => "ri_days",
        CalendarError::Holiday { .. } => "holidays",
    };
    invalid_at(field, e.to_string())
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("{what}: {e}")))
}

fn to_u32(v: Option<i64>, what: &str) -> Result<Option<u32>> {
    v.map(|v| u32::try_from(v).map_err(|_| corrupt(format!("{what} {v}")))).transpose()
}

impl Store {
    // ----- sites -----

    /// Imports the microplan's sites CSV: every row checked, each village resolved to one this
    /// store knows (case-insensitive; `Subcentre/Village` where a name is known twice), then
    /// diffed against the sites stored: a new site id is registered, a known one updated in the
    /// fields that changed. All rows or none, in one transaction.
    pub fn import_sites(&mut self, bytes: &[u8], ctx: &Ctx) -> Result<SitesImported> {
        let rows = parse_sites(bytes)?;
        let known = self.known_villages()?;
        let mut problems: Vec<RowError> = Vec::new();
        let mut resolved: Vec<Vec<Uuid>> = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut ids: Vec<Uuid> = Vec::new();
            for name in &row.facts.villages {
                match resolve_village(&known, name) {
                    Ok(id) if ids.contains(&id) => problems.push(RowError {
                        line: row.line,
                        column: Some("villages".into()),
                        message: format!("'{name}' is a village this row already names"),
                    }),
                    Ok(id) => ids.push(id),
                    Err(message) => {
                        problems.push(RowError { line: row.line, column: Some("villages".into()), message })
                    }
                }
            }
            resolved.push(ids);
        }
        if !problems.is_empty() {
            let more = problems.len().saturating_sub(50);
            problems.truncate(50);
            return Err(SiteErrors { errors: problems, more }.into());
        }
        let stored: HashMap<String, (Uuid, Vec<SiteField>)> =
            self.site_fields()?.into_iter().map(|(id, site_id, fields)| (site_id, (id, fields))).collect();
        let mut summary = SitesImported { rows: rows.len(), ..SitesImported::default() };
        let mut bodies = Vec::new();
        for (row, villages) in rows.iter().zip(resolved) {
            let fields = row.facts.fields(villages);
            match stored.get(&row.site_id) {
                None => {
                    summary.new += 1;
                    bodies.push(EventBody::SiteRegistered {
                        site: Uuid::now_v7(),
                        site_id: row.site_id.clone(),
                        fields,
                    });
                }
                Some((id, now)) => {
                    let changed: Vec<SiteField> = fields.into_iter().filter(|f| !now.contains(f)).collect();
                    if changed.is_empty() {
                        summary.unchanged += 1;
                    } else {
                        summary.changed += 1;
                        bodies.push(EventBody::SiteUpdated { site: *id, fields: changed });
                    }
                }
            }
        }
        if !bodies.is_empty() {
            self.append(ctx, bodies)?;
        }
        Ok(summary)
    }

    /// Registers one site (the app's form). The site id must be new here.
    pub fn register_site(&mut self, site_id: &str, site: &SiteInput, ctx: &Ctx) -> Result<Uuid> {
        let site_id = site_id.trim();
        if !valid_site_id(site_id) {
            return Err(invalid_at(
                "site_id",
                format!("'{site_id}' is not a site id (1 to 40 letters, digits, - or _)"),
            ));
        }
        if self.site_uuid(site_id)?.is_some() {
            return Err(invalid_at("site_id", format!("site {site_id} is already in the plan: edit it instead")));
        }
        let fields = site.fields();
        self.check_site(&fields, true)?;
        let id = Uuid::now_v7();
        self.append(ctx, vec![EventBody::SiteRegistered { site: id, site_id: site_id.to_string(), fields }])?;
        Ok(id)
    }

    /// Changes some fields of a site (only those that differ are recorded).
    pub fn update_site(&mut self, site_id: &str, fields: Vec<SiteField>, ctx: &Ctx) -> Result<()> {
        let (id, now) = self
            .site_fields()?
            .into_iter()
            .find_map(|(id, s, f)| (s == site_id).then_some((id, f)))
            .ok_or_else(|| StoreError::UnknownSite(site_id.to_string()))?;
        let fields: Vec<SiteField> = fields
            .into_iter()
            .map(|f| match f {
                SiteField::Name(n) => SiteField::Name(n.trim().to_string()),
                f => f,
            })
            .filter(|f| !now.contains(f))
            .collect();
        self.check_site(&fields, false)?;
        if !fields.is_empty() {
            self.append(ctx, vec![EventBody::SiteUpdated { site: id, fields }])?;
        }
        Ok(())
    }

    fn check_site(&self, fields: &[SiteField], registration: bool) -> Result<()> {
        check_site_fields(fields, registration)?;
        for v in SiteField::villages(fields) {
            if !self.village_exists(v)? {
                return Err(invalid_at("villages", format!("village_id {v}: no such village on this device")));
            }
        }
        Ok(())
    }

    /// Every site, by site id.
    pub fn sites(&self) -> Result<Vec<SiteRecord>> {
        self.sites_where(None)
    }

    /// One site by its microplan id.
    pub fn site(&self, site_id: &str) -> Result<SiteRecord> {
        self.sites_where(Some(site_id))?.pop().ok_or_else(|| StoreError::UnknownSite(site_id.to_string()))
    }

    fn sites_where(&self, site_id: Option<&str>) -> Result<Vec<SiteRecord>> {
        let mut villages: HashMap<String, Vec<SiteVillage>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT sv.site_id, a.id, a.name FROM site_villages sv JOIN areas a ON a.id = sv.village_id
             ORDER BY sv.site_id, sv.position",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            villages
                .entry(r.get(0)?)
                .or_default()
                .push(SiteVillage { id: parse(&r.get::<_, String>(1)?, "village id")?, name: r.get(2)? });
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, site_id, name, site_type, hra, anm, mobilizers, avd, distance_tenths_km, travel_minutes, ri_day
             FROM sites WHERE ?1 IS NULL OR site_id = ?1 ORDER BY site_id",
        )?;
        let mut rows = stmt.query([site_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let contact = |c: Option<String>| c.map(|c| json::<Contact>(&c, "contact")).transpose();
            out.push(SiteRecord {
                id: parse(&id, "site id")?,
                villages: villages.remove(&id).unwrap_or_default(),
                site_id: r.get(1)?,
                name: r.get(2)?,
                site_type: parse(&r.get::<_, String>(3)?, "site type")?,
                hra: parse(&r.get::<_, String>(4)?, "high-risk-area type")?,
                anm: contact(r.get(5)?)?,
                mobilizers: json(&r.get::<_, String>(6)?, "mobilizers")?,
                avd: contact(r.get(7)?)?,
                distance_tenths_km: to_u32(r.get(8)?, "distance")?,
                travel_minutes: to_u32(r.get(9)?, "travel minutes")?,
                ri_day: crate::error::opt_parse(r.get(10)?, "RI day")?,
            });
        }
        Ok(out)
    }

    /// Each site's uuid, id and current fields (as a registration would state them), for diffs.
    fn site_fields(&self) -> Result<Vec<(Uuid, String, Vec<SiteField>)>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, villages FROM sites")?;
        let mut rows = stmt.query([])?;
        let mut villages: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        while let Some(r) = rows.next()? {
            villages.insert(parse(&r.get::<_, String>(0)?, "site id")?, json(&r.get::<_, String>(1)?, "villages")?);
        }
        Ok(self
            .sites()?
            .into_iter()
            .map(|s| {
                let fields = vec![
                    SiteField::Name(s.name),
                    SiteField::Villages(villages.remove(&s.id).unwrap_or_default()),
                    SiteField::SiteType(s.site_type),
                    SiteField::Hra(s.hra),
                    SiteField::Anm(s.anm),
                    SiteField::Mobilizers(s.mobilizers),
                    SiteField::Avd(s.avd),
                    SiteField::DistanceTenthsKm(s.distance_tenths_km),
                    SiteField::TravelMinutes(s.travel_minutes),
                    SiteField::RiDay(s.ri_day),
                ];
                (s.id, s.site_id, fields)
            })
            .collect())
    }

    fn site_uuid(&self, site_id: &str) -> Result<Option<Uuid>> {
        let id: Option<String> = self
            .conn
            .prepare_cached("SELECT id FROM sites WHERE site_id = ?1")?
            .query_row([site_id], |r| r.get(0))
            .optional()?;
        id.map(|t| parse(&t, "site id")).transpose()
    }

    fn known_villages(&self) -> Result<Vec<KnownVillage>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.id, v.name, p.name FROM areas v LEFT JOIN areas p ON p.id = v.parent_id
             WHERE v.level = 'village' ORDER BY v.name, v.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(KnownVillage {
                id: parse(&r.get::<_, String>(0)?, "area id")?,
                name: r.get(1)?,
                parent: r.get(2)?,
            });
        }
        Ok(out)
    }

    // ----- rounds -----

    /// Defines a round: its number (new here), first day, working days, the weekdays it skips
    /// besides Sundays and the holidays known now (those within its days are kept).
    pub fn add_round(
        &mut self,
        number: u32,
        start: Date,
        working_days: u32,
        ri_days: &Weekdays,
        holidays: &BTreeSet<Date>,
        ctx: &Ctx,
    ) -> Result<RoundRecord> {
        if number == 0 {
            return Err(invalid_at("number", "a round's number is 1 or more"));
        }
        if let Some(r) = self.rounds_where(Some(number))?.pop() {
            return Err(StoreError::RoundExists { number, start: iso(r.start) });
        }
        let days = RoundDays { start, working_days, ri_days: ri_days.clone(), holidays: holidays.clone() }
            .days()
            .map_err(calendar_error)?;
        let last = days.last().copied().unwrap_or(start);
        let holidays: Vec<Date> = holidays.range(start..=last).copied().collect();
        let round = Uuid::now_v7();
        self.append(
            ctx,
            vec![EventBody::RoundDefined { round, number, start, working_days, ri_days: ri_days.days(), holidays }],
        )?;
        self.round(number)
    }

    /// Declares a day of a round a holiday (or, `holiday` false, a working day again). The day
    /// must fall between the round's start and its last day now; its days move with it.
    pub fn set_round_holiday(&mut self, number: u32, date: Date, holiday: bool, ctx: &Ctx) -> Result<RoundRecord> {
        let round = self.round(number)?;
        let last = round.days.last().copied().unwrap_or(round.start);
        if date < round.start || date > last {
            return Err(StoreError::OutsideRound(format!(
                "{} is a date outside the round: {}",
                iso(date),
                round.span()
            )));
        }
        let is_holiday = round.holidays.contains(&date);
        if !holiday && !is_holiday {
            return Err(invalid_at("date", format!("{} is not a holiday of round {number}", iso(date))));
        }
        if holiday {
            let mut days = round.round_days();
            days.holidays.insert(date);
            days.days().map_err(calendar_error)?;
        }
        if holiday != is_holiday {
            self.append(ctx, vec![EventBody::RoundHolidaySet { round: round.id, date, holiday }])?;
        }
        self.round(number)
    }

    /// Every round, by number.
    pub fn rounds(&self) -> Result<Vec<RoundRecord>> {
        self.rounds_where(None)
    }

    /// One round by its number.
    pub fn round(&self, number: u32) -> Result<RoundRecord> {
        self.rounds_where(Some(number))?.pop().ok_or(StoreError::UnknownRound(number))
    }

    fn rounds_where(&self, number: Option<u32>) -> Result<Vec<RoundRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, number, start, working_days, ri_days FROM rounds WHERE ?1 IS NULL OR number = ?1 ORDER BY number",
        )?;
        let mut rows = stmt.query([number])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let mut holidays = Vec::new();
            let mut h = self
                .conn
                .prepare_cached("SELECT date FROM round_holidays WHERE round_id = ?1 AND holiday = 1 ORDER BY date")?;
            let mut hs = h.query([&id])?;
            while let Some(d) = hs.next()? {
                holidays.push(parse::<Date>(&d.get::<_, String>(0)?, "holiday")?);
            }
            let mut round = RoundRecord {
                id: parse(&id, "round id")?,
                number: r.get(1)?,
                start: parse(&r.get::<_, String>(2)?, "round start")?,
                working_days: r.get(3)?,
                ri_days: json(&r.get::<_, String>(4)?, "RI days")?,
                holidays,
                days: Vec::new(),
            };
            round.days = round.round_days().days().map_err(|e| corrupt(format!("round {}: {e}", round.number)))?;
            out.push(round);
        }
        Ok(out)
    }

    // ----- planned sessions -----

    /// Marks the session the plan (with `norms`) gives `site_id` on `date` as not held, for
    /// `reason` (`OTHER` needs a note).
    #[allow(clippy::too_many_arguments)]
    pub fn session_not_held(
        &mut self,
        number: u32,
        site_id: &str,
        date: Date,
        reason: NotHeldReason,
        note: Option<&str>,
        norms: &SessionNorms,
        ctx: &Ctx,
    ) -> Result<()> {
        let note = check_not_held(reason, note)?;
        let (round, site) = self.planned_session(number, site_id, date, norms)?;
        self.append(ctx, vec![EventBody::SessionNotHeld { round, site, date, reason, note }])?;
        Ok(())
    }

    /// Moves the session the plan (with `norms`) gives `site_id` on `date` to the round's
    /// working day `to`.
    pub fn reschedule_session(
        &mut self,
        number: u32,
        site_id: &str,
        date: Date,
        to: Date,
        norms: &SessionNorms,
        ctx: &Ctx,
    ) -> Result<()> {
        let round = self.round(number)?;
        if !round.days.contains(&to) {
            return Err(StoreError::OutsideRound(format!(
                "--to {}: a date outside the round: not one of its working days ({})",
                iso(to),
                round.span()
            )));
        }
        if to == date {
            return Err(invalid_at("to", format!("the session is already on {}", iso(to))));
        }
        let (round, site) = self.planned_session(number, site_id, date, norms)?;
        self.append(ctx, vec![EventBody::SessionRescheduled { round, site, date, to }])?;
        Ok(())
    }

    /// The round's and the site's uuids when the plan has a session at the site on the date.
    fn planned_session(&self, number: u32, site_id: &str, date: Date, norms: &SessionNorms) -> Result<(Uuid, Uuid)> {
        let round = self.round(number)?;
        let site = self.site(site_id)?;
        if !round.days.contains(&date) {
            return Err(StoreError::OutsideRound(format!(
                "--date {}: a date outside the round: not one of its working days ({})",
                iso(date),
                round.span()
            )));
        }
        let plan = self.round_plan(number, norms)?;
        let days: Vec<String> =
            plan.sessions.iter().filter(|s| s.site_id == site.site_id).map(|s| iso(s.day)).collect();
        if !plan.sessions.iter().any(|s| s.site_id == site.site_id && s.day == date) {
            let has = if days.is_empty() { "none".to_string() } else { days.join(", ") };
            return Err(StoreError::OutsideRound(format!(
                "--date {}: round {number}'s plan has no session at {site_id} that day (its sessions: {has})",
                iso(date)
            )));
        }
        Ok((round.id, site.id))
    }

    /// The round's session plan with `norms`: each site's villages' due list on the round's
    /// first day, its sessions on the round's working days now, and what happened to them.
    pub fn round_plan(&self, number: u32, norms: &SessionNorms) -> Result<RoundPlan> {
        let round = self.round(number)?;
        let sites = self.sites()?;
        let by_village = self.people_by_village()?;
        let settings = self.settings()?;
        let mut due: HashMap<Uuid, Vec<DueItem>> = HashMap::new();
        let mut to_plan = Vec::with_capacity(sites.len());
        let mut planned = Vec::with_capacity(sites.len());
        for site in &sites {
            let mut expected = Vec::new();
            for v in &site.villages {
                let items = match due.get(&v.id) {
                    Some(items) => items,
                    None => {
                        let people = by_village.get(&v.id).map_or(&[][..], Vec::as_slice);
                        due.entry(v.id).or_insert(round_due_list(people, round.first_day(), &settings))
                    }
                };
                expected.extend(items.iter().map(Expected::of));
            }
            let injections = expected.iter().map(|e| e.injections).sum();
            planned.push(PlannedSite {
                site_id: site.site_id.clone(),
                name: site.name.clone(),
                site_type: site.site_type,
                anm: site.anm.as_ref().map(|a| a.name.clone()),
                villages: site.villages.iter().map(|v| v.name.clone()).collect(),
                due: expected.len() as u32,
                injections,
                sessions: norms.sessions_needed(site.site_type, expected.len() as u32, injections),
            });
            to_plan.push(SiteToPlan {
                site_id: site.site_id.clone(),
                site_type: site.site_type,
                anm: site.anm.as_ref().map(|a| a.name.clone()),
                expected,
            });
        }
        let mut plan: SessionPlan = plan_sessions(&to_plan, &round.days, norms);
        apply_changes(&mut plan, &self.plan_changes(round.id)?);
        let names: HashMap<&str, &str> = sites.iter().map(|s| (s.site_id.as_str(), s.name.as_str())).collect();
        let sessions = plan
            .sessions
            .into_iter()
            .map(|s| PlanSessionRecord {
                site_name: names.get(s.site_id.as_str()).map_or(String::new(), |n| n.to_string()),
                site_id: s.site_id,
                day: s.day,
                number: s.number,
                injections: s.injections,
                expected: s.expected,
                not_held: s.not_held,
                note: s.note,
                moved_from: s.moved_from,
            })
            .collect();
        Ok(RoundPlan {
            round: number,
            days: round.days,
            norms: *norms,
            sites: planned,
            sessions,
            problems: plan.problems,
        })
    }

    fn plan_changes(&self, round: Uuid) -> Result<Vec<PlanChange>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.site_id, p.date, p.not_held_reason, p.note, p.moved_to
             FROM planned_sessions p JOIN sites s ON s.id = p.site_id WHERE p.round_id = ?1 ORDER BY s.site_id, p.date",
        )?;
        let mut rows = stmt.query([round.to_string()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(PlanChange {
                site_id: r.get(0)?,
                day: parse(&r.get::<_, String>(1)?, "planned session date")?,
                not_held: crate::error::opt_parse(r.get(2)?, "not-held reason")?,
                note: r.get(3)?,
                moved_to: crate::error::opt_parse(r.get(4)?, "moved to")?,
            });
        }
        Ok(out)
    }

    /// The beneficiaries of each village (in [`Store::people`]'s order).
    pub(crate) fn people_by_village(&self) -> Result<HashMap<Uuid, People>> {
        let ids = self.member_ids()?;
        let mut out: HashMap<Uuid, People> = HashMap::new();
        for (person, history) in self.people(None)? {
            if let Some(m) = ids.get(&*person.register_id) {
                out.entry(m.village).or_default().push((person, history));
            }
        }
        Ok(out)
    }

    // ----- mop-up -----

    /// The mop-up list of a site on a working day `on` of the round: the beneficiaries of its
    /// villages on the round's due list (its first day) who are still due on `on`, all doses
    /// counted, each with the doses still due and the latest not-given record standing.
    pub fn mop_up(&self, number: u32, site_id: &str, on: Date) -> Result<MopUp> {
        let round = self.round(number)?;
        let site = self.site(site_id)?;
        if !round.days.contains(&on) {
            return Err(StoreError::OutsideRound(format!(
                "--on {}: a date outside the round: not one of its working days ({})",
                iso(on),
                round.span()
            )));
        }
        let settings = self.settings()?;
        let by_village = self.people_by_village()?;
        let mut lister = DueLister::default();
        let mut items = Vec::new();
        for v in &site.villages {
            let people = by_village.get(&v.id).map_or(&[][..], Vec::as_slice);
            let on_round: BTreeSet<String> = round_due_list(people, round.first_day(), &settings)
                .into_iter()
                .map(|i| i.register_id.to_string())
                .collect();
            for (p, history) in people {
                if !on_round.contains(&*p.register_id) {
                    continue;
                }
                if let Some(item) = lister.item(p, history, on, &settings) {
                    items.push(MopUpItem {
                        last_not_given: self.last_not_given(&item.register_id)?,
                        register_id: item.register_id.to_string(),
                        name: item.name.to_string(),
                        kind: item.kind,
                        household_id: item.household_id.to_string(),
                        village: item.village.to_string(),
                        doses: item.doses,
                    });
                }
            }
        }
        Ok(MopUp { round: number, site_id: site.site_id, site_name: site.name, date: on, items })
    }

    fn last_not_given(&self, register_id: &str) -> Result<Option<LastNotGiven>> {
        let row: Option<(String, String, String, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT n.code, n.date, n.reason, n.note FROM not_given n
                 JOIN beneficiaries b ON b.id = n.beneficiary_id LEFT JOIN events e ON e.id = n.id
                 WHERE b.register_id = ?1 AND n.superseded_by IS NULL
                 ORDER BY n.date DESC, e.hlc DESC, n.id DESC LIMIT 1",
            )?
            .query_row(params![register_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        row.map(|(code, date, reason, note)| {
            Ok(LastNotGiven {
                code: parse(&code, "dose code")?,
                date: parse(&date, "date")?,
                reason: parse(&reason, "reason")?,
                note,
            })
        })
        .transpose()
    }
}

/// The village a sites file names: by name (any case), or `Subcentre/Village` where the name is
/// known twice.
fn resolve_village(known: &[KnownVillage], text: &str) -> std::result::Result<Uuid, String> {
    let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
    let named: Vec<&KnownVillage> = known.iter().filter(|v| same(&v.name, text)).collect();
    match named.as_slice() {
        [one] => return Ok(one.id),
        [] => {}
        many => {
            let parents: Vec<String> = many.iter().map(|v| v.parent.clone().unwrap_or_else(|| "?".into())).collect();
            let first = parents.first().cloned().unwrap_or_default();
            return Err(format!(
                "'{text}' names {} villages here (in {}): write Subcentre/Village, e.g. {first}/{text}",
                many.len(),
                parents.join(", ")
            ));
        }
    }
    if let Some((parent, name)) = text.rsplit_once('/') {
        let (parent, name) = (parent.trim(), name.trim());
        let found: Vec<&KnownVillage> = known
            .iter()
            .filter(|v| same(&v.name, name) && v.parent.as_deref().is_some_and(|p| same(p, parent)))
            .collect();
        if let [one] = found.as_slice() {
            return Ok(one.id);
        }
        return Err(format!("no village '{name}' in sub-centre '{parent}' in this store"));
    }
    Err(format!("no village named '{text}' in this store (import the register of its villages first)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_village_named_twice_is_told_apart_by_its_sub_centre() {
        let v = |name: &str, parent: &str| KnownVillage {
            id: Uuid::now_v7(),
            name: name.into(),
            parent: Some(parent.into()),
        };
        let known = vec![v("Rampur", "Rampur SC"), v("Rampur", "Kishanpur SC"), v("Kheri", "Kheri SC")];
        assert_eq!(resolve_village(&known, "KHERI"), Ok(known[2].id));
        let err = resolve_village(&known, "rampur").unwrap_err();
        assert!(err.contains("names 2 villages here (in Rampur SC, Kishanpur SC)"), "{err}");
        assert!(err.contains("write Subcentre/Village, e.g. Rampur SC/rampur"), "{err}");
        assert_eq!(resolve_village(&known, "kishanpur sc / Rampur"), Ok(known[1].id));
        assert!(resolve_village(&known, "Kheri SC/Rampur").unwrap_err().contains("no village 'Rampur' in sub-centre"));
        assert!(resolve_village(&known, "Nowhere").unwrap_err().contains("no village named 'Nowhere'"));
    }
}
