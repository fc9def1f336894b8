//! The `ferry` binary as a script sees it: exit codes, what goes to stdout and stderr, that
//! nothing is written without consent, and that passwords never appear.
//!
//! Every command runs with stdin closed, so `migrate` never has a terminal to ask on.

use crate::util::Dir;

const TASKS: &str = "
    CREATE TABLE goals (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        goal_id INTEGER REFERENCES goals(id),
        title TEXT NOT NULL,
        done BOOLEAN NOT NULL DEFAULT 0
    );
    INSERT INTO goals VALUES (1, 'ship'), (2, 'rest');
    INSERT INTO tasks VALUES (1, 1, 'write', 0), (2, 1, 'test', 1), (3, 2, 'sleep', 0);
";

/// A PostgreSQL URL with a password, on a port where nothing listens.
const CLOSED_PG: &str = "postgres://ferry:s3cret-pw@127.0.0.1:1/app?connect_timeout=2";
const SECRET: &str = "s3cret-pw";

#[test]
fn help_lists_the_commands_and_exit_codes() {
    let dir = Dir::new();
    let run = dir.command().arg("--help").expect_code(0);
    for needle in [
        "inspect",
        "plan",
        "migrate",
        "verify",
        "mapping",
        "Exit codes:",
        "  1  verification failed",
        "  4  cancelled",
    ] {
        run.assert_stdout_contains(needle);
    }
}

#[test]
fn usage_errors_exit_2_and_touch_nothing() {
    let dir = Dir::new();
    let source = dir.sqlite("app.db", TASKS);
    let source = source.to_str().unwrap();
    let run_args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = ["plan", "--from", source, "--to", "out.db"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("no command", vec![]),
        ("unknown command", vec!["frobnicate".into()]),
        (
            "missing --to",
            vec!["migrate".into(), "--from".into(), source.into()],
        ),
        ("unknown flag", run_args(&["--fast"])),
        ("bad --dst-gap", run_args(&["--dst-gap", "sometimes"])),
        ("bad --dst-fold", run_args(&["--dst-fold", "both"])),
        ("bad epoch unit", run_args(&["--epoch", "tasks.due=hours"])),
        ("epoch without column", run_args(&["--epoch", "tasks=ms"])),
        ("bad policy", run_args(&["--on-bad-value", "explode"])),
        (
            "bad column policy",
            run_args(&["--on-bad-value", "tasks.done=explode"]),
        ),
        (
            "unknown time zone",
            run_args(&["--source-timezone", "Mars/Olympus"]),
        ),
        (
            "unknown column time zone",
            run_args(&["--column-timezone", "tasks.due=Mars/Olympus"]),
        ),
        ("type without column", run_args(&["--type", "nodot=uuid"])),
        (
            "backup dir and no backup",
            run_args(&["--no-backup", "--backup-dir", "bk"]),
        ),
        ("append without into-existing", run_args(&["--append"])),
        ("zero batch rows", run_args(&["--batch-rows", "0"])),
    ];
    for (what, args) in cases {
        let run = dir.command().args(&args).expect_code(2);
        assert!(
            !run.stderr.trim().is_empty(),
            "{what}: a usage error must say what is wrong"
        );
        assert!(
            !dir.path("out.db").exists(),
            "{what}: nothing may be written"
        );
    }
}

#[test]
fn mapping_prints_the_rules_as_text_and_json() {
    let dir = Dir::new();
    dir.command()
        .arg("mapping")
        .expect_code(0)
        .assert_stdout_contains("timestamptz");
    let json = dir
        .command()
        .args(["mapping", "--json"])
        .expect_code(0)
        .json();
    assert!(
        json.as_array().is_some_and(|rules| rules.len() > 10),
        "{json}"
    );
}

// ---- The tests below pass only once the engine is integrated (Location::parse from the
// ---- pg-connect helper; inspect/plan/migrate/verify from the integrator).

#[test]
fn migrate_without_yes_and_without_a_terminal_refuses_and_writes_nothing() {
    let dir = Dir::new();
    let source = dir.sqlite("app.db", TASKS);
    let target = dir.path("copy.db");
    let run = dir
        .command()
        .args(["migrate", "--from"])
        .path_arg(&source)
        .arg("--to")
        .path_arg(&target)
        .expect_code(2);
    run.assert_one_line_error().assert_stderr_contains("--yes");
    assert!(run.stdout.is_empty(), "nothing on stdout:\n{}", run.stdout);
    assert!(
        !target.exists(),
        "the target must not exist after a refused run"
    );
}

#[test]
fn inspect_of_a_missing_file_is_bad_input_in_one_sentence() {
    let dir = Dir::new();
    let run = dir
        .command()
        .args(["inspect", "no-such-file.db"])
        .expect_code(2);
    run.assert_one_line_error()
        .assert_stderr_contains("no-such-file.db");
    assert!(
        !dir.path("no-such-file.db").exists(),
        "inspect must not create the file it was asked about"
    );
}

#[test]
fn passwords_are_masked_when_a_connection_fails() {
    let dir = Dir::new();
    let run = dir.command().args(["inspect", CLOSED_PG]).expect_code(3);
    run.assert_one_line_error().assert_nowhere(SECRET);

    let source = dir.sqlite("app.db", TASKS);
    let report = dir.path("report.json");
    let run = dir
        .command()
        .args([
            "migrate",
            "--yes",
            "--json",
            "--report",
            "report.json",
            "--from",
        ])
        .path_arg(&source)
        .args(["--to", CLOSED_PG])
        .expect_code(3);
    run.assert_nowhere(SECRET);
    assert_eq!(run.json()["outcome"], "failed", "{}", run.stdout);
    let saved = std::fs::read_to_string(&report)
        .expect("the report file is written even when the run fails");
    assert!(
        !saved.contains(SECRET),
        "the report file holds the password:\n{saved}"
    );
}

#[test]
fn inspect_shows_tables_with_row_counts() {
    let dir = Dir::new();
    let source = dir.sqlite("app.db", TASKS);
    let run = dir
        .command()
        .arg("inspect")
        .path_arg(&source)
        .expect_code(0);
    run.assert_stdout_contains("goals")
        .assert_stdout_contains("tasks (3 rows)");
    let json = dir
        .command()
        .args(["inspect", "--json"])
        .path_arg(&source)
        .expect_code(0)
        .json();
    let tables = json["catalog"]["tables"]
        .as_array()
        .expect("catalog.tables");
    assert_eq!(tables.len(), 2, "{json}");
}

#[test]
fn dry_run_verifies_and_leaves_no_target() {
    let dir = Dir::new();
    let source = dir.sqlite("app.db", TASKS);
    let target = dir.path("copy.db");
    let run = dir
        .command()
        .args(["migrate", "--dry-run", "--from"])
        .path_arg(&source)
        .arg("--to")
        .path_arg(&target)
        .expect_code(0);
    run.assert_stdout_contains("dry run: verified, then rolled back — nothing was written");
    assert!(!target.exists(), "a dry run must not leave a target file");
}

#[test]
fn blocking_findings_exit_2_with_their_remedy_and_write_nothing() {
    let dir = Dir::new();
    let source = dir.sqlite(
        "app.db",
        &format!("{TASKS} INSERT INTO tasks VALUES (4, 1, 'ponder', 'maybe');"),
    );
    let pg = ferry_testkit::TestDb::new();
    let run = dir
        .command()
        .args(["migrate", "--yes", "--from"])
        .path_arg(&source)
        .args(["--to", &pg.url()])
        .expect_code(2);
    run.assert_stdout_contains("BLOCKING")
        .assert_stdout_contains("fix:")
        .assert_stdout_contains("'maybe'");
    let tables: i64 = pg
        .client()
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        tables, 0,
        "blocking findings must leave the target untouched"
    );
}

#[test]
fn migrate_to_postgres_commits_reports_and_verifies() {
    let dir = Dir::new();
    let source = dir.sqlite("app.db", TASKS);
    let pg = ferry_testkit::TestDb::new();
    let run = dir
        .command()
        .args([
            "migrate",
            "--yes",
            "--json",
            "--report",
            "report.json",
            "--from",
        ])
        .path_arg(&source)
        .args(["--to", &pg.url()])
        .expect_code(0);
    let report = run.json();
    assert_eq!(report["outcome"], "committed", "{report}");
    assert_eq!(report["verification"]["passed"], true, "{report}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("report.json")).unwrap()).unwrap();
    assert_eq!(saved["outcome"], "committed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path("report.json"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "the report file must be private");
    }
    let mut client = pg.client();
    let rows: i64 = client
        .query_one("SELECT count(*) FROM tasks", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 3);

    // The copy verifies; after a change in the target it does not, and exit 1 names the table.
    dir.command()
        .args(["verify", "--from"])
        .path_arg(&source)
        .args(["--to", &pg.url()])
        .expect_code(0);
    client
        .execute("UPDATE tasks SET title = 'changed' WHERE id = 2", &[])
        .unwrap();
    let run = dir
        .command()
        .args(["verify", "--from"])
        .path_arg(&source)
        .args(["--to", &pg.url()])
        .expect_code(1);
    run.assert_stdout_contains("✗")
        .assert_stdout_contains("tasks")
        .assert_stdout_contains("id=2");
}

#[test]
fn completions_and_manual_pages_come_from_the_flags() {
    let dir = Dir::new();
    let bash = dir.command().args(["completions", "bash"]).expect_code(0);
    bash.assert_stdout_contains("_ferry()")
        .assert_stdout_contains("--dry-run")
        .assert_stdout_contains("--on-bad-value");
    dir.command()
        .args(["completions", "zsh"])
        .expect_code(0)
        .assert_stdout_contains("#compdef ferry");
    dir.command()
        .args(["completions", "fish"])
        .expect_code(0)
        .assert_stdout_contains("complete -c ferry");
    dir.command()
        .args(["completions", "powershell"])
        .expect_code(2);

    dir.command()
        .args(["manpage", "--out-dir", "man"])
        .expect_code(0);
    let page = |name: &str| std::fs::read_to_string(dir.path("man").join(name));
    let migrate = page("ferry-migrate.1").expect("ferry-migrate.1");
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        migrate.contains(&format!(".TH ferry-migrate 1  \"migrate {version}\"")),
        "{migrate}"
    );
    assert!(migrate.contains("dry\\-run"), "{migrate}");
    assert!(page("ferry.1").unwrap().contains("completions"));
    assert!(page("ferry-report.1").is_ok());
    // The hidden packaging command has no page and is not in the help.
    assert!(page("ferry-manpage.1").is_err());
    let help = dir.command().arg("--help").expect_code(0);
    assert!(!help.stdout.contains("manpage"), "{}", help.stdout);
}

/// Progress bars are for a person at a terminal. Under a pseudo-terminal (util-linux
/// `script`) they are drawn, the overall bar's prefix bold; `NO_COLOR` drops the bold;
/// `--quiet` drops the bars and the summary; `TERM=dumb` drops the bars. Piped (every other
/// test) there are none.
#[test]
fn progress_bars_follow_the_terminal_no_color_and_quiet() {
    let dir = Dir::new();
    dir.sqlite(
        "src.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000)
         INSERT INTO t SELECT x, 'v' || x FROM c;",
    );
    let on_a_terminal = |env: &[(&str, &str)], flags: &str, out: &str| -> String {
        let command = format!(
            "{} {flags} migrate --yes --from src.db --to {out}",
            env!("CARGO_BIN_EXE_ferry")
        );
        let output = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(dir.path(""))
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("util-linux `script` (package bsdutils)");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    const BOLD: &str = "\x1b[1m";
    const REDRAW: &str = "\x1b[2K";

    let plain = on_a_terminal(&[], "", "a.db");
    assert!(
        plain.contains(REDRAW) && plain.contains("copy"),
        "{plain:?}"
    );
    assert!(plain.contains(BOLD), "the prefix is bold: {plain:?}");
    assert!(plain.contains("20,000"), "the summary: {plain:?}");

    let no_color = on_a_terminal(&[("NO_COLOR", "1")], "", "b.db");
    assert!(no_color.contains(REDRAW), "still bars: {no_color:?}");
    assert!(
        !no_color.contains("\x1b[1m") && !no_color.contains("\x1b[3"),
        "{no_color:?}"
    );

    let quiet = on_a_terminal(&[], "--quiet", "c.db");
    assert!(quiet.trim().is_empty(), "--quiet prints nothing: {quiet:?}");

    let dumb = on_a_terminal(&[("TERM", "dumb")], "", "d.db");
    assert!(
        !dumb.contains(REDRAW),
        "no bars on a dumb terminal: {dumb:?}"
    );
    assert!(dumb.contains("20,000"), "the summary stays: {dumb:?}");
    for out in ["a.db", "b.db", "c.db", "d.db"] {
        assert!(dir.path(out).is_file(), "{out} was written");
    }
}
