//! A PostgreSQL source streams its rows on a second connection that imports the main
//! connection's snapshot (`postgres::shared_snapshot`). What must hold: that connection sees
//! exactly the snapshot the run started with, not rows committed since; when no second
//! connection can be had the rows come from the main one, all of them (also when a pooler
//! would make it wait for the main one's server connection); and a read that failed half-way
//! does not leave the next read on a connection still inside the old stream.

use ferry_engine::model::batch::RawBatch;
use ferry_engine::source::Source;
use ferry_engine::value::Value;
use ferry_engine::{Error, Location};
use ferry_testkit::TestDb;

use crate::servers::Bouncer;

const TABLE: &str = "CREATE TABLE items (id bigint PRIMARY KEY, label text NOT NULL);
     INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 5000) AS i;";

fn open(url: &str) -> Source {
    Source::open(&Location::parse(url).unwrap(), "public").unwrap()
}

/// Every `(id, label)` of `items` read through `source`, sorted, and how many of Ferry's
/// connections to the database the server had while the first batch was handed over.
fn read_items(source: &mut Source, db: &TestDb) -> (Vec<(i64, String)>, i64) {
    let columns = item_columns(source);
    let mut watcher = db.client();
    let mut connections = None;
    let mut rows = vec![];
    source
        .read("items", None, &columns, 1000, &mut |batch| {
            connections.get_or_insert_with(|| ferry_connections(&mut watcher, &db.name));
            let RawBatch::Pg(batch) = batch else {
                panic!("a PostgreSQL source hands over PostgreSQL rows")
            };
            for row in batch {
                match row.as_slice() {
                    [Value::Int(id), Value::Text(label)] => rows.push((*id, label.clone())),
                    other => panic!("unexpected row {other:?}"),
                }
            }
            Ok(())
        })
        .unwrap();
    rows.sort();
    (rows, connections.expect("at least one batch"))
}

/// The columns of `items` as the source reads them.
fn item_columns(source: &mut Source) -> Vec<(String, ferry_engine::catalog::ColumnType)> {
    source
        .introspect()
        .unwrap()
        .table("items")
        .unwrap()
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.ty.clone()))
        .collect()
}

/// A login role of the test server that may read `items`, dropped with what it owns when the
/// test ends (roles are the server's, not the test database's). Declare it after the
/// `TestDb` and before any `Source` connected as it, so it drops after the source.
struct Role<'a> {
    name: String,
    url: String,
    db: &'a TestDb,
}

impl<'a> Role<'a> {
    /// `CREATE ROLE … LOGIN <options>`, its grant, then `extra` (SQL run as the test's superuser).
    fn new(db: &'a TestDb, suffix: &str, options: &str, extra: &str) -> Role<'a> {
        let name = format!("{}_{suffix}", db.name);
        db.client()
            .batch_execute(&format!(
                "CREATE ROLE \"{name}\" LOGIN {options};
                 GRANT SELECT ON items TO \"{name}\";
                 {extra}"
            ))
            .unwrap();
        let url = db.url().replacen("postgres@", &format!("{name}@"), 1);
        assert!(url.contains(&name), "{url}");
        Role { name, url, db }
    }
}

impl Drop for Role<'_> {
    fn drop(&mut self) {
        let name = &self.name;
        let dropped = self
            .db
            .client()
            .batch_execute(&format!("DROP OWNED BY \"{name}\"; DROP ROLE \"{name}\""));
        // A role left behind would outlive the test database: as loud as the test itself,
        // unless the test already failed.
        if let Err(e) = dropped {
            if !std::thread::panicking() {
                panic!("dropping role {name}: {e}");
            }
        }
    }
}

fn ferry_connections(client: &mut postgres::Client, database: &str) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ferry'",
            &[&database],
        )
        .unwrap()
        .get(0)
}

fn expected(ids: impl Iterator<Item = i64>) -> Vec<(i64, String)> {
    ids.map(|i| (i, format!("item {i}"))).collect()
}

#[test]
fn the_second_connection_reads_the_snapshot_the_source_opened_with() {
    let db = TestDb::with_sql(TABLE);
    let mut source = open(&db.url());
    // The snapshot is taken when the source opens; these commits come after it.
    db.client()
        .batch_execute(
            "INSERT INTO items VALUES (5001, 'late'); DELETE FROM items WHERE id <= 10;
             UPDATE items SET label = 'changed' WHERE id = 4000;",
        )
        .unwrap();
    let (rows, connections) = read_items(&mut source, &db);
    assert_eq!(
        connections, 2,
        "the rows are streamed on a second connection"
    );
    assert_eq!(rows, expected(1..=5000));
    // The main connection is still in the same snapshot too.
    let (again, _) = read_items(&mut source, &db);
    assert_eq!(again, rows);
}

#[test]
fn without_a_second_connection_the_main_one_reads_every_row() {
    let db = TestDb::with_sql(TABLE);
    let role = Role::new(&db, "one", "CONNECTION LIMIT 1", "");
    let mut source = open(&role.url);
    db.client()
        .batch_execute("INSERT INTO items VALUES (5001, 'late')")
        .unwrap();
    let (rows, connections) = read_items(&mut source, &db);
    assert_eq!(connections, 1, "the role may hold one connection only");
    assert_eq!(rows, expected(1..=5000));
}

#[test]
fn a_read_stopped_half_way_leaves_the_next_read_whole() {
    let db = TestDb::with_sql(TABLE);
    let mut source = open(&db.url());
    let columns = item_columns(&mut source);
    let stopped = source.read("items", None, &columns, 100, &mut |_| {
        Err(Error::runtime("stopped by the test"))
    });
    let message = stopped.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("stopped by the test"), "{message}");
    let (rows, _) = read_items(&mut source, &db);
    assert_eq!(rows, expected(1..=5000));
}

#[test]
fn through_a_transaction_pooler_the_rows_are_the_snapshots_whatever_its_pool() {
    for pool_size in [5, 1] {
        let db = TestDb::with_sql(TABLE);
        let bouncer = Bouncer::with_pool_size(pool_size);
        let url = format!(
            "postgres://postgres@127.0.0.1:{}/{}?sslmode=disable",
            bouncer.port, db.name
        );
        let mut source = open(&url);
        db.client()
            .batch_execute(
                "INSERT INTO items VALUES (5001, 'late'); DELETE FROM items WHERE id = 1",
            )
            .unwrap();
        let started = std::time::Instant::now();
        let (rows, connections) = read_items(&mut source, &db);
        assert_eq!(rows, expected(1..=5000), "pool of {pool_size}");
        // With one server connection, held by the main transaction, the second connection
        // waits in the pooler's queue until Ferry gives up on it and reads on the main one.
        let wanted = if pool_size == 1 { 1 } else { 2 };
        assert_eq!(connections, wanted, "pool of {pool_size}");
        if pool_size == 1 {
            let waited = started.elapsed();
            assert!(
                waited < std::time::Duration::from_secs(30),
                "gave up on the second connection after {waited:?}"
            );
        }
    }
}

#[test]
fn a_role_that_may_not_export_its_snapshot_reads_on_the_main_connection() {
    let db = TestDb::with_sql(TABLE);
    let role = Role::new(
        &db,
        "noexport",
        "",
        "REVOKE EXECUTE ON FUNCTION pg_export_snapshot() FROM PUBLIC;",
    );
    // The refused export aborted the first transaction; the source started another.
    let mut source = open(&role.url);
    let catalog = source.introspect().unwrap();
    assert!(catalog.table("items").is_some());
    db.client()
        .batch_execute("INSERT INTO items VALUES (5001, 'late')")
        .unwrap();
    let (rows, connections) = read_items(&mut source, &db);
    assert_eq!(connections, 1);
    assert_eq!(rows, expected(1..=5000), "the snapshot of the first read");
}
