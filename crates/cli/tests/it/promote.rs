//! `ferry migrate --promote` as a person or a script sees it: the temporary password shown
//! once on the terminal (stderr), on its own line, after a warning; never in `--json`
//! output, the report file or any file; the stored hash verifies against what was shown;
//! usage and schema errors are one clear line with nothing written.

use crate::util::{Dir, Run};

const FIXTURE: &str = include_str!("../../../engine/tests/fixtures/promote_tasks.sql");
const APP_SCHEMA: &str = include_str!("../../../engine/tests/fixtures/promote_app_schema.sql");
use crate::util::ADMIN_EMAIL as EMAIL;

fn promote_args<'a>(src: &'a str, url: &'a str) -> Vec<&'a str> {
    crate::util::promote_command(
        "migrate",
        src,
        url,
        &[
            "--source-timezone",
            "Europe/Berlin",
            "--dst-gap",
            "shift-forward",
            "--dst-fold",
            "earlier",
            "--yes",
        ],
    )
}

/// The password the run showed (checked: once, alone on its line after the notice, never
/// on stdout).
fn shown_password(run: &Run) -> String {
    crate::util::secrets::shown_admin_password(run, EMAIL)
}

fn assert_no_file_contains(dir: &Dir, secret: &str) {
    for entry in std::fs::read_dir(dir.path(".")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} contains the password",
                path.display()
            );
        }
    }
}

fn stored_hash(pg: &ferry_testkit::TestDb, column: &str) -> String {
    pg.client()
        .query_one(
            &format!("SELECT {column} FROM users WHERE email = $1"),
            &[&EMAIL],
        )
        .unwrap()
        .get(0)
}

#[test]
fn json_run_shows_the_password_once_on_stderr_and_nowhere_else() {
    let dir = Dir::new();
    let src = dir.sqlite("tasks.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();
    let mut args = promote_args(src.to_str().unwrap(), &url);
    args.extend(["--fill-updated-at", "--json", "--report", "report.json"]);
    let run = dir.command().args(&args).expect_code(0);
    let pw = shown_password(&run);

    let json = run.json();
    assert_eq!(json["outcome"], "committed");
    assert_eq!(json["admin"]["email"], EMAIL);
    assert_eq!(json["admin"]["password_hash"], "bcrypt");
    let checks = json["verification"]["checks"].as_array().unwrap();
    for name in [
        "no NULL owner",
        "exactly one admin",
        "admin password hash",
        "timestamps equal their source instants",
    ] {
        assert!(
            checks
                .iter()
                .any(|c| c["name"] == name && c["passed"] == true),
            "{name}: {checks:#?}"
        );
    }
    let report = std::fs::read_to_string(dir.path("report.json")).unwrap();
    assert!(report.contains("\"admin\""));
    assert_no_file_contains(&dir, &pw);

    let hash = stored_hash(&pg, "password_hash");
    assert!(hash.starts_with("$2b$12$"), "{hash}");
    assert!(
        bcrypt::verify(&pw, &hash).unwrap(),
        "the shown password signs in"
    );
    let owned: i64 = pg
        .client()
        .query_one(
            "SELECT count(*) FROM tasks t JOIN users u ON u.id = t.user_id WHERE u.email = $1",
            &[&EMAIL],
        )
        .unwrap()
        .get(0);
    assert_eq!(owned, 604);
}

#[test]
fn into_existing_with_argon2id_in_human_output() {
    let dir = Dir::new();
    let src = dir.sqlite("tasks.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    pg.client().batch_execute(APP_SCHEMA).unwrap();
    let url = pg.url();
    let mut args = promote_args(src.to_str().unwrap(), &url);
    args.extend([
        "--into-existing",
        "--password-hash",
        "argon2id",
        "--admin-username",
        "boss",
    ]);
    let run = dir.command().args(&args).expect_code(0);
    run.assert_stdout_contains("admin admin@example.com (boss) in users");
    let pw = shown_password(&run);
    assert_no_file_contains(&dir, &pw);
    let hash = stored_hash(&pg, "hashed_password");
    use argon2::PasswordVerifier;
    let parsed = argon2::PasswordHash::new(&hash).unwrap();
    assert!(argon2::Argon2::default()
        .verify_password(pw.as_bytes(), &parsed)
        .is_ok());
}

#[test]
fn dry_run_shows_no_password() {
    let dir = Dir::new();
    let src = dir.sqlite("tasks.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();
    let mut args = promote_args(src.to_str().unwrap(), &url);
    args.push("--dry-run");
    let run = dir.command().args(&args).expect_code(0);
    assert!(
        !run.stderr.contains("temporary password for"),
        "{}",
        run.stderr
    );
    run.assert_stdout_contains("not created");
}

#[test]
fn promote_errors_are_one_clear_line_and_write_nothing() {
    let dir = Dir::new();
    let src = dir.sqlite("tasks.db", FIXTURE);
    let src = src.to_str().unwrap();
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();

    // --promote without --admin-email: a usage error before anything connects.
    let run = dir
        .command()
        .args(["migrate", "--from", src, "--to", &url, "--promote", "--yes"])
        .expect_code(2);
    run.assert_stderr_contains("--admin-email");
    assert_eq!(pg.public_tables(), 0);
    // Promote's options without --promote are usage errors too, not silently ignored.
    for flag in [
        &["--password-hash", "argon2id"][..],
        &["--fill-updated-at"],
        &["--users-table", "accounts"],
        &["--admin-email", EMAIL],
    ] {
        let run = dir
            .command()
            .args(["migrate", "--from", src, "--to", &url, "--yes"])
            .args(flag)
            .expect_code(2);
        run.assert_stderr_contains("--promote");
    }
    assert_eq!(pg.public_tables(), 0);

    // An app users table whose columns detection cannot read.
    pg.client()
        .batch_execute(&APP_SCHEMA.replace(
            "    hashed_password text NOT NULL,\n",
            "    secret text NOT NULL,\n",
        ))
        .unwrap();
    let before = pg.public_tables();
    let mut args = promote_args(src, &url);
    args.push("--into-existing");
    let run = dir.command().args(&args).expect_code(2);
    run.assert_one_line_error();
    run.assert_stderr_contains("--password-column");
    let rows: i64 = pg
        .client()
        .query_one(
            "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM tasks)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!((pg.public_tables(), rows), (before, 0));

    // A NOT NULL column without a default that Ferry cannot fill for the admin.
    let pg2 = ferry_testkit::TestDb::new();
    pg2.client()
        .batch_execute(&APP_SCHEMA.replace(
            "    is_active boolean NOT NULL DEFAULT true,\n",
            "    org_id bigint NOT NULL,\n",
        ))
        .unwrap();
    let url2 = pg2.url();
    let mut args = promote_args(src, &url2);
    args.push("--into-existing");
    let run = dir.command().args(&args).expect_code(2);
    run.assert_one_line_error();
    run.assert_stderr_contains("org_id");
    let users: i64 = pg2
        .client()
        .query_one("SELECT count(*) FROM users", &[])
        .unwrap()
        .get(0);
    assert_eq!(users, 0);
}
