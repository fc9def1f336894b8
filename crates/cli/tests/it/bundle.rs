//! `ferry export` and `ferry import` as a script sees them: exit codes, JSON reports, a
//! damaged bundle refused with the file named, and consent asked like `migrate`.

use crate::util::Dir;

const NOTES: &str = "
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, score REAL, raw BLOB);
    INSERT INTO notes VALUES (1, 'first', 0.1, x'00ff'), (2, NULL, 2.5, NULL), (3, 'x''y', 1e300, x'');
";

/// A row of `notes` as PostgreSQL returns it.
type Note = (i64, Option<String>, f64, Option<Vec<u8>>);

#[test]
fn export_then_import_into_postgres_with_json_reports() {
    let dir = Dir::new();
    let source = dir.sqlite("notes.db", NOTES);
    let run = dir
        .command()
        .args(["export", "--json", "--from"])
        .path_arg(&source)
        .args(["--to", "bundle:out"])
        .expect_code(0);
    let report = run.json();
    assert_eq!(report["command"], "export", "{report}");
    assert_eq!(report["outcome"], "committed", "{report}");
    assert_eq!(report["verification"]["passed"], true, "{report}");
    assert_eq!(report["tables"][0]["rows_written"], 3, "{report}");
    assert!(dir.path("out/manifest.json").is_file());

    // A second export to the same folder is refused: a bundle is never overwritten.
    dir.command()
        .args(["export", "--from"])
        .path_arg(&source)
        .args(["--to", "out"])
        .expect_code(2)
        .assert_stderr_contains("not empty");

    let pg = ferry_testkit::TestDb::new();
    let run = dir
        .command()
        .args([
            "import",
            "--yes",
            "--json",
            "--from",
            "out",
            "--to",
            &pg.url(),
        ])
        .expect_code(0);
    let report = run.json();
    assert_eq!(report["command"], "import", "{report}");
    assert_eq!(report["outcome"], "committed", "{report}");
    let rows: Vec<Note> = pg
        .client()
        .query("SELECT id, body, score, raw FROM notes ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0], (1, Some("first".into()), 0.1, Some(vec![0, 255])));
    assert_eq!((rows[1].1.as_deref(), rows[1].2), (None, 2.5));
    assert_eq!(rows[2].2.to_bits(), 1e300f64.to_bits());
    assert_eq!(rows[2].1.as_deref(), Some("x'y"));
    assert_eq!(rows[2].3.as_deref(), Some(&[][..]));
}

#[test]
fn import_of_a_damaged_bundle_exits_2_naming_the_file() {
    let dir = Dir::new();
    let source = dir.sqlite("notes.db", NOTES);
    dir.command()
        .args(["export", "--from"])
        .path_arg(&source)
        .args(["--to", "out"])
        .expect_code(0);
    let file = std::fs::read_dir(dir.path("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&file, bytes).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    dir.command()
        .args(["import", "--yes", "--from", "out", "--to", "back.db"])
        .expect_code(2)
        .assert_stderr_contains(&name);
    assert!(!dir.path("back.db").exists(), "nothing was written");
}

#[test]
fn import_asks_like_migrate_and_from_must_be_a_bundle() {
    let dir = Dir::new();
    let source = dir.sqlite("notes.db", NOTES);
    dir.command()
        .args(["export", "--from"])
        .path_arg(&source)
        .args(["--to", "out"])
        .expect_code(0);
    dir.command()
        .args(["import", "--from", "out", "--to", "back.db"])
        .expect_code(2)
        .assert_stderr_contains("--yes");
    assert!(!dir.path("back.db").exists());
    dir.command()
        .args(["import", "--yes", "--from"])
        .path_arg(&source)
        .args(["--to", "back.db"])
        .expect_code(2)
        .assert_stderr_contains("bundle");
    std::fs::create_dir(dir.path("empty")).unwrap();
    dir.command()
        .args(["import", "--yes", "--from", "empty", "--to", "back.db"])
        .expect_code(2)
        .assert_stderr_contains("manifest.json");
    assert!(!dir.path("back.db").exists());
}
