//! Secrets stay secret: a PostgreSQL password given to Ferry in a URL appears nowhere in what
//! Ferry prints or writes — stdout, stderr, `--report` files, backups, the temporary file of
//! a SQLite target caught mid-run, the SQLite target, the PostgreSQL target — and what Ferry
//! writes that may hold data (reports, backups) is readable by its owner only.
//!
//! The scanner (`crate::util::secrets::Scan`) is meant for every job: Promote's temporary admin
//! password is one more `assert_absent` over the same places.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::util::secrets::{percent_encoded, Scan};
use crate::util::Dir;

/// A login role with a password, owning a private test database; dropped with it. The test
/// server may trust every local connection, but the password is still in the URL Ferry is
/// given, which is what must not leak.
struct Role {
    name: String,
    password: String,
}

impl Role {
    fn new(db: &ferry_testkit::TestDb) -> Role {
        let name = format!("{}_owner", db.name);
        // Characters a URL must encode, so both spellings are looked for.
        let password = format!("p@ss:W0rd/{}!Ferry", std::process::id());
        let mut admin = postgres::Client::connect(&ferry_testkit::server(), postgres::NoTls)
            .expect("connect to the test server");
        admin
            .batch_execute(&format!(
                "DROP ROLE IF EXISTS \"{name}\";
                 CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}';
                 ALTER DATABASE \"{}\" OWNER TO \"{name}\";",
                db.name
            ))
            .expect("create the role");
        Role { name, password }
    }

    fn url(&self, db: &ferry_testkit::TestDb) -> String {
        let url = db.url();
        let at = url.find('@').expect("user@host in the test URL");
        format!(
            "postgres://{}:{}{}",
            self.name,
            percent_encoded(&self.password),
            &url[at..]
        )
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&ferry_testkit::server(), postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!(
                "DROP OWNED BY \"{0}\" CASCADE; DROP ROLE IF EXISTS \"{0}\"",
                self.name
            ));
        }
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_connection_password_appears_nowhere_ferry_prints_or_writes() {
    let pg = ferry_testkit::TestDb::new();
    let role = Role::new(&pg);
    let url = role.url(&pg);
    let dir = Dir::new();
    let source = dir.sqlite(
        "app.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, created DATETIME);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
         INSERT INTO notes SELECT i, 'note ' || i, '2025-01-01 10:00:00' FROM n;",
    );
    let mut scan = Scan::new();

    // SQLite → PostgreSQL, with a report, in every output form.
    for (i, extra) in [vec!["--json"], vec![], vec!["--dry-run"]]
        .iter()
        .enumerate()
    {
        let schema = format!("s{i}");
        pg.client()
            .batch_execute(&format!(
                "CREATE SCHEMA {schema} AUTHORIZATION \"{}\"",
                role.name
            ))
            .unwrap();
        let report = format!("to-pg-{i}.json");
        let mut args = vec!["migrate", "--yes", "--schema", &schema, "--report", &report];
        args.extend(extra.iter().copied());
        let run = dir
            .command()
            .args(&args)
            .args(["--from", source.to_str().unwrap(), "--to", &url])
            .expect_code(0);
        scan.run(&format!("migrate to postgres {extra:?}"), &run);
        assert_eq!(
            mode(&dir.path(&report)),
            0o600,
            "the report must be private"
        );
    }
    for command in ["plan", "verify"] {
        let run = dir
            .command()
            .args([
                command,
                "--schema",
                "s0",
                "--from",
                source.to_str().unwrap(),
                "--to",
                &url,
            ])
            .run();
        scan.run(command, &run);
    }
    let run = dir.command().args(["inspect", &url]).expect_code(0);
    scan.run("inspect", &run);
    // A failing connection echoes the location in its error.
    let wrong_db = url.replace(&pg.name, "no_such_database");
    let run = dir.command().args(["inspect", &wrong_db]).expect_code(3);
    scan.run("inspect of a missing database", &run);

    // PostgreSQL → SQLite over an existing file: a backup is made, and the temporary file is
    // looked at while the run waits before its rename.
    let out = Dir::new();
    let dest = out.path("back.db");
    out.sqlite(
        "back.db",
        "CREATE TABLE old (x); INSERT INTO old VALUES ('old');",
    );
    let args = [
        "migrate",
        "--yes",
        "--json",
        "--schema",
        "s0",
        "--report",
        "back.json",
        "--from",
        &url,
        "--to",
        dest.to_str().unwrap(),
    ];
    let paused = crate::util::pause::Paused::start(
        out.command().args(args),
        "target:sqlite:before-rename#1",
    );
    scan.text("stderr until the pause", &paused.stderr);
    let temps: Vec<String> = std::fs::read_dir(out.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".ferry-tmp-"))
        .collect();
    assert_eq!(
        temps.len(),
        1,
        "the temporary file exists at the pause: {temps:?}"
    );
    scan.folder(&out.path(""));
    paused.kill();
    let run = out.command().args(args).expect_code(0);
    scan.run("migrate to sqlite", &run);
    scan.folder(&out.path(""));
    let backups: Vec<std::path::PathBuf> = std::fs::read_dir(out.path(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("back.ferry-backup-")
        })
        .collect();
    assert!(!backups.is_empty(), "an existing target is backed up");
    for backup in &backups {
        assert_eq!(mode(backup), 0o600, "{} must be private", backup.display());
    }
    assert_eq!(
        mode(&out.path("back.json")),
        0o600,
        "the report must be private"
    );

    scan.folder(&dir.path(""));
    scan.pg_database(&mut pg.client());
    scan.assert_absent(&role.password);
    // The scan saw the places that matter, so its silence means something.
    let labels = scan.labels().join("\n");
    for place in [
        ".ferry-tmp-",
        "back.ferry-backup-",
        "back.db",
        "to-pg-0.json",
        "postgres table",
        "stderr",
    ] {
        assert!(
            labels.contains(place),
            "the scan did not cover {place}:\n{labels}"
        );
    }
}

#[test]
#[should_panic(expected = "the secret was found in")]
fn the_scanner_finds_a_planted_secret_in_any_spelling() {
    // The scan above passing means something only if the scanner can fail.
    let dir = Dir::new();
    std::fs::write(
        dir.path(".hidden.ferry-tmp-1"),
        format!("postgres://u:{}@h/db", percent_encoded("p@ss:W0rd/1!")),
    )
    .unwrap();
    let mut scan = Scan::new();
    scan.folder(&dir.path(""));
    scan.assert_absent("p@ss:W0rd/1!");
}

/// A Promote run: the temporary admin password is shown once on stderr, by design, and
/// appears nowhere else — not on stdout (`--json`), in the rest of stderr, the report, any
/// file in the folder (the SQLite temp of a run paused before its end, the source), or the
/// PostgreSQL target, which stores only its hash; the connection password appears nowhere.
#[test]
fn promote_passwords_appear_only_on_the_line_meant_for_them() {
    let pg = ferry_testkit::TestDb::new();
    let role = Role::new(&pg);
    let url = role.url(&pg);
    let dir = Dir::new();
    let source = dir.sqlite(
        "tasks.db",
        include_str!("../../../engine/tests/fixtures/promote_tasks.sql"),
    );
    let source = source.to_str().unwrap().to_string();
    let mut args: Vec<String> = [
        "migrate",
        "--yes",
        "--json",
        "--report",
        "promote.json",
        "--promote",
        "--admin-email",
        "admin@example.com",
        "--source-timezone",
        "Europe/Berlin",
        "--dst-gap",
        "shift-forward",
        "--dst-fold",
        "earlier",
        "--from",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend([source, "--to".into(), url]);

    let mut scan = Scan::new();
    // A run paused just before its commit: everything it wrote so far, the uncommitted admin
    // row included, is scanned, then the run is killed (nothing committed).
    let paused = crate::util::pause::Paused::start(dir.command().args(&args), "commit:start#1");
    scan.text("stderr of the paused run", &paused.stderr);
    scan.folder(&dir.path(""));
    paused.kill();

    let run = dir.command().args(&args).expect_code(0);
    let admin_password = crate::util::secrets::shown_admin_password(&run, "admin@example.com");
    let password_line = format!("{admin_password}\n");
    scan.text("stdout", &run.stdout);
    scan.text(
        "stderr without the password's own line",
        &run.stderr.replacen(&password_line, "", 1),
    );
    scan.folder(&dir.path(""));
    scan.pg_database(&mut pg.client());
    scan.assert_absent(&admin_password);
    scan.assert_absent(&role.password);
    assert_eq!(
        mode(&dir.path("promote.json")),
        0o600,
        "the report must be private"
    );
    assert_eq!(
        mode(&dir.path("promote.html")),
        0o600,
        "the report's page must be private"
    );
    let labels = scan.labels().join("\n");
    for place in [
        "promote.json",
        "promote.html",
        "postgres table public.users",
        "stdout",
        "stderr of the paused run",
    ] {
        assert!(
            labels.contains(place),
            "the scan did not cover {place}:\n{labels}"
        );
    }
}
