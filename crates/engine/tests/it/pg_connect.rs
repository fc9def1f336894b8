//! Connecting to real servers — the shared test server, a throwaway scram cluster, PgBouncer —
//! and to things that are not PostgreSQL servers, checking the sentence each failure becomes.

use crate::servers;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use ferry_engine::location::{Location, PgLocation};
use ferry_engine::postgres::connect::{
    connect, describe_error, is_connection_error, pooler_warning,
};
use ferry_engine::{Error, ErrorKind};
use ferry_testkit::TestDb;

fn pg(text: &str) -> PgLocation {
    match Location::parse(text).unwrap_or_else(|e| panic!("{text}: {e}")) {
        Location::Postgres(pg) => pg,
        other => panic!("{text}: {other:?}"),
    }
}

/// The error message of a failed connect, which must be a `Connection` error.
fn connect_error(text: &str) -> String {
    match connect(&pg(text)) {
        Ok(_) => panic!("{text}: connected, expected an error"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Connection, "{text}: {e}");
            e.to_string()
        }
    }
}

fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected\n  {needle}\nin\n  {haystack}"
    );
}

#[test]
fn connects_by_url_and_by_key_value() {
    let db = TestDb::new();
    for text in [db.url(), db.conn_str()] {
        let mut client = connect(&pg(&text)).unwrap_or_else(|e| panic!("{text}: {e}"));
        let row = client
            .query_one(
                "SELECT current_database(), current_setting('application_name')",
                &[],
            )
            .unwrap();
        assert_eq!(row.get::<_, String>(0), db.name, "{text}");
        assert_eq!(row.get::<_, String>(1), "ferry", "{text}");
        assert_eq!(pooler_warning(&pg(&text), &mut client), None, "{text}");
    }
}

#[test]
fn unix_socket_connection() {
    let db = TestDb::new();
    let text = format!(
        "postgres://postgres@/{}?host=/var/run/postgresql&sslmode=require",
        db.name
    );
    let mut client = connect(&pg(&text)).unwrap_or_else(|e| panic!("{text}: {e}"));
    let row = client
        .query_one("SELECT inet_server_port() IS NULL", &[])
        .unwrap();
    assert!(row.get::<_, bool>(0), "expected a Unix-socket connection");
}

#[test]
fn missing_database_and_role() {
    let msg = connect_error("postgres://postgres@127.0.0.1:5432/ferry_no_such_db?sslmode=disable");
    assert_contains(
        &msg,
        "database \"ferry_no_such_db\" does not exist — create it first (createdb ferry_no_such_db) or check the name",
    );
    let msg =
        connect_error("host=127.0.0.1 user=ferry_no_such_role dbname=postgres password=s3cret");
    assert_contains(&msg, "role \"ferry_no_such_role\" does not exist");
    assert!(!msg.contains("s3cret"), "{msg}");
}

#[test]
fn connection_refused() {
    let port = servers::free_port();
    let msg = connect_error(&format!("postgres://u:pw@127.0.0.1:{port}/db"));
    assert_contains(
        &msg,
        &format!(
            "nothing is listening on 127.0.0.1:{port} — is PostgreSQL running, is the port right?"
        ),
    );
    assert_contains(
        &msg,
        &format!("cannot connect to postgres://u:***@127.0.0.1:{port}/db"),
    );
    assert!(!msg.contains("pw@"), "{msg}");
}

#[test]
fn unknown_host_name() {
    let msg = connect_error("postgres://u@no-such-host.invalid/db?connect_timeout=5");
    assert_contains(&msg, "unknown host name \"no-such-host.invalid\"");
}

#[test]
fn something_that_is_not_postgres() {
    let http = ferry_testkit::net::fake_server_saying(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    let ssh = ferry_testkit::net::fake_server_saying(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    for (port, sslmode) in [
        (http, "disable"),
        (http, "prefer"),
        (ssh, "disable"),
        (ssh, "prefer"),
        (ssh, "require"),
    ] {
        let msg = connect_error(&format!(
            "postgres://u@127.0.0.1:{port}/db?sslmode={sslmode}"
        ));
        assert_contains(
            &msg,
            &format!("the server at 127.0.0.1:{port} did not answer like PostgreSQL"),
        );
    }
}

#[test]
fn server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_secs(3));
        drop(stream);
    });
    let started = Instant::now();
    let msg = connect_error(&format!(
        "postgres://u@127.0.0.1:{port}/db?connect_timeout=1"
    ));
    let took = started.elapsed();
    assert_contains(&msg, &format!("no answer from 127.0.0.1:{port} within 1 s"));
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    holder.join().unwrap();
}

#[test]
fn sslmode_require_against_the_local_server() {
    let db = TestDb::new();
    let ssl_on = db
        .client()
        .query_one("SHOW ssl", &[])
        .unwrap()
        .get::<_, String>(0)
        == "on";
    let base = format!("postgres://postgres@127.0.0.1:5432/{}", db.name);
    let require = format!("{base}?sslmode=require");
    if ssl_on {
        let mut client = connect(&pg(&require)).unwrap_or_else(|e| panic!("{require}: {e}"));
        let row = client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap();
        assert!(
            row.get::<_, bool>(0),
            "sslmode=require connected without TLS"
        );
        // Debian's snakeoil certificate is self-signed: verification must refuse it.
        let msg = connect_error(&format!("{base}?sslmode=verify-full"));
        assert_contains(&msg, "the server's TLS certificate could not be verified");
        let mut plain = connect(&pg(&format!("{base}?sslmode=disable"))).unwrap();
        let row = plain
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap();
        assert!(!row.get::<_, bool>(0), "sslmode=disable used TLS");
    } else {
        assert_contains(
            &connect_error(&require),
            "the server does not support TLS (SSL)",
        );
    }
}

#[test]
fn password_authentication() {
    let cluster = servers::ScramCluster::start("right p@ss:w/rd");
    let port = cluster.port;
    let url = |password: &str| {
        format!("postgres://postgres:{password}@127.0.0.1:{port}/postgres?sslmode=disable")
    };
    let mut client = connect(&pg(&url("right%20p%40ss%3Aw%2Frd"))).expect("right password");
    client.simple_query("SELECT 1").unwrap();

    let msg = connect_error(&url("wrong%20secret"));
    assert_contains(&msg, "password authentication failed for user \"postgres\"");
    assert!(!msg.contains("wrong"), "{msg}");

    let msg = connect_error(&format!(
        "host=127.0.0.1 port={port} user=postgres dbname=postgres sslmode=disable"
    ));
    assert!(
        msg.contains("asks for a password") || msg.contains("password authentication failed"),
        "{msg}"
    );
}

#[test]
fn errors_during_work_are_explained() {
    let db = TestDb::new();
    let mut client = connect(&pg(&db.url())).unwrap();
    let role = format!("{}_reader", db.name);
    client
        .batch_execute(&format!(
            "CREATE TABLE parent (id int PRIMARY KEY);
             CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);
             INSERT INTO parent VALUES (1);
             CREATE ROLE \"{role}\" NOLOGIN;"
        ))
        .unwrap();

    let describe = |client: &mut postgres::Client, sql: &str| {
        let err = client.batch_execute(sql).unwrap_err();
        assert!(!is_connection_error(&err), "{sql}: {err}");
        let _ = client.batch_execute("ROLLBACK; RESET ROLE");
        describe_error(&err)
    };
    let cases = [
        (format!("SET ROLE \"{role}\"; SELECT * FROM parent"), "permission denied: permission denied for table parent (grant the role access or connect as the owner)"),
        ("INSERT INTO parent VALUES (1)".to_string(), "duplicate key: duplicate key value violates unique constraint \"parent_pkey\" — Key (id)=(1) already exists"),
        ("INSERT INTO child VALUES (1, 42)".to_string(), "foreign key violation: insert or update on table \"child\" violates foreign key constraint"),
        ("BEGIN READ ONLY; INSERT INTO parent VALUES (2)".to_string(), "the server only allows reading here: cannot execute INSERT in a read-only transaction"),
        ("SELECT 1/0".to_string(), "division by zero"),
    ];
    for (sql, want) in &cases {
        assert_contains(&describe(&mut client, sql), want);
    }
    client
        .batch_execute(&format!("DROP ROLE \"{role}\""))
        .unwrap();

    // An error wrapped in Error::Postgres reads the same way.
    let err = client
        .batch_execute("SELECT * FROM missing_table")
        .unwrap_err();
    let wrapped = Error::Postgres {
        context: "reading missing_table".into(),
        source: err,
    };
    assert_eq!(wrapped.kind(), ErrorKind::Runtime);
    assert_contains(
        &wrapped.to_string(),
        "reading missing_table: relation \"missing_table\" does not exist",
    );

    // A connection killed by the server.
    let pid: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    db.client()
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let err = client.batch_execute("SELECT 1").unwrap_err();
    assert!(is_connection_error(&err), "{err:?}");
    let wrapped = Error::Postgres {
        context: "copying t".into(),
        source: err,
    };
    assert_eq!(wrapped.kind(), ErrorKind::Connection);
    let text = wrapped.to_string();
    assert!(
        text.contains("the connection to the server was lost")
            || text.contains("the server shut the connection down"),
        "{text}"
    );
}

#[test]
fn pgbouncer_in_transaction_mode() {
    let db = TestDb::new();
    db.client()
        .batch_execute("CREATE TABLE t (id bigint PRIMARY KEY, name text)")
        .unwrap();
    let bouncer = servers::Bouncer::start();
    let loc = pg(&format!(
        "postgres://postgres@127.0.0.1:{}/{}?sslmode=disable",
        bouncer.port, db.name
    ));
    let mut client = connect(&loc).unwrap_or_else(|e| panic!("through pgbouncer: {e}"));

    let warning = pooler_warning(&loc, &mut client).expect("transaction pooler detected");
    assert_contains(&warning, "connection pooler in transaction mode");
    assert_contains(&warning, &format!("127.0.0.1:{}", bouncer.port));

    // Ferry's way of working — everything inside one transaction — works through it.
    let mut tx = client.transaction().unwrap();
    let pid: i32 = tx.query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0);
    {
        let sink = tx
            .copy_in("COPY t (id, name) FROM STDIN (FORMAT binary)")
            .unwrap();
        let types = [postgres::types::Type::INT8, postgres::types::Type::TEXT];
        let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(sink, &types);
        for i in 0..1000i64 {
            writer.write(&[&i, &format!("row {i}")]).unwrap();
        }
        assert_eq!(writer.finish().unwrap(), 1000);
    }
    let count: i64 = tx.query_one("SELECT count(*) FROM t", &[]).unwrap().get(0);
    assert_eq!(count, 1000);
    let same_pid: i32 = tx.query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0);
    assert_eq!(
        pid, same_pid,
        "a transaction must stay on one server connection"
    );
    tx.commit().unwrap();
    drop(client);

    let direct: i64 = db
        .client()
        .query_one("SELECT count(*) FROM t", &[])
        .unwrap()
        .get(0);
    assert_eq!(direct, 1000);
}
