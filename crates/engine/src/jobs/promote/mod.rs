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

mod classify;
mod owners;
pub mod password;
mod shared_refs;
mod tenancy_checks;
mod timestamps;
mod uniques;
pub mod users;

use std::sync::Arc;

use crate::model::options::{Options, PromoteOptions};
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
    /// (table, owner column) per owned table (not the shared ones).
    pub owners: Vec<(String, String)>,
    /// The shared tables (target names): no owner column.
    pub shared: Vec<String>,
    /// The one instant `--fill-updated-at` writes (microseconds since the epoch).
    pub migration_time: i64,
    /// Set by [`prepare_target`].
    pub admin_id: Option<Value>,
    /// This run's temporary password, set by [`prepare_target`]. `Arc` because the plan is
    /// `Clone`; the secret itself is not.
    pub password: Option<Arc<SecretString>>,
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
    let shared = classify::shared_names(plan, &o.shared_tables)?;
    plan.findings.extend(shared_refs::findings(plan, &shared));
    let tables = classify::classify(plan, &users, &shared);
    let owners = owners::add_owner_columns(plan, &users, o, options.into_existing, &shared)?;
    let scoped_uniques = if options.into_existing {
        let warnings = uniques::unscoped_warnings(plan, &owners);
        plan.warnings.extend(warnings);
        vec![]
    } else if o.keep_global_uniques {
        vec![]
    } else {
        uniques::scope(plan, &owners)
    };
    // Other parts of Promote (policies, distribution) fill the rest of the same tenancy.
    let tenancy = plan.tenancy.get_or_insert_with(Default::default);
    tenancy.tables = tables;
    tenancy.scoped_uniques = scoped_uniques;
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
        shared,
        migration_time,
        admin_id: None,
        password: None,
    });
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
    state.admin_id = Some(id.clone());
    state.password = Some(Arc::new(secret));
    let owners = state.owners.clone();
    owners::set_owner(plan, &owners, &id)
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
    if !state.shared.is_empty() {
        let conn = match &*source {
            Source::Sqlite { conn, .. } => Some(conn),
            _ => None,
        };
        checks.push(tenancy_checks::shared_check(
            client,
            &schema,
            plan,
            &state.shared,
            &o.owner_column,
            &state.users.name,
            conn,
        )?);
    }
    let scoped = plan
        .tenancy
        .as_ref()
        .map(|t| t.scoped_uniques.as_slice())
        .unwrap_or_default();
    if !scoped.is_empty() {
        checks.push(tenancy_checks::scoped_check(
            client,
            &schema,
            scoped,
            &state.owners,
        )?);
    }
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
    report.tenancy = plan.tenancy.clone();
}
