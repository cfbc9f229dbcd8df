//! The audit trail: who changed what, from which device, when (the device's clock and the
//! server's receipt), the corrections, and the field writes that lost a last-writer-wins race.
//! A pure reading of a log: the server's (`teeka-server audit`, `docs/cli.md`) or a device's
//! (the app's history of a record, `record_history`).

use crate::model::{Event, EventBody, Stamp};
use crate::{AefiSeverity, AreaLevel, Date, DeliveryOutcome, DoseCode, Kind, ReasonCode};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// One event of a log, as the audit reads it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Its place in the log it was read from.
    pub seq: u64,
    /// The area the server placed it in (empty in a device's log).
    pub area: String,
    /// When the server received it (`None` in a device's log: a device does not know).
    pub received_at: Option<DateTime<Utc>>,
    pub event: Event,
}

/// Whose trail: one beneficiary (by register id or id), the beneficiaries of these ids (one
/// record and its aliases), one device, or an area and below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditFilter {
    Beneficiary(String),
    Beneficiaries(Vec<Uuid>),
    Device(Uuid),
    Area(String),
}

/// One change in the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Its place in the server's log.
    pub seq: u64,
    /// When the server received it (always given by the server's audit).
    pub received_at: Option<DateTime<Utc>>,
    /// The device's clock when it was recorded (information only: devices' clocks are wrong).
    pub recorded_at: DateTime<Utc>,
    /// Its HLC stamp (what orders it).
    pub hlc: String,
    pub device_id: Uuid,
    /// The worker's name and stable id (`None` in events from before workers had ids).
    pub author: String,
    pub worker: Option<Uuid>,
    pub area: String,
    pub event_id: Uuid,
    pub kind: &'static str,
    /// What it did, in a few English words.
    pub what: String,
    /// What it did, as data.
    pub change: Change,
    /// The earlier record it corrects or withdraws, if it is a correction.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub corrects: Vec<Uuid>,
    /// The fields it wrote whose value another device's later write replaced.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lost: Vec<String>,
}

/// `teeka-server audit`'s answer: the entries in log order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    pub entries: Vec<AuditEntry>,
}

/// The record a field write is about and the field's name.
type FieldKey = (Uuid, String);

/// The names of per-field values (their `field` tag on the wire), in order.
fn field_names<T: Serialize>(fields: &[T]) -> Vec<String> {
    fields.iter().filter_map(|f| serde_json::to_value(f).ok()?.get("field")?.as_str().map(str::to_string)).collect()
}

/// The mutable fields an event writes: (record, field name).
fn field_writes(body: &EventBody) -> Vec<FieldKey> {
    fn names<T: Serialize>(record: Uuid, fields: &[T]) -> Vec<FieldKey> {
        field_names(fields).into_iter().map(|n| (record, n)).collect()
    }
    match body {
        EventBody::HouseholdRegistered { household, fields, .. }
        | EventBody::HouseholdUpdated { household, fields } => names(*household, fields),
        EventBody::BeneficiaryRegistered { beneficiary, fields, .. }
        | EventBody::BeneficiaryUpdated { beneficiary, fields } => names(*beneficiary, fields),
        EventBody::AefiUpdated { aefi, fields, .. } => names(*aefi, fields),
        EventBody::SiteRegistered { site, fields, .. } | EventBody::SiteUpdated { site, fields } => {
            names(*site, fields)
        }
        _ => Vec::new(),
    }
}

/// The beneficiary an event is about, if one.
fn beneficiary_of(body: &EventBody) -> Option<Uuid> {
    match body {
        EventBody::BeneficiaryRegistered { beneficiary, .. }
        | EventBody::BeneficiaryUpdated { beneficiary, .. }
        | EventBody::DoseGiven { beneficiary, .. }
        | EventBody::DoseNotGiven { beneficiary, .. }
        | EventBody::AefiReported { beneficiary, .. }
        | EventBody::AefiUpdated { beneficiary, .. }
        | EventBody::NotGivenWithdrawn { beneficiary, .. }
        | EventBody::DeliveryRecorded { beneficiary, .. } => Some(*beneficiary),
        _ => None,
    }
}

/// What an event did, as data: what the app shows in the worker's language (the audit's `what`
/// is its English wording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A beneficiary entered the register, with these fields.
    Registered {
        register_id: String,
        kind: Kind,
        fields: Vec<String>,
    },
    /// Some of a beneficiary's fields changed.
    Changed {
        fields: Vec<String>,
    },
    HouseholdRegistered {
        household_id: String,
        fields: Vec<String>,
    },
    HouseholdChanged {
        fields: Vec<String>,
    },
    DoseGiven {
        code: DoseCode,
        date: Date,
    },
    DoseNotGiven {
        code: DoseCode,
        date: Date,
        reason: ReasonCode,
    },
    /// Not-given records withdrawn (a refusal undone).
    NotGivenWithdrawn {
        records: u32,
    },
    AefiReported {
        severity: AefiSeverity,
        date: Date,
    },
    AefiChanged {
        fields: Vec<String>,
    },
    DeliveryRecorded {
        date: Date,
        outcome: DeliveryOutcome,
        newborns: u32,
    },
    AreaDefined {
        level: AreaLevel,
        name: String,
    },
    /// Any other kind of event, by its `type`.
    Other {
        kind: String,
    },
}

impl Change {
    /// What an event did.
    pub fn of(body: &EventBody) -> Change {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        match body {
            EventBody::BeneficiaryRegistered { register_id, kind, fields, .. } => {
                Change::Registered { register_id: register_id.clone(), kind: *kind, fields: field_names(fields) }
            }
            EventBody::BeneficiaryUpdated { fields, .. } => Change::Changed { fields: field_names(fields) },
            EventBody::HouseholdRegistered { household_id, fields, .. } => {
                Change::HouseholdRegistered { household_id: household_id.clone(), fields: field_names(fields) }
            }
            EventBody::HouseholdUpdated { fields, .. } => Change::HouseholdChanged { fields: field_names(fields) },
            EventBody::DoseGiven { code, date, .. } => Change::DoseGiven { code: *code, date: *date },
            EventBody::DoseNotGiven { code, date, reason, .. } => {
                Change::DoseNotGiven { code: *code, date: *date, reason: *reason }
            }
            EventBody::NotGivenWithdrawn { records, .. } => Change::NotGivenWithdrawn { records: count(records.len()) },
            EventBody::AefiReported { severity, date, .. } => Change::AefiReported { severity: *severity, date: *date },
            EventBody::AefiUpdated { fields, .. } => Change::AefiChanged { fields: field_names(fields) },
            EventBody::DeliveryRecorded { date, outcome, newborns, .. } => {
                Change::DeliveryRecorded { date: *date, outcome: *outcome, newborns: count(newborns.len()) }
            }
            EventBody::AreaDefined { name, level, .. } => Change::AreaDefined { level: *level, name: name.clone() },
            other => Change::Other { kind: other.kind().to_string() },
        }
    }

    /// In a few English words (`teeka-server audit`'s `what`).
    pub fn what(&self) -> String {
        match self {
            Change::Registered { register_id, kind, fields } => {
                format!("registered {register_id} ({}): {}", kind.as_str(), fields.join(", "))
            }
            Change::Changed { fields } => format!("changed {}", fields.join(", ")),
            Change::HouseholdRegistered { household_id, fields } => {
                format!("registered household {household_id}: {}", fields.join(", "))
            }
            Change::HouseholdChanged { fields } => format!("changed the household's {}", fields.join(", ")),
            Change::DoseGiven { code, date } => format!("{code} given on {date}"),
            Change::DoseNotGiven { code, date, reason } => format!("{code} not given on {date}: {reason}"),
            Change::NotGivenWithdrawn { records } => format!("withdrew {records} not-given record(s)"),
            Change::AefiReported { severity, date } => format!("AEFI ({}) on {date}", severity.as_str()),
            Change::AefiChanged { fields } => format!("changed the AEFI report's {}", fields.join(", ")),
            Change::DeliveryRecorded { date, outcome, newborns } => {
                format!("delivery on {date}: {}, {newborns} newborn(s)", outcome.as_str())
            }
            Change::AreaDefined { level, name } => format!("{} {name}", level.as_str()),
            Change::Other { kind } => kind.replace('_', " "),
        }
    }
}

fn corrects(body: &EventBody) -> Vec<Uuid> {
    match body {
        EventBody::DoseGiven { corrects: Some(c), .. } | EventBody::DoseNotGiven { corrects: Some(c), .. } => vec![*c],
        EventBody::NotGivenWithdrawn { records, .. } => records.clone(),
        _ => Vec::new(),
    }
}

/// The trail of `filter` in `log` (the whole log: who won a field is judged over all of it).
pub fn audit(log: &[Logged], filter: &AuditFilter) -> Audit {
    // The last writer of every field, by stamp.
    let mut winner: HashMap<FieldKey, Stamp> = HashMap::new();
    for l in log {
        for key in field_writes(&l.event.body) {
            let stamp = l.event.stamp();
            let w = winner.entry(key).or_insert(stamp);
            if stamp > *w {
                *w = stamp;
            }
        }
    }
    let beneficiaries: Vec<Uuid> = match filter {
        AuditFilter::Beneficiary(id) => {
            let mut ids: Vec<Uuid> = Uuid::parse_str(id).ok().into_iter().collect();
            for l in log {
                if let EventBody::BeneficiaryRegistered { beneficiary, register_id, .. } = &l.event.body {
                    if register_id == id {
                        ids.push(*beneficiary);
                    }
                }
            }
            ids
        }
        AuditFilter::Beneficiaries(ids) => ids.clone(),
        _ => Vec::new(),
    };
    let keep = |l: &Logged| match filter {
        AuditFilter::Beneficiary(_) | AuditFilter::Beneficiaries(_) => {
            beneficiary_of(&l.event.body).is_some_and(|b| beneficiaries.contains(&b))
        }
        AuditFilter::Device(d) => l.event.device_id == *d,
        AuditFilter::Area(a) => {
            l.area == *a || l.area.strip_prefix(a.as_str()).is_some_and(|rest| rest.starts_with('/'))
        }
    };
    let entries = log
        .iter()
        .filter(|l| keep(l))
        .map(|l| {
            let e = &l.event;
            let stamp = e.stamp();
            let lost = field_writes(&e.body)
                .into_iter()
                .filter(|key| winner.get(key).is_some_and(|w| *w > stamp && w.device != e.device_id))
                .map(|(_, field)| field)
                .collect();
            let change = Change::of(&e.body);
            AuditEntry {
                seq: l.seq,
                received_at: l.received_at,
                recorded_at: e.recorded_at,
                hlc: e.hlc.to_string(),
                device_id: e.device_id,
                author: e.author.clone(),
                worker: e.worker,
                area: l.area.clone(),
                event_id: e.id,
                kind: e.body.kind(),
                what: change.what(),
                change,
                corrects: corrects(&e.body),
                lost,
            }
        })
        .collect();
    Audit { entries }
}

fn short(id: Uuid) -> String {
    id.to_string()[..8].to_string()
}

/// The trail as a table, one change a line: the server's log order, when the server received it
/// and the device's clock then, the device and the worker (ids shortened to 8 hex digits), what
/// it did, and what it corrected or lost.
pub fn audit_table(a: &Audit) -> String {
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut rows: Vec<[String; 7]> = vec![[
        "seq".into(),
        "received (server)".into(),
        "recorded (device)".into(),
        "device".into(),
        "worker".into(),
        "what".into(),
        "notes".into(),
    ]];
    for e in &a.entries {
        let worker = match e.worker {
            Some(w) => format!("{} ({})", e.author, short(w)),
            None => e.author.clone(),
        };
        let mut notes = Vec::new();
        if !e.corrects.is_empty() {
            let ids: Vec<String> = e.corrects.iter().map(|c| short(*c)).collect();
            notes.push(format!("corrects {}", ids.join(" ")));
        }
        if !e.lost.is_empty() {
            notes.push(format!("lost to a later write from another device: {}", e.lost.join(", ")));
        }
        rows.push([
            e.seq.to_string(),
            e.received_at.map_or_else(|| "-".to_string(), time),
            time(e.recorded_at),
            short(e.device_id),
            worker,
            e.what.clone(),
            notes.join("; "),
        ]);
    }
    let widths: Vec<usize> = (0..7).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> =
            r.iter().zip(&widths).map(|(cell, w)| format!("{cell}{}", " ".repeat(w - cell.chars().count()))).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(&format!("{} change(s)\n", a.entries.len()));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::hlc::Hlc;
    use crate::model::BeneficiaryField;
    use crate::{DoseCode, Kind};

    fn logged(seq: u64, device: u128, wall_ms: u64, body: EventBody) -> Logged {
        Logged {
            seq,
            area: "UP/Sitapur/Mahmudabad/Bhatpur/Rampur".into(),
            received_at: DateTime::from_timestamp(1_800_000_000 + seq as i64, 0),
            event: Event {
                id: Uuid::from_u128(seq as u128),
                device_id: Uuid::from_u128(device),
                hlc: Hlc { wall_ms, counter: 0 },
                author: format!("worker {device}"),
                worker: Some(Uuid::from_u128(100 + device)),
                recorded_at: DateTime::from_timestamp_millis(wall_ms as i64).unwrap(),
                body,
            },
        }
    }

    #[test]
    fn a_beneficiarys_trail_shows_corrections_and_the_writes_that_lost() {
        let b = Uuid::from_u128(7);
        let name = |n: &str| BeneficiaryField::Name(n.into());
        let log = vec![
            logged(
                1,
                1,
                1_000,
                EventBody::BeneficiaryRegistered {
                    beneficiary: b,
                    register_id: "R-1".into(),
                    kind: Kind::Child,
                    fields: vec![name("Pinki")],
                },
            ),
            // Two devices rename her while apart: device 2's later stamp wins, device 1's loses.
            logged(2, 2, 5_000, EventBody::BeneficiaryUpdated { beneficiary: b, fields: vec![name("Pinky")] }),
            logged(3, 1, 3_000, EventBody::BeneficiaryUpdated { beneficiary: b, fields: vec![name("Pinki Devi")] }),
            logged(
                4,
                1,
                6_000,
                EventBody::DoseGiven {
                    beneficiary: b,
                    code: DoseCode::Bcg,
                    date: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                    corrects: Some(Uuid::from_u128(99)),
                    session: None,
                },
            ),
            logged(5, 3, 7_000, EventBody::BeneficiaryUpdated { beneficiary: Uuid::from_u128(8), fields: vec![] }),
        ];
        let trail = audit(&log, &AuditFilter::Beneficiary("R-1".into()));
        let seqs: Vec<u64> = trail.entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3, 4]);
        let lost: Vec<&[String]> = trail.entries.iter().map(|e| e.lost.as_slice()).collect();
        // The registration's name was replaced by device 2 too: it lost; device 1's own later
        // edit would not have counted.
        assert_eq!(lost, [&["name".to_string()][..], &[], &["name".to_string()][..], &[]]);
        assert_eq!(trail.entries[3].corrects, [Uuid::from_u128(99)]);
        assert_eq!(trail.entries[3].what, "BCG given on 2026-10-01");
        let change = serde_json::to_value(&trail.entries[3].change).unwrap();
        assert_eq!(change, serde_json::json!({"type": "dose_given", "code": "BCG", "date": "2026-10-01"}));
        assert_eq!(trail.entries[2].change, Change::Changed { fields: vec!["name".into()] });
        assert_eq!(trail.entries[0].what, "registered R-1 (child): name");
        assert_eq!(trail.entries[1].worker, Some(Uuid::from_u128(102)));
        // By its id too; by device; by area and below, not a sibling's.
        assert_eq!(audit(&log, &AuditFilter::Beneficiary(b.to_string())).entries.len(), 4);
        let aliases = AuditFilter::Beneficiaries(vec![Uuid::from_u128(8), b]);
        assert_eq!(audit(&log, &aliases).entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert_eq!(audit(&log, &AuditFilter::Device(Uuid::from_u128(1))).entries.len(), 3);
        assert_eq!(audit(&log, &AuditFilter::Area("UP/Sitapur".into())).entries.len(), 5);
        assert_eq!(audit(&log, &AuditFilter::Area("UP/Sita".into())).entries.len(), 0);
        assert!(audit(&log, &AuditFilter::Beneficiary("R-9".into())).entries.is_empty());
        let table = audit_table(&trail);
        assert!(table.starts_with("seq  received (server)"), "{table}");
        assert!(table.contains("worker 2 (00000000)  changed name"), "{table}");
        assert!(table.contains("lost to a later write from another device: name"), "{table}");
        assert!(table.contains("corrects 00000000"), "{table}");
        assert!(table.ends_with("4 change(s)\n"), "{table}");
    }
}
