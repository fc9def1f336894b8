//! Promote: a single-user SQLite app's database → the multi-user PostgreSQL edition
//! (DESIGN.md, job 2).
//!
//! A transform on the plan, not a copy of the copier:
//! - [`transform_plan`]: find (or plan) the users table, give every migrated table its owner
//!   column with a placeholder fill, and, with `--fill-updated-at`, a "NULL becomes the
//!   migration time" rule on `updated_at`-style columns ([`UPDATED_AT_NAMES`]);
//! - [`prepare_target`], inside the target transaction: create the users table, insert the
//!   admin with a freshly generated password (stored only as a hash), and put the admin's id
//!   into the owner columns' fills;
//! - [`invariants`]: no NULL owner, exactly one admin, the stored hash verifies against this
//!   run's password, and every timestamp equals the instant PostgreSQL itself computes from the
//!   source text and zone ([`timestamps`]).
//!
//! The plain password lives only in a [`SecretString`] held by the plan's job state and,
//! after a committed run, by `Report::temporary_password` (never serialized); the front end
//! shows it once.

pub mod distribute;
mod owners;
pub mod password;
mod timestamps;
pub mod users;

use std::sync::Arc;

use crate::model::options::{Options, PromoteOptions, TargetProfile};
use crate::model::report::{AdminAccount, Check, Report};
use crate::model::secret::SecretString;
use crate::model::value::Value;
use crate::plan::job_state::JobState;
use crate::plan::Plan;
use crate::source::Source;
use crate::target::Target;
use crate::{Error, Location, Result};

/// Column names `--fill-updated-at` treats as "last modified" (compared case-insensitively).
pub const UPDATED_AT_NAMES: &[&str] = &[
    "updated_at",
    "updatedat",
    "modified_at",
    "modifiedat",
    "updated",
    "modified",
    "updated_on",
    "modified_on",
    "last_modified",
    "last_modified_at",
    "last_updated",
    "last_updated_at",
    "date_modified",
    "date_updated",
];

/// What Promote decided while planning and preparing the target.
#[derive(Debug, Clone)]
pub struct PromoteState {
    pub users: users::UsersTable,
    /// (table, owner column) per migrated table.
    pub owners: Vec<(String, String)>,
    /// The one instant `--fill-updated-at` writes (microseconds since the epoch).
    pub migration_time: i64,
    /// Set by [`prepare_target`].
    pub admin_id: Option<Value>,
    /// This run's temporary password, set by [`prepare_target`]. `Arc` because the plan is
    /// `Clone`; the secret itself is not.
    pub password: Option<Arc<SecretString>>,
    /// `--distribute`: whether the target has the `citus` extension, set by [`prepare_target`].
    pub citus: bool,
}

/// Step 1: plans the users table, the owner columns and the `updated_at` rule.
///
/// # Errors
/// `BadInput` naming what cannot work: a target that is not PostgreSQL, a missing or odd
/// email, a users table that cannot be found or understood, a table without an owner column.
pub fn transform_plan(o: &PromoteOptions, options: &Options, plan: &mut Plan) -> Result<()> {
    if !matches!(options.target, Location::Postgres(_)) {
        return Err(Error::bad_input(
            "--promote makes a multi-user PostgreSQL database: --to must be a PostgreSQL location",
        ));
    }
    check_email(&o.admin_email)?;
    if o.distribute && o.profile == TargetProfile::Supabase {
        // Supabase's users live in its own auth schema, which Citus would have to make a
        // reference table; a Supabase project does not offer the citus extension anyway.
        return Err(Error::bad_input(
            "--distribute plans a Citus cluster, and a Supabase project does not run Citus: leave out --distribute or --target-profile supabase",
        ));
    }
    let existing = {
        let mut target = Target::open(&options.target, &options.pg_schema)?;
        let catalog = target.introspect_existing()?;
        target.rollback();
        catalog
    };
    let users = match (&existing, options.into_existing) {
        (Some(catalog), true) => users::detect(catalog, &o.users)?,
        _ => users::planned(&o.users, existing.as_ref(), &options.pg_schema)?,
    };
    if let Some(t) = plan.tables.iter().find(|t| t.target_table == users.name) {
        return Err(Error::bad_input(format!(
            "--promote: the source has a table '{}', the name of the users table Promote writes; exclude it (--exclude {}) or choose another with --users-table",
            t.source_table, t.source_table
        )));
    }
    let owners = owners::add_owner_columns(plan, &users, o, options.into_existing)?;
    let migration_time = now_micros();
    if o.fill_updated_at {
        owners::fill_updated_at(plan, migration_time);
    }
    let admin = format!(
        "insert one admin user ({}) with a generated temporary password stored as a {} hash",
        o.admin_email,
        o.password_hash.name()
    );
    let users_effect = if users.created {
        format!("create table {} and {admin}", users.name)
    } else {
        format!("{admin} into the existing table {}", users.name)
    };
    plan.writes.effects.insert(0, users_effect);
    plan.job_state = JobState::new(PromoteState {
        users,
        owners,
        migration_time,
        admin_id: None,
        password: None,
        citus: false,
    });
    // Last: the Citus rules are checked on the final table definitions.
    if o.distribute {
        let state = state(plan)?.clone();
        let layout = distribute::Layout {
            schema: &options.pg_schema,
            users_table: &state.users.name,
            owned: &state.owners,
            keep_global_uniques: o.keep_global_uniques,
            may_change_schema: !options.into_existing,
        };
        distribute::plan_distribution(plan, &layout);
    }
    Ok(())
}

fn check_email(email: &str) -> Result<()> {
    let ok = email.trim() == email
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if ok {
        Ok(())
    } else {
        Err(Error::bad_input(format!(
            "--admin-email '{email}' is not an email address (name@example.com)"
        )))
    }
}

fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

fn state_mut(plan: &mut Plan) -> Result<&mut PromoteState> {
    plan.job_state
        .get_mut::<PromoteState>()
        .ok_or_else(|| Error::runtime("internal: Promote was not planned"))
}

fn state(plan: &Plan) -> Result<&PromoteState> {
    plan.job_state
        .get::<PromoteState>()
        .ok_or_else(|| Error::runtime("internal: Promote was not planned"))
}

/// Step 2: the users table and the admin, inside the target transaction.
///
/// # Errors
/// Database errors (the run rolls back); an admin email that already exists.
pub fn prepare_target(o: &PromoteOptions, plan: &mut Plan, target: &mut Target) -> Result<()> {
    let (client, schema) = target
        .pg_client()
        .ok_or_else(|| Error::runtime("internal: Promote needs a PostgreSQL target"))?;
    let schema = schema.to_string();
    let state = state_mut(plan)?;
    if state.users.created {
        users::create(client, &schema, &state.users)?;
    }
    let secret = password::generate()?;
    let stored = password::hash(&secret, o.password_hash)?;
    let admin = users::NewAdmin {
        email: &o.admin_email,
        username: o.username(),
        password_hash: &stored,
    };
    let id = users::insert_admin(client, &schema, &state.users, &admin)?;
    if o.distribute {
        state.citus = distribute::has_citus(client)?;
    }
    state.admin_id = Some(id.clone());
    state.password = Some(Arc::new(secret));
    let owners = state.owners.clone();
    owners::set_owner(plan, &owners, &id)
}

/// Step 2b, after the rows, indexes, constraints and sequences, still inside the target
/// transaction: `--distribute` on a target with Citus runs the distribution statements. In
/// the transaction (Citus allows `create_distributed_table` in a transaction block), so a
/// refusal rolls the whole run back and verification reads the distributed tables.
///
/// # Errors
/// Database errors (the run rolls back).
pub fn finish_target(o: &PromoteOptions, plan: &Plan, target: &mut Target) -> Result<()> {
    if !o.distribute || !state(plan)?.citus {
        return Ok(());
    }
    let statements = plan
        .tenancy
        .as_ref()
        .map(|t| t.distribution.clone())
        .unwrap_or_default();
    distribute::run(target, &statements)
}

/// Step 3: Promote's invariants.
///
/// # Errors
/// Database errors while checking.
pub fn invariants(
    o: &PromoteOptions,
    options: &Options,
    plan: &Plan,
    source: &mut Source,
    target: &mut Target,
) -> Result<Vec<Check>> {
    let state = state(plan)?;
    let (client, schema) = target
        .pg_client()
        .ok_or_else(|| Error::runtime("internal: Promote needs a PostgreSQL target"))?;
    let schema = schema.to_string();
    let id = state
        .admin_id
        .as_ref()
        .ok_or_else(|| Error::runtime("internal: no admin was inserted"))?;
    let id_text = value_text(id);
    let mut checks = vec![owners::owner_check(
        client,
        &schema,
        &state.owners,
        &id_text,
    )?];
    checks.push(users::one_admin_check(
        client,
        &schema,
        &state.users,
        &o.admin_email,
    )?);
    let secret = state
        .password
        .as_ref()
        .ok_or_else(|| Error::runtime("internal: no password was generated"))?;
    checks.push(users::password_check(
        client,
        &schema,
        &state.users,
        &o.admin_email,
        secret,
        o.password_hash,
    )?);
    if let Source::Sqlite { conn, .. } = source {
        checks.push(timestamps::check(
            conn,
            client,
            &schema,
            plan,
            options,
            state.migration_time,
        )?);
    }
    Ok(checks)
}

/// The id as PostgreSQL prints it (integers, uuids, text).
fn value_text(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Uuid(u) => u.to_string(),
        Value::Text(t) => t.clone(),
        other => format!("{other:?}"),
    }
}

/// What the report says about the admin; the password only after a commit.
pub fn finish_report(o: &PromoteOptions, plan: &Plan, report: &mut Report, committed: bool) {
    let Ok(state) = state(plan) else { return };
    report.admin = Some(AdminAccount {
        users_table: state.users.name.clone(),
        user_id: state.admin_id.as_ref().map(value_text),
        email: o.admin_email.clone(),
        username: state
            .users
            .username_column
            .as_ref()
            .map(|_| o.username().to_string()),
        password_hash: o.password_hash.name().into(),
        created: committed,
    });
    if committed {
        report.temporary_password = state.password.clone();
    }
    if report.tenancy.is_none() {
        report.tenancy = plan.tenancy.clone();
    }
    if o.distribute {
        if let Some(t) = report.tenancy.as_mut() {
            t.distributed_on_target = state.citus && committed;
        }
        if committed && !state.citus {
            report.warnings.push(distribute::NO_CITUS.into());
        }
    }
}
