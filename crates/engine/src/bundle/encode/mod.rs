//! One row ⇄ one JSON line, exactly.
//!
//! A bundle keeps values in the terms of the database it was exported from, so a row is
//! either SQLite storage classes ([`SqliteValue`]) or PostgreSQL-typed [`Value`]s, and the
//! manifest's `source.dialect` says which. A line is a JSON array, one element per column
//! (in the manifest's `columns` order), then `\n`.
//!
//! Plain JSON is used only where it is exact by itself; everything else is a one-key object
//! whose key names the kind, so no value can be mistaken for another:
//!
//! | value | JSON |
//! |---|---|
//! | NULL | `null` |
//! | integer (any width) | a JSON integer: `-9223372036854775808` |
//! | text (valid UTF-8) | a JSON string (control characters and NUL escaped) |
//! | SQLite REAL / PostgreSQL float | `{"real":"1.5"}` / `{"float":"1.5"}`: Rust's shortest text that parses back to the same bits (`-0.0`, `5e-324`, `inf`, `-inf`, `NaN`; a NaN with another payload as `NaN:0x…` bits) |
//! | SQLite TEXT that is not UTF-8 | `{"text_bytes":"<base64>"}` |
//! | SQLite BLOB / bytea | `{"blob":"<base64>"}` / `{"bytes":"<base64>"}` |
//! | boolean | `true` / `false` |
//! | numeric | `{"numeric":"-12.50"}`: the exact decimal text (`NaN`, `Infinity` too) |
//! | uuid | `{"uuid":"6f1c0b7e-…"}` |
//! | date / time / timestamp / timestamptz | `{"date":"2024-02-29"}`, `{"time":"13:45:00.5"}`, `{"timestamp":"2024-02-29 13:45:00"}`, `{"timestamptz":"2024-02-29 12:45:00+00:00"}` (` BC`, `infinity`, `-infinity` as PostgreSQL writes them); a value whose text would not parse back exactly is written as its raw count instead: `{"date_days":n}`, `{"time_micros":n}`, `{"timestamp_micros":n}`, `{"timestamptz_micros":n}` |
//! | json / jsonb | `{"json":"<the text as stored>"}` (a string, so spacing and key order survive) |
//! | array | `{"array":[…elements, same rules…]}` |
//! | other PostgreSQL types | `{"opaque":"<PostgreSQL's text form>"}` |
//!
//! Why text for floats and temporal values rather than JSON numbers: JSON parsers round
//! decimal numbers differently and have no NaN or infinity; Rust's float formatting and
//! parsing are exact both ways, and the temporal text is checked to parse back before it is
//! written. Why base64: bytes stay a third larger rather than double (hex).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::Value as Json;

use crate::model::batch::RawBatch;
use crate::model::temporal;
use crate::model::value::{Decimal, SqliteValue, Value};

/// Appends every row of a batch as JSON lines.
pub fn batch(batch: &RawBatch, out: &mut Vec<u8>) {
    match batch {
        RawBatch::Sqlite(rows) => rows.iter().for_each(|r| sqlite_row(r, out)),
        RawBatch::Pg(rows) => rows.iter().for_each(|r| pg_row(r, out)),
    }
}

/// Appends one SQLite row as a JSON line (with its `\n`).
pub fn sqlite_row(row: &[SqliteValue], out: &mut Vec<u8>) {
    out.push(b'[');
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match v {
            SqliteValue::Null => out.extend_from_slice(b"null"),
            SqliteValue::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
            SqliteValue::Real(f) => tagged(out, "real", &float_text(*f)),
            SqliteValue::Text(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) => string(out, s),
                Err(_) => tagged(out, "text_bytes", &BASE64.encode(bytes)),
            },
            SqliteValue::Blob(bytes) => tagged(out, "blob", &BASE64.encode(bytes)),
        }
    }
    out.extend_from_slice(b"]\n");
}

/// Appends one PostgreSQL row as a JSON line (with its `\n`).
pub fn pg_row(row: &[Value], out: &mut Vec<u8>) {
    pg_values(row, out);
    out.push(b'\n');
}

fn pg_values(values: &[Value], out: &mut Vec<u8>) {
    out.push(b'[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        pg_value(v, out);
    }
    out.push(b']');
}

fn pg_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Float(f) => tagged(out, "float", &float_text(*f)),
        Value::Numeric(d) => tagged(out, "numeric", d.as_str()),
        Value::Text(s) => string(out, s),
        Value::Bytes(b) => tagged(out, "bytes", &BASE64.encode(b)),
        Value::Uuid(u) => tagged(out, "uuid", &u.hyphenated().to_string()),
        Value::Date(_) | Value::Time(_) | Value::Timestamp(_) | Value::TimestampTz(_) => {
            temporal_value(v, out)
        }
        Value::Json(s) => tagged(out, "json", s),
        Value::Array(items) => {
            out.extend_from_slice(b"{\"array\":");
            pg_values(items, out);
            out.push(b'}');
        }
        Value::Opaque(s) => tagged(out, "opaque", s),
    }
}

/// The readable form when it parses back to the same value, else the raw count.
fn temporal_value(v: &Value, out: &mut Vec<u8>) {
    let (tag, raw_tag, raw) = match v {
        Value::Date(d) => ("date", "date_days", i64::from(*d)),
        Value::Time(t) => ("time", "time_micros", *t),
        Value::Timestamp(t) => ("timestamp", "timestamp_micros", *t),
        Value::TimestampTz(t) => ("timestamptz", "timestamptz_micros", *t),
        _ => unreachable!("temporal_value is called for temporal values only"),
    };
    match temporal::format_value(v).filter(|text| parse_temporal(tag, text).as_ref() == Some(v)) {
        Some(text) => tagged(out, tag, &text),
        None => {
            out.extend_from_slice(format!("{{\"{raw_tag}\":{raw}}}").as_bytes());
        }
    }
}

fn parse_temporal(tag: &str, text: &str) -> Option<Value> {
    match tag {
        "date" => temporal::parse_date(text).ok().map(Value::Date),
        "time" => temporal::parse_time(text).ok().map(Value::Time),
        "timestamp" => temporal::parse_timestamp(text)
            .ok()
            .filter(|p| p.offset_seconds.is_none())
            .map(|p| Value::Timestamp(p.wall_micros)),
        "timestamptz" => temporal::parse_timestamp(text)
            .ok()
            .filter(|p| p.offset_seconds == Some(0))
            .map(|p| Value::TimestampTz(p.wall_micros)),
        _ => None,
    }
}

/// Shortest text that parses back to the same bits.
fn float_text(f: f64) -> String {
    if f.is_nan() && f.to_bits() != f64::NAN.to_bits() {
        format!("NaN:0x{:016x}", f.to_bits())
    } else {
        format!("{f:?}")
    }
}

fn parse_float(text: &str) -> Option<f64> {
    match text.strip_prefix("NaN:0x") {
        Some(hex) => u64::from_str_radix(hex, 16)
            .ok()
            .map(f64::from_bits)
            .filter(|f| f.is_nan()),
        None => text.parse::<f64>().ok(),
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn tagged(out: &mut Vec<u8>, tag: &str, text: &str) {
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(b"\":");
    string(out, text);
    out.push(b'}');
}

/// Decodes one line of a SQLite bundle into `width` values.
///
/// # Errors
/// A description of what is wrong (the caller adds file and line).
pub fn decode_sqlite_row(line: &[u8], width: usize) -> Result<Vec<SqliteValue>, String> {
    parse_line(line, width)?
        .into_iter()
        .map(|v| decode_sqlite(&v))
        .collect()
}

/// Decodes one line of a PostgreSQL bundle into `width` values.
///
/// # Errors
/// As [`decode_sqlite_row`].
pub fn decode_pg_row(line: &[u8], width: usize) -> Result<Vec<Value>, String> {
    parse_line(line, width)?.iter().map(decode_pg).collect()
}

fn parse_line(line: &[u8], width: usize) -> Result<Vec<Json>, String> {
    let values: Vec<Json> =
        serde_json::from_slice(line).map_err(|e| format!("not a JSON array of values ({e})"))?;
    if values.len() != width {
        return Err(format!(
            "{} value(s) where the manifest lists {width} column(s)",
            values.len()
        ));
    }
    Ok(values)
}

fn decode_sqlite(v: &Json) -> Result<SqliteValue, String> {
    match v {
        Json::Null => Ok(SqliteValue::Null),
        Json::Number(_) => integer(v).map(SqliteValue::Integer),
        Json::String(s) => Ok(SqliteValue::Text(s.clone().into_bytes())),
        Json::Object(_) => {
            let (tag, inner) = one_key(v)?;
            match tag {
                "real" => text_of(tag, inner)
                    .and_then(|t| parse_float(t).ok_or_else(|| bad(tag, inner)))
                    .map(SqliteValue::Real),
                "text_bytes" => bytes_of(tag, inner).map(SqliteValue::Text),
                "blob" => bytes_of(tag, inner).map(SqliteValue::Blob),
                other => Err(format!("unknown kind \"{other}\" in a SQLite bundle")),
            }
        }
        other => Err(format!("unexpected {other} in a SQLite bundle")),
    }
}

fn decode_pg(v: &Json) -> Result<Value, String> {
    match v {
        Json::Null => Ok(Value::Null),
        Json::Bool(b) => Ok(Value::Bool(*b)),
        Json::Number(_) => integer(v).map(Value::Int),
        Json::String(s) => Ok(Value::Text(s.clone())),
        Json::Array(_) => Err("a bare array (arrays are written {\"array\":[…]})".into()),
        Json::Object(_) => {
            let (tag, inner) = one_key(v)?;
            let text = || text_of(tag, inner);
            let parsed = |value: Option<Value>| value.ok_or_else(|| bad(tag, inner));
            match tag {
                "float" => parsed(parse_float(text()?).map(Value::Float)),
                "numeric" => parsed(Decimal::parse(text()?).map(Value::Numeric)),
                "bytes" => bytes_of(tag, inner).map(Value::Bytes),
                "uuid" => parsed(uuid::Uuid::parse_str(text()?).ok().map(Value::Uuid)),
                "date" | "time" | "timestamp" | "timestamptz" => {
                    parsed(parse_temporal(tag, text()?))
                }
                "date_days" => parsed(
                    integer(inner)
                        .ok()
                        .and_then(|n| i32::try_from(n).ok())
                        .map(Value::Date),
                ),
                "time_micros" => integer(inner).map(Value::Time),
                "timestamp_micros" => integer(inner).map(Value::Timestamp),
                "timestamptz_micros" => integer(inner).map(Value::TimestampTz),
                "json" => Ok(Value::Json(text()?.to_string())),
                "opaque" => Ok(Value::Opaque(text()?.to_string())),
                "array" => match inner {
                    Json::Array(items) => items
                        .iter()
                        .map(decode_pg)
                        .collect::<Result<_, _>>()
                        .map(Value::Array),
                    _ => Err(bad(tag, inner)),
                },
                other => Err(format!("unknown kind \"{other}\" in a PostgreSQL bundle")),
            }
        }
    }
}

fn one_key(v: &Json) -> Result<(&str, &Json), String> {
    match v {
        Json::Object(map) if map.len() == 1 => map
            .iter()
            .next()
            .map(|(k, v)| (k.as_str(), v))
            .ok_or_else(|| "an empty object".to_string()),
        _ => Err(format!("{v} is not a one-key {{\"kind\": value}} object")),
    }
}

fn integer(v: &Json) -> Result<i64, String> {
    v.as_i64()
        .ok_or_else(|| format!("{v} is not a 64-bit integer"))
}

fn text_of<'a>(tag: &str, v: &'a Json) -> Result<&'a str, String> {
    v.as_str().ok_or_else(|| bad(tag, v))
}

fn bytes_of(tag: &str, v: &Json) -> Result<Vec<u8>, String> {
    BASE64.decode(text_of(tag, v)?).map_err(|_| bad(tag, v))
}

fn bad(tag: &str, v: &Json) -> String {
    let shown: String = v.to_string().chars().take(80).collect();
    format!("{shown} is not a valid \"{tag}\" value")
}

#[cfg(test)]
mod tests;
