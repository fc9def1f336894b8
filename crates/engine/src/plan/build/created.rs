//! *Create schema* mode: the target definition of a table, derived from the source one through
//! the type mapping and the expression translator (CHECKs, defaults). Kept apart from the
//! into-existing matcher because here Ferry decides the target types; there the target does.

use crate::model::options::OptionName;

use super::{column_rules, PlanInput, Profiler};
use crate::model::catalog::{Check, ColumnType, DefaultValue, Dialect, Table};
use crate::model::conventions::Storage;
use crate::model::finding::Policy;
use crate::model::options::setting_for;
use crate::plan::check_expr::{self, Translation};
use crate::plan::mapping;
use crate::plan::{ColumnPlan, TablePlan};
use crate::{Error, Result};

pub(super) fn plan_created_table(
    input: &PlanInput,
    source: &Table,
    selected: &[&Table],
    storage: &Storage,
    profile: &mut Profiler,
    warnings: &mut Vec<String>,
) -> Result<TablePlan> {
    let o = input.options;
    let from = input.source.dialect;
    let to = input.target_dialect;
    let mut target = source.clone();
    let mut columns = vec![];
    for (col, tcol) in source.columns.iter().zip(target.columns.iter_mut()) {
        let policy = o.policy_for(&source.name, &col.name);
        let (mut ty, rule) = mapping::map_column(from, col);
        let mut rule_text = rule.describe();
        if matches!(ty, ColumnType::Any) {
            let classes = profile(&source.name, &col.name)?;
            ty = type_by_content(&classes);
            rule_text = format!(
                "no declared type → {} (by content: {})",
                ty.pg_name(),
                describe_classes(&classes)
            );
        }
        if let Some(name) = setting_for(&o.type_overrides, &source.name, &col.name) {
            ty = parse_type_name(name).ok_or_else(|| {
                Error::bad_option(
                    OptionName::Type,
                    format!(
                        "{} {}.{}={name}: unknown type name",
                        OptionName::Type.mention(),
                        source.name,
                        col.name
                    ),
                )
            })?;
            rule_text = format!("--type override → {}", ty.pg_name());
        }
        if policy == Policy::AsText {
            ty = ColumnType::Text;
            rule_text = "--on-bad-value …=text → text".into();
        }
        if col.generated.is_some() {
            warnings.push(format!(
                "{}.{} is a generated column; it becomes a plain column holding the copied values",
                source.name, col.name
            ));
            tcol.generated = None;
        }
        tcol.ty = ty.clone();
        tcol.default = translate_default(
            col.default.as_ref(),
            from,
            to,
            &source.name,
            &col.name,
            warnings,
        );
        tcol.declared_type = declared_in(to, &ty);
        if tcol.auto_increment && !matches!(ty, ColumnType::Int { .. }) {
            tcol.auto_increment = false;
        }
        columns.push(ColumnPlan {
            source: Some(col.name.clone()),
            fill: None,
            null_becomes: None,
            target: col.name.clone(),
            source_type: if col.declared_type.is_empty() {
                "(none)".into()
            } else {
                col.declared_type.clone()
            },
            target_type: tcol.declared_type.clone(),
            ty,
            rule: rule_text,
            policy,
            rules: column_rules(o, &source.name, &col.name, to, storage),
        });
    }
    // CHECKs: kept when they translate, dropped (with a warning) when they cannot.
    let type_of = |name: &str| target.column(name).map(|c| c.ty.clone());
    let mut checks = vec![];
    for check in &source.checks {
        // The CHECK Ferry writes for an enum column in SQLite is the enum type itself on the
        // way back, not an extra constraint.
        let enum_check = target.columns.iter().any(|c| matches!(&c.ty, ColumnType::Enum { labels, .. } if enum_check_sql(&c.name, labels) == check.expression));
        if enum_check {
            continue;
        }
        match check_expr::translate_check(&check.expression, from, to, &type_of) {
            Translation::Same(e) | Translation::Translated(e) => checks.push(Check {
                name: check.name.clone(),
                expression: e,
            }),
            Translation::Implied { reason } => warnings.push(format!(
                "{}: CHECK ({}) is enforced by the column type in the target ({reason})",
                source.name, check.expression
            )),
            Translation::Untranslatable { reason } => warnings.push(format!(
                "{}: CHECK ({}) is not migrated: {reason}",
                source.name, check.expression
            )),
        }
    }
    if to == Dialect::Sqlite {
        for col in &target.columns {
            if let ColumnType::Enum { labels, .. } = &col.ty {
                checks.push(Check {
                    name: None,
                    expression: enum_check_sql(&col.name, labels),
                });
            }
        }
    }
    target.checks = checks;
    // Foreign keys to tables that are not copied cannot be kept.
    target.foreign_keys.retain(|fk| {
        let kept = selected.iter().any(|t| t.name == fk.ref_table);
        if !kept {
            warnings.push(format!(
                "{}: foreign key ({}) → {} dropped: that table is not copied",
                source.name,
                fk.columns.join(", "),
                fk.ref_table
            ));
        }
        kept
    });
    // Index expressions and partial predicates are dialect SQL: keep only what translates.
    let type_of = |name: &str| target.column(name).map(|c| c.ty.clone());
    let mut indexes = vec![];
    for index in &source.indexes {
        let mut index = index.clone();
        if let Some(pred) = &index.predicate {
            match check_expr::translate_check(pred, from, to, &type_of) {
                Translation::Same(e) | Translation::Translated(e) => index.predicate = Some(e),
                _ => {
                    warnings.push(format!("{}: partial index {} is not migrated (its WHERE clause does not translate)", source.name, index.name));
                    continue;
                }
            }
        }
        let portable = index.columns.iter().all(|c| match c {
            crate::model::catalog::IndexColumn::Column { .. } => true,
            crate::model::catalog::IndexColumn::Expression { sql } => matches!(
                check_expr::translate_check(sql, from, to, &type_of),
                Translation::Same(_)
            ),
        });
        if !portable {
            warnings.push(format!(
                "{}: expression index {} is not migrated",
                source.name, index.name
            ));
            continue;
        }
        indexes.push(index);
    }
    target.indexes = indexes;
    target.row_count = None;
    Ok(TablePlan {
        source_table: source.name.clone(),
        target_table: source.name.clone(),
        rows: source.row_count,
        create: true,
        source_filter: None,
        columns,
        replace_existing: false,
        replace: false,
        target_def: target,
        source_def: source.clone(),
    })
}

/// The CHECK that keeps a SQLite text column to an enum's labels.
pub(super) fn enum_check_sql(column: &str, labels: &[String]) -> String {
    let list: Vec<String> = labels
        .iter()
        .map(|l| format!("'{}'", l.replace('\'', "''")))
        .collect();
    format!(
        "{} IN ({})",
        crate::sqlite::ddl::quote_ident(column),
        list.join(", ")
    )
}

pub(super) fn translate_default(
    default: Option<&DefaultValue>,
    from: Dialect,
    to: Dialect,
    table: &str,
    column: &str,
    warnings: &mut Vec<String>,
) -> Option<DefaultValue> {
    match default? {
        DefaultValue::Expression { dialect, sql } if *dialect != to => {
            warnings.push(format!("{table}.{column}: DEFAULT {sql} is not migrated ({from:?} expression with no {to:?} equivalent known to Ferry)"));
            None
        }
        other => Some(other.clone()),
    }
}

pub(super) fn declared_in(dialect: Dialect, ty: &ColumnType) -> String {
    match dialect {
        Dialect::Postgres => ty.pg_name(),
        Dialect::Sqlite => {
            let (declared, hint) = crate::sqlite::ddl::declared_type(ty);
            match hint {
                Some(h) => format!("{declared} /* pg:{h} */"),
                None => declared,
            }
        }
    }
}

/// The type for an untyped SQLite column, from the storage classes it holds.
pub(super) fn type_by_content(classes: &[(String, u64)]) -> ColumnType {
    let has = |c: &str| classes.iter().any(|(k, n)| k == c && *n > 0);
    let (int, real, text, blob) = (has("integer"), has("real"), has("text"), has("blob"));
    match (int, real, text, blob) {
        (true, false, false, false) => ColumnType::Int { bits: 64 },
        (_, true, false, false) => ColumnType::Float { bits: 64 },
        (false, false, false, true) => ColumnType::Bytes,
        // Text, nothing, or a mix: text; numbers in it are findings the user resolves.
        _ => ColumnType::Text,
    }
}

pub(super) fn describe_classes(classes: &[(String, u64)]) -> String {
    let parts: Vec<String> = classes.iter().map(|(k, n)| format!("{n} {k}")).collect();
    if parts.is_empty() {
        "empty".into()
    } else {
        parts.join(", ")
    }
}

/// PostgreSQL type names a user may give to `--type` (the same reader as Ferry's own
/// `pg:` hints); names Ferry would only move as opaque text are refused.
pub fn parse_type_name(text: &str) -> Option<ColumnType> {
    crate::sqlite::types::parse_pg_type(&text.to_ascii_lowercase())
        .filter(|t| !matches!(t, ColumnType::Opaque { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untyped_columns_are_typed_by_content() {
        let c = |v: &[(&str, u64)]| {
            v.iter()
                .map(|(k, n)| (k.to_string(), *n))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            type_by_content(&c(&[("integer", 5), ("null", 1)])),
            ColumnType::Int { bits: 64 }
        );
        assert_eq!(
            type_by_content(&c(&[("integer", 5), ("real", 1)])),
            ColumnType::Float { bits: 64 }
        );
        assert_eq!(type_by_content(&c(&[("blob", 2)])), ColumnType::Bytes);
        assert_eq!(
            type_by_content(&c(&[("text", 2), ("integer", 1)])),
            ColumnType::Text
        );
    }

    #[test]
    fn type_names_for_overrides() {
        assert_eq!(parse_type_name("uuid"), Some(ColumnType::Uuid));
        assert_eq!(
            parse_type_name("NUMERIC(12,2)"),
            Some(ColumnType::Numeric {
                precision: Some(12),
                scale: Some(2)
            })
        );
        assert_eq!(
            parse_type_name("text[]"),
            Some(ColumnType::Array {
                element: Box::new(ColumnType::Text)
            })
        );
        assert_eq!(parse_type_name("nonsense"), None);
    }
}
