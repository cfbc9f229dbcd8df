//! The domain's fold of the microplan (`teeka_domain::Microplan`, what the server plans from)
//! holds what the device store's projection holds (tables `sites`, `rounds`, `round_holidays`,
//! `planned_sessions`, read here by plain SQL), for generated logs: several devices, sites and
//! rounds registered twice under other ids, villages named twice, conflicting field writes with
//! tying stamps, holidays declared and withdrawn, sessions not held and moved, events naming ids
//! not (yet) known, all delivered in shuffled order, in two batches, some twice. Where the store
//! refuses a log (a new site without a name or type), the fold refuses it too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::collections::BTreeMap;
use teeka_domain::microplan::{Holiday, Round, SessionChange, Site};
use teeka_domain::{
    AreaLevel, Contact, Date, Day, Event, EventBody, Hlc, HraType, Microplan, NotHeldReason, SiteField, SiteType,
};
use teeka_store::Store;
use uuid::Uuid;

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 6, 0, 0).unwrap()
}

fn day(n: u8) -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 12, 2).unwrap() + chrono::Days::new(u64::from(n % 12))
}

/// One generated step: what it does, three choices, the device, the stamp's wall time.
type Op = (u8, u8, u8, u8, u8, u8);

const VILLAGE_NAMES: [&str; 4] = ["Rampur", "rampur", "Lalpur", "Kheri"];
const REASONS: [NotHeldReason; 3] = [NotHeldReason::AnmAbsent, NotHeldReason::Weather, NotHeldReason::Other];

struct Log {
    next: u64,
    devices: [Uuid; 3],
    base: Vec<Event>,
    events: Vec<Event>,
    subcentre: Uuid,
    villages: Vec<Uuid>,
    /// Sites made, with their microplan id; rounds made, with their number.
    sites: Vec<(Uuid, String)>,
    rounds: Vec<(Uuid, u32)>,
}

impl Log {
    fn new() -> Log {
        let mut log = Log {
            next: 0,
            devices: [Uuid::nil(); 3],
            base: Vec::new(),
            events: Vec::new(),
            subcentre: Uuid::nil(),
            villages: Vec::new(),
            sites: Vec::new(),
            rounds: Vec::new(),
        };
        log.devices = [log.id(), log.id(), log.id()];
        let mut parent = None;
        for (level, name) in [
            (AreaLevel::State, "Uttar Pradesh"),
            (AreaLevel::District, "Sitapur"),
            (AreaLevel::Block, "Mahmudabad"),
            (AreaLevel::Subcentre, "Bhatpur SC"),
        ] {
            let area = log.id();
            log.server(EventBody::AreaDefined { area, level, name: name.into(), parent });
            parent = Some(area);
        }
        log.subcentre = parent.unwrap();
        for name in ["Rampur", "Lalpur"] {
            let area = log.id();
            log.server(EventBody::AreaDefined { area, level: AreaLevel::Village, name: name.into(), parent });
            log.villages.push(area);
        }
        log
    }

    fn id(&mut self) -> Uuid {
        self.next += 1;
        Uuid::from_u64_pair(mix(self.next), mix(self.next ^ 0x5555))
    }

    fn server(&mut self, body: EventBody) {
        let e = Event {
            id: self.id(),
            device_id: Uuid::nil(),
            hlc: Hlc { wall_ms: 0, counter: self.base.len() as u32 },
            author: "teeka-server".into(),
            worker: None,
            recorded_at: now(),
            body,
        };
        self.base.push(e);
    }

    fn pick(&mut self, ids: &[Uuid], pick: u8) -> Uuid {
        if ids.is_empty() || pick % 13 == 12 {
            self.id()
        } else {
            ids[usize::from(pick) % ids.len()]
        }
    }

    fn site(&mut self, pick: u8) -> Uuid {
        let s: Vec<Uuid> = self.sites.iter().map(|s| s.0).collect();
        self.pick(&s, pick)
    }

    fn round(&mut self, pick: u8) -> Uuid {
        let r: Vec<Uuid> = self.rounds.iter().map(|r| r.0).collect();
        self.pick(&r, pick)
    }

    fn site_fields(&mut self, b: u8, c: u8) -> Vec<SiteField> {
        let mut f = Vec::new();
        if b % 3 == 0 {
            let v = self.villages.clone();
            let mut villages = vec![self.pick(&v, c)];
            if c % 3 == 0 {
                villages.push(self.pick(&v, c / 3));
            }
            f.push(SiteField::Villages(villages));
        }
        if b % 4 == 1 {
            f.push(SiteField::Hra([HraType::None, HraType::BrickKiln, HraType::UrbanSlum][usize::from(c % 3)]));
        }
        if b % 5 < 2 {
            let anm = (c % 3 != 0).then(|| Contact { name: format!("ANM {}", c % 2), phone: None });
            f.push(SiteField::Anm(anm));
        }
        if b % 7 == 2 {
            let m = (0..c % 3).map(|i| Contact { name: format!("ASHA {i}"), phone: Some("9876543210".into()) });
            f.push(SiteField::Mobilizers(m.collect()));
        }
        if b % 6 == 5 {
            f.push(SiteField::Avd((c % 2 == 0).then(|| Contact { name: "Ramesh".into(), phone: None })));
        }
        if b % 8 == 3 {
            f.push(SiteField::DistanceTenthsKm((c % 3 != 0).then_some(u32::from(c))));
            f.push(SiteField::TravelMinutes(Some(u32::from(c / 2))));
        }
        if b % 9 == 4 {
            f.push(SiteField::RiDay((c % 2 == 0).then_some([Day::Wed, Day::Sat][usize::from(c / 2 % 2)])));
        }
        if c % 5 == 1 {
            f.push(SiteField::SiteType([SiteType::Fixed, SiteType::Outreach, SiteType::Mobile][usize::from(b % 3)]));
        }
        if c % 7 == 3 {
            f.push(SiteField::Name(format!("Renamed {}", b % 3)));
        }
        f
    }

    fn step(&mut self, (what, a, b, c, device, wall): Op) {
        let body = match what % 7 {
            0 => {
                let area = self.id();
                self.villages.push(area);
                EventBody::AreaDefined {
                    area,
                    level: AreaLevel::Village,
                    name: VILLAGE_NAMES[usize::from(a) % VILLAGE_NAMES.len()].into(),
                    parent: Some(self.subcentre),
                }
            }
            1 => {
                // Now and then the same site again under its own id (same microplan id).
                let (site, site_id) = if c % 5 == 4 && !self.sites.is_empty() {
                    self.sites[usize::from(c / 5) % self.sites.len()].clone()
                } else {
                    (self.id(), format!("S-{}", a % 4))
                };
                self.sites.push((site, site_id.clone()));
                let mut fields = Vec::new();
                if wall % 24 != 23 {
                    fields.push(SiteField::Name(format!("Site {}", a % 3)));
                }
                let v = self.villages.clone();
                fields.push(SiteField::Villages(vec![self.pick(&v, b)]));
                fields.push(SiteField::SiteType([SiteType::Fixed, SiteType::Outreach][usize::from(b % 2)]));
                fields.extend(self.site_fields(b, c));
                EventBody::SiteRegistered { site, site_id, fields }
            }
            2 => {
                let site = self.site(a);
                let fields = self.site_fields(b, c);
                EventBody::SiteUpdated { site, fields }
            }
            3 => {
                let (round, number) = if c % 5 == 4 && !self.rounds.is_empty() {
                    self.rounds[usize::from(c / 5) % self.rounds.len()]
                } else {
                    (self.id(), 1 + u32::from(a % 3))
                };
                self.rounds.push((round, number));
                EventBody::RoundDefined {
                    round,
                    number,
                    start: day(b % 3),
                    working_days: 5 + u32::from(c % 3),
                    ri_days: [vec![], vec![Day::Wed], vec![Day::Wed, Day::Sat]][usize::from(b % 3)].clone(),
                    holidays: (0..c % 3).map(|i| day(b.wrapping_add(i))).collect(),
                }
            }
            4 => EventBody::RoundHolidaySet { round: self.round(a), date: day(b % 5), holiday: c % 2 == 0 },
            5 => EventBody::SessionNotHeld {
                round: self.round(a),
                site: self.site(b),
                date: day(c % 4),
                reason: REASONS[usize::from(b % 3)],
                note: (c % 3 == 0).then(|| format!("note {}", b % 2)),
            },
            _ => EventBody::SessionRescheduled {
                round: self.round(a),
                site: self.site(b),
                date: day(c % 4),
                to: day(b % 6),
            },
        };
        let id = self.id();
        let id_counter = self.events.len() as u32;
        self.events.push(Event {
            id,
            device_id: self.devices[usize::from(device) % 3],
            // Few wall times: stamps tie across devices (the device id decides), and later steps
            // may carry earlier stamps (a device whose clock is behind); a device never stamps two
            // events alike (its clock ticks), hence the step's number in the counter.
            hlc: Hlc { wall_ms: 1_000 + u64::from(wall % 6), counter: u32::from(wall / 6 % 3) * 1_000 + id_counter },
            author: "supervisor".into(),
            worker: None,
            recorded_at: now(),
            body,
        });
    }
}

/// The generated log in arrival order: the server's areas first, then the devices' events in
/// the order made (`order` 0), shuffled (1), or with neighbours swapped (2); some sent twice.
fn arrival(ops: &[Op], order: u8, seed: u64) -> Vec<Event> {
    let mut log = Log::new();
    for op in ops {
        log.step(*op);
    }
    let mut events = log.events;
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..events.len() / 8 {
        let i = (next() % events.len() as u64) as usize;
        let again = events[i].clone();
        events.push(again);
    }
    match order % 3 {
        0 => {}
        1 => {
            for i in (1..events.len()).rev() {
                events.swap(i, (next() % (i as u64 + 1)) as usize);
            }
        }
        _ => {
            for _ in 0..events.len() {
                let i = (next() % events.len() as u64) as usize;
                if i + 1 < events.len() {
                    events.swap(i, i + 1);
                }
            }
        }
    }
    [log.base, events].concat()
}

/// What both sides hold, in one comparable shape (rows sorted by id).
#[derive(Debug, PartialEq, Eq, Default)]
struct State {
    sites: BTreeMap<Uuid, Site>,
    rounds: BTreeMap<Uuid, Round>,
    holidays: Vec<Holiday>,
    changes: BTreeMap<Uuid, SessionChange>,
}

fn date(text: &str) -> Date {
    teeka_domain::parse_date(text).unwrap()
}

fn uuid(text: &str) -> Uuid {
    Uuid::parse_str(text).unwrap()
}

fn json<T: serde::de::DeserializeOwned>(text: Option<String>) -> Option<T> {
    text.map(|t| serde_json::from_str(&t).unwrap())
}

/// The store's microplan tables after ingesting `events` in two batches (`None`: refused).
fn by_store(events: &[Event], split: usize) -> Option<State> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut store = Store::open(&path).unwrap();
    let (first, second) = events.split_at(split.min(events.len()));
    store.ingest(first, now()).ok()?;
    store.ingest(second, now()).ok()?;
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut state = State::default();
    let mut stmt = conn
        .prepare(
            "SELECT id, site_id, name, villages, site_type, hra, anm, mobilizers, avd, distance_tenths_km,
                    travel_minutes, ri_day FROM sites",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let site = Site {
            id: uuid(&r.get::<_, String>(0).unwrap()),
            site_id: r.get(1).unwrap(),
            name: r.get(2).unwrap(),
            villages: json(r.get(3).unwrap()).unwrap(),
            site_type: r.get::<_, String>(4).unwrap().parse().unwrap(),
            hra: r.get::<_, String>(5).unwrap().parse().unwrap(),
            anm: json(r.get(6).unwrap()),
            mobilizers: json(r.get(7).unwrap()).unwrap(),
            avd: json(r.get(8).unwrap()),
            distance_tenths_km: r.get(9).unwrap(),
            travel_minutes: r.get(10).unwrap(),
            ri_day: r.get::<_, Option<String>>(11).unwrap().map(|d| d.parse().unwrap()),
        };
        state.sites.insert(site.id, site);
    }
    let mut stmt = conn.prepare("SELECT id, number, start, working_days, ri_days FROM rounds").unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let round = Round {
            id: uuid(&r.get::<_, String>(0).unwrap()),
            number: r.get(1).unwrap(),
            start: date(&r.get::<_, String>(2).unwrap()),
            working_days: r.get(3).unwrap(),
            ri_days: json(r.get(4).unwrap()).unwrap(),
        };
        state.rounds.insert(round.id, round);
    }
    let mut stmt = conn.prepare("SELECT round_id, date, holiday FROM round_holidays").unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        state.holidays.push(Holiday {
            round: uuid(&r.get::<_, String>(0).unwrap()),
            date: date(&r.get::<_, String>(1).unwrap()),
            holiday: r.get(2).unwrap(),
        });
    }
    state.holidays.sort_unstable();
    let mut stmt = conn
        .prepare("SELECT id, round_id, site_id, date, not_held_reason, note, moved_to FROM planned_sessions")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let change = SessionChange {
            key: uuid(&r.get::<_, String>(0).unwrap()),
            round: uuid(&r.get::<_, String>(1).unwrap()),
            site: uuid(&r.get::<_, String>(2).unwrap()),
            date: date(&r.get::<_, String>(3).unwrap()),
            not_held: r.get::<_, Option<String>>(4).unwrap().map(|c| c.parse().unwrap()),
            note: r.get(5).unwrap(),
            moved_to: r.get::<_, Option<String>>(6).unwrap().map(|d| date(&d)),
        };
        state.changes.insert(change.key, change);
    }
    Some(state)
}

fn by_fold(events: &[Event]) -> Option<State> {
    let plan = Microplan::of(events).ok()?;
    let mut holidays = plan.holiday_rows();
    holidays.sort_unstable();
    Some(State {
        sites: plan.sites().into_iter().map(|s| (s.id, s.clone())).collect(),
        rounds: plan.rounds().into_iter().map(|r| (r.id, r.clone())).collect(),
        holidays,
        changes: plan.changes().into_iter().map(|c| (c.key, c.clone())).collect(),
    })
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec((0u8..7, any::<u8>(), any::<u8>(), any::<u8>(), 0u8..3, any::<u8>()), 1..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]
    #[test]
    fn the_microplan_fold_holds_what_the_device_store_holds(
        ops in ops(), order in 0u8..3, seed in any::<u64>(), split in 0usize..80
    ) {
        let events = arrival(&ops, order, seed);
        let store = by_store(&events, split);
        let fold = by_fold(&events);
        prop_assert_eq!(store.is_some(), fold.is_some());
        prop_assert_eq!(store, fold);
    }
}

/// The generator reaches what the property is about: sites and rounds registered twice, fields
/// changed after registration, holidays withdrawn, sessions not held and moved, refused logs.
#[test]
fn the_generated_logs_reach_every_rule() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (ops(), 0u8..3, any::<u64>());
    let mut seen = BTreeMap::<&str, usize>::new();
    for _ in 0..200 {
        let (ops, order, seed) = strategy.new_tree(&mut runner).unwrap().current();
        let events = arrival(&ops, order, seed);
        let Some(state) = by_store(&events, events.len()) else {
            *seen.entry("refused").or_default() += 1;
            continue;
        };
        let mut count = |what, yes: bool| *seen.entry(what).or_default() += usize::from(yes);
        let registered = |f: fn(&EventBody) -> bool| events.iter().filter(|e| f(&e.body)).count();
        count("site twice", registered(|b| matches!(b, EventBody::SiteRegistered { .. })) > state.sites.len());
        count("round twice", registered(|b| matches!(b, EventBody::RoundDefined { .. })) > state.rounds.len());
        count("site renamed", state.sites.values().any(|s| s.name.starts_with("Renamed")));
        count("working day again", state.holidays.iter().any(|h| !h.holiday));
        count("holiday", state.holidays.iter().any(|h| h.holiday));
        count("not held", state.changes.values().any(|c| c.not_held.is_some()));
        count("moved", state.changes.values().any(|c| c.moved_to.is_some()));
        count("two villages", state.sites.values().any(|s| s.villages.len() == 2));
    }
    for what in [
        "refused",
        "site twice",
        "round twice",
        "site renamed",
        "working day again",
        "holiday",
        "not held",
        "moved",
        "two villages",
    ] {
        let n = seen.get(what).copied().unwrap_or(0);
        assert!(n >= 5, "only {n} of the 200 logs: {what} ({seen:?})");
    }
}

/// The log in an order a replica can receive it: every event after the events that define the
/// ids it refers to (a site's, a round's, a village's), otherwise shuffled by `seed`; the
/// server's areas first.
fn causal(events: &[Event], seed: u64) -> Vec<Event> {
    let defines = |e: &Event| match &e.body {
        EventBody::SiteRegistered { site, .. } => Some(*site),
        EventBody::RoundDefined { round, .. } => Some(*round),
        EventBody::AreaDefined { area, .. } => Some(*area),
        _ => None,
    };
    let defined: std::collections::HashSet<Uuid> = events.iter().filter_map(defines).collect();
    let mut x = seed | 1;
    // The server's areas first, in their order (a device receives them before anything of theirs).
    let (mut out, mut left): (Vec<Event>, Vec<Event>) = events.iter().cloned().partition(|e| e.device_id.is_nil());
    let mut known: std::collections::HashSet<Uuid> = out.iter().filter_map(defines).collect();
    while !left.is_empty() {
        let ready: Vec<usize> = (0..left.len())
            .filter(|&i| left[i].body.references().iter().all(|r| !defined.contains(r) || known.contains(r)))
            .collect();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // An id defined twice (a site registered again): the first delivery makes it known.
        let i = if ready.is_empty() { 0 } else { ready[(x % ready.len() as u64) as usize] };
        let e = left.remove(i);
        known.extend(defines(&e));
        out.push(e);
    }
    out
}

/// What converges, named as people name it: sites by their microplan id (villages by name),
/// rounds by number, holidays by round number and date, changes by round number, site id and
/// date. The ids a replica made canonical depend on what it saw first; these do not.
#[derive(Debug, PartialEq, Eq)]
struct Named {
    sites: BTreeMap<String, (String, Vec<String>, String)>,
    rounds: BTreeMap<u32, (Date, u32, Vec<Day>)>,
    holidays: BTreeMap<(u32, Date), bool>,
    changes: BTreeMap<(u32, String, Date), String>,
}

fn named(state: &State, events: &[Event]) -> Named {
    let village_names: std::collections::HashMap<Uuid, String> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::AreaDefined { area, name, .. } => Some((*area, name.to_ascii_lowercase())),
            _ => None,
        })
        .collect();
    let number = |round: &Uuid| state.rounds[round].number;
    let site_id = |site: &Uuid| state.sites[site].site_id.clone();
    Named {
        sites: state
            .sites
            .values()
            .map(|s| {
                let villages =
                    s.villages.iter().map(|v| village_names.get(v).cloned().unwrap_or(v.to_string())).collect();
                let rest = format!(
                    "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                    s.site_type, s.hra, s.anm, s.mobilizers, s.avd, s.distance_tenths_km, s.travel_minutes, s.ri_day
                );
                (s.site_id.clone(), (s.name.clone(), villages, rest))
            })
            .collect(),
        rounds: state.rounds.values().map(|r| (r.number, (r.start, r.working_days, r.ri_days.clone()))).collect(),
        holidays: state.holidays.iter().map(|h| ((number(&h.round), h.date), h.holiday)).collect(),
        changes: state
            .changes
            .values()
            .map(|c| {
                (
                    (number(&c.round), site_id(&c.site), c.date),
                    format!("{:?} {:?} {:?}", c.not_held, c.note, c.moved_to),
                )
            })
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    /// Sites and rounds converge across devices: two replicas that receive the same events in
    /// different (causal) orders hold the same microplan, and the store holds what the fold does.
    #[test]
    fn sites_and_rounds_converge_in_any_causal_order(ops in ops(), a in any::<u64>(), b in any::<u64>()) {
        let events = arrival(&ops, 0, a);
        let (one, two) = (causal(&events, a), causal(&events, b));
        let (Some(x), Some(y)) = (by_fold(&one), by_fold(&two)) else {
            // A new site without a name is refused, or not, by whether it came first.
            return Ok(());
        };
        prop_assert_eq!(named(&x, &events), named(&y, &events));
        prop_assert_eq!(by_store(&one, one.len() / 2), Some(x));
    }
}
