//! Names the target would not keep as they are. PostgreSQL cuts identifiers longer than 63
//! bytes to 63 with only a NOTICE, and SQLite treats names that differ only in ASCII case as
//! the same name, so `Users` and `users` would collide there. Either would silently rename
//! or merge what is copied, so the run stops before anything is written and names them.

use crate::model::catalog::Dialect;
use crate::plan::Plan;
use crate::{Error, Result};

/// PostgreSQL's NAMEDATALEN − 1.
pub const PG_MAX_IDENTIFIER_BYTES: usize = 63;

/// Checks the names of every table the plan creates (table, column, index and constraint
/// names) against what the target dialect keeps.
///
/// # Errors
/// `BadInput` listing each name PostgreSQL would truncate or SQLite would confuse.
pub fn check(plan: &Plan, dialect: Dialect) -> Result<()> {
    let mut problems = vec![];
    let created: Vec<&crate::model::catalog::Table> = plan
        .tables
        .iter()
        .filter(|t| t.create)
        .map(|t| &t.target_def)
        .collect();
    match dialect {
        Dialect::Postgres => {
            for t in &created {
                let mut names = vec![("table", t.name.clone())];
                names.extend(t.columns.iter().map(|c| ("column", c.name.clone())));
                names.extend(t.indexes.iter().map(|i| ("index", i.name.clone())));
                let constraints = t.uniques.iter().filter_map(|u| u.name.clone());
                let fks = t.foreign_keys.iter().filter_map(|f| f.name.clone());
                names.extend(constraints.chain(fks).map(|n| ("constraint", n)));
                for (kind, name) in names {
                    if name.len() > PG_MAX_IDENTIFIER_BYTES {
                        problems.push(format!(
                            "{kind} \"{name}\" of {} ({} bytes)",
                            t.name,
                            name.len()
                        ));
                    }
                }
            }
            if !problems.is_empty() {
                return Err(Error::bad_input(format!(
                    "PostgreSQL cuts names longer than {PG_MAX_IDENTIFIER_BYTES} bytes, which would rename: {} — rename them in the source first (nothing was written)",
                    problems.join(", ")
                )));
            }
        }
        Dialect::Sqlite => {
            // Tables and indexes share one namespace in SQLite.
            let mut schema_names: Vec<String> = created.iter().map(|t| t.name.clone()).collect();
            schema_names.extend(
                created
                    .iter()
                    .flat_map(|t| t.indexes.iter().map(|i| i.name.clone())),
            );
            problems.extend(clashes(&schema_names, "tables/indexes"));
            for t in &created {
                let columns: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
                problems.extend(clashes(&columns, &format!("columns of {}", t.name)));
            }
            if !problems.is_empty() {
                return Err(Error::bad_input(format!(
                    "SQLite does not tell apart names that differ only in case: {} — rename one of each in the source first (nothing was written)",
                    problems.join("; ")
                )));
            }
        }
    }
    Ok(())
}

/// Groups of names equal when ASCII case is ignored, as `what "A" and "a"`.
fn clashes(names: &[String], what: &str) -> Vec<String> {
    let mut out = vec![];
    for (i, a) in names.iter().enumerate() {
        let same: Vec<&String> = names[i + 1..]
            .iter()
            .filter(|b| b.eq_ignore_ascii_case(a) && *b != a)
            .collect();
        let first = !names[..i].iter().any(|b| b.eq_ignore_ascii_case(a));
        if first && !same.is_empty() {
            let all: Vec<String> = std::iter::once(a)
                .chain(same)
                .map(|n| format!("\"{n}\""))
                .collect();
            out.push(format!("{what} {}", all.join(" and ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clashes_are_grouped_once() {
        let names: Vec<String> = ["Users", "users", "USERS", "posts", "Posts2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            clashes(&names, "tables"),
            vec![r#"tables "Users" and "users" and "USERS""#.to_string()]
        );
        // Non-ASCII letters are different names to SQLite, as to PostgreSQL.
        let names = vec!["É".to_string(), "é".to_string()];
        assert!(clashes(&names, "tables").is_empty());
    }
}
