//! Reading the parts of SQLite's stored `CREATE TABLE` / `CREATE INDEX` text that its PRAGMAs
//! do not report: CHECK expressions and their names, generated-column expressions,
//! `AUTOINCREMENT`, `DEFERRABLE`, `COLLATE`, constraint names, index expressions and partial
//! predicates, and Ferry's own `/* pg:<type> */` type hints.
//!
//! This is a tokenizer plus a shallow splitter, not a SQL parser: it respects every quoting
//! form SQLite accepts (`"…"`, `[…]`, `` `…` ``, `'…'`), comments and nested parentheses, and
//! slices expressions out of the original text verbatim, so an expression is never re-spelled.
//! Everything structural (column names, types, keys, FK targets) still comes from the PRAGMAs;
//! this module only fills in what they leave out, so a statement it cannot follow costs detail,
//! never correctness.

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

fn is_word(sql: &str, t: &Token, w: &str) -> bool {
    t.kind == TokKind::Word && sql[t.start..t.end].eq_ignore_ascii_case(w)
}

fn is_punct(t: &Token, c: u8) -> bool {
    t.kind == TokKind::Punct(c)
}

/// Index of the `)` matching the `(` at `open` (or `toks.len()` when unbalanced).
fn matching_paren(toks: &[Token], open: usize) -> usize {
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
fn split_commas(toks: &[Token]) -> Vec<&[Token]> {
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
fn span_text(sql: &str, toks: &[Token]) -> String {
    let code: Vec<&Token> = toks.iter().filter(|t| t.kind != TokKind::Comment).collect();
    match (code.first(), code.last()) {
        (Some(a), Some(z)) => sql[a.start..z.end].to_string(),
        _ => String::new(),
    }
}

/// A `CHECK (…)` with its optional constraint name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSql {
    pub name: Option<String>,
    pub expression: String,
}

/// A foreign key as written, for the details `PRAGMA foreign_key_list` omits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeySql {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub deferrable: bool,
}

/// A UNIQUE constraint as written (to recover its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueSql {
    pub name: Option<String>,
    pub columns: Vec<String>,
}

/// One column definition of a `CREATE TABLE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnSql {
    pub name: String,
    /// The declared type as written (`VARCHAR(20)`, `TEXT[]`, empty).
    pub declared_type: String,
    /// The text of a `/* pg:<type> */` comment inside the definition, unescaped.
    pub hint: Option<String>,
    pub primary_key: bool,
    pub autoincrement: bool,
    pub collate: Option<String>,
    pub generated: Option<String>,
}

/// What Ferry needs from a `CREATE TABLE` statement beyond the PRAGMAs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSql {
    pub columns: Vec<ColumnSql>,
    /// Column-level and table-level CHECKs, in the order written.
    pub checks: Vec<CheckSql>,
    pub foreign_keys: Vec<ForeignKeySql>,
    pub uniques: Vec<UniqueSql>,
    pub autoincrement: bool,
    pub without_rowid: bool,
    pub strict: bool,
}

impl TableSql {
    pub fn column(&self, name: &str) -> Option<&ColumnSql> {
        self.columns.iter().find(|c| c.name == name).or_else(|| {
            self.columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name))
        })
    }
}

/// Words that end a column's type name and start a column constraint.
const COLUMN_CONSTRAINT_WORDS: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

/// Words that start a table constraint rather than a column definition.
const TABLE_CONSTRAINT_WORDS: &[&str] = &["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

/// Reads a `CREATE TABLE` statement. Returns `None` when there is no column list (e.g.
/// `CREATE TABLE … AS SELECT`, whose stored text SQLite rewrites anyway).
pub fn parse_create_table(sql: &str) -> Option<TableSql> {
    let toks = tokenize(sql);
    let open = toks.iter().position(|t| is_punct(t, b'('))?;
    let close = matching_paren(&toks, open);
    let mut out = TableSql::default();
    for item in split_commas(&toks[open + 1..close.min(toks.len())]) {
        let first = item.iter().find(|t| t.kind != TokKind::Comment);
        let Some(first) = first else { continue };
        if TABLE_CONSTRAINT_WORDS
            .iter()
            .any(|w| is_word(sql, first, w))
        {
            parse_table_constraint(sql, item, &mut out);
        } else {
            let col = parse_column(sql, item, &mut out);
            out.autoincrement |= col.autoincrement;
            out.columns.push(col);
        }
    }
    for t in toks.get(close + 1..).unwrap_or(&[]) {
        if is_word(sql, t, "ROWID") {
            out.without_rowid = true;
        } else if is_word(sql, t, "STRICT") {
            out.strict = true;
        }
    }
    Some(out)
}

fn parse_column(sql: &str, item: &[Token], table: &mut TableSql) -> ColumnSql {
    // Hints may sit anywhere in the definition; the first one wins.
    let mut col = ColumnSql {
        hint: item
            .iter()
            .filter(|t| t.kind == TokKind::Comment)
            .find_map(|t| hint_of(&sql[t.start..t.end])),
        ..ColumnSql::default()
    };
    let code: Vec<Token> = item
        .iter()
        .copied()
        .filter(|t| t.kind != TokKind::Comment)
        .collect();
    let Some(name) = code.first() else { return col };
    col.name = unquote(sql, name);
    // The type: identifier-ish tokens up to the first constraint word, with `(…)` arguments.
    let mut i = 1;
    let type_start = i;
    while i < code.len() {
        let t = &code[i];
        let ends_type =
            t.kind == TokKind::Word && COLUMN_CONSTRAINT_WORDS.iter().any(|w| is_word(sql, t, w));
        if ends_type {
            break;
        }
        match t.kind {
            TokKind::Word | TokKind::Quoted | TokKind::Str => i += 1,
            TokKind::Punct(b'(') if i > type_start => i = matching_paren(&code, i) + 1,
            _ => break,
        }
    }
    if i > type_start {
        col.declared_type = span_text(sql, &code[type_start..i.min(code.len())]);
    }
    let mut pending_name: Option<String> = None;
    while i < code.len() {
        let t = &code[i];
        if is_word(sql, t, "CONSTRAINT") {
            pending_name = code.get(i + 1).map(|n| unquote(sql, n));
            i += 2;
            continue;
        }
        if is_word(sql, t, "PRIMARY") {
            col.primary_key = true;
        } else if is_word(sql, t, "AUTOINCREMENT") {
            col.autoincrement = true;
        } else if is_word(sql, t, "COLLATE") {
            col.collate = code.get(i + 1).map(|n| unquote(sql, n));
            i += 2;
            continue;
        } else if is_word(sql, t, "CHECK") && code.get(i + 1).is_some_and(|p| is_punct(p, b'(')) {
            let close = matching_paren(&code, i + 1);
            table.checks.push(CheckSql {
                name: pending_name.take(),
                expression: span_text(sql, &code[i + 2..close.min(code.len())]),
            });
            i = close + 1;
            continue;
        } else if is_word(sql, t, "DEFAULT") {
            // Skip the default (the PRAGMA reports its text) so its parentheses are not misread.
            i += 1;
            if code.get(i).is_some_and(|p| is_punct(p, b'(')) {
                i = matching_paren(&code, i) + 1;
            } else {
                if code
                    .get(i)
                    .is_some_and(|p| is_punct(p, b'-') || is_punct(p, b'+'))
                {
                    i += 1;
                }
                i += 1;
            }
            continue;
        } else if is_word(sql, t, "AS") && code.get(i + 1).is_some_and(|p| is_punct(p, b'(')) {
            let close = matching_paren(&code, i + 1);
            col.generated = Some(span_text(sql, &code[i + 2..close.min(code.len())]));
            i = close + 1;
            continue;
        } else if is_word(sql, t, "REFERENCES") {
            let ref_table = code.get(i + 1).map(|n| unquote(sql, n)).unwrap_or_default();
            let (deferrable, next) = scan_fk_tail(sql, &code, i + 2);
            table.foreign_keys.push(ForeignKeySql {
                name: pending_name.take(),
                columns: vec![col.name.clone()],
                ref_table,
                deferrable,
            });
            i = next;
            continue;
        } else if is_word(sql, t, "UNIQUE") {
            table.uniques.push(UniqueSql {
                name: pending_name.take(),
                columns: vec![col.name.clone()],
            });
        }
        i += 1;
    }
    col
}

/// Scans an FK clause's tail (`(cols) ON … MATCH … [NOT] DEFERRABLE …`) from `i`; returns
/// whether it is deferrable and where the clause ends.
fn scan_fk_tail(sql: &str, code: &[Token], mut i: usize) -> (bool, usize) {
    let mut deferrable = false;
    if code.get(i).is_some_and(|p| is_punct(p, b'(')) {
        i = matching_paren(code, i) + 1;
    }
    while i < code.len() {
        let t = &code[i];
        if is_word(sql, t, "DEFERRABLE") {
            deferrable = !(i > 0 && is_word(sql, &code[i - 1], "NOT"));
        } else if [
            "CONSTRAINT",
            "PRIMARY",
            "UNIQUE",
            "CHECK",
            "DEFAULT",
            "COLLATE",
            "REFERENCES",
            "GENERATED",
            "AS",
        ]
        .iter()
        .any(|w| is_word(sql, t, w))
            || (is_word(sql, t, "NOT") && code.get(i + 1).is_some_and(|n| is_word(sql, n, "NULL")))
        {
            break;
        }
        i += 1;
    }
    (deferrable, i)
}

fn paren_names(sql: &str, code: &[Token], open: usize) -> (Vec<String>, usize) {
    let close = matching_paren(code, open);
    let names = split_commas(&code[open + 1..close.min(code.len())])
        .into_iter()
        .filter_map(|part| part.first().map(|t| unquote(sql, t)))
        .collect();
    (names, close + 1)
}

fn parse_table_constraint(sql: &str, item: &[Token], table: &mut TableSql) {
    let code: Vec<Token> = item
        .iter()
        .copied()
        .filter(|t| t.kind != TokKind::Comment)
        .collect();
    let mut i = 0;
    let mut name = None;
    if is_word(sql, &code[0], "CONSTRAINT") {
        name = code.get(1).map(|n| unquote(sql, n));
        i = 2;
    }
    let Some(t) = code.get(i) else { return };
    let open = code[i..]
        .iter()
        .position(|p| is_punct(p, b'('))
        .map(|p| p + i);
    if is_word(sql, t, "CHECK") {
        if let Some(open) = open {
            let close = matching_paren(&code, open);
            table.checks.push(CheckSql {
                name,
                expression: span_text(sql, &code[open + 1..close.min(code.len())]),
            });
        }
    } else if is_word(sql, t, "UNIQUE") {
        if let Some(open) = open {
            table.uniques.push(UniqueSql {
                name,
                columns: paren_names(sql, &code, open).0,
            });
        }
    } else if is_word(sql, t, "FOREIGN") {
        if let Some(open) = open {
            let (columns, next) = paren_names(sql, &code, open);
            // next is REFERENCES
            let ref_table = code
                .get(next + 1)
                .map(|n| unquote(sql, n))
                .unwrap_or_default();
            let (deferrable, _) = scan_fk_tail(sql, &code, next + 2);
            table.foreign_keys.push(ForeignKeySql {
                name,
                columns,
                ref_table,
                deferrable,
            });
        }
    } else if is_word(sql, t, "PRIMARY") && code.iter().any(|t| is_word(sql, t, "AUTOINCREMENT")) {
        table.autoincrement = true;
    }
}

/// The type text of a `/* pg:<type> */` comment, unescaped (see [`hint_comment`]).
fn hint_of(comment: &str) -> Option<String> {
    let inner = comment.strip_prefix("/*")?.strip_suffix("*/")?.trim();
    let body = inner.strip_prefix("pg:")?.trim();
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Renders a type hint comment. Backslashes and slashes are escaped with `\` so that an enum
/// label containing `*/` cannot end the comment early; [`parse_create_table`] undoes it.
pub fn hint_comment(pg_type: &str) -> String {
    let mut body = String::with_capacity(pg_type.len());
    for c in pg_type.chars() {
        if c == '\\' || c == '/' {
            body.push('\\');
        }
        body.push(c);
    }
    format!("/* pg:{body} */")
}

/// One key part of a `CREATE INDEX`, as written (`"a" DESC`, `lower(name)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSql {
    pub parts: Vec<String>,
    /// The partial-index `WHERE` clause.
    pub predicate: Option<String>,
}

/// Reads a `CREATE INDEX` statement's key parts (verbatim) and `WHERE` clause.
pub fn parse_create_index(sql: &str) -> Option<IndexSql> {
    let toks = tokenize(sql);
    let on = toks.iter().position(|t| is_word(sql, t, "ON"))?;
    let open = toks[on..].iter().position(|t| is_punct(t, b'('))? + on;
    let close = matching_paren(&toks, open);
    let parts = split_commas(&toks[open + 1..close.min(toks.len())])
        .into_iter()
        .map(|p| span_text(sql, p))
        .collect();
    let rest = toks.get(close + 1..).unwrap_or(&[]);
    let predicate = match rest.iter().position(|t| is_word(sql, t, "WHERE")) {
        Some(w) => {
            let body: Vec<Token> = rest[w + 1..]
                .iter()
                .copied()
                .filter(|t| !is_punct(t, b';'))
                .collect();
            Some(span_text(sql, &body)).filter(|s| !s.is_empty())
        }
        None => None,
    };
    Some(IndexSql { parts, predicate })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_respects_every_quote_form() {
        let sql = r#"CREATE TABLE "a""b" ([c,d] `e``f` 'g''h', -- x, y
        /* (, */ x)"#;
        let kinds: Vec<(TokKind, String)> = tokenize(sql)
            .iter()
            .map(|t| (t.kind, unquote(sql, t)))
            .collect();
        let names: Vec<&str> = kinds.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "CREATE", "TABLE", "a\"b", "(", "c,d", "e`f", "g'h", ",", "-- x, y", "/* (, */",
                "x", ")"
            ]
        );
        assert_eq!(kinds[4].0, TokKind::Quoted);
        assert_eq!(kinds[6].0, TokKind::Str);
    }

    #[test]
    fn create_table_parts() {
        let sql = r#"CREATE TABLE "t, (x)" (
            "id" INTEGER /* pg:integer */ PRIMARY KEY AUTOINCREMENT,
            [na,me] VARCHAR ( 10 , 2 ) CONSTRAINT c1 CHECK (length([na,me]) > 0) COLLATE NOCASE,
            mood TEXT /* pg:enum mood('a*\/b','ok') */ NOT NULL DEFAULT ('ok') CHECK (mood IN ('a*/b', 'ok')),
            g INT GENERATED ALWAYS AS (id * 2) STORED,
            p INT REFERENCES "other" (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            arr TEXT[],
            CONSTRAINT "u1" UNIQUE ("na,me", mood),
            CONSTRAINT fk2 FOREIGN KEY (g, p) REFERENCES [x] NOT DEFERRABLE,
            CHECK (g > 0)
        ) WITHOUT ROWID, STRICT"#;
        let t = parse_create_table(sql).unwrap();
        let cols: Vec<(&str, &str)> = t
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.declared_type.as_str()))
            .collect();
        assert_eq!(
            cols,
            [
                ("id", "INTEGER"),
                ("na,me", "VARCHAR ( 10 , 2 )"),
                ("mood", "TEXT"),
                ("g", "INT"),
                ("p", "INT"),
                ("arr", "TEXT[]")
            ]
        );
        assert_eq!(t.columns[0].hint.as_deref(), Some("integer"));
        assert!(t.columns[0].primary_key && t.columns[0].autoincrement && t.autoincrement);
        assert_eq!(t.columns[1].collate.as_deref(), Some("NOCASE"));
        assert_eq!(t.columns[2].hint.as_deref(), Some("enum mood('a*/b','ok')"));
        assert_eq!(t.columns[3].generated.as_deref(), Some("id * 2"));
        assert_eq!(
            t.checks,
            [
                CheckSql {
                    name: Some("c1".into()),
                    expression: "length([na,me]) > 0".into()
                },
                CheckSql {
                    name: None,
                    expression: "mood IN ('a*/b', 'ok')".into()
                },
                CheckSql {
                    name: None,
                    expression: "g > 0".into()
                },
            ]
        );
        assert_eq!(t.foreign_keys.len(), 2);
        assert_eq!(t.foreign_keys[0].columns, ["p"]);
        assert!(t.foreign_keys[0].deferrable);
        assert_eq!(
            (
                t.foreign_keys[1].name.as_deref(),
                t.foreign_keys[1].ref_table.as_str()
            ),
            (Some("fk2"), "x")
        );
        assert!(!t.foreign_keys[1].deferrable);
        assert_eq!(
            t.uniques,
            [UniqueSql {
                name: Some("u1".into()),
                columns: vec!["na,me".into(), "mood".into()]
            }]
        );
        assert!(t.without_rowid && t.strict);
    }

    #[test]
    fn hint_comment_round_trips_awkward_labels() {
        for hint in ["integer", "enum e('*/','\\','a/b')", "enum x('it''s')[]"] {
            let sql = format!("CREATE TABLE t (c TEXT {} NOT NULL)", hint_comment(hint));
            let t = parse_create_table(&sql).unwrap();
            assert_eq!(t.columns[0].hint.as_deref(), Some(hint), "{sql}");
        }
    }

    #[test]
    fn create_index_parts() {
        let i = parse_create_index(r#"CREATE UNIQUE INDEX "i(x)" ON "t" ("a" DESC, lower(b, ','), c COLLATE NOCASE) WHERE a IS NOT NULL AND (b > 0);"#).unwrap();
        assert_eq!(i.parts, ["\"a\" DESC", "lower(b, ',')", "c COLLATE NOCASE"]);
        assert_eq!(i.predicate.as_deref(), Some("a IS NOT NULL AND (b > 0)"));
        assert_eq!(
            parse_create_index("CREATE INDEX i ON t(a)")
                .unwrap()
                .predicate,
            None
        );
    }
}
