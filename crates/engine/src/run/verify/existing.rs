//! The rows an appended table already had (`--into-existing --append`), read inside the run's
//! own transaction (PostgreSQL) or temporary copy (SQLite) before the first row is written.
//!
//! The verifier digests the whole target table, so it expects the digest of these rows plus
//! the copy's (digests are sums, [`TableDigest::merge`]); and when the two differ it must not
//! name a row that was already there as a difference. Only a table that is appended to and
//! not empty pays this read: a created table, one emptied by `--replace` (`run/replace.rs`)
//! and Extract's seeded singletons (`TablePlan::replace_existing`, whose upsert changes the
//! seeded row and whose row count the job has already set aside) start from nothing.

use std::collections::HashMap;

use crate::convert::digest::{row_hash, TableDigest};
use crate::model::catalog::ColumnType;
use crate::plan::{Mode, Plan, TablePlan};
use crate::run::verify::target::typed_reader_for;
use crate::run::verify::{target_digest, RowKeys};
use crate::target::Target;
use crate::Result;

/// Existing rows whose hashes (and keys) are kept to tell them apart from the copied ones
/// when a digest differs; a larger table keeps only its digest.
pub const MAX_EXISTING_ROWS: u64 = 200_000;

/// What an appended table held before the copy.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    pub digest: TableDigest,
    /// Each existing row's hash → how many such rows, and the first one's key; `None` when
    /// the table had more than [`MAX_EXISTING_ROWS`].
    rows: Option<HashMap<[u8; 32], (u32, String)>>,
}

impl Existing {
    pub fn rows(&self) -> u64 {
        self.digest.rows()
    }

    /// The rows by hash, to be taken off one by one as the target is re-read; `None` when
    /// they were too many to keep.
    pub fn remaining(&self) -> Option<HashMap<[u8; 32], (u32, String)>> {
        self.rows.clone()
    }
}

/// Whether the run adds rows to `t` that it does not first remove or overwrite.
fn appended_and_not_empty(plan: &Plan, t: &TablePlan) -> bool {
    plan.mode == Mode::IntoExisting
        && !t.create
        && !t.replace
        && !t.replace_existing
        && t.target_def.row_count.unwrap_or(0) > 0
}

/// Reads every table the run appends to that has rows; `None` for the others (one entry per
/// plan table). Call it after `target.begin()` and before any row is written.
///
/// # Errors
/// Database errors, with the table named by the reader.
pub fn read_existing(
    target: &mut Target,
    plan: &Plan,
    batch_rows: usize,
) -> Result<Vec<Option<Existing>>> {
    let mut out = Vec::with_capacity(plan.tables.len());
    for t in &plan.tables {
        if !appended_and_not_empty(plan, t) {
            out.push(None);
            continue;
        }
        let columns = t.target_columns();
        let types: Vec<&ColumnType> = columns.iter().map(|(_, ty)| ty).collect();
        let keys = RowKeys::new(t, &columns);
        let mut reader = typed_reader_for(target, plan.storage())?;
        if t.target_def.row_count.unwrap_or(0) > MAX_EXISTING_ROWS {
            // Too many to keep: only the digest, by the verifier's own (faster) reader.
            out.push(Some(Existing {
                digest: target_digest(&mut reader, t)?,
                rows: None,
            }));
            continue;
        }
        let mut existing = Existing {
            digest: TableDigest::new(),
            rows: Some(HashMap::new()),
        };
        let mut scratch = vec![];
        reader.read(&t.target_table, &columns, batch_rows, &mut |rows| {
            for row in rows {
                let hash = row_hash(&row, &types, &mut scratch);
                existing.digest.add_hash(&hash);
                if let Some(kept) = existing.rows.as_mut() {
                    if kept.len() as u64 >= MAX_EXISTING_ROWS {
                        // More than the count said (it was taken before this transaction).
                        existing.rows = None;
                    } else {
                        kept.entry(hash)
                            .or_insert_with(|| (0, keys.describe(&row)))
                            .0 += 1;
                    }
                }
            }
            Ok(())
        })?;
        out.push(Some(existing));
    }
    Ok(out)
}
