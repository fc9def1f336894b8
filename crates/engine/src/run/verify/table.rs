//! One table's verdict from its two digests, and the one-line summary of a failed
//! verification. The migration's verifier and `ferry verify` both build their tables here.

use crate::convert::digest::TableDigest;
use crate::model::report::{RowDifference, TableVerification, Verification};
use crate::plan::TablePlan;
use crate::Result;

/// Compares a table's source and target digests; only when they differ does `locate` re-read
/// both sides to name the differing rows.
///
/// # Errors
/// Whatever `locate` returns.
pub fn compare_table(
    table: &TablePlan,
    source: &TableDigest,
    target: &TableDigest,
    locate: impl FnOnce() -> Result<Vec<RowDifference>>,
) -> Result<TableVerification> {
    let matched = source == target;
    let differences = if matched { vec![] } else { locate()? };
    Ok(TableVerification {
        table: table.target_table.clone(),
        source_rows: source.rows(),
        target_rows: target.rows(),
        source_digest: source.hex(),
        target_digest: target.hex(),
        digest_match: matched,
        existing_rows: 0,
        differences,
    })
}

/// "table t differs (values differ id=3: …); check: …" for the error of a failed run.
pub fn verification_summary(v: &Verification) -> String {
    let mut parts: Vec<String> = v
        .tables
        .iter()
        .filter(|t| !t.digest_match)
        .map(|t| match t.differences.first() {
            Some(d) => format!(
                "table {} differs ({}{}{})",
                t.table,
                d.kind.replace('_', " "),
                if d.key.is_empty() {
                    String::new()
                } else {
                    format!(" {}", d.key)
                },
                if d.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", d.detail)
                }
            ),
            None => format!(
                "table {} differs ({} source rows, {} target rows)",
                t.table, t.source_rows, t.target_rows
            ),
        })
        .collect();
    parts.extend(
        v.checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.name, c.detail)),
    );
    parts.join("; ")
}
