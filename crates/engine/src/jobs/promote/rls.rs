//! `--row-level-security` (always on with `--target-profile supabase`): PostgreSQL itself keeps
//! each user to their own rows, so a forgotten `WHERE user_id = …` in the app leaks nothing.
//!
//! - owned tables: `ENABLE ROW LEVEL SECURITY` and one policy `ferry_owner_rw` for every
//!   command, USING and WITH CHECK `owner = <the session's user>`: a session sees, changes and
//!   inserts only its user's rows;
//! - shared tables: RLS enabled, one policy `ferry_shared_read` letting every session read;
//!   no write policy, so only the tables' owner (the migration role) writes them;
//! - the users table Promote writes (plain profile): `ferry_self_read`, a session sees its own
//!   row and nothing else — read only, so no session can flag itself admin.
//!
//! The session's user: plain profile, the documented setting `app.user_id`
//! (`SET app.user_id = '42'`, or `set_config('app.user_id', '42', true)` per transaction);
//! unset or empty means no user and no rows (`NULLIF(…, '')`: a setting once set and then
//! reset reads as `''`, which would not cast). Supabase: `auth.uid()`, the `sub` of the
//! request's JWT, with the policies `TO authenticated`. Shared tables are readable by
//! `authenticated` only, not `anon`: the anon key ships inside every copy of the app, so a
//! policy for `anon` would publish the reference data to anyone who asks PostgREST; an app
//! that wants that grants it itself, knowingly.
//!
//! Not `FORCE ROW LEVEL SECURITY`, on purpose: a table's owner is then exempt, which is what
//! lets this run copy and verify every row and lets the migration role keep administering the
//! data later. The price is a rule for the app: **it must connect as a role that does not own
//! the tables** (and is not a superuser, nor `BYPASSRLS`), or the policies do not apply to it.

use crate::model::catalog::ColumnType;
use crate::model::options::TargetProfile;
use crate::model::tenancy::PolicyPlan;
use crate::plan::Plan;
use crate::postgres::ddl::{qualified, quote_ident};

use super::users::UsersTable;

/// Policy names, the same in every database Promote writes.
pub const OWNER_POLICY: &str = "ferry_owner_rw";
pub const SHARED_POLICY: &str = "ferry_shared_read";
pub const SELF_POLICY: &str = "ferry_self_read";
/// The role Supabase's PostgREST switches to for a signed-in user.
pub const SUPABASE_ROLE: &str = "authenticated";

/// A table RLS is enabled on, and the statements that do it.
#[derive(Debug, Clone)]
pub struct Setup {
    /// `ALTER TABLE … ENABLE ROW LEVEL SECURITY`, one per table.
    pub enable: Vec<String>,
    /// The policies, as `plan.tenancy.policies` shows them.
    pub policies: Vec<PolicyPlan>,
    /// Supabase only: what `authenticated` needs to reach the tables at all (PostgREST
    /// queries as that role; Supabase's default privileges grant it on `public`, but not on
    /// another schema or for another creating role).
    pub grants: Vec<String>,
}

/// One owned table: its name, owner column and that column's type.
pub struct Owned<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub ty: ColumnType,
}

/// The owned tables of the plan (`owners`), with the owner column's type.
pub fn owned<'a>(
    plan: &Plan,
    owners: &'a [(String, String)],
    users: &UsersTable,
) -> Vec<Owned<'a>> {
    owners
        .iter()
        .map(|(table, column)| Owned {
            table,
            column,
            ty: plan
                .tables
                .iter()
                .find(|t| &t.target_table == table)
                .and_then(|t| t.target_def.column(column))
                .map_or_else(|| users.id_type.clone(), |c| c.ty.clone()),
        })
        .collect()
}

/// The shared tables: planned, not owned, not the users table (helper A's classification
/// keeps that meaning for `owners`).
pub fn shared(plan: &Plan, owners: &[(String, String)], users: &UsersTable) -> Vec<String> {
    plan.tables
        .iter()
        .map(|t| t.target_table.clone())
        .filter(|t| !owners.iter().any(|(o, _)| o == t))
        .filter(|t| users.schema.is_some() || *t != users.name)
        .collect()
}

/// The current user, as the policies compare it with an owner column of type `ty`.
fn current_user(profile: TargetProfile, ty: &ColumnType) -> String {
    match profile {
        // In a sub-select, so PostgreSQL evaluates it once per statement, not once per row
        // (Supabase's own advice for RLS performance).
        TargetProfile::Supabase => "(SELECT auth.uid())".into(),
        TargetProfile::Plain => format!(
            "NULLIF(current_setting('app.user_id', true), '')::{}",
            ty.pg_name()
        ),
    }
}

/// Everything `--row-level-security` runs, in order.
pub fn setup(
    profile: TargetProfile,
    schema: &str,
    owned: &[Owned],
    shared: &[String],
    users: &UsersTable,
) -> Setup {
    let to = match profile {
        TargetProfile::Supabase => format!(" TO {SUPABASE_ROLE}"),
        TargetProfile::Plain => String::new(),
    };
    let mut s = Setup {
        enable: vec![],
        policies: vec![],
        grants: vec![],
    };
    let enable = |table: &str| {
        format!(
            "ALTER TABLE {} ENABLE ROW LEVEL SECURITY",
            qualified(schema, table)
        )
    };
    for o in owned {
        let check = format!(
            "{} = {}",
            quote_ident(o.column),
            current_user(profile, &o.ty)
        );
        s.enable.push(enable(o.table));
        s.policies.push(PolicyPlan {
            table: o.table.to_string(),
            name: OWNER_POLICY.into(),
            sql: format!(
                "CREATE POLICY {OWNER_POLICY} ON {} FOR ALL{to} USING ({check}) WITH CHECK ({check})",
                qualified(schema, o.table)
            ),
        });
    }
    for t in shared {
        s.enable.push(enable(t));
        s.policies.push(PolicyPlan {
            table: t.clone(),
            name: SHARED_POLICY.into(),
            sql: format!(
                "CREATE POLICY {SHARED_POLICY} ON {} FOR SELECT{to} USING (true)",
                qualified(schema, t)
            ),
        });
    }
    // Supabase's auth.users belongs to GoTrue: its access rules are Supabase's, not ours.
    if users.schema.is_none() {
        s.enable.push(enable(&users.name));
        s.policies.push(PolicyPlan {
            table: users.name.clone(),
            name: SELF_POLICY.into(),
            sql: format!(
                "CREATE POLICY {SELF_POLICY} ON {} FOR SELECT{to} USING ({} = {})",
                qualified(schema, &users.name),
                quote_ident(&users.id_column),
                current_user(profile, &users.id_type)
            ),
        });
    }
    if profile == TargetProfile::Supabase {
        s.grants = grants(schema, owned, shared, SUPABASE_ROLE);
    }
    s
}

/// What an app role needs to use the tables: the schema, read and write on owned tables, read
/// on shared ones (and on the users table Promote wrote, where one is in the schema).
pub fn grants(schema: &str, owned: &[Owned], shared: &[String], role: &str) -> Vec<String> {
    let role = quote_ident(role);
    let mut out = vec![format!(
        "GRANT USAGE ON SCHEMA {} TO {role}",
        quote_ident(schema)
    )];
    out.extend(owned.iter().map(|o| {
        format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {role}",
            qualified(schema, o.table)
        )
    }));
    out.extend(
        shared
            .iter()
            .map(|t| format!("GRANT SELECT ON {} TO {role}", qualified(schema, t))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> UsersTable {
        UsersTable {
            name: "users".into(),
            schema: None,
            created: true,
            id_column: "id".into(),
            id_type: ColumnType::Int { bits: 64 },
            email_column: "email".into(),
            username_column: None,
            password_column: "password_hash".into(),
            admin_flags: vec![],
        }
    }

    #[test]
    fn plain_policies_key_on_app_user_id_cast_to_the_owner_type() {
        let owned = [Owned {
            table: "tasks",
            column: "user_id",
            ty: ColumnType::Int { bits: 64 },
        }];
        let s = setup(
            TargetProfile::Plain,
            "public",
            &owned,
            &["categories".into()],
            &users(),
        );
        assert_eq!(
            s.policies[0].sql,
            "CREATE POLICY ferry_owner_rw ON \"public\".\"tasks\" FOR ALL USING (\"user_id\" = NULLIF(current_setting('app.user_id', true), '')::bigint) WITH CHECK (\"user_id\" = NULLIF(current_setting('app.user_id', true), '')::bigint)"
        );
        assert_eq!(
            s.policies[1].sql,
            "CREATE POLICY ferry_shared_read ON \"public\".\"categories\" FOR SELECT USING (true)"
        );
        assert_eq!(s.policies[2].name, "ferry_self_read");
        assert_eq!(s.enable.len(), 3);
        assert!(s.grants.is_empty(), "the plain profile names no app role");
    }

    #[test]
    fn supabase_policies_are_for_authenticated_through_auth_uid() {
        let mut u = users();
        u.schema = Some("auth".into());
        u.id_type = ColumnType::Uuid;
        let owned = [Owned {
            table: "tasks",
            column: "user_id",
            ty: ColumnType::Uuid,
        }];
        let s = setup(TargetProfile::Supabase, "public", &owned, &[], &u);
        assert_eq!(s.policies.len(), 1, "auth.users is left to Supabase");
        assert!(
            s.policies[0].sql.contains(
                "FOR ALL TO authenticated USING (\"user_id\" = (SELECT auth.uid())) WITH CHECK"
            ),
            "{}",
            s.policies[0].sql
        );
        assert!(s.grants.iter().any(|g| {
            g == "GRANT SELECT, INSERT, UPDATE, DELETE ON \"public\".\"tasks\" TO \"authenticated\""
        }));
    }
}
