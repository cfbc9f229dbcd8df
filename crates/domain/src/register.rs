//! The head-count survey register as CSV: parsing with located errors, and writing.
//!
//! The format is in `docs/formats.md`. Parsing checks every row before anything is stored, and
//! reports every problem with its line and column; the caller stores all rows or none.

use crate::codes::{BeneficiaryStatus, DoseCode, Kind, RiskCategory, Sex};
use crate::dates::{iso, parse_date, Date};
use crate::facts::{check_dob, check_phone, check_pregnancy, BeneficiaryFacts, HouseholdFacts, IdKind};
use crate::model::{edd_from_lmp, lmp_from_edd};
use crate::record::check_dose;
use crate::schedule::Subject;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The base columns, in the order an export writes them.
pub const BASE_COLUMNS: [&str; 17] = [
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
    "abha",
    "rch_id",
    "uwin_id",
];

/// Columns an import also accepts: `edd` instead of `lmp` for a pregnant woman.
pub const EXTRA_COLUMNS: [&str; 1] = ["edd"];

/// Columns every register must have.
pub const REQUIRED_COLUMNS: [&str; 5] = ["register_id", "household_id", "village", "kind", "name"];

/// The longest text accepted in a cell.
pub const MAX_FIELD_CHARS: usize = 200;

/// How many problems one import reports at most.
pub const MAX_REPORTED: usize = 50;

/// One valid register row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    /// Line in the file where the row starts (the header is line 1).
    pub line: u64,
    pub register_id: String,
    pub household_id: String,
    pub village: String,
    /// The household's facts as this row states them (empty cells: not stated).
    pub household: HouseholdFacts,
    pub kind: Kind,
    /// The beneficiary's facts (a pregnant woman's sex is F when the cell is empty).
    pub facts: BeneficiaryFacts,
    /// Empty in the file: not stated (a new beneficiary is then active).
    pub status: Option<BeneficiaryStatus>,
    /// Doses on the card, in column order.
    pub doses: Vec<(DoseCode, Date)>,
    /// Why the register cannot hold this person as the row states them today (a child past the
    /// schedule's last dose, a pregnancy that cannot be ongoing): refused by the import for a
    /// new beneficiary, or one whose date of birth, LMP or status the row changes, and let pass
    /// for one already on record as the row says (a re-import a month later must not fail on a
    /// pregnancy whose EDD has since passed).
    pub implausible: Option<RowError>,
}

/// One located problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column '{}': {}", self.line, c, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Every problem found in a register (at most [`MAX_REPORTED`], and how many more there were).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RegisterErrors {
    pub errors: Vec<RowError>,
    pub more: usize,
}

impl fmt::Display for RegisterErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.errors.len() + self.more;
        write!(f, "the register has {total} problem{}; nothing was imported", if total == 1 { "" } else { "s" })?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        if self.more > 0 {
            write!(f, "\n  … and {} more", self.more)?;
        }
        Ok(())
    }
}

struct Collector {
    errors: Vec<RowError>,
    more: usize,
    /// Every (line, column) with a problem, also those past the cap (see [`errs_on`]).
    flagged: HashSet<(u64, String)>,
}

impl Collector {
    fn push(&mut self, line: u64, column: Option<&str>, message: impl Into<String>) {
        if let Some(c) = column {
            self.flagged.insert((line, c.to_string()));
        }
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(RowError { line, column: column.map(str::to_string), message: message.into() });
        } else {
            self.more += 1;
        }
    }
}

enum Col {
    Base(usize),
    Edd,
    Dose(DoseCode),
}

/// Parses and checks a register. `today` bounds every date: nothing may be in the future.
pub fn parse_register(bytes: &[u8], today: Date) -> Result<Vec<RegisterRow>, RegisterErrors> {
    let mut errs = Collector { errors: Vec::new(), more: 0, flagged: HashSet::new() };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => {
            errs.push(1, None, "the file is empty: the first line must name the columns");
            return Err(RegisterErrors { errors: errs.errors, more: 0 });
        }
        Some(Err(e)) => {
            errs.push(1, None, format!("unreadable header: {e}"));
            return Err(RegisterErrors { errors: errs.errors, more: 0 });
        }
        Some(Ok(h)) => h,
    };
    let mut columns: Vec<Col> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let known = |name: &str| {
        if let Some(i) = BASE_COLUMNS.iter().position(|c| *c == name) {
            Some(Col::Base(i))
        } else if name == "edd" {
            Some(Col::Edd)
        } else {
            name.parse::<DoseCode>().ok().map(Col::Dose)
        }
    };
    let header_names: Vec<String> = header.iter().map(|raw| String::from_utf8_lossy(raw).trim().to_string()).collect();
    if !header_names.iter().any(|n| known(&n.to_ascii_lowercase()).is_some()) {
        errs.push(
            1,
            None,
            format!(
                "the first line must name the columns ({} …, then dose codes such as BCG, PENTA1); it names none",
                REQUIRED_COLUMNS.join(", ")
            ),
        );
        return Err(RegisterErrors { errors: errs.errors, more: 0 });
    }
    for shown in &header_names {
        let name = shown.to_ascii_lowercase();
        match known(&name) {
            None if name.is_empty() => {
                errs.push(1, None, "a column has no name (a comma too many at the end of the first line?)")
            }
            None => {
                let message = match suggest_column(&name) {
                    Some(s) => format!("unknown column: did you mean '{s}'?"),
                    None => {
                        "unknown column: expected a register column (register_id, household_id, village, kind, name, \
                             sex, dob, …) or a dose code (BCG, OPV1, PENTA1, MR1, TD1, …)"
                            .to_string()
                    }
                };
                errs.push(1, Some(shown), message);
            }
            Some(c) => {
                if names.contains(&name) {
                    errs.push(1, Some(shown), "this column appears twice");
                }
                columns.push(c);
            }
        }
        names.push(name);
    }
    for required in REQUIRED_COLUMNS {
        if !names.iter().any(|n| n == required) {
            errs.push(1, Some(required), "required column is missing");
        }
    }
    if !errs.errors.is_empty() {
        return Err(RegisterErrors { errors: errs.errors, more: errs.more });
    }

    let mut rows = Vec::new();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    // A national identifier's first line and register id.
    let mut seen_national: HashMap<(IdKind, String), (u64, String)> = HashMap::new();
    let mut households: HashMap<String, (u64, [Option<String>; 5])> = HashMap::new();
    let mut lines = Lines { bytes, offset: 0, line: 1 };
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                errs.push(line, None, format!("unreadable CSV: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != names.len() {
            errs.push(
                line,
                None,
                format!(
                    "this row has {} fields but the first line names {} columns (a stray comma, or a missing quote?)",
                    record.len(),
                    names.len()
                ),
            );
            continue;
        }
        let before = errs.errors.len() + errs.more;
        let mut base: [Option<String>; 17] = Default::default();
        let mut edd_text: Option<String> = None;
        let mut dose_cells: Vec<(DoseCode, String)> = Vec::new();
        for ((raw, col), name) in record.iter().zip(&columns).zip(&names) {
            let text = match std::str::from_utf8(raw) {
                Ok(t) => t.trim(),
                Err(_) => {
                    errs.push(line, Some(name), "not valid UTF-8 text (save the file as CSV UTF-8)");
                    continue;
                }
            };
            if text.is_empty() {
                continue;
            }
            // A quoted cell may span lines (CSV allows it): a line break becomes a space. Other
            // control characters are refused.
            if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n' && *c != '\r') {
                let what =
                    if c == '\t' { "a tab".to_string() } else { format!("the control character U+{:04X}", c as u32) };
                errs.push(line, Some(name), format!("contains {what}; remove it"));
                continue;
            }
            let joined;
            let text = if text.contains(['\n', '\r']) {
                joined =
                    text.split(['\n', '\r']).map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ");
                joined.as_str()
            } else {
                text
            };
            if text.chars().count() > MAX_FIELD_CHARS {
                errs.push(line, Some(name), format!("longer than {MAX_FIELD_CHARS} characters"));
                continue;
            }
            match col {
                Col::Base(i) => base[*i] = Some(text.to_string()),
                Col::Edd => edd_text = Some(text.to_string()),
                Col::Dose(code) => dose_cells.push((*code, text.to_string())),
            }
        }
        let [register_id, household_id, village, house_no, head, phone, risk, kind, name, sex, dob, lmp, mother, status, abha, rch_id, uwin_id] =
            base;
        let mut required = |value: Option<String>, column: &str| {
            // A cell already refused (bad UTF-8, too long, ...) is not reported again as empty.
            if value.is_none() && errs_on(&errs, line, column) {
                errs.push(line, Some(column), "required field is empty");
            }
            value
        };
        let register_id = required(register_id, "register_id");
        let household_id = required(household_id, "household_id");
        let village = required(village, "village");
        let kind_text = required(kind, "kind");
        let name = required(name, "name");

        let kind = kind_text.and_then(|t| match t.parse::<Kind>() {
            Ok(k) => Some(k),
            Err(e) => {
                errs.push(line, Some("kind"), e.to_string());
                None
            }
        });
        let sex = sex.and_then(|t| match t.parse::<Sex>() {
            Ok(s) => Some(s),
            Err(e) => {
                errs.push(line, Some("sex"), e.to_string());
                None
            }
        });
        let status = status.and_then(|t| match t.parse::<BeneficiaryStatus>() {
            Ok(s) => Some(s),
            Err(e) => {
                errs.push(line, Some("status"), e.to_string());
                None
            }
        });
        let risk_category = risk.and_then(|t| match t.parse::<RiskCategory>() {
            Ok(r) => Some(r),
            Err(e) => {
                errs.push(line, Some("risk_category"), e.to_string());
                None
            }
        });
        // A refused phone is not also compared with the household's other rows.
        let phone = phone.filter(|p| match check_phone(p) {
            Ok(()) => true,
            Err(m) => {
                errs.push(line, Some("phone"), m);
                false
            }
        });
        // The national identifiers: their shape, and each on one register id of the file.
        let mut ids = [abha, rch_id, uwin_id];
        for (kind, cell) in IdKind::ALL.iter().zip(ids.iter_mut()) {
            let Some(text) = cell.take() else { continue };
            match kind.check(&text) {
                Ok(v) => {
                    let owner = register_id.clone().unwrap_or_default();
                    match seen_national.get(&(*kind, v.clone())) {
                        Some((first, other)) if *other != owner => errs.push(
                            line,
                            Some(kind.field()),
                            format!("{} {v} is also register id '{other}''s, on line {first}", kind.field()),
                        ),
                        Some(_) => {}
                        None => {
                            seen_national.insert((*kind, v.clone()), (line, owner));
                        }
                    }
                    *cell = Some(v);
                }
                Err(e) => errs.push(line, Some(kind.field()), format!("{e} ({})", e.code())),
            }
        }
        let [abha, rch_id, uwin_id] = ids;
        let dob = cell_date(&mut errs, line, dob, "dob", Some(today));
        let mut lmp = cell_date(&mut errs, line, lmp, "lmp", Some(today));
        let lmp_entered = lmp.is_some();
        let edd = cell_date(&mut errs, line, edd_text, "edd", None);
        let mut doses = Vec::new();
        for (code, text) in dose_cells {
            if let Some(d) = cell_date(&mut errs, line, Some(text), code.as_str(), Some(today)) {
                doses.push((code, d));
            }
        }

        match kind {
            Some(Kind::Child) => {
                if sex.is_none() && errs_on(&errs, line, "sex") {
                    errs.push(line, Some("sex"), "required for a child (M, F or O)");
                }
                if dob.is_none() && errs_on(&errs, line, "dob") {
                    errs.push(line, Some("dob"), "required for a child");
                }
                if lmp.is_some() {
                    errs.push(line, Some("lmp"), "only a pregnant woman has an LMP");
                }
                if edd.is_some() {
                    errs.push(line, Some("edd"), "only a pregnant woman has an EDD");
                }
            }
            Some(Kind::PregnantWoman) => {
                if matches!(sex, Some(Sex::M | Sex::O)) {
                    errs.push(line, Some("sex"), "a pregnant woman's sex is F (or leave it empty)");
                }
                match (lmp, edd) {
                    (None, None) if errs_on(&errs, line, "lmp") && errs_on(&errs, line, "edd") => {
                        errs.push(line, Some("lmp"), "a pregnant woman needs an LMP (or an EDD)");
                    }
                    (None, Some(e)) => match lmp_from_edd(e) {
                        Some(l) if l > today => errs.push(
                            line,
                            Some("edd"),
                            format!("{} puts the LMP in the future (today is {})", iso(e), iso(today)),
                        ),
                        l => lmp = l,
                    },
                    (Some(l), Some(e)) => {
                        let expected = edd_from_lmp(l);
                        if expected.is_some_and(|x| (x - e).num_days().abs() > 14) {
                            errs.push(
                                line,
                                Some("edd"),
                                format!(
                                    "EDD {} disagrees with LMP {} (expected about {})",
                                    iso(e),
                                    iso(l),
                                    expected.map(iso).unwrap_or_default()
                                ),
                            );
                        }
                    }
                    _ => {}
                }
            }
            None => {}
        }
        // A person the register cannot hold: a child past the schedule's last dose, an active
        // pregnancy that cannot be ongoing (an empty status is active).
        let implausible = match (kind, dob, lmp) {
            (Some(Kind::Child), Some(b), _) => check_dob(b, today).err(),
            (Some(Kind::PregnantWoman), _, Some(l)) if errs_on(&errs, line, "lmp") && errs_on(&errs, line, "edd") => {
                let from_edd = if lmp_entered { None } else { edd };
                check_pregnancy(l, from_edd, status.unwrap_or(BeneficiaryStatus::Active), today).err()
            }
            _ => None,
        }
        .map(|e| RowError { line, column: Some(e.field().to_string()), message: e.to_string() });
        if let (Some(kind), anchor) = (kind, if kind == Some(Kind::Child) { dob } else { lmp }) {
            // A row without its date of birth or LMP was refused above; its doses are still
            // checked for their kind.
            let subject = Subject { kind, anchor: anchor.unwrap_or(Date::MIN), je_endemic: false };
            for (code, d) in &doses {
                if let Err(m) = check_dose("this row", &subject, *code, *d, today) {
                    errs.push(line, Some(code.as_str()), m);
                }
            }
        }
        if let Some(id) = &register_id {
            if let Some(first) = seen_ids.insert(id.clone(), line) {
                errs.push(line, Some("register_id"), format!("duplicate register id '{id}' (first on line {first})"));
            }
        }
        if let Some(h) = &household_id {
            let facts = [
                village.clone(),
                house_no.clone(),
                head.clone(),
                phone.clone(),
                risk_category.map(|r| r.as_str().to_string()),
            ];
            const FACT_COLUMNS: [&str; 5] = ["village", "house_no", "head_of_household", "phone", "risk_category"];
            match households.get_mut(h) {
                None => {
                    households.insert(h.clone(), (line, facts));
                }
                Some((first, known)) => {
                    for ((k, new), column) in known.iter_mut().zip(facts).zip(FACT_COLUMNS) {
                        match (k.as_ref(), new) {
                            (Some(a), Some(b)) if *a != b => errs.push(
                                line,
                                Some(column),
                                format!("household '{h}' has {column} '{a}' on line {first} but '{b}' here"),
                            ),
                            (None, Some(b)) => *k = Some(b),
                            _ => {}
                        }
                    }
                }
            }
        }
        if errs.errors.len() + errs.more > before {
            continue;
        }
        if let (Some(register_id), Some(household_id), Some(village), Some(kind), Some(name)) =
            (register_id, household_id, village, kind, name)
        {
            rows.push(RegisterRow {
                line,
                register_id,
                household_id,
                village,
                household: HouseholdFacts { house_no, head_of_household: head, phone, risk_category },
                kind,
                facts: BeneficiaryFacts {
                    name,
                    sex: sex.or((kind == Kind::PregnantWoman).then_some(Sex::F)),
                    dob,
                    lmp,
                    mother_name: mother,
                    abha,
                    rch_id,
                    uwin_id,
                },
                status,
                doses,
                implausible,
            });
        }
    }
    if errs.errors.is_empty() && errs.more == 0 {
        Ok(rows)
    } else {
        Err(RegisterErrors { errors: errs.errors, more: errs.more })
    }
}

/// Line numbers from byte offsets, counting `\n`, `\r\n` and a lone `\r` as one line end each.
/// The csv crate's own `Position::line` is wrong after CRLF line ends (what Excel on Windows
/// writes) and after blank lines.
struct Lines<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl Lines<'_> {
    /// The line on which the record at `byte` starts. Offsets are asked for in increasing order.
    fn at(&mut self, byte: u64) -> u64 {
        // The reader may place a record at the line end before it (the `\n` of a CRLF, a blank
        // line); a record itself never starts with a line end.
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        while self.offset < start {
            match self.bytes[self.offset] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(self.offset + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.offset += 1;
        }
        self.line
    }
}

/// Parses a date cell; with `latest`, a later date is refused as being in the future.
fn cell_date(
    errs: &mut Collector,
    line: u64,
    text: Option<String>,
    column: &str,
    latest: Option<Date>,
) -> Option<Date> {
    let t = text?;
    match parse_date(&t) {
        Ok(d) if latest.is_some_and(|today| d > today) => {
            let today = latest.map(iso).unwrap_or_default();
            errs.push(line, Some(column), format!("{} is in the future (today is {today})", iso(d)));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errs.push(line, Some(column), e.to_string());
            None
        }
    }
}

/// The known column an unknown name was probably meant to be ("OPV 1" → "OPV1", "Date of
/// Birth" is not guessed): equal once case, spaces, dashes, dots and underscores are ignored.
fn suggest_column(name: &str) -> Option<String> {
    let squash = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let wanted = squash(name);
    if wanted.is_empty() {
        return None;
    }
    BASE_COLUMNS
        .iter()
        .chain(EXTRA_COLUMNS.iter())
        .map(|c| c.to_string())
        .chain(DoseCode::ALL.iter().map(|c| c.as_str().to_string()))
        .find(|c| squash(c) == wanted)
}

/// No error yet on this line and column (so as not to report one cell twice).
fn errs_on(errs: &Collector, line: u64, column: &str) -> bool {
    !errs.flagged.contains(&(line, column.to_string()))
}

/// Writes rows in the import format: the base columns, then one column per dose code in schedule
/// order. Rows are written as given.
pub fn write_register(rows: &[RegisterRow]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = BASE_COLUMNS.to_vec();
    header.extend(DoseCode::ALL.iter().map(|c| c.as_str()));
    w.write_record(&header)?;
    for r in rows {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let date = |d: Option<Date>| d.map(iso).unwrap_or_default();
        let mut rec: Vec<String> = vec![
            r.register_id.clone(),
            r.household_id.clone(),
            r.village.clone(),
            opt(&r.household.house_no),
            opt(&r.household.head_of_household),
            opt(&r.household.phone),
            r.household.risk_category.map(|c| c.as_str().to_string()).unwrap_or_default(),
            r.kind.as_str().to_string(),
            r.facts.name.clone(),
            r.facts.sex.map(|s| s.as_str().to_string()).unwrap_or_default(),
            date(r.facts.dob),
            date(r.facts.lmp),
            opt(&r.facts.mother_name),
            r.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
            opt(&r.facts.abha),
            opt(&r.facts.rch_id),
            opt(&r.facts.uwin_id),
        ];
        for code in DoseCode::ALL {
            rec.push(date(r.doses.iter().filter(|(c, _)| c == code).map(|(_, d)| *d).min()));
        }
        w.write_record(&rec)?;
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_ymd_opt(2026, 11, 22).unwrap_or_default()
    }

    const OLD_HEADER: &str = "register_id,household_id,village,kind,name,sex,dob";

    #[test]
    fn a_register_without_the_identifier_columns_still_imports() {
        let csv = format!("{OLD_HEADER}\nC-1,H-1,Rampur,child,Asha,F,2026-01-10\n");
        let rows = parse_register(csv.as_bytes(), today()).unwrap();
        assert_eq!(rows[0].facts.abha, None);
        let written = write_register(&rows).unwrap();
        assert!(written.starts_with(
            "register_id,household_id,village,house_no,head_of_household,phone,risk_category,kind,name,sex,dob,lmp,mother_name,status,abha,rch_id,uwin_id,BCG"
        ));
        assert_eq!(
            parse_register(written.as_bytes(), today()).unwrap(),
            rows.into_iter().map(|r| RegisterRow { line: 2, ..r }).collect::<Vec<_>>()
        );
    }

    #[test]
    fn identifiers_are_read_normalised_and_written_back() {
        let csv = format!(
            "{OLD_HEADER},ABHA,rch_id,uwin_id\nC-1,H-1,Rampur,child,Asha,F,2026-01-10,22 7225 4829 5255,1234-5678-9012,UW-77\n"
        );
        let rows = parse_register(csv.as_bytes(), today()).unwrap();
        let f = &rows[0].facts;
        assert_eq!(
            (f.abha.as_deref(), f.rch_id.as_deref(), f.uwin_id.as_deref()),
            (Some("22-7225-4829-5255"), Some("123456789012"), Some("UW-77"))
        );
        let again = parse_register(write_register(&rows).unwrap().as_bytes(), today()).unwrap();
        assert_eq!(again[0].facts, rows[0].facts);
    }

    #[test]
    fn a_bad_or_shared_identifier_is_a_located_problem() {
        let csv = format!(
            "{OLD_HEADER},abha,rch_id\n\
             C-1,H-1,Rampur,child,Asha,F,2026-01-10,1234,\n\
             C-2,H-1,Rampur,child,Usha,F,2026-01-10,,123456789012\n\
             C-3,H-1,Rampur,child,Isha,F,2026-01-10,,1234 5678 9012\n"
        );
        let e = parse_register(csv.as_bytes(), today()).unwrap_err();
        let lines: Vec<String> = e.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "line 2, column 'abha': abha '1234' is not of its shape: an ABHA number has 14 digits, e.g. 22-7225-4829-5255 (BAD_ABHA)",
                "line 4, column 'rch_id': rch_id 123456789012 is also register id 'C-2''s, on line 3",
            ]
        );
    }
}
