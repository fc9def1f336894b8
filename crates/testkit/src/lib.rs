//! Test support shared by every crate's tests: file and folder hashes and SQLite files built
//! from SQL ([`files`]), free loopback ports and fake servers ([`net`]), fingerprints of a
//! PostgreSQL database taken with independent SQL ([`pg`]), and a private PostgreSQL database
//! per test.
//!
//! Every test gets its own PostgreSQL database on a real server, dropped when
//! the test ends, so tests run in parallel and never see each other's tables.
//!
//! The server is `FERRY_TEST_PG` (a key=value or URL connection string to a *maintenance*
//! database, default `host=127.0.0.1 port=5432 user=postgres dbname=postgres`). The test
//! command (`scripts/test.sh`) makes sure one is running. A test that cannot reach it fails
//! loudly with the reason; it never skips.
//!
//! Databases are named `ferry_test_<pid>_<n>`; ones left behind by a process that no longer
//! exists (a killed test run) are dropped the first time a later run creates one.

pub mod files;
pub mod net;
pub mod pg;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

pub const DEFAULT_SERVER: &str = "host=127.0.0.1 port=5432 user=postgres dbname=postgres";

/// The maintenance connection string tests use.
pub fn server() -> String {
    std::env::var("FERRY_TEST_PG").unwrap_or_else(|_| DEFAULT_SERVER.to_string())
}

fn admin_client() -> postgres::Client {
    let conn = server();
    postgres::Client::connect(&conn, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "\n\nFerry's tests need a real PostgreSQL server and cannot reach one.\n\
             Tried: {conn}\nError: {e}\n\
             Run the tests through `bash scripts/test.sh`, which starts one, or set FERRY_TEST_PG.\n\n"
        )
    })
}

/// A private database on the test server, dropped (forcefully) on drop.
pub struct TestDb {
    pub name: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);
static REAP: Once = Once::new();

impl TestDb {
    pub fn new() -> TestDb {
        let mut admin = admin_client();
        REAP.call_once(|| reap_leftovers(&mut admin));
        let name = format!(
            "ferry_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        // Two round trips: several statements in one simple query run as one transaction
        // block, which DROP/CREATE DATABASE refuse.
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            format!("CREATE DATABASE \"{name}\""),
        ] {
            admin.batch_execute(&sql).unwrap_or_else(|e| {
                let why = e
                    .as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_string());
                panic!("cannot create test database {name}: {why}")
            });
        }
        TestDb { name }
    }

    /// Connection string for this database, libpq key=value form.
    pub fn conn_str(&self) -> String {
        format!("{} dbname={}", strip_dbname(&server()), self.name)
    }

    /// The same as a `postgres://` URL, for CLI tests.
    pub fn url(&self) -> String {
        let params = parse_kv(&strip_dbname(&server()));
        let get = |k: &str, d: &str| {
            params
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| d.to_string())
        };
        let host = get("host", "127.0.0.1");
        let port = get("port", "5432");
        let user = get("user", "postgres");
        let password = params
            .iter()
            .find(|(k, _)| k == "password")
            .map(|(_, v)| format!(":{v}"))
            .unwrap_or_default();
        if host.starts_with('/') {
            format!(
                "postgres://{user}{password}@/{}?host={host}&port={port}&sslmode=disable",
                self.name
            )
        } else {
            format!(
                "postgres://{user}{password}@{host}:{port}/{}?sslmode=disable",
                self.name
            )
        }
    }

    /// A new database with `sql` (a fixture's text) already run in it.
    pub fn with_sql(sql: &str) -> TestDb {
        let db = TestDb::new();
        db.client()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("loading the fixture into {}: {e}", db.name));
        db
    }

    /// How many tables schema `public` holds: 0 is "nothing was written".
    pub fn public_tables(&self) -> i64 {
        self.client()
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                &[],
            )
            .unwrap_or_else(|e| panic!("counting the tables of {}: {e}", self.name))
            .get(0)
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.conn_str(), postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to test database {}: {e}", self.name))
    }
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&server(), postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn reap_leftovers(admin: &mut postgres::Client) {
    let rows = admin
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'ferry\\_test\\_%'",
            &[],
        )
        .unwrap_or_default();
    for row in rows {
        let name: String = row.get(0);
        let pid: Option<u32> = name.split('_').nth(2).and_then(|p| p.parse().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}

fn strip_dbname(conn: &str) -> String {
    parse_kv(conn)
        .into_iter()
        .filter(|(k, _)| k != "dbname")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Minimal key=value parser for the test server string (values without spaces or quotes).
fn parse_kv(conn: &str) -> Vec<(String, String)> {
    conn.split_whitespace()
        .filter_map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}
