//! `teeka-bench`: prints how long the things a health worker waits for take on a block-sized
//! register — the due list, a register import and a durable dose record — and what sync costs:
//! the server's ingest rate, bytes on the wire, a day's work over 2G and a first sync
//! (`sync-*`, in `sync.rs`).
//!
//! A program that prints figures, not a test: nothing here passes or fails. The data is
//! synthetic and deterministic (fixed seed, fixed `--today`), generated as a register CSV and
//! imported through `parse_register` and `Store::import_register`. Results are kept in
//! `docs/benchmarks.md`.

mod block;
mod campaign;
mod crypt;
mod district;
mod pouch;
mod pull;
mod sync;

// The same allocator as the `teeka` binary, so that the figures are what a worker gets.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{bail, Context, Result};
use chrono::Utc;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use teeka_domain::register::parse_register;
use teeka_domain::report::due_item;
use teeka_domain::{iso, parse_date, Date, DoseCode, DoseStatus};
use teeka_store::{Ctx, Store};

#[derive(Parser)]
#[command(name = "teeka-bench", about = "Benchmarks of Teeka's due list, register import, dose recording and sync")]
struct Cli {
    /// The date the synthetic register is generated for, and the due list's date.
    #[arg(long, global = true, default_value = "2026-11-22", value_parser = date_arg)]
    today: Date,
    /// Seed of the data generator.
    #[arg(long, global = true, default_value_t = 20_261_122)]
    seed: u64,
    /// Where temporary stores are made (default: the system's temporary directory). Use a
    /// directory on the device's real storage: durable writes are measured there.
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Time the due list of a whole block and of one village.
    DueList {
        #[arg(long, default_value_t = 50_000)]
        beneficiaries: usize,
        #[arg(long, default_value_t = 50)]
        villages: usize,
        /// Use this store; it is built first if it holds no events yet.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Timed runs (after one first run, reported apart).
        #[arg(long, default_value_t = 7)]
        runs: usize,
        /// The village to time alone (default: the middle one of the sorted names).
        #[arg(long, value_name = "NAME")]
        village: Option<String>,
        /// Time only the whole block (for profiling).
        #[arg(long)]
        no_village: bool,
    },
    /// Time parsing and importing a register into a fresh store, then importing it again.
    Import {
        #[arg(long, default_value_t = 50_000)]
        rows: usize,
        #[arg(long, default_value_t = 50)]
        villages: usize,
    },
    /// Time durable `record_dose` calls into a file-backed store of a block.
    Record {
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 50_000)]
        beneficiaries: usize,
        #[arg(long, default_value_t = 50)]
        villages: usize,
        /// Use this store; it is built first if it holds no events yet. Doses are recorded in it.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Time one search of the whole block by name (names folded in memory, either script).
    Search {
        #[arg(long, default_value_t = 50_000)]
        beneficiaries: usize,
        #[arg(long, default_value_t = 50)]
        villages: usize,
        /// Use this store; it is built first if it holds no events yet.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        #[arg(long, default_value_t = 7)]
        runs: usize,
        /// What is searched for.
        #[arg(long, default_value = "priya")]
        text: String,
    },
    /// Import, then due list and record on the imported store, all with defaults.
    All,
    /// Sync: events/s the server ingests from one device and from many at once.
    SyncIngest(sync::IngestArgs),
    /// Sync: bytes on the wire per event pushed and pulled, and round trips per sync.
    SyncWire(sync::DayArgs),
    /// Sync: a day's work pushed over an emulated 2G link.
    #[command(name = "sync-2g")]
    Sync2g(sync::LinkArgs),
    /// Sync: the first sync of a new sub-centre device.
    SyncFirst(sync::FirstArgs),
    /// Every sync benchmark, with defaults.
    SyncAll,
    /// The campaign: a round's session plan and the carry kits of a block's sites.
    Campaign(campaign::CampaignArgs),
    /// Monitoring: a district's round report on the server, on PostgreSQL.
    Report(district::ReportArgs),
    /// District-scale pulls: a district supervisor's pull of a day's events, on PostgreSQL.
    Pull(pull::PullArgs),
    /// A village device's first push: a whole `teeka sync` process against PouchDB 9
    /// replicating the same events to pouchdb-server 4.2 (installed from npm on the first run).
    #[command(name = "vs-pouchdb")]
    VsPouchdb(pouch::PouchArgs),
    /// Issue 13's figures in one run, each against its goal: the first push against PouchDB
    /// (speed and bytes), the day over 2G, the 50,000-row import and the district pull.
    Goals(GoalsArgs),
    /// Encryption at rest: import, due list and durable record on a plain store and on an
    /// encrypted one, in one run; the sign-in's and the in-place encryption's one-off costs.
    Encryption(crypt::CryptArgs),
    /// Write the synthetic register CSV to a file (to look at it, or import it with `teeka`).
    Generate {
        #[arg(long, default_value_t = 50_000)]
        rows: usize,
        #[arg(long, default_value_t = 50)]
        villages: usize,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `goals`: the sizes of each part (the goals' own by default; smaller ones for a quick look).
#[derive(clap::Args, Debug, Clone)]
struct GoalsArgs {
    #[command(flatten)]
    pouch: pouch::PouchArgs,
    /// Rows of the register import.
    #[arg(long, default_value_t = 50_000)]
    import_rows: usize,
    /// Events already in the log before the district's day.
    #[arg(long, default_value_t = 10_000_000)]
    pull_old: u64,
    /// The district's day of events.
    #[arg(long, default_value_t = 100_000)]
    pull_new: usize,
}

/// Every part of `goals` in turn, then one line a figure against its goal.
fn goals(cli: &Cli, args: &GoalsArgs) -> Result<()> {
    println!("== goals (issue 13): every figure in one run\n");
    let first = pouch::compare(cli, &args.pouch)?;
    println!();
    let two_g = sync::two_g(cli, &sync::LinkArgs::default())?;
    println!();
    let dir = temp_dir(cli)?;
    let import = bench_import(cli, args.import_rows, 50, &dir.path().join("teeka.db"))?;
    drop(dir);
    println!();
    let pull = pull::pull(&pull::PullArgs { blocks: 10, villages: 2_000, old: args.pull_old, new: args.pull_new })?;
    println!();
    println!("== goals: the figures of this run");
    let v = sync::verdict;
    let ratio = first.ratio();
    println!("first push against PouchDB: {ratio:.1}x faster (goal >= 20x: {})", v(ratio >= 20.0));
    let bytes = first.bytes_ratio();
    println!("bytes per dose against PouchDB: {bytes:.3}x (goal <= 0.2x: {})", v(bytes <= 0.2));
    println!("the day's work over 2G: {} (goal <= 5 s: {})", sync::secs(two_g), v(two_g <= Duration::from_secs(5)));
    println!(
        "import of {} register rows: {} (goal <= 2 s{}: {})",
        args.import_rows,
        sync::secs(import),
        if args.import_rows == 50_000 { "" } else { " for 50,000 rows" },
        v(args.import_rows >= 50_000 && import <= Duration::from_secs(2))
    );
    println!(
        "district pull of {} new events over {} in the log: {} (goal < 5 s{}: {})",
        args.pull_new,
        args.pull_old,
        sync::secs(pull),
        if args.pull_old == 10_000_000 && args.pull_new == 100_000 { "" } else { " at 10,000,000 and 100,000" },
        v(args.pull_old >= 10_000_000 && args.pull_new >= 100_000 && pull < Duration::from_secs(5))
    );
    Ok(())
}

fn date_arg(s: &str) -> Result<Date, String> {
    parse_date(s).map_err(|e| e.to_string())
}

fn ctx(today: Date) -> Ctx {
    Ctx { now: Utc::now(), today, author: "teeka-bench".into(), worker: None }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Milliseconds with one decimal.
fn fmt_ms(d: Duration) -> String {
    format!("{:.1} ms", ms(d))
}

/// The `q` quantile (0..=1) of sorted durations, nearest rank.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn min_median_max(mut times: Vec<Duration>) -> String {
    times.sort();
    format!(
        "min {}, median {}, max {}",
        fmt_ms(quantile(&times, 0.0)),
        fmt_ms(quantile(&times, 0.5)),
        fmt_ms(quantile(&times, 1.0))
    )
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn wal_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

fn temp_dir(cli: &Cli) -> Result<tempfile::TempDir> {
    let dir = match &cli.dir {
        Some(d) => tempfile::Builder::new().prefix("teeka-bench-").tempdir_in(d),
        None => tempfile::Builder::new().prefix("teeka-bench-").tempdir(),
    };
    dir.context("making a temporary directory")
}

/// Generates the block's register, printing what it holds.
fn generate(cli: &Cli, rows: usize, villages: usize) -> Result<block::Block> {
    let t = Instant::now();
    let b = block::generate(rows, villages, cli.today, cli.seed)?;
    let s = &b.stats;
    println!(
        "generated register: {} rows ({} children, {} pregnant women), {} households, {} villages, {} doses, {} of CSV, as on {} (seed {}), in {}",
        rows,
        s.children,
        s.pregnant_women,
        s.households,
        s.villages,
        s.doses,
        mib(b.csv.len() as u64),
        iso(cli.today),
        cli.seed,
        fmt_ms(t.elapsed())
    );
    Ok(b)
}

/// A store at `path` holding the block: reused if it already holds events, else built by
/// generating the register and importing it.
fn ensure_block(cli: &Cli, path: &Path, beneficiaries: usize, villages: usize) -> Result<()> {
    if path.exists() && Store::open(path)?.event_count()? > 0 {
        println!("reusing the populated store {}", path.display());
        return Ok(());
    }
    let b = generate(cli, beneficiaries, villages)?;
    let t = Instant::now();
    let rows = parse_register(b.csv.as_bytes(), cli.today)?;
    let parsed = t.elapsed();
    let mut store = Store::open(path)?;
    let t = Instant::now();
    let summary = store.import_register(&rows, &ctx(cli.today))?;
    println!(
        "built the block store {}: parse {}, import {} ({} events, {} warnings)",
        path.display(),
        fmt_ms(parsed),
        fmt_ms(t.elapsed()),
        summary.events,
        summary.warnings.len()
    );
    Ok(())
}

/// The first import's time (parse and import), after printing every figure.
fn bench_import(cli: &Cli, rows: usize, villages: usize, path: &Path) -> Result<Duration> {
    println!("== import: {rows} register rows into a fresh file-backed store");
    let b = generate(cli, rows, villages)?;
    let today = cli.today;

    let t = Instant::now();
    let parsed = parse_register(b.csv.as_bytes(), today)?;
    let parse_time = t.elapsed();
    let mut store = Store::open(path)?;
    let t = Instant::now();
    let summary = store.import_register(&parsed, &ctx(today))?;
    let import_time = t.elapsed();
    let wal_open = file_len(&wal_path(path));
    let events = store.event_count()?;
    drop(store); // the last connection checkpoints the WAL into the store file
    let size = file_len(path);
    let total = parse_time + import_time;
    println!(
        "import (first): parse {}, import {}, total {} = {:.0} rows/s; {} events written ({} beneficiaries, {} households, {} villages, {} doses), {} warnings",
        fmt_ms(parse_time),
        fmt_ms(import_time),
        fmt_ms(total),
        rows as f64 / total.as_secs_f64(),
        summary.events,
        summary.beneficiaries_added,
        summary.households_added,
        summary.villages_added,
        summary.doses_added,
        summary.warnings.len(),
    );
    for w in summary.warnings.iter().take(3) {
        println!("  warning: {w}");
    }
    println!(
        "store file after import: {} (the WAL reached {} before the store was closed; {} events in the log)",
        mib(size),
        mib(wal_open),
        events
    );

    let t = Instant::now();
    let parsed = parse_register(b.csv.as_bytes(), today)?;
    let parse_time = t.elapsed();
    let mut store = Store::open(path)?;
    let t = Instant::now();
    let again = store.import_register(&parsed, &ctx(today))?;
    let import_time = t.elapsed();
    let after = store.event_count()?;
    println!(
        "import (same file again): parse {}, import {}, total {}; {} events added ({} → {} in the log){}",
        fmt_ms(parse_time),
        fmt_ms(import_time),
        fmt_ms(parse_time + import_time),
        again.events,
        events,
        after,
        if again.events == 0 && after == events { ", idempotent" } else { " — NOT idempotent" }
    );
    Ok(total)
}

/// One search of the whole block (`Store::search_beneficiaries`, every village).
fn bench_search(path: &Path, runs: usize, text: &str) -> Result<()> {
    let store = Store::open(path)?;
    println!("== search of the whole block for {text:?} ({runs} timed runs after a first run)");
    let t = Instant::now();
    let mut found = store.search_beneficiaries(text, None)?;
    let first = t.elapsed();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        found = store.search_beneficiaries(text, None)?;
        times.push(t.elapsed());
    }
    let t = Instant::now();
    let everyone = store.beneficiaries_in(None)?;
    let read = t.elapsed();
    let t = Instant::now();
    let mut keys = 0usize;
    for r in &everyone {
        for name in [Some(&r.facts.name), r.facts.mother_name.as_ref(), r.place.head_of_household.as_ref()]
            .into_iter()
            .flatten()
        {
            keys += teeka_domain::similar::search_key(name).len();
        }
    }
    let fold = t.elapsed();
    println!(
        "search block ({} beneficiaries): {}; first run {}; {} found (at most {})",
        everyone.len(),
        min_median_max(times),
        fmt_ms(first),
        found.len(),
        teeka_store::SEARCH_LIMIT,
    );
    println!(
        "  for comparison: reading every full record {}; folding every name, mother's name and head of household {} ({keys} letters)",
        fmt_ms(read),
        fmt_ms(fold)
    );
    Ok(())
}

/// `village`: `None` for the middle village, `Some(None)` for none, `Some(Some(name))` for one.
fn bench_due_list(cli: &Cli, path: &Path, runs: usize, village: Option<Option<&str>>) -> Result<()> {
    let on = cli.today;
    let store = Store::open(path)?;
    println!("== due list on {} ({} timed runs after a first run on a fresh connection)", iso(on), runs);

    let t = Instant::now();
    let first = store.due_list(on, None)?;
    let first_time = t.elapsed();
    let mut times = Vec::with_capacity(runs);
    let mut items = first;
    for _ in 0..runs {
        let t = Instant::now();
        let list = store.due_list(on, None)?;
        times.push(t.elapsed());
        items = list; // the previous list is dropped outside the timing
    }

    let people = store.people(None)?;
    let doses: usize = people.iter().map(|(_, h)| h.len()).sum();
    let due: usize = items.iter().map(|i| i.doses.len()).sum();
    let overdue: usize = items.iter().flat_map(|i| &i.doses).filter(|d| d.status == DoseStatus::Overdue).count();
    let mut sorted = times.clone();
    sorted.sort();
    let median = quantile(&sorted, 0.5);
    println!(
        "due-list block ({} beneficiaries, {} doses): {} (goal < 100 ms: {}); first run {}",
        people.len(),
        doses,
        min_median_max(times),
        if median < Duration::from_millis(100) { "met" } else { "MISSED" },
        fmt_ms(first_time)
    );
    println!("  {} beneficiaries on the list, {} doses due or overdue ({} overdue)", items.len(), due, overdue);

    // Where the time goes: reading the people and their doses, then the schedule evaluation.
    let settings = store.settings()?;
    let mut read = Vec::with_capacity(runs);
    let mut eval = Vec::with_capacity(runs);
    let mut free = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let people = store.people(None)?;
        read.push(t.elapsed());
        let t = Instant::now();
        let list: Vec<_> = people.iter().filter_map(|(p, h)| due_item(p, h, on, &settings)).collect();
        eval.push(t.elapsed());
        let t = Instant::now();
        drop(people);
        free.push(t.elapsed());
        if list.len() != items.len() {
            bail!("the evaluation found {} items, the due list {}", list.len(), items.len());
        }
    }
    println!("  of which Store::people(None) (SQLite read, decode): {}", min_median_max(read));
    println!("  and due_item over everyone (schedule evaluation):   {}", min_median_max(eval));
    println!("  and freeing the people read:                        {}", min_median_max(free));

    let villages = store.villages()?;
    let village = match village {
        Some(None) => return Ok(()),
        Some(Some(name)) => name,
        None => match villages.get(villages.len() / 2) {
            Some(v) => v.as_str(),
            None => bail!("the store has no village"),
        },
    };
    let mut times = Vec::with_capacity(runs);
    let mut items = store.due_list(on, Some(village))?;
    for _ in 0..runs {
        let t = Instant::now();
        let list = store.due_list(on, Some(village))?;
        times.push(t.elapsed());
        items = list; // the previous list is dropped outside the timing
    }
    let in_village = store.people(Some(village))?;
    let doses: usize = in_village.iter().map(|(_, h)| h.len()).sum();
    println!(
        "due-list village '{}' ({} beneficiaries, {} doses): {}; {} on the list",
        village,
        in_village.len(),
        doses,
        min_median_max(times),
        items.len()
    );
    Ok(())
}

fn bench_record(cli: &Cli, path: &Path, count: usize) -> Result<()> {
    let today = cli.today;
    let mut store = Store::open(path)?;
    println!("== record: {count} durable record_dose calls (WAL, synchronous=FULL) into {}", path.display());
    // Doses really due today, in a shuffled order: what a session day looks like.
    let mut picks: Vec<(String, DoseCode)> = store
        .due_list(today, None)?
        .into_iter()
        .filter_map(|i| i.doses.first().map(|d| (i.register_id.to_string(), d.code)))
        .collect();
    if picks.is_empty() {
        bail!("nobody is due on {} in this store", iso(today));
    }
    block::Rng::new(cli.seed ^ 0x5EED).shuffle(&mut picks);
    let before = store.event_count()?;
    let mut times = Vec::with_capacity(count);
    let mut warnings = 0;
    for k in 0..count {
        let (id, code) = &picks[k % picks.len()];
        let c = ctx(today);
        let t = Instant::now();
        let rec = store.record_dose(id, *code, today, &c)?;
        times.push(t.elapsed());
        warnings += rec.warnings.len();
    }
    let added = store.event_count()? - before;
    let total: Duration = times.iter().sum();
    let mut slowest: Vec<(usize, Duration)> = times.iter().copied().enumerate().collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.1));
    let over = |limit: u64| times.iter().filter(|t| **t > Duration::from_millis(limit)).count();
    let (over_5, over_50) = (over(5), over(50));
    times.sort();
    println!(
        "record-dose ({} calls, {} events added, {} warnings): p50 {}, p90 {}, p99 {}, max {}; mean {}",
        count,
        added,
        warnings,
        fmt_ms(quantile(&times, 0.5)),
        fmt_ms(quantile(&times, 0.9)),
        fmt_ms(quantile(&times, 0.99)),
        fmt_ms(quantile(&times, 1.0)),
        fmt_ms(total / u32::try_from(count.max(1)).unwrap_or(u32::MAX)),
    );
    let shown: Vec<String> = slowest.iter().take(5).map(|(i, t)| format!("#{} {}", i + 1, fmt_ms(*t))).collect();
    println!("  {over_5} calls over 5 ms, {over_50} over 50 ms; slowest: {}", shown.join(", "));
    Ok(())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let started = Instant::now();
    match &cli.command {
        Command::DueList { beneficiaries, villages, db, runs, village, no_village } => {
            let (_dir, path) = store_path(&cli, db.as_deref())?;
            ensure_block(&cli, &path, *beneficiaries, *villages)?;
            let village = if *no_village { Some(None) } else { village.as_deref().map(Some) };
            bench_due_list(&cli, &path, *runs, village)?;
        }
        Command::Import { rows, villages } => {
            let dir = temp_dir(&cli)?;
            bench_import(&cli, *rows, *villages, &dir.path().join("teeka.db"))?;
        }
        Command::Record { count, beneficiaries, villages, db } => {
            let (_dir, path) = store_path(&cli, db.as_deref())?;
            ensure_block(&cli, &path, *beneficiaries, *villages)?;
            bench_record(&cli, &path, *count)?;
        }
        Command::Search { beneficiaries, villages, db, runs, text } => {
            let (_dir, path) = store_path(&cli, db.as_deref())?;
            ensure_block(&cli, &path, *beneficiaries, *villages)?;
            bench_search(&path, *runs, text)?;
        }
        Command::All => {
            let dir = temp_dir(&cli)?;
            let path = dir.path().join("teeka.db");
            bench_import(&cli, 50_000, 50, &path)?;
            println!();
            bench_due_list(&cli, &path, 7, None)?;
            println!();
            bench_record(&cli, &path, 1000)?;
        }
        Command::SyncIngest(args) => sync::ingest(&cli, args)?,
        Command::SyncWire(args) => sync::wire(&cli, args)?,
        Command::Sync2g(args) => {
            sync::two_g(&cli, args)?;
        }
        Command::SyncFirst(args) => sync::first(&cli, args)?,
        Command::SyncAll => sync::all(&cli)?,
        Command::Report(args) => district::report(&cli, args)?,
        Command::Pull(args) => {
            pull::pull(args)?;
        }
        Command::VsPouchdb(args) => {
            pouch::compare(&cli, args)?;
        }
        Command::Goals(args) => goals(&cli, args)?,
        Command::Encryption(args) => crypt::encryption(&cli, args)?,
        Command::Campaign(args) => {
            let dir = temp_dir(&cli)?;
            campaign::campaign(&cli, args, &dir.path().join("teeka.db"))?;
        }
        Command::Generate { rows, villages, out } => {
            let b = generate(&cli, *rows, *villages)?;
            std::fs::write(out, b.csv).with_context(|| format!("writing {}", out.display()))?;
            println!("wrote {}", out.display());
        }
    }
    println!("(total {:.1} s)", started.elapsed().as_secs_f64());
    Ok(())
}

/// The store to use: `--db`, or a new one in a temporary directory (kept alive by the guard).
fn store_path(cli: &Cli, db: Option<&Path>) -> Result<(Option<tempfile::TempDir>, PathBuf)> {
    match db {
        Some(p) => Ok((None, p.to_path_buf())),
        None => {
            let dir = temp_dir(cli)?;
            let path = dir.path().join("teeka.db");
            Ok((Some(dir), path))
        }
    }
}
