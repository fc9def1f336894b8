//! The one canonical text form Ferry writes for dates, times and instants.
//!
//! Written digit by digit into one buffer, without `format!`: a copy into SQLite formats
//! every timestamp it moves, and the formatting machinery was a sixth of the reader's time.

use std::fmt::Write as _;

use super::*;

/// `YYYY-MM-DD` and whether the year is BC (the caller appends ` BC` after everything else).
pub(super) fn date_text(days: i64) -> (String, bool) {
    let mut s = String::with_capacity(10);
    let bc = push_date(&mut s, days);
    (s, bc)
}

/// Appends `YYYY-MM-DD` (the year at least four digits) and says whether the year is BC.
fn push_date(s: &mut String, days: i64) -> bool {
    let (y, m, d) = civil_from_days(days);
    let (year, bc) = if y <= 0 { (1 - y, true) } else { (y, false) };
    if (0..10_000).contains(&year) {
        push_digits(s, year as u32, 4);
    } else {
        // Beyond four digits (the value model allows it): as many as it takes.
        let _ = write!(s, "{year:04}");
    }
    s.push('-');
    push_digits(s, m, 2);
    s.push('-');
    push_digits(s, d, 2);
    bc
}

pub(super) fn time_text(micros: i64) -> String {
    let mut s = String::with_capacity(15);
    push_time(&mut s, micros);
    s
}

/// Appends `HH:MM:SS[.ffffff]`, the fraction without trailing zeros.
fn push_time(s: &mut String, micros: i64) {
    let (secs, frac) = (micros / 1_000_000, micros % 1_000_000);
    let hours = secs / 3600;
    if (0..100).contains(&hours) {
        push_digits(s, hours as u32, 2);
    } else {
        let _ = write!(s, "{hours:02}");
    }
    s.push(':');
    push_digits(s, (secs % 3600 / 60) as u32, 2);
    s.push(':');
    push_digits(s, (secs % 60) as u32, 2);
    if frac != 0 {
        s.push('.');
        let (mut frac, mut width) = (frac as u32, 6);
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        push_digits(s, frac, width);
    }
}

/// Appends the last `width` decimal digits of `n`, zero-padded.
fn push_digits(s: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        s.push(char::from(b'0' + (n / 10u32.pow(place) % 10) as u8));
    }
}

pub(super) fn bc_suffix(bc: bool) -> &'static str {
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

pub(super) fn format_ts(micros: i64, zone: &str) -> String {
    match micros {
        TS_INFINITY => "infinity".into(),
        TS_NEG_INFINITY => "-infinity".into(),
        _ => {
            let mut s = String::with_capacity(26 + zone.len() + 3);
            let bc = push_date(&mut s, micros.div_euclid(DAY_MICROS));
            s.push(' ');
            push_time(&mut s, micros.rem_euclid(DAY_MICROS));
            s.push_str(zone);
            s.push_str(bc_suffix(bc));
            s
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
