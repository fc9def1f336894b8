//! Column defaults in SQLite's dialect: reading them into [`DefaultValue`] and writing them back.
//!
//! Apps write "now" in half a dozen ways (`CURRENT_TIMESTAMP`, `(datetime('now'))`,
//! `strftime('%Y-%m-%d %H:%M:%f','now')`, …); recognising them is what lets the other side get
//! its own spelling (`now()`). Anything not recognised is kept verbatim as a SQLite-dialect
//! [`DefaultValue::Expression`]: reproduced for a SQLite target, dropped with a warning for a
//! PostgreSQL one, never guessed at.
//!
//! Decisions:
//! - `strftime('%s','now')` (epoch seconds as text) is *not* a timestamp default: it stays an
//!   expression, because the column holds a number, not an instant.
//! - `strftime(<format>,'now')` with any other format is the current instant (`local` with a
//!   `'localtime'` modifier): the format is a storage detail the target decides again.
//! - `nextval(…)` can only have been written for PostgreSQL; it becomes a Postgres-dialect
//!   expression, so it is kept there and dropped for SQLite.

use crate::model::catalog::{ColumnType, DefaultValue, Dialect};
use crate::model::value::{Decimal, Value};
use crate::sqlite::sql_text::{tokenize, unquote, TokKind};

/// The expression Ferry writes for [`DefaultValue::RandomUuid`]: a version-4 UUID as
/// lower-case hyphenated text (variant bits `8`–`b` chosen by `random()`).
pub const RANDOM_UUID_SQL: &str =
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || \
substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || \
substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))";

/// The expression Ferry writes for "now" in a `timestamptz` column: UTC with an explicit
/// offset and milliseconds (`2024-05-01 12:00:00.123+00:00`), the same shape as stored values.
pub const NOW_UTC_OFFSET_SQL: &str = "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')";

/// Reads a default as `PRAGMA table_info` reports it (the text after `DEFAULT`, as written).
pub fn parse_default(sql: &str, ty: &ColumnType) -> DefaultValue {
    let inner = strip_parens(sql.trim());
    let norm = normalize(inner);
    match norm.as_str() {
        "null" => return DefaultValue::Null,
        "current_timestamp" | "datetime('now')" | "now()" | "datetime('now','utc')" => {
            return DefaultValue::CurrentTimestamp { local: false }
        }
        "datetime('now','localtime')" => return DefaultValue::CurrentTimestamp { local: true },
        "current_date" | "date('now')" => return DefaultValue::CurrentDate,
        "date('now','localtime')" => return DefaultValue::CurrentDate,
        "current_time" | "time('now')" => return DefaultValue::CurrentTime,
        "gen_random_uuid()" | "uuid_generate_v4()" => return DefaultValue::RandomUuid,
        "true" => return bool_or_int(true, ty),
        "false" => return bool_or_int(false, ty),
        _ => {}
    }
    if norm == normalize(RANDOM_UUID_SQL) {
        return DefaultValue::RandomUuid;
    }
    if let Some(args) = norm
        .strip_prefix("strftime(")
        .and_then(|r| r.strip_suffix(')'))
    {
        if let Some(now) = strftime_now(args) {
            return now;
        }
    }
    if norm.starts_with("nextval(") {
        return DefaultValue::Expression {
            dialect: Dialect::Postgres,
            sql: inner.to_string(),
        };
    }
    if let Some(lit) = literal(inner, ty) {
        return DefaultValue::Literal(lit);
    }
    DefaultValue::Expression {
        dialect: Dialect::Sqlite,
        sql: inner.to_string(),
    }
}

/// `strftime(<fmt>,'now'[, 'localtime'|'utc'])` → the current instant, except epoch formats.
fn strftime_now(args: &str) -> Option<DefaultValue> {
    let parts: Vec<&str> = args.split(',').collect();
    let (fmt, rest) = parts.split_first()?;
    if rest.first() != Some(&"'now'") || fmt.contains("%s") || fmt.contains("%J") {
        return None;
    }
    match &rest[1..] {
        [] | ["'utc'"] => Some(DefaultValue::CurrentTimestamp { local: false }),
        ["'localtime'"] => Some(DefaultValue::CurrentTimestamp { local: true }),
        _ => None,
    }
}

fn bool_or_int(b: bool, ty: &ColumnType) -> DefaultValue {
    match ty {
        ColumnType::Int { .. } => DefaultValue::Literal(Value::Int(b as i64)),
        _ => DefaultValue::Literal(Value::Bool(b)),
    }
}

/// Removes parentheses that wrap the whole text: `((1))` → `1`, but not `(a) + (b)`.
fn strip_parens(mut s: &str) -> &str {
    loop {
        let t = s.trim();
        if !(t.starts_with('(') && t.ends_with(')')) {
            return t;
        }
        let toks = tokenize(t);
        let mut depth = 0i32;
        let mut wraps = true;
        for (i, tok) in toks.iter().enumerate() {
            match tok.kind {
                TokKind::Punct(b'(') => depth += 1,
                TokKind::Punct(b')') => {
                    depth -= 1;
                    if depth == 0 && i != toks.len() - 1 {
                        wraps = false;
                        break;
                    }
                }
                _ => {}
            }
        }
        if !wraps {
            return t;
        }
        s = &t[1..t.len() - 1];
    }
}

/// Lower-cased words, strings verbatim, no whitespace: for comparing spellings of one thing.
fn normalize(sql: &str) -> String {
    let mut out = String::new();
    for t in tokenize(sql) {
        let text = &sql[t.start..t.end];
        match t.kind {
            TokKind::Comment => {}
            // Strings keep their case: `'%S'` (seconds) is not `'%s'` (epoch).
            TokKind::Str => out.push_str(text),
            _ => out.push_str(&text.to_ascii_lowercase()),
        }
    }
    out
}

/// A constant: a (signed) number, a string, or a blob, typed for the column.
fn literal(sql: &str, ty: &ColumnType) -> Option<Value> {
    let toks = tokenize(sql);
    let code: Vec<_> = toks.iter().filter(|t| t.kind != TokKind::Comment).collect();
    match code.as_slice() {
        [t] if t.kind == TokKind::Str => Some(typed_string(&unquote(sql, t), ty)),
        [x, t]
            if t.kind == TokKind::Str
                && sql[x.start..x.end].eq_ignore_ascii_case("x")
                && x.end == t.start =>
        {
            hex_decode(&unquote(sql, t)).map(Value::Bytes)
        }
        [t] if t.kind == TokKind::Number => typed_number(&sql[t.start..t.end], ty),
        [s, t]
            if matches!(s.kind, TokKind::Punct(b'-') | TokKind::Punct(b'+'))
                && t.kind == TokKind::Number =>
        {
            let sign = if s.kind == TokKind::Punct(b'-') {
                "-"
            } else {
                ""
            };
            typed_number(&format!("{sign}{}", &sql[t.start..t.end]), ty)
        }
        _ => None,
    }
}

fn typed_number(text: &str, ty: &ColumnType) -> Option<Value> {
    let int = parse_int(text);
    match ty {
        ColumnType::Bool => match int {
            Some(0) => Some(Value::Bool(false)),
            Some(1) => Some(Value::Bool(true)),
            _ => None,
        },
        ColumnType::Int { .. } => int.map(Value::Int),
        ColumnType::Float { .. } => text
            .parse::<f64>()
            .ok()
            .or(int.map(|i| i as f64))
            .map(Value::Float),
        ColumnType::Numeric { .. } => Decimal::parse(text)
            .or_else(|| int.and_then(|i| Decimal::parse(&i.to_string())))
            .map(Value::Numeric),
        // A text column stores the number's text (SQLite converts it through its affinity).
        ColumnType::Text | ColumnType::Varchar { .. } | ColumnType::Char { .. } => {
            Some(Value::Text(text.to_string()))
        }
        _ => match int {
            Some(i) => Some(Value::Int(i)),
            None => text.parse::<f64>().ok().map(Value::Float),
        },
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        u64::from_str_radix(hex, 16).ok().map(|u| u as i64)?
    } else {
        digits.parse::<i64>().ok()?
    };
    Some(if neg { value.checked_neg()? } else { value })
}

fn typed_string(s: &str, ty: &ColumnType) -> Value {
    let lower = s.trim().to_ascii_lowercase();
    match ty {
        ColumnType::Bool => match lower.as_str() {
            "1" | "true" | "t" => Value::Bool(true),
            "0" | "false" | "f" => Value::Bool(false),
            _ => Value::Text(s.to_string()),
        },
        ColumnType::Int { .. } => {
            parse_int(s.trim()).map_or_else(|| Value::Text(s.to_string()), Value::Int)
        }
        ColumnType::Float { .. } => s
            .trim()
            .parse::<f64>()
            .map_or_else(|_| Value::Text(s.to_string()), Value::Float),
        ColumnType::Numeric { .. } => {
            Decimal::parse(s).map_or_else(|| Value::Text(s.to_string()), Value::Numeric)
        }
        ColumnType::Uuid => {
            uuid::Uuid::parse_str(s).map_or_else(|_| Value::Text(s.to_string()), Value::Uuid)
        }
        ColumnType::Json { .. } if serde_json::from_str::<serde_json::Value>(s).is_ok() => {
            Value::Json(s.to_string())
        }
        ColumnType::Opaque { .. } => Value::Opaque(s.to_string()),
        // Dates and times stay text here; the planner converts them with the column's rules.
        _ => Value::Text(s.to_string()),
    }
}

fn hex_decode(h: &str) -> Option<Vec<u8>> {
    if !h.len().is_multiple_of(2) {
        return None;
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Renders a default for a SQLite `DEFAULT` clause, or `Err(reason)` when it cannot be written
/// (the caller omits it and reports the reason).
pub fn render_default(default: &DefaultValue, ty: &ColumnType) -> Result<String, String> {
    Ok(match default {
        DefaultValue::Null => "NULL".into(),
        DefaultValue::Literal(v) => render_literal(v)?,
        DefaultValue::CurrentTimestamp { local: true } => "(datetime('now', 'localtime'))".into(),
        DefaultValue::CurrentTimestamp { local: false } => match ty {
            ColumnType::TimestampTz => format!("({NOW_UTC_OFFSET_SQL})"),
            _ => "CURRENT_TIMESTAMP".into(),
        },
        DefaultValue::CurrentDate => "CURRENT_DATE".into(),
        DefaultValue::CurrentTime => "CURRENT_TIME".into(),
        DefaultValue::RandomUuid => format!("({RANDOM_UUID_SQL})"),
        DefaultValue::Expression {
            dialect: Dialect::Sqlite,
            sql,
        } => format!("({sql})"),
        DefaultValue::Expression {
            dialect: Dialect::Postgres,
            sql,
        } => {
            return Err(format!(
                "PostgreSQL default expression {sql} has no SQLite equivalent"
            ))
        }
    })
}

/// A literal in SQLite's storage form: booleans 0/1, decimals as quoted text (a bare number
/// would pass through a double first and could lose digits), text quoted with `''`.
fn render_literal(v: &Value) -> Result<String, String> {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    Ok(match v {
        Value::Null => "NULL".into(),
        Value::Bool(b) => (*b as i32).to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_finite() => format!("{f:?}"),
        Value::Float(f) if f.is_nan() => {
            return Err("a NaN default cannot be written in SQLite".into())
        }
        Value::Float(f) => if *f > 0.0 { "9e999" } else { "-9e999" }.into(),
        Value::Numeric(d) => quote(d.as_str()),
        Value::Text(s) | Value::Json(s) | Value::Opaque(s) if !s.contains('\0') => quote(s),
        Value::Text(_) | Value::Json(_) | Value::Opaque(_) => {
            return Err("a default containing a NUL byte cannot be written".into())
        }
        Value::Bytes(b) => format!(
            "X'{}'",
            b.iter().map(|x| format!("{x:02X}")).collect::<String>()
        ),
        Value::Uuid(u) => quote(&u.hyphenated().to_string()),
        Value::Date(_) | Value::Time(_) | Value::Timestamp(_) | Value::TimestampTz(_) => quote(
            &crate::model::temporal::format_value(v)
                .ok_or_else(|| format!("default {} has no text form", v.describe()))?,
        ),
        Value::Array(_) => return Err("array defaults are not written for SQLite".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(v: Value) -> DefaultValue {
        DefaultValue::Literal(v)
    }
    fn expr(sql: &str) -> DefaultValue {
        DefaultValue::Expression {
            dialect: Dialect::Sqlite,
            sql: sql.into(),
        }
    }

    #[test]
    fn parses_defaults() {
        let int = ColumnType::Int { bits: 64 };
        let text = ColumnType::Text;
        let b = ColumnType::Bool;
        let f = ColumnType::Float { bits: 64 };
        let n = ColumnType::Numeric {
            precision: Some(10),
            scale: Some(2),
        };
        let ts = ColumnType::Timestamp;
        let now = DefaultValue::CurrentTimestamp { local: false };
        let cases: Vec<(&str, &ColumnType, DefaultValue)> = vec![
            ("CURRENT_TIMESTAMP", &ts, now.clone()),
            ("current_timestamp", &ts, now.clone()),
            ("datetime('now')", &ts, now.clone()),
            ("(datetime('now'))", &ts, now.clone()),
            ("(DATETIME( 'now' ))", &ts, now.clone()),
            (
                "datetime('now','localtime')",
                &ts,
                DefaultValue::CurrentTimestamp { local: true },
            ),
            ("strftime('%Y-%m-%d %H:%M:%f','now')", &ts, now.clone()),
            ("(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", &ts, now.clone()),
            (
                "strftime('%Y-%m-%d %H:%M:%S','now','localtime')",
                &ts,
                DefaultValue::CurrentTimestamp { local: true },
            ),
            ("(strftime('%s','now'))", &int, expr("strftime('%s','now')")),
            ("CURRENT_DATE", &ColumnType::Date, DefaultValue::CurrentDate),
            ("date('now')", &ColumnType::Date, DefaultValue::CurrentDate),
            ("CURRENT_TIME", &ColumnType::Time, DefaultValue::CurrentTime),
            ("NULL", &text, DefaultValue::Null),
            ("42", &int, lit(Value::Int(42))),
            ("-1", &int, lit(Value::Int(-1))),
            ("(-1)", &int, lit(Value::Int(-1))),
            ("((7))", &int, lit(Value::Int(7))),
            ("0x10", &int, lit(Value::Int(16))),
            ("'5'", &int, lit(Value::Int(5))),
            ("1.5", &f, lit(Value::Float(1.5))),
            ("-2", &f, lit(Value::Float(-2.0))),
            ("1e3", &f, lit(Value::Float(1000.0))),
            (
                "12.50",
                &n,
                lit(Value::Numeric(Decimal::parse("12.50").unwrap())),
            ),
            (
                "'12345678901234567890.12'",
                &n,
                lit(Value::Numeric(
                    Decimal::parse("12345678901234567890.12").unwrap(),
                )),
            ),
            ("'draft'", &text, lit(Value::Text("draft".into()))),
            ("'it''s'", &text, lit(Value::Text("it's".into()))),
            ("''", &text, lit(Value::Text(String::new()))),
            ("0", &text, lit(Value::Text("0".into()))),
            ("TRUE", &b, lit(Value::Bool(true))),
            ("false", &b, lit(Value::Bool(false))),
            ("0", &b, lit(Value::Bool(false))),
            ("1", &b, lit(Value::Bool(true))),
            ("'0'", &b, lit(Value::Bool(false))),
            ("'true'", &b, lit(Value::Bool(true))),
            ("'false'", &b, lit(Value::Bool(false))),
            ("TRUE", &int, lit(Value::Int(1))),
            (
                "X'00ff'",
                &ColumnType::Bytes,
                lit(Value::Bytes(vec![0, 255])),
            ),
            (
                "'[]'",
                &ColumnType::Json { binary: false },
                lit(Value::Json("[]".into())),
            ),
            (
                "gen_random_uuid()",
                &ColumnType::Uuid,
                DefaultValue::RandomUuid,
            ),
            ("now()", &ColumnType::TimestampTz, now.clone()),
            (
                "nextval('t_id_seq'::regclass)",
                &int,
                DefaultValue::Expression {
                    dialect: Dialect::Postgres,
                    sql: "nextval('t_id_seq'::regclass)".into(),
                },
            ),
            ("(abs(-1) + 1)", &int, expr("abs(-1) + 1")),
            ("(1) + (2)", &int, expr("(1) + (2)")),
            ("2", &b, expr("2")),
        ];
        for (sql, ty, want) in cases {
            assert_eq!(parse_default(sql, ty), want, "default {sql:?} on {ty:?}");
        }
    }

    #[test]
    fn renders_what_it_parses() {
        let cases: Vec<(DefaultValue, ColumnType)> = vec![
            (DefaultValue::Null, ColumnType::Text),
            (lit(Value::Bool(true)), ColumnType::Bool),
            (lit(Value::Int(-5)), ColumnType::Int { bits: 32 }),
            (lit(Value::Float(0.1)), ColumnType::Float { bits: 64 }),
            (lit(Value::Float(-1e300)), ColumnType::Float { bits: 64 }),
            (
                lit(Value::Numeric(
                    Decimal::parse("12345678901234567890.12").unwrap(),
                )),
                ColumnType::Numeric {
                    precision: None,
                    scale: None,
                },
            ),
            (lit(Value::Text("it's".into())), ColumnType::Text),
            (lit(Value::Bytes(vec![1, 2])), ColumnType::Bytes),
            (lit(Value::Uuid(uuid::Uuid::nil())), ColumnType::Uuid),
            (
                DefaultValue::CurrentTimestamp { local: false },
                ColumnType::Timestamp,
            ),
            (
                DefaultValue::CurrentTimestamp { local: false },
                ColumnType::TimestampTz,
            ),
            (
                DefaultValue::CurrentTimestamp { local: true },
                ColumnType::Timestamp,
            ),
            (DefaultValue::CurrentDate, ColumnType::Date),
            (DefaultValue::CurrentTime, ColumnType::Time),
            (DefaultValue::RandomUuid, ColumnType::Uuid),
            (expr("abs(-3)"), ColumnType::Int { bits: 64 }),
        ];
        for (d, ty) in cases {
            let sql = render_default(&d, &ty).unwrap();
            assert_eq!(parse_default(&sql, &ty), d, "rendered {sql:?}");
        }
        let pg = DefaultValue::Expression {
            dialect: Dialect::Postgres,
            sql: "now() - interval '1 day'".into(),
        };
        assert!(render_default(&pg, &ColumnType::TimestampTz).is_err());
    }
}
