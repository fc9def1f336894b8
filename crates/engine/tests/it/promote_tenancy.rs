//! Promote's multi-user shape (issue 14) on a small goal/task app (`promote_bizy.sql`): owned
//! and shared tables, suggestions, the blocking finding for a shared table that refers to an
//! owned one, and uniques scoped by owner — each checked by acting as a second user the way
//! the app would, in PostgreSQL.

use crate::common::{fixture, migrate, migrate_ok, pg, pg_tables, sqlite, sqlite_from_sql, TestDb};
use ferry_engine::finding::{ProblemKind, Remedy};
use ferry_engine::model::tenancy::TableClass;
use ferry_engine::options::{Job, PromoteOptions};
use ferry_engine::progress::Silent;
use ferry_engine::{Cancel, Options, Report};
use postgres::error::SqlState;

const EMAIL: &str = "admin@example.com";

fn promote_options(dir: &std::path::Path, db: &TestDb, shared: &[&str]) -> Options {
    let src = sqlite_from_sql(dir, "bizy.db", &fixture("promote_bizy.sql"));
    let mut promote = PromoteOptions::new(EMAIL);
    promote.shared_tables = shared.iter().map(|s| s.to_string()).collect();
    let mut o = Options::new(sqlite(&src), pg(db));
    o.job = Job::Promote(promote);
    o
}

fn promote_mut(o: &mut Options) -> &mut PromoteOptions {
    match &mut o.job {
        Job::Promote(p) => p,
        _ => unreachable!(),
    }
}

fn check_passed(report: &Report, name: &str) {
    let checks = &report.verification.as_ref().expect("verified").checks;
    let check = checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name:?} in {checks:?}"));
    assert!(check.passed, "{name}: {}", check.detail);
}

/// A second user, inserted as the app's sign-up would.
fn second_user(c: &mut postgres::Client) -> i64 {
    c.query_one(
        "INSERT INTO users (email, password_hash) VALUES ('b@example.com', 'x') RETURNING id",
        &[],
    )
    .unwrap()
    .get(0)
}

fn sql_state(c: &mut postgres::Client, sql: &str, user: i64) -> Option<SqlState> {
    c.execute(sql, &[&user])
        .err()
        .map(|e| e.code().cloned().expect("a database error"))
}

fn columns(c: &mut postgres::Client, table: &str) -> Vec<String> {
    c.query(
        "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn shared_tables_have_no_owner_and_uniques_hold_per_user() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let o = promote_options(dir.path(), &db, &["categories", "currencies"]);
    let report = migrate_ok(&o);
    for name in [
        "no NULL owner",
        "shared tables have no owner",
        "uniques scoped by owner",
    ] {
        check_passed(&report, name);
    }
    let tenancy = report
        .tenancy
        .as_ref()
        .expect("the report keeps the tenancy");
    assert_eq!(tenancy.class_of("users"), Some(TableClass::Users));
    assert_eq!(tenancy.class_of("categories"), Some(TableClass::Shared));
    assert_eq!(tenancy.class_of("currencies"), Some(TableClass::Shared));
    assert_eq!(tenancy.class_of("goals"), Some(TableClass::Owned));
    let mut scoped: Vec<(&str, Vec<&str>)> = tenancy
        .scoped_uniques
        .iter()
        .map(|u| {
            (
                u.table.as_str(),
                u.after.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    scoped.sort();
    assert_eq!(
        scoped,
        [
            ("accounts", vec!["user_id", "number"]),
            ("goals", vec!["user_id", "title"]),
            ("projects", vec!["user_id", "code"]),
            ("tags", vec!["user_id", "lower(label)"]),
            ("tasks", vec!["user_id", "goal_id", "position"]),
        ],
        "shared categories keeps its UNIQUE (name) global"
    );

    let mut c = db.client();
    assert!(!columns(&mut c, "categories").contains(&"user_id".to_string()));
    assert!(!columns(&mut c, "currencies").contains(&"user_id".to_string()));
    assert!(columns(&mut c, "goals").contains(&"user_id".to_string()));
    let n: i64 = c
        .query_one("SELECT count(*) FROM categories", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 3);

    let b = second_user(&mut c);
    // The admin's titles, codes and labels are free for the second user...
    for sql in [
        "INSERT INTO goals (id, title, user_id) VALUES (100, 'Run a marathon', $1)",
        "INSERT INTO tags (id, label, user_id) VALUES (100, 'URGENT', $1)",
        "INSERT INTO projects (id, code, user_id) VALUES (100, 'P1', $1)",
        "INSERT INTO accounts (id, number, currency, user_id) VALUES (100, 'DE-001', 'EUR', $1)",
        "INSERT INTO transfers (id, account_number, amount, user_id) VALUES (100, 'DE-001', 5, $1)",
    ] {
        assert_eq!(sql_state(&mut c, sql, b), None, "{sql}");
    }
    // ...but still unique within the user (the expression and the predicate kept).
    for sql in [
        "INSERT INTO goals (id, title, user_id) VALUES (101, 'Run a marathon', $1)",
        "INSERT INTO tags (id, label, user_id) VALUES (101, 'urgent', $1)",
        "INSERT INTO projects (id, code, user_id) VALUES (101, 'P1', $1)",
    ] {
        assert_eq!(
            sql_state(&mut c, sql, b),
            Some(SqlState::UNIQUE_VIOLATION),
            "{sql}"
        );
    }
    assert_eq!(
        sql_state(
            &mut c,
            "INSERT INTO projects (id, code, archived, user_id) VALUES (102, 'P1', 1, $1)",
            b
        ),
        None,
        "an archived project is outside the partial unique"
    );
    // The foreign key to accounts(number) carries the owner: no transfer into another
    // user's account.
    let admin: i64 = c
        .query_one("SELECT id FROM users WHERE email = $1", &[&EMAIL])
        .unwrap()
        .get(0);
    assert_eq!(
        sql_state(
            &mut c,
            "INSERT INTO transfers (id, account_number, amount, user_id) VALUES (101, 'US-002', 5, $1)",
            b
        ),
        Some(SqlState::FOREIGN_KEY_VIOLATION),
        "US-002 is the admin's ({admin}) account, not b's"
    );
}

#[test]
fn keep_global_uniques_refuses_a_second_users_title() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let mut o = promote_options(dir.path(), &db, &["categories", "currencies"]);
    promote_mut(&mut o).keep_global_uniques = true;
    let report = migrate_ok(&o);
    check_passed(&report, "shared tables have no owner");
    let checks = &report.verification.as_ref().unwrap().checks;
    assert!(!checks.iter().any(|c| c.name == "uniques scoped by owner"));
    assert!(report.tenancy.as_ref().unwrap().scoped_uniques.is_empty());
    let mut c = db.client();
    let b = second_user(&mut c);
    assert_eq!(
        sql_state(
            &mut c,
            "INSERT INTO goals (id, title, user_id) VALUES (100, 'Run a marathon', $1)",
            b
        ),
        Some(SqlState::UNIQUE_VIOLATION)
    );
}

#[test]
fn a_shared_table_referring_to_an_owned_one_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let o = promote_options(dir.path(), &db, &["goals"]);
    let err = migrate(&o).expect_err("blocked");
    assert!(
        matches!(
            err.error,
            ferry_engine::Error::PreflightBlocked { count: 1 }
        ),
        "{}",
        err.error
    );
    let f = err
        .report
        .findings
        .iter()
        .find(|f| f.kind == ProblemKind::SharedReferencesOwned)
        .expect("the finding is in the report");
    assert_eq!(
        (f.table.as_str(), f.column.as_deref()),
        ("goals", Some("category_id"))
    );
    assert!(
        f.message
            .contains("the shared table goals refers to the owned table categories"),
        "{}",
        f.message
    );
    assert_eq!(
        f.remedies,
        [
            Remedy::ShareToo {
                table: "categories".into(),
                shared: vec!["goals".into(), "categories".into()],
            },
            Remedy::KeepOwned {
                table: "goals".into(),
                shared: vec![],
            },
        ]
    );
    assert!(
        pg_tables(&mut db.client()).is_empty(),
        "nothing was written"
    );

    // Sharing the referenced table too resolves it.
    let (dir, db) = (tempfile::tempdir().unwrap(), TestDb::new());
    let o = promote_options(dir.path(), &db, &["goals", "categories"]);
    let plan = ferry_engine::plan(&o, &Silent, &Cancel::new()).unwrap();
    assert_eq!(plan.blocking_findings(), 0, "{:?}", plan.findings);
}

#[test]
fn an_unknown_shared_name_is_one_sentence_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let o = promote_options(dir.path(), &db, &["categories", "currency"]);
    let err = migrate(&o).expect_err("refused");
    let text = err.error.to_string();
    assert!(
        text.contains("--shared currency: no migrated table has that name (the tables are: "),
        "{text}"
    );
    assert!(
        text.contains("currencies") && text.contains("goals"),
        "{text}"
    );
    assert!(pg_tables(&mut db.client()).is_empty());
}

#[test]
fn reference_tables_are_suggested_as_shared_but_not_decided() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let o = promote_options(dir.path(), &db, &[]);
    let plan = ferry_engine::plan(&o, &Silent, &Cancel::new()).unwrap();
    let tenancy = plan.tenancy.as_ref().expect("Promote plans the tenancy");
    let suggestion = |table: &str| {
        tenancy
            .tables
            .iter()
            .find(|t| t.table == table)
            .unwrap_or_else(|| panic!("{table} is classified"))
            .suggest_shared
            .clone()
    };
    assert_eq!(
        suggestion("categories").as_deref(),
        Some("referenced by goals; references nothing; 3 rows")
    );
    let currencies = suggestion("currencies").expect("currencies looks shared");
    assert!(
        currencies.contains("tasks")
            && currencies.contains("accounts")
            && currencies.ends_with("; references nothing; 2 rows"),
        "{currencies}"
    );
    for not_reference in ["goals", "tasks", "accounts", "tags", "notes"] {
        assert_eq!(suggestion(not_reference), None, "{not_reference}");
    }
    assert!(
        tenancy.tables.iter().all(|t| t.class != TableClass::Shared),
        "a suggestion is never a decision"
    );
}

#[test]
fn into_existing_a_table_without_owner_may_be_shared_and_global_uniques_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let src = sqlite_from_sql(
        dir.path(),
        "small.db",
        "CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
         INSERT INTO categories VALUES (1, 'health'), (2, 'work');
         CREATE TABLE goals (id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE,
                             category_id INTEGER REFERENCES categories(id));
         INSERT INTO goals VALUES (1, 'Run', 1), (2, 'Ship', 2);",
    );
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE,
                                 hashed_password text NOT NULL);
             CREATE TABLE categories (id bigint PRIMARY KEY, name text NOT NULL UNIQUE);
             CREATE TABLE goals (id bigint PRIMARY KEY,
                                 user_id bigint NOT NULL REFERENCES users(id),
                                 title text NOT NULL UNIQUE,
                                 category_id bigint REFERENCES categories(id));",
        )
        .unwrap();
    let options = |shared: &[&str]| {
        let mut promote = PromoteOptions::new(EMAIL);
        promote.shared_tables = shared.iter().map(|s| s.to_string()).collect();
        let mut o = Options::new(sqlite(&src), pg(&db));
        o.job = Job::Promote(promote);
        o.into_existing = true;
        o
    };
    let err = migrate(&options(&[])).expect_err("categories has no owner column");
    let text = err.error.to_string();
    assert!(
        text.contains("target table 'categories' has no owner column")
            && text.contains("pass --shared categories"),
        "{text}"
    );

    let report = migrate_ok(&options(&["categories"]));
    check_passed(&report, "shared tables have no owner");
    check_passed(&report, "no NULL owner");
    let warned = report
        .warnings
        .iter()
        .find(|w| w.starts_with("goals: unique"))
        .unwrap_or_else(|| panic!("{:?}", report.warnings));
    assert!(
        warned.contains("(title) does not include the owner column user_id"),
        "{warned}"
    );
    assert!(
        !report.warnings.iter().any(|w| w.starts_with("categories:")),
        "a shared table's uniques are meant to be global: {:?}",
        report.warnings
    );
}
