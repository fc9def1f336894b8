//! The timestamp invariant: every `timestamptz` value Promote wrote equals the instant
//! PostgreSQL itself computes from the source's text and the column's zone — independently
//! of Ferry's parser (`temporal.rs`), which produced the copied value.
//!
//! For each source row (read again from the SQLite snapshot, as text) PostgreSQL computes:
//! - text with an offset (`Z`, `UTC`, `+01`, `+01:00`, …): `text::timestamptz`, its instant;
//! - naive text: `text::timestamp AT TIME ZONE zone`. PostgreSQL reads a time in a
//!   spring-forward gap with the offset before the jump — the same instant as Ferry's
//!   `--dst-gap shift-forward`. A fall-back fold is found as a wall time that both the offset
//!   of the day before and the offset of the day after map back to; the expected instant is
//!   then the earlier or later one as `--dst-fold` chose;
//! - NULL: NULL, or the migration time for a `--fill-updated-at` column.
//!
//! The comparison runs in the target transaction under a savepoint, so a text PostgreSQL
//! refuses fails the check (with PostgreSQL's message) instead of the transaction.

use crate::model::catalog::ColumnType;
use crate::model::finding::Policy;
use crate::model::options::Options;
use crate::model::report::Check;
use crate::model::temporal::FoldPolicy;
use crate::model::value::Value;
use crate::plan::{ColumnPlan, Plan, TablePlan};
use crate::postgres::ddl::{qualified, quote_ident};
use crate::{Error, Result};

const BATCH: usize = 5000;

/// Text that ends in a UTC offset after a time of day (PostgreSQL's regex syntax).
const AWARE: &str =
    r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(z|utc|[+-][0-9]{1,2}(:?[0-9]{2}){0,2})$";

struct Tally {
    checked: i64,
    not_text: i64,
    columns: usize,
    skipped: Vec<String>,
    problems: Vec<String>,
}

/// # Errors
/// SQLite errors reading the source; PostgreSQL connection errors.
pub fn check(
    source: &rusqlite::Connection,
    client: &mut postgres::Client,
    schema: &str,
    plan: &Plan,
    options: &Options,
    migration_time: i64,
) -> Result<Check> {
    let mut tally = Tally {
        checked: 0,
        not_text: 0,
        columns: 0,
        skipped: vec![],
        problems: vec![],
    };
    for t in &plan.tables {
        for c in t.columns.iter().filter(|c| c.ty == ColumnType::TimestampTz) {
            let Some(src) = &c.source else { continue };
            let Some((key_source, key_target)) = single_key(t) else {
                tally.skipped.push(format!(
                    "{}.{} (no single-column key)",
                    t.target_table, c.target
                ));
                continue;
            };
            tally.columns += 1;
            check_column(
                source,
                client,
                schema,
                t,
                c,
                (src, &key_source, &key_target),
                options,
                migration_time,
                &mut tally,
            )?;
        }
    }
    let mut detail = format!(
        "{} value(s) in {} timestamptz column(s) equal PostgreSQL's own reading of the source text in its zone",
        tally.checked, tally.columns
    );
    if tally.not_text > 0 {
        detail.push_str(&format!(
            "; {} epoch number(s) compared by the digest only",
            tally.not_text
        ));
    }
    if !tally.skipped.is_empty() {
        detail.push_str(&format!("; not checked: {}", tally.skipped.join(", ")));
    }
    if !tally.problems.is_empty() {
        detail = tally.problems.join("; ");
    }
    Ok(Check {
        name: "timestamps equal their source instants".into(),
        passed: tally.problems.is_empty(),
        detail,
    })
}

/// The source and target names of the table's single key column.
fn single_key(t: &TablePlan) -> Option<(String, String)> {
    let key = t.source_def.identity_columns();
    let [key] = key.as_slice() else { return None };
    let c = t
        .columns
        .iter()
        .find(|c| c.source.as_deref() == Some(key))?;
    matches!(
        c.ty,
        ColumnType::Int { .. } | ColumnType::Text | ColumnType::Varchar { .. }
    )
    .then(|| (key.clone(), c.target.clone()))
}

#[allow(clippy::too_many_arguments)]
fn check_column(
    source: &rusqlite::Connection,
    client: &mut postgres::Client,
    schema: &str,
    t: &TablePlan,
    c: &ColumnPlan,
    (src, key_source, key_target): (&str, &str, &str),
    options: &Options,
    migration_time: i64,
    tally: &mut Tally,
) -> Result<()> {
    let q = crate::sqlite::ddl::quote_ident;
    let sql = format!(
        "SELECT CAST({k} AS TEXT), CASE WHEN typeof({col}) = 'text' THEN {col} END, typeof({col}) IN ('text', 'null') FROM {table}",
        k = q(key_source),
        col = q(src),
        table = q(&t.source_table)
    );
    let read_error = |e: rusqlite::Error| {
        Error::runtime(format!(
            "re-reading {}.{src} from the source: {e}",
            t.source_table
        ))
    };
    let mut stmt = source.prepare(&sql).map_err(read_error)?;
    let mut rows = stmt.query([]).map_err(read_error)?;
    let mut keys: Vec<String> = vec![];
    let mut texts: Vec<Option<String>> = vec![];
    let filled = match &c.null_becomes {
        Some(Value::TimestampTz(_)) => {
            Some(crate::model::temporal::format_timestamptz(migration_time))
        }
        _ => None,
    };
    let query = comparison_sql(schema, &t.target_table, key_target, &c.target);
    let zone = c.rules.timezone.name().to_string();
    let fold = match options.dst.fold {
        FoldPolicy::Earlier => "earlier",
        FoldPolicy::Later => "later",
        FoldPolicy::Reject => "reject",
    };
    let nulls_allowed = c.policy == Policy::Null;
    loop {
        let row = rows.next().map_err(read_error)?;
        let done = row.is_none();
        if let Some(row) = row {
            let is_text: bool = row.get(2).map_err(read_error)?;
            if is_text {
                keys.push(
                    row.get::<_, Option<String>>(0)
                        .map_err(read_error)?
                        .unwrap_or_default(),
                );
                texts.push(row.get(1).map_err(read_error)?);
            } else {
                tally.not_text += 1;
            }
        }
        if keys.len() >= BATCH || (done && !keys.is_empty()) {
            let params: [&(dyn postgres::types::ToSql + Sync); 6] =
                [&keys, &texts, &zone, &filled, &fold, &nulls_allowed];
            compare_batch(
                client,
                &query,
                &params,
                &format!("{}.{}", t.target_table, c.target),
                tally,
            )?;
            keys.clear();
            texts.clear();
        }
        if done {
            break;
        }
    }
    Ok(())
}

fn compare_batch(
    client: &mut postgres::Client,
    query: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    column: &str,
    tally: &mut Tally,
) -> Result<()> {
    let savepoint = "SAVEPOINT ferry_promote_ts";
    let in_pg = |e: postgres::Error| Error::runtime(format!("checking {column}: {e}"));
    client.batch_execute(savepoint).map_err(in_pg)?;
    match client.query_one(query, params) {
        Ok(row) => {
            client
                .batch_execute("RELEASE SAVEPOINT ferry_promote_ts")
                .map_err(in_pg)?;
            let (n, bad, samples): (i64, i64, Vec<String>) = (row.get(0), row.get(1), row.get(2));
            tally.checked += n;
            if bad > 0 {
                tally.problems.push(format!(
                    "{column}: {bad} value(s) differ from PostgreSQL's reading ({})",
                    samples.join("; ")
                ));
            }
        }
        Err(e) => {
            client
                .batch_execute("ROLLBACK TO SAVEPOINT ferry_promote_ts")
                .map_err(in_pg)?;
            let reason = e
                .as_db_error()
                .map(|d| d.message().to_string())
                .unwrap_or_else(|| e.to_string());
            tally.problems.push(format!(
                "{column}: PostgreSQL could not read the source text: {reason}"
            ));
        }
    }
    Ok(())
}

/// Parameters: $1 keys, $2 texts, $3 zone, $4 the NULL replacement (text or NULL),
/// $5 fold policy, $6 whether a NULL target value is a policy's doing.
fn comparison_sql(schema: &str, table: &str, key: &str, column: &str) -> String {
    format!(
        "WITH s AS (
            SELECT k, txt, txt ~* '{AWARE}' AS aware, txt::timestamp AS wall
            FROM unnest($1::text[], $2::text[]) AS u(k, txt)),
         e AS (
            SELECT s.*,
                   ((wall - interval '24 hours') AT TIME ZONE $3::text) + interval '24 hours' AS before,
                   ((wall + interval '24 hours') AT TIME ZONE $3::text) - interval '24 hours' AS after
            FROM s),
         x AS (
            SELECT k, txt, CASE
                WHEN txt IS NULL THEN $4::text::timestamptz
                WHEN aware THEN txt::timestamptz
                WHEN before <> after AND (before AT TIME ZONE $3::text) = wall
                                     AND (after AT TIME ZONE $3::text) = wall
                    THEN CASE $5::text WHEN 'earlier' THEN before WHEN 'later' THEN after END
                ELSE wall AT TIME ZONE $3::text END AS expected
            FROM e),
         j AS (
            SELECT x.k, x.txt, x.expected, t.{col} AS actual
            FROM x JOIN {table} t ON t.{key}::text = x.k
            WHERE NOT ($6::bool AND t.{col} IS NULL))
         SELECT count(*)::int8,
                count(*) FILTER (WHERE actual IS DISTINCT FROM expected)::int8,
                coalesce((array_agg(k || ': ' || coalesce(quote_literal(txt), 'NULL') || ' should be '
                                      || coalesce(expected::text, 'NULL') || ', is ' || coalesce(actual::text, 'NULL')
                                    ORDER BY k) FILTER (WHERE actual IS DISTINCT FROM expected))[1:3], '{{}}')
         FROM j",
        table = qualified(schema, table),
        key = quote_ident(key),
        col = quote_ident(column),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(c: &mut postgres::Client, texts: &[Option<&str>], fold: &str) -> Tally {
        let keys: Vec<String> = (1..=texts.len()).map(|i| i.to_string()).collect();
        let texts: Vec<Option<String>> = texts.iter().map(|t| t.map(String::from)).collect();
        let zone = "Europe/Berlin".to_string();
        let filled: Option<String> = None;
        let fold = fold.to_string();
        let nulls = false;
        let params: [&(dyn postgres::types::ToSql + Sync); 6] =
            [&keys, &texts, &zone, &filled, &fold, &nulls];
        let mut tally = Tally {
            checked: 0,
            not_text: 0,
            columns: 1,
            skipped: vec![],
            problems: vec![],
        };
        compare_batch(
            c,
            &comparison_sql("public", "t", "id", "ts"),
            &params,
            "t.ts",
            &mut tally,
        )
        .unwrap();
        tally
    }

    #[test]
    fn values_that_differ_from_postgresqls_reading_are_named() {
        let db = ferry_testkit::TestDb::new();
        let mut c = db.client();
        c.batch_execute(
            "CREATE TABLE t (id bigint PRIMARY KEY, ts timestamptz);
             INSERT INTO t VALUES (1, '2025-03-30 01:30:00+00'), (2, '2025-10-26 00:30:00+00'),
                                  (3, '2025-11-18 14:30:45+00'), (4, '2025-01-01 00:00:00+00'),
                                  (5, NULL);
             BEGIN",
        )
        .unwrap();
        let texts = [
            Some("2025-03-30 02:30:00"),       // gap: the offset before the jump
            Some("2025-10-26 02:30:00"),       // fold: earlier = 00:30Z
            Some("2025-11-18T15:30:45+01:00"), // aware
            Some("2025-01-01 00:00:00"),       // naive Berlin = 2024-12-31 23:00Z, not what t holds
            None,
        ];
        let tally = run(&mut c, &texts, "earlier");
        assert_eq!(tally.checked, 5);
        assert_eq!(tally.problems.len(), 1, "{:?}", tally.problems);
        assert!(
            tally.problems[0].contains("1 value(s)")
                && tally.problems[0].contains("4: '2025-01-01 00:00:00'"),
            "{:?}",
            tally.problems
        );

        // With "later" the fold row is wrong too.
        let tally = run(&mut c, &texts, "later");
        assert!(
            tally.problems[0].contains("2 value(s)"),
            "{:?}",
            tally.problems
        );

        // Text PostgreSQL refuses fails the check, not the transaction.
        let tally = run(&mut c, &[Some("not a time")], "earlier");
        assert!(
            tally.problems[0].contains("could not read"),
            "{:?}",
            tally.problems
        );
        let still: i64 = c.query_one("SELECT count(*) FROM t", &[]).unwrap().get(0);
        assert_eq!(still, 5);
    }
}
