//! The DDL a run executes on its target around the rows: the tables (and PostgreSQL enum
//! types) before them; keys, indexes, foreign keys and sequences after them, where building
//! each once over loaded data is cheaper than maintaining it row by row.
//!
//! Each step first writes down its statements, each with what it is doing in words a person
//! can act on when it fails, then runs them in order. Only tables the run creates get
//! tables, keys, indexes and foreign keys; sequences are set for every table written.

use crate::model::catalog::ColumnType;
use crate::plan::{Plan, TablePlan};
use crate::postgres::ddl as pg;
use crate::sqlite::ddl as lite;
use crate::target::Target;
use crate::Result;

/// A statement, and what it does ("creating table goals").
type Statement = (String, String);

/// Enum types, then tables.
///
/// # Errors
/// The first statement the target refuses, with what it was doing.
pub fn create_schema(target: &mut Target, plan: &Plan) -> Result<()> {
    let created = || plan.tables.iter().filter(|t| t.create);
    let statements: Vec<Statement> = match target.pg_schema() {
        Some(schema) => {
            let mut enums: Vec<(String, Vec<String>)> = vec![];
            for c in created().flat_map(|t| &t.target_def.columns) {
                collect_enums(&c.ty, &mut enums);
            }
            let types = enums.iter().map(|(name, labels)| {
                (
                    pg::create_enum_sql(schema, name, labels),
                    format!("creating enum type {name}"),
                )
            });
            let tables = created().map(|t| {
                (
                    pg::create_table_sql(schema, &t.target_def),
                    creating_table(t),
                )
            });
            types.chain(tables).collect()
        }
        None => created()
            .map(|t| (lite::create_table_sql(&t.target_def).0, creating_table(t)))
            .collect(),
    };
    execute_all(target, statements)
}

fn creating_table(t: &TablePlan) -> String {
    format!("creating table {}", t.target_table)
}

/// Every enum type a column uses (arrays of enums too), once, in first-use order.
fn collect_enums(ty: &ColumnType, out: &mut Vec<(String, Vec<String>)>) {
    match ty {
        ColumnType::Enum { name, labels } if !out.iter().any(|(n, _)| n == name) => {
            out.push((name.clone(), labels.clone()))
        }
        ColumnType::Array { element } => collect_enums(element, out),
        _ => {}
    }
}

/// Primary keys, unique constraints and indexes (SQLite: indexes; its keys are part of
/// CREATE TABLE).
///
/// # Errors
/// The first statement the target refuses (a duplicate key names its table).
pub fn create_indexes(target: &mut Target, plan: &Plan) -> Result<()> {
    let mut statements: Vec<Statement> = vec![];
    for t in plan.tables.iter().filter(|t| t.create) {
        let def = &t.target_def;
        match target.pg_schema() {
            Some(schema) => {
                let what = format!("creating keys and indexes of {}", t.target_table);
                let sqls = pg::primary_key_sql(schema, def)
                    .into_iter()
                    .chain(pg::unique_constraint_sqls(schema, def))
                    .chain(pg::index_sqls(schema, def));
                statements.extend(sqls.map(|sql| (sql, what.clone())));
            }
            None => statements.extend(def.indexes.iter().map(|index| {
                (
                    lite::create_index_sql(&def.name, index),
                    format!("creating index {}", index.name),
                )
            })),
        }
    }
    execute_all(target, statements)
}

/// PostgreSQL foreign keys, added after the data so cycles and self-references load (SQLite
/// foreign keys are part of CREATE TABLE; the verifier checks them).
///
/// # Errors
/// The first constraint PostgreSQL refuses (an orphan the preflight could not see).
pub fn create_constraints(target: &mut Target, plan: &Plan) -> Result<()> {
    let Some(schema) = target.pg_schema() else {
        return Ok(());
    };
    let statements: Vec<Statement> = plan
        .tables
        .iter()
        .filter(|t| t.create)
        .flat_map(|t| {
            let what = format!("adding foreign keys of {}", t.target_table);
            pg::foreign_key_sqls(schema, &t.target_def)
                .into_iter()
                .map(move |sql| (sql, what.clone()))
        })
        .collect();
    execute_all(target, statements)
}

/// Sequences past the copied ids, so the app's next insert never collides: PostgreSQL
/// identity/serial sequences, SQLite's `sqlite_sequence` rows for AUTOINCREMENT tables.
///
/// # Errors
/// The first statement the target refuses.
pub fn reset_sequences(target: &mut Target, plan: &Plan) -> Result<()> {
    let mut statements: Vec<Statement> = vec![];
    for def in plan.tables.iter().map(|t| &t.target_def) {
        match target.pg_schema() {
            Some(schema) => {
                statements.extend(def.columns.iter().filter(|c| c.auto_increment).map(|c| {
                    (
                        pg::reset_sequence_sql(schema, &def.name, &c.name),
                        format!("setting the sequence of {}.{}", def.name, c.name),
                    )
                }));
            }
            None if def.autoincrement => {
                let name = def.name.replace('\'', "''");
                let table = lite::quote_ident(&def.name);
                // sqlite_sequence holds one row per table; replace ours, keep the others.
                let sql = format!(
                    "DELETE FROM sqlite_sequence WHERE name = '{name}'; \
                     INSERT OR REPLACE INTO sqlite_sequence(name, seq) SELECT '{name}', max(rowid) FROM {table} WHERE (SELECT count(*) FROM {table}) > 0"
                );
                statements.push((
                    sql,
                    format!("setting the AUTOINCREMENT counter of {}", def.name),
                ));
            }
            None => {}
        }
    }
    execute_all(target, statements)
}

fn execute_all(target: &mut Target, statements: Vec<Statement>) -> Result<()> {
    for (sql, what) in statements {
        target.execute(&sql, &what)?;
    }
    Ok(())
}
