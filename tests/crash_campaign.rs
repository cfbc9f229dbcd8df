//! Crash safety (issue 14): the `teeka` CLI killed with SIGKILL at random moments while it
//! writes a dose, imports a register and syncs with a real server, `TEEKA_CRASH_KILLS` times in
//! all (750 by default; with the app's core's 250 in `crates/app/tests/crash_campaign.rs`,
//! 1,000). The store is encrypted (`TEEKA_PASSPHRASE`): the campaign's first command encrypts the
//! plain store in place, killed like any other. After every kill the store opens with its
//! passphrase, passes `PRAGMA integrity_check` and its foreign keys hold, every import is all its
//! rows or none, and every write the CLI acknowledged (exit 0, its event id printed) is still
//! there; at the end one sync brings every acknowledged record to the server. The figures are
//! printed (`docs/benchmarks.md`, "Crash campaign").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::world::{Env, COMMAND_TIMEOUT, TEEKA};
use common::{Kind, Proc};
use std::collections::HashSet;
use std::process::Command;
use std::time::{Duration, Instant};
use teeka_store::open_with_passphrase;
use teeka_sync::backoff::Rng;

const TODAY: &str = "2026-11-22";
const ROWS: usize = 20;
const PASSPHRASE: &str = "campaign passphrase";

/// A register of `ROWS` children of Rampur, ids `K{n}-1`…, each in a household of its own.
fn register(n: usize) -> String {
    let mut csv = String::from("register_id,household_id,village,kind,name,sex,dob,BCG\n");
    for i in 1..=ROWS {
        csv.push_str(&format!("K{n}-{i},KH{n}-{i},Rampur,child,Child {n} {i},F,2026-06-01,2026-06-01\n"));
    }
    csv
}

#[derive(Default)]
struct Tally {
    kills: usize,
    mid_way: usize,
    doses_acknowledged: usize,
    imports_whole: usize,
    imports_none: usize,
    syncs_done: usize,
}

#[test]
fn the_cli_killed_at_random_moments_loses_nothing_acknowledged() {
    let kills: usize = std::env::var("TEEKA_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(750);
    let env = Env::new(Kind::Sqlite).unwrap();
    env.admin(&[
        "import",
        "areas",
        &env.write("areas.csv", "state,district,block,subcentre,village\nUP,Sitapur,Mahmudabad,Bhatpur,Rampur\n"),
    ]);
    let server = env.serve();
    let device = env.device("anm", TODAY);
    device.ok(TODAY, &["import", "register", &env.write("first.csv", &register(0))]);
    device.enroll(&server, &env.code("Rampur", "anm"));
    let db = device.db.clone();
    let cli = |args: &[&str]| {
        let mut cmd = Command::new(TEEKA);
        cmd.env_remove("TEEKA_DB")
            .env("TEEKA_PASSPHRASE", PASSPHRASE)
            .arg("--db")
            .arg(&db)
            .args(["--today", TODAY, "--author", "Meena"])
            .args(args);
        cmd
    };

    // The campaign's moments, the same every run.
    let mut rng = Rng::new(0x5eed_1234_abcd_0001);
    let mut tally = Tally::default();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut imported: Vec<usize> = Vec::new();
    let mut reach: [u64; 3] = [100_000; 3];
    let started = Instant::now();
    for n in 1..=kills {
        let what = rng.next_u64() % 3;
        let file;
        let mut cmd = match what {
            0 => {
                let day = 15 + rng.next_u64() % 8;
                let child = format!("K0-{}", 1 + rng.next_u64() % ROWS as u64);
                cli(&["record", "dose", "--register-id", &child, "--code", "OPV1", "--date", &format!("2026-07-{day}")])
            }
            1 => {
                file = env.write(&format!("k{n}.csv"), &register(n));
                cli(&["import", "register", &file])
            }
            _ => cli(&["sync", "--server", &server.url()]),
        };
        cmd.env("RUST_LOG", "off");
        // A moment up to about the time each takes on this machine (learnt as the campaign
        // goes: shorter after a kill that came too late, longer after one part way), so that
        // about half the kills land part way, from the process's start to its exit.
        let max_us = &mut reach[what as usize];
        let wait = Duration::from_micros(rng.next_u64() % *max_us);
        let mut proc = Proc::spawn(cmd, env.dir(), &format!("crash {n}"));
        std::thread::sleep(wait);
        let finished = proc.child.try_wait().unwrap();
        proc.kill();
        tally.kills += 1;
        *max_us = if finished.is_some() { (*max_us * 9 / 10).max(1_000) } else { *max_us * 21 / 20 };
        match finished {
            Some(status) if status.success() => match what {
                0 => {
                    let out = proc.stdout_text();
                    let id = out.trim_end().rsplit_once("(event ").map(|(_, id)| id.trim_end_matches(')').to_string());
                    acknowledged.push(id.unwrap_or_else(|| panic!("no event id in: {out}")));
                    tally.doses_acknowledged += 1;
                }
                1 => imported.push(n),
                _ => tally.syncs_done += 1,
            },
            Some(_) => {}
            None => tally.mid_way += 1,
        }

        // The store after the kill.
        let store = open_with_passphrase(&db, Some(PASSPHRASE))
            .unwrap_or_else(|e| panic!("kill {n}: the store does not open: {e}"));
        assert_eq!(store.integrity_problems().unwrap(), Vec::<String>::new(), "kill {n}");
        if what == 1 {
            let present = (1..=ROWS).filter(|i| store.beneficiary(&format!("K{n}-{i}")).is_ok()).count();
            match present {
                0 => tally.imports_none += 1,
                ROWS => tally.imports_whole += 1,
                some => panic!("kill {n}: an import left {some} of its {ROWS} rows"),
            }
            assert!(present == ROWS || !imported.contains(&n), "kill {n}: an acknowledged import is missing");
        }
    }
    let took = started.elapsed();

    // Every acknowledged write is in the store, and one sync brings it all to the server.
    let store = open_with_passphrase(&db, Some(PASSPHRASE)).unwrap();
    assert_eq!(teeka_store::file_state(&db).unwrap(), teeka_store::FileState::Encrypted);
    let logged: HashSet<String> = store.events().unwrap().iter().map(|e| e.id.to_string()).collect();
    for id in &acknowledged {
        assert!(logged.contains(id), "the acknowledged dose {id} is lost");
    }
    drop(store);
    let final_sync =
        Proc::spawn(cli(&["sync", "--server", &server.url()]), env.dir(), "final sync").finish(COMMAND_TIMEOUT);
    assert!(final_sync.status.success(), "{}", final_sync.stderr);
    let on_server = env.admin(&["export", "--format", "json"]);
    for id in &acknowledged {
        assert!(on_server.contains(id.as_str()), "the acknowledged dose {id} did not reach the server");
    }
    for n in &imported {
        assert!(
            on_server.contains(&format!("\"K{n}-{ROWS}\"")),
            "the acknowledged import {n} did not reach the server"
        );
    }
    println!(
        "crash campaign: {} kills in {:.1} s ({} part way), {} doses acknowledged, imports {} whole and {} none \
         ({} acknowledged), {} syncs completed; integrity_check ok after every kill, nothing acknowledged lost",
        tally.kills,
        took.as_secs_f64(),
        tally.mid_way,
        tally.doses_acknowledged,
        tally.imports_whole,
        tally.imports_none,
        imported.len(),
        tally.syncs_done
    );
    assert!(
        tally.mid_way * 4 >= tally.kills,
        "a quarter of the kills at least land part way: {} of {}",
        tally.mid_way,
        tally.kills
    );
}
