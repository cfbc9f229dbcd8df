//! The carry kit: what a vaccine carrier must hold for a site's due list on a day.
//!
//! Per antigen: `doses_needed = ceil(doses_due × wastage_factor)` and
//! `vials = ceil(doses_needed ÷ doses_per_vial)`, less the open vials carried under the open-vial
//! policy that are still usable (`../shared/docs/campaign-reference.md` §3, the HEAT module;
//! `../shared/docs/domain-reference.md` §6). The vaccine table (doses per vial, wastage factor,
//! open-vial policy) is data: [`VaccineTable::default`] has the documented defaults and a state
//! replaces rows of it with a CSV (`docs/formats.md`). Pure: the counts are arguments.

use crate::codes::Antigen;
use crate::dates::Date;
use crate::report::DueItem;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// An opened vial under the open-vial policy may be used for up to 28 days from its opening
/// (domain reference §6.1, MoHFW 2015).
pub const OPEN_VIAL_DAYS: u64 = 28;

/// A reconstituted vial (BCG, MR, JE) is discarded 4 hours after it was opened, or at the end of
/// the session (domain reference §6.1: the stricter Indian rule).
pub const RECONSTITUTED_HOURS: i64 = 4;

/// Syringe wastage: AD syringes carried per injection (WHO planning figure, 11 %; UNVERIFIED for
/// India: `docs/formats.md`, "Vaccine table").
pub const SYRINGE_FACTOR_THOUSANDTHS: u32 = 1110;

/// The antigens of a kit, in the order the kit lists them.
pub const KIT_ORDER: [Antigen; 12] = [
    Antigen::Bcg,
    Antigen::Hepb,
    Antigen::Opv,
    Antigen::Penta,
    Antigen::Rvv,
    Antigen::Fipv,
    Antigen::Pcv,
    Antigen::Mr,
    Antigen::Je,
    Antigen::Dpt,
    Antigen::Td,
    Antigen::Vita,
];

/// How an antigen is given: what syringe it takes, and whether its vial is reconstituted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Drops by mouth (OPV, rotavirus, vitamin A): no syringe.
    Oral,
    /// Intradermal, 0.1 ml (BCG, fractional IPV).
    Intradermal,
    /// 0.5 ml by injection (everything else).
    Injection,
}

impl Antigen {
    pub fn route(self) -> Route {
        match self {
            Antigen::Opv | Antigen::Rvv | Antigen::Vita => Route::Oral,
            Antigen::Bcg | Antigen::Fipv => Route::Intradermal,
            _ => Route::Injection,
        }
    }

    /// Lyophilized: mixed with its diluent in a reconstitution syringe, one per vial; no
    /// open-vial policy (BCG, MR, JE).
    pub fn reconstituted(self) -> bool {
        matches!(self, Antigen::Bcg | Antigen::Mr | Antigen::Je)
    }
}

/// One row of the vaccine table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Vaccine {
    pub antigen: Antigen,
    pub doses_per_vial: u32,
    /// The wastage multiplication factor in thousandths (1.18 is 1180), so that the arithmetic
    /// is exact: 70 doses × 1.11 = 77.7, 78 doses.
    pub wastage_thousandths: u32,
    /// Whether an opened vial may be carried to later sessions (up to [`OPEN_VIAL_DAYS`]).
    pub open_vial_policy: bool,
}

impl Vaccine {
    /// The factor as a decimal text (`1.18`, `2.0`).
    pub fn wastage_factor(&self) -> String {
        let (whole, frac) = (self.wastage_thousandths / 1000, self.wastage_thousandths % 1000);
        let frac = format!("{frac:03}");
        let frac = frac.trim_end_matches('0');
        format!("{whole}.{}", if frac.is_empty() { "0" } else { frac })
    }
}

/// The vaccine table: one row per antigen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaccineTable(BTreeMap<Antigen, Vaccine>);

const fn v(antigen: Antigen, doses_per_vial: u32, wastage_thousandths: u32, open_vial_policy: bool) -> Vaccine {
    Vaccine { antigen, doses_per_vial, wastage_thousandths, open_vial_policy }
}

/// The default table. Presentations: domain reference §6.2; factors: WHO acceptable wastage via
/// HEAT (campaign reference §3): BCG 2.0, MR 1.33, liquid vials of 10 or more doses 1.18, OPV
/// 1.11, 1–2-dose vials 1.05. Each row's source and status are in `docs/formats.md`.
pub const DEFAULT_VACCINES: [Vaccine; 12] = [
    v(Antigen::Bcg, 10, 2000, false),
    v(Antigen::Hepb, 10, 1180, true),
    v(Antigen::Opv, 20, 1110, true),
    v(Antigen::Penta, 10, 1180, true),
    v(Antigen::Rvv, 1, 1050, false),
    v(Antigen::Fipv, 25, 1180, true),
    v(Antigen::Pcv, 4, 1180, true),
    v(Antigen::Mr, 5, 1330, false),
    v(Antigen::Je, 5, 1330, false),
    v(Antigen::Dpt, 10, 1180, true),
    v(Antigen::Td, 10, 1180, true),
    v(Antigen::Vita, 50, 1110, true),
];

impl Default for VaccineTable {
    fn default() -> Self {
        VaccineTable(DEFAULT_VACCINES.iter().map(|v| (v.antigen, *v)).collect())
    }
}

/// A problem in a vaccine table file, located by line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableProblem {
    pub line: usize,
    pub column: &'static str,
    pub message: String,
}

impl fmt::Display for TableProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// Every problem of a vaccine table file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the vaccine table has {} problem{}:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" },
    .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
pub struct TableErrors(pub Vec<TableProblem>);

impl TableErrors {
    /// Bad input, in the one vocabulary of codes.
    pub fn code(&self) -> &'static str {
        "INVALID_INPUT"
    }
}

const COLUMNS: [&str; 4] = ["antigen", "doses_per_vial", "wastage_factor", "open_vial_policy"];

impl VaccineTable {
    pub fn get(&self, antigen: Antigen) -> Option<&Vaccine> {
        self.0.get(&antigen)
    }

    pub fn rows(&self) -> impl Iterator<Item = &Vaccine> {
        KIT_ORDER.iter().filter_map(|a| self.0.get(a))
    }

    /// The default table with the rows of a CSV file (`antigen,doses_per_vial,wastage_factor,
    /// open_vial_policy`) in place of its own: a state lists the antigens whose presentation
    /// differs. All rows or none: every problem is reported, located.
    pub fn with_file(text: &str) -> Result<VaccineTable, TableErrors> {
        let mut table = VaccineTable::default();
        let mut problems = Vec::new();
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let header: Vec<String> = match lines.next() {
            Some((_, h)) => {
                h.split(',').map(|c| c.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()).collect()
            }
            None => Vec::new(),
        };
        if header != COLUMNS {
            return Err(TableErrors(vec![TableProblem {
                line: 1,
                column: "header",
                message: format!("the header must be '{}'", COLUMNS.join(",")),
            }]));
        }
        let mut seen: BTreeMap<Antigen, usize> = BTreeMap::new();
        for (i, raw) in lines {
            let line = i + 1;
            let cells: Vec<&str> = raw.split(',').map(str::trim).collect();
            let mut problem =
                |column: &'static str, message: String| problems.push(TableProblem { line, column, message });
            if cells.len() != COLUMNS.len() {
                problem("row", format!("{} cells; the header has {}", cells.len(), COLUMNS.len()));
                continue;
            }
            let antigen = match cells[0].to_ascii_uppercase().parse::<Antigen>() {
                Ok(a) => Some(a),
                Err(e) => {
                    problem("antigen", e.to_string());
                    None
                }
            };
            let doses = match cells[1].parse::<u32>() {
                Ok(n) if (1..=100).contains(&n) => Some(n),
                _ => {
                    problem("doses_per_vial", format!("'{}' is not a number of doses from 1 to 100", cells[1]));
                    None
                }
            };
            let factor = match parse_factor(cells[2]) {
                Some(f) => Some(f),
                None => {
                    problem(
                        "wastage_factor",
                        format!("'{}' is not a factor from 1.0 to 5.0 with at most 3 decimals", cells[2]),
                    );
                    None
                }
            };
            let policy = match cells[3].to_ascii_lowercase().as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                other => {
                    problem("open_vial_policy", format!("'{other}': write yes or no"));
                    None
                }
            };
            if let Some(a) = antigen {
                if let Some(first) = seen.insert(a, line) {
                    problem("antigen", format!("{a} is already on line {first}"));
                    continue;
                }
                if a.reconstituted() && policy == Some(true) {
                    problem("open_vial_policy", format!("{a} is reconstituted: the open-vial policy does not apply"));
                    continue;
                }
            }
            if let (Some(antigen), Some(doses_per_vial), Some(wastage_thousandths), Some(open_vial_policy)) =
                (antigen, doses, factor, policy)
            {
                table.0.insert(antigen, Vaccine { antigen, doses_per_vial, wastage_thousandths, open_vial_policy });
            }
        }
        if problems.is_empty() {
            Ok(table)
        } else {
            Err(TableErrors(problems))
        }
    }
}

/// `1.18` → 1180; from 1.0 to 5.0, at most three decimals.
fn parse_factor(text: &str) -> Option<u32> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || frac.len() > 3 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let frac: u32 = if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().ok()? };
    let f = whole.checked_mul(1000)?.checked_add(frac)?;
    (1000..=5000).contains(&f).then_some(f)
}

/// Whether an open vial carried from an earlier session may be used on `on`: its antigen is
/// under the open-vial policy and fewer than [`OPEN_VIAL_DAYS`] days have passed since it was
/// opened (opened on the 1st: usable to the 28th).
pub fn carried_vial_usable(vaccine: &Vaccine, opened_on: Date, on: Date) -> bool {
    vaccine.open_vial_policy
        && opened_on <= on
        && opened_on.checked_add_days(chrono::Days::new(OPEN_VIAL_DAYS)).is_some_and(|end| on < end)
}

/// What the kit is computed from, per antigen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KitNeed {
    /// Doses due on the day (the site's due list).
    pub doses_due: BTreeMap<Antigen, u32>,
    /// Open vials carried under the open-vial policy and usable on the day.
    pub open_vials_usable: BTreeMap<Antigen, u32>,
    /// Sessions the kit serves (a hub cutter and a red and a black bag each).
    pub sessions: u32,
    /// Beneficiaries due who have no dose on record yet: each gets a new MCP card.
    pub new_cards: u32,
}

impl KitNeed {
    /// The doses due per antigen on a site's due list (every dose due or overdue on the day; a
    /// beneficiary due OPV-1 and OPV-B counts two OPV doses), for `sessions` sessions and
    /// `new_cards` new MCP cards. Open vials carried are added by the caller from the ledger.
    pub fn from_due_list<'a>(items: impl IntoIterator<Item = &'a DueItem>, sessions: u32, new_cards: u32) -> KitNeed {
        let mut doses_due: BTreeMap<Antigen, u32> = BTreeMap::new();
        for item in items {
            for d in &item.doses {
                *doses_due.entry(d.code.antigen()).or_default() += 1;
            }
        }
        KitNeed { doses_due, open_vials_usable: BTreeMap::new(), sessions, new_cards }
    }
}

/// One antigen of a kit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KitItem {
    pub antigen: Antigen,
    pub doses_due: u32,
    pub doses_needed: u32,
    pub vials: u32,
    pub open_vials_usable: u32,
}

/// Diluents, one per reconstituted vial.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Diluents {
    #[serde(rename = "BCG")]
    pub bcg: u32,
    #[serde(rename = "MR")]
    pub mr: u32,
    #[serde(rename = "JE")]
    pub je: u32,
}

/// What goes with the vaccines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Supplies {
    /// AD syringes of 0.1 ml (BCG, fIPV), with the syringe wastage.
    pub ad_syringes_0_1ml: u32,
    /// AD syringes of 0.5 ml (every other injection), with the syringe wastage.
    pub ad_syringes_0_5ml: u32,
    /// One per reconstituted vial (BCG, MR, JE).
    pub reconstitution_syringes: u32,
    pub diluents: Diluents,
    pub hub_cutters: u32,
    pub red_bags: u32,
    pub black_bags: u32,
    pub mcp_cards: u32,
}

/// A carry kit: the antigens with doses due, and the supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Kit {
    pub items: Vec<KitItem>,
    pub supplies: Supplies,
}

/// Why a kit cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KitError {
    #[error("{0} is due but the vaccine table has no row for it")]
    NoVaccine(Antigen),
}

fn ceil_div(a: u64, b: u64) -> u32 {
    u32::try_from(a.div_ceil(b.max(1))).unwrap_or(u32::MAX)
}

/// `ceil(n × factor)`, the factor in thousandths.
fn times(n: u32, thousandths: u32) -> u32 {
    ceil_div(u64::from(n) * u64::from(thousandths), 1000)
}

/// The kit for `need` with `table`: one item per antigen with doses due, in [`KIT_ORDER`].
pub fn kit(need: &KitNeed, table: &VaccineTable) -> Result<Kit, KitError> {
    let mut items = Vec::new();
    let mut supplies = Supplies {
        hub_cutters: need.sessions,
        red_bags: need.sessions,
        black_bags: need.sessions,
        mcp_cards: need.new_cards,
        ..Supplies::default()
    };
    let (mut intradermal, mut injections) = (0u32, 0u32);
    for antigen in KIT_ORDER {
        let due = need.doses_due.get(&antigen).copied().unwrap_or(0);
        if due == 0 {
            continue;
        }
        let vaccine = table.get(antigen).ok_or(KitError::NoVaccine(antigen))?;
        let doses_needed = times(due, vaccine.wastage_thousandths);
        let open =
            if vaccine.open_vial_policy { need.open_vials_usable.get(&antigen).copied().unwrap_or(0) } else { 0 };
        let vials = ceil_div(u64::from(doses_needed), u64::from(vaccine.doses_per_vial)).saturating_sub(open);
        match antigen.route() {
            Route::Intradermal => intradermal += due,
            Route::Injection => injections += due,
            Route::Oral => {}
        }
        if antigen.reconstituted() {
            supplies.reconstitution_syringes += vials;
            match antigen {
                Antigen::Bcg => supplies.diluents.bcg = vials,
                Antigen::Mr => supplies.diluents.mr = vials,
                _ => supplies.diluents.je = vials,
            }
        }
        items.push(KitItem { antigen, doses_due: due, doses_needed, vials, open_vials_usable: open });
    }
    supplies.ad_syringes_0_1ml = times(intradermal, SYRINGE_FACTOR_THOUSANDTHS);
    supplies.ad_syringes_0_5ml = times(injections, SYRINGE_FACTOR_THOUSANDTHS);
    Ok(Kit { items, supplies })
}

/// Vaccine wastage of one antigen over some sessions: (doses in the opened vials − doses given)
/// ÷ doses in the opened vials. More doses given than the opened vials hold is a data error
/// (a vial not recorded, or a dose recorded twice): flagged, and the negative rate shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Wastage {
    pub antigen: Antigen,
    pub vials_opened: u32,
    pub doses_in_vials: u32,
    pub doses_given: u32,
    /// Percent with one decimal; `null` when no vial was opened.
    pub rate: Option<f64>,
    /// More doses given than the opened vials hold.
    pub data_error: bool,
}

/// [`Wastage`] of `antigen`: `vials_opened` vials of the table's size, `doses_given` doses.
pub fn wastage(antigen: Antigen, vials_opened: u32, doses_given: u32, table: &VaccineTable) -> Wastage {
    let per_vial = table.get(antigen).map_or(1, |v| v.doses_per_vial);
    let doses_in_vials = vials_opened.saturating_mul(per_vial);
    let rate = (doses_in_vials > 0).then(|| {
        let wasted = f64::from(doses_in_vials) - f64::from(doses_given);
        (wasted * 1000.0 / f64::from(doses_in_vials)).round() / 10.0
    });
    Wastage { antigen, vials_opened, doses_in_vials, doses_given, rate, data_error: doses_given > doses_in_vials }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(due: &[(Antigen, u32)], open: &[(Antigen, u32)]) -> KitNeed {
        KitNeed {
            doses_due: due.iter().copied().collect(),
            open_vials_usable: open.iter().copied().collect(),
            sessions: 1,
            new_cards: 2,
        }
    }

    fn item(k: &Kit, a: Antigen) -> Option<KitItem> {
        k.items.iter().find(|i| i.antigen == a).copied()
    }

    #[test]
    fn the_heat_worked_example() {
        // 70 children × 1 dose × 1.11 = 77.7 doses: 78, in 4 twenty-dose OPV vials (HEAT: "8
        // ten-dose vials").
        let k = kit(&need(&[(Antigen::Opv, 70)], &[]), &VaccineTable::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            item(&k, Antigen::Opv),
            Some(KitItem { antigen: Antigen::Opv, doses_due: 70, doses_needed: 78, vials: 4, open_vials_usable: 0 })
        );
        let ten = VaccineTable::with_file("antigen,doses_per_vial,wastage_factor,open_vial_policy\nOPV,10,1.11,yes\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            item(&kit(&need(&[(Antigen::Opv, 70)], &[]), &ten).unwrap_or_else(|e| panic!("{e}")), Antigen::Opv)
                .map(|i| i.vials),
            Some(8)
        );
    }

    #[test]
    fn a_kit_by_hand() {
        // BCG 3 × 2.0 = 6 doses: 1 ten-dose vial, 1 diluent, 1 reconstitution syringe.
        // Penta 12 × 1.18 = 14.16: 15 doses, 2 vials, less 1 open vial carried: 1.
        // MR 6 × 1.33 = 7.98: 8 doses, 2 five-dose vials (an open MR vial is never carried).
        // fIPV 12 × 1.18: 15 doses of a 25-dose vial: 1. RVV 12 × 1.05 = 12.6: 13 single doses.
        let k = kit(
            &need(
                &[(Antigen::Bcg, 3), (Antigen::Penta, 12), (Antigen::Mr, 6), (Antigen::Fipv, 12), (Antigen::Rvv, 12)],
                &[(Antigen::Penta, 1), (Antigen::Mr, 1)],
            ),
            &VaccineTable::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(Antigen, u32, u32, u32)> =
            k.items.iter().map(|i| (i.antigen, i.doses_needed, i.vials, i.open_vials_usable)).collect();
        assert_eq!(
            got,
            [
                (Antigen::Bcg, 6, 1, 0),
                (Antigen::Penta, 15, 1, 1),
                (Antigen::Rvv, 13, 13, 0),
                (Antigen::Fipv, 15, 1, 0),
                (Antigen::Mr, 8, 2, 0)
            ]
        );
        // Syringes: 0.1 ml for BCG + fIPV = 15 × 1.11 = 16.65 → 17; 0.5 ml for Penta + MR = 18
        // × 1.11 = 19.98 → 20. RVV is oral.
        assert_eq!(
            k.supplies,
            Supplies {
                ad_syringes_0_1ml: 17,
                ad_syringes_0_5ml: 20,
                reconstitution_syringes: 3,
                diluents: Diluents { bcg: 1, mr: 2, je: 0 },
                hub_cutters: 1,
                red_bags: 1,
                black_bags: 1,
                mcp_cards: 2,
            }
        );
    }

    #[test]
    fn carried_vials_cover_the_need_and_never_go_below_zero() {
        let k = kit(&need(&[(Antigen::Opv, 5)], &[(Antigen::Opv, 3)]), &VaccineTable::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(item(&k, Antigen::Opv).map(|i| (i.vials, i.open_vials_usable)), Some((0, 3)));
        let k = kit(&need(&[], &[(Antigen::Opv, 3)]), &VaccineTable::default()).unwrap_or_else(|e| panic!("{e}"));
        assert!(k.items.is_empty(), "only antigens with doses due");
    }

    #[test]
    fn an_open_vial_is_usable_for_28_days_under_the_policy_only() {
        let t = VaccineTable::default();
        let d = |s| crate::parse_date(s).unwrap_or_default();
        let penta = t.get(Antigen::Penta).copied().unwrap_or(DEFAULT_VACCINES[3]);
        assert!(carried_vial_usable(&penta, d("2026-11-01"), d("2026-11-01")));
        assert!(carried_vial_usable(&penta, d("2026-11-01"), d("2026-11-28")));
        assert!(!carried_vial_usable(&penta, d("2026-11-01"), d("2026-11-29")), "expired after 28 days");
        assert!(!carried_vial_usable(&penta, d("2026-11-02"), d("2026-11-01")), "not before it was opened");
        let mr = t.get(Antigen::Mr).copied().unwrap_or(DEFAULT_VACCINES[7]);
        assert!(!carried_vial_usable(&mr, d("2026-11-01"), d("2026-11-01")), "MR is never carried");
    }

    #[test]
    fn a_state_table_replaces_rows_and_bad_files_are_located() {
        let t = VaccineTable::with_file(
            "antigen,doses_per_vial,wastage_factor,open_vial_policy\nMR,10,1.5,no\npcv,5,1.05,YES\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mr = t.get(Antigen::Mr).copied();
        assert_eq!(mr.map(|v| (v.doses_per_vial, v.wastage_factor())), Some((10, "1.5".to_string())));
        assert_eq!(t.get(Antigen::Pcv).map(|v| v.doses_per_vial), Some(5));
        assert_eq!(t.get(Antigen::Bcg).map(|v| v.wastage_factor()), Some("2.0".to_string()), "defaults kept");
        let err = VaccineTable::with_file(
            "antigen,doses_per_vial,wastage_factor,open_vial_policy\nXYZ,10,1.1,no\nOPV,0,0.9,maybe\nMR,5,1.33,yes\nOPV,20,1.1111,yes\nTD,10\n",
        )
        .unwrap_err();
        let lines: Vec<String> = err.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "line 2, column antigen: unknown antigen 'XYZ' (expected one of: BCG HEPB OPV PENTA RVV FIPV PCV MR JE DPT VITA TD)",
                "line 3, column doses_per_vial: '0' is not a number of doses from 1 to 100",
                "line 3, column wastage_factor: '0.9' is not a factor from 1.0 to 5.0 with at most 3 decimals",
                "line 3, column open_vial_policy: 'maybe': write yes or no",
                "line 4, column open_vial_policy: MR is reconstituted: the open-vial policy does not apply",
                "line 5, column wastage_factor: '1.1111' is not a factor from 1.0 to 5.0 with at most 3 decimals",
                "line 5, column antigen: OPV is already on line 3",
                "line 6, column row: 2 cells; the header has 4",
            ]
        );
        assert!(VaccineTable::with_file("antigen,doses\n").is_err());
    }

    #[test]
    fn wastage_is_the_share_of_opened_doses_not_given_and_a_negative_one_is_flagged() {
        let t = VaccineTable::default();
        // 2 Penta vials of 10 doses, 14 given: 6 of 20 wasted.
        let w = wastage(Antigen::Penta, 2, 14, &t);
        assert_eq!((w.doses_in_vials, w.rate, w.data_error), (20, Some(30.0), false));
        // 1 MR vial of 5, 7 given: a vial not recorded. Shown, and flagged.
        let w = wastage(Antigen::Mr, 1, 7, &t);
        assert_eq!((w.rate, w.data_error), (Some(-40.0), true));
        let w = wastage(Antigen::Bcg, 0, 0, &t);
        assert_eq!((w.rate, w.data_error), (None, false));
        assert!(wastage(Antigen::Bcg, 0, 1, &t).data_error, "a dose given from no vial");
    }

    #[test]
    fn the_need_is_the_due_list_counted_by_antigen() {
        use crate::codes::{DoseCode, Kind};
        use crate::schedule::{Classification, DoseStatus};
        let item = |codes: &[DoseCode]| DueItem {
            register_id: "C".into(),
            name: "C".into(),
            kind: Kind::Child,
            household_id: "H".into(),
            village: "V".into(),
            classification: Classification::DropOut,
            fully_immunized: false,
            doses: codes
                .iter()
                .map(|c| crate::report::DueDose { code: *c, status: DoseStatus::Due, due_on: None, last_on: None })
                .collect(),
        };
        let list = [
            item(&[DoseCode::Opv1, DoseCode::Penta1, DoseCode::Rvv1]),
            item(&[DoseCode::Opv2, DoseCode::Opvb, DoseCode::Mr1, DoseCode::Vita1]),
            item(&[DoseCode::Td1]),
        ];
        let need = KitNeed::from_due_list(&list, 1, 1);
        let got: Vec<(Antigen, u32)> = need.doses_due.iter().map(|(a, n)| (*a, *n)).collect();
        assert_eq!(
            got,
            [
                (Antigen::Opv, 3),
                (Antigen::Penta, 1),
                (Antigen::Rvv, 1),
                (Antigen::Mr, 1),
                (Antigen::Vita, 1),
                (Antigen::Td, 1)
            ]
        );
        let k = kit(&need, &VaccineTable::default()).unwrap_or_else(|e| panic!("{e}"));
        // OPV 3 × 1.11 = 3.33: 4 doses, one 20-dose vial; MR 1 × 1.33: 2 doses, one vial and its
        // diluent; Td 1 × 1.18: 2 doses, one vial.
        let opv = k.items.iter().find(|i| i.antigen == Antigen::Opv).map(|i| (i.doses_needed, i.vials));
        assert_eq!(opv, Some((4, 1)));
        assert_eq!(k.supplies.diluents.mr, 1);
        assert_eq!(k.items.len(), 6);
    }
}
