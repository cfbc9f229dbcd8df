//! Register import: reads what the store holds ([`Standing`]), has the domain's rules
//! ([`teeka_domain::import`]) turn the checked register rows into events, and appends those in
//! one transaction: all rows or none.

use crate::append::{append_in, Ctx};
use crate::error::{Result, StoreError};
use crate::store::Store;
use rusqlite::TransactionBehavior;
use std::collections::HashMap;
use teeka_domain::import::{import_events, KnownBeneficiary, Standing};
use teeka_domain::register::RegisterRow;
use teeka_domain::{BeneficiaryFacts, Date, DoseCode, HouseholdFacts};
use uuid::Uuid;

pub use teeka_domain::import::ImportSummary;

/// The page cache of an import's transaction, in KiB.
const IMPORT_CACHE_KIB: i64 = 256 * 1024;

impl Store {
    /// Imports checked register rows: all of them, or nothing and every problem located.
    pub fn import_register(&mut self, rows: &[RegisterRow], ctx: &Ctx) -> Result<ImportSummary> {
        let settings = self.settings()?;
        let device_id = self.device_id;
        // A block's register is one transaction of hundreds of MiB: with the store's usual page
        // cache its pages were written out to the WAL before the commit and looked up there
        // again (a fifth of the import). Pages are taken only as the import dirties them.
        let usual: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        let imported = self.import_rows(rows, &settings, device_id, ctx);
        self.conn.pragma_update(None, "cache_size", usual)?;
        imported
    }

    fn import_rows(
        &mut self,
        rows: &[RegisterRow],
        settings: &teeka_domain::ScheduleSettings,
        device_id: Uuid,
        ctx: &Ctx,
    ) -> Result<ImportSummary> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut villages: HashMap<String, (Uuid, bool)> = HashMap::new();
        {
            let mut stmt = tx.prepare("SELECT name, id, je_endemic FROM areas WHERE level = 'village' ORDER BY id")?;
            let mut r = stmt.query([])?;
            while let Some(row) = r.next()? {
                let name: String = row.get(0)?;
                let id = uuid(&row.get::<_, String>(1)?)?;
                villages.entry(name.to_ascii_lowercase()).or_insert((id, row.get(2)?));
            }
        }
        // Each household's register id: its id, its village and its facts.
        let mut households: HashMap<String, (Uuid, Option<Uuid>, HouseholdFacts)> = HashMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT household_id, id, village_id, house_no, head_of_household, phone, risk_category FROM households",
            )?;
            let mut r = stmt.query([])?;
            while let Some(row) = r.next()? {
                let facts = HouseholdFacts {
                    house_no: row.get(3)?,
                    head_of_household: row.get(4)?,
                    phone: row.get(5)?,
                    risk_category: row.get::<_, Option<String>>(6)?.map(|t| parse(&t)).transpose()?,
                };
                let village = Some(uuid(&row.get::<_, String>(2)?)?);
                households.insert(row.get(0)?, (uuid(&row.get::<_, String>(1)?)?, village, facts));
            }
        }
        let mut known: HashMap<String, KnownBeneficiary> = HashMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT register_id, id, kind, household_id, name, sex, dob, lmp, mother_name, status, abha, rch_id, uwin_id
                 FROM beneficiaries",
            )?;
            let mut r = stmt.query([])?;
            while let Some(row) = r.next()? {
                let date = |i: usize| -> Result<Option<Date>> {
                    row.get::<_, Option<String>>(i)?.map(|t| parse(&t)).transpose()
                };
                known.insert(
                    row.get(0)?,
                    KnownBeneficiary {
                        id: uuid(&row.get::<_, String>(1)?)?,
                        kind: parse(&row.get::<_, String>(2)?)?,
                        household: uuid(&row.get::<_, String>(3)?)?,
                        facts: BeneficiaryFacts {
                            name: row.get(4)?,
                            sex: row.get::<_, Option<String>>(5)?.map(|t| parse(&t)).transpose()?,
                            dob: date(6)?,
                            lmp: date(7)?,
                            mother_name: row.get(8)?,
                            abha: row.get(10)?,
                            rch_id: row.get(11)?,
                            uwin_id: row.get(12)?,
                        },
                        status: parse(&row.get::<_, String>(9)?)?,
                    },
                );
            }
        }
        let mut doses: HashMap<Uuid, Vec<(Uuid, DoseCode, Date)>> = HashMap::new();
        {
            let mut stmt =
                tx.prepare("SELECT beneficiary_id, id, code, date FROM doses WHERE superseded_by IS NULL")?;
            let mut r = stmt.query([])?;
            while let Some(row) = r.next()? {
                doses.entry(uuid(&row.get::<_, String>(0)?)?).or_default().push((
                    uuid(&row.get::<_, String>(1)?)?,
                    parse(&row.get::<_, String>(2)?)?,
                    parse(&row.get::<_, String>(3)?)?,
                ));
            }
        }

        let standing = Standing { villages, households, beneficiaries: known, doses };
        let (bodies, summary) =
            import_events(rows, standing, settings, &mut Uuid::now_v7).map_err(StoreError::Register)?;
        append_in(&tx, device_id, ctx, bodies)?;
        tx.commit()?;
        Ok(summary)
    }
}

fn uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("id '{text}': {e}")))
}

fn parse<T: std::str::FromStr>(text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| StoreError::Corrupt(format!("'{text}': {e}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone;
    use teeka_domain::register::parse_register;

    fn cache(store: &Store) -> i64 {
        store.conn.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap()
    }

    /// The import's large page cache is for its transaction only: after an import, and after
    /// one refused, the store's own is back.
    #[test]
    fn the_store_keeps_its_own_page_cache_after_an_import() {
        let mut store = Store::open_in_memory().unwrap();
        let usual = cache(&store);
        assert_ne!(usual, -IMPORT_CACHE_KIB);
        let today = "2026-11-22".parse().unwrap();
        let ctx = Ctx {
            now: chrono::Utc.with_ymd_and_hms(2026, 11, 22, 6, 0, 0).unwrap(),
            today,
            author: "asha-1".into(),
            worker: None,
        };
        let good = "register_id,household_id,village,kind,name,sex,dob,lmp\nC-1,H-1,Rampur,child,Golu,M,2026-01-01,\n";
        store.import_register(&parse_register(good.as_bytes(), today).unwrap(), &ctx).unwrap();
        assert_eq!(cache(&store), usual);
        // The same child now a pregnant woman: refused, with nothing stored.
        let bad =
            "register_id,household_id,village,kind,name,sex,dob,lmp\nC-1,H-1,Rampur,pregnant_woman,X,F,,2026-09-01\n";
        assert!(store.import_register(&parse_register(bad.as_bytes(), today).unwrap(), &ctx).is_err());
        assert_eq!(cache(&store), usual);
    }
}
