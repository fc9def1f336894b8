//! The rules every row goes through between SQLite storage and Ferry's typed values.
//!
//! [`from_sqlite`] turns a value as SQLite stored it ([`SqliteValue`]) into the [`Value`] the
//! target column holds; [`to_sqlite`] says how a `Value` is stored in a SQLite file Ferry
//! writes. A value that cannot be carried exactly is a [`Problem`] (the preflight turns it
//! into a finding the user resolves); nothing is rounded, truncated or stringified silently.
//!
//! # Reading SQLite (`from_sqlite`) — exact conversions, everything else refused
//!
//! | target | accepted | refused |
//! |---|---|---|
//! | any | `NULL` → `Null` | |
//! | bool | integer/real `0`, `1`; text `true false t f 0 1` (any case) | other → `not_boolean` |
//! | int (16/32/64) | integer in range; real that is exactly an integer | out of range → `out_of_range`; other → `not_integer` |
//! | float8 | real; integer exactly representable; text `NaN`, `Infinity`, `-Infinity` | inexact integer → `precision_loss`; other text → `type_mismatch` |
//! | float4 | as float8, and the value must be exactly an `f32` | else `not_representable` |
//! | numeric(p,s) | integer; real as its shortest round-trip decimal; decimal text | more fraction digits than `s` → `precision_loss`; more integer digits than `p-s` → `out_of_range` |
//! | text, varchar(n), char(n) | UTF-8 text (no NUL when the target is PostgreSQL), ≤ n chars | `invalid_utf8`, `nul_in_text`, `too_long`; integer/real/blob → `type_mismatch` (`mixed_types` for untyped columns) |
//! | bytea | blob | text → `type_mismatch` |
//! | uuid | text (hyphenated, 32 hex digits, braces; any case); 16-byte blob | `bad_uuid` |
//! | date, time, timestamp | text per [`crate::model::temporal`]; numbers only via a chosen epoch unit | `bad_timestamp`, `epoch_number`; an offset into `timestamp` → `type_mismatch` |
//! | timestamptz | offset text keeps its instant; naive text is resolved in [`ColumnRules::timezone`] with [`ColumnRules::dst`] | `nonexistent_local_time`, `ambiguous_local_time` |
//! | json, jsonb | text that parses (kept verbatim); integer/real → their JSON number | `bad_json` (also a `\u0000` for jsonb); into PostgreSQL jsonb, a document jsonb would not store as written → `jsonb_changes` (duplicate keys at any depth, `1e2`/`1.0e2` that jsonb makes an integer, a negative zero, a number beyond numeric's range) |
//! | arrays | text holding a JSON array (nested = more dimensions, rectangular) | `bad_array`, or the element's problem |
//! | enum | text that is one of the labels | `not_in_enum` |
//! | opaque, untyped | text | other storage classes → `type_mismatch` / `mixed_types` |
//!
//! # Writing SQLite (`to_sqlite`) — the declared types the writer must use
//!
//! bool → INTEGER 0/1; int → INTEGER; float → REAL, except NaN → TEXT `NaN` (SQLite turns a
//! NaN into NULL) and `-0.0`, which SQLite stores as integer 0 and is refused
//! ([`ProblemKind::NegativeZero`]); numeric(p ≤ 15) → INTEGER when integral, else REAL
//! (proven exact), for a column declared `NUMERIC(p,s)`; every other numeric → TEXT, for a
//! column declared `NUMERIC_TEXT(...)` (TEXT affinity); text-like, enum, opaque, uuid (lower
//! case, hyphenated), temporal (see [`crate::model::temporal`]) and json → TEXT; bytea → BLOB;
//! arrays → TEXT holding a JSON array ([`json`] documents the element encoding).
//!
//! Column affinity matters: a type name without INT/CHAR/CLOB/TEXT/BLOB/REAL/FLOA/DOUB has
//! NUMERIC affinity, which turns number-like text into INTEGER/REAL keeping 15 digits. A
//! JSON document that is a bare number is such text, so only a `json`/`jsonb` column
//! declared with TEXT affinity (`JSON_TEXT`, `JSONB_TEXT`) keeps every document; `JSON` and
//! `JSONB` keep all but bare numbers of more than 15 digits. The round-trip tests through a
//! real SQLite file run over both this module's declared types and
//! [`crate::sqlite::ddl::declared_type`]'s, and prove which declarations are safe.

pub mod digest;
pub mod digest_sqlite;
pub mod duration;
mod from_sqlite;
pub mod json;
mod json_canon;
pub mod row;
mod scaled_real;
mod to_sqlite;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use crate::model::finding::ProblemKind;
pub use crate::model::temporal::{DstPolicy, EpochUnit, FoldPolicy, GapPolicy};
pub use crate::model::value::{SqliteValue, Value};
pub use from_sqlite::{from_sqlite, from_sqlite_owned};
pub use json::canonical_json;
pub use json_canon::{canonicalize_into, JsonFacts, JsonbNumber};
pub use to_sqlite::{
    into_sqlite, into_sqlite_as, stored_by_move, survives_affinity, to_sqlite, to_sqlite_as,
};

/// One value that cannot be converted exactly, with a one-sentence reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub detail: String,
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Problem {
            kind,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for Problem {}

impl From<crate::model::temporal::TemporalError> for Problem {
    fn from(e: crate::model::temporal::TemporalError) -> Self {
        use crate::model::temporal::TemporalError as T;
        let kind = match &e {
            T::Invalid(_) => ProblemKind::BadTimestamp,
            T::PrecisionLoss(_) => ProblemKind::PrecisionLoss,
            T::OutOfRange(_) => ProblemKind::OutOfRange,
            T::NonexistentLocalTime(_) => ProblemKind::NonexistentLocalTime,
            T::AmbiguousLocalTime(_) => ProblemKind::AmbiguousLocalTime,
        };
        Problem::new(kind, e.to_string())
    }
}

/// Per-column choices that conversion needs and cannot guess.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRules {
    /// The zone naive timestamps are read in when the target is `timestamptz`.
    pub timezone: chrono_tz::Tz,
    pub dst: DstPolicy,
    /// The unit of epoch numbers in temporal columns; `None` refuses numbers.
    pub epoch: Option<EpochUnit>,
    /// PostgreSQL cannot store NUL in text and has a narrower date range.
    pub target_is_postgres: bool,
    /// How the SQLite side of the column writes and reads its values: the run's storage
    /// convention ([`crate::model::conventions`]).
    pub storage: crate::model::conventions::Storage,
    /// The SQLite target column's declared type has NUMERIC, INTEGER or REAL affinity, which
    /// would turn a number-looking JSON document into a number ([`survives_affinity`]).
    pub numeric_affinity: bool,
}

impl Default for ColumnRules {
    fn default() -> Self {
        ColumnRules {
            timezone: chrono_tz::UTC,
            dst: DstPolicy::default(),
            epoch: None,
            target_is_postgres: true,
            storage: Default::default(),
            numeric_affinity: false,
        }
    }
}

/// A rusqlite value as Ferry reads it: TEXT kept as bytes (SQLite does not enforce UTF-8).
pub fn sqlite_value_from_ref(v: rusqlite::types::ValueRef<'_>) -> SqliteValue {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => SqliteValue::Null,
        ValueRef::Integer(i) => SqliteValue::Integer(i),
        ValueRef::Real(f) => SqliteValue::Real(f),
        ValueRef::Text(t) => SqliteValue::Text(t.to_vec()),
        ValueRef::Blob(b) => SqliteValue::Blob(b.to_vec()),
    }
}
