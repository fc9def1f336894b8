//! `ferry mapping`: the default type-mapping rules, as the README states them.
//!
//! TODO(integrator): the engine will expose its mapping rules as data (pgloader-style: source
//! pattern → target type, first match wins). Replace [`rules`] with that list so that this
//! command, `ferry plan` and the README table are all generated from one source; until then
//! this is a copy of DESIGN.md's table and may drift from the code.

use ferry_engine::Error;

use crate::args::MappingArgs;
use crate::exit::Code;
use crate::render::{self, TextTable};

#[derive(serde::Serialize)]
struct Rule {
    direction: &'static str,
    source: &'static str,
    target: &'static str,
}

/// The hook: one place to switch to the engine's rules.
fn rules() -> Vec<Rule> {
    const PG_TO_SQLITE: &[(&str, &str)] = &[
        (
            "smallint, integer, bigint",
            "INTEGER (a single integer PK with a sequence/identity → INTEGER PRIMARY KEY)",
        ),
        (
            "numeric(p,s)",
            "NUMERIC(p,s), exact value, never rounded through a float",
        ),
        ("real, double precision", "REAL (bit-exact)"),
        ("boolean", "BOOLEAN, 0/1"),
        ("text, varchar(n), char(n)", "TEXT / VARCHAR(n) / CHAR(n)"),
        ("bytea", "BLOB"),
        ("uuid", "UUID, canonical lower-case hyphenated text"),
        (
            "date / time / timestamp",
            "DATE / TIME / TIMESTAMP as ISO-8601 text",
        ),
        (
            "timestamptz",
            "TIMESTAMPTZ as ISO-8601 text in UTC with offset",
        ),
        ("json / jsonb", "JSON / JSONB as text"),
        (
            "arrays",
            "the array type name (e.g. TEXT[]), stored as a JSON array",
        ),
        ("enum types", "TEXT with a CHECK of the allowed labels"),
        (
            "interval, inet, cidr, money, others",
            "declared as themselves, PostgreSQL's text form, with a warning",
        ),
    ];
    const SQLITE_TO_PG: &[(&str, &str)] = &[
        ("BOOLEAN holding only 0/1/true/false", "boolean"),
        (
            "DATETIME / TIMESTAMP holding parseable timestamps",
            "timestamptz (naive ones read in --source-timezone)",
        ),
        ("numbers named by --epoch", "timestamptz"),
        ("JSON", "jsonb"),
        ("UUID", "uuid"),
        ("INTEGER", "bigint"),
        (
            "INTEGER PRIMARY KEY / AUTOINCREMENT",
            "bigint identity, sequence set past the max",
        ),
        ("REAL", "double precision"),
        ("NUMERIC / DECIMAL(p,s)", "numeric"),
        ("BLOB", "bytea"),
        ("no declared type", "by content"),
    ];
    let rows = |direction, list: &[(&'static str, &'static str)]| -> Vec<Rule> {
        list.iter()
            .map(|&(source, target)| Rule {
                direction,
                source,
                target,
            })
            .collect()
    };
    let mut all = rows("postgres → sqlite", PG_TO_SQLITE);
    all.extend(rows("sqlite → postgres", SQLITE_TO_PG));
    all
}

/// # Errors
/// Only writing stdout.
pub fn run(args: &MappingArgs) -> Result<Code, Error> {
    let rules = rules();
    let text = if args.json {
        render::json(&rules)?
    } else {
        let mut out = String::new();
        for direction in ["postgres → sqlite", "sqlite → postgres"] {
            let mut t = TextTable::new(&["source", "", "target"]);
            for r in rules.iter().filter(|r| r.direction == direction) {
                t.row(vec![r.source.into(), "→".into(), r.target.into()]);
            }
            out.push_str(&format!("{direction}:\n{}\n", t.render("  ")));
        }
        out.push_str("A column whose values disagree with its declared type is a preflight finding, never a guess.\nOverride one column with --type TABLE.COLUMN=PGTYPE.\n");
        out
    };
    render::to_stdout(&text)?;
    Ok(Code::Success)
}
