//! The differential fuzzer at the schema level (issue 11): random schemas ([`gen`]: types,
//! keys, FKs, defaults, CHECKs, hostile names) with random edge-value rows go PostgreSQL →
//! SQLite → PostgreSQL and SQLite → PostgreSQL → SQLite through the engine, against the real
//! server. Every outcome must be one of two:
//! - an **exact round trip**, judged by independent SQL, not Ferry's verifier: PostgreSQL's own
//!   column types, constraint definitions and md5 of every row's text form
//!   (`common::pg_snapshot`); SQLite's own `quote()` of every value (`common::sqlite_fingerprint`);
//! - a **refusal before writing**: the run stopped no later than the preflight, and the target
//!   holds nothing (no relation or type in the PostgreSQL database; no file in the folder).
//!
//! Anything else (a late failure, a failed verification, a round trip that changed something,
//! a refusal that wrote) is a failure, listed by class with the seed and schema of its first
//! case. Bounded in time: `FERRY_FUZZ_SECONDS` (default 40); reproducible: `FERRY_FUZZ_SEED`
//! starts the seeds there, `FERRY_FUZZ_CASES` stops after that many cases. The soak command is
//! in docs/faults.md.

mod gen;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::*;
use ferry_engine::{Phase, RunError};
use gen::Rng;

enum Outcome {
    Exact,
    Refused(String),
    /// The generated script did not load into its own database (a generator limit).
    Invalid(String),
    Failed(String),
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn random_schemas_round_trip_exactly_or_are_refused_before_writing() {
    let budget = Duration::from_secs(env_u64("FERRY_FUZZ_SECONDS").unwrap_or(40));
    let max_cases = env_u64("FERRY_FUZZ_CASES").unwrap_or(u64::MAX);
    let first_seed = env_u64("FERRY_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            * 1000
    });
    let started = Instant::now();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures: BTreeMap<String, (u64, String, usize)> = BTreeMap::new();
    let mut invalid: BTreeMap<String, u64> = BTreeMap::new();
    let mut seed = first_seed;
    while started.elapsed() < budget && seed - first_seed < max_cases {
        // Even seeds start in PostgreSQL, odd ones in SQLite.
        let from_pg = seed.is_multiple_of(2);
        let mut rng = Rng::new(seed);
        let sql = if from_pg {
            gen::pg_schema(&mut rng)
        } else {
            gen::sqlite_schema(&mut rng)
        };
        let outcome = if from_pg {
            pg_round_trip(&sql)
        } else {
            sqlite_round_trip(&sql)
        };
        let dir = if from_pg {
            "pg→sqlite→pg"
        } else {
            "sqlite→pg→sqlite"
        };
        let label = match &outcome {
            Outcome::Exact => format!("{dir}: exact round trip"),
            Outcome::Refused(kind) => format!("{dir}: refused before writing: {kind}"),
            Outcome::Invalid(kind) => {
                invalid.entry(kind.clone()).or_insert(seed);
                format!("{dir}: generator made an invalid script: {kind}")
            }
            Outcome::Failed(class) => {
                let e = failures
                    .entry(format!("{dir}: {class}"))
                    .or_insert((seed, sql.clone(), 0));
                e.2 += 1;
                format!("{dir}: FAILED: {class}")
            }
        };
        *counts.entry(label).or_default() += 1;
        seed += 1;
    }
    let total: usize = counts.values().sum();
    eprintln!(
        "schema fuzzer: {total} cases in {:.0} s, seeds {first_seed}..{seed}",
        started.elapsed().as_secs_f64()
    );
    for (label, n) in &counts {
        eprintln!("  {n:>5}  {label}");
    }
    for (kind, seed) in &invalid {
        eprintln!("  invalid script (a generator limit, not Ferry's): {kind}: seed {seed}");
    }
    if !failures.is_empty() {
        let mut text = String::new();
        for (class, (seed, sql, n)) in &failures {
            text.push_str(&format!(
                "\n=== {class} ({n} case(s)); first seed {seed} (rerun: FERRY_FUZZ_SEED={seed} FERRY_FUZZ_CASES=1)\n{sql}\n"
            ));
        }
        panic!("the schema fuzzer found outcomes that are neither an exact round trip nor a refusal before writing:{text}");
    }
}

/// A class name for a message: its words without the case's own names, paths and numbers.
fn kind_of(message: &str) -> String {
    let words: Vec<String> = message
        .split_whitespace()
        // Paths, quoted names and `table.column` belong to the case, not to the class.
        .filter(|w| !w.contains('/') && !w.contains('"') && !w.contains('.'))
        .take(9)
        .map(|w| {
            w.chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect()
        })
        .collect();
    words.join(" ")
}

/// Whether the run stopped before its first write (its last phase is the preflight or earlier).
fn stopped_before_writing(e: &RunError) -> bool {
    e.report.phases.last().is_none_or(|p| {
        matches!(
            p.phase,
            Phase::Connect | Phase::Introspect | Phase::Plan | Phase::Preflight
        )
    })
}

/// What a refused run means: a refusal when it stopped in time and wrote nothing.
fn refusal(e: &RunError, leg: &str, wrote_nothing: bool) -> Outcome {
    let kind = kind_of(&e.error.to_string());
    if !stopped_before_writing(e) {
        let phase = e
            .report
            .phases
            .last()
            .map(|p| p.phase.label())
            .unwrap_or("?");
        return Outcome::Failed(format!("{leg}: fails late, in phase {phase}: {kind}"));
    }
    if !wrote_nothing {
        return Outcome::Failed(format!("{leg}: refused but wrote: {kind}"));
    }
    Outcome::Refused(format!("{leg}: {kind}"))
}

/// Nothing in the database's public schema: no relation, no type.
fn pg_is_empty(db: &TestDb) -> bool {
    let row = db
        .client()
        .query_one(
            "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)
                  + (SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace)",
            &[],
        )
        .unwrap();
    row.get::<_, i64>(0) == 0
}

fn folder_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn pg_round_trip(sql: &str) -> Outcome {
    let a = TestDb::new();
    if let Err(e) = a.client().batch_execute(sql) {
        let message = e.as_db_error().map(|d| d.message().to_string());
        return Outcome::Invalid(kind_of(&message.unwrap_or_else(|| e.to_string())));
    }
    let dir = tempfile::tempdir().unwrap();
    let middle = dir.path().join("middle.db");
    if let Err(e) = migrate(&options(pg(&a), sqlite(&middle))) {
        let nothing = folder_entries(dir.path()).is_empty();
        return refusal(&e, "to SQLite", nothing);
    }
    let b = TestDb::new();
    if let Err(e) = migrate(&options(sqlite(&middle), pg(&b))) {
        return refusal(&e, "back to PostgreSQL", pg_is_empty(&b));
    }
    let (mut ca, mut cb) = (a.client(), b.client());
    let (mut sa, mut sb) = (pg_snapshot(&mut ca), pg_snapshot(&mut cb));
    // A constant default compares by its value: `0` and `'0'::numeric` are one default.
    sa.columns = evaluated_defaults(&mut ca, sa.columns);
    sb.columns = evaluated_defaults(&mut cb, sb.columns);
    if sa.columns != sb.columns {
        let diff: Vec<String> = sa
            .columns
            .iter()
            .zip(&sb.columns)
            .filter(|(x, y)| x != y)
            .map(|(x, y)| format!("{} {} → {}", x.2, x.4.as_deref().unwrap_or(""), y.2))
            .take(1)
            .collect();
        return Outcome::Failed(format!(
            "columns differ after the round trip ({})",
            kind_of(&diff.join(""))
        ));
    }
    if sa.constraints != sb.constraints {
        return Outcome::Failed("constraints differ after the round trip".into());
    }
    if sa.content != sb.content {
        return Outcome::Failed("content differs after the round trip".into());
    }
    Outcome::Exact
}

type PgColumn = (String, String, String, bool, Option<String>);

/// Each constant default (no function call) replaced by its value as PostgreSQL prints it.
fn evaluated_defaults(client: &mut postgres::Client, columns: Vec<PgColumn>) -> Vec<PgColumn> {
    columns
        .into_iter()
        .map(|(t, c, ty, nn, default)| {
            let default = default.map(|d| {
                if d.contains('(') {
                    return d;
                }
                client
                    .query_one(&format!("SELECT ({d})::text"), &[])
                    .map(|r| format!("= {}", r.get::<_, String>(0)))
                    .unwrap_or(d)
            });
            (t, c, ty, nn, default)
        })
        .collect()
}

fn sqlite_round_trip(sql: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("original.db");
    {
        let conn = rusqlite::Connection::open(&original).unwrap();
        if let Err(e) = conn.execute_batch(sql) {
            return Outcome::Invalid(kind_of(&e.to_string()));
        }
    }
    let before = sha256(&original);
    let middle = TestDb::new();
    if let Err(e) = migrate(&options(sqlite(&original), pg(&middle))) {
        return refusal(&e, "to PostgreSQL", pg_is_empty(&middle));
    }
    let out = tempfile::tempdir().unwrap();
    let back = out.path().join("back.db");
    if let Err(e) = migrate(&options(pg(&middle), sqlite(&back))) {
        let nothing = folder_entries(out.path()).is_empty();
        return refusal(&e, "back to SQLite", nothing);
    }
    if sha256(&original) != before {
        return Outcome::Failed("the source file changed".into());
    }
    if sqlite_tables(&original) != sqlite_tables(&back) {
        return Outcome::Failed("tables differ after the round trip".into());
    }
    if sqlite_fingerprint(&original) != sqlite_fingerprint(&back) {
        return Outcome::Failed("values differ after the round trip (SQLite quote())".into());
    }
    Outcome::Exact
}
