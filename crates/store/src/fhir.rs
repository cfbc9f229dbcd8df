//! FHIR documents of the register (`teeka export --format fhir`, `teeka import fhir`): the
//! store's side of `teeka_domain::fhir`, which makes and reads the documents.

use crate::append::Ctx;
use crate::error::{Result, StoreError};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use teeka_domain::fhir::{self, Context, FhirRecord};

pub use teeka_domain::fhir::FhirImported;
use teeka_domain::Date;

impl Store {
    /// Every beneficiary (of `village` only, when given: `UNKNOWN_VILLAGE` if there is none) as
    /// an NRCeS ImmunizationRecord document Bundle, in the export's order: the worker `worker`
    /// is its author, the village's sub-centre (when this store knows it) its custodian, the
    /// doses due or overdue on `today` its recommendations, `now` its timestamp.
    pub fn export_fhir(
        &self,
        village: Option<&str>,
        worker: &str,
        today: Date,
        now: DateTime<Utc>,
    ) -> Result<Vec<serde_json::Value>> {
        let mut out = Vec::new();
        self.export_fhir_each(village, worker, today, now, |b| {
            out.push(b);
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }

    /// [`Store::export_fhir`], each document handed to `each` as it is made (a sub-centre's
    /// documents are tens of megabytes: written one at a time, never all held).
    pub fn export_fhir_each<E: From<StoreError>>(
        &self,
        village: Option<&str>,
        worker: &str,
        today: Date,
        now: DateTime<Utc>,
        mut each: impl FnMut(serde_json::Value) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let settings = self.settings()?;
        let places = self.village_places()?;
        let wanted = village.map(|v| v.trim().to_lowercase());
        if let Some(w) = &wanted {
            if !places.contains_key(w) {
                return Err(StoreError::UnknownVillage(village.unwrap_or_default().trim().to_string()).into());
            }
        }
        let export = self.export()?;
        for b in &export.beneficiaries {
            let key = b.village.to_lowercase();
            if wanted.as_ref().is_some_and(|w| *w != key) {
                continue;
            }
            let (subcentre, je_endemic) = places.get(&key).cloned().unwrap_or((None, false));
            let ctx = Context { worker, subcentre: subcentre.as_deref(), today, now, je_endemic, settings: &settings };
            each(fhir::bundle(b, &ctx))?;
        }
        Ok(())
    }

    /// Each village's sub-centre (when known) and JE setting, by its name folded to lower case.
    fn village_places(&self) -> Result<HashMap<String, (Option<String>, bool)>> {
        let mut places: HashMap<String, (Option<String>, bool)> = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT v.name, s.name, v.je_endemic FROM areas v
             LEFT JOIN areas s ON s.id = v.parent_id AND s.level = 'subcentre'
             WHERE v.level = 'village' ORDER BY v.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let name: String = r.get(0)?;
            places.entry(name.to_lowercase()).or_insert((r.get(1)?, r.get(2)?));
        }
        Ok(places)
    }

    /// Imports FHIR records (`teeka_domain::fhir::parse`): each matched to the register
    /// (`teeka_domain::fhir::plan_import`: by identifier, else register id, else new, never
    /// merged on a likeness), its doses not on record added as from a card, all in one
    /// transaction or nothing (`FHIR_INVALID`, every problem located). `default_village` is the
    /// village of a Patient without one. Importing the same file again adds nothing.
    pub fn import_fhir(
        &mut self,
        records: &[FhirRecord],
        default_village: Option<&str>,
        ctx: &Ctx,
    ) -> Result<FhirImported> {
        let export = self.export()?;
        let plan = fhir::plan_import(records, &export, default_village, ctx.today)?;
        let summary = self.import_register(&plan.rows, ctx).map_err(|e| match e {
            // The register import's located problems, as the FHIR file's lines.
            StoreError::Register(r) => StoreError::Fhir(r.into()),
            other => other,
        })?;
        Ok(FhirImported::new(records.len(), plan, summary))
    }
}
