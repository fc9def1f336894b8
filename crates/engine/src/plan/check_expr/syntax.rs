//! The small expression language CHECKs are parsed into, and its parser.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
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

pub(super) const COMPARISON: u8 = 4;

pub(super) struct Parser {
    pub(super) tokens: Vec<Tok>,
    pub(super) pos: usize,
    pub(super) from: Dialect,
}

impl Parser {
    pub(super) fn parse(&mut self) -> Result<Expr, String> {
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
