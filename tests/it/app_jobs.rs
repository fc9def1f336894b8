//! End-to-end tests of the Promote and Extract screens in the real window (machinery in
//! `support/mod.rs`), checked afterwards with independent SQL: the temporary password read
//! from the panel against the bcrypt hash PostgreSQL stores, and the extracted SQLite file.
//! Screenshots land in `<target dir>/e2e-screenshots/<test>/`.

use std::path::Path;

use crate::support::{assert_controls_are_labelled, sqlite_from, App, Options};
use ferry_testkit::TestDb;

/// The engine's reference fixtures for these jobs (one source of truth for what they hold).
const PROMOTE_TASKS: &str = include_str!("../../crates/engine/tests/fixtures/promote_tasks.sql");
const EXTRACT_PRACTICE: &str =
    include_str!("../../crates/engine/tests/fixtures/extract_practice.sql");
const ADMIN: &str = "owner@example.com";
const ALICE: &str = "alice@example.com";

async fn test_side(app: &App, role: &str) {
    app.click(&format!("#{role}-test")).await;
    app.wait_until(
        &format!("the {role} test to succeed"),
        &format!("return !!document.querySelector('#{role}-status .ok')"),
    )
    .await;
}

async fn choose_sqlite(app: &App, role: &str, path: &Path) {
    app.type_into(&format!("#{role}-path"), path.to_str().unwrap())
        .await;
    test_side(app, role).await;
}

async fn choose_postgres(app: &App, role: &str, url: &str) {
    app.click(&format!("#{role}-kind-postgres")).await;
    app.type_into(&format!("#{role}-url"), url).await;
    test_side(app, role).await;
}

/// From the Job step's Next to the Result step, with no error on the way.
async fn review_and_run(app: &mut App, name: &str) {
    app.click("#job-next").await;
    app.wait_for_step("review").await;
    app.wait_for_plan().await;
    assert!(
        !app.is_disabled("#review-next").await,
        "nothing blocks {name}"
    );
    app.screenshot("review");
    app.click("#review-next").await;
    app.wait_for_step("backup").await;
    let start = app.text("#start").await;
    assert_eq!(start, format!("Start {name}"));
    app.click("#start").await;
    app.wait_for_step("result").await;
}

fn visible(app_js: &serde_json::Value) -> bool {
    app_js.as_bool() == Some(true)
}

#[test]
fn promote_shows_the_admin_password_once_and_it_matches_the_stored_hash() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("tasks.db");
    sqlite_from(&source, PROMOTE_TASKS);
    let db = TestDb::new();
    let (app, password) = crate::support::runtime().block_on(async {
        let mut app = App::start(Options {
            name: "promote",
            screen: (1100, 860),
            dark: false,
        })
        .await;
        choose_sqlite(&app, "source", &source).await;
        choose_postgres(&app, "target", &db.url()).await;
        app.click("#locations-next").await;
        app.wait_for_step("job").await;
        assert!(
            visible(&app.js("return document.getElementById('promote-form').hidden", vec![]).await),
            "the Promote form waits for its radio button"
        );
        // The job is chosen with the keyboard: the radio group moves with the arrow keys.
        app.client
            .find(fantoccini::Locator::Css("#job-copy"))
            .await
            .unwrap()
            .send_keys("\u{E015}")
            .await
            .unwrap();
        let chosen = app
            .js("return document.querySelector('input[name=job]:checked').value", vec![])
            .await;
        assert_eq!(chosen, "promote", "ArrowDown from Copy chooses Promote");
        assert!(
            visible(&app.js("return !document.getElementById('promote-form').hidden && document.getElementById('extract-form').hidden", vec![]).await),
            "Promote's form, and only it"
        );
        // The source time zone is preset to this machine's.
        let zone = app.js("return document.getElementById('timezone').value", vec![]).await;
        let button = app.text("#use-local-zone").await;
        assert!(
            button.contains(&format!("({})", zone.as_str().unwrap())),
            "{zone} vs {button}"
        );
        assert_controls_are_labelled(&app).await;
        app.type_into("#admin-email", ADMIN).await;
        app.select("#password-hash", "bcrypt").await;
        app.click("#fill-updated-at").await;
        app.screenshot("job-promote");
        // The fixture's naive times include a DST gap and fold in Europe/Berlin; UTC has none,
        // whatever zone this machine is in.
        app.type_into("#timezone", "UTC").await;

        review_and_run(&mut app, "Promote").await;
        let banner = app.text("#result-banner").await;
        assert!(banner.contains("Promoted and verified"), "{banner}");
        let checks = app.text("#checks").await;
        assert!(checks.contains('✓') && !checks.contains('✗'), "{checks}");
        let password = app.text("#temporary-password").await;
        assert!(password.len() >= 12, "a real password: {password:?}");
        // What next: who signs in, and where the app now points (no password in it).
        let admin = app.text("#next-admin").await;
        assert!(admin.contains(ADMIN), "{admin}");
        let connection = app.text("#next-connection").await;
        assert!(connection.starts_with("postgres://"), "{connection}");
        assert!(!connection.contains(&password));
        app.screenshot("password-panel");

        // Copy answers either way: copied, or selected for Ctrl+C where the clipboard is
        // not reachable (as under Xvfb without a clipboard manager).
        app.click("#copy-password").await;
        app.wait_until_for(
            "the Copy button's answer",
            "return document.getElementById('password-copied').textContent !== ''",
            std::time::Duration::from_secs(10),
        )
        .await;
        let copied = app.text("#password-copied").await;
        assert!(
            copied.starts_with("Copied") || copied.starts_with("Selected"),
            "{copied}"
        );
        app.click("#password-saved").await;
        let gone = app
            .js(
                "return !document.getElementById('password-panel') && !document.body.innerHTML.includes(arguments[0])",
                vec![serde_json::json!(password)],
            )
            .await;
        assert!(visible(&gone), "the password is gone from the page");
        app.screenshot("password-dismissed");
        (app, password)
    });

    // The password the panel showed is the admin's, by the hash PostgreSQL holds.
    let mut pg = db.client();
    let rows = pg
        .query(
            "SELECT password_hash FROM users WHERE email = $1",
            &[&ADMIN],
        )
        .unwrap();
    assert_eq!(rows.len(), 1, "one admin");
    let hash: String = rows[0].get(0);
    assert!(hash.starts_with("$2b$"), "{hash}");
    assert!(
        bcrypt::verify(&password, &hash).unwrap(),
        "the shown password"
    );
    assert!(!bcrypt::verify(format!("{password}x"), &hash).unwrap());
    let owned: i64 = pg
        .query_one(
            "SELECT count(*) FROM tasks WHERE user_id = (SELECT id FROM users WHERE email = $1)",
            &[&ADMIN],
        )
        .unwrap()
        .get(0);
    let all: i64 = pg
        .query_one("SELECT count(*) FROM tasks", &[])
        .unwrap()
        .get(0);
    assert!(
        all > 0 && owned == all,
        "every task is the admin's: {owned}/{all}"
    );

    // The saved report says committed and does not hold the password.
    let reports = app.reports();
    assert_eq!(reports.len(), 1);
    let text = std::fs::read_to_string(&reports[0]).unwrap();
    assert!(text.contains("\"committed\""), "{text}");
    assert!(!text.contains(&password), "the report holds the password");
}

#[test]
fn extract_picks_the_user_from_the_list() {
    let db = TestDb::new();
    db.client().batch_execute(EXTRACT_PRACTICE).unwrap();
    let emails: Vec<String> = db
        .client()
        .query("SELECT email FROM users ORDER BY email", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("alice.db");
    let _app = crate::support::runtime().block_on(async {
        let mut app = App::start(Options {
            name: "extract",
            screen: (1100, 860),
            dark: false,
        })
        .await;
        choose_postgres(&app, "source", &db.url()).await;
        choose_sqlite(&app, "target", &target).await;
        app.click("#locations-next").await;
        app.wait_for_step("job").await;
        app.click("#job-extract").await;
        app.wait_until(
            "the user list",
            "return document.querySelectorAll('#user-list option').length > 0",
        )
        .await;
        let listed = app
            .js(
                "return [...document.querySelectorAll('#user-list option')].map(o => o.value)",
                vec![],
            )
            .await;
        assert_eq!(listed, serde_json::json!(emails), "every user, sorted");
        let owners = app.text("#owner-columns").await;
        assert!(
            owners.contains("clients.user_id") && owners.contains("charts.user_id"),
            "{owners}"
        );
        assert!(!owners.contains("invited_by"), "{owners}");
        assert_controls_are_labelled(&app).await;
        app.screenshot("extract-user-list");

        // Picked in the full list, then found again by searching (case does not matter).
        app.select("#user-list", "bob@example.com").await;
        app.select("#user-list", ALICE).await;
        let picked = app
            .js("return document.getElementById('user-list').value", vec![])
            .await;
        assert_eq!(picked, ALICE);
        app.type_into("#user-search", "ALICE@").await;
        app.wait_until(
            "the search to narrow the list",
            "return document.querySelectorAll('#user-list option').length === 1",
        )
        .await;
        let chosen = app
            .js("return document.getElementById('user-list').value", vec![])
            .await;
        assert_eq!(chosen, ALICE, "the only match is chosen");
        app.screenshot("extract-search");

        review_and_run(&mut app, "Extract").await;
        let banner = app.text("#result-banner").await;
        assert!(banner.contains("Extracted and verified"), "{banner}");
        assert!(
            visible(
                &app.js("return !document.getElementById('password-panel')", vec![])
                    .await
            ),
            "no password panel after Extract"
        );
        app.screenshot("extract-result");
        app
    });

    let conn = rusqlite::Connection::open(&target).unwrap();
    let config: Vec<String> = conn
        .prepare("SELECT email FROM app_config")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(config, [ALICE], "app_config is alice's one row");
    let alices_clients: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM clients WHERE user_id = (SELECT id FROM users WHERE email = $1)",
            &[&ALICE],
        )
        .unwrap()
        .get(0);
    let copied: i64 = conn
        .query_row("SELECT count(*) FROM clients", [], |r| r.get(0))
        .unwrap();
    assert!(
        copied > 0 && copied <= alices_clients,
        "{copied}/{alices_clients}"
    );
}

/// Promote's classification fixture (tests/fixtures/promote_shared.sql).
const PROMOTE_SHARED: &str = include_str!("../fixtures/promote_shared.sql");

/// The `RunRequest` the page sends for a Promote of `source` into `url` (request.rs).
fn promote_request(source: &Path, url: &str, promote: serde_json::Value) -> serde_json::Value {
    let mut form = serde_json::json!({ "admin_email": ADMIN });
    form.as_object_mut()
        .unwrap()
        .extend(promote.as_object().unwrap().clone());
    serde_json::json!({
        "source": { "kind": "sqlite", "path": source },
        "target": { "kind": "postgres_url", "url": url },
        "job": "promote",
        "promote": form,
    })
}

/// `table → class` of a plan's or report's `tenancy`.
fn classes(tenancy: &serde_json::Value) -> Vec<(String, String)> {
    tenancy["tables"]
        .as_array()
        .unwrap_or_else(|| panic!("no classification in {tenancy}"))
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_string(),
                t["class"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn columns_of(pg: &mut postgres::Client, table: &str) -> Vec<String> {
    pg.query(
        "SELECT column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn a_table_the_page_marks_shared_is_planned_shared_and_the_report_keeps_the_classification() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("shared.db");
    sqlite_from(&source, PROMOTE_SHARED);
    let db = TestDb::new();
    let (plan, report) = crate::support::runtime().block_on(async {
        let app = App::start(Options {
            name: "promote-shared-commands",
            screen: (1100, 860),
            dark: false,
        })
        .await;
        // The default first: every table owned, and the lookup table suggested as shared.
        let owned = promote_request(&source, &db.url(), serde_json::json!({}));
        let review = app
            .invoke(
                "plan",
                serde_json::json!({ "request": owned, "progress": "channel" }),
            )
            .await
            .unwrap_or_else(|e| panic!("the default Promote does not plan: {e}"));
        let tenancy = &review["plan"]["tenancy"];
        assert!(
            classes(tenancy).contains(&("categories".into(), "owned".into())),
            "{tenancy}"
        );
        let categories = tenancy["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == "categories")
            .unwrap();
        let suggestion = categories["suggest_shared"].as_str().unwrap_or_default();
        assert!(suggestion.contains("tasks"), "{categories}");

        let shared = promote_request(
            &source,
            &db.url(),
            serde_json::json!({ "shared_tables": ["categories"] }),
        );
        let review = app
            .invoke(
                "plan",
                serde_json::json!({ "request": shared, "progress": "channel" }),
            )
            .await
            .unwrap_or_else(|e| panic!("the Promote with a shared table does not plan: {e}"));
        assert_eq!(review["blocking"], 0, "{}", review["plan"]["findings"]);
        let outcome = app
            .invoke(
                "start_run",
                serde_json::json!({ "request": shared, "progress": "channel" }),
            )
            .await
            .unwrap_or_else(|e| panic!("the run did not start: {e}"));
        assert!(outcome["error"].is_null(), "{}", outcome["error"]);
        (review["plan"].clone(), outcome["report"].clone())
    });

    let planned = classes(&plan["tenancy"]);
    for (table, class) in [
        ("users", "users"),
        ("categories", "shared"),
        ("goals", "owned"),
        ("tasks", "owned"),
    ] {
        assert!(
            planned.contains(&(table.into(), class.into())),
            "{table} is {class} in {planned:?}"
        );
    }
    assert_eq!(report["outcome"], "committed");
    assert_eq!(
        classes(&report["tenancy"]),
        planned,
        "the report keeps what the plan showed"
    );

    // Independently: the shared table has no owner column, the owned ones have it.
    let mut pg = db.client();
    assert!(!columns_of(&mut pg, "categories").contains(&"user_id".into()));
    for owned in ["goals", "tasks"] {
        assert!(
            columns_of(&mut pg, owned).contains(&"user_id".into()),
            "{owned}: {:?}",
            columns_of(&mut pg, owned)
        );
    }
    let categories: i64 = pg
        .query_one("SELECT count(*) FROM categories", &[])
        .unwrap()
        .get(0);
    assert_eq!(categories, 4, "every shared row is copied");
}

#[test]
fn row_level_security_chosen_on_the_form_creates_the_policies_the_result_lists() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("shared.db");
    sqlite_from(&source, PROMOTE_SHARED);
    let db = TestDb::new();
    let _app = crate::support::runtime().block_on(async {
        let mut app = App::start(Options {
            name: "promote-rls",
            screen: (1100, 1000),
            dark: false,
        })
        .await;
        choose_sqlite(&app, "source", &source).await;
        choose_postgres(&app, "target", &db.url()).await;
        app.click("#locations-next").await;
        app.wait_for_step("job").await;
        app.click("#job-promote").await;
        app.type_into("#admin-email", ADMIN).await;
        app.click("#row-level-security").await;
        app.click("#job-next").await;
        app.wait_for_step("review").await;
        app.wait_for_plan().await;
        let planned = app.text("#planned-policies").await;
        assert!(planned.contains("4 policies will be created"), "{planned}");
        // categories becomes shared reference data: readable by all, written by no session.
        app.click("#tenancy-tables input[data-table=\"categories\"][value=\"shared\"]")
            .await;
        app.wait_until(
            "categories to be planned shared",
            "return document.getElementById('review-busy').hidden && document.querySelector('#tenancy-tables li[data-table=\"categories\"]')?.dataset.class === 'shared'",
        )
        .await;
        app.click("#review-next").await;
        app.wait_for_step("backup").await;
        app.click("#start").await;
        app.wait_for_step("result").await;
        let banner = app.text("#result-banner").await;
        assert!(banner.contains("Promoted and verified"), "{banner}");

        let listed = app
            .js(
                "return [...document.querySelectorAll('#policies li')].map(li => li.querySelector('summary').textContent)",
                vec![],
            )
            .await;
        let mut listed: Vec<String> = serde_json::from_value(listed).unwrap();
        listed.sort();
        assert_eq!(
            listed,
            [
                "categories — ferry_shared_read",
                "goals — ferry_owner_rw",
                "tasks — ferry_owner_rw",
                "users — ferry_self_read",
            ]
        );
        let summary = app.text("#policies > p").await;
        assert!(
            summary.contains("Owned: goals, tasks") && summary.contains("Shared (readable by all): categories"),
            "{summary}"
        );
        // The SQL is folded away until asked for, and is what ran.
        let goals = "#policies li[data-table=\"goals\"]";
        let open = app
            .js(&format!("return document.querySelector('{goals} details').open"), vec![])
            .await;
        assert_eq!(open, false, "folded");
        app.click(&format!("{goals} summary")).await;
        let sql = app.text(&format!("{goals} pre")).await;
        assert!(
            sql.starts_with("CREATE POLICY") && sql.contains("app.user_id"),
            "{sql}"
        );
        app.js(
            "document.getElementById('policies').scrollIntoView({ block: 'start' }); return true;",
            vec![],
        )
        .await;
        app.screenshot("policies");
        app
    });

    // Independently: the policies exist in PostgreSQL and RLS is on for every table.
    let mut pg = db.client();
    let policies: Vec<(String, String)> = pg
        .query(
            "SELECT tablename::text, policyname::text FROM pg_policies
             WHERE schemaname = 'public' ORDER BY tablename",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        policies,
        [
            ("categories".into(), "ferry_shared_read".into()),
            ("goals".into(), "ferry_owner_rw".into()),
            ("tasks".into(), "ferry_owner_rw".into()),
            ("users".into(), "ferry_self_read".into()),
        ]
    );
    let unprotected: i64 = pg
        .query_one(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relrowsecurity",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(unprotected, 0, "row-level security is on for every table");
}

#[test]
fn the_supabase_profile_reaches_the_engine_which_refuses_a_plain_database_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("shared.db");
    sqlite_from(&source, PROMOTE_SHARED);
    let db = TestDb::new();
    let refusal = crate::support::runtime().block_on(async {
        let app = App::start(Options {
            name: "promote-supabase-refused",
            screen: (1100, 860),
            dark: false,
        })
        .await;
        let request = promote_request(
            &source,
            &db.url(),
            serde_json::json!({ "profile": "supabase" }),
        );
        app.invoke(
            "plan",
            serde_json::json!({ "request": request, "progress": "channel" }),
        )
        .await
        .expect_err("a database without Supabase's auth schema is not a Supabase target")
    });
    assert_eq!(refusal["kind"], "bad_input", "{refusal}");
    let message = refusal["message"].as_str().unwrap();
    assert!(message.contains("not a Supabase database"), "{message}");
    // Refused while planning: nothing was written.
    let tables: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0);
}

/// A Django project's two databases (tests/fixtures/django_shaped_*.sql): the PostgreSQL one
/// right after `migrate`, the SQLite one with a history that gave its ids other meanings.
const DJANGO_PG: &str = include_str!("../fixtures/django_shaped_pg.sql");
const DJANGO_SQLITE: &str = include_str!("../fixtures/django_shaped_sqlite.sql");

/// The `RunRequest` of a Copy from `source` into the existing schema at `url`.
fn into_existing_request(source: &Path, url: &str, more: serde_json::Value) -> serde_json::Value {
    let mut request = serde_json::json!({
        "source": { "kind": "sqlite", "path": source },
        "target": { "kind": "postgres_url", "url": url },
        "into_existing": true,
    });
    request
        .as_object_mut()
        .unwrap()
        .extend(more.as_object().unwrap().clone());
    request
}

/// `table → (target rows, source rows, why)` of a review's replaced tables.
fn replaced(review: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    let mut list: Vec<_> = review["replaced"]
        .as_array()
        .unwrap_or_else(|| panic!("no replaced tables in {review}"))
        .iter()
        .map(|r| {
            (
                r["table"].as_str().unwrap().to_string(),
                r["target_rows"].as_u64().unwrap(),
                r["source_rows"].as_u64().unwrap(),
                r["why"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    list.sort();
    list
}

fn ids_and_names(pg: &mut postgres::Client, sql: &str) -> String {
    pg.query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn a_django_target_is_planned_as_django_and_its_seeded_and_named_tables_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("db.sqlite3");
    sqlite_from(&source, DJANGO_SQLITE);
    let db = TestDb::new();
    db.client().batch_execute(DJANGO_PG).unwrap();
    let url = db.url();
    let (framework, unticked, without_replace, review, bad_convention, outcome) =
        crate::support::runtime().block_on(async {
            let app = App::start(Options {
                name: "django-commands",
                screen: (1100, 860),
                dark: false,
            })
            .await;
            let request = into_existing_request(&source, &url, serde_json::json!({}));
            let framework = app
                .invoke(
                    "detect_framework",
                    serde_json::json!({ "request": request }),
                )
                .await
                .unwrap_or_else(|e| panic!("no framework line: {e}"));
            let mut unticked = request.clone();
            unticked["into_existing"] = false.into();
            let unticked = app
                .invoke(
                    "detect_framework",
                    serde_json::json!({ "request": unticked }),
                )
                .await
                .unwrap_or_else(|e| panic!("no framework line: {e}"));
            // Django's seeded tables are replaced without being named; the shop's data
            // migration's category is not a seeded table: loading it needs the person's word.
            let without_replace = app
                .invoke(
                    "plan",
                    serde_json::json!({ "request": request, "progress": "channel" }),
                )
                .await
                .expect_err("a non-empty shop_category is neither appended nor replaced silently");
            let request = into_existing_request(
                &source,
                &url,
                serde_json::json!({ "replace": ["shop_category"] }),
            );
            let review = app
                .invoke(
                    "plan",
                    serde_json::json!({ "request": request, "progress": "channel" }),
                )
                .await
                .unwrap_or_else(|e| panic!("the Django move does not plan: {e}"));
            let bogus =
                into_existing_request(&source, &url, serde_json::json!({ "conventions": "cobol" }));
            let bad_convention = app
                .invoke(
                    "plan",
                    serde_json::json!({ "request": bogus, "progress": "channel" }),
                )
                .await
                .expect_err("an unknown convention is refused");
            let outcome = app
                .invoke(
                    "start_run",
                    serde_json::json!({ "request": request, "progress": "channel" }),
                )
                .await
                .unwrap_or_else(|e| panic!("the run did not start: {e}"));
            (
                framework,
                unticked,
                without_replace,
                review,
                bad_convention,
                outcome,
            )
        });

    assert_eq!(framework["framework"], "django", "{framework}");
    assert_eq!(
        framework["line"],
        "Framework: Django (found table django_migrations in the target) — storage convention django"
    );
    let line = unticked["line"].as_str().unwrap();
    assert!(
        line.contains("once “Load into tables that already exist” is ticked"),
        "{line}"
    );

    let message = without_replace["message"].as_str().unwrap();
    assert!(
        message.contains("target table 'shop_category' already has 1 row(s)"),
        "{message}"
    );

    let plan = &review["plan"];
    assert_eq!(plan["framework"]["convention"], "django", "{plan}");
    assert_eq!(
        plan["framework"]["because"],
        "detected: table django_migrations in the target"
    );
    assert_eq!(review["blocking"], 0, "{}", plan["findings"]);
    let replaced = replaced(&review);
    let counts: Vec<(&str, u64, u64)> = replaced
        .iter()
        .map(|(t, target, source, _)| (t.as_str(), *target, *source))
        .collect();
    assert_eq!(
        counts,
        [
            ("auth_permission", 4, 6),
            ("django_content_type", 4, 5),
            ("django_migrations", 4, 6),
            ("shop_category", 1, 2),
        ]
    );
    assert!(
        replaced[1].3.starts_with("Django's migrate seeds it"),
        "{replaced:?}"
    );
    assert_eq!(
        replaced[3].3,
        "you named it under “Replace the rows of these tables”"
    );
    let effects = plan["writes"]["effects"].to_string();
    assert!(effects.contains("shop_category (1 row(s))"), "{effects}");

    let message = bad_convention["message"].as_str().unwrap();
    assert!(
        message.starts_with("“Storage convention” cobol: unknown convention"),
        "{message}"
    );

    assert!(outcome["error"].is_null(), "{}", outcome["error"]);
    assert_eq!(outcome["report"]["outcome"], "committed");
    // Independently: the target's seeded rows are the source's, ids and all, and the
    // permissions point at the content types they pointed at in the source.
    let mut pg = db.client();
    assert_eq!(
        ids_and_names(&mut pg, "SELECT string_agg(id || ':' || app_label || '.' || model, ',' ORDER BY id) FROM django_content_type"),
        "1:auth.permission,2:contenttypes.contenttype,3:shop.category,4:shop.coupon,5:shop.product"
    );
    assert_eq!(
        ids_and_names(&mut pg, "SELECT string_agg(p.codename || '→' || c.model, ',' ORDER BY p.id) FROM auth_permission p JOIN django_content_type c ON c.id = p.content_type_id"),
        "add_category→category,view_category→category,add_coupon→coupon,view_coupon→coupon,add_product→product,view_product→product"
    );
    assert_eq!(
        ids_and_names(
            &mut pg,
            "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM shop_category"
        ),
        "1:Seeded by shop.0001_initial,2:Garden"
    );
}
