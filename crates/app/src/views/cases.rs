//! The case-files screen (issue 11): resistant families' case files as the store reads them
//! (`teeka_store::Store::case_files`, whose state is `teeka_domain::monitor::case_state`), in
//! the order each worker works them; reads only.

use teeka_domain::Date;
use teeka_store::{is_open, CaseFileRecord, CaseFilter, Result, Store};
use uuid::Uuid;

/// The case files of a village (or all) on `today`, oldest first; `open_only` keeps those still
/// to work on; `mine` ("my families to visit") puts those still to work on first.
pub fn case_files(
    store: &Store,
    village: Option<Uuid>,
    open_only: bool,
    mine: bool,
    today: Date,
) -> Result<Vec<CaseFileRecord>> {
    let mut files = store.case_files(&CaseFilter { village, open_only, assigned_to: None, on: today })?;
    if mine {
        // Stable: oldest first within each part.
        files.sort_by_key(|c| !is_open(c.state.status));
    }
    Ok(files)
}
