//! Where a database is: a SQLite path (`app.db`, `sqlite:app.db`, `sqlite:///abs/app.db`) or a
//! PostgreSQL connection (libpq URL or key=value string, completed from `PG*` variables and
//! `~/.pgpass`). Every display of a location masks its password.
//!
//! Parsing happens in two steps so each can be tested alone: [`conninfo`] reads what was typed
//! into `(key, value)` pairs; [`resolve`] fills in what is missing the way libpq does — the
//! `PG*` variables, then `~/.pgpass` for the password, then built-in defaults. The environment
//! is read through a lookup closure so tests never touch the process environment.

mod conninfo;
mod mask;
mod pgpass;

pub use mask::mask_secrets;

use std::path::{Path, PathBuf};

use crate::{Error, Result};

#[derive(Debug, Clone)]
pub enum Location {
    Sqlite {
        path: PathBuf,
    },
    Postgres(PgLocation),
    /// A bundle folder (`bundle:./export`, or a folder holding `manifest.json`).
    Bundle {
        dir: PathBuf,
    },
}

/// A resolved PostgreSQL connection target.
#[derive(Debug, Clone)]
pub struct PgLocation {
    /// A host name or IP address, or — starting with `/` — a Unix socket directory.
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub database: String,
    pub sslmode: SslMode,
    /// `sslrootcert` for verify-ca / verify-full.
    pub ssl_root_cert: Option<PathBuf>,
    pub application_name: Option<String>,
    /// `None`: Ferry's default (10 s); `Some(0)`: wait forever (libpq's meaning of 0).
    pub connect_timeout_secs: Option<u64>,
    /// Other `options` passed through (e.g. `-c search_path=…`).
    pub options: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    /// libpq's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn parse(value: &str, source: &str) -> Result<SslMode> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            "allow" => {
                return Err(Error::bad_input(format!(
                    "{source}=allow is not supported; use prefer or require"
                )))
            }
            other => {
                return Err(Error::bad_input(format!(
                    "unknown {source} \"{other}\" (use disable, prefer, require, verify-ca or verify-full)"
                )))
            }
        })
    }
}

pub const DEFAULT_PORT: u16 = 5432;
/// Debian's (and most Linux packages') socket directory.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

impl Location {
    /// Parses what a user typed.
    ///
    /// # Errors
    /// `BadInput` naming what is wrong (unknown scheme, bad port, unknown sslmode, …).
    pub fn parse(text: &str) -> Result<Location> {
        Self::parse_with_warnings(text).map(|(location, _)| location)
    }

    /// Like [`Location::parse`], also returning warnings worth showing (e.g. a `~/.pgpass`
    /// that was ignored because others can read it).
    ///
    /// # Errors
    /// As [`Location::parse`].
    pub fn parse_with_warnings(text: &str) -> Result<(Location, Vec<String>)> {
        parse_with(text, &Env::process())
    }

    /// A string safe to show or log: the password replaced by `***`.
    pub fn display(&self) -> String {
        match self {
            // A mistyped URL without its scheme (`user:pw@host/db`) reads as a file path:
            // shown masked like any other text that may hold a password.
            Location::Sqlite { path } => mask_secrets(&format!("sqlite:{}", path.display())),
            Location::Postgres(pg) => pg.display(),
            Location::Bundle { dir } => mask_secrets(&format!("bundle:{}", dir.display())),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Location::Sqlite { .. })
    }
}

impl PgLocation {
    /// Whether `host` names a Unix socket directory rather than a network host.
    pub fn is_unix_socket(&self) -> bool {
        self.host.starts_with('/')
    }

    /// `postgres://user:***@host:5432/db?sslmode=require`: the password masked, only the
    /// parameters that differ from the defaults shown.
    pub fn display(&self) -> String {
        let mut out = format!("postgres://{}", conninfo::encode(&self.user));
        if self.password.is_some() {
            out.push_str(":***");
        }
        out.push('@');
        let mut params = Vec::new();
        if self.is_unix_socket() {
            params.push(format!("host={}", self.host));
            if self.port != DEFAULT_PORT {
                params.push(format!("port={}", self.port));
            }
        } else if self.host.contains(':') {
            out.push_str(&format!("[{}]:{}", self.host, self.port));
        } else {
            out.push_str(&format!("{}:{}", self.host, self.port));
        }
        out.push('/');
        out.push_str(&conninfo::encode(&self.database));
        if self.sslmode != SslMode::Prefer {
            params.push(format!("sslmode={}", self.sslmode.as_str()));
        }
        if let Some(cert) = &self.ssl_root_cert {
            params.push(format!("sslrootcert={}", cert.display()));
        }
        if let Some(name) = &self.application_name {
            params.push(format!("application_name={}", conninfo::encode(name)));
        }
        if let Some(secs) = self.connect_timeout_secs {
            params.push(format!("connect_timeout={secs}"));
        }
        if let Some(options) = &self.options {
            params.push(format!("options={}", conninfo::encode(options)));
        }
        if !params.is_empty() {
            out.push('?');
            out.push_str(&params.join("&"));
        }
        // The user name and options are shown; a password pasted into them is still hidden.
        mask_secrets(&out)
    }
}

/// The outside world as parsing sees it: environment variables (plus `USER` from the
/// password database when unset) and whether a path exists.
pub(crate) struct Env<'a> {
    pub var: &'a dyn Fn(&str) -> Option<String>,
    pub exists: &'a dyn Fn(&Path) -> bool,
}

impl Env<'static> {
    fn process() -> Env<'static> {
        Env {
            var: &process_var,
            exists: &|p: &Path| p.exists(),
        }
    }
}

fn process_var(name: &str) -> Option<String> {
    let value = std::env::var(name).ok().filter(|v| !v.is_empty());
    if value.is_none() && name == "USER" {
        return std::env::var("LOGNAME")
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(os_user_from_passwd);
    }
    value
}

/// The name of the process's user from `/etc/passwd` (what libpq gets from `getpwuid`), for
/// when `$USER` and `$LOGNAME` are unset, as under many service managers and containers.
fn os_user_from_passwd() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
        let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
        passwd.lines().find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            (fields.nth(1)? == uid).then(|| name.to_string())
        })
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// [`Location::parse_with_warnings`] with the environment supplied.
pub(crate) fn parse_with(text: &str, env: &Env<'_>) -> Result<(Location, Vec<String>)> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::bad_input(
            "no database location given (a SQLite file path or a postgres:// URL)",
        ));
    }
    let masked = || mask_secrets(trimmed);
    let params = if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        conninfo::parse_url(trimmed)
    } else if let Some(path) = trimmed.strip_prefix("sqlite:") {
        return sqlite_location(path, &masked());
    } else if let Some(dir) = trimmed.strip_prefix("bundle:") {
        let dir = dir.strip_prefix("//").unwrap_or(dir);
        if dir.is_empty() {
            return Err(Error::bad_input(format!("no folder in \"{}\"", masked())));
        }
        return Ok((
            Location::Bundle {
                dir: PathBuf::from(dir),
            },
            Vec::new(),
        ));
    } else if let Some((scheme, _)) = trimmed.split_once("://").filter(|(s, _)| is_scheme(s)) {
        return Err(Error::bad_input(format!(
            "unknown kind of database location \"{}\" (use a SQLite path, sqlite:path, or postgres://…); {scheme}:// is not supported",
            masked()
        )));
    } else if ["postgres:", "postgresql:"]
        .iter()
        .any(|p| trimmed.starts_with(p))
    {
        return Err(Error::bad_input(format!(
            "\"{}\" is not a PostgreSQL URL: it starts with postgres://",
            masked()
        )));
    } else if conninfo::looks_like_key_value(trimmed) {
        conninfo::parse_key_value(trimmed)
    } else if is_bundle_dir(Path::new(trimmed)) {
        return Ok((
            Location::Bundle {
                dir: PathBuf::from(trimmed),
            },
            Vec::new(),
        ));
    } else {
        return Ok((
            Location::Sqlite {
                path: PathBuf::from(trimmed),
            },
            Vec::new(),
        ));
    };
    let mut warnings = Vec::new();
    let pg = resolve(&params?, env, &mut warnings)?;
    Ok((Location::Postgres(pg), warnings))
}

fn is_scheme(s: &str) -> bool {
    s.len() > 1
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
}

/// `sqlite:path`, `sqlite://relative/path`, `sqlite:///abs/path`.
fn sqlite_location(rest: &str, whole: &str) -> Result<(Location, Vec<String>)> {
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.is_empty() {
        return Err(Error::bad_input(format!("no file path in \"{whole}\"")));
    }
    Ok((
        Location::Sqlite {
            path: PathBuf::from(path),
        },
        Vec::new(),
    ))
}

/// Completes parsed parameters like libpq: given value, else `PG*` variable, else default;
/// the password from `~/.pgpass` when neither the input nor `PGPASSWORD` has one.
fn resolve(
    params: &conninfo::Params,
    env: &Env<'_>,
    warnings: &mut Vec<String>,
) -> Result<PgLocation> {
    // The last occurrence wins (a URL's query overrides its path, as in libpq).
    let given = |key: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let get = |key: &str, var: &str| -> Option<(String, String)> {
        given(key)
            .map(|v| (v, key.to_string()))
            .or_else(|| (env.var)(var).map(|v| (v, var.to_string())))
    };

    let port = match get("port", "PGPORT") {
        Some((text, source)) => parse_port(&text, &source)?,
        None => DEFAULT_PORT,
    };
    let host = match get("host", "PGHOST").filter(|(h, _)| !h.is_empty()) {
        Some((host, _)) if host.contains(',') => return Err(conninfo::several_hosts(&host)),
        Some((host, _)) => host,
        None => default_host(port, env),
    };
    let user = match get("user", "PGUSER").filter(|(u, _)| !u.is_empty()) {
        Some((user, _)) => user,
        None => (env.var)("USER").ok_or_else(|| {
            Error::bad_input(
                "no user name given and the OS user is unknown; add user=… to the connection",
            )
        })?,
    };
    let database = get("dbname", "PGDATABASE")
        .map(|(d, _)| d)
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| user.clone());
    let sslmode = match get("sslmode", "PGSSLMODE") {
        Some((mode, source)) => SslMode::parse(&mode, &source)?,
        None => SslMode::Prefer,
    };
    let ssl_root_cert = get("sslrootcert", "PGSSLROOTCERT").map(|(c, _)| PathBuf::from(c));
    let application_name = get("application_name", "PGAPPNAME")
        .map(|(a, _)| a)
        .or_else(|| given("fallback_application_name"));
    let connect_timeout_secs = match get("connect_timeout", "PGCONNECT_TIMEOUT") {
        Some((text, source)) => Some(text.trim().parse::<u64>().map_err(|_| {
            Error::bad_input(format!("{source} \"{text}\" is not a number of seconds"))
        })?),
        None => None,
    };
    let options = given("options").or_else(|| (env.var)("PGOPTIONS"));

    let mut password = get("password", "PGPASSWORD").map(|(p, _)| p);
    if password.is_none() {
        let file = (env.var)("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| (env.var)("HOME").map(|h| Path::new(&h).join(".pgpass")));
        if let Some(file) = file {
            let target = pgpass::Target {
                host: &host,
                port,
                database: &database,
                user: &user,
            };
            password = pgpass::lookup(&file, &target, warnings);
        }
    }

    Ok(PgLocation {
        host,
        port,
        user,
        password,
        database,
        sslmode,
        ssl_root_cert,
        application_name,
        connect_timeout_secs,
        options,
    })
}

fn parse_port(text: &str, source: &str) -> Result<u16> {
    if text.contains(',') {
        return Err(Error::bad_input(format!(
            "several ports given ({text}); Ferry connects to one host and port"
        )));
    }
    match text.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        // Only a number is echoed: in a URL cut before its `@host`, the password stands where
        // the port would (`postgres://user:secret`).
        _ if text.trim().bytes().all(|b| b.is_ascii_digit()) => Err(Error::bad_input(format!(
            "bad {source} \"{text}\": a port is a number from 1 to 65535"
        ))),
        _ => Err(Error::bad_input(format!(
            "bad {source}: a port is a number from 1 to 65535, and this one has other characters (a URL cut before its \"@host\" reads the password as the port)"
        ))),
    }
}

/// libpq's default: the local socket when there is one for this port, else TCP to localhost.
fn default_host(port: u16, env: &Env<'_>) -> String {
    let socket = Path::new(DEFAULT_SOCKET_DIR).join(format!(".s.PGSQL.{port}"));
    if (env.exists)(&socket) {
        DEFAULT_SOCKET_DIR.to_string()
    } else {
        "localhost".to_string()
    }
}

#[cfg(test)]
mod tests;

/// The file that makes a folder a bundle (`bundle::manifest` writes and checks it).
pub const BUNDLE_MANIFEST: &str = "manifest.json";

/// Whether `path` looks like a bundle folder (it holds a `manifest.json`).
pub fn is_bundle_dir(path: &Path) -> bool {
    path.is_dir() && path.join(BUNDLE_MANIFEST).is_file()
}
