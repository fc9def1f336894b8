//! Preflight findings: values the target cannot hold as they are, found before anything is
//! written, each with table, column, key and value, and the policies that would resolve them.

use serde::Serialize;

use crate::model::temporal::{EpochUnit, FoldPolicy, GapPolicy};

/// How bad a finding is. `Blocking` findings stop a run unless a policy covers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Blocking,
}

/// What to do with values that cannot be converted (`--on-bad-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Write nothing; report (the default).
    #[default]
    Stop,
    /// Store NULL instead (only for nullable target columns).
    Null,
    /// Leave the whole row out and list its key in the report.
    SkipRow,
    /// Make the target column text and store every value's text form (new schemas only).
    AsText,
}

impl Policy {
    pub fn parse(text: &str) -> Option<Policy> {
        match text.trim().to_ascii_lowercase().as_str() {
            "stop" => Some(Policy::Stop),
            "null" => Some(Policy::Null),
            "skip" | "skip-row" => Some(Policy::SkipRow),
            "text" | "as-text" => Some(Policy::AsText),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// What kind of problem (`not_boolean`, `nul_in_text`, `epoch_number`, …).
    pub kind: ProblemKind,
    pub table: String,
    pub column: Option<String>,
    /// Rows affected in total (samples below are capped).
    pub count: u64,
    /// The first offending rows: key and value as text.
    pub samples: Vec<Sample>,
    /// What is wrong, without the place: front ends show `table.column` beside it.
    pub message: String,
    /// What the user can do about it, in the order to offer it. The engine decides which
    /// remedies apply (only those it would accept); each front end puts them in its words.
    pub remedies: Vec<Remedy>,
    /// The policy that was applied, when one resolved this finding.
    pub resolved_by: Option<Policy>,
}

/// What kind of value could not be carried exactly; stable names for reports and findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    InvalidUtf8,
    NulInText,
    NotBoolean,
    NotInteger,
    OutOfRange,
    PrecisionLoss,
    NotNumeric,
    BadTimestamp,
    /// A number in a temporal column and no epoch unit chosen.
    EpochNumber,
    NonexistentLocalTime,
    AmbiguousLocalTime,
    BadJson,
    BadUuid,
    BadArray,
    NotInEnum,
    TooLong,
    /// A storage class that does not belong in the column (untyped columns).
    MixedTypes,
    /// `-0.0`, which a SQLite REAL column cannot keep.
    NegativeZero,
    /// A storage class that does not belong in the column's type.
    TypeMismatch,
    NotRepresentable,
    /// A row whose foreign key finds no parent row.
    OrphanedForeignKey,
    /// A source column the existing target table does not have.
    NoTargetColumn,
    /// A copied table refers to a table that is not copied and whose rows differ between the
    /// source and the target, so its references would point at other rows.
    ReferenceToUncopiedTable,
    /// Row-level security on a table applies to the role Ferry connects as.
    RowLevelSecurity,
    /// Valid JSON that jsonb would store differently from what was written (duplicate keys,
    /// a number it rewrites or cannot hold).
    JsonbChanges,
    /// A column Ferry would create with a type the target database does not have.
    UnknownType,
    /// Text of a type PostgreSQL parses (interval, tsvector, …) that it would store in another
    /// form than the source holds.
    StoredDifferently,
    /// Promote: a shared table has a foreign key to an owned table; every user would read
    /// references to one user's rows, which dangle for the others.
    SharedReferencesOwned,
}

impl PartialEq<&str> for ProblemKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ProblemKind {
    /// The stable snake_case name (the same as its serde form), used as a finding's kind.
    pub fn as_str(self) -> &'static str {
        use ProblemKind::*;
        match self {
            InvalidUtf8 => "invalid_utf8",
            NulInText => "nul_in_text",
            NotBoolean => "not_boolean",
            NotInteger => "not_integer",
            OutOfRange => "out_of_range",
            PrecisionLoss => "precision_loss",
            NotNumeric => "not_numeric",
            BadTimestamp => "bad_timestamp",
            EpochNumber => "epoch_number",
            NonexistentLocalTime => "nonexistent_local_time",
            AmbiguousLocalTime => "ambiguous_local_time",
            BadJson => "bad_json",
            BadUuid => "bad_uuid",
            BadArray => "bad_array",
            NotInEnum => "not_in_enum",
            TooLong => "too_long",
            MixedTypes => "mixed_types",
            NegativeZero => "negative_zero",
            TypeMismatch => "type_mismatch",
            NotRepresentable => "not_representable",
            OrphanedForeignKey => "orphaned_foreign_key",
            NoTargetColumn => "no_target_column",
            ReferenceToUncopiedTable => "reference_to_uncopied_table",
            RowLevelSecurity => "row_level_security",
            JsonbChanges => "jsonb_changes",
            UnknownType => "unknown_type",
            StoredDifferently => "stored_differently",
            SharedReferencesOwned => "shared_references_owned",
        }
    }
}

/// One way out of a finding. A remedy is offered only where the engine accepts it: a NULL
/// only for a nullable target column, text only for a column Ferry creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "remedy", rename_all = "snake_case")]
pub enum Remedy {
    /// Repair or delete the offending rows in the source.
    FixData,
    /// A policy for the column's values that cannot be converted (`Null`, `SkipRow`, `AsText`).
    Policy {
        table: String,
        column: String,
        policy: Policy,
    },
    /// The column's numbers are Unix times in this unit.
    Epoch {
        table: String,
        column: String,
        unit: EpochUnit,
    },
    /// How wall-clock times in a daylight-saving gap are read.
    DstGap { policy: GapPolicy },
    /// Which of the two instants a wall-clock time in a daylight-saving fold is.
    DstFold { policy: FoldPolicy },
    /// Leave the table out of the copy.
    ExcludeTable { table: String },
    /// Add the column to the target's schema.
    AddTargetColumn { table: String, column: String },
    /// Copy the table too, replacing the target's rows with the source's.
    CopyAndReplace { table: String },
    /// Connect as another role, or change the role's rights; `advice` says which, in SQL
    /// terms that are the same in every front end.
    ChangeRole { advice: String },
    /// Give the column another target type: `type_name`, or one the user picks (`None`).
    TypeOverride {
        table: String,
        column: String,
        type_name: Option<String>,
    },
    /// Create the named type in the target database first.
    CreateType { name: String },
    /// Promote: mark `table` shared too; `shared` is the whole `--shared` list that does it.
    ShareToo { table: String, shared: Vec<String> },
    /// Promote: leave `table` owned; `shared` is the `--shared` list without it (empty: no
    /// `--shared` at all).
    KeepOwned { table: String, shared: Vec<String> },
}

#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub key: String,
    pub value: String,
    pub detail: String,
}

/// Samples kept per finding; the count keeps going.
pub const MAX_SAMPLES: usize = 5;

impl Finding {
    pub fn is_blocking(&self) -> bool {
        self.severity == Severity::Blocking && self.resolved_by.is_none()
    }
}
