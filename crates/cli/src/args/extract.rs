//! Extract's options (which user, the users table, what to leave out), mapped to the engine's
//! `ExtractOptions`.

use std::path::PathBuf;

use clap::Args;
use ferry_engine::options::ColumnRef;
use ferry_engine::options::Job;
use ferry_engine::{Error, Options};

use super::JobArgs;

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
