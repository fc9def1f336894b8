//! Replacing a target table's rows (a framework's seeded table, or `--replace`): inside the
//! run's one transaction, after the schema phase and before the copy, every replaced table is
//! emptied, children before parents (the reverse of the load order), so a foreign key between
//! two replaced tables never sees a missing parent even when it is not deferrable. The plan has
//! already refused a replace that would leave other target rows pointing at replaced ones
//! (`plan::build`), so a plain `DELETE` is enough: no `TRUNCATE … CASCADE` reaching tables
//! the user did not name. A rollback (failure, dry run, cancel) brings the rows back; a SQLite
//! target works on its temporary copy, after the existing file was backed up.

use crate::plan::Plan;
use crate::support::sql::quote_ident;
use crate::target::Target;
use crate::Result;

/// Deletes the target rows of every table the plan replaces.
///
/// # Errors
/// Database errors, with the table named.
pub fn empty_replaced_tables(target: &mut Target, plan: &Plan) -> Result<()> {
    for t in plan.tables.iter().rev().filter(|t| t.replace) {
        let name = match target.pg_schema() {
            Some(schema) => format!("{}.{}", quote_ident(schema), quote_ident(&t.target_table)),
            None => quote_ident(&t.target_table),
        };
        target.execute(
            &format!("DELETE FROM {name}"),
            &format!("replacing the rows of {}", t.target_table),
        )?;
    }
    Ok(())
}
