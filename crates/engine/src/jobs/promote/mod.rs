//! Promote: a single-user SQLite app's database → the multi-user PostgreSQL edition
//! (DESIGN.md, job 2).
//!
//! A transform on the plan, not a copy of the copier:
//! - [`transform_plan`]: find (or plan) the users table, classify the tables (owned, or
//!   `--shared` reference data; [`classify`], with a blocking finding for a shared table that
//!   refers to an owned one, [`shared_refs`]), give every owned table its owner column with a
//!   placeholder fill, scope its uniques by owner ([`uniques`]), and, with
//!   `--fill-updated-at`, a "NULL becomes the migration time" rule on `updated_at`-style
//!   columns ([`UPDATED_AT_NAMES`]); the shape goes into `plan.tenancy`;
//! - [`prepare_target`], inside the target transaction: create the users table, insert the
//!   admin with a freshly generated password (stored only as a hash), and put the admin's id
//!   into the owner columns' fills;
//! - [`invariants`]: no NULL owner, shared tables without owner, uniques scoped by owner
//!   ([`tenancy_checks`]), exactly one admin, the stored hash verifies against this
//!   run's password, and every timestamp equals the instant PostgreSQL itself computes from the
//!   source text and zone ([`timestamps`]).
//!
//! The plain password lives only in a [`SecretString`] held by the plan's job state and,
//! after a committed run, by `Report::temporary_password` (never serialized); the front end
//! shows it once.

mod classify;
pub mod distribute;
mod owners;
pub mod password;
pub mod rls;
pub mod rls_probe;
mod shared_refs;
pub mod supabase;
mod tenancy_checks;
mod timestamps;
mod uniques;
pub mod users;

use std::sync::Arc;

use crate::model::options::{OptionName, Options, PromoteOptions, TargetProfile};
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
        return Err(Error::bad_option(
            OptionName::To,
            format!(
                "{opt_promote} makes a multi-user PostgreSQL database: {opt_to} must be a PostgreSQL location",
                opt_promote = OptionName::Promote.mention(),
                opt_to = OptionName::To.mention(),
            ),
        ));
    }
    check_email(&o.admin_email)?;
    let supabase = o.profile == TargetProfile::Supabase;
    if supabase && options.into_existing {
        return Err(Error::bad_option(
            OptionName::TargetProfile,
            format!(
                "{opt_target_profile} supabase creates the app's tables beside Supabase's auth schema; {opt_into_existing} is not supported with it",
                opt_target_profile = OptionName::TargetProfile.mention(),
                opt_into_existing = OptionName::IntoExisting.mention(),
            ),
        ));
    }
    if o.distribute && o.profile == TargetProfile::Supabase {
        // Supabase's users live in its own auth schema, which Citus would have to make a
        // reference table; a Supabase project does not offer the citus extension anyway.
        return Err(Error::bad_option(
            OptionName::Distribute,
            format!(
                "{opt_distribute} plans a Citus cluster, and a Supabase project does not run Citus: leave out {opt_distribute} or {opt_target_profile} supabase",
                opt_distribute = OptionName::Distribute.mention(),
                opt_target_profile = OptionName::TargetProfile.mention(),
            ),
        ));
    }
    let existing = {
        let mut target = Target::open(&options.target, &options.pg_schema)?;
        let catalog = target.introspect_existing()?;
        if supabase {
            if let Some((client, _)) = target.pg_client() {
                supabase::require_auth(client)?;
            }
        }
        target.rollback();
        catalog
    };
    let users = match (&existing, options.into_existing) {
        _ if supabase => supabase::users_table(),
        (Some(catalog), true) => users::detect(catalog, &o.users)?,
        _ => users::planned(&o.users, existing.as_ref(), &options.pg_schema)?,
    };
    let same_schema = users.schema.is_none();
    if let Some(t) = plan
        .tables
        .iter()
        .find(|t| same_schema && t.target_table == users.name)
    {
        return Err(Error::bad_option(
            OptionName::UsersTable,
            format!(
                "{opt_promote}: the source has a table '{}', the name of the users table Promote writes; exclude it ({opt_exclude} {}) or choose another with {opt_users_table}",
                t.source_table,
                t.source_table,
                opt_promote = OptionName::Promote.mention(),
                opt_exclude = OptionName::Exclude.mention(),
                opt_users_table = OptionName::UsersTable.mention(),
            ),
        ));
    }
    let shared = classify::shared_names(plan, &o.shared_tables)?;
    plan.findings.extend(shared_refs::findings(plan, &shared));
    let tables = classify::classify(plan, &users, &shared);
    let owners = owners::add_owner_columns(plan, &users, o, options.into_existing, &shared)?;
    if supabase {
        supabase::detach_owner_keys(plan, &owners, &users);
        plan.writes.effects.push(format!(
            "give {} table(s) the owner column {} uuid NOT NULL REFERENCES auth.users (id)",
            owners.len(),
            o.owner_column
        ));
    }
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
        if supabase {
            "bcrypt (GoTrue's)"
        } else {
            o.password_hash.name()
        }
    );
    let users_effect = if users.created {
        format!("create table {} and {admin}", users.name)
    } else {
        format!("{admin} into the existing table {}", users.display_name())
    };
    plan.writes.effects.insert(0, users_effect);
    if row_level_security(o) {
        plan_row_level_security(o, options, plan, &owners, &users);
    }
    plan.job_state = JobState::new(PromoteState {
        users,
        owners,
        shared,
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

/// Row-level security is asked for, or comes with the profile.
fn row_level_security(o: &PromoteOptions) -> bool {
    o.row_level_security || o.profile == TargetProfile::Supabase
}

/// The row-level-security setup of this plan (recomputed from the same inputs when it is run,
/// so what `ferry plan` shows is what runs).
fn rls_setup(
    o: &PromoteOptions,
    schema: &str,
    plan: &Plan,
    owners: &[(String, String)],
    users: &users::UsersTable,
) -> rls::Setup {
    let owned = rls::owned(plan, owners, users);
    let shared = rls::shared(plan, owners, users);
    rls::setup(o.profile, schema, &owned, &shared, users)
}

fn plan_row_level_security(
    o: &PromoteOptions,
    options: &Options,
    plan: &mut Plan,
    owners: &[(String, String)],
    users: &users::UsersTable,
) {
    let setup = rls_setup(o, &options.pg_schema, plan, owners, users);
    let who = match o.profile {
        TargetProfile::Plain => "the session setting app.user_id",
        TargetProfile::Supabase => "auth.uid() of the role authenticated",
    };
    plan.writes.effects.push(format!(
        "enable row-level security on {} table(s) with {} polic(ies): a session sees and writes only the rows of its user ({who}); the app must connect as a role that does not own the tables",
        setup.enable.len(),
        setup.policies.len()
    ));
    if !setup.grants.is_empty() {
        plan.writes.effects.push(format!(
            "grant the role {} use of schema {}, SELECT, INSERT, UPDATE and DELETE on owned tables, SELECT on shared ones",
            rls::SUPABASE_ROLE,
            options.pg_schema
        ));
    }
    plan.tenancy
        .get_or_insert_with(Default::default)
        .policies
        .extend(setup.policies);
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
        Err(Error::bad_option(
            OptionName::AdminEmail,
            format!(
                "{opt_admin_email} '{email}' is not an email address (name@example.com)",
                opt_admin_email = OptionName::AdminEmail.mention()
            ),
        ))
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
    let supabase = o.profile == TargetProfile::Supabase;
    let id = if supabase {
        supabase::insert_admin(client, &o.admin_email, &supabase::hash(&secret)?)?
    } else {
        let stored = password::hash(&secret, o.password_hash)?;
        let admin = users::NewAdmin {
            email: &o.admin_email,
            username: o.username(),
            password_hash: &stored,
        };
        users::insert_admin(client, &schema, &state.users, &admin)?
    };
    if o.distribute {
        state.citus = distribute::has_citus(client)?;
    }
    state.admin_id = Some(id.clone());
    state.password = Some(Arc::new(secret));
    let owners = state.owners.clone();
    let users = state.users.clone();
    owners::set_owner(plan, &owners, &id)?;
    if supabase {
        supabase::add_owner_keys(client, &schema, &owners)?;
    }
    // Here, before the copy, in the same transaction: the run's role owns the tables it just
    // created, and row-level security does not apply to a table's owner (no FORCE, rls.rs),
    // so the copy and the verification still see every row; a rolled-back run leaves no
    // policy behind.
    if row_level_security(o) {
        let setup = rls_setup(o, &schema, plan, &owners, &users);
        apply_rls(client, &setup)?;
    }
    Ok(())
}

fn apply_rls(client: &mut postgres::Client, setup: &rls::Setup) -> Result<()> {
    use crate::model::error::Context;
    for sql in &setup.enable {
        crate::model::pause::at("promote:rls:enable");
        client
            .batch_execute(sql)
            .context(|| format!("enabling row-level security: {sql}"))?;
    }
    for p in &setup.policies {
        crate::model::pause::at("promote:rls:policy");
        client
            .batch_execute(&p.sql)
            .context(|| format!("creating the policy {} on {}", p.name, p.table))?;
    }
    for sql in &setup.grants {
        client
            .batch_execute(sql)
            .context(|| format!("granting the app's role access: {sql}"))?;
    }
    Ok(())
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
        state.users.schema_or(&schema),
        &state.users,
        &o.admin_email,
    )?);
    let secret = state
        .password
        .as_ref()
        .ok_or_else(|| Error::runtime("internal: no password was generated"))?;
    checks.push(if o.profile == TargetProfile::Supabase {
        supabase::admin_check(client, &o.admin_email, secret)?
    } else {
        users::password_check(
            client,
            &schema,
            &state.users,
            &o.admin_email,
            secret,
            o.password_hash,
        )?
    });
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
    if row_level_security(o) {
        let owned = rls::owned(plan, &state.owners, &state.users);
        let shared = rls::shared(plan, &state.owners, &state.users);
        checks.push(rls_probe::check(
            client,
            &rls_probe::Probe {
                profile: o.profile,
                schema: &schema,
                plan,
                owned: &owned,
                shared: &shared,
                users: &state.users,
                admin: &id_text,
            },
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
        users_table: state.users.display_name(),
        user_id: state.admin_id.as_ref().map(value_text),
        email: o.admin_email.clone(),
        username: state
            .users
            .username_column
            .as_ref()
            .map(|_| o.username().to_string()),
        password_hash: match o.profile {
            TargetProfile::Supabase => "bcrypt".into(),
            TargetProfile::Plain => o.password_hash.name().into(),
        },
        created: committed,
    });
    if report.tenancy.is_none() {
        report.tenancy = plan.tenancy.clone();
    }
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
