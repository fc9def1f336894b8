//! The verification report as a page: every `--report X.json` run leaves `X.html` beside it,
//! owner-only, self-contained, holding no password; a real browser (headless Chromium)
//! parses it into the document intended — digests, checks, phases, the policy chosen — with a
//! hostile value from the data shown as text, not markup; `ferry report X.json` renders the
//! same bytes from the saved JSON.
//!
//! Chromium and pdftoppm come from scripts/test.sh (packages `chromium`, `poppler-utils`); a
//! missing one fails the test with what to install. The screenshot and the first printed page
//! are left in `<target>/tmp/report-screenshots/` (docs/report.png and docs/report-print.png
//! are copies of them).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::Dir;

/// The README's task app, with a value in a boolean column that is markup (and not a
/// boolean): the finding shows it, the policy leaves its row out.
const TASKS: &str = r#"
CREATE TABLE goals (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,
  created_at DATETIME NOT NULL, archived BOOLEAN NOT NULL DEFAULT 0);
CREATE TABLE tasks (id INTEGER PRIMARY KEY, goal_id INTEGER REFERENCES goals(id) ON DELETE CASCADE,
  title TEXT NOT NULL, done BOOLEAN NOT NULL DEFAULT 0, cost DECIMAL(10,2), tags JSON);
INSERT INTO goals (title, created_at, archived) VALUES
  ('Learn Rust', '2025-11-18 15:30:45', 0), ('Run a marathon', '2025-11-18T14:30:45Z', 1);
INSERT INTO tasks VALUES
  (1, 1, 'Read the book', 1, 12.50, '["books","rust"]'),
  (2, 1, 'Write ferry', 0, 1999.99, '[]'),
  (3, 2, 'Buy shoes', '<img src=x onerror=alert(1)>', 89.9, '["gear"]');
"#;

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

/// The test URL with a password in it (the test server trusts local connections, so it is
/// not checked — but it is what Ferry was given, and what must not reach the page).
fn url_with_password(db: &ferry_testkit::TestDb, password: &str) -> String {
    let url = db.url();
    let (head, tail) = url.split_once('@').expect("user@host in the test URL");
    let user = head.split(':').take(2).collect::<Vec<_>>().join(":");
    format!("{user}:{password}@{tail}")
}

#[test]
fn a_migration_leaves_a_page_beside_its_report_that_chromium_renders() {
    let dir = Dir::new();
    let source = dir.sqlite("tasks.db", TASKS);
    let pg = ferry_testkit::TestDb::new();
    let password = "Pw-for-the-page-7731";
    let target = url_with_password(&pg, password);
    let json_path = dir.path("run.json");
    dir.command()
        .args([
            "migrate",
            "--yes",
            "--on-bad-value",
            "tasks.done=skip",
            "--report",
        ])
        .path_arg(&json_path)
        .arg("--from")
        .path_arg(&source)
        .args(["--to", &target])
        .expect_code(0);

    let html_path = dir.path("run.html");
    let page = std::fs::read_to_string(&html_path).expect("run.html beside run.json");
    let mode = std::fs::metadata(&html_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the page may hold row values: owner-only");
    assert!(!page.contains(password), "the password reached the page");

    // `ferry report` renders the same page from the saved JSON.
    let again = dir.path("again.html");
    dir.command()
        .arg("report")
        .path_arg(&json_path)
        .arg("--out")
        .path_arg(&again)
        .expect_code(0);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), page);

    // What the browser made of it.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let dom = chromium(&html_path, &["--dump-dom"]);
    let dom = String::from_utf8(dom).expect("the DOM as UTF-8");
    assert!(dom.contains("Verified and committed"), "{dom}");
    assert!(dom.contains("Job: Copy"));
    assert!(dom.contains(&format!(
        "<dd class=\"mono\" id=\"target\">{}</dd>",
        report["target"].as_str().unwrap().replace('&', "&amp;")
    )));
    assert!(report["target"].as_str().unwrap().contains("***"));
    let tables = report["verification"]["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 2);
    for t in tables {
        let digest = t["source_digest"].as_str().unwrap();
        assert_eq!(digest, t["target_digest"].as_str().unwrap());
        assert!(
            dom.contains(digest),
            "digest {digest} of {} not shown",
            t["table"]
        );
    }
    assert_eq!(
        dom.matches("<tr class=\"ok\">").count(),
        2,
        "two verified tables"
    );
    assert!(dom.contains("foreign keys"), "the FK check is listed");
    assert_eq!(
        dom.matches("<rect class=\"bar").count(),
        report["phases"].as_array().unwrap().len(),
        "one bar per timed phase"
    );
    assert!(dom.contains("policy chosen: leave the rows out (skip-row)"));
    // The value from the data is text on the page, never an element.
    assert!(!dom.contains("<img"), "a value became markup:\n{dom}");
    assert!(dom.contains(&HOSTILE.replace('<', "&lt;").replace('>', "&gt;")));
    assert!(!dom.contains("<script"));

    // A picture of the page on screen and on paper, for people (docs/) and for CI's log.
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("report.png");
    let pdf = shots.join("report.pdf");
    chromium(
        &html_path,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1100,1500",
            "--hide-scrollbars",
        ],
    );
    chromium(
        &html_path,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
    );
    assert!(
        std::fs::metadata(&png).unwrap().len() > 20_000,
        "a blank screenshot?"
    );
    let pdf_bytes = std::fs::read(&pdf).unwrap();
    assert!(pdf_bytes.starts_with(b"%PDF"));
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(shots.join("report-print"))
        .status()
        .expect("pdftoppm (package poppler-utils; scripts/test.sh installs it)");
    assert!(status.success());
    assert!(
        std::fs::metadata(shots.join("report-print.png"))
            .unwrap()
            .len()
            > 20_000
    );
}

#[test]
fn the_page_of_a_run_with_a_backup_shows_its_sha256() {
    let dir = Dir::new();
    let source = dir.sqlite(
        "src.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'a'), (2, 'b');",
    );
    let target = dir.sqlite(
        "out.db",
        "CREATE TABLE old (x); INSERT INTO old VALUES (1);",
    );
    let json_path = dir.path("run.json");
    dir.command()
        .args(["--quiet", "migrate", "--yes", "--report"])
        .path_arg(&json_path)
        .arg("--from")
        .path_arg(&source)
        .arg("--to")
        .path_arg(&target)
        .expect_code(0);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let backup = &report["backup"];
    let path = backup["path"].as_str().expect("a backup of out.db");
    let sha = ferry_testkit::files::sha256_file(Path::new(path));
    assert_eq!(backup["sha256"].as_str().unwrap(), sha);
    let page = std::fs::read_to_string(dir.path("run.html")).unwrap();
    assert!(page.contains(&format!("id=\"backup-sha256\">{sha}</dd>")));
    assert!(page.contains(&format!(
        "id=\"backup-path\">{}</dd>",
        path.replace('&', "&amp;")
    )));
}

#[test]
fn ferry_report_refuses_what_is_not_a_report() {
    let dir = Dir::new();
    std::fs::write(dir.path("broken.json"), "{ not json").unwrap();
    std::fs::write(dir.path("package.json"), r#"{"name": "app"}"#).unwrap();
    dir.command()
        .args(["report", "broken.json"])
        .expect_code(2)
        .assert_stderr_contains("broken.json is not JSON")
        .assert_one_line_error();
    dir.command()
        .args(["report", "package.json"])
        .expect_code(2)
        .assert_stderr_contains("is JSON but not a Ferry report");
    assert!(!dir.path("package.html").exists());
}

/// Runs headless Chromium on a local file and gives its stdout; fails after a minute.
fn chromium(page: &Path, args: &[&str]) -> Vec<u8> {
    let profile = tempfile::tempdir().unwrap();
    let program = std::env::var("FERRY_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let mut child = Command::new(&program)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {program}: {e} (install the Debian package chromium; scripts/test.sh does)")
        });
    // stdout is read on a thread so that a large DOM cannot fill the pipe and stall the
    // browser while this thread waits for it to exit.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut out).map(|_| out)
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{program} {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{program} {args:?} failed: {status}");
    reader.join().unwrap().expect("read chromium's output")
}
