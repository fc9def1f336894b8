//! What the plan will write and back up, in words (`ferry plan`'s "writes" section): kept apart
//! from the planning itself because it only describes the tables already planned.

use super::PlanInput;
use crate::model::catalog::Dialect;
use crate::plan::{Mode, TablePlan, WriteSummary};

pub(super) fn write_summary(input: &PlanInput, mode: Mode, tables: &[TablePlan]) -> WriteSummary {
    let o = input.options;
    let rows: u64 = tables.iter().filter_map(|t| t.rows).sum();
    let mut effects = vec![];
    let backup: String = match (input.target_dialect, mode) {
        (Dialect::Postgres, Mode::CreateSchema) => {
            effects.push(format!(
                "create {} table(s) in schema {} and load {rows} row(s), in one transaction",
                tables.len(),
                o.pg_schema
            ));
            "none needed: Ferry only creates new tables, inside one transaction that commits after verification".into()
        }
        (Dialect::Postgres, Mode::IntoExisting) => {
            effects.push(format!(
                "add {rows} row(s) to {} existing table(s) in schema {}, in one transaction",
                tables.len(),
                o.pg_schema
            ));
            match &o.backup {
                crate::model::options::BackupChoice::Skip => "skipped at your request (--no-backup)".into(),
                _ if tables.iter().any(|t| t.replace) => "none: the replaced tables' rows are deleted and the source's loaded in the same transaction as every other row, which commits only after verification (a failure or cancel rolls the deletion back); other existing rows are never changed".into(),
                _ => "the rows Ferry adds are in one transaction that commits only after verification; existing rows are never changed or deleted".into(),
            }
        }
        (Dialect::Sqlite, _) => {
            let verb = if mode == Mode::IntoExisting {
                "add rows to"
            } else if input.target_file_exists {
                "replace"
            } else {
                "create"
            };
            effects.push(format!("{verb} {} ({} table(s), {rows} row(s)), built in a temporary file and moved into place after verification", input.target_display, tables.len()));
            if !input.target_file_exists {
                "none needed: the file does not exist yet".into()
            } else {
                match &o.backup {
                    crate::model::options::BackupChoice::Skip => {
                        "skipped at your request (--no-backup)".into()
                    }
                    crate::model::options::BackupChoice::Dir(d) => {
                        format!("the existing file, into {}", d.display())
                    }
                    crate::model::options::BackupChoice::Default => {
                        "the existing file, beside it (name.ferry-backup-<UTC time>.db)".into()
                    }
                }
            }
        }
    };
    let replaced: Vec<String> = tables
        .iter()
        .filter(|t| t.replace)
        .map(|t| {
            match input
                .target
                .and_then(|c| c.table(&t.target_table))
                .and_then(|c| c.row_count)
            {
                Some(n) => format!("{} ({n} row(s))", t.target_table),
                None => t.target_table.clone(),
            }
        })
        .collect();
    if !replaced.is_empty() {
        effects.push(format!(
            "replace the target's rows of {} with the source's",
            replaced.join(", ")
        ));
    }
    WriteSummary {
        target: input.target_display.clone(),
        effects,
        backup,
    }
}
