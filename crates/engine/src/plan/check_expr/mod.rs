//! Translating CHECK expressions between SQLite and PostgreSQL.
//!
//! CHECKs are small boolean expressions over a row's columns, so a real SQL parser is not
//! needed, but a wrong translation would be worse than none: a CHECK that means something
//! else either rejects good rows mid-migration or silently stops protecting the data. So this
//! module parses a deliberately small language — columns, literals, comparison, arithmetic,
//! `||`, AND/OR/NOT, IN, BETWEEN, IS [NOT] NULL, LIKE, a short allow-list of functions that
//! behave the same in both databases — and anything outside it is `Untranslatable` with a
//! reason the report shows. Columns must exist (`column_type`) and have a type whose
//! comparisons mean the same on both sides.
//!
//! PostgreSQL → SQLite undoes what PostgreSQL's deparser adds: casts of literals
//! (`0::numeric`, `'a'::text`), `col::text` on text columns, `= ANY (ARRAY[…])` for IN lists,
//! `~~` for LIKE (rewritten as GLOB, because SQLite's LIKE ignores case). SQLite → PostgreSQL
//! recognises CHECKs the target's type enforces by itself (`done IN (0, 1)` on a column that
//! becomes boolean, `json_valid(data)` on one that becomes jsonb) as `Implied`.

mod meaning;
mod render;
mod syntax;
mod tokens;

use crate::model::catalog::{ColumnType, Dialect};
use meaning::*;
use render::*;
use syntax::*;
use tokens::*;

/// What became of one CHECK expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    /// Portable as written.
    Same(String),
    /// Rewritten for the target dialect.
    Translated(String),
    /// Not needed: the target column's type already enforces it.
    Implied { reason: String },
    /// Ferry cannot translate it with certainty; the caller reports it and drops it.
    Untranslatable { reason: String },
}

/// Translates the expression inside `CHECK (…)` from one dialect to the other.
///
/// `column_type` gives the type each column has in the *target* table (`None` for a name
/// that is not a column).
pub fn translate_check(
    expr: &str,
    from: Dialect,
    to: Dialect,
    column_type: &dyn Fn(&str) -> Option<ColumnType>,
) -> Translation {
    if from == to {
        return Translation::Same(expr.to_string());
    }
    let untranslatable = |reason: String| Translation::Untranslatable { reason };
    let tokens = match tokenize(expr, from) {
        Ok(t) => t,
        Err(reason) => return untranslatable(reason),
    };
    let mut parser = Parser {
        tokens,
        pos: 0,
        from,
    };
    let ast = match parser.parse() {
        Ok(a) => a,
        Err(reason) => return untranslatable(reason),
    };
    if to == Dialect::Postgres {
        if let Some(reason) = implied(&ast, column_type) {
            return Translation::Implied { reason };
        }
    }
    let mut cx = Converter {
        from,
        column_type,
        changed: false,
    };
    match cx.convert(ast) {
        Err(reason) => untranslatable(reason),
        Ok(_) if !cx.changed => Translation::Same(expr.to_string()),
        Ok(out) => Translation::Translated(render(&out)),
    }
}

#[cfg(test)]
mod tests;
