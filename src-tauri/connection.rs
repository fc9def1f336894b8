//! "Test connection": opens one side the way a run would and answers in plain words.
//!
//! A source must open and be readable; a SQLite target may be a new file, so only its
//! folder has to exist. Failures are the engine's own messages (wrong password, host
//! unreachable, database missing, TLS required), which already say what to do.

use std::path::Path;

use ferry_engine::{Error, Location};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Source,
    Target,
}

/// # Errors
/// The engine's connection or bad-input error for this location.
pub fn test(location: &Location, role: Role, pg_schema: &str) -> Result<String, Error> {
    if let (Location::Sqlite { path }, Role::Target) = (location, role) {
        if !path.exists() {
            return new_file(path);
        }
    }
    let inspection = ferry_engine::inspect(location, pg_schema)?;
    let tables = inspection.catalog.tables.len();
    let rows: u64 = inspection
        .catalog
        .tables
        .iter()
        .filter_map(|t| t.row_count)
        .sum();
    // Only PostgreSQL gets its own words; any file-like location (SQLite today) is named by
    // its masked display. Written without exhaustive matches so a new location kind in the
    // engine does not break the shell.
    let (what, inside) = match location {
        Location::Postgres(pg) => (
            format!(
                "Connected to PostgreSQL database \"{}\" on {} as {}",
                pg.database, pg.host, pg.user
            ),
            format!("schema \"{pg_schema}\""),
        ),
        other => {
            let name = match other {
                Location::Sqlite { path } => format!("the SQLite file {}", path.display()),
                _ => other.display(),
            };
            (format!("Opened {name}"), "it".to_string())
        }
    };
    let contents = match tables {
        0 => format!("{inside} has no tables yet"),
        n => format!(
            "{inside} has {} with {}",
            plural(n, "table"),
            rows_text(rows)
        ),
    };
    let note = match (role, location) {
        (Role::Target, Location::Sqlite { .. }) => {
            " It will be backed up before Ferry replaces it, and replaced only after verification."
        }
        _ => "",
    };
    Ok(format!("{what}: {contents}.{note}"))
}

fn new_file(path: &Path) -> Result<String, Error> {
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Err(Error::bad_input(format!(
            "the folder {} does not exist; choose a file in an existing folder",
            folder.display()
        )));
    }
    let probe = tempfile_probe(folder);
    match probe {
        Ok(()) => Ok(format!(
            "{} does not exist yet: Ferry will create it in {}.",
            path.display(),
            folder.display()
        )),
        Err(e) => Err(Error::bad_input(format!(
            "Ferry cannot write in {}: {e}; choose another folder",
            folder.display()
        ))),
    }
}

/// Whether a file can be created in `folder` (the target's temporary file goes there).
fn tempfile_probe(folder: &Path) -> std::io::Result<()> {
    let probe = folder.join(format!(".ferry-write-probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    std::fs::remove_file(&probe)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn rows_text(rows: u64) -> String {
    match rows {
        1 => "1 row".into(),
        n => format!("{} rows", thousands(n)),
    }
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_answers_in_words() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1),(2);")
            .unwrap();
        drop(conn);
        let loc = Location::Sqlite { path: db.clone() };
        let said = test(&loc, Role::Source, "public").unwrap();
        assert!(said.contains("1 table with 2 rows"), "{said}");
        let said = test(&loc, Role::Target, "public").unwrap();
        assert!(said.contains("backed up"), "{said}");

        let new = Location::Sqlite {
            path: dir.path().join("new.db"),
        };
        assert!(test(&new, Role::Target, "public")
            .unwrap()
            .contains("will create"));
        assert!(
            test(&new, Role::Source, "public").is_err(),
            "a source must exist"
        );
        let nowhere = Location::Sqlite {
            path: dir.path().join("missing/new.db"),
        };
        let e = test(&nowhere, Role::Target, "public")
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn postgres_answers_in_words() {
        let db = ferry_testkit::TestDb::new();
        let loc = Location::parse(&db.conn_str()).unwrap();
        let said = test(&loc, Role::Target, "public").unwrap();
        assert!(
            said.contains(&db.name) && said.contains("no tables yet"),
            "{said}"
        );
        let missing = Location::parse(&format!(
            "{} dbname=ferry_no_such_db_here",
            ferry_testkit::server()
        ))
        .unwrap();
        let e = test(&missing, Role::Target, "public")
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
    }
}
