//! What the page asks for, and its translation into the engine's [`Options`] — in one place.
//!
//! The page sends a [`RunRequest`] (JSON) to `plan` and `start_run`. Every field has a
//! default, so the page only sends what the person chose; a later job (Promote, Extract)
//! adds a variant to [`Job`] and its own fields without touching the others. The mapping
//! mirrors the CLI's `RunArgs::to_options`: the app adds no engine semantics of its own.

use std::path::PathBuf;

use ferry_engine::conventions::Convention;
use ferry_engine::finding::Policy;
use ferry_engine::options::values;
use ferry_engine::options::ExtractOptions;
use ferry_engine::options::Job as EngineJob;
use ferry_engine::options::{BackupChoice, ColumnRef, ColumnSetting};
use ferry_engine::options::{HashScheme, PromoteOptions, TargetProfile, UsersNames};
use ferry_engine::temporal::{DstPolicy, EpochUnit};
use ferry_engine::{Error, Location, Options};
use serde::{Deserialize, Serialize};

/// Where a database is, as the page's form describes it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LocationRequest {
    /// A SQLite file: picked with "Browse…" or pasted.
    Sqlite { path: String },
    /// A PostgreSQL URL or libpq key=value string, as pasted.
    PostgresUrl { url: String },
    /// The PostgreSQL form's separate fields; empty fields fall back to libpq's defaults
    /// (`PG*` variables, `~/.pgpass`), exactly as they would in a URL.
    PostgresFields(PgFields),
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct PgFields {
    pub host: String,
    pub port: String,
    pub database: String,
    pub user: String,
    /// Never stored or echoed back; see `recent.rs`.
    #[serde(skip_serializing)]
    pub password: String,
    pub sslmode: String,
}

impl LocationRequest {
    /// # Errors
    /// `BadInput` for an empty path or URL, or what the engine says about the text.
    pub fn to_location(&self) -> Result<Location, Error> {
        match self {
            LocationRequest::Sqlite { path } => {
                let path = path.trim();
                if path.is_empty() {
                    return Err(Error::bad_input(
                        "choose a SQLite file: click Browse… or paste its path",
                    ));
                }
                // Built directly rather than parsed: a file name may contain '=' or start
                // with "postgres", and it is a path whatever it looks like.
                Ok(Location::Sqlite {
                    path: PathBuf::from(path.strip_prefix("sqlite:").unwrap_or(path)),
                })
            }
            LocationRequest::PostgresUrl { url } => {
                if url.trim().is_empty() {
                    return Err(Error::bad_input(
                        "enter a PostgreSQL URL (postgres://user@host/database)",
                    ));
                }
                Location::parse(url.trim())
            }
            LocationRequest::PostgresFields(fields) => {
                let conninfo = fields.to_conninfo();
                if conninfo.is_empty() {
                    return Err(Error::bad_input(
                        "fill in the PostgreSQL fields: at least host and database",
                    ));
                }
                Location::parse(&conninfo)
            }
        }
    }
}

impl PgFields {
    /// A libpq key=value string: every value single-quoted with `\` and `'` escaped, so
    /// spaces and quotes in a password survive. Empty fields are left out.
    pub fn to_conninfo(&self) -> String {
        let pairs = [
            ("host", &self.host),
            ("port", &self.port),
            ("dbname", &self.database),
            ("user", &self.user),
            ("password", &self.password),
            ("sslmode", &self.sslmode),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| {
                // A password is taken as typed; other fields lose stray spaces.
                let v = if *k == "password" {
                    v.as_str()
                } else {
                    v.trim()
                };
                format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The job the person picked on the Job step.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Copy every row of the chosen tables (either direction, any schema).
    #[default]
    Copy,
    /// Single-user SQLite → multi-user PostgreSQL: users table, admin, owner columns.
    Promote,
    /// One user's data, PostgreSQL → single-user SQLite.
    Extract,
}

/// The Promote form (what the CLI's `--promote` flags take).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct PromoteRequest {
    pub admin_email: String,
    /// Empty: the engine's default (`admin`).
    pub admin_username: String,
    /// The engine's own choice (`bcrypt`, `argon2id`), deserialized as the engine spells it.
    pub password_hash: HashScheme,
    pub fill_updated_at: bool,
    /// Empty: detected (or `users`).
    pub users_table: String,
    /// Tables the person switched to Shared on the Review step (the CLI's `--shared`).
    pub shared_tables: Vec<String>,
    pub keep_global_uniques: bool,
    pub row_level_security: bool,
    /// `plain` or `supabase`, as the engine spells it.
    pub profile: TargetProfile,
}

/// The Extract form (what the CLI's `--extract-user` flags take).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ExtractRequest {
    pub email: String,
    /// Empty: the first table named like a users table with an email column.
    pub users_table: String,
    /// `TABLE.COLUMN`s holding the owner's id that no foreign key declares.
    pub owner_columns: Vec<String>,
}

/// A choice for one column, as the page sends it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ColumnChoice {
    pub table: String,
    pub column: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum BackupRequest {
    /// Back up an existing SQLite target beside it (the engine's default).
    #[default]
    Default,
    /// The person knowingly opted out ("I have my own backup").
    Skip,
}

/// Everything a run is asked to do.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct RunRequest {
    pub source: LocationRequest,
    pub target: LocationRequest,
    pub job: Job,
    /// Read only when `job` is Promote.
    pub promote: PromoteRequest,
    /// Read only when `job` is Extract.
    pub extract: ExtractRequest,
    /// PostgreSQL schema to read from or write to.
    pub schema: String,
    pub into_existing: bool,
    pub append: bool,
    /// The Job step's "Storage convention": empty or `auto` detects it (the CLI without
    /// `--conventions`), otherwise a name the engine knows (`django`, `rails`, …).
    pub conventions: String,
    /// The Job step's "Replace the rows of these tables" (the CLI's `--replace`).
    pub replace: Vec<String>,
    /// Source tables the person unticked on the Review step.
    pub exclude: Vec<String>,
    /// IANA zone of naive timestamps that become timestamptz.
    pub source_timezone: String,
    pub dst: DstPolicy,
    /// `value`: `seconds` or `milliseconds`.
    pub epochs: Vec<ColumnChoice>,
    /// `value`: `null`, `skip`, `text` (what the CLI's `--on-bad-value T.C=…` takes).
    pub policies: Vec<ColumnChoice>,
    /// `value`: a PostgreSQL type name (what the CLI's `--type T.C=…` takes).
    pub type_overrides: Vec<ColumnChoice>,
    pub dry_run: bool,
    pub backup: BackupRequest,
}

impl Default for RunRequest {
    fn default() -> Self {
        let empty = LocationRequest::Sqlite {
            path: String::new(),
        };
        RunRequest {
            source: empty.clone(),
            target: empty,
            job: Job::Copy,
            promote: PromoteRequest::default(),
            extract: ExtractRequest::default(),
            schema: "public".into(),
            into_existing: false,
            append: false,
            conventions: String::new(),
            replace: vec![],
            exclude: vec![],
            source_timezone: "UTC".into(),
            dst: DstPolicy::default(),
            epochs: vec![],
            policies: vec![],
            type_overrides: vec![],
            dry_run: false,
            backup: BackupRequest::Default,
        }
    }
}

impl RunRequest {
    /// The engine's options for this request.
    ///
    /// # Errors
    /// `BadInput` naming the field that is wrong.
    pub fn to_options(&self) -> Result<Options, Error> {
        let source = self.source.to_location()?;
        let target = self.target.to_location()?;
        let mut options = Options::new(source, target);
        let schema = self.schema.trim();
        options.pg_schema = if schema.is_empty() { "public" } else { schema }.to_string();
        options.into_existing = self.into_existing;
        options.append = self.into_existing && self.append;
        options.exclude = self.exclude.clone();
        options.conventions = parse_conventions(&self.conventions)?;
        // Like the CLI's `--replace` (which requires `--into-existing`): the engine says
        // what is wrong with a name, naming the page's field.
        options.replace = self.replace.iter().filter_map(|t| given(t)).collect();
        options.source_timezone = parse_zone(&self.source_timezone)?;
        options.dst = self.dst;
        options.epoch_columns = settings(&self.epochs, parse_epoch)?;
        options.column_policies = settings(&self.policies, parse_policy)?;
        options.type_overrides = settings(&self.type_overrides, parse_type_name)?;
        options.dry_run = self.dry_run;
        options.backup = match self.backup {
            BackupRequest::Default => BackupChoice::Default,
            BackupRequest::Skip => BackupChoice::Skip,
        };
        options.job = match self.job {
            Job::Copy => EngineJob::Copy,
            Job::Promote => EngineJob::Promote(self.promote.to_engine()?),
            Job::Extract => EngineJob::Extract(self.extract.to_engine()?),
        };
        Ok(options)
    }
}

/// Empty text means "not given", as an absent CLI flag would.
fn given(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

impl PromoteRequest {
    /// Mirrors the CLI's `PromoteArgs::apply`.
    fn to_engine(&self) -> Result<PromoteOptions, Error> {
        let email = self.admin_email.trim();
        if email.is_empty() {
            return Err(Error::bad_input(
                "enter the admin's email address: Promote creates that account",
            ));
        }
        let mut p = PromoteOptions::new(email);
        p.admin_username = given(&self.admin_username);
        p.password_hash = self.password_hash;
        p.fill_updated_at = self.fill_updated_at;
        p.users = UsersNames {
            table: given(&self.users_table),
            ..UsersNames::default()
        };
        p.shared_tables = self.shared_tables.iter().filter_map(|t| given(t)).collect();
        p.keep_global_uniques = self.keep_global_uniques;
        p.row_level_security = self.row_level_security;
        p.profile = self.profile;
        Ok(p)
    }
}

impl ExtractRequest {
    /// Mirrors the CLI's `ExtractArgs::apply`.
    fn to_engine(&self) -> Result<ExtractOptions, Error> {
        if self.email.trim().is_empty() {
            return Err(Error::bad_input(
                "choose the user whose data to extract from the list",
            ));
        }
        self.to_options()
    }

    /// The engine's options, the email possibly still empty (listing the users needs the
    /// rest of the form, not a user).
    ///
    /// # Errors
    /// `BadInput` for an owner column that is not TABLE.COLUMN.
    pub fn to_options(&self) -> Result<ExtractOptions, Error> {
        let owner_columns = self
            .owner_columns
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| {
                ColumnRef::parse(c.trim())
                    .map_err(|e| Error::bad_input(format!("owner column {c}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ExtractOptions {
            email: self.email.trim().to_string(),
            users_table: given(&self.users_table),
            owner_columns,
            bundle: None,
        })
    }
}

/// `auto` (or nothing) leaves the convention to the engine's detection.
fn parse_conventions(text: &str) -> Result<Option<Convention>, Error> {
    match text.trim() {
        "" | "auto" => Ok(None),
        name => Convention::parse(name).map(Some),
    }
}

/// An empty field means UTC (the form's default); the name itself is the engine's to judge.
fn parse_zone(text: &str) -> Result<chrono_tz::Tz, Error> {
    if text.trim().is_empty() {
        return Ok(chrono_tz::UTC);
    }
    values::parse_zone(text).map_err(Error::bad_input)
}

// The spellings of each choice are the engine's (`options::values`): the same as the CLI's.
fn parse_epoch(text: &str) -> Option<EpochUnit> {
    text.parse().ok()
}

fn parse_policy(text: &str) -> Option<Policy> {
    text.parse().ok()
}

/// Only emptiness is judged here; the planner knows the type names and says which it does
/// not.
fn parse_type_name(text: &str) -> Option<String> {
    values::parse_type_name(text).ok()
}

fn settings<T>(
    choices: &[ColumnChoice],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<ColumnSetting<T>>, Error> {
    choices
        .iter()
        .map(|c| {
            let value = parse(&c.value).ok_or_else(|| {
                Error::bad_input(format!(
                    "'{}' is not a valid choice for {}.{}",
                    c.value, c.table, c.column
                ))
            })?;
            Ok(ColumnSetting {
                column: ColumnRef {
                    table: c.table.clone(),
                    column: c.column.clone(),
                },
                value,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_engine::temporal::{FoldPolicy, GapPolicy};

    fn parse(json: &str) -> RunRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_minimal_request_gets_the_cli_defaults() {
        let r = parse(
            r#"{"source":{"kind":"sqlite","path":"/tmp/a.db"},
                "target":{"kind":"postgres_url","url":"postgres://u:pw@db.example:6432/app"}}"#,
        );
        let o = r.to_options().unwrap();
        assert!(
            matches!(&o.source, Location::Sqlite { path } if path == &PathBuf::from("/tmp/a.db"))
        );
        let Location::Postgres(pg) = &o.target else {
            panic!("target is not PostgreSQL")
        };
        assert_eq!(
            (pg.host.as_str(), pg.port, pg.database.as_str()),
            ("db.example", 6432, "app")
        );
        assert_eq!(o.pg_schema, "public");
        assert_eq!(o.source_timezone, chrono_tz::UTC);
        assert_eq!(o.default_policy, Policy::Stop);
        assert!(o.column_policies.is_empty() && o.exclude.is_empty() && !o.dry_run);
        assert!(matches!(o.backup, BackupChoice::Default));
    }

    #[test]
    fn choices_become_engine_settings() {
        let r = parse(
            r#"{"source":{"kind":"sqlite","path":"sqlite:/tmp/a=b.db"},
                "target":{"kind":"sqlite","path":"/tmp/out.db"},
                "schema":" ","exclude":["logs"],"source_timezone":"Europe/Paris",
                "dst":{"gap":"shift_forward","fold":"later"},
                "epochs":[{"table":"tasks","column":"due","value":"milliseconds"}],
                "policies":[{"table":"tasks","column":"done","value":"null"},
                            {"table":"t","column":"c","value":"skip"}],
                "type_overrides":[{"table":"t","column":"c","value":" numeric(12,2) "}],
                "dry_run":true,"backup":"skip","append":true}"#,
        );
        let o = r.to_options().unwrap();
        assert!(
            matches!(&o.source, Location::Sqlite { path } if path == &PathBuf::from("/tmp/a=b.db"))
        );
        assert_eq!(o.pg_schema, "public");
        assert_eq!(o.exclude, ["logs"]);
        assert_eq!(o.source_timezone, chrono_tz::Europe::Paris);
        assert_eq!(
            (o.dst.gap, o.dst.fold),
            (GapPolicy::ShiftForward, FoldPolicy::Later)
        );
        assert_eq!(o.epoch_columns[0].value, EpochUnit::Milliseconds);
        assert_eq!(o.policy_for("tasks", "done"), Policy::Null);
        assert_eq!(o.policy_for("t", "c"), Policy::SkipRow);
        assert_eq!(o.policy_for("t", "other"), Policy::Stop);
        assert_eq!(o.type_overrides[0].value, "numeric(12,2)");
        assert!(o.dry_run && matches!(o.backup, BackupChoice::Skip));
        assert!(!o.append, "append only makes sense with into_existing");
    }

    #[test]
    fn bad_input_names_the_field() {
        let mut r = RunRequest::default();
        let e = r.to_options().unwrap_err().to_string();
        assert!(e.contains("Browse"), "{e}");
        r.source = LocationRequest::Sqlite {
            path: "/a.db".into(),
        };
        r.target = LocationRequest::Sqlite {
            path: "/b.db".into(),
        };
        r.source_timezone = "Mars/Olympus".into();
        assert!(r
            .to_options()
            .unwrap_err()
            .to_string()
            .contains("Mars/Olympus"));
        r.source_timezone = "UTC".into();
        r.policies = vec![ColumnChoice {
            table: "t".into(),
            column: "c".into(),
            value: "explode".into(),
        }];
        assert!(r.to_options().unwrap_err().to_string().contains("t.c"));
    }

    #[test]
    fn promote_fields_become_the_engine_job() {
        let r = parse(
            r#"{"source":{"kind":"sqlite","path":"/a.db"},
                "target":{"kind":"postgres_url","url":"postgres://u@h/app"},
                "job":"promote","source_timezone":"Europe/Paris",
                "promote":{"admin_email":" ops@example.com ","admin_username":"",
                           "password_hash":"argon2id","fill_updated_at":true,
                           "users_table":"accounts","shared_tables":["categories"," "],
                           "keep_global_uniques":true,"row_level_security":true,
                           "profile":"supabase"},
                "into_existing":true}"#,
        );
        let o = r.to_options().unwrap();
        let EngineJob::Promote(p) = &o.job else {
            panic!("not Promote: {:?}", o.job)
        };
        assert_eq!(p.admin_email, "ops@example.com");
        assert_eq!(p.admin_username, None, "empty means the engine's default");
        assert_eq!(p.password_hash, HashScheme::Argon2id);
        assert!(p.fill_updated_at);
        assert_eq!(p.users.table.as_deref(), Some("accounts"));
        assert_eq!(p.owner_column, "user_id");
        assert_eq!(p.shared_tables, ["categories"], "blank names are dropped");
        assert!(p.keep_global_uniques && p.row_level_security);
        assert_eq!(p.profile, TargetProfile::Supabase);
        assert!(!p.distribute, "the app does not offer Citus");
        assert!(o.into_existing);
        assert_eq!(o.source_timezone, chrono_tz::Europe::Paris);

        let mut r = r;
        r.promote.admin_email = "  ".into();
        let e = r.to_options().unwrap_err().to_string();
        assert!(e.contains("admin's email"), "{e}");
    }

    #[test]
    fn extract_fields_become_the_engine_job() {
        let mut r = parse(
            r#"{"source":{"kind":"postgres_url","url":"postgres://u@h/app"},
                "target":{"kind":"sqlite","path":"/alice.db"},
                "job":"extract",
                "extract":{"email":"alice@example.com","users_table":" ",
                           "owner_columns":["notes.author_id",""]},
                "promote":{"admin_email":"ignored@example.com"}}"#,
        );
        let o = r.to_options().unwrap();
        let EngineJob::Extract(x) = &o.job else {
            panic!("not Extract: {:?}", o.job)
        };
        assert_eq!(x.email, "alice@example.com");
        assert_eq!(x.users_table, None);
        assert_eq!(
            x.owner_columns,
            [ColumnRef {
                table: "notes".into(),
                column: "author_id".into()
            }]
        );
        assert!(x.bundle.is_none());

        r.extract.owner_columns = vec!["no_dot".into()];
        assert!(r.to_options().unwrap_err().to_string().contains("no_dot"));
        r.extract = ExtractRequest::default();
        assert!(r
            .to_options()
            .unwrap_err()
            .to_string()
            .contains("choose the user"));
        r.job = Job::Copy;
        assert!(matches!(r.to_options().unwrap().job, EngineJob::Copy));
    }

    #[test]
    fn the_storage_convention_and_replaced_tables_reach_the_engine() {
        let mut r = parse(
            r#"{"source":{"kind":"sqlite","path":"/a.db"},
                "target":{"kind":"postgres_url","url":"postgres://u@h/app"},
                "into_existing":true,"conventions":"django",
                "replace":[" shop_category ",""]}"#,
        );
        let o = r.to_options().unwrap();
        assert_eq!(o.conventions, Some(Convention::Django));
        assert_eq!(o.replace, ["shop_category"], "trimmed, blanks dropped");
        r.conventions = "auto".into();
        assert_eq!(r.to_options().unwrap().conventions, None, "auto detects");
        r.conventions = "cobol".into();
        let e = r.to_options().unwrap_err().to_string();
        assert!(e.contains("cobol") && e.contains("django"), "{e}");
    }

    #[test]
    fn pg_fields_quote_what_libpq_would_misread() {
        let fields = PgFields {
            host: " db.example ".into(),
            port: "5433".into(),
            database: "my app".into(),
            user: "o'brien".into(),
            password: "p w\\'x".into(),
            sslmode: "require".into(),
        };
        let Location::Postgres(pg) = LocationRequest::PostgresFields(fields)
            .to_location()
            .unwrap()
        else {
            panic!("not PostgreSQL")
        };
        assert_eq!(pg.host, "db.example");
        assert_eq!(pg.port, 5433);
        assert_eq!(pg.database, "my app");
        assert_eq!(pg.user, "o'brien");
        assert_eq!(pg.password.as_deref(), Some("p w\\'x"));
        assert_eq!(pg.sslmode.as_str(), "require");
    }
}
