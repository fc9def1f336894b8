//! Value problems as findings: what the row converter reports about a value becomes a
//! [`Finding`] (table, column, kind, count, the first rows' keys and values, the remedies).
//!
//! One home for the preflight, which converts every value before anything is written, and the
//! copy, which converts them as it writes and records the problems a policy resolved: both
//! report a problem in the same words, with the same counts and samples, so what `ferry
//! migrate` reports equals what `ferry plan` reports for the same inputs.

use std::collections::BTreeMap;

use crate::convert::row::{describe_key, RowConverter, ValueProblem};
use crate::model::catalog::ColumnType;
use crate::model::finding::{Finding, Policy, ProblemKind, Remedy, Sample, Severity, MAX_SAMPLES};
use crate::model::temporal::{EpochUnit, FoldPolicy, GapPolicy};
use crate::plan::TablePlan;

/// Findings by (table, column, kind).
pub(crate) type Findings = BTreeMap<(String, String, String), Finding>;

/// Adds one part's findings to the run's (counts add up; samples keep the first ones).
pub(crate) fn merge(into: &mut Findings, part: Findings) {
    for (key, f) in part {
        match into.get_mut(&key) {
            Some(existing) => {
                existing.count += f.count;
                let room = MAX_SAMPLES.saturating_sub(existing.samples.len());
                existing.samples.extend(f.samples.into_iter().take(room));
            }
            None => {
                into.insert(key, f);
            }
        }
    }
}

/// Adds the value findings to those found before them (the planner's, the checks that read no
/// values) and puts the whole list in the order every front end shows: blocking first, then
/// by table; within a table the earlier findings first, then the value findings by column
/// and kind — whichever pass found them, the preflight's or the copy's.
pub(crate) fn add_value_findings(
    findings: &mut Vec<Finding>,
    values: impl IntoIterator<Item = Finding>,
) {
    let mut values: Vec<Finding> = values.into_iter().collect();
    values.sort_by(|a, b| {
        (&a.table, &a.column, a.kind.as_str()).cmp(&(&b.table, &b.column, b.kind.as_str()))
    });
    findings.extend(values);
    sort(findings);
}

/// Blocking first, then by table; a stable sort, so the order of finding is kept within.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.table.cmp(&b.table)));
}

/// Names the rows of one table in findings: where its key columns are in the rows read.
pub(crate) struct RowNames<'a> {
    table: &'a TablePlan,
    key_positions: Vec<usize>,
    key_names: Vec<String>,
}

impl<'a> RowNames<'a> {
    /// `list` and `key_positions` are what `plan::reads::read_list` returned for the read.
    pub(crate) fn new(
        table: &'a TablePlan,
        list: &[(String, ColumnType)],
        key_positions: Vec<usize>,
    ) -> RowNames<'a> {
        let key_names = key_positions.iter().map(|&p| list[p].0.clone()).collect();
        RowNames {
            table,
            key_positions,
            key_names,
        }
    }

    /// Records the problems `converter` found in one row; `describe` gives the row's value
    /// at a position of the read list, as the source holds it. Rows without problems cost
    /// nothing: only rows with one are described (key and offending values).
    pub(crate) fn record(
        &self,
        findings: &mut Findings,
        converter: &RowConverter,
        problems: &[ValueProblem],
        describe: &dyn Fn(usize) -> String,
    ) {
        if problems.is_empty() {
            return;
        }
        let key: Vec<String> = self.key_positions.iter().map(|&p| describe(p)).collect();
        let key = describe_key(&self.key_names, &key);
        let table = self.table;
        for p in problems {
            let value = describe(p.column);
            let column = converter.columns[p.column].target.clone();
            let kind = p.problem.kind;
            let nullable = converter.columns[p.column].nullable;
            let entry = findings
                .entry((
                    table.source_table.clone(),
                    column.clone(),
                    kind.as_str().to_string(),
                ))
                .or_insert_with(|| Finding {
                    severity: Severity::Blocking,
                    kind,
                    table: table.source_table.clone(),
                    column: Some(column.clone()),
                    count: 0,
                    samples: vec![],
                    // The place is the finding's table and column: every front end shows
                    // it beside the message, so the message does not repeat it.
                    message: p.problem.detail.clone(),
                    remedies: remedies_for(
                        kind,
                        &table.source_table,
                        &column,
                        nullable,
                        table.create,
                    ),
                    resolved_by: p.resolved_by,
                });
            entry.count += 1;
            if entry.samples.len() < MAX_SAMPLES {
                entry.samples.push(Sample {
                    key: key.clone(),
                    value,
                    detail: p.problem.detail.clone(),
                });
            }
        }
    }
}

/// The remedies the engine accepts for a value problem in `table.column`, in the order to
/// offer them: NULL only where the target column takes it, text only where Ferry creates the
/// table (an existing column keeps its type).
fn remedies_for(
    kind: ProblemKind,
    table: &str,
    column: &str,
    nullable: bool,
    creates: bool,
) -> Vec<Remedy> {
    use ProblemKind as K;
    let policy = |policy: Policy| Remedy::Policy {
        table: table.to_string(),
        column: column.to_string(),
        policy,
    };
    let epoch = |unit: EpochUnit| Remedy::Epoch {
        table: table.to_string(),
        column: column.to_string(),
        unit,
    };
    match kind {
        K::EpochNumber => vec![epoch(EpochUnit::Seconds), epoch(EpochUnit::Milliseconds)],
        K::NonexistentLocalTime => vec![
            Remedy::DstGap {
                policy: GapPolicy::ShiftForward,
            },
            Remedy::FixData,
        ],
        K::AmbiguousLocalTime => vec![
            Remedy::DstFold {
                policy: FoldPolicy::Earlier,
            },
            Remedy::DstFold {
                policy: FoldPolicy::Later,
            },
            Remedy::FixData,
        ],
        _ => {
            let keeps_as_text = matches!(
                kind,
                K::BadUuid
                    | K::NotBoolean
                    | K::BadTimestamp
                    | K::BadJson
                    | K::TypeMismatch
                    | K::MixedTypes
                    | K::NotInteger
                    | K::NotNumeric
                    | K::PrecisionLoss
                    | K::JsonbChanges
            );
            let mut out = vec![];
            if kind == K::JsonbChanges {
                // PostgreSQL's json type keeps the text exactly as written.
                out.push(Remedy::TypeOverride {
                    table: table.to_string(),
                    column: column.to_string(),
                    type_name: Some("json".into()),
                });
            }
            out.push(Remedy::FixData);
            if keeps_as_text && creates {
                out.push(policy(Policy::AsText));
            }
            if nullable {
                out.push(policy(Policy::Null));
            }
            out.push(policy(Policy::SkipRow));
            out
        }
    }
}
