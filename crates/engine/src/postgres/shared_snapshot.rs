//! A second connection into the source's snapshot, for streaming its rows.
//!
//! The sync driver hands a COPY stream over one message at a time — and PostgreSQL sends one
//! message per row — each hand-over a trip through the driver's runtime (enter it, poll the
//! connection, try the socket again). Measured on the bench's 1M-row `events` table: 1.0 s of
//! CPU to receive the stream through the sync driver, 0.7 s on a connection of the async
//! driver it wraps (tokio-postgres) that is polled directly while rows are buffered and only
//! runs its runtime when they run out.
//!
//! That connection must see exactly the rows the main one does, so it imports the main
//! connection's snapshot (`pg_export_snapshot()`, then `SET TRANSACTION SNAPSHOT` in a
//! `REPEATABLE READ READ ONLY` transaction with row security off, as the main one runs).
//! When it cannot be had — the server or a pooler refuses a second connection or makes it
//! wait, a proxy sends it to another server where the snapshot does not exist, the role may
//! not export — [`SnapshotReader::open`] fails and the caller reads on the main connection:
//! slower, never different.

use std::io::{BufRead, Read};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

use bytes::{Buf, Bytes};
use futures_util::{Stream, StreamExt};
use postgres::SimpleQueryMessage;
use tokio::runtime::Runtime;
use tokio_postgres::CopyOutStream;

use crate::model::error::Context;
use crate::model::location::PgLocation;
use crate::postgres::row_security::SOURCE_ROW_SECURITY_OFF;
use crate::{Error, Result};

/// How long the second connection may take to be ready (connect, authenticate, import the
/// snapshot) before the run gives up on it and reads on the main connection. A pooler with
/// no free server connection would otherwise hold the run until its own queue timeout.
const SETUP_LIMIT: Duration = Duration::from_secs(5);

/// A connection holding the same snapshot as the source's main connection.
pub struct SnapshotReader {
    // Field order is drop order: the client before the runtime its connection task runs on.
    client: tokio_postgres::Client,
    runtime: Runtime,
}

impl SnapshotReader {
    /// Opens a connection to `location` reading in `snapshot` (from [`export_snapshot`] on
    /// the main connection, whose transaction is still open).
    ///
    /// # Errors
    /// Any failure on the way (connection refused or too slow, snapshot not found): the
    /// caller keeps reading on the main connection.
    pub fn open(location: &PgLocation, snapshot: &str) -> Result<SnapshotReader> {
        let deadline = std::time::Instant::now() + SETUP_LIMIT;
        let (runtime, client) = crate::postgres::connect::connect_async(location, SETUP_LIMIT)?;
        // What the connection left of the limit (its own bound was the whole of it).
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let begin = format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'; {SOURCE_ROW_SECURITY_OFF}",
            snapshot.replace('\'', "''")
        );
        let started = runtime
            .block_on(async { tokio::time::timeout(left, client.batch_execute(&begin)).await });
        match started {
            Ok(started) => started
                .context(|| format!("importing snapshot {snapshot} on a second connection"))?,
            Err(_) => {
                return Err(Error::runtime(format!(
                    "a second connection importing snapshot {snapshot} was not ready within {}s",
                    SETUP_LIMIT.as_secs()
                )))
            }
        }
        Ok(SnapshotReader { client, runtime })
    }

    /// Runs `copy` (a `COPY … TO STDOUT` statement) and hands its stream to `read`, which
    /// must read it to its end.
    ///
    /// # Errors
    /// The statement's error (with `what` for context), and whatever `read` returns.
    pub fn copy_out<T>(
        &mut self,
        copy: &str,
        what: &str,
        read: impl FnOnce(&mut CopyStream<'_>) -> Result<T>,
    ) -> Result<T> {
        let stream = self
            .runtime
            .block_on(self.client.copy_out(copy))
            .context(|| format!("reading {what}"))?;
        let mut reader = CopyStream {
            runtime: &self.runtime,
            stream: Box::pin(stream),
            chunk: Bytes::new(),
        };
        read(&mut reader)
    }
}

/// Exports the snapshot of `main`'s transaction (`REPEATABLE READ`, not yet in a
/// subtransaction) for [`SnapshotReader::open`]; it stays importable while that transaction
/// is open.
///
/// # Errors
/// The server's refusal — which aborts `main`'s transaction: call this before reading in it.
pub fn export_snapshot(main: &mut postgres::Client) -> Result<String> {
    let messages = main
        .simple_query("SELECT pg_export_snapshot()")
        .context(|| "exporting the source's snapshot".to_string())?;
    messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
            _ => None,
        })
        .ok_or_else(|| Error::runtime("pg_export_snapshot() returned no snapshot"))
}

/// A COPY stream as a [`BufRead`] whose buffer is the driver's own chunk (no copy). The next
/// chunk is polled without entering the runtime when the connection already received it; the
/// runtime runs (reading the socket, with the connection task) only when it did not.
pub struct CopyStream<'a> {
    runtime: &'a Runtime,
    stream: Pin<Box<CopyOutStream>>,
    chunk: Bytes,
}

impl BufRead for CopyStream<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.chunk.is_empty() {
            let polled = self
                .stream
                .as_mut()
                .poll_next(&mut TaskContext::from_waker(Waker::noop()));
            let next = match polled {
                Poll::Ready(next) => next,
                // That poll registered a no-op waker; `next()` polls again with the runtime's.
                Poll::Pending => self.runtime.block_on(self.stream.next()),
            };
            match next {
                None => break,
                Some(Ok(bytes)) => self.chunk = bytes,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
            }
        }
        Ok(&self.chunk)
    }

    fn consume(&mut self, amount: usize) {
        self.chunk.advance(amount.min(self.chunk.len()));
    }
}

impl Read for CopyStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}
