//! Shared helpers for the engine's end-to-end tests (real PostgreSQL via ferry-testkit).

use std::path::{Path, PathBuf};

use ferry_engine::progress::Silent;
use ferry_engine::{Cancel, Location, Options, Report, RunError};
pub use ferry_testkit::pg::table_fingerprint;
pub use ferry_testkit::TestDb;

pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// Two SQLite tables, `goals` and `tasks`, whose task 2 points at goal 99, which does not
/// exist (rowid 2; the file's foreign keys were off when it was written).
pub const ONE_ORPHAN_SQL: &str = "PRAGMA foreign_keys = OFF;
     CREATE TABLE goals (id INTEGER PRIMARY KEY, title TEXT);
     CREATE TABLE tasks (id INTEGER PRIMARY KEY, goal_id INTEGER REFERENCES goals(id), title TEXT);
     INSERT INTO goals VALUES (1, 'g');
     INSERT INTO tasks VALUES (1, 1, 'ok'), (2, 99, 'orphan');";

/// A SQLite file built from SQL text.
pub fn sqlite_from_sql(dir: &Path, name: &str, sql: &str) -> PathBuf {
    ferry_testkit::files::sqlite_from_sql(&dir.join(name), sql)
}

pub fn pg(db: &TestDb) -> Location {
    Location::parse(&db.url()).unwrap()
}

pub fn sqlite(path: &Path) -> Location {
    Location::parse(&format!("sqlite:{}", path.display())).unwrap()
}

pub fn options(from: Location, to: Location) -> Options {
    Options::new(from, to)
}

pub fn migrate(o: &Options) -> Result<Report, RunError> {
    ferry_engine::migrate(o, &Silent, &Cancel::new())
}

pub fn migrate_ok(o: &Options) -> Report {
    match migrate(o) {
        Ok(r) => r,
        Err(e) => panic!(
            "migration failed: {}\nfindings: {:#?}\nwarnings: {:#?}",
            e.error, e.report.findings, e.report.warnings
        ),
    }
}

/// (table, column, type, not null, default) for every column of schema public.
pub fn pg_columns(
    client: &mut postgres::Client,
) -> Vec<(String, String, String, bool, Option<String>)> {
    client
        .query(
            // serial (a nextval default) and identity are the same promise; Ferry recreates
            // both as identity, so they compare as one marker.
            "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                    CASE WHEN a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%' THEN 'generated id' ELSE pg_get_expr(d.adbin, d.adrelid) END
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY 1, a.attnum",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect()
}

pub fn pg_tables(client: &mut postgres::Client) -> Vec<String> {
    client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Each row of a SQLite table as SQLite's own `quote()` of the named columns, by rowid/key order.
pub fn sqlite_quoted_rows(
    path: &Path,
    table: &str,
    columns: &[&str],
    order_by: &str,
) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let cols: Vec<String> = columns
        .iter()
        .map(|c| format!("quote(\"{}\")", c.replace('"', "\"\"")))
        .collect();
    let sql = format!(
        "SELECT {} FROM \"{}\" ORDER BY {order_by}",
        cols.join(" || '|' || "),
        table.replace('"', "\"\"")
    );
    let mut stmt = conn.prepare(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

pub fn sqlite_tables(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1").unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

pub use ferry_testkit::files::sha256_file as sha256;

/// Every user table of a SQLite file with its rows as SQLite's own `quote()` of every column,
/// sorted — independent of Ferry's readers and digests.
pub fn sqlite_fingerprint(path: &Path) -> Vec<(String, Vec<String>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    sqlite_tables(path)
        .into_iter()
        .map(|table| {
            let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT name FROM pragma_table_info('{}')",
                    table.replace('\'', "''")
                ))
                .unwrap();
            let cols: Vec<String> = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .map(|c| format!("quote({})", q(&c.unwrap())))
                .collect();
            let sql = format!("SELECT {} FROM {}", cols.join(" || '|' || "), q(&table));
            let mut stmt = conn.prepare(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            let mut rows: Vec<String> = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            rows.sort();
            (table, rows)
        })
        .collect()
}

/// The SQL of every table and index SQLite stored, sorted.
pub fn sqlite_schema_sql(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT coalesce(sql, name) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY 1")
        .unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

/// Every constraint of schema public as PostgreSQL prints it, sorted.
pub fn pg_constraint_defs(client: &mut postgres::Client) -> Vec<String> {
    client
        .query("SELECT regexp_replace(pg_get_constraintdef(oid), '\\s+', ' ', 'g') FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// What a PostgreSQL database holds, for comparing two: columns (types, NOT NULL, defaults),
/// constraints, and every table's content fingerprint.
#[derive(Debug, PartialEq)]
pub struct PgSnapshot {
    pub columns: Vec<(String, String, String, bool, Option<String>)>,
    pub constraints: Vec<String>,
    pub content: Vec<(String, (i64, String))>,
}

pub fn pg_snapshot(client: &mut postgres::Client) -> PgSnapshot {
    let content = pg_tables(client)
        .into_iter()
        .map(|t| {
            let f = table_fingerprint(client, &t);
            (t, f)
        })
        .collect();
    PgSnapshot {
        columns: pg_columns(client),
        constraints: pg_constraint_defs(client),
        content,
    }
}
