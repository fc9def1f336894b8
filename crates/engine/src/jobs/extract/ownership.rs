//! Who owns what: the users table, the owner columns, and for every table the references
//! (ownership links) that tie its rows to a user, directly or through parents.
//!
//! Rule (the README's "Extract"): a row belongs to the extracted user's copy when every
//! ownership link it holds leads to that user or to shared data — an owner column equal to the
//! user or NULL, a parent row that is itself kept, or a NULL reference. A row that references
//! another user's data through any link is left out, and so is everything that hangs off it:
//! the copy never carries another user's rows and never writes a dangling reference.
//! Tables with no path to the users table are copied whole.

use crate::model::options::OptionName;
use std::collections::BTreeMap;

use crate::model::catalog::{Catalog, ColumnType, Table};
use crate::model::options::ColumnRef;
use crate::{Error, Result};

use super::ExtractOptions;

/// Table names a users table usually has, in order of preference.
const USERS_TABLE_NAMES: &[&str] = &[
    "users",
    "user",
    "accounts",
    "account",
    "app_users",
    "auth_user",
    "members",
    "profiles",
];

/// Column names an email column usually has, in order of preference.
const EMAIL_COLUMN_NAMES: &[&str] = &["email", "email_address", "mail", "e_mail"];

/// How a table's rows reach the users table.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// A column holding the owning user's key.
    Owner { column: String },
    /// A foreign key to a table that is itself owned.
    Parent {
        columns: Vec<String>,
        parent: String,
        parent_columns: Vec<String>,
    },
}

/// A table with a path to the users table.
#[derive(Debug, Clone)]
pub struct OwnedTable {
    /// 1 for tables with an owner column, parent depth + 1 for the others.
    pub depth: usize,
    pub links: Vec<Link>,
    /// The table's first foreign key to itself (`parent_id → id`), followed too: a row
    /// whose parent row in the same table is left out is left out.
    pub self_ref: Option<SelfRef>,
}

/// A foreign key from a table to itself.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfRef {
    pub columns: Vec<String>,
    pub parent_columns: Vec<String>,
}

/// The result of analysing a source catalog for one extraction.
#[derive(Debug, Clone)]
pub struct Ownership {
    pub users_table: String,
    /// The users table's single primary-key column.
    pub user_key: String,
    pub user_key_type: ColumnType,
    pub email_column: String,
    /// Owner columns (dropped in the target), by table.
    pub owner_columns: Vec<ColumnRef>,
    /// Columns of the users table that reference it (another user's id, e.g.
    /// `users.invited_by`): dropped from `app_config`.
    pub other_user_columns: Vec<ColumnRef>,
    /// Tables with a path to the users table (not the users table itself).
    pub owned: BTreeMap<String, OwnedTable>,
    /// 1:1-per-user tables (unique owner column) that become singletons.
    pub singletons: Vec<String>,
    /// What the analysis decided that a person should know.
    pub notes: Vec<String>,
}

impl Ownership {
    /// Every column of `table` that the target does not get.
    pub fn dropped_columns(&self, table: &str) -> Vec<&str> {
        self.owner_columns
            .iter()
            .chain(&self.other_user_columns)
            .filter(|c| c.table == table)
            .map(|c| c.column.as_str())
            .collect()
    }

    pub fn is_singleton(&self, table: &str) -> bool {
        self.singletons.iter().any(|s| s == table)
    }

    /// Owned tables, parents before children.
    pub fn by_depth(&self) -> Vec<(&String, &OwnedTable)> {
        let mut v: Vec<_> = self.owned.iter().collect();
        v.sort_by_key(|(name, t)| (t.depth, name.as_str()));
        v
    }
}

/// Analyses the catalog.
///
/// # Errors
/// `BadInput` when no users table can be found (naming the candidates), it has no email
/// column or no single-column key, or an `--owner-column` names nothing.
pub fn analyse(catalog: &Catalog, options: &ExtractOptions) -> Result<Ownership> {
    let users = find_users_table(catalog, options.users_table.as_deref())?;
    let email_column = find_email_column(users).ok_or_else(|| {
        Error::bad_input(format!(
            "the users table '{}' has no email column (looked for {}); its columns: {}",
            users.name,
            EMAIL_COLUMN_NAMES.join(", "),
            column_list(users)
        ))
    })?;
    let [user_key] = users.primary_key.as_slice() else {
        return Err(Error::bad_input(format!(
            "the users table '{}' needs a single-column primary key to identify a user (it has: {})",
            users.name,
            if users.primary_key.is_empty() { "none".into() } else { users.primary_key.join(", ") }
        )));
    };
    let user_key_type = users
        .column(user_key)
        .map(|c| c.ty.clone())
        .unwrap_or(ColumnType::Text);

    let references_users: Vec<ColumnRef> = catalog
        .tables
        .iter()
        .flat_map(|t| {
            t.foreign_keys
                .iter()
                .filter(|fk| fk.ref_table == users.name && fk.columns.len() == 1)
                .map(|fk| ColumnRef {
                    table: t.name.clone(),
                    column: fk.columns[0].clone(),
                })
        })
        .collect();
    let mut notes = vec![];
    // Every foreign key to the users table is an owner column, plus the ones named: naming
    // can add columns the schema does not declare, never remove one, since a column that names
    // a user but did not count would let that user's rows through.
    for c in &options.owner_columns {
        let ok = catalog
            .table(&c.table)
            .is_some_and(|t| t.column(&c.column).is_some());
        if !ok || c.table == users.name {
            return Err(Error::bad_option(
                OptionName::OwnerColumn,
                format!(
                    "{} {}.{}: no such column outside the users table (columns referencing {}: {})",
                    OptionName::OwnerColumn.mention(),
                    c.table,
                    c.column,
                    users.name,
                    names(
                        references_users
                            .iter()
                            .map(|c| format!("{}.{}", c.table, c.column))
                    )
                ),
            ));
        }
    }
    let mut owner_columns: Vec<ColumnRef> = references_users
        .iter()
        .filter(|c| c.table != users.name)
        .cloned()
        .collect();
    for c in &options.owner_columns {
        if !owner_columns.contains(c) {
            owner_columns.push(c.clone());
        }
    }
    let other_user_columns: Vec<ColumnRef> = references_users
        .into_iter()
        .filter(|c| !owner_columns.contains(c))
        .collect();
    for c in &other_user_columns {
        notes.push(format!(
            "{}.{} names another row of {}; it is left out of the target (it may name another user)",
            c.table, c.column, users.name
        ));
    }

    let owned = owned_tables(catalog, &users.name, &owner_columns);
    let mut singletons = vec![];
    for c in &owner_columns {
        let table = catalog.table(&c.table).expect("checked above");
        if !is_unique_column(table, &c.column) || singletons.contains(&table.name) {
            continue;
        }
        let referenced_by: Vec<&str> = catalog
            .tables
            .iter()
            .filter(|t| t.foreign_keys.iter().any(|fk| fk.ref_table == table.name))
            .map(|t| t.name.as_str())
            .collect();
        if referenced_by.is_empty() {
            singletons.push(table.name.clone());
        } else {
            notes.push(format!(
                "{} has one row per user but {} reference(s) it, so it keeps its own key instead of becoming a singleton",
                table.name,
                referenced_by.join(", ")
            ));
        }
    }
    Ok(Ownership {
        users_table: users.name.clone(),
        user_key: user_key.clone(),
        user_key_type,
        email_column,
        owner_columns,
        other_user_columns,
        owned,
        singletons,
        notes,
    })
}

fn find_users_table<'a>(catalog: &'a Catalog, named: Option<&str>) -> Result<&'a Table> {
    if let Some(name) = named {
        return catalog.table(name).ok_or_else(|| {
            Error::bad_option(
                OptionName::UsersTable,
                format!(
                    "{} {name}: no such table (tables: {})",
                    OptionName::UsersTable.mention(),
                    names(catalog.tables.iter().map(|t| t.name.clone()))
                ),
            )
        });
    }
    let with_email = |t: &&Table| find_email_column(t).is_some();
    for wanted in USERS_TABLE_NAMES {
        if let Some(t) = catalog
            .tables
            .iter()
            .filter(with_email)
            .find(|t| t.name.eq_ignore_ascii_case(wanted))
        {
            return Ok(t);
        }
    }
    let email_tables = names(
        catalog
            .tables
            .iter()
            .filter(with_email)
            .map(|t| t.name.clone()),
    );
    Err(Error::bad_option(OptionName::UsersTable, format!(
        "no users table found: looked for a table named {} with an email column; tables with an email column: {email_tables}; all tables: {} — name it with {}",
        USERS_TABLE_NAMES.join(", "),
        names(catalog.tables.iter().map(|t| t.name.clone())),
        OptionName::UsersTable.mention()
    )))
}

fn find_email_column(table: &Table) -> Option<String> {
    let texty = |c: &&crate::model::catalog::Column| {
        matches!(
            c.ty,
            ColumnType::Text
                | ColumnType::Varchar { .. }
                | ColumnType::Char { .. }
                | ColumnType::Opaque { .. }
        )
    };
    EMAIL_COLUMN_NAMES
        .iter()
        .find_map(|n| {
            table
                .columns
                .iter()
                .filter(texty)
                .find(|c| c.name.eq_ignore_ascii_case(n))
        })
        .or_else(|| {
            table
                .columns
                .iter()
                .filter(texty)
                .find(|c| c.name.to_ascii_lowercase().contains("email"))
        })
        .map(|c| c.name.clone())
}

/// The owned tables and their links. A table is owned when it has an owner column or a
/// foreign key to an owned table (found breadth-first, so each table gets its distance from
/// the users table). Its links are its owner columns and its foreign keys to owned tables,
/// except a reference back around a cycle (to a parent that itself reaches this table and is
/// not closer to the users table): following it would never end. The target's foreign-key
/// check still covers such references. A self-reference is followed separately (`SelfRef`).
fn owned_tables(
    catalog: &Catalog,
    users: &str,
    owner_columns: &[ColumnRef],
) -> BTreeMap<String, OwnedTable> {
    let distance = distances(catalog, users, owner_columns);
    // Every foreign key between owned tables, before cycles are broken.
    let mut links: BTreeMap<String, Vec<Link>> = BTreeMap::new();
    for name in distance.keys() {
        let table = catalog
            .table(name)
            .expect("distance only holds catalog tables");
        let mut own: Vec<Link> = owner_columns
            .iter()
            .filter(|c| &c.table == name)
            .map(|c| Link::Owner {
                column: c.column.clone(),
            })
            .collect();
        for fk in &table.foreign_keys {
            if fk.ref_table == users || !distance.contains_key(&fk.ref_table) {
                continue;
            }
            let parent_columns = if fk.ref_columns.is_empty() {
                catalog
                    .table(&fk.ref_table)
                    .map(|p| p.primary_key.clone())
                    .unwrap_or_default()
            } else {
                fk.ref_columns.clone()
            };
            own.push(Link::Parent {
                columns: fk.columns.clone(),
                parent: fk.ref_table.clone(),
                parent_columns,
            });
        }
        links.insert(name.clone(), own);
    }
    let all = links.clone();
    for (name, own) in links.iter_mut() {
        own.retain(|l| match l {
            Link::Owner { .. } => true,
            Link::Parent { parent, .. } => {
                !reaches(&all, parent, name) || distance[parent] < distance[name]
            }
        });
    }
    // Depth: the longest chain of kept links (they form no cycle), so parents sort first.
    let mut depth: BTreeMap<String, usize> = BTreeMap::new();
    while depth.len() < links.len() {
        let before = depth.len();
        for (name, own) in &links {
            if depth.contains_key(name) {
                continue;
            }
            let parents: Option<Vec<usize>> = own
                .iter()
                .filter_map(|l| match l {
                    Link::Parent { parent, .. } => Some(depth.get(parent).copied()),
                    Link::Owner { .. } => None,
                })
                .collect();
            if let Some(p) = parents {
                depth.insert(name.clone(), 1 + p.into_iter().max().unwrap_or(0));
            }
        }
        if depth.len() == before {
            break; // cannot happen (kept links form no cycle); never loop forever
        }
    }
    links
        .into_iter()
        .map(|(name, links)| {
            let depth = depth.get(&name).copied().unwrap_or(1);
            let table = catalog
                .table(&name)
                .expect("owned tables are catalog tables");
            let self_ref = table
                .foreign_keys
                .iter()
                .find(|fk| fk.ref_table == name)
                .map(|fk| SelfRef {
                    columns: fk.columns.clone(),
                    parent_columns: if fk.ref_columns.is_empty() {
                        table.primary_key.clone()
                    } else {
                        fk.ref_columns.clone()
                    },
                });
            (
                name,
                OwnedTable {
                    depth,
                    links,
                    self_ref,
                },
            )
        })
        .collect()
}

/// Each owned table's distance from the users table (1: it has an owner column).
fn distances(
    catalog: &Catalog,
    users: &str,
    owner_columns: &[ColumnRef],
) -> BTreeMap<String, usize> {
    let mut distance: BTreeMap<String, usize> = BTreeMap::new();
    for c in owner_columns {
        distance.insert(c.table.clone(), 1);
    }
    let mut level = 1;
    loop {
        let next: Vec<String> = catalog
            .tables
            .iter()
            .filter(|t| t.name != users && !distance.contains_key(&t.name))
            .filter(|t| {
                t.foreign_keys
                    .iter()
                    .any(|fk| distance.get(&fk.ref_table) == Some(&level))
            })
            .map(|t| t.name.clone())
            .collect();
        if next.is_empty() {
            return distance;
        }
        level += 1;
        for n in next {
            distance.insert(n, level);
        }
    }
}

/// Whether `from` reaches `to` through parent links.
fn reaches(links: &BTreeMap<String, Vec<Link>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(t) = stack.pop() {
        if t == to {
            return true;
        }
        if !seen.insert(t.clone()) {
            continue;
        }
        for l in links.get(&t).into_iter().flatten() {
            if let Link::Parent { parent, .. } = l {
                stack.push(parent.clone());
            }
        }
    }
    false
}

/// The column alone is the primary key, a UNIQUE constraint or a unique index.
fn is_unique_column(table: &Table, column: &str) -> bool {
    let alone = |cols: &[String]| cols.len() == 1 && cols[0] == column;
    alone(&table.primary_key)
        || table.uniques.iter().any(|u| alone(&u.columns))
        || table.indexes.iter().any(|i| {
            i.unique
                && i.predicate.is_none()
                && i.columns.len() == 1
                && matches!(&i.columns[0], crate::model::catalog::IndexColumn::Column { name, .. } if name == column)
        })
}

fn names(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn column_list(t: &Table) -> String {
    names(t.columns.iter().map(|c| c.name.clone()))
}

#[cfg(test)]
mod tests {
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
        let filter =
            super::super::filter::row_filter(&own, "public", "notes", "0000-uuid").unwrap();
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
}
