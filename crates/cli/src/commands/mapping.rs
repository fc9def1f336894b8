//! `ferry mapping`: the default type-mapping rules, printed from the engine's own rule list
//! (`ferry_engine::plan::mapping`), the same list that chooses types in `ferry plan` and that the
//! README's table is checked against.

use ferry_engine::catalog::Dialect;
use ferry_engine::plan::mapping;
use ferry_engine::Error;

use crate::args::MappingArgs;
use crate::exit::Code;
use crate::render::{self, TextTable};

#[derive(serde::Serialize)]
struct Rule {
    direction: &'static str,
    source: &'static str,
    target: &'static str,
    note: &'static str,
}

fn rules() -> Vec<Rule> {
    [
        (Dialect::Postgres, "postgres → sqlite"),
        (Dialect::Sqlite, "sqlite → postgres"),
    ]
    .into_iter()
    .flat_map(|(from, direction)| {
        mapping::rules(from).iter().map(move |r| Rule {
            direction,
            source: r.source,
            target: r.target,
            note: r.note,
        })
    })
    .collect()
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
        out.push_str(
            "\nstorage conventions (how values are written into SQLite; --conventions NAME):\n",
        );
        out.push_str(&ferry_engine::conventions::markdown_table());
        out
    };
    render::to_stdout(&text)?;
    Ok(Code::Success)
}
