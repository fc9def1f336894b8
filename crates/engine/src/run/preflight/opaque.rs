//! Values of a type Ferry moves as text (`interval`, `tsvector`, `inet`, `money`, …) read from
//! a SQLite source into PostgreSQL. PostgreSQL parses such text and prints its own form
//! (`'24 hours'` → `24:00:00`, `a:1` → `'a':1`): the app would read back something else than
//! the source holds, and the verification would find it only after the whole copy. So the
//! target server itself is asked, before anything is written, what it would store for each
//! distinct value; a value it would store differently, or cannot read, is a finding.

use std::collections::BTreeMap;

use crate::model::batch::RawBatch;
use crate::model::catalog::{ColumnType, Dialect};
use crate::model::finding::{Finding, Policy, ProblemKind, Remedy, Sample, Severity, MAX_SAMPLES};
use crate::model::progress::Cancel;
use crate::model::value::SqliteValue;
use crate::plan::Plan;
use crate::source::Source;
use crate::target::Target;
use crate::Result;

/// Distinct values sent to the server in one question.
const PER_QUESTION: usize = 2_000;

/// One blocking finding per column whose values PostgreSQL would store differently.
///
/// # Errors
/// Database errors on either side; `Cancelled`.
pub(crate) fn stored_differently(
    source: &mut Source,
    target: &mut Target,
    plan: &Plan,
    cancel: &Cancel,
) -> Result<Vec<Finding>> {
    if source.dialect() != Dialect::Sqlite || target.pg_schema().is_none() {
        return Ok(vec![]);
    }
    let mut out = vec![];
    for t in &plan.tables {
        for c in &t.columns {
            let (Some(source_col), ColumnType::Opaque { name: ty }) = (&c.source, &c.ty) else {
                continue;
            };
            if c.policy == Policy::AsText {
                continue;
            }
            // Asked in chunks of distinct texts as the rows stream, so memory stays bounded
            // whatever the table's size; each text is reported once with the first key seen.
            let keys = t.source_def.primary_key.clone();
            let mut list: Vec<(String, ColumnType)> = vec![(source_col.clone(), ColumnType::Text)];
            list.extend(keys.iter().map(|k| (k.clone(), ColumnType::Any)));
            let mut pending: BTreeMap<String, String> = BTreeMap::new();
            let mut changed: BTreeMap<String, (String, String)> = BTreeMap::new();
            let mut ask = |pending: &mut BTreeMap<String, String>,
                           changed: &mut BTreeMap<String, (String, String)>|
             -> Result<()> {
                let texts: Vec<String> = pending.keys().cloned().collect();
                for (text, stored) in target.pg_reprint(ty, &texts)? {
                    let key = pending.get(&text).cloned().unwrap_or_default();
                    changed.entry(text).or_insert((key, stored));
                }
                pending.clear();
                Ok(())
            };
            source.read(
                &t.source_table,
                t.source_filter.as_deref(),
                &list,
                10_000,
                &mut |batch| {
                    cancel.check()?;
                    if let RawBatch::Sqlite(rows) = batch {
                        for row in rows {
                            let SqliteValue::Text(bytes) = &row[0] else {
                                continue; // not text: the converter's own finding
                            };
                            let Ok(text) = std::str::from_utf8(bytes) else {
                                continue;
                            };
                            if !pending.contains_key(text) && !changed.contains_key(text) {
                                let values: Vec<String> =
                                    row[1..].iter().map(SqliteValue::describe).collect();
                                let key = crate::convert::row::describe_key(&keys, &values);
                                pending.insert(text.to_string(), key);
                            }
                            if pending.len() >= PER_QUESTION {
                                ask(&mut pending, &mut changed)?;
                            }
                        }
                    }
                    Ok(())
                },
            )?;
            ask(&mut pending, &mut changed)?;
            if changed.is_empty() {
                continue;
            }
            let samples: Vec<Sample> = changed
                .iter()
                .take(MAX_SAMPLES)
                .map(|(text, (key, stored))| Sample {
                    key: key.clone(),
                    value: SqliteValue::Text(text.clone().into_bytes()).describe(),
                    detail: stored.clone(),
                })
                .collect();
            out.push(Finding {
                severity: Severity::Blocking,
                kind: ProblemKind::StoredDifferently,
                table: t.source_table.clone(),
                column: Some(c.target.clone()),
                count: changed.len() as u64,
                samples,
                message: format!(
                    "PostgreSQL would store {} distinct value(s) differently from what the source holds, as {ty} reads them",
                    changed.len()
                ),
                remedies: vec![
                    Remedy::FixData,
                    Remedy::Policy {
                        table: t.source_table.clone(),
                        column: c.target.clone(),
                        policy: Policy::AsText,
                    },
                ],
                resolved_by: None,
            });
        }
    }
    Ok(out)
}
