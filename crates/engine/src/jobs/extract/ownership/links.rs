//! The ownership links of every table: which tables reach the users table, through which owner
//! columns and foreign keys, and which of a table's references lead towards the users (a parent
//! nearer to them) rather than away. Plain graph work over the catalog.

use std::collections::BTreeMap;

use super::{Link, OwnedTable, SelfRef};
use crate::model::catalog::Catalog;
use crate::model::options::ColumnRef;

/// The owned tables and their links. A table is owned when it has an owner column or a
/// foreign key to an owned table (found breadth-first, so each table gets its distance from
/// the users table). Its links are its owner columns and its foreign keys to owned tables,
/// except a reference back around a cycle (to a parent that itself reaches this table and is
/// not closer to the users table): following it would never end. The target's foreign-key
/// check still covers such references. A self-reference is followed separately (`SelfRef`).
pub(super) fn owned_tables(
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
