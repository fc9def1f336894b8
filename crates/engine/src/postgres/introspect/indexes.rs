//! The btree indexes of every table (not those backing a constraint): key columns or
//! expressions, sort order and partial predicates. Other index methods are listed as not
//! migrated instead.

use postgres::Client;

use super::{draft_mut, key_names, Draft};
use crate::model::catalog::{Index, IndexColumn, SkippedObject};
use crate::model::error::Context;
use crate::Result;

pub(super) fn read_indexes(
    client: &mut Client,
    schema: &str,
    tables: &mut [Draft],
    not_migrated: &mut Vec<SkippedObject>,
) -> Result<()> {
    let rows = client
        .query(
            "SELECT i.indrelid, ic.relname::text, i.indisunique, am.amname::text,
                    i.indnkeyatts, i.indnatts, i.indkey::int2[], i.indoption::int2[],
                    pg_get_expr(i.indpred, i.indrelid, true),
                    ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                          FROM generate_series(1, i.indnkeyatts::int) AS k ORDER BY k),
                    EXISTS (SELECT 1 FROM unnest(i.indclass::oid[]) AS oc
                            JOIN pg_opclass o ON o.oid = oc WHERE NOT o.opcdefault)
             FROM pg_index i
             JOIN pg_class ic ON ic.oid = i.indexrelid
             JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_am am ON am.oid = ic.relam
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                               AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
             ORDER BY ic.relname",
            &[&schema],
        )
        .context(|| format!("reading indexes of schema {schema:?}"))?;
    for r in rows {
        let Some(draft) = draft_mut(tables, r.get(0)) else {
            continue;
        };
        let name: String = r.get(1);
        let method: String = r.get(3);
        if method != "btree" {
            // A GIN/GiST/BRIN index needs its operator classes; rebuilding it as a btree could
            // fail or bloat, so it is reported instead.
            not_migrated.push(SkippedObject {
                kind: format!("{method} index"),
                name: format!("{name} (on {})", draft.table.name),
            });
            continue;
        }
        let nkey = r.get::<_, i16>(4) as usize;
        let nall = r.get::<_, i16>(5) as usize;
        let keys: Vec<i16> = r.get(6);
        let options: Vec<i16> = r.get(7);
        let parts: Vec<String> = r.get(9);
        let mut columns = Vec::with_capacity(nkey);
        // `parts` has one entry per key column (the query asks for 1..=indnkeyatts).
        for (k, part) in parts.into_iter().enumerate() {
            let descending = options.get(k).is_some_and(|o| o & 1 == 1);
            match keys.get(k).copied().unwrap_or(0) {
                0 => columns.push(IndexColumn::Expression { sql: part }),
                attnum => {
                    let column =
                        key_names(&draft.attnames, &[attnum], &draft.table.name)?.remove(0);
                    columns.push(IndexColumn::Column {
                        name: column,
                        descending,
                    });
                }
            }
        }
        if nall > nkey {
            draft
                .table
                .notes
                .push(format!("index {name:?}: INCLUDE columns are not migrated"));
        }
        if r.get::<_, bool>(10) {
            draft.table.notes.push(format!(
                "index {name:?}: non-default operator classes are not migrated"
            ));
        }
        draft.table.indexes.push(Index {
            name,
            unique: r.get(2),
            columns,
            predicate: r.get(8),
        });
    }
    Ok(())
}
