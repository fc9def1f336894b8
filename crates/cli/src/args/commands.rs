//! The arguments of each command that has its own: the inspect, plan, migrate, verify, export,
//! report, completion and manual-page commands. Each is a struct of flattened option groups
//! (the copy's, Promote's, Extract's) plus the flags only that command has.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use ferry_engine::{Error, Location, Options};

use super::run::non_empty;
use super::{ExtractArgs, JobArgs, PromoteArgs, RunArgs};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A SQLite file (`app.db`, `sqlite:app.db`) or a PostgreSQL URL / key=value string.
    #[arg(value_name = "LOCATION")]
    pub location: String,
    /// PostgreSQL schema to inspect.
    #[arg(long, default_value = "public")]
    pub schema: String,
    /// Print the inspection as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub promote: PromoteArgs,
    #[command(flatten)]
    pub extract: ExtractArgs,
    #[command(flatten)]
    pub job: JobArgs,
    /// Print the plan as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub promote: PromoteArgs,
    #[command(flatten)]
    pub extract: ExtractArgs,
    #[command(flatten)]
    pub job: JobArgs,
    /// Do the whole migration, verification included, then roll back: nothing is written.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask before writing (for scripts).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the report as JSON on stdout (and nothing else there).
    #[arg(long)]
    pub json: bool,
    /// Also save the JSON report to FILE (created with mode 0600).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// `--from` is the migration's source, `--to` its target; give the same conversion
    /// options (time zones, epochs, types, policies) the migration used, so values compare
    /// as that migration converted them.
    #[command(flatten)]
    pub run: RunArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also save the JSON report to FILE (created with mode 0600).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The database to export (a SQLite file, a PostgreSQL URL, or another bundle).
    #[arg(long, value_name = "LOCATION")]
    pub from: String,
    /// The bundle folder to create; it must not exist or be empty (never overwritten).
    #[arg(long, value_name = "FOLDER")]
    pub to: String,
    /// PostgreSQL schema to read from.
    #[arg(long, default_value = "public")]
    pub schema: String,
    /// Only these source tables (comma-separated; default: all).
    #[arg(long, value_name = "TABLE,...", value_delimiter = ',')]
    pub tables: Vec<String>,
    /// Leave these source tables out (comma-separated, repeatable).
    #[arg(long, value_name = "TABLE,...", value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Rows per batch between the reader and the writer.
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub batch_rows: u64,
    /// Write and check the whole bundle, then delete it: nothing is left behind.
    #[arg(long)]
    pub dry_run: bool,
    /// Accepted for symmetry with migrate; export never asks (it only creates a new folder).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the report as JSON on stdout (and nothing else there).
    #[arg(long)]
    pub json: bool,
    /// Also save the JSON report to FILE (created with mode 0600).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

impl ExportArgs {
    /// The engine's options for an export.
    ///
    /// # Errors
    /// `BadInput` for a source location the engine cannot parse.
    pub fn to_options(&self) -> Result<Options, Error> {
        let source = Location::parse(&self.from)?;
        let folder = self.to.strip_prefix("bundle:").unwrap_or(&self.to).trim();
        if folder.is_empty() {
            return Err(Error::bad_input("--to needs a folder for the bundle"));
        }
        let target = Location::Bundle {
            dir: PathBuf::from(folder),
        };
        let mut options = Options::new(source, target);
        options.pg_schema = self.schema.clone();
        options.tables = non_empty(&self.tables);
        options.exclude = non_empty(&self.exclude);
        options.dry_run = self.dry_run;
        options.batch_rows = usize::try_from(self.batch_rows).unwrap_or(usize::MAX);
        Ok(options)
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A JSON report saved by `--report FILE` (or printed by `--json`).
    #[arg(value_name = "FILE.json")]
    pub file: PathBuf,
    /// Where to write the page (mode 0600; `-` for stdout). Default: beside FILE, as `.html`.
    #[arg(long, short = 'o', value_name = "FILE.html")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_name = "SHELL")]
    pub shell: CompletionShell,
}

/// The shells a completion script is written for (the ones the .deb installs them for).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct ManpageArgs {
    /// Write `ferry.1` and one `ferry-COMMAND.1` per command into this folder; without it,
    /// print `ferry.1` on stdout.
    #[arg(long, value_name = "FOLDER")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MappingArgs {
    /// Print the rules as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}
