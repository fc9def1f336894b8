//! Promote's multi-user shape in the plan, before anything is written: each table's class and
//! why, the tables that look shared (with the flag that would share them), and each unique
//! scoped by owner.

use ferry_engine::model::tenancy::{TableClass, Tenancy};

use super::TextTable;

/// The "tenancy" section of `ferry plan`.
pub fn section(t: &Tenancy) -> String {
    let mut out = String::from("tenancy (who owns which rows):\n");
    let mut classes = TextTable::new(&["table", "class", "why"]);
    for table in &t.tables {
        classes.row(vec![
            table.table.clone(),
            class(table.class).into(),
            table.reason.clone(),
        ]);
    }
    out.push_str(&classes.render("  "));

    let shared: Vec<&str> = t
        .tables
        .iter()
        .filter(|x| x.class == TableClass::Shared)
        .map(|x| x.table.as_str())
        .collect();
    let suggested: Vec<_> = t
        .tables
        .iter()
        .filter_map(|x| x.suggest_shared.as_ref().map(|why| (x.table.as_str(), why)))
        .collect();
    if !suggested.is_empty() {
        out.push_str("\nlooks shared (reference data every user reads)? only if you say so:\n");
        for (table, why) in &suggested {
            let mut flag = shared.clone();
            flag.push(table);
            out.push_str(&format!(
                "  hint: {table} ({why}): --shared {}\n",
                flag.join(",")
            ));
        }
    }

    if !t.scoped_uniques.is_empty() {
        out.push_str("\nuniques scoped by owner (--keep-global-uniques keeps them global):\n");
        for u in &t.scoped_uniques {
            out.push_str(&format!(
                "  {}: UNIQUE ({}) → UNIQUE ({})  [{}]\n",
                u.table,
                u.before.join(", "),
                u.after.join(", "),
                u.name
            ));
        }
    }
    out
}

fn class(c: TableClass) -> &'static str {
    match c {
        TableClass::Owned => "owned",
        TableClass::Shared => "shared",
        TableClass::Users => "users",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_engine::model::tenancy::{ScopedUnique, TableTenancy};

    #[test]
    fn classes_hints_and_scoped_uniques_are_listed() {
        let t = Tenancy {
            tables: vec![
                TableTenancy {
                    table: "currencies".into(),
                    class: TableClass::Shared,
                    reason: "--shared".into(),
                    suggest_shared: None,
                },
                TableTenancy {
                    table: "categories".into(),
                    class: TableClass::Owned,
                    reason: "default: each user's own rows".into(),
                    suggest_shared: Some("referenced by goals; references nothing; 3 rows".into()),
                },
            ],
            scoped_uniques: vec![ScopedUnique {
                table: "goals".into(),
                name: "goals_user_id_title_key".into(),
                before: vec!["title".into()],
                after: vec!["user_id".into(), "title".into()],
            }],
            ..Tenancy::default()
        };
        let text = section(&t);
        assert!(text.contains("currencies  shared  --shared"), "{text}");
        assert!(
            text.contains("hint: categories (referenced by goals; references nothing; 3 rows): --shared currencies,categories"),
            "{text}"
        );
        assert!(
            text.contains("goals: UNIQUE (title) → UNIQUE (user_id, title)"),
            "{text}"
        );
    }
}
