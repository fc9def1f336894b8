//! Promote's `--distribute` (issue 14): Citus's rules checked on the promoted schema, the key
//! changes they need applied to it, and the exact statements. No Citus server here: the
//! statements are compared as text, and the changed schema is checked on plain PostgreSQL
//! (pg_constraint) and verified like any Promote.

use crate::common::{fixture, migrate, migrate_ok, pg, sqlite, sqlite_from_sql, TestDb};
use ferry_engine::jobs::promote::distribute::{distribute, Distribution, Layout, NO_CITUS};
use ferry_engine::model::catalog::{ColumnType, FkAction, ForeignKey, Table};
use ferry_engine::options::{Job, PromoteOptions};
use ferry_engine::progress::Silent;
use ferry_engine::{Cancel, Options};

const EMAIL: &str = "admin@example.com";

fn options(dir: &std::path::Path, db: &TestDb, distribute: bool, keep_global: bool) -> Options {
    let src = sqlite_from_sql(dir, "tasks.db", &fixture("promote_distribute.sql"));
    let mut o = Options::new(sqlite(&src), pg(db));
    let mut promote = PromoteOptions::new(EMAIL);
    promote.distribute = distribute;
    promote.keep_global_uniques = keep_global;
    o.job = Job::Promote(promote);
    o
}

fn plan(o: &Options) -> ferry_engine::plan::Plan {
    ferry_engine::plan(o, &Silent, &Cancel::new()).expect("plan")
}

const STATEMENTS: [&str; 5] = [
    "SELECT create_reference_table('public.users');",
    "SELECT create_distributed_table('public.categories', 'user_id', colocate_with => 'none');",
    "SELECT create_distributed_table('public.goals', 'user_id', colocate_with => 'public.categories');",
    "SELECT create_distributed_table('public.tasks', 'user_id', colocate_with => 'public.categories');",
    "SELECT create_distributed_table('public.task_tags', 'user_id', colocate_with => 'public.categories');",
];

#[test]
fn the_plan_says_what_citus_needs_changed_and_the_statements() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let p = plan(&options(dir.path(), &db, true, false));
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
    let t = p.tenancy.as_ref().expect("--distribute fills plan.tenancy");
    assert_eq!(t.distribution, STATEMENTS);
    assert_eq!(
        t.distribution_changes,
        [
            "categories: PRIMARY KEY (id) becomes (user_id, id)",
            "goals: PRIMARY KEY (id) becomes (user_id, id)",
            "tasks: PRIMARY KEY (id) becomes (user_id, id)",
            "task_tags: PRIMARY KEY (task_id, tag) becomes (user_id, task_id, tag)",
            "goals.category_id → categories.id becomes (user_id, category_id) → categories(user_id, id)",
            "tasks.goal_id → goals.id becomes (user_id, goal_id) → goals(user_id, id)",
            "task_tags.task_id → tasks.id becomes (user_id, task_id) → tasks(user_id, id)",
        ]
    );

    // UNIQUE (title) needs no change for Citus: scoping the uniques by owner (the default)
    // already put the owner column first.
    assert!(
        t.scoped_uniques
            .iter()
            .any(|u| u.table == "goals" && u.after == ["user_id", "title"]),
        "{:#?}",
        t.scoped_uniques
    );

    // Without --distribute nothing of this is planned.
    let (dir, db) = (tempfile::tempdir().unwrap(), TestDb::new());
    let p = plan(&options(dir.path(), &db, false, false));
    let t = p.tenancy.unwrap_or_default();
    assert!(t.distribution.is_empty() && t.distribution_changes.is_empty());
}

/// (table, constraint) of the promoted schema, as PostgreSQL prints them.
fn keys(c: &mut postgres::Client) -> Vec<(String, String)> {
    c.query(
        "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint
         WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f')
           AND conrelid::regclass::text <> 'users'
         ORDER BY 1, 2",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

#[test]
fn promoted_schema_has_the_changed_keys_on_plain_postgres_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let report = migrate_ok(&options(dir.path(), &db, true, false));
    let v = report.verification.as_ref().unwrap();
    assert!(v.passed, "{v:#?}");

    let want: Vec<(String, String)> = [
        ("categories", "FOREIGN KEY (user_id) REFERENCES users(id)"),
        ("categories", "PRIMARY KEY (user_id, id)"),
        ("goals", "FOREIGN KEY (user_id) REFERENCES users(id)"),
        (
            "goals",
            "FOREIGN KEY (user_id, category_id) REFERENCES categories(user_id, id)",
        ),
        ("goals", "PRIMARY KEY (user_id, id)"),
        ("goals", "UNIQUE (user_id, title)"),
        ("task_tags", "FOREIGN KEY (user_id) REFERENCES users(id)"),
        (
            "task_tags",
            "FOREIGN KEY (user_id, task_id) REFERENCES tasks(user_id, id) ON DELETE CASCADE",
        ),
        ("task_tags", "PRIMARY KEY (user_id, task_id, tag)"),
        ("tasks", "FOREIGN KEY (user_id) REFERENCES users(id)"),
        (
            "tasks",
            "FOREIGN KEY (user_id, goal_id) REFERENCES goals(user_id, id)",
        ),
        ("tasks", "PRIMARY KEY (user_id, id)"),
    ]
    .iter()
    .map(|(t, k)| (t.to_string(), k.to_string()))
    .collect();
    let mut c = db.client();
    assert_eq!(keys(&mut c), want);

    // No Citus here: the statements are the report's, to run on the coordinator.
    assert!(
        report.warnings.iter().any(|w| w == NO_CITUS),
        "{:?}",
        report.warnings
    );
    let t = report
        .tenancy
        .as_ref()
        .expect("the report keeps the tenancy");
    assert_eq!(t.distribution, STATEMENTS);
    assert!(!t.distributed_on_target);

    // The composite foreign key does what the single one did: a task of another owner's goal
    // is refused, and the admin's rows all arrived.
    let admin: i64 = c.query_one("SELECT id FROM users", &[]).unwrap().get(0);
    let err = c
        .execute(
            "INSERT INTO users (id, email, password_hash) VALUES (777, 'b@example.com', 'x')",
            &[],
        )
        .and_then(|_| {
            c.execute(
                "INSERT INTO tasks (id, goal_id, title, user_id) VALUES (99, 1, 'not mine', 777)",
                &[],
            )
        })
        .expect_err("user 777 may not point at the admin's goal");
    let message = err.as_db_error().map(|e| e.message().to_string());
    assert_eq!(
        message.as_deref(),
        Some("insert or update on table \"tasks\" violates foreign key constraint \"tasks_user_id_goal_id_fkey\""),
        "{err:?}"
    );
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM task_tags WHERE user_id = $1",
            &[&admin],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 4);
}

#[test]
fn keep_global_uniques_blocks_the_distribution_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let o = options(dir.path(), &db, true, true);
    let p = plan(&o);
    let blocking: Vec<_> = p.findings.iter().filter(|f| f.is_blocking()).collect();
    assert_eq!(blocking.len(), 1, "{blocking:#?}");
    assert_eq!(blocking[0].kind, "not_distributable");
    assert_eq!(blocking[0].table, "goals");
    assert_eq!(
        blocking[0].message,
        "goals: UNIQUE (title) stays global (--keep-global-uniques), which Citus cannot enforce on a table distributed by user_id: scope it by owner (leave out --keep-global-uniques) or make goals shared"
    );
    let err = migrate(&o).expect_err("a blocking finding stops the run");
    assert!(err.to_string().contains("nothing was written"), "{err}");
    let tables = db.public_tables();
    assert_eq!(tables, 0, "nothing was written");
}

/// The fixture's target tables as Promote plans them without `--distribute`: owner columns
/// added, keys as in the source.
fn promoted_tables(dir: &std::path::Path) -> Vec<Table> {
    let db = TestDb::new();
    plan(&options(dir, &db, false, false))
        .tables
        .into_iter()
        .map(|t| t.target_def)
        .collect()
}

fn owned(tables: &[&str]) -> Vec<(String, String)> {
    tables
        .iter()
        .map(|t| (t.to_string(), "user_id".to_string()))
        .collect()
}

fn run(tables: &mut [Table], owned: &[(String, String)]) -> Distribution {
    let layout = Layout {
        schema: "app",
        users_table: "users",
        owned,
        keep_global_uniques: false,
        may_change_schema: true,
    };
    let mut refs: Vec<&mut Table> = tables.iter_mut().collect();
    distribute(&layout, &mut refs)
}

fn table<'a>(tables: &'a mut [Table], name: &str) -> &'a mut Table {
    tables.iter_mut().find(|t| t.name == name).unwrap()
}

#[test]
fn a_shared_table_is_a_reference_table_first_and_keeps_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut tables = promoted_tables(dir.path());
    let d = run(&mut tables, &owned(&["goals", "tasks", "task_tags"]));
    assert!(d.blockers.is_empty(), "{:?}", d.blockers);
    assert_eq!(
        d.statements,
        [
            "SELECT create_reference_table('app.users');",
            "SELECT create_reference_table('app.categories');",
            "SELECT create_distributed_table('app.goals', 'user_id', colocate_with => 'none');",
            "SELECT create_distributed_table('app.tasks', 'user_id', colocate_with => 'app.goals');",
            "SELECT create_distributed_table('app.task_tags', 'user_id', colocate_with => 'app.goals');",
        ]
    );
    // A distributed table may refer to a reference table as it is.
    assert!(
        !d.changes.iter().any(|c| c.contains("categories")),
        "{:?}",
        d.changes
    );
    assert_eq!(table(&mut tables, "categories").primary_key, ["id"]);
    let goals = table(&mut tables, "goals");
    let fk = goals
        .foreign_keys
        .iter()
        .find(|f| f.ref_table == "categories")
        .unwrap();
    assert_eq!(fk.columns, ["category_id"]);
}

#[test]
fn rules_that_cannot_be_met_safely_are_each_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let mut tables = promoted_tables(dir.path());
    // A reference table that refers to a distributed one.
    table(&mut tables, "categories")
        .foreign_keys
        .push(ForeignKey {
            name: None,
            columns: vec!["id".into()],
            ref_table: "goals".into(),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: false,
        });
    // ON DELETE SET NULL, which would also null the owner once it is in the key.
    for fk in &mut table(&mut tables, "tasks").foreign_keys {
        if fk.ref_table == "goals" {
            fk.on_delete = FkAction::SetNull;
        }
    }
    // A distribution column of another type than the others'.
    let tags = table(&mut tables, "task_tags");
    let owner = tags
        .columns
        .iter_mut()
        .find(|c| c.name == "user_id")
        .unwrap();
    owner.ty = ColumnType::Text;
    let d = run(&mut tables, &owned(&["goals", "tasks", "task_tags"]));
    let sentences: Vec<String> = d
        .blockers
        .iter()
        .map(|(t, s)| format!("[{t}] {s}"))
        .collect();
    assert_eq!(
        sentences,
        [
            "[task_tags] task_tags.user_id is text but goals.user_id is bigint: Citus co-locates tables only when their distribution columns have one type",
            "[categories] categories.id → goals makes a reference table refer to a distributed one, which Citus refuses: make goals shared too, or categories owned",
            "[tasks] tasks.goal_id → goals.id (ON DELETE SET NULL) would need user_id in the foreign key, and ON DELETE SET NULL would then set user_id too: change the action in the source, or make goals shared",
        ]
    );
    // Left as it was.
    let tasks = table(&mut tables, "tasks");
    let fk = tasks
        .foreign_keys
        .iter()
        .find(|f| f.ref_table == "goals")
        .unwrap();
    assert_eq!(fk.columns, ["goal_id"]);
}

#[test]
fn into_existing_tables_are_not_changed_the_changes_block() {
    let dir = tempfile::tempdir().unwrap();
    let mut tables = promoted_tables(dir.path());
    let owned = owned(&["goals", "tasks", "task_tags"]);
    let layout = Layout {
        schema: "public",
        users_table: "users",
        owned: &owned,
        keep_global_uniques: false,
        may_change_schema: false,
    };
    let mut refs: Vec<&mut Table> = tables.iter_mut().collect();
    let d = distribute(&layout, &mut refs);
    assert!(d.changes.is_empty());
    assert_eq!(
        d.blockers[0],
        (
            "goals".to_string(),
            "goals: PRIMARY KEY (id) becomes (user_id, id), and Ferry does not change the keys of tables it does not create (--into-existing): make the change in the app's schema first".to_string()
        )
    );
}

/// A stand-in for Citus in a plain PostgreSQL database: a `citus` row in `pg_extension` (what
/// Ferry looks for) and the two functions, which record each call, the rows the table held at
/// that moment and the shard mode — or, with `refuse`, fail as Citus would on a rule.
fn fake_citus(c: &mut postgres::Client, refuse: bool) {
    let body = if refuse {
        "RAISE EXCEPTION 'cannot distribute relation %', t;"
    } else {
        "EXECUTE format('INSERT INTO fake_citus.calls (call, rows, mode) SELECT %L, count(*), current_setting(''citus.multi_shard_modify_mode'', true) FROM %s', call, t);"
    };
    c.batch_execute(&format!(
        "INSERT INTO pg_extension (oid, extname, extowner, extnamespace, extrelocatable, extversion)
         SELECT 4000000000, 'citus', oid, 'public'::regnamespace, false, '12.1'
         FROM pg_roles WHERE rolname = current_user;
         CREATE SCHEMA fake_citus;
         CREATE TABLE fake_citus.calls (n serial, call text, rows bigint, mode text);
         CREATE FUNCTION fake_citus.record(t regclass, call text) RETURNS void
           LANGUAGE plpgsql AS $$ BEGIN {body} END $$;
         CREATE FUNCTION public.create_reference_table(t regclass) RETURNS void
           LANGUAGE sql AS $$ SELECT fake_citus.record(t, 'reference ' || t::text) $$;
         CREATE FUNCTION public.create_distributed_table(t regclass, col text, colocate_with text)
           RETURNS void LANGUAGE sql
           AS $$ SELECT fake_citus.record(t, 'distributed ' || t::text || ' by ' || col || ' with ' || colocate_with) $$;"
    ))
    .expect("fake Citus");
}

#[test]
fn with_citus_the_statements_run_in_the_transaction_after_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    fake_citus(&mut db.client(), false);
    let report = migrate_ok(&options(dir.path(), &db, true, false));
    assert!(report.verification.as_ref().unwrap().passed);
    assert!(
        !report.warnings.iter().any(|w| w == NO_CITUS),
        "{:?}",
        report.warnings
    );
    assert!(report.tenancy.as_ref().unwrap().distributed_on_target);
    let calls: Vec<(String, i64, Option<String>)> = db
        .client()
        .query(
            "SELECT call, rows, mode FROM fake_citus.calls ORDER BY n",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let seq = Some("sequential".to_string());
    assert_eq!(
        calls,
        [
            ("reference users".to_string(), 1, seq.clone()),
            (
                "distributed categories by user_id with none".to_string(),
                2,
                seq.clone()
            ),
            (
                "distributed goals by user_id with public.categories".to_string(),
                3,
                seq.clone()
            ),
            (
                "distributed tasks by user_id with public.categories".to_string(),
                4,
                seq.clone()
            ),
            (
                "distributed task_tags by user_id with public.categories".to_string(),
                4,
                seq
            ),
        ]
    );
}

#[test]
fn a_refused_distribution_rolls_the_whole_run_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let mut c = db.client();
    fake_citus(&mut c, true);
    let err = migrate(&options(dir.path(), &db, true, false)).expect_err("Citus refused");
    let text = format!("{err:#}");
    assert!(
        text.contains("--distribute: SELECT create_reference_table('public.users');")
            && text.contains("cannot distribute relation users"),
        "{text}"
    );
    let tables = db.public_tables();
    assert_eq!(tables, 0, "the run rolled back");
}

#[test]
fn distribute_with_the_supabase_profile_is_one_sentence_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let mut o = options(dir.path(), &db, true, false);
    if let Job::Promote(p) = &mut o.job {
        p.profile = ferry_engine::options::TargetProfile::Supabase;
    }
    let err = ferry_engine::plan(&o, &Silent, &Cancel::new()).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "--distribute plans a Citus cluster, and a Supabase project does not run Citus: leave out --distribute or --target-profile supabase"
    );
}
