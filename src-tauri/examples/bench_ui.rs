//! The app's performance figures (run by scripts/bench-app.sh, which builds everything in release
//! first): cold start to the first interactive screen, memory (PSS) of the app and its WebKit
//! processes against a minimal Tauri app measured in the same run, and the time to render the due
//! list of a village of 2,000 beneficiaries in the session screen.
//!
//! Environment: TEEKA_APP_BIN (the app), MINIMAL_BIN (the minimal app), TEEKA_BENCH_STORE (a store
//! holding one village of 2,000 beneficiaries), TEEKA_BENCH_VILLAGE (its name), RUNS (default 10).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set (run scripts/bench-app.sh)"))
}

struct Display {
    name: String,
    child: Child,
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn xvfb() -> Display {
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    Display { name: format!(":{}", line.trim()), child }
}

/// Starts `bin` with the start-up probe; returns it once it printed `ready`, with the time taken.
fn launch(bin: &str, display: &str, store: &Path, xdg: &Path, probe: &str) -> (Child, f64) {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_DATA_HOME", xdg.join("data"))
        .env("XDG_CONFIG_HOME", xdg.join("config"))
        .env("XDG_CACHE_HOME", xdg.join("cache"))
        .env("NO_AT_BRIDGE", "1")
        .env("TEEKA_STORE", store)
        .env("TEEKA_STARTUP_PROBE", probe)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the app starts");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("{bin} ended without saying ready");
        }
        if line.starts_with("ready") {
            break;
        }
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    // Keep draining stdout so the app never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while out.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
            sink.clear();
        }
    });
    (child, ms)
}

fn children() -> HashMap<u32, Vec<u32>> {
    let mut map: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // The command name is in parentheses and may hold spaces: the parent pid follows the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { continue };
        let ppid: u32 = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        map.entry(ppid).or_default().push(pid);
    }
    map
}

/// PSS in KiB of a process and all its descendants, by command name.
fn pss_tree(root: u32) -> (u64, Vec<(String, u64)>) {
    let kids = children();
    let mut stack = vec![root];
    let mut total = 0;
    let mut parts = Vec::new();
    while let Some(pid) = stack.pop() {
        if let Some(k) = kids.get(&pid) {
            stack.extend(k);
        }
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else { continue };
        let pss: u64 = rollup
            .lines()
            .find(|l| l.starts_with("Pss:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_string();
        total += pss;
        parts.push((name, pss));
    }
    (total, parts)
}

fn stats(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.total_cmp(b));
    let median = v[v.len() / 2];
    format!("median {median:.0} ms (min {:.0}, max {:.0}, {} runs)", v[0], v[v.len() - 1], v.len())
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let app = env("TEEKA_APP_BIN");
    let minimal = env("MINIMAL_BIN");
    let store = std::path::PathBuf::from(env("TEEKA_BENCH_STORE"));
    let village = env("TEEKA_BENCH_VILLAGE");
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(10);
    // A worker with a PIN and a language, so the app starts on its lock screen as on a phone in use.
    {
        let clock = teeka_app::Clock { now: chrono::Utc::now(), today: chrono::Local::now().date_naive() };
        let mut app = teeka_app::App::open(&store).expect("the bench store opens");
        if app.app_state(teeka_app::AppStateReq::default(), clock).unwrap().workers.is_empty() {
            app.set_language(teeka_app::SetLanguageReq { language: Some("en".into()) }, clock).unwrap();
            let req = teeka_app::AddWorkerReq {
                name: "Bench ANM".into(),
                role: "anm".into(),
                pin: "2468".into(),
                signed_in_pin: None,
            };
            app.add_worker(req, clock).unwrap();
        }
    }
    let display = xvfb();
    let xdg = tempfile::tempdir().unwrap();
    for d in ["data", "config", "cache"] {
        std::fs::create_dir_all(xdg.path().join(d)).unwrap();
    }
    let scratch = xdg.path().join("minimal.db");

    println!("== cold start to the first interactive screen (process start → the UI's ready call)");
    for (name, bin, db) in [("teeka-app", &app, &store), ("minimal tauri", &minimal, &scratch)] {
        // One run to warm the page cache, as on a phone where the app was started before.
        let (mut c, _) = launch(bin, &display.name, db, xdg.path(), "exit");
        let _ = c.wait();
        let mut times = Vec::new();
        for _ in 0..runs {
            let (mut c, ms) = launch(bin, &display.name, db, xdg.path(), "exit");
            let _ = c.wait();
            times.push(ms);
        }
        println!("{name:>14}: {}", stats(times));
    }

    println!("== memory (PSS of the app and every process it started, 3 s after the first screen)");
    let mut totals = Vec::new();
    for (name, bin, db) in [("teeka-app", &app, &store), ("minimal tauri", &minimal, &scratch)] {
        let (mut c, _) = launch(bin, &display.name, db, xdg.path(), "stay");
        tokio::time::sleep(Duration::from_secs(3)).await;
        let (total, parts) = pss_tree(c.id());
        let _ = c.kill();
        let _ = c.wait();
        let detail: Vec<String> = parts.iter().map(|(n, k)| format!("{n} {:.1}", mib(*k))).collect();
        println!("{name:>14}: {:.1} MiB ({})", mib(total), detail.join(", "));
        totals.push(total);
    }
    println!("         ratio: {:.2}× the minimal app", totals[0] as f64 / totals[1].max(1) as f64);
    drop(display);

    println!("== the session's due list of {village} (data received → painted), through the real webview");
    let s = common::Session::start_in(&store, &[]).await;
    s.type_in("pin-input", "2468").await;
    s.click("pin-submit").await;
    let mut times = Vec::new();
    let mut totals = Vec::new();
    let mut rows = 0;
    for _ in 0..runs.min(7) {
        s.click("tab-survey").await;
        s.client
            .execute("delete document.body.dataset.dueListMs; delete document.body.dataset.dueListTotalMs", vec![])
            .await
            .unwrap();
        s.click("tab-session").await;
        s.choose("session-site", &village).await;
        s.click("session-open").await;
        let deadline = Instant::now() + Duration::from_secs(30);
        let ms = loop {
            let v = s.client.execute("return document.body.dataset.dueListMs || null", vec![]).await.unwrap();
            if let Some(ms) = v.as_str().and_then(|t| t.parse::<f64>().ok()) {
                break ms;
            }
            assert!(Instant::now() < deadline, "the due list never reported its render time");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let total = s.client.execute("return document.body.dataset.dueListTotalMs || null", vec![]).await.unwrap();
        totals.push(total.as_str().and_then(|t| t.parse::<f64>().ok()).expect("dueListTotalMs"));
        rows = s.all("session-item").await.len();
        times.push(ms);
        s.click("session-change").await;
    }
    println!("  data → paint: {} ({rows} rows in the first render)", stats(times));
    println!(" asked → paint: {} (the command, the IPC and the render)", stats(totals));
    s.end().await;
}
