//! Canonical JSON in one pass: validate JSON text and write its canonical form straight into
//! a byte buffer, without building a tree.
//!
//! Digests canonicalize every JSON value on both sides of a copy (a million rows of JSON
//! payloads each way), and the preflight validates every JSON value of a SQLite source; a
//! `serde_json::Value` tree costs an allocation per string, key and number, which made JSON
//! the single largest cost of a run. This parser allocates only for buffers it keeps between
//! documents (an object whose keys are out of order is sorted in them), and for keys with
//! escapes.
//!
//! It accepts exactly RFC 8259 JSON, as `serde_json::from_str` does: no comments, trailing
//! commas, NaN or leading zeros; control characters must be escaped; `\u` escapes must pair
//! surrogates; nesting deeper than 128 levels is refused (serde_json's limit). The canonical
//! form is the one [`super::json::canonical_json`] documents: no insignificant whitespace,
//! object keys in jsonb's order (shorter keys first, keys of one length by their UTF-8 bytes)
//! with **every** duplicate key kept (in the order written), strings re-escaped one way
//! (`\"`, `\\`, `\b \f \n \r \t`, other control characters as `\u00xx`, everything else as
//! itself), numbers compared by value within their kind (`1.0 = 1.00`, `1e2 = 100.0`, but
//! `1e2 ≠ 100`, `-0 ≠ 0`).
//!
//! Why duplicates and number kinds count: the canonical form is what the digest compares, and
//! it must not call equal two documents an application reads differently. jsonb keeps only the
//! last of duplicate keys, so `{"a":1,"a":2}` and `{"a":2}` are different documents here; a
//! JSON parser in Python (and most typed ones) reads `1e2` as a float and `100` as an integer,
//! and JavaScript reads `-0` as negative zero, while jsonb turns both into `100` and `0`. The
//! [`JsonFacts`] say where jsonb would store a document differently from what was written, so
//! the preflight can refuse it before anything is written.

use crate::model::value::Decimal;

/// serde_json's recursion limit: a document it refuses is refused here too.
const MAX_DEPTH: usize = 128;

/// What one canonicalization found besides the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonFacts {
    /// A string or key holds U+0000 (which jsonb cannot store).
    pub has_nul: bool,
    /// An object (at any depth) has the same key twice; jsonb keeps only the last.
    pub duplicate_keys: bool,
    /// The first number jsonb would not keep as written, as a byte range of the input, and
    /// why.
    pub jsonb_number: Option<(usize, usize, JsonbNumber)>,
}

/// How jsonb (whose numbers are PostgreSQL `numeric`s) would treat a JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonbNumber {
    /// Beyond `numeric`'s range (more than 131072 digits before the point, or more than 16383
    /// after it): PostgreSQL refuses the document.
    OutOfRange,
    /// Written as a fraction or with an exponent, stored as an integer (`1e2` → `100`,
    /// `1.0e2` → `100`): parsers that tell the two apart read another type back.
    BecomesInteger,
    /// A negative zero (`-0`, `-0.0`), stored without its sign.
    LosesSign,
}

impl JsonbNumber {
    /// What happens to `text`, in words.
    pub fn describe(self, text: &str) -> String {
        match self {
            JsonbNumber::OutOfRange => format!("the number {text} is beyond jsonb's range"),
            JsonbNumber::BecomesInteger => {
                let stored = crate::model::value::Decimal::parse(text)
                    .map_or_else(|| "an integer".to_string(), |d| shorten(d.as_str()));
                format!("jsonb would store the number {text} as the integer {stored}")
            }
            JsonbNumber::LosesSign => format!("jsonb would store the number {text} as 0"),
        }
    }
}

/// A long digit string cut in the middle, for a message.
fn shorten(digits: &str) -> String {
    if digits.len() <= 40 {
        digits.to_string()
    } else {
        format!(
            "{}… ({} digits)",
            &digits[..20],
            digits.trim_start_matches('-').len()
        )
    }
}

/// Documents up to this size are remembered by [`canonicalize_into`].
const REMEMBERED_BYTES: usize = 64 * 1024;

/// A thread's last canonicalized document: its text, canonical form and facts.
#[derive(Default)]
struct Last {
    text: Vec<u8>,
    canonical: Vec<u8>,
    facts: Option<JsonFacts>,
    /// The parser's buffers, kept for the thread's next document.
    scratch: Scratch,
}

/// Buffers for sorting an object's members, reused from object to object and document to
/// document. The key order is jsonb's so that jsonb text — PostgreSQL prints an object's keys
/// in the order it stores them — is already in order, and the million documents of a copy
/// from PostgreSQL are never sorted (neither when copied nor when verified); JSON written by
/// other programs usually is not in order.
#[derive(Default)]
struct Scratch {
    /// The members of the objects being read, innermost last; each object's start at the
    /// length this had when it began.
    members: Vec<Member>,
    /// An object's members as written, while they are copied back in key order.
    body: Vec<u8>,
}

thread_local! {
    static LAST: std::cell::RefCell<Last> = std::cell::RefCell::default();
}

/// Appends the canonical form of `text` to `out` and returns what it found; on invalid JSON
/// returns `None` and leaves `out` as it was.
///
/// The same document is often canonicalized twice in a row on one thread — a copy from
/// SQLite checks each JSON value as it converts it, then digests the row — so the last
/// document (up to 64 KiB) is remembered and compared byte for byte, far cheaper than
/// parsing it again.
pub fn canonicalize_into(text: &str, out: &mut Vec<u8>) -> Option<JsonFacts> {
    if text.len() > REMEMBERED_BYTES {
        return canonicalize_uncached(text, out, &mut Scratch::default());
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.text == text.as_bytes() {
            if last.facts.is_some() {
                out.extend_from_slice(&last.canonical);
            }
            return last.facts;
        }
        let start = out.len();
        let Last {
            text: t,
            canonical,
            facts: f,
            scratch,
        } = &mut *last;
        let facts = canonicalize_uncached(text, out, scratch);
        t.clear();
        t.extend_from_slice(text.as_bytes());
        canonical.clear();
        canonical.extend_from_slice(&out[start..]);
        *f = facts;
        facts
    })
}

fn canonicalize_uncached(
    text: &str,
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
) -> Option<JsonFacts> {
    let start = out.len();
    scratch.members.clear();
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
        facts: JsonFacts::default(),
        scratch,
    };
    let ok = p.ws_value_ws(out, 0).is_some() && p.i == p.s.len();
    if ok {
        Some(p.facts)
    } else {
        out.truncate(start);
        None
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    facts: JsonFacts,
    scratch: &'a mut Scratch,
}

/// One member of an object as written into the output: `"key":value`.
#[derive(Clone, Copy)]
struct Member {
    start: usize,
    /// End of the key's closing quote.
    key_end: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.i += 1)
    }

    fn ws_value_ws(&mut self, out: &mut Vec<u8>, depth: usize) -> Option<()> {
        self.skip_ws();
        self.value(out, depth)?;
        self.skip_ws();
        Some(())
    }

    fn value(&mut self, out: &mut Vec<u8>, depth: usize) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(out, depth + 1),
            b'[' => self.array(out, depth + 1),
            b'"' => self.string(out),
            b't' => self.literal(out, b"true"),
            b'f' => self.literal(out, b"false"),
            b'n' => self.literal(out, b"null"),
            b'-' | b'0'..=b'9' => self.number(out),
            _ => None,
        }
    }

    fn literal(&mut self, out: &mut Vec<u8>, word: &[u8]) -> Option<()> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            out.extend_from_slice(word);
            Some(())
        } else {
            None
        }
    }

    fn array(&mut self, out: &mut Vec<u8>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.i += 1; // '['
        out.push(b'[');
        self.skip_ws();
        if self.eat(b']').is_some() {
            out.push(b']');
            return Some(());
        }
        loop {
            self.ws_value_ws(out, depth)?;
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    out.push(b',');
                }
                b']' => {
                    self.i += 1;
                    out.push(b']');
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn object(&mut self, out: &mut Vec<u8>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.i += 1; // '{'
        let open = out.len();
        out.push(b'{');
        self.skip_ws();
        if self.eat(b'}').is_some() {
            out.push(b'}');
            return Some(());
        }
        let base = self.scratch.members.len();
        loop {
            self.skip_ws();
            if self.peek()? != b'"' {
                return None;
            }
            let start = out.len();
            self.string(out)?;
            let key_end = out.len();
            self.skip_ws();
            self.eat(b':')?;
            out.push(b':');
            self.ws_value_ws(out, depth)?;
            self.scratch.members.push(Member {
                start,
                key_end,
                end: out.len(),
            });
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    out.push(b',');
                }
                b'}' => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        let Scratch { members, body } = &mut *self.scratch;
        let in_order = members[base..].windows(2).all(|w| {
            // The keys without their quotes: a closing quote would sort before a space.
            let (a, b) = (
                &out[w[0].start + 1..w[0].key_end - 1],
                &out[w[1].start + 1..w[1].key_end - 1],
            );
            // Without escapes a canonical key's bytes are its text's bytes.
            if !a.contains(&b'\\') && !b.contains(&b'\\') {
                key_order(a, b).is_lt()
            } else {
                key_order(
                    &unescape_key(&out[w[0].start..w[0].key_end]),
                    &unescape_key(&out[w[1].start..w[1].key_end]),
                )
                .is_lt()
            }
        });
        if in_order {
            members.truncate(base);
            out.push(b'}');
            return Some(());
        }
        // Sort by key (stable, so equal keys keep their order), keeping every duplicate: the
        // members are moved aside into `body` and copied back in order.
        body.clear();
        body.extend_from_slice(&out[open..]);
        out.truncate(open);
        let mine = &mut members[base..];
        for m in mine.iter_mut() {
            *m = shift(m, open);
        }
        let quoted = |m: &Member| &body[m.start..m.key_end];
        if mine.iter().any(|m| quoted(m).contains(&b'\\')) {
            // A key with escapes is compared by its text, decoded once per key.
            let mut keyed: Vec<(Vec<u8>, Member)> =
                mine.iter().map(|m| (unescape_key(quoted(m)), *m)).collect();
            keyed.sort_by(|a, b| key_order(&a.0, &b.0));
            if keyed.windows(2).any(|w| w[0].0 == w[1].0) {
                self.facts.duplicate_keys = true;
            }
            for (slot, (_, m)) in mine.iter_mut().zip(keyed) {
                *slot = m;
            }
        } else {
            // Keys without escapes (nearly all) are compared in place, quotes left out.
            let key = |m: &Member| &body[m.start + 1..m.key_end - 1];
            mine.sort_by(|a, b| key_order(key(a), key(b)));
            if mine.windows(2).any(|w| key(&w[0]) == key(&w[1])) {
                self.facts.duplicate_keys = true;
            }
        }
        out.push(b'{');
        for (n, m) in mine.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&body[m.start..m.end]);
        }
        out.push(b'}');
        members.truncate(base);
        Some(())
    }

    /// Reads a string and writes it re-escaped canonically, quotes included.
    fn string(&mut self, out: &mut Vec<u8>) -> Option<()> {
        self.i += 1; // '"'
        out.push(b'"');
        loop {
            // Copy the run of bytes that need no attention in one go.
            let run_start = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.extend_from_slice(&self.s[run_start..self.i]);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    out.push(b'"');
                    return Some(());
                }
                b'\\' => {
                    self.i += 1;
                    let c = self.escape()?;
                    push_char(out, c);
                    if c == '\0' {
                        self.facts.has_nul = true;
                    }
                }
                _ => return None, // an unescaped control character
            }
        }
    }

    /// The character an escape sequence (after its backslash) stands for.
    fn escape(&mut self) -> Option<char> {
        let b = self.peek()?;
        self.i += 1;
        Some(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                match hi {
                    0xD800..=0xDBFF => {
                        self.eat(b'\\')?;
                        self.eat(b'u')?;
                        let lo = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => char::from_u32(hi)?,
                }
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let mut v = 0;
        for &d in digits {
            v = v * 16 + (d as char).to_digit(16)?;
        }
        self.i += 4;
        Some(v)
    }

    fn number(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let start = self.i;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let mut plain = true;
        let mut exponent = false;
        if self.eat(b'.').is_some() {
            plain = false;
            self.digits1()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            plain = false;
            exponent = true;
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.digits1()?;
        }
        let text = &self.s[start..self.i];
        if self.facts.jsonb_number.is_none() {
            if let Some(why) = jsonb_number(text) {
                self.facts.jsonb_number = Some((start, self.i, why));
            }
        }
        let negative_zero = text[0] == b'-'
            && text
                .iter()
                .take_while(|b| !matches!(b, b'e' | b'E'))
                .all(|b| matches!(b, b'-' | b'0' | b'.'));
        if plain && text != b"-0" {
            // An integer without leading zeros is already its canonical decimal.
            out.extend_from_slice(text);
        } else if !exponent && !negative_zero {
            // A fraction without an exponent: its integer part is canonical already (JSON
            // has no leading zeros), so only the fraction's trailing zeros go.
            let trimmed = trim_trailing_zeros(text);
            out.extend_from_slice(trimmed.strip_suffix(b".").unwrap_or(trimmed));
            out.extend_from_slice(b"e0");
        } else {
            let text = std::str::from_utf8(text).ok()?;
            if negative_zero {
                out.push(b'-');
            }
            match Decimal::parse(text) {
                Some(d) => out.extend_from_slice(d.canonical().as_bytes()),
                None => out.extend_from_slice(text.to_ascii_lowercase().as_bytes()),
            }
            if !plain {
                // The kind is part of the value: `1e2` (a float to most parsers) ≠ `100`.
                // An exponent marks it and keeps the canonical form valid JSON.
                out.extend_from_slice(b"e0");
            }
        }
        Some(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn digits1(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }
}

/// [`JsonFacts::jsonb_number`] for one number's text (a whole document that is a number).
pub(crate) fn jsonb_number_facts(text: &str) -> Option<(usize, usize, JsonbNumber)> {
    jsonb_number(text.as_bytes()).map(|why| (0, text.len(), why))
}

/// numeric's limits (PostgreSQL's `NUMERIC_WEIGHT_MAX` in decimal digits, `NUMERIC_DSCALE_MAX`).
const NUMERIC_MAX_INTEGER_DIGITS: i64 = 131_072;
const NUMERIC_MAX_SCALE: i64 = 16_383;

/// What jsonb does to a valid JSON number `text` that it would not keep as written, the way
/// PostgreSQL's `numeric_in` reads it: the scale is the fraction's digits minus the exponent
/// (at least 0), a zero has no sign, and the output never has an exponent.
fn jsonb_number(text: &[u8]) -> Option<JsonbNumber> {
    let (negative, rest) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.iter().position(|b| matches!(b, b'e' | b'E')) {
        Some(i) => {
            let e = std::str::from_utf8(&rest[i + 1..]).ok()?;
            // An exponent too long for i64 is far beyond numeric's range either way.
            let e: i64 = e.parse().unwrap_or(if e.starts_with('-') {
                i64::MIN / 4
            } else {
                i64::MAX / 4
            });
            (&rest[..i], e)
        }
        None => (rest, 0),
    };
    let (int, frac) = match mantissa.iter().position(|&b| b == b'.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, &mantissa[mantissa.len()..]),
    };
    let scale = (frac.len() as i64).saturating_sub(exponent).max(0);
    if scale > NUMERIC_MAX_SCALE {
        return Some(JsonbNumber::OutOfRange);
    }
    match int.iter().chain(frac).position(|&b| b != b'0') {
        None => {
            if negative {
                return Some(JsonbNumber::LosesSign);
            }
        }
        Some(first) => {
            // Digits before the point, counted from the first significant one.
            let integer_digits = (int.len() as i64).saturating_add(exponent) - first as i64;
            if integer_digits > NUMERIC_MAX_INTEGER_DIGITS {
                return Some(JsonbNumber::OutOfRange);
            }
        }
    }
    let written_as_fraction = text.iter().any(|b| matches!(b, b'.' | b'e' | b'E'));
    (written_as_fraction && scale == 0).then_some(JsonbNumber::BecomesInteger)
}

fn trim_trailing_zeros(text: &[u8]) -> &[u8] {
    let end = text.iter().rposition(|&b| b != b'0').map_or(0, |i| i + 1);
    &text[..end]
}

fn shift(m: &Member, by: usize) -> Member {
    Member {
        start: m.start - by,
        key_end: m.key_end - by,
        end: m.end - by,
    }
}

/// Writes `c` escaped the canonical way.
fn push_char(out: &mut Vec<u8>, c: char) {
    match c {
        '"' => out.extend_from_slice(b"\\\""),
        '\\' => out.extend_from_slice(b"\\\\"),
        '\u{8}' => out.extend_from_slice(b"\\b"),
        '\u{c}' => out.extend_from_slice(b"\\f"),
        '\n' => out.extend_from_slice(b"\\n"),
        '\r' => out.extend_from_slice(b"\\r"),
        '\t' => out.extend_from_slice(b"\\t"),
        c if (c as u32) < 0x20 => {
            out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
        }
        c => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// jsonb's order of object keys (`lengthCompareJsonbString` in PostgreSQL): by length in
/// bytes, then by bytes.
fn key_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The text of a canonically escaped key (quotes included in `quoted`), for ordering.
fn unescape_key(quoted: &[u8]) -> Vec<u8> {
    let inner = &quoted[1..quoted.len() - 1];
    if !inner.contains(&b'\\') {
        return inner.to_vec();
    }
    let mut p = Parser {
        s: inner,
        i: 0,
        facts: JsonFacts::default(),
        scratch: &mut Scratch::default(),
    };
    let mut text = Vec::with_capacity(inner.len());
    while let Some(b) = p.peek() {
        p.i += 1;
        if b == b'\\' {
            // Our own escapes always decode.
            let c = p.escape().unwrap_or('\u{fffd}');
            let mut buf = [0u8; 4];
            text.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        } else {
            text.push(b);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree-based canonical form this module replaced, kept as the reference it must
    /// agree with.
    fn reference_canonical_json(text: &str) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let mut out = String::with_capacity(text.len());
        write_canonical(&value, &mut out);
        Some(out)
    }

    fn write_canonical(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Null | serde_json::Value::Bool(_) => out.push_str(&v.to_string()),
            serde_json::Value::Number(n) => {
                // arbitrary_precision: the number's text as written.
                let text = n.to_string();
                let fraction = text.contains(['.', 'e', 'E']);
                let mantissa = text.split(['e', 'E']).next().unwrap_or("");
                if mantissa.starts_with('-') && mantissa.bytes().all(|b| b"-0.".contains(&b)) {
                    out.push('-');
                }
                match Decimal::parse(&text) {
                    Some(d) => out.push_str(d.canonical()),
                    None => out.push_str(&text.to_ascii_lowercase()),
                }
                if fraction {
                    out.push_str("e0");
                }
            }
            serde_json::Value::String(s) => {
                out.push_str(&serde_json::Value::String(s.clone()).to_string())
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_canonical(item, out);
                }
                out.push(']');
            }
            serde_json::Value::Object(map) => {
                // serde_json's parser already kept the last of duplicate keys; sort explicitly
                // (jsonb's order: length, then bytes) whatever order the map keeps.
                let mut sorted: Vec<(&String, &serde_json::Value)> = map.iter().collect();
                sorted.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(b.0)));
                out.push('{');
                for (i, (k, v)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(':');
                    write_canonical(v, out);
                }
                out.push('}');
            }
        }
    }

    fn canon(text: &str) -> Option<String> {
        let mut out = vec![];
        canonicalize_into(text, &mut out).map(|_| String::from_utf8(out).unwrap())
    }

    #[test]
    fn canonical_forms() {
        let cases = [
            (
                r#" { "b" : 1 , "a" : [ 1.50 , -0 , 2e2, "x" ] } "#,
                r#"{"a":[1.5e0,-0,200e0,"x"],"b":1}"#,
            ),
            (r#"{"a":1,"a":2}"#, r#"{"a":1,"a":2}"#),
            (r#"{"a ":1,"a":2,"a!":3}"#, r#"{"a":2,"a ":1,"a!":3}"#),
            (
                r#"{"b":{"d":1,"c":2},"a":null}"#,
                r#"{"a":null,"b":{"c":2,"d":1}}"#,
            ),
            (r#""\u00e9\/\u0041\n""#, "\"é/A\\n\""),
            (r#""\ud83d\ude00""#, "\"😀\""),
            (r#"{"\u0062":1,"a":2}"#, r#"{"a":2,"b":1}"#),
            ("[]", "[]"),
            ("{}", "{}"),
            ("true", "true"),
            ("-12", "-12"),
            ("1E+2", "100e0"),
            ("-0.0", "-0e0"),
        ];
        for (input, expected) in cases {
            assert_eq!(canon(input).as_deref(), Some(expected), "{input}");
        }
    }

    /// What PostgreSQL 15 does with each number as jsonb (checked with psql: `'1e2'::jsonb`
    /// is `100`, `'1e131072'::jsonb` fails with "value overflows numeric format").
    #[test]
    fn numbers_jsonb_would_not_keep() {
        let facts = |t: &str| canonicalize_into(t, &mut vec![]).unwrap().jsonb_number;
        use JsonbNumber::*;
        for (text, expected) in [
            ("1", None),
            ("1.0", None),
            ("1.50e1", None),
            ("1.5e-7", None),
            ("0e-5", None),
            ("123456789012345678901234567890.123456789", None),
            ("1e131071", Some(BecomesInteger)), // in range: 131072 digits
            ("1e-16383", None),
            ("1e2", Some(BecomesInteger)),
            ("1E2", Some(BecomesInteger)),
            ("1.5e1", Some(BecomesInteger)),
            ("1e+300", Some(BecomesInteger)),
            ("0e0", Some(BecomesInteger)),
            ("-0", Some(LosesSign)),
            ("-0.0", Some(LosesSign)),
            ("-0e-3", Some(LosesSign)),
            ("1e131072", Some(OutOfRange)),
            ("1e-16384", Some(OutOfRange)),
            ("0e-16384", Some(OutOfRange)),
            ("1e99999999999999999999", Some(OutOfRange)),
        ] {
            assert_eq!(facts(text).map(|f| f.2), expected, "{text}");
        }
        let mut out = vec![];
        let f = canonicalize_into(r#"{"a":[1, 2.5, 3e1, -0]}"#, &mut out).unwrap();
        assert_eq!(
            f.jsonb_number,
            Some((14, 17, BecomesInteger)),
            "the first, located"
        );
        assert_eq!(
            BecomesInteger.describe("1e+300"),
            "jsonb would store the number 1e+300 as the integer 10000000000000000000… (301 digits)"
        );
    }

    #[test]
    fn duplicate_keys_are_noticed_at_any_depth() {
        let dup = |t: &str| canonicalize_into(t, &mut vec![]).unwrap().duplicate_keys;
        assert!(dup(r#"{"a":1,"a":2}"#));
        assert!(dup(r#"[{"x":{"b":1,"c":0,"b":1}}]"#));
        assert!(dup(r#"{"\u0061":1,"a":2}"#), "the same key escaped");
        assert!(!dup(r#"{"a":{"a":1},"b":{"a":2}}"#));
    }

    #[test]
    fn invalid_json_is_refused_like_serde_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "NaN",
            "nul",
            "\"\u{1}\"",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "[1] 2",
            "{'a':1}",
            "\"abc",
            "-",
            "1e",
        ] {
            assert_eq!(canon(bad), None, "{bad:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(bad).is_err(),
                "{bad:?}"
            );
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(canon(&deep), None);
    }

    #[test]
    fn nul_is_noticed_in_strings_and_keys() {
        let mut out = vec![];
        assert!(
            canonicalize_into(r#"{"a\u0000":1}"#, &mut out)
                .unwrap()
                .has_nul
        );
        assert!(
            canonicalize_into(r#"["x\u0000y"]"#, &mut out)
                .unwrap()
                .has_nul
        );
        assert!(
            !canonicalize_into(r#"["\\u0000"]"#, &mut out)
                .unwrap()
                .has_nul
        );
    }

    /// The one-pass form agrees with the tree-based reference on equality: two texts have the
    /// same canonical form here exactly when they do there.
    #[test]
    fn agrees_with_the_tree_based_reference() {
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let keys = [
            "a", "b", "ab", "é", "a\"b", "\\", "\n", "B", "", "a\u{1}", "a ", "a!",
        ];
        let scalars = [
            "1",
            "1.0",
            "-0",
            "0",
            "1e3",
            "1000",
            "2.50",
            "\"x\"",
            "\"\\u00e9\"",
            "\"é\"",
            "null",
            "true",
            "false",
            "\"\\\\\"",
            "12345678901234567890",
            "-1.5e-3",
        ];
        fn gen(
            next: &mut dyn FnMut() -> u64,
            depth: u32,
            keys: &[&str],
            scalars: &[&str],
        ) -> String {
            let ws = |n: u64| [" ", "", "\n", "\t "][(n % 4) as usize];
            match next() % if depth > 3 { 1 } else { 3 } {
                0 => scalars[(next() % scalars.len() as u64) as usize].to_string(),
                1 => {
                    let n = next() % 4;
                    let items: Vec<String> = (0..n)
                        .map(|_| gen(next, depth + 1, keys, scalars))
                        .collect();
                    format!("[{}{}]", ws(next()), items.join(","))
                }
                _ => {
                    let n = next() % 5;
                    let items: Vec<String> = (0..n)
                        .map(|_| {
                            let k =
                                serde_json::to_string(keys[(next() % keys.len() as u64) as usize])
                                    .unwrap();
                            format!("{k}{}:{}", ws(next()), gen(next, depth + 1, keys, scalars))
                        })
                        .collect();
                    format!("{{{}}}", items.join(", "))
                }
            }
        }
        let docs: Vec<String> = (0..3000)
            .map(|_| gen(&mut next, 0, &keys, &scalars))
            .collect();
        for doc in &docs {
            let mine = canon(doc);
            let reference = reference_canonical_json(doc);
            assert_eq!(mine.is_some(), reference.is_some(), "{doc}");
        }
        // A tree keeps one of duplicate keys, so it is the reference only without them; with
        // them, the document never equals its tree's re-serialization (jsonb's rewrite).
        let has_duplicates =
            |doc: &str| canonicalize_into(doc, &mut vec![]).unwrap().duplicate_keys;
        let (with, docs): (Vec<String>, Vec<String>) =
            docs.into_iter().partition(|d| has_duplicates(d));
        assert!(
            with.len() > 100 && docs.len() > 100,
            "{} {}",
            with.len(),
            docs.len()
        );
        for doc in &with {
            let v: serde_json::Value = serde_json::from_str(doc).unwrap();
            assert_ne!(canon(doc), canon(&v.to_string()), "{doc}");
        }
        for pair in docs.windows(2) {
            let same_here = canon(&pair[0]) == canon(&pair[1]);
            let same_there =
                reference_canonical_json(&pair[0]) == reference_canonical_json(&pair[1]);
            assert_eq!(same_here, same_there, "{} vs {}", pair[0], pair[1]);
        }
        // And on each document against a re-serialized copy of itself.
        for doc in &docs {
            let v: serde_json::Value = serde_json::from_str(doc).unwrap();
            let pretty = serde_json::to_string_pretty(&v).unwrap();
            assert_eq!(canon(doc), canon(&pretty), "{doc}");
        }
    }
}
