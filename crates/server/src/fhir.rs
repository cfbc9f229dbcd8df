//! `teeka-server export --format fhir --area AREA`: the register of an area as FHIR R4
//! ImmunizationRecord documents, one per beneficiary, from the server's log folded as a device
//! of that area holds it (`teeka_domain::replay`; the documents are `teeka_domain::fhir`'s).
//! `teeka-server import fhir FILE --area AREA`: such documents matched to that register and
//! what is new in them added to the log as the server's own events, as a device of the area
//! would add them (`teeka_domain::import`), all or nothing.

use crate::db::{within, Area, Database, Device, DeviceSeen};
use crate::service::{AdminError, Service};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use teeka_domain::fhir::{self, Context, FhirErrors, FhirImported, FhirRecord};
use teeka_domain::import::import_events;
use teeka_domain::register::{RegisterErrors, RowError, MAX_REPORTED};
use teeka_domain::{AreaLevel, Date, Event, Hlc, ScheduleSettings};
use teeka_protocol::Role;
use uuid::Uuid;

impl<D: Database> Service<D> {
    /// Every beneficiary placed within `area` (any name or path [`Service::find_area`]
    /// resolves) as a document Bundle, in the export's order. `worker` is the documents'
    /// author, each village's sub-centre (from the server's areas) their custodian, the doses
    /// due or overdue on `today` (the schedule's default overdue grace) their recommendations.
    pub async fn export_fhir(
        &self,
        area: &str,
        worker: &str,
        today: Date,
        now: DateTime<Utc>,
    ) -> Result<Vec<serde_json::Value>, AdminError> {
        let mut out = Vec::new();
        self.export_fhir_each(area, worker, today, now, |b| {
            out.push(b);
            Ok::<(), AdminError>(())
        })
        .await?;
        Ok(out)
    }

    /// [`Service::export_fhir`], each document handed to `each` as it is made (never all held).
    pub async fn export_fhir_each<E: From<AdminError>>(
        &self,
        area: &str,
        worker: &str,
        today: Date,
        now: DateTime<Utc>,
        mut each: impl FnMut(serde_json::Value) -> Result<(), E>,
    ) -> Result<(), E> {
        let area = self.find_area(area).await.map_err(E::from)?;
        let (register, _) = self.fold(&area.path).await.map_err(E::from)?;
        // Each village of the area (by name, case folded): its sub-centre's name.
        let areas = self.db().areas().await.map_err(AdminError::from)?;
        let names: HashMap<uuid::Uuid, (&str, AreaLevel)> =
            areas.iter().map(|a| (a.id, (a.name.as_str(), a.level))).collect();
        let mut subcentres: HashMap<String, Option<String>> = HashMap::new();
        for a in areas.iter().filter(|a| a.level == AreaLevel::Village && within(&a.path, &area.path)) {
            let parent = a.parent_id.and_then(|p| names.get(&p)).filter(|(_, l)| *l == AreaLevel::Subcentre);
            subcentres.entry(a.name.to_lowercase()).or_insert(parent.map(|(n, _)| n.to_string()));
        }
        let je: HashMap<String, bool> =
            register.people().into_iter().map(|(_, p, _)| (p.register_id.to_string(), p.je_endemic)).collect();
        let settings = ScheduleSettings::default();
        let export = register.export();
        for b in &export.beneficiaries {
            // The events above the area hold no beneficiary of another area; a village only a
            // device named (not in the server's areas) has no known sub-centre.
            let subcentre = subcentres.get(&b.village.to_lowercase()).cloned().flatten();
            let ctx = Context {
                worker,
                subcentre: subcentre.as_deref(),
                today,
                now,
                je_endemic: je.get(&b.register_id).copied().unwrap_or(false),
                settings: &settings,
            };
            each(fhir::bundle(b, &ctx))?;
        }
        Ok(())
    }
}

impl<D: Database> Service<D> {
    /// Imports FHIR records into `area` (any name or path): each matched to the area's register
    /// as a device of the area holds it (by identifier, else register id, else new: never merged
    /// on a likeness), what is not on record added as the server's events (author `author`,
    /// device id nil, the clock `now`), placed and stored as a push of a device of the area,
    /// all in one transaction or nothing. Every Patient's village must be one village of the
    /// area (the server defines none). Importing the same records again adds nothing.
    pub async fn import_fhir(
        &self,
        area: &str,
        records: &[FhirRecord],
        author: &str,
        today: Date,
        now: DateTime<Utc>,
    ) -> Result<FhirImported, AdminError> {
        let area = self.find_area(area).await?;
        let (register, _) = self.fold(&area.path).await?;
        let plan = fhir::plan_import(records, &register.export(), None, today)?;
        // The villages of the area by name (case folded); a name two of them share is ambiguous.
        let mut named: HashMap<String, Vec<Area>> = HashMap::new();
        for a in self.db().areas().await? {
            if a.level == AreaLevel::Village && within(&a.path, &area.path) {
                named.entry(a.name.to_ascii_lowercase()).or_default().push(a);
            }
        }
        let mut errors = Vec::new();
        for row in &plan.rows {
            let message = match named.get(&row.village.to_ascii_lowercase()).map(Vec::as_slice) {
                Some([_]) => continue,
                None | Some([]) => format!("no village named '{}' within {}", row.village, area.path),
                Some(many) => format!(
                    "'{}' names {} villages of {}: {}",
                    row.village,
                    many.len(),
                    area.path,
                    many.iter().map(|a| a.path.as_str()).collect::<Vec<_>>().join(", ")
                ),
            };
            errors.push(RowError { line: row.line, column: Some("address".into()), message });
        }
        if !errors.is_empty() {
            let more = errors.len().saturating_sub(MAX_REPORTED);
            errors.truncate(MAX_REPORTED);
            return Err(FhirErrors::from(RegisterErrors { errors, more }).into());
        }
        let mut standing = register.standing();
        let je: HashMap<Uuid, bool> = standing.villages.values().copied().collect();
        standing.villages = named
            .into_iter()
            .filter_map(|(name, v)| match v.as_slice() {
                [one] => Some((name, (one.id, je.get(&one.id).copied().unwrap_or(false)))),
                _ => None,
            })
            .collect();
        let (bodies, summary) = import_events(&plan.rows, standing, &ScheduleSettings::default(), &mut Uuid::now_v7)
            .map_err(FhirErrors::from)?;
        let wall_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        let mut events = Vec::with_capacity(bodies.len());
        for (i, body) in bodies.into_iter().enumerate() {
            let event = Event {
                id: Uuid::now_v7(),
                device_id: Uuid::nil(),
                hlc: Hlc { wall_ms, counter: u32::try_from(i).unwrap_or(u32::MAX) },
                author: author.to_string(),
                worker: Some(teeka_domain::model::worker_for_author(Uuid::nil(), author)),
                recorded_at: now,
                body,
            };
            let json = serde_json::to_string(&event).map_err(|e| AdminError::Invalid(e.to_string()))?;
            events.push((event, json));
        }
        // Placed as a device of the area would push them: every one must be.
        let server = Device {
            id: Uuid::nil(),
            area: area.clone(),
            role: Role::Supervisor,
            enrolled_at: now,
            revoked_at: None,
            last_sync_at: None,
            pending: None,
            clock_skew_ms: None,
            worker: None,
        };
        let placed = self.place_events(&server, events).await?;
        if let Some(r) = placed.rejected.first() {
            return Err(AdminError::Invalid(format!(
                "{} of the import's events could not be placed within {}; nothing was imported (the first: {})",
                placed.rejected.len(),
                area.path,
                r.message
            )));
        }
        let seen = DeviceSeen { at: now, pending: None, clock_skew_ms: None, worker: None };
        self.db().store_events(Uuid::nil(), placed.store, placed.entities, seen).await?;
        Ok(FhirImported::new(records.len(), plan, summary))
    }
}
