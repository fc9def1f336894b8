//! Reading a stored `CREATE TABLE`: per column its CHECKs, generated expression,
//! `AUTOINCREMENT`, `COLLATE` and `/* pg:<type> */` hint; per table its named constraints and
//! `DEFERRABLE` foreign keys. Only what the PRAGMAs leave out.

use super::hints::hint_of;
use super::tokens::{
    is_punct, is_word, matching_paren, span_text, split_commas, tokenize, unquote, TokKind, Token,
};

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
