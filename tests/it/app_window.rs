//! End-to-end tests of the real app window: a person's Copy, clicked through from Rust over
//! WebDriver (see `support/mod.rs` for the machinery), and checked afterwards with
//! independent SQL against the databases. Screenshots of every step land in
//! `<target dir>/e2e-screenshots/<test>/`.

use std::path::Path;
use std::time::Duration;

use crate::support::{
    assert_controls_are_labelled, assert_every_control_is_labelled, sqlite_from, App, Launch,
    Options,
};
use ferry_testkit::TestDb;

const COPY_APP: &str = include_str!("../fixtures/copy_app.sql");
const BAD_BOOLEAN: &str = include_str!("../fixtures/bad_boolean.sql");
const BIG_TABLE: &str = include_str!("../fixtures/big_table.sql");
const E2E_PASSWORD: &str = "e2e-Secret-77";

/// Fills the source as a pasted SQLite path and tests it.
async fn choose_sqlite_source(app: &App, path: &Path) {
    app.type_into("#source-path", path.to_str().unwrap()).await;
    app.click("#source-test").await;
    app.wait_until(
        "the source test to succeed",
        "return !!document.querySelector('#source-status .ok')",
    )
    .await;
}

/// Fills the target as a pasted PostgreSQL URL and tests it.
async fn choose_postgres_target(app: &App, url: &str) {
    app.click("#target-kind-postgres").await;
    app.type_into("#target-url", url).await;
    app.click("#target-test").await;
    app.wait_until(
        "the target test to succeed",
        "return !!document.querySelector('#target-status .ok')",
    )
    .await;
}

/// From the locations step through the job step to a finished review.
async fn go_to_review(app: &mut App, shot: bool) {
    app.click("#locations-next").await;
    app.wait_for_step("job").await;
    if shot {
        app.screenshot("job");
    }
    app.click("#job-next").await;
    app.wait_for_step("review").await;
    app.wait_for_plan().await;
}

fn pg_count(client: &mut postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).unwrap().get(0)
}

// The tests are plain #[test]s that drive the window inside their own async runtime and check
// the databases outside it: the PostgreSQL client is synchronous and must not run inside an
// async runtime.

#[test]
fn copy_sqlite_to_postgres_through_every_step() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("tasks app.db");
    sqlite_from(&source, COPY_APP);
    let db = TestDb::new();
    // A password in the URL (the test server does not check it): it must be masked in "What
    // next", and never remembered.
    let url = db
        .url()
        .replacen("postgres@", &format!("postgres:{E2E_PASSWORD}@"), 1);
    assert!(url.contains(E2E_PASSWORD), "{url}");
    let app = crate::support::runtime().block_on(copy_in_the_window(&source, &url, &db.name));

    // The report the page pointed at: saved once, owner-only, outcome committed.
    let reports = app.reports();
    assert_eq!(reports.len(), 1, "one report per run");
    assert_eq!(reports[0].to_str().unwrap(), app.shown_report_path);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&reports[0]).unwrap()).unwrap();
    assert_eq!(report["outcome"], "committed");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&reports[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // Independent SQL against the target.
    let mut pg = db.client();
    assert_eq!(pg_count(&mut pg, "SELECT count(*) FROM goals"), 3);
    assert_eq!(
        pg_count(&mut pg, "SELECT count(*) FROM tasks WHERE done"),
        2
    );
    assert_eq!(pg_count(&mut pg, "SELECT count(*) FROM notes"), 3);
    let types: Vec<(String, String)> = pg
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = 'tasks'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let ty = |c: &str| {
        types
            .iter()
            .find(|(n, _)| n == c)
            .map(|(_, t)| t.clone())
            .unwrap()
    };
    assert_eq!(
        (ty("done"), ty("tags"), ty("due_at"), ty("estimate")),
        (
            "boolean".into(),
            "jsonb".into(),
            "timestamp with time zone".into(),
            "numeric".into()
        )
    );
    let estimate: String = pg
        .query_one(
            "SELECT estimate::text FROM tasks WHERE title = 'Read the book'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(estimate, "12.50", "the type chosen on the Review step");
    let tags: serde_json::Value = pg
        .query_one("SELECT tags FROM tasks WHERE title = 'Buy shoes'", &[])
        .unwrap()
        .get(0);
    assert_eq!(tags, serde_json::json!({"size": 44}));
    let body: String = pg
        .query_one("SELECT body FROM notes WHERE id = 2", &[])
        .unwrap()
        .get(0);
    assert_eq!(body, "ünïcödé ✓");
    let fks = pg_count(
        &mut pg,
        "SELECT count(*) FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY' AND table_name = 'tasks'",
    );
    assert_eq!(fks, 1);
    // The sequence was set past the copied keys: a new row gets the next id.
    let next: i64 = pg
        .query_one(
            "INSERT INTO goals (title, created_at) VALUES ('new', now()) RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(next, 4);

    // Both choices were remembered for next time, without a password.
    let recent = std::fs::read_to_string(
        app.app
            .home
            .path()
            .join("config/dev.ferry.app/recent-locations.json"),
    )
    .unwrap();
    assert!(
        recent.contains("tasks app.db") && recent.contains(&db.name),
        "{recent}"
    );
    assert!(!recent.contains("password"), "{recent}");
    assert!(!recent.contains(E2E_PASSWORD), "{recent}");

    // "Open the report" asked for the page beside the JSON, "the reports folder" for its
    // folder; nothing else was opened.
    let pages = app.app.report_pages();
    assert_eq!(pages.len(), 1, "one page per run");
    assert_eq!(pages[0], reports[0].with_extension("html"));
    let page = std::fs::read_to_string(&pages[0]).unwrap();
    assert!(page.contains("Verified and committed") && !page.contains(E2E_PASSWORD));
    let canonical = |p: &Path| p.canonicalize().unwrap().display().to_string();
    assert_eq!(
        app.open_requests,
        serde_json::json!([
            {"what": "report", "path": canonical(&pages[0])},
            {"what": "folder_of", "path": canonical(pages[0].parent().unwrap())},
        ])
    );
}

/// What the copy test reads from the window, and the window itself (kept open until the
/// checks are done, so its data folder still exists).
struct Copied {
    app: App,
    shown_report_path: String,
    open_requests: serde_json::Value,
}

impl Copied {
    fn reports(&self) -> Vec<std::path::PathBuf> {
        self.app.reports()
    }
}

async fn copy_in_the_window(source: &Path, url: &str, db_name: &str) -> Copied {
    let mut app = App::start(Options {
        name: "copy",
        screen: (1100, 760),
        dark: false,
    })
    .await;
    app.screenshot("start");

    assert_every_control_is_labelled(&app).await;
    choose_sqlite_source(&app, source).await;

    // A database that does not exist: the answer says so in words, details behind a click.
    app.click("#target-kind-postgres").await;
    let missing = url.replace(db_name, &format!("{db_name}_missing"));
    app.type_into("#target-url", &missing).await;
    app.click("#target-test").await;
    app.wait_until(
        "the failed test",
        "return !!document.querySelector('#target-status .error')",
    )
    .await;
    let said = app.text("#target-status .error").await;
    assert!(
        said.contains("Cannot connect") && said.contains("does not exist"),
        "{said}"
    );
    app.screenshot("connection-error");

    choose_postgres_target(&app, url).await;
    let said = app.text("#target-status").await;
    assert!(
        said.contains(db_name) && said.contains("no tables yet"),
        "{said}"
    );
    app.screenshot("locations-tested");

    go_to_review(&mut app, true).await;
    assert_every_control_is_labelled(&app).await;
    let tables = app.js("return [...document.querySelectorAll('input[data-table]')].map(b => b.dataset.table + ':' + b.checked)", vec![]).await;
    let tables: Vec<&str> = tables
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    let at = |name: &str| {
        tables
            .iter()
            .position(|t| *t == name)
            .unwrap_or_else(|| panic!("{name} not listed: {tables:?}"))
    };
    assert_eq!(tables.len(), 3, "{tables:?}");
    assert!(
        at("goals:true") < at("tasks:true"),
        "load order puts parents first: {tables:?}"
    );
    at("notes:true");
    let review = app.text("#review-body").await;
    assert!(
        review.contains("5 rows") && review.contains("tasks"),
        "{review}"
    );
    assert!(
        !app.is_disabled("#review-next").await,
        "nothing blocks this copy"
    );
    // Open the column types of tasks: source type → target type; give one another type
    // (the CLI's --type), which plans again.
    app.click("li.table-item[data-table='tasks'] summary").await;
    let estimate =
        "li.table-item[data-table='tasks'] input[aria-label^='Target type for tasks.estimate ']";
    // Tab commits the field (Enter may go to the suggestion list).
    app.type_into(estimate, "numeric(12,2)\u{E004}").await;
    app.wait_until(
        "the plan with the new type",
        "return document.getElementById('review-busy').hidden && [...document.querySelectorAll(\"li.table-item[data-table='tasks'] td code\")].some(c => c.textContent === 'numeric(12,2)')",
    )
    .await;
    let types = app
        .text("li.table-item[data-table='tasks'] table.columns")
        .await;
    assert!(
        types.contains("BOOLEAN") && types.contains("boolean") && types.contains("jsonb"),
        "{types}"
    );
    app.screenshot("review");

    app.click("#review-next").await;
    app.wait_for_step("backup").await;
    let backup = app.text("#backup-summary").await;
    assert!(
        backup.starts_with("None needed"),
        "a new PostgreSQL schema needs no backup: {backup}"
    );
    app.screenshot("backup");

    app.click("#start").await;
    // Eleven rows can be copied and verified between two polls, so the progress step may
    // already be over (the cancel test watches progress on 600k rows).
    app.wait_until(
        "the progress or result step",
        "return ['progress', 'result'].includes(document.body.dataset.step)",
    )
    .await;
    app.screenshot("progress");
    app.wait_for_step("result").await;
    app.screenshot("result");

    let banner = app.text("#result-banner").await;
    assert!(banner.contains("Copied and verified"), "{banner}");
    let rows = app
        .js("return [...document.querySelectorAll('#verification tbody tr')].map(r => [...r.children].map(c => c.textContent.trim()).join('|'))", vec![])
        .await;
    assert_eq!(
        rows,
        serde_json::json!([
            "goals|3|3|✓ match|✓",
            "notes|3|3|✓ match|✓",
            "tasks|5|5|✓ match|✓"
        ])
    );
    let shown_report_path = app.text("#report-path").await;

    // What next: the URL to configure, its password masked, copied as shown.
    let connection = app.text("#next-connection").await;
    assert!(
        connection.starts_with("postgres://postgres:***@") && connection.contains(db_name),
        "{connection}"
    );
    assert!(!connection.contains(E2E_PASSWORD));
    assert!(app.text("#next-password-hint").await.contains("***"));
    app.click("#copy-connection").await;
    app.wait_until(
        "the copy to be confirmed",
        "return document.getElementById('connection-copied').textContent !== ''",
    )
    .await;
    let copied = app.text("#connection-copied").await;
    assert!(
        copied == "Copied, with *** where the password goes." || copied.starts_with("Selected"),
        "{copied}"
    );
    let main_text = app
        .js("return document.querySelector('main').innerText", vec![])
        .await;
    assert!(!main_text.as_str().unwrap().contains(E2E_PASSWORD));
    // No SQLite target and no backup: no folder buttons for them.
    let buttons = app
        .js(
            "return [...document.querySelectorAll('#what-next button')].map(b => b.id)",
            vec![],
        )
        .await;
    assert_eq!(
        buttons,
        serde_json::json!(["copy-connection", "open-reports-folder"])
    );
    app.screenshot("what-next");
    app.click("#open-report").await;
    app.click("#open-reports-folder").await;
    let open_requests = serde_json::Value::from(app.open_requests(2).await);

    // Another copy: the forms offer the choices just used (no password to offer).
    app.click("#again").await;
    app.wait_for_step("locations").await;
    let recent = app
        .js("return ['source', 'target'].map(r => [...document.querySelectorAll(`#${r}-recent option`)].slice(1).map(o => o.textContent))", vec![])
        .await;
    let recent: Vec<Vec<String>> = serde_json::from_value(recent).unwrap();
    assert!(
        recent[0].len() == 1 && recent[0][0].ends_with("tasks app.db"),
        "{recent:?}"
    );
    assert!(
        recent[1].len() == 1 && recent[1][0].contains(db_name),
        "{recent:?}"
    );
    app.screenshot("again-with-recent-choices");
    Copied {
        app,
        shown_report_path,
        open_requests,
    }
}

#[test]
fn cancelling_mid_copy_leaves_the_target_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("events.db");
    sqlite_from(&source, BIG_TABLE);
    let db = TestDb::new();
    let app = crate::support::runtime().block_on(cancel_in_the_window(&source, &db.url()));

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&app.reports()[0]).unwrap()).unwrap();
    assert_eq!(report["outcome"], "cancelled");
    let mut pg = db.client();
    let tables = pg_count(
        &mut pg,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    );
    assert_eq!(tables, 0, "a cancelled run must leave no table behind");
}

async fn cancel_in_the_window(source: &Path, url: &str) -> App {
    let mut app = App::start(Options {
        name: "cancel",
        screen: (1100, 760),
        dark: false,
    })
    .await;
    choose_sqlite_source(&app, source).await;
    choose_postgres_target(&app, url).await;
    go_to_review(&mut app, false).await;
    app.click("#review-next").await;
    app.wait_for_step("backup").await;
    app.click("#start").await;
    app.wait_for_step("progress").await;
    // Cancel once rows are moving: the copy is writing into the target's transaction.
    app.wait_until_for(
        "rows to be copied",
        "return Number(document.querySelector('#table-bars progress').value) > 0",
        Duration::from_secs(120),
    )
    .await;
    app.screenshot("copying");
    app.click("#cancel").await;
    app.screenshot("cancelling");
    app.wait_for_step("result").await;
    app.screenshot("cancelled");
    let banner = app.text("#result-banner").await;
    assert!(
        banner.contains("Cancelled — nothing was written"),
        "{banner}"
    );
    app
}

#[test]
fn a_blocking_finding_holds_the_copy_until_a_policy_is_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("bad.db");
    sqlite_from(&source, BAD_BOOLEAN);
    // An existing SQLite target: Ferry must back it up before replacing it.
    let target = dir.path().join("out.db");
    sqlite_from(
        &target,
        "CREATE TABLE old_stuff(x); INSERT INTO old_stuff VALUES (42);",
    );
    let (_app, shown_sha, backup_path) =
        crate::support::runtime().block_on(resolve_in_the_window(&source, &target));

    let sha = std::process::Command::new("sha256sum")
        .arg(&backup_path)
        .output()
        .unwrap();
    let sha = String::from_utf8(sha.stdout).unwrap();
    assert_eq!(
        sha.split_whitespace().next(),
        Some(shown_sha.as_str()),
        "the SHA-256 shown is the backup's"
    );
    let old = rusqlite::Connection::open(&backup_path).unwrap();
    let kept: i64 = old
        .query_row("SELECT x FROM old_stuff", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 42, "the backup holds the replaced file's data");

    let out = rusqlite::Connection::open(&target).unwrap();
    let rows: Vec<(i64, Option<i64>)> = out
        .prepare("SELECT id, done FROM tasks ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows, [(1, Some(1)), (2, Some(0)), (3, None), (4, Some(1))]);
}

/// Returns the window, the SHA-256 it showed for the backup, and the backup's path.
async fn resolve_in_the_window(source: &Path, target: &Path) -> (App, String, String) {
    // The smallest window the app allows, in dark mode.
    // Started as "Open with" would start it: the source file is the argument.
    let mut app = App::start_with(
        Options {
            name: "blocking",
            screen: (1024, 700),
            dark: true,
        },
        Launch {
            args: vec![source.display().to_string()],
            ..Launch::default()
        },
    )
    .await;
    app.resize(1024, 700).await;
    assert_eq!(
        app.js(
            "return document.getElementById('source-path').value",
            vec![]
        )
        .await,
        serde_json::json!(source.display().to_string()),
        "the file the app was opened with is the source"
    );
    assert!(app
        .text("#source-status")
        .await
        .contains("Opened with Ferry"));
    app.click("#source-test").await;
    app.wait_until(
        "the source test to succeed",
        "return !!document.querySelector('#source-status .ok') && document.querySelector('#source-status').textContent.includes('table')",
    )
    .await;

    // The target file dragged from the file manager onto the target field.
    app.drop_file("#loc-target", target, false).await;
    app.wait_until(
        "the drop highlight",
        "return document.getElementById('loc-target').classList.contains('drop-over')",
    )
    .await;
    app.screenshot("drop-hover");
    app.drop_file("#loc-target", target, true).await;
    app.wait_until(
        "the dropped path",
        &format!(
            "return document.getElementById('target-path').value === {}",
            serde_json::json!(target.display().to_string())
        ),
    )
    .await;
    assert!(
        !app.js(
            "return document.getElementById('loc-target').classList.contains('drop-over')",
            vec![]
        )
        .await
        .as_bool()
        .unwrap(),
        "the highlight goes with the drop"
    );
    assert_eq!(
        app.js(
            "return document.getElementById('source-path').value",
            vec![]
        )
        .await,
        serde_json::json!(source.display().to_string()),
        "a drop on the target leaves the source alone"
    );
    app.click("#target-test").await;
    app.wait_until(
        "the target test",
        "return !!document.querySelector('#target-status .ok')",
    )
    .await;
    app.screenshot("locations");
    go_to_review(&mut app, false).await;

    // Blocked: the finding names the row and value, Next is disabled and says what to do.
    assert!(
        app.is_disabled("#review-next").await,
        "a blocking finding must disable Next"
    );
    let blocked = app.text("#review-blocked").await;
    assert!(blocked.contains("1 finding must be resolved"), "{blocked}");
    let finding = app.text(".finding.blocking").await;
    assert!(
        finding.contains("tasks.done") && finding.contains("maybe") && finding.contains("3"),
        "{finding}"
    );
    app.screenshot("blocked");

    // Pick "Store NULL": the engine plans again and the finding is resolved.
    let options = app
        .js("return [...document.querySelectorAll('.finding.blocking select option')].map(o => o.value + '=' + o.textContent)", vec![])
        .await;
    let null_choice = options
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o.as_str())
        .find(|o| o.contains("Store NULL"))
        .unwrap_or_else(|| panic!("no NULL choice offered: {options}"))
        .split('=')
        .next()
        .unwrap()
        .to_string();
    app.select(".finding.blocking select", &null_choice).await;
    app.wait_until(
        "the plan with the policy",
        "return document.getElementById('review-busy').hidden && !!document.querySelector('.finding.resolved')",
    )
    .await;
    assert!(
        !app.is_disabled("#review-next").await,
        "the policy resolves the only finding"
    );
    assert!(app.text(".finding.resolved").await.contains("Resolved"));
    app.screenshot("resolved");

    app.click("#review-next").await;
    app.wait_for_step("backup").await;
    let backup = app.text("#backup-summary").await;
    assert!(
        backup.contains("out.db") && backup.contains("SHA-256"),
        "{backup}"
    );
    app.screenshot("backup");
    app.click("#start").await;
    app.wait_for_step("result").await;
    app.screenshot("result");

    assert!(app
        .text("#result-banner")
        .await
        .contains("Copied and verified"));
    let shown_sha = app.text("#backup-sha256").await;
    let backup_path = app.text("#backup-path").await;

    // What next for a SQLite target: its absolute path, nothing masked; its folder and the
    // backup's open (recorded, not launched).
    assert_eq!(
        app.text("#next-connection").await,
        target.display().to_string()
    );
    assert!(app
        .js(
            "return !document.getElementById('next-password-hint')",
            vec![]
        )
        .await
        .as_bool()
        .unwrap());
    app.click("#open-target-folder").await;
    app.click("#open-backup-folder").await;
    let requests = app.open_requests(2).await;
    let folder = |p: &Path| {
        p.parent()
            .unwrap()
            .canonicalize()
            .unwrap()
            .display()
            .to_string()
    };
    assert_eq!(
        serde_json::Value::from(requests),
        serde_json::json!([
            {"what": "folder_of", "path": folder(target)},
            {"what": "folder_of", "path": folder(Path::new(&backup_path))},
        ])
    );
    (app, shown_sha, backup_path)
}

const PROMOTE_SHARED: &str = include_str!("../fixtures/promote_shared.sql");

/// `data-class` of a table's row on the Review step's "Who owns what".
const CLASS_OF: &str = "const li = document.querySelector(`#tenancy-tables li[data-table=\"${arguments[0]}\"]`); return li ? li.dataset.class : null;";

async fn class_of(app: &App, table: &str) -> serde_json::Value {
    app.js(CLASS_OF, vec![serde_json::json!(table)]).await
}

/// Scrolls `css` to the top of the view, which also makes the window paint its latest state
/// before a screenshot.
async fn show(app: &App, css: &str) {
    app.js(
        "document.querySelector(arguments[0]).scrollIntoView({ block: 'start' }); return true;",
        vec![serde_json::json!(css)],
    )
    .await;
}

/// Clicks the Owned/Shared switch of `table` and waits for the new plan to show it.
async fn switch_class(app: &App, table: &str, class: &str) {
    app.click(&format!(
        "#tenancy-tables input[data-table=\"{table}\"][value=\"{class}\"]"
    ))
    .await;
    app.wait_until(
        &format!("{table} to be planned {class}"),
        &format!(
            "return document.getElementById('review-busy').hidden && document.querySelector('#tenancy-tables li[data-table=\"{table}\"]')?.dataset.class === '{class}'"
        ),
    )
    .await;
}

#[test]
fn the_review_step_classifies_promotes_tables_and_a_switch_makes_one_shared() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("shared.db");
    sqlite_from(&source, PROMOTE_SHARED);
    let db = TestDb::new();
    crate::support::runtime().block_on(async {
        let mut app = App::start(Options {
            name: "promote-classification",
            screen: (1100, 1000),
            dark: false,
        })
        .await;
        choose_sqlite_source(&app, &source).await;
        choose_postgres_target(&app, &db.url()).await;
        app.click("#locations-next").await;
        app.wait_for_step("job").await;
        app.click("#job-promote").await;
        app.type_into("#admin-email", "owner@example.com").await;
        // Supabase always has row-level security: the box shows it, and comes back as it was.
        app.select("#target-profile", "supabase").await;
        let forced = app
            .js("const b = document.getElementById('row-level-security'); return [b.checked, b.disabled]", vec![])
            .await;
        assert_eq!(forced, serde_json::json!([true, true]), "Supabase forces RLS");
        app.select("#target-profile", "plain").await;
        let restored = app
            .js("const b = document.getElementById('row-level-security'); return [b.checked, b.disabled]", vec![])
            .await;
        assert_eq!(restored, serde_json::json!([false, false]), "Plain gives the choice back");
        assert_controls_are_labelled(&app).await;
        show(&app, "#promote-form").await;
        app.screenshot("job-promote-options");
        app.click("#job-next").await;
        app.wait_for_step("review").await;
        app.wait_for_plan().await;

        // Every table with its class and why; the users table Promote creates has no switch.
        for (table, class) in [
            ("users", "users"),
            ("categories", "owned"),
            ("goals", "owned"),
            ("tasks", "owned"),
        ] {
            assert_eq!(class_of(&app, table).await, class, "{table}");
        }
        let users = app.text("#tenancy-tables li[data-table=\"users\"]").await;
        assert!(users.contains("Users table"), "{users}");
        let switches = app
            .js("return document.querySelectorAll('#tenancy-tables input[data-table=\"users\"]').length", vec![])
            .await;
        assert_eq!(switches, 0, "the users table cannot be switched");
        // The lookup table is suggested as shared, beside it, and not decided for the person.
        let categories = app
            .text("#tenancy-tables li[data-table=\"categories\"]")
            .await;
        assert!(
            categories.contains("Looks shared") && categories.contains("referenced by tasks"),
            "{categories}"
        );
        let goals = app.text("#tenancy-tables li[data-table=\"goals\"]").await;
        assert!(!goals.contains("Looks shared"), "250 goals are not reference data: {goals}");
        // Uniques of owned tables are scoped by the owner.
        let uniques = app.text("#scoped-uniques").await;
        assert!(
            uniques.contains("goals: UNIQUE (title) → UNIQUE (user_id, title)"),
            "{uniques}"
        );
        assert!(
            uniques.contains("categories: UNIQUE (name) → UNIQUE (user_id, name)"),
            "{uniques}"
        );
        assert_controls_are_labelled(&app).await;
        show(&app, "#tenancy").await;
        app.screenshot("classification");

        // The switch re-plans: categories is shared, its unique stays global.
        switch_class(&app, "categories", "shared").await;
        let badge = app
            .text("#tenancy-tables li[data-table=\"categories\"] .class-badge")
            .await;
        assert_eq!(badge, "Shared");
        let categories = app
            .text("#tenancy-tables li[data-table=\"categories\"]")
            .await;
        assert!(categories.contains("you switched it to Shared"), "{categories}");
        assert!(!categories.contains("Looks shared"), "no suggestion once shared: {categories}");
        let uniques = app.text("#scoped-uniques").await;
        assert!(!uniques.contains("categories"), "{uniques}");
        assert!(uniques.contains("goals"), "{uniques}");
        assert!(!app.is_disabled("#review-next").await, "nothing blocks");
        show(&app, "#tenancy").await;
        app.screenshot("categories-shared");

        // A shared table referring to an owned one blocks, with the two ways out as choices.
        switch_class(&app, "tasks", "shared").await;
        assert!(app.is_disabled("#review-next").await, "the finding blocks");
        let blocked = app.text("#review-blocked").await;
        assert!(
            blocked.contains("switch tables to Owned or Shared under “Who owns what”"),
            "{blocked}"
        );
        let finding = app.text(".finding.blocking").await;
        assert!(finding.contains("goals"), "{finding}");
        let choices = app
            .js("return [...document.querySelectorAll('.finding.blocking select option')].map(o => o.textContent)", vec![])
            .await;
        assert_eq!(
            choices,
            serde_json::json!([
                "Stop: I will change the classification myself",
                "Make goals shared too",
                "Keep tasks owned: each user has their own rows"
            ]),
        );
        show(&app, ".finding-group.blocking").await;
        app.screenshot("shared-refers-to-owned");
        let keep_owned = app
            .js("return [...document.querySelectorAll('.finding.blocking select option')].find(o => o.textContent.startsWith('Keep')).value", vec![])
            .await;
        app.select(".finding.blocking select", keep_owned.as_str().unwrap())
            .await;
        app.wait_until(
            "tasks to be owned again",
            "return document.getElementById('review-busy').hidden && document.querySelector('#tenancy-tables li[data-table=\"tasks\"]')?.dataset.class === 'owned'",
        )
        .await;
        assert!(!app.is_disabled("#review-next").await, "resolved");
        assert_eq!(class_of(&app, "categories").await, "shared", "kept");
        show(&app, "#tenancy").await;
        app.screenshot("resolved");

        // A shared table left out of the run is no longer shared: the new plan is accepted.
        app.click("input[type=checkbox][data-table=\"categories\"]").await;
        app.wait_until(
            "the plan without categories",
            "return document.getElementById('review-busy').hidden && !document.querySelector('#tenancy-tables li[data-table=\"categories\"]')",
        )
        .await;
        let error = app.text("#review-error").await;
        assert_eq!(error, "", "leaving out a shared table is a valid choice");
        let shared = app.js("return document.querySelectorAll('#tenancy-tables li[data-class=\"shared\"]').length", vec![]).await;
        assert_eq!(shared, 0, "nothing is shared any more");
    });
}

const DJANGO_PG: &str = include_str!("../fixtures/django_shaped_pg.sql");
const DJANGO_SQLITE: &str = include_str!("../fixtures/django_shaped_sqlite.sql");

/// Issue 10's app part: a Django project's SQLite file into the schema Django's `migrate`
/// made. The Job step names the framework (and changes its words when the box is ticked),
/// the Review step lists the replaced tables with why, the Backup step the target rows that
/// go; the run then leaves the source's ids in the seeded tables.
#[test]
fn a_django_move_shows_the_framework_the_replaced_tables_and_the_rows_that_go() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("db.sqlite3");
    sqlite_from(&source, DJANGO_SQLITE);
    let db = TestDb::new();
    db.client().batch_execute(DJANGO_PG).unwrap();
    let url = db.url();
    let (job_line, review_list, backup_rows, banner) =
        crate::support::runtime().block_on(async {
            let mut app = App::start(Options {
                name: "django-framework",
                screen: (1100, 900),
                dark: false,
            })
            .await;
            choose_sqlite_source(&app, &source).await;
            choose_postgres_target(&app, &url).await;
            app.click("#locations-next").await;
            app.wait_for_step("job").await;
            app.wait_until(
                "the framework line",
                "return document.getElementById('framework-line').textContent.startsWith('Framework: Django')",
            )
            .await;
            let unticked = app.text("#framework-line").await;
            assert!(
                unticked.contains("once “Load into tables that already exist” is ticked"),
                "{unticked}"
            );
            assert!(app.is_disabled("#replace").await, "replacing needs the box");
            app.click("#into-existing").await;
            app.wait_until(
                "the framework line for an existing schema",
                "return document.getElementById('framework-line').dataset.convention === 'django' && !document.getElementById('framework-line').classList.contains('pending')",
            )
            .await;
            app.type_into("#replace", "shop_category").await;
            assert_controls_are_labelled(&app).await;
            show(&app, "#framework-line").await;
            app.screenshot("job-framework");
            let job_line = app.text("#framework-line").await;

            app.click("#job-next").await;
            app.wait_for_step("review").await;
            app.wait_for_plan().await;
            assert!(!app.is_disabled("#review-next").await, "nothing blocks");
            show(&app, "#replaced").await;
            app.screenshot("review-replaced");
            let review_list = app.text("#replaced-tables").await;

            app.click("#review-next").await;
            app.wait_for_step("backup").await;
            show(&app, "#replaced-rows").await;
            app.screenshot("backup-replaced-rows");
            let backup_rows = app.text("#replaced-rows").await;

            app.click("#start").await;
            app.wait_for_step("result").await;
            app.screenshot("result");
            (job_line, review_list, backup_rows, app.text("#result-banner").await)
        });

    assert_eq!(
        job_line,
        "Framework: Django (found table django_migrations in the target) — storage convention django"
    );
    for words in [
        "django_content_type (5 rows from the source) — Django's migrate seeds it (post_migrate create_contenttypes)",
        "auth_permission (6 rows from the source) — Django's migrate seeds it (post_migrate create_permissions)",
        "django_migrations (6 rows from the source) — Django's record of applied migrations",
        "shop_category (2 rows from the source) — you named it under “Replace the rows of these tables”",
    ] {
        assert!(review_list.contains(words), "{words:?} not in {review_list}");
    }
    for words in [
        "These target rows will be replaced",
        "django_content_type: the target’s 4 rows now → the source’s 5 rows",
        "auth_permission: the target’s 4 rows now → the source’s 6 rows",
        "shop_category: the target’s 1 row now → the source’s 2 rows",
    ] {
        assert!(
            backup_rows.contains(words),
            "{words:?} not in {backup_rows}"
        );
    }
    assert!(banner.contains("verified"), "{banner}");
    let mut pg = db.client();
    assert_eq!(
        pg_count(
            &mut pg,
            "SELECT count(*) FROM django_content_type WHERE id = 4 AND model = 'coupon'"
        ),
        1,
        "the source's ids replaced the target's"
    );
    assert_eq!(pg_count(&mut pg, "SELECT count(*) FROM shop_product"), 3);
}
