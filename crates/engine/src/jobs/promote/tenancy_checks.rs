//! The invariants of the multi-user shape, read back from the target's catalog after the
//! load: shared tables carry no owner and all of the source's rows; every scoped unique exists
//! with the owner column first.

use crate::model::error::Context;
use crate::model::report::Check;
use crate::model::tenancy::ScopedUnique;
use crate::plan::Plan;
use crate::postgres::ddl::qualified;
use crate::support::sql::quote_ident;
use crate::Result;

/// "shared tables have no owner": no owner column, no foreign key to the users table, and the
/// target's row count equals the source's (counted again in the source, when it is SQLite).
///
/// # Errors
/// Database errors.
pub fn shared_check(
    client: &mut postgres::Client,
    schema: &str,
    plan: &Plan,
    shared: &[String],
    owner_column: &str,
    users_table: &str,
    source: Option<&rusqlite::Connection>,
) -> Result<Check> {
    let mut problems = vec![];
    let mut rows = 0i64;
    for table in shared {
        let ctx = || format!("checking the shared table {table}");
        let owner_like: i64 = client
            .query_one(
                "SELECT count(*) FROM information_schema.columns \
                 WHERE table_schema = $1 AND table_name = $2 AND column_name = $3",
                &[&schema, table, &owner_column],
            )
            .context(ctx)?
            .get(0);
        let to_users: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
                 JOIN pg_class r ON r.oid = c.confrelid \
                 WHERE c.contype = 'f' AND n.nspname = $1 AND t.relname = $2 AND r.relname = $3",
                &[&schema, table, &users_table],
            )
            .context(ctx)?
            .get(0);
        let target_rows: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {}", qualified(schema, table)),
                &[],
            )
            .context(ctx)?
            .get(0);
        let source_rows = source_rows(plan, table, source)?;
        rows += target_rows;
        if owner_like > 0 {
            problems.push(format!("{table} has a column {owner_column}"));
        }
        if to_users > 0 {
            problems.push(format!("{table} has a foreign key to {users_table}"));
        }
        if source_rows != Some(target_rows) {
            problems.push(format!(
                "{table}: {target_rows} row(s) in the target, {} in the source",
                source_rows.map_or("?".into(), |n| n.to_string())
            ));
        }
    }
    Ok(Check {
        name: "shared tables have no owner".into(),
        passed: problems.is_empty(),
        detail: if problems.is_empty() {
            format!(
                "{} shared table(s) ({}): no owner column, all {rows} source row(s)",
                shared.len(),
                shared.join(", ")
            )
        } else {
            problems.join("; ")
        },
    })
}

fn source_rows(
    plan: &Plan,
    table: &str,
    source: Option<&rusqlite::Connection>,
) -> Result<Option<i64>> {
    let Some(t) = plan.tables.iter().find(|t| t.target_table == table) else {
        return Ok(None);
    };
    match source {
        Some(conn) => {
            let n: i64 = conn
                .query_row(
                    &format!("SELECT count(*) FROM {}", quote_ident(&t.source_table)),
                    [],
                    |r| r.get(0),
                )
                .context(|| format!("counting the source rows of {}", t.source_table))?;
            Ok(Some(n))
        }
        None => Ok(t.rows.and_then(|n| i64::try_from(n).ok())),
    }
}

/// "uniques scoped by owner": each rewritten unique is a unique index in the target (a UNIQUE
/// constraint has one of its name) whose first key column is the table's owner column.
///
/// # Errors
/// Database errors.
pub fn scoped_check(
    client: &mut postgres::Client,
    schema: &str,
    scoped: &[ScopedUnique],
    owners: &[(String, String)],
) -> Result<Check> {
    let mut problems = vec![];
    for u in scoped {
        let owner = owners
            .iter()
            .find(|(t, _)| t == &u.table)
            .map(|(_, c)| c.as_str())
            .unwrap_or_default();
        let row = client
            .query_opt(
                "SELECT i.indisunique, a.attname::text FROM pg_index i \
                 JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_namespace n ON n.oid = x.relnamespace \
                 JOIN pg_class t ON t.oid = i.indrelid \
                 LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
                 WHERE n.nspname = $1 AND x.relname = $2 AND t.relname = $3",
                &[&schema, &u.name, &u.table],
            )
            .context(|| format!("checking the unique {} of {}", u.name, u.table))?;
        match row {
            None => problems.push(format!("{}: no unique {}", u.table, u.name)),
            Some(row) => {
                let (unique, first): (bool, Option<String>) = (row.get(0), row.get(1));
                if !unique || first.as_deref() != Some(owner) {
                    problems.push(format!(
                        "{}: {} is {}unique and begins with {}",
                        u.table,
                        u.name,
                        if unique { "" } else { "not " },
                        first.unwrap_or_else(|| "an expression".into())
                    ));
                }
            }
        }
    }
    let tables = {
        let mut t: Vec<&str> = scoped.iter().map(|u| u.table.as_str()).collect();
        t.dedup();
        t.len()
    };
    Ok(Check {
        name: "uniques scoped by owner".into(),
        passed: problems.is_empty(),
        detail: if problems.is_empty() {
            format!(
                "{} unique(s) of {tables} table(s) begin with the owner column",
                scoped.len()
            )
        } else {
            problems.join("; ")
        },
    })
}
