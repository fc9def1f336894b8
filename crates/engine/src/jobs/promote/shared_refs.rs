//! A shared table must not refer to an owned one: every user reads the shared rows, so their
//! references would show one user's rows to all and dangle for everyone else once other
//! users add theirs. One blocking finding per such foreign key, before anything is written.

use crate::model::finding::{Finding, ProblemKind, Remedy, Severity};
use crate::plan::Plan;

/// The findings for foreign keys from a shared table to an owned (planned, not shared) table.
/// `shared` is the `--shared` list as the user gave it (target names), so that each remedy
/// names the exact list to pass.
pub fn findings(plan: &Plan, shared: &[String]) -> Vec<Finding> {
    let mut found = vec![];
    for t in plan
        .tables
        .iter()
        .filter(|t| shared.contains(&t.target_table))
    {
        for fk in &t.target_def.foreign_keys {
            let owned = &fk.ref_table;
            let is_owned =
                !shared.contains(owned) && plan.tables.iter().any(|p| &p.target_table == owned);
            if !is_owned || owned == &t.target_table {
                continue;
            }
            let mut share_too = shared.to_vec();
            share_too.push(owned.clone());
            let keep_owned: Vec<String> = shared
                .iter()
                .filter(|s| **s != t.target_table)
                .cloned()
                .collect();
            let columns = fk.columns.join(", ");
            found.push(Finding {
                severity: Severity::Blocking,
                kind: ProblemKind::SharedReferencesOwned,
                table: t.target_table.clone(),
                column: Some(columns.clone()),
                count: t.rows.unwrap_or(0),
                samples: vec![],
                message: format!(
                    "the shared table {} refers to the owned table {owned} ({columns}): every user would read references to one user's rows, which dangle for the others",
                    t.target_table
                ),
                remedies: vec![
                    Remedy::ShareToo {
                        table: owned.clone(),
                        shared: share_too,
                    },
                    Remedy::KeepOwned {
                        table: t.target_table.clone(),
                        shared: keep_owned,
                    },
                ],
                resolved_by: None,
            });
        }
    }
    found
}
