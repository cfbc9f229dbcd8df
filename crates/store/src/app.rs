//! What the app needs of the store: villages, households and beneficiaries entered on the device,
//! doses recorded at sessions, sessions, AEFI reports, workers and local settings, and the reads
//! of the app's screens. Every write checks all its input before it appends anything, and appends
//! all its events in one transaction.

use crate::{Ctx, Result, Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use teeka_domain::report::DueDose;
use teeka_domain::schedule::{classify, evaluate, fully_immunized};
use teeka_domain::similar::similar_names;
use teeka_domain::{
    iso, AefiSeverity, Antigen, AreaLevel, BeneficiaryField, BeneficiaryStatus, Classification, Date, DoseCode,
    EventBody, Given, HouseholdField, Kind, ReasonCode, RiskCategory, Sex, Subject, VialsUsed, WorkerRole,
};
use uuid::Uuid;

/// Names, house numbers and the like: at most this many characters.
pub const MAX_TEXT: usize = 200;

/// The most rows [`Store::search`] returns.
pub const SEARCH_LIMIT: usize = 50;

/// How far apart two dates of birth may be for [`Store::similar_children`].
pub const SIMILAR_DOB_DAYS: i64 = 90;

/// A household's values as the worker enters them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdInput {
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    pub phone: Option<String>,
    pub risk_category: Option<RiskCategory>,
}

/// A new beneficiary's values. A child needs `dob`; a pregnant woman `lmp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeneficiaryInput {
    pub kind: Kind,
    pub name: String,
    pub sex: Option<Sex>,
    pub dob: Option<Date>,
    pub lmp: Option<Date>,
    pub mother_name: Option<String>,
}

/// A worker of this device (local only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Worker {
    pub id: Uuid,
    pub name: String,
    pub role: WorkerRole,
    #[serde(skip)]
    pub pin_hash: String,
}

/// A village with its counts (active beneficiaries; `due`: those with a dose due or overdue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageView {
    pub id: Uuid,
    pub name: String,
    pub households: u32,
    pub children: u32,
    pub pregnant_women: u32,
    pub due: u32,
}

/// A household with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdView {
    pub id: Uuid,
    pub household_id: String,
    pub village_id: Uuid,
    pub village: String,
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    pub phone: Option<String>,
    pub risk_category: Option<RiskCategory>,
    pub resistant: bool,
    /// Beneficiaries (any status).
    pub members: u32,
    /// Active members with a dose due or overdue.
    pub due: u32,
}

/// A beneficiary with its doses due today and its classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberView {
    pub id: Uuid,
    pub register_id: String,
    /// The household's internal id (uuid).
    pub household_id: Uuid,
    pub kind: Kind,
    pub name: String,
    pub sex: Option<Sex>,
    pub dob: Option<Date>,
    pub lmp: Option<Date>,
    pub edd: Option<Date>,
    pub mother_name: Option<String>,
    pub status: BeneficiaryStatus,
    pub classification: Classification,
    pub fully_immunized: bool,
    pub due: Vec<DueDose>,
}

/// Where a beneficiary lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub village_id: Uuid,
    pub village: String,
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
}

/// A member and where they live (search results).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundView {
    #[serde(flatten)]
    pub member: MemberView,
    #[serde(flatten)]
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseView {
    pub id: Uuid,
    pub code: DoseCode,
    pub date: Date,
    pub flagged: bool,
    pub session_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotGivenView {
    pub id: Uuid,
    pub code: DoseCode,
    pub date: Date,
    pub reason: ReasonCode,
    pub session_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AefiView {
    pub id: Uuid,
    pub date: Date,
    pub severity: AefiSeverity,
    pub observed: String,
    pub codes: Vec<DoseCode>,
    pub session_id: Option<Uuid>,
}

/// One beneficiary in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BeneficiaryView {
    #[serde(flatten)]
    pub member: MemberView,
    #[serde(flatten)]
    pub place: Place,
    pub doses: Vec<DoseView>,
    pub not_given: Vec<NotGivenView>,
    pub aefi: Vec<AefiView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionView {
    pub id: Uuid,
    pub site_id: Uuid,
    pub site: String,
    pub date: Date,
    pub closed: bool,
    pub vials: Vec<VialsUsed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotGivenCode {
    pub code: DoseCode,
    pub reason: ReasonCode,
}

/// A due-list entry of a session (or of the follow-up list), with what the session recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionItem {
    pub register_id: String,
    pub name: String,
    pub kind: Kind,
    /// The household's register id (as on the due list).
    pub household_id: String,
    pub village: String,
    pub classification: Classification,
    pub fully_immunized: bool,
    pub doses: Vec<DueDose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given: Option<Vec<DoseCode>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_given: Option<Vec<NotGivenCode>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AntigenCount {
    pub antigen: Antigen,
    pub doses: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseCount {
    pub code: DoseCode,
    pub doses: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: ReasonCode,
    pub count: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AefiCounts {
    pub minor: u32,
    pub severe: u32,
    pub serious: u32,
}

/// The numbers of a session. `beneficiaries` counts those who received at least one dose at it
/// (split into `children` and `pregnant_women`); not-given records count per reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// A refusal on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusalView {
    pub register_id: String,
    pub name: String,
    pub village: String,
    pub house_no: Option<String>,
    pub head_of_household: Option<String>,
    pub code: DoseCode,
    pub date: Date,
    pub reason: ReasonCode,
}

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Invalid(message.into())
}

fn not_found(message: impl Into<String>) -> StoreError {
    StoreError::NotFound(message.into())
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| corrupt(format!("{what} '{text}': {e}")))
}

fn opt_parse<T: std::str::FromStr>(text: Option<String>, what: &str) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    text.map(|t| parse(&t, what)).transpose()
}

/// 12 upper-case hex digits of randomness (the random tail of a UUIDv7).
fn random_suffix() -> String {
    let hex = Uuid::now_v7().simple().to_string().to_uppercase();
    hex[hex.len() - 12..].to_string()
}

/// Checks a required text (trimmed, not empty, not too long, no control characters).
pub fn required_text(field: &str, value: &str) -> Result<String> {
    optional_text(field, Some(value))?.ok_or_else(|| invalid(format!("{field} is empty: write it")))
}

/// Checks an optional text; empty means none.
pub fn optional_text(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().count() > MAX_TEXT {
        return Err(invalid(format!("{field} is longer than {MAX_TEXT} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(invalid(format!("{field} has a control character")));
    }
    Ok(Some(v.to_string()))
}

/// Checks a phone number: 10 to 13 digits; `+`, spaces and dashes allowed.
pub fn check_phone(value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = optional_text("phone", value)? else { return Ok(None) };
    let digits = v.chars().filter(char::is_ascii_digit).count();
    if !v.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-')) || !(10..=13).contains(&digits) {
        return Err(invalid(format!("phone '{v}' is not a phone number (10 to 13 digits)")));
    }
    Ok(Some(v))
}

struct Row {
    id: Uuid,
    register_id: String,
    household: Uuid,
    kind: Kind,
    name: String,
    sex: Option<Sex>,
    dob: Option<Date>,
    lmp: Option<Date>,
    mother_name: Option<String>,
    status: BeneficiaryStatus,
    je_endemic: bool,
    place: Place,
}

const ROW_COLUMNS: &str = "b.id, b.register_id, b.household_id, b.kind, b.name, b.sex, b.dob, b.lmp, b.mother_name,
     b.status, a.je_endemic, a.id, a.name, h.house_no, h.head_of_household";
const ROW_FROM: &str =
    "FROM beneficiaries b JOIN households h ON h.id = b.household_id JOIN areas a ON a.id = h.village_id";

fn read_row(r: &rusqlite::Row<'_>) -> Result<Row> {
    Ok(Row {
        id: parse(&r.get::<_, String>(0)?, "beneficiary id")?,
        register_id: r.get(1)?,
        household: parse(&r.get::<_, String>(2)?, "household id")?,
        kind: parse(&r.get::<_, String>(3)?, "kind")?,
        name: r.get(4)?,
        sex: opt_parse(r.get(5)?, "sex")?,
        dob: opt_parse(r.get(6)?, "date of birth")?,
        lmp: opt_parse(r.get(7)?, "LMP")?,
        mother_name: r.get(8)?,
        status: parse(&r.get::<_, String>(9)?, "status")?,
        je_endemic: r.get(10)?,
        place: Place {
            village_id: parse(&r.get::<_, String>(11)?, "village id")?,
            village: r.get(12)?,
            house_no: r.get(13)?,
            head_of_household: r.get(14)?,
        },
    })
}

impl Store {
    fn rows(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Row>> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {ROW_COLUMNS} {ROW_FROM} WHERE {filter}"))?;
        let mut rows = stmt.query(args)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(read_row(r)?);
        }
        Ok(out)
    }

    /// Active doses of several beneficiaries.
    fn histories(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Given>>> {
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

    fn member(&self, row: &Row, history: &[Given], today: Date) -> Result<MemberView> {
        let anchor = if row.kind == Kind::Child { row.dob } else { row.lmp };
        let settings = self.settings()?;
        let (classification, fully, due) = match anchor {
            Some(anchor) => {
                let states = evaluate(
                    &Subject { kind: row.kind, anchor, je_endemic: row.je_endemic },
                    history,
                    today,
                    &settings,
                );
                let counts = row.status == BeneficiaryStatus::Active && anchor <= today;
                let due = if counts {
                    states
                        .iter()
                        .filter(|s| s.status.is_actionable())
                        .map(|s| DueDose { code: s.code, status: s.status, due_on: s.due_on, last_on: s.last_on })
                        .collect()
                } else {
                    Vec::new()
                };
                let fully = row.kind == Kind::Child && fully_immunized(anchor, history, today);
                (classify(&states), fully, due)
            }
            None => (Classification::UpToDate, false, Vec::new()),
        };
        Ok(MemberView {
            id: row.id,
            register_id: row.register_id.clone(),
            household_id: row.household,
            kind: row.kind,
            name: row.name.clone(),
            sex: row.sex,
            dob: row.dob,
            lmp: row.lmp,
            edd: row.lmp.and_then(teeka_domain::model::edd_from_lmp),
            mother_name: row.mother_name.clone(),
            status: row.status,
            classification,
            fully_immunized: fully,
            due,
        })
    }

    fn members_of(&self, rows: Vec<Row>, today: Date) -> Result<Vec<(MemberView, Place)>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let histories = self.histories(&ids)?;
        rows.into_iter()
            .map(|r| {
                let m = self.member(&r, histories.get(&r.id).map_or(&[][..], Vec::as_slice), today)?;
                Ok((m, r.place))
            })
            .collect()
    }

    fn row_by_register_id(&self, register_id: &str) -> Result<Row> {
        self.rows("b.register_id = ?1", &[&register_id])?
            .pop()
            .ok_or_else(|| StoreError::UnknownBeneficiary(register_id.to_string()))
    }

    // ----- local settings and workers (never synced) -----

    /// A local setting of the app (never synced).
    pub fn local_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [format!("app.{key}")], |r| r.get(0))
            .optional()?)
    }

    /// Sets (or with `None` removes) a local setting of the app.
    pub fn set_local_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        let key = format!("app.{key}");
        match value {
            Some(v) => self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, v],
            )?,
            None => self.conn.execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// Adds a worker (local only: no event). `pin_hash` is made by the caller.
    pub fn add_worker(&mut self, name: &str, role: WorkerRole, pin_hash: &str, ctx: &Ctx) -> Result<Worker> {
        let name = required_text("name", name)?;
        let id = Uuid::now_v7();
        self.conn.execute(
            "INSERT INTO workers (id, name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.to_string(), name, role.as_str(), pin_hash, ctx.now.to_rfc3339()],
        )?;
        Ok(Worker { id, name, role, pin_hash: pin_hash.to_string() })
    }

    /// The workers of this device, in the order they were added.
    pub fn workers(&self) -> Result<Vec<Worker>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, name, role, pin_hash FROM workers ORDER BY created_at, id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(Worker {
                id: parse(&r.get::<_, String>(0)?, "worker id")?,
                name: r.get(1)?,
                role: parse(&r.get::<_, String>(2)?, "role")?,
                pin_hash: r.get(3)?,
            });
        }
        Ok(out)
    }

    // ----- villages and households -----

    /// The id of the village named `name` (case-insensitive), adding it if there is none.
    pub fn add_village(&mut self, name: &str, ctx: &Ctx) -> Result<Uuid> {
        let name = required_text("name", name)?;
        if let Some(id) = self.village_id(&name)? {
            return Ok(id);
        }
        let parent = self.enrollment()?.map(|e| e.area_id);
        let area = Uuid::now_v7();
        self.append(ctx, vec![EventBody::AreaDefined { area, level: AreaLevel::Village, name, parent }])?;
        Ok(area)
    }

    fn village_exists(&self, id: Uuid) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM areas WHERE id = ?1 AND level = 'village'")?
            .exists([id.to_string()])?)
    }

    fn household_exists(&self, id: Uuid) -> Result<bool> {
        Ok(self.conn.prepare_cached("SELECT 1 FROM households WHERE id = ?1")?.exists([id.to_string()])?)
    }

    fn household_fields(input: &HouseholdInput) -> Result<Vec<HouseholdField>> {
        Ok(vec![
            HouseholdField::HouseNo(optional_text("house_no", input.house_no.as_deref())?),
            HouseholdField::HeadOfHousehold(optional_text("head_of_household", input.head_of_household.as_deref())?),
            HouseholdField::Phone(check_phone(input.phone.as_deref())?),
            HouseholdField::RiskCategory(input.risk_category),
        ])
    }

    /// Registers a household in a village, with a new household id `HH-` + 12 hex digits of
    /// randomness (two devices must not make the same one: equal ids merge households).
    pub fn register_household(&mut self, village: Uuid, input: &HouseholdInput, ctx: &Ctx) -> Result<Uuid> {
        if !self.village_exists(village)? {
            return Err(not_found(format!("village_id {village}: no such village on this device")));
        }
        let mut fields = vec![HouseholdField::Village(village)];
        fields.extend(Self::household_fields(input)?);
        let household = Uuid::now_v7();
        let household_id = format!("HH-{}", random_suffix());
        self.append(ctx, vec![EventBody::HouseholdRegistered { household, household_id, fields }])?;
        Ok(household)
    }

    /// Sets every field of a household (and its village).
    pub fn update_household(&mut self, id: Uuid, village: Uuid, input: &HouseholdInput, ctx: &Ctx) -> Result<()> {
        if !self.household_exists(id)? {
            return Err(not_found(format!("id {id}: no such household on this device")));
        }
        if !self.village_exists(village)? {
            return Err(not_found(format!("village_id {village}: no such village on this device")));
        }
        let mut fields = vec![HouseholdField::Village(village)];
        fields.extend(Self::household_fields(input)?);
        self.append(ctx, vec![EventBody::HouseholdUpdated { household: id, fields }])?;
        Ok(())
    }

    // ----- beneficiaries -----

    /// Checks doses about to be recorded for a beneficiary with `anchor` (birth or LMP):
    /// code of the right kind, not in the future, not before the anchor. Returns the warnings.
    #[allow(clippy::too_many_arguments)]
    fn check_doses(
        &self,
        who: &str,
        kind: Kind,
        anchor: Date,
        je_endemic: bool,
        history: &[Given],
        doses: &[(DoseCode, Date)],
        ctx: &Ctx,
    ) -> Result<Vec<String>> {
        let settings = self.settings()?;
        let mut seen = HashSet::new();
        let mut history = history.to_vec();
        let mut warnings = Vec::new();
        for (i, (code, date)) in doses.iter().enumerate() {
            let at = format!("doses[{i}] ({code})");
            if code.kind() != kind {
                let whose = if code.kind() == Kind::Child { "a child's" } else { "a pregnant woman's" };
                return Err(invalid(format!("{at}: {code} is {whose} dose; {who} is a {}", kind.words())));
            }
            if !seen.insert(*code) {
                return Err(invalid(format!("{at}: {code} is listed twice")));
            }
            if *date > ctx.today {
                return Err(invalid(format!(
                    "{at}: date {} is in the future (today is {})",
                    iso(*date),
                    iso(ctx.today)
                )));
            }
            if *date < anchor {
                let what = if kind == Kind::Child { "birth" } else { "the LMP" };
                return Err(invalid(format!("{at}: date {} is before {what} ({}) of {who}", iso(*date), iso(anchor))));
            }
            let subject = Subject { kind, anchor, je_endemic };
            warnings.extend(teeka_domain::record::dose_warnings(&subject, &history, *code, *date, &settings));
            history.push(Given { code: *code, date: *date });
        }
        Ok(warnings)
    }

    /// Registers a beneficiary in a household with a new register id `B-` + 12 hex digits, and
    /// the doses of the MCP card, in one transaction: all or nothing. Returns the register id and
    /// the warnings about the doses.
    pub fn register_beneficiary(
        &mut self,
        household: Uuid,
        input: &BeneficiaryInput,
        doses: &[(DoseCode, Date)],
        ctx: &Ctx,
    ) -> Result<(String, Vec<String>)> {
        let je_endemic: Option<bool> = self
            .conn
            .query_row(
                "SELECT a.je_endemic FROM households h JOIN areas a ON a.id = h.village_id WHERE h.id = ?1",
                [household.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let je_endemic = je_endemic
            .ok_or_else(|| not_found(format!("household_id {household}: no such household on this device")))?;
        let name = required_text("name", &input.name)?;
        let mother_name = optional_text("mother_name", input.mother_name.as_deref())?;
        let (anchor, what) = match input.kind {
            Kind::Child => (input.dob.ok_or_else(|| invalid("dob is missing: a child needs a date of birth"))?, "dob"),
            Kind::PregnantWoman => {
                (input.lmp.ok_or_else(|| invalid("lmp is missing: a pregnant woman needs an LMP"))?, "lmp")
            }
        };
        if anchor > ctx.today {
            return Err(invalid(format!("{what} {} is in the future (today is {})", iso(anchor), iso(ctx.today))));
        }
        let sex = match input.kind {
            Kind::Child => input.sex,
            Kind::PregnantWoman if matches!(input.sex, None | Some(Sex::F)) => Some(Sex::F),
            Kind::PregnantWoman => return Err(invalid("sex of a pregnant woman must be F")),
        };
        let warnings = self.check_doses(&name, input.kind, anchor, je_endemic, &[], doses, ctx)?;
        let beneficiary = Uuid::now_v7();
        let register_id = format!("B-{}", random_suffix());
        let mut fields =
            vec![BeneficiaryField::Household(household), BeneficiaryField::Name(name), BeneficiaryField::Sex(sex)];
        match input.kind {
            Kind::Child => fields.push(BeneficiaryField::Dob(Some(anchor))),
            Kind::PregnantWoman => fields.push(BeneficiaryField::Lmp(Some(anchor))),
        }
        fields.push(BeneficiaryField::MotherName(mother_name));
        fields.push(BeneficiaryField::Status(BeneficiaryStatus::Active));
        let mut bodies = vec![EventBody::BeneficiaryRegistered {
            beneficiary,
            register_id: register_id.clone(),
            kind: input.kind,
            fields,
        }];
        bodies.extend(doses.iter().map(|(code, date)| EventBody::DoseGiven {
            beneficiary,
            code: *code,
            date: *date,
            corrects: None,
            session: None,
        }));
        self.append(ctx, bodies)?;
        Ok((register_id, warnings))
    }

    /// Changes some fields of a beneficiary (checked as at registration).
    pub fn update_beneficiary(&mut self, register_id: &str, fields: Vec<BeneficiaryField>, ctx: &Ctx) -> Result<()> {
        let row = self.row_by_register_id(register_id)?;
        let mut checked = Vec::with_capacity(fields.len());
        for f in fields {
            checked.push(match f {
                BeneficiaryField::Name(n) => BeneficiaryField::Name(required_text("name", &n)?),
                BeneficiaryField::MotherName(m) => {
                    BeneficiaryField::MotherName(optional_text("mother_name", m.as_deref())?)
                }
                BeneficiaryField::Dob(Some(d)) | BeneficiaryField::Lmp(Some(d)) if d > ctx.today => {
                    return Err(invalid(format!("date {} is in the future (today is {})", iso(d), iso(ctx.today))))
                }
                BeneficiaryField::Dob(_) if row.kind != Kind::Child => {
                    return Err(invalid(format!("dob: {register_id} is a pregnant woman (set lmp)")))
                }
                BeneficiaryField::Lmp(_) if row.kind != Kind::PregnantWoman => {
                    return Err(invalid(format!("lmp: {register_id} is a child (set dob)")))
                }
                BeneficiaryField::Dob(None) | BeneficiaryField::Lmp(None) => {
                    return Err(invalid("a date of birth or LMP cannot be removed"))
                }
                BeneficiaryField::Household(h) if !self.household_exists(h)? => {
                    return Err(not_found(format!("household_id {h}: no such household on this device")))
                }
                other => other,
            });
        }
        if checked.is_empty() {
            return Ok(());
        }
        self.append(ctx, vec![EventBody::BeneficiaryUpdated { beneficiary: row.id, fields: checked }])?;
        Ok(())
    }

    fn open_session_row(&self, session: Uuid) -> Result<SessionView> {
        let s = self.session(session)?;
        if s.closed {
            return Err(StoreError::SessionClosed(format!(
                "session {session} of {} on {} is closed",
                s.site,
                iso(s.date)
            )));
        }
        Ok(s)
    }

    /// Records doses given (several codes at once, all or none), optionally at an open session.
    /// Returns the warnings.
    pub fn record_doses(
        &mut self,
        register_id: &str,
        doses: &[(DoseCode, Date)],
        session: Option<Uuid>,
        ctx: &Ctx,
    ) -> Result<Vec<String>> {
        if let Some(s) = session {
            self.open_session_row(s)?;
        }
        if doses.is_empty() {
            return Err(invalid("codes is empty: name at least one dose"));
        }
        let row = self.row_by_register_id(register_id)?;
        let anchor = if row.kind == Kind::Child { row.dob } else { row.lmp };
        let anchor = anchor.ok_or_else(|| corrupt(format!("{register_id} has no date of birth or LMP")))?;
        let history = self.histories(&[row.id])?.remove(&row.id).unwrap_or_default();
        let mut warnings = self.check_doses(register_id, row.kind, anchor, row.je_endemic, &history, doses, ctx)?;
        if row.status != BeneficiaryStatus::Active {
            warnings.insert(0, format!("{register_id} is marked {}", row.status));
        }
        let bodies = doses
            .iter()
            .map(|(code, date)| EventBody::DoseGiven {
                beneficiary: row.id,
                code: *code,
                date: *date,
                corrects: None,
                session,
            })
            .collect();
        self.append(ctx, bodies)?;
        Ok(warnings)
    }

    /// Records doses not given on `date` for `reason` (all or none), optionally at an open
    /// session. A refusal marks the household resistant.
    pub fn record_not_given_codes(
        &mut self,
        register_id: &str,
        codes: &[DoseCode],
        date: Date,
        reason: ReasonCode,
        session: Option<Uuid>,
        ctx: &Ctx,
    ) -> Result<Vec<String>> {
        if let Some(s) = session {
            self.open_session_row(s)?;
        }
        if codes.is_empty() {
            return Err(invalid("codes is empty: name at least one dose"));
        }
        let row = self.row_by_register_id(register_id)?;
        let anchor = if row.kind == Kind::Child { row.dob } else { row.lmp };
        let anchor = anchor.ok_or_else(|| corrupt(format!("{register_id} has no date of birth or LMP")))?;
        let mut seen = HashSet::new();
        for code in codes {
            if code.kind() != row.kind {
                return Err(invalid(format!("codes: {code} is not a dose of a {}", row.kind.words())));
            }
            if !seen.insert(*code) {
                return Err(invalid(format!("codes: {code} is listed twice")));
            }
        }
        if date > ctx.today {
            return Err(invalid(format!("date {} is in the future (today is {})", iso(date), iso(ctx.today))));
        }
        if date < anchor {
            return Err(invalid(format!(
                "date {} is before the birth or LMP ({}) of {register_id}",
                iso(date),
                iso(anchor)
            )));
        }
        let mut warnings = Vec::new();
        if row.status != BeneficiaryStatus::Active {
            warnings.push(format!("{register_id} is marked {}", row.status));
        }
        let bodies = codes
            .iter()
            .map(|code| EventBody::DoseNotGiven {
                beneficiary: row.id,
                code: *code,
                date,
                reason,
                corrects: None,
                session,
            })
            .collect();
        self.append(ctx, bodies)?;
        Ok(warnings)
    }

    // ----- sessions and AEFI -----

    /// Opens a session at a village on a date; the open session of that site and date if there
    /// is one already.
    pub fn open_session(&mut self, site: Uuid, date: Date, ctx: &Ctx) -> Result<Uuid> {
        if !self.village_exists(site)? {
            return Err(not_found(format!("site_id {site}: no such village on this device")));
        }
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM sessions WHERE site_id = ?1 AND date = ?2 AND closed = 0 ORDER BY id LIMIT 1",
                params![site.to_string(), iso(date)],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            return parse(&id, "session id");
        }
        let session = Uuid::now_v7();
        self.append(ctx, vec![EventBody::SessionOpened { session, site, date }])?;
        Ok(session)
    }

    /// Closes a session with the vials opened. Closing a closed session is refused.
    pub fn close_session(&mut self, session: Uuid, vials: Vec<VialsUsed>, ctx: &Ctx) -> Result<()> {
        self.open_session_row(session)?;
        let mut seen = HashSet::new();
        if let Some(v) = vials.iter().find(|v| !seen.insert(v.antigen)) {
            return Err(invalid(format!("vials: {} is listed twice", v.antigen)));
        }
        self.append(ctx, vec![EventBody::SessionClosed { session, vials }])?;
        Ok(())
    }

    /// One session.
    pub fn session(&self, id: Uuid) -> Result<SessionView> {
        self.sessions_where("s.id = ?1", &[&id.to_string()])?
            .pop()
            .ok_or_else(|| not_found(format!("session_id {id}: no such session on this device")))
    }

    /// Every session, newest first (by date, then by id).
    pub fn sessions(&self) -> Result<Vec<SessionView>> {
        self.sessions_where("1", &[])
    }

    fn sessions_where(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<SessionView>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT s.id, s.site_id, a.name, s.date, s.closed, s.vials FROM sessions s JOIN areas a ON a.id = s.site_id
             WHERE {filter} ORDER BY s.date DESC, s.id DESC"
        ))?;
        let mut rows = stmt.query(args)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(SessionView {
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

    /// Reports an adverse event following immunization. Returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn report_aefi(
        &mut self,
        register_id: &str,
        session: Option<Uuid>,
        date: Date,
        severity: AefiSeverity,
        observed: &str,
        codes: Vec<DoseCode>,
        ctx: &Ctx,
    ) -> Result<Uuid> {
        if let Some(s) = session {
            self.session(s)?;
        }
        let row = self.row_by_register_id(register_id)?;
        let observed = required_text("observed", observed)?;
        if date > ctx.today {
            return Err(invalid(format!("date {} is in the future (today is {})", iso(date), iso(ctx.today))));
        }
        if let Some(c) = codes.iter().find(|c| c.kind() != row.kind) {
            return Err(invalid(format!("codes: {c} is not a dose of a {}", row.kind.words())));
        }
        let aefi = Uuid::now_v7();
        self.append(
            ctx,
            vec![EventBody::AefiReported { aefi, beneficiary: row.id, session, date, severity, observed, codes }],
        )?;
        Ok(aefi)
    }

    // ----- reads -----

    /// Villages by name, with their counts on `today`.
    pub fn village_views(&self, today: Date) -> Result<Vec<VillageView>> {
        let due = self.due_list(today, None)?;
        let mut due_by_village: HashMap<&str, u32> = HashMap::new();
        for item in &due {
            *due_by_village.entry(&item.village).or_default() += 1;
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.name,
                    (SELECT count(*) FROM households h WHERE h.village_id = a.id),
                    (SELECT count(*) FROM beneficiaries b JOIN households h ON h.id = b.household_id
                      WHERE h.village_id = a.id AND b.kind = 'child' AND b.status = 'active'),
                    (SELECT count(*) FROM beneficiaries b JOIN households h ON h.id = b.household_id
                      WHERE h.village_id = a.id AND b.kind = 'pregnant_woman' AND b.status = 'active')
             FROM areas a WHERE a.level = 'village' ORDER BY a.name COLLATE NOCASE, a.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let name: String = r.get(1)?;
            out.push(VillageView {
                id: parse(&r.get::<_, String>(0)?, "village id")?,
                due: due_by_village.get(name.as_str()).copied().unwrap_or(0),
                name,
                households: r.get(2)?,
                children: r.get(3)?,
                pregnant_women: r.get(4)?,
            });
        }
        Ok(out)
    }

    /// One village.
    pub fn village_view(&self, id: Uuid, today: Date) -> Result<VillageView> {
        self.village_views(today)?
            .into_iter()
            .find(|v| v.id == id)
            .ok_or_else(|| not_found(format!("village_id {id}: no such village on this device")))
    }

    /// The households of a village by house number, with their counts on `today`.
    pub fn household_views(&self, village: Uuid, today: Date) -> Result<Vec<HouseholdView>> {
        if !self.village_exists(village)? {
            return Err(not_found(format!("village_id {village}: no such village on this device")));
        }
        self.households_where("h.village_id = ?1", &village.to_string(), today)
    }

    /// One household.
    pub fn household_view(&self, id: Uuid, today: Date) -> Result<HouseholdView> {
        self.households_where("h.id = ?1", &id.to_string(), today)?
            .pop()
            .ok_or_else(|| not_found(format!("household_id {id}: no such household on this device")))
    }

    fn households_where(&self, filter: &str, arg: &str, today: Date) -> Result<Vec<HouseholdView>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT h.id, h.household_id, a.id, a.name, h.house_no, h.head_of_household, h.phone, h.risk_category,
                    h.resistant, (SELECT count(*) FROM beneficiaries b WHERE b.household_id = h.id)
             FROM households h JOIN areas a ON a.id = h.village_id WHERE {filter}"
        ))?;
        let mut rows = stmt.query([arg])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(HouseholdView {
                id: parse(&r.get::<_, String>(0)?, "household id")?,
                household_id: r.get(1)?,
                village_id: parse(&r.get::<_, String>(2)?, "village id")?,
                village: r.get(3)?,
                house_no: r.get(4)?,
                head_of_household: r.get(5)?,
                phone: r.get(6)?,
                risk_category: opt_parse(r.get(7)?, "risk category")?,
                resistant: r.get(8)?,
                members: r.get(9)?,
                due: 0,
            });
        }
        if let Some(first) = out.first() {
            let due = self.due_list(today, Some(&first.village))?;
            let mut by_household: HashMap<&str, u32> = HashMap::new();
            for item in &due {
                *by_household.entry(&item.household_id).or_default() += 1;
            }
            for h in &mut out {
                h.due = by_household.get(h.household_id.as_str()).copied().unwrap_or(0);
            }
        }
        out.sort_by(|a, b| {
            house_order(a.house_no.as_deref())
                .cmp(&house_order(b.house_no.as_deref()))
                .then(a.household_id.cmp(&b.household_id))
        });
        Ok(out)
    }

    /// The members of a household (children first, then by name), on `today`.
    pub fn member_views(&self, household: Uuid, today: Date) -> Result<Vec<MemberView>> {
        if !self.household_exists(household)? {
            return Err(not_found(format!("household_id {household}: no such household on this device")));
        }
        let rows =
            self.rows("b.household_id = ?1 ORDER BY b.kind, b.name, b.register_id", &[&household.to_string()])?;
        Ok(self.members_of(rows, today)?.into_iter().map(|(m, _)| m).collect())
    }

    /// Whether the village of a beneficiary is JE-endemic.
    pub fn je_endemic_of(&self, register_id: &str) -> Result<bool> {
        Ok(self.row_by_register_id(register_id)?.je_endemic)
    }

    /// One member by register id, on `today`.
    pub fn member_view(&self, register_id: &str, today: Date) -> Result<MemberView> {
        let row = self.row_by_register_id(register_id)?;
        let history = self.histories(&[row.id])?.remove(&row.id).unwrap_or_default();
        self.member(&row, &history, today)
    }

    /// One beneficiary in full: doses (corrections applied), not-given records and AEFI.
    pub fn beneficiary_view(&self, register_id: &str, today: Date) -> Result<BeneficiaryView> {
        let row = self.row_by_register_id(register_id)?;
        let id = row.id.to_string();
        let history = self.histories(&[row.id])?.remove(&row.id).unwrap_or_default();
        let member = self.member(&row, &history, today)?;
        let session = |t: Option<String>| opt_parse::<Uuid>(t, "session id");
        let mut doses = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, code, date, flagged, session_id FROM doses WHERE beneficiary_id = ?1 AND superseded_by IS NULL
             ORDER BY date, code, id",
        )?;
        let mut rows = stmt.query([&id])?;
        while let Some(r) = rows.next()? {
            doses.push(DoseView {
                id: parse(&r.get::<_, String>(0)?, "dose id")?,
                code: parse(&r.get::<_, String>(1)?, "dose code")?,
                date: parse(&r.get::<_, String>(2)?, "dose date")?,
                flagged: r.get(3)?,
                session_id: session(r.get(4)?)?,
            });
        }
        let mut not_given = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, code, date, reason, session_id FROM not_given WHERE beneficiary_id = ?1 AND superseded_by IS NULL
             ORDER BY date, code, id",
        )?;
        let mut rows = stmt.query([&id])?;
        while let Some(r) = rows.next()? {
            not_given.push(NotGivenView {
                id: parse(&r.get::<_, String>(0)?, "record id")?,
                code: parse(&r.get::<_, String>(1)?, "dose code")?,
                date: parse(&r.get::<_, String>(2)?, "date")?,
                reason: parse(&r.get::<_, String>(3)?, "reason")?,
                session_id: session(r.get(4)?)?,
            });
        }
        let mut aefi = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, date, severity, observed, codes, session_id FROM aefi WHERE beneficiary_id = ?1 ORDER BY date, id",
        )?;
        let mut rows = stmt.query([&id])?;
        while let Some(r) = rows.next()? {
            aefi.push(AefiView {
                id: parse(&r.get::<_, String>(0)?, "AEFI id")?,
                date: parse(&r.get::<_, String>(1)?, "AEFI date")?,
                severity: parse(&r.get::<_, String>(2)?, "severity")?,
                observed: r.get(3)?,
                codes: serde_json::from_str(&r.get::<_, String>(4)?)
                    .map_err(|e| corrupt(format!("AEFI codes: {e}")))?,
                session_id: session(r.get(5)?)?,
            });
        }
        Ok(BeneficiaryView { member, place: row.place, doses, not_given, aefi })
    }

    /// Beneficiaries whose name, mother's name, head of household or register id contains
    /// `text` (case-insensitive for ASCII), at most [`SEARCH_LIMIT`], by name.
    pub fn search(&self, text: &str, village: Option<Uuid>, today: Date) -> Result<Vec<FoundView>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let escaped: String =
            text.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
        let pattern = format!("%{escaped}%");
        let village = village.map(|v| v.to_string());
        let rows = self.rows(
            &format!(
                "(b.name LIKE ?1 ESCAPE '\\' OR b.mother_name LIKE ?1 ESCAPE '\\'
                  OR h.head_of_household LIKE ?1 ESCAPE '\\' OR b.register_id LIKE ?1 ESCAPE '\\')
                 AND (?2 IS NULL OR a.id = ?2) ORDER BY b.name, b.register_id LIMIT {SEARCH_LIMIT}"
            ),
            &[&pattern, &village],
        )?;
        Ok(self.members_of(rows, today)?.into_iter().map(|(member, place)| FoundView { member, place }).collect())
    }

    /// Children of a village whose name is like `name` ([`similar_names`]) and, when `dob` is
    /// given, born within [`SIMILAR_DOB_DAYS`] days of it.
    pub fn similar_children(
        &self,
        village: Uuid,
        name: &str,
        dob: Option<Date>,
        today: Date,
    ) -> Result<Vec<FoundView>> {
        if !self.village_exists(village)? {
            return Err(not_found(format!("village_id {village}: no such village on this device")));
        }
        let rows =
            self.rows("a.id = ?1 AND b.kind = 'child' ORDER BY b.name, b.register_id", &[&village.to_string()])?;
        let rows: Vec<Row> = rows
            .into_iter()
            .filter(|r| similar_names(name, &r.name))
            .filter(|r| match (dob, r.dob) {
                (Some(a), Some(b)) => (a - b).num_days().abs() <= SIMILAR_DOB_DAYS,
                _ => true,
            })
            .collect();
        Ok(self.members_of(rows, today)?.into_iter().map(|(member, place)| FoundView { member, place }).collect())
    }

    /// The session's site's beneficiaries due or overdue on the session date, and those
    /// recorded at it, each with what the session recorded.
    pub fn session_items(&self, session: Uuid) -> Result<Vec<SessionItem>> {
        let s = self.session(session)?;
        let due = self.due_list(s.date, Some(&s.site))?;
        let mut given: HashMap<String, Vec<DoseCode>> = HashMap::new();
        let mut not_given: HashMap<String, Vec<NotGivenCode>> = HashMap::new();
        let sid = session.to_string();
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.register_id, d.code FROM doses d JOIN beneficiaries b ON b.id = d.beneficiary_id
             WHERE d.session_id = ?1 AND d.superseded_by IS NULL ORDER BY d.id",
        )?;
        let mut rows = stmt.query([&sid])?;
        while let Some(r) = rows.next()? {
            given.entry(r.get(0)?).or_default().push(parse(&r.get::<_, String>(1)?, "dose code")?);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.register_id, n.code, n.reason FROM not_given n JOIN beneficiaries b ON b.id = n.beneficiary_id
             WHERE n.session_id = ?1 AND n.superseded_by IS NULL ORDER BY n.id",
        )?;
        let mut rows = stmt.query([&sid])?;
        while let Some(r) = rows.next()? {
            not_given.entry(r.get(0)?).or_default().push(NotGivenCode {
                code: parse(&r.get::<_, String>(1)?, "dose code")?,
                reason: parse(&r.get::<_, String>(2)?, "reason")?,
            });
        }
        let mut out: Vec<SessionItem> = due
            .into_iter()
            .map(|d| SessionItem {
                register_id: d.register_id.to_string(),
                name: d.name.to_string(),
                kind: d.kind,
                household_id: d.household_id.to_string(),
                village: d.village.to_string(),
                classification: d.classification,
                fully_immunized: d.fully_immunized,
                doses: d.doses,
                given: Some(Vec::new()),
                not_given: Some(Vec::new()),
            })
            .collect();
        let listed: HashSet<String> = out.iter().map(|i| i.register_id.clone()).collect();
        let mut recorded: Vec<&String> =
            given.keys().chain(not_given.keys()).filter(|r| !listed.contains(*r)).collect();
        recorded.sort();
        recorded.dedup();
        for register_id in recorded {
            out.push(self.session_item(register_id, s.date)?);
        }
        for item in &mut out {
            item.given = Some(given.remove(&item.register_id).unwrap_or_default());
            item.not_given = Some(not_given.remove(&item.register_id).unwrap_or_default());
        }
        Ok(out)
    }

    /// The session item of one beneficiary on `on` (without what a session recorded).
    pub fn session_item(&self, register_id: &str, on: Date) -> Result<SessionItem> {
        let row = self.row_by_register_id(register_id)?;
        let history = self.histories(&[row.id])?.remove(&row.id).unwrap_or_default();
        let m = self.member(&row, &history, on)?;
        let household_id: String = self.conn.query_row(
            "SELECT household_id FROM households WHERE id = ?1",
            [row.household.to_string()],
            |r| r.get(0),
        )?;
        Ok(SessionItem {
            register_id: m.register_id,
            name: m.name,
            kind: m.kind,
            household_id,
            village: row.place.village,
            classification: m.classification,
            fully_immunized: m.fully_immunized,
            doses: m.due,
            given: None,
            not_given: None,
        })
    }

    /// One beneficiary's session item at a session (what it recorded included).
    pub fn session_item_at(&self, session: Uuid, register_id: &str) -> Result<SessionItem> {
        let s = self.session(session)?;
        let mut item = self.session_item(register_id, s.date)?;
        let mut given = Vec::new();
        let mut not_given = Vec::new();
        let sid = session.to_string();
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.code FROM doses d JOIN beneficiaries b ON b.id = d.beneficiary_id
             WHERE d.session_id = ?1 AND b.register_id = ?2 AND d.superseded_by IS NULL ORDER BY d.id",
        )?;
        let mut rows = stmt.query([&sid, register_id])?;
        while let Some(r) = rows.next()? {
            given.push(parse(&r.get::<_, String>(0)?, "dose code")?);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT n.code, n.reason FROM not_given n JOIN beneficiaries b ON b.id = n.beneficiary_id
             WHERE n.session_id = ?1 AND b.register_id = ?2 AND n.superseded_by IS NULL ORDER BY n.id",
        )?;
        let mut rows = stmt.query([&sid, register_id])?;
        while let Some(r) = rows.next()? {
            not_given.push(NotGivenCode {
                code: parse(&r.get::<_, String>(0)?, "dose code")?,
                reason: parse(&r.get::<_, String>(1)?, "reason")?,
            });
        }
        item.given = Some(given);
        item.not_given = Some(not_given);
        Ok(item)
    }

    /// The numbers of a session.
    pub fn tally(&self, session: Uuid) -> Result<Tally> {
        self.session(session)?;
        let sid = session.to_string();
        let mut by_dose: HashMap<DoseCode, u32> = HashMap::new();
        let mut people: HashMap<String, Kind> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.code, d.beneficiary_id, b.kind FROM doses d JOIN beneficiaries b ON b.id = d.beneficiary_id
             WHERE d.session_id = ?1 AND d.superseded_by IS NULL",
        )?;
        let mut rows = stmt.query([&sid])?;
        while let Some(r) = rows.next()? {
            *by_dose.entry(parse(&r.get::<_, String>(0)?, "dose code")?).or_default() += 1;
            people.insert(r.get(1)?, parse(&r.get::<_, String>(2)?, "kind")?);
        }
        let mut by_antigen: HashMap<Antigen, u32> = HashMap::new();
        for (code, n) in &by_dose {
            *by_antigen.entry(code.antigen()).or_default() += n;
        }
        let mut reasons: HashMap<ReasonCode, u32> = HashMap::new();
        let mut stmt =
            self.conn.prepare_cached("SELECT reason FROM not_given WHERE session_id = ?1 AND superseded_by IS NULL")?;
        let mut rows = stmt.query([&sid])?;
        while let Some(r) = rows.next()? {
            *reasons.entry(parse(&r.get::<_, String>(0)?, "reason")?).or_default() += 1;
        }
        let mut aefi = AefiCounts::default();
        let mut stmt = self.conn.prepare_cached("SELECT severity FROM aefi WHERE session_id = ?1")?;
        let mut rows = stmt.query([&sid])?;
        while let Some(r) = rows.next()? {
            match parse::<AefiSeverity>(&r.get::<_, String>(0)?, "severity")? {
                AefiSeverity::Minor => aefi.minor += 1,
                AefiSeverity::Severe => aefi.severe += 1,
                AefiSeverity::Serious => aefi.serious += 1,
            }
        }
        let children = people.values().filter(|k| **k == Kind::Child).count() as u32;
        Ok(Tally {
            session_id: session,
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
            beneficiaries: people.len() as u32,
            children,
            pregnant_women: people.len() as u32 - children,
        })
    }

    /// Refusals on record (not superseded), newest first, optionally of one village.
    pub fn refusals(&self, village: Option<Uuid>) -> Result<Vec<RefusalView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.register_id, b.name, a.name, h.house_no, h.head_of_household, n.code, n.date, n.reason
             FROM not_given n JOIN beneficiaries b ON b.id = n.beneficiary_id
             JOIN households h ON h.id = b.household_id JOIN areas a ON a.id = h.village_id
             WHERE n.superseded_by IS NULL AND n.reason LIKE 'REFUSED\\_%' ESCAPE '\\' AND (?1 IS NULL OR a.id = ?1)
             ORDER BY n.date DESC, n.id DESC",
        )?;
        let mut rows = stmt.query([village.map(|v| v.to_string())])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(RefusalView {
                register_id: r.get(0)?,
                name: r.get(1)?,
                village: r.get(2)?,
                house_no: r.get(3)?,
                head_of_household: r.get(4)?,
                code: parse(&r.get::<_, String>(5)?, "dose code")?,
                date: parse(&r.get::<_, String>(6)?, "date")?,
                reason: parse(&r.get::<_, String>(7)?, "reason")?,
            });
        }
        Ok(out)
    }

    /// Left-out and drop-out beneficiaries on `today` (optionally of one village), with their
    /// doses due.
    pub fn follow_up(&self, village: Option<Uuid>, today: Date) -> Result<Vec<SessionItem>> {
        let name = match village {
            Some(v) => Some(self.village_view_name(v)?),
            None => None,
        };
        Ok(self
            .due_list(today, name.as_deref())?
            .into_iter()
            .filter(|d| d.classification != Classification::UpToDate)
            .map(|d| SessionItem {
                register_id: d.register_id.to_string(),
                name: d.name.to_string(),
                kind: d.kind,
                household_id: d.household_id.to_string(),
                village: d.village.to_string(),
                classification: d.classification,
                fully_immunized: d.fully_immunized,
                doses: d.doses,
                given: None,
                not_given: None,
            })
            .collect())
    }

    /// The name of a village by id.
    pub fn village_view_name(&self, id: Uuid) -> Result<String> {
        self.conn
            .query_row("SELECT name FROM areas WHERE id = ?1 AND level = 'village'", [id.to_string()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| not_found(format!("village_id {id}: no such village on this device")))
    }
}

/// House numbers sort by their leading number, then as text ("2" before "10"; no number last).
fn house_order(house_no: Option<&str>) -> (u8, u64, String) {
    match house_no {
        None => (2, 0, String::new()),
        Some(h) => {
            let digits: String = h.chars().take_while(char::is_ascii_digit).collect();
            match digits.parse::<u64>() {
                Ok(n) => (0, n, h.to_string()),
                Err(_) => (1, 0, h.to_string()),
            }
        }
    }
}
