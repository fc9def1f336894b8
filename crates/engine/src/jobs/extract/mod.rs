//! Extract: one user's rows of a multi-user PostgreSQL database → a single-user SQLite file
//! (DESIGN.md, job 3).
//!
//! 1. [`transform_catalogs`]: the planner sees the single-user view of the source
//!    (`view`): `app_config` instead of the users table, no owner columns, singletons;
//!    an existing desktop schema's seeded singleton rows do not count as data to protect,
//!    since they are updated, not appended to.
//! 2. [`transform_plan`]: the planned tables are pointed back at the real source tables, each
//!    read through the ownership filter (`filter`); singleton keys are filled with 1 and their
//!    rows replace a seeded row with the same key. The analysis (`ExtractState`) rides in the
//!    plan's job state to step 3.
//! 3. [`invariants`]: the user's rows counted again on the source by a separate query and
//!    compared with the target (`checks`).

mod candidates;
mod checks;
mod filter;
mod ownership;
mod view;

use crate::model::catalog::Catalog;
use crate::model::finding::ProblemKind;
use crate::model::location::Location;
use crate::model::options::OptionName;
use crate::model::options::{ExtractOptions, Job, Options};
use crate::model::report::Check;
use crate::model::value::Value;
use crate::plan::job_state::JobState;
use crate::plan::Plan;
use crate::source::Source;
use crate::target::Target;
use crate::{Error, Result};

pub use candidates::{candidates, Candidates, MAX_LISTED_USERS};
pub use ownership::{analyse, Link, OwnedTable, Ownership};
pub use view::{APP_CONFIG, SINGLETON_KEY};

fn needs_pg_source() -> Error {
    Error::bad_option(
        OptionName::From,
        format!(
            "{} reads a multi-user PostgreSQL database: {} must be a PostgreSQL location",
            OptionName::ExtractUser.mention(),
            OptionName::From.mention()
        ),
    )
}

/// Refuses what Extract cannot do, before anything is read.
fn check_locations(options: &Options) -> Result<()> {
    if !matches!(options.source, Location::Postgres(_)) {
        return Err(needs_pg_source());
    }
    if !matches!(options.target, Location::Sqlite { .. }) {
        return Err(Error::bad_option(
            OptionName::To,
            format!(
                "{} writes a single-user SQLite file: {} must be a SQLite file",
                OptionName::ExtractUser.mention(),
                OptionName::To.mention()
            ),
        ));
    }
    if let Job::Extract(ExtractOptions {
        bundle: Some(dir), ..
    }) = &options.job
    {
        // Refused now rather than after the SQLite file is written.
        let non_empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
        if non_empty || dir.is_file() {
            return Err(Error::bad_option(OptionName::Bundle, format!(
                "{} {}: the folder exists and is not empty; Ferry never writes into an existing bundle",
                OptionName::Bundle.mention(),
                dir.display()
            )));
        }
    }
    Ok(())
}

/// Step 0: the catalogs the planner sees.
///
/// # Errors
/// `BadInput`: wrong kinds of databases, no users table, an unknown owner column.
pub fn transform_catalogs(
    options: &Options,
    extract: &ExtractOptions,
    source: &mut Catalog,
    target: Option<&mut Catalog>,
) -> Result<()> {
    check_locations(options)?;
    let own = analyse(source, extract)?;
    if source.table(APP_CONFIG).is_some() {
        return Err(Error::bad_input(format!(
            "the source already has a table named {APP_CONFIG}, the name the user's own row gets; exclude or rename it"
        )));
    }
    view::single_user_view(source, &own);
    if let Some(target) = target {
        for t in &mut target.tables {
            if t.name == APP_CONFIG || own.is_singleton(&t.name) {
                // Seeded singleton rows are updated in place, not appended to.
                t.row_count = None;
            }
        }
    }
    Ok(())
}

/// Step 1: point the planned tables at the real source tables, with the ownership filter.
///
/// # Errors
/// `BadInput` for an unknown email (saying how many users exist, never who).
pub fn transform_plan(
    options: &Options,
    extract: &ExtractOptions,
    plan: &mut Plan,
    source: &mut Source,
) -> Result<()> {
    check_locations(options)?;
    let catalog = source_schema(source)?;
    let own = analyse(&catalog, extract)?;
    let user_key = find_user(source, &own, &extract.email)?;
    no_jit(source)?;
    let schema = options.pg_schema.clone();
    let all_rows: u64 = plan.tables.iter().filter_map(|t| t.rows).sum();
    for t in &mut plan.tables {
        let real = if t.source_table == APP_CONFIG {
            own.users_table.clone()
        } else {
            t.source_table.clone()
        };
        let def = catalog.table(&real).ok_or_else(|| {
            Error::runtime(format!(
                "internal: planned table {real} is not in the source"
            ))
        })?;
        t.source_def = def.clone();
        t.source_table = real.clone();
        t.source_filter = filter::row_filter(&own, &schema, &real, &user_key);
        t.rows = Some(count_rows(source, &real, t.source_filter.as_deref())?);
        if real == own.users_table || own.is_singleton(&real) {
            t.replace_existing = true;
            for c in &mut t.columns {
                if c.target == SINGLETON_KEY {
                    c.source = None;
                    c.fill = Some(Value::Int(1));
                    c.rule = "singleton key: always 1".into();
                    c.source_type = String::new();
                }
            }
        }
    }
    // A singleton the user has no row for, in an existing schema: its own (seeded) row stays
    // as it is, so there is nothing to copy or compare.
    let into_existing = plan.mode == crate::plan::Mode::IntoExisting;
    let mut untouched = vec![];
    plan.tables.retain(|t| {
        let empty_singleton = own.is_singleton(&t.source_table) && t.rows == Some(0);
        if into_existing && empty_singleton {
            untouched.push(format!(
                "{} has no row of {} in {}; the target's own {} row is kept as it is",
                extract.email, t.source_table, own.users_table, t.target_table
            ));
        }
        !(into_existing && empty_singleton)
    });
    plan.warnings.extend(untouched);
    // The write summary counted every user's rows; it is about one user's.
    let user_rows: u64 = plan.tables.iter().filter_map(|t| t.rows).sum();
    for effect in &mut plan.writes.effects {
        *effect = effect.replacen(
            &format!(" {all_rows} row(s)"),
            &format!(" {user_rows} row(s) of {}", extract.email),
            1,
        );
    }
    // Columns the desktop schema does not have stay behind, reported, not blocking: its
    // schema decides what a single-user edition keeps.
    let mut left_behind = vec![];
    plan.findings.retain(|f| {
        let drop = f.kind == ProblemKind::NoTargetColumn;
        if drop {
            let table = if f.table == APP_CONFIG {
                own.users_table.as_str()
            } else {
                f.table.as_str()
            };
            left_behind.push(format!(
                "{table}.{} is not in the target schema; its values are not copied",
                f.column.as_deref().unwrap_or("?")
            ));
        }
        !drop
    });
    plan.warnings.extend(left_behind);
    plan.warnings.extend(own.notes.iter().cloned());
    plan.warnings.push(format!(
        "extract: only the rows of {} are copied (its row of {} becomes {APP_CONFIG}); owner columns {} are left out",
        extract.email,
        own.users_table,
        own.owner_columns
            .iter()
            .map(|c| format!("{}.{}", c.table, c.column))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    plan.job_state = JobState::new(ExtractState { own, user_key });
    Ok(())
}

/// What the plan step found, carried to verification.
#[derive(Debug, Clone)]
pub struct ExtractState {
    pub own: Ownership,
    /// The user's key, as text.
    pub user_key: String,
}

/// The source's schema again (the planner saw the single-user view), without row counts:
/// the same snapshot, so the same schema the introspection phase read.
fn source_schema(source: &mut Source) -> Result<Catalog> {
    match source {
        Source::Postgres { client, schema, .. } => {
            crate::postgres::introspect::introspect_schema(client, schema)
        }
        _ => Err(needs_pg_source()),
    }
}

/// Turns PostgreSQL's JIT compilation off for the rest of the source's snapshot transaction:
/// the filters' recursive parts have estimated costs far above their real ones, and compiling
/// them takes most of a second per query while running them takes milliseconds.
fn no_jit(source: &mut Source) -> Result<()> {
    let Source::Postgres { client, .. } = source else {
        return Ok(());
    };
    use crate::model::error::Context;
    let ctx = || "turning off JIT for the extraction's queries".to_string();
    // `SET` of a parameter the server does not know (before PostgreSQL 11) would end the
    // transaction; ask first.
    let has_jit = client
        .query_opt("SELECT 1 FROM pg_settings WHERE name = 'jit'", &[])
        .context(ctx)?
        .is_some();
    if has_jit {
        client.batch_execute("SET LOCAL jit = off").context(ctx)?;
    }
    Ok(())
}

/// How many rows of `table` the filter keeps (for progress and the write summary; the
/// copy counts again, and verification counts independently).
fn count_rows(source: &mut Source, table: &str, filter: Option<&str>) -> Result<u64> {
    let Source::Postgres { client, schema, .. } = source else {
        return Err(needs_pg_source());
    };
    use crate::model::error::Context;
    let sql = format!(
        "SELECT count(*) FROM {}{}",
        crate::postgres::ddl::qualified(schema, table),
        filter.map(|f| format!(" WHERE ({f})")).unwrap_or_default()
    );
    let n: i64 = client
        .query_one(&sql, &[])
        .context(|| format!("counting the user's rows of {table}"))?
        .get(0);
    Ok(n as u64)
}

/// The user's key as text.
fn find_user(source: &mut Source, own: &Ownership, email: &str) -> Result<String> {
    let Source::Postgres { client, schema, .. } = source else {
        return Err(needs_pg_source());
    };
    use crate::model::error::Context;
    use crate::postgres::ddl::{qualified, quote_ident};
    let table = qualified(schema, &own.users_table);
    let (key, col) = (quote_ident(&own.user_key), quote_ident(&own.email_column));
    let ctx = || format!("looking up the user in {}", own.users_table);
    let exact = client
        .query(
            &format!("SELECT {key}::text FROM {table} WHERE {col}::text = $1"),
            &[&email],
        )
        .context(ctx)?;
    let rows = if exact.is_empty() {
        client
            .query(
                &format!("SELECT {key}::text FROM {table} WHERE lower({col}::text) = lower($1)"),
                &[&email],
            )
            .context(ctx)?
    } else {
        exact
    };
    match rows.as_slice() {
        [one] => Ok(one.get(0)),
        [] => {
            let counts = client
                .query_one(
                    &format!("SELECT count(*), count(DISTINCT lower({col}::text)) FROM {table}"),
                    &[],
                )
                .context(ctx)?;
            let (users, emails): (i64, i64) = (counts.get(0), counts.get(1));
            Err(Error::bad_input(format!(
                "no user with email {email} in {} ({users} user(s), {emails} distinct email(s) in column {}); check the address",
                own.users_table, own.email_column
            )))
        }
        many => Err(Error::bad_input(format!(
            "{} users of {} have the email {email} (compared without case); Extract needs exactly one",
            many.len(),
            own.users_table
        ))),
    }
}

/// Step 2: the job's checks.
///
/// # Errors
/// Database errors while checking.
pub fn invariants(
    options: &Options,
    extract: &ExtractOptions,
    plan: &Plan,
    source: &mut Source,
    target: &mut Target,
) -> Result<Vec<Check>> {
    let Some(state) = plan.job_state.get::<ExtractState>() else {
        return Err(Error::runtime(
            "internal: the Extract plan has no Extract state",
        ));
    };
    let Source::Postgres { client, .. } = source else {
        return Err(Error::runtime(
            "internal: Extract without a PostgreSQL source",
        ));
    };
    let conn = target
        .sqlite_writer()
        .ok_or_else(|| Error::runtime("internal: Extract without a SQLite target"))?
        .connection();
    checks::run(
        &state.own,
        plan,
        client,
        &options.pg_schema,
        &state.user_key,
        &extract.email,
        conn,
    )
}
