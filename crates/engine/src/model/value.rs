//! The neutral value model every row travels in, between a source reader and a sink writer.
//!
//! A [`Value`] is already typed for the *target* column: readers produce values in their own
//! database's terms ([`crate::sqlite`] produces [`SqliteValue`]s, PostgreSQL's binary COPY
//! decoder produces `Value`s directly), and [`crate::convert`] turns them into the value the
//! target column holds, or refuses with a [`crate::convert::Problem`] that the preflight reports.
//!
//! Representations were chosen so that nothing is rounded on the way:
//! - integers of every width are `Int(i64)`; a narrower target column range-checks on convert;
//! - floats are `Float(f64)` and compared bit for bit (so `-0.0 != 0.0`, and NaN equals NaN);
//! - `numeric` is its exact decimal text ([`Decimal`]), never a float;
//! - dates and times count days / microseconds from 1970-01-01 (PostgreSQL's own resolution),
//!   with `i32::MIN/MAX` and `i64::MIN/MAX` standing for `-infinity` / `infinity` exactly as
//!   PostgreSQL stores them; `TimestampTz` is an instant (UTC), `Timestamp` a wall-clock reading;
//! - JSON is its text; two JSON values are equal when [`crate::convert::digest`]'s canonical forms are;
//! - PostgreSQL types Ferry does not interpret (interval, inet, money, …) travel as
//!   `Opaque(text form)`, which PostgreSQL parses again on the way back.

use serde::{Deserialize, Serialize};

/// One value of one column, in the target's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Numeric(Decimal),
    Text(String),
    Bytes(Vec<u8>),
    Uuid(uuid::Uuid),
    /// Days since 1970-01-01; `i32::MIN` / `i32::MAX` are `-infinity` / `infinity`.
    Date(i32),
    /// Microseconds since midnight.
    Time(i64),
    /// Microseconds since 1970-01-01 00:00:00 as a wall-clock reading (no zone).
    Timestamp(i64),
    /// Microseconds since the Unix epoch (an instant, UTC).
    TimestampTz(i64),
    /// JSON text, already known to parse.
    Json(String),
    /// A PostgreSQL array: elements in order; nested arrays for more dimensions.
    Array(Vec<Value>),
    /// A PostgreSQL value Ferry moves as its text form (interval, inet, money, tsvector, …).
    Opaque(String),
}

pub const DATE_NEG_INFINITY: i32 = i32::MIN;
pub const DATE_INFINITY: i32 = i32::MAX;
pub const TS_NEG_INFINITY: i64 = i64::MIN;
pub const TS_INFINITY: i64 = i64::MAX;

/// A value as SQLite stores it, before conversion: SQLite's five storage classes, with TEXT
/// kept as bytes because SQLite does not enforce UTF-8 and invalid text must be reported,
/// not mangled.
#[derive(Debug, Clone, PartialEq)]
pub enum SqliteValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

impl SqliteValue {
    pub fn is_null(&self) -> bool {
        matches!(self, SqliteValue::Null)
    }

    /// A short, safe rendering for findings and error messages (truncated, escaped).
    pub fn describe(&self) -> String {
        match self {
            SqliteValue::Null => "NULL".into(),
            SqliteValue::Integer(i) => i.to_string(),
            SqliteValue::Real(f) => format!("{f:?}"),
            SqliteValue::Text(b) => format!(
                "'{}'",
                truncate(&escape_controls(&String::from_utf8_lossy(b)), 80)
            ),
            SqliteValue::Blob(b) => format!("<blob of {} bytes>", b.len()),
        }
    }

    pub fn storage_class(&self) -> &'static str {
        match self {
            SqliteValue::Null => "null",
            SqliteValue::Integer(_) => "integer",
            SqliteValue::Real(_) => "real",
            SqliteValue::Text(_) => "text",
            SqliteValue::Blob(_) => "blob",
        }
    }
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A short, safe rendering for findings, diffs and error messages.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "NULL".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f:?}"),
            Value::Numeric(d) => d.as_str().to_string(),
            Value::Text(s) | Value::Json(s) | Value::Opaque(s) => {
                format!("'{}'", truncate(&escape_controls(s), 80))
            }
            Value::Bytes(b) => format!("<{} bytes>", b.len()),
            Value::Uuid(u) => u.to_string(),
            Value::Date(_) | Value::Time(_) | Value::Timestamp(_) | Value::TimestampTz(_) => {
                crate::model::temporal::format_value(self)
                    .unwrap_or_else(|| "<out of range>".into())
            }
            Value::Array(items) => {
                let inner: Vec<String> = items.iter().take(8).map(Value::describe).collect();
                format!(
                    "[{}{}]",
                    inner.join(", "),
                    if items.len() > 8 { ", …" } else { "" }
                )
            }
        }
    }
}

/// Characters shown around the first difference of two long values.
const DIFF_WINDOW: usize = 24;

/// How `source` became `target`, for a verification difference: both values in short, or —
/// when text or bytes are too long to show whole — where they first differ (character or
/// byte offset, counted from 0, and both lengths) with a window around that place, so the
/// change is visible and not hidden behind two identical 80-character prefixes.
pub fn describe_change(source: &Value, target: &Value) -> String {
    match (source, target) {
        (
            Value::Text(a) | Value::Json(a) | Value::Opaque(a),
            Value::Text(b) | Value::Json(b) | Value::Opaque(b),
        ) if a.chars().count() > 80 || b.chars().count() > 80 => {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let at = first_difference(&a, &b);
            let window = |v: &[char]| {
                let from = at.saturating_sub(DIFF_WINDOW);
                let to = (at + DIFF_WINDOW).min(v.len());
                let text: String = v[from.min(v.len())..to].iter().collect();
                let before = if from > 0 { "…" } else { "" };
                let after = if to < v.len() { "…" } else { "" };
                format!("'{before}{}{after}'", escape_controls(&text))
            };
            format!(
                "differs from character {at} (lengths {} and {}): {} → {}",
                a.len(),
                b.len(),
                window(&a),
                window(&b)
            )
        }
        (Value::Bytes(a), Value::Bytes(b)) => {
            let at = first_difference(a, b);
            let window = |v: &[u8]| {
                let from = at.saturating_sub(8);
                let to = (at + 8).min(v.len());
                let hex: String = v[from.min(v.len())..to]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                format!(
                    "{}{hex}{}",
                    if from > 0 { "…" } else { "" },
                    if to < v.len() { "…" } else { "" }
                )
            };
            format!(
                "differs from byte {at} (lengths {} and {}): {} → {}",
                a.len(),
                b.len(),
                window(a),
                window(b)
            )
        }
        _ => format!("{} → {}", source.describe(), target.describe()),
    }
}

/// The index of the first element where `a` and `b` differ (the shorter length if one is a
/// prefix of the other).
fn first_difference<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

/// Control characters (NUL, newlines, tabs…) made visible; everything else as a person wrote it.
fn escape_controls(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\0' => "\\0".to_string(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Whether `text` is already what [`Decimal::parse`] makes of it: `-?(0|[1-9][0-9]*)(.[0-9]+)?`,
/// and no sign on a zero.
fn is_plain_form(text: &[u8]) -> bool {
    let (negative, rest) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let int_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (int, after) = rest.split_at(int_len);
    let int_ok = int == b"0" || (!int.is_empty() && int[0] != b'0');
    let frac_ok = match after.split_first() {
        None => true,
        Some((b'.', frac)) => !frac.is_empty() && frac.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    };
    let zero = || int == b"0" && after.iter().all(|b| matches!(b, b'.' | b'0'));
    int_ok && frac_ok && !(negative && zero())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// An exact decimal number as text: `-?digits(.digits)?`, or `NaN`, `Infinity`, `-Infinity`.
///
/// Construction validates the form; [`Decimal::canonical`] strips leading zeros and trailing
/// fractional zeros so that `1.50` and `1.5` compare equal in digests (the *value* is what a
/// migration must keep; PostgreSQL re-pads to the column's scale on its own).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Decimal(String);

impl From<Decimal> for String {
    fn from(d: Decimal) -> String {
        d.0
    }
}

/// Deserializing validates like [`Decimal::parse`] (catalog defaults read back from a bundle).
impl TryFrom<String> for Decimal {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Decimal::parse(&text).ok_or_else(|| format!("'{text}' is not a decimal number"))
    }
}

impl Decimal {
    /// Parses decimal text as PostgreSQL's `numeric_in` would accept it, including exponents
    /// (`1.5e3`), which are expanded so that the stored text is plain digits.
    pub fn parse(text: &str) -> Option<Decimal> {
        // Nearly every value a copy meets is already in the stored form (numeric's own
        // output, a SQLite REAL's shortest text): one scan, one copy.
        if is_plain_form(text.as_bytes()) {
            return Some(Decimal(text.to_string()));
        }
        Decimal::parse_general(text)
    }

    /// [`Decimal::parse`] for any text: signs, exponents, leading and trailing zeros, blanks.
    fn parse_general(text: &str) -> Option<Decimal> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "nan" => return Some(Decimal("NaN".into())),
            "infinity" | "+infinity" | "inf" | "+inf" => return Some(Decimal("Infinity".into())),
            "-infinity" | "-inf" => return Some(Decimal("-Infinity".into())),
            _ => {}
        }
        let (negative, rest) = match t.as_bytes().first()? {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], rest[i + 1..].parse::<i32>().ok()?),
            None => (rest, 0),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        if exponent.unsigned_abs() > 1000 {
            return None;
        }
        // Shift the decimal point by the exponent over the digit string.
        let digits = format!("{int_part}{frac_part}");
        let point = int_part.len() as i64 + exponent as i64;
        let (int_digits, frac_digits) = if point <= 0 {
            (
                String::from("0"),
                format!("{}{}", "0".repeat((-point) as usize), digits),
            )
        } else if point as usize >= digits.len() {
            (
                format!("{}{}", digits, "0".repeat(point as usize - digits.len())),
                String::new(),
            )
        } else {
            (
                digits[..point as usize].to_string(),
                digits[point as usize..].to_string(),
            )
        };
        let int_digits = int_digits.trim_start_matches('0');
        let int_digits = if int_digits.is_empty() {
            "0"
        } else {
            int_digits
        };
        let mut s = String::with_capacity(int_digits.len() + frac_digits.len() + 2);
        let is_zero = int_digits == "0" && frac_digits.bytes().all(|b| b == b'0');
        if negative && !is_zero {
            s.push('-');
        }
        s.push_str(int_digits);
        if !frac_digits.is_empty() {
            s.push('.');
            s.push_str(&frac_digits);
        }
        Some(Decimal(s))
    }

    /// [`Decimal::parse`] of text the caller owns, kept without a copy when it is already
    /// in the stored form.
    pub fn parse_owned(text: String) -> Option<Decimal> {
        if is_plain_form(text.as_bytes()) {
            Some(Decimal(text))
        } else {
            Decimal::parse_general(&text)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_special(&self) -> bool {
        matches!(self.0.as_str(), "NaN" | "Infinity" | "-Infinity")
    }

    /// The value with trailing fractional zeros removed: equal numbers, equal text.
    pub fn canonical(&self) -> &str {
        // A byte loop the compiler inlines: `contains('.')` calls memchr, whose setup costs
        // more than scanning a number's few bytes (this runs for every DECIMAL digested).
        if !self.0.bytes().any(|b| b == b'.') || self.is_special() {
            return &self.0;
        }
        let t = self.0.trim_end_matches('0');
        t.strip_suffix('.').unwrap_or(t)
    }

    /// Digits after the decimal point (trailing zeros included).
    pub fn scale(&self) -> usize {
        self.0.find('.').map_or(0, |i| self.0.len() - i - 1)
    }

    /// Digits before the point, ignoring sign and a lone leading zero.
    pub fn integer_digits(&self) -> usize {
        let unsigned = self.0.trim_start_matches('-');
        let int = unsigned.split('.').next().unwrap_or("");
        if int == "0" {
            0
        } else {
            int.len()
        }
    }

    /// Significant fractional digits: the scale with trailing zeros ignored.
    pub fn significant_scale(&self) -> usize {
        let c = self.canonical();
        c.find('.').map_or(0, |i| c.len() - i - 1)
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The shortcut for text already in the stored form decides exactly as the general
        /// parser does, on text of every shape a decimal can be written in.
        #[test]
        fn the_plain_form_shortcut_agrees_with_the_general_parser(
            text in "[ ]?[-+]?0{0,2}[0-9]{0,4}(\\.[0-9]{0,4})?([eE][-+]?[0-9]{1,2})?[ ]?"
        ) {
            prop_assert_eq!(Decimal::parse(&text), Decimal::parse_general(&text));
            prop_assert_eq!(Decimal::parse_owned(text.clone()), Decimal::parse_general(&text));
        }
    }

    #[test]
    fn text_in_the_stored_form_is_kept_and_other_text_is_normalised() {
        for (text, stored) in [
            ("0", Some("0")),
            ("-0", Some("0")),
            ("-0.00", Some("0.00")),
            ("-1.50", Some("-1.50")),
            ("007", Some("7")),
            (".5", Some("0.5")),
            ("5.", Some("5")),
            ("1e3", Some("1000")),
            ("1.", Some("1")),
            ("-", None),
            ("1.2.3", None),
        ] {
            assert_eq!(
                Decimal::parse(text).as_ref().map(Decimal::as_str),
                stored,
                "{text}"
            );
        }
    }

    #[test]
    fn a_change_in_a_long_value_shows_where_it_is() {
        let long = "x".repeat(200);
        let mut changed = long.clone();
        changed.replace_range(150..151, "Y");
        assert_eq!(
            describe_change(&Value::Text(long.clone()), &Value::Text(changed)),
            format!(
                "differs from character 150 (lengths 200 and 200): '…{}…' → '…{}Y{}…'",
                "x".repeat(48),
                "x".repeat(24),
                "x".repeat(23)
            )
        );
        assert_eq!(
            describe_change(&Value::Text(long.clone()), &Value::Text(long[..190].into())),
            format!(
                "differs from character 190 (lengths 200 and 190): '…{}' → '…{}'",
                "x".repeat(34),
                "x".repeat(24)
            )
        );
        let mut bytes = vec![0u8; 100];
        let a = Value::Bytes(bytes.clone());
        bytes[40] = 0xff;
        assert_eq!(
            describe_change(&a, &Value::Bytes(bytes)),
            "differs from byte 40 (lengths 100 and 100): …00000000000000000000000000000000… → …0000000000000000ff00000000000000…"
        );
        assert_eq!(
            describe_change(&Value::Text("a".into()), &Value::Text("b".into())),
            "'a' → 'b'"
        );
    }

    #[test]
    fn decimal_parse_normalises_without_rounding() {
        let cases = [
            ("1.50", "1.50", "1.5"),
            ("-0.000", "0.000", "0"),
            ("+12", "12", "12"),
            ("007.25", "7.25", "7.25"),
            ("1.5e3", "1500", "1500"),
            (
                "12345678901234567890.123456789012345",
                "12345678901234567890.123456789012345",
                "12345678901234567890.123456789012345",
            ),
            ("-2.5E-3", "-0.0025", "-0.0025"),
            (".5", "0.5", "0.5"),
            ("nan", "NaN", "NaN"),
            ("-Infinity", "-Infinity", "-Infinity"),
        ];
        for (input, stored, canonical) in cases {
            let d = Decimal::parse(input).unwrap_or_else(|| panic!("{input} should parse"));
            assert_eq!(d.as_str(), stored, "stored form of {input}");
            assert_eq!(d.canonical(), canonical, "canonical form of {input}");
        }
        for bad in ["", "-", "1.2.3", "abc", "1e", "0x10", "1 000"] {
            assert!(Decimal::parse(bad).is_none(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn decimal_digit_counts() {
        let d = Decimal::parse("-123.4500").unwrap();
        assert_eq!(
            (d.integer_digits(), d.scale(), d.significant_scale()),
            (3, 4, 2)
        );
        assert_eq!(Decimal::parse("0.01").unwrap().integer_digits(), 0);
    }
}
