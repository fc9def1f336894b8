//! Understanding a PostgreSQL column default (`pg_get_expr` output) as a [`DefaultValue`].
//!
//! Only the forms PostgreSQL's deparser actually prints are recognised: `now()`,
//! `CURRENT_TIMESTAMP`, `'x'::text`, `'-1'::integer`, `1.5`, `true`, `NULL::text`, `'{}'::text[]`.
//! A literal becomes a typed [`Value`] only when its text converts exactly for the column's
//! type; anything else stays an `Expression` in the PostgreSQL dialect, which a PostgreSQL
//! target reproduces verbatim and a SQLite target reports. The current-time functions are
//! recognised only on columns whose type gives them one meaning (`now()` on a `text` column
//! stores the session's rendering of the time, which is not portable).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::model::catalog::{ColumnType, DefaultValue, Dialect};
use crate::model::value::{
    Decimal, Value, DATE_INFINITY, DATE_NEG_INFINITY, TS_INFINITY, TS_NEG_INFINITY,
};

/// The default of a column of type `ty`, from the text of `pg_get_expr(adbin, adrelid)`.
pub(crate) fn parse_default(sql: &str, ty: &ColumnType) -> DefaultValue {
    let text = sql.trim();
    if let Some(d) = special(text, ty) {
        return d;
    }
    if let Some(literal) = split_literal(text) {
        if let Some(value) = literal.and_then(|l| typed_value(&l, ty)) {
            return DefaultValue::Literal(value);
        }
        if text.starts_with("NULL") {
            return DefaultValue::Null;
        }
    }
    DefaultValue::Expression {
        dialect: Dialect::Postgres,
        sql: text.to_string(),
    }
}

fn special(text: &str, ty: &ColumnType) -> Option<DefaultValue> {
    let upper = text.to_ascii_uppercase();
    Some(match (upper.as_str(), ty) {
        ("NOW()" | "CURRENT_TIMESTAMP" | "TRANSACTION_TIMESTAMP()", ColumnType::TimestampTz) => {
            DefaultValue::CurrentTimestamp { local: false }
        }
        ("LOCALTIMESTAMP", ColumnType::TimestampTz) => {
            DefaultValue::CurrentTimestamp { local: true }
        }
        // On a `timestamp` column these store the session's wall clock: local time.
        (
            "NOW()" | "CURRENT_TIMESTAMP" | "TRANSACTION_TIMESTAMP()" | "LOCALTIMESTAMP",
            ColumnType::Timestamp,
        ) => DefaultValue::CurrentTimestamp { local: true },
        (
            "(NOW() AT TIME ZONE 'UTC'::TEXT)" | "TIMEZONE('UTC'::TEXT, NOW())",
            ColumnType::Timestamp,
        ) => DefaultValue::CurrentTimestamp { local: false },
        ("CURRENT_DATE", ColumnType::Date) => DefaultValue::CurrentDate,
        ("CURRENT_TIME" | "LOCALTIME", ColumnType::Time) => DefaultValue::CurrentTime,
        (
            "GEN_RANDOM_UUID()" | "UUID_GENERATE_V4()" | "PUBLIC.UUID_GENERATE_V4()",
            ColumnType::Uuid,
        ) => DefaultValue::RandomUuid,
        _ => return None,
    })
}

/// A literal with optional casts: `Some(Some(text))` for `'text'::t` / `12` / `true`,
/// `Some(None)` for `NULL::t`, `None` when the expression is not a lone literal.
fn split_literal(text: &str) -> Option<Option<String>> {
    let (literal, rest) = if let Some(body) = text.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = body.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    end = Some(i + 1);
                    break;
                }
            } else {
                out.push(c);
            }
        }
        (Some(out), &body[end?..])
    } else {
        let end = text.find("::").unwrap_or(text.len());
        let word = &text[..end];
        let rest = &text[end..];
        if word == "NULL" {
            (None, rest)
        } else if word == "true" || word == "false" || is_number(word) {
            (Some(word.to_string()), rest)
        } else {
            return None;
        }
    };
    // What follows may only be type casts, never another operator or operand.
    let casts_only = rest.is_empty()
        || (rest.starts_with("::")
            && rest
                .chars()
                .all(|c| c.is_alphanumeric() || " _.\"[](),:".contains(c)));
    casts_only.then_some(literal)
}

fn is_number(word: &str) -> bool {
    let w = word.strip_prefix('-').unwrap_or(word);
    !w.is_empty()
        && w.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && w.bytes().filter(|&b| b == b'.').count() <= 1
}

/// The literal's text as a value of the column's type, when the conversion is exact.
fn typed_value(text: &str, ty: &ColumnType) -> Option<Value> {
    Some(match ty {
        ColumnType::Bool => match text {
            "true" | "t" => Value::Bool(true),
            "false" | "f" => Value::Bool(false),
            _ => return None,
        },
        ColumnType::Int { .. } => Value::Int(text.parse().ok()?),
        ColumnType::Float { .. } => Value::Float(match text {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            _ if is_number(text) || text.contains(['e', 'E']) => text.parse().ok()?,
            _ => return None,
        }),
        ColumnType::Numeric { .. } => Value::Numeric(Decimal::parse(text)?),
        ColumnType::Text | ColumnType::Varchar { .. } | ColumnType::Enum { .. } => {
            Value::Text(text.to_string())
        }
        // `char(n)` pads; a literal shorter than n is stored padded, so keep it as written.
        ColumnType::Char { .. } => Value::Text(text.to_string()),
        ColumnType::Uuid => Value::Uuid(uuid::Uuid::parse_str(text).ok()?),
        ColumnType::Json { .. } => {
            serde_json::from_str::<serde_json::Value>(text).ok()?;
            Value::Json(text.to_string())
        }
        ColumnType::Date => Value::Date(parse_date(text)?),
        ColumnType::Time => Value::Time(micros_of_day(
            NaiveTime::parse_from_str(text, "%H:%M:%S%.f").ok()?,
        )),
        ColumnType::Timestamp => Value::Timestamp(parse_timestamp(text)?),
        ColumnType::TimestampTz => Value::TimestampTz(parse_timestamptz(text)?),
        ColumnType::Array { .. } if text == "{}" => Value::Array(Vec::new()),
        ColumnType::Opaque { .. } => Value::Opaque(text.to_string()),
        _ => return None,
    })
}

const EPOCH_DAYS_CE: i32 = 719_163;

fn parse_date(text: &str) -> Option<i32> {
    match text {
        "infinity" => Some(DATE_INFINITY),
        "-infinity" => Some(DATE_NEG_INFINITY),
        _ => {
            let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
            Some(chrono::Datelike::num_days_from_ce(&d) - EPOCH_DAYS_CE)
        }
    }
}

fn micros_of_day(t: NaiveTime) -> i64 {
    t.num_seconds_from_midnight() as i64 * 1_000_000 + (t.nanosecond() / 1000) as i64
}

fn parse_timestamp(text: &str) -> Option<i64> {
    match text {
        "infinity" => Some(TS_INFINITY),
        "-infinity" => Some(TS_NEG_INFINITY),
        _ => Some(
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .ok()?
                .and_utc()
                .timestamp_micros(),
        ),
    }
}

/// PostgreSQL prints a `timestamptz` constant in the session's zone with a `+hh[:mm]` offset.
fn parse_timestamptz(text: &str) -> Option<i64> {
    match text {
        "infinity" => return Some(TS_INFINITY),
        "-infinity" => return Some(TS_NEG_INFINITY),
        _ => {}
    }
    let split = text.rfind(['+', '-']).filter(|&i| i > 10)?;
    let (local, offset) = text.split_at(split);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let mut parts = offset[1..].split(':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    let seconds: i64 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    let offset_micros = sign * (hours * 3600 + minutes * 60 + seconds) * 1_000_000;
    Some(parse_timestamp(local)? - offset_micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(v: Value) -> DefaultValue {
        DefaultValue::Literal(v)
    }

    #[test]
    fn defaults_as_postgres_prints_them() {
        let int = ColumnType::Int { bits: 32 };
        let num = ColumnType::Numeric {
            precision: None,
            scale: None,
        };
        let dbl = ColumnType::Float { bits: 64 };
        let vc = ColumnType::Varchar { max_len: Some(10) };
        let expr = |s: &str| DefaultValue::Expression {
            dialect: Dialect::Postgres,
            sql: s.into(),
        };
        let cases: Vec<(&str, ColumnType, DefaultValue)> = vec![
            (
                "now()",
                ColumnType::TimestampTz,
                DefaultValue::CurrentTimestamp { local: false },
            ),
            (
                "CURRENT_TIMESTAMP",
                ColumnType::TimestampTz,
                DefaultValue::CurrentTimestamp { local: false },
            ),
            (
                "transaction_timestamp()",
                ColumnType::TimestampTz,
                DefaultValue::CurrentTimestamp { local: false },
            ),
            (
                "LOCALTIMESTAMP",
                ColumnType::Timestamp,
                DefaultValue::CurrentTimestamp { local: true },
            ),
            (
                "now()",
                ColumnType::Timestamp,
                DefaultValue::CurrentTimestamp { local: true },
            ),
            (
                "(now() AT TIME ZONE 'utc'::text)",
                ColumnType::Timestamp,
                DefaultValue::CurrentTimestamp { local: false },
            ),
            (
                "CURRENT_TIMESTAMP",
                ColumnType::Text,
                expr("CURRENT_TIMESTAMP"),
            ),
            ("CURRENT_DATE", ColumnType::Date, DefaultValue::CurrentDate),
            ("LOCALTIME", ColumnType::Time, DefaultValue::CurrentTime),
            (
                "gen_random_uuid()",
                ColumnType::Uuid,
                DefaultValue::RandomUuid,
            ),
            (
                "uuid_generate_v4()",
                ColumnType::Uuid,
                DefaultValue::RandomUuid,
            ),
            ("'x'::text", ColumnType::Text, lit(Value::Text("x".into()))),
            (
                "'it''s'::character varying",
                vc.clone(),
                lit(Value::Text("it's".into())),
            ),
            (
                "'a::b'::text",
                ColumnType::Text,
                lit(Value::Text("a::b".into())),
            ),
            (
                "'a'::text || 'b'::text",
                ColumnType::Text,
                expr("'a'::text || 'b'::text"),
            ),
            ("0", int.clone(), lit(Value::Int(0))),
            ("'-1'::integer", int.clone(), lit(Value::Int(-1))),
            (
                "'-1.5'::numeric",
                num.clone(),
                lit(Value::Numeric(Decimal::parse("-1.5").unwrap())),
            ),
            (
                "1.5",
                num.clone(),
                lit(Value::Numeric(Decimal::parse("1.5").unwrap())),
            ),
            ("1.5", dbl.clone(), lit(Value::Float(1.5))),
            (
                "'1e300'::double precision",
                dbl.clone(),
                lit(Value::Float(1e300)),
            ),
            ("1.5", int.clone(), expr("1.5")),
            ("true", ColumnType::Bool, lit(Value::Bool(true))),
            ("false", ColumnType::Bool, lit(Value::Bool(false))),
            ("NULL::text", ColumnType::Text, DefaultValue::Null),
            (
                "'{}'::text[]",
                ColumnType::Array {
                    element: Box::new(ColumnType::Text),
                },
                lit(Value::Array(vec![])),
            ),
            (
                "ARRAY['a'::text]",
                ColumnType::Array {
                    element: Box::new(ColumnType::Text),
                },
                expr("ARRAY['a'::text]"),
            ),
            (
                "'1 day'::interval",
                ColumnType::Opaque {
                    name: "interval".into(),
                },
                lit(Value::Opaque("1 day".into())),
            ),
            (
                "'2024-02-29'::date",
                ColumnType::Date,
                lit(Value::Date(19782)),
            ),
            (
                "'2024-02-30'::date",
                ColumnType::Date,
                expr("'2024-02-30'::date"),
            ),
            (
                "'1970-01-01 00:00:01.5'::timestamp without time zone",
                ColumnType::Timestamp,
                lit(Value::Timestamp(1_500_000)),
            ),
            (
                "'1970-01-01 01:00:00+01'::timestamp with time zone",
                ColumnType::TimestampTz,
                lit(Value::TimestampTz(0)),
            ),
            (
                "'{\"a\": 1}'::jsonb",
                ColumnType::Json { binary: true },
                lit(Value::Json("{\"a\": 1}".into())),
            ),
            (
                "'nope'::jsonb",
                ColumnType::Json { binary: true },
                expr("'nope'::jsonb"),
            ),
            (
                "'happy'::mood",
                ColumnType::Enum {
                    name: "mood".into(),
                    labels: vec![],
                },
                lit(Value::Text("happy".into())),
            ),
            (
                "nextval('s'::regclass)",
                int.clone(),
                expr("nextval('s'::regclass)"),
            ),
            (
                "lower('X'::text)",
                ColumnType::Text,
                expr("lower('X'::text)"),
            ),
        ];
        for (sql, ty, want) in cases {
            assert_eq!(parse_default(sql, &ty), want, "default {sql} on {ty:?}");
        }
    }
}
