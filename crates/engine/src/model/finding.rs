//! Preflight findings: values the target cannot hold as they are, found before anything is
//! written, each with table, column, key and value, and the policies that would resolve them.

use serde::Serialize;

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
    /// A machine-readable kind (`not_boolean`, `nul_in_text`, `epoch_number`, …).
    pub kind: String,
    pub table: String,
    pub column: Option<String>,
    /// Rows affected in total (samples below are capped).
    pub count: u64,
    /// The first offending rows: key and value as text.
    pub samples: Vec<Sample>,
    /// What is wrong, without the place: front ends show `table.column` beside it.
    pub message: String,
    /// What the user can do about it, in words (`--on-bad-value tasks.done=null`, …).
    pub remedy: String,
    /// The policy that was applied, when one resolved this finding.
    pub resolved_by: Option<Policy>,
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
