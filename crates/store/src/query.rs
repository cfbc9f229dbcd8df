//! Reads: the people behind the due list and coverage, and the full export.

use crate::error::{corrupt, parse, Result, StoreError};
use crate::packed::unpack_doses;
use crate::store::Store;
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;
use std::sync::Arc;
use teeka_domain::report::{coverage, Coverage, DueItem, DueLister, Person};

/// Beneficiaries with their rank in (village, household id) order and their doses.
type Ranked = Vec<(u32, Person, Vec<Given>)>;
use teeka_domain::{BeneficiaryFacts, Date, Given, HouseholdFacts, Kind};
use uuid::Uuid;

/// The export is the domain's (`teeka_domain::export`), re-exported here.
pub use teeka_domain::{Export, ExportBeneficiary, ExportDelivery, ExportDose, ExportNotGiven};

/// Parses a stored ISO date quickly (the due list reads hundreds of thousands).
fn date(text: &str) -> Result<Date> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            if let Some(date) = Date::from_ymd_opt(y as i32, m, d) {
                return Ok(date);
            }
        }
    }
    Err(corrupt(format!("date '{text}'")))
}

/// A kind code, without allocating.
fn kind(text: &str) -> Result<Kind> {
    match text {
        "child" => Ok(Kind::Child),
        "pregnant_woman" => Ok(Kind::PregnantWoman),
        other => Err(corrupt(format!("kind '{other}'"))),
    }
}

fn opt_date(text: Option<String>) -> Result<Option<Date>> {
    text.as_deref().map(date).transpose()
}

impl Store {
    /// The id of the village named `name`, if the store has one.
    pub(crate) fn village_id(&self, name: &str) -> Result<Option<Uuid>> {
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM areas WHERE level = 'village' AND name = ?1 COLLATE NOCASE ORDER BY id LIMIT 1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        id.map(|t| parse::<Uuid>(&t, "area id")).transpose()
    }

    /// The village names, sorted.
    pub fn villages(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT DISTINCT name FROM areas WHERE level = 'village' ORDER BY name")?;
        let names = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(names)
    }

    /// Every beneficiary (optionally of one village), sorted by village, household and register
    /// id, each with the doses on record (corrections applied).
    pub fn people(&self, village: Option<&str>) -> Result<Vec<(Person, Vec<Given>)>> {
        let mut people = Vec::new();
        self.read_people(village, usize::MAX, |chunk| {
            people.extend(chunk);
            true
        })?;
        people.sort_unstable_by(|(ra, a, _), (rb, b, _)| (ra, &a.register_id).cmp(&(rb, &b.register_id)));
        Ok(people.into_iter().map(|(_, p, h)| (p, h)).collect())
    }

    /// Reads the beneficiaries in storage order and hands them to `sink` in chunks of `chunk`,
    /// each with its rank: sorting by (rank, register id) gives the order of [`Store::people`].
    /// Stops early if `sink` returns false.
    fn read_people(&self, village: Option<&str>, chunk: usize, sink: impl FnMut(Ranked) -> bool) -> Result<()> {
        let village_id = match village {
            Some(v) => Some(self.village_id(v)?.ok_or_else(|| StoreError::UnknownVillage(v.to_string()))?),
            None => None,
        };
        self.read_people_in(village_id, chunk, sink)
    }

    /// The beneficiaries of the village with this id (two villages may share a name), as
    /// [`Store::people`] gives them.
    pub(crate) fn people_of(&self, village: Uuid) -> Result<Vec<(Person, Vec<Given>)>> {
        let mut people = Vec::new();
        self.read_people_in(Some(village), usize::MAX, |chunk| {
            people.extend(chunk);
            true
        })?;
        people.sort_unstable_by(|(ra, a, _), (rb, b, _)| (ra, &a.register_id).cmp(&(rb, &b.register_id)));
        Ok(people.into_iter().map(|(_, p, h)| (p, h)).collect())
    }

    fn read_people_in(&self, village: Option<Uuid>, chunk: usize, mut sink: impl FnMut(Ranked) -> bool) -> Result<()> {
        let village_id = village.map(|v| v.to_string());
        // Villages and households are few: read them first and join in memory, which is much
        // faster than letting SQLite look up two tables for every beneficiary.
        let mut villages: HashMap<String, (Arc<str>, bool)> = HashMap::new();
        let mut stmt = self.conn.prepare_cached("SELECT id, name, je_endemic FROM areas")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            villages.insert(r.get(0)?, (r.get_ref(1)?.as_str()?.into(), r.get(2)?));
        }
        // Each household once: its register id, its village, and its rank in (village, household
        // id) order, so that sorting the beneficiaries compares integers rather than texts.
        /// A household's register id, its village (name, JE-endemic) and its rank.
        type Household<'v> = (Arc<str>, &'v (Arc<str>, bool), u32);
        let mut households: Vec<Household> = Vec::new();
        let mut household_index: HashMap<String, usize> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, household_id, village_id FROM households WHERE ?1 IS NULL OR village_id = ?1",
        )?;
        let mut rows = stmt.query(params![village_id])?;
        while let Some(r) = rows.next()? {
            let household_id: Arc<str> = r.get_ref(1)?.as_str()?.into();
            let village = villages
                .get(r.get_ref(2)?.as_str()?)
                .ok_or_else(|| corrupt(format!("household {household_id} in an unknown area")))?;
            household_index.insert(r.get(0)?, households.len());
            households.push((household_id, village, 0));
        }
        let mut order: Vec<usize> = (0..households.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            (&households[a].1 .0, &households[a].0).cmp(&(&households[b].1 .0, &households[b].0))
        });
        for (rank, i) in order.into_iter().enumerate() {
            households[i].2 = rank as u32;
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT household_id, register_id, name, kind, status, CASE kind WHEN 'child' THEN dob ELSE lmp END,
                    doses_packed
             FROM beneficiaries
             WHERE ?1 IS NULL OR household_id IN (SELECT id FROM households WHERE village_id = ?1)",
        )?;
        let mut rows = stmt.query(params![village_id])?;
        let mut people: Ranked = Vec::new();
        while let Some(r) = rows.next()? {
            let Some((household_id, (village, je_endemic), rank)) =
                household_index.get(r.get_ref(0)?.as_str()?).map(|&i| &households[i])
            else {
                continue;
            };
            let Some(anchor) = r.get_ref(5)?.as_str_or_null()?.map(date).transpose()? else { continue };
            let register_id: Arc<str> = r.get_ref(1)?.as_str()?.into();
            let mut history = Vec::new();
            unpack_doses(r.get_ref(6)?.as_blob()?, &mut history)
                .ok_or_else(|| corrupt(format!("packed doses of {register_id}")))?;
            people.push((
                *rank,
                Person {
                    register_id,
                    name: r.get_ref(2)?.as_str()?.into(),
                    kind: kind(r.get_ref(3)?.as_str()?)?,
                    household_id: household_id.clone(),
                    village: village.clone(),
                    je_endemic: *je_endemic,
                    status: parse(r.get_ref(4)?.as_str()?, "status")?,
                    anchor,
                },
                history,
            ));
            if people.len() >= chunk && !sink(std::mem::take(&mut people)) {
                return Ok(());
            }
        }
        if !people.is_empty() {
            sink(people);
        }
        Ok(())
    }

    /// The due list on `on`: every active beneficiary with a dose due or overdue. Beneficiaries
    /// are evaluated on another thread while the next ones are read (each is independent).
    pub fn due_list(&self, on: Date, village: Option<&str>) -> Result<Vec<DueItem>> {
        let village = match village {
            Some(v) => Some(self.village_id(v)?.ok_or_else(|| StoreError::UnknownVillage(v.to_string()))?),
            None => None,
        };
        self.due_list_in(on, village)
    }

    /// The due list on `on` of the village with this id (two villages may share a name).
    pub fn due_list_of(&self, on: Date, village: Uuid) -> Result<Vec<DueItem>> {
        self.due_list_in(on, Some(village))
    }

    fn due_list_in(&self, on: Date, village: Option<Uuid>) -> Result<Vec<DueItem>> {
        let settings = self.settings()?;
        let (send, receive) = std::sync::mpsc::sync_channel::<Ranked>(8);
        let (read, items) = std::thread::scope(|scope| {
            let worker = scope.spawn(move || {
                let mut lister = DueLister::default();
                let mut items: Vec<(u32, DueItem)> = Vec::new();
                for chunk in receive {
                    items.extend(
                        chunk.iter().filter_map(|(rank, p, h)| lister.item(p, h, on, &settings).map(|i| (*rank, i))),
                    );
                }
                items
            });
            let read = self.read_people_in(village, 2_048, |chunk| send.send(chunk).is_ok());
            drop(send);
            (read, worker.join())
        });
        read?;
        let mut items = items.map_err(|_| corrupt("the due list could not be computed"))?;
        items.sort_unstable_by(|(ra, a), (rb, b)| (ra, &a.register_id).cmp(&(rb, &b.register_id)));
        Ok(items.into_iter().map(|(_, i)| i).collect())
    }

    /// Coverage on `on`.
    pub fn coverage(&self, on: Date, village: Option<&str>) -> Result<Coverage> {
        let settings = self.settings()?;
        let people = self.people(village)?;
        let resistant: u32 = self.conn.query_row(
            &format!(
                "SELECT count(*) FROM households h JOIN areas a ON a.id = h.village_id
                 WHERE {} AND (?1 IS NULL OR a.name = ?1 COLLATE NOCASE)",
                *crate::records::RESISTANT
            ),
            params![village],
            |r| r.get(0),
        )?;
        Ok(coverage(
            people.iter().map(|(p, h)| (p, h.as_slice())),
            resistant,
            on,
            village.map(str::to_string),
            &settings,
        ))
    }

    /// Everything, sorted by village, household and register id.
    pub fn export(&self) -> Result<Export> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT b.id, b.register_id, h.household_id, a.name, b.kind, b.name, b.sex, b.dob, b.lmp, b.mother_name,
                    b.status, h.house_no, h.head_of_household, h.phone, h.risk_category, {},
                    m.register_id, b.delivered_on, b.delivery_outcome, b.live_births, b.abha, b.rch_id, b.uwin_id
             FROM beneficiaries b
             JOIN households h ON h.id = b.household_id
             JOIN areas a ON a.id = h.village_id
             LEFT JOIN beneficiaries m ON m.id = b.mother_id
             ORDER BY a.name, h.household_id, b.register_id",
            *crate::records::RESISTANT
        ))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        while let Some(r) = rows.next()? {
            index.insert(r.get(0)?, out.len());
            out.push(ExportBeneficiary {
                register_id: r.get(1)?,
                household_id: r.get(2)?,
                village: r.get(3)?,
                kind: parse(&r.get::<_, String>(4)?, "kind")?,
                facts: BeneficiaryFacts {
                    name: r.get(5)?,
                    sex: r.get::<_, Option<String>>(6)?.map(|s| parse(&s, "sex")).transpose()?,
                    dob: opt_date(r.get(7)?)?,
                    lmp: opt_date(r.get(8)?)?,
                    mother_name: r.get(9)?,
                    abha: r.get(20)?,
                    rch_id: r.get(21)?,
                    uwin_id: r.get(22)?,
                },
                status: parse(&r.get::<_, String>(10)?, "status")?,
                household: HouseholdFacts {
                    house_no: r.get(11)?,
                    head_of_household: r.get(12)?,
                    phone: r.get(13)?,
                    risk_category: r.get::<_, Option<String>>(14)?.map(|s| parse(&s, "risk category")).transpose()?,
                },
                resistant_household: r.get(15)?,
                doses: Vec::new(),
                not_given: Vec::new(),
                mother: r.get(16)?,
                delivery: match (opt_date(r.get(17)?)?, r.get::<_, Option<String>>(18)?, r.get::<_, Option<u32>>(19)?) {
                    (Some(date), Some(outcome), Some(live_births)) => {
                        Some(ExportDelivery { date, outcome: parse(&outcome, "delivery outcome")?, live_births })
                    }
                    _ => None,
                },
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT d.beneficiary_id, d.id, d.code, d.date, d.flagged, d.session_id, a.name
             FROM doses d LEFT JOIN sessions s ON s.id = d.session_id LEFT JOIN areas a ON a.id = s.site_id
             WHERE d.superseded_by IS NULL
             ORDER BY d.date, d.code, d.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&i) = index.get(r.get_ref(0)?.as_str()?) else { continue };
            out[i].doses.push(ExportDose {
                id: parse(&r.get::<_, String>(1)?, "dose id")?,
                code: parse(&r.get::<_, String>(2)?, "dose code")?,
                date: date(&r.get::<_, String>(3)?)?,
                flagged: r.get(4)?,
                session: r.get::<_, Option<String>>(5)?.map(|s| parse(&s, "session id")).transpose()?,
                site: r.get(6)?,
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT beneficiary_id, id, code, date, reason FROM not_given WHERE superseded_by IS NULL
             ORDER BY date, code, id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&i) = index.get(r.get_ref(0)?.as_str()?) else { continue };
            out[i].not_given.push(ExportNotGiven {
                id: parse(&r.get::<_, String>(1)?, "record id")?,
                code: parse(&r.get::<_, String>(2)?, "dose code")?,
                date: date(&r.get::<_, String>(3)?)?,
                reason: parse(&r.get::<_, String>(4)?, "reason")?,
            });
        }
        Ok(Export { beneficiaries: out })
    }
}
