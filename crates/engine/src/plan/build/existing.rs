//! *Into existing* mode: source tables and columns matched to the target's by name, each value
//! converted to the target column's type; target-only columns keep their defaults. Here the
//! target's declared types rule (read through the framework's convention for SQLite), so this
//! file matches and reads types rather than choosing them.

use crate::model::options::OptionName;

use super::{column_rules, find_by_name, table_list, PlanInput};
use crate::convert::ColumnRules;
use crate::model::catalog::{ColumnType, Dialect, Table};
use crate::model::conventions::{Convention, Storage, UuidForm, Zone};
use crate::model::finding::{Finding, Policy, ProblemKind, Remedy, Sample, Severity};
use crate::plan::{ColumnPlan, TablePlan};
use crate::{Error, Result};

pub(super) fn plan_existing_table(
    input: &PlanInput,
    source: &Table,
    replace: bool,
    storage: &Storage,
    chosen: &Option<(Convention, String)>,
    findings: &mut Vec<Finding>,
) -> Result<TablePlan> {
    let o = input.options;
    let target_catalog = input.target.ok_or_else(|| {
        Error::bad_option(
            OptionName::IntoExisting,
            format!(
                "{}: {} has no schema to load into",
                OptionName::IntoExisting.mention(),
                input.target_display
            ),
        )
    })?;
    let target =
        find_by_name(&target_catalog.tables, &source.name, |t| &t.name).ok_or_else(|| {
            Error::bad_option(
                OptionName::IntoExisting,
                format!(
                    "{}: {} has no table '{}' (it has: {})",
                    OptionName::IntoExisting.mention(),
                    input.target_display,
                    source.name,
                    table_list(target_catalog)
                ),
            )
        })?;
    if let Some(n) = target.row_count.filter(|n| *n > 0) {
        if !o.append && !replace {
            return Err(Error::bad_option(OptionName::Append, format!(
                "target table '{}' already has {n} row(s); Ferry does not append to existing data unless you pass {}",
                target.name,
                OptionName::Append.mention()
            )));
        }
    }
    let mut columns = vec![];
    for tcol in &target.columns {
        if tcol.generated.is_some() {
            continue;
        }
        match find_by_name(&source.columns, &tcol.name, |c| &c.name) {
            Some(scol) => {
                let policy = o.policy_for(&source.name, &scol.name);
                let mut rules =
                    column_rules(o, &source.name, &scol.name, input.target_dialect, storage);
                let (ty, rule) = if input.target_dialect == Dialect::Sqlite {
                    rules.numeric_affinity = !matches!(
                        crate::sqlite::types::affinity(&tcol.declared_type),
                        crate::sqlite::types::Affinity::Text | crate::sqlite::types::Affinity::Blob
                    );
                    existing_sqlite_column(&scol.ty, tcol, storage, chosen)
                } else {
                    (tcol.ty.clone(), "existing target column".to_string())
                };
                columns.push(ColumnPlan {
                    source: Some(scol.name.clone()),
                    fill: None,
                    null_becomes: None,
                    target: tcol.name.clone(),
                    source_type: scol.declared_type.clone(),
                    target_type: tcol.declared_type.clone(),
                    ty,
                    rule,
                    policy,
                    rules,
                });
            }
            None => {
                columns.push(ColumnPlan {
                    source: None,
                    fill: None,
                    null_becomes: None,
                    target: tcol.name.clone(),
                    source_type: String::new(),
                    target_type: tcol.declared_type.clone(),
                    ty: tcol.ty.clone(),
                    rule: "target-only column: filled from its default".into(),
                    policy: Policy::Stop,
                    rules: ColumnRules::default(),
                });
            }
        }
    }
    for scol in &source.columns {
        if find_by_name(&target.columns, &scol.name, |c| &c.name).is_none() {
            let policy = o.policy_for(&source.name, &scol.name);
            findings.push(Finding {
                severity: Severity::Blocking,
                kind: ProblemKind::NoTargetColumn,
                table: source.name.clone(),
                column: Some(scol.name.clone()),
                count: source.row_count.unwrap_or(0),
                samples: vec![Sample {
                    key: String::new(),
                    value: String::new(),
                    detail: format!(
                        "target table '{}' has no column '{}'",
                        target.name, scol.name
                    ),
                }],
                message: format!(
                    "its values have nowhere to go in the target table {}",
                    target.name
                ),
                remedies: vec![
                    Remedy::AddTargetColumn {
                        table: source.name.clone(),
                        column: scol.name.clone(),
                    },
                    // Not copying a column needs no NULL in the target, whatever its nullability.
                    Remedy::Policy {
                        table: source.name.clone(),
                        column: scol.name.clone(),
                        policy: Policy::Null,
                    },
                ],
                resolved_by: (policy == Policy::Null).then_some(Policy::Null),
            });
        }
    }
    Ok(TablePlan {
        source_table: source.name.clone(),
        target_table: target.name.clone(),
        rows: source.row_count,
        create: false,
        source_filter: None,
        columns,
        replace_existing: false,
        replace,
        target_def: target.clone(),
        source_def: source.clone(),
    })
}

/// The type an existing SQLite column holds under the run's convention, and the plan's rule
/// text saying which convention writes it and why. A framework's SQLite column can hold more
/// than its declared type says: Django's and SQLAlchemy's `datetime` holds instants as naive
/// UTC text (so a timestamptz goes in as its UTC wall clock), their `char(32)` holds a UUID as
/// 32 hex digits.
pub(super) fn existing_sqlite_column(
    source_ty: &ColumnType,
    tcol: &crate::model::catalog::Column,
    storage: &Storage,
    chosen: &Option<(Convention, String)>,
) -> (ColumnType, String) {
    let Some((convention, because)) = chosen else {
        return (tcol.ty.clone(), "existing target column".into());
    };
    let by = |what: String| {
        format!(
            "existing target column, written by the {convention} convention ({because}): {what}"
        )
    };
    match (source_ty, &tcol.ty) {
        (ColumnType::TimestampTz, ColumnType::Timestamp) if storage.zone == Zone::NaiveUtc => (
            ColumnType::TimestampTz,
            by(format!("the instant as {}", storage.datetime_pattern())),
        ),
        (ColumnType::TimestampTz, ColumnType::TimestampTz)
        | (ColumnType::Timestamp, ColumnType::Timestamp) => {
            (tcol.ty.clone(), by(storage.datetime_pattern()))
        }
        (
            ColumnType::Uuid,
            ColumnType::Varchar { max_len: Some(32) } | ColumnType::Char { len: 32 },
        ) if storage.uuid == UuidForm::Hex32 => {
            (ColumnType::Uuid, by("the UUID as 32 hex digits".into()))
        }
        (ColumnType::Uuid, ColumnType::Uuid) => {
            (tcol.ty.clone(), by(storage.uuid_pattern().into()))
        }
        (ColumnType::Time, ColumnType::Time) => (tcol.ty.clone(), by(storage.time_pattern())),
        (ColumnType::Opaque { name }, ColumnType::Int { bits: 64 })
            if name == "interval"
                && storage.duration == crate::model::conventions::DurationForm::Micros =>
        {
            (
                tcol.ty.clone(),
                by("the duration as integer microseconds".into()),
            )
        }
        (ColumnType::Json { .. }, _) => (tcol.ty.clone(), by("the JSON document as TEXT".into())),
        _ => (tcol.ty.clone(), "existing target column".into()),
    }
}
