//! The round report as text (`teeka report --format table|csv`): one row per area, the total
//! first, then its child areas, with the headline figures. A minimal rendering of
//! [`crate::monitor::Report`]; no figure is computed here, only formatted.

use crate::dates::iso;
use crate::monitor::{AreaFigures, RedItem, Report};

/// The columns of both renderings.
const COLUMNS: [&str; 17] = [
    "area",
    "sessions_planned",
    "sessions_held",
    "sessions_not_held",
    "sessions_reported",
    "due",
    "vaccinated",
    "covered_percent",
    "fic_before_percent",
    "fic_after_percent",
    "refusal_families",
    "refusals_persuaded",
    "refusals_open",
    "aefi_minor",
    "aefi_severe",
    "aefi_serious",
    "wastage",
];

fn pct(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_string(), |p| format!("{p:.1}"))
}

/// Wastage per antigen as `BCG 95.0%; PENTA -20.0%!; OPV -!` (`!`: more doses given than the
/// vials held; `-`: no vial opened).
fn wastage(f: &AreaFigures) -> String {
    let parts: Vec<String> = f
        .wastage
        .iter()
        .map(|w| {
            let flag = if w.data_error { "!" } else { "" };
            match w.rate {
                Some(rate) => format!("{} {rate:.1}%{flag}", w.antigen),
                None => format!("{} -{flag}", w.antigen),
            }
        })
        .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join("; ")
    }
}

fn row(f: &AreaFigures) -> Vec<String> {
    vec![
        f.area.clone(),
        f.sessions_planned.to_string(),
        f.sessions_held.to_string(),
        f.sessions_not_held.to_string(),
        f.sessions_reported.to_string(),
        f.due.to_string(),
        f.vaccinated.to_string(),
        pct(f.covered_percent),
        pct(f.fic_before.percent),
        pct(f.fic_after.percent),
        f.refusal_families.to_string(),
        f.refusals_persuaded.to_string(),
        f.refusals_open.to_string(),
        f.aefi.minor.to_string(),
        f.aefi.severe.to_string(),
        f.aefi.serious.to_string(),
        wastage(f),
    ]
}

fn rows(r: &Report) -> Vec<Vec<String>> {
    std::iter::once(&r.total).chain(&r.areas).map(row).collect()
}

/// The width of a cell as a terminal shows it (a Devanagari mark takes none).
fn width(s: &str) -> usize {
    s.chars().filter(|c| !('\u{0900}'..='\u{097F}').contains(c) || !is_mark(*c)).count()
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' | '\u{0951}'..='\u{0957}' | '\u{0962}'..='\u{0963}')
}

/// The red list, one line each.
fn red_line(item: &RedItem) -> String {
    match item {
        RedItem::LowCoverage { area, due, vaccinated, percent, .. } => {
            format!("below 80%: {area} ({vaccinated} of {due} doses, {percent:.1}%)")
        }
        RedItem::NotReported { site_id, site_name, day, .. } => {
            format!("not reported: {site_id} {site_name} on {}", iso(*day))
        }
        RedItem::OldCase { household_id, area, days_open, .. } => {
            format!("open case: household {household_id} of {area}, {days_open} days")
        }
        RedItem::SeriousAefi { register_id, area, date } => {
            format!("serious AEFI: {register_id} of {area} on {}", iso(*date))
        }
    }
}

/// The report as a table for a terminal: a title line, one row per area, then the red list.
pub fn report_table(r: &Report) -> String {
    let rows = rows(r);
    let mut widths: Vec<usize> = COLUMNS.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w.saturating_sub(width(cell)) + 2));
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let span = match (r.days.first(), r.days.last()) {
        (Some(a), Some(b)) => format!(" ({} to {})", iso(*a), iso(*b)),
        _ => String::new(),
    };
    let mut out = format!("round {}{span}, on {}\n", r.round, iso(r.on));
    out.push_str(&line(&COLUMNS));
    let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(&dashes.iter().map(String::as_str).collect::<Vec<_>>()));
    for row in &rows {
        out.push_str(&line(&row.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    if r.red_list.is_empty() {
        out.push_str("red list: none\n");
    } else {
        out.push_str("red list:\n");
        for item in &r.red_list {
            out.push_str("  ");
            out.push_str(&red_line(item));
            out.push('\n');
        }
    }
    out
}

/// The report as CSV: a header, the total's row, then a row per child area.
pub fn report_csv(r: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut out = Vec::new();
    out.push(COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>());
    out.extend(rows(r));
    for row in &out {
        if w.write_record(row).is_err() {
            return String::new();
        }
    }
    w.into_inner().ok().and_then(|b| String::from_utf8(b).ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{AefiFigures, PeopleFigures};
    use crate::report::{DropOut, DropOuts, Fic};

    fn area(path: &str, due: u32, vaccinated: u32) -> AreaFigures {
        let d = DropOut { cohort: 0, from: 0, to: 0, rate: None };
        let fic = Fic { cohort: 0, fully_immunized: 0, percent: None };
        AreaFigures {
            area: path.into(),
            name: path.rsplit('/').next().unwrap_or_default().into(),
            level: None,
            sessions_planned: 2,
            sessions_planned_round: 3,
            sessions_held: 1,
            sessions_not_held: 1,
            not_held: vec![],
            sessions_reported: 1,
            reporting_percent: Some(100.0),
            sessions_unplanned: 0,
            due,
            vaccinated,
            covered_percent: crate::report::percent(vaccinated, due),
            children: PeopleFigures::default(),
            pregnant_women: PeopleFigures::default(),
            antigens: vec![],
            fic_before: fic,
            fic_after: fic,
            fic_by_day: vec![],
            dropout: DropOuts { penta1_penta3: d, penta1_mr1: d, bcg_mr1: d, mr1_mr2: d },
            left_out: 0,
            drop_out: 0,
            pregnant_left_out: 0,
            pregnant_drop_out: 0,
            refusal_families: 1,
            refusals_open: 0,
            refusals_still_refusing: 0,
            refusals_persuaded: 1,
            refusals_migrated: 0,
            refusals_escalated: 0,
            persuaded_percent: Some(100.0),
            aefi: AefiFigures { minor: 0, severe: 0, serious: 1 },
            wastage: vec![crate::kit::wastage(crate::Antigen::Bcg, 1, 2, &crate::kit::VaccineTable::default())],
            activities: vec![],
            devices: None,
        }
    }

    fn report() -> Report {
        let day = crate::parse_date("2026-11-10").unwrap_or_default();
        Report {
            round: 1,
            on: day,
            days: vec![day],
            total: area("Block", 24, 4),
            areas: vec![area("Block/SC-1", 18, 4), area("Block/SC-2, east", 6, 0)],
            units: vec![],
            red_list: vec![RedItem::SeriousAefi { register_id: "B-1".into(), area: "Block/SC-1".into(), date: day }],
        }
    }

    #[test]
    fn one_row_per_area_with_the_total_first() {
        let t = report_table(&report());
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "round 1 (2026-11-10 to 2026-11-10), on 2026-11-10");
        assert!(lines[1].starts_with("area "));
        assert!(lines[3].starts_with("Block ") && lines[3].contains("16.7"), "{}", lines[3]);
        assert!(lines[4].starts_with("Block/SC-1 "));
        assert!(t.contains("BCG 80.0%"), "{t}");
        assert!(t.ends_with("red list:\n  serious AEFI: B-1 of Block/SC-1 on 2026-11-10\n"), "{t}");
    }

    #[test]
    fn the_csv_quotes_what_needs_it() {
        let c = report_csv(&report());
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], COLUMNS.join(","));
        assert!(lines[1].starts_with("Block,2,1,1,1,24,4,16.7,-,-,1,1,0,0,0,1,BCG 80.0%"), "{}", lines[1]);
        assert!(lines[3].starts_with("\"Block/SC-2, east\",2,"), "{}", lines[3]);
    }
}
