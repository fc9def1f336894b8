//! Parsing the text forms applications write (see the module above for the grammar).

use super::*;

pub(super) enum Parsed {
    Infinity,
    NegInfinity,
    Finite {
        days: i64,
        time: Option<i64>,
        offset: Option<i32>,
    },
}

pub(super) struct Cursor<'a> {
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
                // The kept digits, scaled to six (`.5` is 500000 µs), without a string.
                micros = kept
                    .bytes()
                    .chain(std::iter::repeat(b'0'))
                    .take(6)
                    .fold(0, |n, b| n * 10 + i64::from(b - b'0'));
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
pub(super) fn strip_bc(text: &str) -> (&str, bool) {
    let n = text.len();
    if n > 3 && text.is_char_boundary(n - 3) && text[n - 3..].eq_ignore_ascii_case(" bc") {
        (&text[..n - 3], true)
    } else {
        (text, false)
    }
}

pub(super) fn parse_fields(text: &str, what: &str) -> Result<Parsed, TemporalError> {
    let trimmed = text.trim();
    // Compared in place: this runs for every timestamp a copy or a verification reads.
    if trimmed.eq_ignore_ascii_case("infinity") || trimmed.eq_ignore_ascii_case("+infinity") {
        return Ok(Parsed::Infinity);
    }
    if trimmed.eq_ignore_ascii_case("-infinity") {
        return Ok(Parsed::NegInfinity);
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
