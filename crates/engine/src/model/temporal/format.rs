//! The one canonical text form Ferry writes for dates, times and instants.

use super::*;

/// `YYYY-MM-DD` and whether the year is BC (the caller appends ` BC` after everything else).
pub(super) fn date_text(days: i64) -> (String, bool) {
    let (y, m, d) = civil_from_days(days);
    let (year, bc) = if y <= 0 { (1 - y, true) } else { (y, false) };
    (format!("{year:04}-{m:02}-{d:02}"), bc)
}

pub(super) fn time_text(micros: i64) -> String {
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
