//! Sessions at the microplan's sites and their vial ledger: opening a session at a site, opening
//! and discarding vials, closing a session with its ledger (the vials the open-vial policy does
//! not cover discarded, the others carried forward), and the reads built on it: a session's
//! ledger with the time left on each vial, wastage per session, per site and per sub-centre, and
//! a site's carry kit. Every write is checked before anything is appended and appends its events
//! in one transaction.
//!
//! A vial is carried forward to the later sessions of the same sub-centre (the parent of the
//! session's village; villages with no parent on this device make one sub-centre). The sessions
//! of a sub-centre are taken in the order of their dates, then of their ids (a UUIDv7 made at
//! the opening). Wastage follows `teeka_domain::ledger::draw`.

use crate::append::Ctx;
use crate::error::{corrupt, invalid, not_found, opt_parse, parse, Result, StoreError};
use crate::store::Store;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use teeka_domain::care::check_session_date;
use teeka_domain::facts::optional_text;
use teeka_domain::kit::{
    carried_vial_usable, kit, wastage, Kit, KitItem, KitNeed, Supplies, VaccineTable, Wastage, KIT_ORDER,
};
use teeka_domain::ledger::{chain_wastage, check_vial, closing_discard, time_left, ChainVial, LedgerError, TimeLeft};
use teeka_domain::report::{due_list, DueItem};
use teeka_domain::{Antigen, Date, DiscardReason, DoseCode, EventBody, VialsUsed};
use uuid::Uuid;

/// The session of a ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LedgerSession {
    pub id: Uuid,
    /// The microplan's id of the site it is held at (`S-01`), when it is held at one.
    pub site_id: Option<String>,
    /// That site's name.
    pub site: Option<String>,
    /// The village it is recorded at (a site's first village).
    pub village_id: Uuid,
    pub village: String,
    pub date: Date,
    pub closed: bool,
}

/// How a vial was discarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VialDiscard {
    pub reason: DiscardReason,
    pub at: DateTime<Utc>,
    /// The later session it was discarded at, when it was carried forward.
    pub session_id: Option<Uuid>,
}

/// A vial of a session's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LedgerVial {
    pub id: Uuid,
    /// The session that opened it.
    pub session_id: Uuid,
    pub antigen: Antigen,
    pub batch: Option<String>,
    pub expiry: Option<Date>,
    pub vvm: Option<u8>,
    pub opened_at: DateTime<Utc>,
    /// Opened at an earlier session and carried in under the open-vial policy.
    pub carried_in: bool,
    pub discarded: Option<VialDiscard>,
    /// The time left at `now` (minutes) and on the session's date (days); of a discarded vial,
    /// at its discard.
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub time: TimeLeft,
}

/// A session's vial ledger (`teeka session show`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionLedger {
    pub session: LedgerSession,
    /// The vials opened at the session, then the vials carried in, each by opening time.
    pub vials: Vec<LedgerVial>,
    /// Per antigen, the vials carried in that are still open and within their limits.
    pub open_vials_usable: BTreeMap<Antigen, u32>,
    /// Per antigen, the doses given at the session.
    pub doses_given: BTreeMap<Antigen, u32>,
    /// Per antigen with a vial opened or a dose given, in kit order.
    pub wastage: Vec<Wastage>,
}

/// What closing a session with its ledger did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerClosing {
    /// The vials opened at the session, per antigen (the closing's `vials`).
    pub vials: Vec<VialsUsed>,
    /// The vials discarded at the closing, with the reason.
    pub discarded: Vec<(Uuid, Antigen, DiscardReason)>,
    /// The vials left open, carried forward under the open-vial policy.
    pub carried: Vec<Uuid>,
}

/// A site's carry kit on a day (`teeka plan kit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteKit {
    /// The microplan's id of the site.
    pub site: String,
    pub date: Date,
    pub items: Vec<KitItem>,
    pub supplies: Supplies,
}

/// A microplan site as the ledger needs it.
struct Site {
    id: Uuid,
    site_id: String,
}

/// A session with its place in its sub-centre.
#[derive(Debug, Clone)]
struct SessionRow {
    id: Uuid,
    village_id: Uuid,
    village: String,
    /// The parent of the village (its sub-centre), if this device knows one.
    parent: Option<String>,
    date: Date,
    closed: bool,
    site: Option<Uuid>,
}

#[derive(Debug, Clone)]
struct VialRow {
    id: Uuid,
    session: Uuid,
    antigen: Antigen,
    batch: Option<String>,
    expiry: Option<Date>,
    vvm: Option<u8>,
    opened_at: DateTime<Utc>,
    discard: Option<VialDiscard>,
}

/// The sessions of a sub-centre in order, their vials, and the doses given at each.
struct Chain {
    sessions: Vec<SessionRow>,
    index: HashMap<Uuid, usize>,
    vials: Vec<VialRow>,
    given: HashMap<(usize, Antigen), u32>,
}

impl Chain {
    fn step(&self, session: Uuid) -> Result<usize> {
        self.index.get(&session).copied().ok_or_else(|| corrupt(format!("session {session} is not in its sub-centre")))
    }

    /// Whether `v` (opened at `opened`) may still serve the session at `step` (a later one).
    fn serves(&self, v: &VialRow, opened: usize, step: usize, table: &VaccineTable) -> bool {
        let Some(vaccine) = table.get(v.antigen) else { return false };
        let on = self.sessions[step].date;
        if !carried_vial_usable(vaccine, self.sessions[opened].date, on) || v.expiry.is_some_and(|e| e < on) {
            return false;
        }
        match &v.discard {
            None => true,
            Some(VialDiscard { session_id: Some(s), at, .. }) => match self.index.get(s) {
                Some(&at_step) => step <= at_step,
                None => on < at.date_naive(),
            },
            Some(VialDiscard { session_id: None, at, .. }) => on < at.date_naive(),
        }
    }

    /// The last session a vial may serve (the one that opened it when it is never carried).
    fn last(&self, v: &VialRow, table: &VaccineTable) -> Option<(usize, usize)> {
        let opened = *self.index.get(&v.session)?;
        let mut last = opened;
        while last + 1 < self.sessions.len() && self.serves(v, opened, last + 1, table) {
            last += 1;
        }
        Some((opened, last))
    }

    /// Wastage per antigen over the sessions `counted` holds for, in kit order: only antigens
    /// with a vial opened or a dose given there.
    fn wastage(&self, table: &VaccineTable, counted: impl Fn(usize) -> bool) -> Vec<Wastage> {
        let mut out = Vec::new();
        for antigen in KIT_ORDER {
            let per_vial = table.get(antigen).map_or(1, |v| v.doses_per_vial);
            let vials: Vec<ChainVial> = self
                .vials
                .iter()
                .filter(|v| v.antigen == antigen)
                .filter_map(|v| self.last(v, table))
                .map(|(opened, last)| ChainVial { opened, last, doses: per_vial })
                .collect();
            let given: Vec<u32> =
                (0..self.sessions.len()).map(|s| self.given.get(&(s, antigen)).copied().unwrap_or(0)).collect();
            let any =
                vials.iter().any(|v| counted(v.opened)) || given.iter().enumerate().any(|(s, n)| *n > 0 && counted(s));
            if any {
                out.push(chain_wastage(antigen, &vials, &given, &counted, table));
            }
        }
        out
    }
}

/// The wastage of several chains added up per antigen, in kit order.
fn merge_wastage(parts: Vec<Vec<Wastage>>, table: &VaccineTable) -> Vec<Wastage> {
    let mut sum: BTreeMap<usize, (Antigen, u32, u32, bool)> = BTreeMap::new();
    for w in parts.into_iter().flatten() {
        let rank = KIT_ORDER.iter().position(|a| *a == w.antigen).unwrap_or(KIT_ORDER.len());
        let e = sum.entry(rank).or_insert((w.antigen, 0, 0, false));
        e.1 += w.vials_opened;
        e.2 += w.doses_given;
        e.3 |= w.data_error;
    }
    sum.into_values()
        .map(|(antigen, opened, given, error)| {
            let w = wastage(antigen, opened, given, table);
            Wastage { data_error: w.data_error || error, ..w }
        })
        .collect()
}

fn parse_time(text: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(format!("{what} '{text}': {e}")))
}

const SESSION_COLUMNS: &str = "s.id, s.site_id, a.name, a.parent_id, s.date, s.closed, s.session_site_id";

fn session_row(r: &rusqlite::Row<'_>) -> Result<SessionRow> {
    Ok(SessionRow {
        id: parse(&r.get::<_, String>(0)?, "session id")?,
        village_id: parse(&r.get::<_, String>(1)?, "village id")?,
        village: r.get(2)?,
        parent: r.get(3)?,
        date: parse(&r.get::<_, String>(4)?, "session date")?,
        closed: r.get(5)?,
        site: opt_parse(r.get(6)?, "site id")?,
    })
}

const VIAL_COLUMNS: &str =
    "v.id, v.session_id, v.antigen, v.batch, v.expiry, v.vvm, v.opened_at, v.discard_reason, v.discarded_at, v.discarded_session";

fn vial_row(r: &rusqlite::Row<'_>) -> Result<VialRow> {
    let reason: Option<DiscardReason> = opt_parse(r.get(7)?, "discard reason")?;
    let at: Option<String> = r.get(8)?;
    let discard = match (reason, at) {
        (Some(reason), Some(at)) => Some(VialDiscard {
            reason,
            at: parse_time(&at, "discarded at")?,
            session_id: opt_parse(r.get(9)?, "discard session")?,
        }),
        _ => None,
    };
    Ok(VialRow {
        id: parse(&r.get::<_, String>(0)?, "vial id")?,
        session: parse(&r.get::<_, String>(1)?, "vial session")?,
        antigen: parse(&r.get::<_, String>(2)?, "antigen")?,
        batch: r.get(3)?,
        expiry: opt_parse(r.get(4)?, "expiry")?,
        vvm: r.get(5)?,
        opened_at: parse_time(&r.get::<_, String>(6)?, "opened at")?,
        discard,
    })
}

impl Store {
    // ----- private reads -----

    fn site_named(&self, site_id: &str) -> Result<Site> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT id, site_id FROM sites WHERE site_id = ?1 COLLATE NOCASE")?
            .query_row([site_id.trim()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (id, known) = row.ok_or_else(|| StoreError::UnknownSite(site_id.trim().to_string()))?;
        Ok(Site { id: parse(&id, "site id")?, site_id: known })
    }

    fn site_by_uuid(&self, id: Uuid) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT site_id, name FROM sites WHERE id = ?1")?
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// The villages a site serves that this device holds, in the microplan's order.
    fn site_villages(&self, site: Uuid) -> Result<Vec<(Uuid, String, Option<String>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.name, a.parent_id FROM site_villages sv JOIN areas a ON a.id = sv.village_id
             WHERE sv.site_id = ?1 ORDER BY sv.position",
        )?;
        let rows = stmt
            .query_map([site.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<(String, String, Option<String>)>>>()?;
        rows.into_iter().map(|(id, name, parent)| Ok((parse(&id, "village id")?, name, parent))).collect()
    }

    fn ledger_session(&self, session: Uuid) -> Result<SessionRow> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s JOIN areas a ON a.id = s.site_id WHERE s.id = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([session.to_string()])?;
        match rows.next()? {
            Some(r) => session_row(r),
            None => Err(not_found(format!("session {session}: no such session on this device"))),
        }
    }

    fn open_ledger_session(&self, session: Uuid) -> Result<SessionRow> {
        let s = self.ledger_session(session)?;
        if s.closed {
            return Err(StoreError::SessionClosed(format!(
                "session {session} of {} on {} is closed",
                s.village,
                teeka_domain::iso(s.date)
            )));
        }
        Ok(s)
    }

    /// The sessions of the sub-centre `parent` in order, their vials and their doses.
    fn chain(&self, parent: Option<&str>) -> Result<Chain> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s JOIN areas a ON a.id = s.site_id
             WHERE a.parent_id IS ?1 ORDER BY s.date, s.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![parent])?;
        let mut sessions = Vec::new();
        while let Some(r) = rows.next()? {
            sessions.push(session_row(r)?);
        }
        let index: HashMap<Uuid, usize> = sessions.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let of_chain = "SELECT s.id FROM sessions s JOIN areas a ON a.id = s.site_id WHERE a.parent_id IS ?1";
        let sql =
            format!("SELECT {VIAL_COLUMNS} FROM vials v WHERE v.session_id IN ({of_chain}) ORDER BY v.opened_at, v.id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![parent])?;
        let mut vials = Vec::new();
        while let Some(r) = rows.next()? {
            vials.push(vial_row(r)?);
        }
        let sql = format!(
            "SELECT session_id, code, count(*) FROM doses
             WHERE session_id IN ({of_chain}) AND superseded_by IS NULL GROUP BY session_id, code"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![parent])?;
        let mut given = HashMap::new();
        while let Some(r) = rows.next()? {
            let session: Uuid = parse(&r.get::<_, String>(0)?, "dose session")?;
            let code: DoseCode = parse(&r.get::<_, String>(1)?, "dose code")?;
            let n: u32 = r.get(2)?;
            if let Some(&step) = index.get(&session) {
                *given.entry((step, code.antigen())).or_default() += n;
            }
        }
        Ok(Chain { sessions, index, vials, given })
    }

    /// The villages a session serves: its site's, else its own.
    fn session_villages(&self, s: &SessionRow) -> Result<Vec<(Uuid, String, Option<String>)>> {
        if let Some(site) = s.site {
            let villages = self.site_villages(site)?;
            if !villages.is_empty() {
                return Ok(villages);
            }
        }
        Ok(vec![(s.village_id, s.village.clone(), s.parent.clone())])
    }

    /// The due list of some villages on `on`, and how many on it have no dose on record.
    fn villages_due(&self, villages: &[(Uuid, String, Option<String>)], on: Date) -> Result<(Vec<DueItem>, u32)> {
        let settings = self.settings()?;
        let mut items = Vec::new();
        let mut new_cards = 0;
        let mut seen = HashSet::new();
        for (id, _, _) in villages {
            if !seen.insert(*id) {
                continue;
            }
            let people = self.people_of(*id)?;
            let unrecorded: HashSet<&str> =
                people.iter().filter(|(_, h)| h.is_empty()).map(|(p, _)| &*p.register_id).collect();
            let due = due_list(&people, on, &settings);
            new_cards += due.iter().filter(|i| unrecorded.contains(&*i.register_id)).count() as u32;
            items.extend(due);
        }
        Ok((items, new_cards))
    }

    // ----- writes -----

    /// Opens a session at a microplan site (its microplan id, `S-01`) on `date`: recorded at the
    /// site's first village this device holds, naming the site. The open session of that site
    /// and date is resumed (`true`) rather than doubled. A date after today is refused
    /// (`SESSION_IN_FUTURE`), an unknown site is `UNKNOWN_SITE`.
    pub fn open_site_session(&mut self, site_id: &str, date: Date, ctx: &Ctx) -> Result<(Uuid, bool)> {
        let site = self.site_named(site_id)?;
        let village = self.site_villages(site.id)?.into_iter().next().ok_or_else(|| {
            invalid(format!("site {}: it serves no village on this device; import its villages first", site.site_id))
        })?;
        check_session_date(date, ctx.today)?;
        let open: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM sessions WHERE session_site_id = ?1 AND date = ?2 AND closed = 0 ORDER BY id LIMIT 1",
            )?
            .query_row(params![site.id.to_string(), teeka_domain::iso(date)], |r| r.get(0))
            .optional()?;
        if let Some(id) = open {
            return Ok((parse(&id, "session id")?, true));
        }
        let session = Uuid::now_v7();
        self.append(
            ctx,
            vec![EventBody::SessionOpened { session, site: village.0, date, session_site: Some(site.id) }],
        )?;
        Ok((session, false))
    }

    /// Opens a vial at an open session, at `ctx.now`. Refused: an unknown session (`NOT_FOUND`)
    /// or a closed one (`SESSION_CLOSED`); an impossible VVM stage (`INVALID_INPUT`); a VVM at
    /// the discard point or an expiry before the session's date (`VIAL_NOT_USABLE`); an antigen
    /// no one on the due list of the session's villages on its date is due for and of which no
    /// dose is recorded at the session (`NO_DOSES_DUE`).
    pub fn open_vial(
        &mut self,
        session: Uuid,
        antigen: Antigen,
        batch: Option<&str>,
        expiry: Option<Date>,
        vvm: Option<u8>,
        ctx: &Ctx,
    ) -> Result<Uuid> {
        let s = self.open_ledger_session(session)?;
        let batch = optional_text("batch", batch).map_err(LedgerError::from)?;
        check_vial(vvm, expiry, s.date)?;
        let recorded: bool = self
            .conn
            .prepare_cached("SELECT code FROM doses WHERE session_id = ?1 AND superseded_by IS NULL")?
            .query_map([session.to_string()], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?
            .iter()
            .any(|c| c.parse::<DoseCode>().is_ok_and(|c| c.antigen() == antigen));
        if !recorded {
            let villages = self.session_villages(&s)?;
            let (due, _) = self.villages_due(&villages, s.date)?;
            if !due.iter().flat_map(|i| &i.doses).any(|d| d.code.antigen() == antigen) {
                let place = match s.site.map(|id| self.site_by_uuid(id)).transpose()?.flatten() {
                    Some((site_id, name)) => format!("site {site_id} ({name})"),
                    None => s.village.clone(),
                };
                return Err(LedgerError::NoDosesDue { antigen, date: s.date, place }.into());
            }
        }
        let vial = Uuid::now_v7();
        self.append(
            ctx,
            vec![EventBody::VialOpened { vial, session, antigen, batch, expiry, vvm, opened_at: ctx.now }],
        )?;
        Ok(vial)
    }

    /// Discards an open vial for `reason`, at `ctx.now`: at the open session it was carried to,
    /// when it was carried forward. Refused: an unknown vial (`NOT_FOUND`), one already
    /// discarded (`VIAL_DISCARDED`).
    pub fn discard_vial(&mut self, vial: Uuid, reason: DiscardReason, ctx: &Ctx) -> Result<()> {
        let sql = format!("SELECT {VIAL_COLUMNS} FROM vials v WHERE v.id = ?1");
        let row = {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query([vial.to_string()])?;
            match rows.next()? {
                Some(r) => vial_row(r)?,
                None => return Err(not_found(format!("vial {vial}: no such vial on this device"))),
            }
        };
        if let Some(d) = &row.discard {
            return Err(LedgerError::AlreadyDiscarded {
                vial: vial.to_string(),
                reason: d.reason,
                at: d.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            }
            .into());
        }
        let own = self.ledger_session(row.session)?;
        let session = if own.closed {
            // Carried forward: discarded at the latest open session after it in its sub-centre.
            let chain = self.chain(own.parent.as_deref())?;
            let opened = chain.step(own.id)?;
            chain.sessions.iter().enumerate().rev().find(|(i, s)| *i > opened && !s.closed).map(|(_, s)| s.id)
        } else {
            None
        };
        self.append(ctx, vec![EventBody::VialDiscarded { vial, session, reason, at: ctx.now }])?;
        Ok(())
    }

    /// Closes an open session with its ledger, in one transaction: each vial opened there and
    /// still open is discarded (`SESSION_END`; `TIME_LIMIT` for a reconstituted vial past its 4
    /// hours) unless the open-vial policy of `table` covers its antigen, when it stays open,
    /// carried forward; a vial carried in from an earlier session of the sub-centre and past its
    /// limit on this session's day (28 days, or its expiry) is discarded at this session
    /// (`TIME_LIMIT`, `EXPIRED`); the closing's `vials` are the ledger's counts per antigen.
    pub fn close_ledger_session(&mut self, session: Uuid, table: &VaccineTable, ctx: &Ctx) -> Result<LedgerClosing> {
        let this = self.open_ledger_session(session)?;
        let sql = format!("SELECT {VIAL_COLUMNS} FROM vials v WHERE v.session_id = ?1 ORDER BY v.opened_at, v.id");
        let vials = {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query([session.to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(vial_row(r)?);
            }
            out
        };
        let mut counts: BTreeMap<usize, (Antigen, u32)> = BTreeMap::new();
        let mut closing = LedgerClosing { vials: Vec::new(), discarded: Vec::new(), carried: Vec::new() };
        let mut bodies = Vec::new();
        for v in &vials {
            let rank = KIT_ORDER.iter().position(|a| *a == v.antigen).unwrap_or(KIT_ORDER.len());
            counts.entry(rank).or_insert((v.antigen, 0)).1 += 1;
            if v.discard.is_some() {
                continue;
            }
            match closing_discard(v.antigen, table.get(v.antigen), v.opened_at, ctx.now) {
                Some(reason) => {
                    closing.discarded.push((v.id, v.antigen, reason));
                    bodies.push(EventBody::VialDiscarded { vial: v.id, session: None, reason, at: ctx.now });
                }
                None => closing.carried.push(v.id),
            }
        }
        // The vials carried in from earlier sessions of the sub-centre that are past their limit
        // on this session's day (28 days from opening, or their expiry) are discarded now, at
        // this session; the others stay carried.
        let chain = self.chain(this.parent.as_deref())?;
        let here = chain.index.get(&session).copied();
        for v in chain.vials.iter().filter(|v| v.discard.is_none() && v.session != session) {
            let Some(&opened) = chain.index.get(&v.session) else { continue };
            if here.is_some_and(|h| opened >= h) {
                continue;
            }
            let opened_on = chain.sessions[opened].date;
            let left = time_left(v.antigen, table.get(v.antigen), v.opened_at, opened_on, v.expiry, ctx.now, this.date);
            if left.past_limit {
                let reason = if v.expiry.is_some_and(|e| e < this.date) {
                    DiscardReason::Expired
                } else {
                    DiscardReason::TimeLimit
                };
                closing.discarded.push((v.id, v.antigen, reason));
                bodies.push(EventBody::VialDiscarded { vial: v.id, session: Some(session), reason, at: ctx.now });
            }
        }
        closing.vials = counts.into_values().map(|(antigen, opened)| VialsUsed { antigen, opened }).collect();
        bodies.push(EventBody::SessionClosed { session, vials: closing.vials.clone() });
        self.append(ctx, bodies)?;
        Ok(closing)
    }

    /// How many vials the ledger of a session holds.
    pub(crate) fn ledger_vial_count(&self, session: Uuid) -> Result<u32> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM vials WHERE session_id = ?1")?
            .query_row([session.to_string()], |r| r.get(0))?)
    }

    // ----- reads -----

    /// A session's ledger: its vials (opened there, then carried in) with the time left on each
    /// at `now` (days on the session's date), the open vials carried in, the doses given per
    /// antigen and the wastage of the vials it opened (`teeka_domain::ledger::draw`).
    pub fn session_ledger(&self, session: Uuid, now: DateTime<Utc>, table: &VaccineTable) -> Result<SessionLedger> {
        let s = self.ledger_session(session)?;
        let chain = self.chain(s.parent.as_deref())?;
        let step = chain.step(session)?;
        let on = s.date;
        let mut vials = Vec::new();
        let mut open_vials_usable: BTreeMap<Antigen, u32> = BTreeMap::new();
        for carried in [false, true] {
            for v in &chain.vials {
                let Some((opened, last)) = chain.last(v, table) else { continue };
                let here = if carried { opened < step && last >= step } else { opened == step };
                if !here {
                    continue;
                }
                let at = v.discard.as_ref().map_or(now, |d| d.at);
                let time = time_left(
                    v.antigen,
                    table.get(v.antigen),
                    v.opened_at,
                    chain.sessions[opened].date,
                    v.expiry,
                    at,
                    on,
                );
                if carried && v.discard.is_none() && !time.past_limit {
                    *open_vials_usable.entry(v.antigen).or_default() += 1;
                }
                vials.push(LedgerVial {
                    id: v.id,
                    session_id: v.session,
                    antigen: v.antigen,
                    batch: v.batch.clone(),
                    expiry: v.expiry,
                    vvm: v.vvm,
                    opened_at: v.opened_at,
                    carried_in: carried,
                    discarded: v.discard.clone(),
                    time,
                });
            }
        }
        let doses_given = KIT_ORDER.iter().filter_map(|a| chain.given.get(&(step, *a)).map(|n| (*a, *n))).collect();
        let site = s.site.map(|id| self.site_by_uuid(id)).transpose()?.flatten();
        Ok(SessionLedger {
            session: LedgerSession {
                id: s.id,
                site_id: site.as_ref().map(|(id, _)| id.clone()),
                site: site.map(|(_, name)| name),
                village_id: s.village_id,
                village: s.village.clone(),
                date: s.date,
                closed: s.closed,
            },
            vials,
            open_vials_usable,
            doses_given,
            wastage: chain.wastage(table, |i| i == step),
        })
    }

    /// Wastage per antigen over the sessions held at a site, from `from` to `to` (inclusive;
    /// either open): a round passes its days.
    pub fn site_wastage(
        &self,
        site_id: &str,
        from: Option<Date>,
        to: Option<Date>,
        table: &VaccineTable,
    ) -> Result<Vec<Wastage>> {
        let site = self.site_named(site_id)?;
        let mut parents: BTreeSet<Option<String>> = BTreeSet::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT a.parent_id FROM sessions s JOIN areas a ON a.id = s.site_id WHERE s.session_site_id = ?1",
        )?;
        for p in stmt.query_map([site.id.to_string()], |r| r.get::<_, Option<String>>(0))? {
            parents.insert(p?);
        }
        let in_range = |d: Date| from.map_or(true, |f| d >= f) && to.map_or(true, |t| d <= t);
        let mut parts = Vec::new();
        for parent in parents {
            let chain = self.chain(parent.as_deref())?;
            parts.push(chain.wastage(table, |i| {
                let s = &chain.sessions[i];
                s.site == Some(site.id) && in_range(s.date)
            }));
        }
        Ok(merge_wastage(parts, table))
    }

    /// Wastage per antigen over the sessions of the sub-centre of `village` (its parent), from
    /// `from` to `to` (inclusive; either open).
    pub fn subcentre_wastage(
        &self,
        village: Uuid,
        from: Option<Date>,
        to: Option<Date>,
        table: &VaccineTable,
    ) -> Result<Vec<Wastage>> {
        let parent: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT parent_id FROM areas WHERE id = ?1 AND level = 'village'")?
            .query_row([village.to_string()], |r| r.get(0))
            .optional()?;
        let parent =
            parent.ok_or_else(|| not_found(format!("village_id {village}: no such village on this device")))?;
        let chain = self.chain(parent.as_deref())?;
        let in_range = |d: Date| from.map_or(true, |f| d >= f) && to.map_or(true, |t| d <= t);
        Ok(chain.wastage(table, |i| in_range(chain.sessions[i].date)))
    }

    /// A site's carry kit on `on`: the due list of the villages it serves on that day (one
    /// session; an MCP card for each beneficiary due with no dose on record), less the open
    /// vials carried under the open-vial policy from the sessions of its sub-centres that are
    /// not discarded and still usable on `on` (28 days from the opening session, not expired).
    pub fn site_kit(&self, site_id: &str, on: Date, table: &VaccineTable) -> Result<SiteKit> {
        let site = self.site_named(site_id)?;
        let villages = self.site_villages(site.id)?;
        let (due, new_cards) = self.villages_due(&villages, on)?;
        self.kit_of(site.site_id, &villages, &due, new_cards, on, table, &mut HashMap::new())
    }

    /// The carry kits of every site on `on`, in site id order: [`Store::site_kit`] of each, with
    /// the register read and its due list made once for the whole block.
    pub fn site_kits(&self, on: Date, table: &VaccineTable) -> Result<Vec<SiteKit>> {
        let settings = self.settings()?;
        let mut lister = teeka_domain::report::DueLister::default();
        // Each village's due list on the day, and its people due with no dose on record.
        let mut by_village: HashMap<Uuid, (Vec<DueItem>, u32)> = HashMap::new();
        for (village, people) in self.people_by_village()? {
            for (p, history) in people {
                if let Some(item) = lister.item(&p, &history, on, &settings) {
                    let (items, new_cards) = by_village.entry(village).or_default();
                    *new_cards += u32::from(history.is_empty());
                    items.push(item);
                }
            }
        }
        let sites: Vec<(String, String)> = self
            .conn
            .prepare_cached("SELECT id, site_id FROM sites ORDER BY site_id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut chains = HashMap::new();
        let mut kits = Vec::with_capacity(sites.len());
        for (id, site_id) in sites {
            let villages = self.site_villages(parse(&id, "site id")?)?;
            let mut due: Vec<&DueItem> = Vec::new();
            let mut new_cards = 0;
            let mut seen = HashSet::new();
            for (village, _, _) in &villages {
                if let Some((items, cards)) = by_village.get(village).filter(|_| seen.insert(*village)) {
                    due.extend(items);
                    new_cards += cards;
                }
            }
            kits.push(self.kit_of(site_id, &villages, due, new_cards, on, table, &mut chains)?);
        }
        Ok(kits)
    }

    /// The kit of a site from its villages' due list on `on`, less the open vials its
    /// sub-centres carry (their chains read once into `chains`).
    #[allow(clippy::too_many_arguments)]
    fn kit_of<'a>(
        &self,
        site_id: String,
        villages: &[(Uuid, String, Option<String>)],
        due: impl IntoIterator<Item = &'a DueItem>,
        new_cards: u32,
        on: Date,
        table: &VaccineTable,
        chains: &mut HashMap<Option<String>, Chain>,
    ) -> Result<SiteKit> {
        let mut need = KitNeed::from_due_list(due, 1, new_cards);
        let parents: BTreeSet<Option<String>> = villages.iter().map(|(_, _, p)| p.clone()).collect();
        for parent in parents {
            if !chains.contains_key(&parent) {
                let chain = self.chain(parent.as_deref())?;
                chains.insert(parent.clone(), chain);
            }
            let Some(chain) = chains.get(&parent) else { continue };
            for v in chain.vials.iter().filter(|v| v.discard.is_none()) {
                let (Some(vaccine), Some(&opened)) = (table.get(v.antigen), chain.index.get(&v.session)) else {
                    continue;
                };
                let opened_on = chain.sessions[opened].date;
                if carried_vial_usable(vaccine, opened_on, on) && v.expiry.map_or(true, |e| e >= on) {
                    *need.open_vials_usable.entry(v.antigen).or_default() += 1;
                }
            }
        }
        let Kit { items, supplies } = kit(&need, table).map_err(|e| invalid(e.to_string()))?;
        Ok(SiteKit { site: site_id, date: on, items, supplies })
    }
}
