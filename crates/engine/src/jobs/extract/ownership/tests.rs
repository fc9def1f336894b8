use super::*;
use crate::model::catalog::{Column, Dialect, FkAction, ForeignKey, UniqueConstraint};

fn column(name: &str, ty: ColumnType) -> Column {
    Column::plain(name, &ty.pg_name(), ty)
}

/// A table with an `id` uuid key, the named uuid columns, and foreign keys `col → table`.
fn table(name: &str, columns: &[&str], fks: &[(&str, &str)]) -> Table {
    let mut cols = vec![column("id", ColumnType::Uuid)];
    cols.extend(columns.iter().map(|c| column(c, ColumnType::Uuid)));
    Table {
        name: name.into(),
        columns: cols,
        primary_key: vec!["id".into()],
        foreign_keys: fks
            .iter()
            .map(|(c, t)| ForeignKey {
                name: None,
                columns: vec![c.to_string()],
                ref_table: t.to_string(),
                ref_columns: vec![],
                on_delete: FkAction::NoAction,
                on_update: FkAction::NoAction,
                deferrable: false,
            })
            .collect(),
        uniques: vec![],
        indexes: vec![],
        checks: vec![],
        row_count: None,
        autoincrement: false,
        notes: vec![],
    }
}

fn users(name: &str) -> Table {
    let mut t = table(name, &[], &[]);
    t.columns.push(column("email", ColumnType::Text));
    t
}

fn catalog(tables: Vec<Table>) -> Catalog {
    Catalog {
        dialect: Dialect::Postgres,
        tables,
        not_migrated: vec![],
    }
}

fn parents(own: &Ownership, table: &str) -> Vec<String> {
    own.owned[table]
        .links
        .iter()
        .map(|l| match l {
            Link::Owner { column } => format!("owner {column}"),
            Link::Parent { parent, .. } => parent.clone(),
        })
        .collect()
}

#[test]
fn owners_chains_and_singletons_are_found() {
    let mut prefs = table("prefs", &["user_id"], &[("user_id", "users")]);
    prefs.uniques.push(UniqueConstraint {
        name: None,
        columns: vec!["user_id".into()],
    });
    let c = catalog(vec![
        users("accounts"),
        users("users"),
        table("clients", &["user_id"], &[("user_id", "users")]),
        table("births", &["client_id"], &[("client_id", "clients")]),
        table("notes", &["birth_id"], &[("birth_id", "births")]),
        prefs,
        table("cache", &[], &[]),
    ]);
    let own = analyse(&c, &ExtractOptions::default()).unwrap();
    assert_eq!(own.users_table, "users", "users is preferred to accounts");
    assert_eq!(own.email_column, "email");
    assert_eq!(parents(&own, "births"), ["clients"]);
    assert_eq!(
        (
            own.owned["clients"].depth,
            own.owned["births"].depth,
            own.owned["notes"].depth
        ),
        (1, 2, 3)
    );
    assert!(
        !own.owned.contains_key("cache"),
        "no path to users: copied whole"
    );
    assert_eq!(own.singletons, ["prefs"]);
    let filter = super::super::filter::row_filter(&own, "public", "notes", "0000-uuid").unwrap();
    assert!(
        filter.starts_with(
            "(\"public\".\"notes\".\"birth_id\" IS NULL OR EXISTS (SELECT 1 FROM \"public\".\"births\" AS ferry_e1"
        ),
        "{filter}"
    );
    assert!(filter.contains("= CAST('0000-uuid' AS uuid)"), "{filter}");
}

#[test]
fn references_around_a_cycle_are_not_ownership_paths() {
    // charts ↔ folders and a self-reference: analysis terminates, each table keeps the
    // links that lead towards the users table.
    let c = catalog(vec![
        users("users"),
        table(
            "charts",
            &["user_id", "folder_id", "parent_id"],
            &[
                ("user_id", "users"),
                ("folder_id", "folders"),
                ("parent_id", "charts"),
            ],
        ),
        table("folders", &["chart_id"], &[("chart_id", "charts")]),
    ]);
    let own = analyse(&c, &ExtractOptions::default()).unwrap();
    assert_eq!(parents(&own, "charts"), ["owner user_id"]);
    let self_ref = own.owned["charts"].self_ref.as_ref().unwrap();
    assert_eq!(
        (
            self_ref.columns.as_slice(),
            self_ref.parent_columns.as_slice()
        ),
        (
            ["parent_id".to_string()].as_slice(),
            ["id".to_string()].as_slice()
        )
    );
    let filter = super::super::filter::row_filter(&own, "s", "folders", "u").unwrap();
    assert!(
        filter.contains("ferry_e1.ctid NOT IN (WITH RECURSIVE ferry_b2"),
        "a parent with a self-reference brings its closure: {filter}"
    );
    assert_eq!(parents(&own, "folders"), ["charts"]);
    let order: Vec<&str> = own.by_depth().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(order, ["charts", "folders"]);
}

#[test]
fn no_users_table_names_the_candidates() {
    let c = catalog(vec![
        users("customers"),
        table("orders", &["customer_id"], &[("customer_id", "customers")]),
    ]);
    let err = analyse(&c, &ExtractOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("with an email column: customers"), "{err}");
    let named = ExtractOptions {
        users_table: Some("customers".into()),
        ..Default::default()
    };
    let own = analyse(&c, &named).unwrap();
    assert_eq!(parents(&own, "orders"), ["owner customer_id"]);
}

#[test]
fn named_owner_columns_add_to_the_foreign_keys() {
    let c = catalog(vec![
        users("users"),
        table("clients", &["user_id"], &[("user_id", "users")]),
        table("notes", &["owner"], &[]),
    ]);
    let named = ExtractOptions {
        owner_columns: vec![ColumnRef::parse("notes.owner").unwrap()],
        ..Default::default()
    };
    let own = analyse(&c, &named).unwrap();
    let owners: Vec<String> = own
        .owner_columns
        .iter()
        .map(|c| format!("{}.{}", c.table, c.column))
        .collect();
    assert_eq!(owners, ["clients.user_id", "notes.owner"]);
    let bad = ExtractOptions {
        owner_columns: vec![ColumnRef::parse("notes.nope").unwrap()],
        ..Default::default()
    };
    let err = analyse(&c, &bad).unwrap_err().to_string();
    assert!(
        err.contains("columns referencing users: clients.user_id"),
        "{err}"
    );
}

#[test]
fn a_one_to_one_table_others_reference_keeps_its_key() {
    let mut profile = table("profile", &["user_id"], &[("user_id", "users")]);
    profile.primary_key = vec!["user_id".into()];
    let c = catalog(vec![
        users("users"),
        profile,
        table("badges", &["profile_id"], &[("profile_id", "profile")]),
    ]);
    let own = analyse(&c, &ExtractOptions::default()).unwrap();
    assert!(own.singletons.is_empty());
    assert!(
        own.notes.iter().any(|n| n.contains("badges")),
        "{:?}",
        own.notes
    );
}
