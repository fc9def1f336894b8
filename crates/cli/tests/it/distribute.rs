//! `ferry plan --promote --distribute` and `ferry migrate --promote --distribute` as a person
//! sees them: what Citus needs changed, and the Citus statements, printed before anything is
//! written and again after the run (no Citus server here: the run says to run them on the
//! coordinator).

use crate::util::Dir;

const FIXTURE: &str = include_str!("../../../engine/tests/fixtures/promote_distribute.sql");

const STATEMENTS: [&str; 5] = [
    "  SELECT create_reference_table('public.users');\n",
    "  SELECT create_distributed_table('public.categories', 'user_id', colocate_with => 'none');\n",
    "  SELECT create_distributed_table('public.goals', 'user_id', colocate_with => 'public.categories');\n",
    "  SELECT create_distributed_table('public.tasks', 'user_id', colocate_with => 'public.categories');\n",
    "  SELECT create_distributed_table('public.task_tags', 'user_id', colocate_with => 'public.categories');\n",
];

fn args<'a>(command: &'a str, src: &'a str, url: &'a str) -> Vec<&'a str> {
    crate::util::promote_command(command, src, url, &["--distribute"])
}

#[test]
fn plan_prints_the_changes_and_the_citus_statements_in_order() {
    let dir = Dir::new();
    let src = dir.sqlite("tasks.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();
    let run = dir
        .command()
        .args(args("plan", src.to_str().unwrap(), &url))
        .expect_code(0);
    run.assert_stdout_contains(
        "\nchanged for Citus (a distributed table's keys include its distribution column):\n",
    )
    // Scoped by owner already (the default), so not a change Citus needs.
    .assert_stdout_contains("  goals: UNIQUE (title) → UNIQUE (user_id, title)")
    .assert_stdout_contains(
        "  tasks.goal_id → goals.id becomes (user_id, goal_id) → goals(user_id, id)\n",
    )
    .assert_stdout_contains("\ndistribution (run after the rows if the target has the citus extension, else printed for the coordinator):\n");
    run.assert_stdout_contains(&STATEMENTS.concat());
    assert!(
        !run.stdout.contains("UNIQUE (title) becomes"),
        "{}",
        run.stdout
    );
    let tables = pg.public_tables();
    assert_eq!(tables, 0, "plan wrote to the target");
}

#[test]
fn a_committed_run_without_citus_prints_the_statements_for_the_coordinator() {
    let dir = Dir::new();
    let src = dir.sqlite("tasks.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();
    let mut a = args("migrate", src.to_str().unwrap(), &url);
    a.push("--yes");
    let run = dir.command().args(a).expect_code(0);
    run.assert_stdout_contains(
        "\ndistribution (not run: run these statements on the Citus coordinator):\n",
    )
    .assert_stdout_contains(&STATEMENTS.concat())
    .assert_stdout_contains(
        "Citus not installed on the target: run these statements on the coordinator",
    );
}
