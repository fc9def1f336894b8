//! The run verifies its own row-level security, looking through an app's eyes: inside the
//! target transaction, in a savepoint rolled back afterwards (no role, grant or row of the
//! probe survives), as a role that does not own the tables —
//! - the session's user set to the admin: every owned table shows all its rows (the admin owns
//!   them all), every shared table all of its rows, the users table one row;
//! - set to another user: owned tables and the users table show nothing, shared tables all;
//! - an insert into an owned table of a row owned by someone else is refused (SQLSTATE 42501),
//!   in a nested savepoint.
//!
//! Plain profile: a throwaway `NOLOGIN` role with an app's grants, and `app.user_id`. Supabase:
//! the `authenticated` role and `request.jwt.claims` as PostgREST sets them
//! (`{"sub": "<uuid>", "role": "authenticated"}`), read by `auth.uid()`.
//!
//! When the migrating role cannot become such a role (no `CREATEROLE`; not a member of
//! `authenticated`), the check fails saying so: it never passes without having looked.

use crate::model::catalog::ColumnType;
use crate::model::error::Context;
use crate::model::options::TargetProfile;
use crate::model::report::Check;
use crate::plan::Plan;
use crate::postgres::ddl::{qualified, quote_ident, reset_sequence_sql};
use crate::Result;

use super::rls::{self, Owned, SUPABASE_ROLE};
use super::users::UsersTable;

pub const CHECK_NAME: &str = "row-level security";

/// What the probe looks at.
pub struct Probe<'a> {
    pub profile: TargetProfile,
    pub schema: &'a str,
    pub plan: &'a Plan,
    pub owned: &'a [Owned<'a>],
    pub shared: &'a [String],
    pub users: &'a UsersTable,
    /// The admin's id as PostgreSQL prints it.
    pub admin: &'a str,
}

/// Row counts seen by the probe role, per table, for one user.
struct Seen {
    owned: Vec<i64>,
    shared: Vec<i64>,
    users: Option<i64>,
}

/// Runs the probe; a failed look is a failed check with the reason.
///
/// # Errors
/// Database errors other than the refusal the probe expects.
pub fn check(client: &mut postgres::Client, p: &Probe) -> Result<Check> {
    crate::model::pause::at("promote:rls:probe");
    let who = match p.profile {
        TargetProfile::Plain => "a throwaway role that owns nothing",
        TargetProfile::Supabase => "Supabase's authenticated role",
    };
    if let Some(why) = cannot_probe(client, p.profile)? {
        return Ok(failed(format!("not run: {why}")));
    }
    let count = |client: &mut postgres::Client, t: &str| -> Result<i64> {
        client
            .query_one(
                &format!("SELECT count(*) FROM {}", qualified(p.schema, t)),
                &[],
            )
            .map(|r| r.get(0))
            .context(|| format!("counting {t} for the row-level-security probe"))
    };
    let mut all_owned = vec![];
    for o in p.owned {
        all_owned.push(count(client, o.table)?);
    }
    let mut all_shared = vec![];
    for t in p.shared {
        all_shared.push(count(client, t)?);
    }

    client
        .batch_execute("SAVEPOINT ferry_rls_probe")
        .context(|| "starting the row-level-security probe".into())?;
    let looked = look(client, p, &count);
    // Whatever happened: nothing of the probe stays (role, grants, settings, rows).
    client
        .batch_execute("ROLLBACK TO SAVEPOINT ferry_rls_probe; RELEASE SAVEPOINT ferry_rls_probe")
        .context(|| "ending the row-level-security probe".into())?;
    let (as_admin, as_other, insert) = looked?;
    reset_probed_sequences(client, p)?;

    let mut problems = vec![];
    let name = |i: usize| p.owned[i].table;
    for (i, (&seen, &all)) in as_admin.owned.iter().zip(&all_owned).enumerate() {
        if seen != all {
            problems.push(format!(
                "as the admin, {} shows {seen} of {all} rows",
                name(i)
            ));
        }
    }
    for (i, &seen) in as_other.owned.iter().enumerate() {
        if seen != 0 {
            problems.push(format!("as another user, {} shows {seen} rows", name(i)));
        }
    }
    for (seen, who_) in [
        (&as_admin.shared, "the admin"),
        (&as_other.shared, "another user"),
    ] {
        for (i, (&n, &all)) in seen.iter().zip(&all_shared).enumerate() {
            if n != all {
                problems.push(format!(
                    "as {who_}, shared {} shows {n} of {all} rows",
                    p.shared[i]
                ));
            }
        }
    }
    if let (Some(a), Some(o)) = (as_admin.users, as_other.users) {
        if (a, o) != (1, 0) {
            problems.push(format!(
                "{} shows {a} row(s) to the admin and {o} to another user (expected 1 and 0)",
                p.users.name
            ));
        }
    }
    if let Some(Err(why)) = &insert {
        problems.push(why.clone());
    }
    if !problems.is_empty() {
        return Ok(failed(problems.join("; ")));
    }
    let rows: i64 = all_owned.iter().sum();
    Ok(Check {
        name: CHECK_NAME.into(),
        passed: true,
        detail: format!(
            "as {who}: the admin's session sees all {rows} row(s) of {} owned table(s), another user's none{}{}",
            p.owned.len(),
            if p.shared.is_empty() {
                String::new()
            } else {
                format!(", both all rows of {} shared table(s)", p.shared.len())
            },
            match insert {
                Some(_) => format!(
                    "; inserting a row owned by someone else into {} was refused (42501)",
                    p.owned[0].table
                ),
                None => String::new(),
            }
        ),
    })
}

fn failed(detail: String) -> Check {
    Check {
        name: CHECK_NAME.into(),
        passed: false,
        detail,
    }
}

/// Why this session cannot look as an app would, if it cannot.
fn cannot_probe(client: &mut postgres::Client, profile: TargetProfile) -> Result<Option<String>> {
    let row = client
        .query_one(
            "SELECT current_user::text, rolsuper OR rolcreaterole, \
                    EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) \
                      AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = $1), 'MEMBER') \
             FROM pg_roles WHERE rolname = current_user",
            &[&SUPABASE_ROLE],
        )
        .context(|| "reading the migrating role's attributes".into())?;
    let (me, create_role, in_authenticated): (String, bool, Option<bool>) =
        (row.get(0), row.get(1), row.get(2));
    Ok(match profile {
        TargetProfile::Plain if !create_role => Some(format!(
            "the migrating role {me} may not create roles (CREATEROLE), and the probe needs a throwaway role that owns nothing to see what an app's role sees; grant it CREATEROLE, or promote without --row-level-security and write the policies yourself"
        )),
        TargetProfile::Supabase if in_authenticated != Some(true) => Some(format!(
            "the migrating role {me} is not a member of the role {SUPABASE_ROLE}, so the probe cannot look as a signed-in user would; on Supabase, connect as postgres"
        )),
        _ => None,
    })
}

type Looked = (Seen, Seen, Option<std::result::Result<(), String>>);

/// Inside the probe's savepoint: become the app, look as the admin and as another user, try
/// the foreign insert.
fn look(
    client: &mut postgres::Client,
    p: &Probe,
    count: &dyn Fn(&mut postgres::Client, &str) -> Result<i64>,
) -> Result<Looked> {
    let role = match p.profile {
        TargetProfile::Supabase => SUPABASE_ROLE.to_string(),
        TargetProfile::Plain => {
            let role = format!("ferry_rls_probe_{}", uuid_hex(client)?);
            let mut tables: Vec<String> = p.shared.to_vec();
            if p.users.schema.is_none() {
                tables.push(p.users.name.clone());
            }
            let mut sql = vec![
                format!("CREATE ROLE {} NOLOGIN", quote_ident(&role)),
                // PostgreSQL 16 gives a CREATEROLE creator ADMIN on the new role but not
                // membership: SET ROLE needs the grant.
                format!("GRANT {} TO CURRENT_USER", quote_ident(&role)),
            ];
            sql.extend(rls::grants(p.schema, p.owned, &tables, &role));
            client
                .batch_execute(&sql.join(";\n"))
                .context(|| "creating the row-level-security probe's role".into())?;
            role
        }
    };
    client
        .batch_execute(&format!("SET LOCAL ROLE {}", quote_ident(&role)))
        .context(|| format!("becoming {role} for the row-level-security probe"))?;
    let other = other_id(p.admin, &p.users.id_type);
    let mut seen = vec![];
    for user in [p.admin, other.as_str()] {
        be_user(client, p.profile, user)?;
        let mut owned = vec![];
        for o in p.owned {
            owned.push(count(client, o.table)?);
        }
        let mut shared = vec![];
        for t in p.shared {
            shared.push(count(client, t)?);
        }
        let users = match p.users.schema {
            Some(_) => None,
            None => Some(count(client, &p.users.name)?),
        };
        seen.push(Seen {
            owned,
            shared,
            users,
        });
    }
    // Still the other user: a row owned by the admin is not theirs to insert.
    let insert = match p.owned.first() {
        Some(o) => Some(foreign_insert(client, p.schema, o, p.admin)?),
        None => None,
    };
    let as_other = seen.pop().expect("two looks");
    let as_admin = seen.pop().expect("two looks");
    Ok((as_admin, as_other, insert))
}

fn uuid_hex(client: &mut postgres::Client) -> Result<String> {
    client
        .query_one("SELECT replace(gen_random_uuid()::text, '-', '')", &[])
        .map(|r| r.get(0))
        .context(|| "naming the probe's role".into())
}

/// The session's user, as the app (plain) or PostgREST (Supabase) sets it: for this
/// transaction only.
fn be_user(client: &mut postgres::Client, profile: TargetProfile, id: &str) -> Result<()> {
    let (setting, value) = match profile {
        TargetProfile::Plain => ("app.user_id", id.to_string()),
        TargetProfile::Supabase => (
            "request.jwt.claims",
            serde_json::json!({ "sub": id, "role": SUPABASE_ROLE }).to_string(),
        ),
    };
    client
        .query_one("SELECT set_config($1, $2, true)", &[&setting, &value])
        .map(|_| ())
        .context(|| format!("setting {setting} for the row-level-security probe"))
}

/// An id that is not the admin's (no such user needs to exist: the point is that it is not
/// the owner of any row).
fn other_id(admin: &str, ty: &ColumnType) -> String {
    match ty {
        ColumnType::Int { .. } => match admin.parse::<i64>() {
            Ok(0) => "1".into(),
            _ => "0".into(),
        },
        ColumnType::Uuid if admin == "00000000-0000-0000-0000-000000000000" => {
            "00000000-0000-0000-0000-000000000001".into()
        }
        ColumnType::Uuid => "00000000-0000-0000-0000-000000000000".into(),
        _ => format!("{admin}-someone-else"),
    }
}

/// `Ok(())` when the insert was refused by row-level security; `Err(what happened)` else.
fn foreign_insert(
    client: &mut postgres::Client,
    schema: &str,
    o: &Owned,
    owner: &str,
) -> Result<std::result::Result<(), String>> {
    client
        .batch_execute("SAVEPOINT ferry_rls_insert")
        .context(|| "starting the probe's insert".into())?;
    // RLS's WITH CHECK runs before NOT NULL and the foreign keys: the other columns' values
    // do not matter.
    let result = client.execute(
        &format!(
            "INSERT INTO {} ({}) VALUES ($1::text::{})",
            qualified(schema, o.table),
            quote_ident(o.column),
            o.ty.pg_name()
        ),
        &[&owner],
    );
    client
        .batch_execute("ROLLBACK TO SAVEPOINT ferry_rls_insert")
        .context(|| "ending the probe's insert".into())?;
    Ok(match result {
        Err(e) if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) => Ok(()),
        Err(e) => Err(format!(
            "inserting a row owned by someone else into {} failed otherwise than refused by row-level security: {}",
            o.table,
            e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())
        )),
        Ok(_) => Err(format!(
            "a row owned by someone else could be inserted into {}",
            o.table
        )),
    })
}

/// The refused insert drew a value from the table's identity sequence (sequences are not
/// transactional): set them after the copied ids again, as the sequences phase did.
fn reset_probed_sequences(client: &mut postgres::Client, p: &Probe) -> Result<()> {
    let Some(o) = p.owned.first() else {
        return Ok(());
    };
    let Some(t) = p.plan.tables.iter().find(|t| t.target_table == o.table) else {
        return Ok(());
    };
    for c in t.target_def.columns.iter().filter(|c| c.auto_increment) {
        client
            .batch_execute(&reset_sequence_sql(p.schema, o.table, &c.name))
            .context(|| format!("setting the sequence of {}.{} again", o.table, c.name))?;
    }
    Ok(())
}
