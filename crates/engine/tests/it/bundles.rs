//! Bundles: export → import must equal a direct migration (both source dialects, both
//! targets), checked with SQL that does not use Ferry's code; a damaged bundle is refused
//! before anything connects or is written.
use crate::common::*;

use std::path::{Path, PathBuf};

use ferry_engine::progress::Silent;
use ferry_engine::{Cancel, ErrorKind, Location, Options};

fn bundle(dir: &Path) -> Location {
    Location::Bundle {
        dir: dir.to_path_buf(),
    }
}

fn export_ok(from: Location, dir: &Path) {
    migrate_ok(&Options::new(from, bundle(dir)));
}

fn import_error(dir: &Path, to: Location) -> ferry_engine::Error {
    match migrate(&Options::new(bundle(dir), to)) {
        Ok(r) => panic!("a damaged bundle was imported: {:?}", r.outcome),
        Err(e) => e.error,
    }
}

/// A small SQLite database exported to `dir/bundle`; returns the bundle folder.
fn small_bundle(dir: &Path) -> PathBuf {
    let db = sqlite_from_sql(
        dir,
        "small.db",
        "CREATE TABLE a (id INTEGER PRIMARY KEY, t TEXT);
         INSERT INTO a VALUES (1, 'one'), (2, 'two'), (3, 'three');
         CREATE TABLE \"B/../b\" (x REAL);
         INSERT INTO \"B/../b\" VALUES (1.5), (-0.0);",
    );
    let out = dir.join("bundle");
    export_ok(sqlite(&db), &out);
    out
}

/// The file of a table, found through the manifest (file names are Ferry's choice).
fn table_file(bundle: &Path, table: &str) -> PathBuf {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let entry = manifest["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == table)
        .unwrap_or_else(|| panic!("{table} in {manifest}"));
    bundle.join(entry["file"].as_str().unwrap())
}

/// A PostgreSQL location nothing listens on: reaching the connect step would be a
/// connection error, so a bad-input error proves the bundle was refused first.
fn unreachable_pg() -> Location {
    Location::parse("postgres://postgres@127.0.0.1:1/nothing?connect_timeout=2").unwrap()
}

fn assert_refused(err: &ferry_engine::Error, file: &Path, words: &str) {
    let text = err.to_string();
    assert_eq!(err.kind(), ErrorKind::BadInput, "{text}");
    let name = file.file_name().unwrap().to_string_lossy();
    assert!(text.contains(name.as_ref()), "names {name}: {text}");
    assert!(text.contains(words), "says '{words}': {text}");
}

#[test]
fn sqlite_bundle_imports_exactly_like_a_direct_migration() {
    let dir = tempfile::tempdir().unwrap();
    let original = sqlite_from_sql(dir.path(), "original.db", &fixture("nasty_sqlite.sql"));
    let before = sha256(&original);
    let out = dir.path().join("bundle");
    export_ok(sqlite(&original), &out);
    assert_eq!(sha256(&original), before, "the source is never modified");

    // → SQLite
    let direct = dir.path().join("direct.db");
    let via = dir.path().join("via.db");
    migrate_ok(&options(sqlite(&original), sqlite(&direct)));
    migrate_ok(&options(bundle(&out), sqlite(&via)));
    assert_eq!(sqlite_schema_sql(&direct), sqlite_schema_sql(&via));
    assert_eq!(sqlite_fingerprint(&direct), sqlite_fingerprint(&via));
    assert!(!sqlite_fingerprint(&via)
        .iter()
        .all(|(_, rows)| rows.is_empty()));

    // → PostgreSQL
    let (a, b) = (TestDb::new(), TestDb::new());
    migrate_ok(&options(sqlite(&original), pg(&a)));
    migrate_ok(&options(bundle(&out), pg(&b)));
    let (mut ca, mut cb) = (a.client(), b.client());
    assert_eq!(pg_tables(&mut ca), pg_tables(&mut cb));
    assert_eq!(pg_snapshot(&mut ca), pg_snapshot(&mut cb));
}

#[test]
fn postgres_bundle_imports_exactly_like_a_direct_migration() {
    let source = TestDb::new();
    source
        .client()
        .batch_execute(&fixture("every_type_pg.sql"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    export_ok(pg(&source), &out);

    // → PostgreSQL: and both equal the source itself.
    let (a, b) = (TestDb::new(), TestDb::new());
    migrate_ok(&options(pg(&source), pg(&a)));
    migrate_ok(&options(bundle(&out), pg(&b)));
    let (mut cs, mut ca, mut cb) = (source.client(), a.client(), b.client());
    let via = pg_snapshot(&mut cb);
    assert_eq!(pg_snapshot(&mut ca), via);
    assert_eq!(
        pg_snapshot(&mut cs).content,
        via.content,
        "content equals the source's"
    );

    // → SQLite
    let direct = dir.path().join("direct.db");
    let via = dir.path().join("via.db");
    migrate_ok(&options(pg(&source), sqlite(&direct)));
    migrate_ok(&options(bundle(&out), sqlite(&via)));
    assert_eq!(sqlite_schema_sql(&direct), sqlite_schema_sql(&via));
    assert_eq!(sqlite_fingerprint(&direct), sqlite_fingerprint(&via));
}

#[test]
fn manifest_masks_the_password_and_files_are_private() {
    let source = TestDb::new();
    source
        .client()
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);")
        .unwrap();
    let Location::Postgres(mut pg_location) = pg(&source) else {
        panic!("a PostgreSQL location")
    };
    // The test server trusts local connections, so any password is accepted (and unused).
    let secret = "s3cret-bundle-pw";
    pg_location.password = Some(secret.into());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    export_ok(Location::Postgres(pg_location), &out);

    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!manifest.contains(secret), "{manifest}");
    let parsed: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let description = parsed["source"]["description"].as_str().unwrap();
    assert!(description.contains(":***@"), "{description}");
    assert_eq!(parsed["source"]["dialect"], "postgres");
    assert_eq!(parsed["tables"][0]["rows"], 2);
    // The recorded hash is the file's SHA-256, computed here independently.
    let file = table_file(&out, "t");
    assert_eq!(
        parsed["tables"][0]["sha256"].as_str().unwrap(),
        sha256(&file)
    );
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        assert!(
            !std::fs::read_to_string(&path).unwrap().contains(secret),
            "{}",
            path.display()
        );
    }

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o700, "the folder is the owner's only");
        for entry in std::fs::read_dir(&out).unwrap() {
            let path = entry.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}

#[test]
fn a_changed_byte_is_refused_naming_the_file_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_bundle(dir.path());
    let file = table_file(&out, "a");
    let mut bytes = std::fs::read(&file).unwrap();
    let i = bytes.iter().position(|&b| b == b'1').unwrap();
    bytes[i] = b'7';
    std::fs::write(&file, bytes).unwrap();

    let err = import_error(&out, unreachable_pg());
    assert_refused(&err, &file, "SHA-256");
    let target = dir.path().join("never.db");
    let err = import_error(&out, sqlite(&target));
    assert_refused(&err, &file, "changed or damaged");
    assert!(!target.exists(), "nothing was written");
}

#[test]
fn a_truncated_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_bundle(dir.path());
    let file = table_file(&out, "a");
    let bytes = std::fs::read(&file).unwrap();
    // Cut the last line in the middle.
    std::fs::write(&file, &bytes[..bytes.len() - 4]).unwrap();
    let err = import_error(&out, unreachable_pg());
    assert_refused(&err, &file, "truncated");

    // A whole last line removed is caught by the hash and the row count.
    let cut = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap();
    std::fs::write(&file, &bytes[..=cut]).unwrap();
    let err = import_error(&out, unreachable_pg());
    assert_refused(&err, &file, "SHA-256");
}

#[test]
fn a_missing_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_bundle(dir.path());
    let file = table_file(&out, "B/../b");
    std::fs::remove_file(&file).unwrap();
    let err = import_error(&out, unreachable_pg());
    assert_refused(&err, &file, "missing");
}

#[test]
fn an_unlisted_table_file_is_refused_and_other_files_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_bundle(dir.path());
    std::fs::write(out.join("README.txt"), "notes about this export\n").unwrap();
    let target = dir.path().join("ok.db");
    migrate_ok(&options(bundle(&out), sqlite(&target)));
    let imported = sqlite_fingerprint(&target);
    let a = imported.iter().find(|(t, _)| t == "a").unwrap();
    assert_eq!(a.1, ["1|'one'", "2|'two'", "3|'three'"]);

    let extra = out.join("0099-extra.jsonl");
    std::fs::write(&extra, "[1,\"x\"]\n").unwrap();
    let err = import_error(&out, unreachable_pg());
    assert_refused(&err, &extra, "not listed");
}

#[test]
fn an_edited_manifest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_bundle(dir.path());
    let path = out.join("manifest.json");
    let original = std::fs::read_to_string(&path).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_str(&original).unwrap();
    manifest["tables"][0]["rows"] = 4.into();
    std::fs::write(&path, manifest.to_string()).unwrap();
    let err = import_error(&out, unreachable_pg());
    assert_refused(&err, &table_file(&out, "a"), "manifest.json lists 4");

    // A file name pointing out of the folder is refused whatever its hash.
    let mut manifest: serde_json::Value = serde_json::from_str(&original).unwrap();
    manifest["tables"][0]["file"] = "../small.db".into();
    std::fs::write(&path, manifest.to_string()).unwrap();
    let err = import_error(&out, unreachable_pg());
    assert_eq!(err.kind(), ErrorKind::BadInput);
    assert!(
        err.to_string().contains("not a file name Ferry writes"),
        "{err}"
    );

    // The schema is covered by its hash too.
    std::fs::write(&path, &original).unwrap();
    let schema = out.join("schema.json");
    let text = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(&schema, text.replacen("\"t\"", "\"u\"", 1)).unwrap();
    let err = import_error(&out, unreachable_pg());
    assert_refused(&err, &schema, "SHA-256");
}

#[test]
fn export_never_overwrites_and_leaves_nothing_behind_on_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_from_sql(
        dir.path(),
        "x.db",
        "CREATE TABLE t (a); INSERT INTO t VALUES (1);",
    );
    let busy = dir.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("keep.txt"), "mine").unwrap();
    let err = match migrate(&Options::new(sqlite(&db), bundle(&busy))) {
        Ok(_) => panic!("exported into a non-empty folder"),
        Err(e) => e.error,
    };
    assert_eq!(err.kind(), ErrorKind::BadInput, "{err}");
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(busy.join("keep.txt")).unwrap(),
        "mine"
    );

    // An empty folder is fine; a dry run writes and checks everything, then removes it.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let mut dry = Options::new(sqlite(&db), bundle(&empty));
    dry.dry_run = true;
    migrate_ok(&dry);
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "dry run left files"
    );
    export_ok(sqlite(&db), &empty);
    assert!(empty.join("manifest.json").is_file());
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("ferry-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = ferry_engine::export(
        &Options::new(sqlite(&db), bundle(&empty)),
        &Silent,
        &Cancel::new(),
    )
    .map(|_| panic!("a second export over a bundle must be refused"));
}

#[test]
fn a_cancelled_export_leaves_nothing_and_a_killed_ones_leftovers_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_from_sql(
        dir.path(),
        "x.db",
        "CREATE TABLE t (a); INSERT INTO t VALUES (1);",
    );
    let out = dir.path().join("out");
    // What a killed export leaves: its hidden folder, named after a process that is gone.
    let stale = dir.path().join(".out.ferry-tmp-999999999-1");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("0001-t.jsonl"), "[1]\n").unwrap();

    let cancel = Cancel::new();
    cancel.cancel();
    let err = ferry_engine::export(&Options::new(sqlite(&db), bundle(&out)), &Silent, &cancel)
        .map(|r| panic!("a cancelled export committed: {:?}", r.outcome))
        .unwrap_err();
    assert_eq!(err.error.kind(), ErrorKind::Cancelled, "{}", err.error);
    assert!(!out.exists(), "a cancelled export leaves no bundle");
    assert!(!stale.exists(), "the killed run's folder was removed");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["x.db"], "nothing else is left behind");
}
