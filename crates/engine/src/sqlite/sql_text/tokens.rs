//! The tokenizer and the small token helpers the statement readers share: every quoting form
//! SQLite accepts, comments and nested parentheses, with spans into the original text so an
//! expression can be sliced out verbatim.

/// What a token is; spans index into the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// A quoted identifier: `"x"`, `[x]` or `` `x` ``.
    Quoted,
    /// A string literal `'x'` (SQLite also accepts these as identifiers in some places).
    Str,
    Number,
    /// `/* … */` or `-- …`.
    Comment,
    /// Any other single byte (`(`, `)`, `,`, `-`, `;`, …).
    Punct(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokKind,
    pub start: usize,
    pub end: usize,
}

/// Splits SQL text into tokens, whitespace dropped, comments kept.
pub fn tokenize(sql: &str) -> Vec<Token> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let kind = match c {
            _ if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                TokKind::Comment
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
                TokKind::Comment
            }
            b'\'' | b'"' | b'`' => {
                i = skip_quoted(b, i, c);
                if c == b'\'' {
                    TokKind::Str
                } else {
                    TokKind::Quoted
                }
            }
            b'[' => {
                while i < b.len() && b[i] != b']' {
                    i += 1;
                }
                i = (i + 1).min(b.len());
                TokKind::Quoted
            }
            b'0'..=b'9' => {
                i = skip_number(b, i);
                TokKind::Number
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = skip_number(b, i);
                TokKind::Number
            }
            _ if is_word_byte(c) => {
                while i < b.len() && is_word_byte(b[i]) {
                    i += 1;
                }
                TokKind::Word
            }
            _ => {
                i += 1;
                TokKind::Punct(c)
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// Index just past a quoted run starting at `i` (doubled quotes are escapes).
fn skip_quoted(b: &[u8], mut i: usize, q: u8) -> usize {
    i += 1;
    while i < b.len() {
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

fn skip_number(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        let c = b[i];
        let exponent_sign = (c == b'+' || c == b'-') && i > 0 && matches!(b[i - 1], b'e' | b'E');
        if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || exponent_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// The text of an identifier token with its quoting removed.
pub fn unquote(sql: &str, t: &Token) -> String {
    let s = &sql[t.start..t.end];
    match t.kind {
        TokKind::Quoted | TokKind::Str if s.len() >= 2 => {
            let (open, inner) = (s.as_bytes()[0], &s[1..s.len() - 1]);
            match open {
                b'[' => inner.to_string(),
                q => {
                    let q = q as char;
                    inner.replace(&format!("{q}{q}"), &q.to_string())
                }
            }
        }
        _ => s.to_string(),
    }
}

pub(super) fn is_word(sql: &str, t: &Token, w: &str) -> bool {
    t.kind == TokKind::Word && sql[t.start..t.end].eq_ignore_ascii_case(w)
}

pub(super) fn is_punct(t: &Token, c: u8) -> bool {
    t.kind == TokKind::Punct(c)
}

/// Index of the `)` matching the `(` at `open` (or `toks.len()` when unbalanced).
pub(super) fn matching_paren(toks: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if is_punct(t, b'(') {
            depth += 1;
        } else if is_punct(t, b')') {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    toks.len()
}

/// Splits `toks` at top-level commas.
pub(super) fn split_commas(toks: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut from = 0;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokKind::Punct(b'(') => depth += 1,
            TokKind::Punct(b')') => depth = depth.saturating_sub(1),
            TokKind::Punct(b',') if depth == 0 => {
                parts.push(&toks[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&toks[from..]);
    parts
}

/// Verbatim text from the first to the last non-comment token of `toks`.
pub(super) fn span_text(sql: &str, toks: &[Token]) -> String {
    let code: Vec<&Token> = toks.iter().filter(|t| t.kind != TokKind::Comment).collect();
    match (code.first(), code.last()) {
        (Some(a), Some(z)) => sql[a.start..z.end].to_string(),
        _ => String::new(),
    }
}
