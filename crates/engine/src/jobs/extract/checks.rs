//! Extract's verification, computed apart from the copy: the user's rows are selected again
//! on the source by a separately written query — one `WITH` chain that builds each owned
//! table's kept rows from its parents' kept rows with LEFT JOINs and compares keys as text
//! (the copy's filter is nested `EXISTS` with typed literals) — and the target is compared
//! with it: the same count per table, every target key among the user's keys, singletons with
//! one row, the owner columns gone.

use std::collections::HashSet;

use crate::model::error::Context;
use crate::model::report::Check;
use crate::plan::Plan;
use crate::postgres::ddl::{qualified, quote_ident};
use crate::Result;

use super::ownership::{Link, Ownership};
use super::view::{APP_CONFIG, SINGLETON_KEY};

/// The source-side answer for one table.
struct Expected {
    count: u64,
    /// The table's primary-key values as text (single-column keys), when it has one that the
    /// target keeps.
    keys: Option<HashSet<String>>,
}

/// The job's checks.
///
/// # Errors
/// Database errors while reading either side.
pub fn run(
    own: &Ownership,
    plan: &Plan,
    client: &mut postgres::Client,
    schema: &str,
    user_key: &str,
    email: &str,
    target: &rusqlite::Connection,
) -> Result<Vec<Check>> {
    let mut checks = vec![];
    for t in &plan.tables {
        let singleton = t.target_table == APP_CONFIG || own.is_singleton(&t.source_table);
        let key = match t.source_def.primary_key.as_slice() {
            [k] if !singleton && t.target_def.column(k).is_some() => Some(k.clone()),
            _ => None,
        };
        let expected = expected_rows(
            own,
            client,
            schema,
            &t.source_table,
            user_key,
            key.as_deref(),
        )?;
        let q = crate::sqlite::ddl::quote_ident;
        let actual: u64 = target
            .query_row(
                &format!("SELECT count(*) FROM {}", q(&t.target_table)),
                [],
                |r| r.get::<_, i64>(0),
            )
            .context(|| format!("counting {}", t.target_table))? as u64;
        checks.push(Check {
            name: format!("extract: {} rows", t.target_table),
            passed: actual == expected.count,
            detail: format!(
                "{actual} row(s) in the target, {} of the user's row(s) in the source (counted separately)",
                expected.count
            ),
        });
        if singleton {
            checks.push(singleton_check(target, &t.target_table, expected.count)?);
        }
        if let (Some(keys), Some(k)) = (expected.keys, key) {
            let foreign = foreign_keys_in_target(target, &t.target_table, &k, &keys)?;
            checks.push(Check {
                name: format!("extract: {} holds only the user's rows", t.target_table),
                passed: foreign == 0,
                detail: if foreign == 0 {
                    format!("every {k} in the target is one of the user's rows in the source")
                } else {
                    format!("{foreign} row(s) whose {k} is not one of the user's rows")
                },
            });
        }
        let left: Vec<&str> = own
            .dropped_columns(&t.source_table)
            .into_iter()
            .filter(|c| has_column(target, &t.target_table, c))
            .collect();
        if !left.is_empty() {
            checks.push(Check {
                name: format!("extract: {} has no owner columns", t.target_table),
                passed: false,
                detail: format!("still has {}", left.join(", ")),
            });
        }
    }
    checks.push(email_check(own, target, email)?);
    Ok(checks)
}

/// Counts (and keys of) the user's rows of `table`, by the CTE chain.
fn expected_rows(
    own: &Ownership,
    client: &mut postgres::Client,
    schema: &str,
    table: &str,
    user_key: &str,
    key: Option<&str>,
) -> Result<Expected> {
    let (with, from) = if table == own.users_table {
        (
            String::new(),
            format!(
                "(SELECT * FROM {} u WHERE u.{}::text = $1) AS kept",
                qualified(schema, table),
                quote_ident(&own.user_key)
            ),
        )
    } else if own.owned.contains_key(table) {
        (
            kept_chain(own, schema),
            format!("{} AS kept", cte_name(table)),
        )
    } else {
        (
            String::new(),
            format!("{} AS kept", qualified(schema, table)),
        )
    };
    let ctx = || format!("selecting the user's rows of {table} on the source");
    // `$1` must appear in every statement that binds it: wrap tables without it.
    let guard = "WHERE $1::text IS NOT NULL";
    let count_sql = format!("{with} SELECT count(*) FROM {from} {guard}");
    let count: i64 = client
        .query_one(&count_sql, &[&user_key])
        .context(ctx)?
        .get(0);
    let keys = match key {
        Some(k) => {
            let sql = format!(
                "{with} SELECT kept.{}::text FROM {from} {guard}",
                quote_ident(k)
            );
            let rows = client.query(&sql, &[&user_key]).context(ctx)?;
            Some(rows.iter().map(|r| r.get::<_, String>(0)).collect())
        }
        None => None,
    };
    Ok(Expected {
        count: count as u64,
        keys,
    })
}

/// `WITH kept_a AS (…), kept_b AS (…)` over every owned table, parents first.
fn kept_chain(own: &Ownership, schema: &str) -> String {
    let parts: Vec<String> = own
        .by_depth()
        .into_iter()
        .map(|(name, owned)| {
            let mut joins = vec![];
            let mut conditions = vec![];
            for (i, link) in owned.links.iter().enumerate() {
                match link {
                    Link::Owner { column } => {
                        let c = quote_ident(column);
                        conditions.push(format!("(t.{c} IS NULL OR t.{c}::text = $1)"));
                    }
                    Link::Parent {
                        columns,
                        parent,
                        parent_columns,
                    } => {
                        let p = format!("p{i}");
                        let on: Vec<String> = columns
                            .iter()
                            .zip(parent_columns)
                            .map(|(c, pc)| {
                                format!("{p}.{} = t.{}", quote_ident(pc), quote_ident(c))
                            })
                            .collect();
                        joins.push(format!(
                            "LEFT JOIN {} {p} ON {}",
                            cte_name(parent),
                            on.join(" AND ")
                        ));
                        let any_null: Vec<String> = columns
                            .iter()
                            .map(|c| format!("t.{} IS NULL", quote_ident(c)))
                            .collect();
                        conditions.push(format!(
                            "({} OR {p}.{} IS NOT NULL)",
                            any_null.join(" OR "),
                            quote_ident(&parent_columns[0])
                        ));
                    }
                }
            }
            if conditions.is_empty() {
                conditions.push("TRUE".into());
            }
            let passing = format!(
                "FROM {} t {} WHERE {}",
                qualified(schema, name),
                joins.join(" "),
                conditions.join(" AND ")
            );
            let Some(self_ref) = &owned.self_ref else {
                return format!("{} AS (SELECT t.* {passing})", cte_name(name));
            };
            // Top down from the rows without a parent in the same table: a row is kept when
            // it passes and its parent was kept.
            let q = |cols: &[String], a: &str| -> Vec<String> {
                cols.iter()
                    .map(|c| format!("{a}.{}", quote_ident(c)))
                    .collect()
            };
            let parent_cols = q(&self_ref.parent_columns, "b").join(", ");
            let roots = q(&self_ref.columns, "b")
                .iter()
                .map(|c| format!("{c} IS NULL"))
                .collect::<Vec<_>>()
                .join(" OR ");
            let on: Vec<String> = q(&self_ref.columns, "b")
                .iter()
                .zip(q(&self_ref.parent_columns, "g"))
                .map(|(c, pc)| format!("{c} = {pc}"))
                .collect();
            format!(
                "{name_} AS (WITH RECURSIVE base AS (SELECT t.ctid AS ferry_row, t.* {passing}), \
                 good AS (SELECT b.ferry_row, {parent_cols} FROM base b WHERE {roots} \
                 UNION SELECT b.ferry_row, {parent_cols} FROM base b JOIN good g ON {on}) \
                 SELECT t.* FROM {table} t WHERE t.ctid IN (SELECT ferry_row FROM good))",
                name_ = cte_name(name),
                table = qualified(schema, name),
                on = on.join(" AND ")
            )
        })
        .collect();
    format!("WITH {}", parts.join(", "))
}

fn cte_name(table: &str) -> String {
    quote_ident(&format!("ferry_kept_{table}"))
}

fn foreign_keys_in_target(
    target: &rusqlite::Connection,
    table: &str,
    key: &str,
    expected: &HashSet<String>,
) -> Result<u64> {
    let q = crate::sqlite::ddl::quote_ident;
    let sql = format!("SELECT CAST({} AS TEXT) FROM {}", q(key), q(table));
    let ctx = || format!("reading the keys of {table} in the target");
    let mut stmt = target.prepare(&sql).context(ctx)?;
    let keys = stmt
        .query_map([], |r| r.get::<_, Option<String>>(0))
        .context(ctx)?;
    let mut foreign = 0;
    for k in keys {
        if !k.context(ctx)?.is_some_and(|k| expected.contains(&k)) {
            foreign += 1;
        }
    }
    Ok(foreign)
}

fn singleton_check(target: &rusqlite::Connection, table: &str, expected: u64) -> Result<Check> {
    let q = crate::sqlite::ddl::quote_ident;
    let sql = format!(
        "SELECT count(*), count(*) FILTER (WHERE {k} = 1) FROM {t}",
        k = q(SINGLETON_KEY),
        t = q(table)
    );
    let (rows, with_id_1): (i64, i64) = target
        .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
        .context(|| format!("checking the singleton {table}"))?;
    // A seeded singleton the user had no row for stays as it was (one row).
    let passed = rows == with_id_1 && (rows == 1 || (rows == 0 && expected == 0));
    Ok(Check {
        name: format!("extract: {table} is a singleton"),
        passed,
        detail: format!("{rows} row(s), {with_id_1} with {SINGLETON_KEY} = 1"),
    })
}

fn email_check(own: &Ownership, target: &rusqlite::Connection, email: &str) -> Result<Check> {
    let q = crate::sqlite::ddl::quote_ident;
    if !has_column(target, APP_CONFIG, &own.email_column) {
        return Ok(Check {
            name: format!("extract: {APP_CONFIG} is the user's"),
            passed: true,
            detail: format!(
                "the target's {APP_CONFIG} has no {} column",
                own.email_column
            ),
        });
    }
    let sql = format!(
        "SELECT count(*) FROM {} WHERE lower({}) = lower(?1)",
        q(APP_CONFIG),
        q(&own.email_column)
    );
    let n: i64 = target
        .query_row(&sql, [email], |r| r.get(0))
        .context(|| format!("reading {APP_CONFIG}"))?;
    Ok(Check {
        name: format!("extract: {APP_CONFIG} is the user's"),
        passed: n == 1,
        detail: format!("{n} row(s) with the extracted user's email"),
    })
}

fn has_column(target: &rusqlite::Connection, table: &str, column: &str) -> bool {
    let Ok(mut stmt) = target.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2") else {
        return false;
    };
    stmt.exists([table, column]).unwrap_or(false)
}
