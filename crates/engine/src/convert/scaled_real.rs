//! The decimal a REAL of a `numeric(p ≤ 15, s)` column stands for, without printing it.
//!
//! A SQLite NUMERIC column stores `12.50` as the double nearest 12.5, and Ferry reads it back
//! as the double's shortest round-trip decimal (`f64`'s `Display`). Printing that decimal is
//! most of the cost of reading such a value (a third of the verifier's numeric time, most of
//! `from_sqlite`'s), and for a column with a precision of at most 15 it is not needed:
//!
//! take `m = round(f × 10^s)`, the candidate `m / 10^s`. If `|m| < 10^p` and the candidate
//! converts back to exactly `f`, it *is* `f`'s shortest decimal: it has at most 15
//! significant digits, and two different decimals of at most 15 significant digits never
//! convert to the same double (DBL_DIG is 15), so the shortest decimal — which has no more
//! digits than the candidate — is the same number. The round trip needs no parsing either:
//! `m` and `10^s` are exact doubles and IEEE division rounds `m / 10^s` correctly, as a
//! parser rounds the candidate's text.
//!
//! Anything else — more digits than `p`, a fraction finer than `s`, zero (whose sign the
//! shortest decimal keeps), infinities and NaN — gets `None`, and the caller takes the
//! printed path, which also words the refusal.

/// Exact powers of ten as doubles (every one up to 10^22 is exact).
const POWERS: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// Room for a sign, 15 digits, a point and a leading zero.
pub(crate) const TEXT_CAPACITY: usize = 24;

/// The canonical text (no trailing fractional zeros; see [`crate::model::value::Decimal`])
/// of the decimal `f` stands for in a `numeric(precision, scale)` column, written into `buf`;
/// `None` when that needs the general path (see the module docs).
pub(crate) fn scaled_real_text(
    f: f64,
    precision: u32,
    scale: u32,
    buf: &mut [u8; TEXT_CAPACITY],
) -> Option<&str> {
    if precision > 15 || scale > precision || f == 0.0 || !f.is_finite() {
        return None;
    }
    let power = POWERS[scale as usize];
    let limit = POWERS[precision as usize];
    let scaled = (f * power).round();
    if scaled.abs() >= limit {
        return None;
    }
    if (scaled / power).to_bits() != f.to_bits() {
        return None;
    }
    // |scaled| < 10^15 < 2^53: an exact integer.
    let m = scaled as i64;
    Some(write_decimal(m, scale, buf))
}

/// `m / 10^scale` as plain decimal text without trailing fractional zeros.
fn write_decimal(m: i64, scale: u32, buf: &mut [u8; TEXT_CAPACITY]) -> &str {
    let mut digits = [0u8; 20];
    let mut n = m.unsigned_abs();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 {
            break;
        }
    }
    // `digits[..len]` is least significant first; pad to more than `scale` digits so there
    // is an integer part (a lone 0 when |m| < 10^scale).
    let scale = scale as usize;
    while len <= scale {
        digits[len] = b'0';
        len += 1;
    }
    let mut fraction_end = 0; // digits below this index are trailing zeros to drop
    while fraction_end < scale && digits[fraction_end] == b'0' {
        fraction_end += 1;
    }
    let mut at = 0;
    if m < 0 {
        buf[at] = b'-';
        at += 1;
    }
    for i in (scale..len).rev() {
        buf[at] = digits[i];
        at += 1;
    }
    if fraction_end < scale {
        buf[at] = b'.';
        at += 1;
        for i in (fraction_end..scale).rev() {
            buf[at] = digits[i];
            at += 1;
        }
    }
    // Only ASCII digits, '-' and '.' were written.
    std::str::from_utf8(&buf[..at]).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::value::Decimal;
    use proptest::prelude::*;

    /// What the printed path makes of `f`: its shortest decimal, canonical.
    fn printed(f: f64) -> String {
        Decimal::parse(&f.to_string())
            .unwrap()
            .canonical()
            .to_string()
    }

    fn fast(f: f64, p: u32, s: u32) -> Option<String> {
        let mut buf = [0; TEXT_CAPACITY];
        scaled_real_text(f, p, s, &mut buf).map(str::to_string)
    }

    #[test]
    fn examples() {
        assert_eq!(fast(12.5, 10, 2).as_deref(), Some("12.5"));
        assert_eq!(fast(100.0, 10, 2).as_deref(), Some("100"));
        assert_eq!(fast(-0.05, 10, 2).as_deref(), Some("-0.05"));
        assert_eq!(
            fast(0.1 + 0.2, 10, 2),
            None,
            "0.30000000000000004 is finer than s"
        );
        assert_eq!(
            fast(123456.0, 5, 0),
            None,
            "six digits for a precision of 5"
        );
        assert_eq!(fast(99999.0, 5, 0).as_deref(), Some("99999"));
        assert_eq!(fast(0.0, 10, 2), None);
        assert_eq!(fast(-0.0, 10, 2), None);
        assert_eq!(fast(f64::NAN, 10, 2), None);
        assert_eq!(fast(1e-7, 10, 2), None);
        assert_eq!(
            fast(999_999_999_999_999.0, 15, 0).as_deref(),
            Some("999999999999999")
        );
        assert_eq!(
            fast(0.123_456_789_012_345, 15, 15).as_deref(),
            Some("0.123456789012345")
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Whatever double and column: when the fast path answers, it is the printed answer
        /// and the printed path would accept it for that column.
        #[test]
        fn agrees_with_the_printed_path(bits in any::<u64>(), p in 1u32..=15, s in 0u32..=15) {
            let f = f64::from_bits(bits);
            if let Some(text) = fast(f, p, s.min(p)) {
                prop_assert_eq!(&text, &printed(f));
            }
        }

        /// Doubles a few ulps from a column's decimals, where a wrong candidate would hide.
        #[test]
        fn agrees_next_to_the_columns_decimals(
            m in -999_999_999_999_999i64..=999_999_999_999_999,
            s in 0u32..=15,
            ulps in -3i64..=3,
        ) {
            let f = m as f64 / POWERS[s as usize];
            let near = f64::from_bits((f.to_bits() as i64 + ulps) as u64);
            if let Some(text) = fast(near, 15, s) {
                prop_assert_eq!(&text, &printed(near));
            }
        }

        /// Decimals a column holds (what an app wrote into numeric(p, s)) all take the fast
        /// path, and come back as themselves.
        #[test]
        fn answers_for_every_decimal_of_the_column(
            m in -999_999_999_999_999i64..=999_999_999_999_999,
            p in 1u32..=15,
            s in 0u32..=15,
        ) {
            let s = s.min(p);
            let m = m % 10i64.pow(p);
            prop_assume!(m != 0);
            let text = {
                let mut buf = [0; TEXT_CAPACITY];
                write_decimal(m, s, &mut buf).to_string()
            };
            let f: f64 = text.parse().unwrap();
            prop_assert_eq!(fast(f, p, s), Some(text.clone()));
            prop_assert_eq!(printed(f), text);
        }
    }
}
