//! Types the target does not have. A column Ferry creates "declared as itself" (a PostgreSQL
//! type it moves as text: `interval`, `tsvector`, a `/* pg:… */` hint naming a domain, an
//! enum or an extension's type) only works where that type exists; otherwise `CREATE TABLE`
//! would fail after the preflight, with nothing to choose. Found here, before anything is
//! written, as a finding that names the column and the choices.

use crate::model::catalog::ColumnType;
use crate::model::finding::{Finding, Policy, ProblemKind, Remedy, Severity};
use crate::plan::Plan;
use crate::target::Target;
use crate::Result;

/// The type name a created column needs to exist in the target, if any.
fn needed(ty: &ColumnType) -> Option<&str> {
    match ty {
        ColumnType::Opaque { name } => Some(name.trim_end_matches("[]")),
        ColumnType::Array { element } => needed(element),
        _ => None,
    }
}

/// One blocking finding per created column whose type the target lacks.
///
/// # Errors
/// Database errors while looking the types up.
pub(crate) fn missing_types(target: &mut Target, plan: &Plan) -> Result<Vec<Finding>> {
    let mut out = vec![];
    for t in plan.tables.iter().filter(|t| t.create) {
        for c in &t.target_def.columns {
            let Some(name) = needed(&c.ty) else {
                continue;
            };
            if target.has_type(name)? {
                continue;
            }
            out.push(Finding {
                severity: Severity::Blocking,
                kind: ProblemKind::UnknownType,
                table: t.source_table.clone(),
                column: Some(c.name.clone()),
                count: t.rows.unwrap_or(0),
                samples: vec![],
                message: format!("declared as {name}, a type the target database does not have"),
                remedies: vec![
                    Remedy::Policy {
                        table: t.source_table.clone(),
                        column: c.name.clone(),
                        policy: Policy::AsText,
                    },
                    Remedy::TypeOverride {
                        table: t.source_table.clone(),
                        column: c.name.clone(),
                        type_name: None,
                    },
                    Remedy::CreateType {
                        name: name.to_string(),
                    },
                ],
                resolved_by: None,
            });
        }
    }
    Ok(out)
}
