//! The hostile-input suite as a table: each named case is one bad input, the exit code of
//! README's table, the exact sentence `ferry` prints (one line on stderr, nothing else
//! there), and "nothing written" checked independently of Ferry — the work folder's files
//! and their SHA-256 (hidden ones and sub-folders included), and the PostgreSQL catalog and
//! content fingerprint of every database a case touches. Cases that need a fake server or a
//! database share one, made once.
//!
//! `hostile.rs` keeps the cases that are not one command and one sentence (names built to
//! break SQL, copied faithfully both ways).

use std::path::Path;

use crate::util::state::{database_fingerprint, sha256_file};
use crate::util::Dir;

const BLOCKED: &str = "ferry: preflight found 1 problem(s) that block the run; nothing was written (each finding above says how to resolve it: a policy, a flag or a fix in the data)";

const GOOD: &str = "
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
    INSERT INTO notes SELECT i, 'note number ' || i || ' ' || hex(randomblob(40)) FROM n;
";

/// One hostile input.
struct Case {
    name: &'static str,
    args: Vec<String>,
    code: i32,
    /// The whole of stderr: `ferry: …`, one line.
    says: String,
    /// A line stdout must hold too (a finding), when the case has one.
    shows: Option<String>,
}

fn case(name: &'static str, args: &[&str], code: i32, says: impl Into<String>) -> Case {
    Case {
        name,
        args: args.iter().map(|a| a.to_string()).collect(),
        code,
        says: says.into(),
        shows: None,
    }
}

impl Case {
    fn shows(mut self, line: impl Into<String>) -> Case {
        self.shows = Some(line.into());
        self
    }
}

/// Every file under `dir` (hidden ones and sub-folders included) with its SHA-256, and
/// every folder: what "nothing was written" means for a folder.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                out.push(format!("{name}/"));
                if meta.permissions().readonly() || std::fs::read_dir(&p).is_ok() {
                    stack.push(p);
                }
            } else if meta.is_file() {
                let sha = std::fs::read(&p)
                    .map(|_| sha256_file(&p))
                    .unwrap_or_default();
                out.push(format!("{name} {sha}"));
            } else {
                out.push(format!("{name} (other)"));
            }
        }
    }
    out.sort();
    out
}

/// A file made from a valid SQLite database with `GOOD` in it, then `damage`d.
fn damaged(dir: &Dir, name: &str, damage: impl FnOnce(&mut Vec<u8>)) {
    let good = dir.sqlite(&format!("{name}.orig"), GOOD);
    let mut bytes = std::fs::read(&good).unwrap();
    damage(&mut bytes);
    std::fs::write(dir.path(name), bytes).unwrap();
    std::fs::remove_file(good).unwrap();
}

/// The work folder every case runs in: sources of every broken kind, made once.
fn work_folder() -> Dir {
    let dir = Dir::new();
    dir.sqlite("app.db", GOOD);
    std::fs::write(
        dir.path("notes.txt"),
        "These are my notes, not a database.\n".repeat(200),
    )
    .unwrap();
    std::fs::write(dir.path("empty.db"), b"").unwrap();
    std::fs::create_dir(dir.path("folder.db")).unwrap();
    damaged(&dir, "truncated.db", |b| b.truncate(b.len() / 3));
    damaged(&dir, "header.db", |b| b.truncate(100));
    damaged(&dir, "magic.db", |b| {
        b[..16].copy_from_slice(b"SQLite format 4\0")
    });
    dir.sqlite(
        "bad_bool.db",
        "CREATE TABLE tasks (id INTEGER PRIMARY KEY, done BOOLEAN);
         INSERT INTO tasks VALUES (1, 1), (2, 'maybe');",
    );
    dir.sqlite(
        "orphans.db",
        "CREATE TABLE goals (id INTEGER PRIMARY KEY);
         CREATE TABLE tasks (id INTEGER PRIMARY KEY, goal_id INTEGER REFERENCES goals(id));
         PRAGMA foreign_keys = OFF;
         INSERT INTO goals VALUES (1); INSERT INTO tasks VALUES (1, 1), (2, 7);",
    );
    dir.sqlite(
        "nul.db",
        "CREATE TABLE files (id INTEGER PRIMARY KEY, file_data TEXT);
         INSERT INTO files VALUES (1, 'ok'), (2, 'a' || char(0) || 'b');",
    );
    dir.sqlite(
        "bad_time.db",
        "CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME);
         INSERT INTO events VALUES (1, '2025-11-18 15:30:45'), (2, 'next tuesday');",
    );
    dir.sqlite(
        "bad_json.db",
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, body JSON);
         INSERT INTO docs VALUES (1, '{\"a\": 1}'), (2, '{not json');",
    );
    dir.sqlite(
        "bad_uuid.db",
        "CREATE TABLE things (id UUID PRIMARY KEY);
         INSERT INTO things VALUES ('0b7e1c6e-8f3a-4c1e-9d2a-3f4b5c6d7e8f'), ('not-a-uuid');",
    );
    dir.sqlite(
        "existing.db",
        "CREATE TABLE other (id INTEGER PRIMARY KEY);",
    );
    std::fs::create_dir(dir.path("not_a_bundle")).unwrap();
    std::fs::write(dir.path("not_a_bundle/readme.txt"), "hello").unwrap();
    std::fs::create_dir(dir.path("full")).unwrap();
    std::fs::write(dir.path("full/keep.txt"), "mine").unwrap();
    dir
}

fn cases(pg: &ferry_testkit::TestDb, target: &ferry_testkit::TestDb) -> Vec<Case> {
    let http = ferry_testkit::net::fake_server_saying(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    let junk = ferry_testkit::net::fake_server_saying(&[
        0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37, b'\n',
    ]);
    let pg_url = pg.url();
    let target_url = target.url();
    let base = pg_url.rsplit_once('/').unwrap().0.to_string();
    let missing_db = format!("{base}/no_such_database_here?sslmode=disable");
    let closed = "postgres://app:pw-closed@127.0.0.1:1/app?connect_timeout=5".to_string();
    let unknown_host =
        "postgres://app:pw-host@no-such-host.invalid/app?connect_timeout=5".to_string();
    let http_url =
        format!("postgres://app:pw-http@127.0.0.1:{http}/app?sslmode=disable&connect_timeout=5");
    let junk_url =
        format!("postgres://app:pw-junk@127.0.0.1:{junk}/app?sslmode=prefer&connect_timeout=5");
    let masked = |url: &str| match url.find('@') {
        Some(at) if url[..at].matches(':').count() > 1 => {
            let colon = url[..at].rfind(':').unwrap();
            format!("{}:***{}", &url[..colon], &url[at..])
        }
        _ => url.to_string(),
    };
    let mut all = vec![];

    // ---- SQLite sources that are not what they claim ------------------------------------
    let not_db = "ferry: notes.txt is not a SQLite database";
    let truncated =
        |f: &str| format!("ferry: {f} is truncated or corrupt: database disk image is malformed");
    for (what, file, says) in [
        ("source: a text file", "notes.txt", not_db.to_string()),
        (
            "source: an empty file",
            "empty.db",
            "ferry: empty.db is empty (0 bytes), not a SQLite database".into(),
        ),
        (
            "source: a directory",
            "folder.db",
            "ferry: folder.db is a directory, not a SQLite database file".into(),
        ),
        (
            "source: a missing path",
            "missing.db",
            "ferry: no such file: missing.db".into(),
        ),
        (
            "source: a truncated file",
            "truncated.db",
            truncated("truncated.db"),
        ),
        (
            "source: a file cut after its header",
            "header.db",
            truncated("header.db"),
        ),
        (
            "source: a corrupted header",
            "magic.db",
            "ferry: magic.db is not a SQLite database".into(),
        ),
    ] {
        all.push(case(
            what,
            &["migrate", "--yes", "--from", file, "--to", "out.db"],
            2,
            says,
        ));
    }
    for (what, file, says) in [
        ("inspect: a text file", "notes.txt", not_db.to_string()),
        (
            "inspect: a directory",
            "folder.db",
            "ferry: folder.db is a directory, not a SQLite database file".into(),
        ),
        (
            "inspect: a missing path",
            "missing.db",
            "ferry: no such file: missing.db".into(),
        ),
        (
            "inspect: a truncated file",
            "truncated.db",
            truncated("truncated.db"),
        ),
        (
            "inspect: a corrupted header",
            "magic.db",
            "ferry: magic.db is not a SQLite database".into(),
        ),
    ] {
        all.push(case(what, &["inspect", file], 2, says));
    }
    all.push(case(
        "plan: a text file as source",
        &["plan", "--from", "notes.txt", "--to", "out.db"],
        2,
        not_db,
    ));
    all.push(case(
        "verify: a text file on one side",
        &["verify", "--from", "app.db", "--to", "notes.txt"],
        2,
        not_db,
    ));
    all.push(case(
        "verify: a missing path",
        &["verify", "--from", "app.db", "--to", "missing.db"],
        2,
        "ferry: no such file: missing.db",
    ));
    all.push(case(
        "export: a text file as source",
        &["export", "--from", "notes.txt", "--to", "bundle:out"],
        2,
        not_db,
    ));
    all.push(case(
        "export: a missing source",
        &["export", "--from", "missing.db", "--to", "bundle:out"],
        2,
        "ferry: no such file: missing.db",
    ));

    // ---- SQLite targets and bundles -------------------------------------------------------
    all.push(case(
        "target: the source itself",
        &["migrate", "--yes", "--from", "app.db", "--to", "app.db"],
        2,
        "ferry: source and target are the same file",
    ));
    all.push(case(
        "target: a text file",
        &["migrate", "--yes", "--from", "app.db", "--to", "notes.txt"],
        2,
        not_db,
    ));
    all.push(case(
        "target: a directory",
        &["migrate", "--yes", "--from", "app.db", "--to", "folder.db"],
        2,
        "ferry: folder.db is a directory; give a file name for the SQLite target",
    ));
    all.push(case(
        "target: a missing folder",
        &[
            "migrate",
            "--yes",
            "--from",
            "app.db",
            "--to",
            "no/such/out.db",
        ],
        2,
        "ferry: the folder of the SQLite target no/such/out.db does not exist; create it first",
    ));
    all.push(case(
        "target: into-existing, a text file",
        &[
            "migrate",
            "--yes",
            "--into-existing",
            "--from",
            "app.db",
            "--to",
            "notes.txt",
        ],
        2,
        not_db,
    ));
    all.push(case("export: into a folder that is not empty", &["export", "--from", "app.db", "--to", "bundle:full"], 2, "ferry: full already exists and is not empty; Ferry never overwrites a folder — choose a new one"));
    all.push(case("import: a folder that is not a bundle", &["import", "--yes", "--from", "not_a_bundle", "--to", "out.db"], 2, "ferry: not_a_bundle has no manifest.json: it is not a Ferry bundle (or an export did not finish)"));
    all.push(case("import: a missing folder", &["import", "--yes", "--from", "no_such_bundle", "--to", "out.db"], 2, "ferry: --from must be a bundle folder (written by ferry export); sqlite:no_such_bundle is not one"));

    // ---- Values the target cannot hold: a finding, never a silent change ------------------
    for (what, file, line) in [
        ("finding: a 'maybe' in a boolean", "bad_bool.db", "  BLOCKING  tasks.done: 'maybe' is not a boolean (expected 0, 1, true or false) (1 row, not_boolean)"),
        ("finding: an orphaned foreign key", "orphans.db", "  BLOCKING  tasks: rows reference goals rows that do not exist (1 row, orphaned_foreign_key)"),
        ("finding: a NUL byte in text for PostgreSQL", "nul.db", "  BLOCKING  files.file_data: 'a\\0b' contains a NUL character at byte 1, which PostgreSQL text cannot hold (1 row, nul_in_text)"),
        ("finding: an unparseable timestamp", "bad_time.db", "  BLOCKING  events.at: 'next tuesday' is not a valid timestamp: expected a date like 2025-01-31 (1 row, bad_timestamp)"),
        ("finding: invalid JSON in a JSON column", "bad_json.db", "  BLOCKING  docs.body: '{not json' is not valid JSON (key must be a string at line 1 column 2) (1 row, bad_json)"),
        ("finding: a malformed UUID", "bad_uuid.db", "  BLOCKING  things.id: 'not-a-uuid' is not a UUID (expected 36 hyphenated or 32 plain hex digits, or 16 bytes) (1 row, bad_uuid)"),
    ] {
        all.push(case(what, &["migrate", "--yes", "--from", file, "--to", &target_url], 2, BLOCKED).shows(line));
    }
    all.push(case("finding: plan shows it too", &["plan", "--from", "bad_bool.db", "--to", &target_url], 2, BLOCKED).shows("  BLOCKING  tasks.done: 'maybe' is not a boolean (expected 0, 1, true or false) (1 row, not_boolean)"));
    all.push(
        case(
            "finding: --json reports it too",
            &[
                "migrate",
                "--yes",
                "--json",
                "--from",
                "bad_bool.db",
                "--to",
                &target_url,
            ],
            2,
            BLOCKED,
        )
        .shows("      \"message\": \"'maybe' is not a boolean (expected 0, 1, true or false)\","),
    );

    // ---- PostgreSQL locations that do not work ---------------------------------------------
    let cannot = |url: &str, why: &str| format!("ferry: cannot connect to {}: {why}", masked(url));
    let closed_says = cannot(
        &closed,
        "nothing is listening on 127.0.0.1:1 — is PostgreSQL running, is the port right?",
    );
    let host_says = cannot(
        &unknown_host.replace("invalid/", "invalid:5432/"),
        "unknown host name \"no-such-host.invalid\" — check the spelling",
    );
    let http_says = cannot(&http_url, &format!("the server at 127.0.0.1:{http} did not answer like PostgreSQL — is this the right host and port?"));
    // `sslmode=prefer` is the default, so the location is shown without it.
    let junk_says = cannot(&junk_url.replace("sslmode=prefer&", ""), &format!("the server at 127.0.0.1:{junk} did not answer like PostgreSQL — is this the right host and port?"));
    let missing_says = cannot(&missing_db, "database \"no_such_database_here\" does not exist — create it first (createdb no_such_database_here) or check the name");
    for (names, url, says) in [
        (
            [
                "pg: a closed port, inspect",
                "pg: a closed port, as target",
                "pg: a closed port, as source",
            ],
            &closed,
            &closed_says,
        ),
        (
            [
                "pg: an unknown host, inspect",
                "pg: an unknown host, as target",
                "pg: an unknown host, as source",
            ],
            &unknown_host,
            &host_says,
        ),
        (
            [
                "pg: an HTTP server, inspect",
                "pg: an HTTP server, as target",
                "pg: an HTTP server, as source",
            ],
            &http_url,
            &http_says,
        ),
        (
            [
                "pg: garbage, inspect",
                "pg: garbage, as target",
                "pg: garbage, as source",
            ],
            &junk_url,
            &junk_says,
        ),
        (
            [
                "pg: a missing database, inspect",
                "pg: a missing database, as target",
                "pg: a missing database, as source",
            ],
            &missing_db,
            &missing_says,
        ),
    ] {
        all.push(case(names[0], &["inspect", url], 3, says.as_str()));
        all.push(case(
            names[1],
            &["migrate", "--yes", "--from", "app.db", "--to", url],
            3,
            says.as_str(),
        ));
        all.push(case(
            names[2],
            &["migrate", "--yes", "--from", url, "--to", "out.db"],
            3,
            says.as_str(),
        ));
    }
    all.push(case(
        "pg: a schema that does not exist",
        &["inspect", "--schema", "no_such_schema", &pg_url],
        2,
        "ferry: schema \"no_such_schema\" does not exist in this database",
    ));

    // ---- Locations that are not locations (the password never echoed) -----------------------
    for (what, url, says) in [
        ("url: a port out of range", "postgres://app@127.0.0.1:99999/app", "ferry: bad port \"99999\": a port is a number from 1 to 65535"),
        ("url: a port that is not a number", "postgres://app@127.0.0.1:port/app", "ferry: bad port: a port is a number from 1 to 65535, and this one has other characters (a URL cut before its \"@host\" reads the password as the port)"),
        ("url: an unclosed IPv6 bracket", "postgres://[::1/app", "ferry: unclosed \"[\" in host \"[::1\""),
        ("url: one slash, with a password", "postgres:/user:s3cret@host/db", "ferry: \"postgres:/user:***@host/db\" is not a PostgreSQL URL: it starts with postgres://"),
        ("url: no slashes, with a password", "postgresql:user:s3cret@host/db", "ferry: \"postgresql:***@host/db\" is not a PostgreSQL URL: it starts with postgres://"),
        ("url: a scheme Ferry does not read", "mysql://user:s3cret@host/db", "ferry: unknown kind of database location \"mysql://user:***@host/db\" (use a SQLite path, sqlite:path, or postgres://…); mysql:// is not supported"),
        (
            "url: three slashes, with a password",
            "postgres:///user:s3cret@host/db",
            "ferry: the database name in this URL holds an unescaped '@' or '/', so the URL is mistyped: after postgres:// come the user and password, then '@' and the host, then '/' and the database (check the slashes after postgres:)",
        ),
        (
            "url: cut before its host, the password where the port goes",
            "postgres://user:s3cret",
            "ferry: bad port: a port is a number from 1 to 65535, and this one has other characters (a URL cut before its \"@host\" reads the password as the port)",
        ),
        ("url: an empty location", "", "ferry: no database location given (a SQLite file path or a postgres:// URL)"),
    ] {
        all.push(case(what, &["migrate", "--yes", "--from", "app.db", "--to", url], 2, says));
    }

    // ---- Options that name nothing, or leave nothing to do --------------------------------
    let no_column = |flag: &str| {
        format!("ferry: {flag} notes.nope: table 'notes' has no column 'nope' (columns: id, body)")
    };
    let nothing_left =
        "ferry: --tables and --exclude leave no table of sqlite:app.db to migrate (tables: notes)";
    all.push(case(
        "option: a table that does not exist",
        &[
            "migrate", "--yes", "--tables", "nope", "--from", "app.db", "--to", "out.db",
        ],
        2,
        "ferry: no table named 'nope' in sqlite:app.db (tables: notes)",
    ));
    all.push(case(
        "option: every table excluded",
        &[
            "migrate",
            "--yes",
            "--exclude",
            "notes",
            "--from",
            "app.db",
            "--to",
            "out.db",
        ],
        2,
        nothing_left,
    ));
    all.push(case(
        "option: the same table named and excluded",
        &[
            "migrate",
            "--yes",
            "--tables",
            "notes",
            "--exclude",
            "notes",
            "--from",
            "app.db",
            "--to",
            "out.db",
        ],
        2,
        nothing_left,
    ));
    all.push(case(
        "option: a policy for a column that does not exist",
        &[
            "migrate",
            "--yes",
            "--on-bad-value",
            "notes.nope=null",
            "--from",
            "app.db",
            "--to",
            "out.db",
        ],
        2,
        no_column("--on-bad-value"),
    ));
    all.push(case(
        "option: a type for a column that does not exist",
        &[
            "migrate",
            "--yes",
            "--type",
            "notes.nope=text",
            "--from",
            "app.db",
            "--to",
            &target_url,
        ],
        2,
        no_column("--type"),
    ));
    all.push(case(
        "option: a type for a table that does not exist",
        &[
            "migrate",
            "--yes",
            "--type",
            "nope.id=text",
            "--from",
            "app.db",
            "--to",
            &target_url,
        ],
        2,
        "ferry: --type nope.id: no table named 'nope' in sqlite:app.db (tables: notes)",
    ));
    all.push(case(
        "option: an epoch for a column that does not exist",
        &[
            "migrate",
            "--yes",
            "--epoch",
            "notes.nope=seconds",
            "--from",
            "app.db",
            "--to",
            &target_url,
        ],
        2,
        no_column("--epoch"),
    ));
    all.push(case(
        "option: a time zone for a column that does not exist",
        &[
            "migrate",
            "--yes",
            "--column-timezone",
            "notes.nope=Europe/Paris",
            "--from",
            "app.db",
            "--to",
            "out.db",
        ],
        2,
        no_column("--column-timezone"),
    ));
    all.push(case("option: a report file in a missing folder", &["migrate", "--yes", "--report", "no/such/report.json", "--from", "app.db", "--to", "out.db"], 2, "ferry: cannot create the report file no/such/report.json: its folder no/such does not exist"));
    all.push(case(
        "option: a backup folder that is a file",
        &[
            "migrate",
            "--yes",
            "--backup-dir",
            "notes.txt",
            "--from",
            "app.db",
            "--to",
            "existing.db",
        ],
        2,
        "ferry: the backup folder notes.txt is a file, not a folder; choose a folder for the backup (it is made if missing)",
    ));
    all.push(case("migrate without --yes and no terminal", &["migrate", "--from", "app.db", "--to", "out.db"], 2, "ferry: refusing to write without confirmation: stdin is not a terminal, so pass --yes to migrate without asking (or --dry-run to write nothing)"));
    all.push(case(
        "extract: a SQLite source",
        &[
            "migrate",
            "--yes",
            "--extract-user",
            "a@example.com",
            "--from",
            "app.db",
            "--to",
            "out.db",
        ],
        2,
        "ferry: --extract-user reads a multi-user PostgreSQL database: --from must be a PostgreSQL location",
    ));
    all.push(case(
        "extract: no users table",
        &[
            "migrate",
            "--yes",
            "--extract-user",
            "a@example.com",
            "--from",
            &pg_url,
            "--to",
            "out.db",
        ],
        2,
        "ferry: no users table found: looked for a table named users, user, accounts, account, app_users, auth_user, members, profiles with an email column; tables with an email column: none; all tables: kept — name it with --users-table",
    ));
    all.push(case(
        "promote: a SQLite target",
        &[
            "migrate",
            "--yes",
            "--promote",
            "--admin-email",
            "a@example.com",
            "--from",
            "app.db",
            "--to",
            "out.db",
        ],
        2,
        "ferry: --promote makes a multi-user PostgreSQL database: --to must be a PostgreSQL location",
    ));
    all
}

#[test]
fn every_hostile_input_gets_its_exact_sentence_and_writes_nothing() {
    let dir = work_folder();
    let pg = ferry_testkit::TestDb::new();
    pg.client()
        .batch_execute("CREATE TABLE kept (id int PRIMARY KEY); INSERT INTO kept VALUES (1);")
        .unwrap();
    let target = ferry_testkit::TestDb::new();
    let table = cases(&pg, &target);
    let mut names: Vec<&str> = table.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), table.len(), "case names are unique");
    assert!(table.len() >= 60, "the suite has {} cases", table.len());

    let dump = std::env::var_os("FERRY_HOSTILE_DUMP").is_some();
    let mut failures = vec![];
    for c in &table {
        let before = (
            tree(&dir.path("")),
            database_fingerprint(&mut pg.client()),
            database_fingerprint(&mut target.client()),
        );
        let run = dir.command().args(&c.args).run();
        if dump {
            eprintln!(
                "CASE {}\n  code {:?}\n  stderr {:?}\n  stdout {:?}",
                c.name, run.code, run.stderr, run.stdout
            );
        }
        let after = (
            tree(&dir.path("")),
            database_fingerprint(&mut pg.client()),
            database_fingerprint(&mut target.client()),
        );
        let mut wrong = vec![];
        if run.code != Some(c.code) {
            wrong.push(format!("exit code {:?}, expected {}", run.code, c.code));
        }
        if run.stderr != format!("{}\n", c.says) {
            wrong.push(format!(
                "stderr:\n    {:?}\n  expected:\n    {:?}",
                run.stderr, c.says
            ));
        }
        if let Some(line) = &c.shows {
            if !run.stdout.lines().any(|l| l == line) {
                wrong.push(format!(
                    "stdout lacks the line\n    {line:?}\n  stdout:\n{}",
                    run.stdout
                ));
            }
        }
        if run.stdout.contains("panicked") || run.stderr.contains("panicked") {
            wrong.push("panicked".into());
        }
        if after.0 != before.0 {
            wrong.push(format!(
                "the folder changed:\n  before {:?}\n  after  {:?}",
                before.0, after.0
            ));
        }
        if after.1 != before.1 || after.2 != before.2 {
            wrong.push("a PostgreSQL database changed".into());
        }
        for secret in ["s3cret", "pw-closed", "pw-host", "pw-http", "pw-junk"] {
            if run.stdout.contains(secret) || run.stderr.contains(secret) {
                wrong.push(format!("the password {secret} was printed"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!("{}:\n  {}", c.name, wrong.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        table.len(),
        failures.join("\n\n")
    );
}
