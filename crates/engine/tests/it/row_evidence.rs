//! Issue 10: into an existing SQLite file, each column's write form is decided by its existing
//! rows (above the bookkeeping table and the declared types, below `--conventions`), and the
//! plan says so per column. The written rows are read back as SQLite stores them (`quote()`).
use crate::common::*;
use ferry_engine::conventions::Convention;
use ferry_engine::progress::Silent;
use ferry_engine::Cancel;

/// A PostgreSQL shop: orders with a UUID key, an instant and a boolean.
const PG_ORDERS: &str = "
    CREATE TABLE shop_order (
        id uuid PRIMARY KEY,
        placed_at timestamptz NOT NULL,
        paid boolean NOT NULL,
        note text
    );
    INSERT INTO shop_order VALUES
        ('0b8e7f0e-5d7c-4c1e-9a51-3f2a6c9d8e01', '2026-01-02 03:04:05.25+01', true, 'new one'),
        ('6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', '2026-02-03 10:00:00+00', false, NULL);
";

/// The same table in a SQLite file whose app writes Django's forms, but no `django_migrations`
/// (and no other Django table) says so: only the rows can tell.
fn django_rows_target(dir: &std::path::Path, placed: [&str; 2]) -> std::path::PathBuf {
    sqlite_from_sql(
        dir,
        "app.sqlite3",
        &format!(
            "CREATE TABLE shop_order (id char(36) NOT NULL PRIMARY KEY, placed_at datetime NOT NULL, paid bool NOT NULL, note text);
             INSERT INTO shop_order VALUES
                ('5e1b984939294d8e949caf844b1a5516', '{}', 1, 'old'),
                ('a9b8c7d6e5f443218765432100fedcba', '{}', 0, 'older');",
            placed[0], placed[1]
        ),
    )
}

/// Into the existing file, replacing `table`'s rows (the rows that showed the form are the
/// app's old data; verification compares the table with the source's, so it is not appended
/// to).
fn into_existing(
    from: ferry_engine::Location,
    to: &std::path::Path,
    table: &str,
) -> ferry_engine::Options {
    let mut o = options(from, sqlite(to));
    o.into_existing = true;
    o.replace = vec![table.into()];
    o
}

fn plan(o: &ferry_engine::Options) -> ferry_engine::plan::Plan {
    ferry_engine::api::plan(o, &Silent, &Cancel::new()).expect("the move plans")
}

fn rule(plan: &ferry_engine::plan::Plan, table: &str, column: &str) -> String {
    plan.tables
        .iter()
        .find(|t| t.target_table == table)
        .and_then(|t| t.columns.iter().find(|c| c.target == column))
        .map(|c| c.rule.clone())
        .unwrap_or_else(|| panic!("no column {table}.{column} in the plan"))
}

#[test]
fn rows_in_djangos_forms_decide_without_a_bookkeeping_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::with_sql(PG_ORDERS);
    let target = django_rows_target(
        dir.path(),
        ["2025-03-01 08:00:00.111111", "2025-04-02 10:30:00"],
    );
    let o = into_existing(pg(&db), &target, "shop_order");
    let p = plan(&o);
    assert!(p.framework.is_none(), "no framework: {:?}", p.framework);
    assert_eq!(
        rule(&p, "shop_order", "id"),
        "existing target column, written in its existing rows' form (existing rows: 32 hex digits (2 of 2 sampled)): the UUID as 32 hex digits"
    );
    assert_eq!(
        rule(&p, "shop_order", "placed_at"),
        "existing target column, written in its existing rows' form (existing rows: YYYY-MM-DD HH:MM:SS[.ffffff] (naive UTC) (2 of 2 sampled)): the instant as YYYY-MM-DD HH:MM:SS[.ffffff] (naive UTC)"
    );
    assert!(
        rule(&p, "shop_order", "paid")
            .ends_with("; existing rows agree: INTEGER 1/0 (2 of 2 sampled)"),
        "{}",
        rule(&p, "shop_order", "paid")
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    migrate_ok(&o);
    assert_eq!(
        sqlite_quoted_rows(&target, "shop_order", &["id", "placed_at", "paid"], "note"),
        [
            "'6f1c2a3b4d5e4f608a7b9c0d1e2f3a4b'|'2026-02-03 10:00:00'|0",
            "'0b8e7f0e5d7c4c1e9a513f2a6c9d8e01'|'2026-01-02 02:04:05.250000'|1",
        ]
    );
}

#[test]
fn rows_in_several_forms_are_a_warning_naming_the_column_and_the_forms() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::with_sql(PG_ORDERS);
    let target = django_rows_target(
        dir.path(),
        ["2025-03-01 08:00:00.111111", "2025-04-02T10:30:00Z"],
    );
    // Appended to (planned only): the old rows stay, so the mixture is worth a warning.
    let mut o = into_existing(pg(&db), &target, "shop_order");
    o.replace.clear();
    o.append = true;
    let p = plan(&o);
    assert!(
        p.warnings.contains(&"shop_order.placed_at: the existing rows are stored in several forms (YYYY-MM-DD HH:MM:SS.ffffff (naive) ×1, YYYY-MM-DDTHH:MM:SSZ ×1); new rows are written by the column's rule (existing target column)".to_string()),
        "{:#?}",
        p.warnings
    );
    // The other columns' rows still agree and decide.
    assert!(rule(&p, "shop_order", "id").contains("existing rows: 32 hex digits"));
}

#[test]
fn conventions_named_by_the_person_win_over_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::with_sql(PG_ORDERS);
    let target = django_rows_target(
        dir.path(),
        ["2025-03-01T08:00:00.111Z", "2025-04-02T10:30:00.000Z"],
    );
    let mut o = into_existing(pg(&db), &target, "shop_order");
    let p = plan(&o);
    assert!(
        rule(&p, "shop_order", "placed_at")
            .contains("existing rows: YYYY-MM-DDTHH:MM:SS.fffZ (2 of 2 sampled)"),
        "{}",
        rule(&p, "shop_order", "placed_at")
    );
    o.conventions = Some(Convention::Django);
    let p = plan(&o);
    let placed = rule(&p, "shop_order", "placed_at");
    assert!(
        placed.starts_with("existing target column, written by the django convention (--conventions django)")
            && placed.ends_with("; existing rows hold YYYY-MM-DDTHH:MM:SS.fffZ (2 of 2 sampled), --conventions django decides"),
        "{placed}"
    );
    assert!(
        p.warnings.iter().any(|w| w
            .starts_with("shop_order.placed_at: the existing rows hold YYYY-MM-DDTHH:MM:SS.fffZ")),
        "{:#?}",
        p.warnings
    );
    migrate_ok(&o);
    let stored = sqlite_quoted_rows(&target, "shop_order", &["placed_at"], "placed_at");
    assert_eq!(
        stored,
        ["'2026-01-02 02:04:05.250000'", "'2026-02-03 10:00:00'"]
    );
}

/// A Rails app (schema_migrations + ar_internal_metadata) upgraded from Rails 5.1 whose
/// `archived` rows are still `'t'`/`'f'`: that column follows its rows, the others Rails.
#[test]
fn a_rails_column_whose_rows_contradict_the_convention_follows_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::with_sql(
        "CREATE TABLE projects (id bigint PRIMARY KEY, name varchar NOT NULL, archived boolean NOT NULL, created_at timestamp(6) NOT NULL);
         INSERT INTO projects VALUES (10, 'New', false, '2026-01-02 03:04:05.5'), (11, 'Newer', true, '2026-01-03 00:00:00');",
    );
    let target = sqlite_from_sql(
        dir.path(),
        "rails.sqlite3",
        r#"CREATE TABLE "schema_migrations" ("version" varchar NOT NULL PRIMARY KEY);
           CREATE TABLE "ar_internal_metadata" ("key" varchar NOT NULL PRIMARY KEY, "value" varchar, "created_at" datetime(6) NOT NULL, "updated_at" datetime(6) NOT NULL);
           CREATE TABLE "projects" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar NOT NULL, "archived" boolean DEFAULT 'f' NOT NULL, "created_at" datetime(6) NOT NULL);
           INSERT INTO schema_migrations VALUES ('20160101120000');
           INSERT INTO ar_internal_metadata VALUES ('environment', 'production', '2016-01-01 12:00:03.118204', '2016-01-01 12:00:03.118204');
           INSERT INTO projects VALUES (1, 'Legacy', 'f', '2016-05-31 12:00:00'), (2, 'Old', 't', '2016-06-01 08:30:00.250000');"#,
    );
    let o = into_existing(pg(&db), &target, "projects");
    let p = plan(&o);
    assert_eq!(
        p.framework.as_ref().map(|f| f.because.as_str()),
        Some("detected: tables schema_migrations and ar_internal_metadata in the target")
    );
    assert_eq!(
        rule(&p, "projects", "archived"),
        "existing target column, written in its existing rows' form (existing rows: TEXT 't'/'f' (2 of 2 sampled)): booleans as TEXT 't'/'f'"
    );
    assert_eq!(
        rule(&p, "projects", "created_at"),
        "existing target column, written by the rails convention (detected: tables schema_migrations and ar_internal_metadata in the target): YYYY-MM-DD HH:MM:SS[.ffffff] (naive UTC); existing rows agree: YYYY-MM-DD HH:MM:SS[.ffffff] (naive UTC) (2 of 2 sampled)"
    );
    migrate_ok(&o);
    assert_eq!(
        sqlite_quoted_rows(&target, "projects", &["id", "archived", "created_at"], "id"),
        [
            "10|'f'|'2026-01-02 03:04:05.500000'",
            "11|'t'|'2026-01-03 00:00:00'",
        ]
    );
}

const DJANGO_PG: &str = include_str!("../../../../tests/fixtures/django_shaped_pg.sql");
const DJANGO_SQLITE: &str = include_str!("../../../../tests/fixtures/django_shaped_sqlite.sql");

/// The Django-shaped databases of the app's tests with `django_migrations` dropped on both
/// sides (a dump that left it out): the declared types alone show Django beyond doubt, so its
/// seeded tables are replaced with the source's ids, as with the bookkeeping table.
#[test]
fn a_django_schema_without_django_migrations_is_still_django_by_its_declared_types() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::with_sql(DJANGO_PG);
    db.client()
        .batch_execute("DROP TABLE django_migrations")
        .unwrap();
    let target = sqlite_from_sql(dir.path(), "db.sqlite3", DJANGO_SQLITE);
    rusqlite::Connection::open(&target)
        .unwrap()
        .execute_batch("DROP TABLE django_migrations")
        .unwrap();
    let mut o = options(pg(&db), sqlite(&target));
    o.into_existing = true;
    o.replace = vec!["shop_category".into(), "shop_product".into()];
    let p = plan(&o);
    let framework = p.framework.as_ref().expect("Django is found");
    assert_eq!(framework.convention, Convention::Django);
    assert_eq!(
        framework.because,
        "detected: Django's own tables django_content_type and auth_permission or django_session (no django_migrations) in the target"
    );
    let replaced: Vec<&str> = framework
        .replaced
        .iter()
        .map(|r| r.split(':').next().unwrap())
        .collect();
    assert!(
        replaced.contains(&"django_content_type") && replaced.contains(&"auth_permission"),
        "{replaced:?}"
    );
    migrate_ok(&o);
    // The target now holds the PostgreSQL side's content types, ids kept.
    let pg_types: Vec<String> = db
        .client()
        .query(
            "SELECT id || '|' || quote_literal(app_label) || '|' || quote_literal(model) FROM django_content_type ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        sqlite_quoted_rows(
            &target,
            "django_content_type",
            &["id", "app_label", "model"],
            "id"
        ),
        pg_types
    );
}

/// The framework fixtures (tests/frameworks/fixtures, each citing its framework's DDL) with
/// their bookkeeping tables dropped are still recognised by their declared types; a schema
/// that only shares a table name is not.
#[test]
fn rails_and_laravel_schemas_are_recognised_by_their_declared_types_alone() {
    let dir = tempfile::tempdir().unwrap();
    let guess = |name: &str, sql: &str, drop: &str| {
        let path = sqlite_from_sql(dir.path(), name, sql);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(drop)
            .unwrap();
        let catalog = ferry_engine::inspect(&sqlite(&path), "public")
            .unwrap()
            .catalog;
        assert_eq!(
            Convention::detect(&catalog),
            None,
            "{name}: no bookkeeping table left"
        );
        Convention::guess_from_declared_types(&catalog).map(|(c, _)| c)
    };
    let fixture = |f: &str| {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/frameworks/fixtures")
                .join(f),
        )
        .unwrap()
    };
    assert_eq!(
        guess(
            "rails.db",
            &fixture("rails_sqlite.sql"),
            "DROP TABLE ar_internal_metadata"
        ),
        Some(Convention::Rails)
    );
    assert_eq!(
        guess(
            "laravel.db",
            &fixture("laravel_sqlite.sql"),
            "DROP TABLE migrations"
        ),
        Some(Convention::Laravel)
    );
    assert_eq!(
        guess(
            "plain.db",
            "CREATE TABLE schema_migrations (version varchar PRIMARY KEY); CREATE TABLE notes (id integer PRIMARY KEY, at datetime);
             CREATE TABLE django_content_type (id integer PRIMARY KEY, app_label text, model text);",
            "SELECT 1"
        ),
        None
    );
}
