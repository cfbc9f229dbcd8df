//! `teeka refusals …` and `teeka activity …`: resistant families' case files and the villages'
//! communication activities (issue 11). Thin: parse, call the store, print (docs/cli.md).

use crate::table;
use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use std::io::Write;
use std::str::FromStr;
use teeka_domain::{iso, Date, UnknownCode};
use teeka_store::{CaseFilter, Ctx, NewActivity, NewVisit, Store, StoreError};

#[derive(Subcommand)]
pub enum Refusals {
    /// The families with a refusal standing: each case file with who refused what, who is
    /// assigned, the visits and where the case stands; oldest first.
    List {
        /// Only the families of this village (its name).
        #[arg(long, value_name = "NAME")]
        village: Option<String>,
        /// Only the cases still to work on: open or still refusing.
        #[arg(long)]
        open: bool,
        /// Only the cases assigned to this persuader: asha anm aww mobilizer religious_leader
        /// community_influencer medical_officer.
        #[arg(long, value_name = "ROLE")]
        assigned_to: Option<String>,
        /// The date the cases are seen on (default: today).
        #[arg(long, value_name = "DATE", value_parser = crate::date_arg)]
        on: Option<Date>,
        #[arg(long, value_enum, default_value_t = CaseFormat::Table)]
        format: CaseFormat,
    },
    /// Records a visit to a resistant family. Prints the visit's id last.
    Visit {
        /// The household's register id (as `teeka refusals list` shows it).
        #[arg(long, value_name = "H")]
        household: String,
        #[arg(long, value_name = "DATE", value_parser = crate::date_arg)]
        date: Date,
        /// Who visited: asha anm aww mobilizer religious_leader community_influencer
        /// medical_officer.
        #[arg(long, value_name = "ROLE")]
        by: String,
        /// The visitor's name.
        #[arg(long, value_name = "NAME")]
        by_name: Option<String>,
        /// What was done: home_visit counselling mothers_meeting religious_leader_visit
        /// announcement.
        #[arg(long, value_name = "ACTION")]
        action: String,
        /// How it ended: persuaded still_refusing migrated.
        #[arg(long, value_name = "OUTCOME")]
        outcome: String,
        /// At most 100 characters.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Assigns who is to persuade a resistant family (the latest assignment stands).
    Assign {
        #[arg(long, value_name = "H")]
        household: String,
        /// asha anm aww mobilizer religious_leader community_influencer medical_officer.
        #[arg(long, value_name = "ROLE")]
        to: String,
        /// The persuader's name.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Escalates a family's case to the block task force today (or withdraws the escalation).
    Escalate {
        #[arg(long, value_name = "H")]
        household: String,
        #[arg(long)]
        withdraw: bool,
        /// At most 100 characters.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum Activity {
    /// Records a communication activity held in a village. Prints its id last.
    Record {
        /// The village's name.
        #[arg(long, value_name = "NAME")]
        village: String,
        #[arg(long, value_name = "DATE", value_parser = crate::date_arg)]
        date: Date,
        /// mothers_meeting community_meeting religious_announcement rally miking.
        #[arg(long, value_name = "KIND")]
        kind: String,
        /// Who led it (a name).
        #[arg(long, value_name = "NAME")]
        led_by: String,
        /// The leader's role: asha anm aww mobilizer religious_leader community_influencer
        /// medical_officer.
        #[arg(long, value_name = "ROLE")]
        leader: Option<String>,
        /// How many people attended (0 to 10000).
        #[arg(long, value_name = "N")]
        attendance: u32,
        /// At most 100 characters.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// The communication activities, newest first.
    List {
        #[arg(long, value_name = "NAME")]
        village: Option<String>,
        #[arg(long, value_name = "DATE", value_parser = crate::date_arg)]
        from: Option<Date>,
        #[arg(long, value_name = "DATE", value_parser = crate::date_arg)]
        to: Option<Date>,
        #[arg(long, value_enum, default_value_t = ActivityFormat::Table)]
        format: ActivityFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CaseFormat {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ActivityFormat {
    Table,
    Json,
}

/// A code given to a flag: `--outcome: unknown visit outcome 'x' (expected one of: …)`
/// (`INVALID_INPUT`).
fn code_flag<T: FromStr<Err = UnknownCode>>(flag: &'static str, text: &str) -> anyhow::Result<T> {
    text.parse().map_err(|e: UnknownCode| {
        let field = flag.trim_start_matches('-').replace('-', "_");
        anyhow::Error::new(StoreError::InvalidField { field, message: e.to_string() }).context(flag)
    })
}

/// A store error of a case-file command, with the flag it is about.
fn flagged(e: StoreError) -> anyhow::Error {
    let flag = match &e {
        StoreError::NotFound(_) | StoreError::NoRefusal(_) => Some("--household".to_string()),
        StoreError::UnknownVillage(_) => Some("--village".to_string()),
        e => e.field().map(|f| format!("--{}", f.replace('_', "-"))),
    };
    match flag {
        Some(flag) => anyhow::Error::new(e).context(flag),
        None => e.into(),
    }
}

fn village_flag(store: &Store, village: Option<&str>) -> anyhow::Result<Option<uuid::Uuid>> {
    village.map(|v| store.find_village(v).map_err(flagged)).transpose()
}

pub fn refusals(store: &mut Store, command: Refusals, ctx: &Ctx, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        Refusals::List { village, open, assigned_to, on, format } => {
            let assigned_to = assigned_to.map(|r| code_flag("--assigned-to", &r)).transpose()?;
            let village = village_flag(store, village.as_deref())?;
            let on = on.unwrap_or(ctx.today);
            let cases = store.case_files(&CaseFilter { village, open_only: open, assigned_to, on })?;
            match format {
                CaseFormat::Json => {
                    let doc = serde_json::json!({ "on": on, "cases": cases });
                    writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
                }
                CaseFormat::Csv => out.write_all(table::cases_csv(&cases)?.as_bytes())?,
                CaseFormat::Table => out.write_all(table::cases_table(on, &cases).as_bytes())?,
            }
        }
        Refusals::Visit { household, date, by, by_name, action, outcome, note } => {
            let visit = NewVisit {
                date,
                by: code_flag("--by", &by)?,
                by_name: by_name.as_deref(),
                action: code_flag("--action", &action)?,
                outcome: code_flag("--outcome", &outcome)?,
                note: note.as_deref(),
            };
            let id = store.record_case_visit(&household, visit, ctx).map_err(flagged)?;
            let case = store.case_file(&household, ctx.today).context("reading the case file back")?;
            writeln!(
                out,
                "recorded a visit to {} on {} by {}: {}, {}; the case is {}",
                case.household_id,
                iso(date),
                visit.by,
                visit.action,
                visit.outcome,
                case.state.status
            )?;
            writeln!(out, "{id}")?;
        }
        Refusals::Assign { household, to, name } => {
            let persuader = code_flag("--to", &to)?;
            store.assign_case(&household, persuader, name.as_deref(), ctx).map_err(flagged)?;
            let (_, household_id) = store.case_household(&household)?;
            let who = name.as_deref().map(str::trim).filter(|n| !n.is_empty());
            match who {
                Some(n) => writeln!(out, "{household_id}: assigned to {persuader} ({n})")?,
                None => writeln!(out, "{household_id}: assigned to {persuader}")?,
            }
        }
        Refusals::Escalate { household, withdraw, note } => {
            store.escalate_case(&household, !withdraw, note.as_deref(), ctx).map_err(flagged)?;
            let (_, household_id) = store.case_household(&household)?;
            if withdraw {
                writeln!(out, "{household_id}: the escalation to the block task force is withdrawn")?;
            } else {
                writeln!(out, "{household_id}: escalated to the block task force on {}", iso(ctx.today))?;
            }
        }
    }
    Ok(())
}

pub fn activity(store: &mut Store, command: Activity, ctx: &Ctx, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        Activity::Record { village, date, kind, led_by, leader, attendance, note } => {
            let activity = NewActivity {
                date,
                kind: code_flag("--kind", &kind)?,
                led_by: &led_by,
                leader: leader.map(|l| code_flag("--leader", &l)).transpose()?,
                attendance,
                note: note.as_deref(),
            };
            let v = store.find_village(&village).map_err(flagged)?;
            let id = store.record_activity(v, activity, ctx).map_err(flagged)?;
            let recorded = store.activities(Some(v), Some(date), Some(date))?.into_iter().find(|a| a.id == id);
            let (village, led_by) =
                recorded.map_or_else(|| (village.clone(), led_by.clone()), |a| (a.village, a.led_by));
            writeln!(
                out,
                "recorded a {} in {village} on {}, led by {led_by}: {attendance} attended",
                activity.kind,
                iso(date)
            )?;
            writeln!(out, "{id}")?;
        }
        Activity::List { village, from, to, format } => {
            let village = village_flag(store, village.as_deref())?;
            let list = store.activities(village, from, to)?;
            match format {
                ActivityFormat::Json => {
                    let doc = serde_json::json!({ "activities": list });
                    writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
                }
                ActivityFormat::Table => out.write_all(table::activities_table(&list).as_bytes())?,
            }
        }
    }
    Ok(())
}
