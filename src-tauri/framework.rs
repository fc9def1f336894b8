//! The Job step's framework line: which framework the databases belong to and which storage
//! convention the run will write the SQLite side in, before anything is planned.
//!
//! It reads both catalogs (`ferry_engine::inspect`: names, columns, row counts; no values)
//! and asks the engine's own rule (`plan::frameworks::choose`), so the line says what the
//! plan will do. A framework found in the target while "Load into tables that already exist"
//! is off is said too: that is the box the person most likely forgot.

use ferry_engine::catalog::Catalog;
use ferry_engine::conventions::Convention;
use ferry_engine::plan::frameworks;
use ferry_engine::{Location, Options};
use serde::Serialize;

/// What the Job step shows under the options.
#[derive(Debug, Serialize, PartialEq)]
pub struct FrameworkView {
    /// The framework the run follows (`None`: Ferry's own convention).
    pub framework: Option<Convention>,
    /// The convention that writes the SQLite side.
    pub convention: Convention,
    /// The line the page shows.
    pub line: String,
}

/// The framework line for `options`, from the two catalogs (`target`: `None` when the target
/// does not exist yet).
pub fn view(options: &Options, source: &Catalog, target: Option<&Catalog>) -> FrameworkView {
    let chosen = frameworks::choose(options, source, target);
    let convention = chosen.as_ref().map(|(c, _)| *c).unwrap_or_default();
    let framework = chosen
        .as_ref()
        .map(|(c, _)| *c)
        .filter(|c| *c != Convention::Ferry);
    let line = match (&chosen, options.conventions) {
        (Some((c, _)), Some(_)) => format!(
            "{} — storage convention {c}, as chosen under “Storage convention”",
            framework_words(*c)
        ),
        (Some((c, because)), None) => {
            let found = because.strip_prefix("detected: ").unwrap_or(because);
            format!(
                "Framework: {} (found {found}) — storage convention {c}",
                display_name(*c)
            )
        }
        (None, _) => match target.and_then(Convention::detect) {
            Some((c, why)) => format!(
                "Framework: {} (found {why} in the target) — its storage convention and seeded tables apply once “Load into tables that already exist” is ticked; until then: storage convention ferry (Ferry’s own)",
                display_name(c)
            ),
            None => "No framework found (no bookkeeping table such as django_migrations, alembic_version or schema_migrations) — storage convention ferry (Ferry’s own)".into(),
        },
    };
    // Into an existing SQLite file, a column whose existing rows all hold one form is written
    // in it (`plan::evidence`), above the convention; only `--conventions` outranks the rows.
    // Which columns is the plan's to say (it samples them); the line says that it can happen.
    let rows_may_decide = options.into_existing
        && options.conventions.is_none()
        && matches!(options.target, Location::Sqlite { .. })
        && target.is_some_and(|t| t.tables.iter().any(|t| t.row_count.unwrap_or(0) > 0));
    let mut line = line;
    if rows_may_decide {
        line.push_str(", except columns whose existing rows all hold another form: those follow their rows (the plan says which)");
    }
    FrameworkView {
        framework,
        convention,
        line,
    }
}

/// The catalog of a location that exists; `None` for a SQLite file not created yet (a
/// target Ferry will create). Reading it writes nothing.
///
/// # Errors
/// What the engine says about connecting or reading.
pub fn catalog_if_present(
    location: &Location,
    schema: &str,
) -> ferry_engine::Result<Option<Catalog>> {
    if let Location::Sqlite { path } = location {
        if !path.exists() {
            return Ok(None);
        }
    }
    ferry_engine::inspect(location, schema).map(|i| Some(i.catalog))
}

fn framework_words(c: Convention) -> String {
    match c {
        Convention::Ferry => "No framework".into(),
        other => format!("Framework: {}", display_name(other)),
    }
}

/// How the framework calls itself.
fn display_name(c: Convention) -> &'static str {
    match c {
        Convention::Ferry => "Ferry",
        Convention::Django => "Django",
        Convention::Sqlalchemy => "SQLAlchemy (Alembic)",
        Convention::Rails => "Rails (ActiveRecord)",
        Convention::Prisma => "Prisma",
        Convention::Laravel => "Laravel (Eloquent)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(tables: &[&str]) -> Catalog {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let sql: String = tables
            .iter()
            .map(|t| format!("CREATE TABLE {t}(id INTEGER PRIMARY KEY);"))
            .collect();
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(&sql)
            .unwrap();
        catalog_if_present(&Location::Sqlite { path }, "public")
            .unwrap()
            .unwrap()
    }

    fn options(into_existing: bool, conventions: Option<Convention>) -> Options {
        let mut o = Options::new(
            Location::Sqlite {
                path: "a.db".into(),
            },
            Location::Sqlite {
                path: "b.db".into(),
            },
        );
        o.into_existing = into_existing;
        o.conventions = conventions;
        o
    }

    #[test]
    fn a_django_target_is_named_with_the_table_that_gave_it_away() {
        let source = catalog(&["shop_product"]);
        let target = catalog(&["django_migrations", "shop_product"]);
        let v = view(&options(true, None), &source, Some(&target));
        assert_eq!(v.framework, Some(Convention::Django));
        assert_eq!(
            v.line,
            "Framework: Django (found table django_migrations in the target) — storage convention django"
        );
        let v = view(&options(false, None), &source, Some(&target));
        assert_eq!(v.convention, Convention::Ferry);
        assert!(
            v.line
                .contains("once “Load into tables that already exist” is ticked"),
            "{}",
            v.line
        );
    }

    #[test]
    fn the_persons_choice_wins_and_is_said_as_theirs() {
        let source = catalog(&["django_migrations"]);
        let v = view(&options(true, Some(Convention::Rails)), &source, None);
        assert_eq!(v.convention, Convention::Rails);
        assert_eq!(
            v.line,
            "Framework: Rails (ActiveRecord) — storage convention rails, as chosen under “Storage convention”"
        );
        let v = view(&options(false, None), &catalog(&["notes"]), None);
        assert!(v.line.starts_with("No framework found"), "{}", v.line);
    }

    #[test]
    fn into_a_sqlite_file_with_rows_the_line_says_the_rows_can_decide() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE notes(id INTEGER PRIMARY KEY, at DATETIME); INSERT INTO notes VALUES (1, '2025-01-01 10:00:00');")
            .unwrap();
        let target = catalog_if_present(&Location::Sqlite { path }, "public")
            .unwrap()
            .unwrap();
        let source = catalog(&["notes"]);
        let v = view(&options(true, None), &source, Some(&target));
        assert!(
            v.line.ends_with(", except columns whose existing rows all hold another form: those follow their rows (the plan says which)"),
            "{}",
            v.line
        );
        let v = view(
            &options(true, Some(Convention::Django)),
            &source,
            Some(&target),
        );
        assert!(!v.line.contains("existing rows"), "{}", v.line);
    }

    #[test]
    fn a_target_file_not_created_yet_has_no_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let location = Location::Sqlite { path: path.clone() };
        assert!(catalog_if_present(&location, "public").unwrap().is_none());
        assert!(!path.exists(), "reading did not create the file");
    }
}
