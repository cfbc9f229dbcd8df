//! `encryption`: what encryption at rest costs, in one run on the same block, plain against
//! SQLCipher: the register import, the due list of the whole block and of one village, and the
//! durable dose record; then the one-off costs of a sign-in (Argon2id unwrapping the key,
//! SQLCipher opening the store) and of encrypting a plain store in place.

use crate::{ctx, fmt_ms, generate, quantile, temp_dir, Cli};
use anyhow::{bail, Result};
use std::path::Path;
use std::time::{Duration, Instant};
use teeka_domain::register::parse_register;
use teeka_domain::DoseCode;
use teeka_store::keyring::NewWrap;
use teeka_store::{DataKey, Keyring, Store};

#[derive(clap::Args, Debug, Clone)]
pub struct CryptArgs {
    #[arg(long, default_value_t = 50_000)]
    beneficiaries: usize,
    #[arg(long, default_value_t = 50)]
    villages: usize,
    /// Timed due lists per store (after one first run).
    #[arg(long, default_value_t = 7)]
    runs: usize,
    /// Durable dose records per store.
    #[arg(long, default_value_t = 1000)]
    records: usize,
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    quantile(&times, 0.5)
}

/// Imports the register into the store `open` gives: the import's time.
fn import(cli: &Cli, csv: &[u8], open: &dyn Fn() -> Result<Store>) -> Result<Duration> {
    let rows = parse_register(csv, cli.today)?;
    let mut store = open()?;
    let t = Instant::now();
    store.import_register(&rows, &ctx(cli.today))?;
    Ok(t.elapsed())
}

/// Due lists of the whole block and of one village on both stores, alternated run by run:
/// medians of (block, village) for the plain store, then for the encrypted one.
fn due_lists(cli: &Cli, args: &CryptArgs, stores: [&Store; 2]) -> Result<[(Duration, Duration); 2]> {
    let village = stores[0].villages()?.get(args.villages / 2).cloned();
    let mut times: [(Vec<Duration>, Vec<Duration>); 2] = Default::default();
    for store in stores {
        let _ = store.due_list(cli.today, None)?; // the first run, not counted
    }
    for run in 0..args.runs {
        for k in [run % 2, 1 - run % 2] {
            let t = Instant::now();
            let _ = stores[k].due_list(cli.today, None)?;
            times[k].0.push(t.elapsed());
            let t = Instant::now();
            let _ = stores[k].due_list(cli.today, village.as_deref())?;
            times[k].1.push(t.elapsed());
        }
    }
    let [p, e] = times;
    Ok([(median(p.0), median(p.1)), (median(e.0), median(e.1))])
}

/// Durable dose records into a plain and an encrypted store of the same block, alternated one
/// by one (the same beneficiaries' doses due today, in the same order), so that neither gets a
/// quieter moment of the machine: (plain, encrypted) times.
fn records(
    cli: &Cli,
    count: usize,
    plain: &mut Store,
    encrypted: &mut Store,
) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let today = cli.today;
    let picks: Vec<(String, DoseCode)> = plain
        .due_list(today, None)?
        .into_iter()
        .filter_map(|i| i.doses.first().map(|d| (i.register_id.to_string(), d.code)))
        .take(count)
        .collect();
    if picks.len() < count {
        bail!("only {} people are due on this day, {count} records asked for", picks.len());
    }
    let _ = encrypted.due_list(today, None)?;
    let (mut p, mut e) = (Vec::with_capacity(count), Vec::with_capacity(count));
    for (k, (id, code)) in picks.iter().enumerate() {
        // Which store goes first alternates too.
        let order: [(&mut Store, &mut Vec<Duration>); 2] = if k % 2 == 0 {
            [(&mut *plain, &mut p), (&mut *encrypted, &mut e)]
        } else {
            [(&mut *encrypted, &mut e), (&mut *plain, &mut p)]
        };
        for (store, times) in order {
            let c = ctx(today);
            let t = Instant::now();
            store.record_dose(id, *code, today, &c)?;
            times.push(t.elapsed());
        }
    }
    Ok((p, e))
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn cost(plain: Duration, encrypted: Duration) -> f64 {
    (encrypted.as_secs_f64() / plain.as_secs_f64().max(f64::EPSILON) - 1.0) * 100.0
}

fn line(what: &str, plain: Duration, encrypted: Duration, goal: Option<f64>) {
    let c = cost(plain, encrypted);
    let verdict = match goal {
        Some(g) => format!(" (goal < {g:.0} %: {})", crate::sync::verdict(c < g)),
        None => String::new(),
    };
    println!("{what:<34} plain {:>10}  encrypted {:>10}  cost {c:+6.1} %{verdict}", fmt_ms(plain), fmt_ms(encrypted));
}

pub fn encryption(cli: &Cli, args: &CryptArgs) -> Result<()> {
    println!(
        "== encryption at rest: the same block, plain SQLite against SQLCipher (AES-256, raw data key), in one run"
    );
    let b = generate(cli, args.beneficiaries, args.villages)?;
    let dir = temp_dir(cli)?;
    let plain_path = dir.path().join("plain.db");
    let enc_path = dir.path().join("encrypted.db");
    let key = DataKey::random()?;
    // Two stores of each kind, plain first then encrypted first, so that neither gets a warmer
    // disk; the due lists and the records then alternate between the second two.
    let (p2, e2) = (dir.path().join("plain2.db"), dir.path().join("encrypted2.db"));
    let plain_import = import(cli, b.csv.as_bytes(), &|| Ok(Store::open(&plain_path)?))?;
    let enc_import = import(cli, b.csv.as_bytes(), &|| Ok(Store::open_keyed(&enc_path, &key)?))?;
    let enc_import2 = import(cli, b.csv.as_bytes(), &|| Ok(Store::open_keyed(&e2, &key)?))?;
    let plain_import2 = import(cli, b.csv.as_bytes(), &|| Ok(Store::open(&p2)?))?;
    println!("(imports: the better of two stores of each kind; due lists: medians of {} runs, alternated)", args.runs);
    let rows = format!("import of {} rows", args.beneficiaries);
    line(&rows, plain_import.min(plain_import2), enc_import.min(enc_import2), None);
    let (mut plain, mut encrypted) = (Store::open(&p2)?, Store::open_keyed(&e2, &key)?);
    let [(pb, pv), (eb, ev)] = due_lists(cli, args, [&plain, &encrypted])?;
    line("due list, whole block", pb, eb, Some(25.0));
    line("due list, one village", pv, ev, None);
    let (mut p, mut e) = records(cli, args.records, &mut plain, &mut encrypted)?;
    drop((plain, encrypted));
    p.sort();
    e.sort();
    let mean = |t: &[Duration]| t.iter().sum::<Duration>() / u32::try_from(t.len().max(1)).unwrap_or(u32::MAX);
    let c50 = cost(quantile(&p, 0.5), quantile(&e, 0.5));
    println!(
        "durable record_dose ({} each, alternated): p50 plain {} encrypted {} cost {c50:+.1} % (goal < 25 %: {}); mean plain {} encrypted {} cost {:+.1} %; p90 plain {} encrypted {}",
        args.records,
        us(quantile(&p, 0.5)),
        us(quantile(&e, 0.5)),
        crate::sync::verdict(c50 < 25.0),
        us(mean(&p)),
        us(mean(&e)),
        cost(mean(&p), mean(&e)),
        us(quantile(&p, 0.9)),
        us(quantile(&e, 0.9)),
    );

    // The one-off costs: a sign-in's unwrap and open, and encrypting a plain store in place.
    let mut ring = Keyring::open_in_memory()?;
    ring.add(NewWrap::argon2id("worker:bench", None, "2468")?, &key)?;
    let t = Instant::now();
    let unwrapped = ring.unwrap("worker:bench", "2468")?;
    let unwrap = t.elapsed();
    if unwrapped.as_ref() != Some(&key) {
        bail!("the PIN did not unwrap the key");
    }
    let t = Instant::now();
    let store = Store::open_keyed(&enc_path, &key)?;
    let open = t.elapsed();
    drop(store);
    let t = Instant::now();
    let store = Store::open(&p2)?;
    let open_plain = t.elapsed();
    drop(store);
    println!(
        "sign-in: Argon2id unwrap of the data key {}, then opening the encrypted store {} (the plain one: {})",
        fmt_ms(unwrap),
        fmt_ms(open),
        fmt_ms(open_plain)
    );
    let size = file_size(&plain_path);
    let t = Instant::now();
    teeka_store::encrypt_in_place(&plain_path, &key, || Ok(()))?;
    println!(
        "encrypting the plain store in place ({:.1} MiB, first sign-in after the update): {}",
        size as f64 / (1024.0 * 1024.0),
        fmt_ms(t.elapsed())
    );
    Ok(())
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}
