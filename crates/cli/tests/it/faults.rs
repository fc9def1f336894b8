//! Faults other than a kill: the PostgreSQL connection cut mid-copy, a SQLite target whose
//! disk is full, a SQLite source written to while Ferry reads it, and Ctrl-C. Each must end
//! in a clean rollback, a sentence that says what happened, and a target exactly as before.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::util::state::{database_fingerprint, folder_fingerprint, sha256_file};
use crate::util::Dir;

const ROWS: i64 = 4000;

/// Rows wide enough that the copy dominates the bytes on the wire.
fn sqlite_source(dir: &Dir) -> std::path::PathBuf {
    dir.sqlite(
        "app.db",
        &format!(
            "PRAGMA journal_mode = DELETE;
             CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             CREATE TABLE entries (
                 id INTEGER PRIMARY KEY,
                 account_id INTEGER NOT NULL REFERENCES accounts(id),
                 amount NUMERIC(12,2) NOT NULL,
                 memo TEXT NOT NULL
             );
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
             INSERT INTO accounts SELECT i, 'account ' || i FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
             INSERT INTO entries SELECT i, 1 + i % 20, i / 100.0,
                 'memo ' || i || ' ' || substr(hex(randomblob(60)), 1, 100) FROM n;"
        ),
    )
}

const PG_SOURCE: &str = "
    CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);
    CREATE TABLE entries (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL REFERENCES accounts(id),
        amount numeric(12,2) NOT NULL,
        memo text NOT NULL
    );
    INSERT INTO accounts SELECT i, 'account ' || i FROM generate_series(1, 20) i;
    INSERT INTO entries SELECT i, 1 + i % 20, i / 100.0, 'memo ' || i || ' ' || repeat(md5(i::text), 3)
    FROM generate_series(1, 4000) i;
";

fn migrate(from: &str, to: &str) -> Vec<String> {
    [
        "migrate",
        "--yes",
        "--json",
        "--batch-rows",
        "500",
        "--from",
        from,
        "--to",
        to,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn assert_no_panic(run: &crate::util::Run) {
    assert!(
        !run.stderr.contains("panicked") && !run.stdout.contains("panicked"),
        "ferry panicked:\n{}\n{}",
        run.stdout,
        run.stderr
    );
}

/// The phase a failed run's report says it was in when it failed (its last phase).
fn failed_in(run: &crate::util::Run) -> String {
    let report = run.json();
    assert_eq!(report["outcome"], "failed", "{report}");
    report["phases"]
        .as_array()
        .and_then(|p| p.last())
        .and_then(|p| p["phase"].as_str())
        .unwrap_or_else(|| panic!("no phases in {report}"))
        .to_string()
}

// ---- A TCP proxy that cuts the connection ------------------------------------------------

/// Which way the bytes are counted, and after how many the connection is cut.
#[derive(Clone, Copy, Debug)]
enum Cut {
    Never,
    ClientToServer(u64),
    ServerToClient(u64),
}

/// A proxy on a loopback port to the test PostgreSQL server. It counts the bytes each way
/// over all connections and, once the limit of its [`Cut`] is reached, forwards nothing more
/// and shuts both sockets of that connection: what a dropped network link or a killed
/// server looks like to Ferry.
struct Proxy {
    port: u16,
    to_server: Arc<AtomicU64>,
    to_client: Arc<AtomicU64>,
    cut_done: Arc<AtomicBool>,
}

impl Proxy {
    fn start(upstream: (String, u16), cut: Cut) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().unwrap().port();
        let to_server = Arc::new(AtomicU64::new(0));
        let to_client = Arc::new(AtomicU64::new(0));
        let cut_done = Arc::new(AtomicBool::new(false));
        let (ts, tc, done) = (to_server.clone(), to_client.clone(), cut_done.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect((upstream.0.as_str(), upstream.1)) else {
                    return;
                };
                let limits = match cut {
                    Cut::Never => (u64::MAX, u64::MAX),
                    Cut::ClientToServer(n) => (n, u64::MAX),
                    Cut::ServerToClient(n) => (u64::MAX, n),
                };
                let pair = [client.try_clone().unwrap(), server.try_clone().unwrap()];
                pump(
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    ts.clone(),
                    limits.0,
                    pair,
                    done.clone(),
                );
                let pair = [client.try_clone().unwrap(), server.try_clone().unwrap()];
                pump(server, client, tc.clone(), limits.1, pair, done.clone());
            }
        });
        Proxy {
            port,
            to_server,
            to_client,
            cut_done,
        }
    }

    fn url(&self, db: &ferry_testkit::TestDb) -> String {
        let (host, port) = upstream_of(db);
        db.url().replacen(
            &format!("{host}:{port}"),
            &format!("127.0.0.1:{}", self.port),
            1,
        )
    }
}

/// Copies `from` → `to`, counting into `counter`; at `limit` bytes, cuts both sockets.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    counter: Arc<AtomicU64>,
    limit: u64,
    both: [TcpStream; 2],
    cut_done: Arc<AtomicBool>,
) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let before = counter.fetch_add(n as u64, Ordering::SeqCst);
            let allowed = limit.saturating_sub(before).min(n as u64) as usize;
            if to.write_all(&buf[..allowed]).is_err() {
                break;
            }
            if allowed < n {
                cut_done.store(true, Ordering::SeqCst);
                for s in &both {
                    let _ = s.shutdown(Shutdown::Both);
                }
                return;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// Host and port of the test server, from the URL the test kit gives out.
fn upstream_of(db: &ferry_testkit::TestDb) -> (String, u16) {
    let url = db.url();
    let rest = url.split_once('@').expect("user@host in the URL").1;
    let hostport = rest.split('/').next().unwrap();
    let (host, port) = hostport.rsplit_once(':').expect("host:port in the URL");
    (host.to_string(), port.parse().expect("a port number"))
}

fn assert_says_connection_lost(run: &crate::util::Run) {
    assert_no_panic(run);
    let last = run
        .stderr
        .lines()
        .rfind(|l| l.starts_with("ferry: "))
        .unwrap_or_else(|| panic!("no 'ferry: …' error line:\n{}", run.stderr))
        .to_string();
    eprintln!("connection cut: {last}");
    assert!(
        last.contains("connection") && (last.contains("lost") || last.contains("closed")),
        "the error must say the connection was lost: {last}"
    );
    assert!(
        last.contains("nothing was committed")
            || last.contains("rolled back")
            || last.contains("nothing was written"),
        "the error must say nothing was written: {last}"
    );
}

#[test]
fn postgres_target_connection_cut_mid_copy_rolls_back_and_says_so() {
    let dir = Dir::new();
    let source = sqlite_source(&dir);
    let source_sha = sha256_file(&source);
    let source = source.to_str().unwrap().to_string();

    // Calibrate: the bytes Ferry sends to the server in a whole run.
    let calibration = ferry_testkit::TestDb::new();
    let proxy = Proxy::start(upstream_of(&calibration), Cut::Never);
    let run = dir
        .command()
        .args(migrate(&source, &proxy.url(&calibration)))
        .expect_code(0);
    assert_eq!(run.json()["outcome"], "committed");
    let sent = proxy.to_server.load(Ordering::SeqCst);
    drop(calibration);

    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    client
        .batch_execute("CREATE TABLE keep (id int PRIMARY KEY); INSERT INTO keep VALUES (1), (2);")
        .unwrap();
    let before = database_fingerprint(&mut client);
    // Half way: the rows of `entries` are most of what a run sends.
    let proxy = Proxy::start(upstream_of(&db), Cut::ClientToServer(sent / 2));
    let run = dir
        .command()
        .args(migrate(&source, &proxy.url(&db)))
        .expect_code(3);
    assert!(proxy.cut_done.load(Ordering::SeqCst), "the proxy never cut");
    assert_eq!(failed_in(&run), "copy", "the cut must land in the copy");
    assert_says_connection_lost(&run);
    // The server notices the dead client and rolls its transaction back; until then the
    // uncommitted tables are invisible anyway.
    assert_eq!(
        database_fingerprint(&mut client),
        before,
        "the target changed"
    );
    assert_eq!(
        sha256_file(Path::new(&source)),
        source_sha,
        "the source changed"
    );

    // And the same command, without the cut, works.
    dir.command()
        .args(migrate(&source, &db.url()))
        .expect_code(0);
    let n: i64 = client
        .query_one("SELECT count(*) FROM entries", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, ROWS);
}

#[test]
fn postgres_source_connection_cut_mid_copy_leaves_no_sqlite_file() {
    let pg = ferry_testkit::TestDb::new();
    let mut client = pg.client();
    client.batch_execute(PG_SOURCE).unwrap();
    let source_before = database_fingerprint(&mut client);

    let calibration = Dir::new();
    let proxy = Proxy::start(upstream_of(&pg), Cut::Never);
    let out = calibration.path("out.db");
    calibration
        .command()
        .args(migrate(&proxy.url(&pg), out.to_str().unwrap()))
        .expect_code(0);
    let received = proxy.to_client.load(Ordering::SeqCst);

    for existing in [false, true] {
        let dir = Dir::new();
        let dest = dir.path("out.db");
        if existing {
            dir.sqlite(
                "out.db",
                "PRAGMA journal_mode = DELETE; CREATE TABLE old (x); INSERT INTO old VALUES (1);",
            );
        }
        let before = folder_fingerprint(&dir.path(""));
        // The preflight reads the source first, the copy reads it again: late in the stream
        // is inside the copy.
        let proxy = Proxy::start(upstream_of(&pg), Cut::ServerToClient(received * 4 / 5));
        let run = dir
            .command()
            .args(migrate(&proxy.url(&pg), dest.to_str().unwrap()))
            .expect_code(3);
        assert!(proxy.cut_done.load(Ordering::SeqCst), "the proxy never cut");
        assert_eq!(failed_in(&run), "copy", "the cut must land in the copy");
        assert_says_connection_lost(&run);
        // No temporary file, no new file, the old one byte for byte; a backup of an existing
        // destination is the one file allowed to appear.
        let after: Vec<(String, String)> = folder_fingerprint(&dir.path(""))
            .into_iter()
            .filter(|(name, _)| !(existing && name.starts_with("out.ferry-backup-")))
            .collect();
        assert_eq!(after, before, "destination existing={existing}");
        assert_eq!(
            database_fingerprint(&mut client),
            source_before,
            "the source changed"
        );
    }
}

// ---- A full disk -------------------------------------------------------------------------

/// Runs ferry with its files limited to `bytes` (RLIMIT_FSIZE, SIGXFSZ ignored so a write
/// past it fails with EFBIG instead of killing the process): a disk that fills up.
fn with_file_size_limit(
    mut command: crate::util::TestCommand,
    bytes: u64,
) -> crate::util::TestCommand {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (signal, setrlimit) between fork and exec.
    unsafe {
        command.inner().pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: bytes as libc::rlim_t,
                rlim_max: bytes as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}

#[test]
fn sqlite_target_disk_full_is_a_clean_error_and_leaves_nothing() {
    let dir = Dir::new();
    let source = sqlite_source(&dir);
    let source_sha = sha256_file(&source);
    let pg = ferry_testkit::TestDb::new();
    pg.client().batch_execute(PG_SOURCE).unwrap();
    for (from, what) in [
        (source.to_str().unwrap().to_string(), "sqlite source"),
        (pg.url(), "postgres source"),
    ] {
        let out = Dir::new();
        let dest = out.path("out.db");
        let before = folder_fingerprint(&out.path(""));
        let run = with_file_size_limit(
            out.command().args(migrate(&from, dest.to_str().unwrap())),
            64 * 1024,
        )
        .run();
        assert_no_panic(&run);
        assert_eq!(run.code, Some(3), "{what}: exit code\n{}", run.stderr);
        let line = run
            .stderr
            .lines()
            .rfind(|l| l.starts_with("ferry: "))
            .unwrap_or_else(|| panic!("{what}: no error line:\n{}", run.stderr));
        eprintln!("{what}, file size limit: {line}");
        assert!(
            line.contains("full") || line.contains("too large"),
            "{what}: the error must say the disk or file is full: {line}"
        );
        assert!(
            line.contains("nothing was written") || line.contains("nothing was committed"),
            "{what}: the error must say nothing was written: {line}"
        );
        assert_eq!(
            folder_fingerprint(&out.path("")),
            before,
            "{what}: no file may be left behind (no temporary file, no target)"
        );
    }
    assert_eq!(sha256_file(&source), source_sha);
}

// ---- A source written to while Ferry reads -------------------------------------------------

/// A writer in WAL mode that moves money between accounts as fast as it can, each transfer
/// one transaction that keeps the total constant and logs itself in `transfers`, and records
/// every committed state (number of transfers → balances) for the test to compare against.
struct Writer {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Vec<Vec<i64>>>,
}

const ACCOUNTS: i64 = 10;
const OPENING: i64 = 1_000;

impl Writer {
    fn start(path: &Path) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let path = path.to_path_buf();
        let handle = std::thread::spawn(move || {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(5))
                .unwrap();
            conn.execute_batch("PRAGMA synchronous = OFF").unwrap();
            let mut balances = vec![OPENING; ACCOUNTS as usize];
            let mut states = vec![balances.clone()];
            let mut k: i64 = 0;
            while !flag.load(Ordering::SeqCst) {
                k += 1;
                let from = k % ACCOUNTS;
                let to = (k * 7 + 3) % ACCOUNTS;
                let amount = 1 + k % 13;
                let tx = conn.transaction().unwrap();
                tx.execute(
                    "UPDATE accounts SET balance = balance - ?1 WHERE id = ?2",
                    (amount, from),
                )
                .unwrap();
                tx.execute(
                    "UPDATE accounts SET balance = balance + ?1 WHERE id = ?2",
                    (amount, to),
                )
                .unwrap();
                tx.execute(
                    "INSERT INTO transfers (id, from_id, to_id, amount) VALUES (?1, ?2, ?3, ?4)",
                    (k, from, to, amount),
                )
                .unwrap();
                tx.commit().unwrap();
                balances[from as usize] -= amount;
                balances[to as usize] += amount;
                states.push(balances.clone());
            }
            states
        });
        Writer { stop, handle }
    }

    fn finish(self) -> Vec<Vec<i64>> {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.join().expect("the writer thread")
    }
}

#[test]
fn sqlite_source_written_during_the_copy_is_copied_as_one_snapshot() {
    let dir = Dir::new();
    let source = dir.sqlite(
        "live.db",
        &format!(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
             CREATE TABLE transfers (id INTEGER PRIMARY KEY, from_id INTEGER NOT NULL,
                 to_id INTEGER NOT NULL, amount INTEGER NOT NULL, pad TEXT);
             WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {ACCOUNTS} - 1)
             INSERT INTO accounts SELECT i, {OPENING} FROM n;"
        ),
    );
    // Keep the connection that made it open so the WAL stays a WAL.
    let _keep = rusqlite::Connection::open(&source).unwrap();
    let pg = ferry_testkit::TestDb::new();
    let writer = Writer::start(&source);
    // Let the table grow a little before Ferry starts, so its read takes a while.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let run = dir
        .command()
        .args(migrate(source.to_str().unwrap(), &pg.url()))
        .expect_code(0);
    let states = writer.finish();
    let report = run.json();
    assert_eq!(report["verification"]["passed"], true, "{report}");

    let mut client = pg.client();
    let copied: i64 = client
        .query_one("SELECT count(*) FROM transfers", &[])
        .unwrap()
        .get(0);
    let max_id: Option<i64> = client
        .query_one("SELECT max(id) FROM transfers", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        Some(copied),
        max_id.or(Some(0)),
        "transfers 1..n, none missing"
    );
    let balances: Vec<i64> = client
        .query("SELECT balance FROM accounts ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    // One snapshot: the balances are exactly the state after the copied transfers — not an
    // earlier or later one, which a table read in another transaction would show.
    assert_eq!(
        balances, states[copied as usize],
        "accounts and transfers were not read from the same snapshot (transfers copied: {copied})"
    );
    assert_eq!(balances.iter().sum::<i64>(), ACCOUNTS * OPENING);
    assert!(
        (copied as usize) < states.len() - 1,
        "the writer made no transfer after Ferry's snapshot ({copied} copied, {} made), so the test proved nothing",
        states.len() - 1
    );
    assert!(copied > 0, "Ferry started before any transfer was made");
}

// ---- Ctrl-C --------------------------------------------------------------------------------

#[test]
fn ctrl_c_mid_copy_rolls_back_and_says_so() {
    let dir = Dir::new();
    let source = sqlite_source(&dir);
    let source_sha = sha256_file(&source);
    let pg = ferry_testkit::TestDb::new();
    let mut client = pg.client();
    client.batch_execute(PG_SOURCE).unwrap();
    let sqlite_dest = dir.path("back.db");

    let cases: Vec<(String, String, &str)> = vec![
        (
            source.to_str().unwrap().into(),
            pg.url(),
            "copy:entries:batch#2",
        ),
        (
            source.to_str().unwrap().into(),
            pg.url(),
            "verify:entries:start#1",
        ),
        (
            pg.url(),
            sqlite_dest.to_str().unwrap().into(),
            "copy:entries:batch#2",
        ),
        (
            pg.url(),
            sqlite_dest.to_str().unwrap().into(),
            "verify:entries:start#1",
        ),
    ];
    for (from, to, point) in cases {
        let label = format!("{from} → {to} at {point}");
        let files_before = folder_fingerprint(&dir.path(""));
        // To SQLite the PostgreSQL database is the source; to PostgreSQL, the target (a
        // schema of its own in the same database).
        let mut args = migrate(&from, &to);
        if to.starts_with("postgres") {
            args.extend(["--schema".to_string(), "copy".to_string()]);
            client
                .batch_execute("CREATE SCHEMA IF NOT EXISTS copy")
                .unwrap();
        }
        let before = database_fingerprint(&mut client);
        let run = crate::util::pause::interrupt_at(dir.command().args(&args), point);
        assert_no_panic(&run);
        assert_eq!(
            run.code,
            Some(4),
            "{label}: exit code for cancelled\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("ferry: cancelling (rolling back"),
            "{label}: Ctrl-C must be acknowledged:\n{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("cancelled; nothing was written to the target"),
            "{label}: the end must say nothing was written:\n{}",
            run.stderr
        );
        assert_eq!(run.json()["outcome"], "cancelled", "{label}");
        assert_eq!(
            database_fingerprint(&mut client),
            before,
            "{label}: the database changed"
        );
        assert_eq!(
            folder_fingerprint(&dir.path("")),
            files_before,
            "{label}: files changed"
        );
    }
    assert_eq!(sha256_file(&source), source_sha);
}
