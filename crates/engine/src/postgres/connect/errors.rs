//! Turning driver errors into one sentence a person can act on.
//!
//! The driver's error kinds are private, so a failure is recognised by what it exposes: the
//! server's SQLSTATE and message when there is one, the `std::io::Error` behind a socket
//! failure, and otherwise the driver's fixed description (`error performing TLS handshake`,
//! `error parsing response from server`, …). Every sentence passes through
//! [`mask_secrets`] because server messages and driver causes may echo what was typed.

use std::error::Error as _;
use std::io;
use std::time::Duration;

use postgres::error::{DbError, SqlState};

use crate::model::location::{mask_secrets, PgLocation, SslMode};

use crate::model::error::pg_words::{
    io_cause, with_detail, KIND_AUTH, KIND_CONFIG, KIND_CONNECT, KIND_IO, KIND_PARSE, KIND_TLS,
    KIND_UNEXPECTED,
};

/// Why a connection attempt failed, as a sentence.
pub(super) fn connect_failure(loc: &PgLocation, error: &postgres::Error) -> String {
    let endpoint = endpoint(loc);
    if let Some(db) = error.as_db_error() {
        return mask_secrets(&db_connect_failure(loc, db));
    }
    let text = error.to_string();
    let cause = error.source().map(|s| s.to_string()).unwrap_or_default();
    let not_postgres = || {
        format!(
            "the server at {endpoint} did not answer like PostgreSQL — is this the right host and port?"
        )
    };
    let message = if text.starts_with(KIND_CONNECT) {
        match io_cause(error) {
            Some(io) => socket_failure(loc, io),
            None => format!("cannot reach {endpoint}: {cause}"),
        }
    } else if text.starts_with(KIND_TLS) {
        tls_failure(loc, &cause).unwrap_or_else(not_postgres)
    } else if text.starts_with(KIND_PARSE) || text.starts_with(KIND_UNEXPECTED) {
        not_postgres()
    } else if text.starts_with(KIND_IO) {
        // A PostgreSQL server explains itself before it hangs up; a silent hang-up during
        // the handshake is something else listening on that port.
        match io_cause(error).map(io::Error::kind) {
            // Bytes that do not frame as protocol messages are also something else.
            Some(
                io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::InvalidData
                | io::ErrorKind::InvalidInput,
            ) => not_postgres(),
            _ => format!("lost the connection to {endpoint} while connecting: {cause}"),
        }
    } else if text.starts_with(KIND_AUTH) || text.starts_with(KIND_CONFIG) {
        if cause.contains("password missing") {
            format!(
                "the server asks for a password for user \"{}\" and none was given — add it to the URL, PGPASSWORD or ~/.pgpass",
                loc.user
            )
        } else {
            format!("{text} for user \"{}\": {cause}", loc.user)
        }
    } else if error.is_closed() {
        not_postgres()
    } else if cause.is_empty() {
        text
    } else {
        format!("{text}: {cause}")
    };
    mask_secrets(&message)
}

/// Server-reported reasons for refusing a connection.
fn db_connect_failure(loc: &PgLocation, db: &DbError) -> String {
    let code = db.code();
    let message = db.message();
    if *code == SqlState::INVALID_PASSWORD {
        format!(
            "password authentication failed for user \"{}\" — check the password (URL, PGPASSWORD or ~/.pgpass)",
            loc.user
        )
    } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
        if message.starts_with("role ") && message.ends_with("does not exist") {
            format!(
                "{message} — check the user name, or create the role first (createuser {})",
                loc.user
            )
        } else if message.contains("no encryption") {
            format!("the server refuses unencrypted connections ({message}) — add sslmode=require")
        } else {
            format!("the server's pg_hba.conf does not allow this connection: {message}")
        }
    } else if *code == SqlState::INVALID_CATALOG_NAME {
        format!(
            "database \"{0}\" does not exist — create it first (createdb {0}) or check the name",
            loc.database
        )
    } else if *code == SqlState::TOO_MANY_CONNECTIONS {
        format!("the server has no free connection slots ({message}) — close other connections or raise max_connections")
    } else if *code == SqlState::CANNOT_CONNECT_NOW {
        format!("the server is starting up or shutting down ({message}) — try again in a moment")
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        format!("{message} — grant the role CONNECT on the database")
    } else {
        with_detail(message.to_string(), db)
    }
}

fn socket_failure(loc: &PgLocation, io: &io::Error) -> String {
    let endpoint = endpoint(loc);
    match io.kind() {
        io::ErrorKind::ConnectionRefused => format!(
            "nothing is listening on {endpoint} — is PostgreSQL running, is the port right?"
        ),
        io::ErrorKind::NotFound if loc.is_unix_socket() => format!(
            "no PostgreSQL socket at {endpoint} — is PostgreSQL running, is the port right?"
        ),
        io::ErrorKind::TimedOut => {
            timeout_message(loc, super::connect_timeout(loc).unwrap_or_default())
        }
        io::ErrorKind::PermissionDenied => format!("not allowed to connect to {endpoint}: {io}"),
        _ => {
            let text = io.to_string();
            if text.contains("lookup")
                || text.contains("Name or service not known")
                || text.contains("resolve")
            {
                format!("unknown host name \"{}\" — check the spelling", loc.host)
            } else if text.contains("unreachable") {
                format!("{endpoint} is unreachable from here: {text}")
            } else {
                format!("cannot reach {endpoint}: {text}")
            }
        }
    }
}

/// A TLS failure in words, or `None` when the peer did not speak TLS at all.
fn tls_failure(loc: &PgLocation, cause: &str) -> Option<String> {
    if cause.contains("server does not support TLS") {
        return Some(format!(
            "the server does not support TLS (SSL), but sslmode={} requires it — turn ssl on in the server or use sslmode=prefer",
            loc.sslmode.as_str()
        ));
    }
    let lower = cause.to_ascii_lowercase();
    if [
        "wrong version number",
        "packet length too long",
        "record layer failure",
        "unknown protocol",
        "http request",
    ]
    .iter()
    .any(|s| lower.contains(s))
    {
        return None;
    }
    if lower.contains("certificate")
        || lower.contains("hostname")
        || lower.contains("self-signed")
        || lower.contains("issuer")
    {
        let fix = match loc.sslmode {
            SslMode::VerifyFull if lower.contains("hostname") => {
                "connect by the name on the certificate, or use sslmode=verify-ca"
            }
            _ => "pass the server's CA with sslrootcert=…, or use sslmode=require to encrypt without verifying",
        };
        return Some(format!(
            "the server's TLS certificate could not be verified ({cause}) — {fix}"
        ));
    }
    Some(format!(
        "the TLS handshake with {} failed: {cause}",
        endpoint(loc)
    ))
}

pub(super) fn timeout_message(loc: &PgLocation, limit: Duration) -> String {
    format!(
        "no answer from {} within {} s — is the host right, is a firewall dropping packets? (connect_timeout raises the limit)",
        endpoint(loc),
        limit.as_secs()
    )
}

/// `host:port`, `[v6]:port`, or the socket file.
fn endpoint(loc: &PgLocation) -> String {
    if loc.is_unix_socket() {
        format!("{}/.s.PGSQL.{}", loc.host.trim_end_matches('/'), loc.port)
    } else if loc.host.contains(':') {
        format!("[{}]:{}", loc.host, loc.port)
    } else {
        format!("{}:{}", loc.host, loc.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(text: &str) -> PgLocation {
        match crate::model::location::Location::parse(text).unwrap() {
            crate::model::location::Location::Postgres(pg) => pg,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn socket_failures() {
        let tcp = loc("postgres://u:pw@db.example.com:5433/d?connect_timeout=4");
        let sock = loc("postgres://u@/d?host=/run/pg&port=5999");
        let v6 = loc("postgres://u@[::1]/d");
        let cases = [
            (
                &tcp,
                io::Error::from(io::ErrorKind::ConnectionRefused),
                "nothing is listening on db.example.com:5433 — is PostgreSQL running",
            ),
            (
                &v6,
                io::Error::from(io::ErrorKind::ConnectionRefused),
                "nothing is listening on [::1]:5432",
            ),
            (
                &sock,
                io::Error::from(io::ErrorKind::NotFound),
                "no PostgreSQL socket at /run/pg/.s.PGSQL.5999",
            ),
            (
                &tcp,
                io::Error::from(io::ErrorKind::TimedOut),
                "no answer from db.example.com:5433 within 4 s",
            ),
            (
                &tcp,
                io::Error::other("failed to lookup address information: Name or service not known"),
                "unknown host name \"db.example.com\"",
            ),
        ];
        for (loc, io, want) in cases {
            let got = socket_failure(loc, &io);
            assert!(got.contains(want), "{got}");
        }
    }

    #[test]
    fn tls_failures() {
        let require = loc("postgres://h/d?sslmode=require");
        let full = loc("postgres://h/d?sslmode=verify-full");
        let cases = [
            (&require, "server does not support TLS", Some("the server does not support TLS (SSL), but sslmode=require requires it")),
            (&require, "error:0A00010B:SSL routines::wrong version number", None),
            (&full, "error:0A000086:SSL routines::certificate verify failed:../ssl/statem/statem_clnt.c:1889: (self-signed certificate)", Some("could not be verified")),
            (&full, "certificate verify failed (Hostname mismatch)", Some("use sslmode=verify-ca")),
        ];
        for (loc, cause, want) in cases {
            let got = tls_failure(loc, cause);
            match want {
                Some(want) => assert!(
                    got.as_deref().unwrap_or("").contains(want),
                    "{cause}: {got:?}"
                ),
                None => assert_eq!(got, None, "{cause}"),
            }
        }
    }
}
