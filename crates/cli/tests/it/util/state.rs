//! "Exactly as before": fingerprints of a database's whole state, taken with independent SQL
//! (never Ferry's code), and of the files in a folder.

/// Every schema, relation, type, constraint and sequence position of the user's part of a
/// PostgreSQL database, and every user table's row count and content digest, one item a line.
pub fn pg_fingerprint(client: &mut postgres::Client) -> String {
    const USER: &str = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";
    let catalog: String = client
        .query_one(
            &format!(
                "SELECT coalesce(string_agg(x, E'\\n' ORDER BY x), '') FROM (
                   SELECT 'schema ' || n.nspname FROM pg_namespace n WHERE {USER}
                   UNION ALL
                   SELECT 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER}
                   UNION ALL
                   SELECT 'type ' || n.nspname || '.' || t.typname
                   FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE {USER}
                   UNION ALL
                   SELECT 'constraint ' || n.nspname || '.' || c.conname || ' ' || c.contype::text
                   FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE {USER}
                   UNION ALL
                   SELECT 'sequence ' || schemaname || '.' || sequencename || ' '
                          || coalesce(last_value::text, 'unused')
                   FROM pg_sequences WHERE schemaname NOT LIKE 'pg\\_%'
                 ) s(x)"
            ),
            &[],
        )
        .expect("read the catalog")
        .get(0);
    let tables: Vec<(String, String)> = client
        .query(
            &format!(
                "SELECT n.nspname, c.relname FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'r' AND {USER} ORDER BY 1, 2"
            ),
            &[],
        )
        .expect("list tables")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut out = catalog;
    for (schema, table) in tables {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let row = client
            .query_one(
                &format!(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) \
                     FROM {}.{} t",
                    q(&schema),
                    q(&table)
                ),
                &[],
            )
            .expect("digest a table");
        let (rows, md5): (i64, String) = (row.get(0), row.get(1));
        out.push_str(&format!("\ncontent {schema}.{table} {rows} {md5}"));
    }
    out
}

pub use ferry_testkit::files::{folder_fingerprint, sha256_file};
