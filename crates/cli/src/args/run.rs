//! The options every copy shares (`RunArgs`): the two locations, the schema, which tables, and
//! the conversion settings (time zones, epochs, types, policies), and their translation into
//! the engine's [`Options`]. Locations stay plain strings here: the engine parses them, so a
//! password in a URL never reaches clap's error messages.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use ferry_engine::finding::Policy;
use ferry_engine::options::{BackupChoice, ColumnSetting};
use ferry_engine::temporal::{DstPolicy, EpochUnit, FoldPolicy, GapPolicy};
use ferry_engine::{Error, Location, Options};

use super::settings::{parse_bad_value, parse_convention, parse_setting, parse_zone};

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

pub(super) fn non_empty(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// The run-wide policy (default: stop) and the per-column ones.
pub(super) fn split_policies(
    values: &[OnBadValue],
) -> Result<(Policy, Vec<ColumnSetting<Policy>>), Error> {
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
