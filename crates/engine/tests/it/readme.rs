//! The README's type-mapping tables are the engine's own rules, not a copy that can drift.
//!
//! README.md holds each table between marker comments; this test checks that the text between
//! them is exactly what [`ferry_engine::plan::mapping::markdown_table`] prints today. When a rule
//! changes, regenerate the tables with
//!
//! ```sh
//! FERRY_UPDATE_README=1 cargo test -p ferry-engine --test readme
//! ```
//!
//! and review the diff of README.md like any other change.

use std::path::PathBuf;

use ferry_engine::catalog::Dialect;
use ferry_engine::plan::mapping::markdown_table;

/// The tables, by marker name.
const TABLES: &[(&str, Dialect)] = &[
    ("sqlite-to-postgres", Dialect::Sqlite),
    ("postgres-to-sqlite", Dialect::Postgres),
];

const UPDATE_VAR: &str = "FERRY_UPDATE_README";

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md")
}

/// The byte range between `<!-- mapping:NAME:start -->\n` and `<!-- mapping:NAME:end -->`.
fn section(text: &str, name: &str) -> std::ops::Range<usize> {
    let start_marker = format!("<!-- mapping:{name}:start -->\n");
    let end_marker = format!("<!-- mapping:{name}:end -->");
    let count = |m: &str| text.matches(m).count();
    assert_eq!(
        (count(&start_marker), count(&end_marker)),
        (1, 1),
        "README.md must contain the line `{}` and the line `{end_marker}` exactly once each",
        start_marker.trim_end()
    );
    let start = text.find(&start_marker).expect("counted above") + start_marker.len();
    let end = text.find(&end_marker).expect("counted above");
    assert!(
        start <= end,
        "README.md: `{end_marker}` comes before its start marker"
    );
    start..end
}

#[test]
fn readme_mapping_tables_match_the_engine_rules() {
    let path = readme_path();
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));

    if std::env::var_os(UPDATE_VAR).is_some() {
        for (name, dialect) in TABLES {
            let range = section(&text, name);
            text.replace_range(range, &markdown_table(*dialect));
        }
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    let mut stale = vec![];
    for (name, dialect) in TABLES {
        let range = section(&text, name);
        let want = markdown_table(*dialect);
        if text[range.clone()] != want {
            stale.push(format!(
                "--- README.md, mapping:{name} ---\n{}\n--- markdown_table(Dialect::{dialect:?}) ---\n{want}",
                &text[range]
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "README.md's type-mapping table(s) differ from the engine's rules (crates/engine/src/mapping.rs).\n\
         Regenerate them with:\n\n    {UPDATE_VAR}=1 cargo test -p ferry-engine --test readme\n\n\
         then review the README diff.\n\n{}",
        stale.join("\n")
    );
}

/// The byte range between `<!-- conventions:start -->\n` and `<!-- conventions:end -->`.
fn conventions_section(text: &str) -> std::ops::Range<usize> {
    let (start_marker, end_marker) = ("<!-- conventions:start -->\n", "<!-- conventions:end -->");
    assert_eq!(
        (
            text.matches(start_marker).count(),
            text.matches(end_marker).count()
        ),
        (1, 1),
        "README.md must contain the conventions markers exactly once each"
    );
    let start = text.find(start_marker).expect("counted above") + start_marker.len();
    let end = text.find(end_marker).expect("counted above");
    assert!(
        start <= end,
        "README.md: `{end_marker}` comes before its start marker"
    );
    start..end
}

/// The "Frameworks" section's storage-conventions table is `ferry_engine::conventions`'s own
/// table (the one `ferry mapping` prints and the writer uses), regenerated like the mapping.
#[test]
fn readme_conventions_table_matches_the_engine_table() {
    let path = readme_path();
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let want = ferry_engine::conventions::markdown_table();
    if std::env::var_os(UPDATE_VAR).is_some() {
        let range = conventions_section(&text);
        text.replace_range(range, &want);
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    let range = conventions_section(&text);
    assert!(
        text[range.clone()] == want,
        "README.md's storage-conventions table differs from crates/engine/src/model/conventions.rs.\n\
         Regenerate it with:\n\n    {UPDATE_VAR}=1 cargo test -p ferry-engine --test it readme\n\n\
         --- README.md ---\n{}\n--- conventions::markdown_table() ---\n{want}",
        &text[range]
    );
}

#[test]
fn markers_are_found_only_whole() {
    let text = "a\n<!-- mapping:x:start -->\n| t |\n<!-- mapping:x:end -->\nb";
    assert_eq!(&text[section(text, "x")], "| t |\n");
    let missing = std::panic::catch_unwind(|| section("no markers here", "x"));
    assert!(missing.is_err(), "a README without markers must fail");
}
