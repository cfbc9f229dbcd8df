//! Every main screen, in English and in Hindi, on the demo register (two villages, 14 people):
//! each is opened in the real app and its screenshot refreshed in docs/screenshots/
//! (`<screen>-en.png`, `<screen>-hi.png`). Each screen is also checked to be in the language
//! chosen, so a missing translation or a screen that fails to load fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{NaiveDate, Utc};
use common::{skip, Session, TODAY};

/// The demo register imported into a fresh store, with one ANM (PIN 2468) and a language.
fn demo_store(dir: &std::path::Path, language: &str) -> std::path::PathBuf {
    let path = dir.join("teeka.db");
    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let csv = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../demo/register.csv")).unwrap();
    let rows = teeka_domain::register::parse_register(&csv, today).unwrap();
    let mut store = teeka_store::Store::open(&path).unwrap();
    let ctx = teeka_store::Ctx { now: Utc::now(), today, author: "demo".into(), worker: None };
    store.import_register(&rows, &ctx).unwrap();
    drop(store);
    let clock = teeka_app::Clock { now: Utc::now(), today };
    let mut app = teeka_app::App::open(&path).unwrap();
    app.set_language(teeka_app::SetLanguageReq { language: Some(language.into()) }, clock).unwrap();
    let worker = teeka_app::AddWorkerReq {
        name: "Sunita Devi".into(),
        role: "anm".into(),
        pin: "2468".into(),
        signed_in_pin: None,
    };
    app.add_worker(worker, clock).unwrap();
    path
}

/// The demo register with a campaign: Rampur's session site S-01 and IMI-like round 1 from
/// Monday 2026-11-09 (RI days Wednesday and Saturday, a holiday on 2026-11-17), all before
/// the tests' today.
fn campaign_store(dir: &std::path::Path, language: &str) -> std::path::PathBuf {
    let path = demo_store(dir, language);
    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let clock = teeka_app::Clock { now: Utc::now(), today };
    let mut app = teeka_app::App::open(&path).unwrap();
    let workers = app.call("app_state", serde_json::json!({}), clock).unwrap();
    let id = workers["workers"][0]["id"].clone();
    app.call("sign_in", serde_json::json!({"worker_id": id, "pin": "2468"}), clock).unwrap();
    let villages = app.call("villages", serde_json::json!({}), clock).unwrap();
    let rampur = villages.as_array().unwrap().iter().find(|v| v["name"] == "Rampur").unwrap()["id"].clone();
    app.call(
        "save_site",
        serde_json::json!({"site_id": "S-01", "new": true, "name": "Rampur AWC", "villages": [rampur], "type": "outreach",
            "hra": "brick_kiln", "anm": {"name": "Sunita Devi", "phone": "9876543210"}, "mobilizers": [{"name": "Geeta", "phone": null}],
            "distance_tenths_km": 35, "travel_minutes": 25, "ri_day": "wed"}),
        clock,
    )
    .unwrap();
    app.call("add_round", serde_json::json!({"number": 1, "start": "2026-11-09", "ri_days": ["wed", "sat"]}), clock)
        .unwrap();
    app.call("set_round_holiday", serde_json::json!({"number": 1, "date": "2026-11-17", "holiday": true}), clock)
        .unwrap();
    // A resistant family in Salempur: Sonu's MR1 refused on 2026-11-18, a visit that did not
    // persuade them yet; and a mothers' meeting.
    let ctx = teeka_store::Ctx { now: Utc::now(), today, author: "demo".into(), worker: None };
    let refused = NaiveDate::parse_from_str("2026-11-18", "%Y-%m-%d").unwrap();
    app.store_mut()
        .unwrap()
        .record_not_given(
            "SLP-002",
            teeka_domain::DoseCode::Mr1,
            refused,
            teeka_domain::ReasonCode::RefusedReligious,
            &ctx,
        )
        .unwrap();
    let (household, _) = app.store().unwrap().case_household("SLP-H02").unwrap();
    app.call(
        "record_case_visit",
        serde_json::json!({"household": household, "date": "2026-11-19", "by": "asha", "by_name": "Geeta",
            "action": "home_visit", "outcome": "still_refusing", "note": "the father wants to ask the imam"}),
        clock,
    )
    .unwrap();
    let salempur = villages.as_array().unwrap().iter().find(|v| v["name"] == "Salempur").unwrap()["id"].clone();
    app.call(
        "record_activity",
        serde_json::json!({"village_id": salempur, "date": "2026-11-20", "kind": "mothers_meeting", "led_by": "Geeta",
            "leader": "asha", "attendance": 14}),
        clock,
    )
    .unwrap();
    // The block supervisor, added by the ANM signed in.
    let supervisor = teeka_app::AddWorkerReq {
        name: "Meera Joshi".into(),
        role: "supervisor".into(),
        pin: "1357".into(),
        signed_in_pin: Some("2468".into()),
    };
    app.add_worker(supervisor, clock).unwrap();
    app.call("lock", serde_json::json!({}), clock).unwrap();
    path
}

fn is_hindi(text: &str) -> bool {
    text.chars().filter(|c| ('\u{0900}'..='\u{097F}').contains(c)).count() > 10
}

/// Saves the screen as `<name>-<lang>` after checking it is in that language.
async fn shot(s: &Session, name: &str, lang: &str) {
    let text = s.page_text().await;
    // The demo register holds Hindi names, so English screens are told by their English words.
    match lang {
        "hi" => assert!(is_hindi(&text), "{name} is not in Hindi:\n{text}"),
        _ => assert!(text.contains(" to send"), "{name} is not in English:\n{text}"),
    }
    s.screenshot(&format!("{name}-{lang}")).await;
}

async fn tour(lang: &str) {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path(), lang);
    let s = Session::start_in(&store, &[]).await;
    s.el("pin-input").await;
    shot(&s, "lock", lang).await;
    s.type_in("pin-input", "2468").await;
    s.click("pin-submit").await;

    s.click("tab-survey").await;
    s.wait_count("village", 2).await;
    shot(&s, "survey-villages", lang).await;
    s.click_sel("[data-testid=\"village\"][data-name=\"Rampur\"]").await;
    s.el("household").await;
    shot(&s, "survey-households", lang).await;
    s.click_sel("[data-testid=\"household\"][data-house-no=\"12\"]").await;
    s.el("member").await;
    shot(&s, "survey-household", lang).await;
    s.click_sel("[data-testid=\"member\"] [data-testid=\"member-open\"]").await;
    s.el("member-detail").await;
    shot(&s, "survey-member", lang).await;

    s.click("tab-session").await;
    s.choose("session-site", "Rampur").await;
    s.click("session-open").await;
    s.el("session-item").await;
    shot(&s, "session-due-list", lang).await;
    s.click_sel("[data-testid=\"session-item\"] [data-testid=\"aefi\"]").await;
    s.el("aefi-save").await;
    shot(&s, "session-aefi", lang).await;
    s.click("sheet-close").await;
    s.click("tally-open").await;
    s.el("tally-detail").await;
    shot(&s, "session-tally", lang).await;
    s.click("sheet-close").await;
    s.click("close-session").await;
    s.el("close-confirm").await;
    shot(&s, "session-close", lang).await;
    s.click("sheet-close").await;

    s.click("tab-supervisor").await;
    s.click("sup-coverage").await;
    s.wait_count("coverage-village", 2).await;
    shot(&s, "supervisor-coverage", lang).await;
    s.click("sup-follow_up").await;
    s.el("follow-up-item").await;
    shot(&s, "supervisor-follow-up", lang).await;
    s.click("sup-refusals").await;
    shot(&s, "supervisor-refusals", lang).await;
    s.click("sup-devices").await;
    // Not enrolled: the screen says to connect first.
    s.sel("[data-testid=\"error\"][data-code=\"NOT_ENROLLED\"]").await;
    shot(&s, "supervisor-devices", lang).await;

    s.click("tab-sync").await;
    s.el("enroll-server").await;
    shot(&s, "sync", lang).await;
    s.click("menu").await;
    s.el("menu-sheet").await;
    shot(&s, "menu", lang).await;
    s.end().await;
}

/// The campaign's screens: the round's plan with its calendar, a site's carry kit, the mop-up
/// list of the last day, the rounds, the sites and a site's form, then the first day's session
/// at the site with two vials open (their timers) and its closing, and the supervisor's round
/// dashboard after it with its evening pack made; the case files of the resistant families (a
/// case with its visits) and the communication activities; then the block supervisor, signed in
/// on the same phone, reads the history of the refused child's record.
async fn round_tour(lang: &str) {
    let dir = tempfile::tempdir().unwrap();
    let store = campaign_store(dir.path(), lang);
    let s = Session::start_in(&store, &[]).await;
    s.click_sel("[data-testid=\"lock-worker\"][data-name=\"Sunita Devi\"]").await;
    s.type_in("pin-input", "2468").await;
    s.click("pin-submit").await;

    s.click("tab-round").await;
    // The round's first day (today is after the round): the site's session.
    s.sel("[data-testid=\"plan-day\"][data-date=\"2026-11-09\"]").await;
    s.el("plan-session").await;
    shot(&s, "round-plan", lang).await;
    s.click("plan-kit").await;
    s.el("kit-item").await;
    let mut antigens = Vec::new();
    for el in s.all("kit-item").await {
        antigens.push(el.attr("data-antigen").await.unwrap().unwrap());
    }
    shot(&s, "round-kit", lang).await;
    s.click("sheet-close").await;

    // The last working day, 2026-11-20 (the 17th a holiday): the mop-up list.
    s.click_sel("[data-testid=\"plan-calendar\"] [data-date=\"2026-11-20\"]").await;
    s.click("plan-mop-up").await;
    s.el("mop-up-count").await;
    shot(&s, "round-mop-up", lang).await;
    s.click("sheet-close").await;

    s.click("round-rounds").await;
    s.sel("[data-testid=\"cal-day\"][data-kind=\"holiday\"]").await;
    shot(&s, "round-calendar", lang).await;
    s.click("round-sites").await;
    s.el("site").await;
    shot(&s, "round-sites", lang).await;
    s.click("site-edit").await;
    s.el("site-save").await;
    shot(&s, "round-site-form", lang).await;
    s.click("sheet-close").await;

    s.click("round-plan").await;
    s.sel("[data-testid=\"plan-day\"][data-date=\"2026-11-09\"]").await;
    s.click_sel("[data-testid=\"plan-session\"] [data-testid=\"plan-start\"]").await;
    s.el("vial-ledger").await;
    for a in antigens.iter().take(2) {
        s.click("vial-open").await;
        s.click(&format!("vial-antigen-{a}")).await;
        s.click("vial-vvm-1").await;
        s.click("vial-open-save").await;
    }
    s.wait_count("vial-timer", antigens.len().min(2)).await;
    shot(&s, "round-vials", lang).await;
    s.click("close-session").await;
    s.el("ledger-close-confirm").await;
    shot(&s, "round-close", lang).await;
    s.click("ledger-close-confirm").await;
    s.el("session-closed").await;

    // The supervisor's round dashboard: round 1 with the session just held, its charts and red
    // list; a tap on Rampur shows its households.
    s.click("tab-supervisor").await;
    s.el("dash-headline").await;
    s.el("dash-red-list").await;
    s.sel("[data-testid=\"dash-area\"][data-area=\"Rampur\"]").await;
    shot(&s, "dashboard", lang).await;
    // The evening pack of the device's area (every area it holds: it is not enrolled), in the
    // app's language: made by the core, its picture shown, its two files where the screen says.
    s.click("pack-make").await;
    s.sel_for("[data-testid=\"pack-done\"]", 120).await;
    assert_eq!(s.el("pack-done").await.attr("data-lang").await.unwrap().as_deref(), Some(lang));
    let shown = s
        .client
        .execute(
            "const img = document.querySelector('[data-testid=\"pack-preview\"]'); \
             return img.complete ? img.naturalWidth : -1",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown.as_i64(), Some(1240), "the preview shows the 1240-pixel PNG");
    let dir = std::path::PathBuf::from(s.text("pack-dir").await.trim());
    let stem = format!("evening-pack-all-areas-round1-{}-{lang}", common::TODAY);
    assert!(s.text("pack-files").await.contains(&format!("{stem}.pdf")));
    let pdf = std::fs::read(dir.join(format!("{stem}.pdf"))).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let png = std::fs::read(dir.join(format!("{stem}.png"))).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    // Open and Show in its folder are offered (not tapped here: they start the desktop's own
    // programs); no share sheet in WebKitGTK, so the screen says how to send it.
    s.el("pack-open").await;
    s.el("pack-reveal").await;
    s.el("pack-share-none").await;
    let _ = s
        .client
        .execute(
            "document.querySelector('[data-testid=\"dash-pack\"]').scrollIntoView({block: 'start'}); \
             window.scrollBy(0, -70)",
            vec![],
        )
        .await;
    shot(&s, "dashboard-pack", lang).await;
    let _ = s
        .client
        .execute("document.querySelector('[data-testid=\"pack-dir\"]').scrollIntoView({block: 'center'})", vec![])
        .await;
    shot(&s, "dashboard-pack-saved", lang).await;
    // Larger, to read it on the phone.
    s.click("pack-zoom").await;
    s.sel("[data-testid=\"pack-zoom\"][aria-pressed=\"true\"]").await;
    let _ = s.client.execute("document.querySelector('.pack-frame').scrollIntoView({block: 'center'})", vec![]).await;
    shot(&s, "dashboard-pack-larger", lang).await;
    s.click_sel("[data-testid=\"dash-area\"][data-area=\"Rampur\"]").await;
    s.el("dash-household").await;
    // The case files: the open cases (the ANM's), then one case with its visits and forms.
    s.click("tab-cases").await;
    s.sel("[data-testid=\"case-item\"][data-household-id=\"SLP-H02\"]").await;
    shot(&s, "case-files", lang).await;
    s.click_sel("[data-testid=\"case-item\"][data-household-id=\"SLP-H02\"]").await;
    s.el("case-visit").await;
    shot(&s, "case-file", lang).await;
    s.click("sheet-close").await;
    s.click("cases-activities").await;
    s.el("activity-item").await;
    shot(&s, "case-activities", lang).await;

    // The supervisor signs in and opens the history of Sonu's record (SLP-002): registered
    // from the register, then the MR1 refused; who did each, from which phone, not yet sent.
    s.click("menu").await;
    s.click("menu-lock").await;
    s.click_sel("[data-testid=\"lock-worker\"][data-name=\"Meera Joshi\"]").await;
    s.type_in("pin-input", "1357").await;
    s.click("pin-submit").await;
    s.click("tab-survey").await;
    s.click_sel("[data-testid=\"village\"][data-name=\"Salempur\"]").await;
    s.click_sel("[data-testid=\"household\"][data-house-no=\"5\"]").await;
    s.click_sel("[data-testid=\"member\"][data-register-id=\"SLP-002\"] [data-testid=\"member-open\"]").await;
    s.click("member-history").await;
    s.el("record-history").await;
    // The history's entries come with its read, after the sheet itself.
    s.el("history-entry").await;
    let kinds: Vec<String> = {
        let mut v = Vec::new();
        for el in s.all("history-entry").await {
            v.push(el.attr("data-type").await.unwrap().unwrap());
        }
        v
    };
    assert_eq!(kinds.first().map(String::as_str), Some("dose_not_given"), "newest first: {kinds:?}");
    assert_eq!(kinds.last().map(String::as_str), Some("registered"), "{kinds:?}");
    s.el("history-pending").await;
    shot(&s, "record-history", lang).await;
    s.end().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_screens_in_english() {
    if skip() {
        return;
    }
    round_tour("en").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_screens_in_hindi() {
    if skip() {
        return;
    }
    round_tour("hi").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_screen_in_english() {
    if skip() {
        return;
    }
    tour("en").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_screen_in_hindi() {
    if skip() {
        return;
    }
    tour("hi").await;
}
