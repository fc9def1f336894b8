use super::*;
use crate::model::value::{DATE_INFINITY, DATE_NEG_INFINITY, TS_INFINITY, TS_NEG_INFINITY};

fn sqlite_round_trip(row: Vec<SqliteValue>) -> String {
    let mut line = vec![];
    sqlite_row(&row, &mut line);
    assert_eq!(line.last(), Some(&b'\n'), "one line per row");
    assert_eq!(
        line.iter().filter(|&&b| b == b'\n').count(),
        1,
        "no raw newline inside a line"
    );
    let back = decode_sqlite_row(&line[..line.len() - 1], row.len()).unwrap();
    // Floats compared by bits: -0.0 must not come back as 0.0, nor NaN as another NaN.
    for (a, b) in row.iter().zip(&back) {
        match (a, b) {
            (SqliteValue::Real(x), SqliteValue::Real(y)) => assert_eq!(x.to_bits(), y.to_bits()),
            _ => assert_eq!(a, b),
        }
    }
    String::from_utf8(line).unwrap()
}

fn pg_round_trip(row: Vec<Value>) -> String {
    let mut line = vec![];
    pg_row(&row, &mut line);
    let back = decode_pg_row(&line[..line.len() - 1], row.len()).unwrap();
    for (a, b) in row.iter().zip(&back) {
        match (a, b) {
            (Value::Float(x), Value::Float(y)) => assert_eq!(x.to_bits(), y.to_bits()),
            _ => assert_eq!(a, b),
        }
    }
    String::from_utf8(line).unwrap()
}

#[test]
fn sqlite_storage_classes_round_trip_exactly() {
    let line = sqlite_round_trip(vec![
        SqliteValue::Null,
        SqliteValue::Integer(i64::MIN),
        SqliteValue::Integer(i64::MAX),
        SqliteValue::Real(-0.0),
        SqliteValue::Real(f64::MIN_POSITIVE / 3.0),
        SqliteValue::Real(f64::INFINITY),
        SqliteValue::Real(f64::NEG_INFINITY),
        SqliteValue::Real(f64::NAN),
        SqliteValue::Real(f64::from_bits(0xfff0_0000_0000_0001)),
        SqliteValue::Real(0.1 + 0.2),
        SqliteValue::Text(b"nul\0 \"quote\" \n newline \\ naive \xe2\x9c\x93".to_vec()),
        SqliteValue::Text(vec![0xff, 0xfe, b'a']),
        SqliteValue::Blob(vec![0, 1, 2, 255]),
        SqliteValue::Blob(vec![]),
        SqliteValue::Text(vec![]),
    ]);
    assert!(line.starts_with("[null,-9223372036854775808,9223372036854775807,{\"real\":\"-0.0\"}"));
    assert!(line.contains("{\"text_bytes\":\"//5h\"}"), "{line}");
    assert!(line.contains("{\"blob\":\"AAEC/w==\"}"), "{line}");
}

#[test]
fn integer_text_and_real_never_look_alike() {
    let int = sqlite_round_trip(vec![SqliteValue::Integer(1)]);
    let real = sqlite_round_trip(vec![SqliteValue::Real(1.0)]);
    let text = sqlite_round_trip(vec![SqliteValue::Text(b"1".to_vec())]);
    let blob = sqlite_round_trip(vec![SqliteValue::Blob(b"1".to_vec())]);
    let all = [int, real, text, blob];
    let unique: std::collections::HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 4, "{all:?}");
}

#[test]
fn postgres_values_round_trip_exactly() {
    pg_round_trip(vec![
        Value::Null,
        Value::Bool(true),
        Value::Int(i64::MIN),
        Value::Float(-0.0),
        Value::Float(f64::NAN),
        Value::Float(5e-324),
        Value::Numeric(Decimal::parse("-12345678901234567890.000100").unwrap()),
        Value::Numeric(Decimal::parse("NaN").unwrap()),
        Value::Numeric(Decimal::parse("-Infinity").unwrap()),
        Value::Text("tab\t nul\0 ✓".into()),
        Value::Bytes(vec![0, 255]),
        Value::Uuid(uuid::Uuid::parse_str("6f1c0b7e-2a47-4d8e-9b3f-0c5d7e9a1b22").unwrap()),
        Value::Json("{ \"b\": 1,  \"a\": [1, 2] }".into()),
        Value::Opaque("1 day 02:00:00".into()),
        Value::Array(vec![
            Value::Array(vec![Value::Int(1), Value::Null]),
            Value::Array(vec![Value::Null, Value::Int(4)]),
        ]),
        Value::Array(vec![Value::Text("a,b".into()), Value::Null]),
    ]);
}

#[test]
fn temporal_values_round_trip_over_their_whole_range() {
    let dates = [
        0,
        -1,
        19_782,
        DATE_INFINITY,
        DATE_NEG_INFINITY,
        DATE_INFINITY - 1,
        DATE_NEG_INFINITY + 1,
        -2_440_588, // 4714-11-24 BC
    ];
    for d in dates {
        pg_round_trip(vec![Value::Date(d)]);
    }
    let stamps = [
        0,
        -1,
        1_700_000_000_123_456,
        TS_INFINITY,
        TS_NEG_INFINITY,
        TS_INFINITY - 1,
        TS_NEG_INFINITY + 1,
        -210_866_803_200_000_000, // 4714-11-24 BC
    ];
    for t in stamps {
        pg_round_trip(vec![Value::Timestamp(t), Value::TimestampTz(t)]);
    }
    for t in [0, 1, 86_399_999_999, 86_400_000_000, -5, 86_400_000_001] {
        pg_round_trip(vec![Value::Time(t)]);
    }
    let line = pg_round_trip(vec![
        Value::Date(19_782),
        Value::TimestampTz(0),
        Value::Date(DATE_INFINITY),
    ]);
    assert_eq!(
        line,
        "[{\"date\":\"2024-02-29\"},{\"timestamptz\":\"1970-01-01 00:00:00+00:00\"},{\"date\":\"infinity\"}]\n"
    );
}

#[test]
fn malformed_lines_are_refused_with_a_reason() {
    let cases: &[(&[u8], usize)] = &[
        (b"[1,2", 2),
        (b"[1,2]", 3),
        (b"[{\"real\":\"x\"}]", 1),
        (b"[{\"blob\":\"***\"}]", 1),
        (b"[{\"what\":1}]", 1),
        (b"[{\"real\":\"1\",\"blob\":\"\"}]", 1),
        (b"[1.5]", 1),
        (b"[true]", 1),
        (b"[99999999999999999999]", 1),
    ];
    for (line, width) in cases {
        assert!(
            decode_sqlite_row(line, *width).is_err(),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
    for line in [
        &b"[{\"uuid\":\"nope\"}]"[..],
        b"[{\"date\":\"2024-02-30\"}]",
        b"[{\"numeric\":\"1e\"}]",
        b"[[1]]",
        b"[{\"array\":1}]",
        b"[{\"date_days\":9999999999}]",
    ] {
        assert!(
            decode_pg_row(line, 1).is_err(),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}
