//! Building the [`Plan`]: which tables, which target types, which target schema, what order.
//!
//! Two modes. *Create schema*: the target definition of each table is derived from the source
//! one through the mapping rules (types), and the expression translator (CHECKs, defaults).
//! *Into existing*: source tables and columns are matched to the target's by name and each
//! value is converted to the target column's type; target-only columns keep their defaults.

use crate::model::options::OptionName;
use std::collections::BTreeMap;

use crate::convert::ColumnRules;
use crate::model::catalog::{Catalog, Dialect, Table};
use crate::model::conventions::Storage;
use crate::model::finding::Policy;
use crate::model::options::{setting_for, Options};
use crate::plan::frameworks::{self, FrameworkPlan, SeedRule};
use crate::plan::{Mode, Plan, TablePlan};
use crate::{Error, Result};

mod checks;
mod created;
mod existing;
mod summary;

pub use checks::check_required_columns;
use checks::{check_column_settings, check_replace_is_fk_safe};
pub use created::parse_type_name;
use created::plan_created_table;
use existing::plan_existing_table;
pub(crate) use existing::{existing_sqlite_column, Writer};
use summary::write_summary;

/// Tables frameworks keep for their own migrations; skipped when loading into an existing
/// schema (the target's own migrations already wrote them) unless named explicitly.
pub const BOOKKEEPING_TABLES: &[&str] = &[
    "alembic_version",
    "_prisma_migrations",
    "django_migrations",
    "schema_migrations",
    "__diesel_schema_migrations",
    "ar_internal_metadata",
    "knex_migrations",
    "knex_migrations_lock",
    "flyway_schema_history",
    "goose_db_version",
    "__EFMigrationsHistory",
];

/// Reports the storage classes (and their counts) of an untyped SQLite column.
pub type Profiler<'a> = dyn FnMut(&str, &str) -> Result<Vec<(String, u64)>> + 'a;

pub struct PlanInput<'a> {
    pub options: &'a Options,
    pub source: &'a Catalog,
    /// The target's existing schema, if it has one.
    pub target: Option<&'a Catalog>,
    pub target_dialect: Dialect,
    pub source_display: String,
    pub target_display: String,
    /// A SQLite target file exists already (it will be replaced, after a backup).
    pub target_file_exists: bool,
    /// Apply the framework's seeded-table rules and `--replace` (a migration's plan). `false`
    /// for plans that only compare tables (`ferry verify`, the reference check): nothing is
    /// replaced there, and every table is compared as it is.
    pub seeded_rules: bool,
}

/// Builds the plan; `profile` reports the storage classes of an untyped SQLite column.
///
/// # Errors
/// `BadInput` for choices that cannot work: unknown tables, target tables that already exist
/// in create mode, unmatched tables or NOT NULL target columns without a default in
/// into-existing mode, policies that contradict the schema.
pub fn build(input: &PlanInput, profile: &mut Profiler) -> Result<Plan> {
    let o = input.options;
    let mode = if o.into_existing {
        Mode::IntoExisting
    } else {
        Mode::CreateSchema
    };
    // An override would be quietly ignored there: the existing column's type decides.
    if let (Mode::IntoExisting, Some(first)) = (mode, o.type_overrides.first()) {
        return Err(Error::bad_option(OptionName::Type, format!(
            "{ty} {}.{}={}: with {ie} the target's own column types are used, so a type override cannot apply; change the column in the target schema, or drop {ty}",
            first.column.table, first.column.column, first.value,
            ty = OptionName::Type.mention(),
            ie = OptionName::IntoExisting.mention()
        )));
    }
    let mut warnings = vec![];
    let mut findings = vec![];
    let mut skipped_tables = vec![];

    for name in o.tables.iter().chain(&o.exclude) {
        if input.source.table(name).is_none() {
            return Err(Error::bad_input(format!(
                "no table named '{name}' in {} (tables: {})",
                input.source_display,
                table_list(input.source)
            )));
        }
    }
    if input.seeded_rules {
        frameworks::check_replace_names(o, input.source, input.target, &input.target_display)?;
    }
    let chosen = frameworks::choose(o, input.source, input.target);
    let storage = frameworks::storage_of(&chosen);
    let mut framework = chosen.as_ref().map(|(c, because)| FrameworkPlan {
        convention: *c,
        because: because.clone(),
        replaced: vec![],
        kept: vec![],
    });
    // Target tables whose rows the source's replace: a framework's seeded tables, --replace.
    let mut replaced: Vec<String> = vec![];
    check_column_settings(o, input.source, &input.source_display)?;
    let mut selected: Vec<&Table> = vec![];
    for t in &input.source.tables {
        let named = o.tables.iter().any(|n| n == &t.name);
        if !o.tables.is_empty() && !named {
            continue;
        }
        if o.exclude.iter().any(|n| n == &t.name) {
            skipped_tables.push(format!("{} (excluded)", t.name));
            continue;
        }
        let in_target = input.target.and_then(|c| c.table(&t.name)).is_some();
        if input.seeded_rules && o.replace.iter().any(|n| n == &t.name) {
            if let Some(f) = framework.as_mut() {
                f.replaced.push(format!("{} (--replace)", t.name));
            }
            replaced.push(t.name.clone());
            selected.push(t);
            continue;
        }
        let seed = match (&framework, mode) {
            (Some(f), Mode::IntoExisting) if in_target && input.seeded_rules => {
                frameworks::seeded(f.convention, &t.name)
            }
            _ => None,
        };
        if let (Some(seed), Some(f)) = (seed, framework.as_mut()) {
            match seed.rule {
                SeedRule::Replace => {
                    f.replaced.push(format!("{}: {}", t.name, seed.why));
                    replaced.push(t.name.clone());
                    selected.push(t);
                }
                SeedRule::Keep if named => selected.push(t),
                SeedRule::Keep => {
                    f.kept.push(format!("{}: {}", t.name, seed.why));
                    skipped_tables.push(format!(
                        "{} (kept: the target's rows stay — {})",
                        t.name, seed.why
                    ));
                }
            }
            continue;
        }
        if mode == Mode::IntoExisting && !named && BOOKKEEPING_TABLES.contains(&t.name.as_str()) {
            skipped_tables.push(format!("{} (framework bookkeeping; the target's own migrations maintain it — name it with --tables to copy it)", t.name));
            continue;
        }
        selected.push(t);
    }

    // Filters that leave nothing would "migrate" an empty database and call it verified.
    if selected.is_empty() && !input.source.tables.is_empty() {
        return Err(Error::bad_option(
            OptionName::Tables,
            format!(
                "{} and {} leave no table of {} to migrate (tables: {})",
                OptionName::Tables.mention(),
                OptionName::Exclude.mention(),
                input.source_display,
                table_list(input.source)
            ),
        ));
    }
    let mut tables = vec![];
    for source in &selected {
        let tp = match mode {
            Mode::CreateSchema => {
                plan_created_table(input, source, &selected, &storage, profile, &mut warnings)?
            }
            Mode::IntoExisting => {
                let replace = replaced.contains(&source.name);
                plan_existing_table(input, source, replace, &storage, &chosen, &mut findings)?
            }
        };
        tables.push(tp);
    }

    if mode == Mode::CreateSchema && input.target_dialect == Dialect::Postgres {
        if let Some(existing) = input.target {
            let clashes: Vec<&str> = tables
                .iter()
                .filter(|t| existing.table(&t.target_table).is_some())
                .map(|t| t.target_table.as_str())
                .collect();
            if !clashes.is_empty() {
                return Err(Error::bad_option(OptionName::To, format!(
                    "{} already has table(s) {} in schema {}; Ferry creates new tables and never drops yours — use {} to load into them, or target an empty database or schema",
                    input.target_display,
                    clashes.join(", "),
                    o.pg_schema,
                    OptionName::IntoExisting.mention()
                )));
            }
        }
    }

    // Load order from the FK graph: the target's when loading into an existing schema
    // (SQLite apps often declare no FKs their PostgreSQL edition has).
    let names: Vec<String> = tables.iter().map(|t| t.target_table.clone()).collect();
    let edges: Vec<(String, String)> = tables
        .iter()
        .flat_map(|t| {
            t.target_def
                .foreign_keys
                .iter()
                .map(move |fk| (t.target_table.clone(), fk.ref_table.clone()))
        })
        .collect();
    let (order, cyclic) = crate::plan::order::load_order(&names, &edges);
    if !cyclic.is_empty() {
        let how = if mode == Mode::CreateSchema {
            "foreign keys are added after the data, so this is fine"
        } else {
            "the target's constraints must be deferrable for this to load"
        };
        warnings.push(format!(
            "tables {} reference each other in a cycle; {how}",
            cyclic.join(", ")
        ));
    }
    let mut by_name: BTreeMap<String, TablePlan> = tables
        .into_iter()
        .map(|t| (t.target_table.clone(), t))
        .collect();
    let tables: Vec<TablePlan> = order.iter().filter_map(|n| by_name.remove(n)).collect();

    for t in &tables {
        for c in &t.columns {
            if c.policy == Policy::Null
                && c.source.is_some()
                && t.target_def
                    .column(&c.target)
                    .is_some_and(|col| col.not_null)
            {
                return Err(Error::bad_option(OptionName::OnBadValue, format!("{} {}.{}=null cannot work: the target column is NOT NULL (choose skip or fix the data)", OptionName::OnBadValue.mention(), t.source_table, c.target)));
            }
            if c.policy == Policy::AsText && mode == Mode::IntoExisting {
                return Err(Error::bad_option(OptionName::OnBadValue, format!("{} {}.{}=text needs a schema Ferry creates; the existing target column has its own type", OptionName::OnBadValue.mention(), t.source_table, c.target)));
            }
        }
    }

    let not_migrated = input
        .source
        .not_migrated
        .iter()
        .map(|o| format!("{} {}", o.kind, o.name))
        .collect();
    check_replace_is_fk_safe(input, &tables)?;
    let writes = write_summary(input, mode, &tables);
    Ok(Plan {
        source: input.source_display.clone(),
        target: input.target_display.clone(),
        mode,
        tables,
        findings,
        warnings,
        not_migrated,
        job_state: Default::default(),
        skipped_tables,
        writes,
        framework,
        tenancy: None,
    })
}

pub(super) fn table_list(c: &Catalog) -> String {
    let names: Vec<&str> = c.tables.iter().map(|t| t.name.as_str()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

pub(super) fn column_rules(
    o: &Options,
    table: &str,
    column: &str,
    target_dialect: Dialect,
    storage: &Storage,
) -> ColumnRules {
    ColumnRules {
        storage: *storage,
        numeric_affinity: false,
        timezone: setting_for(&o.column_timezones, table, column)
            .copied()
            .unwrap_or(o.source_timezone),
        dst: o.dst,
        epoch: setting_for(&o.epoch_columns, table, column)
            .copied()
            .or_else(|| prisma_epoch(storage)),
        target_is_postgres: target_dialect == Dialect::Postgres,
    }
}

/// Prisma ≤ 6's native SQLite driver stores a DateTime as INTEGER milliseconds since 1970
/// (prisma/orm#25948; docs/frameworks.md, "Prisma"), and Prisma 7's adapters read them with
/// `timestampFormat: 'unixepoch-ms'`: under the Prisma convention an integer in a datetime
/// column of the SQLite side means that, unless `--epoch` says otherwise. Text values are
/// read as text whatever this says.
pub(super) fn prisma_epoch(storage: &Storage) -> Option<crate::model::temporal::EpochUnit> {
    (storage.convention == crate::model::conventions::Convention::Prisma)
        .then_some(crate::model::temporal::EpochUnit::Milliseconds)
}

/// Exact name first, then a unique case-insensitive match.
pub(super) fn find_by_name<'a, T>(
    items: &'a [T],
    name: &str,
    key: impl Fn(&T) -> &String,
) -> Option<&'a T> {
    if let Some(t) = items.iter().find(|t| key(t) == name) {
        return Some(t);
    }
    let mut matches = items.iter().filter(|t| key(t).eq_ignore_ascii_case(name));
    match (matches.next(), matches.next()) {
        (Some(t), None) => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_exactly_then_case_insensitively() {
        let names = vec!["Tasks".to_string(), "goals".to_string()];
        assert_eq!(find_by_name(&names, "tasks", |s| s), Some(&names[0]));
        let ambiguous = vec!["A".to_string(), "a".to_string()];
        assert_eq!(find_by_name(&ambiguous, "a", |s| s), Some(&ambiguous[1]));
        let ambiguous = vec!["Ab".to_string(), "aB".to_string()];
        assert_eq!(find_by_name(&ambiguous, "ab", |s| s), None);
    }
}
