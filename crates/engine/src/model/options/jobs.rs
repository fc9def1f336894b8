//! What each job is asked to do: Copy, or Promote and Extract with their own settings. The
//! jobs themselves (`crate::jobs`) read these; the front ends fill them.

use crate::model::options::ColumnRef;

/// Which job a run does.
#[derive(Debug, Clone, Default)]
pub enum Job {
    /// Copy every selected table as it is.
    #[default]
    Copy,
    /// Single-user SQLite → multi-user PostgreSQL: users table, admin, owner columns.
    Promote(PromoteOptions),
    /// One user's rows of a multi-user PostgreSQL database into a single-user SQLite file.
    Extract(ExtractOptions),
}

impl Job {
    /// The folder a job writes a bundle into after committing (Extract's `--bundle`).
    pub fn bundle_dir(&self) -> Option<&std::path::Path> {
        match self {
            Job::Extract(e) => e.bundle.as_deref(),
            _ => None,
        }
    }
}

/// What a Promote run is asked to do.
#[derive(Debug, Clone)]
pub struct PromoteOptions {
    pub admin_email: String,
    /// Default: `admin`.
    pub admin_username: Option<String>,
    pub password_hash: HashScheme,
    /// Set NULL `updated_at`-style columns to the migration time.
    pub fill_updated_at: bool,
    /// The users table and its columns, where detection should not guess.
    pub users: UsersNames,
    /// The owner column added to every migrated table (or, into an existing schema, the one
    /// used when no foreign key to the users table says which). Default `user_id`.
    pub owner_column: String,
    /// Tables all users share (reference data): no owner column (`--shared`).
    pub shared_tables: Vec<String>,
    /// Leave UNIQUE constraints global instead of scoping them by owner
    /// (`--keep-global-uniques`).
    pub keep_global_uniques: bool,
    /// Enable row-level security with one policy set per owned table
    /// (`--row-level-security`; always on with the Supabase profile).
    pub row_level_security: bool,
    /// The kind of PostgreSQL the app runs on (`--target-profile`).
    pub profile: TargetProfile,
    /// Plan the Citus distribution step (`--distribute`).
    pub distribute: bool,
}

/// What kind of PostgreSQL backend the multi-user app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetProfile {
    /// Any PostgreSQL: Promote creates its own users table.
    #[default]
    Plain,
    /// Supabase: the users are `auth.users`, policies use `auth.uid()`.
    Supabase,
}

impl TargetProfile {
    pub fn name(self) -> &'static str {
        match self {
            TargetProfile::Plain => "plain",
            TargetProfile::Supabase => "supabase",
        }
    }
}

impl PromoteOptions {
    pub fn new(admin_email: impl Into<String>) -> PromoteOptions {
        PromoteOptions {
            admin_email: admin_email.into(),
            admin_username: None,
            password_hash: HashScheme::Bcrypt,
            fill_updated_at: false,
            users: UsersNames::default(),
            owner_column: "user_id".into(),
            shared_tables: vec![],
            keep_global_uniques: false,
            row_level_security: false,
            profile: TargetProfile::Plain,
            distribute: false,
        }
    }

    pub fn username(&self) -> &str {
        self.admin_username.as_deref().unwrap_or("admin")
    }
}

/// What the user asked Extract for.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// The email of the user whose data is extracted.
    pub email: String,
    /// The users table (default: found by name and an email column).
    pub users_table: Option<String>,
    /// Owner columns besides the foreign keys to the users table (which always are).
    pub owner_columns: Vec<ColumnRef>,
    /// Also write the extracted file as a bundle into this new folder (`--bundle`), after the
    /// SQLite file is committed.
    pub bundle: Option<std::path::PathBuf>,
}

/// Names the user gave (`--users-table`, `--email-column`, …).
#[derive(Debug, Clone, Default)]
pub struct UsersNames {
    pub table: Option<String>,
    pub email_column: Option<String>,
    pub username_column: Option<String>,
    pub password_column: Option<String>,
}

/// How the password is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HashScheme {
    #[default]
    Bcrypt,
    Argon2id,
}

impl HashScheme {
    pub fn name(self) -> &'static str {
        match self {
            HashScheme::Bcrypt => "bcrypt",
            HashScheme::Argon2id => "argon2id",
        }
    }
}
