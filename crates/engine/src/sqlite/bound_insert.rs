//! `INSERT` statements whose text and blob parameters are bound by pointer.
//!
//! rusqlite binds every non-empty text and blob `SQLITE_TRANSIENT`: SQLite allocates a copy
//! of the value when it is bound, then copies it again into the row's record when the
//! statement steps. The writer's values outlive the step, so binding them `SQLITE_STATIC`
//! skips the first copy and its allocation — that memcpy alone was 250 of the writer
//! thread's 2,858 samples (9 %) copying the bench's 3M rows from PostgreSQL. rusqlite does
//! not lend a statement's raw handle, so these statements are prepared, stepped and
//! finalized here on the connection's handle, and every call leaves its statement reset
//! with no bindings, so no pointer into a caller's values outlives the call.

use std::ffi::c_int;
use std::ptr::NonNull;

use rusqlite::{ffi, Connection};

use crate::model::value::SqliteValue;

/// One prepared statement of a connection. It must be dropped before that connection is
/// closed: [`crate::sqlite::SqliteWriter`] owns both and drops its statements first.
pub(crate) struct BoundInsert {
    stmt: NonNull<ffi::sqlite3_stmt>,
    db: *mut ffi::sqlite3,
}

impl BoundInsert {
    /// Prepares `sql` (one statement) on `conn`.
    ///
    /// # Errors
    /// SQLite's, as rusqlite reports it.
    pub(crate) fn prepare(conn: &Connection, sql: &str) -> rusqlite::Result<BoundInsert> {
        let len = c_int::try_from(sql.len()).map_err(|_| {
            rusqlite::Error::SqliteFailure(ffi::Error::new(ffi::SQLITE_TOOBIG), None)
        })?;
        // SAFETY: the handle is the open connection's; SQLite reads `len` bytes of `sql`.
        let db = unsafe { conn.handle() };
        let mut stmt = std::ptr::null_mut();
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db,
                sql.as_ptr().cast(),
                len,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(failure(db, rc));
        }
        NonNull::new(stmt)
            .map(|stmt| BoundInsert { stmt, db })
            .ok_or_else(|| rusqlite::Error::InvalidQuery)
    }

    /// Binds `values` to the parameters in order, steps the statement once and resets it,
    /// its bindings cleared.
    ///
    /// # Errors
    /// SQLite's (a constraint, a full disk), or `InvalidParameterCount` when `values` is not
    /// one value per parameter.
    pub(crate) fn execute<'v>(
        &mut self,
        values: impl Iterator<Item = &'v SqliteValue>,
    ) -> rusqlite::Result<()> {
        let result = self.bind_and_step(values);
        // SAFETY: a live statement; afterwards SQLite holds no pointer into `values`.
        unsafe {
            ffi::sqlite3_reset(self.stmt.as_ptr());
            ffi::sqlite3_clear_bindings(self.stmt.as_ptr());
        }
        result
    }

    fn bind_and_step<'v>(
        &mut self,
        values: impl Iterator<Item = &'v SqliteValue>,
    ) -> rusqlite::Result<()> {
        let stmt = self.stmt.as_ptr();
        // SAFETY: a live statement.
        let expected = unsafe { ffi::sqlite3_bind_parameter_count(stmt) };
        let mut at: c_int = 0;
        for value in values {
            at += 1;
            if at > expected {
                return Err(rusqlite::Error::InvalidParameterCount(
                    at as usize,
                    expected as usize,
                ));
            }
            // SAFETY: `at` is a parameter of the statement; a text or blob pointer stays valid
            // until `execute` resets the statement and clears its bindings, before it returns.
            // Empty values point at a static "" (a null pointer would bind NULL).
            let rc = unsafe {
                match value {
                    SqliteValue::Null => ffi::sqlite3_bind_null(stmt, at),
                    SqliteValue::Integer(i) => ffi::sqlite3_bind_int64(stmt, at, *i),
                    SqliteValue::Real(f) => ffi::sqlite3_bind_double(stmt, at, *f),
                    SqliteValue::Text(t) => ffi::sqlite3_bind_text64(
                        stmt,
                        at,
                        pointer(t).cast(),
                        t.len() as u64,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as u8,
                    ),
                    SqliteValue::Blob(b) => ffi::sqlite3_bind_blob64(
                        stmt,
                        at,
                        pointer(b).cast(),
                        b.len() as u64,
                        ffi::SQLITE_STATIC(),
                    ),
                }
            };
            if rc != ffi::SQLITE_OK {
                return Err(failure(self.db, rc));
            }
        }
        if at != expected {
            return Err(rusqlite::Error::InvalidParameterCount(
                at as usize,
                expected as usize,
            ));
        }
        // SAFETY: a live statement with every parameter bound.
        match unsafe { ffi::sqlite3_step(stmt) } {
            ffi::SQLITE_DONE => Ok(()),
            ffi::SQLITE_ROW => Err(rusqlite::Error::ExecuteReturnedResults),
            rc => Err(failure(self.db, rc)),
        }
    }
}

impl Drop for BoundInsert {
    fn drop(&mut self) {
        // SAFETY: the statement is finalized once; its connection is still open (see the type).
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
}

/// A value's bytes, or a static empty string for an empty value.
fn pointer(bytes: &[u8]) -> *const u8 {
    if bytes.is_empty() {
        c"".as_ptr().cast()
    } else {
        bytes.as_ptr()
    }
}

/// The error rusqlite would report for result code `rc` on `db`.
fn failure(db: *mut ffi::sqlite3, rc: c_int) -> rusqlite::Error {
    // SAFETY: `db` is an open connection; its message is copied before anything else runs on it.
    let message = unsafe {
        let text = ffi::sqlite3_errmsg(db);
        (!text.is_null()).then(|| {
            std::ffi::CStr::from_ptr(text)
                .to_string_lossy()
                .into_owned()
        })
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_storage_class_and_empty_ones_are_not_null() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n, v)").unwrap();
        let mut insert = BoundInsert::prepare(&conn, "INSERT INTO t VALUES (?, ?)").unwrap();
        let values = [
            SqliteValue::Null,
            SqliteValue::Integer(i64::MIN),
            SqliteValue::Real(-0.5),
            SqliteValue::Text(b"caf\xc3\xa9".to_vec()),
            SqliteValue::Text(vec![]),
            SqliteValue::Blob(vec![0, 255]),
            SqliteValue::Blob(vec![]),
        ];
        for (n, v) in values.iter().enumerate() {
            insert
                .execute([SqliteValue::Integer(n as i64), v.clone()].iter())
                .unwrap();
        }
        let stored: Vec<(String, String)> = conn
            .prepare("SELECT typeof(v), quote(v) FROM t ORDER BY n")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let expected = [
            ("null", "NULL"),
            ("integer", "-9223372036854775808"),
            ("real", "-0.5"),
            ("text", "'café'"),
            ("text", "''"),
            ("blob", "X'00FF'"),
            ("blob", "X''"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(stored, expected);
    }

    #[test]
    fn each_call_binds_every_parameter_itself_and_reports_sqlite_errors() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            .unwrap();
        let mut insert = BoundInsert::prepare(&conn, "INSERT INTO t VALUES (?, ?)").unwrap();
        let row = [SqliteValue::Integer(1), SqliteValue::Text(b"a".to_vec())];
        insert.execute(row.iter()).unwrap();
        // The last call's bindings are gone: too few values is an error, not a reuse.
        let short = insert.execute(row[..1].iter()).unwrap_err().to_string();
        assert!(short.contains("Wrong number of parameters"), "{short}");
        let long = insert
            .execute(row.iter().chain(row.iter()))
            .unwrap_err()
            .to_string();
        assert!(long.contains("Wrong number of parameters"), "{long}");
        let duplicate = insert.execute(row.iter()).unwrap_err().to_string();
        assert!(
            duplicate.contains("UNIQUE constraint failed: t.id"),
            "{duplicate}"
        );
        let null = [SqliteValue::Integer(2), SqliteValue::Null];
        let refused = insert.execute(null.iter()).unwrap_err().to_string();
        assert!(
            refused.contains("NOT NULL constraint failed: t.v"),
            "{refused}"
        );
        // And the statement still works after its errors.
        insert
            .execute([SqliteValue::Integer(3), SqliteValue::Text(b"c".to_vec())].iter())
            .unwrap();
        let count: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 2);
        let bad = BoundInsert::prepare(&conn, "INSERT INTO missing VALUES (?)")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(bad.contains("no such table: missing"), "{bad}");
    }
}
