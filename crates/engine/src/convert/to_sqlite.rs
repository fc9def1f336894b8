//! Typed value → SQLite storage: how Ferry stores each value in a SQLite file it writes.

use super::{json, Problem, ProblemKind as K};
use crate::model::catalog::ColumnType as T;
use crate::model::conventions::{BoolForm, DurationForm, Storage, UuidForm, Zone, FERRY};
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

/// The SQLite value for `v` in a column of type `ty`, written the way `storage` (a
/// framework's convention, [`crate::model::conventions`]) writes it: the datetime, time and
/// UUID text forms, and Django's integer durations. Ferry's own convention is [`to_sqlite`].
///
/// # Errors
/// As [`to_sqlite`], and `PrecisionLoss` / `NotRepresentable` for a value the convention's
/// form cannot hold (a fraction of a second in Laravel's `Y-m-d H:i:s`, `infinity` in any
/// framework's datetime text): said before anything is written, never cut.
pub fn to_sqlite_as(v: &Value, ty: &T, storage: &Storage) -> Result<S, Problem> {
    // Ferry's own form exactly (a column's existing rows can change a Ferry-based storage).
    if *storage == FERRY || v.is_null() {
        return to_sqlite(v, ty);
    }
    match (v, ty) {
        (Value::Uuid(u), T::Uuid) if storage.uuid == UuidForm::Blob16 => {
            Ok(S::Blob(u.as_bytes().to_vec()))
        }
        (Value::Bool(b), T::Bool) if storage.boolean != BoolForm::Integer => {
            let text = match (storage.boolean, b) {
                (BoolForm::TextTf, true) => "t",
                (BoolForm::TextTf, false) => "f",
                (_, true) => "true",
                (_, false) => "false",
            };
            Ok(S::Text(text.as_bytes().to_vec()))
        }
        (Value::Opaque(text), T::Opaque { name })
            if name == "interval" && storage.duration == DurationForm::Micros =>
        {
            Ok(S::Integer(super::duration::interval_text_to_micros(text)?))
        }
        (Value::Uuid(u), T::Uuid) if storage.uuid == UuidForm::Hex32 => {
            Ok(S::Text(u.simple().to_string().into_bytes()))
        }
        (Value::TimestampTz(t), T::TimestampTz) => {
            let zone = match storage.zone {
                Zone::Offset => "+00:00",
                Zone::Z => "Z",
                Zone::NaiveUtc => "",
            };
            Ok(S::Text(datetime_text(v, *t, storage, zone)?.into_bytes()))
        }
        (Value::Timestamp(t), T::Timestamp) => {
            Ok(S::Text(datetime_text(v, *t, storage, "")?.into_bytes()))
        }
        (Value::Time(t), T::Time) if (0..temporal::DAY_MICROS).contains(t) => {
            let secs = t / 1_000_000;
            let frac = storage
                .time_fraction
                .render(t % 1_000_000)
                .ok_or_else(|| lossy_fraction(v, storage))?;
            let date = storage
                .time_on_date
                .map(|d| format!("{d} "))
                .unwrap_or_default();
            Ok(S::Text(
                format!(
                    "{date}{:02}:{:02}:{:02}{frac}",
                    secs / 3600,
                    secs % 3600 / 60,
                    secs % 60
                )
                .into_bytes(),
            ))
        }
        _ => to_sqlite(v, ty),
    }
}

fn lossy_fraction(v: &Value, storage: &Storage) -> Problem {
    Problem::new(
        K::PrecisionLoss,
        format!(
            "{} has more digits of a second than the {} convention's form holds ({})",
            v.describe(),
            storage.convention,
            storage.fraction.describe()
        ),
    )
}

/// `YYYY-MM-DD<sep>HH:MM:SS<fraction><zone>` for the instant or wall clock `micros`.
fn datetime_text(v: &Value, micros: i64, storage: &Storage, zone: &str) -> Result<String, Problem> {
    let days = micros.div_euclid(temporal::DAY_MICROS);
    let (y, m, d) = temporal::civil_from_days(days);
    if !(1..=9999).contains(&y) {
        return Err(Problem::new(
            K::NotRepresentable,
            format!(
                "{} is outside the years 1–9999 the {} convention's datetime text can hold",
                v.describe(),
                storage.convention
            ),
        ));
    }
    let in_day = micros.rem_euclid(temporal::DAY_MICROS);
    let secs = in_day / 1_000_000;
    let frac = storage
        .fraction
        .render(in_day % 1_000_000)
        .ok_or_else(|| lossy_fraction(v, storage))?;
    Ok(format!(
        "{y:04}-{m:02}-{d:02}{}{:02}:{:02}:{:02}{frac}{zone}",
        storage.separator,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    ))
}

/// [`to_sqlite`] for a value the caller no longer needs: text, JSON and bytes move their
/// buffer into the stored value instead of copying it (the copy stores every value).
///
/// # Errors
/// As [`to_sqlite`].
pub fn into_sqlite(v: Value, ty: &T) -> Result<S, Problem> {
    if !moves(&v, ty) {
        return to_sqlite(&v, ty);
    }
    match v {
        Value::Text(s) | Value::Opaque(s) | Value::Json(s) => Ok(S::Text(s.into_bytes())),
        Value::Bytes(b) => Ok(S::Blob(b)),
        _ => to_sqlite(&v, ty),
    }
}

/// The values [`into_sqlite`] stores by moving their buffer: for them [`to_sqlite`] is a
/// plain copy of the text or bytes, with no check that could fail.
fn moves(v: &Value, ty: &T) -> bool {
    matches!(
        (v, ty),
        (
            Value::Text(_),
            T::Text | T::Varchar { .. } | T::Char { .. } | T::Enum { .. } | T::Any,
        ) | (Value::Opaque(_), T::Opaque { .. })
            | (Value::Json(_), T::Json { .. })
            | (Value::Bytes(_), T::Bytes)
    )
}

/// Whether [`into_sqlite_as`] stores `v` by moving its text or bytes, so that no check of its
/// stored form can fail: the copy then stores it after digesting it, instead of copying it
/// for the check.
pub fn stored_by_move(v: &Value, ty: &T, storage: &Storage) -> bool {
    *storage == FERRY && moves(v, ty)
}

/// [`into_sqlite`] under a convention ([`to_sqlite_as`]).
///
/// # Errors
/// As [`to_sqlite_as`].
pub fn into_sqlite_as(v: Value, ty: &T, storage: &Storage) -> Result<S, Problem> {
    if *storage == FERRY {
        into_sqlite(v, ty)
    } else {
        to_sqlite_as(&v, ty, storage)
    }
}

/// Whether `v`, stored in a SQLite column of type `ty`, survives the column's affinity.
///
/// Ferry binds every JSON document as TEXT, and its own schema declares JSON columns with TEXT
/// affinity, so there a document stays the text it is. An existing column whose declared type
/// has NUMERIC affinity (`numeric_affinity`: SQLAlchemy's and Prisma's `JSON`/`JSONB`) is
/// different: SQLite itself turns a bare-number document (`42`, not `{"n": 42}`) into an
/// INTEGER or REAL whoever binds it, which is what the framework's own writes get too
/// (SQLAlchemy's `_SQliteJson` reads such numbers back as they are). Numbers SQLite keeps
/// exactly pass; the others (more than 15 significant digits) are a finding before anything is
/// written.
///
/// # Errors
/// `PrecisionLoss` for a bare JSON number a numeric-affinity column would change.
pub fn survives_affinity(v: &Value, ty: &T, numeric_affinity: bool) -> Result<(), Problem> {
    let (Value::Json(text), T::Json { .. } | T::Any, true) = (v, ty, numeric_affinity) else {
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
                "the JSON document {t} is a bare number, which this SQLite column (its declared type has NUMERIC affinity) keeps only to 15 significant digits; declare the column with TEXT affinity (e.g. TEXT) in the target schema"
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
    if !canonical.bytes().any(|b| b == b'.') {
        if let Ok(i) = canonical.parse::<i64>() {
            return Ok(S::Integer(i));
        }
    }
    let f: f64 = canonical
        .parse()
        .map_err(|_| Problem::new(K::NotNumeric, format!("{d} is not a number")))?;
    if within_double_digits(canonical) {
        return Ok(S::Real(f));
    }
    match Decimal::parse(&f.to_string()) {
        Some(back) if back.canonical() == canonical => Ok(S::Real(f)),
        _ => Err(Problem::new(
            K::PrecisionLoss,
            format!("{d} has no exact double-precision value for a SQLite NUMERIC column"),
        )),
    }
}

/// Whether a decimal (canonical text) has at most 15 significant digits and a magnitude well
/// inside double's normal range: then the nearest double reads back as that very decimal
/// (DBL_DIG is 15), so the proof by printing the double's shortest text — a sixth of a copy's
/// conversion time into SQLite — can be skipped.
fn within_double_digits(canonical: &str) -> bool {
    let unsigned = canonical.strip_prefix('-').unwrap_or(canonical);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let int = int.trim_start_matches('0');
    let significant = if int.is_empty() {
        let leading_zeros = frac.len() - frac.trim_start_matches('0').len();
        if leading_zeros > 290 {
            return false;
        }
        frac.len() - leading_zeros
    } else {
        int.len() + frac.len()
    };
    int.len() <= 290 && significant <= 15
}

#[cfg(test)]
mod double_digits_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The shortcut never accepts a decimal the full proof would refuse.
        #[test]
        fn decimals_within_fifteen_digits_read_back_from_their_double(
            int in "-?[0-9]{0,15}",
            frac in "[0-9]{0,15}",
            shift in 0usize..20,
        ) {
            let text = format!("{int}.{}{frac}", "0".repeat(shift));
            let Some(d) = Decimal::parse(&text) else { return Ok(()) };
            let canonical = d.canonical();
            if within_double_digits(canonical) {
                let f: f64 = canonical.parse().unwrap();
                let back = Decimal::parse(&f.to_string()).unwrap();
                prop_assert_eq!(back.canonical(), canonical);
            }
        }
    }

    #[test]
    fn sixteen_digits_or_extreme_magnitudes_take_the_full_proof() {
        assert!(within_double_digits("123456789012345"));
        assert!(within_double_digits("-0.000123456789012345"));
        assert!(!within_double_digits("1234567890123456"));
        assert!(!within_double_digits("0.1234567890123456"));
        assert!(!within_double_digits(&format!("0.{}1", "0".repeat(300))));
        assert!(!within_double_digits(&format!("1{}.5", "0".repeat(300))));
    }
}

#[cfg(test)]
mod convention_tests {
    use super::*;
    use crate::model::conventions::Convention;

    fn text(v: &Value, ty: &T, c: Convention) -> String {
        match to_sqlite_as(v, ty, &c.storage()).unwrap() {
            S::Text(t) => String::from_utf8(t).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    /// Each framework's own stored form (docs/frameworks.md), for one instant with and without
    /// a fraction of a second.
    #[test]
    fn each_convention_writes_its_framework_form() {
        // 2025-11-18 14:30:45.120000 UTC, and the same second without a fraction.
        let with = Value::TimestampTz(1_763_476_245_120_000);
        let whole = Value::TimestampTz(1_763_476_245_000_000);
        let cases = [
            (
                Convention::Ferry,
                "2025-11-18 14:30:45.12+00:00",
                "2025-11-18 14:30:45+00:00",
            ),
            (
                Convention::Django,
                "2025-11-18 14:30:45.120000",
                "2025-11-18 14:30:45",
            ),
            (
                Convention::Sqlalchemy,
                "2025-11-18 14:30:45.120000",
                "2025-11-18 14:30:45.000000",
            ),
            (
                Convention::Rails,
                "2025-11-18 14:30:45.120000",
                "2025-11-18 14:30:45",
            ),
            (
                Convention::Prisma,
                "2025-11-18T14:30:45.120Z",
                "2025-11-18T14:30:45.000Z",
            ),
        ];
        for (c, a, b) in cases {
            assert_eq!(text(&with, &T::TimestampTz, c), a, "{c}");
            assert_eq!(text(&whole, &T::TimestampTz, c), b, "{c}");
        }
        assert_eq!(
            text(&whole, &T::TimestampTz, Convention::Laravel),
            "2025-11-18 14:30:45"
        );
        let cut = to_sqlite_as(&with, &T::TimestampTz, &Convention::Laravel.storage()).unwrap_err();
        assert_eq!(cut.kind, K::PrecisionLoss);
        assert_eq!(
            cut.detail,
            "2025-11-18 14:30:45.12+00:00 has more digits of a second than the laravel convention's form holds (whole seconds only)"
        );
        let u = Value::Uuid(uuid::Uuid::parse_str("5e1b9849-3929-4d8e-949c-af844b1a5516").unwrap());
        assert_eq!(
            text(&u, &T::Uuid, Convention::Django),
            "5e1b984939294d8e949caf844b1a5516"
        );
        assert_eq!(
            text(&u, &T::Uuid, Convention::Rails),
            "5e1b9849-3929-4d8e-949c-af844b1a5516"
        );
        assert_eq!(
            text(
                &Value::Time(3_723_000_500),
                &T::Time,
                Convention::Sqlalchemy
            ),
            "01:02:03.000500"
        );
        assert_eq!(
            to_sqlite_as(
                &Value::Opaque("3 days 04:05:06.000007".into()),
                &T::Opaque {
                    name: "interval".into()
                },
                &Convention::Django.storage()
            )
            .unwrap(),
            S::Integer(273_906_000_007)
        );
        let infinite = to_sqlite_as(
            &Value::TimestampTz(i64::MAX),
            &T::TimestampTz,
            &Convention::Django.storage(),
        )
        .unwrap_err();
        assert_eq!(infinite.kind, K::NotRepresentable);
    }

    #[test]
    fn a_columns_rows_can_ask_for_text_booleans_and_uuid_blobs() {
        let tf = Storage {
            boolean: BoolForm::TextTf,
            ..FERRY
        };
        assert_eq!(
            to_sqlite_as(&Value::Bool(false), &T::Bool, &tf).unwrap(),
            S::Text(b"f".to_vec())
        );
        let words = Storage {
            boolean: BoolForm::TextTrueFalse,
            ..FERRY
        };
        assert_eq!(
            to_sqlite_as(&Value::Bool(true), &T::Bool, &words).unwrap(),
            S::Text(b"true".to_vec())
        );
        let u = uuid::Uuid::parse_str("5e1b9849-3929-4d8e-949c-af844b1a5516").unwrap();
        let blob = Storage {
            uuid: UuidForm::Blob16,
            ..FERRY
        };
        assert_eq!(
            to_sqlite_as(&Value::Uuid(u), &T::Uuid, &blob).unwrap(),
            S::Blob(u.as_bytes().to_vec())
        );
        // A Ferry-based storage the rows changed writes their form, not Ferry's own.
        let naive = Storage {
            zone: Zone::NaiveUtc,
            fraction: crate::model::conventions::Fraction::SixWhenNonZero,
            ..FERRY
        };
        assert_eq!(
            to_sqlite_as(&Value::TimestampTz(1_500_000), &T::TimestampTz, &naive).unwrap(),
            S::Text(b"1970-01-01 00:00:01.500000".to_vec())
        );
    }
}
