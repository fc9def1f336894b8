//! Each column's write form, decided with the evidence of the target's existing rows.
//!
//! Into an existing SQLite file, the form a column is written in is decided, highest first, by
//! 1. `--conventions NAME` (the person said so: rows that disagree are a warning only);
//! 2. the column's **existing rows**, when every sampled value is in one form
//!    ([`crate::model::stored_forms`]): that is the form the app wrote and looks up;
//! 3. the framework's **bookkeeping table** (target, then source: `plan::frameworks::choose`);
//! 4. the **declared types**: a schema only one framework creates (`choose`, again), and per
//!    column a type that pins a form (`char(32)` holds a UUID as 32 hex digits);
//! 5. Ferry's own form.
//!
//! The planner (`plan::build`) applies 1 and 3–5; [`apply`] then lets each sampled column's
//! rows overrule them (2), rewrites the column's rule text to say which form writes it and
//! why, and warns about rows in several forms or in a form Ferry does not write.

use std::collections::BTreeMap;

use crate::model::catalog::{ColumnType, Dialect};
use crate::model::conventions::Zone;
use crate::model::stored_forms::{judge, Kind, Sample, Verdict};
use crate::model::value::SqliteValue;
use crate::plan::build::{existing_sqlite_column, Writer};
use crate::plan::{Mode, Plan};

/// Sampled stored values, per (target table, column).
pub type RowSamples = BTreeMap<(String, String), Vec<SqliteValue>>;

/// The columns of an existing SQLite target whose rows are worth sampling: (target table, its
/// columns) for every planned table that has rows, each copied column whose values have
/// several stored forms.
pub fn wanted(plan: &Plan, target_dialect: Dialect) -> Vec<(String, Vec<String>)> {
    if plan.mode != Mode::IntoExisting || target_dialect != Dialect::Sqlite {
        return vec![];
    }
    plan.tables
        .iter()
        .filter(|t| t.target_def.row_count != Some(0))
        .filter_map(|t| {
            let columns: Vec<String> = t
                .columns
                .iter()
                .filter(|c| kind_of(t, c).is_some())
                .map(|c| c.target.clone())
                .collect();
            (!columns.is_empty()).then(|| (t.target_table.clone(), columns))
        })
        .collect()
}

fn kind_of(t: &crate::plan::TablePlan, c: &crate::plan::ColumnPlan) -> Option<Kind> {
    let scol = t.source_def.column(c.source.as_deref()?)?;
    let tcol = t.target_def.column(&c.target)?;
    Kind::of(&scol.ty, &tcol.ty)
}

/// Lets each sampled column's existing rows decide its write form (see the module doc for the
/// precedence); `named` is the `--conventions` value, which the rows never overrule. Returns
/// how many columns now follow their rows rather than the convention.
pub fn apply(
    plan: &mut Plan,
    samples: &RowSamples,
    named: Option<crate::model::conventions::Convention>,
) -> usize {
    let mut warnings: Vec<String> = vec![];
    let mut followed = 0;
    for t in &mut plan.tables {
        let (source_def, target_def) = (&t.source_def, &t.target_def);
        for c in &mut t.columns {
            let Some(values) = samples.get(&(t.target_table.clone(), c.target.clone())) else {
                continue;
            };
            let (Some(scol), Some(tcol)) = (
                c.source.as_deref().and_then(|s| source_def.column(s)),
                target_def.column(&c.target),
            ) else {
                continue;
            };
            let Some(kind) = Kind::of(&scol.ty, &tcol.ty) else {
                continue;
            };
            let column = format!("{}.{}", t.target_table, c.target);
            // A replaced table's rows are deleted: they still show the app's form, but no
            // column ends up holding two.
            let kept = !t.replace;
            // (`always`: said even when the table's rows are replaced.)
            let mut warn = |w: String, always: bool| {
                if kept || always {
                    warnings.push(w);
                }
            };
            let base = c.rules.storage;
            match judge(kind, &Sample::of(kind, values), &base) {
                Verdict::NoRows => {}
                Verdict::Mixed { forms } => {
                    warn(format!(
                        "{column}: the existing rows are stored in several forms ({forms}); new rows are written by the column's rule ({})",
                        c.rule
                    ), false);
                    c.rule
                        .push_str(&format!("; existing rows in several forms ({forms})"));
                }
                Verdict::Unwritable { form } => {
                    c.rule
                        .push_str(&format!("; existing rows hold {form}, not written here"));
                    warn(format!(
                        "{column}: the existing rows hold {form}, a form Ferry does not write into this column; new rows are written by the column's rule, so the column will hold both forms and the app must read both"
                    ), false);
                }
                // A naive source value has no instant to write with a zone.
                Verdict::Follow { storage, form }
                    if scol.ty == ColumnType::Timestamp && storage.zone != Zone::NaiveUtc =>
                {
                    c.rule.push_str(&format!(
                        "; existing rows hold {form}, but the source's values have no time zone"
                    ));
                    warn(format!(
                        "{column}: the existing rows hold {form}, but the source's values have no time zone to write; new rows are written by the column's rule, so the column will hold both forms"
                    ), false);
                }
                Verdict::Follow { storage, form } => {
                    let because = format!("existing rows: {form}");
                    let (ty, rule, storage) =
                        existing_sqlite_column(&scol.ty, tcol, &storage, &Writer::Rows(&because));
                    // The same stored form either way (the type too: a UUID into `char(36)`
                    // is text Ferry writes hyphenated unless typed as a UUID).
                    if storage == base && ty == c.ty {
                        c.rule.push_str(&format!("; existing rows agree: {form}"));
                    } else if let Some(name) = named {
                        c.rule.push_str(&format!(
                            "; existing rows hold {form}, --conventions {name} decides"
                        ));
                        let then = if kept {
                            "so the column will hold both"
                        } else {
                            "unlike the rows it replaces"
                        };
                        warn(
                            format!(
                                "{column}: the existing rows hold {form}, but --conventions {name} writes the new rows in its own form, {then}"
                            ),
                            true,
                        );
                    } else {
                        c.ty = ty;
                        c.rule = rule;
                        c.rules.storage = storage;
                        followed += 1;
                    }
                }
            }
        }
    }
    plan.warnings.extend(warnings);
    followed
}
