//! `--target-profile supabase`: the users are Supabase's own `auth.users` (GoTrue's table),
//! so the admin signs in through Supabase Auth with the temporary password, and every owned
//! table's owner column is a `uuid NOT NULL REFERENCES auth.users(id)`. Row-level security is
//! always on with this profile (rls.rs): PostgREST lets any holder of the public anon key
//! query the tables, so without policies every user would read everyone's rows.
//!
//! The admin row carries what GoTrue needs to let them sign in (the columns it scans and the
//! checks it makes at `POST /token?grant_type=password`):
//! - `instance_id` 00000000-0000-0000-0000-000000000000 (GoTrue's single instance), `aud` and
//!   `role` `authenticated`;
//! - `encrypted_password`: bcrypt `$2a$`, cost 10 — what GoTrue itself writes
//!   (golang.org/x/crypto/bcrypt, `DefaultCost`); its `CompareHashAndPassword` reads any
//!   `$2?$` minor version, `$2a$` is simply its own;
//! - `email_confirmed_at` set (an unconfirmed email cannot sign in when confirmations are on);
//! - the token columns `''`, never NULL: GoTrue scans them into Go `string`s, and a NULL fails
//!   the scan ("converting NULL to string is unsupported") for every later sign-in;
//! - `raw_app_meta_data` `{"provider":"email","providers":["email"]}`, `raw_user_meta_data`
//!   `{}`;
//! - an `auth.identities` row (provider `email`), which GoTrue since 2022 expects for an
//!   email user; its key column is `provider_id` after 2023-11 (`id` before).

use crate::model::catalog::ColumnType;
use crate::model::error::Context;
use crate::model::options::OptionName;
use crate::model::report::Check;
use crate::model::secret::SecretString;
use crate::model::value::Value;
use crate::plan::Plan;
use crate::postgres::ddl::{qualified, quote_ident};
use crate::{Error, Result};

use super::users::UsersTable;

pub const AUTH_SCHEMA: &str = "auth";
/// GoTrue's single instance.
pub const INSTANCE_ID: &str = "00000000-0000-0000-0000-000000000000";
/// GoTrue's own bcrypt cost (`bcrypt.DefaultCost`).
pub const BCRYPT_COST: u32 = 10;

/// Supabase's `auth.users`, as the owner columns reference it.
pub fn users_table() -> UsersTable {
    UsersTable {
        name: "users".into(),
        schema: Some(AUTH_SCHEMA.into()),
        created: false,
        id_column: "id".into(),
        id_type: ColumnType::Uuid,
        email_column: "email".into(),
        username_column: None,
        password_column: "encrypted_password".into(),
        admin_flags: vec![],
    }
}

/// The target must be a Supabase database: `auth.users`, `auth.uid()` and the
/// `authenticated` role.
///
/// # Errors
/// `BadInput` in one sentence naming what is missing.
pub fn require_auth(client: &mut postgres::Client) -> Result<()> {
    let row = client
        .query_one(
            "SELECT to_regclass('auth.users') IS NOT NULL,
                    to_regprocedure('auth.uid()') IS NOT NULL,
                    EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated')",
            &[],
        )
        .context(|| "looking for Supabase's auth schema in the target".into())?;
    let (users, uid, role): (bool, bool, bool) = (row.get(0), row.get(1), row.get(2));
    let missing = match (users, uid, role) {
        (false, _, _) => "no table auth.users",
        (_, false, _) => "no function auth.uid()",
        (_, _, false) => "no role authenticated",
        _ => return Ok(()),
    };
    Err(Error::bad_option(
        OptionName::TargetProfile,
        format!(
            "{opt_target_profile} supabase: the target has {missing}, so it is not a Supabase database (Supabase Auth creates them); point {opt_to} at the Supabase project's database, or promote with {opt_target_profile} plain",
            opt_target_profile = OptionName::TargetProfile.mention(),
            opt_to = OptionName::To.mention(),
        ),
    ))
}

/// Takes the owner columns' foreign keys out of the plan: the planner would qualify
/// `auth.users` with the target schema. [`add_owner_keys`] creates them instead.
pub fn detach_owner_keys(plan: &mut Plan, owners: &[(String, String)], users: &UsersTable) {
    for (table, column) in owners {
        if let Some(t) = plan.tables.iter_mut().find(|t| &t.target_table == table) {
            t.target_def.foreign_keys.retain(|fk| {
                !(fk.ref_table == users.name && fk.columns.as_slice() == [column.clone()])
            });
        }
    }
}

/// `ALTER TABLE … ADD FOREIGN KEY (owner) REFERENCES auth.users(id)` per owned table.
pub fn owner_key_sqls(schema: &str, owners: &[(String, String)]) -> Vec<String> {
    owners
        .iter()
        .map(|(table, column)| {
            format!(
                "ALTER TABLE {} ADD FOREIGN KEY ({}) REFERENCES {}.users (id)",
                qualified(schema, table),
                quote_ident(column),
                quote_ident(AUTH_SCHEMA)
            )
        })
        .collect()
}

/// Creates the owner columns' foreign keys. Run before the copy, once the admin exists: the
/// tables are empty, and each copied row is then checked as it is loaded.
///
/// # Errors
/// Database errors.
pub fn add_owner_keys(
    client: &mut postgres::Client,
    schema: &str,
    owners: &[(String, String)],
) -> Result<()> {
    for sql in owner_key_sqls(schema, owners) {
        crate::model::pause::at("promote:supabase:foreign-key");
        client
            .batch_execute(&sql)
            .context(|| format!("adding a foreign key to auth.users: {sql}"))?;
    }
    Ok(())
}

/// GoTrue's form of a bcrypt hash.
///
/// # Errors
/// Hashing failures (never the password in the message).
pub fn hash(password: &SecretString) -> Result<String> {
    bcrypt::hash_with_result(password.expose(), BCRYPT_COST)
        .map(|h| h.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| Error::runtime(format!("bcrypt hashing failed: {e}")))
}

/// Inserts the admin into `auth.users` (and `auth.identities`) and returns its uuid.
///
/// # Errors
/// `BadInput` when the email is taken; database errors.
pub fn insert_admin(client: &mut postgres::Client, email: &str, hash: &str) -> Result<Value> {
    crate::model::pause::at("promote:supabase:admin");
    let taken: i64 = client
        .query_one(
            "SELECT count(*) FROM auth.users WHERE lower(email) = lower($1)",
            &[&email],
        )
        .context(|| format!("looking for {email} in auth.users"))?
        .get(0);
    if taken > 0 {
        return Err(Error::bad_option(
            OptionName::AdminEmail,
            format!(
                "auth.users already has a user with email {email}; Promote inserts a new admin — choose another {opt_admin_email}",
                opt_admin_email = OptionName::AdminEmail.mention(),
            ),
        ));
    }
    let columns = auth_columns(client, "users")?;
    // Token columns differ between GoTrue versions: every one this database has is ''.
    let tokens: Vec<&str> = [
        "confirmation_token",
        "recovery_token",
        "email_change_token_new",
        "email_change_token_current",
        "email_change",
        "phone_change",
        "phone_change_token",
        "reauthentication_token",
    ]
    .into_iter()
    .filter(|c| columns.iter().any(|have| have == c))
    .collect();
    let token_columns: String = tokens
        .iter()
        .map(|c| format!(", {}", quote_ident(c)))
        .collect();
    let token_values: String = tokens.iter().map(|_| ", ''").collect();
    let sql = format!(
        "INSERT INTO auth.users (instance_id, id, aud, role, email, encrypted_password, \
             email_confirmed_at, created_at, updated_at, raw_app_meta_data, raw_user_meta_data{token_columns}) \
         VALUES ('{INSTANCE_ID}', gen_random_uuid(), 'authenticated', 'authenticated', $1, $2, \
             now(), now(), now(), '{{\"provider\":\"email\",\"providers\":[\"email\"]}}', '{{}}'{token_values}) \
         RETURNING id::text"
    );
    let id: String = client
        .query_one(&sql, &[&email, &hash])
        .map_err(|e| {
            // Never the DETAIL: it would quote the row, hash included.
            let reason = e
                .as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string());
            Error::runtime(format!(
                "inserting the admin user into auth.users: {reason}"
            ))
        })?
        .get(0);
    insert_identity(client, &id, email)?;
    uuid::Uuid::parse_str(&id)
        .map(Value::Uuid)
        .map_err(|e| Error::runtime(format!("auth.users returned the id {id:?}: {e}")))
}

fn auth_columns(client: &mut postgres::Client, table: &str) -> Result<Vec<String>> {
    Ok(client
        .query(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = 'auth' AND table_name = $1",
            &[&table],
        )
        .context(|| format!("reading the columns of auth.{table}"))?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// The admin's `email` identity, when this GoTrue version has `auth.identities`.
fn insert_identity(client: &mut postgres::Client, id: &str, email: &str) -> Result<()> {
    let columns = auth_columns(client, "identities")?;
    if columns.is_empty() {
        return Ok(());
    }
    // Since 2023-11 the provider's id is `provider_id` and `id` a uuid of its own.
    let key = if columns.iter().any(|c| c == "provider_id") {
        "provider_id"
    } else {
        "id"
    };
    let data = serde_json::json!({
        "sub": id,
        "email": email,
        "email_verified": true,
        "phone_verified": false,
    })
    .to_string();
    client
        .execute(
            &format!(
                "INSERT INTO auth.identities ({key}, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
                 VALUES ($1::text, $1::text::uuid, $2::text::jsonb, 'email', now(), now(), now())"
            ),
            &[&id, &data],
        )
        .map(|_| ())
        .context(|| "inserting the admin's identity into auth.identities".into())
}

/// The admin's `encrypted_password` is GoTrue's bcrypt of this run's password, and the row
/// is one GoTrue signs in: confirmed, `authenticated`, no NULL token.
///
/// # Errors
/// Database errors.
pub fn admin_check(
    client: &mut postgres::Client,
    email: &str,
    secret: &SecretString,
) -> Result<Check> {
    let row = client
        .query_opt(
            "SELECT encrypted_password::text, aud::text, role::text,
                    email_confirmed_at IS NOT NULL,
                    confirmation_token IS NOT NULL AND recovery_token IS NOT NULL
             FROM auth.users WHERE lower(email) = lower($1)",
            &[&email],
        )
        .context(|| "reading the admin from auth.users".into())?;
    let Some(row) = row else {
        return Ok(Check {
            name: "admin password hash".into(),
            passed: false,
            detail: format!("auth.users has no user {email}"),
        });
    };
    let (hash, aud, role, confirmed, tokens): (
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
        bool,
    ) = (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    let verifies = hash.as_deref().is_some_and(|h| {
        h.starts_with("$2a$") && bcrypt::verify(secret.expose(), h).unwrap_or(false)
    });
    let signs_in = aud.as_deref() == Some("authenticated")
        && role.as_deref() == Some("authenticated")
        && confirmed
        && tokens;
    Ok(Check {
        name: "admin password hash".into(),
        passed: verifies && signs_in,
        detail: match (verifies, signs_in) {
            (true, true) => "auth.users.encrypted_password holds a bcrypt ($2a$) hash that verifies against the temporary password; the user is confirmed and authenticated".into(),
            (false, _) => "auth.users.encrypted_password does not hold a bcrypt hash of the temporary password".into(),
            (true, false) => "the admin in auth.users is not one GoTrue signs in (aud/role authenticated, email confirmed, token columns '')".into(),
        },
    })
}
