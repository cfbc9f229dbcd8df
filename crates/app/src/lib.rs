//! The app's core: one method of [`App`] per local command of `docs/app-api.md`.
//!
//! Pure Rust over the device store: no Tauri, no network, no clock. The shell (`src-tauri/`)
//! passes a [`Clock`] with every call and turns [`AppError`] into the `{code, message}` the UI
//! receives. The network is [`sync`]'s: the background worker (which the shell starts and
//! attaches with [`App::attach_sync`]), `enroll` and `devices`.
//!
//! Workers sign in with a PIN; the signed-in worker is kept in memory only and is the author of
//! every event. Every command counts as activity; after `lock_after_minutes` (a local setting,
//! default 5) without any, the app locks and commands that need a worker fail with `LOCKED`.

mod pin;
pub mod sync;
pub mod types;

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;
pub use sync::EnrollReq;
use teeka_domain::schedule::{codes_for, evaluate};
use teeka_domain::{
    parse_date, AefiSeverity, Antigen, BeneficiaryField, BeneficiaryStatus, Date, DoseCode, DoseStatus, Kind,
    ReasonCode, RiskCategory, Sex, Subject, VialsUsed, WorkerRole,
};
use teeka_store::{BeneficiaryInput, Ctx, HouseholdInput, Store, StoreError};
pub use types::*;

pub use pin::{check_pin, hash_pin, verify_pin};

/// Minutes without activity after which the app locks, unless set otherwise.
pub const DEFAULT_LOCK_AFTER_MINUTES: u32 = 5;
/// Wrong PINs in a row that make the next sign-in wait.
pub const MAX_WRONG_PINS: u32 = 5;
/// How long to wait after too many wrong PINs.
pub const PIN_WAIT_SECONDS: i64 = 30;
/// Local settings keeping the wrong-PIN count and the end of the wait across restarts.
const WRONG_PINS_KEY: &str = "wrong_pins";
const PIN_WAIT_KEY: &str = "pin_wait_until";

/// The time, from the shell: `now` (UTC) and the device's local calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// An error as the UI receives it: a stable `code` (the table of `docs/app-api.md`) and an
/// English `message` that says what and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AppError {
    pub code: String,
    pub message: String,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> AppError {
        AppError { code: code.to_string(), message: message.into() }
    }

    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError::new("INVALID_INPUT", message)
    }

    fn locked() -> AppError {
        AppError::new("LOCKED", "no worker is signed in: sign in with your PIN")
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        let code = match e.code() {
            "REGISTER_INVALID" => "INVALID_INPUT",
            "UNKNOWN_VILLAGE" => "NOT_FOUND",
            other => other,
        };
        AppError::new(code, e.to_string())
    }
}

fn date_field(field: &str, text: &str) -> Result<Date, AppError> {
    parse_date(text).map_err(|e| AppError::invalid(format!("{field}: {e}")))
}

fn opt_date_field(field: &str, text: Option<&str>) -> Result<Option<Date>, AppError> {
    text.filter(|t| !t.trim().is_empty()).map(|t| date_field(field, t)).transpose()
}

fn code_field<T: std::str::FromStr<Err = teeka_domain::UnknownCode>>(field: &str, text: &str) -> Result<T, AppError> {
    text.parse().map_err(|e: teeka_domain::UnknownCode| AppError::invalid(format!("{field}: {e}")))
}

fn doses_field(doses: &[DoseInput]) -> Result<Vec<(DoseCode, Date)>, AppError> {
    doses
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Ok((code_field(&format!("doses[{i}].code"), &d.code)?, date_field(&format!("doses[{i}].date"), &d.date)?))
        })
        .collect()
}

fn codes_field(codes: &[String]) -> Result<Vec<DoseCode>, AppError> {
    codes.iter().enumerate().map(|(i, c)| code_field(&format!("codes[{i}]"), c)).collect()
}

/// The date of birth of a child `months` old on `today`: the same day of the month that many
/// months before, or the last day of that month when it has no such day (31 March, 1 month →
/// 28/29 February).
pub fn dob_from_age_months(today: Date, months: u32) -> Option<Date> {
    today.checked_sub_months(Months::new(months))
}

/// The app's core, over one device store.
pub struct App {
    store: Store,
    signed_in: Option<Worker>,
    last_activity: Option<DateTime<Utc>>,
    wrong_pins: u32,
    pin_wait_until: Option<DateTime<Utc>>,
    /// The background sync worker, once attached: the live part of the sync state.
    sync: Option<sync::SyncHandle>,
}

impl App {
    /// Opens (creating if needed) the store at `path`. Nobody is signed in.
    pub fn open(path: &Path) -> Result<App, AppError> {
        Ok(App::with_store(Store::open(path)?))
    }

    /// An app over an in-memory store (tests).
    pub fn open_in_memory() -> Result<App, AppError> {
        Ok(App::with_store(Store::open_in_memory()?))
    }

    fn with_store(store: Store) -> App {
        // Wrong PINs and the wait they caused survive a restart: closing the app must not be a
        // way around the wait. Unreadable values (a damaged setting) count as none.
        let wrong_pins = store.local_setting(WRONG_PINS_KEY).ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(0);
        let pin_wait_until = store
            .local_setting(PIN_WAIT_KEY)
            .ok()
            .flatten()
            .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
            .map(|t| t.with_timezone(&Utc));
        App { store, signed_in: None, last_activity: None, wrong_pins, pin_wait_until, sync: None }
    }

    /// Keeps the wrong-PIN count and the wait in the store.
    fn save_pin_state(&mut self) -> Result<(), AppError> {
        let count = (self.wrong_pins > 0).then(|| self.wrong_pins.to_string());
        self.store.set_local_setting(WRONG_PINS_KEY, count.as_deref())?;
        let until = self.pin_wait_until.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        self.store.set_local_setting(PIN_WAIT_KEY, until.as_deref())?;
        Ok(())
    }

    /// The store, for the shell's sync (enroll, sync, status).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, mutably, for the shell's sync.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The background sync worker (see [`sync::start`]): from now on the sync state shows its
    /// live part.
    pub fn attach_sync(&mut self, handle: sync::SyncHandle) {
        self.sync = Some(handle);
    }

    /// The worker signed in, if any (does not count as activity).
    pub fn signed_in(&self) -> Option<&Worker> {
        self.signed_in.as_ref()
    }

    fn lock_after_minutes(&self) -> Result<u32, AppError> {
        Ok(self
            .store
            .local_setting("lock_after_minutes")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_LOCK_AFTER_MINUTES))
    }

    /// Sets the minutes of inactivity after which the app locks (1 to 240).
    pub fn set_lock_after_minutes(&mut self, minutes: u32) -> Result<(), AppError> {
        if !(1..=240).contains(&minutes) {
            return Err(AppError::invalid("lock_after_minutes must be 1 to 240"));
        }
        Ok(self.store.set_local_setting("lock_after_minutes", Some(&minutes.to_string()))?)
    }

    /// Every command starts here: locks if the last activity is too old, then records this one.
    fn activity(&mut self, clock: &Clock) -> Result<(), AppError> {
        if let (Some(_), Some(last)) = (&self.signed_in, self.last_activity) {
            let limit = chrono::TimeDelta::minutes(i64::from(self.lock_after_minutes()?));
            if clock.now - last >= limit {
                self.signed_in = None;
            }
        }
        self.last_activity = Some(clock.now);
        Ok(())
    }

    /// Activity, and a signed-in worker required: the context of a write.
    fn guard(&mut self, clock: &Clock) -> Result<Ctx, AppError> {
        self.activity(clock)?;
        let worker = self.signed_in.as_ref().ok_or_else(AppError::locked)?;
        Ok(Ctx { now: clock.now, today: clock.today, author: worker.name.clone() })
    }

    // ----- start, workers, language -----

    /// `app_state` (works while locked).
    pub fn app_state(&mut self, _req: AppStateReq, clock: Clock) -> Result<AppState, AppError> {
        self.activity(&clock)?;
        Ok(AppState {
            language: self.store.local_setting("language")?,
            workers: self.store.workers()?,
            signed_in: self.signed_in.clone(),
            today: clock.today,
            lock_after_minutes: self.lock_after_minutes()?,
            codes: Codes {
                child: codes_for(Kind::Child).collect(),
                pregnant_woman: codes_for(Kind::PregnantWoman).collect(),
            },
            reasons: ReasonCode::ALL.to_vec(),
            refusal_reasons: ReasonCode::ALL.iter().copied().filter(|r| r.is_refusal()).collect(),
            antigens: Antigen::ALL.to_vec(),
            sync: self.sync_state_now(&clock)?,
        })
    }

    /// `set_language`: `en`, `hi` or null (works while locked).
    pub fn set_language(&mut self, req: SetLanguageReq, clock: Clock) -> Result<(), AppError> {
        self.activity(&clock)?;
        match req.language.as_deref() {
            None => Ok(self.store.set_local_setting("language", None)?),
            Some(l @ ("en" | "hi")) => Ok(self.store.set_local_setting("language", Some(l))?),
            Some(other) => Err(AppError::invalid(format!("language '{other}' is not one of: en hi"))),
        }
    }

    /// `add_worker`: the first worker needs no sign-in; later ones need a worker signed in. The
    /// new worker is signed in.
    pub fn add_worker(&mut self, req: AddWorkerReq, clock: Clock) -> Result<Worker, AppError> {
        self.activity(&clock)?;
        if self.signed_in.is_none() && !self.store.workers()?.is_empty() {
            return Err(AppError::new("LOCKED", "a worker must be signed in to add another"));
        }
        let role: WorkerRole = code_field("role", &req.role)?;
        check_pin(&req.pin)?;
        teeka_store::required_text("name", &req.name)?;
        let hash = hash_pin(&req.pin)?;
        let ctx = Ctx { now: clock.now, today: clock.today, author: String::new() };
        let worker = self.store.add_worker(&req.name, role, &hash, &ctx)?;
        self.signed_in = Some(worker.clone());
        Ok(worker)
    }

    /// `sign_in`. After [`MAX_WRONG_PINS`] wrong PINs in a row, `PIN_WAIT` for
    /// [`PIN_WAIT_SECONDS`].
    pub fn sign_in(&mut self, req: SignInReq, clock: Clock) -> Result<Worker, AppError> {
        self.activity(&clock)?;
        if let Some(until) = self.pin_wait_until {
            // A wait longer than PIN_WAIT_SECONDS means the device clock was moved back: the
            // wait starts again from now rather than lasting until the clock catches up.
            let until = until.min(clock.now + chrono::TimeDelta::seconds(PIN_WAIT_SECONDS));
            if clock.now < until {
                self.pin_wait_until = Some(until);
                let left = (until - clock.now).num_seconds().max(1);
                return Err(AppError::new("PIN_WAIT", format!("too many wrong PINs: wait {left} s and try again")));
            }
            self.pin_wait_until = None;
            self.save_pin_state()?;
        }
        let worker = self.store.workers()?.into_iter().find(|w| w.id == req.worker_id).ok_or_else(|| {
            AppError::new("NOT_FOUND", format!("worker_id {}: no such worker on this device", req.worker_id))
        })?;
        check_pin(&req.pin)?;
        if verify_pin(&req.pin, &worker.pin_hash) {
            if self.wrong_pins > 0 {
                self.wrong_pins = 0;
                self.save_pin_state()?;
            }
            self.signed_in = Some(worker.clone());
            return Ok(worker);
        }
        self.wrong_pins += 1;
        if self.wrong_pins >= MAX_WRONG_PINS {
            self.wrong_pins = 0;
            self.pin_wait_until = Some(clock.now + chrono::TimeDelta::seconds(PIN_WAIT_SECONDS));
            self.save_pin_state()?;
            return Err(AppError::new(
                "PIN_WAIT",
                format!("{MAX_WRONG_PINS} wrong PINs in a row: wait {PIN_WAIT_SECONDS} s and try again"),
            ));
        }
        self.save_pin_state()?;
        Err(AppError::new("WRONG_PIN", format!("the PIN of {} does not match", worker.name)))
    }

    /// `lock`.
    pub fn lock(&mut self, _req: LockReq, clock: Clock) -> Result<(), AppError> {
        self.activity(&clock)?;
        self.signed_in = None;
        Ok(())
    }

    /// `touch`: the UI reports activity.
    pub fn touch(&mut self, _req: TouchReq, clock: Clock) -> Result<(), AppError> {
        self.activity(&clock)
    }

    // ----- survey -----

    /// `villages`: by name, with counts on today.
    pub fn villages(&mut self, _req: VillagesReq, clock: Clock) -> Result<Vec<Village>, AppError> {
        self.guard(&clock)?;
        Ok(self.store.village_views(clock.today)?)
    }

    /// `add_village`: the existing village when the name is already there (any case).
    pub fn add_village(&mut self, req: AddVillageReq, clock: Clock) -> Result<Village, AppError> {
        let ctx = self.guard(&clock)?;
        let id = self.store.add_village(&req.name, &ctx)?;
        Ok(self.store.village_view(id, clock.today)?)
    }

    /// `households`: of a village, by house number.
    pub fn households(&mut self, req: HouseholdsReq, clock: Clock) -> Result<Vec<Household>, AppError> {
        self.guard(&clock)?;
        Ok(self.store.household_views(req.village_id, clock.today)?)
    }

    /// `save_household`: new without `id`; otherwise every field is set as given.
    pub fn save_household(&mut self, req: SaveHouseholdReq, clock: Clock) -> Result<Household, AppError> {
        let ctx = self.guard(&clock)?;
        let risk_category: Option<RiskCategory> = req
            .risk_category
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| code_field("risk_category", r))
            .transpose()?;
        let input = HouseholdInput {
            house_no: req.house_no,
            head_of_household: req.head_of_household,
            phone: req.phone,
            risk_category,
        };
        let id = match req.id {
            Some(id) => {
                self.store.update_household(id, req.village_id, &input, &ctx)?;
                id
            }
            None => self.store.register_household(req.village_id, &input, &ctx)?,
        };
        Ok(self.store.household_view(id, clock.today)?)
    }

    /// `members` of a household.
    pub fn members(&mut self, req: MembersReq, clock: Clock) -> Result<Vec<Member>, AppError> {
        self.guard(&clock)?;
        Ok(self.store.member_views(req.household_id, clock.today)?)
    }

    /// `beneficiary`: one in full.
    pub fn beneficiary(&mut self, req: BeneficiaryReq, clock: Clock) -> Result<Beneficiary, AppError> {
        self.guard(&clock)?;
        Ok(self.store.beneficiary_view(req.register_id.trim(), clock.today)?)
    }

    /// `add_child`: exactly one of `dob` and `age_months` ([`dob_from_age_months`]); the MCP
    /// card's doses are registered with the child, all or nothing.
    pub fn add_child(&mut self, req: AddChildReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let dob = match (opt_date_field("dob", req.dob.as_deref())?, req.age_months) {
            (Some(d), None) => d,
            (None, Some(m)) => {
                if m > 72 {
                    return Err(AppError::invalid(format!(
                        "age_months {m} is over 6 years: not a child of the schedule"
                    )));
                }
                dob_from_age_months(clock.today, m)
                    .ok_or_else(|| AppError::invalid(format!("age_months {m} gives no date of birth")))?
            }
            (Some(_), Some(_)) => return Err(AppError::invalid("dob and age_months are both given: give one of them")),
            (None, None) => return Err(AppError::invalid("dob and age_months are both missing: give one of them")),
        };
        let sex: Sex = code_field("sex", &req.sex)?;
        let doses = doses_field(&req.doses)?;
        let input = BeneficiaryInput {
            kind: Kind::Child,
            name: req.name,
            sex: Some(sex),
            dob: Some(dob),
            lmp: None,
            mother_name: req.mother_name,
        };
        let (register_id, _warnings) = self.store.register_beneficiary(req.household_id, &input, &doses, &ctx)?;
        Ok(self.store.member_view(&register_id, clock.today)?)
    }

    /// `add_pregnant_woman`: exactly one of `lmp` and `edd` (LMP = EDD − 280 days).
    pub fn add_pregnant_woman(&mut self, req: AddPregnantWomanReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let lmp = match (opt_date_field("lmp", req.lmp.as_deref())?, opt_date_field("edd", req.edd.as_deref())?) {
            (Some(l), None) => l,
            (None, Some(e)) => {
                teeka_domain::model::lmp_from_edd(e).ok_or_else(|| AppError::invalid("edd is too early a date"))?
            }
            (Some(_), Some(_)) => return Err(AppError::invalid("lmp and edd are both given: give one of them")),
            (None, None) => return Err(AppError::invalid("lmp and edd are both missing: give one of them")),
        };
        let doses = doses_field(&req.doses)?;
        let input = BeneficiaryInput {
            kind: Kind::PregnantWoman,
            name: req.name,
            sex: Some(Sex::F),
            dob: None,
            lmp: Some(lmp),
            mother_name: None,
        };
        let (register_id, _warnings) = self.store.register_beneficiary(req.household_id, &input, &doses, &ctx)?;
        Ok(self.store.member_view(&register_id, clock.today)?)
    }

    /// `update_beneficiary`: the fields given change; absent ones stay.
    pub fn update_beneficiary(&mut self, req: UpdateBeneficiaryReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let mut fields = Vec::new();
        if let Some(n) = req.name {
            fields.push(BeneficiaryField::Name(n));
        }
        if let Some(s) = req.sex.as_deref() {
            fields.push(BeneficiaryField::Sex(Some(code_field("sex", s)?)));
        }
        if let Some(d) = opt_date_field("dob", req.dob.as_deref())? {
            fields.push(BeneficiaryField::Dob(Some(d)));
        }
        if let Some(d) = opt_date_field("lmp", req.lmp.as_deref())? {
            fields.push(BeneficiaryField::Lmp(Some(d)));
        }
        if let Some(m) = req.mother_name {
            fields.push(BeneficiaryField::MotherName(Some(m)));
        }
        let register_id = req.register_id.trim();
        self.store.update_beneficiary(register_id, fields, &ctx)?;
        Ok(self.store.member_view(register_id, clock.today)?)
    }

    /// `add_doses`: doses from the MCP card (all or none), with warnings about unusual ones.
    pub fn add_doses(&mut self, req: AddDosesReq, clock: Clock) -> Result<DosesAdded, AppError> {
        let ctx = self.guard(&clock)?;
        let doses = doses_field(&req.doses)?;
        let register_id = req.register_id.trim();
        let warnings = self.store.record_doses(register_id, &doses, None, &ctx)?;
        Ok(DosesAdded { member: self.store.member_view(register_id, clock.today)?, warnings })
    }

    /// `set_status`: active, migrated or died.
    pub fn set_status(&mut self, req: SetStatusReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let status: BeneficiaryStatus = code_field("status", &req.status)?;
        let register_id = req.register_id.trim();
        self.store.update_beneficiary(register_id, vec![BeneficiaryField::Status(status)], &ctx)?;
        Ok(self.store.member_view(register_id, clock.today)?)
    }

    /// `record_refusal`: records every dose due or overdue today as not given today, with the
    /// reason (any reason code; a refusal reason marks the household resistant).
    ///
    /// When nothing is due today, the refusal is recorded against the next dose(s) of the
    /// schedule (the upcoming doses with the earliest due date): the family's refusal is a fact
    /// the ANM must see, and it marks the household resistant, even between due dates. When no
    /// dose is left to give at all, it is refused (`INVALID_INPUT`).
    pub fn record_refusal(&mut self, req: RecordRefusalReq, clock: Clock) -> Result<Member, AppError> {
        let ctx = self.guard(&clock)?;
        let reason: ReasonCode = code_field("reason", &req.reason)?;
        let register_id = req.register_id.trim();
        let member = self.store.member_view(register_id, clock.today)?;
        let mut codes: Vec<DoseCode> = member.due.iter().map(|d| d.code).collect();
        if codes.is_empty() {
            let anchor = if member.kind == Kind::Child { member.dob } else { member.lmp };
            let history = self
                .store
                .beneficiary_view(register_id, clock.today)?
                .doses
                .iter()
                .map(|d| teeka_domain::Given { code: d.code, date: d.date })
                .collect::<Vec<_>>();
            if let Some(anchor) = anchor {
                let je_endemic = self.store.je_endemic_of(register_id)?;
                let states = evaluate(
                    &Subject { kind: member.kind, anchor, je_endemic },
                    &history,
                    clock.today,
                    &self.store.settings()?,
                );
                let upcoming = states.iter().filter(|s| s.status == DoseStatus::Upcoming);
                if let Some(next) = upcoming.clone().filter_map(|s| s.due_on).min() {
                    codes = upcoming.filter(|s| s.due_on == Some(next)).map(|s| s.code).collect();
                }
            }
        }
        if codes.is_empty() {
            return Err(AppError::invalid(format!(
                "register_id {register_id}: no dose is due or upcoming; nothing to refuse"
            )));
        }
        self.store.record_not_given_codes(register_id, &codes, clock.today, reason, None, &ctx)?;
        Ok(self.store.member_view(register_id, clock.today)?)
    }

    /// `search`: by name, mother's name, head of household or register id; at most 50.
    pub fn search(&mut self, req: SearchReq, clock: Clock) -> Result<Vec<Found>, AppError> {
        self.guard(&clock)?;
        Ok(self.store.search(&req.text, req.village_id, clock.today)?)
    }

    /// `similar_children`: children of the village with a similar name, born within 90 days.
    pub fn similar_children(&mut self, req: SimilarChildrenReq, clock: Clock) -> Result<Vec<Found>, AppError> {
        self.guard(&clock)?;
        let dob = opt_date_field("dob", req.dob.as_deref())?;
        Ok(self.store.similar_children(req.village_id, &req.name, dob, clock.today)?)
    }

    // ----- session -----

    /// `open_session`: the open session of that site and date if there is one. A session may
    /// not be opened in the future.
    pub fn open_session(&mut self, req: OpenSessionReq, clock: Clock) -> Result<Session, AppError> {
        let ctx = self.guard(&clock)?;
        let date = date_field("date", &req.date)?;
        if date > clock.today {
            return Err(AppError::invalid(format!("date {date} is in the future (today is {})", clock.today)));
        }
        let id = self.store.open_session(req.site_id, date, &ctx)?;
        Ok(self.store.session(id)?)
    }

    /// `sessions`: newest first.
    pub fn sessions(&mut self, _req: SessionsReq, clock: Clock) -> Result<Vec<Session>, AppError> {
        self.guard(&clock)?;
        Ok(self.store.sessions()?)
    }

    /// `session_due`.
    pub fn session_due(&mut self, req: SessionDueReq, clock: Clock) -> Result<Vec<SessionItem>, AppError> {
        self.guard(&clock)?;
        Ok(self.store.session_items(req.session_id)?)
    }

    /// `record_given`: the doses, dated the session date (all or none; `SESSION_CLOSED` when
    /// the session is closed).
    pub fn record_given(&mut self, req: RecordGivenReq, clock: Clock) -> Result<Recorded, AppError> {
        let ctx = self.guard(&clock)?;
        let codes = codes_field(&req.codes)?;
        let session = self.store.session(req.session_id)?;
        let doses: Vec<(DoseCode, Date)> = codes.iter().map(|c| (*c, session.date)).collect();
        let register_id = req.register_id.trim();
        let warnings = self.store.record_doses(register_id, &doses, Some(session.id), &ctx)?;
        Ok(Recorded { item: self.store.session_item_at(session.id, register_id)?, warnings })
    }

    /// `record_not_given`: the doses not given at the session, with the reason.
    pub fn record_not_given(&mut self, req: RecordNotGivenReq, clock: Clock) -> Result<Recorded, AppError> {
        let ctx = self.guard(&clock)?;
        let codes = codes_field(&req.codes)?;
        let reason: ReasonCode = code_field("reason", &req.reason)?;
        let session = self.store.session(req.session_id)?;
        let register_id = req.register_id.trim();
        let warnings =
            self.store.record_not_given_codes(register_id, &codes, session.date, reason, Some(session.id), &ctx)?;
        Ok(Recorded { item: self.store.session_item_at(session.id, register_id)?, warnings })
    }

    /// `report_aefi`: dated today (an AEFI may be reported after its session closed).
    pub fn report_aefi(&mut self, req: ReportAefiReq, clock: Clock) -> Result<AefiReported, AppError> {
        let ctx = self.guard(&clock)?;
        let severity: AefiSeverity = code_field("severity", &req.severity)?;
        let codes = codes_field(&req.codes)?;
        let id = self.store.report_aefi(
            req.register_id.trim(),
            req.session_id,
            clock.today,
            severity,
            &req.observed,
            codes,
            &ctx,
        )?;
        Ok(AefiReported { id })
    }

    /// `session_tally`.
    pub fn session_tally(&mut self, req: SessionTallyReq, clock: Clock) -> Result<Tally, AppError> {
        self.guard(&clock)?;
        Ok(self.store.tally(req.session_id)?)
    }

    /// `close_session`: with the vials opened per antigen.
    pub fn close_session(&mut self, req: CloseSessionReq, clock: Clock) -> Result<Session, AppError> {
        let ctx = self.guard(&clock)?;
        let vials = req
            .vials
            .iter()
            .enumerate()
            .map(|(i, v)| {
                Ok(VialsUsed { antigen: code_field(&format!("vials[{i}].antigen"), &v.antigen)?, opened: v.opened })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        self.store.close_session(req.session_id, vials, &ctx)?;
        Ok(self.store.session(req.session_id)?)
    }

    // ----- supervisor -----

    /// `coverage`: of everything and of each village, on today.
    pub fn coverage(&mut self, _req: CoverageReq, clock: Clock) -> Result<CoverageResp, AppError> {
        self.guard(&clock)?;
        let total = self.store.coverage(clock.today, None)?;
        let mut villages = Vec::new();
        for v in self.store.village_views(clock.today)? {
            villages.push(VillageCoverage {
                village_id: v.id,
                coverage: self.store.coverage(clock.today, Some(&v.name))?,
                village: v.name,
            });
        }
        Ok(CoverageResp { total, villages })
    }

    /// `follow_up`: left-out and drop-out beneficiaries with their doses due.
    pub fn follow_up(&mut self, req: FollowUpReq, clock: Clock) -> Result<Vec<SessionItem>, AppError> {
        self.guard(&clock)?;
        Ok(self.store.follow_up(req.village_id, clock.today)?)
    }

    /// `refusals`: newest first.
    pub fn refusals(&mut self, req: RefusalsReq, clock: Clock) -> Result<Vec<Refusal>, AppError> {
        self.guard(&clock)?;
        Ok(self.store.refusals(req.village_id)?)
    }

    // ----- sync -----

    /// `sync_state`: the store's part and the attached worker's (works while locked).
    pub fn sync_state(&mut self, _req: SyncStateReq, clock: Clock) -> Result<SyncState, AppError> {
        self.activity(&clock)?;
        self.sync_state_now(&clock)
    }

    fn sync_state_now(&self, clock: &Clock) -> Result<SyncState, AppError> {
        let live = self.sync.as_ref().map(sync::SyncHandle::live).unwrap_or_default();
        let kept_code = self.store.local_setting(sync::ERROR_CODE_KEY)?;
        Ok(sync::sync_state(self.store.status()?, kept_code, &live, clock.now))
    }

    /// Runs a command by name with its JSON request: what the shell forwards. A request that
    /// does not fit the command is `INVALID_INPUT` naming the field.
    pub fn call(&mut self, command: &str, req: serde_json::Value, clock: Clock) -> Result<serde_json::Value, AppError> {
        fn arg<T: DeserializeOwned>(command: &str, req: serde_json::Value) -> Result<T, AppError> {
            let req = if req.is_null() { serde_json::Value::Object(Default::default()) } else { req };
            serde_json::from_value(req).map_err(|e| AppError::invalid(format!("{command}: {e}")))
        }
        fn out<T: Serialize>(value: T) -> Result<serde_json::Value, AppError> {
            serde_json::to_value(value).map_err(|e| AppError::new("STORE_CORRUPT", e.to_string()))
        }
        match command {
            "app_state" => out(self.app_state(arg(command, req)?, clock)?),
            "set_language" => out(self.set_language(arg(command, req)?, clock)?),
            "add_worker" => out(self.add_worker(arg(command, req)?, clock)?),
            "sign_in" => out(self.sign_in(arg(command, req)?, clock)?),
            "lock" => out(self.lock(arg(command, req)?, clock)?),
            "touch" => out(self.touch(arg(command, req)?, clock)?),
            "villages" => out(self.villages(arg(command, req)?, clock)?),
            "add_village" => out(self.add_village(arg(command, req)?, clock)?),
            "households" => out(self.households(arg(command, req)?, clock)?),
            "save_household" => out(self.save_household(arg(command, req)?, clock)?),
            "members" => out(self.members(arg(command, req)?, clock)?),
            "beneficiary" => out(self.beneficiary(arg(command, req)?, clock)?),
            "add_child" => out(self.add_child(arg(command, req)?, clock)?),
            "add_pregnant_woman" => out(self.add_pregnant_woman(arg(command, req)?, clock)?),
            "update_beneficiary" => out(self.update_beneficiary(arg(command, req)?, clock)?),
            "add_doses" => out(self.add_doses(arg(command, req)?, clock)?),
            "set_status" => out(self.set_status(arg(command, req)?, clock)?),
            "record_refusal" => out(self.record_refusal(arg(command, req)?, clock)?),
            "search" => out(self.search(arg(command, req)?, clock)?),
            "similar_children" => out(self.similar_children(arg(command, req)?, clock)?),
            "open_session" => out(self.open_session(arg(command, req)?, clock)?),
            "sessions" => out(self.sessions(arg(command, req)?, clock)?),
            "session_due" => out(self.session_due(arg(command, req)?, clock)?),
            "record_given" => out(self.record_given(arg(command, req)?, clock)?),
            "record_not_given" => out(self.record_not_given(arg(command, req)?, clock)?),
            "report_aefi" => out(self.report_aefi(arg(command, req)?, clock)?),
            "session_tally" => out(self.session_tally(arg(command, req)?, clock)?),
            "close_session" => out(self.close_session(arg(command, req)?, clock)?),
            "coverage" => out(self.coverage(arg(command, req)?, clock)?),
            "follow_up" => out(self.follow_up(arg(command, req)?, clock)?),
            "refusals" => out(self.refusals(arg(command, req)?, clock)?),
            "sync_state" => out(self.sync_state(arg(command, req)?, clock)?),
            other => Err(AppError::invalid(format!("unknown command '{other}'"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_in_months_gives_the_same_day_or_the_month_end() {
        let d = |s: &str| parse_date(s).unwrap();
        assert_eq!(dob_from_age_months(d("2026-05-15"), 3), Some(d("2026-02-15")));
        assert_eq!(dob_from_age_months(d("2026-03-31"), 1), Some(d("2026-02-28")));
        assert_eq!(dob_from_age_months(d("2024-03-31"), 1), Some(d("2024-02-29")));
        assert_eq!(dob_from_age_months(d("2026-03-31"), 0), Some(d("2026-03-31")));
    }

    #[test]
    fn store_errors_keep_their_codes_or_map_to_the_app_codes() {
        assert_eq!(AppError::from(StoreError::UnknownBeneficiary("B-1".into())).code, "UNKNOWN_BENEFICIARY");
        assert_eq!(AppError::from(StoreError::UnknownVillage("X".into())).code, "NOT_FOUND");
        assert_eq!(AppError::from(StoreError::Invalid("x".into())).code, "INVALID_INPUT");
        assert_eq!(AppError::from(StoreError::SessionClosed("x".into())).code, "SESSION_CLOSED");
        let json = serde_json::to_value(AppError::invalid("name is empty")).unwrap();
        assert_eq!(json, serde_json::json!({"code": "INVALID_INPUT", "message": "name is empty"}));
    }
}
