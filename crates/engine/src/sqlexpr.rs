//! Translating CHECK expressions between SQLite and PostgreSQL.
//!
//! CHECKs are small boolean expressions over a row's columns, so a real SQL parser is not
//! needed, but a wrong translation would be worse than none: a CHECK that means something
//! else either rejects good rows mid-migration or silently stops protecting the data. So this
//! module parses a deliberately small language — columns, literals, comparison, arithmetic,
//! `||`, AND/OR/NOT, IN, BETWEEN, IS [NOT] NULL, LIKE, a short allow-list of functions that
//! behave the same in both databases — and anything outside it is `Untranslatable` with a
//! reason the report shows. Columns must exist (`column_type`) and have a type whose
//! comparisons mean the same on both sides.
//!
//! PostgreSQL → SQLite undoes what PostgreSQL's deparser adds: casts of literals
//! (`0::numeric`, `'a'::text`), `col::text` on text columns, `= ANY (ARRAY[…])` for IN lists,
//! `~~` for LIKE (rewritten as GLOB, because SQLite's LIKE ignores case). SQLite → PostgreSQL
//! recognises CHECKs the target's type enforces by itself (`done IN (0, 1)` on a column that
//! becomes boolean, `json_valid(data)` on one that becomes jsonb) as `Implied`.

use crate::catalog::{ColumnType, Dialect};

/// What became of one CHECK expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    /// Portable as written.
    Same(String),
    /// Rewritten for the target dialect.
    Translated(String),
    /// Not needed: the target column's type already enforces it.
    Implied { reason: String },
    /// Ferry cannot translate it with certainty; the caller reports it and drops it.
    Untranslatable { reason: String },
}

/// Translates the expression inside `CHECK (…)` from one dialect to the other.
///
/// `column_type` gives the type each column has in the *target* table (`None` for a name
/// that is not a column).
pub fn translate_check(
    expr: &str,
    from: Dialect,
    to: Dialect,
    column_type: &dyn Fn(&str) -> Option<ColumnType>,
) -> Translation {
    if from == to {
        return Translation::Same(expr.to_string());
    }
    let untranslatable = |reason: String| Translation::Untranslatable { reason };
    let tokens = match tokenize(expr, from) {
        Ok(t) => t,
        Err(reason) => return untranslatable(reason),
    };
    let mut parser = Parser {
        tokens,
        pos: 0,
        from,
    };
    let ast = match parser.parse() {
        Ok(a) => a,
        Err(reason) => return untranslatable(reason),
    };
    if to == Dialect::Postgres {
        if let Some(reason) = implied(&ast, column_type) {
            return Translation::Implied { reason };
        }
    }
    let mut cx = Converter {
        from,
        column_type,
        changed: false,
    };
    match cx.convert(ast) {
        Err(reason) => untranslatable(reason),
        Ok(_) if !cx.changed => Translation::Same(expr.to_string()),
        Ok(out) => Translation::Translated(render(&out)),
    }
}

// ---------------------------------------------------------------- tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
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

fn tokenize(s: &str, dialect: Dialect) -> Result<Vec<Tok>, String> {
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

// ---------------------------------------------------------------- syntax

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Col {
        name: String,
        requote: bool,
    },
    Num(String),
    Str(String),
    Null,
    Bool(bool),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin(String, Box<Expr>, Box<Expr>),
    Func(String, Vec<Expr>),
    Cast(Box<Expr>, String),
    In(Box<Expr>, Vec<Expr>, bool),
    Between(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    IsNull(Box<Expr>, bool),
    /// `x op ANY (…)` (`all` = false) or `x op ALL (…)`.
    Quantified {
        lhs: Box<Expr>,
        op: String,
        all: bool,
        rhs: Box<Expr>,
    },
    Array(Vec<Expr>),
    Paren(Box<Expr>),
}

const COMPARISON: u8 = 4;

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
    from: Dialect,
}

impl Parser {
    fn parse(&mut self) -> Result<Expr, String> {
        let e = self.expr(0)?;
        match self.peek() {
            None => Ok(e),
            Some(t) => Err(format!("unexpected {t:?} in expression")),
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    /// The next token as an unquoted keyword, upper-cased.
    fn keyword(&self, offset: usize) -> Option<String> {
        match self.tokens.get(self.pos + offset) {
            Some(Tok::Ident {
                name,
                quoted: false,
                ..
            }) => Some(name.to_ascii_uppercase()),
            _ => None,
        }
    }

    fn expect(&mut self, tok: Tok) -> Result<(), String> {
        match self.next() {
            Some(t) if t == tok => Ok(()),
            other => Err(format!("expected {tok:?}, found {other:?}")),
        }
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), String> {
        if self.keyword(0).as_deref() == Some(kw) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected {kw}"))
        }
    }

    /// Binding power of the operator at the cursor (Pratt parsing); `||` binds tighter than
    /// arithmetic in SQLite and looser in PostgreSQL.
    fn infix_power(&self) -> Option<u8> {
        if let Some(kw) = self.keyword(0) {
            return match kw.as_str() {
                "OR" => Some(1),
                "AND" => Some(2),
                "IS" | "IN" | "BETWEEN" | "LIKE" | "GLOB" | "NOT" => Some(COMPARISON),
                _ => None,
            };
        }
        match self.peek()? {
            Tok::Op(op) => Some(match op.as_str() {
                "=" | "==" | "<>" | "!=" | "<" | "<=" | ">" | ">=" | "~~" | "!~~" => COMPARISON,
                "||" if self.from == Dialect::Sqlite => 8,
                "||" => 5,
                "+" | "-" => 6,
                "*" | "/" | "%" => 7,
                "::" => 10,
                _ => return None,
            }),
            _ => None,
        }
    }

    fn expr(&mut self, min: u8) -> Result<Expr, String> {
        let mut lhs = self.prefix()?;
        while let Some(power) = self.infix_power() {
            if power <= min {
                break;
            }
            lhs = self.infix(lhs, power)?;
            if power == COMPARISON && self.infix_power() == Some(COMPARISON) {
                return Err("chained comparisons are not translated".into());
            }
        }
        Ok(lhs)
    }

    fn list(&mut self, close: Tok) -> Result<Vec<Expr>, String> {
        let mut items = Vec::new();
        if self.peek() == Some(&close) {
            self.pos += 1;
            return Ok(items);
        }
        loop {
            items.push(self.expr(0)?);
            match self.next() {
                Some(Tok::Comma) => continue,
                Some(t) if t == close => return Ok(items),
                other => return Err(format!("expected , or {close:?}, found {other:?}")),
            }
        }
    }

    fn prefix(&mut self) -> Result<Expr, String> {
        match self.next().ok_or("expression ends early")? {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::LParen => {
                let e = self.expr(0)?;
                self.expect(Tok::RParen)?;
                Ok(Expr::Paren(Box::new(e)))
            }
            Tok::Op(op) if op == "-" => Ok(Expr::Neg(Box::new(self.expr(9)?))),
            Tok::Op(op) if op == "+" => self.expr(9),
            Tok::Ident {
                name,
                quoted,
                requoted,
            } => {
                let upper = name.to_ascii_uppercase();
                let call = self.peek() == Some(&Tok::LParen);
                if !quoted && !call {
                    match upper.as_str() {
                        "NULL" => return Ok(Expr::Null),
                        "TRUE" => return Ok(Expr::Bool(true)),
                        "FALSE" => return Ok(Expr::Bool(false)),
                        "NOT" => return Ok(Expr::Not(Box::new(self.expr(COMPARISON - 1)?))),
                        "ARRAY" if self.peek() == Some(&Tok::LBracket) => {
                            self.pos += 1;
                            return Ok(Expr::Array(self.list(Tok::RBracket)?));
                        }
                        "AND" | "OR" | "IN" | "IS" | "BETWEEN" | "LIKE" | "GLOB" | "CASE"
                        | "WHEN" | "EXISTS" | "SELECT" | "COLLATE" | "ARRAY" => {
                            return Err(format!("{upper} is not translated here"))
                        }
                        _ => {}
                    }
                }
                if call {
                    self.pos += 1;
                    return self.call(name, quoted);
                }
                // Unquoted names fold to lower case in PostgreSQL but not in SQLite.
                let requote = requoted || (!quoted && name != name.to_lowercase());
                Ok(Expr::Col { name, requote })
            }
            t => Err(format!("unexpected {t:?} in expression")),
        }
    }

    fn call(&mut self, name: String, quoted: bool) -> Result<Expr, String> {
        let lower = name.to_lowercase();
        if !quoted && lower == "cast" {
            let e = self.expr(0)?;
            self.expect_keyword("AS")?;
            let ty = self.type_name()?;
            self.expect(Tok::RParen)?;
            return Ok(Expr::Cast(Box::new(e), ty));
        }
        if lower == "trim" {
            // PostgreSQL prints trim(x) as TRIM(BOTH FROM x).
            let func = match self.keyword(0).as_deref() {
                Some("BOTH") => "trim",
                Some("LEADING") => "ltrim",
                Some("TRAILING") => "rtrim",
                _ => return Ok(Expr::Func(lower, self.list(Tok::RParen)?)),
            };
            if self.keyword(1).as_deref() != Some("FROM") {
                return Err("TRIM with characters is not translated".into());
            }
            self.pos += 2;
            let arg = self.expr(0)?;
            self.expect(Tok::RParen)?;
            return Ok(Expr::Func(func.into(), vec![arg]));
        }
        let args = self.list(Tok::RParen)?;
        Ok(Expr::Func(lower, args))
    }

    /// `character varying`, `numeric(10,2)`, `text[]`, `"Mood"`.
    fn type_name(&mut self) -> Result<String, String> {
        let mut words = Vec::new();
        while let Some(Tok::Ident { name, .. }) = self.peek().cloned() {
            let lower = name.to_lowercase();
            let continues = words.is_empty()
                || matches!(
                    lower.as_str(),
                    "varying" | "precision" | "with" | "without" | "time" | "zone"
                );
            if !continues {
                break;
            }
            words.push(lower);
            self.pos += 1;
        }
        if words.is_empty() {
            return Err("expected a type name".into());
        }
        let mut ty = words.join(" ");
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let args = self.list(Tok::RParen)?;
            ty.push_str(&format!(
                "({})",
                args.iter().map(render).collect::<Vec<_>>().join(",")
            ));
        }
        while self.peek() == Some(&Tok::LBracket) {
            self.pos += 1;
            self.expect(Tok::RBracket)?;
            ty.push_str("[]");
        }
        Ok(ty)
    }

    fn infix(&mut self, lhs: Expr, power: u8) -> Result<Expr, String> {
        let lhs = Box::new(lhs);
        if let Some(kw) = self.keyword(0) {
            self.pos += 1;
            let negated = kw == "NOT";
            let kw = if negated { self.next_keyword()? } else { kw };
            return match kw.as_str() {
                "OR" | "AND" if !negated => Ok(Expr::Bin(kw, lhs, Box::new(self.expr(power)?))),
                "IS" if !negated => {
                    let not = self.keyword(0).as_deref() == Some("NOT");
                    if not {
                        self.pos += 1;
                    }
                    self.expect_keyword("NULL")?;
                    Ok(Expr::IsNull(lhs, not))
                }
                "IN" => {
                    self.expect(Tok::LParen)?;
                    Ok(Expr::In(lhs, self.list(Tok::RParen)?, negated))
                }
                "BETWEEN" => {
                    let lo = self.expr(COMPARISON)?;
                    self.expect_keyword("AND")?;
                    let hi = self.expr(COMPARISON)?;
                    Ok(Expr::Between(lhs, Box::new(lo), Box::new(hi), negated))
                }
                "LIKE" | "GLOB" => {
                    let op = if negated { format!("NOT {kw}") } else { kw };
                    Ok(Expr::Bin(op, lhs, Box::new(self.expr(COMPARISON)?)))
                }
                _ => Err(format!("{kw} is not translated here")),
            };
        }
        let Some(Tok::Op(op)) = self.next() else {
            return Err("expected an operator".into());
        };
        match op.as_str() {
            "::" => Ok(Expr::Cast(lhs, self.type_name()?)),
            "~~" => Ok(Expr::Bin("LIKE".into(), lhs, Box::new(self.expr(power)?))),
            "!~~" => Ok(Expr::Bin(
                "NOT LIKE".into(),
                lhs,
                Box::new(self.expr(power)?),
            )),
            _ if power == COMPARISON => {
                if let Some(q @ ("ANY" | "ALL")) = self.keyword(0).as_deref() {
                    let all = q == "ALL";
                    self.pos += 1;
                    self.expect(Tok::LParen)?;
                    let rhs = self.expr(0)?;
                    self.expect(Tok::RParen)?;
                    return Ok(Expr::Quantified {
                        lhs,
                        op,
                        all,
                        rhs: Box::new(rhs),
                    });
                }
                let op = if op == "==" { "=".to_string() } else { op };
                Ok(Expr::Bin(op, lhs, Box::new(self.expr(power)?)))
            }
            _ => Ok(Expr::Bin(op, lhs, Box::new(self.expr(power)?))),
        }
    }

    fn next_keyword(&mut self) -> Result<String, String> {
        let kw = self.keyword(0).ok_or("expected a keyword after NOT")?;
        self.pos += 1;
        Ok(kw)
    }
}

// ---------------------------------------------------------------- meaning

fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(inner) => unparen(inner),
        other => other,
    }
}

fn is_int(e: &Expr, n: &str) -> bool {
    matches!(unparen(e), Expr::Num(x) if x == n)
}

/// SQLite → PostgreSQL CHECKs the target column's type enforces on its own.
fn implied(ast: &Expr, column_type: &dyn Fn(&str) -> Option<ColumnType>) -> Option<String> {
    let bool_col = |e: &Expr| match unparen(e) {
        Expr::Col { name, .. } if column_type(name) == Some(ColumnType::Bool) => Some(name.clone()),
        _ => None,
    };
    let boolean = |name: String| {
        Some(format!(
            "column {name:?} becomes boolean, which only holds true and false"
        ))
    };
    match unparen(ast) {
        Expr::In(col, items, false)
            if items.len() == 2
                && items.iter().any(|i| is_int(i, "0"))
                && items.iter().any(|i| is_int(i, "1")) =>
        {
            bool_col(col).and_then(boolean)
        }
        Expr::Between(col, lo, hi, false) if is_int(lo, "0") && is_int(hi, "1") => {
            bool_col(col).and_then(boolean)
        }
        Expr::Bin(op, a, b) if op == "OR" => {
            let eq = |e: &Expr, n: &str| match unparen(e) {
                Expr::Bin(op, l, r) if op == "=" && is_int(r, n) => bool_col(l),
                _ => None,
            };
            let (x, y) = (eq(a, "0").or(eq(a, "1"))?, eq(b, "1").or(eq(b, "0"))?);
            let distinct = (eq(a, "0").is_some() && eq(b, "1").is_some())
                || (eq(a, "1").is_some() && eq(b, "0").is_some());
            (x == y && distinct).then_some(x).and_then(boolean)
        }
        Expr::Func(f, args) if f == "json_valid" && args.len() == 1 => match unparen(&args[0]) {
            Expr::Col { name, .. }
                if matches!(column_type(name), Some(ColumnType::Json { .. })) =>
            {
                Some(format!(
                    "column {name:?} becomes JSON, which only holds valid JSON"
                ))
            }
            _ => None,
        },
        _ => None,
    }
}

struct Converter<'a> {
    from: Dialect,
    column_type: &'a dyn Fn(&str) -> Option<ColumnType>,
    changed: bool,
}

fn texty(ty: &ColumnType) -> bool {
    matches!(
        ty,
        ColumnType::Text
            | ColumnType::Varchar { .. }
            | ColumnType::Char { .. }
            | ColumnType::Enum { .. }
    )
}

fn numeric(ty: &ColumnType) -> bool {
    matches!(
        ty,
        ColumnType::Int { .. } | ColumnType::Float { .. } | ColumnType::Numeric { .. }
    )
}

const TEXT_CASTS: &[&str] = &["text", "character varying", "varchar", "bpchar"];
const NUMBER_CASTS: &[&str] = &[
    "numeric",
    "integer",
    "bigint",
    "smallint",
    "double precision",
    "real",
];

fn is_number_text(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && t.matches('.').count() <= 1
}

impl Converter<'_> {
    fn convert(&mut self, e: Expr) -> Result<Expr, String> {
        Ok(match e {
            Expr::Col { name, requote } => {
                let ty = (self.column_type)(&name)
                    .ok_or_else(|| format!("{name:?} is not a column of the table"))?;
                let allowed = texty(&ty)
                    || numeric(&ty)
                    || (ty == ColumnType::Bool && self.from == Dialect::Postgres);
                if !allowed {
                    return Err(format!("column {name:?} becomes {}, whose comparisons differ between the databases", ty.pg_name()));
                }
                if requote {
                    self.changed = true;
                }
                Expr::Col { name, requote }
            }
            Expr::Num(_) | Expr::Str(_) | Expr::Null | Expr::Bool(_) => e,
            Expr::Neg(x) => Expr::Neg(Box::new(self.convert(*x)?)),
            Expr::Not(x) => Expr::Not(Box::new(self.convert(*x)?)),
            Expr::Paren(x) => Expr::Paren(Box::new(self.convert(*x)?)),
            Expr::IsNull(x, n) => Expr::IsNull(Box::new(self.convert(*x)?), n),
            Expr::In(x, items, n) => {
                Expr::In(Box::new(self.convert(*x)?), self.convert_all(items)?, n)
            }
            Expr::Between(x, lo, hi, n) => Expr::Between(
                Box::new(self.convert(*x)?),
                Box::new(self.convert(*lo)?),
                Box::new(self.convert(*hi)?),
                n,
            ),
            Expr::Cast(x, ty) => self.cast(*x, ty)?,
            Expr::Quantified { lhs, op, all, rhs } => {
                let items = match self.convert(*rhs)? {
                    Expr::Array(items) => items,
                    _ => {
                        return Err(format!(
                            "{op} {} (…) over a non-literal array is not translated",
                            if all { "ALL" } else { "ANY" }
                        ))
                    }
                };
                let negated = match (op.as_str(), all) {
                    ("=", false) => false,
                    ("<>" | "!=", true) => true,
                    _ => {
                        return Err(format!(
                            "{op} {} (ARRAY[…]) is not translated",
                            if all { "ALL" } else { "ANY" }
                        ))
                    }
                };
                self.changed = true;
                Expr::In(Box::new(self.convert(*lhs)?), items, negated)
            }
            Expr::Array(items) if self.from == Dialect::Postgres => {
                Expr::Array(self.convert_all(items)?)
            }
            Expr::Array(_) => return Err("arrays are not translated".into()),
            Expr::Func(name, args) => self.func(name, args)?,
            Expr::Bin(op, a, b) => self.binary(op, *a, *b)?,
        })
    }

    fn convert_all(&mut self, items: Vec<Expr>) -> Result<Vec<Expr>, String> {
        items.into_iter().map(|i| self.convert(i)).collect()
    }

    /// PostgreSQL's deparser casts literals to the column's type; the literal alone means
    /// the same in SQLite. Any other cast changes meaning and is refused.
    fn cast(&mut self, inner: Expr, ty: String) -> Result<Expr, String> {
        if self.from == Dialect::Sqlite {
            return Err(format!("CAST(… AS {ty}) is not translated"));
        }
        let base = ty.split('(').next().unwrap_or(&ty).to_string();
        let inner = self.convert(inner)?;
        let ok = match unparen(&inner) {
            Expr::Str(_) => TEXT_CASTS.contains(&base.as_str()),
            Expr::Num(_) => NUMBER_CASTS.contains(&base.as_str()),
            Expr::Neg(x) => matches!(**x, Expr::Num(_)) && NUMBER_CASTS.contains(&base.as_str()),
            Expr::Col { name, .. } => {
                TEXT_CASTS.contains(&base.as_str())
                    && (self.column_type)(name).is_some_and(|t| texty(&t))
            }
            Expr::Array(items) => {
                let elem = base.trim_end_matches("[]");
                ty.ends_with("[]")
                    && TEXT_CASTS.contains(&elem)
                    && items.iter().all(|i| matches!(i, Expr::Str(_)))
            }
            _ => false,
        };
        // `'1.5'::numeric` is a number in PostgreSQL but text in SQLite: compare as a number.
        if let (Expr::Str(s), true) = (unparen(&inner), NUMBER_CASTS.contains(&base.as_str())) {
            if is_number_text(s) {
                self.changed = true;
                return Ok(Expr::Num(s.clone()));
            }
        }
        if !ok {
            return Err(format!("cast to {ty} is not translated"));
        }
        self.changed = true;
        Ok(inner)
    }

    fn func(&mut self, name: String, args: Vec<Expr>) -> Result<Expr, String> {
        let pg = self.from == Dialect::Postgres;
        let (target, arity): (&str, &[usize]) = match name.as_str() {
            "length" => ("length", &[1]),
            "char_length" | "character_length" if pg => ("length", &[1]),
            "lower" | "upper" | "abs" => (name.as_str(), &[1]),
            "trim" | "ltrim" | "rtrim" => (name.as_str(), &[1]),
            "btrim" if pg => ("trim", &[1]),
            "coalesce" => ("coalesce", &[2, 3, 4, 5, 6, 7, 8]),
            "ifnull" if !pg => ("coalesce", &[2]),
            "substr" => ("substr", &[2, 3]),
            "substring" if pg => ("substr", &[2, 3]),
            "typeof" | "glob" | "json_valid" | "json_extract" | "json_type" | "datetime"
            | "date" | "time" | "julianday" | "strftime" | "unixepoch" | "instr" | "printf"
            | "format" | "regexp" | "hex" | "unicode" | "char" | "likelihood" | "iif" => {
                return Err(format!("{name}() has no equivalent in the other database"))
            }
            _ => {
                return Err(format!(
                    "function {name}() is not in Ferry's list of portable functions"
                ))
            }
        };
        if !arity.contains(&args.len()) {
            return Err(format!(
                "{name}() with {} arguments is not translated",
                args.len()
            ));
        }
        let args = self.convert_all(args)?;
        // String functions must get text: PostgreSQL has no length(integer), SQLite coerces.
        if matches!(
            target,
            "length" | "lower" | "upper" | "trim" | "ltrim" | "rtrim" | "substr"
        ) && !self.textual(&args[0])
        {
            return Err(format!("{name}() of a non-text value is not translated"));
        }
        if target != name {
            self.changed = true;
        }
        Ok(Expr::Func(target.to_string(), args))
    }

    fn textual(&self, e: &Expr) -> bool {
        match unparen(e) {
            Expr::Str(_) => true,
            Expr::Col { name, .. } => (self.column_type)(name).is_some_and(|t| texty(&t)),
            Expr::Func(f, _) => matches!(
                f.as_str(),
                "lower" | "upper" | "trim" | "ltrim" | "rtrim" | "substr"
            ),
            Expr::Bin(op, _, _) => op == "||",
            _ => false,
        }
    }

    fn binary(&mut self, op: String, a: Expr, b: Expr) -> Result<Expr, String> {
        let (a, b) = (self.convert(a)?, self.convert(b)?);
        // A `||` next to arithmetic without parentheses groups differently in the two
        // databases; rendering makes the source's grouping explicit.
        let arithmetic = |o: &str| matches!(o, "+" | "-" | "*" | "/" | "%");
        for child in [&a, &b] {
            if let Expr::Bin(inner, _, _) = child {
                if (op == "||" && arithmetic(inner)) || (arithmetic(&op) && inner == "||") {
                    self.changed = true;
                }
            }
        }
        match op.as_str() {
            "LIKE" | "NOT LIKE" => self.like(op, a, b),
            "GLOB" | "NOT GLOB" => Err("GLOB has no PostgreSQL equivalent".into()),
            _ => Ok(Expr::Bin(op, Box::new(a), Box::new(b))),
        }
    }

    /// PostgreSQL's LIKE is case-sensitive with `\` as escape; SQLite's ignores ASCII case and
    /// has no escape. PostgreSQL → SQLite: GLOB (case-sensitive) says the same when the pattern
    /// has no GLOB metacharacters. SQLite → PostgreSQL: LIKE says the same when the pattern
    /// has no letters.
    fn like(&mut self, op: String, a: Expr, b: Expr) -> Result<Expr, String> {
        let Expr::Str(pattern) = unparen(&b).clone() else {
            return Err("LIKE with a non-literal pattern is not translated".into());
        };
        if pattern.contains('\\') {
            return Err(
                "LIKE patterns with a backslash escape differently in the two databases".into(),
            );
        }
        if self.from == Dialect::Postgres {
            if pattern.contains(['*', '?', '[']) {
                return Err(
                    "LIKE pattern with *, ? or [ cannot become a case-sensitive GLOB".into(),
                );
            }
            self.changed = true;
            let glob = pattern.replace('%', "*").replace('_', "?");
            let op = if op == "LIKE" { "GLOB" } else { "NOT GLOB" };
            return Ok(Expr::Bin(op.into(), Box::new(a), Box::new(Expr::Str(glob))));
        }
        if pattern.chars().any(char::is_alphabetic) {
            return Err(
                "LIKE ignores case in SQLite but not in PostgreSQL, and the pattern has letters"
                    .into(),
            );
        }
        Ok(Expr::Bin(op, Box::new(a), Box::new(Expr::Str(pattern))))
    }
}

// ---------------------------------------------------------------- output

fn compound(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Bin(..)
            | Expr::Not(_)
            | Expr::Neg(_)
            | Expr::In(..)
            | Expr::Between(..)
            | Expr::IsNull(..)
            | Expr::Cast(..)
            | Expr::Quantified { .. }
    )
}

/// Output readable by both databases; compound operands are parenthesised so that no
/// precedence difference between the dialects can regroup them.
fn render(e: &Expr) -> String {
    let child = |c: &Expr| {
        if compound(c) {
            format!("({})", render(c))
        } else {
            render(c)
        }
    };
    let list = |items: &[Expr]| items.iter().map(render).collect::<Vec<_>>().join(", ");
    let not = |n: bool| if n { "NOT " } else { "" };
    match e {
        Expr::Col { name, .. } => crate::postgres::ddl::quote_ident(name),
        Expr::Num(n) => n.clone(),
        Expr::Str(s) => format!("'{}'", s.replace('\'', "''")),
        Expr::Null => "NULL".into(),
        Expr::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).into(),
        Expr::Neg(x) => format!("-{}", child(x)),
        Expr::Not(x) => format!("NOT {}", child(x)),
        Expr::Bin(op, a, b) => format!("{} {op} {}", child(a), child(b)),
        Expr::Func(f, args) => format!("{f}({})", list(args)),
        Expr::Cast(x, ty) => format!("CAST({} AS {ty})", render(x)),
        Expr::In(x, items, n) => format!("{} {}IN ({})", child(x), not(*n), list(items)),
        Expr::Between(x, lo, hi, n) => format!(
            "{} {}BETWEEN {} AND {}",
            child(x),
            not(*n),
            child(lo),
            child(hi)
        ),
        Expr::IsNull(x, n) => format!("{} IS {}NULL", child(x), not(*n)),
        Expr::Quantified { lhs, op, all, rhs } => {
            format!(
                "{} {op} {} ({})",
                child(lhs),
                if *all { "ALL" } else { "ANY" },
                render(rhs)
            )
        }
        Expr::Array(items) => format!("ARRAY[{}]", list(items)),
        Expr::Paren(x) => format!("({})", render(x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dialect::{Postgres as Pg, Sqlite};

    fn types(name: &str) -> Option<ColumnType> {
        Some(match name {
            "price" | "qty" => ColumnType::Numeric {
                precision: None,
                scale: None,
            },
            "n" => ColumnType::Int { bits: 64 },
            "name" | "Email" | "email" => ColumnType::Text,
            "code" => ColumnType::Varchar { max_len: Some(5) },
            "done" | "active" => ColumnType::Bool,
            "data" => ColumnType::Json { binary: true },
            "at" => ColumnType::TimestampTz,
            _ => return None,
        })
    }

    enum Want {
        Same,
        To(&'static str),
        Implied,
        Refused(&'static str),
    }

    fn check(cases: &[(&str, Want)], from: Dialect, to: Dialect) {
        for (expr, want) in cases {
            let got = translate_check(expr, from, to, &types);
            match (want, &got) {
                (Want::Same, Translation::Same(s)) => assert_eq!(s, expr),
                (Want::To(w), Translation::Translated(s)) => assert_eq!(s, w, "{expr}"),
                (Want::Implied, Translation::Implied { .. }) => {}
                (Want::Refused(part), Translation::Untranslatable { reason }) => {
                    assert!(
                        reason.contains(part),
                        "{expr}: reason {reason:?} lacks {part:?}"
                    )
                }
                _ => panic!("{expr} ({from:?} → {to:?}): got {got:?}"),
            }
        }
    }

    #[test]
    fn postgres_to_sqlite() {
        use Want::*;
        let cases = [
            ("n > 0", Same),
            ("price >= 0::numeric", To("\"price\" >= 0")),
            (
                "price >= 0::numeric AND price <= 100::numeric",
                To("(\"price\" >= 0) AND (\"price\" <= 100)"),
            ),
            ("price > '-1.5'::numeric", To("\"price\" > -1.5")),
            ("name <> ''::text", To("\"name\" <> ''")),
            (
                "code::text = ANY (ARRAY['a'::character varying, 'b'::character varying]::text[])",
                To("\"code\" IN ('a', 'b')"),
            ),
            ("n = ANY (ARRAY[0, 1])", To("\"n\" IN (0, 1)")),
            ("n <> ALL (ARRAY[0, 1])", To("\"n\" NOT IN (0, 1)")),
            ("n > ANY (ARRAY[0, 1])", Refused("ANY")),
            ("char_length(name) > 2", To("length(\"name\") > 2")),
            (
                "TRIM(BOTH FROM name) <> ''::text",
                To("trim(\"name\") <> ''"),
            ),
            (
                "\"substring\"(name, 1, 2) = 'ab'::text",
                To("substr(\"name\", 1, 2) = 'ab'"),
            ),
            ("email ~~ '%@%'::text", To("\"email\" GLOB '*@*'")),
            ("email !~~ 'a_b'::text", To("\"email\" NOT GLOB 'a?b'")),
            ("email ~~ '%*%'::text", Refused("GLOB")),
            ("name IS NOT NULL", Same),
            ("lower(name) = name", Same),
            ("n::text = '1'::text", Refused("cast to text")),
            ("at > now()", Refused("timestamptz")),
            ("n > abs(-1)", Same),
            ("at > '2020-01-01'::timestamptz", Refused("timestamptz")),
            ("length(n::text) > 1", Refused("cast")),
            ("active OR n > 0", Same),
            ("name ~* 'x'", Refused("operator")),
            ("missing > 0", Refused("not a column")),
            ("E'a\\\\b' = name", Refused("prefixed")),
            ("n IN (SELECT 1)", Refused("SELECT")),
            (
                "(name || 'x'::text) = 'ax'::text",
                To("(\"name\" || 'x') = 'ax'"),
            ),
        ];
        check(&cases, Pg, Sqlite);
    }

    #[test]
    fn sqlite_to_postgres() {
        use Want::*;
        let cases = [
            ("n > 0", Same),
            ("done IN (0,1)", Implied),
            ("done IN (1, 0)", Implied),
            ("(done = 0 OR done = 1)", Implied),
            ("done = 1 OR done = 0", Implied),
            ("done BETWEEN 0 AND 1", Implied),
            ("done IN (0, 2)", Refused("boolean")),
            ("done = 0 OR n = 1", Refused("boolean")),
            ("json_valid(data)", Implied),
            ("json_valid(name)", Refused("json_valid()")),
            ("typeof(n) = 'integer'", Refused("typeof()")),
            ("name GLOB '[a-z]*'", Refused("GLOB")),
            ("length(name) BETWEEN 1 AND 10", Same),
            ("length(n) > 1", Refused("non-text")),
            ("ifnull(price, 0) >= 0", To("coalesce(\"price\", 0) >= 0")),
            ("[n] > 0", To("\"n\" > 0")),
            ("`n` == 0", To("\"n\" = 0")),
            ("Email LIKE '%@%'", To("\"Email\" LIKE '%@%'")),
            ("email LIKE '%@%.com'", Refused("case")),
            ("code IN ('a', 'b')", Same),
            ("n || 'x' + 1 = 1", To("((\"n\" || 'x') + 1) = 1")),
            ("price * qty < 1000 AND price >= 0", Same),
            ("CAST(n AS TEXT) = '1'", Refused("CAST")),
            ("\"unknown\" = 1", Refused("not a column")),
            ("n > 0x10", Refused("number")),
            ("strftime('%Y', at) > '2000'", Refused("strftime()")),
            ("n = 1 = 1", Refused("chained")),
            ("at > 0", Refused("timestamptz")),
        ];
        check(&cases, Sqlite, Pg);
    }

    #[test]
    fn same_dialect_is_untouched() {
        assert_eq!(
            translate_check("typeof(x) = 'y'", Sqlite, Sqlite, &types),
            Translation::Same("typeof(x) = 'y'".into())
        );
    }
}
