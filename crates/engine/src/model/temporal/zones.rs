//! Naive wall times in a named zone (gaps and folds decided by policy, never guessed), and
//! epoch numbers converted exactly.

use super::*;

pub(super) fn fmt_offset(secs: i32) -> String {
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
