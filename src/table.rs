//! Human-readable tables and the due list's CSV form.

use teeka_domain::report::{Coverage, DropOut, DueItem};
use teeka_domain::{iso, Date, DoseStatus};
use unicode_width::UnicodeWidthStr;

/// Left-aligned columns, padded by display width (Devanagari included).
fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - cell.width() + 2));
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(header.to_vec());
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().iter().map(String::as_str).collect()));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn date_or_dash(d: Option<Date>) -> String {
    d.map(iso).unwrap_or_else(|| "-".into())
}

pub fn due_list_table(on: Date, items: &[DueItem]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            let doses = i
                .doses
                .iter()
                .map(|d| match d.status {
                    DoseStatus::Overdue => format!("{} OVERDUE (due {})", d.code, date_or_dash(d.due_on)),
                    _ => format!("{} due {}", d.code, date_or_dash(d.due_on)),
                })
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                i.register_id.to_string(),
                i.name.to_string(),
                i.kind.to_string(),
                i.village.to_string(),
                i.household_id.to_string(),
                i.classification.as_str().to_string(),
                doses,
            ]
        })
        .collect();
    let doses: usize = items.iter().map(|i| i.doses.len()).sum();
    let overdue: usize = items.iter().flat_map(|i| &i.doses).filter(|d| d.status == DoseStatus::Overdue).count();
    let mut out = format!("Due list for {}\n\n", iso(on));
    if items.is_empty() {
        out.push_str("Nobody is due.\n");
        return out;
    }
    out.push_str(&render(&["REGISTER ID", "NAME", "KIND", "VILLAGE", "HOUSEHOLD", "CLASS", "DOSES"], &rows));
    out.push_str(&format!("\n{} beneficiaries, {doses} doses due ({overdue} overdue)\n", items.len()));
    out
}

pub fn due_list_csv(items: &[DueItem]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "register_id",
        "name",
        "kind",
        "household_id",
        "village",
        "classification",
        "fully_immunized",
        "code",
        "status",
        "due_on",
        "last_on",
    ])?;
    for i in items {
        for d in &i.doses {
            w.write_record([
                &*i.register_id,
                &*i.name,
                i.kind.as_str(),
                &*i.household_id,
                &*i.village,
                i.classification.as_str(),
                if i.fully_immunized { "true" } else { "false" },
                d.code.as_str(),
                d.status.as_str(),
                &d.due_on.map(iso).unwrap_or_default(),
                &d.last_on.map(iso).unwrap_or_default(),
            ])?;
        }
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn pct(p: Option<f64>) -> String {
    p.map_or_else(|| "-".into(), |p| format!("{p:.1}%"))
}

fn rate(label: &str, d: &DropOut) -> Vec<String> {
    vec![label.into(), format!("{} → {} of {}", d.from, d.to, d.cohort), pct(d.rate)]
}

pub fn coverage_table(c: &Coverage) -> String {
    let mut out = format!(
        "Coverage on {}{}\n\n",
        iso(c.date),
        c.village.as_ref().map(|v| format!(", village {v}")).unwrap_or_default()
    );
    let rows = vec![
        vec!["Children (active)".into(), c.children.to_string(), String::new()],
        vec!["Pregnant women (active)".into(), c.pregnant_women.to_string(), String::new()],
        vec![
            "Fully immunized, 12–23 months".into(),
            format!("{} of {}", c.fic.fully_immunized, c.fic.cohort),
            pct(c.fic.percent),
        ],
        rate("Drop-out Penta1 → Penta3", &c.dropout.penta1_penta3),
        rate("Drop-out Penta1 → MR1", &c.dropout.penta1_mr1),
        rate("Drop-out BCG → MR1", &c.dropout.bcg_mr1),
        rate("Drop-out MR1 → MR2", &c.dropout.mr1_mr2),
        vec!["Left-out children".into(), c.left_out.to_string(), String::new()],
        vec!["Drop-out children".into(), c.drop_out.to_string(), String::new()],
        vec!["Up-to-date children".into(), c.up_to_date.to_string(), String::new()],
        vec!["Pregnant women with no Td (left out)".into(), c.pregnant_left_out.to_string(), String::new()],
        vec!["Pregnant women, Td1 without Td2 (drop-out)".into(), c.pregnant_drop_out.to_string(), String::new()],
        vec!["Pregnant women protected or on schedule".into(), c.pregnant_up_to_date.to_string(), String::new()],
        vec!["Resistant households".into(), c.resistant_households.to_string(), String::new()],
    ];
    out.push_str(&render(&["MEASURE", "COUNT", "RATE"], &rows));
    out
}

/// `teeka status` as text.
pub fn status_table(s: &teeka_store::SyncStatus) -> String {
    let mut rows: Vec<Vec<String>> = vec![vec!["device".into(), s.device_id.to_string()]];
    match &s.server_url {
        Some(url) => {
            rows.push(vec!["server".into(), url.clone()]);
            rows.push(vec!["area".into(), s.area.clone().unwrap_or_default()]);
            rows.push(vec!["role".into(), s.role.clone().unwrap_or_default()]);
        }
        None => rows.push(vec!["server".into(), "not enrolled (teeka enroll --server URL --code CODE)".into()]),
    }
    let oldest = s.oldest_pending.as_ref().map(|o| format!(" (oldest recorded {o})")).unwrap_or_default();
    rows.push(vec!["pending".into(), format!("{} records{oldest}", s.pending)]);
    rows.push(vec!["last sync".into(), s.last_success.clone().unwrap_or_else(|| "never".into())]);
    if let Some(e) = &s.last_error {
        rows.push(vec!["last error".into(), format!("{e} ({})", s.last_error_at.clone().unwrap_or_default())]);
    }
    rows.push(vec!["set aside".into(), format!("{} records", s.set_aside.len())]);
    let mut out = render(&["", ""], &rows).lines().skip(2).collect::<Vec<_>>().join("\n");
    out.push('\n');
    for a in &s.set_aside {
        out.push_str(&format!("  {} {}: {}\n", a.event_id, a.code, a.reason));
    }
    out
}

/// A round's working days: `DAY  DATE  WEEKDAY`, under a line that says what was skipped.
pub fn calendar_table(round: &teeka_domain::calendar::RoundDays, days: &[Date]) -> String {
    use chrono::Datelike;
    let skipped =
        if round.ri_days.is_empty() { "Sundays".to_string() } else { format!("Sundays, RI days {}", round.ri_days) };
    let holidays = match round.holidays.len() {
        0 => String::new(),
        1 => " and 1 holiday".to_string(),
        n => format!(" and {n} holidays"),
    };
    let rows: Vec<Vec<String>> = days
        .iter()
        .enumerate()
        .map(|(i, d)| vec![(i + 1).to_string(), iso(*d), teeka_domain::calendar::weekday_name(d.weekday()).to_string()])
        .collect();
    format!(
        "{} working days from {} (skipping {skipped}{holidays})\n\n{}",
        days.len(),
        iso(round.start),
        render(&["DAY", "DATE", "WEEKDAY"], &rows)
    )
}

/// `7 working days from 2019-12-02 to 2019-12-12`.
pub fn round_span(r: &teeka_store::RoundRecord) -> String {
    match (r.days.first(), r.days.last()) {
        (Some(a), Some(b)) => format!("{} working days from {} to {}", r.days.len(), iso(*a), iso(*b)),
        _ => "no working day".into(),
    }
}

fn contact(c: &teeka_domain::model::Contact) -> String {
    match &c.phone {
        Some(p) => format!("{}:{p}", c.name),
        None => c.name.clone(),
    }
}

fn or_dash(v: Option<String>) -> String {
    v.filter(|v| !v.is_empty()).unwrap_or_else(|| "-".into())
}

pub fn sites_table(sites: &[teeka_store::SiteRecord]) -> String {
    let rows: Vec<Vec<String>> = sites
        .iter()
        .map(|s| {
            vec![
                s.site_id.clone(),
                s.name.clone(),
                s.site_type.to_string(),
                s.hra.to_string(),
                or_dash(Some(s.villages.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(";"))),
                or_dash(s.anm.as_ref().map(contact)),
                or_dash(Some(s.mobilizers.iter().map(contact).collect::<Vec<_>>().join(";"))),
                or_dash(s.avd.as_ref().map(contact)),
                or_dash(s.distance_tenths_km.map(|d| format!("{}.{}", d / 10, d % 10))),
                or_dash(s.travel_minutes.map(|m| m.to_string())),
                or_dash(s.ri_day.map(|d| d.to_string())),
            ]
        })
        .collect();
    format!(
        "{} session site{}\n\n{}",
        sites.len(),
        if sites.len() == 1 { "" } else { "s" },
        render(
            &["SITE", "NAME", "TYPE", "HRA", "VILLAGES", "ANM", "MOBILIZERS", "AVD", "KM", "MINUTES", "RI_DAY"],
            &rows
        )
    )
}

pub fn rounds_table(rounds: &[teeka_store::RoundRecord]) -> String {
    if rounds.is_empty() {
        return "no rounds yet: add one with `teeka plan round add`\n".into();
    }
    let mut out = String::new();
    for (i, r) in rounds.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("round {}: ", r.number));
        out.push_str(&calendar_table(&r.round_days(), &r.days));
    }
    out
}

pub fn plan_table(plan: &teeka_store::RoundPlan) -> String {
    use chrono::Datelike;
    let n = &plan.norms;
    let sites = plan.sites.iter().filter(|s| s.sessions > 0).count();
    let rows: Vec<Vec<String>> = plan
        .sessions
        .iter()
        .map(|s| {
            let day = plan.days.iter().position(|d| *d == s.day).map_or("-".to_string(), |i| (i + 1).to_string());
            let mut status = match (s.not_held, &s.note) {
                (Some(r), Some(note)) => format!("not held: {r} ({note})"),
                (Some(r), None) => format!("not held: {r}"),
                (None, _) => "planned".to_string(),
            };
            if let Some(from) = s.moved_from {
                status.push_str(&format!(", moved from {}", iso(from)));
            }
            vec![
                day,
                iso(s.day),
                teeka_domain::calendar::weekday_name(s.day.weekday()).to_string(),
                s.site_id.clone(),
                s.site_name.clone(),
                s.number.to_string(),
                s.injections.to_string(),
                s.expected.len().to_string(),
                status,
            ]
        })
        .collect();
    let mut out = format!(
        "round {}: {} session{} at {} site{} over {} working days (injections per session: fixed {}-{}, outreach {}-{}, mobile {}-{})\n\n",
        plan.round,
        plan.sessions.len(),
        if plan.sessions.len() == 1 { "" } else { "s" },
        sites,
        if sites == 1 { "" } else { "s" },
        plan.days.len(),
        n.fixed.min,
        n.fixed.max,
        n.outreach.min,
        n.outreach.max,
        n.mobile.min,
        n.mobile.max
    );
    out.push_str(&render(
        &["DAY", "DATE", "WEEKDAY", "SITE", "NAME", "SESSION", "INJECTIONS", "EXPECTED", "STATUS"],
        &rows,
    ));
    for p in &plan.problems {
        out.push_str(&match p {
            teeka_domain::plan::PlanProblem::NoAnm { site_id } => {
                format!("problem: site {site_id} has people due and no ANM\n")
            }
            teeka_domain::plan::PlanProblem::AnmOverbooked { anm, sessions, days } => {
                format!("problem: ANM {anm} has {sessions} sessions in {days} days: some days hold two of hers\n")
            }
        });
    }
    out
}

pub fn mop_up_table(m: &teeka_store::MopUp) -> String {
    let rows: Vec<Vec<String>> = m
        .items
        .iter()
        .map(|i| {
            vec![
                i.register_id.clone(),
                i.name.clone(),
                i.kind.to_string(),
                i.village.clone(),
                i.household_id.clone(),
                i.doses.iter().map(|d| d.code.as_str()).collect::<Vec<_>>().join(" "),
                or_dash(i.last_not_given.as_ref().map(|n| match &n.note {
                    Some(note) => format!("{} {} on {} ({note})", n.code, n.reason, iso(n.date)),
                    None => format!("{} {} on {}", n.code, n.reason, iso(n.date)),
                })),
            ]
        })
        .collect();
    format!(
        "mop-up of round {} at {} {} on {}: {} still due\n\n{}",
        m.round,
        m.site_id,
        m.site_name,
        iso(m.date),
        m.items.len(),
        render(&["REGISTER_ID", "NAME", "KIND", "VILLAGE", "HOUSEHOLD", "DOSES_DUE", "LAST_NOT_GIVEN"], &rows)
    )
}

/// `teeka plan kit` as text: the antigens, then the supplies.
pub fn kit_table(k: &teeka_store::SiteKit) -> String {
    let mut out = format!("Carry kit for site {} on {}\n\n", k.site, iso(k.date));
    if k.items.is_empty() {
        out.push_str("Nobody is due: no vaccine to carry.\n");
    } else {
        let rows: Vec<Vec<String>> = k
            .items
            .iter()
            .map(|i| {
                vec![
                    i.antigen.to_string(),
                    i.doses_due.to_string(),
                    i.doses_needed.to_string(),
                    i.vials.to_string(),
                    i.open_vials_usable.to_string(),
                ]
            })
            .collect();
        out.push_str(&render(&["ANTIGEN", "DOSES DUE", "DOSES NEEDED", "VIALS", "OPEN VIALS USABLE"], &rows));
    }
    let s = &k.supplies;
    let rows = vec![
        vec!["AD syringes 0.1 ml".into(), s.ad_syringes_0_1ml.to_string()],
        vec!["AD syringes 0.5 ml".into(), s.ad_syringes_0_5ml.to_string()],
        vec!["Reconstitution syringes".into(), s.reconstitution_syringes.to_string()],
        vec!["Diluent BCG".into(), s.diluents.bcg.to_string()],
        vec!["Diluent MR".into(), s.diluents.mr.to_string()],
        vec!["Diluent JE".into(), s.diluents.je.to_string()],
        vec!["Hub cutters".into(), s.hub_cutters.to_string()],
        vec!["Red bags".into(), s.red_bags.to_string()],
        vec!["Black bags".into(), s.black_bags.to_string()],
        vec!["MCP cards".into(), s.mcp_cards.to_string()],
    ];
    out.push('\n');
    out.push_str(&render(&["SUPPLY", "COUNT"], &rows));
    out
}

/// What `teeka session close` did: one line for the closing, one per vial discarded or carried.
pub fn closing_lines(session: uuid::Uuid, c: &teeka_store::LedgerClosing) -> String {
    let opened: u32 = c.vials.iter().map(|v| v.opened).sum();
    let counts = c.vials.iter().map(|v| format!("{} {}", v.antigen, v.opened)).collect::<Vec<_>>().join(", ");
    let mut out = format!(
        "closed session {session}: {opened} vial{} opened{}\n",
        if opened == 1 { "" } else { "s" },
        if counts.is_empty() { String::new() } else { format!(" ({counts})") }
    );
    for (id, antigen, reason) in &c.discarded {
        out.push_str(&format!("discarded {antigen} vial {id}: {reason}\n"));
    }
    for id in &c.carried {
        out.push_str(&format!("carried forward vial {id} (open-vial policy, up to 28 days from opening)\n"));
    }
    out
}

/// `teeka session show` as text: the session, its vials, doses given and wastage.
pub fn ledger_table(l: &teeka_store::SessionLedger) -> String {
    use teeka_domain::ledger::LimitKind;
    let s = &l.session;
    let site = match (&s.site_id, &s.site) {
        (Some(id), Some(name)) => format!("site {id} ({name}), "),
        _ => String::new(),
    };
    let mut out = format!(
        "Session {} at {site}{} on {}: {}\n\n",
        s.id,
        s.village,
        iso(s.date),
        if s.closed { "closed" } else { "open" }
    );
    if l.vials.is_empty() {
        out.push_str("No vial opened or carried in.\n");
    } else {
        let rows: Vec<Vec<String>> = l
            .vials
            .iter()
            .map(|v| {
                let left = match (v.time.limit, v.time.minutes_left, v.time.days_left) {
                    _ if v.discarded.is_some() => "-".into(),
                    (LimitKind::FourHours, Some(m), _) => format!("{m} min"),
                    (LimitKind::TwentyEightDays, _, Some(d)) => format!("{d} days"),
                    _ => "session".into(),
                };
                let status = match &v.discarded {
                    Some(d) => format!("discarded {}", d.reason),
                    None if v.time.past_limit => "PAST ITS LIMIT".into(),
                    None => "open".into(),
                };
                vec![
                    v.id.to_string(),
                    v.antigen.to_string(),
                    v.batch.clone().unwrap_or_else(|| "-".into()),
                    date_or_dash(v.expiry),
                    v.vvm.map_or_else(|| "-".into(), |n| n.to_string()),
                    v.opened_at.format("%Y-%m-%d %H:%M").to_string(),
                    if v.carried_in { "carried in".into() } else { "here".into() },
                    left,
                    status,
                ]
            })
            .collect();
        out.push_str(&render(
            &["VIAL", "ANTIGEN", "BATCH", "EXPIRY", "VVM", "OPENED (UTC)", "FROM", "LEFT", "STATUS"],
            &rows,
        ));
    }
    let given = l.doses_given.iter().map(|(a, n)| format!("{a} {n}")).collect::<Vec<_>>().join(", ");
    out.push_str(&format!("\nDoses given: {}\n", if given.is_empty() { "none".into() } else { given }));
    if !l.wastage.is_empty() {
        let rows: Vec<Vec<String>> = l
            .wastage
            .iter()
            .map(|w| {
                vec![
                    w.antigen.to_string(),
                    w.vials_opened.to_string(),
                    w.doses_in_vials.to_string(),
                    w.doses_given.to_string(),
                    pct(w.rate),
                    if w.data_error {
                        "DATA ERROR: more doses than the opened vials hold".into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        out.push_str("\nWastage of the vials opened here (doses drawn from them here or later)\n\n");
        out.push_str(&render(&["ANTIGEN", "VIALS", "DOSES IN VIALS", "DOSES GIVEN", "WASTAGE", ""], &rows));
    }
    out
}

/// A case file's refusals in one cell: `B-1 Priya OPV1+PENTA1 REFUSED_FEAR_AEFI 2026-03-01; …`.
fn refused_cell(c: &teeka_store::CaseFileRecord) -> String {
    c.refusals
        .iter()
        .map(|r| {
            let codes: Vec<&str> = r.codes.iter().map(|d| d.as_str()).collect();
            format!("{} {} {} {} {}", r.register_id, r.name, codes.join("+"), r.reason, iso(r.date))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn assigned_cell(c: &teeka_store::CaseFileRecord) -> String {
    match &c.assigned {
        Some(a) => match &a.name {
            Some(n) => format!("{} ({n})", a.persuader),
            None => a.persuader.to_string(),
        },
        None => "-".into(),
    }
}

/// `teeka refusals list`: one row per case file, oldest first.
pub fn cases_table(on: Date, cases: &[teeka_store::CaseFileRecord]) -> String {
    let rows: Vec<Vec<String>> = cases
        .iter()
        .map(|c| {
            vec![
                c.household_id.clone(),
                c.village.clone(),
                or_dash(c.head_of_household.clone()),
                iso(c.state.opened_on),
                c.days_open.to_string(),
                c.state.status.to_string(),
                assigned_cell(c),
                c.state.visits.to_string(),
                date_or_dash(c.state.last_visit),
                date_or_dash(c.state.escalated_on),
                refused_cell(c),
            ]
        })
        .collect();
    let mut out = format!("Case files of resistant families on {}: {}\n", iso(on), cases.len());
    if !rows.is_empty() {
        out.push_str(&render(
            &[
                "HOUSEHOLD",
                "VILLAGE",
                "HEAD",
                "OPENED",
                "DAYS",
                "STATUS",
                "ASSIGNED",
                "VISITS",
                "LAST VISIT",
                "ESCALATED",
                "REFUSED",
            ],
            &rows,
        ));
    }
    out
}

/// `teeka refusals list --format csv`: one row per case file (docs/cli.md).
pub fn cases_csv(cases: &[teeka_store::CaseFileRecord]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "household_id",
        "village",
        "head_of_household",
        "phone",
        "opened_on",
        "days_open",
        "status",
        "assigned_to",
        "assigned_name",
        "visits",
        "last_visit",
        "agreed_on",
        "persuaded_on",
        "escalated_on",
        "refused",
    ])?;
    for c in cases {
        let s = &c.state;
        w.write_record([
            &*c.household_id,
            &*c.village,
            c.head_of_household.as_deref().unwrap_or_default(),
            c.phone.as_deref().unwrap_or_default(),
            &iso(s.opened_on),
            &c.days_open.to_string(),
            s.status.as_str(),
            c.assigned.as_ref().map(|a| a.persuader.as_str()).unwrap_or_default(),
            c.assigned.as_ref().and_then(|a| a.name.as_deref()).unwrap_or_default(),
            &s.visits.to_string(),
            &s.last_visit.map(iso).unwrap_or_default(),
            &s.agreed_on.map(iso).unwrap_or_default(),
            &s.persuaded_on.map(iso).unwrap_or_default(),
            &s.escalated_on.map(iso).unwrap_or_default(),
            &refused_cell(c),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `teeka activity list`: newest first.
pub fn activities_table(list: &[teeka_store::ActivityRecord]) -> String {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|a| {
            vec![
                iso(a.date),
                a.village.clone(),
                a.kind.to_string(),
                match a.leader {
                    Some(l) => format!("{} ({l})", a.led_by),
                    None => a.led_by.clone(),
                },
                a.attendance.to_string(),
                or_dash(a.note.clone()),
                a.id.to_string(),
            ]
        })
        .collect();
    let mut out = format!("Communication activities: {}\n", list.len());
    if !rows.is_empty() {
        out.push_str(&render(&["DATE", "VILLAGE", "KIND", "LED BY", "ATTENDANCE", "NOTE", "ID"], &rows));
    }
    out
}
