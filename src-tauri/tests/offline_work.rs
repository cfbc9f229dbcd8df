//! WebDriver tests of the real app binary in the real webview (WebKitGTK) under Xvfb, offline: an
//! ASHA's survey and an ANM's session in English and Hindi, a whole Hindi session surviving a
//! restart, and malformed requests across the IPC boundary. They also refresh the screenshots in
//! docs/screenshots/.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{dmy, skip, Session, TODAY};

/// Signs up the first worker on a fresh install: language, offline start, name, role, PIN.
async fn first_run(s: &Session, lang: &str, shots: bool) {
    s.el("lang-en").await;
    if shots {
        s.screenshot("first-run-language").await;
    }
    s.click(&format!("lang-{lang}")).await;
    if shots {
        s.screenshot(&format!("first-run-connect-{lang}")).await;
    }
    s.click("start-offline").await;
    s.type_in("worker-name", "Sunita Devi").await;
    s.click("worker-role-anm").await;
    s.type_in("worker-pin", "2468").await;
    s.type_in("worker-pin2", "2468").await;
    if shots {
        s.screenshot(&format!("first-run-worker-{lang}")).await;
    }
    s.click("worker-save").await;
    s.el("sync-bar").await;
}

/// The survey: a village, a household, a child born three months ago with BCG on the card.
async fn survey(s: &Session, shots: bool, lang: &str) {
    s.click("tab-survey").await;
    s.click("add-village").await;
    s.type_in("village-name", "Rampur").await;
    s.click("village-save").await;
    // A new village opens at once, ready for its first household.
    s.click("add-household").await;
    s.type_in("hh-house-no", "12").await;
    s.type_in("hh-head", "Ramesh Kumar").await;
    s.type_in("hh-phone", "9876543210").await;
    s.choose("hh-risk", "brick_kiln").await;
    if shots {
        s.screenshot(&format!("survey-household-form-{lang}")).await;
    }
    s.click("hh-save").await;
    // The new household opens at once.
    s.wait_text("sync-pending", "the village and the household pending", |t| t.trim() == "2").await;
    s.click("add-child").await;
    s.type_in("child-name", "Golu").await;
    s.click("child-sex-M").await;
    s.type_in("child-dob", &dmy("2026-08-20")).await;
    s.type_in("child-mother", "Geeta").await;
    s.click("card-dose-BCG").await;
    s.type_in("card-date-BCG", &dmy("2026-08-21")).await;
    if shots {
        s.screenshot(&format!("survey-add-child-{lang}")).await;
    }
    s.click("child-save").await;
    // The child is on the household's list with the doses now due and a badge at once.
    let member = s.el("member").await;
    let badge = s.el("badge").await;
    assert_eq!(badge.attr("data-classification").await.unwrap().as_deref(), Some("drop_out"));
    let due: Vec<String> = {
        let mut codes = Vec::new();
        for el in s.all("due-dose").await {
            codes.push(el.attr("data-code").await.unwrap().unwrap_or_default());
        }
        codes
    };
    assert!(due.contains(&"PENTA1".to_string()) && due.contains(&"OPV1".to_string()), "due: {due:?}");
    assert!(!due.contains(&"BCG".to_string()), "BCG is on the card, yet due: {due:?}");
    assert!(member.attr("data-register-id").await.unwrap().is_some());
    // The child's registration and the card's dose wait to be synced too.
    s.wait_text("sync-pending", "4 pending records", |t| t.trim() == "4").await;

    // The same child again, spelt another way and a few days apart: the app warns before saving.
    s.click("add-child").await;
    s.type_in("child-name", "Gollu").await;
    s.click("child-sex-M").await;
    s.type_in("child-dob", &dmy("2026-08-24")).await;
    s.click("child-save").await;
    let warning = s.el("similar-warning").await;
    assert!(warning.text().await.unwrap().contains("Golu"), "the warning names the child already registered");
    if shots {
        s.screenshot(&format!("survey-similar-child-{lang}")).await;
    }
    s.click("similar-cancel").await;
    // Going back from the half-filled form asks before throwing it away.
    s.click("sheet-close").await;
    s.click("discard-yes").await;
    s.wait_count("member", 1).await;
    s.wait_text("sync-pending", "nothing more stored", |t| t.trim() == "4").await;
}

/// The session at Rampur today: Golu gets Penta 1 and OPV 1; the tally and the pending count move.
async fn session(s: &Session) {
    s.click("tab-session").await;
    s.choose("session-site", "Rampur").await;
    s.click("session-open").await;
    let item = s.el("session-item").await;
    assert!(item.text().await.unwrap().contains("Golu"));
    // Pending: the village, the household, the child, the card's BCG and the session's opening.
    s.wait_text("sync-pending", "5 pending records", |t| t.trim() == "5").await;
    assert_eq!(s.text("tally-PENTA").await.trim(), "0");
    s.click("chip-PENTA1").await;
    s.click("chip-OPV1").await;
    s.click("give").await;
    s.wait_text("tally-PENTA", "one Penta dose", |t| t.trim() == "1").await;
    s.wait_text("tally-OPV", "one OPV dose", |t| t.trim() == "1").await;
    s.wait_text("sync-pending", "two more pending", |t| t.trim() == "7").await;

    // Locked (from the menu, as after inactivity): the PIN brings the worker back to her place.
    s.click("menu").await;
    s.click("menu-lock").await;
    s.type_in("pin-input", "2468").await;
    s.click("pin-submit").await;
    s.wait_text("tally-PENTA", "the session as it was", |t| t.trim() == "1").await;

    // Opening Rampur today again resumes the open session, with its tally (nothing stored).
    s.click("session-change").await;
    s.choose("session-site", "Rampur").await;
    s.click("session-open").await;
    s.el("session-resumed").await;
    s.wait_text("tally-PENTA", "the resumed session's tally", |t| t.trim() == "1").await;
    assert_eq!(s.text("sync-pending").await.trim(), "7");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_survey_and_session_then_hindi() {
    if skip() {
        return;
    }
    let s = Session::start(&[]).await;
    first_run(&s, "en", true).await;
    survey(&s, true, "en").await;
    session(&s).await;

    // Switch to Hindi: the same screens in Devanagari.
    s.click("menu").await;
    s.click("menu-lang-hi").await;
    s.click("tab-session").await;
    let text = s.page_text().await;
    assert!(text.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)), "no Hindi on the screen: {text}");
    s.click("tab-survey").await;
    s.click("tab-supervisor").await;
    s.click("sup-coverage").await;
    s.el("coverage-village").await;
    s.click("tab-sync").await;
    s.click("menu").await;
    s.click("menu-lang-en").await;
    s.click("tab-supervisor").await;
    s.click("sup-coverage").await;
    s.el("coverage-village").await;
    s.click("tab-sync").await;
    s.click("tab-survey").await;
    s.end().await;
    let _ = TODAY;
}

/// The CSS selector of `testid` inside the session row of the person named `name`.
async fn in_row(s: &Session, name: &str, testid: &str) -> String {
    for row in s.all("session-item").await {
        if row.text().await.unwrap().contains(name) {
            let rid = row.attr("data-register-id").await.unwrap().expect("a register id");
            return format!("[data-testid=\"session-item\"][data-register-id=\"{rid}\"] [data-testid=\"{testid}\"]");
        }
    }
    panic!("no one named {name} on the due list");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_in_hindi_offline_survives_a_restart() {
    if skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("teeka.db");
    let s = Session::start_in(&store, &[]).await;
    s.click("lang-hi").await;
    s.screenshot("first-run-connect-hi").await;
    s.click("start-offline").await;
    s.type_in("worker-name", "सुनीता").await;
    s.click("worker-role-anm").await;
    s.type_in("worker-pin", "1357").await;
    s.type_in("worker-pin2", "1357").await;
    s.screenshot("first-run-worker-hi").await;
    s.click("worker-save").await;

    // The survey: a child known only by age (no card: left out) and a pregnant woman.
    s.click("tab-survey").await;
    s.click("add-village").await;
    s.type_in("village-name", "Sitapur").await;
    s.click("village-save").await;
    s.click("add-household").await;
    s.type_in("hh-house-no", "3").await;
    s.type_in("hh-head", "रामदीन").await;
    s.screenshot("survey-household-form-hi").await;
    s.click("hh-save").await;
    s.click("add-child").await;
    s.type_in("child-name", "मोनू").await;
    s.click("child-sex-M").await;
    s.type_in("child-age-months", "10").await;
    s.screenshot("survey-add-child-hi").await;
    s.click("child-save").await;
    s.sel("[data-testid=\"badge\"][data-classification=\"left_out\"]").await;
    s.click("add-woman").await;
    s.type_in("woman-name", "रीना").await;
    s.type_in("woman-lmp", &dmy("2026-08-01")).await;
    s.click("woman-save").await;
    s.wait_text("sync-pending", "village, household, two people", |t| t.trim() == "4").await;
    s.wait_count("member", 2).await;

    // The session: doses given to both, one not given with its reason, an AEFI, the tally, closing.
    s.click("tab-session").await;
    s.choose("session-site", "Sitapur").await;
    s.click("session-open").await;
    s.wait_count("session-item", 2).await;
    s.click_sel(&in_row(&s, "रीना", "chip-TD1").await).await;
    s.click_sel(&in_row(&s, "रीना", "give").await).await;
    s.wait_text("tally-TD", "one TD dose", |t| t.trim() == "1").await;
    s.click_sel(&in_row(&s, "मोनू", "chip-MR1").await).await;
    s.click_sel(&in_row(&s, "मोनू", "chip-PENTA1").await).await;
    s.click_sel(&in_row(&s, "मोनू", "give").await).await;
    s.wait_text("tally-MR", "one MR dose", |t| t.trim() == "1").await;
    s.wait_text("tally-PENTA", "one Penta dose", |t| t.trim() == "1").await;
    s.click_sel(&in_row(&s, "मोनू", "chip-OPV1").await).await;
    s.click_sel(&in_row(&s, "मोनू", "not-given").await).await;
    s.screenshot("session-not-given-hi").await;
    s.click("reason-CHILD_SICK").await;
    // What was not given can be undone while the session is open.
    s.sel(&in_row(&s, "मोनू", "undo-not-given").await).await;
    s.click_sel(&in_row(&s, "मोनू", "aefi").await).await;
    s.click("aefi-severity-minor").await;
    s.click("aefi-sign-fever").await;
    // The doses given today are chosen already.
    let chosen = s.el("aefi-dose-PENTA1").await.attr("aria-pressed").await.unwrap();
    assert_eq!(chosen.as_deref(), Some("true"));
    s.click("aefi-save").await;
    // Pending: 4 from the survey, the session, 3 doses, the not-given, the AEFI.
    s.wait_text("sync-pending", "10 pending records", |t| t.trim() == "10").await;
    s.click("tally-open").await;
    s.el("tally-detail").await;
    s.click("sheet-close").await;
    s.click("close-session").await;
    s.click("vials-MR-plus").await;
    s.click("vials-PENTA-plus").await;
    s.click("vials-TD-plus").await;
    s.click("close-confirm").await;
    s.el("session-closed").await;
    s.wait_text("sync-pending", "the closing too", |t| t.trim() == "11").await;

    // Back in the survey: Reena's family refuses her next dose (fear of side effects); Monu has
    // migrated. The supervisor's lists show both.
    s.click("tab-survey").await;
    s.click_sel("[data-testid=\"member\"][data-name=\"रीना\"] [data-testid=\"member-open\"]").await;
    s.el("member-detail").await;
    s.click("member-refusal").await;
    s.screenshot("survey-refusal-hi").await;
    s.click("reason-REFUSED_FEAR_AEFI").await;
    s.el("not-given-record").await;
    s.click("back").await;
    s.click_sel("[data-testid=\"member\"][data-name=\"मोनू\"] [data-testid=\"member-open\"]").await;
    s.click("member-migrated").await;
    s.click("status-confirm-yes").await;
    s.sel("[data-testid=\"member-status\"][data-status=\"migrated\"]").await;
    s.click("tab-supervisor").await;
    s.click("sup-refusals").await;
    s.wait_count("refusal-item", 1).await;
    assert!(s.text("refusal-item").await.contains("रीना"));
    s.click("sup-follow_up").await;
    let pending_now: u64 = s.text("sync-pending").await.trim().parse().unwrap();
    assert!(pending_now >= 13, "the refusal and the status change are pending too: {pending_now}");
    s.end().await;

    // Started again, the app asks for the worker's PIN, in Hindi, and everything is there.
    let s = Session::start_in(&store, &[]).await;
    // With one worker on the device, her PIN pad comes at once.
    s.el("pin-input").await;
    let text = s.page_text().await;
    assert!(text.contains("सुनीता"), "the lock screen names the worker: {text}");
    s.type_in("pin-input", "9999").await;
    s.click("pin-submit").await;
    s.sel("[data-testid=\"error\"][data-code=\"WRONG_PIN\"]").await;
    s.type_in("pin-input", "1357").await;
    s.click("pin-submit").await;
    s.wait_text("sync-pending", "nothing lost", |t| t.trim() == pending_now.to_string()).await;
    s.click("tab-survey").await;
    s.sel("[data-testid=\"village\"][data-name=\"Sitapur\"]").await;
    s.end().await;
}

/// Calls a command as the UI does and returns `Ok(value)` or `Err({code, message})`.
async fn invoke(s: &Session, command: &str, req: serde_json::Value) -> Result<serde_json::Value, serde_json::Value> {
    let script = r#"
        const [command, req, done] = arguments;
        window.__TAURI_INTERNALS__.invoke(command, { req }).then(ok => done({ ok }), err => done({ err }));
    "#;
    let answer = s.client.execute_async(script, vec![command.into(), req]).await.expect("the call answers");
    match answer.get("err") {
        Some(e) => Err(e.clone()),
        None => Ok(answer["ok"].clone()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_across_the_ipc_boundary_get_codes() {
    if skip() {
        return;
    }
    let s = Session::start(&[]).await;
    s.el("lang-en").await;
    // Nobody signed in yet: the register is closed.
    let e = invoke(&s, "villages", serde_json::json!({})).await.unwrap_err();
    assert_eq!(e["code"], "LOCKED", "{e}");
    // A request of the wrong shape: the command and the field are named.
    let e = invoke(&s, "villages", serde_json::json!({ "bogus": 1 })).await.unwrap_err();
    assert_eq!(e["code"], "INVALID_INPUT", "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("villages") && message.contains("bogus"), "{message}");
    let e = invoke(&s, "add_worker", serde_json::json!({ "name": "Asha", "role": "asha", "pin": "12a4" })).await;
    assert_eq!(e.unwrap_err()["code"], "INVALID_INPUT");
    let e = invoke(&s, "enroll", serde_json::json!({ "server": "ftp://example.org", "code": "K7QM" })).await;
    assert_eq!(e.unwrap_err()["code"], "INVALID_INPUT");
    let e = invoke(&s, "devices", serde_json::json!({})).await.unwrap_err();
    assert_eq!(e["code"], "NOT_ENROLLED", "{e}");
    // None of it stored anything.
    let state = invoke(&s, "app_state", serde_json::json!({})).await.unwrap();
    assert_eq!(state["workers"], serde_json::json!([]));
    assert_eq!(state["sync"]["pending"], 0);
    s.end().await;
}
