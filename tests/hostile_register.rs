#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-to-end tests of `teeka import register` against hostile registers: the real binary, a
//! fresh store in a temp dir, `--today 2026-11-22` always.
//!
//! Every refusal is checked three ways: the exit status is non-zero, stderr names the line, the
//! column and the problem, and nothing was stored (`export --format json` is byte-identical to
//! what it was before the hostile import).

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use tempfile::TempDir;

const TODAY: &str = "2026-11-22";

/// The header of the hostile registers: the base columns and three dose columns.
const HEADER: &str = "register_id,household_id,village,house_no,head_of_household,phone,risk_category,kind,name,sex,dob,lmp,mother_name,status,BCG,OPV1,TD1";

/// The small valid register every refusal test imports first.
const BASE: &str = "\
register_id,household_id,village,house_no,head_of_household,phone,risk_category,kind,name,sex,dob,lmp,mother_name,status,BCG,OPV1,TD1
A-1,H1,Rampur,12,Ram Yadav,9876543210,,child,Aarav Yadav,M,2026-01-10,,Sunita Yadav,active,2026-01-10,2026-02-21,
A-2,H1,Rampur,12,Ram Yadav,9876543210,,pregnant_woman,Sunita Yadav,F,,2026-06-01,,active,,,2026-08-01
";

/// One store in its own temp dir.
struct Env {
    dir: TempDir,
    db: PathBuf,
    files: usize,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("teeka.db");
        Env { dir, db, files: 0 }
    }

    /// A store holding [`BASE`].
    fn with_base() -> Env {
        let mut env = Env::new();
        let out = env.import(BASE.as_bytes());
        assert_success(&out);
        env
    }

    fn teeka(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_teeka"))
            .arg("--db")
            .arg(&self.db)
            .args(["--today", TODAY, "--author", "test"])
            .args(args)
            .env_remove("TEEKA_DB")
            .env_remove("TEEKA_TODAY")
            .output()
            .unwrap()
    }

    fn import(&mut self, bytes: &[u8]) -> Output {
        self.files += 1;
        let path = self.dir.path().join(format!("register-{}.csv", self.files));
        std::fs::write(&path, bytes).unwrap();
        self.teeka(&["import", "register", path.to_str().unwrap()])
    }

    fn export(&self, format: &str) -> String {
        let out = self.teeka(&["export", "--format", format]);
        assert_success(&out);
        String::from_utf8(out.stdout).unwrap()
    }

    fn export_json(&self) -> String {
        self.export("json")
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_success(out: &Output) {
    assert!(out.status.success(), "expected success\nstdout:\n{}\nstderr:\n{}", stdout(out), stderr(out));
}

/// One expected problem: line, column (None for a whole-row or whole-file problem) and a
/// fragment of the message.
type Problem<'a> = (u64, Option<&'a str>, &'a str);

fn has_problem(err: &str, (line, column, fragment): Problem<'_>) -> bool {
    let prefix = match column {
        Some(c) => format!("line {line}, column '{c}': "),
        None => format!("line {line}: "),
    };
    err.lines().any(|l| l.trim_start().starts_with(&prefix) && l.contains(fragment))
}

/// Imports [`BASE`], then `hostile`; asserts the refusal, its `total` problem count and each of
/// `problems`, and that the store is exactly as before. Returns stderr.
fn assert_refused(hostile: &[u8], total: usize, problems: &[Problem<'_>]) -> String {
    let mut env = Env::with_base();
    let before = env.export_json();
    let out = env.import(hostile);
    let err = stderr(&out);
    assert!(!out.status.success(), "a hostile register was accepted\nstdout:\n{}\nstderr:\n{err}", stdout(&out));
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    assert!(err.starts_with("error[REGISTER_INVALID]: "), "stderr:\n{err}");
    assert!(err.contains("nothing was imported"), "stderr:\n{err}");
    let count = format!("the register has {total} problem{};", if total == 1 { "" } else { "s" });
    assert!(err.contains(&count), "expected '{count}'\nstderr:\n{err}");
    for &p in problems {
        assert!(has_problem(&err, p), "expected {p:?}\nstderr:\n{err}");
    }
    assert_eq!(env.export_json(), before, "the refused import changed the store");
    err
}

const COLUMNS: [&str; 17] = [
    "register_id",
    "household_id",
    "village",
    "house_no",
    "head_of_household",
    "phone",
    "risk_category",
    "kind",
    "name",
    "sex",
    "dob",
    "lmp",
    "mother_name",
    "status",
    "BCG",
    "OPV1",
    "TD1",
];

const CHILD: [&str; 17] = [
    "B-1",
    "H2",
    "Salempur",
    "4",
    "Bhola Nishad",
    "9555512345",
    "riverine",
    "child",
    "Khushi Nishad",
    "F",
    "2026-01-25",
    "",
    "Lalita Nishad",
    "active",
    "2026-01-25",
    "2026-03-10",
    "",
];

const WOMAN: [&str; 17] = [
    "B-2",
    "H2",
    "Salempur",
    "4",
    "Bhola Nishad",
    "9555512345",
    "riverine",
    "pregnant_woman",
    "Lalita Nishad",
    "F",
    "",
    "2026-06-01",
    "",
    "active",
    "",
    "",
    "2026-08-10",
];

/// A CSV line (no newline) from the defaults with some cells replaced; quotes where needed.
fn row(defaults: &[&str; 17], changes: &[(&str, &str)]) -> String {
    let mut cells: Vec<String> = defaults.iter().map(|s| s.to_string()).collect();
    for (column, value) in changes {
        let i = COLUMNS.iter().position(|c| c == column).unwrap_or_else(|| panic!("no column {column}"));
        cells[i] = value.to_string();
    }
    cells
        .iter()
        .map(|c| if c.contains([',', '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.clone() })
        .collect::<Vec<_>>()
        .join(",")
}

fn child(changes: &[(&str, &str)]) -> String {
    row(&CHILD, changes)
}

fn woman(changes: &[(&str, &str)]) -> String {
    row(&WOMAN, changes)
}

/// A register: [`HEADER`] and the rows, each line ending in a newline.
fn register(rows: &[String]) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

/// The counts of an import summary line: "imported N rows: a villages, b households (c updated), ...".
fn summary_counts(out: &Output) -> Vec<u64> {
    let text = stdout(out);
    let line = text.lines().find(|l| l.starts_with("imported ")).unwrap_or_else(|| panic!("no summary in {text}"));
    line.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect()
}

/// The export with every `id` removed (ids are made fresh by each store).
fn without_ids(json: &str) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("id");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_str(json).unwrap();
    strip(&mut v);
    v
}

fn beneficiary<'a>(export: &'a Value, register_id: &str) -> Option<&'a Value> {
    export["beneficiaries"].as_array().unwrap().iter().find(|b| b["register_id"] == register_id)
}

// ---------------------------------------------------------------------------------------------
// The fixtures themselves

#[test]
fn the_default_rows_are_valid() {
    let mut env = Env::with_base();
    let out = env.import(&register(&[child(&[]), woman(&[])]));
    assert_success(&out);
    assert_eq!(summary_counts(&out), [2, 1, 1, 0, 2, 0, 3, 0]);
    let export: Value = serde_json::from_str(&env.export_json()).unwrap();
    assert_eq!(export["beneficiaries"].as_array().unwrap().len(), 4);
}

// ---------------------------------------------------------------------------------------------
// The header

#[test]
fn unknown_column_is_refused() {
    let file = format!("{HEADER},weight\n{},3.2\n", child(&[]));
    assert_refused(file.as_bytes(), 1, &[(1, Some("weight"), "unknown column")]);
}

#[test]
fn misspelt_dose_column_is_refused() {
    let file = HEADER.replace("OPV1", "OPV 1");
    let file = format!("{file}\n{}\n", child(&[]));
    assert_refused(file.as_bytes(), 1, &[(1, Some("OPV 1"), "unknown column")]);
}

#[test]
fn duplicate_column_is_refused() {
    let file = format!("{HEADER},BCG\n{},2026-01-25\n", child(&[]));
    assert_refused(file.as_bytes(), 1, &[(1, Some("BCG"), "appears twice")]);
}

#[test]
fn duplicate_base_column_differing_in_case_is_refused() {
    let file = format!("{HEADER},Name\n{},Khushi\n", child(&[]));
    assert_refused(file.as_bytes(), 1, &[(1, Some("Name"), "appears twice")]);
}

#[test]
fn missing_required_columns_are_refused() {
    let header = HEADER.replace("village,", "").replace(",name,", ",");
    let row: Vec<&str> = CHILD.iter().enumerate().filter(|(i, _)| *i != 2 && *i != 8).map(|(_, c)| *c).collect();
    let file = format!("{header}\n{}\n", row.join(","));
    assert_refused(
        file.as_bytes(),
        2,
        &[(1, Some("village"), "required column is missing"), (1, Some("name"), "required column is missing")],
    );
}

#[test]
fn empty_file_is_refused() {
    assert_refused(b"", 1, &[(1, None, "the file is empty")]);
}

#[test]
fn header_only_file_imports_nothing() {
    let mut env = Env::with_base();
    let before = env.export_json();
    let out = env.import(format!("{HEADER}\n").as_bytes());
    assert_success(&out);
    assert_eq!(summary_counts(&out), [0; 8]);
    assert!(stdout(&out).starts_with("imported 0 rows"), "{}", stdout(&out));
    assert_eq!(env.export_json(), before);
}

#[test]
fn bom_prefixed_file_imports() {
    let mut env = Env::with_base();
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend(register(&[child(&[]), woman(&[])]));
    let out = env.import(&file);
    assert_success(&out);
    assert_eq!(summary_counts(&out)[0], 2);
    let export: Value = serde_json::from_str(&env.export_json()).unwrap();
    assert_eq!(beneficiary(&export, "B-1").unwrap()["name"], "Khushi Nishad");
    assert_eq!(beneficiary(&export, "B-2").unwrap()["name"], "Lalita Nishad");
}

// ---------------------------------------------------------------------------------------------
// Dates

#[test]
fn impossible_iso_date_is_refused() {
    let file = register(&[child(&[("dob", "2025-02-30"), ("BCG", ""), ("OPV1", "")])]);
    assert_refused(&file, 1, &[(2, Some("dob"), "'2025-02-30' is an impossible date")]);
}

#[test]
fn impossible_day_month_year_date_is_refused() {
    let file = register(&[child(&[("dob", "01/04/2025"), ("BCG", "31/04/2025"), ("OPV1", "")])]);
    assert_refused(&file, 1, &[(2, Some("BCG"), "'31/04/2025' is an impossible date")]);
}

#[test]
fn malformed_dates_are_refused() {
    let file = register(&[
        child(&[("register_id", "B-1"), ("dob", "25.01.2026"), ("BCG", ""), ("OPV1", "")]),
        child(&[("register_id", "B-3"), ("OPV1", "10 March 2026")]),
        woman(&[("lmp", "2026-6")]),
    ]);
    assert_refused(
        &file,
        3,
        &[
            (2, Some("dob"), "'25.01.2026' is not a date: write YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY"),
            (3, Some("OPV1"), "'10 March 2026' is not a date"),
            (4, Some("lmp"), "'2026-6' is not a date"),
        ],
    );
}

#[test]
fn dose_before_birth_or_lmp_is_refused() {
    let file = register(&[child(&[("BCG", "2026-01-24")]), woman(&[("TD1", "31-05-2026")])]);
    assert_refused(
        &file,
        2,
        &[
            (2, Some("BCG"), "dose date 2026-01-24 is before birth (2026-01-25)"),
            (3, Some("TD1"), "dose date 2026-05-31 is before the LMP (2026-06-01)"),
        ],
    );
}

#[test]
fn dates_in_the_future_are_refused() {
    let file = register(&[
        child(&[("register_id", "B-1"), ("dob", "2026-11-23"), ("BCG", ""), ("OPV1", "")]),
        child(&[("register_id", "B-3"), ("OPV1", "01/12/2026")]),
        woman(&[("lmp", "2026-12-01"), ("TD1", "")]),
    ]);
    assert_refused(
        &file,
        3,
        &[
            (2, Some("dob"), "2026-11-23 is in the future (today is 2026-11-22)"),
            (3, Some("OPV1"), "2026-12-01 is in the future (today is 2026-11-22)"),
            (4, Some("lmp"), "2026-12-01 is in the future (today is 2026-11-22)"),
        ],
    );
}

#[test]
fn edd_that_puts_the_lmp_in_the_future_is_refused() {
    let header = format!("{HEADER},edd");
    let file = format!("{header}\n{},2027-12-01\n", woman(&[("lmp", ""), ("TD1", "")]));
    assert_refused(file.as_bytes(), 1, &[(2, Some("edd"), "puts the LMP in the future")]);
}

/// A child older than the schedule's last dose (Td at 16 years), and an active pregnancy that
/// cannot be ongoing (an LMP more than 10 months ago, an EDD in the past), are refused where the
/// date is; a pregnancy no longer active is not.
#[test]
fn implausible_people_are_refused() {
    let header = format!("{HEADER},edd");
    let rows = [
        // Td-16 was due on 2026-11-21: older than 16 years.
        format!("{},", child(&[("register_id", "B-1"), ("dob", "2010-11-21"), ("BCG", ""), ("OPV1", "")])),
        format!("{},", woman(&[("register_id", "B-2"), ("lmp", "2026-01-21"), ("TD1", "")])),
        format!("{},", woman(&[("register_id", "B-3"), ("lmp", "2026-02-01"), ("TD1", "")])),
        format!("{},2026-11-01", woman(&[("register_id", "B-4"), ("lmp", ""), ("TD1", "")])),
        // The day Td-16 is due, an EDD today, and a woman who moved away: all accepted.
        format!("{},", child(&[("register_id", "B-5"), ("dob", "2010-11-22"), ("BCG", ""), ("OPV1", "")])),
        format!("{},2026-11-22", woman(&[("register_id", "B-6"), ("lmp", ""), ("TD1", "")])),
        format!("{},", woman(&[("register_id", "B-7"), ("lmp", "2025-01-01"), ("status", "migrated"), ("TD1", "")])),
    ];
    let file = format!("{header}\n{}\n", rows.join("\n"));
    assert_refused(
        file.as_bytes(),
        4,
        &[
            (2, Some("dob"), "dob 2010-11-21: the child would be older than 16 years (the age of TD16"),
            (3, Some("lmp"), "lmp 2026-01-21: more than 10 months before today (2026-11-22)"),
            (4, Some("lmp"), "the expected date of delivery 2026-11-08 is before today (2026-11-22)"),
            (5, Some("edd"), "edd 2026-11-01: the expected date of delivery 2026-11-01 is before today"),
        ],
    );
    let mut env = Env::with_base();
    let fine = format!("{header}\n{}\n", rows[4..].join("\n"));
    assert_success(&env.import(fine.as_bytes()));
}

// ---------------------------------------------------------------------------------------------
// Rows

#[test]
fn duplicate_register_id_in_the_file_is_refused() {
    let file = register(&[child(&[]), woman(&[("register_id", "B-1")])]);
    assert_refused(&file, 1, &[(3, Some("register_id"), "duplicate register id 'B-1' (first on line 2)")]);
}

#[test]
fn missing_required_fields_are_refused() {
    let header = format!("{HEADER},edd");
    let rows = [
        child(&[("register_id", "B-1"), ("name", "")]),
        child(&[("register_id", "B-3"), ("dob", ""), ("BCG", ""), ("OPV1", "")]),
        woman(&[("register_id", "B-4"), ("lmp", "")]),
        child(&[("register_id", ""), ("name", "Nobody")]),
    ];
    let file = format!("{header}\n{},\n{},\n{},\n{},\n", rows[0], rows[1], rows[2], rows[3]);
    assert_refused(
        file.as_bytes(),
        4,
        &[
            (2, Some("name"), "required field is empty"),
            (3, Some("dob"), "required for a child"),
            (4, Some("lmp"), "a pregnant woman needs an LMP (or an EDD)"),
            (5, Some("register_id"), "required field is empty"),
        ],
    );
}

#[test]
fn bad_codes_are_refused() {
    let file = register(&[
        child(&[("register_id", "B-1"), ("kind", "infant")]),
        child(&[("register_id", "B-3"), ("sex", "X")]),
        child(&[("register_id", "B-4"), ("status", "moved")]),
        child(&[("register_id", "B-5"), ("risk_category", "slum")]),
        child(&[("register_id", "B-6"), ("phone", "98765")]),
    ]);
    assert_refused(
        &file,
        5,
        &[
            (2, Some("kind"), "unknown kind 'infant' (expected one of: child pregnant_woman)"),
            (3, Some("sex"), "unknown sex 'X' (expected one of: M F O)"),
            (4, Some("status"), "unknown status 'moved' (expected one of: active migrated died delivered)"),
            (5, Some("risk_category"), "unknown risk category 'slum'"),
            (6, Some("phone"), "'98765' has 5 digits; a phone number has 10 (13 with +91)"),
        ],
    );
}

#[test]
fn dose_of_the_other_kind_is_refused() {
    let file = register(&[woman(&[("BCG", "2026-08-10")]), child(&[("TD1", "2026-03-10")])]);
    assert_refused(
        &file,
        2,
        &[
            (2, Some("BCG"), "BCG is a child's dose; this row is a pregnant woman"),
            (3, Some("TD1"), "TD1 is a pregnant woman's dose; this row is a child"),
        ],
    );
}

#[test]
fn rows_with_too_many_or_too_few_fields_are_refused() {
    let file = register(&[format!("{},", child(&[])), woman(&[]).rsplit_once(',').unwrap().0.to_string()]);
    assert_refused(
        &file,
        2,
        &[
            (2, None, "this row has 18 fields but the first line names 17 columns"),
            (3, None, "this row has 16 fields but the first line names 17 columns"),
        ],
    );
}

#[test]
fn invalid_utf8_is_refused() {
    // "Khushi" with a Latin-1 é, as a spreadsheet saving in a legacy encoding would write it.
    let file: Vec<u8> =
        register(&[child(&[("name", "Kh@shi")])]).into_iter().map(|b| if b == b'@' { 0xE9 } else { b }).collect();
    assert_refused(&file, 1, &[(2, Some("name"), "not valid UTF-8 text (save the file as CSV UTF-8)")]);
}

#[test]
fn control_characters_are_refused() {
    let file = register(&[
        child(&[("register_id", "B-1"), ("name", "Khu\u{7}shi")]),
        child(&[("register_id", "B-3"), ("mother_name", "Lalita\u{0}")]),
    ]);
    assert_refused(
        &file,
        2,
        &[
            (2, Some("name"), "contains the control character U+0007"),
            (3, Some("mother_name"), "contains the control character U+0000"),
        ],
    );
}

#[test]
fn ten_thousand_character_field_is_refused() {
    let long = "क".repeat(10_000);
    let file = register(&[child(&[("name", &long)])]);
    let err = assert_refused(&file, 1, &[(2, Some("name"), "longer than 200 characters")]);
    assert!(err.len() < 5_000, "the message repeats the long field: {} bytes", err.len());
}

#[test]
fn household_with_two_villages_is_refused() {
    let file = register(&[child(&[]), woman(&[("village", "Rampur")])]);
    assert_refused(
        &file,
        1,
        &[(3, Some("village"), "household 'H2' has village 'Salempur' on line 2 but 'Rampur' here")],
    );
}

#[test]
fn reimport_with_another_kind_is_refused() {
    let file = register(&[
        child(&[]),
        woman(&[
            ("register_id", "A-1"),
            ("household_id", "H1"),
            ("village", "Rampur"),
            ("house_no", "12"),
            ("head_of_household", "Ram Yadav"),
            ("phone", "9876543210"),
            ("risk_category", ""),
        ]),
    ]);
    assert_refused(&file, 1, &[(3, Some("kind"), "register id 'A-1' is already on record as a child")]);
}

#[test]
fn error_on_row_2_keeps_valid_row_3_out() {
    let file = register(&[child(&[("dob", "2026-02-30")]), woman(&[])]);
    let mut env = Env::with_base();
    let before = env.export_json();
    let out = env.import(&file);
    assert!(!out.status.success());
    assert!(has_problem(&stderr(&out), (2, Some("dob"), "impossible date")), "{}", stderr(&out));
    let after = env.export_json();
    assert_eq!(after, before);
    assert!(!after.contains("B-2"), "row 3 was stored");
    assert!(!after.contains("Salempur"), "row 3's village was stored");
}

#[test]
fn hundred_bad_rows_are_reported_capped() {
    let rows: Vec<String> = (0..100)
        .map(|i| child(&[("register_id", &format!("C-{i}")), ("dob", "2025-13-01"), ("BCG", ""), ("OPV1", "")]))
        .collect();
    let err = assert_refused(
        &register(&rows),
        100,
        &[
            (2, Some("dob"), "'2025-13-01' is an impossible date"),
            (51, Some("dob"), "'2025-13-01' is an impossible date"),
        ],
    );
    assert!(!has_problem(&err, (52, Some("dob"), "")), "more than 50 listed:\n{err}");
    assert!(err.contains("… and 50 more"), "{err}");
}

#[test]
fn reimport_moving_dob_after_a_recorded_dose_is_refused() {
    // A-1 has BCG on 2026-01-10 and OPV1 on 2026-02-21; a DOB of 2026-02-01 would put BCG
    // before birth, even though the new row does not restate BCG.
    let file = BASE
        .lines()
        .take(2)
        .collect::<Vec<_>>()
        .join("\n")
        .replace("2026-01-10,,Sunita Yadav,active,2026-01-10,2026-02-21,", "2026-02-01,,Sunita Yadav,active,,,");
    assert!(file.contains("2026-02-01"));
    assert_refused(
        file.as_bytes(),
        1,
        &[(2, Some("dob"), "BCG is on record as given on 2026-01-10, before birth (2026-02-01)")],
    );
}

#[test]
fn reimport_moving_dob_with_the_dose_corrected_is_accepted() {
    let mut env = Env::with_base();
    let file = BASE.lines().take(2).collect::<Vec<_>>().join("\n").replace(
        "2026-01-10,,Sunita Yadav,active,2026-01-10,2026-02-21,",
        "2026-02-01,,Sunita Yadav,active,2026-02-01,2026-03-15,",
    );
    let out = env.import(file.as_bytes());
    assert_success(&out);
    let export: Value = serde_json::from_str(&env.export_json()).unwrap();
    let a1 = beneficiary(&export, "A-1").unwrap();
    assert_eq!(a1["dob"], "2026-02-01");
    let doses: Vec<(&str, &str)> = a1["doses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["date"].as_str().unwrap()))
        .collect();
    assert_eq!(doses, [("BCG", "2026-02-01"), ("OPV1", "2026-03-15")]);
}

// ---------------------------------------------------------------------------------------------
// Valid but awkward files

#[test]
fn quoted_commas_are_kept_and_line_breaks_become_spaces() {
    let mut env = Env::with_base();
    let file = register(&[
        child(&[("head_of_household", "Nishad, Bhola"), ("mother_name", "Lalita\nNishad")]),
        woman(&[("head_of_household", "Nishad, Bhola")]),
    ]);
    let out = env.import(&file);
    assert_success(&out);
    let export: Value = serde_json::from_str(&env.export_json()).unwrap();
    let b1 = beneficiary(&export, "B-1").unwrap();
    assert_eq!(b1["head_of_household"], "Nishad, Bhola");
    assert_eq!(b1["mother_name"], "Lalita Nishad");
    assert_eq!(beneficiary(&export, "B-2").unwrap()["head_of_household"], "Nishad, Bhola");
}

#[test]
fn line_numbers_count_the_lines_inside_quotes() {
    // Row 1 spans lines 2–4; the valid row is line 5; the bad row is line 6.
    let file = register(&[
        child(&[("mother_name", "Lalita\nDevi\nNishad"), ("name", "Khushi, Nishad")]),
        woman(&[]),
        child(&[("register_id", "B-3"), ("dob", "2026-04-31")]),
    ]);
    assert_refused(&file, 1, &[(6, Some("dob"), "'2026-04-31' is an impossible date")]);
}

#[test]
fn crlf_and_blank_lines_keep_line_numbers() {
    // Excel on Windows ends lines with CRLF; a spreadsheet's empty rows come out as blank lines
    // or as rows of empty cells, which are skipped but still counted.
    for end in ["\n", "\r\n", "\r"] {
        let file = [
            HEADER.to_string(),
            child(&[("register_id", "B-1")]),
            String::new(),
            ",,,,,,,,,,,,,,,,".to_string(),
            woman(&[("TD1", "2026-13-01")]),
            child(&[("register_id", "B-3"), ("mother_name", "Lalita\r\nNishad")]),
            child(&[("register_id", "B-4"), ("BCG", "2026-01-20")]),
        ]
        .join(end);
        assert_refused(
            file.as_bytes(),
            2,
            &[
                (5, Some("TD1"), "'2026-13-01' is an impossible date"),
                (8, Some("BCG"), "dose date 2026-01-20 is before birth (2026-01-25)"),
            ],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips and re-imports

const HINDI: &str = "\
register_id,household_id,village,house_no,head_of_household,phone,risk_category,kind,name,sex,dob,lmp,mother_name,status,edd,BCG,HEPB0,OPV0,OPV1,PENTA1,TD1,TD2
RMP-001,RMP-H01,रामपुर,१२,रामेश्वर यादव,9876543210,,child,आरव यादव,M,12/10/2025,,सुनीता यादव,active,,12-10-2025,2025-10-12,2025-10-12,25/11/2025,2025-11-25,,
RMP-002,RMP-H01,रामपुर,१२,रामेश्वर यादव,9876543210,,pregnant_woman,सुनीता यादव,,,,,active,2027-03-08,,,,,,2026-08-01,2026-09-05
RMP-003,RMP-H02,रामपुर,7,मोहम्मद सलीम,91234 56780,urban_slum,child,\"ज़ोया, खान\",F,2026-04-20,,रुख़साना बानो,migrated,,2026-04-20,,,,,,
SLP-001,SLP-H01,सलेमपुर,,भोला निषाद,,riverine,pregnant_woman,ललिता निषाद,F,,2026-06-01,,active,,,,,,,,
";

#[test]
fn hindi_names_round_trip_through_csv_export() {
    let mut first = Env::new();
    let out = first.import(HINDI.as_bytes());
    assert_success(&out);
    assert_eq!(summary_counts(&out), [4, 2, 3, 0, 4, 0, 8, 0]);
    let json = first.export_json();
    for name in ["आरव यादव", "सुनीता यादव", "ज़ोया, खान", "रुख़साना बानो", "रामेश्वर यादव", "रामपुर", "सलेमपुर", "१२"]
    {
        assert!(json.contains(name), "{name} missing from the export:\n{json}");
    }
    let csv = first.export("csv");
    assert!(csv.contains("आरव यादव") && csv.contains("\"ज़ोया, खान\""), "{csv}");

    let mut second = Env::new();
    let out = second.import(csv.as_bytes());
    assert_success(&out);
    assert_eq!(without_ids(&second.export_json()), without_ids(&json));
    assert_eq!(second.export("csv"), csv);
}

#[test]
fn importing_the_same_register_twice_adds_nothing() {
    let mut env = Env::new();
    let first = env.import(HINDI.as_bytes());
    assert_success(&first);
    assert_ne!(summary_counts(&first)[1..], [0; 7]);
    let before = env.export_json();
    let second = env.import(HINDI.as_bytes());
    assert_success(&second);
    assert_eq!(summary_counts(&second), [4, 0, 0, 0, 0, 0, 0, 0], "{}", stdout(&second));
    assert_eq!(env.export_json(), before);

    // The CSV export re-imported into the same store is also a no-op.
    let csv = env.export("csv");
    let third = env.import(csv.as_bytes());
    assert_success(&third);
    assert_eq!(summary_counts(&third), [4, 0, 0, 0, 0, 0, 0, 0], "{}", stdout(&third));
    assert_eq!(env.export_json(), before);
}

#[test]
fn corrected_dose_date_supersedes_the_old_one() {
    let mut env = Env::with_base();
    let corrected = BASE.replace("2026-01-10,2026-02-21,", "2026-01-10,2026-02-24,");
    assert_ne!(corrected, BASE);
    let out = env.import(corrected.as_bytes());
    assert_success(&out);
    assert_eq!(summary_counts(&out), [2, 0, 0, 0, 0, 0, 0, 1], "{}", stdout(&out));
    assert!(stderr(&out).contains("OPV1 corrected from 2026-02-21 to 2026-02-24"), "{}", stderr(&out));
    let export: Value = serde_json::from_str(&env.export_json()).unwrap();
    let a1 = beneficiary(&export, "A-1").unwrap();
    let opv1: Vec<&Value> = a1["doses"].as_array().unwrap().iter().filter(|d| d["code"] == "OPV1").collect();
    assert_eq!(opv1.len(), 1, "{a1}");
    assert_eq!(opv1[0]["date"], "2026-02-24");

    // Importing the corrected register again changes nothing more.
    let before = env.export_json();
    let again = env.import(corrected.as_bytes());
    assert_success(&again);
    assert_eq!(summary_counts(&again), [2, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(env.export_json(), before);
}

#[test]
fn a_file_without_a_header_line_says_so_once() {
    let mut env = Env::with_base();
    let out = env.import(b"A-1,H-1,Rampur,child,Golu,M,2026-01-01\n");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the register has 1 problem;"), "{err}");
    assert!(err.contains("line 1: the first line must name the columns"), "{err}");
}

#[test]
fn a_misspelt_column_gets_a_suggestion_and_a_nameless_column_a_hint() {
    let mut env = Env::with_base();
    let out = env.import(
        b"register_id,household_id,village,kind,name,sex,dob,Opv 1,\nA-1,H-1,Rampur,child,Golu,M,2026-01-01,,\n",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1, column 'Opv 1': unknown column: did you mean 'OPV1'?"), "{err}");
    assert!(err.contains("line 1: a column has no name"), "{err}");
}

#[test]
fn village_names_match_whatever_their_case() {
    let mut env = Env::with_base();
    let before = env.export_json();
    let villages: Value = serde_json::from_str(&before).unwrap();
    let village = villages["beneficiaries"][0]["village"].as_str().unwrap().to_string();
    let file = format!(
        "register_id,household_id,village,kind,name,sex,dob\nZ-1,Z-H1,{},child,Golu,M,2026-01-01\n",
        village.to_uppercase()
    );
    assert_success(&env.import(file.as_bytes()));
    let export: Value = serde_json::from_str(&env.export_json()).unwrap();
    assert_eq!(beneficiary(&export, "Z-1").unwrap()["village"], village.as_str());
}
