//! The tokens of a CHECK expression, per dialect (quoting, casts, operators).

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// `quoted`: written with quotes (or SQLite's backticks/brackets, `requoted`).
    Ident {
        name: String,
        quoted: bool,
        requoted: bool,
    },
    Num(String),
    Str(String),
    Op(String),
    LParen,
    RParen,
    Comma,
    LBracket,
    RBracket,
}

pub(super) fn tokenize(s: &str, dialect: Dialect) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let delimited = |i: &mut usize, close: char, doubled: bool| -> Result<String, String> {
        let mut text = String::new();
        *i += 1;
        loop {
            match chars.get(*i) {
                None => return Err("unterminated quoted text".into()),
                Some(&c) if c == close => {
                    if doubled && chars.get(*i + 1) == Some(&close) {
                        text.push(close);
                        *i += 2;
                    } else {
                        *i += 1;
                        return Ok(text);
                    }
                }
                Some(&c) => {
                    text.push(c);
                    *i += 1;
                }
            }
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            _ if c.is_whitespace() => i += 1,
            '\'' => out.push(Tok::Str(delimited(&mut i, '\'', true)?)),
            '"' => out.push(Tok::Ident {
                name: delimited(&mut i, '"', true)?,
                quoted: true,
                requoted: false,
            }),
            '`' if dialect == Dialect::Sqlite => out.push(Tok::Ident {
                name: delimited(&mut i, '`', true)?,
                quoted: true,
                requoted: true,
            }),
            '[' if dialect == Dialect::Sqlite => out.push(Tok::Ident {
                name: delimited(&mut i, ']', false)?,
                quoted: true,
                requoted: true,
            }),
            '[' => {
                out.push(Tok::LBracket);
                i += 1
            }
            ']' => {
                out.push(Tok::RBracket);
                i += 1
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            _ if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                    i += 1;
                    if i < chars.len() && (chars[i] == '+' || chars[i] == '-') {
                        i += 1;
                    }
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let text: String = chars[start..i].iter().collect();
                if text.matches('.').count() > 1
                    || chars.get(i).is_some_and(|c| c.is_alphanumeric())
                {
                    return Err(format!("unsupported number near {text:?}"));
                }
                out.push(Tok::Num(text));
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
                {
                    i += 1;
                }
                if chars.get(i) == Some(&'\'') {
                    return Err("prefixed string literals (E'…', X'…') are not translated".into());
                }
                out.push(Tok::Ident {
                    name: chars[start..i].iter().collect(),
                    quoted: false,
                    requoted: false,
                });
            }
            _ => {
                let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
                let op = [
                    "!~~", "::", "<=", ">=", "<>", "!=", "==", "||", "~~", "=", "<", ">", "+", "-",
                    "*", "/", "%",
                ]
                .into_iter()
                .find(|op| rest.starts_with(op))
                .ok_or_else(|| format!("operator {:?} is not translated", rest.trim()))?;
                if (op == "~~" || op == "!~~") && rest.starts_with(&format!("{op}*")) {
                    return Err("ILIKE is not translated".into());
                }
                i += op.chars().count();
                out.push(Tok::Op(op.to_string()));
            }
        }
    }
    Ok(out)
}
