//! SQL text shared by both dialects.

/// `"name"`, with embedded quotes doubled: the identifier quoting SQLite and PostgreSQL share,
/// so any table or column name (keywords, spaces, quotes, unicode) is taken literally.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
