//! Round trips across both databases, as properties over random values: a value either
//! comes back the same or is refused (a preflight finding) — never silently changed.
//!
//! - SQLite → PostgreSQL → SQLite: any value SQLite can store (every storage class, text
//!   shaped like each type and text that is not), in a column of each declared type Ferry
//!   maps. Accepted values keep their meaning, survive PostgreSQL's binary wire form, and
//!   are stored back in a form that reads as the same value.
//! - PostgreSQL → SQLite → PostgreSQL: a value of every mapped PostgreSQL type, through the
//!   binary wire form, into SQLite and back, gives the same wire bytes.
//! - The same PostgreSQL round trip through a real server (binary `COPY` in and out), with
//!   PostgreSQL itself comparing the values before and after.
//!
//! The pure properties run thousands of cases in well under a second each; the server one is
//! bounded (a few hundred rows per type).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::tests::{equivalent, json_text, typed_values};
use super::*;
use crate::model::catalog::ColumnType as T;
use crate::postgres::binary;

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn rules(target_is_postgres: bool) -> ColumnRules {
    ColumnRules {
        target_is_postgres,
        ..ColumnRules::default()
    }
}

/// Through PostgreSQL's binary wire form and back; `None` for types that travel as text.
fn through_wire(v: &Value, ty: &T) -> Option<Result<(Vec<u8>, Value), String>> {
    if v.is_null() || binary::type_oid(ty).is_none() || binary::moves_as_text(ty) {
        return None;
    }
    let mut bytes = vec![];
    Some(
        binary::encode(v, ty, &mut bytes)
            .and_then(|()| binary::decode(&bytes, ty).map(|back| (bytes, back)))
            .map_err(|e| e.to_string()),
    )
}

/// Refusals allowed when a PostgreSQL value is stored in SQLite: each is a preflight finding.
fn refusal_is_a_finding(p: &Problem) -> bool {
    matches!(
        p.kind,
        ProblemKind::NegativeZero | ProblemKind::PrecisionLoss
    )
}

// ---- SQLite → PostgreSQL → SQLite ---------------------------------------------------------

/// Declared types as apps write them; each maps to the type Ferry gives the column.
const DECLARED: &[&str] = &[
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "INT",
    "REAL",
    "DOUBLE PRECISION",
    "FLOAT",
    "NUMERIC(10,2)",
    "DECIMAL(18,6)",
    "NUMERIC",
    "TEXT",
    "VARCHAR(12)",
    "CHARACTER(4)",
    "CLOB",
    "BLOB",
    "BOOLEAN",
    "DATE",
    "TIME",
    "DATETIME",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "JSON",
    "JSONB",
    "UUID",
    "",
];

/// Any value SQLite can hold, with a bias towards text that looks like some type.
fn sqlite_values() -> BoxedStrategy<SqliteValue> {
    let shaped = prop_oneof![
        "-?[0-9]{1,20}(\\.[0-9]{0,20})?([eE][+-]?[0-9]{1,3})?",
        "(?i)(true|false|t|f|yes|no|0|1|on|off)",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?",
        "[0-2][0-9]:[0-5][0-9](:[0-6][0-9](\\.[0-9]{1,7})?)?",
        "\\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\\}?",
        "(NaN|Infinity|-Infinity|infinity|-infinity|nan)",
        json_text().prop_map(|v| match v {
            Value::Json(s) => s,
            _ => unreachable!(),
        }),
        any::<String>(),
        "[ -~]{0,16}",
    ];
    prop_oneof![
        1 => Just(SqliteValue::Null),
        3 => any::<i64>().prop_map(SqliteValue::Integer),
        1 => (-100i64..100).prop_map(SqliteValue::Integer),
        3 => any::<f64>().prop_map(SqliteValue::Real),
        1 => prop_oneof![Just(0.5), Just(-0.0), Just(1e300), Just(f64::INFINITY), Just(0.1)]
            .prop_map(SqliteValue::Real),
        8 => shaped.prop_map(|s| SqliteValue::Text(s.into_bytes())),
        1 => proptest::collection::vec(any::<u8>(), 0..24).prop_map(SqliteValue::Text),
        2 => proptest::collection::vec(any::<u8>(), 0..24).prop_map(SqliteValue::Blob),
        1 => any::<[u8; 16]>().prop_map(|b| SqliteValue::Blob(b.to_vec())),
    ]
    .boxed()
}

fn sqlite_law(v: &SqliteValue, ty: &T) -> Result<(), TestCaseError> {
    let Ok(x) = from_sqlite(v, ty, &rules(true)) else {
        return Ok(()); // refused: the preflight lists it
    };
    // Accepted values of the column's own storage class keep exactly their content.
    let keeps = match (v, ty) {
        (SqliteValue::Text(b), T::Text | T::Varchar { .. }) => {
            Some(Value::Text(String::from_utf8(b.clone()).unwrap()))
        }
        (SqliteValue::Integer(i), T::Int { .. }) => Some(Value::Int(*i)),
        (SqliteValue::Real(f), T::Float { bits: 64 }) => Some(Value::Float(*f)),
        (SqliteValue::Blob(b), T::Bytes) => Some(Value::Bytes(b.clone())),
        (SqliteValue::Null, _) => Some(Value::Null),
        _ => None,
    };
    if let Some(want) = keeps {
        prop_assert!(
            equivalent(&x, &want),
            "{v:?} as {} became {x:?}",
            ty.pg_name()
        );
    }
    if let Some(wire) = through_wire(&x, ty) {
        let (_, back) = wire.map_err(|e| {
            TestCaseError::fail(format!("{x:?} as {} is not encodable: {e}", ty.pg_name()))
        })?;
        prop_assert!(
            equivalent(&back, &x),
            "{x:?} as {} came off the wire as {back:?}",
            ty.pg_name()
        );
    }
    let stored = match to_sqlite(&x, ty) {
        Ok(s) => s,
        Err(p) => {
            prop_assert!(
                refusal_is_a_finding(&p),
                "{x:?} (from {v:?}) as {} cannot go back: {p:?}",
                ty.pg_name()
            );
            return Ok(());
        }
    };
    let again = from_sqlite(&stored, ty, &rules(false)).map_err(|p| {
        TestCaseError::fail(format!(
            "{v:?} → {x:?} stored as {stored:?} no longer reads as {}: {p:?}",
            ty.pg_name()
        ))
    })?;
    prop_assert!(
        equivalent(&again, &x),
        "{v:?} → {x:?} → {stored:?} → {again:?} as {}",
        ty.pg_name()
    );
    // A stored value stays as it is: a second trip changes nothing.
    let restored = to_sqlite(&again, ty).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
    prop_assert_eq!(&restored, &stored, "{} second trip", ty.pg_name());
    Ok(())
}

#[test]
fn sqlite_to_postgres_to_sqlite_gives_back_the_value_or_a_finding() {
    let values = sqlite_values();
    let mut types: Vec<(String, T)> = DECLARED
        .iter()
        .map(|d| (d.to_string(), crate::sqlite::types::parse_declared_type(d)))
        .collect();
    // DATETIME columns become timestamptz by default (naive text read in a zone).
    types.push(("DATETIME as timestamptz".into(), T::TimestampTz));
    for (declared, ty) in types {
        runner(1500)
            .run(&values, |v| sqlite_law(&v, &ty))
            .unwrap_or_else(|e| panic!("declared {declared:?} ({}): {e}", ty.pg_name()));
    }
}

// ---- PostgreSQL → SQLite → PostgreSQL -----------------------------------------------------

/// Whether PostgreSQL can hold the value at all (no NUL in text; dates in its range).
fn postgres_can_hold(v: &Value) -> bool {
    use crate::model::temporal::{PG_MAX_DATE, PG_MIN_DATE, PG_MIN_TIMESTAMP};
    match v {
        Value::Text(s) | Value::Json(s) | Value::Opaque(s) => {
            !s.contains('\0') && !s.contains("\\u0000")
        }
        Value::Date(d) => {
            *d == i32::MIN || *d == i32::MAX || (PG_MIN_DATE..=PG_MAX_DATE).contains(d)
        }
        Value::Timestamp(t) | Value::TimestampTz(t) => {
            *t == i64::MIN
                || *t == i64::MAX
                || (PG_MIN_TIMESTAMP..9_000_000_000_000_000_000).contains(t)
        }
        Value::Array(items) => items.iter().all(postgres_can_hold),
        _ => true,
    }
}

/// Whether jsonb keeps this document as written, by Ferry's own preflight rule (arrays:
/// every element). A jsonb column read from PostgreSQL only ever holds such documents (jsonb
/// prints no duplicate keys, exponents or negative zeros); the server test below checks the
/// rule against what PostgreSQL really stores.
fn jsonb_keeps(v: &Value) -> bool {
    match v {
        Value::Json(s) => from_sqlite(
            &SqliteValue::Text(s.clone().into_bytes()),
            &T::Json { binary: true },
            &rules(true),
        )
        .is_ok(),
        Value::Array(items) => items.iter().all(jsonb_keeps),
        _ => true,
    }
}

/// Whether the digest calls two values of a column of `ty` equal.
fn digest_equal(a: &Value, b: &Value, ty: &T) -> bool {
    let (mut x, mut y) = (vec![], vec![]);
    digest::encode_value(a, ty, &mut x);
    digest::encode_value(b, ty, &mut y);
    x == y
}

fn is_jsonb(ty: &T) -> bool {
    match ty {
        T::Array { element } => is_jsonb(element),
        T::Json { binary } => *binary,
        _ => false,
    }
}

fn postgres_law(v: &Value, ty: &T) -> Result<(), TestCaseError> {
    if is_jsonb(ty) && !jsonb_keeps(v) {
        return Ok(()); // not a value a jsonb column can hold
    }
    let Some(wire) = through_wire(v, ty) else {
        return Ok(());
    };
    let (bytes, x) = wire.map_err(|e| TestCaseError::fail(format!("{v:?}: {e}")))?;
    prop_assert!(equivalent(&x, v), "{v:?} off the wire as {x:?}");
    let stored = match to_sqlite(&x, ty) {
        Ok(s) => s,
        Err(p) => {
            prop_assert!(refusal_is_a_finding(&p), "{x:?} refused: {p:?}");
            return Ok(());
        }
    };
    let back = from_sqlite(&stored, ty, &rules(true))
        .map_err(|p| TestCaseError::fail(format!("{x:?} stored {stored:?}: {p:?}")))?;
    let mut again = vec![];
    binary::encode(&back, ty, &mut again).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let json = |t: &T| matches!(t, T::Json { .. });
    // A column with a scale stores every value at that scale, so `0.0` and `0` arrive the
    // same in numeric(12,2); without one, the scale is part of the value and must survive.
    let scaled = |t: &T| matches!(t, T::Numeric { scale: Some(_), .. });
    let element = match ty {
        T::Array { element } => element.as_ref(),
        other => other,
    };
    if json(element) || scaled(element) {
        // JSON text may come back spelled differently but equal (json keeps the text; jsonb
        // normalises it on the server anyway).
        prop_assert!(equivalent(&back, v), "{v:?} came back as {back:?}");
    } else {
        prop_assert_eq!(
            again,
            bytes,
            "{:?} as {} came back as {:?} (stored {:?})",
            v,
            ty.pg_name(),
            back,
            stored
        );
    }
    Ok(())
}

#[test]
fn postgres_to_sqlite_to_postgres_gives_back_the_same_wire_bytes_or_a_finding() {
    for (declared, ty, values) in typed_values() {
        let values = values.prop_filter("PostgreSQL can hold it", postgres_can_hold);
        runner(1000)
            .run(&values, |v| postgres_law(&v, &ty))
            .unwrap_or_else(|e| panic!("{declared} / {}: {e}", ty.pg_name()));
    }
}

// ---- Through a real PostgreSQL server -------------------------------------------------------

/// Rows per type written to the server in this test: bounded, the pure properties above do
/// the volume.
const SERVER_ROWS: usize = 120;

#[test]
fn postgres_binary_copy_round_trip_through_a_real_server() {
    use crate::postgres::read::CopyColumn;
    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    let mut runner = runner(1);
    for (n, (declared, ty, values)) in typed_values().into_iter().enumerate() {
        if binary::type_oid(&ty).is_none() || binary::moves_as_text(&ty) {
            continue;
        }
        let values = proptest::collection::vec(
            values.prop_filter("PostgreSQL can hold it", postgres_can_hold),
            SERVER_ROWS,
        );
        let rows: Vec<Value> = values
            .new_tree(&mut runner)
            .expect("generate values")
            .current();
        let (a, b) = (format!("a{n}"), format!("b{n}"));
        let pg_type = ty.pg_name();
        client
            .batch_execute(&format!(
                "CREATE TABLE {a} (id int PRIMARY KEY, v {pg_type});
                 CREATE TABLE {b} (id int PRIMARY KEY, v {pg_type});"
            ))
            .unwrap_or_else(|e| panic!("{declared}: {e}"));
        let cols = vec![
            CopyColumn {
                name: "id".into(),
                ty: T::Int { bits: 32 },
            },
            CopyColumn {
                name: "v".into(),
                ty: ty.clone(),
            },
        ];
        let write = |client: &mut postgres::Client, table: &str, values: &[Value]| {
            let batch: Vec<Vec<Value>> = values
                .iter()
                .enumerate()
                .map(|(i, v)| vec![Value::Int(i as i64), v.clone()])
                .collect();
            crate::postgres::write::write_table(
                client,
                "public",
                table,
                &cols,
                &mut std::iter::once(Ok(batch)),
            )
            .unwrap_or_else(|e| panic!("{declared}: writing {table}: {e}"));
        };
        write(&mut client, &a, &rows);
        // Out of PostgreSQL, into SQLite's form and back, into PostgreSQL again.
        let mut read: Vec<Vec<Value>> = vec![];
        crate::postgres::read::read_table(&mut client, "public", &a, &cols, 1000, &mut |batch| {
            read.extend(batch);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{declared}: reading {a}: {e}"));
        read.sort_by_key(|r| match r[0] {
            Value::Int(i) => i,
            _ => unreachable!(),
        });
        let mut back = vec![];
        let mut rewritten = 0;
        for (row, original) in read.iter().zip(&rows) {
            let v = &row[1];
            // Equal in the digest ⇔ stored as written, through a real server and with the
            // digest's own encoding: every type keeps what Ferry writes, except documents
            // jsonb rewrites, which the preflight refuses and the digest tells apart.
            let kept = !is_jsonb(&ty) || jsonb_keeps(original);
            rewritten += usize::from(!kept);
            assert_eq!(
                digest_equal(v, original, &ty),
                kept,
                "{declared}: wrote {original:?}, the server gave back {v:?}; the preflight {} it",
                if kept { "accepts" } else { "refuses" }
            );
            back.push(match to_sqlite(v, &ty) {
                Ok(stored) if !v.is_null() => from_sqlite(&stored, &ty, &rules(true))
                    .unwrap_or_else(|p| panic!("{declared}: {v:?} stored {stored:?}: {p:?}")),
                Ok(_) => Value::Null,
                Err(p) => {
                    assert!(refusal_is_a_finding(&p), "{declared}: {v:?}: {p:?}");
                    v.clone() // a finding: the row would not be copied as is
                }
            });
        }
        write(&mut client, &b, &back);
        // PostgreSQL compares, on the text forms (json has no equality; numeric's text keeps
        // its scale, so 1.50 and 1.5 differ there).
        let differing: Vec<String> = client
            .query(
                &format!(
                    "SELECT a.id::text || ': ' || coalesce(a.v::text, 'NULL') || ' ≠ ' || coalesce(b.v::text, 'NULL')
                     FROM {a} a FULL JOIN {b} b USING (id)
                     WHERE a.v::text IS DISTINCT FROM b.v::text OR a.id IS NULL OR b.id IS NULL"
                ),
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(
            differing.is_empty(),
            "{declared} ({pg_type}): {differing:?}"
        );
        let count: i64 = client
            .query_one(&format!("SELECT count(*) FROM {b}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(count as usize, SERVER_ROWS, "{declared}");
        if is_jsonb(&ty) && matches!(ty, T::Json { .. }) {
            assert!(
                rewritten > 0,
                "{declared}: the generator never made a document jsonb rewrites"
            );
        }
    }
}

// ---- The verifier's digest readers --------------------------------------------------------

/// Digest of `rows` through the typed path: values, then [`digest::TableDigest::add_row`].
fn typed_digest(rows: &[Vec<Value>], types: &[T]) -> digest::TableDigest {
    let types: Vec<&T> = types.iter().collect();
    let mut d = digest::TableDigest::new();
    let mut scratch = vec![];
    for row in rows {
        d.add_row(row, &types, &mut scratch);
    }
    d
}

/// PostgreSQL's typed read of a table: every row decoded into `Value`s.
fn pg_typed_rows(
    client: &mut postgres::Client,
    table: &str,
    cols: &[crate::postgres::read::CopyColumn],
) -> Vec<Vec<Value>> {
    let mut rows = vec![];
    crate::postgres::read::read_table(client, "public", table, cols, 1000, &mut |batch| {
        rows.extend(batch);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("reading {table}: {e}"));
    rows
}

/// The digest reader and the typed reader of one PostgreSQL table, and the digest reader's
/// two halves (by `filter`) merged.
fn pg_digests_agree(
    client: &mut postgres::Client,
    table: &str,
    cols: &[crate::postgres::read::CopyColumn],
    what: &str,
) {
    use crate::postgres::read::digest_table_where;
    let types: Vec<T> = cols.iter().map(|c| c.ty.clone()).collect();
    let rows = pg_typed_rows(client, table, cols);
    let typed = typed_digest(&rows, &types);
    let fast = digest_table_where(client, "public", table, cols, None)
        .unwrap_or_else(|e| panic!("{what}: digesting {table}: {e}"));
    if fast != typed {
        // Name the first row the two encodings disagree on.
        for row in &rows {
            let one = typed_digest(std::slice::from_ref(row), &types);
            let Value::Int(id) = row[0] else { continue };
            let fast_one =
                digest_table_where(client, "public", table, cols, Some(&format!("id = {id}")))
                    .unwrap();
            assert_eq!(fast_one, one, "{what}: row {row:?}");
        }
        panic!("{what}: the digests differ, but no single row does");
    }
    assert_eq!(fast.rows(), rows.len() as u64, "{what}");
    let mut halves = digest_table_where(client, "public", table, cols, Some("id % 2 = 0")).unwrap();
    halves.merge(&digest_table_where(client, "public", table, cols, Some("id % 2 <> 0")).unwrap());
    assert_eq!(halves, fast, "{what}: halves");
}

#[test]
fn postgres_digest_reader_equals_decode_then_encode_through_a_real_server() {
    use crate::postgres::read::CopyColumn;
    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    client
        .batch_execute("CREATE TYPE status AS ENUM ('draft', 'published', 'ünïcode label')")
        .unwrap();
    let mut runner = runner(1);
    let id = CopyColumn {
        name: "id".into(),
        ty: T::Int { bits: 32 },
    };
    for (n, (declared, ty, values)) in typed_values().into_iter().enumerate() {
        // An array of an enum needs its element's oid to be written (enums themselves are
        // here); the generator's interval texts are not all valid intervals, so types that
        // travel as text are in the edge-value test below.
        if binary::moves_as_text(&ty)
            || matches!(&ty, T::Array { element } if matches!(**element, T::Enum { .. }))
        {
            continue;
        }
        let values = proptest::collection::vec(
            proptest::option::weighted(
                0.9,
                values.prop_filter("PostgreSQL can hold it", postgres_can_hold),
            ),
            SERVER_ROWS,
        );
        let rows: Vec<Option<Value>> = values
            .new_tree(&mut runner)
            .expect("generate values")
            .current();
        let table = format!("d{n}");
        client
            .batch_execute(&format!(
                "CREATE TABLE {table} (id int PRIMARY KEY, v {})",
                ty.pg_name()
            ))
            .unwrap_or_else(|e| panic!("{declared}: {e}"));
        let cols = vec![
            id.clone(),
            CopyColumn {
                name: "v".into(),
                ty: ty.clone(),
            },
        ];
        let batch: Vec<Vec<Value>> = rows
            .into_iter()
            .enumerate()
            .map(|(i, v)| vec![Value::Int(i as i64), v.unwrap_or(Value::Null)])
            .collect();
        crate::postgres::write::write_table(
            &mut client,
            "public",
            &table,
            &cols,
            &mut std::iter::once(Ok(batch)),
        )
        .unwrap_or_else(|e| panic!("{declared}: writing {table}: {e}"));
        pg_digests_agree(
            &mut client,
            &table,
            &cols,
            &format!("{declared} ({})", ty.pg_name()),
        );
    }
}

#[test]
fn postgres_digest_reader_equals_decode_then_encode_on_edge_values() {
    use crate::postgres::read::CopyColumn;
    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    let columns: Vec<(&str, &str, T)> = vec![
        ("i2", "int2", T::Int { bits: 16 }),
        ("i4", "int4", T::Int { bits: 32 }),
        ("i8", "int8", T::Int { bits: 64 }),
        ("f4", "float4", T::Float { bits: 32 }),
        ("f8", "float8", T::Float { bits: 64 }),
        ("b", "bool", T::Bool),
        ("t", "text", T::Text),
        ("vc", "varchar(5)", T::Varchar { max_len: Some(5) }),
        ("c", "char(4)", T::Char { len: 4 }),
        ("by", "bytea", T::Bytes),
        ("u", "uuid", T::Uuid),
        ("d", "date", T::Date),
        ("tm", "time", T::Time),
        ("ts", "timestamp", T::Timestamp),
        ("tz", "timestamptz", T::TimestampTz),
        (
            "n",
            "numeric",
            T::Numeric {
                precision: None,
                scale: None,
            },
        ),
        (
            "n2",
            "numeric(10,2)",
            T::Numeric {
                precision: Some(10),
                scale: Some(2),
            },
        ),
        ("j", "json", T::Json { binary: false }),
        ("jb", "jsonb", T::Json { binary: true }),
        (
            "iv",
            "interval",
            T::Opaque {
                name: "interval".into(),
            },
        ),
        (
            "ip",
            "inet",
            T::Opaque {
                name: "inet".into(),
            },
        ),
        (
            "e",
            "status",
            T::Enum {
                name: "status".into(),
                labels: vec!["draft".into(), "published".into()],
            },
        ),
        (
            "ta",
            "text[]",
            T::Array {
                element: Box::new(T::Text),
            },
        ),
        (
            "ia",
            "interval[]",
            T::Array {
                element: Box::new(T::Opaque {
                    name: "interval".into(),
                }),
            },
        ),
    ];
    let defs: Vec<String> = columns
        .iter()
        .map(|(name, pg, _)| format!("{name} {pg}"))
        .collect();
    client
        .batch_execute(&format!(
            r#"CREATE TYPE status AS ENUM ('draft', 'published');
            CREATE TABLE edges (id int PRIMARY KEY, {});
            INSERT INTO edges VALUES
            (1, -32768, -2147483648, -9223372036854775808, 'NaN', 'NaN', true, '', '', '',
             '', '00000000-0000-0000-0000-000000000000', 'infinity', '00:00', 'infinity',
             '-infinity', 'NaN', 1.5, '{{"b": 1, "a": [1.0, 1e2]}}', '{{"a": 1}}', '1 day',
             '::1', 'draft', '{{}}', '{{"1 day", NULL}}'),
            (2, 32767, 2147483647, 9223372036854775807, '-0', '-0', false, 'ünï  ', 'abcde',
             'ab', '\x00ff', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '-infinity', '24:00',
             '-infinity', 'infinity', '-1.50', 0, '[]', '[1.0, -0, "x"]', '-1 mons',
             '10.0.0.1/8', 'published', '{{"", NULL, "a b"}}', '{{}}'),
            (3, 0, 0, 0, 'Infinity', '-Infinity', NULL, ' ', ' ', '    ', NULL, NULL,
             '4713-01-01 BC', '23:59:59.999999', '4713-01-01 00:00:00 BC',
             '200000-12-31 23:59:59.999999+00', '1e-30', 99999999.99, 'null', '"\u00e9"',
             '00:00:00', NULL, NULL, NULL, NULL),
            (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
            (5, 1, 1, 1, '1.5', '1e308', true, E'tab\there', 'x', 'abcd', '\x', NULL,
             '1970-01-01', '12:00', '2000-01-01', '1970-01-01 00:00:00+00', '0.000', -0.01,
             '  {{ }} ', '{{"a": {{"b": [true, false, null]}}}}', '1 year 2 mons 3 days 04:05:06.789',
             '2001:db8::/32', NULL, '{{{{"a","b"}},{{"c","d"}}}}', NULL);"#,
            defs.join(", ")
        ))
        .unwrap();
    let mut cols = vec![CopyColumn {
        name: "id".into(),
        ty: T::Int { bits: 32 },
    }];
    cols.extend(columns.into_iter().map(|(name, _, ty)| CopyColumn {
        name: name.into(),
        ty,
    }));
    pg_digests_agree(&mut client, "edges", &cols, "edge values");
}

/// The rules the verifier reads a SQLite file by, for each storage convention (and, for the
/// encoding alone, with PostgreSQL's limits and a zone with DST too).
fn sqlite_read_rules(all: bool) -> Vec<ColumnRules> {
    let mut out = vec![];
    for convention in crate::model::conventions::Convention::ALL {
        out.push(ColumnRules {
            target_is_postgres: false,
            storage: convention.storage(),
            ..ColumnRules::default()
        });
        if all {
            out.push(ColumnRules {
                target_is_postgres: true,
                storage: convention.storage(),
                timezone: chrono_tz::America::New_York,
                epoch: Some(EpochUnit::Seconds),
                ..ColumnRules::default()
            });
        }
    }
    out
}

fn typed_stored(v: &SqliteValue, ty: &T, rules: &ColumnRules) -> Vec<u8> {
    let mut out = vec![];
    digest::encode_value(
        &digest_sqlite::stored_value(v.clone(), ty, rules),
        ty,
        &mut out,
    );
    out
}

fn value_ref(v: &SqliteValue) -> rusqlite::types::ValueRef<'_> {
    use rusqlite::types::ValueRef;
    match v {
        SqliteValue::Null => ValueRef::Null,
        SqliteValue::Integer(i) => ValueRef::Integer(*i),
        SqliteValue::Real(f) => ValueRef::Real(*f),
        SqliteValue::Text(t) => ValueRef::Text(t),
        SqliteValue::Blob(b) => ValueRef::Blob(b),
    }
}

/// Every type a SQLite file is verified as: the declared types apps write, and each type a
/// PostgreSQL value is copied as.
fn sqlite_read_types() -> Vec<(String, T)> {
    let mut types: Vec<(String, T)> = DECLARED
        .iter()
        .map(|d| (d.to_string(), crate::sqlite::types::parse_declared_type(d)))
        .collect();
    types.extend(
        typed_values()
            .into_iter()
            .map(|(declared, ty, _)| (declared.to_string(), ty)),
    );
    types
}

#[test]
fn sqlite_digest_encoding_equals_the_typed_one_for_every_stored_value() {
    let rules = sqlite_read_rules(true);
    let strategy = (sqlite_values(), proptest::sample::select(rules));
    for (declared, ty) in sqlite_read_types() {
        runner(400)
            .run(&strategy, |(v, rules)| {
                let mut fast = vec![];
                digest_sqlite::encode_stored(value_ref(&v), &ty, &rules, &mut fast);
                let typed = typed_stored(&v, &ty, &rules);
                prop_assert_eq!(fast, typed, "{:?} under {:?}", v, rules.storage.convention);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{declared} ({}): {e}", ty.pg_name()));
    }
}

#[test]
fn sqlite_digest_reader_equals_the_typed_one_in_real_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut runner = runner(1);
    for (k, rules) in sqlite_read_rules(false).into_iter().enumerate() {
        let storage = rules.storage;
        let conn = rusqlite::Connection::open(dir.path().join(format!("{k}.db"))).unwrap();
        for (n, (declared, ty, values)) in typed_values().into_iter().enumerate() {
            // What the convention writes for values of the type, and anything else SQLite
            // can hold in such a column.
            let written = proptest::collection::vec(values, 60)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let mut stored: Vec<SqliteValue> = written
                .iter()
                .filter_map(|v| to_sqlite_as(v, &ty, &storage).ok())
                .collect();
            stored.extend(
                proptest::collection::vec(sqlite_values(), 60)
                    .new_tree(&mut runner)
                    .unwrap()
                    .current(),
            );
            stored.push(SqliteValue::Null);
            let table = format!("t{n}");
            conn.execute_batch(&format!(r#"CREATE TABLE {table} (v "{declared}")"#))
                .unwrap();
            conn.execute_batch("BEGIN").unwrap();
            {
                use rusqlite::types::Value as R;
                let mut insert = conn
                    .prepare(&format!("INSERT INTO {table} VALUES (?1)"))
                    .unwrap();
                // Text as its bytes, valid UTF-8 or not (SQLite does not check).
                let mut insert_text = conn
                    .prepare(&format!("INSERT INTO {table} VALUES (CAST(?1 AS TEXT))"))
                    .unwrap();
                for v in &stored {
                    match v {
                        SqliteValue::Null => insert.execute([R::Null]),
                        SqliteValue::Integer(i) => insert.execute([R::Integer(*i)]),
                        SqliteValue::Real(f) => insert.execute([R::Real(*f)]),
                        SqliteValue::Blob(b) => insert.execute([R::Blob(b.clone())]),
                        SqliteValue::Text(t) => insert_text.execute([R::Blob(t.clone())]),
                    }
                    .unwrap();
                }
            }
            conn.execute_batch("COMMIT").unwrap();
            let columns = vec![("v".to_string(), ty.clone())];
            let fast =
                crate::sqlite::read::digest_table_where(&conn, &table, &columns, None, &rules)
                    .unwrap();
            let mut rows = vec![];
            crate::sqlite::read::read_table(&conn, &table, &["v".to_string()], 100, &mut |b| {
                rows.extend(b.into_iter().map(|row| {
                    row.into_iter()
                        .map(|v| digest_sqlite::stored_value(v, &ty, &rules))
                        .collect::<Vec<_>>()
                }));
                Ok(())
            })
            .unwrap();
            let typed = typed_digest(&rows, std::slice::from_ref(&ty));
            assert_eq!(fast.rows(), stored.len() as u64, "{declared}");
            assert_eq!(
                fast,
                typed,
                "{declared} ({}) under {:?}: {stored:?}",
                ty.pg_name(),
                storage.convention
            );
        }
    }
}
