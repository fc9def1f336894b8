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

mod hints;
mod index;
mod table;
mod tokens;

pub use hints::hint_comment;
pub use index::{parse_create_index, IndexSql};
pub use table::{parse_create_table, CheckSql, ColumnSql, ForeignKeySql, TableSql, UniqueSql};
pub use tokens::{tokenize, unquote, TokKind, Token};

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
