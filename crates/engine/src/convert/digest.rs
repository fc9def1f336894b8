//! Content digests: the proof that two tables hold the same rows.
//!
//! Each row is encoded canonically (a type tag and an unambiguous byte form per value, see
//! [`encode_value`]) and hashed with SHA-256; a table's digest combines the row hashes by
//! addition modulo 2^256 together with the row count. Addition makes the digest independent
//! of row order, so neither side has to be sorted (no `ORDER BY` over a million rows, no
//! collation differences between SQLite's byte order and PostgreSQL's locale order), while
//! any changed, missing or extra row still changes it. Diffs (which rows differ) are located
//! by key in a second pass only when digests disagree ([`crate::run::verify`]).
//!
//! Canonical means equal *as an application reads the value back*, not equal spelling: a
//! numeric(p,s) compares without trailing zeros (`1.50 = 1.5`: both databases store it at the
//! column's scale) while an unconstrained numeric keeps its scale (`1.50 ≠ 1.5`); JSON compares
//! by its canonical form ([`crate::convert::canonicalize_into`]: key order and whitespace
//! ignored, duplicate keys and a number's kind kept); `char(n)` ignores trailing blanks
//! (PostgreSQL's own rule); floats compare bit for bit (`-0.0 ≠ 0.0`). ARCHITECTURE.md has the
//! table, type by type, of what each target stores and why these forms match it.

use sha2::{Digest as _, Sha256};

use crate::model::catalog::ColumnType;
use crate::model::value::Value;
use crate::support::hashing::hex;

/// The running digest of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableDigest {
    sum: [u64; 4],
    rows: u64,
}

impl TableDigest {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Adds one row (values in column order, with their column types).
    pub fn add_row(&mut self, row: &[Value], types: &[&ColumnType], scratch: &mut Vec<u8>) {
        let hash = row_hash(row, types, scratch);
        self.add_hash(&hash);
    }

    /// Adds one row given as its canonical encoding (its values, each appended by
    /// [`encode_value`] or one of the `encode_*` functions it is made of, in column order).
    pub fn add_encoded(&mut self, row: &[u8]) {
        let hash: [u8; 32] = Sha256::digest(row).into();
        self.add_hash(&hash);
    }

    pub fn add_hash(&mut self, hash: &[u8; 32]) {
        let mut carry = 0u128;
        for (i, limb) in self.sum.iter_mut().enumerate() {
            let chunk = u64::from_le_bytes(hash[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
            let total = *limb as u128 + chunk as u128 + carry;
            *limb = total as u64;
            carry = total >> 64;
        }
        self.rows += 1;
    }

    /// Merges another partial digest of the same table (digests are additive).
    pub fn merge(&mut self, other: &TableDigest) {
        let mut carry = 0u128;
        for (limb, o) in self.sum.iter_mut().zip(other.sum) {
            let total = *limb as u128 + o as u128 + carry;
            *limb = total as u64;
            carry = total >> 64;
        }
        self.rows += other.rows;
    }

    /// Hex SHA-256 of (row count, sum): what reports show and compare.
    pub fn hex(&self) -> String {
        let mut h = Sha256::new();
        // v2: JSON object keys in jsonb's order (v1 sorted them by bytes), so a JSON table's
        // digest differs from v1's; the tag makes every table's differ, not only those.
        h.update(b"ferry-table-digest-v2");
        h.update(self.rows.to_le_bytes());
        for limb in self.sum {
            h.update(limb.to_le_bytes());
        }
        hex(&h.finalize())
    }
}

/// The SHA-256 of one row's canonical encoding.
pub fn row_hash(row: &[Value], types: &[&ColumnType], scratch: &mut Vec<u8>) -> [u8; 32] {
    scratch.clear();
    for (value, ty) in row.iter().zip(types) {
        encode_value(value, ty, scratch);
    }
    Sha256::digest(&scratch[..]).into()
}

/// Appends the canonical encoding of `value`: a tag byte, then a length-prefixed or
/// fixed-width body, so that no two different rows can encode to the same bytes.
///
/// Readers that go from stored bytes straight to the digest (the verifier's, in the drivers)
/// call the `encode_*` functions this one is made of, so both produce the same bytes by
/// construction.
pub fn encode_value(value: &Value, ty: &ColumnType, out: &mut Vec<u8>) {
    match value {
        Value::Null => encode_null(out),
        Value::Bool(b) => encode_bool(*b, out),
        Value::Int(i) => encode_int(*i, out),
        Value::Float(f) => encode_float(*f, out),
        Value::Numeric(d) => {
            // A numeric with a declared precision or scale is stored at that scale on both
            // sides (PostgreSQL pads `1.5` to `1.50`), so its value is what an app reads; an
            // unconstrained numeric keeps the scale it was given, and `1.50` and `1.5` read
            // back differently (Python's Decimal, PostgreSQL's own text).
            let scaled = matches!(ty, ColumnType::Numeric { precision, scale } if precision.is_some() || scale.is_some());
            let body = if scaled || d.is_special() {
                d.canonical()
            } else {
                d.as_str()
            };
            encode_numeric_text(body, out)
        }
        Value::Text(s) => encode_text(s, ty, out),
        Value::Bytes(b) => encode_bytes(b, out),
        Value::Uuid(u) => encode_uuid(u.as_bytes(), out),
        Value::Date(d) => encode_date(*d, out),
        Value::Time(t) => encode_time(*t, out),
        Value::Timestamp(t) => encode_timestamp(*t, out),
        Value::TimestampTz(t) => encode_timestamptz(*t, out),
        Value::Json(text) => {
            encode_json(text, out);
        }
        Value::Array(items) => {
            let element = match ty {
                ColumnType::Array { element } => element.as_ref(),
                other => other,
            };
            out.push(14);
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items {
                encode_value(item, element, out);
            }
        }
        Value::Opaque(text) => encode_opaque(text, out),
    }
}

fn tagged_bytes(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
}

/// A numeric as the text [`encode_value`] compares: canonical for a column with a precision
/// or scale, as written for an unconstrained one.
pub fn encode_numeric_text(body: &str, out: &mut Vec<u8>) {
    tagged_bytes(out, 4, body.as_bytes())
}

/// `NULL`, of any type.
pub fn encode_null(out: &mut Vec<u8>) {
    out.push(0);
}

pub fn encode_bool(b: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(&[1, b as u8]);
}

/// An integer of any width.
pub fn encode_int(i: i64, out: &mut Vec<u8>) {
    out.push(2);
    out.extend_from_slice(&i.to_le_bytes());
}

/// A float of either width (a `real` widened exactly to `f64`).
pub fn encode_float(f: f64, out: &mut Vec<u8>) {
    out.push(3);
    // NaN payloads vary between platforms and drivers; every NaN is the same value.
    let bits = if f.is_nan() {
        f64::NAN.to_bits()
    } else {
        f.to_bits()
    };
    out.extend_from_slice(&bits.to_le_bytes());
}

/// Text (also an enum label) in a column of type `ty`: `char(n)` compares without its
/// trailing blanks (PostgreSQL's own rule), every other type byte for byte.
pub fn encode_text(s: &str, ty: &ColumnType, out: &mut Vec<u8>) {
    let s = if matches!(ty, ColumnType::Char { .. }) {
        s.trim_end_matches(' ')
    } else {
        s
    };
    tagged_bytes(out, 5, s.as_bytes())
}

pub fn encode_bytes(b: &[u8], out: &mut Vec<u8>) {
    tagged_bytes(out, 6, b)
}

pub fn encode_uuid(u: &[u8; 16], out: &mut Vec<u8>) {
    out.push(7);
    out.extend_from_slice(u);
}

/// Days since 1970-01-01 (`i32::MIN`/`MAX` for ±infinity).
pub fn encode_date(days: i32, out: &mut Vec<u8>) {
    out.push(8);
    out.extend_from_slice(&days.to_le_bytes());
}

/// Microseconds after midnight.
pub fn encode_time(micros: i64, out: &mut Vec<u8>) {
    out.push(9);
    out.extend_from_slice(&micros.to_le_bytes());
}

/// Microseconds since 1970-01-01, wall clock (`i64::MIN`/`MAX` for ±infinity).
pub fn encode_timestamp(micros: i64, out: &mut Vec<u8>) {
    out.push(10);
    out.extend_from_slice(&micros.to_le_bytes());
}

/// Microseconds since 1970-01-01 UTC (`i64::MIN`/`MAX` for ±infinity).
pub fn encode_timestamptz(micros: i64, out: &mut Vec<u8>) {
    out.push(11);
    out.extend_from_slice(&micros.to_le_bytes());
}

/// A JSON document by its canonical form; a text that does not parse is encoded as it is,
/// under its own tag. Returns whether it parsed.
pub fn encode_json(text: &str, out: &mut Vec<u8>) -> bool {
    // Canonicalized in place after a length placeholder, patched once it is known.
    out.push(12);
    let len_at = out.len();
    out.extend_from_slice(&[0; 8]);
    if crate::convert::canonicalize_into(text, out).is_some() {
        let len = (out.len() - len_at - 8) as u64;
        out[len_at..len_at + 8].copy_from_slice(&len.to_le_bytes());
        true
    } else {
        out.truncate(len_at - 1);
        tagged_bytes(out, 13, text.as_bytes());
        false
    }
}

/// The text form of a type Ferry does not interpret (interval, inet, …).
pub fn encode_opaque(text: &str, out: &mut Vec<u8>) {
    tagged_bytes(out, 15, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::value::Decimal;

    fn digest(rows: &[Vec<Value>], types: &[ColumnType]) -> String {
        let types: Vec<&ColumnType> = types.iter().collect();
        let mut d = TableDigest::new();
        let mut scratch = vec![];
        for r in rows {
            d.add_row(r, &types, &mut scratch);
        }
        d.hex()
    }

    #[test]
    fn order_does_not_matter_but_content_does() {
        let types = [ColumnType::Int { bits: 64 }, ColumnType::Text];
        let a = vec![
            vec![Value::Int(1), Value::Text("a".into())],
            vec![Value::Int(2), Value::Text("b".into())],
        ];
        let mut b = a.clone();
        b.reverse();
        assert_eq!(digest(&a, &types), digest(&b, &types));
        let mut c = a.clone();
        c[1][1] = Value::Text("B".into());
        assert_ne!(digest(&a, &types), digest(&c, &types));
        // A duplicated row is a difference, not a no-op.
        let mut d = a.clone();
        d.push(a[0].clone());
        assert_ne!(digest(&a, &types), digest(&d, &types));
        // Moving a value between columns changes the digest (length-prefixed encoding).
        let e = vec![vec![Value::Text("ab".into()), Value::Text("".into())]];
        let f = vec![vec![Value::Text("a".into()), Value::Text("b".into())]];
        let tt = [ColumnType::Text, ColumnType::Text];
        assert_ne!(digest(&e, &tt), digest(&f, &tt));
    }

    #[test]
    fn canonical_equalities_and_inequalities() {
        let n = |s: &str| Value::Numeric(Decimal::parse(s).unwrap());
        let num = [ColumnType::Numeric {
            precision: Some(12),
            scale: Some(2),
        }];
        assert_eq!(
            digest(&[vec![n("1.50")]], &num),
            digest(&[vec![n("1.5")]], &num)
        );
        assert_ne!(
            digest(&[vec![n("1.5")]], &num),
            digest(&[vec![n("1.05")]], &num)
        );
        // Without a declared scale the scale is part of what is stored and read back.
        let free = [ColumnType::Numeric {
            precision: None,
            scale: None,
        }];
        assert_ne!(
            digest(&[vec![n("1.50")]], &free),
            digest(&[vec![n("1.5")]], &free)
        );
        assert_eq!(
            digest(&[vec![n("NaN")]], &free),
            digest(
                &[vec![Value::Numeric(Decimal::parse("nan").unwrap())]],
                &free
            )
        );
        let fl = [ColumnType::Float { bits: 64 }];
        assert_ne!(
            digest(&[vec![Value::Float(0.0)]], &fl),
            digest(&[vec![Value::Float(-0.0)]], &fl)
        );
        assert_ne!(
            digest(&[vec![Value::Null]], &fl),
            digest(&[vec![Value::Float(0.0)]], &fl)
        );
        let ch = [ColumnType::Char { len: 4 }];
        assert_eq!(
            digest(&[vec![Value::Text("ab  ".into())]], &ch),
            digest(&[vec![Value::Text("ab".into())]], &ch)
        );
        let tx = [ColumnType::Text];
        assert_ne!(
            digest(&[vec![Value::Text("ab  ".into())]], &tx),
            digest(&[vec![Value::Text("ab".into())]], &tx)
        );
    }

    #[test]
    fn merge_equals_sequential() {
        let types = [ColumnType::Int { bits: 64 }];
        let tys: Vec<&ColumnType> = types.iter().collect();
        let mut whole = TableDigest::new();
        let mut left = TableDigest::new();
        let mut right = TableDigest::new();
        let mut s = vec![];
        for i in 0..100 {
            let row = [Value::Int(i * 7919)];
            whole.add_row(&row, &tys, &mut s);
            if i % 2 == 0 {
                left.add_row(&row, &tys, &mut s)
            } else {
                right.add_row(&row, &tys, &mut s)
            }
        }
        left.merge(&right);
        assert_eq!(whole, left);
    }
}
