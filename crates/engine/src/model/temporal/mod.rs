//! Dates, times and timestamps: parsing the forms applications write, formatting the one
//! canonical form Ferry writes.
//!
//! SQLite has no temporal types, so apps store text (`2025-03-30 12:00:00`, ISO-8601 with
//! `T` and `Z`, offsets like `+0100`) or epoch numbers. This module turns that text into the
//! value model's integers ([`crate::model::value::Value`]: days or microseconds since 1970-01-01)
//! and back, and it never guesses:
//!
//! - **Parsing** accepts `YYYY-MM-DD`, an optional time (`T`/`t`/space, `HH:MM`,
//!   `HH:MM:SS`, a fraction of any length), an optional offset (`Z`, `UTC`, `+01`, `+0100`,
//!   `+01:00`, `+05:30:00`, optionally after a space), PostgreSQL's own output forms
//!   (`infinity`, `-infinity`, a ` BC` suffix, years above 9999) and `24:00:00` as
//!   PostgreSQL does (the next midnight). Anything else is an error saying why. Fraction
//!   digits below a microsecond must be zero: `…00.1234567` is a distinct
//!   [`TemporalError::PrecisionLoss`], never rounded.
//! - **Formatting** writes `YYYY-MM-DD`, `HH:MM:SS[.ffffff]`, `YYYY-MM-DD HH:MM:SS[.ffffff]`
//!   and, for instants, always UTC with `+00:00`. The fraction is printed only when non-zero,
//!   trailing zeros trimmed. Years before 1 AD get PostgreSQL's ` BC` suffix, years after
//!   9999 simply more digits, so `parse(format(x)) == x` for every value and PostgreSQL
//!   parses the text back to the same value.
//! - **Time zones** ([`resolve_local`]): a naive wall-clock reading becomes an instant only in
//!   a named zone, and two readings a year are not simple. In a spring-forward *gap* the wall
//!   time never happened: that is [`TemporalError::NonexistentLocalTime`] unless the policy
//!   is [`GapPolicy::ShiftForward`], which moves it forward by the gap's length (what
//!   PostgreSQL and JavaScript do silently). In a fall-back *fold* the wall time happened
//!   twice: [`TemporalError::AmbiguousLocalTime`] unless the policy picks
//!   [`FoldPolicy::Earlier`] or [`FoldPolicy::Later`]. The default rejects both, so the
//!   preflight reports them and the user decides; a migration never picks silently.
//! - **Epoch numbers** ([`from_epoch`]) are converted exactly: a real number is read as the
//!   shortest decimal that round-trips its `f64` (what the app most likely wrote) and refused
//!   if that decimal has digits below a microsecond.
//!
//! The calendar is the proleptic Gregorian one with astronomical year numbering internally
//! (1 BC is year 0), like PostgreSQL. Day arithmetic is done here (not with chrono), because
//! PostgreSQL dates reach year 5874897, beyond chrono's range; chrono-tz is used for zones.

use chrono::{LocalResult, Offset, TimeZone};
use serde::{Deserialize, Serialize};

use crate::model::value::{
    Decimal, Value, DATE_INFINITY, DATE_NEG_INFINITY, TS_INFINITY, TS_NEG_INFINITY,
};

/// Microseconds in a day.
pub const DAY_MICROS: i64 = 86_400_000_000;

/// PostgreSQL's earliest date, 4714-11-24 BC (Julian day 0), in days since 1970-01-01.
pub const PG_MIN_DATE: i32 = -2_440_588;
/// PostgreSQL's latest date, 5874897-12-31, in days since 1970-01-01.
pub const PG_MAX_DATE: i32 = 2_145_042_905;
/// PostgreSQL's earliest timestamp (4714-11-24 00:00:00 BC) in microseconds since 1970.
/// (Its latest, 294276-12-31, lies beyond what an i64 counted from 1970 holds, so the value
/// model's own limit is the upper bound.)
pub const PG_MIN_TIMESTAMP: i64 = PG_MIN_DATE as i64 * DAY_MICROS;

/// Why a temporal text or number was refused. Each message names the input and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemporalError {
    /// Not a date/time in any accepted form, or a field out of range (month 13, Feb 30).
    #[error("{0}")]
    Invalid(String),
    /// Fraction digits below a microsecond that are not zero.
    #[error("{0}")]
    PrecisionLoss(String),
    /// A well-formed value outside what the value model (or PostgreSQL) can hold.
    #[error("{0}")]
    OutOfRange(String),
    /// A wall-clock time inside a spring-forward gap.
    #[error("{0}")]
    NonexistentLocalTime(String),
    /// A wall-clock time inside a fall-back fold (it happened twice).
    #[error("{0}")]
    AmbiguousLocalTime(String),
}

/// A parsed timestamp: the wall-clock reading and, when the text carried one, its UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedTimestamp {
    /// Microseconds since 1970-01-01 00:00:00 on the wall clock (`i64::MIN/MAX` = ∓infinity).
    pub wall_micros: i64,
    /// Seconds east of UTC; `None` when the text had no offset (a naive timestamp).
    pub offset_seconds: Option<i32>,
}

impl ParsedTimestamp {
    /// The instant, for text that carried an offset.
    ///
    /// # Errors
    /// [`TemporalError::OutOfRange`] when subtracting the offset leaves the value model.
    pub fn instant(&self, offset_seconds: i32) -> Result<i64, TemporalError> {
        if is_infinite(self.wall_micros) {
            return Ok(self.wall_micros);
        }
        self.wall_micros
            .checked_sub(offset_seconds as i64 * 1_000_000)
            .filter(|v| !is_infinite(*v))
            .ok_or_else(|| {
                TemporalError::OutOfRange("timestamp out of range after applying its offset".into())
            })
    }
}

/// What to do with a wall time that falls in a spring-forward gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapPolicy {
    #[default]
    Reject,
    /// Move it forward by the gap's length (02:30 in a one-hour gap becomes 03:30).
    ShiftForward,
}

/// What to do with a wall time that falls in a fall-back fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoldPolicy {
    #[default]
    Reject,
    /// The first occurrence (still on summer time).
    Earlier,
    /// The second occurrence (already on standard time).
    Later,
}

/// How daylight-saving transitions are resolved; the default rejects both cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DstPolicy {
    pub gap: GapPolicy,
    pub fold: FoldPolicy,
}

/// The unit of an epoch number (counted from 1970-01-01 00:00:00 UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EpochUnit {
    Seconds,
    Milliseconds,
}

/// An epoch number as SQLite stores it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EpochNumber {
    Integer(i64),
    Real(f64),
}

impl From<i64> for EpochNumber {
    fn from(v: i64) -> Self {
        EpochNumber::Integer(v)
    }
}

impl From<f64> for EpochNumber {
    fn from(v: f64) -> Self {
        EpochNumber::Real(v)
    }
}

fn is_infinite(micros: i64) -> bool {
    micros == TS_INFINITY || micros == TS_NEG_INFINITY
}

// ---------------------------------------------------------------------------------------
// Calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days).

/// Days since 1970-01-01 of a proleptic Gregorian date (astronomical year: 1 BC = 0).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (astronomical year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ---------------------------------------------------------------------------------------
// Parsing.

enum Parsed {
    Infinity,
    NegInfinity,
    Finite {
        days: i64,
        time: Option<i64>,
        offset: Option<i32>,
    },
}

struct Cursor<'a> {
    text: &'a str,
    s: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            text,
            s: text.as_bytes(),
            pos: 0,
        }
    }

    fn invalid(&self, what: &str, why: impl std::fmt::Display) -> TemporalError {
        TemporalError::Invalid(format!(
            "'{}' is not a valid {what}: {why}",
            self.text.escape_debug()
        ))
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn at_end(&self) -> bool {
        self.pos == self.s.len()
    }

    /// A run of ASCII digits (at most 18, so it fits an i64), returned as (value, count).
    fn digits(&mut self) -> Option<(i64, usize)> {
        let start = self.pos;
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() && self.pos - start < 18
        {
            self.pos += 1;
        }
        let run = &self.text[start..self.pos];
        (!run.is_empty()).then(|| (run.parse().unwrap_or(0), run.len()))
    }

    /// Exactly two ASCII digits (fields are fixed-width, so `+0100` splits into 01 and 00).
    fn two_digits(&mut self, what: &str, field: &str) -> Result<i64, TemporalError> {
        match self.s.get(self.pos..self.pos + 2) {
            Some([a, b]) if a.is_ascii_digit() && b.is_ascii_digit() => {
                self.pos += 2;
                Ok(((a - b'0') * 10 + (b - b'0')) as i64)
            }
            _ => Err(self.invalid(what, format!("expected two digits for the {field}"))),
        }
    }

    /// `HH:MM[:SS[.fraction]]` → microseconds since midnight (24:00:00 allowed).
    fn time_of_day(&mut self, what: &str) -> Result<i64, TemporalError> {
        let h = self.two_digits(what, "hour")?;
        if !self.eat(b':') {
            return Err(self.invalid(what, "expected ':' after the hour"));
        }
        let m = self.two_digits(what, "minute")?;
        let (mut s, mut micros) = (0, 0);
        if self.eat(b':') {
            s = self.two_digits(what, "second")?;
            if self.eat(b'.') {
                let start = self.pos;
                while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    self.pos += 1;
                }
                let frac = &self.text[start..self.pos];
                if frac.is_empty() {
                    return Err(self.invalid(what, "expected digits after '.'"));
                }
                let (kept, rest) = frac.split_at(frac.len().min(6));
                if rest.bytes().any(|b| b != b'0') {
                    return Err(TemporalError::PrecisionLoss(format!(
                        "'{}' has fraction digits below a microsecond ({frac}); PostgreSQL keeps microseconds and Ferry does not round",
                        self.text.escape_debug()
                    )));
                }
                micros = format!("{kept:0<6}").parse::<i64>().unwrap_or(0);
            }
        }
        if m > 59 {
            return Err(self.invalid(what, format!("minute {m} is out of range (0-59)")));
        }
        if s > 59 {
            return Err(self.invalid(what, format!("second {s} is out of range (0-59)")));
        }
        if h > 24 || (h == 24 && (m, s, micros) != (0, 0, 0)) {
            return Err(self.invalid(
                what,
                format!("hour {h} is out of range (0-23, or 24:00:00)"),
            ));
        }
        Ok(((h * 60 + m) * 60 + s) * 1_000_000 + micros)
    }

    /// `YYYY-MM-DD` (year of 4+ digits; `bc` turns it into astronomical numbering).
    fn date(&mut self, what: &str, bc: bool) -> Result<i64, TemporalError> {
        let (year, n) = self
            .digits()
            .ok_or_else(|| self.invalid(what, "expected a date like 2025-01-31"))?;
        if n < 4 {
            return Err(self.invalid(what, "the year must have at least four digits"));
        }
        if !self.eat(b'-') {
            return Err(self.invalid(what, "expected '-' after the year"));
        }
        let month = self.two_digits(what, "month")?;
        if !self.eat(b'-') {
            return Err(self.invalid(what, "expected '-' after the month"));
        }
        let day = self.two_digits(what, "day")?;
        if year == 0 {
            return Err(self.invalid(what, "there is no year 0 (1 BC is followed by 1 AD)"));
        }
        if year > 10_000_000 {
            return Err(TemporalError::OutOfRange(format!(
                "'{}': year {year} is out of range",
                self.text.escape_debug()
            )));
        }
        let year = if bc { 1 - year } else { year };
        if !(1..=12).contains(&month) {
            return Err(self.invalid(what, format!("month {month} is out of range (1-12)")));
        }
        let max_day = days_in_month(year, month as u32);
        if day < 1 || day > max_day as i64 {
            return Err(self.invalid(
                what,
                format!("day {day} is out of range for that month (1-{max_day})"),
            ));
        }
        Ok(days_from_civil(year, month as u32, day as u32))
    }

    /// An optional UTC offset, in seconds east.
    fn offset(&mut self, what: &str) -> Result<Option<i32>, TemporalError> {
        let save = self.pos;
        self.eat(b' ');
        let rest = &self.text[self.pos..];
        if rest.starts_with(['Z', 'z']) {
            self.pos += 1;
            return Ok(Some(0));
        }
        // Bytes, not a `&str` slice: the text after the time may start with any character.
        if rest
            .as_bytes()
            .get(..3)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"utc"))
        {
            self.pos += 3;
            return Ok(Some(0));
        }
        let sign = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => {
                self.pos = save;
                return Ok(None);
            }
        };
        self.pos += 1;
        let h = self.two_digits(what, "offset hours")?;
        let mut secs = h * 3600;
        // `+01`, `+0100`, `+01:00`, `+01:00:00`.
        let colon = self.eat(b':');
        if colon || self.peek().is_some_and(|b| b.is_ascii_digit()) {
            secs += self.two_digits(what, "offset minutes")? * 60;
            if (colon && self.eat(b':'))
                || (!colon && self.peek().is_some_and(|b| b.is_ascii_digit()))
            {
                secs += self.two_digits(what, "offset seconds")?;
            }
        }
        if h > 15 || secs % 3600 / 60 > 59 || secs % 60 > 59 {
            return Err(self.invalid(what, "the UTC offset is out of range"));
        }
        Ok(Some(sign * secs as i32))
    }
}

/// Strips PostgreSQL's ` BC` suffix; returns the rest and whether it was there.
fn strip_bc(text: &str) -> (&str, bool) {
    let n = text.len();
    if n > 3 && text.is_char_boundary(n - 3) && text[n - 3..].eq_ignore_ascii_case(" bc") {
        (&text[..n - 3], true)
    } else {
        (text, false)
    }
}

fn parse_fields(text: &str, what: &str) -> Result<Parsed, TemporalError> {
    let trimmed = text.trim();
    match trimmed.to_ascii_lowercase().as_str() {
        "infinity" | "+infinity" => return Ok(Parsed::Infinity),
        "-infinity" => return Ok(Parsed::NegInfinity),
        _ => {}
    }
    let (body, bc) = strip_bc(trimmed);
    let mut c = Cursor::new(body);
    let days = c.date(what, bc)?;
    let (mut time, mut offset) = (None, None);
    if matches!(c.peek(), Some(b'T' | b't' | b' ')) {
        c.pos += 1;
        time = Some(c.time_of_day(what)?);
        offset = c.offset(what)?;
    }
    if !c.at_end() {
        return Err(c.invalid(
            what,
            format!(
                "unexpected '{}' at position {}",
                &body[c.pos..].escape_debug(),
                c.pos + 1
            ),
        ));
    }
    Ok(Parsed::Finite { days, time, offset })
}

/// Parses a timestamp with or without a UTC offset (see the module doc for the forms).
///
/// # Errors
/// [`TemporalError::Invalid`] for anything not in an accepted form, `PrecisionLoss` for
/// non-zero digits below a microsecond, `OutOfRange` beyond the value model.
pub fn parse_timestamp(text: &str) -> Result<ParsedTimestamp, TemporalError> {
    let (days, time, offset) = match parse_fields(text, "timestamp")? {
        Parsed::Infinity => {
            return Ok(ParsedTimestamp {
                wall_micros: TS_INFINITY,
                offset_seconds: None,
            })
        }
        Parsed::NegInfinity => {
            return Ok(ParsedTimestamp {
                wall_micros: TS_NEG_INFINITY,
                offset_seconds: None,
            })
        }
        Parsed::Finite { days, time, offset } => (days, time, offset),
    };
    // In i128: the first day of the range starts before i64::MIN although its last
    // microseconds do not.
    let wall = days as i128 * DAY_MICROS as i128 + time.unwrap_or(0) as i128;
    let wall_micros = i64::try_from(wall)
        .ok()
        .filter(|v| !is_infinite(*v))
        .ok_or_else(|| {
            TemporalError::OutOfRange(format!(
                "'{}' is out of range for a timestamp",
                text.escape_debug()
            ))
        })?;
    Ok(ParsedTimestamp {
        wall_micros,
        offset_seconds: offset,
    })
}

/// Parses a date (`YYYY-MM-DD`, ` BC`, infinities). A timestamp at exactly midnight without
/// an offset is accepted too (lossless); any other time of day is refused.
///
/// # Errors
/// As [`parse_timestamp`], plus `Invalid` for a time of day other than midnight or an offset.
pub fn parse_date(text: &str) -> Result<i32, TemporalError> {
    match parse_fields(text, "date")? {
        Parsed::Infinity => Ok(DATE_INFINITY),
        Parsed::NegInfinity => Ok(DATE_NEG_INFINITY),
        Parsed::Finite { days, time, offset } => {
            if time.is_some_and(|t| t != 0) || offset.is_some() {
                return Err(TemporalError::Invalid(format!(
                    "'{}' is not a date: it has a time of day or offset, which a date column would drop",
                    text.escape_debug()
                )));
            }
            i32::try_from(days)
                .ok()
                .filter(|d| *d != DATE_INFINITY && *d != DATE_NEG_INFINITY)
                .ok_or_else(|| {
                    TemporalError::OutOfRange(format!(
                        "'{}' is out of range for a date",
                        text.escape_debug()
                    ))
                })
        }
    }
}

/// Parses a time of day: `HH:MM`, `HH:MM:SS`, a fraction, `24:00:00`.
///
/// # Errors
/// `Invalid` for anything else (including offsets: `timetz` is not supported),
/// `PrecisionLoss` for non-zero digits below a microsecond.
pub fn parse_time(text: &str) -> Result<i64, TemporalError> {
    let mut c = Cursor::new(text.trim());
    let t = c.time_of_day("time")?;
    if !c.at_end() {
        return Err(c.invalid(
            "time",
            format!(
                "unexpected '{}' at position {}",
                &c.text[c.pos..].escape_debug(),
                c.pos + 1
            ),
        ));
    }
    Ok(t)
}

// ---------------------------------------------------------------------------------------
// Zones and epochs.

fn fmt_offset(secs: i32) -> String {
    let (sign, a) = if secs < 0 { ('-', -secs) } else { ('+', secs) };
    if a % 60 == 0 {
        format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
    } else {
        format!("{sign}{:02}:{:02}:{:02}", a / 3600, a % 3600 / 60, a % 60)
    }
}

/// Turns a naive wall-clock reading in `tz` into an instant (µs since the Unix epoch),
/// applying `dst` to gaps and folds as the module doc describes. Infinities stay infinite.
///
/// # Errors
/// `NonexistentLocalTime` / `AmbiguousLocalTime` when the policy rejects the case,
/// `OutOfRange` for wall times the zone database cannot resolve (beyond chrono's range).
pub fn resolve_local(
    wall_micros: i64,
    tz: chrono_tz::Tz,
    dst: DstPolicy,
) -> Result<i64, TemporalError> {
    if is_infinite(wall_micros) {
        return Ok(wall_micros);
    }
    let out_of_range = || {
        TemporalError::OutOfRange(format!(
            "{} cannot be resolved in {}",
            format_timestamp(wall_micros),
            tz.name()
        ))
    };
    let naive = chrono::DateTime::from_timestamp_micros(wall_micros)
        .ok_or_else(out_of_range)?
        .naive_utc();
    let instant = match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => dt.timestamp_micros(),
        LocalResult::Ambiguous(earlier, later) => match dst.fold {
            FoldPolicy::Earlier => earlier.timestamp_micros(),
            FoldPolicy::Later => later.timestamp_micros(),
            FoldPolicy::Reject => {
                return Err(TemporalError::AmbiguousLocalTime(format!(
                    "{} happens twice in {} (at {} and at {}, clocks fall back); choose the earlier or later one",
                    format_timestamp(wall_micros),
                    tz.name(),
                    fmt_offset(earlier.offset().fix().local_minus_utc()),
                    fmt_offset(later.offset().fix().local_minus_utc()),
                )))
            }
        },
        LocalResult::None => {
            // The offset in force before the gap: every real zone's offset is within ±16 h
            // and transitions are far more than a day and a half apart.
            let before = naive - chrono::Duration::hours(36);
            let off_before = tz.offset_from_utc_datetime(&before).fix().local_minus_utc();
            let shifted = wall_micros - off_before as i64 * 1_000_000;
            let after = chrono::DateTime::from_timestamp_micros(shifted).ok_or_else(out_of_range)?.naive_utc();
            let off_after = tz.offset_from_utc_datetime(&after).fix().local_minus_utc();
            let gap = off_after - off_before;
            if dst.gap == GapPolicy::Reject || gap <= 0 {
                return Err(TemporalError::NonexistentLocalTime(format!(
                    "{} does not exist in {} (clocks skip forward {} there); shift it forward or fix the data",
                    format_timestamp(wall_micros),
                    tz.name(),
                    fmt_offset(gap).trim_start_matches('+'),
                )));
            }
            shifted
        }
    };
    Ok(instant)
}

/// Converts an epoch number in `unit` to microseconds since the Unix epoch, exactly.
///
/// # Errors
/// `PrecisionLoss` when a real number has digits below a microsecond (it is never rounded),
/// `Invalid` for NaN and infinities, `OutOfRange` beyond the value model.
pub fn from_epoch(number: impl Into<EpochNumber>, unit: EpochUnit) -> Result<i64, TemporalError> {
    let shift = match unit {
        EpochUnit::Seconds => 6,
        EpochUnit::Milliseconds => 3,
    };
    let number = number.into();
    let out_of_range = |n: &dyn std::fmt::Display| {
        TemporalError::OutOfRange(format!("epoch number {n} is out of range for a timestamp"))
    };
    let micros = match number {
        EpochNumber::Integer(i) => i
            .checked_mul(10_i64.pow(shift))
            .ok_or_else(|| out_of_range(&i))?,
        EpochNumber::Real(f) => {
            if !f.is_finite() {
                return Err(TemporalError::Invalid(format!(
                    "epoch number {f} is not a finite number"
                )));
            }
            // Rust's `{}` of an f64 is its shortest round-trip decimal, without an exponent.
            let text = format!("{f}");
            let dec = Decimal::parse(&text).ok_or_else(|| {
                TemporalError::Invalid(format!("epoch number {text} is not a number"))
            })?;
            let canonical = dec.canonical();
            let (int, frac) = canonical.split_once('.').unwrap_or((canonical, ""));
            if frac.len() > shift as usize {
                return Err(TemporalError::PrecisionLoss(format!(
                    "epoch number {text} has digits below a microsecond; Ferry does not round"
                )));
            }
            let digits = format!("{int}{frac:0<width$}", width = shift as usize);
            digits.parse::<i64>().map_err(|_| out_of_range(&text))?
        }
    };
    if is_infinite(micros) {
        return Err(out_of_range(&micros));
    }
    Ok(micros)
}

// ---------------------------------------------------------------------------------------
// Formatting.

/// `YYYY-MM-DD` and whether the year is BC (the caller appends ` BC` after everything else).
fn date_text(days: i64) -> (String, bool) {
    let (y, m, d) = civil_from_days(days);
    let (year, bc) = if y <= 0 { (1 - y, true) } else { (y, false) };
    (format!("{year:04}-{m:02}-{d:02}"), bc)
}

fn time_text(micros: i64) -> String {
    let (secs, frac) = (micros / 1_000_000, micros % 1_000_000);
    let mut s = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    if frac != 0 {
        let f = format!("{frac:06}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

fn bc_suffix(bc: bool) -> &'static str {
    if bc {
        " BC"
    } else {
        ""
    }
}

/// `YYYY-MM-DD` (` BC` before year 1), or `infinity` / `-infinity`.
pub fn format_date(days: i32) -> String {
    match days {
        DATE_INFINITY => "infinity".into(),
        DATE_NEG_INFINITY => "-infinity".into(),
        _ => {
            let (d, bc) = date_text(days as i64);
            format!("{d}{}", bc_suffix(bc))
        }
    }
}

/// `HH:MM:SS[.ffffff]`; `micros` must be within 0..=24h (the value model's invariant).
pub fn format_time(micros: i64) -> String {
    time_text(micros)
}

fn format_ts(micros: i64, zone: &str) -> String {
    match micros {
        TS_INFINITY => "infinity".into(),
        TS_NEG_INFINITY => "-infinity".into(),
        _ => {
            let (d, bc) = date_text(micros.div_euclid(DAY_MICROS));
            format!(
                "{d} {}{zone}{}",
                time_text(micros.rem_euclid(DAY_MICROS)),
                bc_suffix(bc)
            )
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]` (wall clock), ` BC` before year 1, or the infinities.
pub fn format_timestamp(micros: i64) -> String {
    format_ts(micros, "")
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]+00:00`: the instant, always written in UTC.
pub fn format_timestamptz(micros: i64) -> String {
    format_ts(micros, "+00:00")
}

/// The canonical text of a temporal value (`None` for non-temporal values and for a time
/// of day outside 00:00:00–24:00:00, which the value model never holds).
pub fn format_value(value: &Value) -> Option<String> {
    match value {
        Value::Date(d) => Some(format_date(*d)),
        Value::Time(t) if (0..=DAY_MICROS).contains(t) => Some(format_time(*t)),
        Value::Timestamp(t) => Some(format_timestamp(*t)),
        Value::TimestampTz(t) => Some(format_timestamptz(*t)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
