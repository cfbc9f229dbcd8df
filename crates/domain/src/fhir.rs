//! FHIR R4 documents out and in: one beneficiary's record as an NRCeS "ImmunizationRecord"
//! document Bundle ([`bundle`]), and documents read back into plain import records ([`parse`])
//! and matched against a register ([`plan_import`]). Pure: the date, the instant and every id
//! come from the arguments or from the records' own ids (UUIDv5 of them), never a clock or a
//! random source. The shapes and what is and is not validated are in `docs/formats.md`, "FHIR".

use crate::codes::{Antigen, BeneficiaryStatus, DoseCode, Kind, ReasonCode, RiskCategory, Sex};
use crate::dates::{iso, Date};
use crate::export::{Export, ExportBeneficiary};
use crate::facts::{check_dob, check_pregnancy, BeneficiaryFacts, HouseholdFacts, IdKind, MAX_TEXT};
use crate::import::ImportSummary;
use crate::limits::{path_text, Step};
use crate::record::check_dose;
use crate::register::{RegisterErrors, RegisterRow, RowError, MAX_REPORTED};
use crate::report::standing;
use crate::schedule::{DoseStatus, Given, ScheduleSettings, Subject};
use crate::similar::similar_names;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::fmt;
use uuid::Uuid;

/// The longest line (NDJSON) or document read, in bytes: longer ones are refused before any
/// parsing.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// The largest file of one pretty-printed Bundle (not NDJSON) read whole, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 16 << 20;

pub const SNOMED: &str = "http://snomed.info/sct";
pub const CVX: &str = "http://hl7.org/fhir/sid/cvx";
pub const LOINC: &str = "http://loinc.org";
pub const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
pub const PROFILE_DOCUMENT_BUNDLE: &str = "https://nrces.in/ndhm/fhir/r4/StructureDefinition/DocumentBundle";
pub const PROFILE_IMMUNIZATION_RECORD: &str = "https://nrces.in/ndhm/fhir/r4/StructureDefinition/ImmunizationRecord";
pub const PROFILE_IMMUNIZATION: &str = "https://nrces.in/ndhm/fhir/r4/StructureDefinition/Immunization";
/// Teeka's own code systems and identifier systems (local URNs: no published CodeSystem).
pub const TEEKA_DOSE: &str = "urn:teeka:uip-dose";
pub const TEEKA_REASON: &str = "urn:teeka:reason";
pub const TEEKA_REGISTER_ID: &str = "urn:teeka:register-id";
/// The Patient extension that carries what only Teeka's register holds.
pub const TEEKA_REGISTER_EXT: &str = "urn:teeka:register";

/// The identifier system of a national identifier. ABHA's is the NRCeS sample's (VERIFIED);
/// the RCH portal's and U-WIN's are their sites' addresses (UNVERIFIED: none is published).
pub fn id_system(kind: IdKind) -> &'static str {
    match kind {
        IdKind::Abha => "https://healthid.ndhm.gov.in",
        IdKind::RchId => "https://rch.nhm.gov.in",
        IdKind::UwinId => "https://uwin.mohfw.gov.in",
    }
}

/// An antigen's SNOMED CT vaccine product (code, display) and CVX code, as
/// `../shared/docs/domain-reference.md` §5.4 gives them. Vitamin A is no vaccine: none.
pub fn vaccine_codes(antigen: Antigen) -> Option<(&'static str, &'static str, Option<&'static str>)> {
    Some(match antigen {
        Antigen::Bcg => ("836402002", "Vaccine product containing live attenuated Mycobacterium bovis antigen", Some("19")),
        Antigen::Hepb => ("871822003", "Vaccine product containing only Hepatitis B virus antigen", Some("08")),
        Antigen::Opv => ("871739009", "Vaccine product containing only Human poliovirus antigen", Some("178")),
        Antigen::Penta => (
            "871886002",
            "Bordetella pertussis and Clostridium tetani and Corynebacterium diphtheriae and Haemophilus influenzae type b and Hepatitis B virus antigens only vaccine product",
            Some("102"),
        ),
        Antigen::Rvv => ("871761004", "Vaccine product containing only Rotavirus antigen", Some("122")),
        Antigen::Fipv => ("871740006", "Inactivated whole Human poliovirus antigen only vaccine product", Some("10")),
        Antigen::Pcv => ("836398006", "Vaccine product containing Streptococcus pneumoniae antigen", Some("133")),
        Antigen::Mr => ("871817003", "Measles morbillivirus and Rubella virus antigens only vaccine product", Some("04")),
        // CVX has no code for the live SA-14-14-2 vaccine (the reference's are UNVERIFIED).
        Antigen::Je => ("871724008", "Vaccine product containing only Japanese encephalitis virus antigen", None),
        Antigen::Dpt => (
            "871875004",
            "Vaccine product containing only Bordetella pertussis and Clostridium tetani and Corynebacterium diphtheriae antigens",
            Some("01"),
        ),
        Antigen::Td => (
            "871826000",
            "Vaccine product containing only Clostridium tetani and Corynebacterium diphtheriae antigens",
            Some("09"),
        ),
        Antigen::Vita => return None,
    })
}

/// Codes read as an antigen besides those [`vaccine_codes`] writes (other codes of the same
/// vaccines in the reference).
const MORE_CODES: [(&str, &str, Antigen); 9] = [
    (SNOMED, "774618008", Antigen::Dpt),
    (SNOMED, "1052330009", Antigen::Pcv),
    (SNOMED, "871725009", Antigen::Je),
    (SNOMED, "871825001", Antigen::Je),
    (SNOMED, "775641005", Antigen::Td),
    (CVX, "45", Antigen::Hepb),
    (CVX, "177", Antigen::Pcv),
    (CVX, "138", Antigen::Td),
    (CVX, "139", Antigen::Td),
];

/// The antigen a coding names, if it is one Teeka knows.
fn antigen_of(system: &str, code: &str) -> Option<Antigen> {
    let known = Antigen::ALL.iter().copied().find(|a| match vaccine_codes(*a) {
        Some((snomed, _, cvx)) => (system == SNOMED && code == snomed) || (system == CVX && Some(code) == cvx),
        None => false,
    });
    known.or_else(|| MORE_CODES.iter().find(|(s, c, _)| *s == system && *c == code).map(|(_, _, a)| *a))
}

/// A dose's number in its series, as `protocolApplied.doseNumber[x]`: a positive number for the
/// doses of a primary series, a word for the others (birth doses, boosters, Td at 10 and 16).
pub fn dose_number(code: DoseCode) -> Result<u32, &'static str> {
    use DoseCode as C;
    Ok(match code {
        C::Hepb0 => return Err("birth"),
        C::Opv0 => return Err("0"),
        C::Opvb | C::Pcvb | C::Tdb => return Err("booster"),
        C::Dptb1 => return Err("booster 1"),
        C::Dptb2 => return Err("booster 2"),
        C::Td10 => return Err("10 years"),
        C::Td16 => return Err("16 years"),
        C::Bcg | C::Opv1 | C::Penta1 | C::Rvv1 | C::Fipv1 | C::Pcv1 | C::Mr1 | C::Je1 | C::Dpt1 | C::Td1 => 1,
        C::Vita1 => 1,
        C::Opv2 | C::Penta2 | C::Rvv2 | C::Fipv2 | C::Pcv2 | C::Mr2 | C::Je2 | C::Dpt2 | C::Td2 | C::Vita2 => 2,
        C::Opv3 | C::Penta3 | C::Rvv3 | C::Fipv3 | C::Dpt3 | C::Vita3 => 3,
        C::Vita4 => 4,
        C::Vita5 => 5,
        C::Vita6 => 6,
        C::Vita7 => 7,
        C::Vita8 => 8,
        C::Vita9 => 9,
    })
}

/// The dose of `antigen` numbered `number` (a number or a word, as [`dose_number`] writes it).
fn dose_of(antigen: Antigen, number: &Value) -> Option<DoseCode> {
    DoseCode::ALL.iter().copied().find(|c| {
        c.antigen() == antigen
            && match (dose_number(*c), number) {
                (Ok(n), Value::Number(v)) => v.as_u64() == Some(u64::from(n)),
                (Ok(n), Value::String(s)) => s.trim() == n.to_string(),
                (Err(w), Value::String(s)) => s.trim().eq_ignore_ascii_case(w),
                _ => false,
            }
    })
}

/// The v3-ActReason code closest to a reason a dose was not given (R4's
/// `immunization-status-reason` value set: IMMUNE, MEDPREC, OSTOCK, PATOBJ): PATOBJ for a
/// refusal, MEDPREC for a sick child, OSTOCK for a vaccine out of stock; none is close for the
/// others (not at home, away, unaware, too far, no session, other), which keep Teeka's code only.
pub fn act_reason(reason: ReasonCode) -> Option<(&'static str, &'static str)> {
    if reason.is_refusal() {
        return Some(("PATOBJ", "patient objection"));
    }
    match reason {
        ReasonCode::ChildSick => Some(("MEDPREC", "medical precaution")),
        ReasonCode::VaccineOutOfStock => Some(("OSTOCK", "product out of stock")),
        _ => None,
    }
}

/// Who and where a document is from, besides its beneficiary.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The worker who exports (the Composition's author, a Practitioner).
    pub worker: &'a str,
    /// The beneficiary's sub-centre (the custodian, an Organization), when known.
    pub subcentre: Option<&'a str>,
    /// The export's date: the recommendations are the doses due or overdue on it.
    pub today: Date,
    /// The export's instant: the Bundle's `timestamp`, the Composition's `date`.
    pub now: DateTime<Utc>,
    /// Whether the beneficiary's village gives JE (the due doses).
    pub je_endemic: bool,
    pub settings: &'a ScheduleSettings,
}

/// The namespace of every id Teeka makes for a FHIR resource (UUIDv5 of a record's id).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:teeka:fhir")
}

fn made_id(what: &str, key: &str) -> Uuid {
    Uuid::new_v5(&namespace(), format!("{what}:{key}").as_bytes())
}

fn urn(id: Uuid) -> String {
    format!("urn:uuid:{id}")
}

fn coding(system: &str, code: &str, display: Option<&str>) -> Value {
    let mut c = json!({ "system": system, "code": code });
    if let Some(d) = display {
        c["display"] = json!(d);
    }
    c
}

/// A dose's vaccine: SNOMED CT, CVX when there is one, and Teeka's dose code.
fn vaccine_code(code: DoseCode) -> Value {
    let mut codings = Vec::new();
    if let Some((snomed, display, cvx)) = vaccine_codes(code.antigen()) {
        codings.push(coding(SNOMED, snomed, Some(display)));
        if let Some(cvx) = cvx {
            codings.push(coding(CVX, cvx, None));
        }
    }
    codings.push(coding(TEEKA_DOSE, code.as_str(), None));
    json!({ "coding": codings, "text": code.as_str() })
}

fn protocol(code: DoseCode) -> Value {
    let mut p = json!({ "series": format!("UIP-{}", code.antigen().as_str()) });
    match dose_number(code) {
        Ok(n) => p["doseNumberPositiveInt"] = json!(n),
        Err(w) => p["doseNumberString"] = json!(w),
    }
    p
}

fn status_reason(reason: ReasonCode) -> Value {
    let mut codings = Vec::new();
    if let Some((code, display)) = act_reason(reason) {
        codings.push(coding(ACT_REASON, code, Some(display)));
    }
    codings.push(coding(TEEKA_REASON, reason.as_str(), None));
    json!({ "coding": codings, "text": reason.as_str() })
}

fn reference(id: Uuid) -> Value {
    json!({ "reference": urn(id) })
}

/// One beneficiary's record as an NRCeS ImmunizationRecord document Bundle: a Composition
/// first, then the Patient, the Practitioner (the worker), the Organization (the sub-centre),
/// the session sites (Location), an Immunization per dose given or not given (vitamin A: a
/// MedicationAdministration) and, when doses are due or overdue on `ctx.today`, an
/// ImmunizationRecommendation. Every reference is a `urn:uuid:` fullUrl of the Bundle; every id
/// comes from a record's id (a dose's event id) or is a UUIDv5 of one (the register id).
pub fn bundle(b: &ExportBeneficiary, ctx: &Context<'_>) -> Value {
    let day = iso(ctx.today);
    let timestamp = ctx.now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let patient = made_id("patient", &b.register_id);
    let practitioner = made_id("practitioner", ctx.worker);
    let subcentre = ctx.subcentre.map_or_else(|| format!("Sub-centre of {}", b.village), str::to_string);
    let organization = made_id("organization", &subcentre);
    let mut entries: Vec<(Uuid, Value)> = Vec::new();
    let mut section: Vec<Uuid> = Vec::new();

    entries.push((patient, patient_resource(patient, b)));
    entries.push((
        practitioner,
        json!({ "resourceType": "Practitioner", "id": practitioner.to_string(), "name": [{ "text": ctx.worker }] }),
    ));
    entries.push((
        organization,
        json!({ "resourceType": "Organization", "id": organization.to_string(), "name": subcentre }),
    ));
    let mut sites: Vec<(String, Uuid)> = Vec::new();
    for d in b.doses.iter().filter(|d| d.code.is_vaccine()) {
        if let Some(site) = &d.site {
            if !sites.iter().any(|(s, _)| s == site) {
                let id = made_id("location", site);
                sites.push((site.clone(), id));
                entries.push((id, json!({ "resourceType": "Location", "id": id.to_string(), "name": site })));
            }
        }
    }
    for d in &b.doses {
        let r = if d.code.is_vaccine() {
            let mut r = json!({
                "resourceType": "Immunization",
                "id": d.id.to_string(),
                "meta": { "profile": [PROFILE_IMMUNIZATION] },
                "status": "completed",
                "vaccineCode": vaccine_code(d.code),
                "patient": reference(patient),
                "occurrenceDateTime": iso(d.date),
                "primarySource": d.session.is_some(),
            });
            if d.session.is_none() {
                r["reportOrigin"] = json!({ "coding": [coding(
                    "http://terminology.hl7.org/CodeSystem/immunization-origin", "record", Some("Written Record"))] });
            }
            if let Some((_, id)) = d.site.as_ref().and_then(|s| sites.iter().find(|(n, _)| n == s)) {
                r["location"] = reference(*id);
            }
            r["protocolApplied"] = json!([protocol(d.code)]);
            r
        } else {
            json!({
                "resourceType": "MedicationAdministration",
                "id": d.id.to_string(),
                "status": "completed",
                "medicationCodeableConcept": vaccine_code(d.code),
                "subject": reference(patient),
                "effectiveDateTime": iso(d.date),
            })
        };
        entries.push((d.id, r));
        section.push(d.id);
    }
    for n in &b.not_given {
        let r = if n.code.is_vaccine() {
            json!({
                "resourceType": "Immunization",
                "id": n.id.to_string(),
                "meta": { "profile": [PROFILE_IMMUNIZATION] },
                "status": "not-done",
                "statusReason": status_reason(n.reason),
                "vaccineCode": vaccine_code(n.code),
                "patient": reference(patient),
                "occurrenceDateTime": iso(n.date),
                "primarySource": true,
                "protocolApplied": [protocol(n.code)],
            })
        } else {
            json!({
                "resourceType": "MedicationAdministration",
                "id": n.id.to_string(),
                "status": "not-done",
                "statusReason": [status_reason(n.reason)],
                "medicationCodeableConcept": vaccine_code(n.code),
                "subject": reference(patient),
                "effectiveDateTime": iso(n.date),
            })
        };
        entries.push((n.id, r));
        section.push(n.id);
    }
    if let Some(r) = recommendation(b, patient, organization, ctx) {
        let id = made_id("recommendation", &format!("{}:{day}", b.register_id));
        let mut r = r;
        r["id"] = json!(id.to_string());
        entries.push((id, r));
        section.push(id);
    }

    let record_type = json!({ "coding": [coding(SNOMED, "41000179103", Some("Immunization record"))], "text": "Immunization record" });
    let composition = made_id("composition", &format!("{}:{timestamp}", b.register_id));
    let mut sec = json!({
        "title": "Immunization record",
        "code": { "coding": [coding(SNOMED, "41000179103", Some("Immunization record"))] },
    });
    if section.is_empty() {
        sec["text"] = json!({ "status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">No immunization on record.</div>" });
        sec["emptyReason"] = json!({ "coding": [coding("http://terminology.hl7.org/CodeSystem/list-empty-reason", "nilknown", Some("Nil Known"))] });
    } else {
        sec["entry"] = section.iter().map(|id| reference(*id)).collect();
    }
    let comp = json!({
        "resourceType": "Composition",
        "id": composition.to_string(),
        "meta": { "profile": [PROFILE_IMMUNIZATION_RECORD] },
        "status": "final",
        "type": record_type,
        "subject": reference(patient),
        "date": timestamp,
        "author": [reference(practitioner)],
        "title": "Immunization record",
        "custodian": reference(organization),
        "section": [sec],
    });
    let bundle_id = made_id("bundle", &format!("{}:{timestamp}", b.register_id));
    let mut all = vec![json!({ "fullUrl": urn(composition), "resource": comp })];
    all.extend(entries.into_iter().map(|(id, r)| json!({ "fullUrl": urn(id), "resource": r })));
    json!({
        "resourceType": "Bundle",
        "id": bundle_id.to_string(),
        "meta": { "profile": [PROFILE_DOCUMENT_BUNDLE], "lastUpdated": timestamp },
        "identifier": { "system": "urn:ietf:rfc:3986", "value": urn(bundle_id) },
        "type": "document",
        "timestamp": timestamp,
        "entry": all,
    })
}

fn patient_resource(id: Uuid, b: &ExportBeneficiary) -> Value {
    let mut identifiers: Vec<Value> =
        b.facts.identifiers().into_iter().map(|(k, v)| json!({ "system": id_system(k), "value": v })).collect();
    identifiers.push(json!({ "system": TEEKA_REGISTER_ID, "value": b.register_id }));
    let mut p = json!({
        "resourceType": "Patient",
        "id": id.to_string(),
        "identifier": identifiers,
        "active": b.status == BeneficiaryStatus::Active,
        "name": [{ "text": b.facts.name }],
        "gender": match b.facts.sex { Some(Sex::M) => "male", Some(Sex::F) => "female", Some(Sex::O) => "other", None => "unknown" },
    });
    if let Some(dob) = b.facts.dob {
        p["birthDate"] = json!(iso(dob));
    }
    if b.status == BeneficiaryStatus::Died {
        p["deceasedBoolean"] = json!(true);
    }
    if let Some(phone) = &b.household.phone {
        p["telecom"] = json!([{ "system": "phone", "value": phone }]);
    }
    let mut address = json!({ "city": b.village, "country": "IN" });
    if let Some(h) = &b.household.house_no {
        address["line"] = json!([h]);
    }
    p["address"] = json!([address]);
    if let Some(m) = &b.facts.mother_name {
        p["contact"] = json!([{
            "relationship": [{ "coding": [coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", Some("mother"))] }],
            "name": { "text": m },
        }]);
    }
    let mut ext = vec![
        json!({ "url": "kind", "valueCode": b.kind.as_str() }),
        json!({ "url": "household_id", "valueString": b.household_id }),
        json!({ "url": "status", "valueCode": b.status.as_str() }),
    ];
    if let Some(l) = b.facts.lmp {
        ext.push(json!({ "url": "lmp", "valueDate": iso(l) }));
    }
    if let Some(h) = &b.household.head_of_household {
        ext.push(json!({ "url": "head_of_household", "valueString": h }));
    }
    if let Some(r) = b.household.risk_category {
        ext.push(json!({ "url": "risk_category", "valueCode": r.as_str() }));
    }
    p["extension"] = json!([{ "url": TEEKA_REGISTER_EXT, "extension": ext }]);
    p
}

fn recommendation(b: &ExportBeneficiary, patient: Uuid, organization: Uuid, ctx: &Context<'_>) -> Option<Value> {
    let anchor = if b.kind == Kind::Child { b.facts.dob } else { b.facts.lmp }?;
    let subject = Subject { kind: b.kind, anchor, je_endemic: ctx.je_endemic };
    let history: Vec<Given> = b.doses.iter().map(|d| Given { code: d.code, date: d.date }).collect();
    let s = standing(&subject, b.status, &history, ctx.today, ctx.settings);
    let recs: Vec<Value> = s
        .due
        .iter()
        .filter(|d| matches!(d.status, DoseStatus::Due | DoseStatus::Overdue))
        .map(|d| {
            let status = if d.status == DoseStatus::Overdue { ("overdue", "Overdue") } else { ("due", "Due") };
            let mut r = json!({
                "vaccineCode": [vaccine_code(d.code)],
                "forecastStatus": { "coding": [coding(
                    "http://terminology.hl7.org/CodeSystem/immunization-recommendation-status", status.0, Some(status.1))] },
            });
            if let Some(due) = d.due_on {
                r["dateCriterion"] =
                    json!([{ "code": { "coding": [coding(LOINC, "30980-7", Some("Date vaccine due"))] }, "value": iso(due) }]);
            }
            let p = protocol(d.code);
            if let Some(obj) = p.as_object() {
                for (k, v) in obj {
                    r[k] = v.clone();
                }
            }
            r
        })
        .collect();
    if recs.is_empty() {
        return None;
    }
    Some(json!({
        "resourceType": "ImmunizationRecommendation",
        "patient": reference(patient),
        "date": iso(ctx.today),
        "authority": reference(organization),
        "recommendation": recs,
    }))
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// One located problem of a FHIR file: its line (NDJSON; a whole document: the line it starts
/// on) and the JSON path in that line's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FhirError {
    pub line: u64,
    pub path: String,
    pub message: String,
}

impl fmt::Display for FhirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}: {}: {}", self.line, self.path, self.message)
        }
    }
}

/// Every problem found (at most [`MAX_REPORTED`], and how many more). Code `FHIR_INVALID`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FhirErrors {
    pub errors: Vec<FhirError>,
    pub more: usize,
}

impl FhirErrors {
    pub fn code(&self) -> &'static str {
        "FHIR_INVALID"
    }

    fn one(line: u64, path: &str, message: impl Into<String>) -> FhirErrors {
        FhirErrors { errors: vec![FhirError { line, path: path.to_string(), message: message.into() }], more: 0 }
    }
}

impl fmt::Display for FhirErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.errors.len() + self.more;
        write!(f, "the FHIR file has {total} problem{}; nothing was imported", if total == 1 { "" } else { "s" })?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        if self.more > 0 {
            write!(f, "\n  … and {} more", self.more)?;
        }
        Ok(())
    }
}

/// The register import's located problems (of the rows a plan made) as the FHIR file's: each
/// row's line is its record's, its column a field of the Patient.
impl From<RegisterErrors> for FhirErrors {
    fn from(r: RegisterErrors) -> FhirErrors {
        FhirErrors {
            errors: r
                .errors
                .into_iter()
                .map(|e| FhirError {
                    line: e.line,
                    path: e.column.map(|c| format!("Patient.{c}")).unwrap_or_default(),
                    message: e.message,
                })
                .collect(),
            more: r.more,
        }
    }
}

#[derive(Default)]
struct Problems {
    errors: Vec<FhirError>,
    more: usize,
}

impl Problems {
    fn push(&mut self, line: u64, path: &str, message: impl Into<String>) {
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(FhirError { line, path: path.to_string(), message: message.into() });
        } else {
            self.more += 1;
        }
    }

    fn count(&self) -> usize {
        self.errors.len() + self.more
    }

    /// Another part's problems after these (the first [`MAX_REPORTED`] kept, the rest counted).
    fn extend(&mut self, other: Problems) {
        let room = MAX_REPORTED.saturating_sub(self.errors.len());
        let taken = other.errors.len().min(room);
        self.more += other.errors.len() - taken + other.more;
        self.errors.extend(other.errors.into_iter().take(taken));
    }
}

/// One beneficiary read from a document Bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FhirRecord {
    pub line: u64,
    /// The Bundle's path in its line (empty: the line is the Bundle).
    pub path: String,
    /// Teeka's register id (the `urn:teeka:register-id` identifier), when the Patient has one.
    pub register_id: Option<String>,
    /// The Patient's identity for an id made from it: its fullUrl and identifiers.
    pub key: String,
    /// From Teeka's register extension, when present.
    pub household_id: Option<String>,
    pub household: HouseholdFacts,
    /// `Patient.address[0].city`.
    pub village: Option<String>,
    pub kind: Kind,
    pub facts: BeneficiaryFacts,
    pub status: Option<BeneficiaryStatus>,
    /// The doses given (`completed`), in the Bundle's order.
    pub doses: Vec<(DoseCode, Date)>,
}

/// Reads NDJSON (one document Bundle per line), a single document Bundle, or a collection
/// Bundle of document Bundles, checking everything before returning anything: all records, or
/// every problem located by line and JSON path. A line longer than [`MAX_LINE_BYTES`] is
/// refused before it is parsed; a whole file read as one document is at most
/// [`MAX_DOCUMENT_BYTES`]. `today` bounds every date.
pub fn parse(bytes: &[u8], today: Date) -> Result<Vec<FhirRecord>, FhirErrors> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Lines, with their numbers, each checked for its length before anything is parsed.
    let mut lines: Vec<(u64, &[u8])> = Vec::new();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for (i, end) in ends.enumerate() {
        let line = &bytes[start..end];
        start = end + 1;
        let n = i as u64 + 1;
        if line.len() > MAX_LINE_BYTES {
            return Err(FhirErrors::one(
                n,
                "",
                format!(
                    "the line is longer than {MAX_LINE_BYTES} bytes (1 MiB): one Bundle per line, each at most 1 MiB"
                ),
            ));
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines.push((n, line));
        }
    }
    if lines.is_empty() {
        return Err(FhirErrors::one(1, "", "the file is empty: expected FHIR Bundles, one per line"));
    }
    // Each line read into its records at once, its JSON dropped before the next is parsed.
    let mut problems = Problems::default();
    let mut out = Vec::new();
    match serde_json::from_slice::<Value>(lines[0].1) {
        Ok(first) => {
            read_top(&first, lines[0].0, today, &mut problems, &mut out);
            drop(first);
            // The other lines shared among the cores, each part read in line order, the parts
            // joined in order: the same records and problems as one pass.
            let rest = &lines[1..];
            let cores = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, MAX_PARSE_THREADS);
            let parts = if rest.len() < 2 * PARSE_LINES_PER_THREAD { 1 } else { cores };
            let chunk = rest.len().div_ceil(parts).max(1);
            let read: Vec<(Problems, Vec<FhirRecord>)> = std::thread::scope(|scope| {
                let workers: Vec<_> =
                    rest.chunks(chunk).map(|part| scope.spawn(move || read_lines(part, today))).collect();
                workers.into_iter().map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
            });
            for (p, records) in read {
                problems.extend(p);
                out.extend(records);
            }
        }
        Err(first_error) => {
            // Not NDJSON: one document over several lines.
            if bytes.len() > MAX_DOCUMENT_BYTES {
                return Err(FhirErrors::one(
                    1,
                    "",
                    format!("a document over several lines is at most {MAX_DOCUMENT_BYTES} bytes: write NDJSON, one Bundle per line"),
                ));
            }
            match serde_json::from_slice::<Value>(bytes) {
                Ok(v) => read_top(&v, lines[0].0, today, &mut problems, &mut out),
                Err(e) if e.line() > 1 => return Err(FhirErrors::one(e.line() as u64, "", format!("not JSON: {e}"))),
                Err(_) => return Err(FhirErrors::one(lines[0].0, "", format!("not JSON: {first_error}"))),
            }
        }
    }
    if problems.count() > 0 {
        return Err(FhirErrors { errors: problems.errors, more: problems.more });
    }
    Ok(out)
}

/// At most this many threads read the lines of a file.
const MAX_PARSE_THREADS: usize = 4;
/// A file shorter than twice this many lines is read on one thread.
const PARSE_LINES_PER_THREAD: usize = 64;

/// Lines of NDJSON read in order: their records and their problems.
fn read_lines(lines: &[(u64, &[u8])], today: Date) -> (Problems, Vec<FhirRecord>) {
    let mut problems = Problems::default();
    let mut out = Vec::new();
    for (n, line) in lines {
        // Each line's JSON dropped before the next is parsed.
        match serde_json::from_slice::<Value>(line) {
            Ok(v) => read_top(&v, *n, today, &mut problems, &mut out),
            Err(e) => problems.push(*n, "", format!("not JSON: {e}")),
        }
    }
    (problems, out)
}

/// One top-level value: a collection of document Bundles, or one.
fn read_top(doc: &Value, line: u64, today: Date, problems: &mut Problems, out: &mut Vec<FhirRecord>) {
    match doc.get("type").and_then(Value::as_str) {
        Some("collection") if doc.get("resourceType").and_then(Value::as_str) == Some("Bundle") => {
            let entries = doc.get("entry").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            for (i, e) in entries.iter().enumerate() {
                let path = format!("entry[{i}].resource");
                match e.get("resource") {
                    Some(r) => out.extend(read_document(r, line, &path, today, problems)),
                    None => problems.push(line, &format!("entry[{i}]"), "no resource"),
                }
            }
        }
        _ => out.extend(read_document(doc, line, "", today, problems)),
    }
}

fn join(base: &str, rest: &str) -> String {
    if base.is_empty() {
        rest.to_string()
    } else {
        format!("{base}.{rest}")
    }
}

/// Resource types a document of an immunization record may hold.
const DOCUMENT_TYPES: [&str; 10] = [
    "Composition",
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Location",
    "Immunization",
    "ImmunizationRecommendation",
    "MedicationAdministration",
    "DocumentReference",
];

/// Every `reference` string in a value, with its path (`at` and the steps below it; a path is
/// written only for a reference found).
fn references<'a>(v: &'a Value, at: &mut Vec<Step<&'a str>>, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                at.push(Step::Key(k));
                match x.as_str() {
                    Some(s) if k == "reference" => out.push((path_text(at), s)),
                    _ => references(x, at, out),
                }
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(Step::Index(i));
                references(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn text_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A date or dateTime's date: `YYYY-MM-DD` at its start (a bare year or month is refused).
fn date_of(text: &str) -> Result<Date, String> {
    let day = text.get(..10).filter(|d| d.len() == 10 && text.len() == 10 || text.as_bytes().get(10) == Some(&b'T'));
    day.and_then(|d| Date::parse_from_str(d, "%Y-%m-%d").ok()).ok_or_else(|| {
        format!(
            "'{}' is not a date (YYYY-MM-DD, or a dateTime with its day)",
            text.chars().take(40).collect::<String>()
        )
    })
}

/// A text field checked as Teeka's texts are: trimmed, not too long, no control character.
fn text_field(problems: &mut Problems, line: u64, path: &str, v: Option<&str>) -> Option<String> {
    let t = v.map(str::trim).filter(|t| !t.is_empty())?;
    if t.chars().count() > MAX_TEXT {
        problems.push(line, path, format!("longer than {MAX_TEXT} characters"));
        return None;
    }
    if t.chars().any(char::is_control) {
        problems.push(line, path, "has a control character");
        return None;
    }
    Some(t.to_string())
}

fn read_document(doc: &Value, line: u64, base: &str, today: Date, problems: &mut Problems) -> Option<FhirRecord> {
    let before = problems.count();
    let at = |p: &str| join(base, p);
    match text_at(doc, "resourceType") {
        Some("Bundle") => {}
        Some(other) => {
            problems.push(
                line,
                &at("resourceType"),
                format!("expected a Bundle, found {}", other.chars().take(40).collect::<String>()),
            );
            return None;
        }
        None => {
            problems.push(line, &at("resourceType"), "missing: expected a Bundle");
            return None;
        }
    }
    if text_at(doc, "type") != Some("document") {
        let found = text_at(doc, "type").unwrap_or("nothing");
        problems.push(
            line,
            &at("type"),
            format!("expected a document Bundle (or a collection of them), found {found}"),
        );
        return None;
    }
    let Some(entries) = doc.get("entry").and_then(Value::as_array) else {
        problems.push(line, &at("entry"), "a document Bundle has entries: none here");
        return None;
    };
    // fullUrl (and Type/id) → entry index.
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let r = e.get("resource");
        let rt = r.and_then(|r| text_at(r, "resourceType"));
        match rt {
            None => problems.push(line, &at(&format!("entry[{i}].resource.resourceType")), "missing"),
            Some(t) if !DOCUMENT_TYPES.contains(&t) => problems.push(
                line,
                &at(&format!("entry[{i}].resource.resourceType")),
                format!(
                    "{} is not a resource of an immunization record (expected one of: {})",
                    t.chars().take(40).collect::<String>(),
                    DOCUMENT_TYPES.join(", ")
                ),
            ),
            Some(_) => {}
        }
        if let Some(u) = text_at(e, "fullUrl") {
            if index.insert(u.to_string(), i).is_some() {
                problems.push(line, &at(&format!("entry[{i}].fullUrl")), format!("{u} names two entries"));
            }
        }
        if let (Some(t), Some(id)) = (rt, r.and_then(|r| text_at(r, "id"))) {
            index.entry(format!("{t}/{id}")).or_insert(i);
        }
    }
    if entries.first().and_then(|e| e.get("resource")).and_then(|r| text_at(r, "resourceType")) != Some("Composition") {
        problems.push(line, &at("entry[0].resource.resourceType"), "the first entry of a document is its Composition");
    }
    let type_of = |i: usize| entries.get(i).and_then(|e| e.get("resource")).and_then(|r| text_at(r, "resourceType"));
    // Every reference resolves inside the Bundle.
    let mut refs = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        references(e, &mut vec![Step::Index(i)], &mut refs);
    }
    let mut resolved: HashMap<String, usize> = HashMap::new();
    for (path, r) in &refs {
        let path = at(&format!("entry{path}"));
        match index.get(*r) {
            Some(i) => {
                resolved.insert(path, *i);
            }
            None => problems.push(
                line,
                &path,
                format!("{} does not resolve inside the Bundle", r.chars().take(80).collect::<String>()),
            ),
        }
    }
    let patients: Vec<usize> = (0..entries.len()).filter(|i| type_of(*i) == Some("Patient")).collect();
    let &[p] = patients.as_slice() else {
        problems.push(line, &at("entry"), format!("a document is about one Patient; this one has {}", patients.len()));
        return None;
    };
    if problems.count() > before {
        return None;
    }
    // The Composition's subject, and every record's patient, is the Patient.
    let expect_patient = |problems: &mut Problems, path: String| match resolved.get(&path) {
        Some(i) if *i == p => {}
        Some(i) => problems.push(
            line,
            &path,
            format!("expected a reference to the Patient, found a {}", type_of(*i).unwrap_or("resource")),
        ),
        None => problems.push(line, &path, "missing: a reference to the Patient"),
    };
    expect_patient(problems, at("entry[0].resource.subject.reference"));

    let pat_path = format!("entry[{p}].resource");
    let patient = &entries[p]["resource"];
    let mut facts = BeneficiaryFacts::default();
    let mut register_id = None;
    let mut key = text_at(&entries[p], "fullUrl").unwrap_or_default().to_string();
    for (j, id) in
        patient.get("identifier").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default().iter().enumerate()
    {
        let (Some(system), Some(value)) = (text_at(id, "system"), text_at(id, "value")) else { continue };
        key.push_str(&format!("|{system}|{value}"));
        let vpath = at(&format!("{pat_path}.identifier[{j}].value"));
        if system == TEEKA_REGISTER_ID {
            register_id = text_field(problems, line, &vpath, Some(value));
            continue;
        }
        let Some(kind) = IdKind::ALL.iter().copied().find(|k| id_system(*k) == system) else { continue };
        match kind.check(value) {
            Ok(v) => {
                let slot = match kind {
                    IdKind::Abha => &mut facts.abha,
                    IdKind::RchId => &mut facts.rch_id,
                    IdKind::UwinId => &mut facts.uwin_id,
                };
                *slot = Some(v);
            }
            Err(e) => problems.push(line, &vpath, format!("{e} ({})", e.code())),
        }
    }
    let name = patient.get("name").and_then(|n| n.get(0)).and_then(|n| {
        text_at(n, "text").map(str::to_string).or_else(|| {
            let given: Vec<&str> = n
                .get("given")
                .and_then(Value::as_array)
                .map(|g| g.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let parts: Vec<&str> = given.into_iter().chain(text_at(n, "family")).collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
    });
    match text_field(problems, line, &at(&format!("{pat_path}.name[0]")), name.as_deref()) {
        Some(n) => facts.name = n,
        None if problems.count() == before => {
            problems.push(line, &at(&format!("{pat_path}.name")), "missing: the Patient's name")
        }
        None => {}
    }
    facts.sex = match text_at(patient, "gender") {
        Some("male") => Some(Sex::M),
        Some("female") => Some(Sex::F),
        Some("other") => Some(Sex::O),
        _ => None,
    };
    let future = |problems: &mut Problems, path: String, text: &str| -> Option<Date> {
        match date_of(text) {
            Ok(d) if d > today => {
                problems.push(line, &path, format!("{} is in the future (today is {})", iso(d), iso(today)));
                None
            }
            Ok(d) => Some(d),
            Err(m) => {
                problems.push(line, &path, m);
                None
            }
        }
    };
    facts.dob = text_at(patient, "birthDate").and_then(|t| future(problems, at(&format!("{pat_path}.birthDate")), t));
    facts.mother_name = patient
        .get("contact")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter().position(|c| {
                c.get("relationship").and_then(Value::as_array).is_some_and(|rs| {
                    rs.iter().any(|r| {
                        r.get("coding")
                            .and_then(Value::as_array)
                            .is_some_and(|cs| cs.iter().any(|c| text_at(c, "code") == Some("MTH")))
                    })
                })
            })
        })
        .and_then(|i| {
            text_field(
                problems,
                line,
                &at(&format!("{pat_path}.contact[{i}].name.text")),
                patient["contact"][i]["name"]["text"].as_str(),
            )
        });
    let address = patient.get("address").and_then(|a| a.get(0));
    let village = text_field(
        problems,
        line,
        &at(&format!("{pat_path}.address[0].city")),
        address.and_then(|a| text_at(a, "city")),
    );
    let mut household = HouseholdFacts {
        house_no: text_field(
            problems,
            line,
            &at(&format!("{pat_path}.address[0].line[0]")),
            address.and_then(|a| a.get("line")).and_then(|l| l.get(0)).and_then(Value::as_str),
        ),
        phone: patient
            .get("telecom")
            .and_then(Value::as_array)
            .and_then(|ts| ts.iter().find(|t| text_at(t, "system") == Some("phone")))
            .and_then(|t| text_at(t, "value"))
            .map(str::to_string),
        ..Default::default()
    };
    if let Some(phone) = &household.phone {
        if let Err(m) = crate::facts::check_phone(phone) {
            problems.push(line, &at(&format!("{pat_path}.telecom")), format!("phone {m}"));
        }
    }
    // Teeka's register extension.
    let mut kind = Kind::Child;
    let mut status = None;
    let mut household_id = None;
    if let Some(exts) = patient.get("extension").and_then(Value::as_array) {
        if let Some(x) = exts.iter().position(|e| text_at(e, "url") == Some(TEEKA_REGISTER_EXT)) {
            let subs = exts[x].get("extension").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            for (k, s) in subs.iter().enumerate() {
                let path = at(&format!("{pat_path}.extension[{x}].extension[{k}]"));
                let code = text_at(s, "valueCode");
                match text_at(s, "url") {
                    Some("kind") => match code.map(str::parse::<Kind>) {
                        Some(Ok(v)) => kind = v,
                        _ => problems.push(line, &path, "kind: expected valueCode child or pregnant_woman"),
                    },
                    Some("status") => match code.map(str::parse::<BeneficiaryStatus>) {
                        Some(Ok(v)) => status = Some(v),
                        _ => problems.push(line, &path, "status: expected a valueCode of a status"),
                    },
                    Some("risk_category") => match code.map(str::parse::<RiskCategory>) {
                        Some(Ok(v)) => household.risk_category = Some(v),
                        _ => problems.push(line, &path, "risk_category: expected a valueCode of a risk category"),
                    },
                    Some("household_id") => household_id = text_field(problems, line, &path, text_at(s, "valueString")),
                    Some("head_of_household") => {
                        household.head_of_household = text_field(problems, line, &path, text_at(s, "valueString"))
                    }
                    Some("lmp") => {
                        facts.lmp =
                            text_at(s, "valueDate").and_then(|t| future(problems, format!("{path}.valueDate"), t))
                    }
                    _ => {}
                }
            }
        }
    }
    match kind {
        Kind::Child if facts.dob.is_none() && problems.count() == before => {
            problems.push(line, &at(&format!("{pat_path}.birthDate")), "missing: a child needs a date of birth")
        }
        Kind::PregnantWoman if facts.lmp.is_none() && problems.count() == before => {
            problems.push(line, &at(&format!("{pat_path}.extension")), "missing: a pregnant woman needs her LMP")
        }
        _ => {}
    }
    let anchor = if kind == Kind::Child { facts.dob } else { facts.lmp };

    // The records: doses given, in the Bundle's order.
    let mut doses = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let r = &e["resource"];
        let rpath = at(&format!("entry[{i}].resource"));
        let (code_key, date_key, patient_key, done) = match text_at(r, "resourceType") {
            Some("Immunization") => ("vaccineCode", "occurrenceDateTime", "patient", "completed"),
            Some("MedicationAdministration") => {
                ("medicationCodeableConcept", "effectiveDateTime", "subject", "completed")
            }
            Some("ImmunizationRecommendation") => {
                expect_patient(problems, format!("{rpath}.patient.reference"));
                continue;
            }
            _ => continue,
        };
        expect_patient(problems, format!("{rpath}.{patient_key}.reference"));
        if text_at(r, "status") != Some(done) {
            // Not done or entered in error: not a dose on record.
            continue;
        }
        let code = match dose_code(r, code_key) {
            Ok(c) => c,
            Err(m) => {
                problems.push(line, &format!("{rpath}.{code_key}"), m);
                continue;
            }
        };
        let Some(text) = text_at(r, date_key) else {
            problems.push(line, &format!("{rpath}.{date_key}"), "missing: the date the dose was given");
            continue;
        };
        let Some(date) = future(problems, format!("{rpath}.{date_key}"), text) else { continue };
        if let Some(anchor) = anchor {
            let subject = Subject { kind, anchor, je_endemic: false };
            if let Err(m) = check_dose("this Patient", &subject, code, date, today) {
                problems.push(line, &format!("{rpath}.{date_key}"), m);
                continue;
            }
        }
        doses.push((code, date));
    }
    if problems.count() > before {
        return None;
    }
    Some(FhirRecord {
        line,
        path: base.to_string(),
        register_id,
        key,
        household_id,
        household,
        village,
        kind,
        facts,
        status,
        doses,
    })
}

/// The dose a vaccine code names: Teeka's dose code when the coding has it, else a SNOMED CT
/// or CVX code Teeka knows and the dose number of `protocolApplied[0]`.
fn dose_code(r: &Value, key: &str) -> Result<DoseCode, String> {
    let codings =
        r.get(key).and_then(|c| c.get("coding")).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let first =
        codings.first().and_then(|c| text_at(c, "code")).unwrap_or("(none)").chars().take(40).collect::<String>();
    if let Some(c) = codings.iter().find(|c| text_at(c, "system") == Some(TEEKA_DOSE)) {
        return text_at(c, "code")
            .and_then(|t| t.parse::<DoseCode>().ok())
            .ok_or_else(|| format!("unknown vaccine code {}", text_at(c, "code").unwrap_or("(none)")));
    }
    let Some(antigen) = codings.iter().find_map(|c| antigen_of(text_at(c, "system")?, text_at(c, "code")?)) else {
        return Err(format!("unknown vaccine code {first}"));
    };
    let p = r.get("protocolApplied").and_then(|p| p.get(0));
    let number = p.and_then(|p| p.get("doseNumberPositiveInt").or_else(|| p.get("doseNumberString")));
    match number {
        Some(n) => {
            dose_of(antigen, n).ok_or_else(|| format!("no {} dose numbered {n} in the schedule", antigen.as_str()))
        }
        None if antigen == Antigen::Bcg => Ok(DoseCode::Bcg),
        None => Err(format!("{} without protocolApplied[0].doseNumber: which dose is it?", antigen.as_str())),
    }
}

// ---------------------------------------------------------------------------------------------
// Matching.

/// How a record was matched to the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    Identifier(IdKind),
    RegisterId,
    New,
}

/// What an import of FHIR records does: the register rows to import (as the register import
/// takes them) and, for each record, how it was matched, and suggestions for a person that
/// looks like one on record but was not matched (never merged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    pub rows: Vec<RegisterRow>,
    pub matched: Vec<Matched>,
    pub suggestions: Vec<String>,
    /// Doses the file gives with another date than the one on record: the record is kept.
    pub kept: Vec<String>,
}

/// What a FHIR import did (the device's `teeka import fhir` and the server's).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FhirImported {
    pub records: usize,
    pub beneficiaries_added: usize,
    pub matched_by_identifier: usize,
    pub matched_by_register_id: usize,
    pub doses_added: usize,
    pub villages_added: usize,
    pub households_added: usize,
    /// A person added who looks like one on record (never merged), and doses on record with
    /// another date than the file's (the record kept).
    pub notes: Vec<String>,
    /// Doses imported outside their schedule window.
    pub warnings: Vec<String>,
}

impl FhirImported {
    /// The import of `records` records by `plan`, whose rows' import did `summary`.
    pub fn new(records: usize, plan: ImportPlan, summary: ImportSummary) -> FhirImported {
        let count = |f: fn(&Matched) -> bool| plan.matched.iter().filter(|m| f(m)).count();
        let matched_by_identifier = count(|m| matches!(m, Matched::Identifier(_)));
        let matched_by_register_id = count(|m| *m == Matched::RegisterId);
        let mut notes = plan.suggestions;
        notes.extend(plan.kept);
        FhirImported {
            records,
            beneficiaries_added: summary.beneficiaries_added,
            matched_by_identifier,
            matched_by_register_id,
            doses_added: summary.doses_added,
            villages_added: summary.villages_added,
            households_added: summary.households_added,
            notes,
            warnings: summary.warnings,
        }
    }
}

/// Matches each record to the register `existing`: by a national identifier, else by register
/// id, else it is new (with a suggestion when a person of the same village and date of birth
/// has a similar name; never merged). A matched beneficiary keeps its facts (identifiers it
/// lacks are added) and gets the doses of codes not on record, as from a card; a new one is
/// registered with its doses, in its village (`Patient.address[0].city`, else
/// `default_village`) and household (Teeka's extension, else one of its own). Its register id
/// is the record's, else `FHIR-` and 10 hex digits of a UUIDv5 of the Patient's identity, so
/// that importing the same file again matches it.
pub fn plan_import(
    records: &[FhirRecord],
    existing: &Export,
    default_village: Option<&str>,
    today: Date,
) -> Result<ImportPlan, FhirErrors> {
    let mut problems = Problems::default();
    let mut plan = ImportPlan { rows: Vec::new(), matched: Vec::new(), suggestions: Vec::new(), kept: Vec::new() };
    let by_register: HashMap<&str, &ExportBeneficiary> =
        existing.beneficiaries.iter().map(|b| (b.register_id.as_str(), b)).collect();
    let mut by_id: HashMap<(IdKind, &str), Vec<&ExportBeneficiary>> = HashMap::new();
    for b in &existing.beneficiaries {
        for (k, v) in b.facts.identifiers() {
            by_id.entry((k, v)).or_default().push(b);
        }
    }
    let mut seen: HashMap<String, u64> = HashMap::new();
    for r in records {
        let at = |p: &str| join(&r.path, p);
        // By identifiers: every one that is on record must name the same beneficiary.
        let mut found: Option<(&ExportBeneficiary, IdKind)> = None;
        let mut conflict = false;
        for (k, v) in r.facts.identifiers() {
            match by_id.get(&(k, v)).map(Vec::as_slice) {
                Some([b]) => match found {
                    Some((f, _)) if f.register_id != b.register_id => {
                        problems.push(
                            r.line,
                            &at("entry"),
                            format!(
                                "the Patient's identifiers name two beneficiaries: {} by {} and {} by {}",
                                f.register_id,
                                found.map_or("", |x| x.1.field()),
                                b.register_id,
                                k.field()
                            ),
                        );
                        conflict = true;
                    }
                    Some(_) => {}
                    None => found = Some((b, k)),
                },
                Some(many) if many.len() > 1 => {
                    problems.push(
                        r.line,
                        &at("entry"),
                        format!("{} {v} is on record for {} beneficiaries: resolve that first", k.field(), many.len()),
                    );
                    conflict = true;
                }
                _ => {}
            }
        }
        if conflict {
            continue;
        }
        // The register id of a new person: the record's, else one made from its identity (so
        // that the same file imported again finds it by register id).
        let made = made_id("register", &r.key).simple().to_string()[..10].to_string();
        let own_id = r.register_id.clone().unwrap_or_else(|| format!("FHIR-{made}"));
        let (target, how) = match found {
            Some((b, k)) => (Some(b), Matched::Identifier(k)),
            None => match by_register.get(own_id.as_str()) {
                Some(b) => (Some(*b), Matched::RegisterId),
                None => (None, Matched::New),
            },
        };
        let row = match target {
            Some(b) => {
                // An identifier on record that differs from the file's: not this person.
                for (k, v) in r.facts.identifiers() {
                    if let Some(old) = b.facts.identifier(k).filter(|old| *old != v) {
                        problems.push(
                            r.line,
                            &at("entry"),
                            format!("{} has {} {old} on record; this Patient has {v}", b.register_id, k.field()),
                        );
                    }
                }
                if b.kind != r.kind {
                    problems.push(
                        r.line,
                        &at("entry"),
                        format!("{} is on record as a {}", b.register_id, b.kind.words()),
                    );
                }
                let mut facts = b.facts.clone();
                facts.abha = facts.abha.or_else(|| r.facts.abha.clone());
                facts.rch_id = facts.rch_id.or_else(|| r.facts.rch_id.clone());
                facts.uwin_id = facts.uwin_id.or_else(|| r.facts.uwin_id.clone());
                let mut doses = Vec::new();
                for &(code, date) in &r.doses {
                    match b.doses.iter().find(|d| d.code == code) {
                        Some(d) if d.date != date => plan.kept.push(format!(
                            "line {}: {} {code} is on record on {}; the file's {} is not imported",
                            r.line,
                            b.register_id,
                            iso(d.date),
                            iso(date)
                        )),
                        Some(_) => {}
                        None if doses.iter().any(|(c, _)| *c == code) => {}
                        None => doses.push((code, date)),
                    }
                }
                RegisterRow {
                    line: r.line,
                    register_id: b.register_id.clone(),
                    household_id: b.household_id.clone(),
                    village: b.village.clone(),
                    household: b.household.clone(),
                    kind: b.kind,
                    facts,
                    status: None,
                    doses,
                    implausible: None,
                }
            }
            None => {
                let Some(village) = r.village.clone().or_else(|| default_village.map(str::to_string)) else {
                    problems.push(
                        r.line,
                        &at("entry"),
                        "the Patient has no village (address[0].city): give one with --village",
                    );
                    continue;
                };
                let register_id = own_id.clone();
                let household_id = r.household_id.clone().unwrap_or_else(|| format!("FHIR-H-{made}"));
                for b in &existing.beneficiaries {
                    let same_place = b.village.eq_ignore_ascii_case(&village) && b.kind == r.kind;
                    let same_day = b.facts.dob.is_some() && b.facts.dob == r.facts.dob
                        || b.facts.lmp.is_some() && b.facts.lmp == r.facts.lmp;
                    if same_place && same_day && similar_names(&b.facts.name, &r.facts.name) {
                        plan.suggestions.push(format!(
                            "line {}: {} ({}) looks like {} {} of {} on record, born the same day; added as {register_id}, not merged: check them",
                            r.line, r.facts.name, if r.path.is_empty() { "the Bundle".to_string() } else { r.path.clone() },
                            b.register_id, b.facts.name, b.village));
                    }
                }
                let implausible = match (r.kind, r.facts.dob, r.facts.lmp) {
                    (Kind::Child, Some(d), _) => check_dob(d, today).err(),
                    (Kind::PregnantWoman, _, Some(l)) => {
                        check_pregnancy(l, None, r.status.unwrap_or(BeneficiaryStatus::Active), today).err()
                    }
                    _ => None,
                }
                .map(|e| RowError {
                    line: r.line,
                    column: Some(e.field().to_string()),
                    message: e.to_string(),
                });
                RegisterRow {
                    line: r.line,
                    register_id,
                    household_id,
                    village,
                    household: r.household.clone(),
                    kind: r.kind,
                    facts: r.facts.clone(),
                    status: r.status,
                    doses: r.doses.clone(),
                    implausible,
                }
            }
        };
        if let Some(first) = seen.insert(row.register_id.clone(), r.line) {
            problems.push(
                r.line,
                &at("entry"),
                format!("{} is also the Patient of line {first}: one Bundle per person", row.register_id),
            );
            continue;
        }
        plan.rows.push(row);
        plan.matched.push(how);
    }
    if problems.count() > 0 {
        return Err(FhirErrors { errors: problems.errors, more: problems.more });
    }
    Ok(plan)
}

// ---------------------------------------------------------------------------------------------
// Structural checks of the profile beyond a FHIR library's.

/// The NRCeS document's structural rules a generic FHIR validator does not check: a document
/// Bundle with an identifier and a timestamp; the Composition first, of type SNOMED CT
/// 41000179103, with one section whose entries are exactly the Bundle's Immunization,
/// MedicationAdministration and ImmunizationRecommendation entries, and whose subject, author
/// and custodian are the Bundle's Patient, Practitioner and Organization; every entry reached
/// from the Composition; every reference resolving to an entry. The problems, each a sentence.
pub fn structural_problems(b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if text_at(b, "type") != Some("document") {
        out.push("type is not document".to_string());
    }
    if b.get("identifier").and_then(|i| text_at(i, "value")).is_none() {
        out.push("no identifier".to_string());
    }
    if text_at(b, "timestamp").is_none() {
        out.push("no timestamp".to_string());
    }
    let entries = b.get("entry").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let urls: HashMap<&str, &str> = entries
        .iter()
        .filter_map(|e| Some((text_at(e, "fullUrl")?, text_at(e.get("resource")?, "resourceType")?)))
        .collect();
    let Some(comp) =
        entries.first().and_then(|e| e.get("resource")).filter(|r| text_at(r, "resourceType") == Some("Composition"))
    else {
        out.push("the first entry is not a Composition".to_string());
        return out;
    };
    fn code(v: &Value) -> Option<(Option<&str>, Option<&str>)> {
        v.get("coding").and_then(|c| c.get(0)).map(|c| (text_at(c, "system"), text_at(c, "code")))
    }
    if comp.get("type").and_then(code) != Some((Some(SNOMED), Some("41000179103"))) {
        out.push("the Composition's type is not SNOMED CT 41000179103".to_string());
    }
    let target = |v: Option<&Value>| v.and_then(|r| text_at(r, "reference")).and_then(|r| urls.get(r).copied());
    for (field, want) in [("subject", "Patient"), ("custodian", "Organization")] {
        if target(comp.get(field)) != Some(want) {
            out.push(format!("the Composition's {field} is not the Bundle's {want}"));
        }
    }
    if target(comp.get("author").and_then(|a| a.get(0))) != Some("Practitioner") {
        out.push("the Composition's author is not the Bundle's Practitioner".to_string());
    }
    let sections = comp.get("section").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if sections.len() != 1 {
        out.push(format!("the Composition has {} sections, not one", sections.len()));
    }
    let listed: HashSet<&str> = sections
        .iter()
        .flat_map(|s| s.get("entry").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default())
        .filter_map(|r| text_at(r, "reference"))
        .collect();
    for e in entries.iter().skip(1) {
        let (Some(url), Some(t)) = (text_at(e, "fullUrl"), e.get("resource").and_then(|r| text_at(r, "resourceType")))
        else {
            out.push("an entry without fullUrl or resourceType".to_string());
            continue;
        };
        let records = matches!(t, "Immunization" | "MedicationAdministration" | "ImmunizationRecommendation");
        if records != listed.contains(url) {
            out.push(format!("{t} {url} is {}in the section", if records { "not " } else { "" }));
        }
    }
    let mut refs = Vec::new();
    references(b, &mut Vec::new(), &mut refs);
    let mut reached: HashSet<&str> = HashSet::new();
    for (path, r) in &refs {
        if !urls.contains_key(r) {
            out.push(format!("{path}: {r} does not resolve"));
        }
        reached.insert(r);
    }
    for e in entries.iter().skip(1) {
        if let Some(url) = text_at(e, "fullUrl") {
            if !reached.contains(url) {
                out.push(format!("{url} is referenced by nothing"));
            }
        }
    }
    out
}
