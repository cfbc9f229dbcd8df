//! FHIR documents out and in (`teeka_domain::fhir`): the document's shape, its structural rules,
//! the round trip export → parse → import plan (a property), and hostile input located.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{json, Value};
use teeka_domain::fhir::{self, Context, Matched, MAX_LINE_BYTES};
use teeka_domain::{
    BeneficiaryFacts, BeneficiaryStatus, Date, DoseCode, Export, ExportBeneficiary, ExportDose, ExportNotGiven,
    HouseholdFacts, Kind, ReasonCode, ScheduleSettings, Sex,
};
use uuid::Uuid;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> Date {
    d(2026, 11, 22)
}

fn ctx(settings: &ScheduleSettings) -> Context<'_> {
    Context {
        worker: "Meena Devi",
        subcentre: Some("Rampur SC"),
        today: today(),
        now: Utc.with_ymd_and_hms(2026, 11, 22, 6, 30, 0).unwrap(),
        je_endemic: false,
        settings,
    }
}

fn child() -> ExportBeneficiary {
    ExportBeneficiary {
        register_id: "RMP-001".into(),
        household_id: "RMP-H01".into(),
        village: "Rampur".into(),
        kind: Kind::Child,
        facts: BeneficiaryFacts {
            name: "आरव यादव".into(),
            sex: Some(Sex::M),
            dob: Some(d(2026, 6, 1)),
            mother_name: Some("सुनीता यादव".into()),
            abha: Some("22-7225-4829-5255".into()),
            ..Default::default()
        },
        status: BeneficiaryStatus::Active,
        household: HouseholdFacts {
            house_no: Some("12".into()),
            phone: Some("9876543210".into()),
            ..Default::default()
        },
        resistant_household: true,
        doses: vec![
            ExportDose {
                id: Uuid::from_u128(1),
                code: DoseCode::Bcg,
                date: d(2026, 6, 1),
                flagged: false,
                session: None,
                site: None,
            },
            ExportDose {
                id: Uuid::from_u128(2),
                code: DoseCode::Penta1,
                date: d(2026, 7, 13),
                flagged: false,
                session: Some(Uuid::from_u128(99)),
                site: Some("Rampur".into()),
            },
            ExportDose {
                id: Uuid::from_u128(3),
                code: DoseCode::Vita1,
                date: d(2026, 7, 13),
                flagged: false,
                session: None,
                site: None,
            },
        ],
        not_given: vec![
            ExportNotGiven {
                id: Uuid::from_u128(4),
                code: DoseCode::Penta2,
                date: d(2026, 8, 10),
                reason: ReasonCode::RefusedFamily,
            },
            ExportNotGiven {
                id: Uuid::from_u128(5),
                code: DoseCode::Opv2,
                date: d(2026, 8, 10),
                reason: ReasonCode::NotAtHome,
            },
        ],
        mother: None,
        delivery: None,
    }
}

fn resources<'a>(b: &'a Value, t: &str) -> Vec<&'a Value> {
    b["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == t).collect()
}

#[test]
fn a_beneficiary_is_an_nrces_immunization_record_document() {
    let settings = ScheduleSettings::default();
    let b = fhir::bundle(&child(), &ctx(&settings));
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "document");
    assert_eq!(b["timestamp"], "2026-11-22T06:30:00Z");
    assert!(b["identifier"]["value"].as_str().unwrap().starts_with("urn:uuid:"));
    assert_eq!(fhir::structural_problems(&b), Vec::<String>::new());
    let comp = &b["entry"][0]["resource"];
    assert_eq!(comp["resourceType"], "Composition");
    assert_eq!(comp["type"]["coding"][0]["code"], "41000179103");
    assert_eq!(comp["meta"]["profile"][0], fhir::PROFILE_IMMUNIZATION_RECORD);

    let p = resources(&b, "Patient")[0];
    assert_eq!(p["identifier"][0], json!({"system": "https://healthid.ndhm.gov.in", "value": "22-7225-4829-5255"}));
    assert_eq!(p["identifier"][1], json!({"system": fhir::TEEKA_REGISTER_ID, "value": "RMP-001"}));
    assert_eq!((&p["gender"], &p["birthDate"]), (&json!("male"), &json!("2026-06-01")));
    assert_eq!(p["contact"][0]["name"]["text"], "सुनीता यादव");
    assert_eq!(resources(&b, "Practitioner")[0]["name"][0]["text"], "Meena Devi");
    assert_eq!(resources(&b, "Organization")[0]["name"], "Rampur SC");

    let imm = resources(&b, "Immunization");
    let bcg = imm.iter().find(|r| r["vaccineCode"]["text"] == "BCG").unwrap();
    assert_eq!(bcg["status"], "completed");
    assert_eq!(
        bcg["vaccineCode"]["coding"][0],
        json!({"system": fhir::SNOMED, "code": "836402002", "display": "Vaccine product containing live attenuated Mycobacterium bovis antigen"})
    );
    assert_eq!(bcg["vaccineCode"]["coding"][1], json!({"system": fhir::CVX, "code": "19"}));
    assert_eq!((&bcg["primarySource"], &bcg["occurrenceDateTime"]), (&json!(false), &json!("2026-06-01")));
    assert!(bcg.get("location").is_none());
    let penta = imm.iter().find(|r| r["vaccineCode"]["text"] == "PENTA1").unwrap();
    assert_eq!(penta["primarySource"], true);
    assert_eq!(penta["protocolApplied"][0], json!({"series": "UIP-PENTA", "doseNumberPositiveInt": 1}));
    let site = resources(&b, "Location")[0];
    assert_eq!(site["name"], "Rampur");
    assert_eq!(penta["location"]["reference"], format!("urn:uuid:{}", site["id"].as_str().unwrap()));

    let refused = imm.iter().find(|r| r["vaccineCode"]["text"] == "PENTA2").unwrap();
    assert_eq!(refused["status"], "not-done");
    assert_eq!(refused["statusReason"]["coding"][0]["code"], "PATOBJ");
    assert_eq!(refused["statusReason"]["coding"][1], json!({"system": fhir::TEEKA_REASON, "code": "REFUSED_FAMILY"}));
    let away = imm.iter().find(|r| r["vaccineCode"]["text"] == "OPV2").unwrap();
    assert_eq!(away["statusReason"]["coding"], json!([{"system": fhir::TEEKA_REASON, "code": "NOT_AT_HOME"}]));
    assert_eq!(resources(&b, "MedicationAdministration")[0]["medicationCodeableConcept"]["text"], "VITA1");

    let rec = resources(&b, "ImmunizationRecommendation")[0];
    let items = rec["recommendation"].as_array().unwrap();
    let p2 = items.iter().find(|r| r["vaccineCode"][0]["text"] == "PENTA2").unwrap();
    assert_eq!(p2["forecastStatus"]["coding"][0]["code"], "overdue");
    assert_eq!(p2["dateCriterion"][0]["code"]["coding"][0]["code"], "30980-7");
    assert!(items
        .iter()
        .all(|r| ["due", "overdue"].contains(&r["forecastStatus"]["coding"][0]["code"].as_str().unwrap())));

    // Deterministic: the same record on the same instant is the same document.
    assert_eq!(fhir::bundle(&child(), &ctx(&settings)), b);
}

#[test]
fn structural_checks_catch_what_a_library_would_not() {
    let settings = ScheduleSettings::default();
    let b = fhir::bundle(&child(), &ctx(&settings));
    let mut moved = b.clone();
    moved["entry"].as_array_mut().unwrap().swap(0, 1);
    assert!(fhir::structural_problems(&moved).contains(&"the first entry is not a Composition".to_string()));
    let mut unlisted = b.clone();
    unlisted["entry"][0]["resource"]["section"][0]["entry"].as_array_mut().unwrap().pop();
    assert!(fhir::structural_problems(&unlisted).iter().any(|p| p.contains("is not in the section")));
    let mut dangling = b.clone();
    let i =
        b["entry"].as_array().unwrap().iter().position(|e| e["resource"]["resourceType"] == "Immunization").unwrap();
    dangling["entry"][i]["resource"]["patient"]["reference"] = json!("urn:uuid:00000000-0000-0000-0000-000000000000");
    assert!(fhir::structural_problems(&dangling).iter().any(|p| p.contains("does not resolve")));
}

fn line(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

fn parse_err(text: &str) -> Vec<String> {
    fhir::parse(text.as_bytes(), today()).unwrap_err().errors.iter().map(ToString::to_string).collect()
}

#[test]
fn a_document_reads_back_as_the_register_holds_it() {
    let settings = ScheduleSettings::default();
    let c = child();
    let b = fhir::bundle(&c, &ctx(&settings));
    let records = fhir::parse(format!("{}\n", line(&b)).as_bytes(), today()).unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.register_id.as_deref(), Some("RMP-001"));
    assert_eq!(r.facts, c.facts);
    assert_eq!(
        r.doses,
        vec![(DoseCode::Bcg, d(2026, 6, 1)), (DoseCode::Penta1, d(2026, 7, 13)), (DoseCode::Vita1, d(2026, 7, 13))]
    );
    // A pretty-printed single Bundle and a collection of Bundles read the same.
    let pretty = serde_json::to_string_pretty(&b).unwrap();
    assert_eq!(fhir::parse(pretty.as_bytes(), today()).unwrap()[0].facts, c.facts);
    let coll = json!({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": b}, {"resource": b}]});
    let both = fhir::parse(line(&coll).as_bytes(), today()).unwrap();
    assert_eq!((both.len(), both[1].path.as_str()), (2, "entry[1].resource"));
}

/// A long file is read on several threads: the records and the problems are those of one pass,
/// in line order, the first 50 problems listed and the rest counted.
#[test]
fn a_long_file_reads_in_line_order_with_its_first_problems_listed() {
    let settings = ScheduleSettings::default();
    let b = line(&fhir::bundle(&child(), &ctx(&settings)));
    let n = 1_000;
    let text: String = (1..=n).map(|i| if i % 7 == 0 { "{not json\n".to_string() } else { format!("{b}\n") }).collect();
    let err = fhir::parse(text.as_bytes(), today()).unwrap_err();
    let bad: Vec<u64> = (1..=n).filter(|i| i % 7 == 0).collect();
    assert_eq!(err.errors.iter().map(|e| e.line).collect::<Vec<_>>(), bad[..50].to_vec());
    assert_eq!(err.more, bad.len() - 50);
    let good: String = (1..=n).map(|_| format!("{b}\n")).collect();
    let records = fhir::parse(good.as_bytes(), today()).unwrap();
    assert_eq!(records.iter().map(|r| r.line).collect::<Vec<_>>(), (1..=n).collect::<Vec<u64>>());
}

#[test]
fn hostile_documents_are_refused_located() {
    let settings = ScheduleSettings::default();
    let b = fhir::bundle(&child(), &ctx(&settings));
    let good = line(&b);
    // Wrong resource types.
    assert_eq!(
        parse_err(&format!("{good}\n{}\n", line(&json!({"resourceType": "Patient"})))),
        ["line 2: resourceType: expected a Bundle, found Patient"]
    );
    let mut obs = b.clone();
    obs["entry"][3]["resource"]["resourceType"] = json!("Observation");
    let e = parse_err(&line(&obs));
    assert!(
        e[0].starts_with(
            "line 1: entry[3].resource.resourceType: Observation is not a resource of an immunization record"
        ),
        "{e:?}"
    );
    let i = b["entry"].as_array().unwrap().iter().position(|e| e["resource"]["vaccineCode"]["text"] == "BCG").unwrap();
    let mut not_patient = b.clone();
    let org = b["entry"][3]["fullUrl"].clone();
    not_patient["entry"][i]["resource"]["patient"]["reference"] = org;
    assert_eq!(
        parse_err(&line(&not_patient)),
        [format!(
            "line 1: entry[{i}].resource.patient.reference: expected a reference to the Patient, found a Organization"
        )]
    );
    // A dangling reference.
    let mut dangling = b.clone();
    dangling["entry"][0]["resource"]["author"][0]["reference"] = json!("urn:uuid:0000");
    assert_eq!(
        parse_err(&line(&dangling)),
        ["line 1: entry[0].resource.author[0].reference: urn:uuid:0000 does not resolve inside the Bundle"]
    );
    // An unknown vaccine code.
    let mut unknown = b.clone();
    unknown["entry"][i]["resource"]["vaccineCode"] = json!({"coding": [{"system": fhir::SNOMED, "code": "12345"}]});
    assert_eq!(
        parse_err(&line(&unknown)),
        [format!("line 1: entry[{i}].resource.vaccineCode: unknown vaccine code 12345")]
    );
    // A future date.
    let mut future = b.clone();
    future["entry"][i]["resource"]["occurrenceDateTime"] = json!("2026-12-01");
    assert_eq!(
        parse_err(&line(&future)),
        [format!("line 1: entry[{i}].resource.occurrenceDateTime: 2026-12-01 is in the future (today is 2026-11-22)")]
    );
    let mut born_later = b.clone();
    born_later["entry"][1]["resource"]["birthDate"] = json!("2027-01-01");
    assert!(parse_err(&line(&born_later))[0]
        .starts_with("line 1: entry[1].resource.birthDate: 2027-01-01 is in the future"));
    // A bad identifier, a line that is no JSON, an empty file.
    let mut bad_id = b.clone();
    bad_id["entry"][1]["resource"]["identifier"][0]["value"] = json!("1234");
    assert!(parse_err(&line(&bad_id))[0].ends_with("an ABHA number has 14 digits, e.g. 22-7225-4829-5255 (BAD_ABHA)"));
    assert!(parse_err(&format!("{good}\n{{oops\n"))[0].starts_with("line 2: not JSON"));
    assert_eq!(parse_err("\n \n"), ["line 1: the file is empty: expected FHIR Bundles, one per line"]);
    // A 50 MB line is refused before it is parsed (quickly: nothing is allocated for it).
    let huge = format!("{good}\n{{\"resourceType\": \"Bundle\", \"x\": \"{}\"}}\n", "a".repeat(50 << 20));
    let started = std::time::Instant::now();
    let e = parse_err(&huge);
    assert_eq!(
        e,
        [format!(
            "line 2: the line is longer than {MAX_LINE_BYTES} bytes (1 MiB): one Bundle per line, each at most 1 MiB"
        )]
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn an_import_matches_by_identifier_then_register_id_and_suggests_never_merges() {
    let settings = ScheduleSettings::default();
    let on_record = child();
    let existing = Export { beneficiaries: vec![on_record.clone()] };
    // The same child known elsewhere by its ABHA number under another register id, with one
    // dose more and one with another date.
    let mut elsewhere = child();
    elsewhere.register_id = "UW-77".into();
    elsewhere.doses.push(ExportDose {
        id: Uuid::from_u128(7),
        code: DoseCode::Opv1,
        date: d(2026, 7, 13),
        flagged: false,
        session: None,
        site: None,
    });
    elsewhere.doses[0].date = d(2026, 6, 2);
    let b = fhir::bundle(&elsewhere, &ctx(&settings));
    let records = fhir::parse(line(&b).as_bytes(), today()).unwrap();
    let plan = fhir::plan_import(&records, &existing, None, today()).unwrap();
    assert_eq!(plan.matched, [Matched::Identifier(teeka_domain::IdKind::Abha)]);
    assert_eq!(plan.rows[0].register_id, "RMP-001");
    assert_eq!(plan.rows[0].doses, [(DoseCode::Opv1, d(2026, 7, 13))], "only the dose not on record");
    assert_eq!(plan.kept, ["line 1: RMP-001 BCG is on record on 2026-06-01; the file's 2026-06-02 is not imported"]);

    // No identifier, another register id, the same village, day of birth and a similar name:
    // added, with a suggestion.
    let mut twin = child();
    twin.register_id = "X-9".into();
    twin.facts.abha = None;
    twin.facts.name = "Aarav Yadav".into();
    let b = fhir::bundle(&twin, &ctx(&settings));
    let mut p = b.clone();
    // A Patient from another system: no Teeka identifier nor extension.
    let pat = &mut p["entry"][1]["resource"];
    pat["identifier"] = json!([]);
    pat.as_object_mut().unwrap().remove("extension");
    let records = fhir::parse(line(&p).as_bytes(), today()).unwrap();
    let plan = fhir::plan_import(&records, &existing, None, today()).unwrap();
    assert_eq!(plan.matched, [Matched::New]);
    let id = plan.rows[0].register_id.clone();
    assert!(id.starts_with("FHIR-") && id.len() == 15, "{id}");
    assert!(plan.suggestions[0].contains("looks like RMP-001"), "{:?}", plan.suggestions);
    assert_eq!(
        fhir::plan_import(&records, &existing, None, today()).unwrap().rows[0].register_id,
        id,
        "the same id again"
    );

    // A conflicting identifier, two Bundles of one person, no village.
    let mut other = child();
    other.facts.abha = Some("11-1111-1111-1111".into());
    let records = fhir::parse(line(&fhir::bundle(&other, &ctx(&settings))).as_bytes(), today()).unwrap();
    let e = fhir::plan_import(&records, &existing, None, today()).unwrap_err();
    assert_eq!(
        e.errors[0].to_string(),
        "line 1: entry: RMP-001 has abha 22-7225-4829-5255 on record; this Patient has 11-1111-1111-1111"
    );
    let twice =
        format!("{}\n{}\n", line(&fhir::bundle(&twin, &ctx(&settings))), line(&fhir::bundle(&twin, &ctx(&settings))));
    let records = fhir::parse(twice.as_bytes(), today()).unwrap();
    let e = fhir::plan_import(&records, &Export { beneficiaries: vec![] }, None, today()).unwrap_err();
    assert_eq!(e.errors[0].to_string(), "line 2: entry: X-9 is also the Patient of line 1: one Bundle per person");
    p["entry"][1]["resource"].as_object_mut().unwrap().remove("address");
    let records = fhir::parse(line(&p).as_bytes(), today()).unwrap();
    let e = fhir::plan_import(&records, &existing, None, today()).unwrap_err();
    assert!(e.errors[0].message.contains("no village"));
    assert_eq!(fhir::plan_import(&records, &existing, Some("Rampur"), today()).unwrap().rows[0].village, "Rampur");
}

// ---------------------------------------------------------------------------------------------
// The round trip, on generated registers.

fn arb_beneficiary() -> impl Strategy<Value = ExportBeneficiary> {
    let children = DoseCode::ALL.iter().copied().filter(|c| c.kind() == Kind::Child).collect::<Vec<_>>();
    let women = DoseCode::ALL.iter().copied().filter(|c| c.kind() == Kind::PregnantWoman).collect::<Vec<_>>();
    (
        0u32..10_000,
        any::<bool>(),
        0i64..1500,
        proptest::sample::subsequence(children, 0..12),
        proptest::sample::subsequence(women, 0..3),
        proptest::collection::vec(0i64..300, 12),
        0u8..4,
        proptest::option::of("[0-9]{14}"),
        proptest::option::of("[0-9]{12}"),
        proptest::option::of("[A-Z0-9]{4,10}"),
        any::<bool>(),
    )
        .prop_map(|(n, is_child, age, cdoses, wdoses, gaps, sex, abha, rch, uwin, on_card)| {
            let kind = if is_child { Kind::Child } else { Kind::PregnantWoman };
            let anchor = today() - chrono::Days::new(if is_child { age as u64 } else { (age % 250) as u64 });
            let codes = if is_child { cdoses } else { wdoses };
            let doses = codes
                .iter()
                .zip(&gaps)
                .enumerate()
                .map(|(i, (code, gap))| {
                    let date = (anchor + chrono::Days::new(*gap as u64)).min(today());
                    ExportDose {
                        id: Uuid::from_u128(u128::from(n) << 16 | i as u128),
                        code: *code,
                        date,
                        flagged: false,
                        session: (!on_card).then(|| Uuid::from_u128(7)),
                        site: (!on_card).then(|| "Rampur".to_string()),
                    }
                })
                .collect();
            let abha = abha.map(|a| format!("{}-{}-{}-{}", &a[..2], &a[2..6], &a[6..10], &a[10..]));
            ExportBeneficiary {
                register_id: format!("R-{n}"),
                household_id: format!("H-{}", n / 3),
                village: ["Rampur", "Salempur"][n as usize % 2].to_string(),
                kind,
                facts: BeneficiaryFacts {
                    name: format!("Person {n}"),
                    sex: if is_child {
                        [Some(Sex::M), Some(Sex::F), Some(Sex::O), None][sex as usize]
                    } else {
                        Some(Sex::F)
                    },
                    dob: is_child.then_some(anchor),
                    lmp: (!is_child).then_some(anchor),
                    mother_name: (sex == 1).then(|| "सुनीता".to_string()),
                    abha,
                    rch_id: rch,
                    uwin_id: uwin,
                },
                status: [BeneficiaryStatus::Active, BeneficiaryStatus::Migrated][usize::from(sex == 3)],
                household: HouseholdFacts { house_no: Some(format!("{}", n / 3)), ..Default::default() },
                resistant_household: false,
                doses,
                not_given: vec![],
                mother: None,
                delivery: None,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A register exported as FHIR and imported into an empty register gives back the same
    /// beneficiaries and doses (the rows the register import takes), and every document keeps
    /// the profile's structural rules.
    #[test]
    fn export_then_parse_round_trips(people in proptest::collection::vec(arb_beneficiary(), 1..6)) {
        let mut people = people;
        people.sort_by(|a, b| a.register_id.cmp(&b.register_id));
        people.dedup_by(|a, b| a.register_id == b.register_id);
        // One household, one village.
        for p in &mut people {
            let n: u32 = p.register_id[2..].parse().unwrap();
            p.village = ["Rampur", "Salempur"][(n / 3) as usize % 2].to_string();
        }
        let settings = ScheduleSettings::default();
        let mut text = String::new();
        for p in &people {
            let b = fhir::bundle(p, &ctx(&settings));
            prop_assert_eq!(fhir::structural_problems(&b), Vec::<String>::new());
            text.push_str(&line(&b));
            text.push('\n');
        }
        let records = fhir::parse(text.as_bytes(), today()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let plan = fhir::plan_import(&records, &Export { beneficiaries: vec![] }, None, today())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut want = Export { beneficiaries: people.clone() }.register_rows();
        let mut got = plan.rows.clone();
        for (i, (w, g)) in want.iter_mut().zip(got.iter_mut()).enumerate() {
            w.line = i as u64 + 1;
            g.implausible = None;
        }
        prop_assert_eq!(got, want);
        prop_assert!(plan.matched.iter().all(|m| *m == Matched::New));
        // And against the register it came from: everything matched, nothing to add.
        let again = fhir::plan_import(&records, &Export { beneficiaries: people }, None, today())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(again.rows.iter().all(|r| r.doses.is_empty()));
        prop_assert!(again.matched.iter().all(|m| *m != Matched::New));
    }
}

/// Another system's documents carry no Teeka dose code: every vaccine dose is read back from its
/// SNOMED CT code (or its CVX code alone) and `protocolApplied[0].doseNumber`.
#[test]
fn every_vaccine_dose_reads_back_from_snomed_or_cvx_and_its_dose_number() {
    let settings = ScheduleSettings::default();
    for kind in [Kind::Child, Kind::PregnantWoman] {
        let codes: Vec<DoseCode> =
            DoseCode::ALL.iter().copied().filter(|c| c.kind() == kind && c.is_vaccine()).collect();
        let mut b = child();
        b.kind = kind;
        b.not_given.clear();
        if kind == Kind::PregnantWoman {
            b.facts.dob = None;
            b.facts.lmp = Some(d(2026, 6, 1));
            b.facts.sex = Some(Sex::F);
        }
        b.doses = codes
            .iter()
            .enumerate()
            .map(|(i, c)| ExportDose {
                id: Uuid::from_u128(100 + i as u128),
                code: *c,
                date: d(2026, 7, 1),
                flagged: false,
                session: None,
                site: None,
            })
            .collect();
        let doc = fhir::bundle(&b, &ctx(&settings));
        for keep in [fhir::SNOMED, fhir::CVX] {
            let mut foreign = doc.clone();
            for e in foreign["entry"].as_array_mut().unwrap() {
                let r = &mut e["resource"];
                if r["resourceType"] == "Immunization" {
                    let codings = r["vaccineCode"]["coding"].as_array_mut().unwrap();
                    codings.retain(|c| c["system"] == keep);
                    if codings.is_empty() {
                        // JE has no CVX code: keep its SNOMED CT one.
                        codings.push(json!({"system": fhir::SNOMED, "code": "871724008"}));
                    }
                    r["vaccineCode"].as_object_mut().unwrap().remove("text");
                }
            }
            let records = fhir::parse(line(&foreign).as_bytes(), today()).unwrap();
            let got: Vec<DoseCode> = records[0].doses.iter().map(|(c, _)| *c).collect();
            assert_eq!(got, codes, "{kind:?} by {keep}");
        }
    }
}

/// A Patient from another system: a name in given and family parts, identifiers of its own, a
/// dateTime with a time zone, no Teeka extension.
#[test]
fn a_foreign_patient_reads_with_what_it_has() {
    let doc = json!({
        "resourceType": "Bundle", "type": "document",
        "entry": [
            {"fullUrl": "urn:uuid:c", "resource": {"resourceType": "Composition", "subject": {"reference": "urn:uuid:p"},
                "section": [{"entry": [{"reference": "urn:uuid:i"}]}]}},
            {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "id": "p",
                "identifier": [{"system": "https://healthid.ndhm.gov.in", "value": "12345678901234"}, {"system": "https://example.org/mrn", "value": "42"}],
                "name": [{"given": ["Meera"], "family": "Kumari"}], "gender": "female", "birthDate": "2026-03-01",
                "address": [{"city": "Salempur"}]}},
            {"fullUrl": "urn:uuid:i", "resource": {"resourceType": "Immunization", "status": "completed",
                "vaccineCode": {"coding": [{"system": "http://snomed.info/sct", "code": "871886002"}]},
                "patient": {"reference": "Patient/p"}, "occurrenceDateTime": "2026-04-12T10:30:00+05:30",
                "protocolApplied": [{"doseNumberPositiveInt": 1}]}},
            {"fullUrl": "urn:uuid:n", "resource": {"resourceType": "Immunization", "status": "not-done",
                "vaccineCode": {"coding": [{"system": "http://snomed.info/sct", "code": "871739009"}]},
                "patient": {"reference": "urn:uuid:p"}, "occurrenceDateTime": "2026-04-12"}},
        ]
    });
    let r = &fhir::parse(line(&doc).as_bytes(), today()).unwrap()[0];
    assert_eq!((r.facts.name.as_str(), r.facts.sex, r.facts.dob), ("Meera Kumari", Some(Sex::F), Some(d(2026, 3, 1))));
    assert_eq!(r.facts.abha.as_deref(), Some("12-3456-7890-1234"));
    assert_eq!((r.register_id.as_deref(), r.village.as_deref(), r.kind), (None, Some("Salempur"), Kind::Child));
    assert_eq!(r.doses, [(DoseCode::Penta1, d(2026, 4, 12))], "a not-done Immunization is no dose");
}
