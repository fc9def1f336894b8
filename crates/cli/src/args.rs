//! The command line, declared with clap's derive API, and its translation into the engine's
//! [`Options`].
//!
//! Clap checks everything it can check without touching a database (flag spelling, enum
//! values, `TABLE.COLUMN=VALUE` shapes, time-zone names) so that mistakes are usage errors
//! (exit 2) before anything connects. Locations are deliberately *not* clap values: clap
//! echoes a rejected value in its message, and a PostgreSQL URL may carry a password. They
//! are parsed by the engine in [`RunArgs::to_options`], whose errors are masked.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ferry_engine::finding::Policy;
use ferry_engine::options::values;
use ferry_engine::options::Job;
use ferry_engine::options::{BackupChoice, ColumnRef, ColumnSetting};
use ferry_engine::options::{HashScheme, PromoteOptions, TargetProfile, UsersNames};
use ferry_engine::temporal::{DstPolicy, EpochUnit, FoldPolicy, GapPolicy};
use ferry_engine::{Error, Location, Options};

use crate::exit::EXIT_CODES_HELP;

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

/// Options shared by `plan` and `migrate`: they map one to one onto the engine's [`Options`].
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The database to copy from.
    #[arg(long, value_name = "LOCATION")]
    pub from: String,
    /// The database to copy to.
    #[arg(long, value_name = "LOCATION")]
    pub to: String,
    /// PostgreSQL schema to read from or write to.
    #[arg(long, default_value = "public")]
    pub schema: String,
    /// Load into tables that already exist in the target (the app's migrations made them).
    #[arg(long)]
    pub into_existing: bool,
    /// With --into-existing: allow adding rows to target tables that are not empty.
    #[arg(long, requires = "into_existing")]
    pub append: bool,
    /// Only these source tables (comma-separated; default: all).
    #[arg(long, value_name = "TABLE,...", value_delimiter = ',')]
    pub tables: Vec<String>,
    /// Leave these source tables out (comma-separated, repeatable).
    #[arg(long, value_name = "TABLE,...", value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// With --into-existing: empty these target tables and load the source's rows instead,
    /// in the one transaction (comma-separated, repeatable).
    #[arg(
        long,
        value_name = "TABLE,...",
        value_delimiter = ',',
        requires = "into_existing"
    )]
    pub replace: Vec<String>,
    /// Write the SQLite side the way this framework stores values (ferry, django, sqlalchemy,
    /// rails, prisma, laravel) instead of the one detected from its bookkeeping table.
    #[arg(long, value_name = "NAME", value_parser = parse_convention)]
    pub conventions: Option<ferry_engine::conventions::Convention>,
    /// Time zone of naive timestamps that become timestamptz (an IANA name).
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_zone)]
    pub source_timezone: chrono_tz::Tz,
    /// Time zone of one column's naive timestamps (repeatable).
    #[arg(long, value_name = "TABLE.COLUMN=ZONE", value_parser = parse_setting::<chrono_tz::Tz>)]
    pub column_timezone: Vec<ColumnSetting<chrono_tz::Tz>>,
    /// A local time that does not exist (clocks jumped forward).
    #[arg(long, value_enum, default_value_t = DstGap::Reject)]
    pub dst_gap: DstGap,
    /// A local time that happens twice (clocks went back).
    #[arg(long, value_enum, default_value_t = DstFold::Reject)]
    pub dst_fold: DstFold,
    /// Read a column's numbers as unix epochs in seconds or milliseconds (repeatable).
    #[arg(long, value_name = "TABLE.COLUMN=seconds|ms", value_parser = parse_setting::<EpochUnit>)]
    pub epoch: Vec<ColumnSetting<EpochUnit>>,
    /// Give a column this PostgreSQL type instead of the default mapping (repeatable; new
    /// tables only: refused with --into-existing, where the existing column decides).
    #[arg(long = "type", value_name = "TABLE.COLUMN=PGTYPE", value_parser = parse_setting::<String>)]
    pub type_override: Vec<ColumnSetting<String>>,
    /// What to do with values the target cannot hold: stop|null|skip|text, for every column
    /// or for one (TABLE.COLUMN=POLICY); repeatable.
    #[arg(long, value_name = "[TABLE.COLUMN=]POLICY", value_parser = parse_bad_value)]
    pub on_bad_value: Vec<OnBadValue>,
    /// Put the backup in DIR (default: beside a SQLite target, or Ferry's data directory).
    #[arg(long, value_name = "DIR", conflicts_with = "no_backup")]
    pub backup_dir: Option<PathBuf>,
    /// Do not back up the target before writing (you have your own backup).
    #[arg(long)]
    pub no_backup: bool,
    /// Rows per batch between the reader and the writer.
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub batch_rows: u64,
}

/// Extract (DESIGN.md, job 3): one user's rows of a multi-user PostgreSQL database → a
/// single-user SQLite file.
#[derive(Debug, Args)]
#[command(next_help_heading = "Extract (one user of a multi-user PostgreSQL → single-user SQLite)")]
pub struct ExtractArgs {
    /// Copy only the data of the user with this email (PostgreSQL → SQLite); their row becomes
    /// the singleton app_config table and owner columns are left out.
    #[arg(long, value_name = "EMAIL", group = "job")]
    pub extract_user: Option<String>,
    /// With --extract-user: also write the extracted file as a bundle (JSON Lines + manifest)
    /// into this new folder, once the SQLite file is verified and in place.
    #[arg(long, value_name = "DIR", requires = "extract_user")]
    pub bundle: Option<PathBuf>,
}

impl ExtractArgs {
    /// Sets `options.job` to Extract when `--extract-user` was given.
    ///
    /// # Errors
    /// `BadInput` for an `--owner-column` that is not TABLE.COLUMN.
    pub fn apply(&self, shared: &JobArgs, options: &mut Options) -> Result<(), Error> {
        let Some(email) = &self.extract_user else {
            return Ok(());
        };
        let owner_columns = shared
            .owner_column
            .iter()
            .map(|c| {
                ColumnRef::parse(c).map_err(|e| {
                    Error::bad_input(format!("--owner-column {c}: with --extract-user, {e}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        options.job = Job::Extract(ferry_engine::options::ExtractOptions {
            email: email.trim().to_string(),
            users_table: shared.users_table.clone(),
            owner_columns,
            bundle: self.bundle.clone(),
        });
        Ok(())
    }
}

/// Flags both jobs read, each in its own way.
#[derive(Debug, Args)]
#[command(next_help_heading = "Promote and Extract")]
pub struct JobArgs {
    /// The users table. Promote: default users (with --into-existing the first of users,
    /// user, accounts, auth_user, app_users that exists). Extract: default the first table
    /// named like a users table that has an email column.
    #[arg(long, value_name = "TABLE", requires = "job")]
    pub users_table: Option<String>,
    /// Promote: the owner column every migrated table gets (COLUMN, default user_id).
    /// Extract: a TABLE.COLUMN holding the owning user's id that the schema does not declare
    /// as a foreign key (repeatable; foreign keys to the users table always count).
    #[arg(long, value_name = "COLUMN | TABLE.COLUMN", requires = "job")]
    pub owner_column: Vec<String>,
}

/// Promote (DESIGN.md, job 2): a single-user SQLite app's database → a multi-user
/// PostgreSQL one, with a users table, an admin account and an owner column on every table.
#[derive(Debug, Args)]
#[command(next_help_heading = "Promote (single-user SQLite → multi-user PostgreSQL)")]
pub struct PromoteArgs {
    /// Create (or, with --into-existing, use) a users table, insert one admin with a
    /// temporary password shown once, and give every migrated table an owner column.
    #[arg(long, requires = "admin_email", group = "job")]
    pub promote: bool,
    /// The admin's email address.
    #[arg(long, value_name = "EMAIL", requires = "promote")]
    pub admin_email: Option<String>,
    /// The admin's username (default: admin).
    #[arg(long, value_name = "NAME", requires = "promote")]
    pub admin_username: Option<String>,
    /// How the temporary password is stored.
    #[arg(long, value_enum, value_name = "SCHEME", default_value_t = PasswordHashArg::Bcrypt, requires = "promote")]
    pub password_hash: PasswordHashArg,
    /// Set NULL updated_at-style columns (updated_at, modified_at, updated, modified,
    /// last_modified, …) to the migration time.
    #[arg(long, requires = "promote")]
    pub fill_updated_at: bool,
    /// The users table's email column, when detection is unsure.
    #[arg(long, value_name = "COLUMN", requires = "promote")]
    pub email_column: Option<String>,
    /// The users table's username column, when detection is unsure.
    #[arg(long, value_name = "COLUMN", requires = "promote")]
    pub username_column: Option<String>,
    /// The users table's password-hash column, when detection is unsure.
    #[arg(long, value_name = "COLUMN", requires = "promote")]
    pub password_column: Option<String>,
    /// Tables all users share (reference data such as categories or currencies): no owner
    /// column, readable by every user. Comma-separated or repeated.
    #[arg(
        long,
        value_name = "TABLE",
        value_delimiter = ',',
        requires = "promote"
    )]
    pub shared: Vec<String>,
    /// Keep UNIQUE constraints global (default: each becomes unique per owner, so every user
    /// has their own namespace).
    #[arg(long, requires = "promote")]
    pub keep_global_uniques: bool,
    /// Enable row-level security: a session sees and writes only the rows of the user in
    /// its `app.user_id` setting (shared tables: readable by all).
    #[arg(long, requires = "promote")]
    pub row_level_security: bool,
    /// The kind of PostgreSQL the app runs on. supabase: the users are auth.users, owner
    /// columns uuid, policies on auth.uid().
    #[arg(long, value_enum, value_name = "PROFILE", default_value_t = TargetProfileArg::Plain, requires = "promote")]
    pub target_profile: TargetProfileArg,
    /// Plan the Citus distribution (reference tables for shared ones, distributed by owner
    /// for owned ones) and check Citus's rules; prints the SQL.
    #[arg(long, requires = "promote")]
    pub distribute: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetProfileArg {
    /// Any PostgreSQL: Promote creates its users table.
    Plain,
    /// Supabase: auth.users, uuid owners, auth.uid() policies.
    Supabase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PasswordHashArg {
    /// bcrypt, cost 12, `$2b$` (what passlib and most frameworks verify).
    Bcrypt,
    /// argon2id (PHC string).
    Argon2id,
}

impl PromoteArgs {
    /// Sets `options.job` to Promote when `--promote` was given.
    ///
    /// # Errors
    /// `BadInput` for `--owner-column` given more than once (Promote adds one owner column).
    pub fn apply(&self, shared: &JobArgs, options: &mut Options) -> Result<(), Error> {
        if !self.promote {
            return Ok(());
        }
        let mut p = PromoteOptions::new(self.admin_email.clone().unwrap_or_default());
        p.admin_username = self.admin_username.clone();
        p.password_hash = match self.password_hash {
            PasswordHashArg::Bcrypt => HashScheme::Bcrypt,
            PasswordHashArg::Argon2id => HashScheme::Argon2id,
        };
        p.fill_updated_at = self.fill_updated_at;
        p.shared_tables = self.shared.clone();
        p.keep_global_uniques = self.keep_global_uniques;
        p.row_level_security = self.row_level_security;
        p.profile = match self.target_profile {
            TargetProfileArg::Plain => TargetProfile::Plain,
            TargetProfileArg::Supabase => TargetProfile::Supabase,
        };
        p.distribute = self.distribute;
        p.users = UsersNames {
            table: shared.users_table.clone(),
            email_column: self.email_column.clone(),
            username_column: self.username_column.clone(),
            password_column: self.password_column.clone(),
        };
        match shared.owner_column.as_slice() {
            [] => {}
            [c] => p.owner_column = c.clone(),
            _ => {
                return Err(Error::bad_input(
                    "--owner-column: Promote gives every table one owner column; give it once",
                ))
            }
        }
        options.job = Job::Promote(p);
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DstGap {
    Reject,
    ShiftForward,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DstFold {
    Reject,
    Earlier,
    Later,
}

/// One `--on-bad-value`: for every column, or for one.
#[derive(Debug, Clone)]
pub enum OnBadValue {
    Default(Policy),
    Column(ColumnSetting<Policy>),
}

impl RunArgs {
    /// The engine's options for these arguments.
    ///
    /// # Errors
    /// `BadInput` for a location the engine cannot parse, or `--on-bad-value POLICY` given
    /// twice with different policies.
    pub fn to_options(&self) -> Result<Options, Error> {
        let source = Location::parse(&self.from)?;
        let target = Location::parse(&self.to)?;
        let mut options = Options::new(source, target);
        options.pg_schema = self.schema.clone();
        options.into_existing = self.into_existing;
        options.append = self.append;
        options.tables = non_empty(&self.tables);
        options.exclude = non_empty(&self.exclude);
        options.replace = non_empty(&self.replace);
        options.conventions = self.conventions;
        options.source_timezone = self.source_timezone;
        options.column_timezones = self.column_timezone.clone();
        options.dst = DstPolicy {
            gap: match self.dst_gap {
                DstGap::Reject => GapPolicy::Reject,
                DstGap::ShiftForward => GapPolicy::ShiftForward,
            },
            fold: match self.dst_fold {
                DstFold::Reject => FoldPolicy::Reject,
                DstFold::Earlier => FoldPolicy::Earlier,
                DstFold::Later => FoldPolicy::Later,
            },
        };
        options.epoch_columns = self.epoch.clone();
        options.type_overrides = self.type_override.clone();
        let (default_policy, column_policies) = split_policies(&self.on_bad_value)?;
        options.default_policy = default_policy;
        options.column_policies = column_policies;
        options.backup = match (&self.backup_dir, self.no_backup) {
            (_, true) => BackupChoice::Skip,
            (Some(dir), false) => BackupChoice::Dir(dir.clone()),
            (None, false) => BackupChoice::Default,
        };
        options.batch_rows = usize::try_from(self.batch_rows).unwrap_or(usize::MAX);
        Ok(options)
    }
}

fn non_empty(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// The run-wide policy (default: stop) and the per-column ones.
fn split_policies(values: &[OnBadValue]) -> Result<(Policy, Vec<ColumnSetting<Policy>>), Error> {
    let mut default = None;
    let mut columns = vec![];
    for value in values {
        match value {
            OnBadValue::Default(p) => match default {
                Some(previous) if previous != *p => {
                    return Err(Error::bad_input(
                        "--on-bad-value POLICY is given twice with different policies; give it once (per-column policies use TABLE.COLUMN=POLICY)",
                    ))
                }
                _ => default = Some(*p),
            },
            OnBadValue::Column(setting) => columns.push(setting.clone()),
        }
    }
    Ok((default.unwrap_or_default(), columns))
}

/// A value that can follow `TABLE.COLUMN=`.
pub trait SettingValue: Sized {
    fn parse_value(text: &str) -> Result<Self, String>;
}

// The values themselves are parsed by the engine (`options::values`), the one home of those
// spellings; this trait only lets clap call the right parser for each flag.
impl SettingValue for chrono_tz::Tz {
    fn parse_value(text: &str) -> Result<Self, String> {
        values::parse_zone(text)
    }
}

impl SettingValue for EpochUnit {
    fn parse_value(text: &str) -> Result<Self, String> {
        text.parse()
    }
}

impl SettingValue for String {
    fn parse_value(text: &str) -> Result<Self, String> {
        values::parse_type_name(text)
    }
}

impl SettingValue for Policy {
    fn parse_value(text: &str) -> Result<Self, String> {
        text.parse()
    }
}

fn parse_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    values::parse_zone(text)
}

/// Parses `TABLE.COLUMN=VALUE` (see `ColumnSetting::parse_with`).
fn parse_setting<T: SettingValue>(text: &str) -> Result<ColumnSetting<T>, String> {
    ColumnSetting::parse_with(text, T::parse_value)
}

fn parse_bad_value(text: &str) -> Result<OnBadValue, String> {
    if values::split_assignment(text).is_some() {
        parse_setting::<Policy>(text).map(OnBadValue::Column)
    } else {
        Policy::parse_value(text).map(OnBadValue::Default)
    }
}

/// A `--conventions` value, parsed by the engine (one list of names).
fn parse_convention(text: &str) -> Result<ferry_engine::conventions::Convention, String> {
    ferry_engine::conventions::Convention::parse(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

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
