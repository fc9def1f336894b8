//! A stored SQLite value straight into the digest's canonical encoding, for the verifier's
//! re-read of a SQLite file: the value is borrowed from SQLite (no copy of its text or blob),
//! and for the storage classes a column of its type normally holds the encoding is written
//! without building a [`Value`].
//!
//! The law is "the same bytes as [`stored_value`] then [`encode_value`]", for every stored
//! value and every storage convention: each fast arm accepts only what [`from_sqlite`] accepts
//! unchanged (text that is valid UTF-8 within the column's length, an integer in range, an
//! exact float, a blob, a UUID that parses, a temporal text through the same parser), encoded
//! by the same `encode_*` functions `encode_value` is made of; everything else (numerics,
//! arrays, epoch numbers, Django's integer durations, any value `from_sqlite` refuses) goes
//! through `stored_value` itself. `convert/properties.rs` checks it through real files.

use rusqlite::types::ValueRef;

use super::digest::{
    encode_bool, encode_bytes, encode_float, encode_int, encode_json, encode_null,
    encode_numeric_text, encode_opaque, encode_text, encode_uuid, encode_value,
};
use super::from_sqlite::{check_postgres_range, temporal_text};
use super::scaled_real::{scaled_real_text, TEXT_CAPACITY};
use super::{from_sqlite_owned, sqlite_value_from_ref, ColumnRules};
use crate::model::catalog::ColumnType;
use crate::model::value::{SqliteValue, Value};

/// What a stored SQLite value reads as when a target is verified: the value of its column's
/// type, or, when it does not convert, the reason kept as an opaque value (which names the
/// value), so it can only ever count as a difference, never vanish.
pub fn stored_value(v: SqliteValue, ty: &ColumnType, rules: &ColumnRules) -> Value {
    from_sqlite_owned(v, ty, rules)
        .unwrap_or_else(|p| Value::Opaque(format!("undecodable: {}", p.detail)))
}

/// Appends the canonical encoding of the stored value `v` of a column of type `ty`: the same
/// bytes as [`encode_value`] of [`stored_value`].
pub fn encode_stored(v: ValueRef<'_>, ty: &ColumnType, rules: &ColumnRules, out: &mut Vec<u8>) {
    if !encode_fast(v, ty, rules, out) {
        encode_value(&stored_value(sqlite_value_from_ref(v), ty, rules), ty, out);
    }
}

/// The fast arms; `false` (with nothing written) when the value needs the typed path.
fn encode_fast(v: ValueRef<'_>, ty: &ColumnType, rules: &ColumnRules, out: &mut Vec<u8>) -> bool {
    use ColumnType as T;
    match (ty, v) {
        (_, ValueRef::Null) => encode_null(out),
        (T::Text | T::Any, ValueRef::Text(b)) => match text(b, rules) {
            Some(s) => encode_text(s, ty, out),
            None => return false,
        },
        (T::Varchar { max_len: Some(n) } | T::Char { len: n }, ValueRef::Text(b)) => {
            match text(b, rules) {
                Some(s) if s.chars().count() <= *n as usize => encode_text(s, ty, out),
                _ => return false,
            }
        }
        (T::Varchar { max_len: None }, ValueRef::Text(b)) => match text(b, rules) {
            Some(s) => encode_text(s, ty, out),
            None => return false,
        },
        (T::Enum { labels, .. }, ValueRef::Text(b)) => match text(b, rules) {
            Some(s) if labels.iter().any(|l| l == s) => encode_text(s, ty, out),
            _ => return false,
        },
        // Text in an opaque column is its text form (Django's integer durations are not text).
        (T::Opaque { .. }, ValueRef::Text(b)) => match text(b, rules) {
            Some(s) => encode_opaque(s, out),
            None => return false,
        },
        (T::Bytes, ValueRef::Blob(b)) => encode_bytes(b, out),
        (T::Int { bits }, ValueRef::Integer(i)) => {
            let fits = match bits {
                16 => i16::try_from(i).is_ok(),
                32 => i32::try_from(i).is_ok(),
                _ => true,
            };
            if !fits {
                return false;
            }
            encode_int(i, out)
        }
        (T::Float { bits }, ValueRef::Real(f)) => {
            if *bits == 32 && !f.is_nan() && f64::from(f as f32) != f {
                return false;
            }
            encode_float(f, out)
        }
        (T::Bool, ValueRef::Integer(i @ (0 | 1))) => encode_bool(i == 1, out),
        // A REAL of a numeric(p ≤ 15, s): its decimal without printing the double.
        (
            T::Numeric {
                precision: Some(p),
                scale,
            },
            ValueRef::Real(f),
        ) => {
            let mut buf = [0; TEXT_CAPACITY];
            match scaled_real_text(f, *p, scale.unwrap_or(0), &mut buf) {
                Some(text) => encode_numeric_text(text, out),
                None => return false,
            }
        }
        (T::Uuid, ValueRef::Text(b)) => {
            match std::str::from_utf8(b)
                .ok()
                .and_then(|s| uuid::Uuid::try_parse(s).ok())
            {
                Some(u) => encode_uuid(u.as_bytes(), out),
                None => return false,
            }
        }
        (T::Uuid, ValueRef::Blob(b)) => match <[u8; 16]>::try_from(b) {
            Ok(u) => encode_uuid(&u, out),
            Err(_) => return false,
        },
        (T::Date | T::Time | T::Timestamp | T::TimestampTz, ValueRef::Text(b)) => {
            let value = text(b, rules)
                .and_then(|s| temporal_text(s, ty, rules, &String::new).ok())
                .filter(|value| !rules.target_is_postgres || check_postgres_range(value).is_ok());
            match value {
                Some(value) => encode_value(&value, ty, out),
                None => return false,
            }
        }
        // jsonb into PostgreSQL has more to refuse (duplicate keys, rewritten numbers): typed.
        (T::Json { binary }, ValueRef::Text(b)) if !(*binary && rules.target_is_postgres) => {
            let Some(s) = text(b, rules) else {
                return false;
            };
            let start = out.len();
            if !encode_json(s, out) {
                // Not JSON: refused by `from_sqlite`, whose reason the typed path keeps.
                out.truncate(start);
                return false;
            }
        }
        _ => return false,
    }
    true
}

/// The text `from_sqlite` accepts as it is: valid UTF-8, and no NUL for a PostgreSQL target.
fn text<'a>(b: &'a [u8], rules: &ColumnRules) -> Option<&'a str> {
    std::str::from_utf8(b)
        .ok()
        .filter(|s| !(rules.target_is_postgres && s.contains('\0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::conventions::Convention;

    fn fast_and_typed(v: &SqliteValue, ty: &ColumnType, rules: &ColumnRules) -> (Vec<u8>, Vec<u8>) {
        let r = match v {
            SqliteValue::Null => ValueRef::Null,
            SqliteValue::Integer(i) => ValueRef::Integer(*i),
            SqliteValue::Real(f) => ValueRef::Real(*f),
            SqliteValue::Text(t) => ValueRef::Text(t),
            SqliteValue::Blob(b) => ValueRef::Blob(b),
        };
        let mut fast = vec![0xAA];
        encode_stored(r, ty, rules, &mut fast);
        let mut typed = vec![0xAA];
        encode_value(&stored_value(v.clone(), ty, rules), ty, &mut typed);
        (fast, typed)
    }

    #[test]
    fn edge_values_encode_as_the_typed_path() {
        use ColumnType as T;
        use SqliteValue as S;
        let t = |s: &str| S::Text(s.as_bytes().to_vec());
        let types = [
            T::Text,
            T::Any,
            T::Varchar { max_len: Some(3) },
            T::Varchar { max_len: None },
            T::Char { len: 4 },
            T::Bytes,
            T::Int { bits: 16 },
            T::Int { bits: 32 },
            T::Int { bits: 64 },
            T::Float { bits: 32 },
            T::Float { bits: 64 },
            T::Bool,
            T::Uuid,
            T::Date,
            T::Time,
            T::Timestamp,
            T::TimestampTz,
            T::Json { binary: false },
            T::Json { binary: true },
            T::Numeric {
                precision: Some(10),
                scale: Some(2),
            },
            T::Enum {
                name: "mood".into(),
                labels: vec!["ok".into(), "".into()],
            },
            T::Opaque {
                name: "interval".into(),
            },
        ];
        let values = [
            S::Null,
            S::Integer(i64::MIN),
            S::Integer(i64::MAX),
            S::Integer(0),
            S::Integer(1),
            S::Integer(40_000),
            S::Real(-0.0),
            S::Real(f64::NAN),
            S::Real(0.1),
            S::Real(1.5),
            S::Real(f64::INFINITY),
            t(""),
            t("ok"),
            t("ab  "),
            t("abcd "),
            t("héé"),
            t("a\0b"),
            t("NaN"),
            t("infinity"),
            t("-infinity"),
            t("2024-02-29"),
            t("2024-02-29 12:30:00.123456"),
            t("2024-02-29T12:30:00+02:00"),
            t("2024-02-29 12:30:00Z"),
            t("2000-01-01 09:30:00"),
            t("09:30:00"),
            t("24:00:00"),
            t("5E1B9849-3929-4D8E-949C-AF844B1A5516"),
            t("{5e1b9849-3929-4d8e-949c-af844b1a5516}"),
            t("5e1b984939294d8e949caf844b1a5516"),
            t(r#"{"b": 1, "a": 1, "a": 2.50}"#),
            t("[1e2, -0]"),
            t("{not json"),
            t("3 days 04:05:06"),
            S::Text(vec![0xff, b'a']),
            S::Blob(vec![]),
            S::Blob([7u8; 16].to_vec()),
        ];
        let mut rules = vec![];
        for convention in Convention::ALL {
            for target_is_postgres in [false, true] {
                rules.push(ColumnRules {
                    target_is_postgres,
                    storage: convention.storage(),
                    timezone: chrono_tz::Europe::Berlin,
                    ..ColumnRules::default()
                });
            }
        }
        rules.push(ColumnRules {
            epoch: Some(crate::model::temporal::EpochUnit::Milliseconds),
            ..ColumnRules::default()
        });
        for r in &rules {
            for ty in &types {
                for v in &values {
                    let (fast, typed) = fast_and_typed(v, ty, r);
                    assert_eq!(
                        fast, typed,
                        "{v:?} as {ty:?} under {:?}",
                        r.storage.convention
                    );
                }
            }
        }
    }
}
