//! Building a fresh SQLite file as a migration target.
//!
//! The file is a temporary file beside the destination, renamed into place only after
//! verification (contract 2), and deleted on any failure. So while it is built nothing needs
//! crash safety: no journal, no syncs, foreign keys off (rows arrive in FK order or in any
//! order, and [`SqliteWriter::foreign_key_check`] checks integrity once at the end). Durability
//! is bought once, in [`SqliteWriter::finish`]: commit, switch to a normal rollback journal,
//! close, fsync.
//!
//! Rows arrive already in SQLite storage form ([`SqliteValue`], produced by
//! `crate::convert::to_sqlite`), so this module only binds them: TEXT bytes are bound as TEXT
//! (not BLOB), so the storage class read back is the one intended.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::model::error::{io_error, Context, Error, Result};
use crate::model::value::SqliteValue;
use crate::sqlite::bound_insert::BoundInsert;
use crate::sqlite::ddl::quote_ident;
pub use crate::sqlite::foreign_keys::FkViolation;

/// The page size of a file Ferry creates. Against SQLite's 4096, 8192 took 2% fewer
/// instructions to insert the rows and to build the indexes (callgrind, 30k rows per table),
/// and halves the pages, hence the reads and writes, of every scan; 16384 gained little more
/// and makes each page an app rewrites for a one-row change twice as large again.
pub const PAGE_SIZE: u32 = 8192;

/// Rows per multi-row `INSERT … VALUES (…), (…)`: one statement step (and one B-tree
/// descent setup) for many rows; 16 took 15% fewer instructions than one row per statement,
/// 64 only 8% (more rows left over for the single-row statement at each batch's end).
const ROWS_PER_INSERT: usize = 16;

/// SQLite's default limit on bound parameters in one statement (32766 since 3.32).
const MAX_PARAMETERS: usize = 32766;

/// A SQLite database being built from scratch.
pub struct SqliteWriter {
    /// Prepared inserts by their SQL. Declared before `conn`: fields drop in order, and a
    /// statement must be finalized before its connection closes.
    inserts: HashMap<String, BoundInsert>,
    conn: Connection,
    path: PathBuf,
}

impl SqliteWriter {
    /// Creates a new, empty database at `path`.
    ///
    /// # Errors
    /// `BadInput` if something already exists at `path` (the writer never overwrites);
    /// `Sqlite` if the file cannot be created.
    pub fn create(path: &Path) -> Result<Self> {
        if path.exists() {
            return Err(Error::bad_input(format!(
                "{} already exists; refusing to overwrite it",
                path.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .context(|| format!("cannot create {}", path.display()))?;
        // Before the first table: a page size is fixed once the file has content.
        conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}"))
            .context(|| format!("cannot configure {}", path.display()))?;
        Self::configured(conn, path)
    }

    /// Opens a database Ferry made itself (a backup-API copy of an existing target) to add to
    /// it. The same pragmas apply: the file is still a temporary one, discarded on failure.
    ///
    /// # Errors
    /// `Sqlite` if the file cannot be opened.
    pub fn open_existing(path: &Path) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .context(|| format!("cannot open {}", path.display()))?;
        Self::configured(conn, path)
    }

    /// The file is a temporary one, discarded on any failure: no journal, no fsync while
    /// building (the finished file is synced once in `finish`), foreign keys checked at the end.
    /// The page cache is capped (2 MiB) and index sorts spill to temporary files, not memory,
    /// so memory stays flat whatever the table size. The cap is also the size of each sorted
    /// run of an index build, and smaller is faster there: a run that fits the CPU's cache
    /// sorts quicker than the merges it adds cost (the bench's four indexes over 3M rows took
    /// 2.4 s of CPU with 2 MiB, 3.1–3.6 s with 8 MiB, 4.6–4.9 s with 32 MiB). Two sorter
    /// threads sort an index's runs while the writer merges (`CREATE INDEX` took 2.5 s
    /// instead of 3.6 s with one).
    fn configured(conn: Connection, path: &Path) -> Result<Self> {
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; \
             PRAGMA cache_size = -2048; PRAGMA temp_store = FILE; PRAGMA threads = 2;",
        )
        .context(|| format!("cannot configure {}", path.display()))?;
        Ok(SqliteWriter {
            inserts: HashMap::new(),
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Runs one or more SQL statements (DDL, mostly).
    ///
    /// # Errors
    /// `Sqlite`, quoting the start of the statement.
    pub fn execute(&self, sql: &str) -> Result<()> {
        self.conn
            .execute_batch(sql)
            .context(|| format!("cannot run `{}`", short(sql)))
    }

    /// # Errors
    /// `Sqlite` if a transaction is already open.
    pub fn begin(&self) -> Result<()> {
        self.execute("BEGIN")
    }

    /// # Errors
    /// `Sqlite` if no transaction is open or the commit fails.
    pub fn commit(&self) -> Result<()> {
        self.execute("COMMIT")
    }

    /// Commits the rows written so far and lets other connections read them while this one
    /// goes on writing (the indexes): the file switches from no journal to a write-ahead log,
    /// whose readers see the last commit while the writer's new pages go to the log, and a
    /// new transaction is begun. `false` (the file as it was, a transaction begun) when the
    /// log cannot be had; readers then have to wait for the writer.
    ///
    /// Only the index pages pass through the log (the table pages were written at the commit,
    /// without it); [`SqliteWriter::finish`] copies them into the file when it switches to a
    /// rollback journal.
    ///
    /// # Errors
    /// `Sqlite` if the commit or the new transaction fails.
    pub fn share_with_readers(&self) -> Result<bool> {
        self.commit()?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .context(|| format!("cannot configure {}", self.path.display()))?;
        self.begin()?;
        Ok(mode.eq_ignore_ascii_case("wal"))
    }

    /// Inserts rows (each as long as `columns`, already in storage form) into `table`.
    ///
    /// # Errors
    /// `Sqlite` naming the table and the row's position in the batch (constraint violations,
    /// a row of the wrong width).
    pub fn insert_batch(
        &mut self,
        table: &str,
        columns: &[String],
        rows: &[Vec<SqliteValue>],
    ) -> Result<()> {
        self.upsert_batch(table, columns, &[], rows)
    }

    /// Like [`SqliteWriter::insert_batch`], but a row whose `key` columns match a row already
    /// in the table updates that row's `columns` (the others keep their values) instead of
    /// failing: a seeded singleton row is updated, not duplicated. An empty `key`: plain insert.
    ///
    /// # Errors
    /// As [`SqliteWriter::insert_batch`].
    pub fn upsert_batch(
        &mut self,
        table: &str,
        columns: &[String],
        key: &[String],
        rows: &[Vec<SqliteValue>],
    ) -> Result<()> {
        let names: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
        let marks = vec!["?"; columns.len()].join(", ");
        let mut sql = if columns.is_empty() {
            format!("INSERT INTO {} DEFAULT VALUES", quote_ident(table))
        } else {
            format!(
                "INSERT INTO {} ({}) VALUES ({marks})",
                quote_ident(table),
                names.join(", ")
            )
        };
        let updated: Vec<String> = columns
            .iter()
            .filter(|c| !key.contains(c))
            .map(|c| format!("{q} = excluded.{q}", q = quote_ident(c)))
            .collect();
        if !key.is_empty() && !columns.is_empty() {
            let key: Vec<String> = key.iter().map(|c| quote_ident(c)).collect();
            sql.push_str(&format!(" ON CONFLICT ({}) DO ", key.join(", ")));
            if updated.is_empty() {
                sql.push_str("NOTHING");
            } else {
                sql.push_str(&format!("UPDATE SET {}", updated.join(", ")));
            }
        }
        // Plain inserts go ROWS_PER_INSERT rows to a statement; the rest (and upserts) one
        // by one, which also names the failing row exactly.
        let per = ROWS_PER_INSERT.min(MAX_PARAMETERS / columns.len().max(1));
        let mut done = 0usize;
        if per > 1 && key.is_empty() && !columns.is_empty() {
            let many = format!("{sql}{}", format!(", ({marks})").repeat(per - 1));
            let stmt = self.insert(many, table)?;
            for chunk in rows.chunks_exact(per) {
                for (n, row) in chunk.iter().enumerate() {
                    check_width(table, done + n, row, columns)?;
                }
                stmt.execute(chunk.iter().flatten()).context(|| {
                    format!(
                        "cannot insert one of rows {}–{} of this batch into {table}",
                        done,
                        done + per - 1
                    )
                })?;
                done += per;
            }
        }
        let stmt = self.insert(sql, table)?;
        for (n, row) in rows.iter().enumerate().skip(done) {
            check_width(table, n, row, columns)?;
            stmt.execute(row.iter())
                .context(|| format!("cannot insert row {n} of this batch into {table}"))?;
        }
        Ok(())
    }

    /// The prepared statement of `sql`, prepared now if this is its first use.
    fn insert(&mut self, sql: String, table: &str) -> Result<&mut BoundInsert> {
        use std::collections::hash_map::Entry;
        Ok(match self.inserts.entry(sql) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let stmt = BoundInsert::prepare(&self.conn, new.key())
                    .context(|| format!("cannot insert into {table}"))?;
                new.insert(stmt)
            }
        })
    }

    /// Sets `table`'s AUTOINCREMENT high-water mark, so new ids continue after `seq`.
    ///
    /// # Errors
    /// `Sqlite` (e.g. when no AUTOINCREMENT table exists, so `sqlite_sequence` does not).
    pub fn set_sqlite_sequence(&self, table: &str, seq: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM sqlite_sequence WHERE name = ?1", [table])
            .and_then(|_| {
                self.conn.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
                    (table, seq),
                )
            })
            .map(|_| ())
            .context(|| format!("cannot set the autoincrement sequence of {table}"))
    }

    /// Every row whose foreign key points nowhere ([`crate::sqlite::foreign_keys`]).
    ///
    /// # Errors
    /// `Sqlite` if the check cannot run.
    pub fn foreign_key_check(&self) -> Result<Vec<FkViolation>> {
        crate::sqlite::foreign_keys::all_violations(&self.conn)
    }

    /// The connection, for verification reads before [`SqliteWriter::finish`].
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The file being built.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Commits any open transaction, switches to a rollback journal, closes and fsyncs.
    ///
    /// # Errors
    /// `Sqlite` if the commit or close fails; `Io` if the file cannot be synced.
    pub fn finish(self) -> Result<()> {
        let SqliteWriter {
            inserts,
            conn,
            path,
        } = self;
        drop(inserts);
        if !conn.is_autocommit() {
            conn.execute_batch("COMMIT")
                .context(|| format!("cannot commit {}", path.display()))?;
        }
        conn.execute_batch("PRAGMA journal_mode = DELETE")
            .context(|| format!("cannot finish {}", path.display()))?;
        conn.close()
            .map_err(|(_, e)| e)
            .context(|| format!("cannot close {}", path.display()))?;
        std::fs::File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_error("cannot sync the new database to disk", &path, e))
    }
}

fn check_width(table: &str, n: usize, row: &[SqliteValue], columns: &[String]) -> Result<()> {
    if row.len() == columns.len() {
        return Ok(());
    }
    Err(Error::runtime(format!(
        "row {n} for {table} has {} values for {} columns",
        row.len(),
        columns.len()
    )))
}

fn short(sql: &str) -> String {
    let one_line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        format!("{}…", one_line.chars().take(80).collect::<String>())
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_inserts_write_every_row_once_and_name_a_failing_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SqliteWriter::create(&dir.path().join("t.db")).unwrap();
        w.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            .unwrap();
        let cols = ["id".to_string(), "v".to_string()];
        let row = |i: i64| {
            vec![
                SqliteValue::Integer(i),
                SqliteValue::Text(i.to_string().into()),
            ]
        };
        // Two full statements and a remainder of five single-row ones.
        let n = 2 * ROWS_PER_INSERT as i64 + 5;
        let rows: Vec<_> = (1..=n).map(row).collect();
        w.insert_batch("t", &cols, &rows).unwrap();
        let (count, sum): (i64, i64) = w
            .connection()
            .query_row("SELECT count(*), sum(id * v) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((count, sum), (n, (1..=n).map(|i| i * i).sum()));
        assert_eq!(
            w.connection()
                .query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            i64::from(PAGE_SIZE)
        );
        // A duplicate inside a multi-row statement names the rows it was among.
        let again: Vec<_> = (n + 1..n + 1 + ROWS_PER_INSERT as i64)
            .map(|i| row(if i == n + 3 { 1 } else { i }))
            .collect();
        let err = w.insert_batch("t", &cols, &again).unwrap_err().to_string();
        let range = format!("rows 0–{} of this batch into t", ROWS_PER_INSERT - 1);
        assert!(err.contains(&range) && err.contains("UNIQUE"), "{err}");
        // A width error is found before anything is bound.
        let narrow = vec![vec![SqliteValue::Integer(9)]; ROWS_PER_INSERT];
        let err = w.insert_batch("t", &cols, &narrow).unwrap_err().to_string();
        assert!(
            err.contains("row 0 for t has 1 values for 2 columns"),
            "{err}"
        );
    }

    #[test]
    fn readers_see_the_shared_rows_while_the_writer_builds_an_index_and_the_file_ends_journaled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut w = SqliteWriter::create(&path).unwrap();
        w.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            .unwrap();
        w.begin().unwrap();
        let rows: Vec<_> = (1..=500i64)
            .map(|i| {
                vec![
                    SqliteValue::Integer(i),
                    SqliteValue::Text(format!("v{i}").into()),
                ]
            })
            .collect();
        w.insert_batch("t", &["id".into(), "v".into()], &rows)
            .unwrap();
        assert!(w.share_with_readers().unwrap(), "the file took a WAL");
        // The writer is inside a transaction, writing; a reader still reads the rows.
        w.execute("CREATE INDEX t_v ON t (v)").unwrap();
        let reader = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let (count, indexes): (i64, i64) = reader
            .query_row(
                "SELECT (SELECT count(*) FROM t), \
                        (SELECT count(*) FROM sqlite_schema WHERE type = 'index')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (count, indexes),
            (500, 0),
            "the committed rows, not the index"
        );
        drop(reader);
        w.finish().unwrap();
        let done = Connection::open(&path).unwrap();
        let mode: String = done
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let indexes: i64 = done
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'index'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!((mode.as_str(), indexes), ("delete", 1));
        drop(done);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["t.db"], "no -wal or -shm file is left beside it");
    }

    #[test]
    fn upsert_updates_the_seeded_row_and_keeps_its_other_columns() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SqliteWriter::create(&dir.path().join("t.db")).unwrap();
        w.execute(
            "CREATE TABLE cfg (id INTEGER PRIMARY KEY CHECK (id = 1), email TEXT, version TEXT);
             INSERT INTO cfg (id, version) VALUES (1, 'seeded');",
        )
        .unwrap();
        let cols = ["id".to_string(), "email".to_string()];
        let key = ["id".to_string()];
        let row = vec![
            SqliteValue::Integer(1),
            SqliteValue::Text(b"a@example.com".to_vec()),
        ];
        w.upsert_batch("cfg", &cols, &key, std::slice::from_ref(&row))
            .unwrap();
        let got: (i64, String, String) = w
            .connection()
            .query_row("SELECT count(*), email, version FROM cfg", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(got, (1, "a@example.com".into(), "seeded".into()));
        // A plain insert of the same key fails: the upsert is what made it an update.
        assert!(w.insert_batch("cfg", &cols, &[row]).is_err());
        // Only key columns: nothing to update, nothing duplicated.
        w.upsert_batch("cfg", &key, &key, &[vec![SqliteValue::Integer(1)]])
            .unwrap();
    }
}
