//! The round report as text, once for the device's `teeka report` and the server's
//! `teeka-server report`: a table for a terminal ([`report_table`]) and CSV ([`report_csv`],
//! one row per area, the total first, columns [`REPORT_CSV_COLUMNS`], `docs/formats.md`).

use crate::dates::iso;
use crate::monitor::{AreaFigures, RedItem, Report};

/// The columns of [`report_csv`], in order (a contract: add columns at the end, never rename).
pub const REPORT_CSV_COLUMNS: &[&str] = &[
    "round",
    "on",
    "area",
    "name",
    "level",
    "sessions_planned",
    "sessions_planned_round",
    "sessions_held",
    "sessions_not_held",
    "sessions_reported",
    "reporting_percent",
    "sessions_unplanned",
    "due",
    "vaccinated",
    "covered_percent",
    "children_due",
    "children_vaccinated",
    "pregnant_women_due",
    "pregnant_women_vaccinated",
    "fic_before_cohort",
    "fic_before",
    "fic_before_percent",
    "fic_after_cohort",
    "fic_after",
    "fic_after_percent",
    "penta1_penta3_percent",
    "penta1_mr1_percent",
    "bcg_mr1_percent",
    "mr1_mr2_percent",
    "left_out",
    "drop_out",
    "pregnant_left_out",
    "pregnant_drop_out",
    "refusal_families",
    "refusals_open",
    "refusals_still_refusing",
    "refusals_persuaded",
    "refusals_migrated",
    "refusals_escalated",
    "persuaded_percent",
    "aefi_minor",
    "aefi_severe",
    "aefi_serious",
    "activities",
    "activity_attendance",
    "devices_enrolled",
    "devices_not_synced_24h",
    "devices_clock_off",
];

/// A share as the table shows it: `62.5%`, or `-` when there is nothing to divide by.
fn pct(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%"))
}

/// A share as CSV holds it: `62.5`, or empty.
fn pct_csv(p: Option<f64>) -> String {
    p.map_or_else(String::new, |p| format!("{p:.1}"))
}

/// The table's columns of one area.
fn row(f: &AreaFigures, indent: bool) -> [String; 8] {
    let name = if f.name.is_empty() { f.area.clone() } else { f.name.clone() };
    [
        if indent { format!("  {name}") } else { name },
        format!("{}/{}", f.sessions_held, f.sessions_planned),
        format!("{}/{} {}", f.vaccinated, f.due, pct(f.covered_percent)),
        format!("{}→{}", pct(f.fic_before.percent), pct(f.fic_after.percent)),
        pct(f.dropout.penta1_penta3.rate),
        format!("{}/{}", f.refusals_persuaded, f.refusal_families),
        format!("{}/{}/{}", f.aefi.minor, f.aefi.severe, f.aefi.serious),
        f.devices.map_or_else(|| "-".to_string(), |d| d.not_synced_24h.to_string()),
    ]
}

/// Lines of columns, each padded to its widest cell (by characters); the first left-aligned,
/// the others right-aligned.
fn columns(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..n).map(|i| rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            if i == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The report for a terminal: the headline table (the total first, then each child area), then
/// the total's antigens, wastage, sessions not held by reason, activities, and the red list.
pub fn report_table(report: &Report) -> String {
    let t = &report.total;
    let days = match (report.days.first(), report.days.last()) {
        (Some(a), Some(b)) => format!("{} to {}, {} days", iso(*a), iso(*b), report.days.len()),
        _ => "no working days".to_string(),
    };
    let mut out = format!("Round {} report: {} on {} (round {days})\n\n", report.round, t.area, iso(report.on));
    let mut rows: Vec<Vec<String>> = vec![[
        "AREA",
        "SESSIONS HELD/PLANNED",
        "DUE LIST COVERED",
        "FIC BEFORE→AFTER",
        "PENTA1→3 DROP-OUT",
        "REFUSALS PERSUADED/FAMILIES",
        "AEFI MINOR/SEVERE/SERIOUS",
        "DEVICES NOT SYNCED",
    ]
    .map(String::from)
    .to_vec()];
    rows.push(row(t, false).to_vec());
    rows.extend(report.areas.iter().map(|a| row(a, true).to_vec()));
    out.push_str(&columns(&rows));

    out.push_str("\nAntigens\n");
    if t.antigens.is_empty() {
        out.push_str("  none due\n");
    } else {
        let mut rows =
            vec![["ANTIGEN", "DUE", "VACCINATED", "COVERED", "CHILDREN", "PREGNANT WOMEN"].map(String::from).to_vec()];
        for a in &t.antigens {
            rows.push(vec![
                format!("  {}", a.antigen),
                a.due.to_string(),
                a.vaccinated.to_string(),
                pct(crate::report::percent(a.vaccinated, a.due)),
                format!("{}/{}", a.children_vaccinated, a.children_due),
                format!("{}/{}", a.women_vaccinated, a.women_due),
            ]);
        }
        out.push_str(&columns(&rows));
    }

    out.push_str("\nWastage\n");
    if t.wastage.is_empty() {
        out.push_str("  no vials opened\n");
    } else {
        let mut rows = vec![["ANTIGEN", "VIALS", "DOSES IN VIALS", "GIVEN", "WASTAGE"].map(String::from).to_vec()];
        for w in &t.wastage {
            let rate = if w.data_error { format!("{} (check)", pct(w.rate)) } else { pct(w.rate) };
            rows.push(vec![
                format!("  {}", w.antigen),
                w.vials_opened.to_string(),
                w.doses_in_vials.to_string(),
                w.doses_given.to_string(),
                rate,
            ]);
        }
        out.push_str(&columns(&rows));
    }

    out.push_str("\nSessions not held\n");
    if t.not_held.is_empty() {
        out.push_str("  none\n");
    } else {
        let rows: Vec<Vec<String>> =
            t.not_held.iter().map(|n| vec![format!("  {}", n.reason), n.count.to_string()]).collect();
        out.push_str(&columns(&rows));
    }

    out.push_str("\nActivities\n");
    if t.activities.is_empty() {
        out.push_str("  none\n");
    } else {
        let mut rows = vec![["KIND", "HELD", "ATTENDANCE"].map(String::from).to_vec()];
        for a in &t.activities {
            rows.push(vec![format!("  {}", a.kind), a.count.to_string(), a.attendance.to_string()]);
        }
        out.push_str(&columns(&rows));
    }

    out.push_str("\nRed list\n");
    if report.red_list.is_empty() {
        out.push_str("  nothing\n");
    }
    for item in &report.red_list {
        let line = match item {
            RedItem::LowCoverage { area, due, vaccinated, percent, .. } => {
                format!("  low coverage: {area}: {vaccinated}/{due} of its due list ({percent:.1}%)")
            }
            RedItem::NotReported { site_id, site_name, area, day } => {
                format!("  not reported: site {site_id} ({site_name}), {area}, {}", iso(*day))
            }
            RedItem::OldCase { household_id, area, opened_on, days_open, status } => {
                format!(
                    "  old case: household {household_id}, {area}: {status} since {} ({days_open} days)",
                    iso(*opened_on)
                )
            }
            RedItem::SeriousAefi { register_id, area, date } => {
                format!("  serious AEFI: {register_id}, {area}, {}", iso(*date))
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The report as CSV: a header of [`REPORT_CSV_COLUMNS`], then one row per area, the total first
/// and each child area after it. Shares have one decimal; an empty cell is a share of nothing
/// (or, for the devices, a device's report).
pub fn report_csv(report: &Report) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| {
        let quoted: Vec<String> = cells
            .into_iter()
            .map(|c| if c.contains([',', '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c })
            .collect();
        let mut l = quoted.join(",");
        l.push('\n');
        l
    };
    out.push_str(&line(REPORT_CSV_COLUMNS.iter().map(|c| c.to_string()).collect()));
    for f in std::iter::once(&report.total).chain(&report.areas) {
        let n = |v: u32| v.to_string();
        let dev = |g: fn(&crate::monitor::DeviceFigures) -> u32| {
            f.devices.as_ref().map_or_else(String::new, |d| g(d).to_string())
        };
        let activities: u32 = f.activities.iter().map(|a| a.count).sum();
        let attendance: u32 = f.activities.iter().map(|a| a.attendance).sum();
        out.push_str(&line(vec![
            n(report.round),
            iso(report.on),
            f.area.clone(),
            f.name.clone(),
            f.level.map_or_else(String::new, |l| l.as_str().to_string()),
            n(f.sessions_planned),
            n(f.sessions_planned_round),
            n(f.sessions_held),
            n(f.sessions_not_held),
            n(f.sessions_reported),
            pct_csv(f.reporting_percent),
            n(f.sessions_unplanned),
            n(f.due),
            n(f.vaccinated),
            pct_csv(f.covered_percent),
            n(f.children.due),
            n(f.children.vaccinated),
            n(f.pregnant_women.due),
            n(f.pregnant_women.vaccinated),
            n(f.fic_before.cohort),
            n(f.fic_before.fully_immunized),
            pct_csv(f.fic_before.percent),
            n(f.fic_after.cohort),
            n(f.fic_after.fully_immunized),
            pct_csv(f.fic_after.percent),
            pct_csv(f.dropout.penta1_penta3.rate),
            pct_csv(f.dropout.penta1_mr1.rate),
            pct_csv(f.dropout.bcg_mr1.rate),
            pct_csv(f.dropout.mr1_mr2.rate),
            n(f.left_out),
            n(f.drop_out),
            n(f.pregnant_left_out),
            n(f.pregnant_drop_out),
            n(f.refusal_families),
            n(f.refusals_open),
            n(f.refusals_still_refusing),
            n(f.refusals_persuaded),
            n(f.refusals_migrated),
            n(f.refusals_escalated),
            pct_csv(f.persuaded_percent),
            n(f.aefi.minor),
            n(f.aefi.severe),
            n(f.aefi.serious),
            n(activities),
            n(attendance),
            dev(|d| d.enrolled),
            dev(|d| d.not_synced_24h),
            dev(|d| d.clock_off),
        ]));
    }
    out
}
