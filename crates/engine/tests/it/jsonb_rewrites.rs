//! Issue 11, point 2: a JSON document jsonb would not store as written (duplicate keys at any
//! depth, a number it turns into an integer or drops the sign of, a number beyond numeric's
//! range) is a preflight finding, never a "verification: passed" over a changed document.
use crate::common::*;
use ferry_engine::finding::{Policy, Remedy};
use ferry_engine::options::{ColumnRef, ColumnSetting};
use ferry_engine::report::Outcome;
use ferry_engine::ErrorKind;

const SOURCE: &str = r#"
    CREATE TABLE docs (id INTEGER PRIMARY KEY, doc JSON);
    INSERT INTO docs VALUES
        (1, '{"a": 1, "a": 2}'),
        (2, '{"outer": [{"k": true, "k": false}]}'),
        (3, '[1e2]'),
        (4, '{"x": -0}'),
        (5, '[1e131072]'),
        (6, '{"fine": [1.50, 2.5e-3, "1e2", {"a": 1}, {"a": 2}]}');
"#;

#[test]
fn documents_jsonb_would_rewrite_are_findings_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "docs.db", SOURCE);
    let db = TestDb::new();
    let err = migrate(&options(sqlite(&src), pg(&db))).expect_err("jsonb would change documents");
    assert_eq!(err.error.kind(), ErrorKind::BadInput);
    let f = err
        .report
        .findings
        .iter()
        .find(|f| f.kind == "jsonb_changes")
        .unwrap_or_else(|| panic!("no jsonb_changes finding: {:#?}", err.report.findings));
    assert!(f.is_blocking());
    assert_eq!(
        (f.table.as_str(), f.column.as_deref()),
        ("docs", Some("doc"))
    );
    assert_eq!(f.count, 5, "rows 1 to 5; row 6 is stored as written");
    let details: Vec<(&str, &str)> = f
        .samples
        .iter()
        .map(|s| (s.key.as_str(), s.detail.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            ("id=1", "'{\"a\": 1, \"a\": 2}': has the same object key twice; jsonb would keep only the last"),
            ("id=2", "'{\"outer\": [{\"k\": true, \"k\": false}]}': has the same object key twice; jsonb would keep only the last"),
            ("id=3", "'[1e2]': jsonb would store the number 1e2 as the integer 100"),
            ("id=4", "'{\"x\": -0}': jsonb would store the number -0 as 0"),
            ("id=5", "'[1e131072]': the number 1e131072 is beyond jsonb's range"),
        ]
    );
    let policy = |policy| Remedy::Policy {
        table: "docs".into(),
        column: "doc".into(),
        policy,
    };
    assert_eq!(
        f.remedies,
        [
            // PostgreSQL's json type stores the text as it is.
            Remedy::TypeOverride {
                table: "docs".into(),
                column: "doc".into(),
                type_name: Some("json".into()),
            },
            Remedy::FixData,
            policy(Policy::AsText),
            policy(Policy::Null),
            policy(Policy::SkipRow),
        ]
    );
    assert!(pg_tables(&mut db.client()).is_empty(), "nothing written");
}

#[test]
fn keeping_the_documents_as_json_stores_every_byte_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(dir.path(), "docs.db", SOURCE);
    let db = TestDb::new();
    let mut o = options(sqlite(&src), pg(&db));
    o.type_overrides = vec![ColumnSetting {
        column: ColumnRef::parse("docs.doc").unwrap(),
        value: "json".into(),
    }];
    let report = migrate_ok(&o);
    assert_eq!(report.outcome, Outcome::Committed);
    let mut c = db.client();
    let stored: Vec<(i64, String, String)> = c
        .query(
            "SELECT id, doc::text, format_type(atttypid, atttypmod) FROM docs, pg_attribute
             WHERE attrelid = 'docs'::regclass AND attname = 'doc' ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let conn = rusqlite::Connection::open(&src).unwrap();
    let mut q = conn
        .prepare("SELECT id, doc FROM docs ORDER BY id")
        .unwrap();
    let written: Vec<(i64, String, String)> = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, "json".to_string())))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stored, written);
}

/// The same class from a PostgreSQL `json` source (text as written, duplicates and all) into
/// an existing `jsonb` column: found before writing.
#[test]
fn a_json_source_into_an_existing_jsonb_column_is_found_too() {
    let source = TestDb::new();
    source
        .client()
        .batch_execute(
            r#"CREATE TABLE docs (id int PRIMARY KEY, doc json);
               INSERT INTO docs VALUES (1, '{"a": 1, "a": 2}'), (2, '{"b": 2}');"#,
        )
        .unwrap();
    let target = TestDb::new();
    let mut t = target.client();
    t.batch_execute("CREATE TABLE docs (id int PRIMARY KEY, doc jsonb)")
        .unwrap();
    let before = pg_snapshot(&mut t);
    let mut o = options(pg(&source), pg(&target));
    o.into_existing = true;
    let err = migrate(&o).expect_err("jsonb would drop a key");
    let f = err
        .report
        .findings
        .iter()
        .find(|f| f.kind == "jsonb_changes")
        .unwrap_or_else(|| panic!("{:#?}", err.report.findings));
    assert_eq!((f.count, f.samples[0].key.as_str()), (1, "id=1"));
    assert_eq!(pg_snapshot(&mut t), before, "nothing written");
}

/// The canonical form orders object keys as jsonb stores them, so the text PostgreSQL prints
/// for a jsonb value — a copy from PostgreSQL digests a million of them, and verifies them
/// again in the target — is already canonical apart from its whitespace, at every depth,
/// whatever the keys' lengths, bytes (non-ASCII, escapes) or the order they were written in.
#[test]
fn jsonb_text_from_postgresql_is_already_in_canonical_key_order() {
    let db = TestDb::new();
    let mut client = db.client();
    let keys = [
        "abc",
        "b",
        "",
        "aa",
        "é",
        "Z",
        "ba",
        "中",
        "a",
        "ab",
        "zz",
        "q\"uote",
        "\u{1F600}",
        "A",
    ];
    let members: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{}: {i}", serde_json::to_string(k).unwrap()))
        .collect();
    let written = format!(
        "{{{}, \"nested\": {{{}}}}}",
        members.join(", "),
        members.iter().rev().cloned().collect::<Vec<_>>().join(", ")
    );
    let printed: String = client
        .query_one("SELECT $1::text::jsonb::text", &[&written])
        .expect("jsonb round trip")
        .get(0);
    // What the canonical form must be: PostgreSQL's own text with its whitespace removed
    // (no string here holds a space or an escape that canonicalisation would rewrite).
    let mut expected = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in printed.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ' ' if !in_string => continue,
            _ => {}
        }
        expected.push(c);
    }
    assert_eq!(
        ferry_engine::convert::canonical_json(&printed).as_deref(),
        Some(expected.as_str()),
        "PostgreSQL printed {printed}"
    );
    // And the order is a real one: the same document written in another order canonicalises
    // to the same text.
    assert_eq!(
        ferry_engine::convert::canonical_json(&written).as_deref(),
        Some(expected.as_str())
    );
}
