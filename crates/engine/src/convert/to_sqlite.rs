//! Typed value → SQLite storage: how Ferry stores each value in a SQLite file it writes.

use super::{json, Problem, ProblemKind as K};
use crate::model::catalog::ColumnType as T;
use crate::model::temporal;
use crate::model::value::{Decimal, SqliteValue as S, Value};

/// The largest numeric precision a SQLite `NUMERIC(p,s)` column keeps exactly: NUMERIC
/// affinity converts to REAL/INTEGER keeping 15 significant digits (`DBL_DIG`).
pub const SQLITE_EXACT_NUMERIC_DIGITS: u32 = 15;

/// The SQLite value Ferry stores for `v` in a column of type `ty` (declared as the module
/// doc of [`crate::convert`] says).
///
/// # Errors
/// A [`Problem`] when SQLite cannot keep the value exactly (`-0.0`, a decimal with no exact
/// double) or the value does not belong to `ty` (a bug upstream, reported not stored).
pub fn to_sqlite(v: &Value, ty: &T) -> Result<S, Problem> {
    let mismatch = || {
        Problem::new(
            K::TypeMismatch,
            format!("{} is not a {} value", v.describe(), ty.pg_name()),
        )
    };
    Ok(match (v, ty) {
        (Value::Null, _) => S::Null,
        (Value::Bool(b), T::Bool) => S::Integer(i64::from(*b)),
        (Value::Int(i), T::Int { bits }) => {
            let fits = match bits {
                16 => i16::try_from(*i).is_ok(),
                32 => i32::try_from(*i).is_ok(),
                _ => true,
            };
            if !fits {
                return Err(Problem::new(
                    K::OutOfRange,
                    format!("{i} is out of range for a {bits}-bit integer"),
                ));
            }
            S::Integer(*i)
        }
        // SQLite turns NaN into NULL, so NaN is stored as text (read back by `from_sqlite`).
        (Value::Float(f), T::Float { .. }) if f.is_nan() => S::Text(b"NaN".to_vec()),
        (Value::Float(f), T::Float { .. }) if *f == 0.0 && f.is_sign_negative() => {
            return Err(Problem::new(
                K::NegativeZero,
                "-0.0 cannot be stored in a SQLite REAL column (it reads back as 0.0)",
            ));
        }
        (Value::Float(f), T::Float { bits }) => {
            if *bits == 32 && (*f as f32) as f64 != *f && f.is_finite() {
                return Err(Problem::new(
                    K::NotRepresentable,
                    format!("{f:?} has no exact single-precision value"),
                ));
            }
            S::Real(*f)
        }
        (
            Value::Numeric(d),
            T::Numeric {
                precision: Some(p), ..
            },
        ) if *p <= SQLITE_EXACT_NUMERIC_DIGITS => numeric_as_number(d)?,
        (Value::Numeric(d), T::Numeric { .. }) => S::Text(d.as_str().as_bytes().to_vec()),
        (
            Value::Text(s),
            T::Text | T::Varchar { .. } | T::Char { .. } | T::Enum { .. } | T::Any,
        ) => S::Text(s.as_bytes().to_vec()),
        (Value::Opaque(s), T::Opaque { .. }) | (Value::Json(s), T::Json { .. }) => {
            S::Text(s.as_bytes().to_vec())
        }
        (Value::Bytes(b), T::Bytes) => S::Blob(b.clone()),
        (Value::Uuid(u), T::Uuid) => S::Text(u.hyphenated().to_string().into_bytes()),
        (Value::Date(_), T::Date)
        | (Value::Timestamp(_), T::Timestamp)
        | (Value::TimestampTz(_), T::TimestampTz) => {
            S::Text(temporal::format_value(v).ok_or_else(mismatch)?.into_bytes())
        }
        (Value::Time(_), T::Time) => {
            let text = temporal::format_value(v).ok_or_else(|| {
                Problem::new(
                    K::NotRepresentable,
                    format!("{} is not a time of day", v.describe()),
                )
            })?;
            S::Text(text.into_bytes())
        }
        (Value::Array(_), T::Array { element }) => {
            S::Text(json::element_json(v, element)?.to_string().into_bytes())
        }
        _ => return Err(mismatch()),
    })
}

/// [`to_sqlite`] for a value the caller no longer needs: text, JSON and bytes move their
/// buffer into the stored value instead of copying it (the copy stores every value).
///
/// # Errors
/// As [`to_sqlite`].
pub fn into_sqlite(v: Value, ty: &T) -> Result<S, Problem> {
    match (v, ty) {
        (
            Value::Text(s),
            T::Text | T::Varchar { .. } | T::Char { .. } | T::Enum { .. } | T::Any,
        )
        | (Value::Opaque(s), T::Opaque { .. })
        | (Value::Json(s), T::Json { .. }) => Ok(S::Text(s.into_bytes())),
        (Value::Bytes(b), T::Bytes) => Ok(S::Blob(b)),
        (v, ty) => to_sqlite(&v, ty),
    }
}

/// Whether `v`, stored in a SQLite column of type `ty`, survives the column's affinity.
///
/// A JSON document that is a bare number (`12345678901234567890`, not `{"n": …}`) goes through
/// the NUMERIC affinity a `JSON`/`JSONB` declared type has: SQLite stores such text as an
/// INTEGER or REAL, keeping 15 significant digits. Numbers it keeps exactly pass (they read
/// back as the same number); the others are a finding before anything is written. (Only for
/// the column a value is written to: [`to_sqlite`] also serves as the neutral stored form of
/// a value between two types, where no column and no affinity is involved.)
///
/// # Errors
/// `PrecisionLoss` for a bare JSON number SQLite would change.
pub fn survives_affinity(v: &Value, ty: &T) -> Result<(), Problem> {
    let (Value::Json(text), T::Json { .. }) = (v, ty) else {
        return Ok(());
    };
    let t = text.trim_matches([' ', '\t', '\n', '\r']);
    if !t.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Ok(());
    }
    let lossy = || {
        Problem::new(
            K::PrecisionLoss,
            format!(
                "the JSON document {t} is a bare number, which a SQLite JSON column (NUMERIC affinity) keeps only to 15 significant digits"
            ),
        )
    };
    let d = Decimal::parse(t).ok_or_else(lossy)?;
    numeric_as_number(&d).map(|_| ()).map_err(|_| lossy())
}

/// A `numeric(p ≤ 15)` value as INTEGER or REAL, proven exact: the stored double's shortest
/// decimal must be the same number.
fn numeric_as_number(d: &Decimal) -> Result<S, Problem> {
    match d.as_str() {
        // NUMERIC affinity leaves non-numeric text alone, and `from_sqlite` reads `NaN` back.
        "NaN" => return Ok(S::Text(b"NaN".to_vec())),
        "Infinity" | "-Infinity" => {
            return Err(Problem::new(
                K::OutOfRange,
                format!("{d} does not fit a numeric with a precision"),
            ))
        }
        _ => {}
    }
    let canonical = d.canonical();
    if !canonical.contains('.') {
        if let Ok(i) = canonical.parse::<i64>() {
            return Ok(S::Integer(i));
        }
    }
    let f: f64 = canonical
        .parse()
        .map_err(|_| Problem::new(K::NotNumeric, format!("{d} is not a number")))?;
    match Decimal::parse(&f.to_string()) {
        Some(back) if back.canonical() == canonical => Ok(S::Real(f)),
        _ => Err(Problem::new(
            K::PrecisionLoss,
            format!("{d} has no exact double-precision value for a SQLite NUMERIC column"),
        )),
    }
}
