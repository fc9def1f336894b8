//! *Into existing* mode: source tables and columns matched to the target's by name, each value
//! converted to the target column's type; target-only columns keep their defaults. Here the
//! target's declared types rule (read through the framework's convention for SQLite), so this
//! file matches and reads types rather than choosing them.

use crate::model::options::{setting_for, OptionName};

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
                    let writer = match chosen {
                        Some((c, because)) => Writer::Convention(*c, because),
                        None => Writer::Ferry,
                    };
                    let (ty, rule, column_storage) =
                        existing_sqlite_column(&scol.ty, tcol, storage, &writer);
                    rules.storage = column_storage;
                    (ty, rule)
                } else {
                    let mut rule = "existing target column".to_string();
                    let temporal = matches!(
                        scol.ty,
                        ColumnType::Timestamp | ColumnType::TimestampTz | ColumnType::Date
                    );
                    if temporal
                        && input.source.dialect == Dialect::Sqlite
                        && setting_for(&o.epoch_columns, &source.name, &scol.name).is_none()
                        && super::prisma_epoch(storage).is_some()
                    {
                        rule.push_str(", read by the prisma convention: an INTEGER is milliseconds since 1970 (Prisma ≤ 6's DateTime)");
                    }
                    (tcol.ty.clone(), rule)
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

/// Who decides the form an existing SQLite column is written in (the precedence is
/// `plan::evidence`'s: `--conventions`, the column's rows, the bookkeeping table, the declared
/// types, Ferry's own).
pub(crate) enum Writer<'a> {
    /// A convention, named or detected, with why (`--conventions django`, `detected: …`).
    Convention(Convention, &'a str),
    /// The column's existing rows: `existing rows: 32 hex digits (100 of 100 sampled)`.
    Rows(&'a str),
    /// No framework and no rows: Ferry's own form, unless the declared type pins one.
    Ferry,
}

/// The type an existing SQLite column holds under `storage`, the plan's rule text saying
/// which form writes it and why, and the storage the column is written with. A framework's
/// SQLite column can hold more than its declared type says: Django's and SQLAlchemy's
/// `datetime` holds instants as naive UTC text (so a timestamptz goes in as its UTC wall
/// clock), their `char(32)` holds a UUID as 32 hex digits.
pub(crate) fn existing_sqlite_column(
    source_ty: &ColumnType,
    tcol: &crate::model::catalog::Column,
    storage: &Storage,
    writer: &Writer,
) -> (ColumnType, String, Storage) {
    let mut storage = *storage;
    let by = |what: String| match writer {
        Writer::Convention(convention, because) => format!(
            "existing target column, written by the {convention} convention ({because}): {what}"
        ),
        Writer::Rows(because) => {
            format!(
                "existing target column, written in its existing rows' form ({because}): {what}"
            )
        }
        Writer::Ferry => "existing target column".to_string(),
    };
    let rows = matches!(writer, Writer::Rows(_));
    let hex_sized = matches!(
        tcol.ty,
        ColumnType::Varchar { max_len: Some(32) } | ColumnType::Char { len: 32 }
    );
    let (ty, rule) = match (source_ty, &tcol.ty) {
        (ColumnType::TimestampTz, ColumnType::Timestamp)
            if storage.zone == Zone::NaiveUtc || rows =>
        {
            (
                ColumnType::TimestampTz,
                by(format!("the instant as {}", storage.datetime_pattern())),
            )
        }
        (ColumnType::TimestampTz, ColumnType::TimestampTz)
        | (ColumnType::Timestamp, ColumnType::Timestamp) => {
            (tcol.ty.clone(), by(storage.datetime_pattern()))
        }
        // Django's UUIDField and SQLAlchemy's Uuid declare `char(32)` (django/db/backends/
        // sqlite3/base.py data_types "UUIDField": "char(32)"; sqlalchemy sqltypes.Uuid): a
        // hyphenated UUID does not fit, so the declared type pins the form when nothing else
        // does.
        (ColumnType::Uuid, _) if hex_sized && matches!(writer, Writer::Ferry) => {
            storage.uuid = UuidForm::Hex32;
            (
                ColumnType::Uuid,
                format!(
                    "existing target column, written by its declared type ({} holds a UUID as 32 hex digits, as Django's UUIDField and SQLAlchemy's Uuid declare it): the UUID as 32 hex digits",
                    tcol.declared_type
                ),
            )
        }
        (
            ColumnType::Uuid,
            ColumnType::Varchar { .. } | ColumnType::Char { .. } | ColumnType::Text,
        ) if storage.uuid == UuidForm::Hex32 && (hex_sized || rows) => {
            (ColumnType::Uuid, by("the UUID as 32 hex digits".into()))
        }
        (ColumnType::Uuid, ColumnType::Bytes | ColumnType::Uuid)
            if storage.uuid == UuidForm::Blob16 =>
        {
            (ColumnType::Uuid, by("the UUID as 16 bytes".into()))
        }
        (ColumnType::Uuid, ColumnType::Uuid) => {
            (tcol.ty.clone(), by(storage.uuid_pattern().into()))
        }
        (ColumnType::Bool, ColumnType::Bool) if rows => {
            let form = match storage.boolean {
                crate::model::conventions::BoolForm::Integer => "INTEGER 1/0",
                crate::model::conventions::BoolForm::TextTf => "TEXT 't'/'f'",
                crate::model::conventions::BoolForm::TextTrueFalse => "TEXT 'true'/'false'",
            };
            (tcol.ty.clone(), by(format!("booleans as {form}")))
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
        (ColumnType::Uuid, _) if rows => (tcol.ty.clone(), by("the UUID hyphenated".into())),
        (_, _) if rows => (tcol.ty.clone(), by("as Ferry converts it".into())),
        _ => (tcol.ty.clone(), "existing target column".into()),
    };
    (ty, rule, storage)
}
