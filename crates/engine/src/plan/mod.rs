//! The plan: which source table goes to which target table, each column's source type →
//! target type and the rule that chose it, the load order, the findings of the preflight,
//! and what will be written and backed up. `ferry plan` prints it; `migrate` carries it out.

pub mod build;
pub mod check_expr;
pub mod evidence;
pub mod frameworks;
pub mod job_state;
pub mod mapping;
pub mod names;
pub mod order;
pub mod reads;

use serde::Serialize;

use crate::convert::ColumnRules;
use crate::model::catalog::{ColumnType, Table};
use crate::model::finding::{Finding, Policy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Ferry creates the target schema (the target must not already have these tables).
    CreateSchema,
    /// Ferry loads into tables that already exist, matching by name.
    IntoExisting,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub source: String,
    pub target: String,
    pub mode: Mode,
    /// In load order (parents before children).
    pub tables: Vec<TablePlan>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
    /// Source objects that are not migrated (views, triggers, …), as `kind name`.
    pub not_migrated: Vec<String>,
    /// What the job decided while preparing (Promote: the admin's id and temporary password).
    /// Never serialized: it may hold a secret.
    #[serde(skip)]
    pub job_state: job_state::JobState,
    /// Source tables left out on purpose (framework bookkeeping, `--exclude`), with why.
    pub skipped_tables: Vec<String>,
    pub writes: WriteSummary,
    /// The framework found in (or named for) the schemas: its storage convention, and what
    /// happens to its seeded tables. `None`: no framework, Ferry's own convention.
    pub framework: Option<frameworks::FrameworkPlan>,
    /// Promote: owned and shared tables, scoped uniques, policies, distribution. `None` for
    /// the other jobs.
    pub tenancy: Option<crate::model::tenancy::Tenancy>,
}

/// What a run will write and back up: shown before the user confirms.
#[derive(Debug, Clone, Serialize)]
pub struct WriteSummary {
    pub target: String,
    /// One line per effect: "create 3 tables in schema public of …", "replace file … atomically".
    pub effects: Vec<String>,
    /// Where the backup will go, or why there is none.
    pub backup: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TablePlan {
    pub source_table: String,
    pub target_table: String,
    pub rows: Option<u64>,
    /// Ferry creates this table (otherwise it exists in the target).
    pub create: bool,
    /// Only the source rows this boolean SQL expression (in the source's dialect) accepts are
    /// copied and verified: a job's row selection (Extract keeps one user's rows). `None`:
    /// every row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_filter: Option<String>,
    pub columns: Vec<ColumnPlan>,
    /// A copied row whose primary key is already in the target replaces that row's copied
    /// columns instead of failing (an existing schema's seeded singleton row, e.g.
    /// `app_config` with `id = 1`); the row's other columns keep their values.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replace_existing: bool,
    /// The target table's rows are deleted, inside the run's transaction, before the source's
    /// are loaded (a framework's seeded table, or `--replace`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replace: bool,
    /// The target table definition (what Ferry creates or found).
    #[serde(skip)]
    pub target_def: Table,
    /// The source table definition.
    #[serde(skip)]
    pub source_def: Table,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnPlan {
    /// The source column read for this target column. `None`: a target-only column, which
    /// gets `fill` or, without one, its default.
    pub source: Option<String>,
    /// A value written into every row of a target-only column (Promote's owner id, Extract's
    /// singleton id = 1). It is part of what is copied, digested and verified.
    #[serde(skip)]
    pub fill: Option<crate::model::value::Value>,
    /// A value written instead of a source NULL (Promote's `--fill-updated-at`: the
    /// migration time). Applied by the row converter, so it is digested and verified like
    /// any converted value.
    #[serde(skip)]
    pub null_becomes: Option<crate::model::value::Value>,
    pub target: String,
    pub source_type: String,
    /// The target type as the target database spells it.
    pub target_type: String,
    #[serde(skip)]
    pub ty: ColumnType,
    /// The mapping rule that chose the target type (`sqlite DATETIME → timestamptz`, …).
    pub rule: String,
    pub policy: Policy,
    #[serde(skip)]
    pub rules: ColumnRules,
}

impl TablePlan {
    /// Target columns the copy writes (from a source column or a fill value), in copy order.
    pub fn copied_columns(&self) -> impl Iterator<Item = &ColumnPlan> {
        self.columns
            .iter()
            .filter(|c| c.source.is_some() || c.fill.is_some())
    }

    /// The copied target columns with their types, in copy order.
    pub fn target_columns(&self) -> Vec<(String, ColumnType)> {
        self.copied_columns()
            .map(|c| (c.target.clone(), c.ty.clone()))
            .collect()
    }
}

impl Plan {
    /// The storage convention the run writes (and reads) the SQLite side in.
    pub fn storage(&self) -> crate::model::conventions::Storage {
        self.framework
            .as_ref()
            .map(|f| f.convention.storage())
            .unwrap_or_default()
    }

    pub fn blocking_findings(&self) -> usize {
        self.findings.iter().filter(|f| f.is_blocking()).count()
    }
}
