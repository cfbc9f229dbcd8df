//! `teeka-server export --format fhir --area AREA`: the register of an area as FHIR R4
//! ImmunizationRecord documents, one per beneficiary, from the server's log folded as a device
//! of that area holds it (`teeka_domain::replay`; the documents are `teeka_domain::fhir`'s).

use crate::db::{within, Database};
use crate::service::{AdminError, Service};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use teeka_domain::fhir::{self, Context};
use teeka_domain::{AreaLevel, Date, Event, Replay, ScheduleSettings};

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
        let mut register = Replay::default();
        let mut after = 0;
        loop {
            let (rows, more) = self.db().pull(area.path.clone(), after, 5_000).await.map_err(AdminError::from)?;
            for (seq, _, json) in &rows {
                let event: Event = serde_json::from_str(json)
                    .map_err(|e| AdminError::Invalid(format!("event #{seq} is unreadable: {e}")))?;
                register.apply(&event).map_err(|e| AdminError::Invalid(format!("replaying the log: {e}")))?;
            }
            match rows.last() {
                Some((seq, _, _)) if more => after = *seq,
                _ => break,
            }
        }
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
