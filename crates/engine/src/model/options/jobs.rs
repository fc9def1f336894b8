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
