//! One binary COPY field body straight into the digest's canonical encoding, without building
//! a [`Value`](crate::model::value::Value) first: the verifier re-reads every value of the
//! target, and for most types the stored bytes are a few shifts away from the digest's form.
//!
//! The law is "the same bytes as [`decode`] then [`encode_value`]", for every input, errors
//! included: each fast arm handles only a well-formed field of its type, through the same
//! `encode_*` functions `encode_value` is made of, and anything else (numeric, arrays, a
//! malformed field) goes through `decode` and `encode_value` themselves, so a bad field is the
//! same error either way. `convert/properties.rs` checks it through a real server.

use super::{date_from_pg, decode, moves_as_text, timestamp_from_pg, MICROS_PER_DAY};
use crate::convert::digest::{
    encode_bool, encode_bytes, encode_date, encode_float, encode_int, encode_json, encode_opaque,
    encode_text, encode_time, encode_timestamp, encode_timestamptz, encode_uuid, encode_value,
};
use crate::model::catalog::ColumnType;
use crate::Result;

/// Appends the canonical encoding of one non-NULL field body of a column of type `ty` (read
/// as [`super::super::read`] selects it: opaque types as their text form).
///
/// # Errors
/// As [`decode`], for exactly the fields it refuses.
pub fn encode_field(bytes: &[u8], ty: &ColumnType, out: &mut Vec<u8>) -> Result<()> {
    use ColumnType as T;
    match (ty, bytes.len()) {
        (T::Bool, 1) if bytes[0] <= 1 => encode_bool(bytes[0] == 1, out),
        (T::Int { bits: 16 }, 2) => encode_int(i16::from_be_bytes(array(bytes)).into(), out),
        (T::Int { bits: 32 }, 4) => encode_int(i32::from_be_bytes(array(bytes)).into(), out),
        (T::Int { bits: 64 }, 8) => encode_int(i64::from_be_bytes(array(bytes)), out),
        (T::Float { bits: 32 }, 4) => {
            encode_float(f32::from_bits(u32::from_be_bytes(array(bytes))).into(), out)
        }
        (T::Float { bits: 64 }, 8) => {
            encode_float(f64::from_bits(u64::from_be_bytes(array(bytes))), out)
        }
        (T::Text | T::Varchar { .. } | T::Char { .. } | T::Any | T::Enum { .. }, _) => {
            match std::str::from_utf8(bytes) {
                Ok(s) => encode_text(s, ty, out),
                Err(_) => return slow(bytes, ty, out),
            }
        }
        (T::Opaque { .. }, _) => opaque(bytes, ty, out)?,
        (T::Array { element }, _) if moves_as_text(element) => opaque(bytes, ty, out)?,
        (T::Bytes, _) => encode_bytes(bytes, out),
        (T::Uuid, 16) => encode_uuid(&array(bytes), out),
        (T::Date, 4) => match date_from_pg(i32::from_be_bytes(array(bytes))) {
            Some(days) => encode_date(days, out),
            None => return slow(bytes, ty, out),
        },
        (T::Time, 8) => {
            let t = i64::from_be_bytes(array(bytes));
            if !(0..=MICROS_PER_DAY).contains(&t) {
                return slow(bytes, ty, out);
            }
            encode_time(t, out)
        }
        (T::Timestamp, 8) => match timestamp_from_pg(i64::from_be_bytes(array(bytes))) {
            Some(t) => encode_timestamp(t, out),
            None => return slow(bytes, ty, out),
        },
        (T::TimestampTz, 8) => match timestamp_from_pg(i64::from_be_bytes(array(bytes))) {
            Some(t) => encode_timestamptz(t, out),
            None => return slow(bytes, ty, out),
        },
        (T::Json { binary: false }, _) => json(bytes, ty, out)?,
        (T::Json { binary: true }, _) => match bytes.split_first() {
            Some((1, text)) => json(text, ty, out)?,
            _ => return slow(bytes, ty, out),
        },
        _ => return slow(bytes, ty, out),
    }
    Ok(())
}

fn opaque(bytes: &[u8], ty: &ColumnType, out: &mut Vec<u8>) -> Result<()> {
    match std::str::from_utf8(bytes) {
        Ok(s) => {
            encode_opaque(s, out);
            Ok(())
        }
        Err(_) => slow(bytes, ty, out),
    }
}

fn json(text: &[u8], ty: &ColumnType, out: &mut Vec<u8>) -> Result<()> {
    match std::str::from_utf8(text) {
        Ok(s) => {
            encode_json(s, out);
            Ok(())
        }
        Err(_) => slow(text, ty, out),
    }
}

/// The typed path for everything without a fast arm, and for every malformed field.
fn slow(bytes: &[u8], ty: &ColumnType, out: &mut Vec<u8>) -> Result<()> {
    encode_value(&decode(bytes, ty)?, ty, out);
    Ok(())
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    bytes.try_into().expect("length matched by the caller")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::value::Value;

    /// The fast encoding and the typed one, or their errors.
    fn both(bytes: &[u8], ty: &ColumnType) -> (Result<Vec<u8>, String>, Result<Vec<u8>, String>) {
        let mut fast = vec![0xAA]; // something before, which neither may touch
        let fast = encode_field(bytes, ty, &mut fast)
            .map(|()| fast)
            .map_err(|e| e.to_string());
        let slow = decode(bytes, ty)
            .map(|v| {
                let mut out = vec![0xAA];
                encode_value(&v, ty, &mut out);
                out
            })
            .map_err(|e| e.to_string());
        (fast, slow)
    }

    fn body(v: &Value, ty: &ColumnType) -> Vec<u8> {
        let mut out = vec![];
        super::super::encode(v, ty, &mut out).unwrap();
        out
    }

    #[test]
    fn edge_values_encode_as_decode_then_encode_value() {
        use ColumnType as T;
        let json = T::Json { binary: false };
        let jsonb = T::Json { binary: true };
        let cases: Vec<(Vec<u8>, T)> = vec![
            (
                body(&Value::Int(i64::MIN), &T::Int { bits: 64 }),
                T::Int { bits: 64 },
            ),
            (
                body(&Value::Int(i64::MAX), &T::Int { bits: 64 }),
                T::Int { bits: 64 },
            ),
            (
                body(&Value::Int(-1), &T::Int { bits: 16 }),
                T::Int { bits: 16 },
            ),
            (
                body(&Value::Int(i32::MIN.into()), &T::Int { bits: 32 }),
                T::Int { bits: 32 },
            ),
            (
                0x7ff8_0000_0000_0001u64.to_be_bytes().to_vec(),
                T::Float { bits: 64 },
            ),
            (
                0xfff0_0000_0000_0000u64.to_be_bytes().to_vec(),
                T::Float { bits: 64 },
            ),
            (
                (-0.0f64).to_bits().to_be_bytes().to_vec(),
                T::Float { bits: 64 },
            ),
            (0x7fc0_0001u32.to_be_bytes().to_vec(), T::Float { bits: 32 }),
            (
                (-0.0f32).to_bits().to_be_bytes().to_vec(),
                T::Float { bits: 32 },
            ),
            (vec![], T::Text),
            (b"ab  ".to_vec(), T::Char { len: 4 }),
            (b"    ".to_vec(), T::Char { len: 4 }),
            (b"ab  ".to_vec(), T::Varchar { max_len: Some(4) }),
            (vec![0xff, 0xfe], T::Text),
            (vec![], T::Bytes),
            (vec![0, 1], T::Bool),
            (vec![1], T::Bool),
            (vec![2], T::Bool),
            (i32::MAX.to_be_bytes().to_vec(), T::Date),
            (i32::MIN.to_be_bytes().to_vec(), T::Date),
            ((i32::MAX - 1).to_be_bytes().to_vec(), T::Date),
            (i64::MAX.to_be_bytes().to_vec(), T::Timestamp),
            (i64::MIN.to_be_bytes().to_vec(), T::TimestampTz),
            ((i64::MAX - 1).to_be_bytes().to_vec(), T::TimestampTz),
            (0i64.to_be_bytes().to_vec(), T::Timestamp),
            (MICROS_PER_DAY.to_be_bytes().to_vec(), T::Time),
            ((MICROS_PER_DAY + 1).to_be_bytes().to_vec(), T::Time),
            ((-1i64).to_be_bytes().to_vec(), T::Time),
            ([7u8; 16].to_vec(), T::Uuid),
            ([7u8; 15].to_vec(), T::Uuid),
            (br#"{"b": 1, "a": [1.0, "x"]}"#.to_vec(), json.clone()),
            (b"not json".to_vec(), json.clone()),
            ([&[1u8][..], br#"{"a":1}"#].concat(), jsonb.clone()),
            ([&[2u8][..], br#"{"a":1}"#].concat(), jsonb.clone()),
            (vec![], jsonb),
            (
                b"1 day 02:00:00".to_vec(),
                T::Opaque {
                    name: "interval".into(),
                },
            ),
            (
                vec![0xc3],
                T::Opaque {
                    name: "interval".into(),
                },
            ),
            (
                vec![0, 0, 0, 0, 0, 0, 0, 0],
                T::Numeric {
                    precision: None,
                    scale: None,
                },
            ),
            (vec![0, 0, 0], T::Int { bits: 32 }),
        ];
        for (bytes, ty) in cases {
            let (fast, slow) = both(&bytes, &ty);
            assert_eq!(fast, slow, "{bytes:?} as {ty:?}");
        }
    }
}
