//! PostgreSQL's binary wire format for every [`ColumnType`]: encode a [`Value`] for
//! `COPY … FROM STDIN (FORMAT binary)` and decode one from `COPY … TO STDOUT (FORMAT binary)`.
//!
//! Only field *bodies* live here (the 4-byte length prefix and NULLs are the COPY framing's
//! business, in [`super::write`] / [`super::read`]). The two directions are exact
//! inverses and refuse rather than adjust:
//! - an integer that does not fit the column, a `f64` that is not exactly an `f32` for `real`,
//!   a `numeric` with more decimal places than the column's scale (PostgreSQL would round it),
//!   text containing NUL (PostgreSQL text cannot hold it) are `BadInput` errors;
//! - dates and timestamps move between Ferry's 1970 epoch and PostgreSQL's 2000 epoch with
//!   checked arithmetic; the `±infinity` sentinels are the same in both and are never offset,
//!   and a finite value that would land on a sentinel is refused;
//! - decoding validates every length, so a malformed field is an error, never a guess.
//!
//! `Opaque` types (interval, inet, money, …) have no binary form here: the reader selects
//! them `::text` and the writer stages them as text (see [`super::write`]), so for them
//! both directions simply carry UTF-8 text. Enums travel in binary: `enum_send` / `enum_recv`
//! use the label text.
//!
//! Encoding appends to the caller's buffer and allocates nothing.

mod array;
pub mod digest;
mod numeric;

use crate::model::catalog::ColumnType;
use crate::model::value::Value;
use crate::{Error, Result};

/// Days from 1970-01-01 (Ferry's epoch) to 2000-01-01 (PostgreSQL's).
const PG_EPOCH_DAYS: i32 = 10_957;
/// Microseconds from 1970-01-01 to 2000-01-01.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
/// `time` runs from 00:00:00 to 24:00:00 inclusive.
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The OID of a built-in type, as the binary array format names its element type.
/// `None` for enums and opaque types, whose OIDs differ per database.
pub fn type_oid(ty: &ColumnType) -> Option<u32> {
    use ColumnType as T;
    Some(match ty {
        T::Bool => 16,
        T::Int { bits: 16 } => 21,
        T::Int { bits: 32 } => 23,
        T::Int { bits: 64 } => 20,
        T::Float { bits: 32 } => 700,
        T::Float { bits: 64 } => 701,
        T::Numeric { .. } => 1700,
        T::Text | T::Any => 25,
        T::Varchar { .. } => 1043,
        T::Char { .. } => 1042,
        T::Bytes => 17,
        T::Uuid => 2950,
        T::Date => 1082,
        T::Time => 1083,
        T::Timestamp => 1114,
        T::TimestampTz => 1184,
        T::Json { binary: false } => 114,
        T::Json { binary: true } => 3802,
        T::Array { element } => array_oid(element)?,
        T::Int { .. } | T::Float { .. } | T::Enum { .. } | T::Opaque { .. } => return None,
    })
}

fn array_oid(element: &ColumnType) -> Option<u32> {
    Some(match type_oid(element)? {
        16 => 1000,
        21 => 1005,
        23 => 1007,
        20 => 1016,
        700 => 1021,
        701 => 1022,
        1700 => 1231,
        25 => 1009,
        1043 => 1015,
        1042 => 1014,
        17 => 1001,
        2950 => 2951,
        1082 => 1182,
        1083 => 1183,
        1114 => 1115,
        1184 => 1185,
        114 => 199,
        3802 => 3807,
        _ => return None,
    })
}

/// Whether values of `ty` travel as text (`::text` on the way out, a staging table on the
/// way in) rather than in binary.
pub fn moves_as_text(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Opaque { .. } => true,
        ColumnType::Array { element } => moves_as_text(element),
        _ => false,
    }
}

/// Appends the binary field body (without the 4-byte length) of `value` for a column of
/// type `ty` to `out`. `Null` is handled by the caller (length -1).
///
/// For `Opaque` columns (and arrays of them) the body is the value's text form, for a
/// staging column of type `text`.
///
/// # Errors
/// `BadInput` when the value cannot be represented in `ty` (the converter should have
/// caught it), or is not the kind of value `ty` holds. An array of an enum needs its element
/// OID: use [`encode_with_element_oid`].
pub fn encode(value: &Value, ty: &ColumnType, out: &mut Vec<u8>) -> Result<()> {
    encode_as(value, ty, None, out)
}

/// [`encode`] for an array column whose element type has no fixed OID (an array of an enum):
/// `element_oid` is the element type's OID in the target database (`pg_type.typelem`).
///
/// # Errors
/// As [`encode`].
pub fn encode_with_element_oid(
    value: &Value,
    ty: &ColumnType,
    element_oid: u32,
    out: &mut Vec<u8>,
) -> Result<()> {
    encode_as(value, ty, Some(element_oid), out)
}

fn encode_as(
    value: &Value,
    ty: &ColumnType,
    element_oid: Option<u32>,
    out: &mut Vec<u8>,
) -> Result<()> {
    use ColumnType as T;
    match (ty, value) {
        (T::Bool, Value::Bool(b)) => out.push(u8::from(*b)),
        (T::Int { bits }, Value::Int(i)) => encode_int(*i, *bits, out)?,
        (T::Float { bits: 32 }, Value::Float(f)) => {
            let narrow = *f as f32;
            if !f.is_nan() && f64::from(narrow).to_bits() != f.to_bits() {
                return Err(Error::bad_input(format!(
                    "{f:?} is not exactly representable as real (4-byte float); storing it would round it"
                )));
            }
            out.extend_from_slice(&narrow.to_bits().to_be_bytes());
        }
        (T::Float { bits: 64 }, Value::Float(f)) => {
            out.extend_from_slice(&f.to_bits().to_be_bytes())
        }
        (T::Numeric { precision, scale }, Value::Numeric(d)) => {
            numeric::encode(d, *precision, *scale, out)?
        }
        (
            T::Text | T::Varchar { .. } | T::Char { .. } | T::Any | T::Enum { .. },
            Value::Text(s),
        ) => encode_text(s, out)?,
        (T::Opaque { .. }, Value::Opaque(s) | Value::Text(s)) => encode_text(s, out)?,
        (T::Array { element }, Value::Opaque(s)) if moves_as_text(element) => encode_text(s, out)?,
        (T::Array { element }, Value::Array(items)) if moves_as_text(element) => {
            array::encode_text_form(items, out)?
        }
        (T::Bytes, Value::Bytes(b)) => out.extend_from_slice(b),
        (T::Uuid, Value::Uuid(u)) => out.extend_from_slice(u.as_bytes()),
        (T::Date, Value::Date(d)) => out.extend_from_slice(&date_to_pg(*d)?.to_be_bytes()),
        (T::Time, Value::Time(t)) => {
            if !(0..=MICROS_PER_DAY).contains(t) {
                return Err(Error::bad_input(format!(
                    "time of {t} µs after midnight is out of range"
                )));
            }
            out.extend_from_slice(&t.to_be_bytes());
        }
        (T::Timestamp, Value::Timestamp(t)) | (T::TimestampTz, Value::TimestampTz(t)) => {
            out.extend_from_slice(&timestamp_to_pg(*t)?.to_be_bytes())
        }
        (T::Json { binary }, Value::Json(s)) => {
            if *binary {
                out.push(1); // jsonb binary format version
            }
            encode_text(s, out)?;
        }
        (T::Array { element }, Value::Array(items)) => {
            let oid = match element_oid.or_else(|| type_oid(element)) {
                Some(oid) => oid,
                None => {
                    return Err(Error::bad_input(format!(
                        "an array of {} needs its element type's oid from the database",
                        element.pg_name()
                    )))
                }
            };
            array::encode(items, element, oid, out)?;
        }
        (_, Value::Null) => {
            return Err(Error::runtime(
                "NULL has no field body; it is written as length -1",
            ));
        }
        _ => {
            return Err(Error::bad_input(format!(
                "cannot store {} in a column of type {}",
                value.describe(),
                ty.pg_name()
            )))
        }
    }
    Ok(())
}

fn encode_int(i: i64, bits: u8, out: &mut Vec<u8>) -> Result<()> {
    let out_of_range = || {
        Error::bad_input(format!(
            "{i} is out of range for {}",
            ColumnType::Int { bits }.pg_name()
        ))
    };
    match bits {
        16 => out.extend_from_slice(&i16::try_from(i).map_err(|_| out_of_range())?.to_be_bytes()),
        32 => out.extend_from_slice(&i32::try_from(i).map_err(|_| out_of_range())?.to_be_bytes()),
        64 => out.extend_from_slice(&i.to_be_bytes()),
        _ => {
            return Err(Error::bad_input(format!(
                "there is no {bits}-bit integer type in PostgreSQL"
            )))
        }
    }
    Ok(())
}

fn encode_text(s: &str, out: &mut Vec<u8>) -> Result<()> {
    if s.as_bytes().contains(&0) {
        return Err(Error::bad_input(format!(
            "text {} contains a NUL character, which PostgreSQL text cannot hold",
            Value::Text(s.to_string()).describe()
        )));
    }
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn date_to_pg(days: i32) -> Result<i32> {
    if days == i32::MIN || days == i32::MAX {
        return Ok(days);
    }
    match days.checked_sub(PG_EPOCH_DAYS) {
        Some(pg) if pg != i32::MIN && pg != i32::MAX => Ok(pg),
        _ => Err(Error::bad_input(format!(
            "date {days} days from 1970-01-01 is out of PostgreSQL's range"
        ))),
    }
}

fn timestamp_to_pg(micros: i64) -> Result<i64> {
    if micros == i64::MIN || micros == i64::MAX {
        return Ok(micros);
    }
    match micros.checked_sub(PG_EPOCH_MICROS) {
        Some(pg) if pg != i64::MIN && pg != i64::MAX => Ok(pg),
        _ => Err(Error::bad_input(format!(
            "timestamp {micros} µs from 1970-01-01 is out of PostgreSQL's range"
        ))),
    }
}

/// Decodes one non-NULL field body of a column of type `ty`.
///
/// `Opaque` columns and arrays of them are expected as text (selected `::text`) and arrive as
/// [`Value::Opaque`]; enums arrive as [`Value::Text`].
///
/// # Errors
/// `Runtime` when the bytes are not a valid value of `ty`: wrong length, bad UTF-8, an
/// array whose lower bound is not 1, a date or timestamp outside Ferry's range.
pub fn decode(bytes: &[u8], ty: &ColumnType) -> Result<Value> {
    use ColumnType as T;
    Ok(match ty {
        T::Bool => match bytes {
            [0] => Value::Bool(false),
            [1] => Value::Bool(true),
            _ => return Err(malformed(ty, "expected one byte, 0 or 1")),
        },
        T::Int { bits: 16 } => Value::Int(i16::from_be_bytes(fixed(bytes, ty)?).into()),
        T::Int { bits: 32 } => Value::Int(i32::from_be_bytes(fixed(bytes, ty)?).into()),
        T::Int { bits: 64 } => Value::Int(i64::from_be_bytes(fixed(bytes, ty)?)),
        T::Float { bits: 32 } => {
            Value::Float(f32::from_bits(u32::from_be_bytes(fixed(bytes, ty)?)).into())
        }
        T::Float { bits: 64 } => {
            Value::Float(f64::from_bits(u64::from_be_bytes(fixed(bytes, ty)?)))
        }
        T::Int { .. } | T::Float { .. } => return Err(malformed(ty, "unsupported width")),
        T::Numeric { .. } => {
            Value::Numeric(numeric::decode(bytes).map_err(|why| malformed(ty, &why))?)
        }
        T::Text | T::Varchar { .. } | T::Char { .. } | T::Any | T::Enum { .. } => {
            Value::Text(utf8(bytes, ty)?)
        }
        T::Opaque { .. } => Value::Opaque(utf8(bytes, ty)?),
        T::Array { element } if moves_as_text(element) => Value::Opaque(utf8(bytes, ty)?),
        T::Bytes => Value::Bytes(bytes.to_vec()),
        T::Uuid => Value::Uuid(uuid::Uuid::from_bytes(fixed(bytes, ty)?)),
        T::Date => Value::Date(
            date_from_pg(i32::from_be_bytes(fixed(bytes, ty)?))
                .ok_or_else(|| malformed(ty, "out of range"))?,
        ),
        T::Time => {
            let t = i64::from_be_bytes(fixed(bytes, ty)?);
            if !(0..=MICROS_PER_DAY).contains(&t) {
                return Err(malformed(ty, "out of range"));
            }
            Value::Time(t)
        }
        T::Timestamp => Value::Timestamp(
            timestamp_from_pg(i64::from_be_bytes(fixed(bytes, ty)?))
                .ok_or_else(|| malformed(ty, "out of range"))?,
        ),
        T::TimestampTz => Value::TimestampTz(
            timestamp_from_pg(i64::from_be_bytes(fixed(bytes, ty)?))
                .ok_or_else(|| malformed(ty, "out of range"))?,
        ),
        T::Json { binary: false } => Value::Json(utf8(bytes, ty)?),
        T::Json { binary: true } => match bytes.split_first() {
            Some((1, text)) => Value::Json(utf8(text, ty)?),
            _ => return Err(malformed(ty, "unknown jsonb format version")),
        },
        T::Array { element } => array::decode(bytes, element)?,
    })
}

fn date_from_pg(pg: i32) -> Option<i32> {
    if pg == i32::MIN || pg == i32::MAX {
        return Some(pg);
    }
    pg.checked_add(PG_EPOCH_DAYS)
        .filter(|d| *d != i32::MIN && *d != i32::MAX)
}

fn timestamp_from_pg(pg: i64) -> Option<i64> {
    if pg == i64::MIN || pg == i64::MAX {
        return Some(pg);
    }
    pg.checked_add(PG_EPOCH_MICROS)
        .filter(|t| *t != i64::MIN && *t != i64::MAX)
}

fn fixed<const N: usize>(bytes: &[u8], ty: &ColumnType) -> Result<[u8; N]> {
    bytes
        .try_into()
        .map_err(|_| malformed(ty, &format!("expected {N} bytes, got {}", bytes.len())))
}

fn utf8(bytes: &[u8], ty: &ColumnType) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| malformed(ty, "text is not valid UTF-8"))
}

fn malformed(ty: &ColumnType, why: &str) -> Error {
    Error::runtime(format!(
        "malformed {} value from PostgreSQL: {why}",
        ty.pg_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::value::Decimal;

    fn roundtrip(value: Value, ty: ColumnType) -> Value {
        let mut out = Vec::new();
        encode(&value, &ty, &mut out).unwrap_or_else(|e| panic!("encode {value:?} as {ty:?}: {e}"));
        decode(&out, &ty).unwrap_or_else(|e| panic!("decode {value:?} as {ty:?}: {e}"))
    }

    #[test]
    fn fixed_width_values_roundtrip_bit_for_bit() {
        let cases = [
            (Value::Bool(true), ColumnType::Bool),
            (Value::Int(i16::MIN.into()), ColumnType::Int { bits: 16 }),
            (Value::Int(i32::MAX.into()), ColumnType::Int { bits: 32 }),
            (Value::Int(i64::MIN), ColumnType::Int { bits: 64 }),
            (Value::Float(-0.0), ColumnType::Float { bits: 64 }),
            (
                Value::Float(f64::from_bits(0x7ff8_0000_0000_0001)),
                ColumnType::Float { bits: 64 },
            ),
            (
                Value::Float(f64::from(f32::MIN_POSITIVE / 4.0)),
                ColumnType::Float { bits: 32 },
            ),
            (Value::Date(-25_567), ColumnType::Date),
            (Value::Date(i32::MIN), ColumnType::Date),
            (Value::Time(MICROS_PER_DAY), ColumnType::Time),
            (Value::Timestamp(i64::MAX), ColumnType::Timestamp),
            (Value::TimestampTz(-1), ColumnType::TimestampTz),
        ];
        for (value, ty) in cases {
            let back = roundtrip(value.clone(), ty.clone());
            let same = match (&value, &back) {
                (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
                _ => value == back,
            };
            assert!(same, "{ty:?}: wrote {value:?}, read {back:?}");
        }
    }

    #[test]
    fn epochs_are_offset_but_sentinels_are_not() {
        let mut out = Vec::new();
        encode(&Value::Date(0), &ColumnType::Date, &mut out).unwrap();
        assert_eq!(out, (-10_957i32).to_be_bytes());
        out.clear();
        encode(&Value::TimestampTz(0), &ColumnType::TimestampTz, &mut out).unwrap();
        assert_eq!(out, (-946_684_800_000_000i64).to_be_bytes());
        out.clear();
        encode(
            &Value::Timestamp(i64::MIN),
            &ColumnType::Timestamp,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, i64::MIN.to_be_bytes());
        // A finite value that would become a sentinel after the shift is refused.
        assert!(encode(
            &Value::Date(i32::MIN + PG_EPOCH_DAYS),
            &ColumnType::Date,
            &mut out
        )
        .is_err());
        assert!(decode(&(i32::MAX - 1).to_be_bytes(), &ColumnType::Date).is_err());
    }

    #[test]
    fn unrepresentable_values_are_refused() {
        let cases = [
            (
                Value::Int(32_768),
                ColumnType::Int { bits: 16 },
                "out of range for smallint",
            ),
            (
                Value::Int(i64::from(i32::MIN) - 1),
                ColumnType::Int { bits: 32 },
                "out of range for integer",
            ),
            (
                Value::Float(0.1),
                ColumnType::Float { bits: 32 },
                "not exactly representable",
            ),
            (Value::Text("a\0b".into()), ColumnType::Text, "NUL"),
            (
                Value::Json("\"\0\"".into()),
                ColumnType::Json { binary: true },
                "NUL",
            ),
            (
                Value::Time(MICROS_PER_DAY + 1),
                ColumnType::Time,
                "out of range",
            ),
            (
                Value::Text("1".into()),
                ColumnType::Int { bits: 32 },
                "cannot store '1' in a column of type integer",
            ),
            (
                Value::Numeric(Decimal::parse("1.005").unwrap()),
                ColumnType::Numeric {
                    precision: Some(12),
                    scale: Some(2),
                },
                "round",
            ),
            (
                Value::Numeric(Decimal::parse("12345678901").unwrap()),
                ColumnType::Numeric {
                    precision: Some(12),
                    scale: Some(2),
                },
                "digits",
            ),
        ];
        for (value, ty, expected) in cases {
            let err = encode(&value, &ty, &mut Vec::new())
                .expect_err(&format!("{value:?} as {ty:?} must be refused"));
            assert!(
                err.to_string().contains(expected),
                "{value:?} as {ty:?}: {err}"
            );
        }
    }

    #[test]
    fn malformed_fields_are_refused() {
        let cases: [(&[u8], ColumnType); 7] = [
            (&[2], ColumnType::Bool),
            (&[0, 0, 1], ColumnType::Int { bits: 32 }),
            (&[0xff, 0xfe], ColumnType::Text),
            (&[2, b'{', b'}'], ColumnType::Json { binary: true }),
            (&[0; 15], ColumnType::Uuid),
            (
                &[0, 1, 0, 0, 0x12, 0x34, 0, 0, 0x27, 0x10],
                ColumnType::Numeric {
                    precision: None,
                    scale: None,
                },
            ),
            (
                &[0, 0, 0, 1],
                ColumnType::Array {
                    element: Box::new(ColumnType::Int { bits: 32 }),
                },
            ),
        ];
        for (bytes, ty) in cases {
            assert!(
                decode(bytes, &ty).is_err(),
                "{bytes:?} as {ty:?} must be refused"
            );
        }
    }
}
