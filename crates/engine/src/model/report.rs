//! The report of a run: what a person reads at the end, what `--json` prints, what the app
//! shows. Its JSON shape is documented in the README ("Report format") and is stable: fields
//! are only ever added.
//!
//! A report never contains a password: locations are masked displays, and the one job
//! secret (the temporary admin password of a Promote) is a `#[serde(skip)]` field holding a
//! [`SecretString`], which redacts itself in `Debug` and cannot be serialized.

use serde::Serialize;

use crate::model::finding::Finding;
use crate::model::progress::Phase;
use crate::model::secret::SecretString;

/// Bumped only when a field changes meaning or disappears.
pub const REPORT_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub ferry_version: &'static str,
    /// `migrate`, `verify`, `plan`.
    pub command: String,
    pub source: String,
    pub target: String,
    pub dry_run: bool,
    /// `committed`, `rolled_back` (dry run), `failed`, `verification_failed`, `cancelled`, `planned`.
    pub outcome: Outcome,
    pub started_at: String,
    pub seconds: f64,
    pub phases: Vec<PhaseTiming>,
    pub tables: Vec<TableReport>,
    pub backup: Option<BackupInfo>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
    pub not_migrated: Vec<String>,
    pub verification: Option<Verification>,
    /// The error that ended the run, masked, when it did not succeed.
    pub error: Option<String>,
    /// Extract with `--bundle`: the bundle written beside the SQLite file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleInfo>,
    /// Promote: the admin account it created (no password in it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin: Option<AdminAccount>,
    /// Promote: the tables' classes, scoped uniques and policies as written.
    pub tenancy: Option<crate::model::tenancy::Tenancy>,
    /// Promote: the admin's temporary password, set only when the run committed. Never
    /// serialized; a front end shows it once (`expose()`) and drops the report.
    #[serde(skip)]
    pub temporary_password: Option<std::sync::Arc<SecretString>>,
}

/// The admin user a Promote inserted.
#[derive(Debug, Clone, Serialize)]
pub struct AdminAccount {
    pub users_table: String,
    /// The new user's id as PostgreSQL prints it (`None` when the run stopped before).
    pub user_id: Option<String>,
    pub email: String,
    pub username: Option<String>,
    /// `bcrypt` or `argon2id`.
    pub password_hash: String,
    /// The account exists: the run committed (a dry run or failure rolled it back).
    pub created: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Committed,
    RolledBack,
    Planned,
    Verified,
    VerificationFailed,
    Failed,
    Cancelled,
}

/// A bundle a run wrote besides its target.
#[derive(Debug, Clone, Serialize)]
pub struct BundleInfo {
    pub dir: String,
    pub tables: usize,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseTiming {
    pub phase: Phase,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct TableReport {
    pub source_table: String,
    pub target_table: String,
    pub rows_read: u64,
    pub rows_written: u64,
    /// Rows counted when the verifier re-read the target.
    pub rows_verified: Option<u64>,
    /// Bytes of value data moved (an approximation of payload, not wire bytes).
    pub bytes: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackupInfo {
    /// What was backed up (a masked location or a path).
    pub of: String,
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    /// The backup was re-read and its SHA-256 and integrity checked after writing.
    pub rechecked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub passed: bool,
    pub tables: Vec<TableVerification>,
    /// Target-wide checks: FK integrity, job invariants.
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableVerification {
    pub table: String,
    pub source_rows: u64,
    pub target_rows: u64,
    pub source_digest: String,
    pub target_digest: String,
    pub digest_match: bool,
    /// Of the `source_rows` expected, how many were in the target table before the run
    /// (`--append`); the rest are the copied ones.
    #[serde(skip_serializing_if = "is_zero")]
    pub existing_rows: u64,
    /// The first differing rows (key and what differs), when digests differ.
    pub differences: Vec<RowDifference>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowDifference {
    /// The row's identity, e.g. `id=42` or `(a=1, b='x')`.
    pub key: String,
    /// `only_in_source`, `only_in_target`, `values_differ`.
    pub kind: String,
    /// Column-level detail: `name: 'x' → 'y'`.
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

impl Report {
    pub fn new(command: &str, source: String, target: String) -> Report {
        Report {
            format_version: REPORT_FORMAT_VERSION,
            ferry_version: env!("CARGO_PKG_VERSION"),
            command: command.into(),
            source,
            target,
            dry_run: false,
            outcome: Outcome::Planned,
            started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            seconds: 0.0,
            phases: vec![],
            tables: vec![],
            backup: None,
            findings: vec![],
            warnings: vec![],
            not_migrated: vec![],
            verification: None,
            error: None,
            bundle: None,
            admin: None,
            tenancy: None,
            temporary_password: None,
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
