//! Reading a stored `CREATE INDEX`: its expressions and partial predicate, which
//! `PRAGMA index_xinfo` reports only as "an expression".

use super::tokens::{is_punct, is_word, matching_paren, span_text, split_commas, tokenize, Token};

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
