//! Connecting to PostgreSQL with TLS per `sslmode`, and errors a person can act on.
//!
//! `sslmode` follows libpq: `disable` is plain; `prefer` and `require` encrypt without checking
//! the certificate (`prefer` falls back to plain when the server offers no TLS); `verify-ca`
//! checks the chain (against `sslrootcert`, else the system roots) but not the host name;
//! `verify-full` checks both. Unix sockets never use TLS, as in libpq.
//!
//! `connect_timeout` bounds the whole connection (TCP, TLS, startup, authentication), like
//! libpq, not only the TCP connect as the `postgres` crate does: a server that accepts and
//! never answers would otherwise hang Ferry forever. See [`errors`] for how failures become
//! sentences and [`pooler`] for transaction-mode connection poolers.

mod errors;
mod pooler;

pub use crate::model::error::pg_words::{describe_error, is_connection_error};
pub use pooler::pooler_warning;

use std::sync::mpsc;
use std::time::Duration;

use postgres::config::SslMode as DriverSslMode;
use postgres::NoTls;

use crate::model::location::{PgLocation, SslMode};
use crate::{Error, Result};

/// Ferry's `connect_timeout` when none is given (libpq waits forever; a GUI should not).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// `application_name` when none is given, so DBAs can see Ferry in `pg_stat_activity`.
pub const DEFAULT_APPLICATION_NAME: &str = "ferry";

/// Opens a connection.
///
/// # Errors
/// `Connection` with a cause a person can act on: wrong password, host unreachable, database
/// does not exist, TLS required / not offered, not a PostgreSQL server, timeout.
pub fn connect(location: &PgLocation) -> Result<postgres::Client> {
    let config = driver_config(location);
    let tls = tls_connector(location)?;
    let timeout = connect_timeout(location);
    let attempt = move || match tls {
        Some(tls) => config.connect(tls),
        None => config.connect(NoTls),
    };
    let outcome = match timeout {
        None => attempt(),
        Some(limit) => {
            // The driver cannot be interrupted mid-handshake, so the attempt runs on its own
            // thread; on timeout it is abandoned and ends when the peer closes its socket.
            let (sender, receiver) = mpsc::channel();
            std::thread::Builder::new()
                .name("ferry-pg-connect".into())
                .spawn(move || {
                    let _ = sender.send(attempt());
                })
                .map_err(|e| {
                    connection_error(location, format!("cannot start a thread: {e}"), None)
                })?;
            match receiver.recv_timeout(limit) {
                Ok(outcome) => outcome,
                Err(_) => {
                    return Err(connection_error(
                        location,
                        errors::timeout_message(location, limit),
                        None,
                    ))
                }
            }
        }
    };
    outcome.map_err(|e| {
        let message = errors::connect_failure(location, &e);
        connection_error(location, message, Some(Box::new(e)))
    })
}

/// The `Error::Connection` for `location`, its display masked and its message scrubbed.
pub(crate) fn connection_error(
    location: &PgLocation,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
) -> Error {
    Error::Connection {
        location: location.display(),
        message: crate::model::location::mask_secrets(&message),
        source,
    }
}

fn connect_timeout(location: &PgLocation) -> Option<Duration> {
    match location.connect_timeout_secs {
        None => Some(DEFAULT_CONNECT_TIMEOUT),
        Some(0) => None,
        Some(secs) => Some(Duration::from_secs(secs)),
    }
}

/// Opens a connection of the async driver on a runtime of its own (current-thread; the
/// connection task runs whenever the runtime does), giving up after `limit` — for
/// [`crate::postgres::shared_snapshot`], which then reads on the main connection instead.
///
/// # Errors
/// `Connection`, as [`connect`].
pub(crate) fn connect_async(
    location: &PgLocation,
    limit: Duration,
) -> Result<(tokio::runtime::Runtime, tokio_postgres::Client)> {
    let config = async_config(location);
    let tls = tls_connector(location)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| connection_error(location, format!("cannot start a runtime: {e}"), None))?;
    let connected = runtime.block_on(async {
        let attempt = async {
            match tls {
                Some(tls) => config.connect(tls).await.map(|(client, connection)| {
                    tokio::spawn(connection);
                    client
                }),
                None => config.connect(NoTls).await.map(|(client, connection)| {
                    tokio::spawn(connection);
                    client
                }),
            }
        };
        tokio::time::timeout(limit, attempt).await
    });
    match connected {
        Ok(Ok(client)) => Ok((runtime, client)),
        Ok(Err(e)) => {
            let message = errors::connect_failure(location, &e);
            Err(connection_error(location, message, Some(Box::new(e))))
        }
        Err(_) => Err(connection_error(
            location,
            errors::timeout_message(location, limit),
            None,
        )),
    }
}

/// The driver's configuration: everything but TLS, which [`tls_connector`] supplies.
fn driver_config(location: &PgLocation) -> postgres::Config {
    async_config(location).into()
}

/// [`driver_config`] for the async driver (the sync one's is this one inside).
fn async_config(location: &PgLocation) -> tokio_postgres::Config {
    let mut config = tokio_postgres::Config::new();
    if location.is_unix_socket() {
        config.host_path(&location.host);
    } else {
        config.host(&location.host);
    }
    config
        .port(location.port)
        .user(&location.user)
        .dbname(&location.database)
        .application_name(
            location
                .application_name
                .as_deref()
                .unwrap_or(DEFAULT_APPLICATION_NAME),
        )
        .ssl_mode(driver_ssl_mode(location));
    if let Some(password) = &location.password {
        config.password(password);
    }
    if let Some(options) = &location.options {
        config.options(options);
    }
    if let Some(limit) = connect_timeout(location) {
        config.connect_timeout(limit);
    }
    config
}

fn driver_ssl_mode(location: &PgLocation) -> DriverSslMode {
    if location.is_unix_socket() {
        return DriverSslMode::Disable;
    }
    match location.sslmode {
        SslMode::Disable => DriverSslMode::Disable,
        SslMode::Prefer => DriverSslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => DriverSslMode::Require,
    }
}

/// The TLS connector `sslmode` asks for, or `None` for plain connections.
fn tls_connector(location: &PgLocation) -> Result<Option<postgres_native_tls::MakeTlsConnector>> {
    if driver_ssl_mode(location) == DriverSslMode::Disable {
        return Ok(None);
    }
    let mut builder = native_tls::TlsConnector::builder();
    match location.sslmode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => {
            // libpq: these modes encrypt but do not authenticate the server.
            builder
                .danger_accept_invalid_certs(true)
                .danger_accept_invalid_hostnames(true);
        }
        SslMode::VerifyCa => {
            builder.danger_accept_invalid_hostnames(true);
        }
        SslMode::VerifyFull => {}
    }
    if let Some(path) = location
        .ssl_root_cert
        .as_ref()
        .filter(|p| p.as_os_str() != "system")
    {
        if matches!(location.sslmode, SslMode::VerifyCa | SslMode::VerifyFull) {
            let pem = std::fs::read(path).map_err(|e| {
                connection_error(
                    location,
                    format!("cannot read sslrootcert {}: {e}", path.display()),
                    Some(Box::new(e)),
                )
            })?;
            let certs = native_tls::Certificate::stack_from_pem(&pem).map_err(|e| {
                connection_error(
                    location,
                    format!(
                        "sslrootcert {} is not a PEM certificate file: {e}",
                        path.display()
                    ),
                    Some(Box::new(e)),
                )
            })?;
            // libpq trusts only the given roots when sslrootcert is set.
            builder.disable_built_in_roots(true);
            for cert in certs {
                builder.add_root_certificate(cert);
            }
        }
    }
    let connector = builder.build().map_err(|e| {
        connection_error(
            location,
            format!("cannot set up TLS: {e}"),
            Some(Box::new(e)),
        )
    })?;
    Ok(Some(postgres_native_tls::MakeTlsConnector::new(connector)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::location::Location;

    fn pg(text: &str) -> PgLocation {
        match Location::parse(text).unwrap() {
            Location::Postgres(pg) => pg,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn driver_config_carries_every_part() {
        let loc =
            pg("postgres://u:p@h:6000/d?sslmode=require&options=-c%20x%3D1&connect_timeout=3");
        let config = driver_config(&loc);
        assert_eq!(config.get_user(), Some("u"));
        assert_eq!(config.get_password(), Some(&b"p"[..]));
        assert_eq!(config.get_dbname(), Some("d"));
        assert_eq!(config.get_ports(), &[6000]);
        assert_eq!(config.get_options(), Some("-c x=1"));
        assert_eq!(config.get_application_name(), Some("ferry"));
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(3)));
        assert_eq!(config.get_ssl_mode(), DriverSslMode::Require);
        assert_eq!(
            config.get_hosts(),
            &[postgres::config::Host::Tcp("h".into())]
        );

        let socket =
            pg("postgres://u@/d?host=/var/run/postgresql&sslmode=require&application_name=x");
        let config = driver_config(&socket);
        assert_eq!(config.get_ssl_mode(), DriverSslMode::Disable);
        assert_eq!(config.get_application_name(), Some("x"));
        assert_eq!(
            config.get_hosts(),
            &[postgres::config::Host::Unix("/var/run/postgresql".into())]
        );
        assert_eq!(config.get_connect_timeout(), Some(&DEFAULT_CONNECT_TIMEOUT));
        assert_eq!(
            connect_timeout(&pg("postgres://h/d?connect_timeout=0")),
            None
        );
    }

    #[test]
    fn ssl_modes_map_to_the_driver() {
        for (mode, want) in [
            ("disable", DriverSslMode::Disable),
            ("prefer", DriverSslMode::Prefer),
            ("require", DriverSslMode::Require),
            ("verify-ca", DriverSslMode::Require),
            ("verify-full", DriverSslMode::Require),
        ] {
            let loc = pg(&format!("postgres://u@h/d?sslmode={mode}"));
            assert_eq!(driver_ssl_mode(&loc), want, "{mode}");
            assert_eq!(
                tls_connector(&loc).unwrap().is_some(),
                mode != "disable",
                "{mode}"
            );
        }
    }

    #[test]
    fn unreadable_root_cert_is_a_connection_error() {
        let loc = pg("postgres://u:secret@h/d?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem");
        let err = tls_connector(&loc).err().unwrap();
        let msg = err.to_string();
        assert!(
            msg.contains("cannot read sslrootcert /nonexistent/ca.pem"),
            "{msg}"
        );
        assert!(!msg.contains("secret"));
    }
}
