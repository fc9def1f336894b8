//! All or nothing under SIGKILL: a `ferry migrate` killed at any moment leaves the target as
//! it was (no tables in PostgreSQL; no file, or the old file byte for byte, in SQLite), never
//! touches the source, and the same command run again succeeds and verifies.
//!
//! Two kinds of kill, both directions:
//!
//! - At named points (the last two tests): a small run is stopped at every step boundary
//!   from the end of the preflight to the start of the commit (`FERRY_PAUSE_AT`, see
//!   `crates/engine/src/pause.rs` and docs/faults.md) and SIGKILLed there — exact, named,
//!   about fifty points per direction.
//! - Aimed by the clock at a large run (the first two): a process killed wherever it happens
//!   to be, mid-system-call included. Each direction first runs the migration once,
//!   uninterrupted, with `--json`, and takes the phase timings from its report; the killed
//!   runs are then stopped inside `copy`, `indexes` and `verify`, each recognised by what the
//!   run is seen doing (see [`Aim`]). A run that had already finished when its kill came
//!   would prove nothing, so that is a failure.
//!
//! The tests take turns (a lock): the clock-aimed ones calibrate against their own timings,
//! and a second migration competing for the same two cores would move every phase boundary.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::util::Dir;

/// Held by a test for its whole run so calibration and kills see the same machine.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Where a kill is aimed. Each is recognised by what the run is seen doing — its session on
/// the PostgreSQL side (`pg_stat_activity`), or the files it holds open — not by the clock
/// alone: debug runs of one to three seconds vary by a third from run to run, more than the
/// indexes phase lasts.
#[derive(Clone, Copy, Debug)]
enum Aim {
    /// Inside the copy of `orders` (92% of the rows): once the COPY carrying all its columns
    /// has started, 40% of the calibrated copy phase later. (Preflight may COPY a few of its
    /// columns first, to profile them; that statement does not count.)
    Copy,
    /// The moment the PostgreSQL target is seen building an index.
    Indexes,
    /// The verifier reading the target back. PostgreSQL target: a `COPY (SELECT …) TO
    /// STDOUT` starts after the copy of `orders`. SQLite target: the run holds the
    /// temporary file open more than once — the copy writes it through one connection, the
    /// verifier opens it again to re-read it (and to write its pages back meanwhile). The
    /// clock cannot aim here: the SQLite verify phase lasts about a tenth of a second and one
    /// run's copy differs from the next by more.
    Verify,
}

const TO_POSTGRES: &[Aim] = &[Aim::Copy, Aim::Indexes, Aim::Verify];
/// Each once with the destination absent and once with it present. The SQLite indexes phase
/// has no PostgreSQL statement to recognise it by (and lasts ~30 ms).
const TO_SQLITE: &[Aim] = &[Aim::Copy, Aim::Verify];

const CUSTOMERS: u32 = 5_000;
const ORDERS: u32 = 60_000;

fn sqlite_source_sql() -> String {
    format!(
        "
        PRAGMA journal_mode = DELETE;
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL UNIQUE
        );
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            amount REAL NOT NULL,
            placed TEXT NOT NULL,
            note TEXT
        );
        CREATE INDEX orders_customer ON orders(customer_id);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {CUSTOMERS})
        INSERT INTO customers SELECT i, 'customer ' || i, 'c' || i || '@example.com' FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ORDERS})
        INSERT INTO orders
        SELECT i, 1 + (i * 7919) % {CUSTOMERS}, (i % 100000) / 100.0,
               'order placed on day ' || (i % 365),
               CASE WHEN i % 5 = 0 THEN NULL ELSE 'note ' || i END
        FROM n;
        "
    )
}

fn pg_source_sql() -> String {
    format!(
        "
        CREATE TABLE customers (
            id bigint PRIMARY KEY,
            name text NOT NULL,
            email text NOT NULL UNIQUE
        );
        CREATE TABLE orders (
            id bigint PRIMARY KEY,
            customer_id bigint NOT NULL REFERENCES customers(id),
            amount numeric(12,2) NOT NULL,
            placed timestamptz NOT NULL,
            note text
        );
        CREATE INDEX orders_customer ON orders(customer_id);
        INSERT INTO customers
        SELECT i, 'customer ' || i, 'c' || i || '@example.com'
        FROM generate_series(1, {CUSTOMERS}) i;
        INSERT INTO orders
        SELECT i, 1 + (i * 7919) % {CUSTOMERS}, (i % 100000) / 100.0,
               timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
               CASE WHEN i % 5 = 0 THEN NULL ELSE 'note ' || i END
        FROM generate_series(1, {ORDERS}) i;
        "
    )
}

/// One phase of the calibration run: when it started and ended, in seconds after launch.
#[derive(Debug, Clone)]
struct Span {
    phase: String,
    start: f64,
    end: f64,
}

/// Runs the migration once, uninterrupted, and returns its phases laid end to end.
/// Everything before the engine's first phase (process start, argument parsing) is added to
/// the first phase's start, so a kill time is measured from launch like the real ones.
fn calibrate(dir: &Dir, args: &[String]) -> (Vec<Span>, f64) {
    let started = Instant::now();
    let run = dir.command().args(args).expect_code(0);
    let wall = started.elapsed().as_secs_f64();
    let report = run.json();
    assert_eq!(report["outcome"], "committed", "{report}");
    assert_eq!(report["verification"]["passed"], true, "{report}");
    let engine_seconds = report["seconds"].as_f64().expect("report.seconds");
    let mut at = (wall - engine_seconds).max(0.0);
    let spans: Vec<Span> = report["phases"]
        .as_array()
        .expect("report.phases")
        .iter()
        .map(|p| {
            let seconds = p["seconds"].as_f64().expect("phase seconds");
            let span = Span {
                phase: p["phase"].as_str().expect("phase name").to_string(),
                start: at,
                end: at + seconds,
            };
            at += seconds;
            span
        })
        .collect();
    (spans, wall)
}

fn phase_seconds(spans: &[Span], phase: &str) -> f64 {
    let span = spans
        .iter()
        .find(|s| s.phase == phase)
        .unwrap_or_else(|| panic!("no '{phase}' phase in the calibration run: {spans:?}"));
    span.end - span.start
}

/// Watches the ferry session(s) on one PostgreSQL database from another connection.
struct Watch {
    client: postgres::Client,
    /// Distinct COPY statements seen so far, by backend pid and start time.
    copies: BTreeSet<String>,
    /// When the copy of `orders` (every column) was first seen, since launch.
    orders_copy_at: Option<Duration>,
    /// A COPY that started after it: the verifier reading a table back.
    verifying: bool,
    /// Whether the target is a SQLite file, whose verification shows nothing on the
    /// PostgreSQL side and is recognised by the files the run holds open instead.
    sqlite_target: bool,
}

impl Watch {
    fn new(client: postgres::Client, sqlite_target: bool) -> Watch {
        Watch {
            sqlite_target,
            client,
            copies: BTreeSet::new(),
            orders_copy_at: None,
            verifying: false,
        }
    }

    /// One look: what the other sessions are doing (`state: query`), noting new COPYs.
    fn look(&mut self, elapsed: Duration) -> String {
        let rows = self
            .client
            .query(
                "SELECT pid::text || ' ' || coalesce(query_start::text, ''), \
                        coalesce(state, '') || ': ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 50) \
                 FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                   AND backend_type = 'client backend'",
                &[],
            )
            .expect("read pg_stat_activity");
        let mut seen = Vec::new();
        for row in rows {
            let (key, what): (String, String) = (row.get(0), row.get(1));
            if what.contains(": COPY ") && !self.copies.contains(&key) {
                if self.orders_copy_at.is_some() {
                    // A large table may be loaded by more than one COPY … FROM STDIN.
                    self.verifying |= what.contains("COPY (SELECT");
                } else if what.contains(r#""id", "customer_id""#) {
                    self.orders_copy_at = Some(elapsed);
                }
                self.copies.insert(key);
            }
            seen.push(what);
        }
        if seen.is_empty() {
            "no session".into()
        } else {
            seen.join(" | ")
        }
    }

    /// Whether the run (process `pid`) has reached `aim`; if so, what it was doing.
    fn reached(&mut self, aim: Aim, elapsed: Duration, pid: u32, spans: &[Span]) -> Option<String> {
        let seen = self.look(elapsed);
        let hit = match aim {
            Aim::Copy => self.orders_copy_at.is_some_and(|at| {
                elapsed >= at + Duration::from_secs_f64(0.4 * phase_seconds(spans, "copy"))
            }),
            Aim::Indexes => {
                seen.contains("active: CREATE INDEX") || seen.contains("active: CREATE UNIQUE")
            }
            Aim::Verify if self.sqlite_target => {
                let opens = temp_file_opens(pid);
                return (opens > 1).then(|| format!("{seen}; temporary file open {opens} times"));
            }
            Aim::Verify => self.verifying,
        };
        hit.then_some(seen)
    }
}

/// How many of process `pid`'s open files are a SQLite target's temporary file itself (not
/// its journal): one while the copy writes it, more once the verifier opens it again.
fn temp_file_opens(pid: u32) -> usize {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return 0;
    };
    fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter(|file| {
            file.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| {
                    name.contains(TEMP_MARK)
                        && !["-journal", "-wal", "-shm"]
                            .iter()
                            .any(|s| name.ends_with(s))
                })
        })
        .count()
}

/// Starts the migration, polls `ready` (given the time since launch and the process id)
/// until it says what the run is doing, and SIGKILLs it (`Child::kill` is SIGKILL on Unix).
/// Panics when the run ends first: that kill point proves nothing.
fn kill_when(
    dir: &Dir,
    args: &[String],
    mut ready: impl FnMut(Duration, u32) -> Option<String>,
) -> String {
    let launched = Instant::now();
    let mut child = dir.command().args(args).spawn();
    let ended = |status| -> ! {
        panic!("ferry ended ({status}) before its kill point: too late for this machine")
    };
    let seen = loop {
        let elapsed = launched.elapsed();
        if let Some(seen) = ready(elapsed, child.id()) {
            break format!("t={:.2}s {seen}", elapsed.as_secs_f64());
        }
        if let Some(status) = child.try_wait().expect("poll ferry") {
            ended(status);
        }
        // Polling interval: short against every phase aimed at, cheap for two cores.
        std::thread::sleep(Duration::from_millis(2));
    };
    if let Some(status) = child.try_wait().expect("poll ferry") {
        ended(status);
    }
    child.kill().expect("SIGKILL ferry");
    let status = child.wait().expect("reap ferry");
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "ferry must have died of the SIGKILL, not exited: {status}"
    );
    seen
}

use ferry_testkit::files::sha256_file as sha256;

/// What every temporary file or folder Ferry builds beside a destination has in its name
/// (`support::temp_files` in the engine).
const TEMP_MARK: &str = ".ferry-tmp-";

/// Every relation (table, index, sequence, view) in `public`, by name.
fn public_relations(client: &mut postgres::Client) -> Vec<String> {
    client
        .query(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' ORDER BY 1",
            &[],
        )
        .expect("list relations")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Row counts and a content digest of every source table.
fn source_fingerprint(client: &mut postgres::Client) -> Vec<(String, i64, String)> {
    ["customers", "orders"]
        .iter()
        .map(|t| {
            let (rows, md5) = ferry_testkit::pg::table_fingerprint(client, t);
            (t.to_string(), rows, md5)
        })
        .collect()
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list the directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(TEMP_MARK))
        .collect()
}

fn migrate_args(from: &str, to: &str) -> Vec<String> {
    ["migrate", "--yes", "--json", "--from", from, "--to", to]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn rerun_commits(dir: &Dir, args: &[String], label: &str) {
    let report = dir.command().args(args).expect_code(0).json();
    assert_eq!(
        report["outcome"], "committed",
        "rerun after kill at {label}: {report}"
    );
    assert_eq!(
        report["verification"]["passed"], true,
        "rerun after kill at {label}: {report}"
    );
}

#[test]
fn sqlite_to_postgres_killed_anywhere_leaves_no_tables() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = Dir::new();
    let source = dir.sqlite("app.db", &sqlite_source_sql());
    let source_str = source.to_str().unwrap().to_string();
    let source_sha = sha256(&source);

    let calibration_db = ferry_testkit::TestDb::new();
    let (spans, wall) = calibrate(&dir, &migrate_args(&source_str, &calibration_db.url()));
    drop(calibration_db);
    eprintln!("sqlite→postgres uninterrupted: {wall:.2}s, phases {spans:?}");

    for &aim in TO_POSTGRES {
        let label = format!("{aim:?}");
        let db = ferry_testkit::TestDb::new();
        let args = migrate_args(&source_str, &db.url());
        let mut client = db.client();
        let mut watch = Watch::new(db.client(), false);
        let started = Instant::now();
        let seen = kill_when(&dir, &args, |elapsed, pid| {
            watch.reached(aim, elapsed, pid, &spans)
        });
        eprintln!("sqlite→postgres killed at {label}; target session: {seen}");

        // Uncommitted work is invisible at once, whether or not the server has yet noticed
        // that its client is gone.
        assert_eq!(
            public_relations(&mut client),
            Vec::<String>::new(),
            "killed at {label}: the target must have no tables"
        );
        assert_eq!(
            sha256(&source),
            source_sha,
            "killed at {label}: the source changed"
        );

        rerun_commits(&dir, &args, &label);
        let orders: i64 = client
            .query_one("SELECT count(*) FROM orders", &[])
            .expect("count orders")
            .get(0);
        assert_eq!(orders, i64::from(ORDERS), "after the rerun at {label}");
        assert_eq!(
            sha256(&source),
            source_sha,
            "rerun at {label}: the source changed"
        );
        eprintln!("  kill + rerun: {:.2}s", started.elapsed().as_secs_f64());
    }
}

#[test]
fn postgres_to_sqlite_killed_anywhere_leaves_the_destination_as_it_was() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let pg = ferry_testkit::TestDb::new();
    let mut client = pg.client();
    client
        .batch_execute(&pg_source_sql())
        .expect("fill the source");
    // Otherwise autovacuum visits the fresh tables during the calibration run.
    client
        .batch_execute("VACUUM (FREEZE, ANALYZE)")
        .expect("vacuum the source");
    let fingerprint = source_fingerprint(&mut client);
    let relations = public_relations(&mut client);

    let calibration = Dir::new();
    let calibration_dest = calibration.path("out.db");
    let (spans, wall) = calibrate(
        &calibration,
        &migrate_args(&pg.url(), calibration_dest.to_str().unwrap()),
    );
    eprintln!("postgres→sqlite uninterrupted: {wall:.2}s, phases {spans:?}");

    let mut temp_files_left = 0;
    for existing in [false, true] {
        for &aim in TO_SQLITE {
            let label = format!(
                "{aim:?}, destination {}",
                if existing { "exists" } else { "absent" }
            );
            let dir = Dir::new();
            let dest = dir.path("out.db");
            let old_sha = existing.then(|| {
                dir.sqlite(
                    "out.db",
                    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
                     INSERT INTO notes VALUES (1, 'the old file');",
                );
                sha256(&dest)
            });
            let args = migrate_args(&pg.url(), dest.to_str().unwrap());
            let started = Instant::now();
            let mut watch = Watch::new(pg.client(), true);
            let seen = kill_when(&dir, &args, |elapsed, pid| {
                watch.reached(aim, elapsed, pid, &spans)
            });
            let temps = temp_files(dest.parent().unwrap());
            eprintln!(
                "postgres→sqlite killed at {label}; source session: {seen}; temp files left: {}",
                temps.len()
            );
            temp_files_left += temps.len();

            match &old_sha {
                None => assert!(
                    !dest.exists(),
                    "killed at {label}: a file appeared at the destination"
                ),
                Some(sha) => assert_eq!(
                    &sha256(&dest),
                    sha,
                    "killed at {label}: the old destination file changed"
                ),
            }
            assert_eq!(
                source_fingerprint(&mut client),
                fingerprint,
                "killed at {label}: the source changed"
            );
            assert_eq!(
                public_relations(&mut client),
                relations,
                "killed at {label}"
            );

            rerun_commits(&dir, &args, &label);
            assert_eq!(
                temp_files(dest.parent().unwrap()),
                Vec::<String>::new(),
                "after the rerun at {label}: the killed run's temporary file must be gone"
            );
            let conn = rusqlite::Connection::open(&dest).expect("open the result");
            let orders: u32 = conn
                .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
                .expect("count orders");
            assert_eq!(orders, ORDERS, "after the rerun at {label}");
            assert_eq!(
                source_fingerprint(&mut client),
                fingerprint,
                "rerun at {label}: the source changed"
            );
            eprintln!("  kill + rerun: {:.2}s", started.elapsed().as_secs_f64());
        }
    }
    // Otherwise the clean-up assertions above never had anything to clean.
    assert!(
        temp_files_left > 0,
        "no kill left a temporary file behind, so the clean-up at the next run went untested"
    );
}

// ---- Kills at named points --------------------------------------------------------------
//
// The tests above aim by the clock at three moments of a large run. The two below stop a
// small run at every step boundary that matters (`FERRY_PAUSE_AT`, crates/engine/src/pause.rs:
// phase starts and ends, each table's start, batches and end, each DDL statement, the batch
// the writer takes, the moment before the SQLite rename) and SIGKILL it there, so every kill
// point is exact and named, and a failure says which one. A later job (Promote, Extract) gets
// the same coverage by adding a `Campaign` with its own arguments and checks.

/// A few hundred rows, three tables in FK order, an index, a unique key, an AUTOINCREMENT
/// table: enough for several batches at `--batch-rows 40` and for every finishing phase.
const SMALL_SQLITE_SOURCE: &str = "
    PRAGMA journal_mode = DELETE;
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE);
    CREATE TABLE orders (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        amount NUMERIC(12,2) NOT NULL,
        placed DATETIME NOT NULL,
        paid BOOLEAN NOT NULL DEFAULT 0,
        note TEXT
    );
    CREATE INDEX orders_customer ON orders(customer_id);
    CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER REFERENCES orders(id), kind TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
    INSERT INTO customers SELECT i, 'customer ' || i, 'c' || i || '@example.com' FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150)
    INSERT INTO orders SELECT i, 1 + i % 50, (i * 37 % 10000) / 100.0,
        '2025-01-01 00:00:00', i % 2, CASE WHEN i % 5 = 0 THEN NULL ELSE 'note ' || i END FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
    INSERT INTO events (order_id, kind) SELECT i, 'made' FROM n;
";

const SMALL_PG_SOURCE: &str = "
    CREATE TYPE mood AS ENUM ('happy', 'sad');
    CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL UNIQUE, mood mood);
    CREATE TABLE orders (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        customer_id bigint NOT NULL REFERENCES customers(id),
        amount numeric(12,2) NOT NULL,
        placed timestamptz NOT NULL,
        tags jsonb,
        note text
    );
    CREATE INDEX orders_customer ON orders(customer_id);
    CREATE TABLE events (id bigserial PRIMARY KEY, order_id bigint REFERENCES orders(id), kind text);
    INSERT INTO customers SELECT i, 'customer ' || i, 'c' || i || '@example.com',
        CASE WHEN i % 2 = 0 THEN 'happy'::mood ELSE 'sad' END FROM generate_series(1, 50) i;
    INSERT INTO orders (customer_id, amount, placed, tags, note)
    SELECT 1 + i % 50, (i * 37 % 10000) / 100.0, timestamptz '2025-01-01 00:00:00+00' + i * interval '1 hour',
        jsonb_build_object('i', i), CASE WHEN i % 5 = 0 THEN NULL ELSE 'note ' || i END
    FROM generate_series(1, 150) i;
    INSERT INTO events (order_id, kind) SELECT i, 'made' FROM generate_series(1, 60) i;
";

const SMALL_ORDERS: i64 = 150;

fn small_args(from: &str, to: &str, extra: &[&str]) -> Vec<String> {
    let mut args = migrate_args(from, to);
    args.extend(["--batch-rows", "40"].iter().map(|s| s.to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// The points of a run worth a kill: from the end of the preflight (nothing written yet)
/// through the start of the commit, each DDL statement and each batch the writer takes
/// included (of the reader's batches, the first two of each table: later ones are the same
/// moment again).
fn kill_points(points: &[String]) -> Vec<(String, String)> {
    let phases = crate::util::pause::phase_of(points);
    let first = points
        .iter()
        .position(|p| p == "preflight:end#1")
        .expect("a preflight:end point");
    let last = points
        .iter()
        .position(|p| p == "commit:start#1")
        .expect("a commit:start point");
    let mut chosen: Vec<(String, String)> = points
        .iter()
        .zip(&phases)
        .enumerate()
        .filter(|(i, (p, _))| {
            (first..=last).contains(i) || p.as_str() == "target:sqlite:before-rename#1"
        })
        .filter(|(_, (p, _))| {
            let nth: u32 = p.rsplit('#').next().unwrap().parse().unwrap();
            !(p.starts_with("copy:") && p.contains(":batch#") && nth > 2)
        })
        .map(|(_, (p, phase))| (p.clone(), phase.clone()))
        .collect();
    chosen.dedup();
    chosen
}

/// The kinds of moment the issue names must all be among the chosen points.
/// `first` is the first table copied, `big` one with several batches after it.
fn assert_covers(chosen: &[(String, String)], to_postgres: bool, (first, big): (&str, &str)) {
    let has = |what: &str, f: &dyn Fn(&(String, String)) -> bool| {
        assert!(
            chosen.iter().any(f),
            "no kill point {what} among {chosen:?}"
        );
    };
    has("before the first row", &|(p, _)| {
        *p == format!("copy:{first}:start#1")
    });
    has("mid-table", &|(p, _)| *p == format!("copy:{big}:batch#2"));
    has("mid-table, writer side", &|(p, _)| p == "target:batch#4");
    has("between tables", &|(p, _)| {
        *p == format!("copy:{first}:end#1")
    });
    has("during index creation", &|(p, phase)| {
        phase == "indexes" && p.starts_with("target:statement#")
    });
    if to_postgres {
        has("during FK creation", &|(p, phase)| {
            phase == "constraints" && p.starts_with("target:statement#")
        });
    } else {
        has("before the rename", &|(p, _)| {
            p == "target:sqlite:before-rename#1"
        });
    }
    has("during verification", &|(p, _)| {
        *p == format!("verify:{big}:start#1")
    });
    has("just before commit", &|(p, _)| p == "commit:start#1");
    assert!(
        chosen.len() >= 20,
        "only {} kill points: {chosen:?}",
        chosen.len()
    );
}

#[test]
fn sqlite_to_postgres_killed_at_every_named_point_leaves_the_target_as_it_was() {
    to_postgres_campaign(
        "sqlite→postgres",
        SMALL_SQLITE_SOURCE,
        &[],
        ("customers", "orders"),
        SMALL_ORDERS,
        1,
    );
}

/// The Promote job is a copy with more steps (an owner column, the admin user): the same
/// kills, the same checks.
#[test]
fn promote_killed_at_every_named_point_leaves_the_target_as_it_was() {
    to_postgres_campaign(
        "promote",
        include_str!("../../../engine/tests/fixtures/promote_tasks.sql"),
        &[
            "--promote",
            "--admin-email",
            "admin@example.com",
            "--source-timezone",
            "Europe/Berlin",
            "--dst-gap",
            "shift-forward",
            "--dst-fold",
            "earlier",
            // Its DDL (ENABLE ROW LEVEL SECURITY, CREATE POLICY) and its probe are steps too.
            "--row-level-security",
        ],
        ("goals", "tasks"),
        -1,
        // Each Promote run hashes a password (deliberately slow): every third point, plus
        // every kind of moment `assert_covers` names, keeps the test under half a minute.
        3,
    );
}

/// Promote with `--distribute` creates keys that include the owner column (and, on a Citus
/// target, runs the distribution last, in the transaction): its DDL steps get the same kills.
#[test]
fn promote_distribute_killed_at_every_named_point_leaves_the_target_as_it_was() {
    to_postgres_campaign(
        "promote --distribute",
        include_str!("../../../engine/tests/fixtures/promote_tasks.sql"),
        &[
            "--promote",
            "--admin-email",
            "admin@example.com",
            "--source-timezone",
            "Europe/Berlin",
            "--dst-gap",
            "shift-forward",
            "--dst-fold",
            "earlier",
            "--distribute",
        ],
        ("goals", "tasks"),
        -1,
        3,
    );
}

/// Kills a run from a SQLite file (`source_sql`) into PostgreSQL with `extra` arguments at
/// each of its named points (every `every`-th, and each kind `assert_covers` names); `big`
/// must hold `big_rows` rows after the rerun (-1: any).
fn to_postgres_campaign(
    job: &str,
    source_sql: &str,
    extra: &[&str],
    tables: (&str, &str),
    big_rows: i64,
    every: usize,
) {
    // Not for our own sake: the clock-aimed tests above calibrate on an otherwise idle run.
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = Dir::new();
    let source = dir.sqlite("app.db", source_sql);
    let source = source.to_str().unwrap().to_string();
    let source_sha = sha256(Path::new(&source));
    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    // Each kill writes into a schema of its own, beside tables that must survive untouched.
    let fresh_schema = |client: &mut postgres::Client, name: &str| {
        client
            .batch_execute(&format!(
                "CREATE SCHEMA {name};
                 CREATE TABLE {name}.keep (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);
                 INSERT INTO {name}.keep (note) VALUES ('was here before'), ('and this');"
            ))
            .expect("make a schema");
    };
    let args_for = |schema: &str| {
        let mut more = vec!["--schema", schema];
        more.extend(extra);
        small_args(&source, &db.url(), &more)
    };
    fresh_schema(&mut client, "listing");
    let points = crate::util::pause::list_points(dir.command().args(args_for("listing")));
    let all = kill_points(&points);
    assert_covers(&all, true, tables);
    let (first, big) = tables;
    let named = [
        format!("copy:{first}:start#1"),
        format!("copy:{big}:batch#2"),
        "target:batch#4".to_string(),
        format!("copy:{first}:end#1"),
        format!("verify:{big}:start#1"),
        "commit:start#1".to_string(),
    ];
    let mut first_statement_in = vec!["indexes", "constraints"];
    let chosen: Vec<&(String, String)> = all
        .iter()
        .enumerate()
        .filter(|(i, (p, phase))| {
            let first_of_phase =
                p.starts_with("target:statement#") && first_statement_in.contains(&phase.as_str());
            if first_of_phase {
                first_statement_in.retain(|f| f != phase);
            }
            // A job's own steps (`promote:…`): each at least once.
            let first_job_step = p.starts_with("promote:") && p.ends_with("#1");
            i % every == 0 || named.contains(p) || first_of_phase || first_job_step
        })
        .map(|(_, c)| c)
        .collect();
    if extra.contains(&"--row-level-security") {
        for step in [
            "promote:rls:enable#1",
            "promote:rls:policy#1",
            "promote:rls:probe#1",
        ] {
            assert!(
                chosen.iter().any(|(p, _)| p == step),
                "{job}: no kill at {step} among {chosen:?}"
            );
        }
    }
    assert!(
        chosen.len() >= 20,
        "{job}: only {} kill points",
        chosen.len()
    );

    for (i, (point, phase)) in chosen.iter().enumerate() {
        let schema = format!("k{i}");
        fresh_schema(&mut client, &schema);
        let args = args_for(&schema);
        let before = crate::util::state::database_fingerprint(&mut client);
        crate::util::pause::Paused::start(dir.command().args(&args), point).kill();
        let label = format!("{point} (during {phase})");
        assert_eq!(
            crate::util::state::database_fingerprint(&mut client),
            before,
            "{job} killed at {label}: the PostgreSQL target changed"
        );
        assert_eq!(
            sha256(Path::new(&source)),
            source_sha,
            "{job} killed at {label}: the source changed"
        );
        eprintln!("{job}: killed at {label}: target unchanged");
        rerun_commits(&dir, &args, &label);
        let rows: i64 = client
            .query_one(&format!("SELECT count(*) FROM {schema}.{}", tables.1), &[])
            .expect("count rows")
            .get(0);
        assert!(
            rows > 0 && (big_rows < 0 || rows == big_rows),
            "{job}: {rows} rows after the rerun at {label}"
        );
    }
    assert_eq!(sha256(Path::new(&source)), source_sha, "the source changed");
    eprintln!("{job}: killed and rerun at {} points", chosen.len());
}

#[test]
fn postgres_to_sqlite_killed_at_every_named_point_leaves_the_destination_as_it_was() {
    to_sqlite_campaign(
        "postgres→sqlite",
        SMALL_PG_SOURCE,
        &[],
        Some(("customers", "orders")),
        1,
        &|conn, label| {
            let orders: i64 = conn
                .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
                .expect("count orders");
            assert_eq!(orders, SMALL_ORDERS, "after the rerun at {label}");
        },
    );
}

/// The Extract job (one user's rows of the reference practice database into a single-user
/// file) is a PostgreSQL → SQLite copy with a row filter and singletons: the same kills, the
/// same checks, every second point.
#[test]
fn extract_killed_at_every_named_point_leaves_the_destination_as_it_was() {
    to_sqlite_campaign(
        "extract",
        include_str!("../../../engine/tests/fixtures/extract_practice.sql"),
        &["--extract-user", "alice@example.com"],
        None,
        2,
        &|conn, label| {
            let (rows, id): (i64, i64) = conn
                .query_row("SELECT count(*), max(id) FROM app_config", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .expect("read app_config");
            assert_eq!((rows, id), (1, 1), "after the rerun at {label}");
            let clients: i64 = conn
                .query_row("SELECT count(*) FROM clients", [], |r| r.get(0))
                .expect("count clients");
            assert!(clients > 0, "after the rerun at {label}");
        },
    );
}

/// Kills a run from PostgreSQL (`source_sql`) into a SQLite file with `extra` arguments at
/// each of its named points (every `every`-th, plus each kind the issue names), alternately
/// onto an existing file that must survive and onto no file; `check` looks at the result of
/// each rerun. `tables` (first copied, one with several batches) makes `assert_covers` check
/// the named kinds of moment; without it the generic ones are checked.
fn to_sqlite_campaign(
    job: &str,
    source_sql: &str,
    extra: &[&str],
    tables: Option<(&str, &str)>,
    every: usize,
    check: &dyn Fn(&rusqlite::Connection, &str),
) {
    // Not for our own sake: the clock-aimed tests above calibrate on an otherwise idle run.
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let pg = ferry_testkit::TestDb::new();
    let mut client = pg.client();
    client.batch_execute(source_sql).expect("fill the source");
    let source_before = crate::util::state::database_fingerprint(&mut client);

    // The points of a run onto an existing file (it has a backup phase to kill in too), and
    // of one with no destination yet.
    let listing = |existing: bool| {
        let dir = Dir::new();
        if existing {
            dir.sqlite("out.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY);");
        }
        crate::util::pause::list_points(dir.command().args(small_args(
            &pg.url(),
            dir.path("out.db").to_str().unwrap(),
            extra,
        )))
    };
    let without_file = listing(false);
    let all = kill_points(&listing(true));
    match tables {
        Some(tables) => assert_covers(&all, false, tables),
        None => {
            for kind in [
                "copy:",
                "target:batch#",
                "verify:",
                "target:sqlite:before-rename#1",
                "commit:start#1",
            ] {
                assert!(
                    all.iter().any(|(p, _)| p.starts_with(kind)),
                    "{job}: no kill point {kind} among {all:?}"
                );
            }
        }
    }
    assert!(
        all.iter().any(|(p, _)| p == "backup:copied#1"),
        "{job}: no kill point inside the backup: {all:?}"
    );
    let always = [
        "backup:copied#1",
        "target:sqlite:before-rename#1",
        "commit:start#1",
    ];
    let chosen: Vec<&(String, String)> = all
        .iter()
        .enumerate()
        .filter(|(i, (p, _))| i % every == 0 || always.contains(&p.as_str()))
        .map(|(_, c)| c)
        .collect();
    assert!(
        chosen.len() >= 20,
        "{job}: only {} kill points",
        chosen.len()
    );

    let mut temp_files_left = 0;
    for (i, (point, phase)) in chosen.iter().enumerate() {
        // Alternately with an old file there that must survive and with no destination
        // (where the point exists without one).
        let existing = i % 2 == 0 || !without_file.contains(point);
        let label = format!(
            "{point} (during {phase}, destination {})",
            if existing { "exists" } else { "absent" }
        );
        let dir = Dir::new();
        let dest = dir.path("out.db");
        if existing {
            dir.sqlite(
                "out.db",
                "PRAGMA journal_mode = DELETE;
                 CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
                 INSERT INTO notes VALUES (1, 'the old file');",
            );
        }
        let before = crate::util::state::folder_fingerprint(dest.parent().unwrap());
        let args = small_args(&pg.url(), dest.to_str().unwrap(), extra);
        crate::util::pause::Paused::start(dir.command().args(&args), point).kill();

        // Only Ferry's own temporary files (the rerun removes them) and a finished backup of
        // the old file may have appeared; the destination is absent or byte for byte the old
        // file.
        let after: Vec<(String, String)> =
            crate::util::state::folder_fingerprint(dest.parent().unwrap())
                .into_iter()
                .filter(|(name, _)| {
                    let temp = name.contains(TEMP_MARK) || name.ends_with(".partial");
                    temp_files_left += usize::from(temp);
                    !temp
                })
                .filter(|(name, _)| {
                    let backup = name.starts_with("out.ferry-backup-") && name.ends_with(".db");
                    if backup {
                        assert_is_a_backup_of_the_old_file(&dir.path(name), &label);
                    }
                    !backup
                })
                .collect();
        assert_eq!(
            after, before,
            "{job} killed at {label}: the destination folder changed"
        );
        assert_eq!(
            crate::util::state::database_fingerprint(&mut client),
            source_before,
            "{job} killed at {label}: the source changed"
        );

        eprintln!("{job}: killed at {label}: destination unchanged");
        rerun_commits(&dir, &args, &label);
        let leftovers: Vec<String> = std::fs::read_dir(dir.path(""))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(TEMP_MARK) || n.ends_with(".partial"))
            .collect();
        assert_eq!(
            leftovers,
            Vec::<String>::new(),
            "{job}: after the rerun at {label}"
        );
        let conn = rusqlite::Connection::open(&dest).expect("open the result");
        check(&conn, &label);
    }
    assert_eq!(
        crate::util::state::database_fingerprint(&mut client),
        source_before,
        "{job}: the source changed"
    );
    assert!(
        temp_files_left > 0,
        "{job}: no kill left a temporary file, so the clean-up by the rerun went untested"
    );
    eprintln!("{job}: killed and rerun at {} points", chosen.len());
}

/// A file named like a backup must be one: the old destination's content, complete.
fn assert_is_a_backup_of_the_old_file(path: &Path, label: &str) {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| {
                panic!(
                    "killed at {label}: backup {} does not open: {e}",
                    path.display()
                )
            });
    let body: Result<String, _> =
        conn.query_row("SELECT body FROM notes WHERE id = 1", [], |r| r.get(0));
    assert_eq!(
        body.as_deref().ok(),
        Some("the old file"),
        "killed at {label}: {} is named like a backup but does not hold the old file ({} bytes)",
        path.display(),
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    );
}

// ---- A value no policy resolves, met late in the copy -------------------------------------
//
// `migrate` converts each value once, in the copy. A value the target cannot hold stops the
// copy after earlier batches went into the target's transaction (or temporary file); the run
// rolls back (`copy:blocked` is the hand-over) and only then scans every value, to name every
// finding. Killed at each point from the end of the checks before writing to the end of that
// scan, the target is as it was; the same command run again is blocked again and leaves no
// temporary file behind. Likewise for an orphan, which a run into PostgreSQL leaves to the
// server: every row is copied, the key refused as it is added (`constraints:refused` is the
// hand-over), and only then are the source's orphans looked for.

/// `orders`' last row is not a boolean: three of its four batches are written first.
fn blocked_sqlite_source() -> String {
    format!("{SMALL_SQLITE_SOURCE}\nUPDATE orders SET paid = 'maybe' WHERE id = {SMALL_ORDERS};")
}

/// `orders`' last row holds -0.0, which SQLite cannot store: three of its four batches are
/// written first.
fn blocked_pg_source() -> String {
    format!(
        "{SMALL_PG_SOURCE}\nALTER TABLE orders ADD COLUMN ratio double precision;\n\
         UPDATE orders SET ratio = '-0' WHERE id = {SMALL_ORDERS};"
    )
}

const BLOCKED_ONE: &str = "preflight found 1 problem(s) that block the run; nothing was written";

/// `orders`' last row references a customer that does not exist: every row is copied, and the
/// server refuses the key when it is added after them (`constraints:refused` hands over to
/// the search for orphans).
fn orphaned_sqlite_source() -> String {
    format!(
        "{SMALL_SQLITE_SOURCE}\nPRAGMA foreign_keys = OFF;\n\
         UPDATE orders SET customer_id = 999 WHERE id = {SMALL_ORDERS};"
    )
}

/// Every point of a blocked run after the checks before writing, and the moments that matter
/// among them: `late` (a point among the writes before the block) comes before `hand_over`.
fn blocked_kill_points(points: &[String], late: &str, hand_over: &str) -> Vec<(String, String)> {
    let phases = crate::util::pause::phase_of(points);
    let first = points
        .iter()
        .position(|p| p == "preflight:end#1")
        .expect("a preflight:end point");
    let mut chosen: Vec<(String, String)> = points
        .iter()
        .zip(&phases)
        .skip(first)
        .map(|(p, phase)| (p.clone(), phase.clone()))
        .collect();
    chosen.dedup();
    for wanted in [late, hand_over, "preflight:start#2", "preflight:end#2"] {
        assert!(
            chosen.iter().any(|(p, _)| p == wanted),
            "no kill point {wanted} among {chosen:?}"
        );
    }
    let blocked = chosen.iter().position(|(p, _)| p == hand_over);
    let late = chosen.iter().position(|(p, _)| p == late);
    assert!(late < blocked, "{chosen:?}");
    chosen
}

#[test]
fn sqlite_to_postgres_blocked_late_in_the_copy_killed_at_every_named_point_leaves_the_target_as_it_was(
) {
    sqlite_to_postgres_blocked_killed_at_every_named_point(
        "late in the copy",
        &blocked_sqlite_source(),
        "copy:orders:batch#3",
        "copy:blocked#1",
    );
}

#[test]
fn sqlite_to_postgres_orphan_refused_by_the_server_killed_at_every_named_point_leaves_the_target_as_it_was(
) {
    sqlite_to_postgres_blocked_killed_at_every_named_point(
        "by an orphan",
        &orphaned_sqlite_source(),
        "constraints:start#1",
        "constraints:refused#1",
    );
}

/// A run into PostgreSQL blocked after it wrote into the target's transaction (`late` is a
/// point among those writes, `hand_over` where it turns to the preflight), killed at every
/// point from the end of the checks before writing and run again: the target stays as it was.
fn sqlite_to_postgres_blocked_killed_at_every_named_point(
    how: &str,
    source_sql: &str,
    late: &str,
    hand_over: &str,
) {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = Dir::new();
    let source = dir.sqlite("app.db", source_sql);
    let source = source.to_str().unwrap().to_string();
    let source_sha = sha256(Path::new(&source));
    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    let fresh_schema = |client: &mut postgres::Client, name: &str| {
        client
            .batch_execute(&format!(
                "CREATE SCHEMA {name};
                 CREATE TABLE {name}.keep (id int PRIMARY KEY, note text);
                 INSERT INTO {name}.keep VALUES (1, 'was here before');"
            ))
            .expect("make a schema");
    };
    let args_for = |schema: &str| small_args(&source, &db.url(), &["--schema", schema]);
    fresh_schema(&mut client, "listing");
    let points = crate::util::pause::list_points_ending(dir.command().args(args_for("listing")), 2);
    let chosen = blocked_kill_points(&points, late, hand_over);
    for (i, (point, phase)) in chosen.iter().enumerate() {
        let schema = format!("b{i}");
        fresh_schema(&mut client, &schema);
        let args = args_for(&schema);
        let before = crate::util::state::database_fingerprint(&mut client);
        crate::util::pause::Paused::start(dir.command().args(&args), point).kill();
        let label = format!("{point} (during {phase})");
        assert_eq!(
            crate::util::state::database_fingerprint(&mut client),
            before,
            "blocked run killed at {label}: the PostgreSQL target changed"
        );
        let again = dir.command().args(&args).expect_code(2);
        again.assert_stderr_contains(BLOCKED_ONE);
        assert_eq!(
            crate::util::state::database_fingerprint(&mut client),
            before,
            "rerun after a kill at {label}: the PostgreSQL target changed"
        );
        assert_eq!(
            sha256(Path::new(&source)),
            source_sha,
            "killed at {label}: the source changed"
        );
        eprintln!("sqlite→postgres blocked {how}: killed at {label}: target unchanged");
    }
    eprintln!(
        "sqlite→postgres blocked {how}: killed and rerun at {} points",
        chosen.len()
    );
}

#[test]
fn postgres_to_sqlite_blocked_late_in_the_copy_killed_at_every_named_point_leaves_the_destination_as_it_was(
) {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let pg = ferry_testkit::TestDb::new();
    let mut client = pg.client();
    client
        .batch_execute(&blocked_pg_source())
        .expect("fill the source");
    let source_before = crate::util::state::database_fingerprint(&mut client);
    let old_file = "PRAGMA journal_mode = DELETE;
         CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
         INSERT INTO notes VALUES (1, 'the old file');";
    // The points of a run onto an existing file (it has a backup phase to kill in too), and
    // of one with no destination yet.
    let listing = |existing: bool| {
        let dir = Dir::new();
        if existing {
            dir.sqlite("out.db", old_file);
        }
        crate::util::pause::list_points_ending(
            dir.command().args(small_args(
                &pg.url(),
                dir.path("out.db").to_str().unwrap(),
                &[],
            )),
            2,
        )
    };
    let without_file = listing(false);
    let chosen = blocked_kill_points(&listing(true), "copy:orders:batch#3", "copy:blocked#1");
    let mut temp_files_left = 0;
    for (i, (point, phase)) in chosen.iter().enumerate() {
        // Alternately onto an old file that must survive and onto no file (where the point
        // exists without one).
        let existing = i % 2 == 0 || !without_file.contains(point);
        let label = format!(
            "{point} (during {phase}, destination {})",
            if existing { "exists" } else { "absent" }
        );
        let dir = Dir::new();
        let dest = dir.path("out.db");
        if existing {
            dir.sqlite("out.db", old_file);
        }
        let before = crate::util::state::folder_fingerprint(dest.parent().unwrap());
        let args = small_args(&pg.url(), dest.to_str().unwrap(), &[]);
        crate::util::pause::Paused::start(dir.command().args(&args), point).kill();
        // Only Ferry's own temporary files (the rerun removes them) and a finished backup of
        // the old file may have appeared.
        let unchanged = |after: Vec<(String, String)>, temps: &mut usize| {
            after
                .into_iter()
                .filter(|(name, _)| {
                    let temp = name.contains(TEMP_MARK);
                    *temps += usize::from(temp);
                    !temp
                })
                .filter(|(name, _)| {
                    let backup = name.starts_with("out.ferry-backup-") && name.ends_with(".db");
                    if backup {
                        assert_is_a_backup_of_the_old_file(&dir.path(name), &label);
                    }
                    !backup
                })
                .collect::<Vec<_>>()
        };
        let after = crate::util::state::folder_fingerprint(dest.parent().unwrap());
        assert_eq!(
            unchanged(after, &mut temp_files_left),
            before,
            "blocked run killed at {label}: the destination folder changed"
        );
        let again = dir.command().args(&args).expect_code(2);
        again.assert_stderr_contains(BLOCKED_ONE);
        let mut temps_after_rerun = 0;
        let after = crate::util::state::folder_fingerprint(dest.parent().unwrap());
        assert_eq!(
            unchanged(after, &mut temps_after_rerun),
            before,
            "rerun after a kill at {label}: the destination folder changed"
        );
        assert_eq!(
            temps_after_rerun, 0,
            "rerun after a kill at {label}: the killed run's temporary file must be gone"
        );
        assert_eq!(
            crate::util::state::database_fingerprint(&mut client),
            source_before,
            "killed at {label}: the source changed"
        );
        eprintln!("blocked postgres→sqlite: killed at {label}: destination unchanged");
    }
    assert!(
        temp_files_left > 0,
        "no kill left a temporary file, so the clean-up by the rerun went untested"
    );
    eprintln!(
        "blocked postgres→sqlite: killed and rerun at {} points",
        chosen.len()
    );
}
