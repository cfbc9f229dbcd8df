//! The page, drawn as SVG. Every label is fitted to its room with the font's own advances
//! ([`width`], an upper bound: shaping only narrows Devanagari), so nothing overlaps or runs off.

use crate::words::{self, fill, Lang, Words};
use crate::{FONT_BOLD, FONT_FAMILY, FONT_REGULAR, PAGE_HEIGHT as H, PAGE_WIDTH as W};
use chrono::Datelike;
use std::fmt::Write;
use teeka_domain::codes::AreaLevel;
use teeka_domain::dates::Date;
use teeka_domain::monitor::{AreaFigures, RedItem, Report, UnitBar, LOW_COVERAGE_PERCENT};

const M: f32 = 32.0;
const INK: &str = "#1b2733";
const MUTED: &str = "#52606d";
const ACCENT: &str = "#1f4e79";
const CARD: &str = "#eef3f8";
const TRACK: &str = "#e4e8ec";
const GREEN: &str = "#2e7d32";
const RED: &str = "#c62828";
const AMBER: &str = "#ef8f00";
const GREY: &str = "#9aa5b1";

/// The most bars the chart draws; the rest are named by count.
const MAX_BARS: usize = 22;

pub(crate) fn draw(report: &Report, lang: Lang) -> String {
    let w = Words::of(lang);
    let mut p = Page { out: String::new() };
    let _ = write!(
        p.out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="{FONT_FAMILY}" xml:lang="{}">"#,
        lang.code()
    );
    let _ = write!(p.out, r#"<rect x="0" y="0" width="{W}" height="{H}" fill="white"/>"#);
    header(&mut p, report, lang, w);
    let y = cards(&mut p, &report.total, w, 96.0);
    let y = sessions(&mut p, &report.total, lang, w, y + 20.0);
    let y = bars(&mut p, report, w, y + 22.0);
    red_list(&mut p, report, w, y + 22.0);
    p.text(
        M,
        H - 18.0,
        7.5,
        false,
        MUTED,
        Anchor::Start,
        &fill(w.made_from, &[("date", &date(report.on))]),
        W - 2.0 * M,
    );
    p.out.push_str("</svg>");
    p.out
}

fn header(p: &mut Page, report: &Report, lang: Lang, w: &Words) {
    p.text(M, 50.0, 20.0, true, ACCENT, Anchor::Start, w.title, 380.0);
    p.text(W - M, 50.0, 15.0, true, INK, Anchor::End, &date(report.on), 140.0);
    let t = &report.total;
    let area = if t.name.is_empty() { w.all_areas.to_string() } else { t.name.clone() };
    let area = match t.level {
        Some(level) => format!("{area} ({})", words::level(lang, level)),
        None => area,
    };
    let m = report.days.len().to_string();
    let k = report.days.iter().filter(|d| **d <= report.on).count();
    let day = if report.days.contains(&report.on) {
        fill(w.day_of, &[("k", &k.to_string()), ("m", &m)])
    } else if k == 0 {
        fill(w.before_first, &[("m", &m)])
    } else {
        fill(w.after_day, &[("k", &k.to_string()), ("m", &m)])
    };
    let line = format!("{} · {day} · {area}", fill(w.round, &[("n", &report.round.to_string())]));
    p.text(M, 74.0, 12.0, false, INK, Anchor::Start, &line, W - 2.0 * M);
    p.rect(M, 84.0, W - 2.0 * M, 1.5, ACCENT);
}

/// The headline figures, three to a row; returns the bottom.
fn cards(p: &mut Page, t: &AreaFigures, w: &Words, top: f32) -> f32 {
    let mut list: Vec<Card> = Vec::new();
    list.push(Card {
        title: w.covered.into(),
        value: Value::One(pct(t.covered_percent), below(t.covered_percent)),
        sub: fill(w.covered_sub, &[("a", &t.vaccinated.to_string()), ("b", &t.due.to_string())]),
    });
    list.push(Card {
        title: w.sessions.into(),
        value: Value::One(format!("{} / {}", t.sessions_held, t.sessions_planned), None),
        sub: fill(w.sessions_sub, &[("n", &t.sessions_not_held.to_string()), ("r", &t.sessions_reported.to_string())]),
    });
    list.push(Card {
        title: w.fic.into(),
        value: Value::Arrow(pct(t.fic_before.percent), pct(t.fic_after.percent)),
        sub: format!(
            "{} {} · {} {}",
            w.fic_before,
            pct(t.fic_before.percent),
            w.fic_now,
            fill(w.fic_sub, &[("a", &t.fic_after.fully_immunized.to_string()), ("b", &t.fic_after.cohort.to_string())])
        ),
    });
    let d = &t.dropout.penta1_penta3;
    list.push(Card {
        title: w.dropout.into(),
        value: Value::One(pct(d.rate), d.rate.filter(|r| *r > 10.0).map(|_| RED)),
        sub: fill(w.dropout_sub, &[("a", &d.from.to_string()), ("b", &d.to.to_string())]),
    });
    list.push(Card {
        title: w.refusals.into(),
        value: Value::One(
            format!("{} / {}", t.refusals_persuaded, t.refusal_families.saturating_sub(t.refusals_migrated)),
            None,
        ),
        sub: fill(
            w.refusals_sub,
            &[
                ("p", &pct(t.persuaded_percent)),
                ("o", &t.refusals_open.to_string()),
                ("s", &t.refusals_still_refusing.to_string()),
            ],
        ),
    });
    let a = &t.aefi;
    list.push(Card {
        title: w.aefi.into(),
        value: Value::One((a.minor + a.severe + a.serious).to_string(), (a.serious > 0).then_some(RED)),
        sub: fill(
            w.aefi_sub,
            &[("a", &a.minor.to_string()), ("b", &a.severe.to_string()), ("c", &a.serious.to_string())],
        ),
    });
    list.push(Card {
        title: w.remaining.into(),
        value: Value::One((t.left_out + t.drop_out).to_string(), None),
        sub: fill(w.remaining_sub, &[("a", &t.left_out.to_string()), ("b", &t.drop_out.to_string())]),
    });
    let (count, people) = t.activities.iter().fold((0, 0), |(c, n), a| (c + a.count, n + a.attendance));
    list.push(Card {
        title: w.activities.into(),
        value: Value::One(count.to_string(), None),
        sub: fill(w.activities_sub, &[("n", &people.to_string())]),
    });
    if let Some(dev) = &t.devices {
        list.push(Card {
            title: w.devices.into(),
            value: Value::One(
                format!("{} / {}", dev.not_synced_24h, dev.enrolled),
                (dev.not_synced_24h > 0).then_some(AMBER),
            ),
            sub: fill(w.devices_sub, &[("n", &dev.clock_off.to_string())]),
        });
    }
    let (gap, h) = (8.0, 62.0);
    let cw = (W - 2.0 * M - 2.0 * gap) / 3.0;
    let mut bottom = top;
    for (i, c) in list.iter().enumerate() {
        let x = M + (i % 3) as f32 * (cw + gap);
        let y = top + (i / 3) as f32 * (h + gap);
        bottom = y + h;
        p.out.push_str(&format!(r#"<rect x="{x}" y="{y}" width="{cw}" height="{h}" rx="4" fill="{CARD}"/>"#));
        let room = cw - 16.0;
        p.text(x + 8.0, y + 15.0, 8.5, false, MUTED, Anchor::Start, &c.title, room);
        match &c.value {
            Value::One(v, colour) => {
                p.text(x + 8.0, y + 38.0, 19.0, true, colour.unwrap_or(INK), Anchor::Start, v, room)
            }
            Value::Arrow(before, after) => {
                let bw = width(before, 14.0, true);
                p.text(x + 8.0, y + 38.0, 14.0, true, MUTED, Anchor::Start, before, room);
                let ax = x + 8.0 + bw + 5.0;
                p.arrow(ax, y + 33.0, 14.0);
                p.text(ax + 19.0, y + 38.0, 19.0, true, INK, Anchor::Start, after, room - bw - 24.0);
            }
        }
        p.text(x + 8.0, y + 54.0, 8.0, false, MUTED, Anchor::Start, &c.sub, room);
    }
    bottom
}

struct Card {
    title: String,
    value: Value,
    sub: String,
}

enum Value {
    /// A figure, in a colour when it calls for action.
    One(String, Option<&'static str>),
    /// Before → after.
    Arrow(String, String),
}

/// Sessions held against planned: one stacked bar and its legend; returns the bottom.
fn sessions(p: &mut Page, t: &AreaFigures, lang: Lang, w: &Words, top: f32) -> f32 {
    p.text(M, top, 11.5, true, INK, Anchor::Start, w.sessions_title, 300.0);
    let planned = fill(
        w.sessions_planned,
        &[("n", &t.sessions_planned.to_string()), ("m", &t.sessions_planned_round.to_string())],
    );
    p.text(W - M, top, 8.5, false, MUTED, Anchor::End, &planned, W - 2.0 * M - 300.0);
    let held_records = t.sessions_reported.min(t.sessions_held);
    let held_without = t.sessions_held - held_records;
    let no_word = t.sessions_planned.saturating_sub(t.sessions_held + t.sessions_not_held);
    let parts = [
        (held_records, GREEN, w.held_records),
        (held_without, AMBER, w.held_no_records),
        (t.sessions_not_held, GREY, w.not_held),
        (no_word, RED, w.no_word),
    ];
    let (y, bh, full) = (top + 9.0, 16.0, W - 2.0 * M);
    p.rect(M, y, full, bh, TRACK);
    let mut x = M;
    for (n, colour, _) in parts {
        if t.sessions_planned == 0 || n == 0 {
            continue;
        }
        let seg = full * n as f32 / t.sessions_planned as f32;
        p.rect(x, y, seg, bh, colour);
        if width(&n.to_string(), 9.0, true) + 6.0 < seg {
            p.text(x + seg / 2.0, y + 11.5, 9.0, true, "white", Anchor::Middle, &n.to_string(), seg);
        }
        x += seg;
    }
    // The legend.
    let ly = y + bh + 14.0;
    let mut lx = M;
    for (n, colour, label) in parts {
        let s = format!("{label} {n}");
        p.rect(lx, ly - 7.5, 8.0, 8.0, colour);
        p.text(lx + 11.0, ly, 8.5, false, INK, Anchor::Start, &s, 200.0);
        lx += 11.0 + width(&s, 8.5, false) + 14.0;
    }
    let mut bottom = ly;
    if !t.not_held.is_empty() {
        let reasons: Vec<String> =
            t.not_held.iter().map(|r| format!("{} {}", words::not_held(lang, r.reason), r.count)).collect();
        bottom += 14.0;
        p.text(
            M,
            bottom,
            8.5,
            false,
            MUTED,
            Anchor::Start,
            &format!("{} {}", w.not_held_reasons, reasons.join(" · ")),
            full,
        );
    }
    bottom
}

/// The share of the due list covered per unit, an 80% line; returns the bottom.
fn bars(p: &mut Page, report: &Report, w: &Words, top: f32) -> f32 {
    let blocks = matches!(report.total.level, Some(AreaLevel::State | AreaLevel::District));
    p.text(M, top, 11.5, true, INK, Anchor::Start, if blocks { w.bars_blocks } else { w.bars_villages }, 330.0);
    // The legend: the colour of a bar below the line.
    p.rect(W - M - 70.0, top - 7.5, 8.0, 8.0, RED);
    p.text(W - M - 59.0, top, 8.5, false, INK, Anchor::Start, w.below_line, 60.0);

    let mut shown: Vec<&UnitBar> = report.units.iter().collect();
    let mut hidden = 0;
    if shown.len() > MAX_BARS {
        // The lowest first (what the task force acts on), then back in the report's order.
        shown.sort_by(|a, b| key(a).total_cmp(&key(b)).then(a.area.cmp(&b.area)));
        hidden = shown.len() - MAX_BARS;
        shown.truncate(MAX_BARS);
        shown.sort_by(|a, b| a.area.cmp(&b.area));
    }
    let room = 250.0;
    let row = if shown.is_empty() { 16.0 } else { (room / shown.len() as f32).clamp(11.0, 18.0) };
    let label_w = 120.0;
    let x0 = M + label_w + 6.0;
    let x1 = W - M - 92.0;
    let bw = x1 - x0;
    let y0 = top + 16.0;
    let size = (row * 0.62).clamp(7.0, 9.5);
    for (i, u) in shown.iter().enumerate() {
        let y = y0 + i as f32 * row;
        let bh = row * 0.68;
        p.text(x0 - 6.0, y + bh * 0.5 + size * 0.36, size, false, INK, Anchor::End, &u.name, label_w);
        p.rect(x0, y, bw, bh, TRACK);
        match u.percent {
            Some(pc) => {
                let colour = if pc < LOW_COVERAGE_PERCENT { RED } else { GREEN };
                p.rect(x0, y, bw * (pc.clamp(0.0, 100.0) as f32) / 100.0, bh, colour);
                let s = format!("{} ({}/{})", pct(Some(pc)), u.vaccinated, u.due);
                p.text(
                    x1 + 6.0,
                    y + bh * 0.5 + size * 0.36,
                    size,
                    pc < LOW_COVERAGE_PERCENT,
                    INK,
                    Anchor::Start,
                    &s,
                    86.0,
                );
            }
            None => {
                p.text(x0 + 4.0, y + bh * 0.5 + size * 0.36, size, false, MUTED, Anchor::Start, w.nobody_due, bw - 8.0)
            }
        }
    }
    let bottom = y0 + shown.len() as f32 * row - row * 0.32;
    // The 80% line, over the bars.
    let lx = x0 + bw * (LOW_COVERAGE_PERCENT as f32) / 100.0;
    p.out.push_str(&format!(
        r#"<line x1="{lx}" y1="{}" x2="{lx}" y2="{}" stroke="{INK}" stroke-width="1" stroke-dasharray="3 2"/>"#,
        y0 - 4.0,
        bottom + 3.0
    ));
    p.text(lx, y0 - 5.5, 7.5, true, INK, Anchor::Middle, "80%", 30.0);
    let mut bottom = bottom;
    if hidden > 0 {
        let floor = shown.iter().map(|u| key(u)).fold(f64::MIN, f64::max);
        bottom += 13.0;
        let s = fill(w.bars_more, &[("n", &hidden.to_string()), ("p", &pct(Some(floor)))]);
        p.text(x0, bottom, 8.0, false, MUTED, Anchor::Start, &s, bw + 90.0);
    }
    bottom
}

/// A bar's order when only the lowest are shown (nobody due: last).
fn key(u: &UnitBar) -> f64 {
    u.percent.unwrap_or(f64::MAX)
}

fn red_list(p: &mut Page, report: &Report, w: &Words, top: f32) {
    p.text(M, top, 11.5, true, RED, Anchor::Start, w.red_title, W - 2.0 * M);
    let line = 13.0;
    let first = top + 16.0;
    let last = H - 34.0;
    if report.red_list.is_empty() {
        p.text(M, first, 9.0, false, INK, Anchor::Start, w.red_none, W - 2.0 * M);
        return;
    }
    let room = (((last - first) / line).floor() as usize + 1).max(1);
    let n = report.red_list.len();
    let (shown, more) = if n <= room { (n, 0) } else { (room - 1, n - (room - 1)) };
    for (i, item) in report.red_list.iter().take(shown).enumerate() {
        let y = first + i as f32 * line;
        let colour = match item {
            RedItem::LowCoverage { .. } | RedItem::SeriousAefi { .. } => RED,
            RedItem::NotReported { .. } | RedItem::OldCase { .. } => AMBER,
        };
        p.rect(M, y - 7.0, 7.0, 7.0, colour);
        p.text(M + 12.0, y, 9.0, false, INK, Anchor::Start, &red_line(w, item), W - 2.0 * M - 12.0);
    }
    if more > 0 {
        let y = first + shown as f32 * line;
        p.text(M + 12.0, y, 9.0, true, INK, Anchor::Start, &fill(w.red_more, &[("n", &more.to_string())]), W - 2.0 * M);
    }
}

fn red_line(w: &Words, item: &RedItem) -> String {
    match item {
        RedItem::LowCoverage { name, due, vaccinated, percent, .. } => fill(
            w.red_low,
            &[("name", name), ("p", &pct(Some(*percent))), ("a", &vaccinated.to_string()), ("b", &due.to_string())],
        ),
        RedItem::NotReported { site_id, site_name, area, day } => {
            let site = if site_name.is_empty() { site_id.clone() } else { format!("{site_name} · {site_id}") };
            fill(w.red_not_reported, &[("site", &site), ("name", last(area)), ("date", &date(*day))])
        }
        RedItem::OldCase { household_id, area, opened_on, days_open, status } => fill(
            words::old_case(w, *status),
            &[("hh", household_id), ("name", last(area)), ("d", &days_open.to_string()), ("date", &date(*opened_on))],
        ),
        RedItem::SeriousAefi { register_id, area, date: d } => {
            fill(w.red_serious, &[("id", register_id), ("name", last(area)), ("date", &date(*d))])
        }
    }
}

/// The last name of an area's path (its village).
fn last(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A percent with one decimal, Western digits; a dash when there is none.
fn pct(p: Option<f64>) -> String {
    match p {
        Some(p) => format!("{p:.1}%"),
        None => "–".to_string(),
    }
}

/// The colour of a share below the red-list line.
fn below(p: Option<f64>) -> Option<&'static str> {
    p.filter(|p| *p < LOW_COVERAGE_PERCENT).map(|_| RED)
}

/// `dd-mm-yyyy`, as dates are written on Indian forms.
fn date(d: Date) -> String {
    format!("{:02}-{:02}-{}", d.day(), d.month(), d.year())
}

#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

struct Page {
    out: String,
}

impl Page {
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: &str) {
        let _ = write!(self.out, r#"<rect x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="{fill}"/>"#);
    }

    /// A right-pointing arrow `len` long, its shaft at `y`.
    fn arrow(&mut self, x: f32, y: f32, len: f32) {
        let _ = write!(
            self.out,
            r#"<path d="M{x:.2} {y:.2} H{:.2}" stroke="{MUTED}" stroke-width="1.6"/><path d="M{:.2} {:.2} L{:.2} {y:.2} L{:.2} {:.2} Z" fill="{MUTED}"/>"#,
            x + len - 4.0,
            x + len - 5.0,
            y - 3.5,
            x + len,
            x + len - 5.0,
            y + 3.5
        );
    }

    /// One line of text at most `room` wide (cut with "…" when longer).
    ///
    /// The text is shaped here, and every cluster of more than one glyph (a Devanagari vowel
    /// sign before its letter, a half form and its conjunct) ends a `<tspan>` whose successor
    /// is placed at the shaped advance: usvg 0.47 advances such a cluster by its widest glyph
    /// only (fixed in 0.48, which krilla-svg does not use yet), which would overlap the letters
    /// after it. usvg shapes each piece with the same shaper, font and script.
    #[allow(clippy::too_many_arguments)]
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, fill: &str, anchor: Anchor, s: &str, room: f32) {
        let s = fit(s, size, bold, room);
        let pieces = shape(&s, size, bold);
        let total: f32 = pieces.iter().map(|p| p.advance).sum();
        let mut at = match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - total / 2.0,
            Anchor::End => x - total,
        };
        let weight = if bold { "700" } else { "400" };
        let _ = write!(
            self.out,
            r#"<text y="{y:.2}" font-size="{size}" font-weight="{weight}" fill="{fill}" xml:space="preserve">"#
        );
        let mut run = String::new();
        let mut run_x = at;
        for p in &pieces {
            if p.starts_run && !run.is_empty() {
                let _ = write!(self.out, r#"<tspan x="{run_x:.2}">{}</tspan>"#, escape(&run));
                run.clear();
                run_x = at;
            }
            run.push_str(&p.text);
            at += p.advance;
            if p.glyphs > 1 {
                let _ = write!(self.out, r#"<tspan x="{run_x:.2}">{}</tspan>"#, escape(&run));
                run.clear();
                run_x = at;
            }
        }
        if !run.is_empty() {
            let _ = write!(self.out, r#"<tspan x="{run_x:.2}">{}</tspan>"#, escape(&run));
        }
        self.out.push_str("</text>");
    }
}

/// A cluster of shaped text: its characters, how far it advances, how many glyphs it has,
/// and whether it begins a run of another script.
struct Piece {
    text: String,
    advance: f32,
    glyphs: usize,
    starts_run: bool,
}

fn devanagari(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{097F}' | '\u{A8E0}'..='\u{A8FF}' | '\u{1CD0}'..='\u{1CFF}')
}

/// `s` cut into runs of one script (Devanagari or not; spaces, digits and signs go with the run
/// they are in), each shaped with the page's font, cluster by cluster.
fn shape(s: &str, size: f32, bold: bool) -> Vec<Piece> {
    let Some(face) = rustybuzz::Face::from_slice(if bold { FONT_BOLD } else { FONT_REGULAR }, 0) else {
        let advance = s.chars().count() as f32 * size * 0.6;
        return vec![Piece { text: s.to_string(), advance, glyphs: 1, starts_run: true }];
    };
    let scale = size / f32::from(face.units_per_em() as u16);
    let mut runs: Vec<(bool, String)> = Vec::new();
    for c in s.chars() {
        let strong = if devanagari(c) {
            Some(true)
        } else if c.is_alphabetic() {
            Some(false)
        } else {
            None
        };
        match (runs.last_mut(), strong) {
            (Some((_, run)), None) => run.push(c),
            (Some((script, run)), Some(d)) if *script == d => run.push(c),
            (_, d) => runs.push((d.unwrap_or(false), c.to_string())),
        }
    }
    let mut out = Vec::new();
    for (_, run) in runs {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&run);
        let shaped = rustybuzz::shape(&face, &[], buffer);
        let (infos, positions) = (shaped.glyph_infos(), shaped.glyph_positions());
        let mut i = 0;
        while i < infos.len() {
            let cluster = infos[i].cluster as usize;
            let mut j = i;
            let mut advance = 0;
            while j < infos.len() && infos[j].cluster as usize == cluster {
                advance += positions[j].x_advance;
                j += 1;
            }
            let end = infos.get(j).map_or(run.len(), |g| g.cluster as usize);
            let text = run.get(cluster..end.max(cluster)).unwrap_or("").to_string();
            out.push(Piece { text, advance: advance as f32 * scale, glyphs: j - i, starts_run: i == 0 });
            i = j;
        }
    }
    out
}

/// The shaped width of `s` in the page's font.
pub(crate) fn width(s: &str, size: f32, bold: bool) -> f32 {
    shape(s, size, bold).iter().map(|p| p.advance).sum()
}

/// `s`, cut at a letter's boundary (never inside a Devanagari cluster) and ended with "…" when
/// it is wider than `room`.
fn fit(s: &str, size: f32, bold: bool, room: f32) -> String {
    if width(s, size, bold) <= room {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut n = chars.len();
    while n > 0 {
        n -= 1;
        // Not before a vowel sign or a virama, and not right after a virama (a half form).
        if chars.get(n).is_some_and(|c| joins_previous(*c)) || (n > 0 && chars[n - 1] == '\u{094D}') {
            continue;
        }
        let cut: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if width(&cut, size, bold) <= room {
            return cut;
        }
    }
    "…".to_string()
}

/// A Devanagari sign that belongs to the letter before it.
fn joins_previous(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' | '\u{0951}'..='\u{0957}' | '\u{0962}'..='\u{0963}' | '\u{200C}' | '\u{200D}')
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_label_is_cut_between_letters() {
        let s = "मना करने वाले घर जो मान गए और भी बहुत कुछ लिखा है";
        let cut = fit(s, 9.0, false, 60.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(width(&cut, 9.0, false) <= 60.0);
        let body: Vec<char> = cut.trim_end_matches('…').chars().collect();
        assert!(!body.last().is_some_and(|c| *c == '\u{094D}'), "{cut}");
        assert_eq!(fit("Rampur", 9.0, false, 100.0), "Rampur");
    }

    #[test]
    fn the_font_measures_latin_and_devanagari() {
        assert!(width("Rampur", 10.0, false) > 20.0);
        assert!(width("रामपुर", 10.0, false) > 15.0);
        assert!(width("Rampur", 10.0, true) >= width("Rampur", 10.0, false));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("A & B <c>"), "A &amp; B &lt;c&gt;");
    }
}
