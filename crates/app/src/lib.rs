//! The app's core: one method of [`App`] per local command of `docs/app-api.md`.
//!
//! Pure Rust over the device store: no Tauri, no clock. The shell (`src-tauri/`) passes a
//! [`Clock`] with every call and hands [`AppError`] (`{code, message}`) to the UI.
//!
//! - [`commands`]: the commands, by screen; [`views`]: what the screens show, built from the
//!   store's records with the domain's rules; [`workers`]: workers, PINs, locking.
//! - [`local_commands!`]: every local command declared once (name, request, response, read or
//!   write); the dispatch [`App::call`], the shell's Tauri commands and the UI's TypeScript
//!   `Commands` type ([`bindings`]) are generated from it.
//! - [`sync`]: the network — the background worker (which the shell starts and attaches with
//!   [`App::attach_sync`]), `enroll` and `devices`.
//!
//! Workers sign in with a PIN; the signed-in worker is kept in memory only and is the author of
//! every event. Every command counts as activity; after `lock_after_minutes` (a local setting,
//! default 5) without any, the app locks and commands that need a worker fail with `LOCKED`.

pub mod bindings;
mod commands;
mod error;
mod fields;
mod pin;
pub mod sync;
pub mod types;
mod vault;
pub mod views;
mod workers;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::{Path, PathBuf};
use teeka_domain::schedule::codes_for;
use teeka_domain::{Antigen, Kind, ReasonCode};
use teeka_store::{DataKey, FileState, Keyring, Store};

pub use commands::dob_from_age_months;
pub use error::{AppCode, AppError};
pub use pin::{check_pin, hash_pin, verify_pin};
pub use types::*;
pub use vault::StoreAccess;
pub use workers::{DEFAULT_LOCK_AFTER_MINUTES, MAX_WRONG_PINS, PIN_WAIT_SECONDS};

/// The directory of the evening packs, inside the app's data directory.
pub const PACK_DIR_NAME: &str = "evening-packs";

/// The time, from the shell: `now` (UTC) and the device's local calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// Every command the UI may invoke, declared once: `read` or `write` (a method of [`App`]; a
/// write changes the register, so the shell wakes sync after it) or `shell` (the shell's own:
/// what it does needs the shell — the sync worker, the network on a connection of its own, the
/// window), the name (the method and the command the UI invokes), the request type and the
/// response type. Each line passes to `$callback`, a macro that generates from it: [`App::call`]
/// and [`COMMANDS`] here, the UI's TypeScript (`bindings`), the Tauri commands of `read` and
/// `write` and the invoke handler in the shell.
#[macro_export]
macro_rules! local_commands {
    ($callback:ident) => {
        $callback! {
            read app_state(AppStateReq) -> AppState;
            read set_language(SetLanguageReq) -> ();
            read add_worker(AddWorkerReq) -> Worker;
            read sign_in(SignInReq) -> Worker;
            read lock(LockReq) -> ();
            read touch(TouchReq) -> ();
            read villages(VillagesReq) -> Vec<Village>;
            write add_village(AddVillageReq) -> Village;
            read households(HouseholdsReq) -> Vec<Household>;
            write save_household(SaveHouseholdReq) -> Household;
            read members(MembersReq) -> Vec<Member>;
            read beneficiary(BeneficiaryReq) -> Beneficiary;
            write add_child(AddChildReq) -> Member;
            write add_pregnant_woman(AddPregnantWomanReq) -> Member;
            write update_beneficiary(UpdateBeneficiaryReq) -> Member;
            write add_doses(AddDosesReq) -> DosesAdded;
            write set_status(SetStatusReq) -> Member;
            write record_refusal(RecordRefusalReq) -> Member;
            write record_delivery(RecordDeliveryReq) -> DeliveryDone;
            read search(SearchReq) -> Vec<Found>;
            read similar_children(SimilarChildrenReq) -> Vec<Found>;
            read similar_households(SimilarHouseholdsReq) -> Vec<Household>;
            write open_session(OpenSessionReq) -> OpenedSession;
            read sessions(SessionsReq) -> Vec<Session>;
            read session_due(SessionDueReq) -> Vec<SessionItem>;
            read session_item(SessionItemReq) -> SessionItem;
            write record_given(RecordGivenReq) -> ItemRecorded;
            write record_not_given(RecordNotGivenReq) -> ItemRecorded;
            write report_aefi(ReportAefiReq) -> AefiReported;
            write update_aefi(UpdateAefiReq) -> Aefi;
            write undo_not_given(UndoNotGivenReq) -> ItemRecorded;
            read session_tally(SessionTallyReq) -> Tally;
            write close_session(CloseSessionReq) -> Session;
            read coverage(CoverageReq) -> CoverageResp;
            read follow_up(FollowUpReq) -> Vec<FollowUpItem>;
            write set_village_asha(SetVillageAshaReq) -> Village;
            read refusals(RefusalsReq) -> Vec<Refusal>;
            read record_history(RecordHistoryReq) -> RecordHistory;
            read round_report(RoundReportReq) -> RoundReport;
            read evening_pack(EveningPackReq) -> EveningPack;
            read round_calendar(RoundCalendarReq) -> RoundCalendar;
            read sites(SitesReq) -> Vec<SiteRecord>;
            write save_site(SaveSiteReq) -> SiteRecord;
            read rounds(RoundsReq) -> Vec<Round>;
            write add_round(AddRoundReq) -> Round;
            write set_round_holiday(SetRoundHolidayReq) -> Round;
            read round_plan(RoundPlanReq) -> RoundPlanView;
            write session_not_held(SessionNotHeldReq) -> RoundPlanView;
            write reschedule_session(RescheduleSessionReq) -> RoundPlanView;
            read mop_up(MopUpReq) -> MopUp;
            read round_wastage(RoundWastageReq) -> RoundWastage;
            read site_kit(SiteKitReq) -> SiteKit;
            write open_site_session(OpenSiteSessionReq) -> OpenedSession;
            read session_ledger(SessionLedgerReq) -> SessionLedger;
            write open_vial(OpenVialReq) -> SessionLedger;
            write discard_vial(DiscardVialReq) -> SessionLedger;
            write close_ledger_session(CloseLedgerSessionReq) -> LedgerClosed;
            read case_files(CaseFilesReq) -> Vec<CaseFile>;
            write record_case_visit(RecordCaseVisitReq) -> CaseFile;
            write assign_case(AssignCaseReq) -> CaseFile;
            write escalate_case(EscalateCaseReq) -> CaseFile;
            write record_activity(RecordActivityReq) -> Activity;
            read activities(ActivitiesReq) -> Vec<Activity>;
            read sync_state(SyncStateReq) -> SyncState;
            shell sync_now(SyncNowReq) -> SyncState;
            shell enroll(EnrollReq) -> SyncState;
            shell devices(DevicesReq) -> Vec<DeviceInfo>;
            shell ui_ready(UiReadyReq) -> ();
            shell open_pack(OpenPackReq) -> ();
        }
    };
}

/// What a command is: a method of [`App`] that reads or writes the register, or the shell's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
    Shell,
}

/// One command, as declared in [`local_commands!`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    pub name: &'static str,
    pub access: Access,
}

macro_rules! access {
    (read) => {
        Access::Read
    };
    (write) => {
        Access::Write
    };
    (shell) => {
        Access::Shell
    };
}

/// One command of [`App::call`]: a method of [`App`], or the shell's (which `call` cannot run).
macro_rules! call_one {
    (shell $self:ident $name:ident($req:ty) -> $resp:ty; $command:ident $json:ident $clock:ident) => {{
        let _ = (&$json, $clock);
        Err(AppError::invalid(format!("{}: the shell's command, not the core's", $command)))
    }};
    ($access:ident $self:ident $name:ident($req:ty) -> $resp:ty; $command:ident $json:ident $clock:ident) => {{
        let req: $req = request($command, $json)?;
        let answer: $resp = $self.$name(req, $clock)?;
        answer_json(&answer)
    }};
}

macro_rules! dispatch {
    ($($access:ident $name:ident($req:ty) -> $resp:ty;)*) => {
        /// Every command, in the order declared.
        pub const COMMANDS: &[Command] = &[$(Command { name: stringify!($name), access: access!($access) },)*];

        impl App {
            /// Runs a command of the core by name with its JSON request: what tests and scripts
            /// use (the shell generates its Tauri commands from the same declaration). A request
            /// that does not fit the command is `INVALID_INPUT` naming the command and the field.
            pub fn call(
                &mut self,
                command: &str,
                req: serde_json::Value,
                clock: Clock,
            ) -> Result<serde_json::Value, AppError> {
                $(
                    if command == stringify!($name) {
                        return call_one!($access self $name($req) -> $resp; command req clock);
                    }
                )*
                Err(AppError::invalid(format!("unknown command '{command}'")))
            }
        }
    };
}

local_commands!(dispatch);

/// A command's request from its JSON (`null` counts as `{}`): a malformed one is
/// `INVALID_INPUT` naming the command and the field.
pub fn request<T: DeserializeOwned>(command: &str, req: serde_json::Value) -> Result<T, AppError> {
    let req = if req.is_null() { serde_json::Value::Object(Default::default()) } else { req };
    serde_json::from_value(req).map_err(|e| AppError::invalid(format!("{command}: {e}")))
}

/// A command's answer as JSON.
pub fn answer_json<T: Serialize>(value: &T) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(value).map_err(|e| AppError::new(AppCode::Internal, format!("cannot encode the answer: {e}")))
}

/// The app's core, over one device store.
pub struct App {
    /// The store, once open: at once for a store in memory or a new device's, else after the
    /// first sign-in has unwrapped its key (`vault`).
    store: Option<Store>,
    /// The data key's wraps and what the lock screen needs.
    keys: Keyring,
    /// Whether the store may be opened, shared with the sync worker and the shell.
    access: StoreAccess,
    /// The data key, once unwrapped (kept in memory while the app runs).
    key: Option<DataKey>,
    /// The sync summary last kept in the keyring, and when (`keep_summary`).
    summary_kept: Option<(sync::Summary, DateTime<Utc>)>,
    signed_in: Option<Worker>,
    last_activity: Option<DateTime<Utc>>,
    wrong_pins: u32,
    pin_wait_until: Option<DateTime<Utc>>,
    /// The background sync worker, once attached: the live part of the sync state.
    sync: Option<sync::SyncHandle>,
    /// Where the evening packs are saved: `evening-packs` beside the store, or what the shell
    /// sets ([`App::set_pack_dir`]); none for an in-memory store until set.
    pack_dir: Option<PathBuf>,
}

impl App {
    /// Opens the app over the store at `path` and its keyring beside it (`<path>.keys`). Nobody
    /// is signed in; an encrypted store stays closed until a PIN unwraps its key. A plain store
    /// (a new device's, or one from before encryption) is opened at once and encrypted when a
    /// worker is added or signs in.
    pub fn open(path: &Path) -> Result<App, AppError> {
        let mut keys = Keyring::open(&Keyring::path_for(path))?;
        let wrapped = !keys.is_empty()?;
        let store = match (teeka_store::file_state(path)?, wrapped) {
            (FileState::Encrypted, false) => {
                return Err(AppError::new(
                    AppCode::StoreCorrupt,
                    format!("{} is encrypted and its keyring holds no key for it", path.display()),
                ))
            }
            // Encrypted, or its encryption cut short: opened with the key at sign-in.
            (_, true) => None,
            (_, false) => Some(Store::open(path)?),
        };
        let setup = match &store {
            Some(s) => {
                workers::carry_settings(s, &mut keys)?;
                s.workers()?.is_empty()
            }
            None => false,
        };
        let mut app = App::with(store, keys, StoreAccess::new(Some(path.to_path_buf()), setup));
        app.pack_dir = path.parent().map(|dir| dir.join(PACK_DIR_NAME));
        Ok(app)
    }

    /// An app over a store in memory, plain, with its keyring in memory (tests).
    pub fn open_in_memory() -> Result<App, AppError> {
        Ok(App::with(Some(Store::open_in_memory()?), Keyring::open_in_memory()?, StoreAccess::new(None, false)))
    }

    fn with(store: Option<Store>, keys: Keyring, access: StoreAccess) -> App {
        let (wrong_pins, pin_wait_until) = workers::pin_state(&keys);
        App {
            store,
            keys,
            access,
            key: None,
            summary_kept: None,
            signed_in: None,
            last_activity: None,
            wrong_pins,
            pin_wait_until,
            sync: None,
            pack_dir: None,
        }
    }

    /// How the sync worker and the shell's connections open the store ([`sync::start`]).
    pub fn access(&self) -> StoreAccess {
        self.access.clone()
    }

    /// Where `evening_pack` saves its files (the shell's: the app's data directory); created
    /// when a pack is made.
    pub fn set_pack_dir(&mut self, dir: PathBuf) {
        self.pack_dir = Some(dir);
    }

    /// The store, once open (`LOCKED` before the first sign-in).
    pub fn store(&self) -> Result<&Store, AppError> {
        self.store.as_ref().ok_or_else(AppError::locked)
    }

    /// The store, mutably, once open.
    pub fn store_mut(&mut self) -> Result<&mut Store, AppError> {
        self.store.as_mut().ok_or_else(AppError::locked)
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

    /// `app_state` (works while locked).
    pub fn app_state(&mut self, _req: AppStateReq, clock: Clock) -> Result<AppState, AppError> {
        self.activity(&clock)?;
        Ok(AppState {
            language: self.keys.setting(workers::LANGUAGE_KEY)?,
            workers: self.workers()?,
            signed_in: self.signed_in.clone(),
            today: clock.today,
            lock_after_minutes: self.lock_after_minutes()?,
            pin_wait_seconds: self.pin_wait_left(clock.now),
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

    // ----- sync -----

    /// `sync_state`: the store's part and the attached worker's (works while locked).
    pub fn sync_state(&mut self, _req: SyncStateReq, clock: Clock) -> Result<SyncState, AppError> {
        self.activity(&clock)?;
        self.sync_state_now(&clock)
    }

    pub(crate) fn sync_state_now(&mut self, clock: &Clock) -> Result<SyncState, AppError> {
        let live = self.sync.as_ref().map(sync::SyncHandle::live).unwrap_or_default();
        let Some(store) = &self.store else {
            let kept = self.keys.setting(sync::SUMMARY_KEY)?.and_then(|s| serde_json::from_str(&s).ok());
            return Ok(sync::locked_state(&live, kept));
        };
        let kept_code = store.local_setting(sync::ERROR_CODE_KEY)?;
        let state = sync::sync_state(store.status()?, kept_code, &live, clock.now);
        self.keep_summary(&state, clock.now)?;
        Ok(state)
    }

    /// Keeps what the sync state says for the lock screen after a restart: at once when the
    /// enrollment changed, else (new counts) at most once a minute, so that a day of records is
    /// not a day of extra durable writes.
    fn keep_summary(&mut self, state: &SyncState, now: DateTime<Utc>) -> Result<(), AppError> {
        let summary = sync::Summary::of(state);
        let due = match &self.summary_kept {
            None => true,
            Some((kept, at)) => {
                *kept != summary && (!kept.same_enrollment(&summary) || now - *at >= chrono::TimeDelta::minutes(1))
            }
        };
        if due {
            let json = serde_json::to_string(&summary)
                .map_err(|e| AppError::new(AppCode::Internal, format!("cannot keep the sync summary: {e}")))?;
            self.keys.set_setting(sync::SUMMARY_KEY, Some(&json))?;
            self.summary_kept = Some((summary, now));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teeka_domain::parse_date;

    #[test]
    fn age_in_months_gives_the_same_day_or_the_month_end() {
        let d = |s: &str| parse_date(s).unwrap_or_default();
        assert_eq!(dob_from_age_months(d("2026-05-15"), 3), Some(d("2026-02-15")));
        assert_eq!(dob_from_age_months(d("2026-03-31"), 1), Some(d("2026-02-28")));
        assert_eq!(dob_from_age_months(d("2024-03-31"), 1), Some(d("2024-02-29")));
        assert_eq!(dob_from_age_months(d("2026-03-31"), 0), Some(d("2026-03-31")));
    }

    #[test]
    fn every_command_is_declared_once_and_dispatched() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a command is declared twice");
        let mut app = App::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let clock = Clock { now: Utc::now(), today: parse_date("2026-11-22").unwrap_or_default() };
        for c in COMMANDS.iter().filter(|c| c.access != Access::Shell) {
            // Every declared command reaches its method: none is an unknown command.
            if let Err(e) = app.call(c.name, serde_json::json!({"unexpected_field": 1}), clock) {
                assert!(!e.message.contains("unknown command"), "{}: {}", c.name, e.message);
            }
        }
        assert!(app.call("no_such", serde_json::Value::Null, clock).is_err());
    }
}
