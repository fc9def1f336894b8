//! Load order from the foreign-key graph: parents before children, whatever the names.
//!
//! Self-references are ignored for ordering (the rows of one table load together), and
//! tables on a cycle are loaded in name order with the cycle reported, because Ferry adds
//! foreign keys after the data when it creates the schema; when it loads into an existing
//! schema with a cycle, the constraints must be deferrable (the caller says so).

use std::collections::{BTreeMap, BTreeSet};

/// Orders `tables` (names) so that every table comes after the tables it references
/// (`edges`: child → parent). Returns the order and the tables that sit on a cycle.
pub fn load_order(tables: &[String], edges: &[(String, String)]) -> (Vec<String>, Vec<String>) {
    let known: BTreeSet<&str> = tables.iter().map(String::as_str).collect();
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| (t.as_str(), BTreeSet::new()))
        .collect();
    for (child, parent) in edges {
        if child != parent && known.contains(child.as_str()) && known.contains(parent.as_str()) {
            parents
                .get_mut(child.as_str())
                .expect("known")
                .insert(parent.as_str());
        }
    }
    let position: BTreeMap<&str, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let mut order = Vec::with_capacity(tables.len());
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    loop {
        // Kahn's algorithm, taking ready tables in their original order for stable output.
        let mut ready: Vec<&str> = parents
            .iter()
            .filter(|(t, ps)| !placed.contains(*t) && ps.iter().all(|p| placed.contains(p)))
            .map(|(t, _)| *t)
            .collect();
        if ready.is_empty() {
            break;
        }
        ready.sort_by_key(|t| position[t]);
        for t in ready {
            placed.insert(t);
            order.push(t.to_string());
        }
    }
    let mut cyclic: Vec<String> = tables
        .iter()
        .filter(|t| !placed.contains(t.as_str()))
        .cloned()
        .collect();
    cyclic.sort();
    order.extend(cyclic.iter().cloned());
    (order, cyclic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parents_come_first_whatever_the_names() {
        let tables = s(&["a_tasks", "z_goals", "m_notes"]);
        let edges = vec![
            ("a_tasks".into(), "z_goals".into()),
            ("m_notes".into(), "a_tasks".into()),
        ];
        let (order, cyclic) = load_order(&tables, &edges);
        assert_eq!(order, s(&["z_goals", "a_tasks", "m_notes"]));
        assert!(cyclic.is_empty());
    }

    #[test]
    fn self_references_and_cycles() {
        let tables = s(&["emp", "x", "y", "solo"]);
        let edges = vec![
            ("emp".into(), "emp".into()),
            ("x".into(), "y".into()),
            ("y".into(), "x".into()),
        ];
        let (order, cyclic) = load_order(&tables, &edges);
        assert_eq!(order, s(&["emp", "solo", "x", "y"]));
        assert_eq!(cyclic, s(&["x", "y"]));
    }
}
