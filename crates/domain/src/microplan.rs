//! The microplan after a log: a pure fold of the campaign's events into its sites, rounds,
//! holidays and what happened to planned sessions, with the device store's rules (its
//! projection, `crates/store/src/project.rs`, tables of `migrations/device/0008_campaign.sql`),
//! so that a replica without a device store (the server) holds what a device holds after
//! ingesting the same events in the same order:
//!
//! - An event is applied once, however often it arrives (keyed by its id).
//! - A site id registered again under another id makes that id an alias of the first; the
//!   registration's fields apply to the first. A round number defined twice likewise. A village
//!   named like a village already known (ASCII case aside) is an alias of it (as in
//!   [`crate::replay`]), so a site's villages are kept as their canonical ids, resolved when set.
//! - Fields follow last-writer-wins per field under the [`Stamp`] (HLC, then device id); within
//!   one event the first value of a field wins. A round's start, working days and RI days are
//!   its fields; a holiday is last-writer-wins per round and date; a planned session's
//!   not-held reason, note and new day are last-writer-wins per [`planned_session_key`] of the
//!   resolved round, site and date.
//! - An update of a site, a holiday of a round, a change of a planned session whose site or
//!   round is not known when it arrives changes nothing (as in the store: it stays in the log).
//!
//! Sessions, vials and the register are not part of it (they are passed over).

use crate::codes::{AreaLevel, Day, HraType, NotHeldReason, SiteType};
use crate::dates::Date;
use crate::model::{planned_session_key, Contact, Event, EventBody, SiteField, Stamp};
use crate::plan::PlanChange;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// Why a log cannot be folded: where the device store refuses it too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MicroplanError {
    /// A new site without a name or a type.
    #[error("event {event}: site '{site_id}' registered without a name or type")]
    Incomplete { event: Uuid, site_id: String },
}

impl MicroplanError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            MicroplanError::Incomplete { .. } => "LOG_INCOMPLETE_REGISTRATION",
        }
    }
}

/// A session site of the microplan, as its fields stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The id of its (first) registration.
    pub id: Uuid,
    /// The microplan's id (`S-01`).
    pub site_id: String,
    pub name: String,
    /// The villages it serves (canonical ids), in the microplan's order.
    pub villages: Vec<Uuid>,
    pub site_type: SiteType,
    pub hra: HraType,
    pub anm: Option<Contact>,
    pub mobilizers: Vec<Contact>,
    pub avd: Option<Contact>,
    pub distance_tenths_km: Option<u32>,
    pub travel_minutes: Option<u32>,
    pub ri_day: Option<Day>,
}

/// A campaign round, as its settings stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// The id of its (first) definition.
    pub id: Uuid,
    pub number: u32,
    pub start: Date,
    pub working_days: u32,
    pub ri_days: Vec<Day>,
}

/// A day of a round declared a holiday (`holiday` true) or a working day again (false).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holiday {
    pub round: Uuid,
    pub date: Date,
    pub holiday: bool,
}

/// What happened to the session a round's plan has at a site on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionChange {
    /// [`planned_session_key`] of the (canonical) round, site and date.
    pub key: Uuid,
    pub round: Uuid,
    pub site: Uuid,
    pub date: Date,
    pub not_held: Option<NotHeldReason>,
    pub note: Option<String>,
    pub moved_to: Option<Date>,
}

/// The microplan's state after the events applied so far.
#[derive(Debug, Default)]
pub struct Microplan {
    applied: HashSet<Uuid>,
    aliases: HashMap<Uuid, Uuid>,
    /// Village ids by their name folded to ASCII lower case (those not aliases).
    villages: HashMap<String, BTreeSet<Uuid>>,
    /// The villages defined without a parent (named by a device).
    parentless: HashSet<Uuid>,
    village_ids: HashSet<Uuid>,
    sites: HashMap<Uuid, Site>,
    site_ids: HashMap<String, Uuid>,
    rounds: HashMap<Uuid, Round>,
    round_numbers: HashMap<u32, Uuid>,
    holidays: BTreeMap<(Uuid, Date), bool>,
    changes: HashMap<Uuid, SessionChange>,
    /// The stamp of the write that last set each field of each row.
    stamps: HashMap<(Uuid, &'static str), Stamp>,
}

impl Microplan {
    /// The microplan after `events`, applied in the order given.
    pub fn of<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Microplan, MicroplanError> {
        let mut plan = Microplan::default();
        for e in events {
            plan.apply(e)?;
        }
        Ok(plan)
    }

    /// Applies one event (nothing if it was applied before, or if it is not the microplan's).
    pub fn apply(&mut self, event: &Event) -> Result<(), MicroplanError> {
        if !self.applied.insert(event.id) {
            return Ok(());
        }
        let stamp = event.stamp();
        match &event.body {
            EventBody::AreaDefined { area, level: AreaLevel::Village, name, parent } => {
                // The store's rule: a village named by a device (no parent) is the one of the same
                // name already known; two villages with a parent stay two.
                let key = name.to_ascii_lowercase();
                let same_name = self.villages.get(&key).and_then(|ids| {
                    ids.iter().find(|v| *v != area && (parent.is_none() || self.parentless.contains(*v))).copied()
                });
                match same_name {
                    Some(existing) => self.alias(*area, existing),
                    None => {
                        self.villages.entry(key).or_default().insert(*area);
                        if parent.is_none() {
                            self.parentless.insert(*area);
                        }
                        self.village_ids.insert(*area);
                    }
                }
            }
            EventBody::SiteRegistered { site, site_id, fields } => {
                match self.site_ids.get(site_id).copied().filter(|e| e != site) {
                    Some(existing) => {
                        self.alias(*site, existing);
                        self.set_site_fields(existing, fields, stamp);
                    }
                    None => {
                        let name = fields.iter().find_map(|f| match f {
                            SiteField::Name(n) => Some(n.clone()),
                            _ => None,
                        });
                        let site_type = fields.iter().find_map(|f| match f {
                            SiteField::SiteType(t) => Some(*t),
                            _ => None,
                        });
                        let (Some(name), Some(site_type)) = (name, site_type) else {
                            return Err(MicroplanError::Incomplete { event: event.id, site_id: site_id.clone() });
                        };
                        if !self.sites.contains_key(site) {
                            self.site_ids.insert(site_id.clone(), *site);
                            self.sites.insert(
                                *site,
                                Site {
                                    id: *site,
                                    site_id: site_id.clone(),
                                    name,
                                    villages: Vec::new(),
                                    site_type,
                                    hra: HraType::None,
                                    anm: None,
                                    mobilizers: Vec::new(),
                                    avd: None,
                                    distance_tenths_km: None,
                                    travel_minutes: None,
                                    ri_day: None,
                                },
                            );
                        }
                        self.set_site_fields(*site, fields, stamp);
                    }
                }
            }
            EventBody::SiteUpdated { site, fields } => {
                let site = self.resolve(*site);
                self.set_site_fields(site, fields, stamp);
            }
            EventBody::RoundDefined { round, number, start, working_days, ri_days, holidays } => {
                let id = match self.round_numbers.get(number).copied().filter(|e| e != round) {
                    Some(existing) => {
                        self.alias(*round, existing);
                        existing
                    }
                    None => {
                        if !self.rounds.contains_key(round) {
                            self.round_numbers.insert(*number, *round);
                            let row = Round {
                                id: *round,
                                number: *number,
                                start: *start,
                                working_days: *working_days,
                                ri_days: Vec::new(),
                            };
                            self.rounds.insert(*round, row);
                        }
                        *round
                    }
                };
                if self.wins(id, "start", stamp) {
                    self.set_round(id, "start", stamp, |r| r.start = *start);
                }
                if self.wins(id, "working_days", stamp) {
                    self.set_round(id, "working_days", stamp, |r| r.working_days = *working_days);
                }
                if self.wins(id, "ri_days", stamp) {
                    self.set_round(id, "ri_days", stamp, |r| r.ri_days = ri_days.clone());
                }
                for date in holidays {
                    self.set_holiday(id, *date, true, stamp);
                }
            }
            EventBody::RoundHolidaySet { round, date, holiday } => {
                let round = self.resolve(*round);
                self.set_holiday(round, *date, *holiday, stamp);
            }
            EventBody::SessionNotHeld { round, site, date, reason, note } => {
                if let Some(key) = self.planned_session(*round, *site, *date) {
                    if self.wins(key, "not_held_reason", stamp) {
                        self.stamps.insert((key, "not_held_reason"), stamp);
                        if let Some(c) = self.changes.get_mut(&key) {
                            c.not_held = Some(*reason);
                        }
                    }
                    if self.wins(key, "note", stamp) {
                        self.stamps.insert((key, "note"), stamp);
                        if let Some(c) = self.changes.get_mut(&key) {
                            c.note = note.clone();
                        }
                    }
                }
            }
            EventBody::SessionRescheduled { round, site, date, to } => {
                if let Some(key) = self.planned_session(*round, *site, *date) {
                    if self.wins(key, "moved_to", stamp) {
                        self.stamps.insert((key, "moved_to"), stamp);
                        if let Some(c) = self.changes.get_mut(&key) {
                            c.moved_to = Some(*to);
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The canonical id of a village, site or round (itself unless it is an alias).
    pub fn resolve(&self, id: Uuid) -> Uuid {
        self.aliases.get(&id).copied().unwrap_or(id)
    }

    /// Every site, sorted by its microplan id.
    pub fn sites(&self) -> Vec<&Site> {
        let mut out: Vec<&Site> = self.sites.values().collect();
        out.sort_unstable_by(|a, b| a.site_id.cmp(&b.site_id));
        out
    }

    /// The site an id names (through its aliases).
    pub fn site(&self, id: Uuid) -> Option<&Site> {
        self.sites.get(&self.resolve(id))
    }

    /// Every round, sorted by number.
    pub fn rounds(&self) -> Vec<&Round> {
        let mut out: Vec<&Round> = self.rounds.values().collect();
        out.sort_unstable_by_key(|r| r.number);
        out
    }

    /// The round of this number.
    pub fn round(&self, number: u32) -> Option<&Round> {
        self.round_numbers.get(&number).and_then(|id| self.rounds.get(id))
    }

    /// Every day of every round declared a holiday or a working day again, by round and date.
    pub fn holiday_rows(&self) -> Vec<Holiday> {
        self.holidays
            .iter()
            .map(|((round, date), holiday)| Holiday { round: *round, date: *date, holiday: *holiday })
            .collect()
    }

    /// The holidays of a round (the days still declared so), in date order.
    pub fn holidays(&self, round: Uuid) -> Vec<Date> {
        let round = self.resolve(round);
        self.holidays
            .range((round, Date::MIN)..=(round, Date::MAX))
            .filter(|(_, h)| **h)
            .map(|((_, d), _)| *d)
            .collect()
    }

    /// What happened to planned sessions, by round, site and date.
    pub fn changes(&self) -> Vec<&SessionChange> {
        let mut out: Vec<&SessionChange> = self.changes.values().collect();
        out.sort_unstable_by_key(|c| (c.round, c.site, c.date));
        out
    }

    /// The changes of a round's planned sessions, as [`crate::plan::apply_changes`] takes them
    /// (sites by their microplan id).
    pub fn plan_changes(&self, round: Uuid) -> Vec<PlanChange> {
        let round = self.resolve(round);
        self.changes()
            .into_iter()
            .filter(|c| c.round == round)
            .filter_map(|c| {
                let site = self.sites.get(&c.site)?;
                Some(PlanChange {
                    site_id: site.site_id.clone(),
                    day: c.date,
                    not_held: c.not_held,
                    note: c.note.clone(),
                    moved_to: c.moved_to,
                })
            })
            .collect()
    }

    /// Makes `id` an alias of `canonical`, unless it is an alias already.
    fn alias(&mut self, id: Uuid, canonical: Uuid) {
        self.aliases.entry(id).or_insert(canonical);
    }

    fn wins(&self, row: Uuid, field: &'static str, stamp: Stamp) -> bool {
        stamp.overrides(self.stamps.get(&(row, field)).copied())
    }

    fn set_round(&mut self, id: Uuid, field: &'static str, stamp: Stamp, set: impl FnOnce(&mut Round)) {
        if let Some(r) = self.rounds.get_mut(&id) {
            set(r);
            self.stamps.insert((id, field), stamp);
        }
    }

    /// Sets the fields that win of a site (of none, if it is not known).
    fn set_site_fields(&mut self, id: Uuid, fields: &[SiteField], stamp: Stamp) {
        for f in fields {
            if !self.sites.contains_key(&id) || !self.wins(id, f.name(), stamp) {
                continue;
            }
            let villages = match f {
                SiteField::Villages(v) => v.iter().map(|v| self.resolve(*v)).collect(),
                _ => Vec::new(),
            };
            let Some(site) = self.sites.get_mut(&id) else { continue };
            match f {
                SiteField::Name(v) => site.name = v.clone(),
                SiteField::Villages(_) => site.villages = villages,
                SiteField::SiteType(v) => site.site_type = *v,
                SiteField::Hra(v) => site.hra = *v,
                SiteField::Anm(v) => site.anm = v.clone(),
                SiteField::Mobilizers(v) => site.mobilizers = v.clone(),
                SiteField::Avd(v) => site.avd = v.clone(),
                SiteField::DistanceTenthsKm(v) => site.distance_tenths_km = *v,
                SiteField::TravelMinutes(v) => site.travel_minutes = *v,
                SiteField::RiDay(v) => site.ri_day = *v,
            }
            self.stamps.insert((id, f.name()), stamp);
        }
    }

    /// Declares a round's day a holiday or a working day again (last-writer-wins per day; nothing
    /// if the round is not known).
    fn set_holiday(&mut self, round: Uuid, date: Date, holiday: bool, stamp: Stamp) {
        if !self.rounds.contains_key(&round) {
            return;
        }
        let key = Uuid::new_v5(&round, format!("holiday/{}", crate::dates::iso(date)).as_bytes());
        if self.wins(key, "holiday", stamp) {
            self.holidays.insert((round, date), holiday);
            self.stamps.insert((key, "holiday"), stamp);
        }
    }

    /// The key of the planned session of a round at a site on a day, its row made when first
    /// needed (none when the round or the site is not known).
    fn planned_session(&mut self, round: Uuid, site: Uuid, date: Date) -> Option<Uuid> {
        let (round, site) = (self.resolve(round), self.resolve(site));
        if !self.rounds.contains_key(&round) || !self.sites.contains_key(&site) {
            return None;
        }
        let key = planned_session_key(round, site, date);
        self.changes.entry(key).or_insert_with(|| SessionChange {
            key,
            round,
            site,
            date,
            not_held: None,
            note: None,
            moved_to: None,
        });
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::hlc::Hlc;

    fn d(s: &str) -> Date {
        crate::parse_date(s).unwrap()
    }

    fn ev(n: u128, wall: u64, device: u128, body: EventBody) -> Event {
        Event {
            id: Uuid::from_u128(1000 + n),
            device_id: Uuid::from_u128(device),
            hlc: Hlc { wall_ms: wall, counter: 0 },
            author: "t".into(),
            worker: None,
            recorded_at: chrono::DateTime::default(),
            body,
        }
    }

    fn register(n: u128, wall: u64, device: u128, site: u128, name: &str) -> Event {
        ev(
            n,
            wall,
            device,
            EventBody::SiteRegistered {
                site: Uuid::from_u128(site),
                site_id: "S-01".into(),
                fields: vec![
                    SiteField::Name(name.into()),
                    SiteField::Villages(vec![Uuid::from_u128(7)]),
                    SiteField::SiteType(SiteType::Outreach),
                ],
            },
        )
    }

    #[test]
    fn a_site_registered_twice_is_one_site_its_fields_last_writer_wins() {
        let a = register(1, 10, 0xa, 1, "Rampur AWC");
        let b = register(2, 20, 0xb, 2, "Rampur Anganwadi");
        let update = ev(
            3,
            15,
            0xb,
            EventBody::SiteUpdated { site: Uuid::from_u128(2), fields: vec![SiteField::Hra(HraType::BrickKiln)] },
        );
        for order in [vec![&a, &b, &update], vec![&b, &update, &a], vec![&b, &a, &update, &a]] {
            let plan = Microplan::of(order).unwrap();
            let sites = plan.sites();
            assert_eq!(sites.len(), 1);
            assert_eq!((sites[0].name.as_str(), sites[0].hra), ("Rampur Anganwadi", HraType::BrickKiln));
            assert_eq!(plan.site(Uuid::from_u128(1)), plan.site(Uuid::from_u128(2)));
        }
        let incomplete = ev(
            9,
            1,
            0xa,
            EventBody::SiteRegistered { site: Uuid::from_u128(9), site_id: "S-09".into(), fields: vec![] },
        );
        assert_eq!(Microplan::of([&incomplete]).unwrap_err().code(), "LOG_INCOMPLETE_REGISTRATION");
    }

    #[test]
    fn rounds_holidays_and_planned_sessions_converge() {
        let round = |n: u128, wall: u64, id: u128, start: &str| {
            ev(
                n,
                wall,
                0xa,
                EventBody::RoundDefined {
                    round: Uuid::from_u128(id),
                    number: 1,
                    start: d(start),
                    working_days: 7,
                    ri_days: vec![Day::Wed],
                    holidays: vec![d("2019-12-25")],
                },
            )
        };
        let r1 = round(1, 10, 100, "2019-12-02");
        let r2 = round(2, 20, 200, "2019-12-03");
        let site = register(3, 5, 0xa, 1, "AWC");
        let working = ev(
            4,
            30,
            0xb,
            EventBody::RoundHolidaySet { round: Uuid::from_u128(200), date: d("2019-12-25"), holiday: false },
        );
        let not_held = ev(
            5,
            40,
            0xb,
            EventBody::SessionNotHeld {
                round: Uuid::from_u128(100),
                site: Uuid::from_u128(1),
                date: d("2019-12-03"),
                reason: NotHeldReason::Weather,
                note: None,
            },
        );
        let moved = ev(
            6,
            41,
            0xb,
            EventBody::SessionRescheduled {
                round: Uuid::from_u128(200),
                site: Uuid::from_u128(1),
                date: d("2019-12-03"),
                to: d("2019-12-10"),
            },
        );
        for order in
            [vec![&r1, &r2, &site, &working, &not_held, &moved], vec![&r2, &site, &moved, &r1, &not_held, &working]]
        {
            let plan = Microplan::of(order).unwrap();
            let r = plan.round(1).unwrap();
            assert_eq!((r.start, r.ri_days.as_slice()), (d("2019-12-03"), &[Day::Wed][..]));
            assert_eq!(plan.holidays(r.id), Vec::<Date>::new(), "declared a working day again, later");
            let changes = plan.plan_changes(r.id);
            assert_eq!(changes.len(), 1);
            assert_eq!(
                (changes[0].not_held, changes[0].moved_to, changes[0].day),
                (Some(NotHeldReason::Weather), Some(d("2019-12-10")), d("2019-12-03"))
            );
        }
    }
}
