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

mod calendar;
mod format;
mod parse;
mod zones;

pub use calendar::{civil_from_days, days_from_civil};
pub use format::{format_date, format_time, format_timestamp, format_timestamptz, format_value};
pub use parse::{parse_date, parse_time, parse_timestamp};
pub use zones::{from_epoch, resolve_local};
#[allow(unused_imports)]
use {calendar::*, format::*, parse::*, zones::*};

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

#[cfg(test)]
mod tests;
