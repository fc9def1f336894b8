//! The SQLite side end to end: opening sources (and refusing bad ones), introspecting a nasty
//! schema field by field, reading rows exactly as stored, writing a fresh file, and the
//! generated-schema round trip that keeps PostgreSQL types through a SQLite file.

use std::path::{Path, PathBuf};

use ferry_engine::catalog::{
    Catalog, Check, Column, ColumnType, DefaultValue, Dialect, FkAction, ForeignKey, Index,
    IndexColumn, Table, UniqueConstraint,
};
use ferry_engine::sqlite::{self, SqliteWriter};
use ferry_engine::value::{Decimal, SqliteValue, Value};
use ferry_engine::ErrorKind;
use rusqlite::Connection;

const NASTY: &str = r#"
CREATE TABLE "Order" (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    "select" TEXT NOT NULL DEFAULT 'it''s' COLLATE NOCASE,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    local_at DATETIME DEFAULT (datetime('now','localtime')),
    ms_at TIMESTAMP DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
    epoch INTEGER DEFAULT (strftime('%s','now')),
    day DATE DEFAULT CURRENT_DATE,
    at_time TIME DEFAULT CURRENT_TIME,
    done BOOLEAN NOT NULL DEFAULT 0,
    flag BOOL DEFAULT 'true',
    qty INT DEFAULT (-1),
    price NUMERIC(10,2) DEFAULT 0.50,
    ratio REAL DEFAULT 1.5,
    note TEXT DEFAULT NULL,
    blob_default BLOB DEFAULT X'CAFE',
    untyped,
    total REAL GENERATED ALWAYS AS (qty * price) STORED,
    CHECK (qty >= -1),
    CONSTRAINT "price positive" CHECK (price >= 0)
);
CREATE TABLE "naïve table" (
    a INTEGER NOT NULL,
    "b c" TEXT NOT NULL,
    `weird"quote` VARCHAR(10),
    PRIMARY KEY (a, "b c"),
    CONSTRAINT uq_w UNIQUE (`weird"quote`)
) WITHOUT ROWID;
CREATE TABLE nopk (x, y BLOB);
CREATE TABLE node (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES node (id) ON DELETE CASCADE, name TEXT);
CREATE TABLE a (
    id INTEGER PRIMARY KEY,
    b_id INTEGER,
    CONSTRAINT fk_ab FOREIGN KEY (b_id) REFERENCES b (id) ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a ON DELETE RESTRICT);
CREATE TABLE t_idx (id BIGINT PRIMARY KEY, email TEXT UNIQUE, name TEXT, score INT, deleted_at TEXT);
CREATE UNIQUE INDEX t_idx_name ON t_idx (name);
CREATE INDEX t_idx_partial ON t_idx (score) WHERE deleted_at IS NULL;
CREATE INDEX t_idx_desc ON t_idx (score DESC, name);
CREATE INDEX "t_idx expr" ON t_idx (lower(name), score);
CREATE VIEW v AS SELECT * FROM "Order";
CREATE TRIGGER trg AFTER INSERT ON node BEGIN SELECT 1; END;
CREATE VIRTUAL TABLE docs USING fts5(body);
INSERT INTO "Order" ("select") VALUES ('x'), ('y');
INSERT INTO node VALUES (1, NULL, 'root'), (2, 1, 'child');
INSERT INTO t_idx VALUES (1, 'a@x', 'A', 1, NULL);
INSERT INTO docs VALUES ('hello world');
ANALYZE;
"#;

fn nasty_db(dir: &Path) -> PathBuf {
    let path = dir.join("nasty.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(NASTY).unwrap();
    path
}

fn col<'a>(t: &'a Table, name: &str) -> &'a Column {
    t.column(name)
        .unwrap_or_else(|| panic!("{}: no column {name}", t.name))
}

#[test]
fn introspects_the_nasty_fixture_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = nasty_db(dir.path());
    let conn = sqlite::open_source(&path).unwrap();
    let cat = sqlite::introspect(&conn).unwrap();
    sqlite::end_snapshot(&conn).unwrap();
    assert_eq!(cat.dialect, Dialect::Sqlite);

    let names: Vec<&str> = cat.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["Order", "naïve table", "nopk", "node", "a", "b", "t_idx"],
        "no sqlite_*, fts or shadow tables"
    );
    let skipped: Vec<(&str, &str)> = cat
        .not_migrated
        .iter()
        .map(|s| (s.kind.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [("view", "v"), ("trigger", "trg"), ("virtual table", "docs")]
    );

    // "Order": AUTOINCREMENT, every default form, checks, generated column, collation.
    let o = cat.table("Order").unwrap();
    assert!(o.autoincrement);
    assert_eq!(o.primary_key, ["id"]);
    assert_eq!(o.row_count, Some(2));
    let id = col(o, "id");
    assert!(
        id.auto_increment && id.ty == ColumnType::Int { bits: 64 } && id.declared_type == "INTEGER"
    );
    let defaults: Vec<(&str, Option<DefaultValue>)> = o
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.default.clone()))
        .collect();
    let lit = |v: Value| Some(DefaultValue::Literal(v));
    assert_eq!(
        defaults,
        [
            ("id", None),
            ("select", lit(Value::Text("it's".into()))),
            (
                "created_at",
                Some(DefaultValue::CurrentTimestamp { local: false })
            ),
            (
                "local_at",
                Some(DefaultValue::CurrentTimestamp { local: true })
            ),
            (
                "ms_at",
                Some(DefaultValue::CurrentTimestamp { local: false })
            ),
            (
                "epoch",
                Some(DefaultValue::Expression {
                    dialect: Dialect::Sqlite,
                    sql: "strftime('%s','now')".into()
                })
            ),
            ("day", Some(DefaultValue::CurrentDate)),
            ("at_time", Some(DefaultValue::CurrentTime)),
            ("done", lit(Value::Bool(false))),
            ("flag", lit(Value::Bool(true))),
            ("qty", lit(Value::Int(-1))),
            (
                "price",
                lit(Value::Numeric(Decimal::parse("0.50").unwrap()))
            ),
            ("ratio", lit(Value::Float(1.5))),
            ("note", Some(DefaultValue::Null)),
            ("blob_default", lit(Value::Bytes(vec![0xCA, 0xFE]))),
            ("untyped", None),
            ("total", None),
        ]
    );
    let types: Vec<(&str, &str, ColumnType)> = o
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.declared_type.as_str(), c.ty.clone()))
        .collect();
    assert_eq!(types[2], ("created_at", "DATETIME", ColumnType::Timestamp));
    assert_eq!(types[8], ("done", "BOOLEAN", ColumnType::Bool));
    assert_eq!(
        types[11],
        (
            "price",
            "NUMERIC(10,2)",
            ColumnType::Numeric {
                precision: Some(10),
                scale: Some(2)
            }
        )
    );
    assert_eq!(types[15], ("untyped", "", ColumnType::Any));
    assert!(col(o, "select").not_null && col(o, "done").not_null && !col(o, "note").not_null);
    assert_eq!(col(o, "total").generated.as_deref(), Some("qty * price"));
    assert_eq!(
        o.checks
            .iter()
            .map(|c| (c.name.clone(), c.expression.clone()))
            .collect::<Vec<_>>(),
        [
            (None, "qty >= -1".to_string()),
            (Some("price positive".to_string()), "price >= 0".to_string())
        ]
    );
    assert!(
        o.notes
            .contains(&"column select uses COLLATE NOCASE".to_string()),
        "{:?}",
        o.notes
    );
    assert!(
        o.notes
            .contains(&"generated column total is STORED".to_string()),
        "{:?}",
        o.notes
    );

    // Unicode/space/quote names, composite PK, WITHOUT ROWID, named UNIQUE.
    let n = cat.table("naïve table").unwrap();
    assert_eq!(n.primary_key, ["a", "b c"]);
    assert!(
        !col(n, "a").auto_increment,
        "a composite key is not a rowid alias"
    );
    assert_eq!(
        col(n, "weird\"quote").ty,
        ColumnType::Varchar { max_len: Some(10) }
    );
    assert_eq!(n.uniques.len(), 1);
    assert_eq!(
        (
            n.uniques[0].name.as_deref(),
            n.uniques[0].columns.as_slice()
        ),
        (Some("uq_w"), &["weird\"quote".to_string()][..])
    );
    assert!(n.notes.contains(&"WITHOUT ROWID".to_string()));

    let np = cat.table("nopk").unwrap();
    assert!(np.primary_key.is_empty() && np.foreign_keys.is_empty());
    assert_eq!(
        (col(np, "x").ty.clone(), col(np, "y").ty.clone()),
        (ColumnType::Any, ColumnType::Bytes)
    );

    // Plain INTEGER PRIMARY KEY: generates ids, but no AUTOINCREMENT. Self-FK with an action.
    let node = cat.table("node").unwrap();
    assert!(col(node, "id").auto_increment && !node.autoincrement);
    assert_eq!(node.foreign_keys.len(), 1);
    let fk = &node.foreign_keys[0];
    assert_eq!(
        (
            fk.columns.as_slice(),
            fk.ref_table.as_str(),
            fk.ref_columns.as_slice()
        ),
        (
            &["parent_id".to_string()][..],
            "node",
            &["id".to_string()][..]
        )
    );
    assert_eq!(
        (fk.on_delete, fk.on_update, fk.deferrable),
        (FkAction::Cascade, FkAction::NoAction, false)
    );

    // The cyclic pair, a named deferrable FK, and an FK to the implied primary key.
    let a = &cat.table("a").unwrap().foreign_keys[0];
    assert_eq!(
        (
            a.name.as_deref(),
            a.ref_table.as_str(),
            a.on_delete,
            a.on_update,
            a.deferrable
        ),
        (
            Some("fk_ab"),
            "b",
            FkAction::SetNull,
            FkAction::Cascade,
            true
        )
    );
    let b = &cat.table("b").unwrap().foreign_keys[0];
    assert_eq!(
        (b.ref_table.as_str(), b.ref_columns.len(), b.on_delete),
        ("a", 0, FkAction::Restrict)
    );

    // Unique constraint vs unique index; partial, DESC and expression indexes.
    let t = cat.table("t_idx").unwrap();
    assert!(
        !col(t, "id").auto_increment,
        "BIGINT PRIMARY KEY is not a rowid alias"
    );
    assert_eq!(t.uniques.len(), 1);
    assert_eq!(t.uniques[0].columns, ["email"]);
    let idx: Vec<String> = t
        .indexes
        .iter()
        .map(|i| format!("{}|{}|{:?}|{:?}", i.name, i.unique, i.columns, i.predicate))
        .collect();
    assert_eq!(
        idx,
        [
            r#"t_idx_name|true|[Column { name: "name", descending: false }]|None"#,
            r#"t_idx_partial|false|[Column { name: "score", descending: false }]|Some("deleted_at IS NULL")"#,
            r#"t_idx_desc|false|[Column { name: "score", descending: true }, Column { name: "name", descending: false }]|None"#,
            r#"t_idx expr|false|[Expression { sql: "lower(name)" }, Column { name: "score", descending: false }]|None"#,
        ]
    );
    // The unique index counts for identity when its column is NOT NULL; here it is nullable.
    assert_eq!(t.identity_columns(), ["id"]);
}

#[test]
fn open_source_refuses_what_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("empty.db"), b"").unwrap();
    std::fs::write(d.join("text.db"), b"hello, this is not a database at all").unwrap();
    let good = nasty_db(d);
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(d.join("truncated.db"), &bytes[..bytes.len() / 3]).unwrap();
    let mut garbled = bytes.clone();
    for b in garbled.iter_mut().skip(4096).take(4096) {
        *b = 0x5A;
    }
    std::fs::write(d.join("garbled.db"), &garbled).unwrap();

    let cases: Vec<(PathBuf, &str)> = vec![
        (d.join("missing.db"), "no such file: "),
        (d.to_path_buf(), "is a directory"),
        (d.join("empty.db"), "is empty (0 bytes)"),
        (d.join("text.db"), "is not a SQLite database"),
        (d.join("truncated.db"), "is truncated or corrupt"),
    ];
    for (path, want) in cases {
        let err = sqlite::open_source(&path)
            .map(|_| ())
            .expect_err(&format!("{} must be refused", path.display()));
        assert_eq!(err.kind(), ErrorKind::BadInput, "{err}");
        assert!(err.to_string().contains(want), "{}: {err}", path.display());
    }
    // A damaged page is found at the latest when its rows are read (the preflight reads every
    // row before anything is written), and it is bad input with the same plain words.
    let garbled_err = match sqlite::open_source(&d.join("garbled.db")) {
        Err(e) => e,
        Ok(conn) => {
            let tables: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
                .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
                .unwrap_or_default();
            tables
                .iter()
                .find_map(|t| {
                    let cols: Vec<String> = conn
                        .prepare("SELECT name FROM pragma_table_info(?1)")
                        .and_then(|mut st| st.query_map([t], |r| r.get(0))?.collect())
                        .unwrap_or_default();
                    sqlite::read_table(&conn, t, &cols, 100, &mut |_| Ok(())).err()
                })
                .or_else(|| ferry_engine::sqlite::introspect::introspect(&conn).err())
                .expect("a garbled page must be noticed")
        }
    };
    assert_eq!(garbled_err.kind(), ErrorKind::BadInput, "{garbled_err}");
    assert!(
        garbled_err.to_string().contains("truncated or corrupt"),
        "{garbled_err}"
    );
    assert!(
        !d.join("missing.db").exists(),
        "opening must never create a file"
    );
    assert!(sqlite::file_is_sqlite(&good) && !sqlite::file_is_sqlite(&d.join("text.db")));
}

#[test]
fn source_is_read_only_and_holds_one_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wal.db");
    let writer = Connection::open(&path).unwrap();
    writer
        .execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);",
        )
        .unwrap();
    let before = std::fs::read(&path).unwrap();

    let conn = sqlite::open_source(&path).unwrap();
    assert!(
        conn.execute("INSERT INTO t VALUES (3)", []).is_err(),
        "source must be read-only"
    );
    writer.execute("INSERT INTO t VALUES (4)", []).unwrap();
    let mut seen = 0;
    let n = sqlite::read_table(&conn, "t", &["x".into()], 10, &mut |rows| {
        seen += rows.len();
        Ok(())
    })
    .unwrap();
    assert_eq!(
        (n, seen),
        (2, 2),
        "rows written after opening are not in the snapshot"
    );
    sqlite::end_snapshot(&conn).unwrap();
    let count: i64 = conn
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 3, "a new snapshot sees the writer's row");
    drop(conn);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "main file untouched by the reader"
    );
}

#[test]
fn reader_returns_values_exactly_as_stored_in_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let c = Connection::open(&path).unwrap();
    // An untyped column (BLOB affinity) keeps every storage class as inserted.
    c.execute_batch(r#"CREATE TABLE "we""ird" ("a b", "select" TEXT);"#)
        .unwrap();
    c.execute_batch(
        r#"INSERT INTO "we""ird" VALUES (NULL, 'x'), (-9223372036854775808, 'naïve'), (0.1, 'y'),
           (X'00FF', CAST(X'C328' AS TEXT)), ('text', NULL), (-0.0, ''), (7, 'z');"#,
    )
    .unwrap();
    drop(c);
    let conn = sqlite::open_source(&path).unwrap();
    let mut batches = Vec::new();
    let n = sqlite::read_table(
        &conn,
        "we\"ird",
        &["select".into(), "a b".into()],
        3,
        &mut |rows| {
            batches.push(rows);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(n, 7);
    assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    let rows: Vec<Vec<SqliteValue>> = batches.into_iter().flatten().collect();
    use SqliteValue::*;
    assert_eq!(rows[0], [Text(b"x".to_vec()), Null]);
    assert_eq!(
        rows[1],
        [Text("naïve".as_bytes().to_vec()), Integer(i64::MIN)]
    );
    assert_eq!(rows[2], [Text(b"y".to_vec()), Real(0.1)]);
    assert_eq!(
        rows[3],
        [Text(vec![0xC3, 0x28]), Blob(vec![0, 255])],
        "invalid UTF-8 kept as bytes"
    );
    assert_eq!(rows[4], [Null, Text(b"text".to_vec())]);
    match rows[5][1] {
        Real(f) => assert!(f == 0.0, "{f}"),
        ref other => panic!("{other:?}"),
    }
    let stop = sqlite::read_table(&conn, "we\"ird", &["a b".into()], 2, &mut |_| {
        Err(ferry_engine::Error::Cancelled)
    });
    assert!(matches!(stop, Err(ferry_engine::Error::Cancelled)));
}

/// A catalog covering every `ColumnType`, as the planner would build it from PostgreSQL.
fn every_type_catalog() -> Vec<Table> {
    let e = ColumnType::Enum {
        name: "mood".into(),
        labels: vec!["sad".into(), "ok".into(), "it's */ fine".into()],
    };
    let types: Vec<(&str, ColumnType)> = vec![
        ("b", ColumnType::Bool),
        ("i16", ColumnType::Int { bits: 16 }),
        ("i32", ColumnType::Int { bits: 32 }),
        ("i64", ColumnType::Int { bits: 64 }),
        ("f32", ColumnType::Float { bits: 32 }),
        ("f64", ColumnType::Float { bits: 64 }),
        (
            "n12_2",
            ColumnType::Numeric {
                precision: Some(12),
                scale: Some(2),
            },
        ),
        (
            "n15",
            ColumnType::Numeric {
                precision: Some(15),
                scale: None,
            },
        ),
        (
            "n30_4",
            ColumnType::Numeric {
                precision: Some(30),
                scale: Some(4),
            },
        ),
        (
            "n",
            ColumnType::Numeric {
                precision: None,
                scale: None,
            },
        ),
        ("t", ColumnType::Text),
        ("vc", ColumnType::Varchar { max_len: Some(20) }),
        ("vc_any", ColumnType::Varchar { max_len: None }),
        ("ch", ColumnType::Char { len: 3 }),
        ("bytes", ColumnType::Bytes),
        ("u", ColumnType::Uuid),
        ("d", ColumnType::Date),
        ("tm", ColumnType::Time),
        ("ts", ColumnType::Timestamp),
        ("tstz", ColumnType::TimestampTz),
        ("j", ColumnType::Json { binary: false }),
        ("jb", ColumnType::Json { binary: true }),
        (
            "arr_t",
            ColumnType::Array {
                element: Box::new(ColumnType::Text),
            },
        ),
        (
            "arr_i",
            ColumnType::Array {
                element: Box::new(ColumnType::Int { bits: 32 }),
            },
        ),
        (
            "arr_e",
            ColumnType::Array {
                element: Box::new(e.clone()),
            },
        ),
        ("mood", e),
        (
            "iv",
            ColumnType::Opaque {
                name: "interval".into(),
            },
        ),
        (
            "inet",
            ColumnType::Opaque {
                name: "inet".into(),
            },
        ),
        (
            "money",
            ColumnType::Opaque {
                name: "money".into(),
            },
        ),
        (
            "bits",
            ColumnType::Opaque {
                name: "bit(8)".into(),
            },
        ),
        ("x", ColumnType::Opaque { name: "xml".into() }),
        ("any", ColumnType::Any),
    ];
    let column = |name: &str, ty: ColumnType| Column {
        name: name.into(),
        declared_type: String::new(),
        ty,
        not_null: false,
        default: None,
        auto_increment: false,
        sequence: None,
        generated: None,
    };
    let mut id = column("id", ColumnType::Int { bits: 32 });
    id.auto_increment = true;
    id.not_null = true;
    let mut columns = vec![id];
    columns.extend(types.into_iter().map(|(n, t)| column(n, t)));
    columns[1].default = Some(DefaultValue::Literal(Value::Bool(true)));
    columns[7].default = Some(DefaultValue::Literal(Value::Numeric(
        Decimal::parse("0.50").unwrap(),
    )));
    columns[20].default = Some(DefaultValue::CurrentTimestamp { local: false });
    columns[16].default = Some(DefaultValue::RandomUuid);
    let users = Table {
        name: "users".into(),
        columns,
        primary_key: vec!["id".into()],
        foreign_keys: vec![],
        uniques: vec![UniqueConstraint {
            name: Some("users_t_key".into()),
            columns: vec!["t".into()],
        }],
        indexes: vec![Index {
            name: "users_vc_idx".into(),
            unique: false,
            columns: vec![IndexColumn::Column {
                name: "vc".into(),
                descending: true,
            }],
            predicate: Some("b = 1".into()),
        }],
        checks: vec![Check {
            name: Some("mood_ok".into()),
            expression: "mood IN ('sad', 'ok', 'it''s */ fine')".into(),
        }],
        row_count: None,
        autoincrement: true,
        notes: vec![],
    };
    let mut pk1 = column("user_id", ColumnType::Int { bits: 32 });
    pk1.not_null = true;
    let mut pk2 = column("k", ColumnType::Uuid);
    pk2.not_null = true;
    let mut pg_default = column(
        "v",
        ColumnType::Opaque {
            name: "interval".into(),
        },
    );
    pg_default.default = Some(DefaultValue::Expression {
        dialect: Dialect::Postgres,
        sql: "'1 day'::interval".into(),
    });
    let prefs = Table {
        name: "user prefs".into(),
        columns: vec![pk1, pk2, pg_default],
        primary_key: vec!["user_id".into(), "k".into()],
        foreign_keys: vec![ForeignKey {
            name: Some("prefs_user".into()),
            columns: vec!["user_id".into()],
            ref_table: "users".into(),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
            deferrable: true,
        }],
        uniques: vec![],
        indexes: vec![],
        checks: vec![],
        row_count: None,
        autoincrement: false,
        notes: vec![],
    };
    vec![users, prefs]
}

#[test]
fn generated_schema_round_trips_every_column_type() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.db");
    let tables = every_type_catalog();
    let mut w = SqliteWriter::create(&path).unwrap();
    let mut warnings = Vec::new();
    for t in &tables {
        let (sql, warn) = sqlite::create_table_sql(t);
        w.execute(&sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
        warnings.extend(warn);
        for i in &t.indexes {
            w.execute(&sqlite::create_index_sql(&t.name, i)).unwrap();
        }
    }
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("user prefs.v: default omitted"),
        "{warnings:?}"
    );

    // The generated defaults work: an inserted row gets an id, a v4 uuid and a timestamp.
    w.begin().unwrap();
    w.insert_batch(
        "users",
        &["t".into()],
        &[vec![SqliteValue::Text(b"hello".to_vec())]],
    )
    .unwrap();
    w.commit().unwrap();
    let (id, u, ts, b): (i64, String, String, i64) = w
        .connection()
        .query_row("SELECT id, u, tstz, b FROM users", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!((id, b), (1, 1));
    let parsed = uuid::Uuid::parse_str(&u).unwrap();
    assert_eq!(
        (parsed.get_version_num(), u.to_lowercase() == u, u.len()),
        (4, true, 36),
        "{u}"
    );
    assert!(matches!(parsed.get_variant(), uuid::Variant::RFC4122));
    assert!(ts.ends_with("+00:00") && ts.len() == 29, "{ts}");
    w.finish().unwrap();

    let conn = sqlite::open_source(&path).unwrap();
    let cat: Catalog = sqlite::introspect(&conn).unwrap();
    for want in &tables {
        let got = cat.table(&want.name).unwrap();
        let want_types: Vec<(&str, &ColumnType)> = want
            .columns
            .iter()
            .map(|c| (c.name.as_str(), &c.ty))
            .collect();
        let got_types: Vec<(&str, &ColumnType)> = got
            .columns
            .iter()
            .map(|c| (c.name.as_str(), &c.ty))
            .collect();
        assert_eq!(got_types, want_types, "types of {}", want.name);
        assert_eq!(got.primary_key, want.primary_key);
        for (g, w) in got.columns.iter().zip(&want.columns) {
            assert_eq!(g.not_null, w.not_null, "{}.{}", want.name, w.name);
            let expect_default = match &w.default {
                Some(DefaultValue::Expression {
                    dialect: Dialect::Postgres,
                    ..
                }) => None,
                d => d.clone(),
            };
            assert_eq!(
                g.default, expect_default,
                "default of {}.{}",
                want.name, w.name
            );
        }
        assert_eq!(
            got.checks
                .iter()
                .map(|c| (&c.name, &c.expression))
                .collect::<Vec<_>>(),
            want.checks
                .iter()
                .map(|c| (&c.name, &c.expression))
                .collect::<Vec<_>>()
        );
        assert_eq!(format!("{:?}", got.indexes), format!("{:?}", want.indexes));
        assert_eq!(format!("{:?}", got.uniques), format!("{:?}", want.uniques));
        assert_eq!(
            format!("{:?}", got.foreign_keys),
            format!("{:?}", want.foreign_keys)
        );
    }
    let users = cat.table("users").unwrap();
    assert!(users.autoincrement && users.column("id").unwrap().auto_increment);
    assert_eq!(
        users
            .column("id")
            .unwrap()
            .declared_type
            .split(" /*")
            .next()
            .unwrap(),
        "INTEGER",
        "rowid alias declared exactly INTEGER (the pg: hint rides in a comment)"
    );
    assert!(
        !cat.table("user prefs")
            .unwrap()
            .column("user_id")
            .unwrap()
            .auto_increment
    );
}

#[test]
fn writer_binds_storage_classes_and_finishes_durably() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    std::fs::write(dir.path().join("exists.db"), b"x").unwrap();
    let refused = SqliteWriter::create(&dir.path().join("exists.db"))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::BadInput);

    let mut w = SqliteWriter::create(&path).unwrap();
    w.execute("CREATE TABLE p (id INTEGER PRIMARY KEY AUTOINCREMENT); CREATE TABLE c (v, p_id INTEGER REFERENCES p (id));")
        .unwrap();
    w.begin().unwrap();
    use SqliteValue::*;
    let rows = vec![
        vec![Text(b"12".to_vec()), Integer(1)],
        vec![Text(vec![0xC3, 0x28]), Null],
        vec![Blob(b"12".to_vec()), Integer(99)],
        vec![Real(-0.0), Null],
        vec![Integer(i64::MAX), Null],
    ];
    let cols = vec!["v".to_string(), "p_id".to_string()];
    w.insert_batch("c", &cols, &rows).unwrap();
    w.insert_batch("p", &["id".into()], &[vec![Integer(1)], vec![Integer(7)]])
        .unwrap();
    w.set_sqlite_sequence("p", 41).unwrap();
    w.set_sqlite_sequence("p", 42).unwrap();
    let bad = w.insert_batch("c", &cols, &[vec![Null]]);
    assert!(bad.is_err());
    let violations = w.foreign_key_check().unwrap();
    assert_eq!(violations.len(), 1);
    assert_eq!(
        (
            violations[0].table.as_str(),
            violations[0].rowid,
            violations[0].parent.as_str()
        ),
        ("c", Some(3), "p")
    );
    let classes: Vec<String> = w
        .connection()
        .prepare("SELECT typeof(v) FROM c ORDER BY rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(classes, ["text", "text", "blob", "real", "integer"]);
    w.finish().unwrap();

    let conn = sqlite::open_source(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    let seq: i64 = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'p'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(seq, 42);
    let mut got = Vec::new();
    sqlite::read_table(&conn, "c", &cols, 100, &mut |b| {
        got.extend(b);
        Ok(())
    })
    .unwrap();
    assert_eq!(got, rows, "what was written reads back identically");
}

/// Insert speed for 1M rows of (INTEGER, TEXT, REAL, INTEGER, TEXT) in one transaction.
/// Run with `cargo test --release -p ferry-engine --test it insert_speed_one_million_rows -- --ignored --nocapture`.
#[test]
#[ignore]
fn insert_speed_one_million_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("speed.db");
    let mut w = SqliteWriter::create(&path).unwrap();
    w.execute("CREATE TABLE t (id INTEGER, name TEXT, score REAL, n INTEGER, note TEXT)")
        .unwrap();
    let cols: Vec<String> = ["id", "name", "score", "n", "note"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let total = 1_000_000i64;
    let batch = 10_000;
    let start = std::time::Instant::now();
    w.begin().unwrap();
    let mut built = std::time::Duration::ZERO;
    for b in 0..total / batch {
        let t0 = std::time::Instant::now();
        let rows: Vec<Vec<SqliteValue>> = (b * batch..(b + 1) * batch)
            .map(|i| {
                vec![
                    SqliteValue::Integer(i),
                    SqliteValue::Text(format!("name {i}").into_bytes()),
                    SqliteValue::Real(i as f64 * 0.5),
                    SqliteValue::Integer(i % 97),
                    SqliteValue::Text(b"a note of moderate length".to_vec()),
                ]
            })
            .collect();
        built += t0.elapsed();
        w.insert_batch("t", &cols, &rows).unwrap();
    }
    w.finish().unwrap();
    let secs = (start.elapsed() - built).as_secs_f64();
    println!(
        "inserted {total} rows in {secs:.2}s (excluding row building): {:.0} rows/s",
        total as f64 / secs
    );
}
