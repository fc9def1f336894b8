//! `--distribute`: the Citus distribution of a promoted database, and the schema changes Citus
//! needs before it accepts it.
//!
//! Citus's rules (docs.citusdata.com, "Creating and Modifying Distributed Objects (DDL)" and
//! "Citus Utility Functions": `create_distributed_table`, `create_reference_table`,
//! `colocate_with`; "Table Co-Location"):
//! - a PRIMARY KEY or UNIQUE of a distributed table must include its distribution column
//!   (uniqueness is only enforced inside one shard);
//! - a foreign key between distributed tables must join their distribution columns (both
//!   tables co-located, the distribution column on both sides, paired with each other);
//! - a distributed table may refer to a reference table, never a reference table to a
//!   distributed one;
//! - co-located tables are distributed by columns of the same type.
//!
//! The checks run on each table's final `target_def` (whatever rewrote it before: the owner
//! columns, the uniques scoped by owner), so this step runs last in `transform_plan`.
//! A change that keeps every row valid and every meaning (a key that gains the owner column:
//! every row has one owner when Promote writes it) is applied to the plan — Promote creates the
//! schema, and the changed schema is valid plain PostgreSQL too. A change that would alter
//! what the app relies on becomes a blocking finding naming it: a unique the user asked to
//! keep global, an `ON DELETE SET NULL` that would also null the owner column, and any change
//! to tables Ferry does not create (`--into-existing`).

use std::collections::HashMap;

use crate::model::catalog::{ColumnType, FkAction, IndexColumn, Table};
use crate::model::error::Context;
use crate::model::finding::{Finding, ProblemKind, Severity};
use crate::plan::Plan;
use crate::postgres::ddl::{quote_ident, quote_literal};
use crate::target::Target;
use crate::Result;

/// The report's words when the statements were not run.
pub const NO_CITUS: &str =
    "Citus not installed on the target: run these statements on the coordinator (listed under distribution)";

/// What the tables become in Citus, and where each distributed table's rows are keyed.
pub struct Layout<'a> {
    pub schema: &'a str,
    /// The users table. A reference table, not distributed by its id: its UNIQUE email must
    /// stay global (two users with one email would break sign-in), and Citus only enforces a
    /// unique that includes the distribution column. Distributed tables may refer to a
    /// reference table, so the owner columns' foreign keys stay as they are.
    pub users_table: &'a str,
    /// (table, distribution column) of every owned table: distributed by its owner column.
    /// Every other planned table is shared: a reference table.
    pub owned: &'a [(String, String)],
    /// `--keep-global-uniques`: a unique without the owner column must stay as it is.
    pub keep_global_uniques: bool,
    /// Ferry creates the tables, so it may change their keys (not so `--into-existing`).
    pub may_change_schema: bool,
}

/// The outcome: the statements in an order Citus accepts, the schema changes (applied), and
/// what blocks the distribution.
#[derive(Debug, Default)]
pub struct Distribution {
    pub statements: Vec<String>,
    pub changes: Vec<String>,
    /// (table, sentence) per rule that cannot be met safely.
    pub blockers: Vec<(String, String)>,
}

impl Layout<'_> {
    fn distribution_column(&self, table: &str) -> Option<&str> {
        self.owned
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, c)| c.as_str())
    }
}

/// Checks Citus's rules on `tables` (the planned target tables, in load order), applies the
/// safe changes to them, and writes the statements.
pub fn distribute(layout: &Layout, tables: &mut [&mut Table]) -> Distribution {
    let mut out = Distribution::default();
    // Foreign keys name the referenced key as it was before any change here.
    let keys_before: HashMap<String, Vec<String>> = tables
        .iter()
        .map(|t| (t.name.clone(), t.primary_key.clone()))
        .collect();
    check_types(layout, tables, &mut out);
    for t in tables.iter_mut() {
        if let Some(column) = layout.distribution_column(&t.name) {
            include_in_keys(layout, t, column, &mut out);
        }
    }
    let keys_after: HashMap<String, Vec<Vec<String>>> = tables
        .iter()
        .map(|t| (t.name.clone(), keys_of(t)))
        .collect();
    for t in tables.iter_mut() {
        match layout.distribution_column(&t.name) {
            Some(column) => {
                pair_foreign_keys(layout, t, column, &keys_before, &keys_after, &mut out)
            }
            None => refuse_references_to_distributed(layout, t, &mut out),
        }
    }
    if !layout.may_change_schema {
        for change in std::mem::take(&mut out.changes) {
            let table = change.split(':').next().unwrap_or_default().to_string();
            out.blockers.push((
                table,
                format!("{change}, and Ferry does not change the keys of tables it does not create (--into-existing): make the change in the app's schema first"),
            ));
        }
    }
    out.statements = statements(layout, tables);
    out
}

/// Co-location needs one distribution column type.
fn check_types(layout: &Layout, tables: &[&mut Table], out: &mut Distribution) {
    let mut first: Option<(&str, &str, &ColumnType)> = None;
    for (table, column) in layout.owned {
        let Some(ty) = tables
            .iter()
            .find(|t| &t.name == table)
            .and_then(|t| t.column(column))
            .map(|c| &c.ty)
        else {
            continue;
        };
        match first {
            None => first = Some((table, column, ty)),
            Some((t0, c0, ty0)) if ty0 != ty => out.blockers.push((
                table.clone(),
                format!(
                    "{table}.{column} is {} but {t0}.{c0} is {}: Citus co-locates tables only when their distribution columns have one type",
                    ty.pg_name(),
                    ty0.pg_name()
                ),
            )),
            Some(_) => {}
        }
    }
}

/// The primary key, every UNIQUE constraint and every unique index gain the distribution
/// column in front.
fn include_in_keys(layout: &Layout, t: &mut Table, column: &str, out: &mut Distribution) {
    let name = t.name.clone();
    if !t.primary_key.is_empty() && !t.primary_key.iter().any(|c| c == column) {
        let before = t.primary_key.join(", ");
        t.primary_key.insert(0, column.to_string());
        out.changes.push(format!(
            "{name}: PRIMARY KEY ({before}) becomes ({})",
            t.primary_key.join(", ")
        ));
    }
    for u in &mut t.uniques {
        if u.columns.iter().any(|c| c == column) {
            continue;
        }
        let label = match &u.name {
            Some(n) => format!("UNIQUE {n}"),
            None => "UNIQUE".into(),
        };
        let before = u.columns.join(", ");
        if layout.keep_global_uniques {
            out.blockers
                .push((name.clone(), global_unique(&name, &label, &before, column)));
            continue;
        }
        u.columns.insert(0, column.to_string());
        out.changes.push(format!(
            "{name}: {label} ({before}) becomes ({})",
            u.columns.join(", ")
        ));
    }
    for i in t.indexes.iter_mut().filter(|i| i.unique) {
        let has = i
            .columns
            .iter()
            .any(|c| matches!(c, IndexColumn::Column { name, .. } if name == column));
        if has {
            continue;
        }
        let label = format!("UNIQUE INDEX {}", i.name);
        let before = index_parts(&i.columns);
        if layout.keep_global_uniques {
            out.blockers
                .push((name.clone(), global_unique(&name, &label, &before, column)));
            continue;
        }
        i.columns.insert(
            0,
            IndexColumn::Column {
                name: column.to_string(),
                descending: false,
            },
        );
        out.changes.push(format!(
            "{name}: {label} ({before}) becomes ({})",
            index_parts(&i.columns)
        ));
    }
}

fn global_unique(table: &str, label: &str, columns: &str, column: &str) -> String {
    format!(
        "{table}: {label} ({columns}) stays global (--keep-global-uniques), which Citus cannot enforce on a table distributed by {column}: scope it by owner (leave out --keep-global-uniques) or make {table} shared"
    )
}

fn index_parts(parts: &[IndexColumn]) -> String {
    parts
        .iter()
        .map(|p| match p {
            IndexColumn::Column { name, .. } => name.clone(),
            IndexColumn::Expression { sql } => format!("({sql})"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keys a foreign key may reference: the primary key and every unique.
fn keys_of(t: &Table) -> Vec<Vec<String>> {
    let mut keys = vec![t.primary_key.clone()];
    keys.extend(t.uniques.iter().map(|u| u.columns.clone()));
    keys.extend(
        t.indexes
            .iter()
            .filter(|i| i.unique && i.predicate.is_none())
            .filter_map(|i| {
                i.columns
                    .iter()
                    .map(|c| match c {
                        IndexColumn::Column { name, .. } => Some(name.clone()),
                        IndexColumn::Expression { .. } => None,
                    })
                    .collect::<Option<Vec<_>>>()
            }),
    );
    keys.retain(|k| !k.is_empty());
    keys
}

/// A foreign key between two distributed tables joins their distribution columns.
fn pair_foreign_keys(
    layout: &Layout,
    t: &mut Table,
    column: &str,
    keys_before: &HashMap<String, Vec<String>>,
    keys_after: &HashMap<String, Vec<Vec<String>>>,
    out: &mut Distribution,
) {
    let name = t.name.clone();
    for fk in &mut t.foreign_keys {
        let Some(parent_column) = layout.distribution_column(&fk.ref_table) else {
            // The users table and shared tables are reference tables: any reference works.
            continue;
        };
        let refs = if fk.ref_columns.is_empty() {
            keys_before.get(&fk.ref_table).cloned().unwrap_or_default()
        } else {
            fk.ref_columns.clone()
        };
        let place = format!(
            "{name}.{} → {}.{}",
            fk.columns.join(", "),
            fk.ref_table,
            refs.join(", ")
        );
        let child_at = fk.columns.iter().position(|c| c == column);
        let parent_at = refs.iter().position(|c| c == parent_column);
        match (child_at, parent_at) {
            (Some(a), Some(b)) if a == b => continue,
            (None, None) => {}
            _ => {
                out.blockers.push((
                    name.clone(),
                    format!("{place} does not pair {name}.{column} with {}.{parent_column}: Citus needs a foreign key between distributed tables to join their distribution columns", fk.ref_table),
                ));
                continue;
            }
        }
        let nulls_owner = |a: FkAction| matches!(a, FkAction::SetNull | FkAction::SetDefault);
        if nulls_owner(fk.on_delete) || nulls_owner(fk.on_update) {
            let action = if nulls_owner(fk.on_delete) {
                format!("ON DELETE {}", fk.on_delete.sql())
            } else {
                format!("ON UPDATE {}", fk.on_update.sql())
            };
            out.blockers.push((
                name.clone(),
                format!("{place} ({action}) would need {column} in the foreign key, and {action} would then set {column} too: change the action in the source, or make {} shared", fk.ref_table),
            ));
            continue;
        }
        let mut columns = fk.columns.clone();
        columns.insert(0, column.to_string());
        let mut new_refs = refs.clone();
        new_refs.insert(0, parent_column.to_string());
        let referenced = keys_after
            .get(&fk.ref_table)
            .is_some_and(|keys| keys.iter().any(|k| same_set(k, &new_refs)));
        if !referenced {
            out.blockers.push((
                name.clone(),
                format!("{place} would become ({}) → {}({}), but {} has no PRIMARY KEY or UNIQUE on those columns", columns.join(", "), fk.ref_table, new_refs.join(", "), fk.ref_table),
            ));
            continue;
        }
        out.changes.push(format!(
            "{place} becomes ({}) → {}({})",
            columns.join(", "),
            fk.ref_table,
            new_refs.join(", ")
        ));
        fk.columns = columns;
        fk.ref_columns = new_refs;
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|c| b.contains(c))
}

/// A reference table is copied to every node; a row of it cannot point into one shard.
fn refuse_references_to_distributed(layout: &Layout, t: &Table, out: &mut Distribution) {
    for fk in &t.foreign_keys {
        if layout.distribution_column(&fk.ref_table).is_some() {
            out.blockers.push((
                t.name.clone(),
                format!(
                    "{}.{} → {} makes a reference table refer to a distributed one, which Citus refuses: make {} shared too, or {} owned",
                    t.name,
                    fk.columns.join(", "),
                    fk.ref_table,
                    fk.ref_table,
                    t.name
                ),
            ));
        }
    }
}

/// Reference tables first (the users table, then the shared ones in load order), then the
/// distributed ones in load order (parents before children): Citus distributes a table only
/// after the tables it refers to. The first distributed table starts its own co-location
/// group (`colocate_with => 'none'`: not joined by accident to unrelated tables of the same
/// type) and every other joins it, so a user's rows of every table live on one node.
fn statements(layout: &Layout, tables: &[&mut Table]) -> Vec<String> {
    let name = |t: &str| quote_literal(&regclass(layout.schema, t));
    let mut out = vec![format!(
        "SELECT create_reference_table({});",
        name(layout.users_table)
    )];
    for t in tables
        .iter()
        .filter(|t| layout.distribution_column(&t.name).is_none())
    {
        out.push(format!("SELECT create_reference_table({});", name(&t.name)));
    }
    let mut group: Option<String> = None;
    for t in tables.iter() {
        let Some(column) = layout.distribution_column(&t.name) else {
            continue;
        };
        let colocate = group.clone().unwrap_or_else(|| "'none'".into());
        out.push(format!(
            "SELECT create_distributed_table({}, {}, colocate_with => {colocate});",
            name(&t.name),
            quote_literal(column)
        ));
        group.get_or_insert_with(|| name(&t.name));
    }
    out
}

/// `schema.table` as `regclass` reads it: plain lower-case names bare (as people write them),
/// any other name quoted so that it is taken literally.
fn regclass(schema: &str, table: &str) -> String {
    let part = |name: &str| {
        let plain = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if plain {
            name.to_string()
        } else {
            quote_ident(name)
        }
    };
    format!("{}.{}", part(schema), part(table))
}

/// Runs [`distribute`] on the plan: the changes applied to the planned tables, the
/// statements and changes in `plan.tenancy`, each blocker a blocking finding.
pub fn plan_distribution(plan: &mut Plan, layout: &Layout) {
    let mut tables: Vec<&mut Table> = plan.tables.iter_mut().map(|t| &mut t.target_def).collect();
    let d = distribute(layout, &mut tables);
    let tenancy = plan.tenancy.get_or_insert_with(Default::default);
    tenancy.distribution = d.statements;
    tenancy.distribution_changes = d.changes;
    for (table, message) in d.blockers {
        let rows = plan
            .tables
            .iter()
            .find(|t| t.target_table == table)
            .and_then(|t| t.rows)
            .unwrap_or(0);
        plan.findings.push(Finding {
            severity: Severity::Blocking,
            kind: ProblemKind::NotDistributable,
            table,
            column: None,
            count: rows,
            samples: vec![],
            message,
            remedies: vec![],
            resolved_by: None,
        });
    }
}

/// Whether the target database has the `citus` extension.
///
/// # Errors
/// Database errors.
pub fn has_citus(client: &mut postgres::Client) -> Result<bool> {
    client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')",
            &[],
        )
        .map(|row| row.get(0))
        .context(|| "looking for the citus extension on the target".to_string())
}

/// Runs the statements in the target's transaction. First the sequential shard mode: in one
/// transaction that already wrote the reference tables, Citus refuses parallel DDL on the
/// shards of tables that refer to them, and its hint is this setting (local to the
/// transaction).
///
/// # Errors
/// The database's error, naming the statement.
pub fn run(target: &mut Target, statements: &[String]) -> Result<()> {
    target.execute(
        "SET LOCAL citus.multi_shard_modify_mode TO 'sequential'",
        "--distribute: Citus's sequential shard mode for this transaction",
    )?;
    for sql in statements {
        target.execute(sql, &format!("--distribute: {sql}"))?;
    }
    Ok(())
}
