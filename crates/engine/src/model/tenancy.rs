//! Promote's multi-user shape, as the plan shows it before anything is written and the report
//! keeps it after: which tables each user owns and which all users share, the uniques scoped
//! by owner, the row-level-security policies, and (on paper) the Citus distribution.
//!
//! Filled by `jobs::promote`; the front ends only display it.

use serde::Serialize;

/// What a migrated table becomes in the multi-user database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableClass {
    /// Each row belongs to one user: the table gets the owner column.
    Owned,
    /// Reference data every user reads (categories, currencies): no owner column.
    Shared,
    /// The users table itself.
    Users,
}

/// One table's classification, with why.
#[derive(Debug, Clone, Serialize)]
pub struct TableTenancy {
    /// The target table's name.
    pub table: String,
    pub class: TableClass,
    /// Why it is in this class ("default", "--shared", "Supabase's auth.users", …).
    pub reason: String,
    /// Set when Ferry thinks the table looks like shared reference data but the user did not
    /// say so: the reason, shown as a suggestion, never acted on.
    pub suggest_shared: Option<String>,
}

/// A UNIQUE constraint or unique index of an owned table, rewritten to include the owner.
#[derive(Debug, Clone, Serialize)]
pub struct ScopedUnique {
    pub table: String,
    /// The constraint's or index's name (as created in the target).
    pub name: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// A partial unique index's condition (`archived = 0`), kept as it was.
    pub predicate: Option<String>,
}

/// One row-level-security policy Promote creates.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyPlan {
    pub table: String,
    pub name: String,
    /// The `CREATE POLICY …` statement, as run.
    pub sql: String,
}

/// Everything above, for one Promote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tenancy {
    pub tables: Vec<TableTenancy>,
    pub scoped_uniques: Vec<ScopedUnique>,
    /// Empty unless `--row-level-security` (or the Supabase profile).
    pub policies: Vec<PolicyPlan>,
    /// `--distribute`: the Citus statements, in order, and what the schema needs changed for
    /// them to run (each a sentence). Empty otherwise.
    pub distribution: Vec<String>,
    pub distribution_changes: Vec<String>,
    /// The target has the `citus` extension and the run executed `distribution` in its
    /// transaction. `false`: the statements are for the user to run on the coordinator.
    pub distributed_on_target: bool,
}

impl Tenancy {
    /// The class of a target table, if it is part of the Promote.
    pub fn class_of(&self, table: &str) -> Option<TableClass> {
        self.tables
            .iter()
            .find(|t| t.table == table)
            .map(|t| t.class)
    }
}
