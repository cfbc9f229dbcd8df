//! `teeka-app-driver`: the app's core (`teeka_app::App`) run as a process of its own, one
//! action per process, as the shell runs it: the store opened, the first worker signed in with
//! their PIN (which encrypts a plain store in place), then the action. The crash campaign
//! (`crates/app/tests/crash_campaign.rs`) kills it with SIGKILL at random moments.
//!
//! ```text
//! teeka-app-driver STORE PIN sign-in      signs in; prints `signed in`
//! teeka-app-driver STORE PIN write N      a household `C{N}` (head `Crash {N}`) in the first
//!                                         village with a child `Child {N}`: prints
//!                                         `acknowledged C{N}` once both are stored
//! teeka-app-driver STORE PIN sync         one run of the background sync worker: prints
//!                                         `synced` when it ended without an error
//! ```
//!
//! The date is 2026-11-22. Exit 1 with the error's code on a failure.

use chrono::{NaiveDate, Utc};
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use teeka_app::sync::{self, Kick, Notify};
use teeka_app::{App, AppError, Clock};

struct Quiet;

impl Notify for Quiet {
    fn state_changed(&self) {}
    fn data_changed(&self) {}
}

fn clock() -> Clock {
    Clock { now: Utc::now(), today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default() }
}

fn id_of(v: &Value) -> Value {
    v["id"].clone()
}

fn run(args: &[String]) -> Result<String, AppError> {
    let [store, pin, action, rest @ ..] = args else {
        return Err(AppError::invalid("usage: teeka-app-driver STORE PIN sign-in|write N|sync"));
    };
    let mut app = App::open(std::path::Path::new(store))?;
    let state = app.call("app_state", json!({}), clock())?;
    let worker = state["workers"].get(0).map(id_of).ok_or_else(|| AppError::invalid("no worker on this device"))?;
    app.call("sign_in", json!({"worker_id": worker, "pin": pin}), clock())?;
    match (action.as_str(), rest) {
        ("sign-in", []) => Ok("signed in".into()),
        ("write", [n]) => {
            let villages = app.call("villages", json!({}), clock())?;
            let village = villages.get(0).map(id_of).ok_or_else(|| AppError::invalid("no village"))?;
            let household = app.call(
                "save_household",
                json!({"village_id": village, "house_no": format!("C{n}"), "head_of_household": format!("Crash {n}")}),
                clock(),
            )?;
            let child = json!({"household_id": id_of(&household), "name": format!("Child {n}"), "sex": "F", "dob": "2026-06-01"});
            app.call("add_child", child, clock())?;
            Ok(format!("acknowledged C{n}"))
        }
        ("sync", []) => {
            let handle = sync::start(app.access(), Quiet);
            app.attach_sync(handle.clone());
            handle.kick(Kick::Now);
            let started = Instant::now();
            loop {
                let live = handle.live();
                if live.ran && !live.syncing {
                    return match live.last_error {
                        None => Ok("synced".into()),
                        Some(e) => Err(AppError::new(e.code, e.message)),
                    };
                }
                if started.elapsed() > Duration::from_secs(60) {
                    return Err(AppError::invalid("the sync did not end within a minute"));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        _ => Err(AppError::invalid(format!("unknown action {action:?}"))),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error[{}]: {}", e.code, e.message);
            ExitCode::FAILURE
        }
    }
}
