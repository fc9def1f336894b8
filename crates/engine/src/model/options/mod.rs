//! What a user asks of a run: the one input type both front ends (CLI, app) fill in.

mod jobs;
pub mod names;
pub mod values;

use std::path::PathBuf;

use crate::model::finding::Policy;
use crate::model::location::Location;

pub use jobs::{ExtractOptions, HashScheme, Job, PromoteOptions, TargetProfile, UsersNames};
pub use names::OptionName;

/// `table.column` as a user names it (`tasks.created_at`, `"my.table".col`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    pub table: String,
    pub column: String,
}

impl ColumnRef {
    /// Splits at the first dot outside double quotes; quotes are removed (`""` → `"`).
    ///
    /// # Errors
    /// `BadInput` when there is no dot or either side is empty.
    pub fn parse(text: &str) -> crate::Result<ColumnRef> {
        let mut in_quotes = false;
        let mut split = None;
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'"' => in_quotes = !in_quotes,
                b'.' if !in_quotes => {
                    split = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let unquote = |s: &str| {
            let s = s.trim();
            if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
                s[1..s.len() - 1].replace("\"\"", "\"")
            } else {
                s.to_string()
            }
        };
        match split {
            Some(i) if i > 0 && i + 1 < text.len() => Ok(ColumnRef {
                table: unquote(&text[..i]),
                column: unquote(&text[i + 1..]),
            }),
            _ => Err(crate::Error::bad_input(format!(
                "'{text}' is not TABLE.COLUMN (quote names that contain dots: \"my.table\".col)"
            ))),
        }
    }

    pub fn matches(&self, table: &str, column: &str) -> bool {
        self.table == table && self.column == column
    }
}

/// A setting for one column (`--epoch tasks.due=ms`, `--type t.c=uuid`, …).
#[derive(Debug, Clone)]
pub struct ColumnSetting<T> {
    pub column: ColumnRef,
    pub value: T,
}

/// Finds the setting for a column, if any.
pub fn setting_for<'a, T>(
    settings: &'a [ColumnSetting<T>],
    table: &str,
    column: &str,
) -> Option<&'a T> {
    settings
        .iter()
        .find(|s| s.column.matches(table, column))
        .map(|s| &s.value)
}

#[derive(Debug, Clone, Default)]
pub enum BackupChoice {
    /// Back up an existing SQLite target file beside it. (A PostgreSQL target needs none:
    /// Ferry only adds, inside one transaction that commits after verification.)
    #[default]
    Default,
    Dir(PathBuf),
    /// The user knowingly opted out.
    Skip,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub source: Location,
    pub target: Location,
    /// Copy, Promote or Extract.
    pub job: Job,
    /// PostgreSQL schema to read from or write to.
    pub pg_schema: String,
    /// Load into tables that already exist (the app's own migrations made them).
    pub into_existing: bool,
    /// With `into_existing`: allow adding rows to non-empty target tables.
    pub append: bool,
    /// Only these source tables (empty: all). Naming a bookkeeping table includes it.
    pub tables: Vec<String>,
    pub exclude: Vec<String>,
    /// Zone for naive timestamps that become timestamptz (default UTC).
    pub source_timezone: chrono_tz::Tz,
    pub column_timezones: Vec<ColumnSetting<chrono_tz::Tz>>,
    pub dst: crate::model::temporal::DstPolicy,
    pub epoch_columns: Vec<ColumnSetting<crate::model::temporal::EpochUnit>>,
    /// Target type overrides, PostgreSQL type names (`uuid`, `jsonb`, `numeric(12,2)`).
    pub type_overrides: Vec<ColumnSetting<String>>,
    /// Policy for every column without its own (`--on-bad-value POLICY`).
    pub default_policy: Policy,
    pub column_policies: Vec<ColumnSetting<Policy>>,
    pub dry_run: bool,
    pub backup: BackupChoice,
    /// Rows per batch between reader and writer threads.
    pub batch_rows: usize,
    /// `--conventions NAME`: the storage convention of the SQLite side, instead of the one
    /// detected from the framework's bookkeeping table (`None`: detect, else Ferry's own).
    pub conventions: Option<crate::model::conventions::Convention>,
    /// `--replace TABLE…`: target tables whose rows are replaced by the source's, in the
    /// run's transaction.
    pub replace: Vec<String>,
}

impl Options {
    pub fn new(source: Location, target: Location) -> Options {
        Options {
            source,
            target,
            job: Job::Copy,
            pg_schema: "public".into(),
            into_existing: false,
            append: false,
            tables: vec![],
            exclude: vec![],
            source_timezone: chrono_tz::UTC,
            column_timezones: vec![],
            dst: Default::default(),
            epoch_columns: vec![],
            type_overrides: vec![],
            default_policy: Policy::Stop,
            column_policies: vec![],
            dry_run: false,
            backup: BackupChoice::Default,
            batch_rows: 2000,
            conventions: None,
            replace: vec![],
        }
    }

    pub fn policy_for(&self, table: &str, column: &str) -> Policy {
        setting_for(&self.column_policies, table, column)
            .copied()
            .unwrap_or(self.default_policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_refs_parse_with_quotes() {
        let cases = [
            ("tasks.done", "tasks", "done"),
            ("\"my.table\".col", "my.table", "col"),
            ("t.\"a.b\"", "t", "a.b"),
            ("\"we\"\"ird\".x", "we\"ird", "x"),
        ];
        for (text, table, column) in cases {
            let r = ColumnRef::parse(text).unwrap();
            assert_eq!(
                (r.table.as_str(), r.column.as_str()),
                (table, column),
                "{text}"
            );
        }
        for bad in ["nodot", ".c", "t."] {
            assert!(ColumnRef::parse(bad).is_err(), "{bad}");
        }
    }
}
