//! Conversion tests: table-driven rules, and the round-trip law through values and through a
//! real SQLite file (column affinity can change stored values; these tests prove the
//! declared types Ferry uses keep every value).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::*;
use crate::model::catalog::ColumnType as T;
use crate::model::temporal::{DAY_MICROS, PG_MIN_DATE};
use crate::model::value::Decimal;

fn text(s: &str) -> SqliteValue {
    SqliteValue::Text(s.as_bytes().to_vec())
}

fn num(s: &str) -> Value {
    Value::Numeric(Decimal::parse(s).unwrap())
}

#[test]
fn from_sqlite_table() {
    use ProblemKind as P;
    use SqliteValue::{Blob, Integer, Null, Real};
    let rules = ColumnRules::default();
    let enum_ty = T::Enum {
        name: "mood".into(),
        labels: vec!["happy".into(), "sad".into()],
    };
    let int_array = T::Array {
        element: Box::new(T::Int { bits: 32 }),
    };
    let cases: Vec<(SqliteValue, T, Result<Value, P>)> = vec![
        (Null, T::Int { bits: 16 }, Ok(Value::Null)),
        (Integer(1), T::Bool, Ok(Value::Bool(true))),
        (Real(0.0), T::Bool, Ok(Value::Bool(false))),
        (text("TRUE"), T::Bool, Ok(Value::Bool(true))),
        (text("f"), T::Bool, Ok(Value::Bool(false))),
        (text("maybe"), T::Bool, Err(P::NotBoolean)),
        (Integer(2), T::Bool, Err(P::NotBoolean)),
        (Integer(32_767), T::Int { bits: 16 }, Ok(Value::Int(32_767))),
        (Integer(32_768), T::Int { bits: 16 }, Err(P::OutOfRange)),
        (
            Integer(i64::MIN),
            T::Int { bits: 64 },
            Ok(Value::Int(i64::MIN)),
        ),
        (Real(3.0), T::Int { bits: 32 }, Ok(Value::Int(3))),
        (Real(3.5), T::Int { bits: 32 }, Err(P::NotInteger)),
        (Real(9.3e18), T::Int { bits: 64 }, Err(P::OutOfRange)),
        (text("12"), T::Int { bits: 64 }, Err(P::NotInteger)),
        (Real(0.1), T::Float { bits: 64 }, Ok(Value::Float(0.1))),
        (
            Integer(1 << 53),
            T::Float { bits: 64 },
            Ok(Value::Float(9_007_199_254_740_992.0)),
        ),
        (
            Integer((1 << 53) + 1),
            T::Float { bits: 64 },
            Err(P::PrecisionLoss),
        ),
        (
            Integer(i64::MAX),
            T::Float { bits: 64 },
            Err(P::PrecisionLoss),
        ),
        (
            text("-Infinity"),
            T::Float { bits: 64 },
            Ok(Value::Float(f64::NEG_INFINITY)),
        ),
        (text("1.5"), T::Float { bits: 64 }, Err(P::TypeMismatch)),
        (Real(0.5), T::Float { bits: 32 }, Ok(Value::Float(0.5))),
        (Real(0.1), T::Float { bits: 32 }, Err(P::NotRepresentable)),
        (
            Integer(12),
            T::Numeric {
                precision: Some(4),
                scale: Some(2),
            },
            Ok(num("12")),
        ),
        (
            Real(12.25),
            T::Numeric {
                precision: Some(4),
                scale: Some(2),
            },
            Ok(num("12.25")),
        ),
        (
            Real(0.1 + 0.2),
            T::Numeric {
                precision: Some(12),
                scale: Some(2),
            },
            Err(P::PrecisionLoss),
        ),
        (
            text("123.4"),
            T::Numeric {
                precision: Some(4),
                scale: Some(2),
            },
            Err(P::OutOfRange),
        ),
        (
            text("1.005"),
            T::Numeric {
                precision: Some(10),
                scale: Some(2),
            },
            Err(P::PrecisionLoss),
        ),
        (
            text("1.500"),
            T::Numeric {
                precision: Some(10),
                scale: Some(2),
            },
            Ok(num("1.500")),
        ),
        (
            text("12345678901234567890.123"),
            T::Numeric {
                precision: None,
                scale: None,
            },
            Ok(num("12345678901234567890.123")),
        ),
        (
            text("NaN"),
            T::Numeric {
                precision: Some(5),
                scale: Some(0),
            },
            Ok(num("NaN")),
        ),
        (
            text("Infinity"),
            T::Numeric {
                precision: Some(5),
                scale: Some(0),
            },
            Err(P::OutOfRange),
        ),
        (
            text("ten"),
            T::Numeric {
                precision: None,
                scale: None,
            },
            Err(P::NotNumeric),
        ),
        (text("héllo"), T::Text, Ok(Value::Text("héllo".into()))),
        (
            SqliteValue::Text(vec![b'a', 0xff]),
            T::Text,
            Err(P::InvalidUtf8),
        ),
        (text("a\0b"), T::Text, Err(P::NulInText)),
        (Integer(5), T::Text, Err(P::TypeMismatch)),
        (Integer(5), T::Any, Err(P::MixedTypes)),
        (
            text("abcd"),
            T::Varchar { max_len: Some(3) },
            Err(P::TooLong),
        ),
        (
            text("äöü"),
            T::Varchar { max_len: Some(3) },
            Ok(Value::Text("äöü".into())),
        ),
        (
            text("abcd"),
            T::Char { len: 4 },
            Ok(Value::Text("abcd".into())),
        ),
        (Blob(vec![0, 1]), T::Bytes, Ok(Value::Bytes(vec![0, 1]))),
        (text("x"), T::Bytes, Err(P::TypeMismatch)),
        (
            text("{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}"),
            T::Uuid,
            Ok(Value::Uuid(uuid::uuid!(
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
            ))),
        ),
        (
            text("a0eebc999c0b4ef8bb6d6bb9bd380a11"),
            T::Uuid,
            Ok(Value::Uuid(uuid::uuid!(
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
            ))),
        ),
        (
            Blob(vec![7; 16]),
            T::Uuid,
            Ok(Value::Uuid(uuid::Uuid::from_bytes([7; 16]))),
        ),
        (text("not-a-uuid"), T::Uuid, Err(P::BadUuid)),
        (Blob(vec![7; 15]), T::Uuid, Err(P::BadUuid)),
        (text("2025-02-30"), T::Date, Err(P::BadTimestamp)),
        (
            text("2025-01-01 10:00:00+02:00"),
            T::TimestampTz,
            Ok(Value::TimestampTz(1_735_718_400_000_000)),
        ),
        (
            text("2025-01-01 10:00:00+02:00"),
            T::Timestamp,
            Err(P::TypeMismatch),
        ),
        (
            text("2025-01-01 08:00:00"),
            T::TimestampTz,
            Ok(Value::TimestampTz(1_735_718_400_000_000)),
        ),
        (
            text("2025-01-01 08:00:00.0000001"),
            T::Timestamp,
            Err(P::PrecisionLoss),
        ),
        (text("4714-11-23 BC"), T::Date, Err(P::OutOfRange)),
        (text("4714-11-24 BC"), T::Date, Ok(Value::Date(PG_MIN_DATE))),
        (Integer(1_700_000_000), T::TimestampTz, Err(P::EpochNumber)),
        (Integer(5), T::Time, Err(P::TypeMismatch)),
        (
            text("{\"a\": [1, 2.50]}"),
            T::Json { binary: true },
            Ok(Value::Json("{\"a\": [1, 2.50]}".into())),
        ),
        (
            text("{\"a\": \"\\u0000\"}"),
            T::Json { binary: true },
            Err(P::BadJson),
        ),
        (
            text("{\"a\": \"\\u0000\"}"),
            T::Json { binary: false },
            Ok(Value::Json("{\"a\": \"\\u0000\"}".into())),
        ),
        (text("{nope"), T::Json { binary: false }, Err(P::BadJson)),
        (
            Real(2.5),
            T::Json { binary: false },
            Ok(Value::Json("2.5".into())),
        ),
        (
            text("[1, null, 3]"),
            int_array.clone(),
            Ok(Value::Array(vec![
                Value::Int(1),
                Value::Null,
                Value::Int(3),
            ])),
        ),
        (
            text("[[1, 2], [3, 4]]"),
            int_array.clone(),
            Ok(Value::Array(vec![
                Value::Array(vec![Value::Int(1), Value::Int(2)]),
                Value::Array(vec![Value::Int(3), Value::Int(4)]),
            ])),
        ),
        (text("[[1, 2], [3]]"), int_array.clone(), Err(P::BadArray)),
        (text("[1, [2]]"), int_array.clone(), Err(P::BadArray)),
        (text("[1, 2.5]"), int_array.clone(), Err(P::NotInteger)),
        (text("[3000000000]"), int_array.clone(), Err(P::OutOfRange)),
        (text("{1,2}"), int_array.clone(), Err(P::BadArray)),
        (text("{\"a\": 1}"), int_array, Err(P::BadArray)),
        (
            text("[0.1000000000000000000001]"),
            T::Array {
                element: Box::new(T::Float { bits: 64 }),
            },
            Err(P::PrecisionLoss),
        ),
        (
            text("happy"),
            enum_ty.clone(),
            Ok(Value::Text("happy".into())),
        ),
        (text("Happy"), enum_ty, Err(P::NotInEnum)),
        (
            text("1 day"),
            T::Opaque {
                name: "interval".into(),
            },
            Ok(Value::Opaque("1 day".into())),
        ),
    ];
    for (stored, ty, expected) in cases {
        let got = from_sqlite(&stored, &ty, &rules);
        match (&got, &expected) {
            (Ok(v), Ok(e)) => assert!(
                equivalent(v, e),
                "{} as {}: got {v:?}, expected {e:?}",
                stored.describe(),
                ty.pg_name()
            ),
            (Err(p), Err(kind)) => {
                assert_eq!(
                    p.kind,
                    *kind,
                    "{} as {}: {}",
                    stored.describe(),
                    ty.pg_name(),
                    p.detail
                );
                assert!(
                    !p.detail.is_empty() && p.detail.len() < 240,
                    "detail should be one short sentence: {:?}",
                    p.detail
                );
            }
            _ => panic!(
                "{} as {}: got {got:?}, expected {expected:?}",
                stored.describe(),
                ty.pg_name()
            ),
        }
    }
}

#[test]
fn details_read_well() {
    let p = from_sqlite(&text("maybe"), &T::Bool, &ColumnRules::default()).unwrap_err();
    assert_eq!(
        p.detail,
        "'maybe' is not a boolean (expected 0, 1, true or false)"
    );
    let p = from_sqlite(
        &SqliteValue::Integer(1_700_000_000_000),
        &T::Timestamp,
        &ColumnRules::default(),
    )
    .unwrap_err();
    assert!(p.detail.contains("milliseconds"), "{}", p.detail);
    let p = from_sqlite(
        &SqliteValue::Real(2_460_000.5),
        &T::Timestamp,
        &ColumnRules::default(),
    )
    .unwrap_err();
    assert!(p.detail.contains("Julian day"), "{}", p.detail);
    let p = from_sqlite(
        &SqliteValue::Text(vec![b'a', b'b', 0xc3]),
        &T::Text,
        &ColumnRules::default(),
    )
    .unwrap_err();
    assert!(p.detail.contains("offset 2"), "{}", p.detail);
    use ProblemKind::*;
    for kind in [
        InvalidUtf8,
        NulInText,
        NotBoolean,
        NotInteger,
        OutOfRange,
        PrecisionLoss,
        NotNumeric,
        BadTimestamp,
        EpochNumber,
        NonexistentLocalTime,
        AmbiguousLocalTime,
        BadJson,
        BadUuid,
        BadArray,
        NotInEnum,
        TooLong,
        MixedTypes,
        NegativeZero,
        TypeMismatch,
        NotRepresentable,
    ] {
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!("\"{}\"", kind.as_str())
        );
    }
}

#[test]
fn rules_choose_zone_dst_and_epoch() {
    let berlin = ColumnRules {
        timezone: chrono_tz::Europe::Berlin,
        ..ColumnRules::default()
    };
    let gap = text("2025-03-30 02:30:00");
    assert_eq!(
        from_sqlite(&gap, &T::TimestampTz, &berlin)
            .unwrap_err()
            .kind,
        ProblemKind::NonexistentLocalTime
    );
    let fold = text("2025-10-26 02:30:00");
    assert_eq!(
        from_sqlite(&fold, &T::TimestampTz, &berlin)
            .unwrap_err()
            .kind,
        ProblemKind::AmbiguousLocalTime
    );
    let later = ColumnRules {
        dst: DstPolicy {
            gap: GapPolicy::ShiftForward,
            fold: FoldPolicy::Later,
        },
        ..berlin.clone()
    };
    assert_eq!(
        from_sqlite(&fold, &T::TimestampTz, &later),
        Ok(Value::TimestampTz(1_761_442_200_000_000))
    );
    // Text with an offset keeps its instant whatever the zone; naive timestamps stay naive.
    assert_eq!(
        from_sqlite(&text("2025-10-26 02:30:00Z"), &T::TimestampTz, &berlin),
        Ok(Value::TimestampTz(1_761_445_800_000_000))
    );
    assert_eq!(
        from_sqlite(&fold, &T::Timestamp, &berlin),
        Ok(Value::Timestamp(1_761_445_800_000_000))
    );
    let ms = ColumnRules {
        epoch: Some(EpochUnit::Milliseconds),
        ..ColumnRules::default()
    };
    assert_eq!(
        from_sqlite(
            &SqliteValue::Integer(1_700_000_000_123),
            &T::TimestampTz,
            &ms
        ),
        Ok(Value::TimestampTz(1_700_000_000_123_000))
    );
    assert_eq!(
        from_sqlite(&SqliteValue::Integer(86_400_000), &T::Date, &ms),
        Ok(Value::Date(1))
    );
    assert_eq!(
        from_sqlite(&SqliteValue::Integer(86_400_001), &T::Date, &ms)
            .unwrap_err()
            .kind,
        ProblemKind::BadTimestamp
    );
    let nul_ok = ColumnRules {
        target_is_postgres: false,
        ..ColumnRules::default()
    };
    assert_eq!(
        from_sqlite(&text("a\0b"), &T::Text, &nul_ok),
        Ok(Value::Text("a\0b".into()))
    );
}

#[test]
fn canonical_json_compares_values_not_spelling() {
    let same = [
        (
            r#"{"b": 1, "a": [true, null]}"#,
            r#"{"a":[true,null],"b":1}"#,
        ),
        ("1.0", "1.00"),
        ("1.50", "1.5"),
        ("1.5e3", "1500.0"),
        ("1E2", "100.0"),
        ("1.5e-7", "0.00000015"),
        ("-0", "-0"),
        ("-0.0", "-0e0"),
        (r#""\u00e9\n""#, r#""é\n""#),
        (
            "123456789012345678901234567890.5",
            "123456789012345678901234567890.50",
        ),
    ];
    for (a, b) in same {
        assert_eq!(canonical_json(a), canonical_json(b), "{a} vs {b}");
    }
    // What jsonb (or a parser) would read differently is never equal: the digest must see
    // a document jsonb rewrote.
    let different = [
        (r#"{"a": 1, "a": 2}"#, r#"{"a":2}"#),
        (r#"{"b": {"c": 1, "c": [1]}}"#, r#"{"b":{"c":[1]}}"#),
        ("1.0", "1"),
        ("1e2", "100"),
        ("1.5e3", "1500"),
        ("-0", "0"),
        ("-0.0", "0.0"),
        ("1", "\"1\""),
        ("12345678901234567890", "12345678901234567891"),
    ];
    for (a, b) in different {
        assert_ne!(canonical_json(a), canonical_json(b), "{a} vs {b}");
    }
    assert_eq!(
        canonical_json(r#"{ "b" : 1 , "a" : "x" }"#).as_deref(),
        Some(r#"{"a":"x","b":1}"#)
    );
    // Every duplicate is kept, in the order written.
    assert_eq!(
        canonical_json(r#"{"b":0,"a":1,"a":2}"#).as_deref(),
        Some(r#"{"a":1,"a":2,"b":0}"#)
    );
    assert_eq!(canonical_json("{"), None);
}

#[test]
fn negative_zero_and_nan_in_a_real_sqlite_column() {
    // Why to_sqlite refuses -0.0 and stores NaN as text: what SQLite does with them.
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch("CREATE TABLE t (v REAL)").unwrap();
    for f in [-0.0_f64, f64::NAN, f64::INFINITY] {
        db.execute("INSERT INTO t VALUES (?1)", [f]).unwrap();
    }
    let back: Vec<SqliteValue> = db
        .prepare("SELECT v FROM t ORDER BY rowid")
        .unwrap()
        .query_map([], |r| Ok(sqlite_value_from_ref(r.get_ref(0)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        matches!(back[0], SqliteValue::Real(z) if z == 0.0 && z.is_sign_positive()),
        "SQLite now keeps -0.0: {:?}",
        back[0]
    );
    assert_eq!(back[1], SqliteValue::Null);
    assert_eq!(back[2], SqliteValue::Real(f64::INFINITY));
    assert_eq!(
        to_sqlite(&Value::Float(-0.0), &T::Float { bits: 64 })
            .unwrap_err()
            .kind,
        ProblemKind::NegativeZero
    );
}

/// Equality as the round-trip law means it: floats bit for bit (NaN = NaN), decimals and
/// JSON by canonical form, arrays element-wise.
pub(super) fn equivalent(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Numeric(x), Value::Numeric(y)) => x.canonical() == y.canonical(),
        (Value::Json(x), Value::Json(y)) => canonical_json(x) == canonical_json(y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equivalent(a, b))
        }
        _ => a == b,
    }
}

/// Decimal text with up to `int` integer and `frac` fraction digits.
fn decimal(int: usize, frac: usize) -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        proptest::collection::vec(0..10u8, 1..=int.max(1)),
        proptest::collection::vec(0..10u8, 0..=frac),
    )
        .prop_map(move |(neg, i, f)| {
            let digits = |d: &[u8]| d.iter().map(|d| char::from(b'0' + d)).collect::<String>();
            let i = if int == 0 { vec![0] } else { i };
            let s = format!(
                "{}{}{}{}",
                if neg { "-" } else { "" },
                digits(&i),
                if f.is_empty() { "" } else { "." },
                digits(&f)
            );
            num(&s)
        })
}

pub(super) fn json_text() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
        "-?[1-9][0-9]{15,29}(\\.[0-9]{1,10})?",
        // Forms jsonb rewrites: an exponent it expands to an integer, a negative zero.
        "-?[0-9](\\.[0-9]{1,3})?[eE][+-]?[0-9]{1,2}",
        Just("-0".to_string()),
        Just("-0.0".to_string()),
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5)
                .prop_map(|v| format!("[{}]", v.join(", "))),
            proptest::collection::vec(("[a-c]{1,2}", inner), 0..5).prop_map(|kv| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
    .prop_map(Value::Json)
}

fn nullable(s: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![1 => Just(Value::Null), 6 => s].boxed()
}

fn array_of(element: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![
        proptest::collection::vec(nullable(element.clone()), 0..6).prop_map(Value::Array),
        (1..4usize, 1..4usize)
            .prop_flat_map(move |(rows, cols)| proptest::collection::vec(
                proptest::collection::vec(nullable(element.clone()), cols),
                rows
            ))
            .prop_map(|rows| Value::Array(rows.into_iter().map(Value::Array).collect())),
    ]
    .boxed()
}

fn floats() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-0.0),
        Just(f64::MIN_POSITIVE)
    ]
    .prop_map(Value::Float)
    .boxed()
}

fn temporal_micros() -> BoxedStrategy<i64> {
    prop_oneof![
        any::<i64>(),
        Just(i64::MAX),
        Just(i64::MIN),
        -4_000_000_000_000_000i64..4_000_000_000_000_000
    ]
    .boxed()
}

/// (declared SQLite type Ferry uses, column type, values of it).
pub(super) fn typed_values() -> Vec<(&'static str, T, BoxedStrategy<Value>)> {
    let labels = vec![
        "draft".to_string(),
        "published".to_string(),
        "ünïcode label".to_string(),
    ];
    let uuid = any::<[u8; 16]>()
        .prop_map(|b| Value::Uuid(uuid::Uuid::from_bytes(b)))
        .boxed();
    let date = prop_oneof![any::<i32>(), Just(i32::MAX), Just(i32::MIN)]
        .prop_map(Value::Date)
        .boxed();
    vec![
        (
            "BOOLEAN",
            T::Bool,
            any::<bool>().prop_map(Value::Bool).boxed(),
        ),
        (
            "SMALLINT",
            T::Int { bits: 16 },
            any::<i16>().prop_map(|i| Value::Int(i.into())).boxed(),
        ),
        (
            "INTEGER",
            T::Int { bits: 64 },
            any::<i64>().prop_map(Value::Int).boxed(),
        ),
        ("REAL", T::Float { bits: 64 }, floats()),
        (
            "REAL",
            T::Float { bits: 32 },
            any::<f32>().prop_map(|f| Value::Float(f.into())).boxed(),
        ),
        (
            "NUMERIC(12,2)",
            T::Numeric {
                precision: Some(12),
                scale: Some(2),
            },
            decimal(10, 2).boxed(),
        ),
        (
            "NUMERIC(15,0)",
            T::Numeric {
                precision: Some(15),
                scale: Some(0),
            },
            decimal(15, 0).boxed(),
        ),
        (
            "NUMERIC(15,15)",
            T::Numeric {
                precision: Some(15),
                scale: Some(15),
            },
            decimal(0, 15).boxed(),
        ),
        (
            "NUMERIC_TEXT(30,10)",
            T::Numeric {
                precision: Some(30),
                scale: Some(10),
            },
            decimal(20, 10).boxed(),
        ),
        (
            "NUMERIC_TEXT",
            T::Numeric {
                precision: None,
                scale: None,
            },
            prop_oneof![decimal(40, 40), Just(num("NaN")), Just(num("-Infinity"))].boxed(),
        ),
        (
            "TEXT",
            T::Text,
            any::<String>().prop_map(Value::Text).boxed(),
        ),
        (
            "TEXT",
            T::Text,
            "[0-9 .eE+-]{1,20}".prop_map(Value::Text).boxed(),
        ),
        (
            "VARCHAR(20)",
            T::Varchar { max_len: Some(20) },
            "\\PC{0,20}".prop_map(Value::Text).boxed(),
        ),
        (
            "CHAR(3)",
            T::Char { len: 3 },
            "[a-z0-9]{3}".prop_map(Value::Text).boxed(),
        ),
        (
            "BLOB",
            T::Bytes,
            proptest::collection::vec(any::<u8>(), 0..40)
                .prop_map(Value::Bytes)
                .boxed(),
        ),
        ("UUID", T::Uuid, uuid.clone()),
        ("DATE", T::Date, date.clone()),
        (
            "TIME",
            T::Time,
            (0..=DAY_MICROS).prop_map(Value::Time).boxed(),
        ),
        (
            "TIMESTAMP",
            T::Timestamp,
            temporal_micros().prop_map(Value::Timestamp).boxed(),
        ),
        (
            "TIMESTAMPTZ",
            T::TimestampTz,
            temporal_micros().prop_map(Value::TimestampTz).boxed(),
        ),
        ("JSON_TEXT", T::Json { binary: false }, json_text().boxed()),
        ("JSONB_TEXT", T::Json { binary: true }, json_text().boxed()),
        (
            "TEXT[]",
            T::Array {
                element: Box::new(T::Text),
            },
            array_of(any::<String>().prop_map(Value::Text).boxed()),
        ),
        (
            "INTEGER[]",
            T::Array {
                element: Box::new(T::Int { bits: 64 }),
            },
            array_of(any::<i64>().prop_map(Value::Int).boxed()),
        ),
        (
            "REAL[]",
            T::Array {
                element: Box::new(T::Float { bits: 64 }),
            },
            array_of(floats()),
        ),
        (
            "NUMERIC[]",
            T::Array {
                element: Box::new(T::Numeric {
                    precision: None,
                    scale: None,
                }),
            },
            array_of(decimal(30, 20).boxed()),
        ),
        (
            "BOOLEAN[]",
            T::Array {
                element: Box::new(T::Bool),
            },
            array_of(any::<bool>().prop_map(Value::Bool).boxed()),
        ),
        (
            "BYTEA[]",
            T::Array {
                element: Box::new(T::Bytes),
            },
            array_of(
                proptest::collection::vec(any::<u8>(), 0..8)
                    .prop_map(Value::Bytes)
                    .boxed(),
            ),
        ),
        (
            "UUID[]",
            T::Array {
                element: Box::new(T::Uuid),
            },
            array_of(uuid),
        ),
        (
            "DATE[]",
            T::Array {
                element: Box::new(T::Date),
            },
            array_of(date),
        ),
        (
            "TIMESTAMPTZ[]",
            T::Array {
                element: Box::new(T::TimestampTz),
            },
            array_of(temporal_micros().prop_map(Value::TimestampTz).boxed()),
        ),
        (
            "JSONB[]",
            T::Array {
                element: Box::new(T::Json { binary: true }),
            },
            array_of(json_text().boxed()),
        ),
        (
            "TEXT",
            T::Enum {
                name: "status".into(),
                labels: labels.clone(),
            },
            proptest::sample::select(labels)
                .prop_map(Value::Text)
                .boxed(),
        ),
        (
            "INTERVAL",
            T::Opaque {
                name: "interval".into(),
            },
            "[0-9]{1,3} days [0-9]{2}:[0-9]{2}:[0-9]{2}"
                .prop_map(Value::Opaque)
                .boxed(),
        ),
    ]
}

/// The law for one value: stored, (optionally through SQLite,) read back → the same value,
/// or `to_sqlite` refused it.
fn check_law(
    ty: &T,
    v: &Value,
    through: &mut dyn FnMut(&SqliteValue) -> SqliteValue,
) -> Result<(), TestCaseError> {
    // The law is about SQLite ⇄ values, so NUL in text is allowed here; PostgreSQL's
    // narrower rules are tested on their own.
    let rules = ColumnRules {
        target_is_postgres: false,
        ..ColumnRules::default()
    };
    let stored = match to_sqlite(v, ty) {
        Ok(s) => s,
        Err(p) => {
            prop_assert!(
                matches!(
                    p.kind,
                    ProblemKind::NegativeZero | ProblemKind::PrecisionLoss
                ) || contains_neg_zero(v),
                "unexpected refusal of {v:?} as {}: {p:?}",
                ty.pg_name()
            );
            return Ok(());
        }
    };
    let read = through(&stored);
    let back = from_sqlite(&read, ty, &rules).map_err(|p| {
        TestCaseError::fail(format!(
            "{v:?} as {} stored {stored:?}, read {read:?}: {p:?}",
            ty.pg_name()
        ))
    })?;
    prop_assert!(
        equivalent(&back, v),
        "{} : {v:?} came back as {back:?} (stored {stored:?}, read {read:?})",
        ty.pg_name()
    );
    Ok(())
}

fn contains_neg_zero(v: &Value) -> bool {
    match v {
        Value::Float(f) => *f == 0.0 && f.is_sign_negative(),
        Value::Array(items) => items.iter().any(contains_neg_zero),
        _ => false,
    }
}

#[test]
fn round_trip_law_through_values() {
    for (declared, ty, values) in typed_values() {
        let mut runner = TestRunner::new(Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&values, |v| check_law(&ty, &v, &mut |s| s.clone()))
            .unwrap_or_else(|e| panic!("{declared} / {}: {e}", ty.pg_name()));
    }
}

fn insert_and_read(db: &rusqlite::Connection, table: &str, s: &SqliteValue) -> SqliteValue {
    use rusqlite::types::{ToSqlOutput, ValueRef};
    let param = match s {
        SqliteValue::Null => ToSqlOutput::Borrowed(ValueRef::Null),
        SqliteValue::Integer(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
        SqliteValue::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
        SqliteValue::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t)),
        SqliteValue::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
    };
    db.execute(&format!("INSERT INTO {table} (v) VALUES (?1)"), [param])
        .unwrap();
    let id = db.last_insert_rowid();
    db.query_row(
        &format!("SELECT v FROM {table} WHERE rowid = ?1"),
        [id],
        |r| Ok(sqlite_value_from_ref(r.get_ref(0)?)),
    )
    .unwrap()
}

#[test]
fn round_trip_law_through_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = rusqlite::Connection::open(dir.path().join("law.sqlite")).unwrap();
    // Durability is irrelevant here; affinity and storage are what the test is about.
    db.execute_batch("PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY")
        .unwrap();
    let mut tables = 0;
    for (ours, ty, values) in typed_values() {
        // Both the declared type this test names and the one the SQLite writer really uses.
        let writers = crate::sqlite::ddl::declared_type(&ty).0;
        for declared in [ours.to_string(), writers] {
            tables += 1;
            let table = format!("t{tables}");
            db.execute_batch(&format!("CREATE TABLE {table} (v {declared})"))
                .unwrap();
            // Known gap (see the test below): a bare-number JSON document in a column with
            // NUMERIC affinity (`JSON`, `JSONB`) keeps only 15 digits.
            let numeric_json = matches!(ty, T::Json { .. })
                && crate::sqlite::types::affinity(&declared)
                    != crate::sqlite::types::Affinity::Text;
            let values = values.clone().prop_filter("bare JSON number", move |v| {
                !(numeric_json && matches!(v, Value::Json(j) if serde_json::from_str::<serde_json::Value>(j).is_ok_and(|j| j.is_number())))
            });
            let mut runner = TestRunner::new(Config {
                cases: 300,
                failure_persistence: None,
                ..Config::default()
            });
            runner
                .run(&values, |v| {
                    check_law(&ty, &v, &mut |s| insert_and_read(&db, &table, s))
                })
                .unwrap_or_else(|e| panic!("declared {declared} / {}: {e}", ty.pg_name()));
        }
    }
}

#[test]
fn declared_json_type_has_numeric_affinity_and_loses_digits() {
    // Why the writer must declare JSON columns with TEXT affinity (JSON_TEXT / JSONB_TEXT):
    // SQLite's NUMERIC affinity turns a bare-number document into a REAL of 15 digits.
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch("CREATE TABLE a (v JSON); CREATE TABLE b (v JSON_TEXT)")
        .unwrap();
    let doc = SqliteValue::Text(b"12345678901234567890.5".to_vec());
    assert!(matches!(
        insert_and_read(&db, "a", &doc),
        SqliteValue::Real(_)
    ));
    assert_eq!(insert_and_read(&db, "b", &doc), doc);
}
