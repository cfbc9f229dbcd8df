//! The doses' packed form: each beneficiary's active doses as 5 bytes each (the code's index, the
//! date as days since 1970) in `beneficiaries.doses_packed`, the due list's input. One owner: the
//! projection writes it here, the queries read it here.

use crate::error::{Result, StoreError};
use rusqlite::{params, Transaction};
use std::collections::HashSet;
use teeka_domain::{Date, DoseCode, Given};
use uuid::Uuid;

/// Bytes per dose in `beneficiaries.doses_packed`.
const PACKED_DOSE: usize = 5;

/// Rewrites the packed doses of each beneficiary from its active dose records, and sets again
/// the flag of each: an active dose is flagged while another active record of the same dose
/// stands beside it (the rule migration 0007 set for every stored dose).
pub fn pack_doses(tx: &Transaction<'_>, beneficiaries: &HashSet<Uuid>) -> Result<()> {
    let mut select = tx.prepare_cached(
        "SELECT code, date, id, flagged FROM doses WHERE beneficiary_id = ?1 AND superseded_by IS NULL",
    )?;
    let mut update = tx.prepare_cached("UPDATE beneficiaries SET doses_packed = ?1 WHERE id = ?2")?;
    let mut flag = tx.prepare_cached("UPDATE doses SET flagged = ?1 WHERE id = ?2")?;
    let mut doses: Vec<(DoseCode, String, bool)> = Vec::new();
    for b in beneficiaries {
        let id = b.to_string();
        let mut packed = Vec::new();
        doses.clear();
        let mut rows = select.query([&id])?;
        while let Some(r) = rows.next()? {
            let code: DoseCode = r.get_ref(0)?.as_str()?.parse().map_err(|e| StoreError::Corrupt(format!("{e}")))?;
            let date: Date =
                r.get_ref(1)?.as_str()?.parse().map_err(|e| StoreError::Corrupt(format!("dose date: {e}")))?;
            packed.push(code.index() as u8);
            packed.extend_from_slice(&days_since_epoch(date).to_le_bytes());
            doses.push((code, r.get(2)?, r.get(3)?));
        }
        drop(rows);
        for (code, dose, flagged) in &doses {
            let twice = doses.iter().filter(|d| d.0 == *code).count() > 1;
            if twice != *flagged {
                flag.execute(params![twice, dose])?;
            }
        }
        update.execute(params![packed, id])?;
    }
    Ok(())
}

fn days_since_epoch(d: Date) -> i32 {
    (d - Date::default()).num_days() as i32
}

/// Reads `doses_packed`. `None` if the bytes are not a whole number of valid doses.
pub fn unpack_doses(bytes: &[u8], out: &mut Vec<Given>) -> Option<()> {
    if bytes.len() % PACKED_DOSE != 0 {
        return None;
    }
    for chunk in bytes.chunks_exact(PACKED_DOSE) {
        let code = *DoseCode::ALL.get(usize::from(chunk[0]))?;
        let days = i32::from_le_bytes([chunk[1], chunk[2], chunk[3], chunk[4]]);
        let date = Date::default().checked_add_signed(chrono::TimeDelta::try_days(i64::from(days))?)?;
        out.push(Given { code, date });
    }
    Some(())
}
