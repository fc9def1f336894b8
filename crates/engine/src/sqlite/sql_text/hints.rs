//! Ferry's own `/* pg:<type> */` type hints: written beside a SQLite column's declared type so a
//! later run back to PostgreSQL knows the original type, and read back from the comment.

/// The type text of a `/* pg:<type> */` comment, unescaped (see [`hint_comment`]).
pub(super) fn hint_of(comment: &str) -> Option<String> {
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
