//! Ids that already reach the top of their type. Such a table is valid in both databases and
//! migrates as it is; what the plan must say is that the target's sequence is left at its end,
//! so the app's *next* insert fails — with the target's own words — instead of the run failing
//! late, or a sequence silently wrapping or restarting among the copied ids.

use crate::model::catalog::ColumnType;
use crate::plan::Plan;
use crate::source::Source;
use crate::Result;

/// The largest value of an integer column of `bits` in the target (SQLite's are all 64-bit).
fn type_max(bits: u8, to_sqlite: bool) -> (i64, &'static str) {
    match (bits, to_sqlite) {
        (_, true) => (i64::MAX, "SQLite integer"),
        (16, _) => (i16::MAX.into(), "smallint"),
        (32, _) => (i32::MAX.into(), "integer"),
        _ => (i64::MAX, "bigint"),
    }
}

/// One sentence per generated-id column whose copied maximum is its type's maximum.
///
/// # Errors
/// Database errors while reading the maxima.
pub(crate) fn at_their_end(
    source: &mut Source,
    plan: &Plan,
    to_sqlite: bool,
) -> Result<Vec<String>> {
    let mut out = vec![];
    for t in &plan.tables {
        let def = &t.target_def;
        for c in &t.columns {
            let Some(col) = def.column(&c.target) else {
                continue;
            };
            // SQLite keeps a counter only for AUTOINCREMENT tables; without one it picks any
            // unused rowid, so a full rowid range is no trap.
            let generated = if to_sqlite {
                col.auto_increment && def.autoincrement
            } else {
                col.auto_increment
            };
            let (Some(source_col), true, ColumnType::Int { bits }) =
                (&c.source, generated, &col.ty)
            else {
                continue;
            };
            let (max, type_name) = type_max(*bits, to_sqlite);
            let copied =
                source.max_integer(&t.source_table, source_col, t.source_filter.as_deref())?;
            if copied != Some(max) {
                continue;
            }
            out.push(if to_sqlite {
                format!(
                    "{}.{} already holds {max}, the largest {type_name}: its rows are copied as they are and the AUTOINCREMENT counter is left at its end, so the next insert into {} fails with SQLite's \"database or disk is full\"",
                    t.target_table, c.target, t.target_table
                )
            } else {
                format!(
                    "{}.{} already holds {max}, the largest {type_name}: its rows are copied as they are and its sequence is left at its end, so the next insert into {} fails with PostgreSQL's \"reached maximum value of sequence\"",
                    t.target_table, c.target, t.target_table
                )
            });
        }
    }
    Ok(out)
}
