//! PostgreSQL arrays in binary form (`array_send` / `array_recv`), and the text literal form
//! used when an array's elements must travel as text.
//!
//! Binary layout: `ndim: i32, has_null: i32, element_oid: u32`, then per dimension
//! `size: i32, lower_bound: i32`, then every element in row-major order as `length: i32`
//! (−1 for NULL) and body. An empty array has `ndim = 0`. Ferry's value model nests
//! [`Value::Array`]s for extra dimensions and has no lower bounds, so arrays must be
//! rectangular, non-empty in every inner dimension, and 1-based; anything else is refused
//! rather than reshaped (PostgreSQL itself would turn `[[],[]]` into `{}`).

use super::{decode as decode_value, encode_as, malformed};
use crate::model::catalog::ColumnType;
use crate::model::value::Value;
use crate::{Error, Result};

/// PostgreSQL's `MAXDIM`.
const MAX_DIMS: usize = 6;

/// Appends the binary form of `items` (an array of `element`s whose type OID is
/// `element_oid`).
pub(super) fn encode(
    items: &[Value],
    element: &ColumnType,
    element_oid: u32,
    out: &mut Vec<u8>,
) -> Result<()> {
    let mut dims = [0i32; MAX_DIMS];
    let mut ndim = 0;
    let mut level = items;
    while !level.is_empty() {
        if ndim == MAX_DIMS {
            return Err(Error::bad_input(format!(
                "array has more than {MAX_DIMS} dimensions"
            )));
        }
        dims[ndim] =
            i32::try_from(level.len()).map_err(|_| Error::bad_input("array is too large"))?;
        ndim += 1;
        match &level[0] {
            Value::Array(inner) if inner.is_empty() => {
                return Err(Error::bad_input(
                    "array has an empty inner dimension, which PostgreSQL cannot store (it would become {})",
                ))
            }
            Value::Array(inner) => level = inner,
            _ => break,
        }
    }
    out.extend_from_slice(&(ndim as i32).to_be_bytes());
    let flag_at = out.len();
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend_from_slice(&element_oid.to_be_bytes());
    for size in &dims[..ndim] {
        out.extend_from_slice(&size.to_be_bytes());
        out.extend_from_slice(&1i32.to_be_bytes());
    }
    let mut has_null = false;
    if ndim > 0 {
        encode_level(
            items,
            &dims[..ndim],
            element,
            element_oid,
            out,
            &mut has_null,
        )?;
    }
    if has_null {
        out[flag_at..flag_at + 4].copy_from_slice(&1i32.to_be_bytes());
    }
    Ok(())
}

fn encode_level(
    items: &[Value],
    dims: &[i32],
    element: &ColumnType,
    element_oid: u32,
    out: &mut Vec<u8>,
    has_null: &mut bool,
) -> Result<()> {
    let not_rectangular =
        || Error::bad_input("array is not rectangular: sub-arrays differ in length or depth");
    if items.len() != dims[0] as usize {
        return Err(not_rectangular());
    }
    for item in items {
        match item {
            Value::Array(inner) if dims.len() > 1 => {
                encode_level(inner, &dims[1..], element, element_oid, out, has_null)?
            }
            Value::Array(_) => return Err(not_rectangular()),
            _ if dims.len() > 1 => return Err(not_rectangular()),
            Value::Null => {
                *has_null = true;
                out.extend_from_slice(&(-1i32).to_be_bytes());
            }
            value => {
                let at = out.len();
                out.extend_from_slice(&[0; 4]);
                encode_as(value, element, Some(element_oid), out)?;
                let len = i32::try_from(out.len() - at - 4)
                    .map_err(|_| Error::bad_input("array element is larger than 2 GiB"))?;
                out[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
        }
    }
    Ok(())
}

/// Appends an array's text literal (`{"a","b",NULL}`, nested braces for more dimensions),
/// for a staging column that PostgreSQL casts to the real array type. Elements are always
/// quoted, so any text survives.
pub(super) fn encode_text_form(items: &[Value], out: &mut Vec<u8>) -> Result<()> {
    out.push(b'{');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match item {
            Value::Null => out.extend_from_slice(b"NULL"),
            Value::Array(inner) => encode_text_form(inner, out)?,
            Value::Text(s) | Value::Opaque(s) => {
                if s.as_bytes().contains(&0) {
                    return Err(Error::bad_input(
                        "array element contains a NUL character, which PostgreSQL text cannot hold",
                    ));
                }
                out.push(b'"');
                for b in s.bytes() {
                    if b == b'"' || b == b'\\' {
                        out.push(b'\\');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
            other => {
                return Err(Error::bad_input(format!(
                    "array element {} has no text form here",
                    other.describe()
                )));
            }
        }
    }
    out.push(b'}');
    Ok(())
}

/// Decodes a binary array of `element`s into nested [`Value::Array`]s.
pub(super) fn decode(bytes: &[u8], element: &ColumnType) -> Result<Value> {
    let ty = ColumnType::Array {
        element: Box::new(element.clone()),
    };
    let mut r = Reader {
        bytes,
        at: 0,
        ty: &ty,
    };
    let ndim = r.i32()?;
    if !(0..=MAX_DIMS as i32).contains(&ndim) {
        return Err(malformed(&ty, &format!("{ndim} dimensions")));
    }
    let flags = r.i32()?;
    if flags != 0 && flags != 1 {
        return Err(malformed(&ty, &format!("unknown flags {flags}")));
    }
    let oid = r.i32()? as u32;
    if let Some(expected) = super::type_oid(element) {
        if oid != expected {
            return Err(malformed(
                &ty,
                &format!("element type oid {oid}, expected {expected}"),
            ));
        }
    }
    let mut dims = Vec::with_capacity(ndim as usize);
    let mut total: usize = 1;
    for _ in 0..ndim {
        let size = r.i32()?;
        let lower = r.i32()?;
        if size < 0 {
            return Err(malformed(&ty, &format!("dimension of size {size}")));
        }
        if lower != 1 {
            return Err(Error::runtime(format!(
                "array with lower bound {lower} (like '[{lower}:…]={{…}}'): Ferry keeps arrays 1-based, so it cannot \
                 move this value unchanged; rebase it with array_cat('{{}}', col) or exclude the column"
            )));
        }
        dims.push(size as usize);
        total = total
            .checked_mul(size as usize)
            .filter(|t| *t <= bytes.len() / 4)
            .ok_or_else(|| malformed(&ty, "more elements than bytes"))?;
    }
    if ndim == 0 {
        total = 0;
    }
    let mut flat = Vec::with_capacity(total);
    for _ in 0..total {
        let len = r.i32()?;
        if len == -1 {
            flat.push(Value::Null);
        } else {
            let len =
                usize::try_from(len).map_err(|_| malformed(&ty, "negative element length"))?;
            flat.push(decode_value(r.take(len)?, element)?);
        }
    }
    if r.at != bytes.len() {
        return Err(malformed(&ty, "trailing bytes after the last element"));
    }
    if dims.is_empty() {
        return Ok(Value::Array(flat));
    }
    let mut flat = flat.into_iter();
    Ok(nest(&dims, &mut flat))
}

/// Regroups row-major elements into one nested array per dimension.
fn nest(dims: &[usize], flat: &mut std::vec::IntoIter<Value>) -> Value {
    if dims.len() == 1 {
        return Value::Array(flat.by_ref().take(dims[0]).collect());
    }
    Value::Array((0..dims[0]).map(|_| nest(&dims[1..], flat)).collect())
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    ty: &'a ColumnType,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| malformed(self.ty, "truncated"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn i32(&mut self) -> Result<i32> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int4() -> ColumnType {
        ColumnType::Int { bits: 32 }
    }

    #[test]
    fn nested_arrays_roundtrip() {
        let cases = [
            Value::Array(vec![]),
            Value::Array(vec![Value::Int(1), Value::Null, Value::Int(3)]),
            Value::Array(vec![
                Value::Array(vec![Value::Int(1), Value::Int(2)]),
                Value::Array(vec![Value::Int(3), Value::Null]),
            ]),
        ];
        for value in cases {
            let Value::Array(items) = &value else {
                unreachable!()
            };
            let mut out = Vec::new();
            encode(items, &int4(), 23, &mut out).unwrap();
            assert_eq!(decode(&out, &int4()).unwrap(), value);
        }
    }

    #[test]
    fn irregular_arrays_are_refused() {
        let ragged = vec![
            Value::Array(vec![Value::Int(1)]),
            Value::Array(vec![Value::Int(2), Value::Int(3)]),
        ];
        let mixed = vec![Value::Array(vec![Value::Int(1)]), Value::Int(2)];
        let empty_inner = vec![Value::Array(vec![]), Value::Array(vec![])];
        for items in [ragged, mixed, empty_inner] {
            assert!(
                encode(&items, &int4(), 23, &mut Vec::new()).is_err(),
                "{items:?}"
            );
        }
    }

    #[test]
    fn lower_bound_other_than_one_is_explained() {
        let mut bytes = Vec::new();
        for word in [1i32, 0, 23, 1, 0, 4, 7] {
            bytes.extend_from_slice(&word.to_be_bytes());
        }
        let err = decode(&bytes, &int4()).unwrap_err().to_string();
        assert!(err.contains("lower bound 0"), "{err}");
    }

    #[test]
    fn text_form_quotes_everything() {
        let items = vec![
            Value::Opaque("a \"b\" \\c".into()),
            Value::Null,
            Value::Array(vec![]),
        ];
        let mut out = Vec::new();
        encode_text_form(&items, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a \"b\" \\c",NULL,{}}"#
        );
    }
}
