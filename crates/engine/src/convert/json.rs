//! JSON in SQLite: canonical JSON for digests, and PostgreSQL arrays stored as JSON arrays.
//!
//! # Array encoding
//! A PostgreSQL array is stored as a JSON array; a nested JSON array is one more dimension
//! (PostgreSQL requires every sub-array of a level to have the same length). SQL `NULL`
//! elements are JSON `null`. Elements are encoded so that reading them back is exact:
//! - bool → `true`/`false`; int → a JSON number;
//! - float → a JSON number in its shortest round-trip form (`-0.0` kept), `NaN`,
//!   `Infinity`, `-Infinity` as strings;
//! - numeric → a JSON number with the decimal's exact digits (the workspace's serde_json keeps
//!   them), `NaN`/`Infinity` as strings;
//! - bytea → a string `\x` followed by lower-case hex, as PostgreSQL prints bytea;
//! - json/jsonb → a string holding the JSON text (so a JSON `null` element differs from a
//!   SQL `NULL`); on reading, a non-string value is accepted as the JSON itself;
//! - everything else (text, varchar, enum, uuid, dates and times, opaque) → a string in the
//!   same text form [`super::to_sqlite`] uses for a scalar column.
//!
//! Reading converts each element through [`super::from_sqlite`] with the element type, so
//! every scalar rule (ranges, scale, UTF-8, time zones) applies inside arrays too.

use serde_json::Value as J;

use super::from_sqlite::{check_numeric, from_sqlite, text};
use super::{ColumnRules, Problem, ProblemKind as K};
use crate::model::catalog::ColumnType;
use crate::model::value::{Decimal, SqliteValue as S, Value};

/// A canonical form of JSON text for comparing values in digests, or `None` if it does not
/// parse.
///
/// Object keys are in jsonb's order (shorter first, then by bytes) and every duplicate key
/// is kept, in the order written; there is no insignificant whitespace; strings are
/// re-escaped by serde_json's rules; numbers are compared by value: written as
/// [`Decimal::canonical`], so `1`, `1.0` and `1.00` are equal (jsonb compares them equal too,
/// though it keeps their text).
pub fn canonical_json(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    super::json_canon::canonicalize_into(text, &mut out)?;
    // The canonical form is built from valid UTF-8 text and UTF-8 encoded characters.
    String::from_utf8(out).ok()
}

fn bad_array(detail: impl Into<String>) -> Problem {
    Problem::new(K::BadArray, detail)
}

/// Reads a TEXT value holding a JSON array into a `Value::Array` of `element`s.
pub(super) fn array_from_sqlite(
    v: &S,
    element: &ColumnType,
    rules: &ColumnRules,
) -> Result<Value, Problem> {
    let array_type = ColumnType::Array {
        element: Box::new(element.clone()),
    };
    let s = text(v, &array_type, rules)?;
    let parsed: J = serde_json::from_str(&s)
        .map_err(|e| bad_array(format!("{} is not a JSON array ({e})", v.describe())))?;
    if !matches!(parsed, J::Array(_)) {
        return Err(bad_array(format!("{} is not a JSON array", v.describe())));
    }
    shape(&parsed).map_err(|why| bad_array(format!("{}: {why}", v.describe())))?;
    element_value(&parsed, element, rules, &mut String::new())
}

/// Checks that nested arrays are rectangular (PostgreSQL arrays are); returns the dimensions.
fn shape(v: &J) -> Result<Vec<usize>, String> {
    let J::Array(items) = v else {
        return Ok(vec![]);
    };
    let subs: Vec<&J> = items.iter().filter(|i| i.is_array()).collect();
    if subs.is_empty() {
        return Ok(vec![items.len()]);
    }
    if subs.len() != items.len() {
        return Err("mixes sub-arrays with other elements".into());
    }
    let first = shape(subs[0])?;
    if first.first() == Some(&0) {
        return Err("has an empty sub-array".into());
    }
    for s in &subs[1..] {
        if shape(s)? != first {
            return Err(
                "has sub-arrays of different lengths (PostgreSQL arrays are rectangular)".into(),
            );
        }
    }
    Ok([vec![items.len()], first].concat())
}

fn element_value(
    j: &J,
    element: &ColumnType,
    rules: &ColumnRules,
    path: &mut String,
) -> Result<Value, Problem> {
    let at = |path: &str, p: Problem| Problem::new(p.kind, format!("element {path}: {}", p.detail));
    match (j, element) {
        (J::Array(items), _) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{}]", i + 1));
                out.push(element_value(item, element, rules, path)?);
                path.truncate(len);
            }
            Ok(Value::Array(out))
        }
        (J::Null, _) => Ok(Value::Null),
        (J::String(s), ColumnType::Json { binary }) => from_sqlite(
            &S::Text(s.clone().into_bytes()),
            &ColumnType::Json { binary: *binary },
            rules,
        )
        .map_err(|p| at(path, p)),
        (_, ColumnType::Json { .. }) => Ok(Value::Json(j.to_string())),
        (J::String(s), ColumnType::Bytes) => decode_hex(s).map(Value::Bytes).ok_or_else(|| {
            at(
                path,
                bad_array(format!("'{s}' is not \\x followed by hex digits")),
            )
        }),
        (J::Number(n), ColumnType::Numeric { precision, scale }) => {
            let d = Decimal::parse(&n.to_string())
                .ok_or_else(|| at(path, bad_array(format!("{n} is not a number"))))?;
            check_numeric(d, *precision, *scale).map_err(|p| at(path, p))
        }
        (J::Number(n), ColumnType::Float { .. }) => {
            let f = exact_f64(&n.to_string()).map_err(|p| at(path, p))?;
            from_sqlite(&S::Real(f), element, rules).map_err(|p| at(path, p))
        }
        (J::Number(n), _) => {
            let t = n.to_string();
            let stored = match t.parse::<i64>() {
                Ok(i) => S::Integer(i),
                Err(_) => S::Real(exact_f64(&t).map_err(|p| at(path, p))?),
            };
            from_sqlite(&stored, element, rules).map_err(|p| at(path, p))
        }
        (J::Bool(b), _) => {
            from_sqlite(&S::Integer(i64::from(*b)), element, rules).map_err(|p| at(path, p))
        }
        (J::String(s), _) => {
            from_sqlite(&S::Text(s.clone().into_bytes()), element, rules).map_err(|p| at(path, p))
        }
        (J::Object(_), _) => Err(at(
            path,
            bad_array(format!("an object is not a {} value", element.pg_name())),
        )),
    }
}

/// The f64 a JSON number's text denotes, refused unless that double prints back as the same
/// decimal value (so `0.1000000000000000000001` is not silently rounded).
fn exact_f64(text: &str) -> Result<f64, Problem> {
    let f: f64 = text
        .parse()
        .map_err(|_| Problem::new(K::NotNumeric, format!("{text} is not a number")))?;
    let same = match (Decimal::parse(text), Decimal::parse(&f.to_string())) {
        (Some(a), Some(b)) => f.is_finite() && a.canonical() == b.canonical(),
        _ => false,
    };
    if same {
        Ok(f)
    } else {
        Err(Problem::new(
            K::PrecisionLoss,
            format!("{text} has no exact double-precision value"),
        ))
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let hex = s.strip_prefix("\\x")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

fn encode_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("\\x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn number(text: &str) -> Result<J, Problem> {
    serde_json::from_str::<serde_json::Number>(text)
        .map(J::Number)
        .map_err(|_| {
            Problem::new(
                K::NotRepresentable,
                format!("{text} has no JSON number form"),
            )
        })
}

/// Encodes one array element (or nested array) as JSON, per the module doc.
pub(super) fn element_json(v: &Value, element: &ColumnType) -> Result<J, Problem> {
    Ok(match v {
        Value::Null => J::Null,
        Value::Array(items) => J::Array(
            items
                .iter()
                .map(|i| element_json(i, element))
                .collect::<Result<_, _>>()?,
        ),
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::Number((*i).into()),
        Value::Float(f) if f.is_nan() => J::String("NaN".into()),
        Value::Float(f) if f.is_infinite() => {
            J::String(if *f > 0.0 { "Infinity" } else { "-Infinity" }.into())
        }
        Value::Float(f) => number(&format!("{f:?}"))?,
        Value::Numeric(d) if d.is_special() => J::String(d.as_str().into()),
        Value::Numeric(d) => number(d.as_str())?,
        Value::Bytes(b) => J::String(encode_hex(b)),
        Value::Json(s) => J::String(s.clone()),
        scalar => match super::to_sqlite(scalar, element)? {
            S::Text(t) => J::String(
                String::from_utf8(t)
                    .map_err(|_| Problem::new(K::InvalidUtf8, "element is not UTF-8"))?,
            ),
            other => {
                return Err(Problem::new(
                    K::NotRepresentable,
                    format!("{} cannot be an array element", other.describe()),
                ))
            }
        },
    })
}
