//! `teeka-bench campaign`: the round's session plan and the carry kits of a block (issue 10):
//! 200 session sites over the villages of a 50,000-beneficiary block, one round, timed as a
//! supervisor and an ANM wait for them (`Store::round_plan`, `Store::site_kits` for the whole
//! block, `Store::site_kit` for one site).

use crate::{ctx, fmt_ms, min_median_max, Cli};
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;
use teeka_domain::calendar::Weekdays;
use teeka_domain::kit::VaccineTable;
use teeka_domain::plan::SessionNorms;
use teeka_store::Store;

#[derive(clap::Args)]
pub struct CampaignArgs {
    #[arg(long, default_value_t = 50_000)]
    pub beneficiaries: usize,
    /// Session sites, one per village (the block is generated with as many villages).
    #[arg(long, default_value_t = 200)]
    pub sites: usize,
    /// Timed runs of each measure (after one first run, reported apart).
    #[arg(long, default_value_t = 7)]
    pub runs: usize,
}

/// The microplan of the block: one site per village, every fifth a fixed site, the others
/// outreach; an ANM for every four sites, two mobilizers each.
pub(crate) fn sites_csv(villages: &[String]) -> String {
    let mut csv =
        String::from("site_id,name,villages,type,hra,anm,anm_phone,mobilizers,avd,distance_km,travel_minutes,ri_day\n");
    for (i, v) in villages.iter().enumerate() {
        let kind = if i % 5 == 0 { "fixed" } else { "outreach" };
        let _ = writeln!(
            csv,
            "S-{:03},{v} site,{v},{kind},none,ANM {},98765{:05},ASHA {i}a;AWW {i}b,AVD {},{}.{},{},wed",
            i + 1,
            i / 4 + 1,
            i / 4 + 1,
            i / 4 + 1,
            2 + i % 20,
            i % 10,
            10 + i % 50
        );
    }
    csv
}

pub fn campaign(cli: &Cli, args: &CampaignArgs, path: &Path) -> Result<()> {
    println!(
        "== campaign: the session plan and carry kits of {} sites over a block of {} beneficiaries",
        args.sites, args.beneficiaries
    );
    let b = crate::generate(cli, args.beneficiaries, args.sites)?;
    let rows = teeka_domain::register::parse_register(b.csv.as_bytes(), cli.today)?;
    let mut villages: Vec<String> = rows.iter().map(|r| r.village.clone()).collect();
    villages.sort();
    villages.dedup();
    let mut store = Store::open(path)?;
    let c = ctx(cli.today);
    store.import_register(&rows, &c)?;
    let t = Instant::now();
    let imported = store.import_sites(sites_csv(&villages).as_bytes(), &c).context("importing the sites")?;
    println!("imported {} sites in {}", villages.len(), fmt_ms(t.elapsed()));
    anyhow::ensure!(imported.new == villages.len(), "{} sites imported of {}", imported.new, villages.len());
    let ri = Weekdays::parse("wed,sat")?;
    let round = store.add_round(1, cli.today, 7, &ri, &BTreeSet::new(), &c)?;
    let first_day = round.days.first().copied().context("the round has no days")?;
    let norms = SessionNorms::default();

    let t = Instant::now();
    let plan = store.round_plan(1, &norms)?;
    let first = t.elapsed();
    let mut times = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let t = Instant::now();
        store.round_plan(1, &norms)?;
        times.push(t.elapsed());
    }
    let plan_times = times.clone();
    println!(
        "session plan of the block (round 1, {} days from {}): {}; first run {}; {} sessions, {} problems",
        round.days.len(),
        teeka_domain::iso(first_day),
        min_median_max(times),
        fmt_ms(first),
        plan.sessions.len(),
        plan.problems.len()
    );

    let table = VaccineTable::default();
    let site_ids: Vec<String> = (1..=villages.len()).map(|i| format!("S-{i:03}")).collect();
    let mut times = Vec::with_capacity(args.runs);
    let mut vials = 0u64;
    let mut kits = 0usize;
    for _ in 0..args.runs.max(1) {
        let t = Instant::now();
        let all = store.site_kits(first_day, &table)?;
        times.push(t.elapsed());
        kits = all.len();
        vials = all.iter().flat_map(|k| &k.items).map(|i| u64::from(i.vials)).sum();
    }
    let kits_median = crate::quantile(
        &{
            let mut t = times.clone();
            t.sort();
            t
        },
        0.5,
    );
    println!(
        "carry kits of every site on {} (Store::site_kits): {}; {kits} kits, {vials} vials in all",
        teeka_domain::iso(first_day),
        min_median_max(times)
    );
    let plan_median = crate::quantile(
        &{
            let mut t = plan_times.clone();
            t.sort();
            t
        },
        0.5,
    );
    println!(
        "session plan and every carry kit of the block, medians added: {} (goal under 1 s)",
        fmt_ms(plan_median + kits_median)
    );
    let one = &site_ids[site_ids.len() / 2];
    let mut times = Vec::with_capacity(args.runs * 5);
    for _ in 0..args.runs * 5 {
        let t = Instant::now();
        store.site_kit(one, first_day, &table)?;
        times.push(t.elapsed());
    }
    println!("carry kit of one site ({one}): {}", min_median_max(times));
    Ok(())
}
