//! The command line, declared with clap's derive API, and its translation into the engine's
//! [`Options`].
//!
//! Clap checks everything it can check without touching a database (flag spelling, enum
//! values, `TABLE.COLUMN=VALUE` shapes, time-zone names) so that mistakes are usage errors
//! (exit 2) before anything connects. Locations are deliberately *not* clap values: clap
//! echoes a rejected value in its message, and a PostgreSQL URL may carry a password. They
//! are parsed by the engine in [`RunArgs::to_options`], whose errors are masked.

use clap::{Parser, Subcommand};

use crate::exit::EXIT_CODES_HELP;

mod commands;
mod extract;
mod promote;
mod run;
mod settings;

pub use commands::{
    CompletionShell, CompletionsArgs, ExportArgs, InspectArgs, ManpageArgs, MappingArgs,
    MigrateArgs, PlanArgs, ReportArgs, VerifyArgs,
};
pub use extract::ExtractArgs;
pub use promote::{JobArgs, PromoteArgs};
pub use run::{OnBadValue, RunArgs};

/// Ferry moves an application's database between SQLite and PostgreSQL and verifies, with
/// content digests, that nothing was lost.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, propagate_version = true, after_help = EXIT_CODES_HELP, arg_required_else_help = true)]
pub struct Cli {
    /// No progress bars and no summary of a run on the terminal; errors, Promote's one-time
    /// password and what --json, --report and --out write still appear.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a database's tables, columns, types, keys, indexes and row counts.
    Inspect(InspectArgs),
    /// Show what a migration would do (type mapping, load order, findings); writes nothing.
    Plan(PlanArgs),
    /// Copy a database to another, verify it, then commit (asks first).
    Migrate(MigrateArgs),
    /// Compare two databases' content table by table.
    Verify(VerifyArgs),
    /// Write a database into a new bundle folder: JSON Lines per table, schema, manifest.
    Export(ExportArgs),
    /// Load a bundle into a database (checks every file's SHA-256 first), verify, commit.
    Import(MigrateArgs),
    /// Print the default type-mapping rules.
    Mapping(MappingArgs),
    /// Render a saved JSON report (`--report FILE`) as a self-contained HTML page.
    Report(ReportArgs),
    /// Print a shell completion script (bash, zsh or fish) on stdout.
    Completions(CompletionsArgs),
    /// Write the manual pages, generated from these very flags (for packaging).
    #[command(hide = true)]
    Manpage(ManpageArgs),
}

impl Command {
    /// Whether the engine call behind this command watches [`ferry_engine::Cancel`].
    pub fn is_cancellable(&self) -> bool {
        matches!(
            self,
            Command::Plan(_)
                | Command::Migrate(_)
                | Command::Verify(_)
                | Command::Export(_)
                | Command::Import(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::run::split_policies;
    use super::settings::{parse_bad_value, parse_setting};
    use super::*;
    use clap::CommandFactory;
    use ferry_engine::finding::Policy;
    use ferry_engine::temporal::EpochUnit;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn settings_parse_table_column_value() {
        let s = parse_setting::<EpochUnit>("tasks.due=ms").unwrap();
        assert_eq!(
            (s.column.table.as_str(), s.column.column.as_str(), s.value),
            ("tasks", "due", EpochUnit::Milliseconds)
        );
        let s = parse_setting::<String>("\"a=b\".c=numeric(12,2)").unwrap();
        assert_eq!(
            (
                s.column.table.as_str(),
                s.column.column.as_str(),
                s.value.as_str()
            ),
            ("a=b", "c", "numeric(12,2)")
        );
        let s = parse_setting::<chrono_tz::Tz>("t.c=Europe/Paris").unwrap();
        assert_eq!(s.value, chrono_tz::Europe::Paris);
        for bad in ["tasks.due", "tasks=ms", "tasks.due=hours", "t.c="] {
            assert!(parse_setting::<EpochUnit>(bad).is_err(), "{bad}");
        }
        assert!(parse_setting::<chrono_tz::Tz>("t.c=Mars/Olympus").is_err());
    }

    #[test]
    fn bad_value_policies_split_into_default_and_columns() {
        let values: Vec<OnBadValue> = ["null", "tasks.done=skip", "t.c=text", "null"]
            .iter()
            .map(|t| parse_bad_value(t).unwrap())
            .collect();
        let (default, columns) = split_policies(&values).unwrap();
        assert_eq!(default, Policy::Null);
        let got: Vec<_> = columns
            .iter()
            .map(|s| (s.column.table.as_str(), s.value))
            .collect();
        assert_eq!(got, [("tasks", Policy::SkipRow), ("t", Policy::AsText)]);

        let conflicting = [
            parse_bad_value("null").unwrap(),
            parse_bad_value("stop").unwrap(),
        ];
        assert!(split_policies(&conflicting).is_err());
        assert_eq!(split_policies(&[]).unwrap().0, Policy::Stop);
        assert!(parse_bad_value("explode").is_err());
    }
}
