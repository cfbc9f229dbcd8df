//! The real app enrolls with a real server (in this process, on SQLite) and its background sync
//! ships what the worker records, with no tap: the pending count goes back to zero and the server
//! holds the records. The supervisor's screen lists the device from the server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use common::{dmy, skip, Session};
use std::sync::Arc;
use teeka_protocol::Role;
use teeka_server::{Service, SqliteDb};

const AREAS: &str = "state,district,block,subcentre,village\n\
                     Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Rampur\n\
                     Uttar Pradesh,Sitapur,Mahmudabad,Rampur SC,Salempur\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolled_app_syncs_in_the_background() {
    if skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let svc = Arc::new(Service::new(SqliteDb::open(&dir.path().join("server.db")).unwrap()));
    svc.import_areas(AREAS.as_bytes(), Utc::now()).await.unwrap();
    let (code, ..) = svc.create_code("Rampur SC", Role::Anm, Duration::days(1), Utc::now()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}");
    let server = serve(listener, svc.clone());

    let s = Session::start(&[]).await;
    s.click("lang-en").await;
    s.click("connect").await;
    s.type_in("enroll-server", &url).await;
    s.type_in("enroll-code", &code).await;
    s.click("enroll-submit").await;
    s.type_in("worker-name", "Sunita Devi").await;
    s.click("worker-role-anm").await;
    s.type_in("worker-pin", "2468").await;
    s.type_in("worker-pin2", "2468").await;
    s.click("worker-save").await;

    s.click("tab-survey").await;
    // The first sync after enrolment brings the area's villages from the server (it may end
    // while the list is on the screen): the worker opens hers rather than naming it again.
    let rampur = r#"[data-testid="village"][data-name="Rampur"]"#;
    s.sel_for(rampur, 30).await;
    s.click_sel(rampur).await;
    s.click("add-household").await;
    s.type_in("hh-house-no", "7").await;
    s.type_in("hh-head", "Mohan Lal").await;
    s.click("hh-save").await;
    // The new household opens at once.
    s.click("add-child").await;
    s.type_in("child-name", "Pinki").await;
    s.click("child-sex-F").await;
    s.type_in("child-dob", &dmy("2026-10-01")).await;
    s.click("child-save").await;
    s.el("member").await;

    // No tap on "sync": a few seconds after the last change, everything is on the server.
    s.wait_text_for("sync-pending", "nothing pending", 30, |t| t.trim() == "0").await;
    let export = svc.export().await.unwrap();
    let names: Vec<&str> = export.beneficiaries.iter().map(|b| b.facts.name.as_str()).collect();
    assert_eq!(names, ["Pinki"]);

    s.click("tab-supervisor").await;
    s.click("sup-devices").await;
    s.wait_text_for("device", "this device", 20, |t| t.contains("Rampur SC")).await;
    s.screenshot("supervisor-devices-online-en").await;

    // The signal goes: the worker records on, the bar says what happened in plain words...
    server.abort();
    let _ = server.await;
    s.click("tab-survey").await;
    s.click("add-child").await;
    s.type_in("child-name", "Chhotu").await;
    s.click("child-sex-M").await;
    s.type_in("child-dob", &dmy("2026-09-15")).await;
    s.click("child-save").await;
    s.wait_count("member", 2).await;
    s.sel_for("[data-testid=\"sync-error\"][data-code=\"NETWORK\"]", 40).await;
    s.wait_text("sync-pending", "the new child pending", |t| t.trim() == "1").await;
    s.screenshot("sync-offline-en").await;
    // ... and when it returns, the back-off's next try sends everything, with no tap.
    let _server = serve(tokio::net::TcpListener::bind(addr).await.unwrap(), svc.clone());
    s.wait_text_for("sync-pending", "nothing pending once the network is back", 60, |t| t.trim() == "0").await;
    let export = svc.export().await.unwrap();
    let mut names: Vec<&str> = export.beneficiaries.iter().map(|b| b.facts.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Chhotu", "Pinki"]);
    s.end().await;
}

fn serve(listener: tokio::net::TcpListener, svc: Arc<Service<SqliteDb>>) -> tokio::task::JoinHandle<()> {
    let router = teeka_server::http::router(svc);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    })
}
