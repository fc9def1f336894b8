//! Spotting a transaction-mode connection pooler (PgBouncer `pool_mode=transaction`,
//! Supabase's port 6543) between Ferry and the server.
//!
//! Ferry does its work inside one transaction per connection, which such a pooler keeps on
//! one server connection. But anything outside a transaction — and the driver's named
//! prepared statements that outlive one — may land on another server connection, where the
//! statement does not exist or an old one with the same name does. So Ferry warns.
//!
//! Detection, cheapest first:
//! 1. Suspicion: port 6543 (Supabase's transaction pooler, always warned about); or the
//!    server sees a different port (or socket kind) than the one we dialled — a proxy or a
//!    port forward.
//! 2. Proof, only when suspicious: note our backend pid; make a second connection hold a
//!    server connection in an open transaction; ask our pid again. A direct or session-pooled
//!    connection keeps its backend; a transaction pooler hands us another one.

use std::sync::mpsc;
use std::time::Duration;

use postgres::{Client, SimpleQueryMessage};

use crate::model::location::PgLocation;

/// Supabase's transaction-mode pooler port.
const SUPABASE_TRANSACTION_PORT: u16 = 6543;

/// A one-sentence warning when `client` talks to the server through a transaction-mode
/// pooler, `None` otherwise (also when the checks themselves fail: this is advice, not a gate).
pub fn pooler_warning(loc: &PgLocation, client: &mut Client) -> Option<String> {
    let warning = || {
        format!(
            "{} goes through a connection pooler in transaction mode (PgBouncer pool_mode=transaction, Supabase port 6543): \
             connect to the server directly or to the pooler's session-mode port (Supabase: 5432), \
             because statements outside a transaction may run on different server connections",
            loc.display()
        )
    };
    if loc.port == SUPABASE_TRANSACTION_PORT {
        return Some(warning());
    }
    if !looks_proxied(loc, client)? {
        return None;
    }
    hands_out_other_backends(loc, client)?.then(warning)
}

/// Whether the server saw us arrive somewhere other than where we dialled.
fn looks_proxied(loc: &PgLocation, client: &mut Client) -> Option<bool> {
    let server_port = single_value(client, "SELECT inet_server_port()::text")?;
    Some(match (server_port, loc.is_unix_socket()) {
        (None, false) | (Some(_), true) => true,
        (None, true) => false,
        (Some(port), false) => port != loc.port.to_string(),
    })
}

/// The proof described in the module docs.
fn hands_out_other_backends(loc: &PgLocation, client: &mut Client) -> Option<bool> {
    let before = single_value(client, "SELECT pg_backend_pid()::text")??;
    let (held, release) = (mpsc::channel(), mpsc::channel::<()>());
    let (held_tx, held_rx) = held;
    let (release_tx, release_rx) = release;
    let other_loc = loc.clone();
    let holder = std::thread::spawn(move || {
        let Ok(mut other) = super::connect(&other_loc) else {
            let _ = held_tx.send(false);
            return;
        };
        let ok = other
            .batch_execute("BEGIN; SELECT pg_backend_pid()")
            .is_ok();
        let _ = held_tx.send(ok);
        // Hold the server connection until asked, but never forever: with a pool of one,
        // our own probe waits for this transaction to end.
        let _ = release_rx.recv_timeout(Duration::from_secs(2));
        let _ = other.batch_execute("COMMIT");
    });
    let holding = held_rx.recv().unwrap_or(false);
    let after = if holding {
        single_value(client, "SELECT pg_backend_pid()::text").flatten()
    } else {
        None
    };
    let _ = release_tx.send(());
    let _ = holder.join();
    Some(before != after?)
}

/// The first column of the first row of a simple (unprepared) query: prepared statements are
/// exactly what a transaction pooler may break, so the probe does not use them.
fn single_value(client: &mut Client, sql: &str) -> Option<Option<String>> {
    let messages = client.simple_query(sql).ok()?;
    messages.into_iter().find_map(|m| match m {
        SimpleQueryMessage::Row(row) => Some(row.get(0).map(str::to_string)),
        _ => None,
    })
}
