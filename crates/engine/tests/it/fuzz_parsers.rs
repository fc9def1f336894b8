//! Bounded-time fuzzing of the parsers that read what users and apps wrote: timestamps,
//! dates and times (`temporal`), SQLite declared types (`parse_declared_type`) and
//! PostgreSQL type names (`parse_pg_type`).
//!
//! Coverage-less: inputs are random bytes, random ASCII, and mutations (flips, inserts of
//! meaningful characters, deletions, splices, repeats) of a seed corpus of valid spellings.
//! Each input must not panic, and whatever a parser accepts must survive its way back:
//! a parsed timestamp formats to text that parses to the same value; a type renders to the
//! SQLite declaration (and `pg:` hint) Ferry writes, which reads back as the same type.
//!
//! Runs `FERRY_FUZZ_SECONDS` per target (default 2, so the suite stays quick); a failure
//! prints the input and the seed (`FERRY_FUZZ_SEED` replays it). A longer soak and the
//! coverage-guided cargo-fuzz targets are described in docs/faults.md.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use ferry_engine::catalog::ColumnType;
use ferry_engine::sqlite::types::{parse_declared_type, parse_pg_type, pg_hint_text};
use ferry_engine::temporal::{
    format_date, format_time, format_timestamp, format_timestamptz, parse_date, parse_time,
    parse_timestamp, DAY_MICROS,
};

/// xorshift64*: fast, and a seed replays a run exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn budget() -> Duration {
    let seconds = std::env::var("FERRY_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(2.0);
    Duration::from_secs_f64(seconds)
}

fn seed() -> u64 {
    std::env::var("FERRY_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        })
}

/// One new input: random bytes, random printable text, or a mutated corpus entry.
fn input(rng: &mut Rng, corpus: &[&str], alphabet: &[u8]) -> Vec<u8> {
    match rng.below(10) {
        0 => (0..rng.below(24)).map(|_| rng.next() as u8).collect(),
        1 => (0..rng.below(24))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect(),
        _ => {
            let mut bytes = corpus[rng.below(corpus.len())].as_bytes().to_vec();
            for _ in 0..1 + rng.below(4) {
                mutate(rng, &mut bytes, corpus, alphabet);
            }
            bytes
        }
    }
}

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, corpus: &[&str], alphabet: &[u8]) {
    let at = rng.below(bytes.len() + 1);
    match rng.below(7) {
        0 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            bytes[i] ^= 1 << rng.below(8);
        }
        1 => bytes.insert(at, alphabet[rng.below(alphabet.len())]),
        2 if at < bytes.len() => {
            let end = (at + 1 + rng.below(4)).min(bytes.len());
            bytes.drain(at..end);
        }
        3 => {
            let other = corpus[rng.below(corpus.len())].as_bytes();
            let from = rng.below(other.len());
            bytes.splice(at..at, other[from..].iter().copied());
        }
        4 if at < bytes.len() => {
            let chunk: Vec<u8> = bytes[at..(at + 1 + rng.below(6)).min(bytes.len())].to_vec();
            bytes.splice(at..at, chunk);
        }
        5 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            bytes[i] = b"0123456789"[rng.below(10)];
        }
        _ => bytes.truncate(at),
    }
}

/// Runs `check` on fresh inputs until the time budget is spent; returns the count.
fn fuzz(
    name: &str,
    corpus: &[&str],
    alphabet: &[u8],
    check: impl Fn(&str) -> Result<(), String>,
) -> u64 {
    let seed = seed();
    let mut rng = Rng(seed);
    let started = Instant::now();
    let budget = budget();
    let mut runs = 0u64;
    // Every corpus entry first, as written.
    let mut pending: Vec<Vec<u8>> = corpus.iter().map(|s| s.as_bytes().to_vec()).collect();
    while started.elapsed() < budget || !pending.is_empty() {
        let bytes = pending
            .pop()
            .unwrap_or_else(|| input(&mut rng, corpus, alphabet));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&text)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(why)) => panic!("{name}: input {text:?} (FERRY_FUZZ_SEED={seed}): {why}"),
            Err(_) => panic!("{name}: input {text:?} panicked (FERRY_FUZZ_SEED={seed})"),
        }
        runs += 1;
    }
    eprintln!(
        "{name}: {runs} inputs in {:.1} s (FERRY_FUZZ_SEED={seed})",
        started.elapsed().as_secs_f64()
    );
    runs
}

const TEMPORAL_CORPUS: &[&str] = &[
    "2025-11-18 15:30:45",
    "2025-11-18T14:30:45Z",
    "2025-11-18T15:30:45.123+01:00",
    "2025-11-18 15:30:45.123456-08",
    "2025-11-18T15:30:45+0530",
    "2025-11-18 15:30",
    "2025-11-18",
    "0001-01-01 00:00:00 BC",
    "4714-11-24 00:00:00 BC",
    "294276-12-31 23:59:59.999999",
    "5874897-12-31",
    "1970-01-01 00:00:00.0000001",
    "2024-02-29 24:00:00",
    "infinity",
    "-infinity",
    "15:30:45",
    "24:00:00",
    "23:59:59.999999",
    "00:00",
];

const TEMPORAL_ALPHABET: &[u8] = b"0123456789-:.+TZ BCADbcinfty \t";

fn check_temporal(text: &str) -> Result<(), String> {
    if let Ok(p) = parse_timestamp(text) {
        let wall = format_timestamp(p.wall_micros);
        match parse_timestamp(&wall) {
            Ok(q) if q.wall_micros == p.wall_micros && q.offset_seconds.is_none() => {}
            other => {
                return Err(format!(
                    "timestamp {p:?} formats as {wall:?}, which reads as {other:?}"
                ))
            }
        }
        if let Some(offset) = p.offset_seconds {
            if let Ok(instant) = p.instant(offset) {
                let utc = format_timestamptz(instant);
                match parse_timestamp(&utc) {
                    Ok(q) if q.offset_seconds == Some(0) && q.wall_micros == instant => {}
                    other => {
                        return Err(format!(
                            "instant {instant} formats as {utc:?}, which reads as {other:?}"
                        ))
                    }
                }
            }
        }
    }
    if let Ok(days) = parse_date(text) {
        let back = format_date(days);
        if parse_date(&back) != Ok(days) {
            return Err(format!(
                "date {days} formats as {back:?}, which reads as {:?}",
                parse_date(&back)
            ));
        }
    }
    if let Ok(micros) = parse_time(text) {
        if !(0..=DAY_MICROS).contains(&micros) {
            return Err(format!("time {micros} µs is outside a day"));
        }
        let back = format_time(micros);
        if parse_time(&back) != Ok(micros) {
            return Err(format!(
                "time {micros} formats as {back:?}, which reads as {:?}",
                parse_time(&back)
            ));
        }
    }
    Ok(())
}

#[test]
fn fuzz_temporal_parsers() {
    let runs = fuzz(
        "temporal",
        TEMPORAL_CORPUS,
        TEMPORAL_ALPHABET,
        check_temporal,
    );
    assert!(runs >= TEMPORAL_CORPUS.len() as u64);
}

const TYPE_CORPUS: &[&str] = &[
    "INTEGER",
    "INT",
    "BIGINT",
    "UNSIGNED BIG INT",
    "SMALLINT",
    "TINYINT",
    "REAL",
    "DOUBLE PRECISION",
    "FLOAT4",
    "NUMERIC(10,2)",
    "DECIMAL(18, 6)",
    "NUMERIC_TEXT(30,10)",
    "numeric",
    "VARCHAR(255)",
    "CHARACTER VARYING(20)",
    "NCHAR(55)",
    "bpchar(3)",
    "TEXT",
    "CLOB",
    "BLOB",
    "BOOLEAN",
    "DATE",
    "TIME",
    "DATETIME",
    "TIMESTAMP WITHOUT TIME ZONE",
    "TIMESTAMPTZ",
    "timestamp with time zone",
    "JSON",
    "JSONB",
    "UUID",
    "INTEGER[]",
    "text[][]",
    "interval",
    "inet",
    "money",
    "tsvector",
    "int4range",
    "bit varying(8)",
    "enum mood('happy','sad')",
    "enum status('it''s','a,b','')[]",
    "",
];

const TYPE_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzINTEGRCHA()[],' 0123456789_";

/// A type read back the way introspection reads a column Ferry wrote: the `pg:` hint when
/// there is one, else the declared type.
fn through_sqlite_ddl(ty: &ColumnType) -> Option<ColumnType> {
    let (declared, hint) = ferry_engine::sqlite::ddl::declared_type(ty);
    match hint {
        Some(h) => parse_pg_type(&h),
        None => Some(parse_declared_type(&declared)),
    }
}

/// Types Ferry would really hold: what PostgreSQL's introspection can produce. A declared
/// type like `VARCHAR(0)` parses, but no PostgreSQL column has it.
fn realistic(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Varchar { max_len: Some(n) } | ColumnType::Char { len: n } => *n >= 1,
        ColumnType::Numeric {
            precision: Some(p),
            scale,
        } => *p >= 1 && *p <= 1000 && scale.is_none_or(|s| s <= *p),
        ColumnType::Numeric {
            precision: None,
            scale: Some(_),
        } => false,
        ColumnType::Array { element } => {
            realistic(element) && !matches!(**element, ColumnType::Array { .. })
        }
        ColumnType::Enum { name, labels } => {
            !name.is_empty() && !labels.is_empty() && !name.contains(['(', '\'', '[', ']'])
        }
        ColumnType::Opaque { name } => {
            !name.is_empty()
                && !name.contains(['[', ']', '\'', '/', '*'])
                && !name.starts_with("enum ")
        }
        // SQLite's untyped column has no PostgreSQL counterpart to come back from.
        ColumnType::Any => false,
        _ => true,
    }
}

fn check_types(text: &str) -> Result<(), String> {
    let declared = parse_declared_type(text);
    let hinted = parse_pg_type(text);
    for ty in [Some(declared), hinted].into_iter().flatten() {
        if !realistic(&ty) {
            continue;
        }
        let hint = pg_hint_text(&ty);
        if parse_pg_type(&hint).as_ref() != Some(&ty) {
            return Err(format!(
                "{ty:?} has the hint {hint:?}, which reads as {:?}",
                parse_pg_type(&hint)
            ));
        }
        let back = through_sqlite_ddl(&ty);
        if back.as_ref() != Some(&ty) {
            return Err(format!(
                "{ty:?} is declared in SQLite as {:?}, which reads back as {back:?}",
                ferry_engine::sqlite::ddl::declared_type(&ty)
            ));
        }
    }
    Ok(())
}

#[test]
fn fuzz_type_parsers() {
    let runs = fuzz("types", TYPE_CORPUS, TYPE_ALPHABET, check_types);
    assert!(runs >= TYPE_CORPUS.len() as u64);
}
