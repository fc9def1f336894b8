//! Hostile and broken input: files that are not databases, locations that do not work,
//! servers that are not PostgreSQL, and names built to break SQL. Each bad input gets one
//! sentence and the exit code of README's table (2 bad input, 3 connection); nothing panics
//! and nothing is written. Hostile names are copied faithfully and execute nothing.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::util::{Dir, Run};

const GOOD: &str = "
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
    INSERT INTO notes SELECT i, 'note number ' || i || ' ' || hex(randomblob(40)) FROM n;
";

fn assert_one_sentence(run: &Run, what: &str, code: i32) {
    assert_eq!(
        run.code,
        Some(code),
        "{what}: exit code\nstderr:\n{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked") && !run.stdout.contains("panicked"),
        "{what}: panicked\n{}",
        run.stderr
    );
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(
        lines.len() == 1 && lines[0].starts_with("ferry: ") && lines[0].len() < 400,
        "{what}: expected one line 'ferry: …' on stderr, got:\n{}",
        run.stderr
    );
}

/// A file whose bytes are a valid SQLite database with `GOOD` in it, then `damage`d.
fn damaged(dir: &Dir, name: &str, damage: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let good = dir.sqlite(&format!("{name}.orig"), GOOD);
    let mut bytes = std::fs::read(&good).unwrap();
    damage(&mut bytes);
    let path = dir.path(name);
    std::fs::write(&path, bytes).unwrap();
    std::fs::remove_file(good).unwrap();
    path
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn broken_sqlite_sources_get_one_sentence_and_exit_2() {
    let dir = Dir::new();
    let not_a_db = dir.path("notes.txt");
    std::fs::write(
        &not_a_db,
        "These are my notes, not a database.\n".repeat(200),
    )
    .unwrap();
    let empty = dir.path("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let folder = dir.path("folder.db");
    std::fs::create_dir(&folder).unwrap();
    let truncated = damaged(&dir, "truncated.db", |b| b.truncate(b.len() / 3));
    let header_only = damaged(&dir, "header.db", |b| b.truncate(100));
    // Pages after the first overwritten: the schema reads, the rows do not.
    let corrupted = damaged(&dir, "corrupted.db", |b| {
        for (i, byte) in b.iter_mut().enumerate().skip(4096) {
            *byte = (i * 7919 % 251) as u8;
        }
    });
    let bad_header = damaged(&dir, "magic.db", |b| {
        b[..16].copy_from_slice(b"SQLite format 4\0")
    });
    let cases: Vec<(&str, PathBuf)> = vec![
        ("not a database", not_a_db),
        ("an empty file", empty),
        ("a directory", folder),
        ("a missing path", dir.path("missing.db")),
        ("a truncated file", truncated),
        ("a file cut after its header", header_only),
        ("a file with corrupted pages", corrupted),
        ("a file with a corrupted header", bad_header),
    ];
    for (what, path) in &cases {
        let before = entries(&dir.path(""));
        let run = dir.command().arg("inspect").path_arg(path).run();
        // A corrupted page may only show when rows are read; inspect counts rows, so it
        // either reads them or says the file is damaged.
        if run.code != Some(0) {
            assert_one_sentence(&run, &format!("inspect {what}"), 2);
        }
        let run = dir
            .command()
            .args(["migrate", "--yes", "--from"])
            .path_arg(path)
            .args(["--to", "out.db"])
            .run();
        assert_one_sentence_or_report(&run, &format!("migrate from {what}"));
        assert_eq!(
            entries(&dir.path("")),
            before,
            "{what}: a file was left behind"
        );
    }
}

/// `migrate` prints its report on stdout when it got as far as making one; stderr still
/// carries exactly one sentence.
fn assert_one_sentence_or_report(run: &Run, what: &str) {
    assert_one_sentence(run, what, 2);
    let line = run.stderr.trim();
    for vague in ["Error", "error:", "os error", "SQLITE_"] {
        assert!(
            !line.starts_with(&format!("ferry: {vague}")),
            "{what}: not a sentence a person can act on: {line}"
        );
    }
}

#[test]
fn broken_sqlite_targets_get_one_sentence_and_exit_2() {
    let dir = Dir::new();
    let source = dir.sqlite("app.db", GOOD);
    let not_a_db = dir.path("notes.txt");
    std::fs::write(
        &not_a_db,
        "These are my notes, not a database.\n".repeat(200),
    )
    .unwrap();
    let folder = dir.path("folder.db");
    std::fs::create_dir(&folder).unwrap();
    let cases: Vec<(&str, PathBuf)> = vec![
        ("a file that is not a database", not_a_db.clone()),
        ("a directory", folder),
        (
            "a path in a missing folder",
            dir.path("no/such/folder/out.db"),
        ),
    ];
    for (what, path) in &cases {
        let before = crate::util::state::folder_fingerprint(&dir.path(""));
        let run = dir
            .command()
            .args(["migrate", "--yes", "--from"])
            .path_arg(&source)
            .arg("--to")
            .path_arg(path)
            .run();
        assert_one_sentence_or_report(&run, &format!("migrate to {what}"));
        assert_eq!(
            crate::util::state::folder_fingerprint(&dir.path("")),
            before,
            "{what}: the folder changed"
        );
    }
}

/// Speaks just enough of the PostgreSQL protocol to ask for a password and refuse it, as a
/// server with `password` or `scram` authentication does for a wrong one.
fn refuses_the_password(stream: &mut std::net::TcpStream) {
    let mut len = [0u8; 4];
    if stream.read_exact(&mut len).is_err() {
        return;
    }
    let mut startup = vec![0u8; u32::from_be_bytes(len) as usize - 4];
    let _ = stream.read_exact(&mut startup);
    // AuthenticationCleartextPassword.
    let _ = stream.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]);
    let mut tag = [0u8; 1];
    let _ = stream.read_exact(&mut tag);
    if stream.read_exact(&mut len).is_ok() {
        let mut password = vec![0u8; u32::from_be_bytes(len) as usize - 4];
        let _ = stream.read_exact(&mut password);
    }
    let mut fields = Vec::new();
    for (code, text) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', "28P01"),
        (b'M', "password authentication failed for user \"app\""),
    ] {
        fields.push(code);
        fields.extend_from_slice(text.as_bytes());
        fields.push(0);
    }
    fields.push(0);
    let mut message = vec![b'E'];
    message.extend_from_slice(&(fields.len() as u32 + 4).to_be_bytes());
    message.extend_from_slice(&fields);
    let _ = stream.write_all(&message);
}

#[test]
fn bad_postgres_locations_get_one_sentence_and_exit_3() {
    let dir = Dir::new();
    let source = dir.sqlite("app.db", GOOD);
    let http = ferry_testkit::net::fake_server(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    });
    let garbage = ferry_testkit::net::fake_server(|s| {
        let _ = s.write_all(&[0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37, b'\n']);
    });
    let password = ferry_testkit::net::fake_server(refuses_the_password);
    let db = ferry_testkit::TestDb::new();
    let (user_host, _) = db
        .url()
        .rsplit_once('/')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        ("a closed port", "postgres://app:pw-closed@127.0.0.1:1/app?connect_timeout=5".into(), "nothing is listening on 127.0.0.1:1"),
        ("an unknown host", "postgres://app:pw-host@no-such-host.invalid/app?connect_timeout=5".into(), "unknown host name"),
        ("a wrong password", format!("postgres://app:pw-wrong@127.0.0.1:{password}/app?sslmode=disable&connect_timeout=5"), "password authentication failed"),
        ("a missing database", format!("{user_host}/no_such_database_here?sslmode=disable"), "does not exist"),
        ("an HTTP server", format!("postgres://app:pw-http@127.0.0.1:{http}/app?sslmode=disable&connect_timeout=5"), "did not answer like PostgreSQL"),
        ("a server speaking garbage", format!("postgres://app:pw-junk@127.0.0.1:{garbage}/app?sslmode=prefer&connect_timeout=5"), "did not answer like PostgreSQL"),
    ];
    for (what, url, says) in &cases {
        for args in [
            vec!["inspect".to_string(), url.clone()],
            vec![
                "migrate".into(),
                "--yes".into(),
                "--from".into(),
                source.to_str().unwrap().into(),
                "--to".into(),
                url.clone(),
            ],
            vec![
                "migrate".into(),
                "--yes".into(),
                "--from".into(),
                url.clone(),
                "--to".into(),
                "out.db".into(),
            ],
        ] {
            let label = format!("{what}: ferry {}", args[0]);
            let run = dir.command().args(&args).run();
            assert_one_sentence(&run, &label, 3);
            assert!(
                run.stderr.contains(says),
                "{label}: expected '{says}' in:\n{}",
                run.stderr
            );
            for secret in ["pw-closed", "pw-host", "pw-wrong", "pw-http", "pw-junk"] {
                run.assert_nowhere(secret);
            }
            assert!(
                !dir.path("out.db").exists(),
                "{label}: a target file appeared"
            );
        }
    }
    // Malformed URLs are the user's input, not a connection: exit 2.
    for url in [
        "postgres://app@127.0.0.1:99999/app",
        "postgres://app@127.0.0.1:port/app",
        "postgres://[::1/app",
    ] {
        let run = dir.command().args(["inspect", url]).run();
        assert_one_sentence(&run, &format!("inspect {url}"), 2);
    }
}

// ---- Names built to break SQL --------------------------------------------------------------

/// Table and column names that break SQL unless every identifier is quoted correctly in both
/// dialects. `victim` is the table a successful injection would drop.
const HOSTILE_SQLITE: &str = r#"
    CREATE TABLE victim (id INTEGER PRIMARY KEY, v TEXT);
    INSERT INTO victim VALUES (1, 'still here');
    CREATE TABLE "it's" (id INTEGER PRIMARY KEY, "a""b" TEXT, "c'd" TEXT);
    INSERT INTO "it's" VALUES (1, 'double "quote"', 'single ''quote''');
    CREATE TABLE """; DROP TABLE victim; --" (
        id INTEGER PRIMARY KEY,
        "x'); DROP TABLE victim; --" TEXT,
        "it's_id" INTEGER REFERENCES "it's"(id)
    );
    CREATE INDEX "idx""; DROP TABLE victim; --" ON """; DROP TABLE victim; --" ("x'); DROP TABLE victim; --");
    INSERT INTO """; DROP TABLE victim; --" VALUES (1, 'Robert''); DROP TABLE victim; --', 1);
    CREATE TABLE "back\slash\" ("c\\" TEXT, "\n" TEXT, "$1" INTEGER, "?" INTEGER);
    INSERT INTO "back\slash\" VALUES ('\x', 'E''\n''', 1, 2);
    CREATE TABLE "MixedCase" ("CamelColumn" INTEGER PRIMARY KEY, "lower" TEXT, "with space" TEXT, "naïve café ☕" TEXT);
    INSERT INTO "MixedCase" VALUES (7, 'l', 's p', 'unicode');
    CREATE TABLE "t_63_bytes_long_name_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" (
        "c_63_bytes_long_name_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy" INTEGER);
    INSERT INTO "t_63_bytes_long_name_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" VALUES (63);
"#;

/// Names and rows of every table, read with rusqlite: `table(col, …): rows`.
fn sqlite_content(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .iter()
        .map(|t| {
            let q = format!("\"{}\"", t.replace('"', "\"\""));
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {q} ORDER BY 1"))
                .unwrap();
            let cols: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
            let n = cols.len();
            let rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join(", "))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            format!("{t}({}): {}", cols.join(", "), rows.join(" | "))
        })
        .collect()
}

#[test]
fn hostile_identifiers_copy_faithfully_both_ways_and_execute_nothing() {
    let dir = Dir::new();
    let source = dir.sqlite("hostile.db", HOSTILE_SQLITE);
    let source_content = sqlite_content(&source);
    let pg = ferry_testkit::TestDb::new();
    let mut client = pg.client();
    // The target's own `victim`, in another schema: an injection could reach it too.
    client
        .batch_execute("CREATE SCHEMA app; CREATE TABLE public.victim (id int); INSERT INTO public.victim VALUES (42);")
        .unwrap();

    let to_pg = dir
        .command()
        .args(["migrate", "--yes", "--json", "--schema", "app", "--from"])
        .path_arg(&source)
        .args(["--to", &pg.url()])
        .run();
    assert_eq!(to_pg.code, Some(0), "{}\n{}", to_pg.stdout, to_pg.stderr);
    assert_eq!(to_pg.json()["verification"]["passed"], true);

    // Every name arrived exactly, in PostgreSQL's catalog.
    let names = |client: &mut postgres::Client| -> Vec<String> {
        client
            .query(
                "SELECT table_name || '.' || column_name FROM information_schema.columns \
                 WHERE table_schema = 'app' ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let conn = rusqlite::Connection::open(&source).unwrap();
    let mut expected: Vec<String> = conn
        .prepare("SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    expected.sort();
    let mut got = names(&mut client);
    got.sort();
    assert_eq!(got, expected, "table and column names in PostgreSQL");
    let victims: i64 = client
        .query_one("SELECT count(*) FROM public.victim WHERE id = 42", &[])
        .unwrap()
        .get(0);
    assert_eq!(victims, 1, "the target's victim table was touched");
    let index: i64 = client
        .query_one("SELECT count(*) FROM pg_indexes WHERE schemaname = 'app' AND indexname = 'idx\"; DROP TABLE victim; --'", &[])
        .unwrap()
        .get(0);
    assert_eq!(index, 1, "the index kept its name");

    // And back into a new SQLite file: the same names and rows as the original.
    let back = dir.path("back.db");
    let run = dir
        .command()
        .args([
            "migrate",
            "--yes",
            "--schema",
            "app",
            "--from",
            &pg.url(),
            "--to",
        ])
        .path_arg(&back)
        .run();
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(sqlite_content(&back), source_content);
    assert_eq!(
        sqlite_content(&source),
        source_content,
        "the source changed"
    );
}

#[test]
fn names_postgres_would_truncate_are_refused_before_anything_is_written() {
    let dir = Dir::new();
    let long_table = format!("t_{}", "x".repeat(62)); // 64 bytes
    let long_column = format!("c_{}", "é".repeat(40)); // 82 bytes, 42 characters
    let source = dir.sqlite(
        "long.db",
        &format!(
            "CREATE TABLE \"{long_table}\" (id INTEGER PRIMARY KEY);
             CREATE TABLE short (id INTEGER PRIMARY KEY, \"{long_column}\" TEXT);
             INSERT INTO short VALUES (1, 'x');"
        ),
    );
    let pg = ferry_testkit::TestDb::new();
    let mut client = pg.client();
    let before = crate::util::state::database_fingerprint(&mut client);
    let run = dir
        .command()
        .args(["migrate", "--yes", "--from"])
        .path_arg(&source)
        .args(["--to", &pg.url()])
        .run();
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"));
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains(&long_table),
        "the long table name is named:\n{all}"
    );
    assert!(
        all.contains(&long_column),
        "the long column name is named:\n{all}"
    );
    assert!(all.contains("63"), "the limit is explained:\n{all}");
    assert_eq!(
        crate::util::state::database_fingerprint(&mut client),
        before,
        "nothing may be written"
    );
}

#[test]
fn names_differing_only_in_case_are_refused_for_sqlite_before_anything_is_written() {
    let pg = ferry_testkit::TestDb::new();
    pg.client()
        .batch_execute(
            r#"CREATE TABLE "Users" (id int PRIMARY KEY);
               CREATE TABLE users (id int PRIMARY KEY);
               CREATE TABLE things (id int PRIMARY KEY, "Name" text, name text);
               INSERT INTO "Users" VALUES (1); INSERT INTO users VALUES (2);
               INSERT INTO things VALUES (1, 'A', 'a');"#,
        )
        .unwrap();
    let dir = Dir::new();
    let run = dir
        .command()
        .args(["migrate", "--yes", "--from", &pg.url(), "--to", "out.db"])
        .run();
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"));
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("Users") && all.contains("users"),
        "both tables are named:\n{all}"
    );
    assert!(
        all.contains("Name"),
        "the clashing columns are named:\n{all}"
    );
    assert!(all.contains("case"), "the reason is given:\n{all}");
    assert_eq!(
        entries(&dir.path("")),
        Vec::<String>::new(),
        "nothing may be written"
    );

    // Without the clash the same names copy faithfully, case kept.
    let run = dir
        .command()
        .args([
            "migrate",
            "--yes",
            "--tables",
            "Users,things",
            "--exclude",
            "things",
            "--from",
            &pg.url(),
            "--to",
            "out.db",
        ])
        .run();
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        sqlite_content(&dir.path("out.db")),
        vec!["Users(id): Integer(1)".to_string()]
    );
}
