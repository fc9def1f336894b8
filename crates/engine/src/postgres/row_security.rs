//! Row-level security: which tables would show (or accept) only some rows to the role Ferry
//! is connected as. A source read under a policy copies the rows the policy shows and would
//! verify them against the same filtered view, so "verification: passed" would mean nothing;
//! a target written under one refuses or hides rows. Both are found up front, from the
//! catalog, before anything is copied.
//!
//! PostgreSQL's rule (`check_enable_rls`): policies apply to a table with row security
//! enabled unless the role is a superuser, has `BYPASSRLS`, or has the privileges of the
//! table's owner and the table does not `FORCE ROW LEVEL SECURITY`. Source sessions also run
//! with `row_security = off` (as pg_dump does), so a read that slips past this check is
//! refused by the server instead of filtered.

use crate::model::error::Context;
use crate::Result;

/// The statement every source snapshot runs right after `BEGIN`: refuse, never filter.
pub const SOURCE_ROW_SECURITY_OFF: &str = "SET LOCAL row_security = off";

/// Tables of one schema whose policies apply to the connected role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filtered {
    /// The role Ferry is connected as.
    pub role: String,
    /// `(table, forced)`: `forced` when the role owns it but `FORCE ROW LEVEL SECURITY`
    /// applies the policies to the owner too.
    pub tables: Vec<(String, bool)>,
}

/// Which of `tables` (in `schema`) have row security that applies to the current role.
///
/// # Errors
/// Database errors reading the catalog.
pub fn filtered_tables(
    client: &mut postgres::Client,
    schema: &str,
    tables: &[String],
) -> Result<Filtered> {
    let ctx = || format!("reading the row-level security of the tables in {schema}");
    let role: String = client
        .query_one("SELECT current_user::text", &[])
        .context(ctx)?
        .get(0);
    let rows = client
        .query(
            "SELECT c.relname::text, pg_has_role(c.relowner, 'USAGE')
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relname = ANY($2) AND c.relkind IN ('r', 'p')
               AND c.relrowsecurity
               AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = current_user
                               AND (r.rolsuper OR r.rolbypassrls))
               AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE'))
             ORDER BY 1",
            &[&schema, &tables],
        )
        .context(ctx)?;
    Ok(Filtered {
        role,
        tables: rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
    })
}

impl Filtered {
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// `a, b and c`, each quoted.
    pub fn names(&self) -> String {
        let names: Vec<String> = self
            .tables
            .iter()
            .map(|(t, _)| format!("\"{t}\""))
            .collect();
        match names.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    /// Why the policies apply to this role, in words (the role is named by the caller).
    pub fn why(&self) -> &'static str {
        let forced = self.tables.iter().any(|(_, f)| *f);
        let others = self.tables.iter().any(|(_, f)| !*f);
        match (forced, others) {
            (true, false) => "it owns the table, but FORCE ROW LEVEL SECURITY applies the policies to the owner too",
            (false, _) => "it is not the owner, not a superuser and has no BYPASSRLS",
            (true, true) => "it does not own some of them, FORCE ROW LEVEL SECURITY applies the policies to the owner of the others, and it has no BYPASSRLS",
        }
    }
}
