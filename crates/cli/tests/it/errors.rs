//! Errors a person can act on (issue 11, points 7 and 8): a mistyped location never echoes
//! its password, in any shape, anywhere `ferry` prints or writes; an unwritable target folder
//! is found before the preflight and named; each error is printed once, on stderr; "rolled
//! back" is said only of a run that had begun writing; `verify` never says "nothing was
//! committed"; a difference in a long value shows where it is.

use crate::util::secrets::Scan;
use crate::util::state::folder_fingerprint;
use crate::util::Dir;

const NOTES: &str = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
                     INSERT INTO notes VALUES (1, 'one'), (2, 'two');";

/// Real URLs, mangled the ways a person mistypes them: one slash, three, no scheme, a wrong
/// one, `postgresql:` without slashes, a space pasted in, a password with `@ : /`, percent
/// encoding, and key=value forms.
fn mangled(password: &str) -> Vec<String> {
    let enc = crate::util::secrets::percent_encoded(password);
    vec![
        format!("postgres:/app:{password}@db.example.com/app"),
        format!("postgres:///app:{password}@db.example.com/app"),
        format!("postgresql:app:{password}@db.example.com/app"),
        format!("postgress://app:{password}@db.example.com/app"),
        format!("app:{password}@db.example.com/app"),
        format!("postgres:/ app:{password}@db.example.com/app"),
        format!("postgres:/app:{enc}@db.example.com/app"),
        format!("postgres://app:{password}@db.example.com:99999/app"),
        format!("postgres://app:{password}"),
        format!("postgres://app:{password}@"),
        format!("postgres://app:{enc}@[::1/app"),
        format!("host=db.example.com password={password} port=nope"),
        format!("host=db.example.com password='{password}' port=nope"),
    ]
}

#[test]
fn a_mistyped_location_never_echoes_its_password() {
    let dir = Dir::new();
    let source = dir.sqlite("app.db", NOTES);
    let mut scan = Scan::new();
    for password in ["Sup3rSecretPw", "p@ss:w/rd-Zq9"] {
        for location in mangled(password) {
            for args in [
                vec![
                    "migrate",
                    "--yes",
                    "--json",
                    "--report",
                    "r.json",
                    "--from",
                    source.to_str().unwrap(),
                    "--to",
                    &location,
                ],
                vec!["migrate", "--yes", "--from", &location, "--to", "out.db"],
                vec!["inspect", &location],
                vec![
                    "verify",
                    "--from",
                    source.to_str().unwrap(),
                    "--to",
                    &location,
                ],
                // A location where clap does not expect one: its usage error echoes it.
                vec![
                    "migrate",
                    "--from",
                    source.to_str().unwrap(),
                    "--to",
                    "out.db",
                    &location,
                ],
            ] {
                let run = dir.command().args(&args).run();
                assert_ne!(run.code, Some(0), "{args:?}: {}", run.stderr);
                assert!(!run.stderr.is_empty(), "{args:?}: an error is shown");
                scan.run(&format!("{args:?}"), &run);
            }
        }
        scan.folder(&dir.path(""));
        scan.assert_absent(password);
    }
}

/// Runs `ferry` as user `nobody` when the tests run as root (who may write anywhere), so a
/// folder without write permission really cannot be written.
fn as_nobody(mut command: crate::util::TestCommand) -> crate::util::TestCommand {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (getuid, setgid, setuid) between fork and exec.
    unsafe {
        command.inner().pre_exec(|| {
            if libc::getuid() == 0 && (libc::setgid(65534) != 0 || libc::setuid(65534) != 0) {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}

#[test]
fn an_unwritable_target_folder_is_named_before_the_preflight() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    let source = dir.sqlite("app.db", NOTES);
    let locked = dir.path("locked");
    std::fs::create_dir(&locked).unwrap();
    for (path, mode) in [
        (dir.path(""), 0o755),
        (source.clone(), 0o644),
        (locked.clone(), 0o555),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let before = folder_fingerprint(&dir.path(""));
    let run = as_nobody(dir.command_with(crate::util::ferry_for_everyone()).args([
        "migrate",
        "--yes",
        "--from",
        "app.db",
        "--to",
        "locked/out.db",
    ]))
    .run();
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "ferry: cannot write in the folder locked (permission denied), where the SQLite target locked/out.db is built; choose a folder you can write to, or change its permissions\n"
    );
    assert!(
        !run.stderr.contains("ferry-tmp"),
        "never the hidden temporary file"
    );
    assert!(
        run.stdout.contains("phases: connect") && !run.stdout.contains("preflight"),
        "found when connecting, before the preflight:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("failed — nothing was written\n"),
        "{}",
        run.stdout
    );
    assert_eq!(folder_fingerprint(&dir.path("")), before);
    assert_eq!(
        std::fs::read_dir(&locked).unwrap().count(),
        0,
        "nothing in the folder"
    );
}

#[test]
fn each_error_is_printed_once_on_stderr() {
    let dir = Dir::new();
    let source = dir.sqlite("app.db", NOTES);
    let pg = ferry_testkit::TestDb::new();
    // A run that fails after it began writing: the target table exists with another shape.
    pg.client()
        .batch_execute("CREATE SCHEMA s; CREATE TABLE s.notes (id bigint PRIMARY KEY, body int);")
        .unwrap();
    for (args, outcome) in [
        (
            vec![
                "migrate",
                "--yes",
                "--from",
                "app.db",
                "--to",
                "no/such/out.db",
            ],
            "failed — nothing was written",
        ),
        (
            vec![
                "migrate",
                "--yes",
                "--into-existing",
                "--schema",
                "s",
                "--from",
                "app.db",
                "--to",
                &pg.url(),
            ],
            "",
        ),
    ] {
        let run = dir.command().args(&args).run();
        assert_ne!(run.code, Some(0));
        let error_lines: Vec<&str> = run.stderr.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(
            error_lines.len(),
            1,
            "{args:?}: one line on stderr:\n{}",
            run.stderr
        );
        let message = error_lines[0].strip_prefix("ferry: ").expect("ferry: …");
        assert!(
            !run.stdout.contains(message),
            "{args:?}: repeated on stdout:\n{}",
            run.stdout
        );
        assert!(!run.stdout.contains("error:"), "{args:?}:\n{}", run.stdout);
        if !outcome.is_empty() {
            assert!(
                run.stdout.ends_with(&format!("{outcome}\n")),
                "{args:?}:\n{}",
                run.stdout
            );
        }
    }
    let _ = source;
}

#[test]
fn rolled_back_is_said_only_of_a_run_that_began_writing() {
    let dir = Dir::new();
    dir.sqlite("app.db", NOTES);
    let pg = ferry_testkit::TestDb::new();
    // Begun: the preflight cannot see the target's CHECK, so COPY fails inside the
    // transaction, which is rolled back.
    pg.client()
        .batch_execute(
            "CREATE TABLE notes (id bigint PRIMARY KEY, body text CHECK (body <> 'two'));",
        )
        .unwrap();
    let before = crate::util::state::database_fingerprint(&mut pg.client());
    let run = dir
        .command()
        .args([
            "migrate",
            "--yes",
            "--into-existing",
            "--from",
            "app.db",
            "--to",
            &pg.url(),
        ])
        .run();
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(" · schema "),
        "it began writing:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("failed — rolled back, nothing was committed\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .trim_end()
            .ends_with("; nothing was committed, the target is as it was"),
        "{}",
        run.stderr
    );
    assert_eq!(
        crate::util::state::database_fingerprint(&mut pg.client()),
        before
    );

    // Not begun: refused while connecting, so there is nothing to roll back.
    let run = dir
        .command()
        .args([
            "migrate",
            "--yes",
            "--from",
            "app.db",
            "--to",
            "folder/out.db",
        ])
        .run();
    assert_eq!(run.code, Some(2));
    assert!(
        run.stdout.ends_with("failed — nothing was written\n"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("rolled back") && !run.stderr.contains("committed"),
        "{}",
        run.stderr
    );
}

#[test]
fn verify_says_the_databases_differ_and_never_that_nothing_was_committed() {
    let dir = Dir::new();
    let long = "x".repeat(300);
    let a = dir.sqlite(
        "a.db",
        &format!("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, '{long}');"),
    );
    let mut changed = long.clone();
    changed.replace_range(200..201, "Y");
    let b = dir.sqlite(
        "b.db",
        &format!("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, '{changed}');"),
    );
    let run = dir
        .command()
        .args(["verify", "--from"])
        .path_arg(&a)
        .arg("--to")
        .path_arg(&b)
        .run();
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        format!("ferry: the databases differ: table notes differs (values differ id=1: body: differs from character 200 (lengths 300 and 300): '…{0}…' → '…{1}Y{2}…')\n", "x".repeat(48), "x".repeat(24), "x".repeat(23))
    );
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains("committed") && !text.contains("rolled back"),
            "{text}"
        );
    }
    assert!(
        run.stdout
            .ends_with("verification failed: the databases differ\n"),
        "{}",
        run.stdout
    );
    // The 80 identical characters a short rendering would show hide the change: the offset
    // and a window around it show it.
    let window = format!(
        "    id=1  values differ  body: differs from character 200 (lengths 300 and 300): '…{0}…' → '…{1}Y{2}…'",
        "x".repeat(48),
        "x".repeat(24),
        "x".repeat(23)
    );
    run.assert_stdout_contains(&window);

    // A verify that cannot connect says "failed", not that something was rolled back.
    let run = dir
        .command()
        .args(["verify", "--from"])
        .path_arg(&a)
        .args(["--to", "missing.db"])
        .run();
    assert_eq!(run.code, Some(2));
    assert!(run.stdout.ends_with("\nfailed\n"), "{}", run.stdout);
}
