//! `teeka`: the device core from a command line. Thin: parse arguments, read the clock once,
//! call the store, print. The commands and their output shapes are documented in docs/cli.md
//! and are a stable interface.

mod cases;
mod table;

// The due list of a block allocates and frees much; mimalloc keeps that cheap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Context;
use chrono::{Local, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use teeka_domain::calendar;
use teeka_domain::codes::NotHeldReason;
use teeka_domain::kit::{TableErrors, VaccineTable};
use teeka_domain::monitor_render;
use teeka_domain::plan::{Capacity, SessionNorms};
use teeka_domain::register::{parse_register, write_register};
use teeka_domain::{
    iso, parse_date, Antigen, BeneficiaryField, Date, DeliveryOutcome, DiscardReason, DoseCode, IdKind, ReasonCode, Sex,
};
use teeka_store::{Ctx, Store, StoreError};
use teeka_sync::machine::{Config, Outcome, Progress};
use teeka_sync::SyncError;
use uuid::Uuid;

/// One sync run; progress on stderr at most once a second; exit status from the outcome.
fn sync(store: &mut Store, server: Option<&str>, out: &mut impl Write) -> anyhow::Result<()> {
    let mut last_report = std::time::Instant::now();
    let report = |p: Progress| {
        if last_report.elapsed() >= std::time::Duration::from_secs(1) {
            eprintln!("sync: {} pushed, {} pulled…", p.pushed, p.pulled);
            last_report = std::time::Instant::now();
        }
    };
    let outcome = runtime()?.block_on(teeka_sync::sync(store, server, Config::default(), report))?;
    match outcome {
        Outcome::Complete(p) => {
            writeln!(
                out,
                "sync complete: {} records pushed, {} pulled, in {} round trip{}",
                p.pushed,
                p.pulled,
                p.round_trips,
                if p.round_trips == 1 { "" } else { "s" }
            )?;
            if p.set_aside > 0 {
                eprintln!(
                    "warning: {} records were refused by the server and set aside; see `teeka status`",
                    p.set_aside
                );
            }
            Ok(())
        }
        Outcome::Failed { progress, error, code, retryable } => {
            let pending = store.pending_count()?;
            let hint =
                if retryable { "nothing is lost; sync again when the signal returns" } else { "see your supervisor" };
            Err(SyncFailed {
                code: code.map_or("NETWORK", |c| c.as_str()),
                message: format!(
                    "sync incomplete after {} pushed and {} pulled: {error}; {pending} records still pending ({hint})",
                    progress.pushed, progress.pulled
                ),
            }
            .into())
        }
    }
}

#[derive(Parser)]
#[command(name = "teeka", version, about = "Teeka: the offline immunization register, due list and session record")]
struct Cli {
    /// The store file (created on first use).
    #[arg(long, env = "TEEKA_DB", global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// The passphrase of an encrypted store, read from FILE (its first line); else from the
    /// environment variable TEEKA_PASSPHRASE. Given to a plain store, it encrypts it in place.
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Who is recording (kept on every event).
    #[arg(long, env = "TEEKA_AUTHOR", global = true, value_name = "NAME")]
    author: Option<String>,
    /// The calendar date to treat as today (default: the device's date). For tests and replays.
    #[arg(long, env = "TEEKA_TODAY", global = true, value_name = "DATE", value_parser = date_arg)]
    today: Option<Date>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import data into the store.
    #[command(subcommand)]
    Import(Import),
    /// Who is due for what on a date.
    DueList {
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        on: Date,
        #[arg(long, value_name = "NAME")]
        village: Option<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Record a dose given, or a dose not given and why.
    #[command(subcommand)]
    Record(Record),
    /// Everything in the store (or one village's): JSON, the register CSV, or FHIR documents.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Only this village's beneficiaries.
        #[arg(long, value_name = "NAME")]
        village: Option<String>,
    },
    /// Coverage: FIC %, drop-out rates, left-outs and drop-outs.
    Coverage {
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        on: Date,
        #[arg(long, value_name = "NAME")]
        village: Option<String>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// A beneficiary's national identifiers.
    #[command(subcommand)]
    Beneficiary(Beneficiary),
    /// Village settings.
    #[command(subcommand)]
    Village(Village),
    /// Device settings.
    #[command(subcommand)]
    Settings(Settings),
    /// Enroll this device with the server, using a one-time code from the supervisor.
    Enroll {
        /// The server's address, e.g. https://teeka.example.org
        #[arg(long, value_name = "URL")]
        server: String,
        #[arg(long)]
        code: String,
        /// Pin the server's certificate (PEM: its own self-signed certificate, or the authority
        /// that issued it): the device then trusts that certificate only, not the system's.
        #[arg(long, value_name = "FILE")]
        server_cert: Option<PathBuf>,
    },
    /// Push this device's pending records and pull its area's new ones.
    Sync {
        /// Use this server for this run instead of the enrolled one.
        #[arg(long, value_name = "URL")]
        server: Option<String>,
    },
    /// Sync state: pending records, last success, last error, records set aside.
    Status {
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Campaign planning: the round calendar, the microplan's sites, rounds, the session plan,
    /// a site's carry kit and the mop-up list.
    #[command(subcommand)]
    Plan(Plan),
    /// A session at a microplan site and its vial ledger.
    #[command(subcommand)]
    Session(Session),
    /// A round's report: sessions planned and held, the due list covered, FIC, refusals, AEFI
    /// and wastage, for a village, the enrolled area or everything this store holds.
    Report {
        #[arg(long, value_name = "N")]
        round: u32,
        /// A village's name (default: the enrolled area, else every area of this store).
        #[arg(long, value_name = "NAME")]
        village: Option<String>,
        /// The report's date (default: today).
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        on: Option<Date>,
        /// A state's vaccine table (CSV; docs/formats.md) in place of the default's rows.
        #[arg(long, value_name = "FILE")]
        vaccine_table: Option<PathBuf>,
        #[command(flatten)]
        norms: NormArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Resistant families' case files: list, visits, assignment, escalation.
    #[command(subcommand)]
    Refusals(cases::Refusals),
    /// Communication activities: mothers' meetings, community meetings, announcements,
    /// rallies, miking.
    #[command(subcommand)]
    Activity(cases::Activity),
}

#[derive(Subcommand)]
enum Session {
    /// Opens a session at a site on a date (the open one of that site and date is resumed).
    /// Prints the session's id last.
    Open {
        /// The site's microplan id (S-01).
        #[arg(long, value_name = "SITE")]
        site: String,
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        date: Date,
    },
    /// The vials of a session.
    #[command(subcommand)]
    Vial(Vial),
    /// Closes a session: the vials the open-vial policy does not cover are discarded, the
    /// others carried forward.
    Close {
        #[arg(long, value_name = "ID")]
        session: Uuid,
        /// A state's vaccine table (CSV; docs/formats.md) in place of the default's rows.
        #[arg(long, value_name = "FILE")]
        vaccine_table: Option<PathBuf>,
    },
    /// A session's vial ledger: its vials with the time left, doses given and wastage.
    Show {
        #[arg(long, value_name = "ID")]
        session: Uuid,
        #[arg(long, value_name = "FILE")]
        vaccine_table: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Subcommand)]
enum Vial {
    /// Opens a vial at an open session, now. Prints the vial's id last.
    Open {
        #[arg(long, value_name = "ID")]
        session: Uuid,
        #[arg(long, value_name = "A", value_parser = antigen_arg)]
        antigen: Antigen,
        #[arg(long, value_name = "B")]
        batch: Option<String>,
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        expiry: Option<Date>,
        /// The vaccine vial monitor's stage, 1 to 4 (3 and 4 are past the discard point).
        #[arg(long, value_name = "1-4")]
        vvm: Option<u8>,
    },
    /// Discards an open vial, now.
    Discard {
        #[arg(long, value_name = "ID")]
        vial: Uuid,
        #[arg(long, value_name = "R", value_parser = discard_arg)]
        reason: DiscardReason,
    },
}

#[derive(Subcommand)]
enum Plan {
    /// A round's working days: from START, skipping Sundays, the RI days and the holidays.
    Calendar {
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        start: Date,
        #[arg(long, value_name = "N", default_value_t = calendar::DEFAULT_WORKING_DAYS)]
        working_days: u32,
        /// Weekdays skipped besides Sunday, e.g. wed,sat.
        #[arg(long, value_name = "DAYS", value_parser = weekdays_arg, default_value = "")]
        ri_days: calendar::Weekdays,
        /// One YYYY-MM-DD per line; `#` starts a comment.
        #[arg(long, value_name = "FILE")]
        holidays: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// The microplan's session sites.
    #[command(subcommand)]
    Sites(PlanSites),
    /// Campaign rounds: their days and holidays.
    #[command(subcommand)]
    Round(PlanRound),
    /// A round's session plan: each site's sessions on the round's days, who is expected.
    Sessions {
        #[arg(long, value_name = "N")]
        round: u32,
        #[command(flatten)]
        norms: NormArgs,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// What happened to a planned session: not held, or moved to another round day.
    #[command(subcommand)]
    Session(PlanSession),
    /// Who of the round's due list at a site is still due on a day of the round, with their
    /// last reason for a dose not given.
    MopUp {
        #[arg(long, value_name = "N")]
        round: u32,
        #[arg(long, value_name = "SITE")]
        site: String,
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        on: Date,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// What a vaccine carrier must hold for a site's due list on a day.
    Kit {
        /// The site's microplan id (S-01).
        #[arg(long, value_name = "SITE")]
        site: String,
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        on: Date,
        /// A state's vaccine table (CSV; docs/formats.md) in place of the default's rows.
        #[arg(long, value_name = "FILE")]
        vaccine_table: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Subcommand)]
enum PlanSites {
    /// The sites CSV of the microplan (docs/formats.md, "Session sites"). All rows or none.
    Import { file: PathBuf },
    /// The sites in the store.
    List {
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Subcommand)]
enum PlanRound {
    /// Defines a round: its number, first day, working days, RI days and holidays.
    Add {
        #[arg(long, value_name = "N")]
        number: u32,
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        start: Date,
        #[arg(long, value_name = "N", default_value_t = calendar::DEFAULT_WORKING_DAYS)]
        working_days: u32,
        /// Weekdays skipped besides Sunday, e.g. wed,sat.
        #[arg(long, value_name = "DAYS", value_parser = weekdays_arg, default_value = "")]
        ri_days: calendar::Weekdays,
        /// One YYYY-MM-DD per line; `#` starts a comment.
        #[arg(long, value_name = "FILE")]
        holidays: Option<PathBuf>,
    },
    /// Declares a day of a round a holiday (or, with --remove, a working day again).
    Holiday {
        #[arg(long, value_name = "N")]
        number: u32,
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        date: Date,
        #[arg(long)]
        remove: bool,
    },
    /// The rounds in the store, with their working days.
    List {
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Subcommand)]
enum PlanSession {
    /// Marks the session the plan has at a site on a day as not held, and why.
    NotHeld {
        #[arg(long, value_name = "N")]
        round: u32,
        #[arg(long, value_name = "SITE")]
        site: String,
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        date: Date,
        #[arg(long, value_parser = not_held_arg)]
        reason: NotHeldReason,
        /// What happened, in a few words (required with --reason OTHER; at most 100 characters).
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        norms: NormArgs,
    },
    /// Moves the session the plan has at a site on a day to another working day of the round.
    Move {
        #[arg(long, value_name = "N")]
        round: u32,
        #[arg(long, value_name = "SITE")]
        site: String,
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        date: Date,
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        to: Date,
        #[command(flatten)]
        norms: NormArgs,
    },
}

/// The session-size norms: injections per session, MIN-MAX, by site type.
#[derive(clap::Args)]
struct NormArgs {
    /// Injections per session at a fixed site.
    #[arg(long, value_name = "MIN-MAX", value_parser = capacity_arg, default_value = "40-70")]
    fixed_size: Capacity,
    /// Injections per session at an outreach site.
    #[arg(long, value_name = "MIN-MAX", value_parser = capacity_arg, default_value = "25-50")]
    outreach_size: Capacity,
    /// Injections per session of a mobile team.
    #[arg(long, value_name = "MIN-MAX", value_parser = capacity_arg, default_value = "25-50")]
    mobile_size: Capacity,
}

impl NormArgs {
    fn norms(&self) -> SessionNorms {
        SessionNorms { fixed: self.fixed_size, outreach: self.outreach_size, mobile: self.mobile_size }
    }
}

#[derive(Subcommand)]
enum Import {
    /// A head-count survey register (CSV; see docs/formats.md). All rows or none.
    Register { file: PathBuf },
    /// FHIR ImmunizationRecord documents: NDJSON (one Bundle per line), one Bundle, or a
    /// collection Bundle (docs/formats.md, "FHIR"). All or nothing.
    Fhir {
        file: PathBuf,
        /// The village of a Patient whose address names none.
        #[arg(long, value_name = "NAME")]
        village: Option<String>,
    },
}

#[derive(Subcommand)]
enum Record {
    /// A dose given.
    Dose {
        #[arg(long)]
        register_id: String,
        #[arg(long, value_parser = code_arg)]
        code: DoseCode,
        #[arg(long, value_parser = date_arg)]
        date: Date,
        /// The open session it was given at.
        #[arg(long, value_name = "ID")]
        session: Option<Uuid>,
    },
    /// A dose due that was not given, and why.
    NotGiven {
        #[arg(long)]
        register_id: String,
        #[arg(long, value_parser = code_arg)]
        code: DoseCode,
        #[arg(long, value_parser = date_arg)]
        date: Date,
        #[arg(long, value_parser = reason_arg)]
        reason: ReasonCode,
        /// What the reason was, in a few words (required with --reason OTHER; at most 100
        /// characters).
        #[arg(long)]
        note: Option<String>,
    },
    /// How a pregnant woman's pregnancy ended; each live-born newborn is registered.
    Delivery {
        /// The mother's register id.
        #[arg(long)]
        mother: String,
        #[arg(long, value_parser = date_arg)]
        date: Date,
        #[arg(long, value_parser = outcome_arg)]
        outcome: DeliveryOutcome,
        /// A newborn as NAME:SEX (SEX M, F or O), once per newborn.
        #[arg(long, value_parser = newborn_arg)]
        newborn: Vec<(String, Option<Sex>)>,
    },
}

#[derive(Subcommand)]
enum Beneficiary {
    /// Set (or, given empty, clear) a beneficiary's ABHA number, RCH ID or U-WIN id; those not
    /// given stay as they are.
    SetIds {
        #[arg(long)]
        register_id: String,
        /// The ABHA number: 14 digits, e.g. 22-7225-4829-5255 (dashes and spaces allowed).
        #[arg(long)]
        abha: Option<String>,
        /// The RCH ID: 12 digits.
        #[arg(long)]
        rch_id: Option<String>,
        /// The U-WIN id: 4 to 32 letters, digits or dashes.
        #[arg(long)]
        uwin_id: Option<String>,
    },
}

#[derive(Subcommand)]
enum Village {
    /// List the villages in the store.
    List,
    /// Change a village's settings.
    Set {
        name: String,
        /// Whether Japanese encephalitis vaccine is given in this village.
        #[arg(long, action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
        je_endemic: bool,
    },
}

#[derive(Subcommand)]
enum Settings {
    /// Print the settings as JSON.
    Show,
    /// Days after its due date at which a dose not given becomes overdue (default 28).
    SetOverdueGraceDays { days: u32 },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Csv,
    /// NDJSON: one FHIR R4 document Bundle per beneficiary per line.
    Fhir,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Table,
    Json,
}

fn date_arg(s: &str) -> Result<Date, String> {
    parse_date(s).map_err(|e| e.to_string())
}

fn weekdays_arg(s: &str) -> Result<calendar::Weekdays, String> {
    calendar::Weekdays::parse(s).map_err(|e| e.to_string())
}

fn not_held_arg(s: &str) -> Result<NotHeldReason, String> {
    s.parse().map_err(|e: teeka_domain::UnknownCode| e.to_string())
}

/// `40-70`: the least and the most injections of one session.
fn capacity_arg(s: &str) -> Result<Capacity, String> {
    let bad = || format!("'{s}' is not MIN-MAX injections per session (e.g. 40-70, MAX at least 1)");
    let (min, max) = s.split_once('-').ok_or_else(bad)?;
    let (min, max): (u32, u32) = (min.trim().parse().map_err(|_| bad())?, max.trim().parse().map_err(|_| bad())?);
    if max == 0 || min > max || max > 1000 {
        return Err(bad());
    }
    Ok(Capacity { min, max })
}

/// A store error with the flag it is about, when it is about one (`--working-days: …`).
fn at_flag(round_flag: &'static str) -> impl Fn(StoreError) -> anyhow::Error {
    move |e| {
        let flag = match &e {
            StoreError::UnknownSite(_) => Some("--site".to_string()),
            StoreError::UnknownRound(_) | StoreError::RoundExists { .. } => Some(round_flag.to_string()),
            e => e.field().map(|f| format!("--{}", f.replace('_', "-"))),
        };
        match flag {
            Some(flag) => anyhow::Error::new(e).context(flag),
            None => e.into(),
        }
    }
}

fn code_arg(s: &str) -> Result<DoseCode, String> {
    s.parse().map_err(|e: teeka_domain::UnknownCode| e.to_string())
}

fn antigen_arg(s: &str) -> Result<Antigen, String> {
    s.trim().to_ascii_uppercase().parse().map_err(|e: teeka_domain::UnknownCode| e.to_string())
}

fn discard_arg(s: &str) -> Result<DiscardReason, String> {
    s.trim().to_ascii_uppercase().parse().map_err(|e: teeka_domain::UnknownCode| e.to_string())
}

fn reason_arg(s: &str) -> Result<ReasonCode, String> {
    s.parse().map_err(|e: teeka_domain::UnknownCode| e.to_string())
}

fn outcome_arg(s: &str) -> Result<DeliveryOutcome, String> {
    s.parse().map_err(|e: teeka_domain::UnknownCode| e.to_string())
}

/// `NAME:SEX`, split at the last colon (a name may hold one).
fn newborn_arg(s: &str) -> Result<(String, Option<Sex>), String> {
    let (name, sex) = s.rsplit_once(':').ok_or_else(|| format!("'{s}' is not NAME:SEX (e.g. \"Baby of Kamla:F\")"))?;
    let sex: Sex = sex.parse().map_err(|e: teeka_domain::UnknownCode| e.to_string())?;
    Ok((name.to_string(), Some(sex)))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e
                .downcast_ref::<StoreError>()
                .map(StoreError::code)
                .or_else(|| e.downcast_ref::<SyncError>().map(SyncError::code))
                .or_else(|| e.downcast_ref::<SyncFailed>().map(|f| f.code))
                .or_else(|| e.downcast_ref::<calendar::CalendarError>().map(calendar::CalendarError::code))
                .or_else(|| e.downcast_ref::<TableErrors>().map(TableErrors::code))
                .unwrap_or("ERROR");
            eprintln!("error[{code}]: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A sync run that did not complete.
#[derive(Debug)]
struct SyncFailed {
    code: &'static str,
    message: String,
}

impl std::fmt::Display for SyncFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyncFailed {}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

/// `teeka plan calendar`: needs no store.
fn plan_calendar(round: calendar::RoundDays, format: ReportFormat, out: &mut impl Write) -> anyhow::Result<()> {
    let days = round.days()?;
    match format {
        ReportFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "days": calendar::iso_days(&days) }))?
        )?,
        ReportFormat::Table => out.write_all(table::calendar_table(&round, &days).as_bytes())?,
    }
    Ok(())
}

fn read_holidays(file: Option<&PathBuf>) -> anyhow::Result<std::collections::BTreeSet<Date>> {
    let Some(file) = file else { return Ok(Default::default()) };
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    calendar::parse_holidays(&text).with_context(|| format!("{} was refused", file.display()))
}

/// `teeka plan sites|round|sessions|session|mop-up`: the plan in the store.
fn plan_command(store: &mut Store, plan: Plan, ctx: &Ctx, out: &mut impl Write) -> anyhow::Result<()> {
    fn json(out: &mut impl Write, v: &impl serde::Serialize) -> anyhow::Result<()> {
        writeln!(out, "{}", serde_json::to_string_pretty(v)?)?;
        Ok(())
    }
    #[derive(serde::Serialize)]
    struct Sites<'a> {
        sites: &'a [teeka_store::SiteRecord],
    }
    #[derive(serde::Serialize)]
    struct Rounds<'a> {
        rounds: &'a [teeka_store::RoundRecord],
    }
    match plan {
        Plan::Calendar { .. } => {}
        Plan::Kit { site, on, vaccine_table: file, format } => {
            let vaccines = vaccine_table(file.as_ref())?;
            let kit = store.site_kit(&site, on, &vaccines).map_err(at_flag("--site"))?;
            match format {
                ReportFormat::Json => json(out, &kit)?,
                ReportFormat::Table => out.write_all(table::kit_table(&kit).as_bytes())?,
            }
        }
        Plan::Sites(PlanSites::Import { file }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let s = store.import_sites(&bytes, ctx).with_context(|| format!("{} was refused", file.display()))?;
            writeln!(
                out,
                "imported {} site{} ({} new, {} changed, {} unchanged)",
                s.rows,
                if s.rows == 1 { "" } else { "s" },
                s.new,
                s.changed,
                s.unchanged
            )?;
        }
        Plan::Sites(PlanSites::List { format }) => {
            let sites = store.sites()?;
            match format {
                ReportFormat::Json => json(out, &Sites { sites: &sites })?,
                ReportFormat::Table => out.write_all(table::sites_table(&sites).as_bytes())?,
            }
        }
        Plan::Round(PlanRound::Add { number, start, working_days, ri_days, holidays }) => {
            let holidays = read_holidays(holidays.as_ref())?;
            let r =
                store.add_round(number, start, working_days, &ri_days, &holidays, ctx).map_err(at_flag("--number"))?;
            writeln!(out, "round {number} added: {}", table::round_span(&r))?;
        }
        Plan::Round(PlanRound::Holiday { number, date, remove }) => {
            let r = store.set_round_holiday(number, date, !remove, ctx).map_err(at_flag("--number"))?;
            let what = if remove { "a working day again" } else { "a holiday" };
            writeln!(out, "round {number}: {} is {what}; {}", iso(date), table::round_span(&r))?;
        }
        Plan::Round(PlanRound::List { format }) => {
            let rounds = store.rounds()?;
            match format {
                ReportFormat::Json => json(out, &Rounds { rounds: &rounds })?,
                ReportFormat::Table => out.write_all(table::rounds_table(&rounds).as_bytes())?,
            }
        }
        Plan::Sessions { round, norms, format } => {
            let plan = store.round_plan(round, &norms.norms()).map_err(at_flag("--round"))?;
            match format {
                ReportFormat::Json => json(out, &plan)?,
                ReportFormat::Table => out.write_all(table::plan_table(&plan).as_bytes())?,
            }
        }
        Plan::Session(PlanSession::NotHeld { round, site, date, reason, note, norms }) => {
            store
                .session_not_held(round, &site, date, reason, note.as_deref(), &norms.norms(), ctx)
                .map_err(at_flag("--round"))?;
            writeln!(out, "round {round}: the session at {site} on {} was not held: {reason}", iso(date))?;
        }
        Plan::Session(PlanSession::Move { round, site, date, to, norms }) => {
            store.reschedule_session(round, &site, date, to, &norms.norms(), ctx).map_err(at_flag("--round"))?;
            writeln!(out, "round {round}: the session at {site} on {} moves to {}", iso(date), iso(to))?;
        }
        Plan::MopUp { round, site, on, format } => {
            let m = store.mop_up(round, &site, on).map_err(at_flag("--round"))?;
            match format {
                ReportFormat::Json => json(out, &m)?,
                ReportFormat::Table => out.write_all(table::mop_up_table(&m).as_bytes())?,
            }
        }
    }
    Ok(())
}

/// The vaccine table: the default, with the rows of `file` in place of its own.
fn vaccine_table(file: Option<&PathBuf>) -> anyhow::Result<VaccineTable> {
    let Some(file) = file else { return Ok(VaccineTable::default()) };
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    VaccineTable::with_file(&text).with_context(|| format!("{} was refused", file.display()))
}

/// The store's passphrase: the first line of `file`, else `TEEKA_PASSPHRASE`, else none (a plain
/// store). Never a flag's value, which other users of the machine could read.
fn passphrase(file: Option<&Path>) -> anyhow::Result<Option<zeroize::Zeroizing<String>>> {
    if let Some(file) = file {
        let text = zeroize::Zeroizing::new(
            std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the passphrase file {}", file.display()))?,
        );
        let line = text.lines().next().unwrap_or_default();
        if line.is_empty() {
            return Err(StoreError::InvalidField {
                field: "passphrase".into(),
                message: format!("the passphrase file {} is empty", file.display()),
            }
            .into());
        }
        return Ok(Some(zeroize::Zeroizing::new(line.to_string())));
    }
    Ok(std::env::var("TEEKA_PASSPHRASE").ok().map(zeroize::Zeroizing::new))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Plan(Plan::Calendar { start, working_days, ri_days, holidays, format }) = &cli.command {
        let round = calendar::RoundDays {
            start: *start,
            working_days: *working_days,
            ri_days: ri_days.clone(),
            holidays: read_holidays(holidays.as_ref())?,
        };
        let mut out = std::io::stdout().lock();
        plan_calendar(round, *format, &mut out)?;
        out.flush()?;
        return Ok(());
    }
    let db = cli.db.context("no store given: pass --db PATH or set TEEKA_DB")?;
    let passphrase = passphrase(cli.passphrase_file.as_deref())?;
    let mut store = teeka_store::open_with_passphrase(&db, passphrase.as_deref().map(|p| p.as_str()))
        .with_context(|| format!("cannot open the store {}", db.display()))?;
    let ctx = Ctx {
        now: Utc::now(),
        today: cli.today.unwrap_or_else(|| Local::now().date_naive()),
        author: cli.author.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "unknown".into()),
        worker: None,
    };
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Import(Import::Register { file }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows = parse_register(&bytes, ctx.today)
                .map_err(StoreError::from)
                .with_context(|| format!("{} was refused", file.display()))?;
            let s = store.import_register(&rows, &ctx).with_context(|| format!("{} was refused", file.display()))?;
            for w in &s.warnings {
                eprintln!("warning: {w}");
            }
            writeln!(
                out,
                "imported {} rows: {} villages, {} households ({} updated), {} beneficiaries ({} updated), {} doses ({} corrected) added",
                s.rows,
                s.villages_added,
                s.households_added,
                s.households_updated,
                s.beneficiaries_added,
                s.beneficiaries_updated,
                s.doses_added,
                s.doses_corrected
            )?;
        }
        Command::Import(Import::Fhir { file, village }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let records = teeka_domain::fhir::parse(&bytes, ctx.today)
                .map_err(StoreError::from)
                .with_context(|| format!("{} was refused", file.display()))?;
            let s = store
                .import_fhir(&records, village.as_deref(), &ctx)
                .with_context(|| format!("{} was refused", file.display()))?;
            for n in &s.notes {
                eprintln!("note: {n}");
            }
            for w in &s.warnings {
                eprintln!("warning: {w}");
            }
            writeln!(
                out,
                "imported {} records: {} beneficiaries added, {} matched by identifier, {} by register id; {} doses added",
                s.records, s.beneficiaries_added, s.matched_by_identifier, s.matched_by_register_id, s.doses_added
            )?;
        }
        Command::DueList { on, village, format } => {
            let items = store.due_list(on, village.as_deref())?;
            match format {
                ListFormat::Json => {
                    let doc = serde_json::json!({ "date": on, "items": items });
                    writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
                }
                ListFormat::Csv => out.write_all(table::due_list_csv(&items)?.as_bytes())?,
                ListFormat::Table => out.write_all(table::due_list_table(on, &items).as_bytes())?,
            }
        }
        Command::Record(Record::Dose { register_id, code, date, session }) => {
            let r = store.record_dose_at(&register_id, code, date, session, &ctx)?;
            for w in &r.warnings {
                eprintln!("warning: {w}");
            }
            let event = r.event().map(|e| e.id.to_string()).unwrap_or_default();
            writeln!(out, "recorded {code} given to {register_id} on {} (event {event})", iso(date))?;
        }
        Command::Record(Record::NotGiven { register_id, code, date, reason, note }) => {
            let r = store.record_not_given_noted(&register_id, code, date, reason, note.as_deref(), &ctx)?;
            let event = r.event().map(|e| e.id.to_string()).unwrap_or_default();
            for w in &r.warnings {
                eprintln!("warning: {w}");
            }
            writeln!(out, "recorded {code} not given to {register_id} on {}: {reason} (event {event})", iso(date))?;
            if reason.is_refusal() {
                writeln!(out, "the household of {register_id} is now marked resistant")?;
            }
        }
        Command::Record(Record::Delivery { mother, date, outcome, newborn }) => {
            let (event, ids) = store.record_delivery(&mother, date, outcome, &newborn, &ctx)?;
            writeln!(out, "recorded the delivery of {mother} on {}: {outcome} (event {})", iso(date), event.id)?;
            for (id, (name, _)) in ids.iter().zip(&newborn) {
                writeln!(out, "registered newborn {id}: {} (born {})", name.trim(), iso(date))?;
            }
        }
        Command::Export { format: ExportFormat::Fhir, village } => {
            let mut w = std::io::BufWriter::new(&mut out);
            store.export_fhir_each(village.as_deref(), &ctx.author, ctx.today, ctx.now, |b| {
                serde_json::to_writer(&mut w, &b)?;
                w.write_all(b"\n")?;
                Ok::<(), anyhow::Error>(())
            })?;
            w.flush()?;
        }
        Command::Export { format, village } => {
            let mut export = store.export()?;
            if let Some(v) = &village {
                let v = v.trim();
                if !store.villages()?.iter().any(|n| n.eq_ignore_ascii_case(v)) {
                    return Err(anyhow::Error::new(StoreError::UnknownVillage(v.to_string())).context("--village"));
                }
                export.beneficiaries.retain(|b| b.village.eq_ignore_ascii_case(v));
            }
            match format {
                ExportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&export)?)?,
                ExportFormat::Csv => out.write_all(write_register(&export.register_rows())?.as_bytes())?,
                ExportFormat::Fhir => {}
            }
        }
        Command::Coverage { on, village, format } => {
            let c = store.coverage(on, village.as_deref())?;
            match format {
                ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&c)?)?,
                ReportFormat::Table => out.write_all(table::coverage_table(&c).as_bytes())?,
            }
        }
        Command::Beneficiary(Beneficiary::SetIds { register_id, abha, rch_id, uwin_id }) => {
            let mut fields = Vec::new();
            let mut said = Vec::new();
            for (kind, value) in IdKind::ALL.into_iter().zip([abha, rch_id, uwin_id]) {
                let Some(value) = value else { continue };
                let checked =
                    kind.check_optional(Some(&value)).map_err(StoreError::from).map_err(at_flag("--register-id"))?;
                said.push(format!("{} {}", kind.field(), checked.as_deref().unwrap_or("cleared")));
                fields.push(match kind {
                    IdKind::Abha => BeneficiaryField::Abha(checked),
                    IdKind::RchId => BeneficiaryField::RchId(checked),
                    IdKind::UwinId => BeneficiaryField::UwinId(checked),
                });
            }
            if fields.is_empty() {
                anyhow::bail!("nothing to set: give --abha, --rch-id or --uwin-id");
            }
            let register_id = register_id.trim();
            store.update_beneficiary(register_id, fields, &ctx)?;
            writeln!(out, "{register_id}: {}", said.join(", "))?;
        }
        Command::Village(Village::List) => {
            for v in store.villages()? {
                writeln!(out, "{v}")?;
            }
        }
        Command::Village(Village::Set { name, je_endemic }) => {
            store.set_je_endemic(&name, je_endemic, &ctx)?;
            writeln!(out, "{name}: JE-endemic {}", if je_endemic { "yes" } else { "no" })?;
        }
        Command::Settings(Settings::Show) => {
            writeln!(out, "{}", serde_json::to_string_pretty(&store.settings()?)?)?;
        }
        Command::Settings(Settings::SetOverdueGraceDays { days }) => {
            store.set_overdue_grace_days(days)?;
            writeln!(out, "overdue grace: {days} days")?;
        }
        Command::Enroll { server, code, server_cert } => {
            let pin = match &server_cert {
                Some(file) => Some(
                    std::fs::read_to_string(file)
                        .with_context(|| format!("cannot read the server certificate {}", file.display()))?,
                ),
                None => None,
            };
            let resp = runtime()?.block_on(teeka_sync::enroll(&mut store, &server, &code, pin.as_deref()))?;
            writeln!(out, "enrolled device {} as {} for {}", resp.device_id, resp.role.as_str(), resp.area.path)?;
            let pending = store.pending_count()?;
            if pending > 0 {
                writeln!(out, "{pending} records made before enrollment will go with the next sync")?;
            }
        }
        Command::Sync { server } => sync(&mut store, server.as_deref(), &mut out)?,
        Command::Status { format } => {
            let s = store.status()?;
            match format {
                ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&s)?)?,
                ReportFormat::Table => out.write_all(table::status_table(&s).as_bytes())?,
            }
        }
        Command::Session(Session::Open { site, date }) => {
            let (id, resumed) = store.open_site_session(&site, date, &ctx).map_err(at_flag("--site"))?;
            let what = if resumed { "resumed the open session" } else { "opened a session" };
            writeln!(out, "{what} at site {} on {}", site.trim(), iso(date))?;
            writeln!(out, "{id}")?;
        }
        Command::Session(Session::Vial(Vial::Open { session, antigen, batch, expiry, vvm })) => {
            let id = store.open_vial(session, antigen, batch.as_deref(), expiry, vvm, &ctx)?;
            writeln!(out, "opened a {antigen} vial at session {session} at {}", ctx.now.format("%Y-%m-%d %H:%M UTC"))?;
            writeln!(out, "{id}")?;
        }
        Command::Session(Session::Vial(Vial::Discard { vial, reason })) => {
            store.discard_vial(vial, reason, &ctx)?;
            writeln!(out, "discarded vial {vial}: {reason}")?;
        }
        Command::Session(Session::Close { session, vaccine_table: file }) => {
            let vaccines = vaccine_table(file.as_ref())?;
            let closing = store.close_ledger_session(session, &vaccines, &ctx)?;
            out.write_all(table::closing_lines(session, &closing).as_bytes())?;
        }
        Command::Session(Session::Show { session, vaccine_table: file, format }) => {
            let vaccines = vaccine_table(file.as_ref())?;
            let ledger = store.session_ledger(session, ctx.now, &vaccines)?;
            match format {
                ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&ledger)?)?,
                ReportFormat::Table => out.write_all(table::ledger_table(&ledger).as_bytes())?,
            }
        }
        Command::Report { round, village, on, vaccine_table: file, norms, format } => {
            let vaccines = vaccine_table(file.as_ref())?;
            let village = village.map(|v| store.village_named(&v).context("--village")).transpose()?;
            let on = on.unwrap_or(ctx.today);
            let report =
                store.round_report(round, village, on, &norms.norms(), &vaccines).map_err(at_flag("--round"))?;
            match format {
                ListFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
                ListFormat::Csv => out.write_all(monitor_render::report_csv(&report).as_bytes())?,
                ListFormat::Table => out.write_all(monitor_render::report_table(&report).as_bytes())?,
            }
        }
        // Answered above, before a store is opened.
        Command::Plan(Plan::Calendar { .. }) => {}
        Command::Plan(plan) => plan_command(&mut store, plan, &ctx, &mut out)?,
        Command::Refusals(r) => cases::refusals(&mut store, r, &ctx, &mut out)?,
        Command::Activity(a) => cases::activity(&mut store, a, &ctx, &mut out)?,
    }
    out.flush()?;
    Ok(())
}
