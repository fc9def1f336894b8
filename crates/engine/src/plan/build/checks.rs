//! Refusals of plans that cannot work, each one sentence naming what to change: column
//! settings for columns that do not exist, `--replace` that would orphan rows, NOT NULL target
//! columns nothing fills.

use crate::model::options::OptionName;

use super::{table_list, PlanInput};
use crate::model::catalog::Catalog;
use crate::model::options::Options;
use crate::plan::{Plan, TablePlan};
use crate::{Error, Result};

/// A per-column option (`--type`, `--epoch`, `--on-bad-value`, `--column-timezone`) that
/// names no column of the source would be ignored without a word, and the run would do
/// what the user asked it not to: refused instead. Jobs plan a changed view of the source
/// (Extract's `app_config`), so there only a table that exists nowhere is refused.
pub(super) fn check_column_settings(o: &Options, source: &Catalog, display: &str) -> Result<()> {
    let refs = o
        .type_overrides
        .iter()
        .map(|s| (OptionName::Type, &s.column))
        .chain(
            o.epoch_columns
                .iter()
                .map(|s| (OptionName::Epoch, &s.column)),
        )
        .chain(
            o.column_policies
                .iter()
                .map(|s| (OptionName::OnBadValue, &s.column)),
        )
        .chain(
            o.column_timezones
                .iter()
                .map(|s| (OptionName::ColumnTimezone, &s.column)),
        );
    let copy = matches!(o.job, crate::model::options::Job::Copy);
    for (flag, c) in refs {
        let Some(table) = source.table(&c.table) else {
            if !copy {
                continue;
            }
            return Err(Error::bad_option(
                flag,
                format!(
                    "{} {}.{}: no table named '{}' in {display} (tables: {})",
                    flag.mention(),
                    c.table,
                    c.column,
                    c.table,
                    table_list(source)
                ),
            ));
        };
        if copy && table.column(&c.column).is_none() {
            let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
            return Err(Error::bad_option(
                flag,
                format!(
                    "{} {}.{}: table '{}' has no column '{}' (columns: {})",
                    flag.mention(),
                    c.table,
                    c.column,
                    c.table,
                    c.column,
                    columns.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses a replace that would orphan or re-point the target's rows: every target table with
/// a foreign key into a replaced table must be replaced or loaded too, or be empty, since the
/// replaced rows' keys will mean the source's rows.
///
/// # Errors
/// `BadInput` naming the replaced table, the referencing table and its row count.
pub(super) fn check_replace_is_fk_safe(input: &PlanInput, tables: &[TablePlan]) -> Result<()> {
    let Some(target) = input.target else {
        return Ok(());
    };
    for t in tables.iter().filter(|t| t.replace) {
        for child in &target.tables {
            let loaded = tables.iter().any(|p| {
                p.target_table == child.name && (p.replace || child.row_count.unwrap_or(0) == 0)
            });
            if loaded || child.name == t.target_table {
                continue;
            }
            let Some(fk) = child
                .foreign_keys
                .iter()
                .find(|fk| fk.ref_table == t.target_table)
            else {
                continue;
            };
            let rows = child.row_count.unwrap_or(0);
            if rows > 0 {
                return Err(Error::bad_option(OptionName::Replace, format!(
                    "replacing the rows of '{}' would leave {rows} row(s) of '{}' in {} pointing at other rows (its foreign key ({}) refers to '{}'); replace that table too ({replace} {}) or empty it first",
                    t.target_table,
                    child.name,
                    input.target_display,
                    fk.columns.join(", "),
                    t.target_table,
                    child.name,
                    replace = OptionName::Replace.mention()
                )));
            }
        }
    }
    Ok(())
}

/// Refuses a plan that would leave a NOT NULL target column without a value: a target-only
/// column with neither a default nor a fill value from the job. Run after the job's
/// transforms, which may fill such columns (Promote's owner column, say).
///
/// # Errors
/// `BadInput` naming the table and columns.
pub fn check_required_columns(plan: &Plan) -> Result<()> {
    for t in &plan.tables {
        let missing: Vec<&str> = t
            .columns
            .iter()
            .filter(|c| c.source.is_none() && c.fill.is_none())
            .filter_map(|c| t.target_def.column(&c.target))
            .filter(|c| c.not_null && c.default.is_none() && !c.auto_increment)
            .map(|c| c.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Error::bad_input(format!(
                "target table '{}' has NOT NULL column(s) {} without a default and the source has no such column; add a default or make them nullable",
                t.target_table,
                missing.join(", ")
            )));
        }
    }
    Ok(())
}
