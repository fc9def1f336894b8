//! `ferry plan` / `ferry migrate --promote --row-level-security` as a person sees them: the
//! plan lists each policy with the exact statement it will run, and a committed run reports
//! the row-level-security check, made by the run itself.

use crate::util::Dir;

const FIXTURE: &str = include_str!("../../../engine/tests/fixtures/promote_tasks.sql");

fn args<'a>(command: &'a str, src: &'a str, url: &'a str) -> Vec<&'a str> {
    crate::util::promote_command(
        command,
        src,
        url,
        &[
            "--row-level-security",
            "--source-timezone",
            "Europe/Berlin",
            "--dst-gap",
            "shift-forward",
            "--dst-fold",
            "earlier",
        ],
    )
}

#[test]
fn plan_lists_the_policies_statements_and_writes_nothing() {
    let dir = Dir::new();
    let src = dir.sqlite("tasks.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();
    let run = dir
        .command()
        .args(args("plan", src.to_str().unwrap(), &url))
        .expect_code(0);
    let out = &run.stdout;
    assert!(out.contains("row-level security policies:"), "{out}");
    for line in [
        "ferry_owner_rw on tasks:",
        "CREATE POLICY ferry_owner_rw ON \"public\".\"tasks\" FOR ALL USING (\"user_id\" = NULLIF(current_setting('app.user_id', true), '')::bigint) WITH CHECK (\"user_id\" = NULLIF(current_setting('app.user_id', true), '')::bigint);",
        "ferry_owner_rw on goals:",
        "CREATE POLICY ferry_self_read ON \"public\".\"users\" FOR SELECT USING (\"id\" = NULLIF(current_setting('app.user_id', true), '')::bigint);",
        "enable row-level security on 3 table(s) with 3 polic(ies)",
        "the app must connect as a role that does not own the tables",
    ] {
        assert!(out.contains(line), "'{line}' missing from:\n{out}");
    }
    let tables = pg.public_tables();
    assert_eq!(tables, 0, "a plan writes nothing");
}

#[test]
fn a_committed_run_reports_the_row_level_security_check() {
    let dir = Dir::new();
    let src = dir.sqlite("tasks.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();
    let mut a = args("migrate", src.to_str().unwrap(), &url);
    a.extend(["--yes", "--json"]);
    let run = dir.command().args(&a).expect_code(0);
    let json = run.json();
    let checks = json["verification"]["checks"].as_array().unwrap();
    let rls = checks
        .iter()
        .find(|c| c["name"] == "row-level security")
        .unwrap_or_else(|| panic!("no row-level security check: {checks:#?}"));
    assert_eq!(rls["passed"], true, "{rls}");
    let detail = rls["detail"].as_str().unwrap();
    assert!(
        detail.contains("another user's none") && detail.contains("refused (42501)"),
        "{detail}"
    );
    let policies = json["tenancy"]["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 3, "{policies:#?}");
}

#[test]
fn supabase_profile_without_supabase_is_one_line_and_writes_nothing() {
    let dir = Dir::new();
    let src = dir.sqlite("tasks.db", FIXTURE);
    let pg = ferry_testkit::TestDb::new();
    let url = pg.url();
    let mut a = args("migrate", src.to_str().unwrap(), &url);
    a.extend(["--target-profile", "supabase", "--yes"]);
    let run = dir.command().args(&a).expect_code(2);
    run.assert_one_line_error();
    run.assert_stderr_contains(
        "--target-profile supabase: the target has no table auth.users, so it is not a Supabase database",
    );
    let tables = pg.public_tables();
    assert_eq!(tables, 0);
}
