//! PostgreSQL domains: a column of a domain type is moved as the domain's base type, with the
//! domain's NOT NULL and CHECKs as the column's own, so it can be created in a database (or a
//! SQLite file) where the domain does not exist, and the way back has a type that does.
//!
//! A domain over a domain is followed to the first type that is not one; the NOT NULLs and
//! CHECKs of every level apply.

use std::collections::HashMap;

use postgres::types::Oid;
use postgres::Client;

use super::types::TypeInfo;
use crate::model::error::Context;
use crate::Result;

/// One domain level: its own constraints and what it is based on.
struct Level {
    name: String,
    base: Oid,
    not_null: bool,
    /// `pg_get_constraintdef` of each CHECK (`CHECK ((VALUE > 0))`).
    checks: Vec<String>,
    /// The base type's facts, when the base is not itself a domain.
    base_info: Option<TypeInfo>,
}

/// A domain resolved to its base type.
pub(crate) struct Domain {
    pub name: String,
    pub base: TypeInfo,
    pub not_null: bool,
    /// CHECK definitions of every level, outermost first, each with `VALUE` in it.
    pub checks: Vec<String>,
}

/// Every domain type in the database, by oid.
///
/// # Errors
/// A failing catalog query.
pub(crate) fn read_domains(client: &mut Client) -> Result<HashMap<Oid, Domain>> {
    let rows = client
        .query(
            "SELECT t.oid, format_type(t.oid, NULL), t.typbasetype, t.typnotnull,
                    ARRAY(SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                          WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname),
                    b.typtype::text, b.typcategory::text, b.typelem, et.typtype::text,
                    format_type(t.typbasetype, t.typtypmod), format_type(b.typelem, t.typtypmod),
                    t.typtypmod
             FROM pg_type t
             JOIN pg_type b ON b.oid = t.typbasetype
             LEFT JOIN pg_type et ON et.oid = b.typelem AND b.typcategory = 'A'
             WHERE t.typtype = 'd'",
            &[],
        )
        .context(|| "reading domain types".to_string())?;
    let mut levels: HashMap<Oid, Level> = HashMap::new();
    for r in rows {
        let base_typtype: String = r.get(5);
        let base_info = (base_typtype != "d").then(|| TypeInfo {
            oid: r.get(2),
            typmod: r.get(11),
            typtype: base_typtype,
            category: r.get(6),
            elem_oid: r.get(7),
            elem_typtype: r.get(8),
            elem_formatted: r.get(10),
            formatted: r.get(9),
        });
        levels.insert(
            r.get(0),
            Level {
                name: r.get(1),
                base: r.get(2),
                not_null: r.get(3),
                checks: r.get(4),
                base_info,
            },
        );
    }
    let mut out = HashMap::new();
    for (&oid, level) in &levels {
        let mut not_null = level.not_null;
        let mut checks = level.checks.clone();
        let mut at = level;
        // A chain is finite (PostgreSQL refuses a cycle); the bound is a guard, not a rule.
        for _ in 0..64 {
            if at.base_info.is_some() {
                break;
            }
            let Some(next) = levels.get(&at.base) else {
                break;
            };
            not_null |= next.not_null;
            checks.extend(next.checks.iter().cloned());
            at = next;
        }
        let Some(base) = &at.base_info else {
            continue;
        };
        out.insert(
            oid,
            Domain {
                name: level.name.clone(),
                base: base.clone(),
                not_null,
                checks,
            },
        );
    }
    Ok(out)
}

/// A domain CHECK's expression about one column: `VALUE` (a keyword outside quotes) becomes
/// the column's quoted name. PostgreSQL writes a domain over a domain's check as
/// `(VALUE)::base`; the column now *is* of the base type, so that cast is dropped (it would
/// only stand in the way of translating the CHECK for SQLite).
pub(crate) fn check_on_column(domain_check: &str, column: &str, base: &str) -> String {
    let base = base.split('(').next().unwrap_or(base).trim();
    let cast = format!("(VALUE)::{base}");
    let mut without_casts = String::with_capacity(domain_check.len());
    let mut rest = domain_check;
    while let Some(at) = rest.find(&cast) {
        let after = &rest[at + cast.len()..];
        // Only a whole type name: `::integer`, not `::integer_like`.
        let whole = !after
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '[');
        without_casts.push_str(&rest[..at]);
        without_casts.push_str(if whole { "VALUE" } else { &cast });
        rest = after;
    }
    without_casts.push_str(rest);
    let domain_check = without_casts.as_str();
    let quoted = crate::support::sql::quote_ident(column);
    let b = domain_check.as_bytes();
    let mut out = String::with_capacity(domain_check.len() + quoted.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                // A quoted literal or identifier, copied whole ('' and "" escape themselves).
                let start = i;
                i += 1;
                while i < b.len() {
                    if b[i] == q {
                        if b.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                out.push_str(&domain_check[start..i]);
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$')
                {
                    i += 1;
                }
                let word = &domain_check[start..i];
                if word.eq_ignore_ascii_case("value") {
                    out.push_str(&quoted);
                } else {
                    out.push_str(word);
                }
            }
            _ => {
                let ch = domain_check[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_becomes_the_column_outside_quotes() {
        assert_eq!(
            check_on_column("((VALUE)::integer < 2100)", "y", "integer"),
            "(\"y\" < 2100)"
        );
        assert_eq!(
            check_on_column("((VALUE)::integer_x < 2100)", "y", "integer"),
            "((\"y\")::integer_x < 2100)"
        );
        assert_eq!(
            check_on_column(
                "((VALUE >= 1901) AND (value <= 2155))",
                "release year",
                "integer"
            ),
            "((\"release year\" >= 1901) AND (\"release year\" <= 2155))"
        );
        assert_eq!(
            check_on_column(
                "(VALUE <> 'VALUE'::text AND \"VALUE\" IS NULL AND values_x > 0)",
                "c",
                "text"
            ),
            "(\"c\" <> 'VALUE'::text AND \"VALUE\" IS NULL AND values_x > 0)"
        );
        assert_eq!(
            check_on_column("(VALUE ~ '^é+$')", "c", "text"),
            "(\"c\" ~ '^é+$')"
        );
    }
}
