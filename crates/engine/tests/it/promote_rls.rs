//! Promote's row-level security and the Supabase profile (issue 14): after the run, the test
//! itself becomes an app — a role that owns nothing (plain), or Supabase's `authenticated`
//! with `request.jwt.claims` as PostgREST sets them — and counts what each user sees; the
//! admin's bcrypt hash in `auth.users` is verified with the bcrypt crate against the
//! password the run returned.

use crate::common::{fixture, migrate, migrate_ok, pg, sqlite, sqlite_from_sql, TestDb};
use ferry_engine::options::{Job, PromoteOptions, TargetProfile};
use ferry_engine::report::Outcome;
use ferry_engine::temporal::{DstPolicy, FoldPolicy, GapPolicy};
use ferry_engine::{Options, Report};

const EMAIL: &str = "admin@example.com";
const TASKS: i64 = 604;
const GOALS: i64 = 120;

fn options(dir: &std::path::Path, db: &TestDb, promote: PromoteOptions) -> Options {
    let src = sqlite_from_sql(dir, "tasks.db", &fixture("promote_tasks.sql"));
    let mut o = Options::new(sqlite(&src), pg(db));
    o.job = Job::Promote(promote);
    o.source_timezone = chrono_tz::Europe::Berlin;
    o.dst = DstPolicy {
        gap: GapPolicy::ShiftForward,
        fold: FoldPolicy::Earlier,
    };
    o
}

fn rls(profile: TargetProfile) -> PromoteOptions {
    let mut p = PromoteOptions::new(EMAIL);
    p.row_level_security = true;
    p.profile = profile;
    p
}

fn count(c: &mut impl postgres::GenericClient, sql: &str) -> i64 {
    c.query_one(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

fn check<'a>(report: &'a Report, name: &str) -> &'a ferry_engine::report::Check {
    let v = report.verification.as_ref().expect("verified");
    v.checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check '{name}' in {:#?}", v.checks))
}

/// Sets the session's user for the rest of the transaction.
fn be(tx: &mut postgres::Transaction, setting: &str, value: &str) {
    tx.query_one("SELECT set_config($1, $2, true)", &[&setting, &value])
        .unwrap();
}

/// The SQLSTATE of an insert, tried in a savepoint.
fn insert_state(tx: &mut postgres::Transaction, sql: &str) -> Option<String> {
    let mut sp = tx.transaction().unwrap();
    let state = sp
        .batch_execute(sql)
        .err()
        .and_then(|e| e.code().map(|c| c.code().to_string()));
    sp.rollback().unwrap();
    state
}

#[test]
fn row_level_security_keeps_each_session_to_its_users_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let report = migrate_ok(&options(dir.path(), &db, rls(TargetProfile::Plain)));
    let probe = check(&report, "row-level security");
    assert!(probe.passed, "{}", probe.detail);
    assert!(probe.detail.contains("refused (42501)"), "{}", probe.detail);

    // The report (and so `ferry plan`) lists each policy with its statement.
    let policies = &report.tenancy.as_ref().expect("tenancy").policies;
    let names: Vec<(&str, &str)> = policies
        .iter()
        .map(|p| (p.table.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("goals", "ferry_owner_rw"),
            ("tasks", "ferry_owner_rw"),
            ("users", "ferry_self_read")
        ]
    );
    assert!(policies[1].sql.contains(
        "USING (\"user_id\" = NULLIF(current_setting('app.user_id', true), '')::bigint) WITH CHECK"
    ));

    let mut c = db.client();
    // Enabled, never forced (the owner keeps its access); the probe left no role behind.
    let flags: Vec<(String, bool, bool)> = c
        .query(
            "SELECT relname::text, relrowsecurity, relforcerowsecurity FROM pg_class
             WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        flags,
        [
            ("goals".into(), true, false),
            ("tasks".into(), true, false),
            ("users".into(), true, false)
        ]
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM pg_policies WHERE schemaname = 'public'"
        ),
        3
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'ferry_rls_probe_%'"
        ),
        0
    );
    let admin = count(&mut c, "SELECT id FROM users").to_string();

    // The probe's refused insert drew from tasks' sequence; the next id still follows the
    // copied ones.
    let next = count(
        &mut c,
        "SELECT pg_catalog.nextval(pg_get_serial_sequence('tasks', 'id'))",
    );
    assert_eq!(next, count(&mut c, "SELECT max(id) + 1 FROM tasks"));

    // Now as an app: a role of its own that owns nothing, in a transaction rolled back.
    let mut tx = c.transaction().unwrap();
    let role = format!("app_{}", db.name);
    tx.batch_execute(&format!(
        "CREATE ROLE {role} NOLOGIN;
         GRANT USAGE ON SCHEMA public TO {role};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
         SET LOCAL ROLE {role};"
    ))
    .unwrap();
    let sees = |tx: &mut postgres::Transaction| {
        (
            count(tx, "SELECT count(*) FROM tasks"),
            count(tx, "SELECT count(*) FROM goals"),
            count(tx, "SELECT count(*) FROM users"),
        )
    };
    assert_eq!(sees(&mut tx), (0, 0, 0), "no app.user_id: no rows");
    be(&mut tx, "app.user_id", &admin);
    assert_eq!(
        sees(&mut tx),
        (TASKS, GOALS, 1),
        "the admin sees all of theirs"
    );
    be(&mut tx, "app.user_id", "987654");
    assert_eq!(sees(&mut tx), (0, 0, 0), "another user sees none");
    assert_eq!(
        insert_state(
            &mut tx,
            &format!("INSERT INTO goals (title, archived, created_at, user_id) VALUES ('x', false, now(), {admin})")
        )
        .as_deref(),
        Some("42501"),
        "a row owned by someone else is refused by row-level security"
    );
    assert_eq!(
        count(
            &mut tx,
            "WITH u AS (UPDATE tasks SET title = 'mine' RETURNING 1) SELECT count(*) FROM u"
        ),
        0,
        "nor can another user change the admin's rows"
    );
    be(&mut tx, "app.user_id", "");
    assert_eq!(
        sees(&mut tx),
        (0, 0, 0),
        "an emptied app.user_id: no rows, no error"
    );
    tx.rollback().unwrap();
}

#[test]
fn a_dry_run_rolls_the_policies_back_with_everything_else() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let mut o = options(dir.path(), &db, rls(TargetProfile::Plain));
    o.dry_run = true;
    let report = migrate_ok(&o);
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert!(check(&report, "row-level security").passed);
    let mut c = db.client();
    assert_eq!(count(&mut c, "SELECT count(*) FROM pg_policies"), 0);
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ),
        0
    );
}

fn supabase_db() -> TestDb {
    let db = TestDb::new();
    db.client()
        .batch_execute(&fixture("supabase_auth.sql"))
        .expect("the Supabase auth fixture loads");
    db
}

#[test]
fn supabase_admin_signs_in_through_auth_users_and_sees_only_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = supabase_db();
    let mut promote = PromoteOptions::new(EMAIL);
    promote.profile = TargetProfile::Supabase; // row-level security comes with it
    let report = migrate_ok(&options(dir.path(), &db, promote));
    for name in [
        "row-level security",
        "admin password hash",
        "exactly one admin",
        "no NULL owner",
    ] {
        let c = check(&report, name);
        assert!(c.passed, "{name}: {}", c.detail);
    }
    assert_eq!(report.admin.as_ref().unwrap().users_table, "auth.users");
    let password = report.temporary_password.as_ref().unwrap().expose();

    let mut c = db.client();
    let row = c
        .query_one(
            "SELECT id::text, instance_id::text, aud, role, encrypted_password,
                    email_confirmed_at IS NOT NULL, confirmation_token, recovery_token,
                    email_change_token_new, raw_app_meta_data::text
             FROM auth.users",
            &[],
        )
        .unwrap();
    let id: String = row.get(0);
    let hash: String = row.get(4);
    assert_eq!(count(&mut c, "SELECT count(*) FROM auth.users"), 1);
    assert_eq!(
        row.get::<_, String>(1),
        "00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(
        (row.get::<_, String>(2), row.get::<_, String>(3)),
        ("authenticated".into(), "authenticated".into())
    );
    assert!(hash.starts_with("$2a$10$"), "GoTrue's own form: {hash}");
    assert!(
        bcrypt::verify(password, &hash).unwrap(),
        "the hash verifies"
    );
    assert!(row.get::<_, bool>(5), "email confirmed");
    for i in 6..=8 {
        assert_eq!(
            row.get::<_, Option<String>>(i).as_deref(),
            Some(""),
            "token column {i}"
        );
    }
    let meta: serde_json::Value = serde_json::from_str(&row.get::<_, String>(9)).unwrap();
    assert_eq!(
        meta,
        serde_json::json!({"provider": "email", "providers": ["email"]})
    );
    let identity = c
        .query_one(
            "SELECT provider_id, user_id::text, provider, email FROM auth.identities",
            &[],
        )
        .unwrap();
    assert_eq!(
        (
            identity.get::<_, String>(0),
            identity.get::<_, String>(1),
            identity.get::<_, String>(2),
            identity.get::<_, Option<String>>(3)
        ),
        (id.clone(), id.clone(), "email".into(), Some(EMAIL.into()))
    );

    // Owner columns: uuid NOT NULL, a foreign key to auth.users.
    for t in ["goals", "tasks"] {
        let (ty, nullable): (String, String) = {
            let r = c
                .query_one(
                    "SELECT data_type::text, is_nullable::text FROM information_schema.columns
                     WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'user_id'",
                    &[&t],
                )
                .unwrap();
            (r.get(0), r.get(1))
        };
        assert_eq!((ty.as_str(), nullable.as_str()), ("uuid", "NO"), "{t}");
        assert_eq!(
            count(
                &mut c,
                &format!("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.{t}'::regclass AND contype = 'f' AND confrelid = 'auth.users'::regclass")
            ),
            1,
            "{t}.user_id references auth.users"
        );
    }
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM pg_policies WHERE schemaname = 'auth'"
        ),
        0,
        "auth.users' rules stay Supabase's"
    );

    // As PostgREST runs a signed-in user's request.
    let mut tx = c.transaction().unwrap();
    tx.batch_execute("SET LOCAL ROLE authenticated").unwrap();
    let claims = |sub: &str| serde_json::json!({"sub": sub, "role": "authenticated"}).to_string();
    let sees = |tx: &mut postgres::Transaction| {
        (
            count(tx, "SELECT count(*) FROM tasks"),
            count(tx, "SELECT count(*) FROM goals"),
        )
    };
    be(&mut tx, "request.jwt.claims", &claims(&id));
    assert_eq!(
        count(
            &mut tx,
            &format!("SELECT (auth.uid() = '{id}')::int::bigint")
        ),
        1,
        "auth.uid() reads the claims' sub"
    );
    assert_eq!(
        sees(&mut tx),
        (TASKS, GOALS),
        "auth.uid() = the admin: all their rows"
    );
    let someone = "3b241101-e2bb-4255-8caf-4136c566a962";
    be(&mut tx, "request.jwt.claims", &claims(someone));
    assert_eq!(sees(&mut tx), (0, 0), "another sub: none");
    assert_eq!(
        insert_state(
            &mut tx,
            &format!("INSERT INTO goals (title, archived, created_at, user_id) VALUES ('x', false, now(), '{id}')")
        )
        .as_deref(),
        Some("42501")
    );
    tx.rollback().unwrap();
}

#[test]
fn supabase_without_the_auth_schema_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let mut promote = PromoteOptions::new(EMAIL);
    promote.profile = TargetProfile::Supabase;
    let err = migrate(&options(dir.path(), &db, promote)).expect_err("refused");
    assert_eq!(
        err.error.kind(),
        ferry_engine::ErrorKind::BadInput,
        "{}",
        err.error
    );
    let msg = err.error.to_string();
    for words in [
        "--target-profile supabase",
        "the target has no table auth.users",
        "not a Supabase database",
    ] {
        assert!(msg.contains(words), "'{words}' missing from: {msg}");
    }
    let mut c = db.client();
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ),
        0
    );
}

#[test]
fn a_supabase_dry_run_leaves_no_user_and_no_policy() {
    let dir = tempfile::tempdir().unwrap();
    let db = supabase_db();
    let mut promote = PromoteOptions::new(EMAIL);
    promote.profile = TargetProfile::Supabase;
    let mut o = options(dir.path(), &db, promote);
    o.dry_run = true;
    let report = migrate_ok(&o);
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert!(report.temporary_password.is_none());
    let mut c = db.client();
    assert_eq!(count(&mut c, "SELECT count(*) FROM auth.users"), 0);
    assert_eq!(count(&mut c, "SELECT count(*) FROM auth.identities"), 0);
    assert_eq!(count(&mut c, "SELECT count(*) FROM pg_policies"), 0);
}

#[test]
fn into_existing_tables_get_the_same_policies() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let mut c = db.client();
    c.batch_execute(&fixture("promote_app_schema.sql")).unwrap();
    let mut o = options(dir.path(), &db, rls(TargetProfile::Plain));
    o.into_existing = true;
    let report = migrate_ok(&o);
    let probe = check(&report, "row-level security");
    assert!(probe.passed, "{}", probe.detail);
    let policies: Vec<String> = c
        .query(
            "SELECT tablename || '.' || policyname FROM pg_policies WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        policies,
        [
            "goals.ferry_owner_rw",
            "tasks.ferry_owner_rw",
            "users.ferry_self_read"
        ]
    );
}

/// The URL of `db` for another role (trust authentication: no password).
fn url_as(db: &TestDb, role: &str) -> String {
    let url = db.url();
    let (scheme, rest) = url.split_once("://").unwrap();
    let (_, host) = rest.split_once('@').unwrap();
    format!("{scheme}://{role}@{host}")
}

/// The usual production case: a migration role that is no superuser but may create roles.
#[test]
fn a_createrole_migrator_that_is_no_superuser_probes_as_an_app() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let role = format!("{}_owner", db.name);
    let mut c = db.client();
    c.batch_execute(&format!(
        "CREATE ROLE {role} LOGIN CREATEROLE NOSUPERUSER;
         GRANT CREATE, USAGE ON SCHEMA public TO {role};"
    ))
    .unwrap();
    let mut o = options(dir.path(), &db, rls(TargetProfile::Plain));
    o.target = ferry_engine::Location::parse(&url_as(&db, &role)).unwrap();
    let report = migrate_ok(&o);
    let probe = check(&report, "row-level security");
    assert!(probe.passed, "{}", probe.detail);
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'ferry_rls_probe_%'"
        ),
        0
    );
    c.batch_execute(&format!(
        "DROP OWNED BY {role}; REVOKE ALL ON SCHEMA public FROM {role}; DROP ROLE {role}"
    ))
    .unwrap();
}

#[test]
fn a_role_that_cannot_create_roles_fails_the_check_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let role = format!("{}_migrator", db.name);
    let mut c = db.client();
    c.batch_execute(&format!(
        "CREATE ROLE {role} LOGIN NOCREATEROLE;
         GRANT CREATE, USAGE ON SCHEMA public TO {role};"
    ))
    .unwrap();
    let mut o = options(dir.path(), &db, rls(TargetProfile::Plain));
    o.target = ferry_engine::Location::parse(&url_as(&db, &role)).unwrap();
    let err = migrate(&o).expect_err("the check cannot pass without looking");
    let checks = &err.report.verification.as_ref().expect("verified").checks;
    let probe = checks
        .iter()
        .find(|c| c.name == "row-level security")
        .expect("the check is reported");
    assert!(!probe.passed);
    assert!(
        probe.detail.starts_with(&format!(
            "not run: the migrating role {role} may not create roles (CREATEROLE)"
        )),
        "{}",
        probe.detail
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ),
        0,
        "rolled back"
    );
    c.batch_execute(&format!(
        "REVOKE ALL ON SCHEMA public FROM {role}; DROP ROLE {role}"
    ))
    .unwrap();
}

#[test]
fn supabase_into_existing_is_refused_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let db = supabase_db();
    // The app's own tables are there: the refusal is Promote's, not the planner's.
    db.client()
        .batch_execute(&fixture("promote_app_schema.sql"))
        .unwrap();
    let mut promote = PromoteOptions::new(EMAIL);
    promote.profile = TargetProfile::Supabase;
    let mut o = options(dir.path(), &db, promote);
    o.into_existing = true;
    let err = migrate(&o).expect_err("refused");
    assert_eq!(
        err.error.kind(),
        ferry_engine::ErrorKind::BadInput,
        "{}",
        err.error
    );
    assert!(
        err.error
            .to_string()
            .contains("--into-existing is not supported with it"),
        "{}",
        err.error
    );
    let mut c = db.client();
    assert_eq!(count(&mut c, "SELECT count(*) FROM auth.users"), 0);
}
