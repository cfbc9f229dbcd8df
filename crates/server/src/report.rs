//! `teeka-server report` and `GET /v1/report`: a round's report for any area, from the server's
//! log, with the domain's folds and [`round_report`] (never a figure computed here).
//!
//! Like the session plan (`plan.rs`), a block is read as a device of that block holds it (the
//! events placed within it and above it); a district or state report reads each of its blocks so
//! and keeps, of each, only what belongs to that block's villages (what is placed above the
//! blocks is counted once, in the block of its village). The areas and the devices are the
//! server's own tables.

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
            AdminError::Invalid(m) => {
                tracing::error!(error = %m, "report");
                ApiError::new(ErrorCode::Internal, "the server could not read its log for this report")
            }
        })
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
        let mut parts: Option<ReportParts> = None;
        for unit in &units {
            let (register, microplan, monitor) = self.fold_report(&unit.path).await?;
            let mut p = match report_parts(&register, &microplan, &monitor, round, &settings, &norms) {
                Ok(p) => p,
                // A block that sees no round of this number adds nothing.
                Err(PartsError::UnknownRound(_)) => continue,
                Err(e) => return Err(AdminError::Invalid(format!("{} ({}): {e}", unit.path, e.code()))),
            };
            if units.len() > 1 {
                p.retain_villages(|v| path_of.get(&v).is_some_and(|path| within(path, &unit.path)));
            }
            match &mut parts {
                Some(all) => all.extend(p),
                None => parts = Some(p),
            }
        }
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

    /// The register, the microplan and the report's facts a device of `path` holds: the events
    /// placed within it and above it, in log order.
    async fn fold_report(&self, path: &str) -> Result<(Replay, Microplan, Monitor), AdminError> {
        let mut register = Replay::default();
        let mut microplan = Microplan::default();
        let mut monitor = Monitor::default();
        let mut after = 0;
        loop {
            let (rows, more) = self.db().pull(path.to_string(), after, 5_000).await?;
            for (seq, json) in &rows {
                let event: Event = serde_json::from_str(json)
                    .map_err(|e| AdminError::Invalid(format!("event #{seq} is unreadable: {e}")))?;
                register.apply(&event).map_err(|e| AdminError::Invalid(format!("replaying the log: {e}")))?;
                microplan.apply(&event).map_err(|e| AdminError::Invalid(format!("folding the microplan: {e}")))?;
                monitor.apply(&event);
            }
            match rows.last() {
                Some((seq, _)) if more => after = *seq,
                _ => break,
            }
        }
        Ok((register, microplan, monitor))
    }
}
