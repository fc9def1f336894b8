//! Building the [`Plan`]: which tables, which target types, which target schema, what order.
//!
//! Two modes. *Create schema*: the target definition of each table is derived from the source
//! one through the mapping rules (types), and the expression translator (CHECKs, defaults).
//! *Into existing*: source tables and columns are matched to the target's by name and each
//! value is converted to the target column's type; target-only columns keep their defaults.

use crate::model::options::OptionName;
use std::collections::BTreeMap;

use crate::convert::ColumnRules;
use crate::model::catalog::{Catalog, Check, ColumnType, DefaultValue, Dialect, Table};
use crate::model::conventions::{Convention, Storage, UuidForm, Zone};
use crate::model::finding::{Finding, Policy, ProblemKind, Remedy, Sample, Severity};
use crate::model::options::{setting_for, Options};
use crate::plan::check_expr::{self, Translation};
use crate::plan::frameworks::{self, FrameworkPlan, SeedRule};
use crate::plan::mapping;
use crate::plan::{ColumnPlan, Mode, Plan, TablePlan, WriteSummary};
use crate::{Error, Result};

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

/// A per-column option (`--type`, `--epoch`, `--on-bad-value`, `--column-timezone`) that
/// names no column of the source would be ignored without a word, and the run would do
/// what the user asked it not to: refused instead. Jobs plan a changed view of the source
/// (Extract's `app_config`), so there only a table that exists nowhere is refused.
fn check_column_settings(o: &Options, source: &Catalog, display: &str) -> Result<()> {
    let refs = o
        .type_overrides
        .iter()
        .map(|s| (OptionName::Type, &s.column))
        .chain(
            o.epoch_columns
                .iter()
                .map(|s| (OptionName::Epoch, &s.column)),
        )
        .chain(
            o.column_policies
                .iter()
                .map(|s| (OptionName::OnBadValue, &s.column)),
        )
        .chain(
            o.column_timezones
                .iter()
                .map(|s| (OptionName::ColumnTimezone, &s.column)),
        );
    let copy = matches!(o.job, crate::model::options::Job::Copy);
    for (flag, c) in refs {
        let Some(table) = source.table(&c.table) else {
            if !copy {
                continue;
            }
            return Err(Error::bad_option(
                flag,
                format!(
                    "{} {}.{}: no table named '{}' in {display} (tables: {})",
                    flag.mention(),
                    c.table,
                    c.column,
                    c.table,
                    table_list(source)
                ),
            ));
        };
        if copy && table.column(&c.column).is_none() {
            let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
            return Err(Error::bad_option(
                flag,
                format!(
                    "{} {}.{}: table '{}' has no column '{}' (columns: {})",
                    flag.mention(),
                    c.table,
                    c.column,
                    c.table,
                    c.column,
                    columns.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn table_list(c: &Catalog) -> String {
    let names: Vec<&str> = c.tables.iter().map(|t| t.name.as_str()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn column_rules(
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
        epoch: setting_for(&o.epoch_columns, table, column).copied(),
        target_is_postgres: target_dialect == Dialect::Postgres,
    }
}

fn plan_created_table(
    input: &PlanInput,
    source: &Table,
    selected: &[&Table],
    storage: &Storage,
    profile: &mut Profiler,
    warnings: &mut Vec<String>,
) -> Result<TablePlan> {
    let o = input.options;
    let from = input.source.dialect;
    let to = input.target_dialect;
    let mut target = source.clone();
    let mut columns = vec![];
    for (col, tcol) in source.columns.iter().zip(target.columns.iter_mut()) {
        let policy = o.policy_for(&source.name, &col.name);
        let (mut ty, rule) = mapping::map_column(from, col);
        let mut rule_text = rule.describe();
        if matches!(ty, ColumnType::Any) {
            let classes = profile(&source.name, &col.name)?;
            ty = type_by_content(&classes);
            rule_text = format!(
                "no declared type → {} (by content: {})",
                ty.pg_name(),
                describe_classes(&classes)
            );
        }
        if let Some(name) = setting_for(&o.type_overrides, &source.name, &col.name) {
            ty = parse_type_name(name).ok_or_else(|| {
                Error::bad_option(
                    OptionName::Type,
                    format!(
                        "{} {}.{}={name}: unknown type name",
                        OptionName::Type.mention(),
                        source.name,
                        col.name
                    ),
                )
            })?;
            rule_text = format!("--type override → {}", ty.pg_name());
        }
        if policy == Policy::AsText {
            ty = ColumnType::Text;
            rule_text = "--on-bad-value …=text → text".into();
        }
        if col.generated.is_some() {
            warnings.push(format!(
                "{}.{} is a generated column; it becomes a plain column holding the copied values",
                source.name, col.name
            ));
            tcol.generated = None;
        }
        tcol.ty = ty.clone();
        tcol.default = translate_default(
            col.default.as_ref(),
            from,
            to,
            &source.name,
            &col.name,
            warnings,
        );
        tcol.declared_type = declared_in(to, &ty);
        if tcol.auto_increment && !matches!(ty, ColumnType::Int { .. }) {
            tcol.auto_increment = false;
        }
        columns.push(ColumnPlan {
            source: Some(col.name.clone()),
            fill: None,
            null_becomes: None,
            target: col.name.clone(),
            source_type: if col.declared_type.is_empty() {
                "(none)".into()
            } else {
                col.declared_type.clone()
            },
            target_type: tcol.declared_type.clone(),
            ty,
            rule: rule_text,
            policy,
            rules: column_rules(o, &source.name, &col.name, to, storage),
        });
    }
    // CHECKs: kept when they translate, dropped (with a warning) when they cannot.
    let type_of = |name: &str| target.column(name).map(|c| c.ty.clone());
    let mut checks = vec![];
    for check in &source.checks {
        // The CHECK Ferry writes for an enum column in SQLite is the enum type itself on the
        // way back, not an extra constraint.
        let enum_check = target.columns.iter().any(|c| matches!(&c.ty, ColumnType::Enum { labels, .. } if enum_check_sql(&c.name, labels) == check.expression));
        if enum_check {
            continue;
        }
        match check_expr::translate_check(&check.expression, from, to, &type_of) {
            Translation::Same(e) | Translation::Translated(e) => checks.push(Check {
                name: check.name.clone(),
                expression: e,
            }),
            Translation::Implied { reason } => warnings.push(format!(
                "{}: CHECK ({}) is enforced by the column type in the target ({reason})",
                source.name, check.expression
            )),
            Translation::Untranslatable { reason } => warnings.push(format!(
                "{}: CHECK ({}) is not migrated: {reason}",
                source.name, check.expression
            )),
        }
    }
    if to == Dialect::Sqlite {
        for col in &target.columns {
            if let ColumnType::Enum { labels, .. } = &col.ty {
                checks.push(Check {
                    name: None,
                    expression: enum_check_sql(&col.name, labels),
                });
            }
        }
    }
    target.checks = checks;
    // Foreign keys to tables that are not copied cannot be kept.
    target.foreign_keys.retain(|fk| {
        let kept = selected.iter().any(|t| t.name == fk.ref_table);
        if !kept {
            warnings.push(format!(
                "{}: foreign key ({}) → {} dropped: that table is not copied",
                source.name,
                fk.columns.join(", "),
                fk.ref_table
            ));
        }
        kept
    });
    // Index expressions and partial predicates are dialect SQL: keep only what translates.
    let type_of = |name: &str| target.column(name).map(|c| c.ty.clone());
    let mut indexes = vec![];
    for index in &source.indexes {
        let mut index = index.clone();
        if let Some(pred) = &index.predicate {
            match check_expr::translate_check(pred, from, to, &type_of) {
                Translation::Same(e) | Translation::Translated(e) => index.predicate = Some(e),
                _ => {
                    warnings.push(format!("{}: partial index {} is not migrated (its WHERE clause does not translate)", source.name, index.name));
                    continue;
                }
            }
        }
        let portable = index.columns.iter().all(|c| match c {
            crate::model::catalog::IndexColumn::Column { .. } => true,
            crate::model::catalog::IndexColumn::Expression { sql } => matches!(
                check_expr::translate_check(sql, from, to, &type_of),
                Translation::Same(_)
            ),
        });
        if !portable {
            warnings.push(format!(
                "{}: expression index {} is not migrated",
                source.name, index.name
            ));
            continue;
        }
        indexes.push(index);
    }
    target.indexes = indexes;
    target.row_count = None;
    Ok(TablePlan {
        source_table: source.name.clone(),
        target_table: source.name.clone(),
        rows: source.row_count,
        create: true,
        source_filter: None,
        columns,
        replace_existing: false,
        replace: false,
        target_def: target,
        source_def: source.clone(),
    })
}

fn plan_existing_table(
    input: &PlanInput,
    source: &Table,
    replace: bool,
    storage: &Storage,
    chosen: &Option<(Convention, String)>,
    findings: &mut Vec<Finding>,
) -> Result<TablePlan> {
    let o = input.options;
    let target_catalog = input.target.ok_or_else(|| {
        Error::bad_option(
            OptionName::IntoExisting,
            format!(
                "{}: {} has no schema to load into",
                OptionName::IntoExisting.mention(),
                input.target_display
            ),
        )
    })?;
    let target =
        find_by_name(&target_catalog.tables, &source.name, |t| &t.name).ok_or_else(|| {
            Error::bad_option(
                OptionName::IntoExisting,
                format!(
                    "{}: {} has no table '{}' (it has: {})",
                    OptionName::IntoExisting.mention(),
                    input.target_display,
                    source.name,
                    table_list(target_catalog)
                ),
            )
        })?;
    if let Some(n) = target.row_count.filter(|n| *n > 0) {
        if !o.append && !replace {
            return Err(Error::bad_option(OptionName::Append, format!(
                "target table '{}' already has {n} row(s); Ferry does not append to existing data unless you pass {}",
                target.name,
                OptionName::Append.mention()
            )));
        }
    }
    let mut columns = vec![];
    for tcol in &target.columns {
        if tcol.generated.is_some() {
            continue;
        }
        match find_by_name(&source.columns, &tcol.name, |c| &c.name) {
            Some(scol) => {
                let policy = o.policy_for(&source.name, &scol.name);
                let mut rules =
                    column_rules(o, &source.name, &scol.name, input.target_dialect, storage);
                let (ty, rule) = if input.target_dialect == Dialect::Sqlite {
                    rules.numeric_affinity = !matches!(
                        crate::sqlite::types::affinity(&tcol.declared_type),
                        crate::sqlite::types::Affinity::Text | crate::sqlite::types::Affinity::Blob
                    );
                    existing_sqlite_column(&scol.ty, tcol, storage, chosen)
                } else {
                    (tcol.ty.clone(), "existing target column".to_string())
                };
                columns.push(ColumnPlan {
                    source: Some(scol.name.clone()),
                    fill: None,
                    null_becomes: None,
                    target: tcol.name.clone(),
                    source_type: scol.declared_type.clone(),
                    target_type: tcol.declared_type.clone(),
                    ty,
                    rule,
                    policy,
                    rules,
                });
            }
            None => {
                columns.push(ColumnPlan {
                    source: None,
                    fill: None,
                    null_becomes: None,
                    target: tcol.name.clone(),
                    source_type: String::new(),
                    target_type: tcol.declared_type.clone(),
                    ty: tcol.ty.clone(),
                    rule: "target-only column: filled from its default".into(),
                    policy: Policy::Stop,
                    rules: ColumnRules::default(),
                });
            }
        }
    }
    for scol in &source.columns {
        if find_by_name(&target.columns, &scol.name, |c| &c.name).is_none() {
            let policy = o.policy_for(&source.name, &scol.name);
            findings.push(Finding {
                severity: Severity::Blocking,
                kind: ProblemKind::NoTargetColumn,
                table: source.name.clone(),
                column: Some(scol.name.clone()),
                count: source.row_count.unwrap_or(0),
                samples: vec![Sample {
                    key: String::new(),
                    value: String::new(),
                    detail: format!(
                        "target table '{}' has no column '{}'",
                        target.name, scol.name
                    ),
                }],
                message: format!(
                    "its values have nowhere to go in the target table {}",
                    target.name
                ),
                remedies: vec![
                    Remedy::AddTargetColumn {
                        table: source.name.clone(),
                        column: scol.name.clone(),
                    },
                    // Not copying a column needs no NULL in the target, whatever its nullability.
                    Remedy::Policy {
                        table: source.name.clone(),
                        column: scol.name.clone(),
                        policy: Policy::Null,
                    },
                ],
                resolved_by: (policy == Policy::Null).then_some(Policy::Null),
            });
        }
    }
    Ok(TablePlan {
        source_table: source.name.clone(),
        target_table: target.name.clone(),
        rows: source.row_count,
        create: false,
        source_filter: None,
        columns,
        replace_existing: false,
        replace,
        target_def: target.clone(),
        source_def: source.clone(),
    })
}

/// The type an existing SQLite column holds under the run's convention, and the plan's rule
/// text saying which convention writes it and why. A framework's SQLite column can hold more
/// than its declared type says: Django's and SQLAlchemy's `datetime` holds instants as naive
/// UTC text (so a timestamptz goes in as its UTC wall clock), their `char(32)` holds a UUID as
/// 32 hex digits.
fn existing_sqlite_column(
    source_ty: &ColumnType,
    tcol: &crate::model::catalog::Column,
    storage: &Storage,
    chosen: &Option<(Convention, String)>,
) -> (ColumnType, String) {
    let Some((convention, because)) = chosen else {
        return (tcol.ty.clone(), "existing target column".into());
    };
    let by = |what: String| {
        format!(
            "existing target column, written by the {convention} convention ({because}): {what}"
        )
    };
    match (source_ty, &tcol.ty) {
        (ColumnType::TimestampTz, ColumnType::Timestamp) if storage.zone == Zone::NaiveUtc => (
            ColumnType::TimestampTz,
            by(format!("the instant as {}", storage.datetime_pattern())),
        ),
        (ColumnType::TimestampTz, ColumnType::TimestampTz)
        | (ColumnType::Timestamp, ColumnType::Timestamp) => {
            (tcol.ty.clone(), by(storage.datetime_pattern()))
        }
        (
            ColumnType::Uuid,
            ColumnType::Varchar { max_len: Some(32) } | ColumnType::Char { len: 32 },
        ) if storage.uuid == UuidForm::Hex32 => {
            (ColumnType::Uuid, by("the UUID as 32 hex digits".into()))
        }
        (ColumnType::Uuid, ColumnType::Uuid) => {
            (tcol.ty.clone(), by(storage.uuid_pattern().into()))
        }
        (ColumnType::Time, ColumnType::Time) => (tcol.ty.clone(), by(storage.time_pattern())),
        (ColumnType::Opaque { name }, ColumnType::Int { bits: 64 })
            if name == "interval"
                && storage.duration == crate::model::conventions::DurationForm::Micros =>
        {
            (
                tcol.ty.clone(),
                by("the duration as integer microseconds".into()),
            )
        }
        (ColumnType::Json { .. }, _) => (tcol.ty.clone(), by("the JSON document as TEXT".into())),
        _ => (tcol.ty.clone(), "existing target column".into()),
    }
}

/// Refuses a replace that would orphan or re-point the target's rows: every target table with
/// a foreign key into a replaced table must be replaced or loaded too, or be empty, since the
/// replaced rows' keys will mean the source's rows.
///
/// # Errors
/// `BadInput` naming the replaced table, the referencing table and its row count.
fn check_replace_is_fk_safe(input: &PlanInput, tables: &[TablePlan]) -> Result<()> {
    let Some(target) = input.target else {
        return Ok(());
    };
    for t in tables.iter().filter(|t| t.replace) {
        for child in &target.tables {
            let loaded = tables.iter().any(|p| {
                p.target_table == child.name && (p.replace || child.row_count.unwrap_or(0) == 0)
            });
            if loaded || child.name == t.target_table {
                continue;
            }
            let Some(fk) = child
                .foreign_keys
                .iter()
                .find(|fk| fk.ref_table == t.target_table)
            else {
                continue;
            };
            let rows = child.row_count.unwrap_or(0);
            if rows > 0 {
                return Err(Error::bad_option(OptionName::Replace, format!(
                    "replacing the rows of '{}' would leave {rows} row(s) of '{}' in {} pointing at other rows (its foreign key ({}) refers to '{}'); replace that table too ({replace} {}) or empty it first",
                    t.target_table,
                    child.name,
                    input.target_display,
                    fk.columns.join(", "),
                    t.target_table,
                    child.name,
                    replace = OptionName::Replace.mention()
                )));
            }
        }
    }
    Ok(())
}

/// The CHECK that keeps a SQLite text column to an enum's labels.
fn enum_check_sql(column: &str, labels: &[String]) -> String {
    let list: Vec<String> = labels
        .iter()
        .map(|l| format!("'{}'", l.replace('\'', "''")))
        .collect();
    format!(
        "{} IN ({})",
        crate::sqlite::ddl::quote_ident(column),
        list.join(", ")
    )
}

/// Exact name first, then a unique case-insensitive match.
fn find_by_name<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &String) -> Option<&'a T> {
    if let Some(t) = items.iter().find(|t| key(t) == name) {
        return Some(t);
    }
    let mut matches = items.iter().filter(|t| key(t).eq_ignore_ascii_case(name));
    match (matches.next(), matches.next()) {
        (Some(t), None) => Some(t),
        _ => None,
    }
}

fn translate_default(
    default: Option<&DefaultValue>,
    from: Dialect,
    to: Dialect,
    table: &str,
    column: &str,
    warnings: &mut Vec<String>,
) -> Option<DefaultValue> {
    match default? {
        DefaultValue::Expression { dialect, sql } if *dialect != to => {
            warnings.push(format!("{table}.{column}: DEFAULT {sql} is not migrated ({from:?} expression with no {to:?} equivalent known to Ferry)"));
            None
        }
        other => Some(other.clone()),
    }
}

fn declared_in(dialect: Dialect, ty: &ColumnType) -> String {
    match dialect {
        Dialect::Postgres => ty.pg_name(),
        Dialect::Sqlite => {
            let (declared, hint) = crate::sqlite::ddl::declared_type(ty);
            match hint {
                Some(h) => format!("{declared} /* pg:{h} */"),
                None => declared,
            }
        }
    }
}

/// The type for an untyped SQLite column, from the storage classes it holds.
fn type_by_content(classes: &[(String, u64)]) -> ColumnType {
    let has = |c: &str| classes.iter().any(|(k, n)| k == c && *n > 0);
    let (int, real, text, blob) = (has("integer"), has("real"), has("text"), has("blob"));
    match (int, real, text, blob) {
        (true, false, false, false) => ColumnType::Int { bits: 64 },
        (_, true, false, false) => ColumnType::Float { bits: 64 },
        (false, false, false, true) => ColumnType::Bytes,
        // Text, nothing, or a mix: text; numbers in it are findings the user resolves.
        _ => ColumnType::Text,
    }
}

fn describe_classes(classes: &[(String, u64)]) -> String {
    let parts: Vec<String> = classes.iter().map(|(k, n)| format!("{n} {k}")).collect();
    if parts.is_empty() {
        "empty".into()
    } else {
        parts.join(", ")
    }
}

/// PostgreSQL type names a user may give to `--type` (the same reader as Ferry's own
/// `pg:` hints); names Ferry would only move as opaque text are refused.
pub fn parse_type_name(text: &str) -> Option<ColumnType> {
    crate::sqlite::types::parse_pg_type(&text.to_ascii_lowercase())
        .filter(|t| !matches!(t, ColumnType::Opaque { .. }))
}

fn write_summary(input: &PlanInput, mode: Mode, tables: &[TablePlan]) -> WriteSummary {
    let o = input.options;
    let rows: u64 = tables.iter().filter_map(|t| t.rows).sum();
    let mut effects = vec![];
    let backup: String = match (input.target_dialect, mode) {
        (Dialect::Postgres, Mode::CreateSchema) => {
            effects.push(format!(
                "create {} table(s) in schema {} and load {rows} row(s), in one transaction",
                tables.len(),
                o.pg_schema
            ));
            "none needed: Ferry only creates new tables, inside one transaction that commits after verification".into()
        }
        (Dialect::Postgres, Mode::IntoExisting) => {
            effects.push(format!(
                "add {rows} row(s) to {} existing table(s) in schema {}, in one transaction",
                tables.len(),
                o.pg_schema
            ));
            match &o.backup {
                crate::model::options::BackupChoice::Skip => "skipped at your request (--no-backup)".into(),
                _ if tables.iter().any(|t| t.replace) => "none: the replaced tables' rows are deleted and the source's loaded in the same transaction as every other row, which commits only after verification (a failure or cancel rolls the deletion back); other existing rows are never changed".into(),
                _ => "the rows Ferry adds are in one transaction that commits only after verification; existing rows are never changed or deleted".into(),
            }
        }
        (Dialect::Sqlite, _) => {
            let verb = if mode == Mode::IntoExisting {
                "add rows to"
            } else if input.target_file_exists {
                "replace"
            } else {
                "create"
            };
            effects.push(format!("{verb} {} ({} table(s), {rows} row(s)), built in a temporary file and moved into place after verification", input.target_display, tables.len()));
            if !input.target_file_exists {
                "none needed: the file does not exist yet".into()
            } else {
                match &o.backup {
                    crate::model::options::BackupChoice::Skip => {
                        "skipped at your request (--no-backup)".into()
                    }
                    crate::model::options::BackupChoice::Dir(d) => {
                        format!("the existing file, into {}", d.display())
                    }
                    crate::model::options::BackupChoice::Default => {
                        "the existing file, beside it (name.ferry-backup-<UTC time>.db)".into()
                    }
                }
            }
        }
    };
    let replaced: Vec<String> = tables
        .iter()
        .filter(|t| t.replace)
        .map(|t| {
            match input
                .target
                .and_then(|c| c.table(&t.target_table))
                .and_then(|c| c.row_count)
            {
                Some(n) => format!("{} ({n} row(s))", t.target_table),
                None => t.target_table.clone(),
            }
        })
        .collect();
    if !replaced.is_empty() {
        effects.push(format!(
            "replace the target's rows of {} with the source's",
            replaced.join(", ")
        ));
    }
    WriteSummary {
        target: input.target_display.clone(),
        effects,
        backup,
    }
}

/// Refuses a plan that would leave a NOT NULL target column without a value: a target-only
/// column with neither a default nor a fill value from the job. Run after the job's
/// transforms, which may fill such columns (Promote's owner column, say).
///
/// # Errors
/// `BadInput` naming the table and columns.
pub fn check_required_columns(plan: &Plan) -> Result<()> {
    for t in &plan.tables {
        let missing: Vec<&str> = t
            .columns
            .iter()
            .filter(|c| c.source.is_none() && c.fill.is_none())
            .filter_map(|c| t.target_def.column(&c.target))
            .filter(|c| c.not_null && c.default.is_none() && !c.auto_increment)
            .map(|c| c.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Error::bad_input(format!(
                "target table '{}' has NOT NULL column(s) {} without a default and the source has no such column; add a default or make them nullable",
                t.target_table,
                missing.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untyped_columns_are_typed_by_content() {
        let c = |v: &[(&str, u64)]| {
            v.iter()
                .map(|(k, n)| (k.to_string(), *n))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            type_by_content(&c(&[("integer", 5), ("null", 1)])),
            ColumnType::Int { bits: 64 }
        );
        assert_eq!(
            type_by_content(&c(&[("integer", 5), ("real", 1)])),
            ColumnType::Float { bits: 64 }
        );
        assert_eq!(type_by_content(&c(&[("blob", 2)])), ColumnType::Bytes);
        assert_eq!(
            type_by_content(&c(&[("text", 2), ("integer", 1)])),
            ColumnType::Text
        );
    }

    #[test]
    fn type_names_for_overrides() {
        assert_eq!(parse_type_name("uuid"), Some(ColumnType::Uuid));
        assert_eq!(
            parse_type_name("NUMERIC(12,2)"),
            Some(ColumnType::Numeric {
                precision: Some(12),
                scale: Some(2)
            })
        );
        assert_eq!(
            parse_type_name("text[]"),
            Some(ColumnType::Array {
                element: Box::new(ColumnType::Text)
            })
        );
        assert_eq!(parse_type_name("nonsense"), None);
    }

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
