//! `ferry plan` / `ferry migrate --promote` with the multi-user shape (issue 14): the plan
//! names each table's class, the tables that look shared with the flag to share them, and
//! every unique scoped by owner, before anything is written; a shared table that refers to
//! an owned one is refused with the flags that fix it; a bad `--shared` name is one sentence.

use crate::util::{Dir, Run};

const FIXTURE: &str = include_str!("../../../engine/tests/fixtures/promote_bizy.sql");

fn run(dir: &Dir, command: &str, src: &str, url: &str, extra: &[&str], code: i32) -> Run {
    dir.command()
        .args(crate::util::promote_command(command, src, url, extra))
        .expect_code(code)
}

/// The plan line of a table in the tenancy section, its cells split on spaces.
fn class_line(run: &Run, table: &str) -> Vec<String> {
    let section = run
        .stdout
        .split("tenancy (who owns which rows):\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no tenancy section:\n{}", run.stdout));
    section
        .lines()
        .find(|l| l.split_whitespace().next() == Some(table))
        .unwrap_or_else(|| panic!("no line for {table}:\n{section}"))
        .split_whitespace()
        .map(String::from)
        .collect()
}

#[test]
fn plan_names_classes_hints_and_scoped_uniques_then_the_run_checks_them() {
    let dir = Dir::new();
    let src = dir.sqlite("bizy.db", FIXTURE);
    let src = src.to_str().unwrap();
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();

    let plain = run(&dir, "plan", src, &url, &[], 0);
    plain.assert_stdout_contains(
        "hint: categories (referenced by goals; references nothing; 3 rows): --shared categories\n",
    );
    plain.assert_stdout_contains("hint: currencies (");
    assert!(!plain.stdout.contains("hint: goals"), "{}", plain.stdout);
    assert_eq!(class_line(&plain, "categories")[1], "owned");

    let shared = ["--shared", "categories,currencies"];
    let planned = run(&dir, "plan", src, &url, &shared, 0);
    assert_eq!(class_line(&planned, "users")[1], "users");
    assert_eq!(
        class_line(&planned, "categories")[1..],
        ["shared", "--shared"]
    );
    assert_eq!(
        class_line(&planned, "currencies")[1..],
        ["shared", "--shared"]
    );
    assert_eq!(
        class_line(&planned, "goals")[1..],
        ["owned", "default:", "each", "user's", "own", "rows"]
    );
    assert!(!planned.stdout.contains("hint:"), "{}", planned.stdout);
    for rewrite in [
        "goals: UNIQUE (title) → UNIQUE (user_id, title)",
        "tasks: UNIQUE (goal_id, position) → UNIQUE (user_id, goal_id, position)",
        "tags: UNIQUE (lower(label)) → UNIQUE (user_id, lower(label))",
        "projects: UNIQUE (code) WHERE archived = 0 → UNIQUE (user_id, code) WHERE archived = 0",
        "accounts: UNIQUE (number) → UNIQUE (user_id, number)",
    ] {
        planned.assert_stdout_contains(rewrite);
    }
    assert!(
        !planned.stdout.contains("categories: UNIQUE"),
        "shared stays global"
    );
    assert_eq!(pg.public_tables(), 0, "plan writes nothing");

    let mut json_args = shared.to_vec();
    json_args.push("--json");
    let json = run(&dir, "plan", src, &url, &json_args, 0).json();
    let classes: Vec<(String, String)> = json["tenancy"]["tables"]
        .as_array()
        .expect("plan --json carries the tenancy")
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_string(),
                t["class"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        classes.contains(&("currencies".into(), "shared".into())),
        "{classes:?}"
    );
    assert!(
        classes.contains(&("goals".into(), "owned".into())),
        "{classes:?}"
    );
    assert_eq!(
        json["tenancy"]["scoped_uniques"].as_array().unwrap().len(),
        5
    );

    let mut migrate_args = shared.to_vec();
    migrate_args.extend(["--yes", "--json"]);
    let report = run(&dir, "migrate", src, &url, &migrate_args, 0).json();
    assert_eq!(report["outcome"], "committed");
    let checks = report["verification"]["checks"].as_array().unwrap();
    for name in ["shared tables have no owner", "uniques scoped by owner"] {
        let check = checks
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no check {name}: {checks:?}"));
        assert_eq!(check["passed"], true, "{check}");
    }
    assert_eq!(report["tenancy"]["tables"].as_array().unwrap().len(), 10);
}

#[test]
fn a_shared_table_referring_to_an_owned_one_is_refused_with_the_flags_to_fix_it() {
    let dir = Dir::new();
    let src = dir.sqlite("bizy.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();
    let run = run(
        &dir,
        "migrate",
        src.to_str().unwrap(),
        &url,
        &["--shared", "goals", "--yes"],
        2,
    );
    run.assert_stdout_contains(
        "BLOCKING  goals.category_id: the shared table goals refers to the owned table categories (category_id)",
    );
    run.assert_stdout_contains(
        "fix: mark categories shared too (--shared goals,categories), or keep goals owned (leave out --shared)",
    );
    assert_eq!(pg.public_tables(), 0, "nothing was written");
}

#[test]
fn an_unknown_shared_name_is_one_sentence() {
    let dir = Dir::new();
    let src = dir.sqlite("bizy.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();
    let run = run(
        &dir,
        "migrate",
        src.to_str().unwrap(),
        &url,
        &["--shared", "categorys", "--yes"],
        2,
    );
    run.assert_one_line_error();
    run.assert_stderr_contains(
        "--shared categorys: no migrated table has that name (the tables are: categories, currencies, ",
    );
    assert_eq!(pg.public_tables(), 0);
}
