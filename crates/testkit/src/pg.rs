//! "Exactly as before" for PostgreSQL: fingerprints of a table or of a database's whole user
//! state, taken with independent SQL (never Ferry's code), so a test that compares them proves
//! something Ferry's own digests cannot.

/// A table's row count and an md5 of its rows as PostgreSQL prints them, sorted byte-wise.
/// `table` is found on the search path.
pub fn table_fingerprint(client: &mut postgres::Client, table: &str) -> (i64, String) {
    content(client, &quote(table))
}

/// Every schema, relation, type, constraint and sequence position of the user's part of a
/// PostgreSQL database, and every user table's row count and content digest, one item a line.
pub fn database_fingerprint(client: &mut postgres::Client) -> String {
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
        let (rows, md5) = content(client, &format!("{}.{}", quote(&schema), quote(&table)));
        out.push_str(&format!("\ncontent {schema}.{table} {rows} {md5}"));
    }
    out
}

/// Row count and md5 of the rows of `relation` (already quoted).
fn content(client: &mut postgres::Client, relation: &str) -> (i64, String) {
    let q = format!(
        "SELECT count(*), md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text COLLATE \"C\"), '')) FROM {relation} x"
    );
    let row = client
        .query_one(&q, &[])
        .unwrap_or_else(|e| panic!("fingerprint of {relation}: {e}"));
    (row.get(0), row.get(1))
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
