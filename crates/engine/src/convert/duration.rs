//! Durations between PostgreSQL's `interval` and Django's SQLite DurationField, which holds
//! INTEGER microseconds in a `bigint` column (`django/db/backends/sqlite3/base.py` data_types,
//! `duration_microseconds` in `django/utils/duration.py`).
//!
//! Only intervals without months or years convert: a month has no fixed length in
//! microseconds, so such a value is refused, never guessed. A day is 24 hours, as Python's
//! `timedelta` (and so Django) counts it. The text written for PostgreSQL is the one
//! PostgreSQL itself prints for an interval of only hours (`76:05:06.000007`,
//! `-00:00:01`), so the verifier's re-read text equals what was converted.

use super::{Problem, ProblemKind as K};

/// PostgreSQL's output text (IntervalStyle `postgres`) of an interval of `micros` microseconds
/// held as hours, minutes and seconds.
pub fn micros_to_interval_text(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let m = micros.unsigned_abs();
    let (secs, frac) = (m / 1_000_000, m % 1_000_000);
    let mut s = format!(
        "{sign}{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    if frac != 0 {
        s.push('.');
        s.push_str(format!("{frac:06}").trim_end_matches('0'));
    }
    s
}

/// The microseconds of PostgreSQL's interval text (`3 days 04:05:06.000007`, `-1 days
/// +02:00:00`, `00:00:00`, `76:05:06`).
///
/// # Errors
/// `NotRepresentable` for months or years, `NotNumeric` for text that is not an interval.
pub fn interval_text_to_micros(text: &str) -> Result<i64, Problem> {
    let bad = || {
        Problem::new(
            K::NotNumeric,
            format!("'{text}' is not an interval in PostgreSQL's text form"),
        )
    };
    let mut total: i128 = 0;
    let mut words = text.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w.contains(':') {
            let (neg, hms) = match w.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, w.strip_prefix('+').unwrap_or(w)),
            };
            let parts: Vec<&str> = hms.split(':').collect();
            if parts.len() != 3 {
                return Err(bad());
            }
            let h: i128 = parts[0].parse().map_err(|_| bad())?;
            let m: i128 = parts[1].parse().map_err(|_| bad())?;
            let (s, f) = parts[2].split_once('.').unwrap_or((parts[2], ""));
            let s: i128 = s.parse().map_err(|_| bad())?;
            if f.len() > 6 || !f.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            let f: i128 = if f.is_empty() {
                0
            } else {
                format!("{f:0<6}").parse().map_err(|_| bad())?
            };
            let v = ((h * 60 + m) * 60 + s) * 1_000_000 + f;
            total += if neg { -v } else { v };
            continue;
        }
        let n: i128 = w.parse().map_err(|_| bad())?;
        let unit = words.next().ok_or_else(bad)?;
        match unit.trim_end_matches('s') {
            "day" => total += n * 86_400_000_000,
            "mon" | "year" => {
                return Err(Problem::new(
                    K::NotRepresentable,
                    format!("the interval '{text}' counts months or years, which have no fixed number of microseconds for a duration column"),
                ))
            }
            _ => return Err(bad()),
        }
    }
    i64::try_from(total).map_err(|_| {
        Problem::new(
            K::OutOfRange,
            format!("the interval '{text}' does not fit 64-bit microseconds"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip_through_postgres_text() {
        for (text, micros) in [
            ("3 days 04:05:06.000007", 273_906_000_007),
            ("00:00:00", 0),
            ("76:05:06.000007", 273_906_000_007),
            ("-1 days +02:00:00", -79_200_000_000),
            ("-00:00:01", -1_000_000),
        ] {
            assert_eq!(interval_text_to_micros(text).unwrap(), micros, "{text}");
        }
        assert_eq!(micros_to_interval_text(273_906_000_007), "76:05:06.000007");
        assert_eq!(micros_to_interval_text(-1_500_000), "-00:00:01.5");
        assert_eq!(micros_to_interval_text(0), "00:00:00");
        assert_eq!(
            interval_text_to_micros("1 mon 2 days").unwrap_err().kind,
            K::NotRepresentable
        );
    }
}
