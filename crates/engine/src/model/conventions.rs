//! Storage conventions: how a value is *written* into a SQLite column, per framework, as data.
//!
//! The type mapping says what a column *is*; a convention says in which text form a SQLite
//! file holds it, because an app's framework reads and, worse, *looks up* values in its own
//! form only (Django binds a UUID as 32 hex digits in every filter, so a hyphenated one is
//! never found again; an exact datetime filter compares text). [`CONVENTIONS`] is the one
//! table: `ferry mapping` prints it, the README's "Frameworks" section is kept equal to it by a
//! test, and the planner chooses one per run ([`Convention::detect`] from the bookkeeping
//! table, or `--conventions NAME`). Each rule cites its source; `docs/frameworks.md` has the
//! research (verified against Django 5.2 and SQLAlchemy 2.0 here, read in the others' code).
//!
//! Rules every convention shares, so they are not columns of the table: a JSON document is
//! always TEXT (never left to a NUMERIC affinity, which would turn the document `42` into an
//! INTEGER no framework parses as JSON); booleans are INTEGER 1/0 (Django, SQLAlchemy, Rails
//! ≥ 6, Prisma and Laravel all bind them so); a date is `YYYY-MM-DD`; decimals are stored as
//! the column's affinity makes them (REAL/INTEGER when exact, see `convert::to_sqlite`).

use crate::model::options::OptionName;
use serde::Serialize;

/// A named storage convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// Ferry's own: ISO-8601 with the offset, hyphenated UUIDs (what Ferry has always written).
    #[default]
    Ferry,
    Django,
    Sqlalchemy,
    Rails,
    Prisma,
    Laravel,
}

/// How the fraction of a second is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fraction {
    /// As many digits as needed, trailing zeros trimmed, none when zero (`.5`, `.000123`).
    Trimmed,
    /// Six digits, only when the microseconds are not zero (Python's `str(datetime)`).
    SixWhenNonZero,
    /// Always six digits (`.000000`).
    AlwaysSix,
    /// Always three digits; a value with sub-millisecond digits cannot be written.
    AlwaysThree,
    /// Whole seconds only; a value with a fraction cannot be written.
    None,
}

/// How the instant of a timestamptz is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// `+00:00` after the time.
    Offset,
    /// `Z` after the time.
    Z,
    /// Nothing: the text is the UTC wall clock, and the app knows it is UTC.
    NaiveUtc,
}

/// How a UUID is written into a text column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UuidForm {
    /// `5e1b9849-3929-4d8e-949c-af844b1a5516`.
    Hyphenated,
    /// `5e1b984939294d8e949caf844b1a5516`, into a column declared `char(32)`.
    Hex32,
    /// The 16 bytes as a BLOB (only when a column's existing rows hold them so).
    Blob16,
}

/// How a boolean is written. Every convention writes INTEGER 1/0; the text forms exist for
/// columns whose existing rows hold them (Rails ≤ 5.1 wrote `'t'`/`'f'`, rails/rails#29699).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoolForm {
    /// INTEGER `1` / `0`.
    Integer,
    /// TEXT `'t'` / `'f'`.
    TextTf,
    /// TEXT `'true'` / `'false'`.
    TextTrueFalse,
}

/// How a duration (PostgreSQL `interval`) is held in SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationForm {
    /// PostgreSQL's interval text (`3 days 04:05:06`), in a column declared `INTERVAL`.
    PgText,
    /// INTEGER microseconds, in a `bigint` column (Django's DurationField).
    Micros,
}

/// The write rules of one convention: what the SQLite writer and the planner consult.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Storage {
    pub convention: Convention,
    /// Between the date and the time.
    pub separator: char,
    pub fraction: Fraction,
    pub zone: Zone,
    /// The fraction rule of a time of day.
    pub time_fraction: Fraction,
    /// A time of day is written as a datetime on this dummy date (Rails: `2000-01-01`).
    pub time_on_date: Option<&'static str>,
    pub uuid: UuidForm,
    pub duration: DurationForm,
    pub boolean: BoolForm,
}

impl Default for Storage {
    fn default() -> Self {
        FERRY
    }
}

/// Ferry's own storage (the first row of [`CONVENTIONS`]): what [`crate::convert::to_sqlite`]
/// writes without a convention. A constant, so "is this Ferry's own form?" is a plain compare
/// in the copy's hot path.
pub const FERRY: Storage = Storage {
    convention: Convention::Ferry,
    separator: ' ',
    fraction: Fraction::Trimmed,
    zone: Zone::Offset,
    time_fraction: Fraction::Trimmed,
    time_on_date: None,
    uuid: UuidForm::Hyphenated,
    duration: DurationForm::PgText,
    boolean: BoolForm::Integer,
};

/// One row of the conventions table, with where each rule comes from.
#[derive(Debug, Clone, Copy)]
pub struct ConventionRow {
    pub storage: Storage,
    /// The framework's bookkeeping table(s) that identify it in a schema.
    pub detected_by: &'static str,
    /// Where the rules come from.
    pub source: &'static str,
}

/// Every convention, in the order `ferry mapping` and the README print them.
pub const CONVENTIONS: &[ConventionRow] = &[
    ConventionRow {
        // Ferry's own form (DESIGN.md, "Default type mapping"): ISO-8601 text in UTC with the
        // offset, the shortest exact fraction; canonical hyphenated UUIDs; interval text.
        storage: FERRY,
        detected_by: "(no framework found)",
        source: "DESIGN.md, Default type mapping",
    },
    ConventionRow {
        // django/db/backends/sqlite3/operations.py `adapt_datetimefield_value`: with USE_TZ
        // the value is made naive in UTC, then `str(value)` (space, six digits only when
        // microsecond != 0); `adapt_timefield_value` likewise. `UUIDField.get_db_prep_value`
        // (django/db/models/fields/__init__.py): `value.hex` on a backend without a native
        // uuid, into `char(32)`. DurationField: `bigint` microseconds (base.py data_types,
        // `duration_microseconds`).
        storage: Storage {
            convention: Convention::Django,
            separator: ' ',
            fraction: Fraction::SixWhenNonZero,
            zone: Zone::NaiveUtc,
            time_fraction: Fraction::SixWhenNonZero,
            time_on_date: None,
            uuid: UuidForm::Hex32,
            duration: DurationForm::Micros,
            boolean: BoolForm::Integer,
        },
        detected_by: "django_migrations",
        source: "django/db/backends/sqlite3/operations.py, base.py; UUIDField.get_db_prep_value",
    },
    ConventionRow {
        // sqlalchemy/dialects/sqlite/base.py `DATETIME._storage_format`
        // "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
        // (naive: a timezone is dropped, so apps write UTC), `TIME._storage_format` likewise;
        // `sqlalchemy.Uuid` on SQLite is CHAR(32) holding `value.hex`.
        storage: Storage {
            convention: Convention::Sqlalchemy,
            separator: ' ',
            fraction: Fraction::AlwaysSix,
            zone: Zone::NaiveUtc,
            time_fraction: Fraction::AlwaysSix,
            time_on_date: None,
            uuid: UuidForm::Hex32,
            duration: DurationForm::PgText,
            boolean: BoolForm::Integer,
        },
        detected_by: "alembic_version",
        source: "sqlalchemy/dialects/sqlite/base.py DATETIME/TIME._storage_format; sqltypes.Uuid",
    },
    ConventionRow {
        // activerecord/lib/active_record/connection_adapters/abstract/quoting.rb `quoted_date`:
        // `getutc` (default_timezone :utc), `to_fs(:db)`, then ".%06d" usec only when usec > 0.
        // sqlite3/quoting.rb `quoted_time`: a time of day on the dummy date 2000-01-01.
        // No uuid type in the sqlite3 adapter: apps write `SecureRandom.uuid` (hyphenated).
        storage: Storage {
            convention: Convention::Rails,
            separator: ' ',
            fraction: Fraction::SixWhenNonZero,
            zone: Zone::NaiveUtc,
            time_fraction: Fraction::SixWhenNonZero,
            time_on_date: Some("2000-01-01"),
            uuid: UuidForm::Hyphenated,
            duration: DurationForm::PgText,
            boolean: BoolForm::Integer,
        },
        detected_by: "schema_migrations + ar_internal_metadata",
        source: "activerecord connection_adapters/abstract/quoting.rb quoted_date; sqlite3/quoting.rb",
    },
    ConventionRow {
        // prisma/docs#7187: driver adapters store DateTime as ISO 8601 text (UTC, `Z`,
        // milliseconds: prisma-engines#5571 "format dates with Z"), which every Prisma version
        // reads (prisma-engines#1564); the ms integers of the native driver (Prisma ≤ 6) are
        // read on the way in. `@default(uuid())` ids are hyphenated text.
        storage: Storage {
            convention: Convention::Prisma,
            separator: 'T',
            fraction: Fraction::AlwaysThree,
            zone: Zone::Z,
            time_fraction: Fraction::AlwaysThree,
            time_on_date: None,
            uuid: UuidForm::Hyphenated,
            duration: DurationForm::PgText,
            boolean: BoolForm::Integer,
        },
        detected_by: "_prisma_migrations",
        source: "prisma/docs#7187, prisma-engines#5571, prisma-engines#1564",
    },
    ConventionRow {
        // Illuminate\Database\Connection::prepareBindings: DateTimeInterface →
        // format(getDateFormat()) = 'Y-m-d H:i:s' (no fraction), in the app's zone (UTC by
        // default); HasUuids writes `Str::orderedUuid()` (hyphenated) into `varchar`.
        storage: Storage {
            convention: Convention::Laravel,
            separator: ' ',
            fraction: Fraction::None,
            zone: Zone::NaiveUtc,
            time_fraction: Fraction::None,
            time_on_date: None,
            uuid: UuidForm::Hyphenated,
            duration: DurationForm::PgText,
            boolean: BoolForm::Integer,
        },
        detected_by: "migrations (columns migration, batch)",
        source: "laravel/framework Database/Connection.php prepareBindings; Query/Grammars/Grammar.php getDateFormat",
    },
];

impl Convention {
    pub const ALL: &'static [Convention] = &[
        Convention::Ferry,
        Convention::Django,
        Convention::Sqlalchemy,
        Convention::Rails,
        Convention::Prisma,
        Convention::Laravel,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Convention::Ferry => "ferry",
            Convention::Django => "django",
            Convention::Sqlalchemy => "sqlalchemy",
            Convention::Rails => "rails",
            Convention::Prisma => "prisma",
            Convention::Laravel => "laravel",
        }
    }

    /// The row of [`CONVENTIONS`] for this convention.
    pub fn row(self) -> &'static ConventionRow {
        CONVENTIONS
            .iter()
            .find(|r| r.storage.convention == self)
            .unwrap_or(&CONVENTIONS[0])
    }

    pub fn storage(self) -> Storage {
        self.row().storage
    }

    /// Parses a `--conventions` value.
    ///
    /// # Errors
    /// `BadInput` naming the known conventions.
    pub fn parse(text: &str) -> crate::Result<Convention> {
        let t = text.trim().to_ascii_lowercase();
        let t = match t.as_str() {
            "alembic" => "sqlalchemy",
            "activerecord" => "rails",
            "eloquent" => "laravel",
            other => other,
        };
        Convention::ALL
            .iter()
            .copied()
            .find(|c| c.name() == t)
            .ok_or_else(|| {
                let names: Vec<&str> = Convention::ALL.iter().map(|c| c.name()).collect();
                crate::Error::bad_option(
                    OptionName::Conventions,
                    format!(
                        "{} {text}: unknown convention; choose one of {}",
                        OptionName::Conventions.mention(),
                        names.join(", ")
                    ),
                )
            })
    }

    /// The framework whose bookkeeping table `catalog` has, with the table(s) that said so.
    /// Django's `django_migrations` is the most specific, Laravel's bare `migrations` (with
    /// its `migration` and `batch` columns) the least.
    pub fn detect(catalog: &crate::model::catalog::Catalog) -> Option<(Convention, String)> {
        let has = |name: &str| catalog.table(name).is_some();
        if has("django_migrations") {
            return Some((Convention::Django, "table django_migrations".into()));
        }
        if has("alembic_version") {
            return Some((Convention::Sqlalchemy, "table alembic_version".into()));
        }
        if has("schema_migrations") && has("ar_internal_metadata") {
            return Some((
                Convention::Rails,
                "tables schema_migrations and ar_internal_metadata".into(),
            ));
        }
        if has("_prisma_migrations") {
            return Some((Convention::Prisma, "table _prisma_migrations".into()));
        }
        if let Some(t) = catalog.table("migrations") {
            if t.column("migration").is_some() && t.column("batch").is_some() {
                return Some((
                    Convention::Laravel,
                    "table migrations (migration, batch)".into(),
                ));
            }
        }
        None
    }
}

impl Convention {
    /// The framework a schema's *declared types and table shapes* show, when its bookkeeping
    /// table is missing (excluded from a dump, dropped by hand). Only strong evidence counts:
    /// tables and declared types that framework's own migrations create and nothing else
    /// names so; a schema that merely looks similar gets `None` (Ferry's own form).
    pub fn guess_from_declared_types(
        catalog: &crate::model::catalog::Catalog,
    ) -> Option<(Convention, String)> {
        let table_with = |name: &str, cols: &[&str]| {
            catalog
                .table(name)
                .is_some_and(|t| cols.iter().all(|c| t.column(c).is_some()))
        };
        let declared = |ty: &str| {
            catalog.tables.iter().any(|t| {
                t.columns
                    .iter()
                    .any(|c| c.declared_type.eq_ignore_ascii_case(ty))
            })
        };
        // django/contrib/contenttypes/migrations/0001_initial.py creates django_content_type
        // (app_label, model); contrib.auth's 0001 auth_permission (content_type_id, codename),
        // contrib.sessions' 0001 django_session (session_key, session_data, expire_date).
        // Two of them together are Django's and no one else's.
        if table_with("django_content_type", &["app_label", "model"])
            && (table_with("auth_permission", &["content_type_id", "codename"])
                || table_with("django_session", &["session_key", "session_data"]))
        {
            return Some((
                Convention::Django,
                "Django's own tables django_content_type and auth_permission or django_session (no django_migrations)".into(),
            ));
        }
        // Rails ≥ 7: schema_migrations ("version" varchar NOT NULL PRIMARY KEY) and
        // `t.timestamps` as `datetime(6)` (sqlite3_adapter.rb NATIVE_DATABASE_TYPES datetime
        // with precision 6 by default; public db/structure.sql dumps show both).
        if table_with("schema_migrations", &["version"])
            && catalog
                .table("schema_migrations")
                .is_some_and(|t| t.columns.len() == 1)
            && declared("datetime(6)")
        {
            return Some((
                Convention::Rails,
                "Rails' one-column schema_migrations and datetime(6) columns (no ar_internal_metadata)".into(),
            ));
        }
        // Laravel ≥ 11's default migrations (0001_01_01_000000_create_users_table.php) create
        // password_reset_tokens and sessions (payload, last_activity); its SQLiteGrammar
        // declares booleans `tinyint(1)` (typeBoolean).
        if table_with("password_reset_tokens", &["email", "token"])
            && table_with("sessions", &["payload", "last_activity"])
            && declared("tinyint(1)")
        {
            return Some((
                Convention::Laravel,
                "Laravel's password_reset_tokens and sessions tables and tinyint(1) booleans (no migrations table)".into(),
            ));
        }
        None
    }
}

impl std::fmt::Display for Convention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Fraction {
    /// The fraction text for `micros` (0..1_000_000), or `None` when this rule cannot write it.
    pub fn render(self, micros: i64) -> Option<String> {
        match self {
            Fraction::Trimmed if micros == 0 => Some(String::new()),
            Fraction::Trimmed => Some(format!(".{micros:06}").trim_end_matches('0').to_string()),
            Fraction::SixWhenNonZero if micros == 0 => Some(String::new()),
            Fraction::SixWhenNonZero | Fraction::AlwaysSix => Some(format!(".{micros:06}")),
            Fraction::AlwaysThree if micros % 1000 == 0 => Some(format!(".{:03}", micros / 1000)),
            Fraction::None if micros == 0 => Some(String::new()),
            Fraction::AlwaysThree | Fraction::None => None,
        }
    }

    /// In words, for the table.
    pub fn describe(self) -> &'static str {
        match self {
            Fraction::Trimmed => "shortest exact",
            Fraction::SixWhenNonZero => "6 digits when not zero",
            Fraction::AlwaysSix => "always 6 digits",
            Fraction::AlwaysThree => "milliseconds only",
            Fraction::None => "whole seconds only",
        }
    }
}

impl Storage {
    /// The datetime form in words: `YYYY-MM-DD HH:MM:SS[.ffffff]`-style, for the table.
    pub fn datetime_pattern(&self) -> String {
        let frac = match self.fraction {
            Fraction::Trimmed => "[.f…]",
            Fraction::SixWhenNonZero => "[.ffffff]",
            Fraction::AlwaysSix => ".ffffff",
            Fraction::AlwaysThree => ".fff",
            Fraction::None => "",
        };
        let zone = match self.zone {
            Zone::Offset => "+00:00",
            Zone::Z => "Z",
            Zone::NaiveUtc => " (naive UTC)",
        };
        format!("YYYY-MM-DD{}HH:MM:SS{frac}{zone}", self.separator)
    }

    /// The time-of-day form in words.
    pub fn time_pattern(&self) -> String {
        let frac = match self.time_fraction {
            Fraction::Trimmed => "[.f…]",
            Fraction::SixWhenNonZero => "[.ffffff]",
            Fraction::AlwaysSix => ".ffffff",
            Fraction::AlwaysThree => ".fff",
            Fraction::None => "",
        };
        match self.time_on_date {
            Some(date) => format!("{date} HH:MM:SS{frac}"),
            None => format!("HH:MM:SS{frac}"),
        }
    }

    pub fn uuid_pattern(&self) -> &'static str {
        match self.uuid {
            UuidForm::Hyphenated => "hyphenated",
            UuidForm::Hex32 => "32 hex digits in char(32), else hyphenated",
            UuidForm::Blob16 => "16 bytes",
        }
    }

    pub fn duration_pattern(&self) -> &'static str {
        match self.duration {
            DurationForm::PgText => "interval text",
            DurationForm::Micros => "integer microseconds in bigint",
        }
    }
}

/// The conventions table as Markdown, exactly as the README's "Frameworks" section has it
/// (a test keeps the two equal) and `ferry mapping` prints it.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| convention | detected by | datetime | time | uuid | duration | boolean | json | source |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in CONVENTIONS {
        let s = &r.storage;
        out.push_str(&format!(
            "| {} | {} | `{}` | `{}` | {} | {} | 1/0 | TEXT | {} |\n",
            s.convention,
            r.detected_by,
            s.datetime_pattern(),
            s.time_pattern(),
            s.uuid_pattern(),
            s.duration_pattern(),
            r.source
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_convention_has_one_row_and_parses_by_name() {
        for c in Convention::ALL {
            assert_eq!(
                CONVENTIONS
                    .iter()
                    .filter(|r| r.storage.convention == *c)
                    .count(),
                1
            );
            assert_eq!(Convention::parse(c.name()).unwrap(), *c);
            assert_eq!(c.storage(), c.row().storage);
        }
        assert_eq!(
            Convention::parse("symfony").unwrap_err().to_string(),
            "--conventions symfony: unknown convention; choose one of ferry, django, sqlalchemy, rails, prisma, laravel"
        );
    }

    #[test]
    fn fractions_render_or_refuse() {
        assert_eq!(Fraction::SixWhenNonZero.render(0).unwrap(), "");
        assert_eq!(Fraction::SixWhenNonZero.render(120).unwrap(), ".000120");
        assert_eq!(Fraction::AlwaysSix.render(0).unwrap(), ".000000");
        assert_eq!(Fraction::Trimmed.render(500_000).unwrap(), ".5");
        assert_eq!(Fraction::AlwaysThree.render(123_000).unwrap(), ".123");
        assert_eq!(Fraction::AlwaysThree.render(123_456), None);
        assert_eq!(Fraction::None.render(1), None);
    }
}
