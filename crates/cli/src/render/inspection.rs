//! `ferry inspect`: one database's tables, columns, keys, indexes and row counts.

use ferry_engine::catalog::{DefaultValue, Dialect, ForeignKey, Index, IndexColumn, Table};
use ferry_engine::Inspection;

use super::{thousands, TextTable};

pub fn inspection(inspection: &Inspection) -> String {
    let catalog = &inspection.catalog;
    let dialect = match catalog.dialect {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
    };
    let mut out = format!("{} ({dialect})\n\n", inspection.location);

    let mut summary = TextTable::new(&["table", "rows>", "columns>", "primary key", "references"]);
    for t in &catalog.tables {
        let refs: Vec<&str> = t
            .foreign_keys
            .iter()
            .map(|fk| fk.ref_table.as_str())
            .collect();
        summary.row(vec![
            t.name.clone(),
            t.row_count.map(thousands).unwrap_or_else(|| "?".into()),
            t.columns.len().to_string(),
            t.primary_key.join(", "),
            refs.join(", "),
        ]);
    }
    if summary.is_empty() {
        out.push_str("no tables\n");
    } else {
        out.push_str(&summary.render(""));
    }

    for t in &catalog.tables {
        out.push('\n');
        out.push_str(&table(t));
    }

    if !catalog.not_migrated.is_empty() {
        out.push_str("\nnot migrated (Ferry copies tables only):\n");
        for o in &catalog.not_migrated {
            out.push_str(&format!("  {} {}\n", o.kind, o.name));
        }
    }
    if !inspection.warnings.is_empty() {
        out.push_str("\nwarnings:\n");
        for w in &inspection.warnings {
            out.push_str(&format!("  {w}\n"));
        }
    }
    out
}

fn table(t: &Table) -> String {
    let rows = t
        .row_count
        .map(|n| format!("{} rows", thousands(n)))
        .unwrap_or_else(|| "rows unknown".into());
    let mut out = format!("{} ({rows})\n", t.name);
    let mut columns = TextTable::new(&["column", "declared", "type", "null", "default", ""]);
    for c in &t.columns {
        let mut notes = vec![];
        if t.primary_key.contains(&c.name) {
            notes.push("primary key".to_string());
        }
        if c.auto_increment {
            notes.push("auto-increment".into());
        }
        if let Some(expr) = &c.generated {
            notes.push(format!("generated: {expr}"));
        }
        columns.row(vec![
            c.name.clone(),
            c.declared_type.clone(),
            c.ty.pg_name(),
            if c.not_null {
                "not null".into()
            } else {
                "null".into()
            },
            c.default.as_ref().map(default).unwrap_or_default(),
            notes.join(", "),
        ]);
    }
    out.push_str(&columns.render("  "));
    for fk in &t.foreign_keys {
        out.push_str(&format!("  {}\n", foreign_key(fk)));
    }
    for u in &t.uniques {
        out.push_str(&format!("  unique ({})\n", u.columns.join(", ")));
    }
    for i in &t.indexes {
        out.push_str(&format!("  {}\n", index(i)));
    }
    for c in &t.checks {
        out.push_str(&format!("  check ({})\n", c.expression));
    }
    for n in &t.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}

fn default(d: &DefaultValue) -> String {
    match d {
        DefaultValue::Null => "NULL".into(),
        DefaultValue::Literal(v) => v.describe(),
        DefaultValue::CurrentTimestamp { local: false } => "now".into(),
        DefaultValue::CurrentTimestamp { local: true } => "now (local)".into(),
        DefaultValue::CurrentDate => "today".into(),
        DefaultValue::CurrentTime => "current time".into(),
        DefaultValue::RandomUuid => "random uuid".into(),
        DefaultValue::Expression { sql, .. } => sql.clone(),
    }
}

fn foreign_key(fk: &ForeignKey) -> String {
    let target = if fk.ref_columns.is_empty() {
        fk.ref_table.clone()
    } else {
        format!("{}({})", fk.ref_table, fk.ref_columns.join(", "))
    };
    let mut text = format!("foreign key ({}) → {target}", fk.columns.join(", "));
    for (what, action) in [("delete", fk.on_delete), ("update", fk.on_update)] {
        if action != ferry_engine::catalog::FkAction::NoAction {
            text.push_str(&format!(" on {what} {}", action.sql().to_lowercase()));
        }
    }
    if fk.deferrable {
        text.push_str(" deferrable");
    }
    text
}

fn index(i: &Index) -> String {
    let parts: Vec<String> = i
        .columns
        .iter()
        .map(|c| match c {
            IndexColumn::Column {
                name,
                descending: false,
            } => name.clone(),
            IndexColumn::Column {
                name,
                descending: true,
            } => format!("{name} desc"),
            IndexColumn::Expression { sql } => format!("({sql})"),
        })
        .collect();
    let mut text = format!(
        "{}index {} ({})",
        if i.unique { "unique " } else { "" },
        i.name,
        parts.join(", ")
    );
    if let Some(p) = &i.predicate {
        text.push_str(&format!(" where {p}"));
    }
    text
}
