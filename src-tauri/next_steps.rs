//! The Result step's "What next" panel: what to put in the app's configuration, who signs in
//! (Promote), and where the files are. Derived from the run's target and its report, so the
//! page shows only facts the engine established.
//!
//! The connection string is the engine's masked display of the target. Copy copies exactly
//! what is shown: the clipboard is readable by every program of the session (and kept by
//! clipboard managers), so a password typed into Ferry never goes there. When the location
//! holds no password (peer or trust authentication, `~/.pgpass`, `PGPASSWORD`) the shown
//! string is the whole, real one and copying it is safe; when it does, the page says to put
//! the password in place of `***` (or, better, in the app's secret store).

use ferry_engine::report::Outcome;
use ferry_engine::{Location, Report};
use serde::Serialize;

#[derive(Debug, Serialize, PartialEq)]
pub struct NextSteps {
    /// `postgres` or `sqlite`.
    pub kind: &'static str,
    /// A PostgreSQL URL (password masked) or the SQLite file's absolute path.
    pub connection: String,
    /// `connection` shows `***` where the password goes.
    pub password_masked: bool,
    /// Promote: the admin's sign-in email.
    pub admin_email: Option<String>,
    /// The SQLite target file (its folder can be opened).
    pub target_file: Option<String>,
    /// The backup file (its folder can be opened).
    pub backup_file: Option<String>,
}

/// The next steps after a committed run; `None` for a dry run, a failure or a cancel, after
/// which there is nothing new to configure.
pub fn after(target: &Location, report: &Report) -> Option<NextSteps> {
    if report.outcome != Outcome::Committed {
        return None;
    }
    let (kind, connection, password_masked, target_file) = match target {
        Location::Postgres(pg) => ("postgres", pg.display(), pg.password.is_some(), None),
        Location::Sqlite { path } => {
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            let shown = path.display().to_string();
            ("sqlite", shown.clone(), false, Some(shown))
        }
        // Ferry's app does not write bundles; nothing to configure.
        Location::Bundle { .. } => return None,
    };
    Some(NextSteps {
        kind,
        connection,
        password_masked,
        admin_email: report.admin.as_ref().map(|a| a.email.clone()),
        target_file,
        backup_file: report.backup.as_ref().map(|b| b.path.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed(target: &str) -> Report {
        let mut report = Report::new("migrate", "sqlite:a.db".into(), target.into());
        report.outcome = Outcome::Committed;
        report
    }

    #[test]
    fn a_password_is_masked_and_said_so() {
        let target = Location::parse("postgres://app:s3cret@db.example:5432/tasks").unwrap();
        let next = after(
            &target,
            &committed("postgres://app:***@db.example:5432/tasks"),
        )
        .unwrap();
        assert_eq!(next.connection, "postgres://app:***@db.example:5432/tasks");
        assert!(next.password_masked);
        assert!(!format!("{next:?}").contains("s3cret"));
    }

    #[test]
    fn without_a_password_the_string_is_whole() {
        let target = Location::parse("postgres://app@db.example/tasks").unwrap();
        let next = after(&target, &committed("x")).unwrap();
        assert!(!next.password_masked);
        assert!(!next.connection.contains("***"));
    }

    #[test]
    fn a_sqlite_target_gives_its_absolute_path_and_nothing_after_a_dry_run() {
        let target = Location::parse("out.db").unwrap();
        let next = after(&target, &committed("sqlite:out.db")).unwrap();
        assert!(std::path::Path::new(&next.connection).is_absolute());
        assert!(next.connection.ends_with("out.db"));
        assert_eq!(next.target_file.as_deref(), Some(next.connection.as_str()));
        let mut dry = committed("sqlite:out.db");
        dry.outcome = Outcome::RolledBack;
        assert_eq!(after(&target, &dry), None);
    }
}
