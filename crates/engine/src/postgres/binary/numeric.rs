//! `numeric` in PostgreSQL's binary format, to and from [`Decimal`] text, digit for digit.
//!
//! The wire form is `ndigits: i16, weight: i16, sign: u16, dscale: u16` followed by
//! `ndigits` base-10000 digits, most significant first; the value is
//! `Σ digit[i] · 10000^(weight − i)` and `dscale` is the number of decimal places the text
//! form shows. Special values use the sign word alone (NaN `0xC000`, `+Infinity` `0xD000`,
//! `-Infinity` `0xF000`).
//!
//! `numeric_recv` silently *rounds* to the column's scale, so encoding checks the column's
//! `(precision, scale)` first and refuses a value that would not survive unchanged.

use crate::model::value::Decimal;
use crate::{Error, Result};

const POSITIVE: u16 = 0x0000;
const NEGATIVE: u16 = 0x4000;
const NAN: u16 = 0xC000;
const PLUS_INFINITY: u16 = 0xD000;
const MINUS_INFINITY: u16 = 0xF000;
/// `dscale` occupies the low 14 bits of its word.
const MAX_DSCALE: usize = 0x3FFF;

/// Appends the binary form of `d` for a `numeric(precision, scale)` column.
pub(super) fn encode(
    d: &Decimal,
    precision: Option<u32>,
    scale: Option<u32>,
    out: &mut Vec<u8>,
) -> Result<()> {
    let text = d.as_str();
    let special = match text {
        "NaN" => Some(NAN),
        "Infinity" => Some(PLUS_INFINITY),
        "-Infinity" => Some(MINUS_INFINITY),
        _ => None,
    };
    if let Some(sign) = special {
        if let (Some(p), true) = (precision, sign != NAN) {
            return Err(Error::bad_input(format!(
                "{text} does not fit numeric({p},{}); only unconstrained numeric holds infinities",
                scale.unwrap_or(0)
            )));
        }
        header(out, 0, 0, sign, 0);
        return Ok(());
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let int_digits = int_part.trim_start_matches('0').as_bytes();
    let frac_significant = frac_part.trim_end_matches('0').as_bytes();
    if let Some(p) = precision {
        check_typmod(
            text,
            int_digits.len(),
            frac_significant.len(),
            p,
            scale.unwrap_or(0),
        )?;
    }
    let dscale = frac_part.len();
    if dscale > MAX_DSCALE {
        return Err(Error::bad_input(format!(
            "numeric {} has {dscale} decimal places; PostgreSQL keeps at most {MAX_DSCALE}",
            d
        )));
    }

    let start = out.len();
    header(out, 0, 0, 0, 0); // patched below
    let weight: i64;
    if !int_digits.is_empty() {
        let groups = int_digits.len().div_ceil(4);
        weight = groups as i64 - 1;
        let first = int_digits.len() - (groups - 1) * 4;
        push_group(out, &int_digits[..first], false);
        for chunk in int_digits[first..].chunks(4) {
            push_group(out, chunk, false);
        }
        for chunk in frac_significant.chunks(4) {
            push_group(out, chunk, true);
        }
    } else {
        // A pure fraction: whole groups of leading zeros only lower the weight.
        let leading_zeros = frac_significant.iter().take_while(|b| **b == b'0').count();
        let skipped = leading_zeros / 4;
        weight = -1 - skipped as i64;
        for chunk in frac_significant[skipped * 4..].chunks(4) {
            push_group(out, chunk, true);
        }
    }
    // Trailing zero groups (from an integer like 10000) carry no information.
    while out.len() > start + 8 && out[out.len() - 2..] == [0, 0] {
        out.truncate(out.len() - 2);
    }
    let ndigits = (out.len() - start - 8) / 2;
    let (Ok(ndigits), Ok(weight)) = (i16::try_from(ndigits), i16::try_from(weight)) else {
        out.truncate(start);
        return Err(Error::bad_input(format!(
            "numeric {} has too many digits for PostgreSQL",
            d
        )));
    };
    let (weight, sign) = if ndigits == 0 {
        (0, POSITIVE)
    } else {
        (weight, if negative { NEGATIVE } else { POSITIVE })
    };
    out[start..start + 8].copy_from_slice(&header_bytes(ndigits, weight, sign, dscale as u16));
    Ok(())
}

fn check_typmod(
    text: &str,
    int_digits: usize,
    frac_digits: usize,
    precision: u32,
    scale: u32,
) -> Result<()> {
    let column = format!("numeric({precision},{scale})");
    if frac_digits > scale as usize {
        return Err(Error::bad_input(format!(
            "{text} has {frac_digits} significant decimal places but {column} keeps {scale}; PostgreSQL would round it"
        )));
    }
    let max_int = precision.saturating_sub(scale) as usize;
    if int_digits > max_int {
        return Err(Error::bad_input(format!(
            "{text} has {int_digits} digits before the decimal point but {column} allows {max_int}"
        )));
    }
    Ok(())
}

fn header(out: &mut Vec<u8>, ndigits: i16, weight: i16, sign: u16, dscale: u16) {
    out.extend_from_slice(&header_bytes(ndigits, weight, sign, dscale));
}

fn header_bytes(ndigits: i16, weight: i16, sign: u16, dscale: u16) -> [u8; 8] {
    let [a, b] = ndigits.to_be_bytes();
    let [c, d] = weight.to_be_bytes();
    let [e, f] = sign.to_be_bytes();
    let [g, h] = dscale.to_be_bytes();
    [a, b, c, d, e, f, g, h]
}

/// One base-10000 digit from up to four decimal digits; a fractional chunk is padded on the
/// right (`"5"` after the point is 5000), an integer one is not.
fn push_group(out: &mut Vec<u8>, chunk: &[u8], pad_right: bool) {
    let mut group = chunk
        .iter()
        .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'));
    if pad_right {
        for _ in chunk.len()..4 {
            group *= 10;
        }
    }
    out.extend_from_slice(&group.to_be_bytes());
}

/// Decodes a binary `numeric` into the text PostgreSQL's `numeric_out` would print: exactly
/// `dscale` decimal places.
pub(super) fn decode(bytes: &[u8]) -> std::result::Result<Decimal, String> {
    let word = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
    if bytes.len() < 8 {
        return Err(format!("header needs 8 bytes, got {}", bytes.len()));
    }
    let ndigits = word(0) as i16;
    let weight = i64::from(word(2) as i16);
    let sign = word(4);
    let dscale = usize::from(word(6));
    if ndigits < 0 || bytes.len() != 8 + 2 * ndigits as usize {
        return Err(format!(
            "{ndigits} digits do not match {} bytes",
            bytes.len()
        ));
    }
    let special = match sign {
        NAN => Some("NaN"),
        PLUS_INFINITY => Some("Infinity"),
        MINUS_INFINITY => Some("-Infinity"),
        POSITIVE | NEGATIVE => None,
        other => return Err(format!("unknown sign word {other:#06x}")),
    };
    if let Some(text) = special {
        return Decimal::parse(text).ok_or_else(|| "special value".to_string());
    }
    if dscale > MAX_DSCALE {
        return Err(format!("invalid dscale {dscale}"));
    }
    let digits: Vec<u16> = (0..ndigits as usize).map(|i| word(8 + 2 * i)).collect();
    if let Some(bad) = digits.iter().find(|d| **d >= 10_000) {
        return Err(format!("base-10000 digit {bad} out of range"));
    }
    // Digit index j stands for 10000^(weight − j); outside the stored digits it is 0.
    let digit = |j: i64| {
        if (0..i64::from(ndigits)).contains(&j) {
            digits[j as usize]
        } else {
            0
        }
    };

    let mut text = String::with_capacity(12 + 4 * digits.len() + dscale);
    if sign == NEGATIVE {
        text.push('-');
    }
    let int_start = text.len();
    for j in 0..=weight {
        push4(&mut text, digit(j));
    }
    let significant = text[int_start..].trim_start_matches('0').len();
    text.replace_range(int_start..text.len() - significant, "");
    if significant == 0 {
        text.push('0');
    }
    if dscale > 0 {
        text.push('.');
        let frac_start = text.len();
        let mut j = weight + 1;
        while text.len() - frac_start < dscale {
            push4(&mut text, digit(j));
            j += 1;
        }
        if text[frac_start + dscale..].bytes().any(|b| b != b'0') {
            return Err(format!("digits beyond its {dscale} decimal places"));
        }
        text.truncate(frac_start + dscale);
    }
    // Nonzero digits past the displayed scale would be dropped by the text form.
    let last_shown = weight + dscale.div_ceil(4) as i64;
    if (last_shown + 1..i64::from(ndigits)).any(|j| digit(j) != 0) {
        return Err(format!("digits beyond its {dscale} decimal places"));
    }
    Decimal::parse_owned(text).ok_or_else(|| "produced unparseable text".to_string())
}

/// Appends a base-10000 digit as exactly four decimal digits.
fn push4(text: &mut String, group: u16) {
    for div in [1000, 100, 10, 1] {
        text.push(char::from(b'0' + (group / div % 10) as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (decimal text, ndigits, weight, sign, dscale, digits) as PostgreSQL's `numeric_send`
    /// produces them.
    type WireCase = (&'static str, i16, i16, u16, u16, &'static [u16]);
    const CASES: &[WireCase] = &[
        ("0", 0, 0, POSITIVE, 0, &[]),
        ("0.00", 0, 0, POSITIVE, 2, &[]),
        ("-0.01", 1, -1, NEGATIVE, 2, &[100]),
        ("1.50", 2, 0, POSITIVE, 2, &[1, 5000]),
        ("10000", 1, 1, POSITIVE, 0, &[1]),
        ("0.00001", 1, -2, POSITIVE, 5, &[1000]),
        ("123456789.0001", 4, 2, POSITIVE, 4, &[1, 2345, 6789, 1]),
        ("NaN", 0, 0, NAN, 0, &[]),
        ("Infinity", 0, 0, PLUS_INFINITY, 0, &[]),
        ("-Infinity", 0, 0, MINUS_INFINITY, 0, &[]),
    ];

    fn wire(ndigits: i16, weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> Vec<u8> {
        let mut out = Vec::new();
        header(&mut out, ndigits, weight, sign, dscale);
        for d in digits {
            out.extend_from_slice(&d.to_be_bytes());
        }
        out
    }

    #[test]
    fn encodes_and_decodes_like_postgres() {
        for &(text, ndigits, weight, sign, dscale, digits) in CASES {
            let expected = wire(ndigits, weight, sign, dscale, digits);
            let mut out = Vec::new();
            encode(&Decimal::parse(text).unwrap(), None, None, &mut out).unwrap();
            assert_eq!(out, expected, "encoding {text}");
            assert_eq!(decode(&expected).unwrap().as_str(), text, "decoding {text}");
        }
    }

    #[test]
    fn decode_pads_to_dscale_and_refuses_hidden_digits() {
        // 1.5 sent with dscale 3 prints as 1.500, as numeric_out would.
        assert_eq!(
            decode(&wire(2, 0, POSITIVE, 3, &[1, 5000]))
                .unwrap()
                .as_str(),
            "1.500"
        );
        // A digit past dscale would be silently dropped by the text form.
        assert!(decode(&wire(2, 0, POSITIVE, 1, &[1, 5500])).is_err());
        assert!(decode(&wire(3, 0, POSITIVE, 4, &[1, 5000, 1])).is_err());
        assert!(decode(&wire(1, 0, 0x1234, 0, &[1])).is_err());
        assert!(decode(&wire(1, 0, POSITIVE, 0, &[10_000])).is_err());
    }

    #[test]
    fn long_values_survive() {
        let text = "-123456789012345678901234567890.123456789";
        let mut out = Vec::new();
        encode(&Decimal::parse(text).unwrap(), None, None, &mut out).unwrap();
        assert_eq!(decode(&out).unwrap().as_str(), text);
    }
}
