//! The two plan hooks jobs build on: a source row filter (`TablePlan::source_filter`) and a
//! constant written into a target-only column (`ColumnPlan::fill`). Both must flow through the
//! real copy, digest and verification: the filtered-out rows never reach the target, the
//! constant lands in every row, and the target re-read digests equal to what was sent.

use ferry_engine::catalog::Dialect;
use ferry_engine::plan::build::{self, PlanInput};
use ferry_engine::plan::Plan;
use ferry_engine::progress::{Cancel, Silent};
use ferry_engine::run::verify::TypedReader;
use ferry_engine::source::Source;
use ferry_engine::target::Target;
use ferry_engine::value::Value;
use ferry_engine::{Location, Options};

fn sqlite_source(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("src.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, label TEXT);
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 500)
         INSERT INTO items SELECT i, i, 'item ' || i FROM k;",
    )
    .unwrap();
    path
}

/// Plans SQLite `items` into an existing PostgreSQL `items` that has an extra `owner` column,
/// then applies both hooks the way a job would.
fn planned(options: &Options, source: &mut Source, target: &mut Target) -> Plan {
    let source_catalog = source.introspect().unwrap();
    let target_catalog = target.introspect_existing().unwrap();
    let input = PlanInput {
        options,
        source: &source_catalog,
        target: target_catalog.as_ref(),
        target_dialect: Dialect::Postgres,
        source_display: source.display().into(),
        target_display: target.display().into(),
        target_file_exists: false,
        seeded_rules: true,
    };
    let mut plan = build::build(&input, &mut |_, _| Ok(vec![])).unwrap();
    let refused = build::check_required_columns(&plan).unwrap_err();
    assert!(
        refused.to_string().contains("owner"),
        "an unfilled NOT NULL column is refused by name: {refused}"
    );
    let table = &mut plan.tables[0];
    table.source_filter = Some("n % 3 = 0".into());
    let owner = table
        .columns
        .iter_mut()
        .find(|c| c.target == "owner")
        .expect("the planner lists the target-only column");
    assert!(owner.source.is_none());
    owner.fill = Some(Value::Int(7));
    build::check_required_columns(&plan).expect("a filled column satisfies NOT NULL");
    plan
}

/// A run stopped after the copy, before commit: the target transaction is still open.
struct Copied {
    _db: ferry_testkit::TestDb,
    client: postgres::Client,
    target: Target,
    plan: Plan,
    copies: Vec<ferry_engine::run::copy::TableCopy>,
    _dir: tempfile::TempDir,
}

/// Copies SQLite `items` into an existing PostgreSQL `items` with an extra NOT NULL `owner`,
/// through both hooks.
fn copy_with_hooks() -> Copied {
    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    client
        .batch_execute(
            "CREATE TABLE items (id bigint PRIMARY KEY, n bigint NOT NULL, label text,
                                 owner bigint NOT NULL)",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_source(dir.path());
    let mut options = Options::new(
        Location::Sqlite { path: src },
        Location::parse(&db.url()).unwrap(),
    );
    options.into_existing = true;
    let mut source = Source::open(&options.source, "public").unwrap();
    let mut target = Target::open(&options.target, "public").unwrap();
    let plan = planned(&options, &mut source, &mut target);
    target.begin(true).unwrap();
    let copies = ferry_engine::run::copy::copy_tables(
        &mut source,
        &mut target,
        &plan,
        64,
        &Silent,
        &Cancel::new(),
    )
    .unwrap();
    Copied {
        _db: db,
        client,
        target,
        plan,
        copies,
        _dir: dir,
    }
}

/// The target's `items` re-read and digested inside its open transaction.
fn target_digest(run: &mut Copied) -> ferry_engine::convert::digest::TableDigest {
    let Target::Postgres { client, schema, .. } = &mut run.target else {
        unreachable!()
    };
    let mut reader = TypedReader::Postgres(client, schema.as_str());
    ferry_engine::run::verify::target_digest(&mut reader, &run.plan.tables[0]).unwrap()
}

#[test]
fn filtered_rows_and_constant_columns_are_copied_and_verified() {
    let mut run = copy_with_hooks();
    assert_eq!(
        run.copies[0].rows_read, 166,
        "only rows with n divisible by 3 are read"
    );
    assert_eq!(run.copies[0].rows_written, 166);
    // The target re-read agrees with what the reader sent, constant column included.
    assert_eq!(target_digest(&mut run), run.copies[0].digest);
    run.target.commit().unwrap();

    let row = run
        .client
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE n % 3 <> 0), min(owner), max(owner),
                    count(*) FILTER (WHERE label <> 'item ' || n)
             FROM items",
            &[],
        )
        .unwrap();
    let (rows, unfiltered, min_owner, max_owner, bad_labels): (i64, i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    assert_eq!((rows, unfiltered, bad_labels), (166, 0, 0));
    assert_eq!((min_owner, max_owner), (7, 7));
}

#[test]
fn a_changed_constant_is_caught_by_the_digest() {
    // The digest covers fill columns: a target whose constant differs from the plan's fails.
    let mut run = copy_with_hooks();
    run.target
        .execute("UPDATE items SET owner = 8 WHERE id = 300", "tampering")
        .unwrap();
    assert_ne!(target_digest(&mut run), run.copies[0].digest);
    run.target.rollback();
}
