//! The job selector (`--job`) and Promote's options (users table, admin, password hashing,
//! shared tables, row-level security, target profile, distribution), mapped to the engine's
//! `PromoteOptions`.

use clap::{Args, ValueEnum};
use ferry_engine::options::Job;
use ferry_engine::options::{HashScheme, PromoteOptions, TargetProfile, UsersNames};
use ferry_engine::{Error, Options};

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
