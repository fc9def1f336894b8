//! Row-level security never makes a passed verification over a filtered view (issue 11,
//! point 1). A PostgreSQL source read by a role its policies apply to is refused in one
//! sentence naming the table, the role and the ways out, before anything is written — by
//! `migrate`, `plan`, `verify`, `export` and Extract alike; read by its owner or a superuser it
//! copies every row. An existing target table whose policies apply to the role Ferry writes
//! as is a blocking finding in the plan, before anything is written.

use crate::util::state::{database_fingerprint, folder_fingerprint};
use crate::util::Dir;

/// A login role without BYPASSRLS, dropped with everything it owns.
struct Role {
    name: String,
}

impl Role {
    fn new(db: &ferry_testkit::TestDb, suffix: &str) -> Role {
        let name = format!("{}_{suffix}", db.name);
        admin()
            .batch_execute(&format!(
                "DROP ROLE IF EXISTS \"{name}\"; CREATE ROLE \"{name}\" LOGIN NOBYPASSRLS;
                 GRANT CONNECT, CREATE ON DATABASE \"{}\" TO \"{name}\";",
                db.name
            ))
            .expect("create the role");
        Role { name }
    }

    /// The test database's URL, connecting as this role (the test server trusts it).
    fn url(&self, db: &ferry_testkit::TestDb) -> String {
        let url = db.url();
        let at = url.find('@').expect("user@host in the test URL");
        format!("postgres://{}{}", self.name, &url[at..])
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        let _ = admin().batch_execute(&format!(
            "DROP OWNED BY \"{0}\" CASCADE; DROP ROLE IF EXISTS \"{0}\"",
            self.name
        ));
    }
}

fn admin() -> postgres::Client {
    postgres::Client::connect(&ferry_testkit::server(), postgres::NoTls)
        .expect("connect to the test server")
}

/// Ten notes, half of them the reader's; the policy shows a role only its own.
fn notes_with_policy(db: &ferry_testkit::TestDb, reader: &Role, force: bool) {
    let force = if force {
        "ALTER TABLE notes FORCE ROW LEVEL SECURITY;"
    } else {
        ""
    };
    db.client()
        .batch_execute(&format!(
            "CREATE TABLE notes (id int PRIMARY KEY, owner text NOT NULL, body text);
             INSERT INTO notes SELECT i, CASE WHEN i % 2 = 0 THEN '{r}' ELSE 'someone' END, 'note ' || i
               FROM generate_series(1, 10) i;
             CREATE TABLE tags (id int PRIMARY KEY, name text);
             INSERT INTO tags VALUES (1, 'a');
             ALTER TABLE notes ENABLE ROW LEVEL SECURITY; {force}
             CREATE POLICY own_notes ON notes USING (owner = current_user);
             GRANT SELECT ON notes, tags TO \"{r}\";",
            r = reader.name
        ))
        .unwrap();
}

fn refusal(url_display: &str, role: &str, why: &str, ways_out: &str) -> String {
    format!(
        "ferry: row-level security on \"notes\" in {url_display} shows role \"{role}\" only the rows its policies allow ({why}), so Ferry cannot read the whole table and refuses to copy or verify it: {ways_out}, then run again"
    )
}

const NOT_OWNER: &str = "it is not the owner, not a superuser and has no BYPASSRLS";

fn owner_or_bypass(role: &str) -> String {
    format!("connect as the table's owner or as a role with BYPASSRLS (ALTER ROLE \"{role}\" BYPASSRLS)")
}

/// The location as Ferry displays it: the test URLs have no password to mask.
fn shown(url: &str) -> String {
    url.to_string()
}

#[test]
fn a_source_table_filtered_by_row_security_is_refused_before_anything_is_written() {
    let db = ferry_testkit::TestDb::new();
    let reader = Role::new(&db, "reader");
    notes_with_policy(&db, &reader, false);
    let url = reader.url(&db);
    let expected = refusal(
        &shown(&url),
        &reader.name,
        NOT_OWNER,
        &owner_or_bypass(&reader.name),
    );
    let dir = Dir::new();
    let before = folder_fingerprint(&dir.path(""));
    let source_before = database_fingerprint(&mut db.client());
    let target = ferry_testkit::TestDb::new();
    let target_before = database_fingerprint(&mut target.client());
    let owner_url = db.url();
    let runs = [
        (
            "migrate to SQLite",
            vec!["migrate", "--yes", "--from", &url, "--to", "out.db"],
        ),
        (
            "migrate dry run",
            vec!["migrate", "--dry-run", "--from", &url, "--to", "out.db"],
        ),
        ("plan", vec!["plan", "--from", &url, "--to", "out.db"]),
        (
            "export",
            vec!["export", "--from", &url, "--to", "bundle:out"],
        ),
        ("verify", vec!["verify", "--from", &url, "--to", &owner_url]),
        (
            "verify, the filtered side second",
            vec!["verify", "--from", &owner_url, "--to", &url],
        ),
    ];
    let target_url = target.url();
    let to_pg = vec!["migrate", "--yes", "--from", &url, "--to", &target_url];
    for (what, args) in runs.iter().chain([&("migrate to PostgreSQL", to_pg)]) {
        let run = dir.command().args(args).run();
        assert_eq!(
            run.code,
            Some(2),
            "{what}: exit code\n{}\n{}",
            run.stdout,
            run.stderr
        );
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(
            lines,
            vec![expected.as_str()],
            "{what}: the one sentence on stderr"
        );
        assert!(!run.stdout.contains("passed"), "{what}: {}", run.stdout);
        assert_eq!(
            folder_fingerprint(&dir.path("")),
            before,
            "{what}: a file was written"
        );
        assert!(
            !dir.path("out").exists(),
            "{what}: a bundle folder was written"
        );
    }
    assert_eq!(
        database_fingerprint(&mut target.client()),
        target_before,
        "the target changed"
    );
    assert_eq!(
        database_fingerprint(&mut db.client()),
        source_before,
        "the source changed"
    );

    // Tables the run does not read do not stop it.
    let run = dir
        .command()
        .args([
            "migrate",
            "--yes",
            "--exclude",
            "notes",
            "--from",
            &url,
            "--to",
            "tags.db",
        ])
        .run();
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn force_row_security_applies_to_the_owner_and_is_refused_with_its_own_way_out() {
    let db = ferry_testkit::TestDb::new();
    let owner = Role::new(&db, "owner");
    notes_with_policy(&db, &owner, true);
    db.client()
        .batch_execute(&format!("ALTER TABLE notes OWNER TO \"{}\"", owner.name))
        .unwrap();
    let url = owner.url(&db);
    let dir = Dir::new();
    let run = dir
        .command()
        .args(["migrate", "--yes", "--from", &url, "--to", "out.db"])
        .run();
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr.trim_end(),
        refusal(
            &shown(&url),
            &owner.name,
            "it owns the table, but FORCE ROW LEVEL SECURITY applies the policies to the owner too",
            &format!("connect as a superuser or a role with BYPASSRLS (ALTER ROLE \"{}\" BYPASSRLS), or turn FORCE off for the copy (ALTER TABLE … NO FORCE ROW LEVEL SECURITY)", owner.name),
        )
    );
    assert!(!dir.path("out.db").exists());
}

#[test]
fn the_owner_and_a_superuser_read_every_row_and_verification_passes() {
    let db = ferry_testkit::TestDb::new();
    let owner = Role::new(&db, "owner");
    notes_with_policy(&db, &owner, false);
    db.client()
        .batch_execute(&format!("ALTER TABLE notes OWNER TO \"{}\"", owner.name))
        .unwrap();
    let dir = Dir::new();
    for (who, url) in [("owner", owner.url(&db)), ("superuser", db.url())] {
        let out = format!("{who}.db");
        let run = dir
            .command()
            .args(["migrate", "--yes", "--json", "--from", &url, "--to", &out])
            .run();
        assert_eq!(run.code, Some(0), "{who}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(run.json()["verification"]["passed"], true, "{who}");
        let conn = rusqlite::Connection::open(dir.path(&out)).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 10, "{who}: every row, not the policy's half");
    }
}

#[test]
fn an_existing_target_table_with_row_security_is_a_blocking_finding_before_writing() {
    let dir = Dir::new();
    let source = dir.sqlite(
        "app.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, body TEXT);
         INSERT INTO notes VALUES (1, 'a', 'x'), (2, 'b', 'y');",
    );
    let db = ferry_testkit::TestDb::new();
    let writer = Role::new(&db, "writer");
    db.client()
        .batch_execute(&format!(
            "CREATE TABLE notes (id bigint PRIMARY KEY, owner text NOT NULL, body text);
             ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
             CREATE POLICY own_notes ON notes USING (owner = current_user);
             GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO \"{0}\";
             GRANT USAGE, CREATE ON SCHEMA public TO \"{0}\";",
            writer.name
        ))
        .unwrap();
    let before = database_fingerprint(&mut db.client());
    let url = writer.url(&db);
    for command in ["plan", "migrate"] {
        let mut args = vec![command, "--into-existing"];
        if command == "migrate" {
            args.push("--yes");
        }
        let run = dir
            .command()
            .args(&args)
            .arg("--from")
            .path_arg(&source)
            .args(["--to", &url])
            .run();
        assert_eq!(
            run.code,
            Some(2),
            "{command}: {}\n{}",
            run.stdout,
            run.stderr
        );
        let finding = format!(
            "  BLOCKING  notes: row-level security on the target table applies to the role Ferry writes as (role \"{0}\" is not the owner, not a superuser and has no BYPASSRLS): its policies could refuse the rows or hide them from verification (2 rows, row_level_security)\n      fix: connect as the table's owner or as a role with BYPASSRLS (ALTER ROLE \"{0}\" BYPASSRLS)\n",
            writer.name
        );
        run.assert_stdout_contains(&finding);
        assert_eq!(
            database_fingerprint(&mut db.client()),
            before,
            "{command}: the target changed"
        );
    }
    // The owner (RLS enabled, not forced) writes and verifies every row.
    let run = dir
        .command()
        .args(["migrate", "--yes", "--into-existing", "--from"])
        .path_arg(&source)
        .args(["--to", &db.url()])
        .run();
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn extract_refuses_a_users_table_filtered_by_row_security() {
    let db = ferry_testkit::TestDb::new();
    let reader = Role::new(&db, "reader");
    db.client()
        .batch_execute(&format!(
            "CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE NOT NULL);
             INSERT INTO users VALUES (1, 'alice@example.com'), (2, 'bob@example.com');
             CREATE TABLE notes (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users, body text);
             INSERT INTO notes VALUES (1, 1, 'a'), (2, 2, 'b');
             ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
             CREATE POLICY none ON notes USING (false);
             GRANT SELECT ON users, notes TO \"{}\";",
            reader.name
        ))
        .unwrap();
    let url = reader.url(&db);
    let dir = Dir::new();
    let run = dir
        .command()
        .args(["migrate", "--yes", "--from", &url, "--to", "mine.db"])
        .args(["--extract-user", "alice@example.com"])
        .run();
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr.trim_end(),
        refusal(
            &shown(&url),
            &reader.name,
            NOT_OWNER,
            &owner_or_bypass(&reader.name)
        )
    );
    assert!(!dir.path("mine.db").exists());
}
