//! How a planned table is read and converted: the row converter (one column converter per
//! copied column, in copy order) and the source columns to read. The preflight, the copy and
//! the verifier all build them here, so the three cannot disagree about what a row becomes.

use crate::convert::row::{ColumnConverter, RowConverter};
use crate::model::catalog::ColumnType;
use crate::plan::{ColumnPlan, TablePlan};

/// Builds the converter for a table: one entry per copied column, in copy order.
pub fn converter_for(table: &TablePlan, to_sqlite: bool) -> RowConverter {
    let columns = table
        .copied_columns()
        .map(|c| {
            let source_name = c.source.as_deref().unwrap_or_default();
            let source_ty = table
                .source_def
                .column(source_name)
                .map(|s| s.ty.clone())
                .unwrap_or(ColumnType::Any);
            ColumnConverter {
                constant: c.fill.clone(),
                null_becomes: c.null_becomes.clone(),
                target: c.target.clone(),
                target_ty: c.ty.clone(),
                source_ty,
                rules: c.rules.clone(),
                policy: c.policy,
                nullable: !table
                    .target_def
                    .column(&c.target)
                    .is_some_and(|t| t.not_null),
                to_sqlite,
            }
        })
        .collect();
    RowConverter { columns }
}

/// The source columns to read for a table: the copied ones (not the constant ones, which have
/// no source), then the key columns that are not among them (so findings can name rows).
pub fn read_list(
    table: &TablePlan,
    converter: &RowConverter,
    only: Option<&[usize]>,
) -> (Vec<(String, ColumnType)>, Vec<usize>) {
    let copied: Vec<&ColumnPlan> = table.copied_columns().collect();
    let mut list: Vec<(String, ColumnType)> = vec![];
    for (i, c) in copied.iter().enumerate() {
        if c.fill.is_none() && only.is_none_or(|o| o.contains(&i)) {
            list.push((
                c.source.clone().unwrap_or_default(),
                converter.columns[i].source_ty.clone(),
            ));
        }
    }
    let mut key_positions = vec![];
    for key in table.source_def.identity_columns() {
        match list.iter().position(|(n, _)| *n == key) {
            Some(p) => key_positions.push(p),
            None => {
                let ty = table
                    .source_def
                    .column(&key)
                    .map(|c| c.ty.clone())
                    .unwrap_or(ColumnType::Any);
                list.push((key, ty));
                key_positions.push(list.len() - 1);
            }
        }
    }
    (list, key_positions)
}
