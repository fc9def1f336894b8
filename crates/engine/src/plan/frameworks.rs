//! The framework a run moves an app of: which storage convention writes the SQLite side
//! ([`crate::model::conventions`]), and what happens to the tables the framework's `migrate`
//! fills by itself (seeded tables) and to the tables `--replace` names.
//!
//! A seeded table has rows in a freshly migrated target whose ids mean other things than the
//! source's (Django numbers content types and permissions in the order its history created
//! them), and the app's other tables point at those ids. Appending fails on duplicate keys and
//! excluding silently re-points every reference, so each seeded table gets an explicit rule,
//! shown in the plan: **replace** (the target's rows are deleted and the source's loaded, in the
//! one transaction) or **keep** (the target's rows stay, the source's are not copied). Never
//! append, never remap. The rules, with their sources, are `docs/frameworks.md`, "Seeded tables".

use crate::model::options::OptionName;
use serde::Serialize;

use crate::model::catalog::Catalog;
use crate::model::conventions::{Convention, Storage};
use crate::model::options::Options;
use crate::{Error, Result};

/// What a seeded table gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedRule {
    /// The target's rows are deleted and the source's loaded (their ids kept).
    Replace,
    /// The target's rows stay; the source's are not copied.
    Keep,
}

/// One framework table and its rule, with why.
#[derive(Debug, Clone, Copy)]
pub struct SeededTable {
    pub convention: Convention,
    pub table: &'static str,
    pub rule: SeedRule,
    pub why: &'static str,
}

/// Every framework's seeded and bookkeeping tables (docs/frameworks.md, "Bookkeeping tables"
/// and "Seeded tables").
pub const SEEDED_TABLES: &[SeededTable] = &[
    // django/contrib/contenttypes/management/__init__.py create_contenttypes and
    // django/contrib/auth/management/__init__.py create_permissions run on post_migrate; the
    // ids follow the project's history, and auth_group_permissions, auth_user_user_permissions
    // and django_admin_log point at them.
    SeededTable {
        convention: Convention::Django,
        table: "django_content_type",
        rule: SeedRule::Replace,
        why: "Django's migrate seeds it (post_migrate create_contenttypes); the app's permission links and admin log refer to the source's ids",
    },
    SeededTable {
        convention: Convention::Django,
        table: "auth_permission",
        rule: SeedRule::Replace,
        why: "Django's migrate seeds it (post_migrate create_permissions); group and user permission links refer to the source's ids",
    },
    SeededTable {
        convention: Convention::Django,
        table: "django_migrations",
        rule: SeedRule::Replace,
        why: "Django's record of applied migrations: the source's rows say what the moved data has been through",
    },
    SeededTable {
        convention: Convention::Django,
        table: "django_site",
        rule: SeedRule::Replace,
        why: "django.contrib.sites seeds example.com on migrate; the source's sites are the app's",
    },
    SeededTable {
        convention: Convention::Sqlalchemy,
        table: "alembic_version",
        rule: SeedRule::Keep,
        why: "Alembic's head belongs to the target's own migration scripts (another edition may have another history)",
    },
    SeededTable {
        convention: Convention::Rails,
        table: "schema_migrations",
        rule: SeedRule::Replace,
        why: "Rails' applied migration versions: the source's rows say what the moved data has been through",
    },
    SeededTable {
        convention: Convention::Rails,
        table: "ar_internal_metadata",
        rule: SeedRule::Keep,
        why: "its environment is the target's (Rails refuses destructive tasks by it)",
    },
    SeededTable {
        convention: Convention::Prisma,
        table: "_prisma_migrations",
        rule: SeedRule::Keep,
        why: "its checksums are of the target provider's own migration.sql files",
    },
    SeededTable {
        convention: Convention::Laravel,
        table: "migrations",
        rule: SeedRule::Replace,
        why: "Laravel's applied migrations with their batches: the source's rows say what the moved data has been through",
    },
];

/// The framework found (or chosen) for a run, as the plan shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkPlan {
    pub convention: Convention,
    /// Why: `--conventions django`, or `detected: table django_migrations in the target`.
    pub because: String,
    /// Tables whose target rows are replaced by the source's, with why.
    pub replaced: Vec<String>,
    /// Framework tables whose target rows are kept (not copied), with why.
    pub kept: Vec<String>,
}

/// The run's convention and why: `--conventions` first, then the target's bookkeeping table
/// (into an existing schema), then the source's, then a framework the declared types alone
/// show beyond doubt ([`Convention::guess_from_declared_types`], target then source).
/// `None`: Ferry's own. Each column's existing rows can still decide its own form
/// ([`crate::plan::evidence`]), above everything but `--conventions`.
pub fn choose(
    o: &Options,
    source: &Catalog,
    target: Option<&Catalog>,
) -> Option<(Convention, String)> {
    if let Some(c) = o.conventions {
        return Some((c, format!("--conventions {c}")));
    }
    if o.into_existing {
        if let Some((c, why)) = target.and_then(Convention::detect) {
            return Some((c, format!("detected: {why} in the target")));
        }
        if let Some((c, why)) = Convention::detect(source) {
            return Some((c, format!("detected: {why} in the source")));
        }
        if let Some((c, why)) = target.and_then(Convention::guess_from_declared_types) {
            return Some((c, format!("detected: {why} in the target")));
        }
        if let Some((c, why)) = Convention::guess_from_declared_types(source) {
            return Some((c, format!("detected: {why} in the source")));
        }
    }
    None
}

/// The storage a run's SQLite side is written in.
pub fn storage_of(chosen: &Option<(Convention, String)>) -> Storage {
    chosen
        .as_ref()
        .map(|(c, _)| c.storage())
        .unwrap_or_default()
}

/// The seeded-table rule for `table` under `convention`, if it has one.
pub fn seeded(convention: Convention, table: &str) -> Option<&'static SeededTable> {
    SEEDED_TABLES
        .iter()
        .find(|s| s.convention == convention && s.table == table)
}

/// Checks `--replace` names against the source and target.
///
/// # Errors
/// `BadInput` for a name that is not a table of both, or without `--into-existing`.
pub fn check_replace_names(
    o: &Options,
    source: &Catalog,
    target: Option<&Catalog>,
    target_display: &str,
) -> Result<()> {
    let Some(first) = o.replace.first() else {
        return Ok(());
    };
    if !o.into_existing {
        return Err(Error::bad_option(
            OptionName::Replace,
            format!(
                "{replace} {first}: replacing rows needs an existing schema; add {}",
                OptionName::IntoExisting.mention(),
                replace = OptionName::Replace.mention()
            ),
        ));
    }
    for name in &o.replace {
        if source.table(name).is_none() {
            return Err(Error::bad_option(
                OptionName::Replace,
                format!(
                    "{} {name}: the source has no table '{name}'",
                    OptionName::Replace.mention()
                ),
            ));
        }
        if target.and_then(|t| t.table(name)).is_none() {
            return Err(Error::bad_option(
                OptionName::Replace,
                format!(
                    "{} {name}: {target_display} has no table '{name}'",
                    OptionName::Replace.mention()
                ),
            ));
        }
        if o.exclude.iter().any(|e| e == name) {
            return Err(Error::bad_option(
                OptionName::Replace,
                format!(
                "{} {name} and {} {name} contradict each other: replacing loads the source's rows",
                OptionName::Replace.mention(),
                OptionName::Exclude.mention()
            ),
            ));
        }
    }
    Ok(())
}
