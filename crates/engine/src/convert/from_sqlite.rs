//! SQLite storage → typed value, per the table in the module doc of [`crate::convert`].

use super::scaled_real::{scaled_real_text, TEXT_CAPACITY};
use super::{json, ColumnRules, Problem, ProblemKind as K};
use crate::model::catalog::ColumnType;
use crate::model::temporal::{self, EpochNumber, PG_MAX_DATE, PG_MIN_DATE, PG_MIN_TIMESTAMP};
use crate::model::value::{
    Decimal, SqliteValue as S, Value, DATE_INFINITY, DATE_NEG_INFINITY, TS_NEG_INFINITY,
};

/// Converts one stored SQLite value into the value of a `target` column.
///
/// # Errors
/// A [`Problem`] saying why the value cannot be carried exactly (see the module doc).
pub fn from_sqlite(v: &S, target: &ColumnType, rules: &ColumnRules) -> Result<Value, Problem> {
    if let S::Null = v {
        return Ok(Value::Null);
    }
    match target {
        ColumnType::Bool => to_bool(v),
        ColumnType::Int { bits } => to_int(v, *bits),
        ColumnType::Float { bits } => to_float(v, *bits),
        ColumnType::Numeric { precision, scale } => to_numeric(v, *precision, *scale),
        ColumnType::Text | ColumnType::Any => text(v, target, rules).map(Value::Text),
        ColumnType::Varchar { max_len } => {
            let s = text(v, target, rules)?;
            check_len(s, *max_len, "varchar")
        }
        ColumnType::Char { len } => {
            let s = text(v, target, rules)?;
            check_len(s, Some(*len), "char")
        }
        ColumnType::Bytes => match v {
            S::Blob(b) => Ok(Value::Bytes(b.clone())),
            _ => Err(mismatch(v, target)),
        },
        ColumnType::Uuid => to_uuid(v),
        ColumnType::Date | ColumnType::Time | ColumnType::Timestamp | ColumnType::TimestampTz => {
            to_temporal(v, target, rules)
        }
        ColumnType::Json { binary } => to_json(v, *binary, rules),
        ColumnType::Array { element } => json::array_from_sqlite(v, element, rules),
        ColumnType::Enum { name, labels } => {
            let s = text(v, target, rules)?;
            if labels.contains(&s) {
                Ok(Value::Text(s))
            } else {
                Err(Problem::new(
                    K::NotInEnum,
                    format!("{} is not a label of enum {name}", v.describe()),
                ))
            }
        }
        // Django's DurationField holds INTEGER microseconds (`crate::convert::duration`).
        ColumnType::Opaque { name }
            if name == "interval"
                && rules.storage.duration == crate::model::conventions::DurationForm::Micros
                && matches!(v, S::Integer(_)) =>
        {
            let S::Integer(us) = v else { unreachable!() };
            Ok(Value::Opaque(super::duration::micros_to_interval_text(*us)))
        }
        ColumnType::Opaque { .. } => text(v, target, rules).map(Value::Opaque),
    }
}

fn mismatch(v: &S, target: &ColumnType) -> Problem {
    let kind = if *target == ColumnType::Any {
        K::MixedTypes
    } else {
        K::TypeMismatch
    };
    Problem::new(
        kind,
        format!(
            "{} is stored as {}, not as a {} value",
            v.describe(),
            v.storage_class(),
            target.pg_name()
        ),
    )
}

/// Valid UTF-8 text of a TEXT value (no NUL for PostgreSQL); other storage classes refused.
pub(super) fn text(v: &S, target: &ColumnType, rules: &ColumnRules) -> Result<String, Problem> {
    text_str(v, target, rules).map(str::to_string)
}

/// [`from_sqlite`] for a value the caller no longer needs: text and blobs for text and bytea
/// columns keep their buffer instead of being copied (the copy and the verifier convert every
/// value of a table).
///
/// # Errors
/// As [`from_sqlite`].
pub fn from_sqlite_owned(v: S, target: &ColumnType, rules: &ColumnRules) -> Result<Value, Problem> {
    match (target, v) {
        (ColumnType::Text | ColumnType::Any, v @ S::Text(_)) => {
            text_str(&v, target, rules)?;
            let S::Text(bytes) = v else {
                unreachable!("matched as text above")
            };
            String::from_utf8(bytes)
                .map(Value::Text)
                .map_err(|_| Problem::new(K::InvalidUtf8, "text is not valid UTF-8"))
        }
        (ColumnType::Bytes, S::Blob(b)) => Ok(Value::Bytes(b)),
        (_, v) => from_sqlite(&v, target, rules),
    }
}

pub(super) fn text_str<'a>(
    v: &'a S,
    target: &ColumnType,
    rules: &ColumnRules,
) -> Result<&'a str, Problem> {
    let S::Text(bytes) = v else {
        return Err(mismatch(v, target));
    };
    let s = std::str::from_utf8(bytes).map_err(|e| {
        Problem::new(
            K::InvalidUtf8,
            format!(
                "{} is not valid UTF-8 (bad byte at offset {})",
                v.describe(),
                e.valid_up_to()
            ),
        )
    })?;
    if rules.target_is_postgres {
        if let Some(pos) = s.find('\0') {
            return Err(Problem::new(
                K::NulInText,
                format!(
                    "{} contains a NUL character at byte {pos}, which PostgreSQL text cannot hold",
                    v.describe()
                ),
            ));
        }
    }
    Ok(s)
}

fn check_len(s: String, max: Option<u32>, ty: &str) -> Result<Value, Problem> {
    let n = s.chars().count();
    match max {
        Some(max) if n > max as usize => Err(Problem::new(
            K::TooLong,
            format!("text of {n} characters does not fit {ty}({max})"),
        )),
        _ => Ok(Value::Text(s)),
    }
}

fn to_bool(v: &S) -> Result<Value, Problem> {
    let b = match v {
        S::Integer(0) => Some(false),
        S::Integer(1) => Some(true),
        S::Real(f) if *f == 0.0 => Some(false),
        S::Real(f) if *f == 1.0 => Some(true),
        S::Text(t) => match t.to_ascii_lowercase().as_slice() {
            b"true" | b"t" | b"1" => Some(true),
            b"false" | b"f" | b"0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    b.map(Value::Bool).ok_or_else(|| {
        Problem::new(
            K::NotBoolean,
            format!(
                "{} is not a boolean (expected 0, 1, true or false)",
                v.describe()
            ),
        )
    })
}

fn int_range(bits: u8) -> (i64, i64) {
    match bits {
        16 => (i16::MIN as i64, i16::MAX as i64),
        32 => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}

fn to_int(v: &S, bits: u8) -> Result<Value, Problem> {
    let (lo, hi) = int_range(bits);
    let out_of_range = || {
        Problem::new(
            K::OutOfRange,
            format!("{} is out of range for a {bits}-bit integer", v.describe()),
        )
    };
    let i = match v {
        S::Integer(i) => *i,
        // 2^63 is exactly representable; everything below it converts exactly.
        S::Real(f)
            if f.fract() == 0.0
                && *f >= -9_223_372_036_854_775_808.0
                && *f < 9_223_372_036_854_775_808.0 =>
        {
            *f as i64
        }
        S::Real(f) if f.fract() == 0.0 => return Err(out_of_range()),
        _ => {
            return Err(Problem::new(
                K::NotInteger,
                format!("{} is not an integer", v.describe()),
            ))
        }
    };
    if i < lo || i > hi {
        return Err(out_of_range());
    }
    Ok(Value::Int(i))
}

fn to_float(v: &S, bits: u8) -> Result<Value, Problem> {
    let f = match v {
        S::Real(f) => *f,
        S::Integer(i) => {
            let f = *i as f64;
            // Exact when converting back gives the same integer (2^63 itself is not an i64).
            if f >= 9_223_372_036_854_775_808.0 || f as i64 != *i {
                return Err(Problem::new(K::PrecisionLoss, format!("integer {i} has no exact double-precision value")));
            }
            f
        }
        S::Text(t) => match t.as_slice() {
            b"NaN" => f64::NAN,
            b"Infinity" => f64::INFINITY,
            b"-Infinity" => f64::NEG_INFINITY,
            _ => {
                return Err(Problem::new(
                    K::TypeMismatch,
                    format!("{} is text in a floating-point column (only NaN, Infinity and -Infinity are stored as text)", v.describe()),
                ))
            }
        },
        _ => return Err(mismatch(v, &ColumnType::Float { bits })),
    };
    if bits == 32 && !f.is_nan() && (f as f32) as f64 != f {
        return Err(Problem::new(
            K::NotRepresentable,
            format!(
                "{} has no exact single-precision (real) value",
                v.describe()
            ),
        ));
    }
    Ok(Value::Float(f))
}

/// Checks a decimal against `numeric(p,s)` without rounding.
pub(super) fn check_numeric(
    d: Decimal,
    precision: Option<u32>,
    scale: Option<u32>,
) -> Result<Value, Problem> {
    if let Some(p) = precision {
        let s = scale.unwrap_or(0);
        if d.as_str() == "Infinity" || d.as_str() == "-Infinity" {
            return Err(Problem::new(
                K::OutOfRange,
                format!("{d} does not fit numeric({p},{s})"),
            ));
        }
        if d.significant_scale() > s as usize {
            return Err(Problem::new(K::PrecisionLoss, format!("{d} has more than {s} decimal places for numeric({p},{s}); Ferry does not round")));
        }
        if d.integer_digits() > p.saturating_sub(s) as usize {
            return Err(Problem::new(
                K::OutOfRange,
                format!("{d} has too many integer digits for numeric({p},{s})"),
            ));
        }
    }
    Ok(Value::Numeric(d))
}

fn to_numeric(v: &S, precision: Option<u32>, scale: Option<u32>) -> Result<Value, Problem> {
    let d = match v {
        S::Integer(i) => Decimal::parse(&i.to_string()),
        // `{}` of an f64 is its shortest round-trip decimal: the number the app wrote (for a
        // precision of at most 15, found without printing it).
        S::Real(f) => {
            let mut buf = [0; TEXT_CAPACITY];
            match precision.and_then(|p| scaled_real_text(*f, p, scale.unwrap_or(0), &mut buf)) {
                Some(text) => Decimal::parse(text),
                None => Decimal::parse(&f.to_string()),
            }
        }
        S::Text(t) => std::str::from_utf8(t).ok().and_then(Decimal::parse),
        _ => None,
    };
    let d =
        d.ok_or_else(|| Problem::new(K::NotNumeric, format!("{} is not a number", v.describe())))?;
    check_numeric(d, precision, scale)
}

fn to_uuid(v: &S) -> Result<Value, Problem> {
    let u = match v {
        S::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| uuid::Uuid::try_parse(s).ok()),
        S::Blob(b) => uuid::Uuid::from_slice(b).ok(),
        _ => None,
    };
    u.map(Value::Uuid).ok_or_else(|| {
        Problem::new(
            K::BadUuid,
            format!(
                "{} is not a UUID (expected 36 hyphenated or 32 plain hex digits, or 16 bytes)",
                v.describe()
            ),
        )
    })
}

/// Describes what an unexplained epoch-like number probably is, by magnitude.
fn epoch_hint(v: &S) -> Problem {
    let n = match v {
        S::Integer(i) => *i as f64,
        S::Real(f) => *f,
        _ => 0.0,
    }
    .abs();
    let guess = if matches!(v, S::Real(_)) && (2_000_000.0..=2_600_000.0).contains(&n) {
        "a Julian day number (SQLite's julianday())"
    } else if n < 1e11 {
        "seconds since 1970"
    } else if n < 1e14 {
        "milliseconds since 1970"
    } else {
        "neither seconds nor milliseconds since 1970"
    };
    Problem::new(K::EpochNumber, format!("{} is a number, not a date/time; by its magnitude it looks like {guess} (choose an epoch unit)", v.describe()))
}

/// A date, time or timestamp column's TEXT value (already checked as text for the target),
/// before the PostgreSQL range check; `describe` names the stored value in a refusal.
pub(super) fn temporal_text(
    t: &str,
    target: &ColumnType,
    rules: &ColumnRules,
    describe: &dyn Fn() -> String,
) -> Result<Value, Problem> {
    Ok(match target {
        ColumnType::Date => Value::Date(temporal::parse_date(t)?),
        // Rails writes a time of day on its dummy date (`2000-01-01 09:30:00`).
        ColumnType::Time => match (rules.storage.time_on_date, t.split_once(' ')) {
            (Some(date), Some((d, rest))) if d == date => Value::Time(temporal::parse_time(rest)?),
            _ => Value::Time(temporal::parse_time(t)?),
        },
        _ => {
            let p = temporal::parse_timestamp(t)?;
            match (target, p.offset_seconds) {
                (ColumnType::Timestamp, None) => Value::Timestamp(p.wall_micros),
                (ColumnType::Timestamp, Some(_)) => {
                    return Err(Problem::new(
                        K::TypeMismatch,
                        format!(
                            "{} has a UTC offset but the column is timestamp without time zone",
                            describe()
                        ),
                    ))
                }
                (_, Some(off)) => Value::TimestampTz(p.instant(off)?),
                (_, None) => Value::TimestampTz(temporal::resolve_local(
                    p.wall_micros,
                    rules.timezone,
                    rules.dst,
                )?),
            }
        }
    })
}

fn to_temporal(v: &S, target: &ColumnType, rules: &ColumnRules) -> Result<Value, Problem> {
    let value = match v {
        S::Text(_) => temporal_text(text_str(v, target, rules)?, target, rules, &|| v.describe())?,
        S::Integer(_) | S::Real(_) if *target != ColumnType::Time => {
            let unit = rules.epoch.ok_or_else(|| epoch_hint(v))?;
            let n = match v {
                S::Integer(i) => EpochNumber::Integer(*i),
                S::Real(f) => EpochNumber::Real(*f),
                _ => unreachable!("matched above"),
            };
            let micros = temporal::from_epoch(n, unit)?;
            match target {
                ColumnType::Date => {
                    if micros.rem_euclid(temporal::DAY_MICROS) != 0 {
                        return Err(Problem::new(
                            K::BadTimestamp,
                            format!(
                                "epoch {} has a time of day, which a date column would drop",
                                v.describe()
                            ),
                        ));
                    }
                    let days =
                        i32::try_from(micros.div_euclid(temporal::DAY_MICROS)).map_err(|_| {
                            Problem::new(
                                K::OutOfRange,
                                format!("epoch {} is out of range for a date", v.describe()),
                            )
                        })?;
                    Value::Date(days)
                }
                ColumnType::Timestamp => Value::Timestamp(micros),
                _ => Value::TimestampTz(micros),
            }
        }
        _ => return Err(mismatch(v, target)),
    };
    if rules.target_is_postgres {
        check_postgres_range(&value)?;
    }
    Ok(value)
}

/// PostgreSQL's dates and timestamps start at 4714-11-24 BC; dates end at 5874897-12-31.
pub(super) fn check_postgres_range(value: &Value) -> Result<(), Problem> {
    let ok = match *value {
        Value::Date(d) => {
            d == DATE_INFINITY || d == DATE_NEG_INFINITY || (PG_MIN_DATE..=PG_MAX_DATE).contains(&d)
        }
        Value::Timestamp(t) | Value::TimestampTz(t) => {
            t == TS_NEG_INFINITY || t >= PG_MIN_TIMESTAMP
        }
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            K::OutOfRange,
            format!(
                "{} is outside PostgreSQL's range (4714-11-24 BC to 5874897 AD)",
                value.describe()
            ),
        ))
    }
}

/// Whether jsonb stores the document `text` as written (up to whitespace and key order, which
/// no reader sees), or why not. jsonb keeps the last of duplicate keys and holds numbers as
/// `numeric`; the digest compares canonical forms that tell those changes apart, and this
/// finds them first, before anything is written.
fn jsonb_keeps(text: &str, facts: super::JsonFacts) -> Result<(), String> {
    if facts.duplicate_keys {
        return Err("has the same object key twice; jsonb would keep only the last".into());
    }
    match facts.jsonb_number {
        Some((start, end, why)) => Err(why.describe(&text[start..end])),
        None => Ok(()),
    }
}

fn to_json(v: &S, binary: bool, rules: &ColumnRules) -> Result<Value, Problem> {
    let target = ColumnType::Json { binary };
    match v {
        S::Integer(i) => Ok(Value::Json(i.to_string())),
        // `{:?}` is the shortest round-trip form and valid JSON (`1.5`, `-0.0`, `1e300`); a
        // REAL is a float, so jsonb's integer form of `1e300` is a change (as for text).
        S::Real(f) if f.is_finite() => {
            let json = format!("{f:?}");
            if binary && rules.target_is_postgres {
                let facts = super::JsonFacts {
                    jsonb_number: super::json_canon::jsonb_number_facts(&json),
                    ..Default::default()
                };
                jsonb_keeps(&json, facts).map_err(|why| {
                    Problem::new(K::JsonbChanges, format!("{}: {why}", v.describe()))
                })?;
            }
            Ok(Value::Json(json))
        }
        S::Real(f) => Err(Problem::new(
            K::NotRepresentable,
            format!("{f} has no JSON form"),
        )),
        S::Text(_) => {
            let s = text(v, &target, rules)?;
            let mut scratch = Vec::with_capacity(s.len());
            let Some(facts) = super::canonicalize_into(&s, &mut scratch) else {
                // Invalid: ask serde_json only now, for its precise message.
                let why = serde_json::from_str::<serde::de::IgnoredAny>(&s)
                    .err()
                    .map_or_else(String::new, |e| format!(" ({e})"));
                return Err(Problem::new(
                    K::BadJson,
                    format!("{} is not valid JSON{why}", v.describe()),
                ));
            };
            if binary && rules.target_is_postgres {
                if facts.has_nul {
                    return Err(Problem::new(
                        K::BadJson,
                        format!("{} contains \\u0000, which jsonb cannot hold", v.describe()),
                    ));
                }
                jsonb_keeps(&s, facts).map_err(|why| {
                    Problem::new(K::JsonbChanges, format!("{}: {why}", v.describe()))
                })?;
            }
            Ok(Value::Json(s))
        }
        S::Blob(_) | S::Null => Err(mismatch(v, &target)),
    }
}
