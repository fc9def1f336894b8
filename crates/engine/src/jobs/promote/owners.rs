//! The owner column every migrated table gets (or already has), and the "NULL becomes the
//! migration time" rule of `--fill-updated-at`.

use crate::convert::ColumnRules;
use crate::model::catalog::{Column, ColumnType, FkAction, ForeignKey, Index, IndexColumn};
use crate::model::error::Context;
use crate::model::finding::Policy;
use crate::model::options::OptionName;
use crate::model::report::Check;
use crate::model::value::Value;
use crate::plan::{ColumnPlan, Plan};
use crate::postgres::ddl::{qualified, quote_ident};
use crate::{Error, Result};

use super::users::UsersTable;
use super::{PromoteOptions, UPDATED_AT_NAMES};

const OWNER_RULE: &str = "Promote: owner column, set to the admin's id";

/// Gives every planned table but the `shared` ones its owner column with a placeholder fill
/// (`NULL`, replaced by the admin's id in `prepare_target`; a run that skipped that step would
/// fail on NOT NULL, never write a wrong owner). Returns (table, owner column) per owned table.
///
/// # Errors
/// `BadInput` when a source table already has the owner column (create mode) or a target
/// table has none (into-existing mode).
pub fn add_owner_columns(
    plan: &mut Plan,
    users: &UsersTable,
    o: &PromoteOptions,
    into_existing: bool,
    shared: &[String],
) -> Result<Vec<(String, String)>> {
    let mut owners = vec![];
    for t in plan
        .tables
        .iter_mut()
        .filter(|t| !shared.contains(&t.target_table))
    {
        let column = if into_existing {
            existing_owner(t, users, o)?
        } else {
            if t.source_def.column(&o.owner_column).is_some() {
                return Err(Error::bad_option(
                    OptionName::OwnerColumn,
                    format!(
                        "source table '{}' already has a column '{}'; name the owner column Promote adds with {opt_owner_column}",
                        t.source_table,
                        o.owner_column,
                        opt_owner_column = OptionName::OwnerColumn.mention(),
                    ),
                ));
            }
            let name = o.owner_column.clone();
            t.target_def.columns.push(Column {
                name: name.clone(),
                declared_type: users.id_type.pg_name(),
                ty: users.id_type.clone(),
                not_null: true,
                default: None,
                auto_increment: false,
                sequence: None,
                generated: None,
            });
            t.target_def.foreign_keys.push(ForeignKey {
                name: None,
                columns: vec![name.clone()],
                ref_table: users.name.clone(),
                ref_columns: vec![users.id_column.clone()],
                on_delete: FkAction::NoAction,
                on_update: FkAction::NoAction,
                deferrable: false,
            });
            // Every query of a multi-user app filters by owner.
            t.target_def.indexes.push(Index {
                name: format!("{}_{}_idx", t.target_table, name),
                unique: false,
                columns: vec![IndexColumn::Column {
                    name: name.clone(),
                    descending: false,
                }],
                predicate: None,
            });
            t.columns.push(ColumnPlan {
                source: None,
                fill: None,
                null_becomes: None,
                target: name.clone(),
                source_type: String::new(),
                target_type: users.id_type.pg_name(),
                ty: users.id_type.clone(),
                rule: String::new(),
                policy: Policy::Stop,
                rules: ColumnRules::default(),
            });
            name
        };
        let c = t
            .columns
            .iter_mut()
            .find(|c| c.target == column)
            .ok_or_else(|| Error::runtime("internal: owner column not in the plan"))?;
        if c.source.is_some() {
            return Err(Error::bad_input(format!(
                "source table '{}' has a column '{}' that would be loaded into the owner column; Promote sets the owner itself — exclude the column's table or rename it",
                t.source_table, column
            )));
        }
        c.fill = Some(Value::Null);
        c.rule = OWNER_RULE.into();
        owners.push((t.target_table.clone(), column));
    }
    Ok(owners)
}

/// The owner column of an existing target table: the one with a foreign key to the users
/// table, else the one named like `--owner-column`.
fn existing_owner(
    t: &crate::plan::TablePlan,
    users: &UsersTable,
    o: &PromoteOptions,
) -> Result<String> {
    let by_fk: Vec<&String> = t
        .target_def
        .foreign_keys
        .iter()
        .filter(|fk| fk.ref_table == users.name && fk.columns.len() == 1)
        .map(|fk| &fk.columns[0])
        .collect();
    match by_fk.as_slice() {
        [one] => Ok((*one).clone()),
        _ => t
            .target_def
            .column(&o.owner_column)
            .map(|c| c.name.clone())
            .ok_or_else(|| {
                Error::bad_option(
                    OptionName::OwnerColumn,
                    format!(
                        "target table '{}' has no owner column (no single foreign key to {} and no column '{}'); Promote gives every migrated table an owner — add it in the app's schema, name it with {opt_owner_column}, or, if all users share the table, pass {opt_shared} {}",
                        t.target_table,
                        users.name,
                        o.owner_column,
                        t.target_table,
                        opt_owner_column = OptionName::OwnerColumn.mention(),
                        opt_shared = OptionName::Shared.mention(),
                    ),
                )
            }),
    }
}

/// Puts the admin's id into every owner column's fill.
///
/// # Errors
/// Internal errors only (an owner column missing from the plan).
pub fn set_owner(plan: &mut Plan, owners: &[(String, String)], id: &Value) -> Result<()> {
    for (table, column) in owners {
        let c = plan
            .tables
            .iter_mut()
            .find(|t| &t.target_table == table)
            .and_then(|t| t.columns.iter_mut().find(|c| &c.target == column))
            .ok_or_else(|| Error::runtime("internal: owner column not in the plan"))?;
        c.fill = Some(id.clone());
    }
    Ok(())
}

/// Whether a column name is one of the "last modified" names.
pub fn is_updated_at(name: &str) -> bool {
    UPDATED_AT_NAMES
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// `--fill-updated-at`: NULL in an `updated_at`-style timestamp column becomes the migration
/// time (one instant for the whole run). A naive `timestamp` target gets its UTC reading.
pub fn fill_updated_at(plan: &mut Plan, migration_time: i64) {
    let mut touched = 0;
    for t in &mut plan.tables {
        for c in t.columns.iter_mut().filter(|c| c.source.is_some()) {
            let value = match c.ty {
                ColumnType::TimestampTz => Value::TimestampTz(migration_time),
                ColumnType::Timestamp => Value::Timestamp(migration_time),
                _ => continue,
            };
            if is_updated_at(&c.target) {
                c.null_becomes = Some(value);
                c.rule
                    .push_str("; NULL → migration time (--fill-updated-at)");
                touched += 1;
            }
        }
    }
    if touched == 0 {
        plan.warnings.push(format!(
            "--fill-updated-at: no timestamp column named like {} was found; nothing is filled",
            UPDATED_AT_NAMES.join(", ")
        ));
    }
}

/// No NULL owner, and every row owned by the admin.
///
/// # Errors
/// Database errors.
pub fn owner_check(
    client: &mut postgres::Client,
    schema: &str,
    owners: &[(String, String)],
    admin_id: &str,
) -> Result<Check> {
    let mut problems = vec![];
    let mut rows = 0i64;
    for (table, column) in owners {
        let col = quote_ident(column);
        let row = client
            .query_one(
                &format!(
                    "SELECT count(*), count(*) FILTER (WHERE {col} IS NULL), count(*) FILTER (WHERE {col}::text <> $1) FROM {}",
                    qualified(schema, table)
                ),
                &[&admin_id],
            )
            .context(|| format!("checking the owner column {table}.{column}"))?;
        let (n, nulls, others): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
        rows += n;
        if nulls > 0 || others > 0 {
            problems.push(format!(
                "{table}.{column}: {nulls} NULL, {others} not the admin"
            ));
        }
    }
    Ok(Check {
        name: "no NULL owner".into(),
        passed: problems.is_empty(),
        detail: if problems.is_empty() {
            format!(
                "all {rows} row(s) of {} table(s) are owned by the admin (id {admin_id})",
                owners.len()
            )
        } else {
            problems.join("; ")
        },
    })
}
