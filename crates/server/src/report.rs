//! `teeka-server report` and `GET /v1/report`: a round's report for any area, from the server's
//! log, with the domain's folds and [`round_report`] (never a figure computed here).
//!
//! Like the session plan (`plan.rs`), a block is read as a device of that block holds it (the
//! events placed within it and above it); a district or state report reads each of its blocks so
//! and keeps, of each, only what belongs to that block's villages (what is placed above the
//! blocks is counted once, in the block of its village). The areas and the devices are the
//! server's own tables. The folds are kept between reports ([`ReportFolds`]).

use crate::db::{within, Area, Database, Device};
use crate::service::{AdminError, Service};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use teeka_domain::kit::VaccineTable;
use teeka_domain::monitor::{
    report_parts, round_report, AreaNode, DeviceRef, Monitor, PartsError, Report, ReportParts,
};
use teeka_domain::plan::SessionNorms;
use teeka_domain::{AreaLevel, Date, Event, Microplan, Replay, ScheduleSettings};
use teeka_protocol::{ApiError, ErrorCode};
use uuid::Uuid;

impl<D: Database> Service<D> {
    /// The report of round `round` for `area` (any name or path [`Service::find_area`] resolves)
    /// on `on`, the devices' syncs judged at `now`. An unknown area is [`Service::find_area`]'s
    /// error; a round of that number no block of the area sees is [`AdminError::UnknownRound`].
    pub async fn report(&self, round: u32, area: &str, on: Date, now: DateTime<Utc>) -> Result<Report, AdminError> {
        let area = self.find_area(area).await?;
        self.report_of(round, &area, on, now).await
    }

    /// `GET /v1/report`: the report of the area at `path` for a device, within its own area
    /// only (`OUT_OF_SCOPE` otherwise, whether or not the area exists); an unknown area is
    /// `UNKNOWN_ENTITY`, an unknown round `UNKNOWN_ROUND`.
    pub async fn report_for(
        &self,
        device: &Device,
        round: u32,
        path: &str,
        on: Date,
        now: DateTime<Utc>,
    ) -> Result<Report, ApiError> {
        let path = path.trim().trim_end_matches('/');
        if !within(path, &device.area.path) {
            return Err(ApiError::new(
                ErrorCode::OutOfScope,
                format!("{path} is not within this device's area ({})", device.area.path),
            ));
        }
        let area =
            self.db().areas().await?.into_iter().find(|a| a.path == path).ok_or_else(|| {
                ApiError::new(ErrorCode::UnknownEntity, format!("no area {path} is known to the server"))
            })?;
        self.report_of(round, &area, on, now).await.map_err(|e| match e {
            AdminError::UnknownRound { .. } => ApiError::new(ErrorCode::UnknownRound, e.to_string()),
            AdminError::Db(e) => ApiError::from(e),
            other => {
                tracing::error!(error = %other, "report");
                ApiError::new(ErrorCode::Internal, "the server could not read its log for this report")
            }
        })
    }

    /// Folds the log of every block (the first [`MAX_KEPT_UNITS`] by path) ahead of the first
    /// report, so that a server that has just started answers its first district report as fast
    /// as the next: `teeka-server serve` runs it in the background at start. Returns the blocks
    /// folded.
    pub async fn fold_reports(&self) -> Result<usize, AdminError> {
        let mut blocks: Vec<String> =
            self.db().areas().await?.into_iter().filter(|a| a.level == AreaLevel::Block).map(|a| a.path).collect();
        blocks.sort();
        blocks.truncate(MAX_KEPT_UNITS);
        self.folds.lock().await.catch_up(self.db(), &blocks).await?;
        Ok(blocks.len())
    }

    async fn report_of(&self, round: u32, area: &Area, on: Date, now: DateTime<Utc>) -> Result<Report, AdminError> {
        let areas = self.db().areas().await?;
        let units: Vec<&Area> = if matches!(area.level, AreaLevel::State | AreaLevel::District) {
            let mut blocks: Vec<&Area> =
                areas.iter().filter(|a| a.level == AreaLevel::Block && within(&a.path, &area.path)).collect();
            blocks.sort_by(|a, b| a.path.cmp(&b.path));
            blocks
        } else {
            vec![area]
        };
        let path_of: HashMap<Uuid, &str> = areas.iter().map(|a| (a.id, a.path.as_str())).collect();
        let settings = ScheduleSettings::default();
        let norms = SessionNorms::default();
        let paths: Vec<String> = units.iter().map(|u| u.path.clone()).collect();
        let mut folds = self.folds.lock().await;
        folds.catch_up(self.db(), &paths).await?;
        // Of each block of a district or state, only what belongs to its own villages.
        let own = (units.len() > 1).then_some(&path_of);
        let mut parts: Option<ReportParts> = None;
        for p in folds.parts(&paths, round, own, &settings, &norms)?.into_iter().flatten() {
            match &mut parts {
                Some(all) => all.extend(p),
                None => parts = Some(p),
            }
        }
        drop(folds);
        let mut parts = parts.ok_or_else(|| AdminError::UnknownRound { round, area: area.path.clone() })?;
        parts.areas = areas
            .iter()
            .map(|a| AreaNode { id: a.id, parent: a.parent_id, level: a.level, name: a.name.clone() })
            .collect();
        let devices: Vec<DeviceRef> = self
            .db()
            .devices()
            .await?
            .into_iter()
            .map(|d| DeviceRef {
                area: d.area.id,
                last_sync: d.last_sync_at,
                clock_offset_seconds: d.clock_skew_ms.map(|ms| ms / 1000),
                revoked: d.revoked_at.is_some(),
            })
            .collect();
        let table = VaccineTable::default();
        round_report(&parts.input(on, Some(now), &devices, &table, &settings), Some(area.id))
            .map_err(|e| AdminError::Invalid(format!("{e} ({})", e.code())))
    }
}

/// How many units' folds are kept at most: the least recently used go first.
pub const MAX_KEPT_UNITS: usize = 64;
/// Events read from the log per query while folding.
const FOLD_PAGE: u32 = 10_000;

/// The register, the microplan and the report's facts a device of a unit (a block, or the
/// area reported on) holds — the events placed within it and above it — folded up to `after`;
/// and the last [`ReportParts`] made of them.
#[derive(Default)]
pub struct UnitFold {
    after: u64,
    used: u64,
    register: Replay,
    microplan: Microplan,
    monitor: Monitor,
    parts: Option<KeptParts>,
}

/// A unit's parts of one round, as of `after`: `None` when the unit sees no such round.
struct KeptParts {
    round: u32,
    after: u64,
    own_villages: bool,
    parts: Option<ReportParts>,
}

/// The areas by id, to keep a block's parts to its own villages.
type PathOf<'a> = HashMap<Uuid, &'a str>;

/// The report's folds, kept between reports so that a report reads only the events the log
/// gained since the last one (the log's `seq` commits in order on both backends). In memory:
/// a server that starts again folds each unit's log once more on its first report.
#[derive(Default)]
pub struct ReportFolds {
    units: HashMap<String, UnitFold>,
    clock: u64,
}

impl ReportFolds {
    /// Brings the folds of `paths` up to the end of the log, in one read of the log from the
    /// oldest of their cursors: each event is decoded once, only if some unit sees it, and
    /// applied to every unit that sees it and has not folded it yet. A unit whose fold fails
    /// is dropped (rebuilt on the next report), never left half-applied.
    async fn catch_up<D: Database>(&mut self, db: &D, paths: &[String]) -> Result<(), AdminError> {
        self.clock += 1;
        for path in paths {
            self.units.entry(path.clone()).or_default().used = self.clock;
        }
        self.evict(paths);
        let from = paths.iter().filter_map(|p| self.units.get(p)).map(|u| u.after).min().unwrap_or(0);
        // The next page is read while this one is folded.
        let (pages, mut next) = tokio::sync::mpsc::channel(2);
        let reader = db.clone();
        let reading = tokio::spawn(async move {
            let mut after = from;
            loop {
                let page = reader.placed_after(after, FOLD_PAGE).await;
                let more = match &page {
                    Ok(rows) if rows.len() == FOLD_PAGE as usize => rows.last().map(|r| r.0),
                    _ => None,
                };
                if pages.send(page).await.is_err() {
                    return;
                }
                match more {
                    Some(seq) => after = seq,
                    None => return,
                }
            }
        });
        let folded = self.fold_pages(&mut next, paths).await;
        // Dropping the receiver ends the reader at its next page.
        drop(next);
        reading.abort();
        folded
    }

    async fn fold_pages(
        &mut self,
        next: &mut tokio::sync::mpsc::Receiver<crate::db::DbResult<crate::db::Placed>>,
        paths: &[String],
    ) -> Result<(), AdminError> {
        while let Some(page) = next.recv().await {
            let rows = page?;
            for (seq, place, json) in &rows {
                let seen: Vec<&String> = paths
                    .iter()
                    .filter(|p| {
                        self.units.get(p.as_str()).is_some_and(|u| u.after < *seq)
                            && (within(place, p) || within(p, place))
                    })
                    .collect();
                if !seen.is_empty() {
                    let event: Event = match serde_json::from_str(json) {
                        Ok(e) => e,
                        Err(e) => {
                            for p in &seen {
                                self.units.remove(p.as_str());
                            }
                            return Err(AdminError::Invalid(format!("event #{seq} is unreadable: {e}")));
                        }
                    };
                    for p in seen {
                        let Some(unit) = self.units.get_mut(p.as_str()) else { continue };
                        if let Err(e) = unit.apply(&event) {
                            self.units.remove(p.as_str());
                            return Err(AdminError::Invalid(format!("{p}: event #{seq}: {e}")));
                        }
                    }
                }
                for p in paths {
                    if let Some(unit) = self.units.get_mut(p.as_str()) {
                        unit.after = unit.after.max(*seq);
                    }
                }
            }
        }
        Ok(())
    }

    /// The [`ReportParts`] of round `round` of each unit of `paths` (`None` for a unit that sees
    /// no such round), kept to each unit's own villages when `own` gives the areas' paths. A
    /// unit's parts are made again only when its fold has moved on; those to make are made on
    /// the machine's cores at once.
    fn parts(
        &mut self,
        paths: &[String],
        round: u32,
        own: Option<&PathOf<'_>>,
        settings: &ScheduleSettings,
        norms: &SessionNorms,
    ) -> Result<Vec<Option<ReportParts>>, AdminError> {
        let stale: Vec<&String> = paths
            .iter()
            .filter(|p| {
                self.units.get(p.as_str()).is_some_and(|u| {
                    !u.parts
                        .as_ref()
                        .is_some_and(|k| k.round == round && k.after == u.after && k.own_villages == own.is_some())
                })
            })
            .collect();
        if !stale.is_empty() {
            let units = &self.units;
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, stale.len());
            let made: Vec<(String, Result<Option<ReportParts>, AdminError>)> = std::thread::scope(|s| {
                let handles: Vec<_> = stale
                    .chunks(stale.len().div_ceil(threads))
                    .map(|chunk| {
                        s.spawn(move || {
                            chunk
                                .iter()
                                .filter_map(|p| {
                                    units
                                        .get(p.as_str())
                                        .map(|u| (p.to_string(), u.make_parts(p, round, own, settings, norms)))
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| {
                        h.join().unwrap_or_else(|_| {
                            vec![(String::new(), Err(AdminError::Invalid("a report's worker thread failed".into())))]
                        })
                    })
                    .collect()
            });
            for (path, made) in made {
                let parts = made?;
                if let Some(unit) = self.units.get_mut(&path) {
                    unit.parts = Some(KeptParts { round, after: unit.after, own_villages: own.is_some(), parts });
                }
            }
        }
        Ok(paths
            .iter()
            .map(|p| self.units.get(p.as_str()).and_then(|u| u.parts.as_ref()).and_then(|k| k.parts.clone()))
            .collect())
    }

    /// Keeps at most [`MAX_KEPT_UNITS`] folds (and always those of `keep`).
    fn evict(&mut self, keep: &[String]) {
        while self.units.len() > MAX_KEPT_UNITS.max(keep.len()) {
            let oldest = self
                .units
                .iter()
                .filter(|(p, _)| !keep.contains(p))
                .min_by_key(|(_, u)| u.used)
                .map(|(p, _)| p.clone());
            match oldest {
                Some(p) => self.units.remove(&p),
                None => return,
            };
        }
    }
}

impl UnitFold {
    fn make_parts(
        &self,
        path: &str,
        round: u32,
        own: Option<&PathOf<'_>>,
        settings: &ScheduleSettings,
        norms: &SessionNorms,
    ) -> Result<Option<ReportParts>, AdminError> {
        let mut parts = match report_parts(&self.register, &self.microplan, &self.monitor, round, settings, norms) {
            Ok(p) => p,
            // A block that sees no round of this number adds nothing.
            Err(PartsError::UnknownRound(_)) => return Ok(None),
            Err(e) => return Err(AdminError::Invalid(format!("{path} ({}): {e}", e.code()))),
        };
        if let Some(path_of) = own {
            parts.retain_villages(|v| path_of.get(&v).is_some_and(|p| within(p, path)));
        }
        Ok(Some(parts))
    }

    fn apply(&mut self, event: &Event) -> Result<(), String> {
        self.register.apply(event).map_err(|e| format!("replaying the log: {e}"))?;
        self.microplan.apply(event).map_err(|e| format!("folding the microplan: {e}"))?;
        self.monitor.apply(event);
        Ok(())
    }
}
