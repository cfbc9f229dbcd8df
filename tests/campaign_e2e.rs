//! The "Done when" of issue 10 (IMI rounds) end to end, with real processes, on both server
//! backends (SQLite and a throwaway PostgreSQL cluster; `TEEKA_SKIP_POSTGRES=1` skips it):
//! `teeka-server` imports the areas and makes enrollment codes; a block supervisor's `teeka`
//! imports the register and the block's sites, adds IMI 2.0's round 1 with its RI days and a
//! holiday, sees the session plan and syncs; an ANM's `teeka` of a sub-centre receives it all,
//! prints the carry kit (checked by hand against the default vaccine table), runs a session
//! (vials opened and discarded, doses given, wastage), sees the mop-up list on day 7 and syncs;
//! the server shows the block's plan, the sites with no ANM or no mobilizer first, and the doses
//! reach the server and the supervisor. Bad inputs on the way get a located, plain error, exit 1,
//! and nothing is stored.
//!
//! The processes and the backend are `tests/common`'s, shared with `tests/sync_e2e.rs`; `Env`,
//! `Server` and `Device` are `tests/common/world.rs`'s, shared with `tests/monitor_e2e.rs`: every
//! process is killed when the test ends and every command has a timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Instant;

mod common;
use common::world::{find, items, strs, Env};
use common::Kind;

/// Block Mahmudabad: sub-centre Rampur SC (Rampur, Salempur) and Kamalpur SC (Sonpur); another
/// block, Biswan.
const AREAS: &str = "state,district,block,subcentre,village
Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Rampur
Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Salempur
Uttar Pradesh,Sitapur,Mahmudabad,Kamalpur SC,Sonpur
Uttar Pradesh,Sitapur,Biswan,Kotra SC,Kotra
";
const BLOCK: &str = "Uttar Pradesh/Sitapur/Mahmudabad";

/// The block's villages in 2019, when IMI 2.0's round 1 started (2 December). On its first day,
/// in Rampur: RMP-001, -002, -003 and -005 are due their 6-week doses (OPV1 PENTA1 RVV1 FIPV1
/// PCV1), RMP-004 its second doses (OPV2 PENTA2 RVV2, and FIPV2 PCV2 at 14 weeks). Salempur: SLM-001 has had everything,
/// SLM-002 is a pregnant woman due Td-1. Sonpur (the other sub-centre): SNP-001, 6-week doses.
const REGISTER: &str = "register_id,household_id,village,house_no,kind,name,sex,dob,lmp,BCG,OPV0,HEPB0,OPV1,PENTA1,RVV1,FIPV1,PCV1,OPV2,PENTA2,RVV2,OPV3,PENTA3,RVV3,FIPV2,PCV2
RMP-001,RMP-H01,Rampur,12,child,Aarav,M,2019-09-01,,2019-09-01,2019-09-01,2019-09-01,,,,,,,,,,,,,
RMP-002,RMP-H02,Rampur,7,child,Ayesha,F,2019-10-01,,2019-10-01,2019-10-01,2019-10-01,,,,,,,,,,,,,
RMP-003,RMP-H02,Rampur,7,child,Imran,M,2019-10-05,,2019-10-05,2019-10-05,2019-10-05,,,,,,,,,,,,,
RMP-004,RMP-H03,Rampur,9,child,Zoya,F,2019-08-01,,2019-08-01,2019-08-01,2019-08-01,2019-09-12,2019-09-12,2019-09-12,2019-09-12,2019-09-12,,,,,,,,
RMP-005,RMP-H03,Rampur,9,child,Kabir,M,2019-10-15,,2019-10-15,2019-10-15,2019-10-15,,,,,,,,,,,,,
SLM-001,SLM-H01,Salempur,3,child,Ravi,M,2019-06-01,,2019-06-01,2019-06-01,2019-06-01,2019-07-13,2019-07-13,2019-07-13,2019-07-13,2019-07-13,2019-08-10,2019-08-10,2019-08-10,2019-09-07,2019-09-07,2019-09-07,2019-09-07,2019-09-07
SLM-002,SLM-H02,Salempur,4,pregnant_woman,Kamla,F,,2019-08-01,,,,,,,,,,,,,,,,
SNP-001,SNP-H01,Sonpur,1,child,Farah,F,2019-10-10,,2019-10-10,2019-10-10,2019-10-10,,,,,,,,,,,,,
";

/// The block's microplan: demo/sites.csv's two sites of Rampur SC, and a site of Kamalpur SC
/// with no ANM and no mobilizer yet.
const SITES: &str = "site_id,name,villages,type,hra,anm,anm_phone,mobilizers,avd,distance_km,travel_minutes,ri_day
RMP-AWC,Rampur Anganwadi,Rampur,outreach,urban_slum,Meena Devi,9876501234,Sunita (ASHA):9123400001;Rekha (AWW),Ramesh:9988700001,2.5,20,wed
SLM-SC,Salempur Sub-centre,Salempur,fixed,none,Kavita Singh,9876505678,Geeta (ASHA):9123400002,,0,0,sat
SNP-PHC,Sonpur PHC,Sonpur,fixed,none,,,,,8,45,
";

/// Round 1's working days: from Monday 2 December 2019, skipping Sundays (8th), the RI days
/// (Wednesdays and Saturdays: 4th, 7th, 11th) and the holiday of the 10th.
const ROUND_1: [&str; 7] =
    ["2019-12-02", "2019-12-03", "2019-12-05", "2019-12-06", "2019-12-09", "2019-12-12", "2019-12-13"];

// ---------------------------------------------------------------------------------------------
// Reading the answers
// ---------------------------------------------------------------------------------------------

/// Every dose record id of the export.
fn dose_ids(export: &Value) -> BTreeSet<String> {
    items(export, "beneficiaries")
        .iter()
        .flat_map(|b| items(b, "doses"))
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

/// `recorded OPV1 given to RMP-001 on 2019-12-02 (event ID)` → ID.
fn event_id(out: &str) -> String {
    let (_, rest) = out.rsplit_once("(event ").unwrap_or_else(|| panic!("no event id in {out}"));
    rest.trim_end().trim_end_matches(')').to_string()
}

// ---------------------------------------------------------------------------------------------
// The story
// ---------------------------------------------------------------------------------------------

fn campaign(kind: Kind) {
    let Some(env) = Env::new(kind) else { return };
    let started = Instant::now();
    let [day1, _, _, _, _, _, day7] = ROUND_1;
    let before_round = "2019-11-29";

    // 1. The server: the areas, and codes for the block's supervisor and an ANM of Rampur SC.
    let out = env.admin(&["import", "areas", &env.write("areas.csv", AREAS)]);
    assert!(out.contains("imported 4 rows"), "{out}");
    let supervisor_code = env.code("Mahmudabad", "supervisor");
    let anm_code = env.code("Rampur SC", "anm");
    let server = env.serve();

    // 2. The supervisor's device: the register, the block's sites, round 1, its plan; sync.
    let sup = env.device("supervisor", ROUND_1[0]);
    sup.enroll(&server, &supervisor_code);
    let out = sup.ok(before_round, &["import", "register", &env.write("register.csv", REGISTER)]);
    assert!(out.contains("3 villages") && out.contains("8 beneficiaries"), "{out}");
    let sites = env.write("sites.csv", SITES);
    assert_eq!(
        sup.ok(before_round, &["plan", "sites", "import", &sites]),
        "imported 3 sites (3 new, 0 changed, 0 unchanged)\n"
    );
    // A site serving a village the store does not know: refused, located, nothing stored.
    let bad_sites = env.write("bad-sites.csv", &SITES.replace(",Sonpur,fixed,", ",Sonpur;Kotri,fixed,"));
    sup.refused(
        before_round,
        &["plan", "sites", "import", &bad_sites],
        "INVALID_INPUT",
        "line 4, column 'villages': no village named 'Kotri'",
    );
    let holidays = env.write("holidays.txt", "# district holiday\n2019-12-10\n");
    let out = sup.ok(
        before_round,
        &["plan", "round", "add", "--number", "1", "--start", day1, "--ri-days", "wed,sat", "--holidays", &holidays],
    );
    assert_eq!(out, "round 1 added: 7 working days from 2019-12-02 to 2019-12-13\n");
    let plan = sup.json(before_round, &["plan", "sessions", "--round", "1", "--format", "json"]);
    assert_eq!(strs(&plan["days"]), ROUND_1);
    let sessions = items(&plan, "sessions");
    let rampur = find(sessions, "site_id", "RMP-AWC");
    assert_eq!(rampur["day"], day1);
    assert_eq!(strs(&rampur["expected"]), ["RMP-001", "RMP-002", "RMP-003", "RMP-004", "RMP-005"]);
    // Injections: PENTA, FIPV and PCV for each of the five (OPV and RVV are drops).
    assert_eq!(rampur["injections"], 15);
    assert_eq!(strs(&find(sessions, "site_id", "SLM-SC")["expected"]), ["SLM-002"]);
    assert_eq!(strs(&find(sessions, "site_id", "SNP-PHC")["expected"]), ["SNP-001"]);
    assert_eq!(plan["problems"], json!([{"code": "NO_ANM", "site_id": "SNP-PHC"}]));
    sup.sync(before_round);

    // 3. The ANM's device of Rampur SC: it receives its sub-centre's register, sites and the
    // block's round (not the site of Kamalpur SC, nor its children).
    let anm = env.device("anm", ROUND_1[0]);
    anm.enroll(&server, &anm_code);
    anm.sync(day1);
    let listed = anm.json(day1, &["plan", "sites", "list", "--format", "json"]);
    let ids: Vec<&str> = items(&listed, "sites").iter().map(|s| s["site_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["RMP-AWC", "SLM-SC"]);
    let rounds = anm.json(day1, &["plan", "round", "list", "--format", "json"]);
    assert_eq!(strs(&rounds["rounds"][0]["days"]), ROUND_1);
    assert_eq!(strs(&rounds["rounds"][0]["holidays"]), ["2019-12-10"]);
    let registered: BTreeSet<String> = items(&anm.json(day1, &["export", "--format", "json"]), "beneficiaries")
        .iter()
        .map(|b| b["register_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(registered.len(), 7, "Rampur's and Salempur's, not Sonpur's: {registered:?}");
    assert!(!registered.contains("SNP-001"));

    // The carry kit for Rampur's session, by hand against the default vaccine table
    // (docs/formats.md; doses_needed = ceil(due × factor), vials = ceil(needed ÷ doses per vial)):
    // five children each due one dose of each of five antigens (four first doses, RMP-004's
    // second ones):
    //   OPV   5 due × 1.11 = 5.55 → 6;   6 ÷ 20 doses a vial → 1 vial
    //   PENTA 5 due × 1.18 = 5.90 → 6;   6 ÷ 10             → 1 vial
    //   RVV   5 due × 1.05 = 5.25 → 6;   6 ÷ 1              → 6 vials
    //   FIPV  5 due × 1.18 = 5.90 → 6;   6 ÷ 25             → 1 vial
    //   PCV   5 due × 1.18 = 5.90 → 6;   6 ÷ 4              → 2 vials
    // Supplies: AD 0.1 ml for fIPV, ceil(5 × 1.11) = 6; AD 0.5 ml for PENTA and PCV, ceil(10 ×
    // 1.11) = 12; nothing reconstituted; one hub cutter, red and black bag; no MCP card (every
    // child has a dose on record).
    let kit = anm.json(day1, &["plan", "kit", "--site", "RMP-AWC", "--on", day1, "--format", "json"]);
    assert_eq!((kit["site"].as_str(), kit["date"].as_str()), (Some("RMP-AWC"), Some(day1)));
    let rows: Vec<(String, u64, u64, u64, u64)> = items(&kit, "items")
        .iter()
        .map(|i| {
            let n = |k: &str| i[k].as_u64().unwrap();
            (
                i["antigen"].as_str().unwrap().to_string(),
                n("doses_due"),
                n("doses_needed"),
                n("vials"),
                n("open_vials_usable"),
            )
        })
        .collect();
    let expected: Vec<(String, u64, u64, u64, u64)> =
        [("OPV", 5, 6, 1, 0), ("PENTA", 5, 6, 1, 0), ("RVV", 5, 6, 6, 0), ("FIPV", 5, 6, 1, 0), ("PCV", 5, 6, 2, 0)]
            .into_iter()
            .map(|(a, d, n, v, o)| (a.to_string(), d, n, v, o))
            .collect();
    assert_eq!(rows, expected, "{kit:#}");
    let supplies = &kit["supplies"];
    assert_eq!(
        *supplies,
        json!({"ad_syringes_0_1ml": 6, "ad_syringes_0_5ml": 12, "reconstitution_syringes": 0,
               "diluents": {"BCG": 0, "MR": 0, "JE": 0}, "hub_cutters": 1, "red_bags": 1, "black_bags": 1,
               "mcp_cards": 0})
    );
    // An unknown site: refused.
    anm.refused(day1, &["plan", "kit", "--site", "RMP-XYZ", "--on", day1], "UNKNOWN_SITE", "no session site 'RMP-XYZ'");
    anm.refused(day1, &["session", "open", "--site", "SNP-PHC", "--date", day1], "UNKNOWN_SITE", "'SNP-PHC'");

    // The session at Rampur on day 1: an OPV and a PENTA vial, two children given OPV1 and
    // PENTA1, another kept home sick, the OPV vial contaminated.
    let out = anm.ok(day1, &["session", "open", "--site", "RMP-AWC", "--date", day1]);
    assert!(out.starts_with("opened a session at site RMP-AWC on 2019-12-02\n"), "{out}");
    let session = out.lines().last().unwrap().to_string();
    let s = session.as_str();
    let opv = anm.id(
        day1,
        &[
            "session",
            "vial",
            "open",
            "--session",
            s,
            "--antigen",
            "OPV",
            "--batch",
            "B-17",
            "--expiry",
            "2020-06-30",
            "--vvm",
            "1",
        ],
    );
    let penta = anm.id(day1, &["session", "vial", "open", "--session", s, "--antigen", "PENTA", "--vvm", "2"]);
    // Bad vials: an antigen nobody at the site is due, an impossible VVM stage.
    anm.refused(
        day1,
        &["session", "vial", "open", "--session", s, "--antigen", "MR"],
        "NO_DOSES_DUE",
        "antigen: no one on the due list of site RMP-AWC (Rampur Anganwadi) on 2019-12-02 is due MR",
    );
    anm.refused(
        day1,
        &["session", "vial", "open", "--session", s, "--antigen", "OPV", "--vvm", "5"],
        "INVALID_INPUT",
        "vvm: 5 is not a VVM stage (1 to 4)",
    );
    let mut given = BTreeSet::new();
    for rid in ["RMP-001", "RMP-002"] {
        for code in ["OPV1", "PENTA1"] {
            let out =
                anm.ok(day1, &["record", "dose", "--register-id", rid, "--code", code, "--date", day1, "--session", s]);
            assert!(out.starts_with(&format!("recorded {code} given to {rid} on 2019-12-02")), "{out}");
            given.insert(event_id(&out));
        }
    }
    anm.ok(
        day1,
        &[
            "record",
            "not-given",
            "--register-id",
            "RMP-003",
            "--code",
            "PENTA1",
            "--date",
            day1,
            "--reason",
            "CHILD_SICK",
        ],
    );
    assert_eq!(
        anm.ok(day1, &["session", "vial", "discard", "--vial", &opv, "--reason", "CONTAMINATED"]),
        format!("discarded vial {opv}: CONTAMINATED\n")
    );
    let out = anm.ok(day1, &["session", "close", "--session", s]);
    assert!(out.starts_with(&format!("closed session {s}: 2 vials opened (OPV 1, PENTA 1)\n")), "{out}");
    assert!(out.contains(&format!("carried forward vial {penta}")), "PENTA is under the open-vial policy: {out}");
    // Wastage: OPV 20 doses opened, 2 given: 90 %; PENTA 10 opened, 2 given: 80 %.
    let ledger = anm.json(day1, &["session", "show", "--session", s, "--format", "json"]);
    assert_eq!(ledger["session"]["site_id"], "RMP-AWC");
    assert_eq!(ledger["session"]["closed"], true);
    assert_eq!(ledger["doses_given"], json!({"OPV": 2, "PENTA": 2}));
    assert_eq!(
        ledger["wastage"],
        json!([
            {"antigen": "OPV", "vials_opened": 1, "doses_in_vials": 20, "doses_given": 2, "rate": 90.0, "data_error": false},
            {"antigen": "PENTA", "vials_opened": 1, "doses_in_vials": 10, "doses_given": 2, "rate": 80.0, "data_error": false}
        ])
    );
    let vials = items(&ledger, "vials");
    assert_eq!(find(vials, "id", &opv)["discarded"]["reason"], "CONTAMINATED");
    assert_eq!(find(vials, "id", &penta)["discarded"], Value::Null);
    // The carried PENTA vial counts in the next kit of the sub-centre: 3 still due PENTA1,
    // 3 × 1.18 = 3.54 → 4 doses, 1 vial, less the open one carried: none to take.
    let kit = anm.json(day1, &["plan", "kit", "--site", "RMP-AWC", "--on", ROUND_1[1], "--format", "json"]);
    let carried = find(items(&kit, "items"), "antigen", "PENTA");
    assert_eq!(
        *carried,
        json!({"antigen": "PENTA", "doses_due": 3, "doses_needed": 4, "vials": 0, "open_vials_usable": 1})
    );

    // The mop-up on day 7: everyone at Rampur still due something this round, RMP-003 with
    // its reason.
    let mop =
        anm.json(day7, &["plan", "mop-up", "--round", "1", "--site", "RMP-AWC", "--on", day7, "--format", "json"]);
    let due: Vec<(&str, Vec<&str>)> = items(&mop, "items")
        .iter()
        .map(|i| {
            let codes = items(i, "doses").iter().map(|d| d["code"].as_str().unwrap()).collect();
            (i["register_id"].as_str().unwrap(), codes)
        })
        .collect();
    let six_weeks = vec!["OPV1", "PENTA1", "RVV1", "FIPV1", "PCV1"];
    assert_eq!(
        due,
        [
            ("RMP-001", vec!["RVV1", "FIPV1", "PCV1"]),
            ("RMP-002", vec!["RVV1", "FIPV1", "PCV1"]),
            ("RMP-003", six_weeks.clone()),
            ("RMP-004", vec!["OPV2", "PENTA2", "RVV2", "FIPV2", "PCV2"]),
            ("RMP-005", six_weeks),
        ],
        "{mop:#}"
    );
    assert_eq!(find(items(&mop, "items"), "register_id", "RMP-003")["last_not_given"]["reason"], "CHILD_SICK");
    // A date outside the round (the Saturday after day 7), an unknown site.
    anm.refused(
        day7,
        &["plan", "mop-up", "--round", "1", "--site", "RMP-AWC", "--on", "2019-12-14"],
        "OUTSIDE_ROUND",
        "--on 2019-12-14: a date outside the round",
    );
    anm.refused(
        day7,
        &["plan", "mop-up", "--round", "1", "--site", "NOPE", "--on", day7],
        "UNKNOWN_SITE",
        "no session site 'NOPE'",
    );
    anm.sync(day7);

    // 4. The server: the block's plan, the site with no ANM and no mobilizer first.
    let block = env.admin_json(&["plan", "sessions", "--round", "1", "--area", BLOCK, "--format", "json"]);
    assert_eq!((block["round"].as_u64(), block["area"].as_str()), (Some(1), Some(BLOCK)));
    assert_eq!(strs(&block["days"]), ROUND_1);
    let sites = items(&block, "sites");
    let order: Vec<&str> = sites.iter().map(|s| s["site_id"].as_str().unwrap()).collect();
    assert_eq!(order, ["SNP-PHC", "RMP-AWC", "SLM-SC"]);
    let sonpur = &sites[0];
    assert_eq!((sonpur["no_anm"].as_bool(), sonpur["no_mobilizer"].as_bool()), (Some(true), Some(true)));
    assert_eq!(sonpur["path"], format!("{BLOCK}/Kamalpur SC/Sonpur"));
    let rampur = &sites[1];
    assert_eq!(rampur["anm"], json!({"name": "Meena Devi", "phone": "9876501234"}));
    assert_eq!(rampur["no_mobilizer"], false);
    let expected: Vec<&str> =
        items(&rampur["sessions"][0], "expected").iter().map(|e| e["register_id"].as_str().unwrap()).collect();
    assert_eq!(expected, ["RMP-001", "RMP-002", "RMP-003", "RMP-004", "RMP-005"]);
    assert_eq!(rampur["sessions"][0]["day"], day1);
    assert_eq!(block["problems"], json!([{"code": "NO_ANM", "site_id": "SNP-PHC"}]));
    let run = env.server_run(&["plan", "sessions", "--round", "2", "--area", BLOCK]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("no round 2"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    // The session's doses are on the server, and on the supervisor's device after a second
    // sync, with the session's vial ledger.
    let server_doses = dose_ids(&env.admin_json(&["export", "--format", "json"]));
    assert!(given.is_subset(&server_doses), "{given:?} on the server");
    sup.sync(day7);
    assert!(
        given.is_subset(&dose_ids(&sup.json(day7, &["export", "--format", "json"]))),
        "{given:?} at the supervisor"
    );
    let seen = sup.json(day7, &["session", "show", "--session", s, "--format", "json"]);
    assert_eq!(seen["wastage"], ledger["wastage"], "the supervisor sees the session's wastage");
    assert_eq!(items(&seen, "vials").len(), 2);

    eprintln!("{kind:?}: the campaign's story took {:?}", started.elapsed());
}

#[test]
fn imi_round_1_from_the_block_to_a_session_and_back_sqlite() {
    campaign(Kind::Sqlite);
}

#[test]
fn imi_round_1_from_the_block_to_a_session_and_back_postgres() {
    campaign(Kind::Postgres);
}
