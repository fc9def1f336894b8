//! The .deb, tested by installing it: `scripts/package.sh` packages the `ferry` and
//! `ferry-app` binaries this test run built, `dpkg -i` installs them, and then the installed
//! files are used as a person would: `/usr/bin/ferry --version`, one `ferry migrate` of a
//! small SQLite file into PostgreSQL, the manual pages, the desktop entry, and one Copy in
//! the window of the installed `/usr/bin/ferry-app` (through tauri-driver, `support/`).
//!
//! It installs a package on the machine, so it needs root and is not part of a plain
//! `cargo test --workspace`: `scripts/test.sh` runs it after the workspace's tests, when both
//! binaries are fresh (`cargo test -p ferry-app --test it package -- --ignored`). The package is
//! removed again at the end, passed or failed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::support::{sqlite_from, App, Launch, Options};
use ferry_testkit::TestDb;

const COPY_APP: &str = include_str!("../fixtures/copy_app.sql");

/// Removes the package when the test ends, however it ends.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["--remove", "ferry"]).output();
    }
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "installs a .deb as root; scripts/test.sh runs it after the workspace tests"]
fn the_package_installs_and_its_programs_work() {
    assert_eq!(
        run("id", &["-u"]).trim(),
        "0",
        "dpkg -i needs root (CI and the test machine run as root)"
    );
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ferry-app")).parent().unwrap();
    assert!(
        bin_dir.join("ferry").is_file(),
        "{} has no ferry binary: build it first (cargo build -p ferry-cli)",
        bin_dir.display()
    );

    // Build the package from the binaries the tests ran.
    let out = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let printed = run(
        "bash",
        &[
            concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/package.sh"),
            "--fast",
            "--bin-dir",
            bin_dir.to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    let deb = PathBuf::from(printed.lines().last().expect("the .deb's path").trim());
    eprintln!(
        "package: {} ({} KiB) in {:.1} s",
        deb.display(),
        std::fs::metadata(&deb).unwrap().len() / 1024,
        started.elapsed().as_secs_f64()
    );

    // What is in it, before installing.
    let fields = run("dpkg-deb", &["--field", deb.to_str().unwrap()]);
    assert!(fields.contains("Package: ferry\n"), "{fields}");
    let depends = fields
        .lines()
        .find(|l| l.starts_with("Depends: "))
        .unwrap_or_else(|| panic!("no Depends: {fields}"));
    for library in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libc6"] {
        assert!(depends.contains(library), "{depends}");
    }
    let listing = run("dpkg-deb", &["--contents", deb.to_str().unwrap()]);
    for file in [
        "./usr/bin/ferry",
        "./usr/bin/ferry-app",
        "./usr/share/applications/ferry.desktop",
        "./usr/share/man/man1/ferry.1.gz",
        "./usr/share/man/man1/ferry-migrate.1.gz",
        "./usr/share/bash-completion/completions/ferry",
        "./usr/share/zsh/vendor-completions/_ferry",
        "./usr/share/fish/vendor_completions.d/ferry.fish",
        "./usr/share/icons/hicolor/128x128/apps/ferry-app.png",
        "./usr/share/icons/hicolor/512x512/apps/ferry-app.png",
    ] {
        assert!(
            listing.lines().any(|l| l.ends_with(file)),
            "{file} not in the package:\n{listing}"
        );
    }
    assert!(
        listing.lines().all(|l| l.contains("root/root")),
        "files owned by root:\n{listing}"
    );

    let _installed = Installed;
    run("dpkg", &["--install", deb.to_str().unwrap()]);

    // The command.
    let version = run("/usr/bin/ferry", &["--version"]);
    assert_eq!(
        version.trim(),
        format!("ferry {}", env!("CARGO_PKG_VERSION"))
    );
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("tasks.db");
    sqlite_from(&source, COPY_APP);
    let db = TestDb::new();
    let report = dir.path().join("run.json");
    run(
        "/usr/bin/ferry",
        &[
            "--quiet",
            "migrate",
            "--yes",
            "--from",
            source.to_str().unwrap(),
            "--to",
            &db.url(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    let tasks: i64 = db
        .client()
        .query_one("SELECT count(*) FROM tasks", &[])
        .unwrap()
        .get(0);
    assert_eq!(tasks, 5);
    assert!(dir.path().join("run.html").is_file(), "the report's page");

    // The desktop entry and the manual page, as installed.
    let entry = std::fs::read_to_string("/usr/share/applications/ferry.desktop").unwrap();
    assert!(entry.contains("\nExec=ferry-app %f\n"), "{entry}");
    assert!(
        entry.contains("\nMimeType=application/vnd.sqlite3;application/x-sqlite3;\n"),
        "{entry}"
    );
    if Path::new("/usr/bin/desktop-file-validate").exists() {
        run(
            "desktop-file-validate",
            &["/usr/share/applications/ferry.desktop"],
        );
    }
    let page = run("zcat", &["/usr/share/man/man1/ferry-migrate.1.gz"]);
    assert!(
        page.contains(".TH ferry-migrate") && page.contains("dry\\-run"),
        "{page}"
    );

    // One Copy in the installed app's window.
    let target = dir.path().join("copy.db");
    crate::support::runtime().block_on(async {
        let mut app = App::start_with(
            Options {
                name: "installed",
                screen: (1100, 760),
                dark: false,
            },
            Launch {
                application: Some(PathBuf::from("/usr/bin/ferry-app")),
                args: vec![source.display().to_string()],
                ..Launch::default()
            },
        )
        .await;
        app.type_into("#target-path", target.to_str().unwrap())
            .await;
        app.click("#locations-next").await;
        app.wait_for_step("job").await;
        app.click("#job-next").await;
        app.wait_for_step("review").await;
        app.wait_for_plan().await;
        app.click("#review-next").await;
        app.wait_for_step("backup").await;
        app.click("#start").await;
        app.wait_for_step("result").await;
        app.screenshot("result");
        let banner = app.text("#result-banner").await;
        assert!(banner.contains("Copied and verified"), "{banner}");
    });
    let copied: i64 = rusqlite::Connection::open(&target)
        .unwrap()
        .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(copied, 5);
}
