//! What an expression means on the other side: the checks a target type implies, and the
//! rewriting of dialect-specific forms (casts, `= ANY (ARRAY[…])`, `~~`).

use super::*;

pub(super) fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(inner) => unparen(inner),
        other => other,
    }
}

pub(super) fn is_int(e: &Expr, n: &str) -> bool {
    matches!(unparen(e), Expr::Num(x) if x == n)
}

/// SQLite → PostgreSQL CHECKs the target column's type enforces on its own.
pub(super) fn implied(
    ast: &Expr,
    column_type: &dyn Fn(&str) -> Option<ColumnType>,
) -> Option<String> {
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

pub(super) struct Converter<'a> {
    pub(super) from: Dialect,
    pub(super) column_type: &'a dyn Fn(&str) -> Option<ColumnType>,
    pub(super) changed: bool,
}

pub(super) fn texty(ty: &ColumnType) -> bool {
    matches!(
        ty,
        ColumnType::Text
            | ColumnType::Varchar { .. }
            | ColumnType::Char { .. }
            | ColumnType::Enum { .. }
    )
}

pub(super) fn numeric(ty: &ColumnType) -> bool {
    matches!(
        ty,
        ColumnType::Int { .. } | ColumnType::Float { .. } | ColumnType::Numeric { .. }
    )
}

pub(super) const TEXT_CASTS: &[&str] = &["text", "character varying", "varchar", "bpchar"];
pub(super) const NUMBER_CASTS: &[&str] = &[
    "numeric",
    "integer",
    "bigint",
    "smallint",
    "double precision",
    "real",
];

pub(super) fn is_number_text(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && t.matches('.').count() <= 1
}

impl Converter<'_> {
    pub(super) fn convert(&mut self, e: Expr) -> Result<Expr, String> {
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
