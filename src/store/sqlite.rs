//! The SQLite driver: connection setup (WAL, foreign keys, busy timeout), the read-only ways of
//! opening a store that must not be written (a probe, a read-only file system), the check of the
//! file's pages, statement caching, and the one mapping from SQLite error codes to
//! [`StoreError`]. The file itself (creation, drafts, sidecars) is `sqlite_file.rs`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{ErrorCode, OpenFlags};

use super::error::StoreError;
use super::sql::{CheckDepth, Connection, Param, Row, TxMode, Value};
use super::sqlite_file;

pub struct SqliteConnection {
    conn: rusqlite::Connection,
    path: PathBuf,
    busy_timeout: Duration,
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Param::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Param::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(v)),
            Param::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
        })
    }
}

/// How many problems a page check reports before it stops looking.
const PROBLEMS_SHOWN: usize = 20;

/// The tables that grow with the users (and their history). Before writing, their pages get
/// SQLite's structural check only; every other table (the role and permission graph, groups,
/// settings: small whatever the number of users) also gets its indexes checked against its
/// rows. That bounds the check at ~0.1 s for 100,000 users (the full one takes ~0.35 s), which
/// `warden store check` runs.
const TABLES_OF_PEOPLE: [&str; 7] = [
    "users",
    "group_members",
    "assignments",
    "sign_ins",
    "password_history",
    "api_tokens",
    "audit",
];

impl SqliteConnection {
    /// Opens an existing database. Read-only connections never write to the file, which is what
    /// lets warden inspect a store it must refuse (newer schema) without changing a byte.
    pub fn open(path: &Path, read_only: bool, busy_timeout: Duration) -> Result<Self, StoreError> {
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        Self::open_with(path, path.as_os_str(), flags, busy_timeout)
    }

    /// A read-only look at a store that may yet be refused: a connection in WAL mode creates
    /// `-wal` and `-shm` files beside the database even to read, so when none exist (nobody
    /// has it open) the file is read as immutable, leaving the directory exactly as it was.
    pub fn probe(path: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        if sqlite_file::has_sidecars(path) {
            return Self::open(path, true, busy_timeout);
        }
        Self::open_immutable(path, busy_timeout)
    }

    /// Opens a store to read only. Where SQLite cannot keep its shared-memory file (a read-only
    /// file system, a directory this account cannot write), no other process can be writing
    /// the store either, so it is read as immutable.
    pub fn open_for_reading(path: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        // A connection that cannot read is closed before the next is opened: SQLite shares
        // what it knows of a file between the connections of a process.
        let normal = Self::open(path, true, busy_timeout).and_then(|mut conn| {
            conn.query("SELECT count(*) FROM sqlite_master", &[])?;
            Ok(conn)
        });
        match normal {
            Ok(conn) => Ok(conn),
            Err(e @ (StoreError::Corrupt(_) | StoreError::NotAStore { .. })) => Err(e),
            Err(_) => Self::open_immutable(path, busy_timeout),
        }
    }

    fn open_immutable(path: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        let uri = sqlite_file::uri(path, "mode=ro&immutable=1");
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        Self::open_with(path, std::ffi::OsStr::new(&uri), flags, busy_timeout)
    }

    fn open_with(
        path: &Path,
        name: &std::ffi::OsStr,
        flags: OpenFlags,
        busy_timeout: Duration,
    ) -> Result<Self, StoreError> {
        let conn = rusqlite::Connection::open_with_flags(name, flags)
            .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
        let mut this = SqliteConnection {
            conn,
            path: path.to_path_buf(),
            busy_timeout,
        };
        this.conn
            .busy_timeout(busy_timeout)
            .map_err(|e| this.map_err(e))?;
        this.conn.set_prepared_statement_cache_capacity(256);
        // A page cache that holds a 100,000-user store (about 40 MiB; memory is taken only as
        // pages are read), so a console load that walks the users twice reads them from disk
        // once. (Not mmap: an I/O error on a mapped file is a SIGBUS, not an error message.)
        this.batch("PRAGMA cache_size = -65536;")?;
        Ok(this)
    }

    /// Connection settings for a writable store. Called after the version check, because
    /// switching to WAL rewrites the file header.
    pub fn configure_for_writing(&mut self) -> Result<(), StoreError> {
        self.batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| self.map_err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unavailable(format!(
                "{} could not be switched to WAL mode (it is in {mode} mode)",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Connection settings for a draft (a new store being built beside its target): nothing
    /// is synced or journalled to disk while it is built, since a crash discards the draft
    /// anyway; the finished file is synced once before it is moved into place.
    pub fn configure_for_building(&mut self) -> Result<(), StoreError> {
        self.batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY;",
        )
    }

    fn map_err(&self, e: rusqlite::Error) -> StoreError {
        let rusqlite::Error::SqliteFailure(failure, message) = &e else {
            return StoreError::Backend(e.to_string());
        };
        let detail = message.clone().unwrap_or_else(|| failure.to_string());
        match failure.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Locked {
                waited_ms: u64::try_from(self.busy_timeout.as_millis()).unwrap_or(u64::MAX),
            },
            ErrorCode::NotADatabase => StoreError::NotAStore {
                location: self.path.display().to_string(),
                reason: "not a SQLite database".into(),
            },
            ErrorCode::DatabaseCorrupt => StoreError::Corrupt(format!(
                "{} is damaged ({detail}); restore it from a backup",
                self.path.display()
            )),
            ErrorCode::ReadOnly => StoreError::Unavailable(format!(
                "{} cannot be written ({detail}); check the file's owner and mode",
                self.path.display()
            )),
            // SQLite reports a write that found no room as "disk full" from the database file
            // but as an I/O error from its shared-memory file: ask the file system which.
            ErrorCode::DiskFull | ErrorCode::SystemIoFailure | ErrorCode::CannotOpen
                if disk_is_full(&self.path) =>
            {
                StoreError::Unavailable(format!(
                    "the disk holding {} is full; free some space and try again (nothing was changed)",
                    self.path.display()
                ))
            }
            ErrorCode::DiskFull => StoreError::Unavailable(format!(
                "the disk holding {} is full; free some space and try again (nothing was changed)",
                self.path.display()
            )),
            ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::SystemIoFailure => {
                StoreError::Unavailable(format!("{}: {detail}", self.path.display()))
            }
            ErrorCode::ConstraintViolation => StoreError::Conflict(detail),
            _ => StoreError::Backend(detail),
        }
    }

    fn pragma_lines(&mut self, sql: &str) -> Result<Vec<String>, StoreError> {
        let mut lines = Vec::new();
        self.query_each(sql, &[], &mut |row| {
            let cells: Vec<String> = row
                .0
                .iter()
                .map(|v| match v {
                    Value::Null => "NULL".to_string(),
                    Value::Int(i) => i.to_string(),
                    Value::Text(t) => t.clone(),
                })
                .collect();
            lines.push(cells.join(" "));
            Ok(())
        })?;
        Ok(lines)
    }
}

/// Whether the file system holding `path` has no room left (less than a page or two).
fn disk_is_full(path: &Path) -> bool {
    sqlite_file::free_space(path).is_some_and(|free| free < 64 * 1024)
}

/// Copies a row into `out`, reusing the text buffers of the previous row: a walk over 100,000
/// users then allocates per column once, not once per row.
fn read_row(row: &rusqlite::Row<'_>, columns: usize, out: &mut Row) -> rusqlite::Result<()> {
    out.0.truncate(columns);
    out.0.resize_with(columns, || Value::Null);
    for (i, slot) in out.0.iter_mut().enumerate() {
        match row.get_ref(i)? {
            ValueRef::Null => *slot = Value::Null,
            ValueRef::Integer(v) => *slot = Value::Int(v),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                let text = String::from_utf8_lossy(bytes);
                match slot {
                    Value::Text(kept) => {
                        kept.clear();
                        kept.push_str(&text);
                    }
                    other => *other = Value::Text(text.into_owned()),
                }
            }
            ValueRef::Real(v) => *slot = Value::Text(v.to_string()),
        }
    }
    Ok(())
}

impl Connection for SqliteConnection {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(|e| self.map_err(e))
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let result = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute(rusqlite::params_from_iter(params.iter())));
        match result {
            Ok(n) => Ok(n as u64),
            Err(e) => Err(self.map_err(e)),
        }
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut callback_error = None;
        let result = (|| -> rusqlite::Result<()> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let columns = stmt.column_count();
            let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
            let mut buffer = Row(Vec::with_capacity(columns));
            while let Some(row) = rows.next()? {
                read_row(row, columns, &mut buffer)?;
                if let Err(e) = each(&buffer) {
                    callback_error = Some(e);
                    break;
                }
            }
            Ok(())
        })();
        if let Some(e) = callback_error {
            return Err(e);
        }
        result.map_err(|e| self.map_err(e))
    }

    fn begin(&mut self, mode: TxMode) -> Result<(), StoreError> {
        self.batch(match mode {
            TxMode::Read => "BEGIN DEFERRED",
            TxMode::Write => "BEGIN IMMEDIATE",
        })
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.batch("COMMIT")
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.batch("ROLLBACK")
    }

    fn prepare_for_writing(&mut self) -> Result<(), StoreError> {
        self.configure_for_writing()
    }

    fn damaged_pages(&mut self, depth: CheckDepth) -> Result<Vec<String>, StoreError> {
        let checks: Vec<String> = match depth {
            CheckDepth::Full => vec![format!("PRAGMA integrity_check({PROBLEMS_SHOWN})")],
            CheckDepth::BeforeWriting => {
                let tables = self.tables()?;
                std::iter::once(format!("PRAGMA quick_check({PROBLEMS_SHOWN})"))
                    .chain(
                        tables
                            .iter()
                            .filter(|t| !TABLES_OF_PEOPLE.contains(&t.as_str()))
                            .map(|t| format!("PRAGMA integrity_check(\"{t}\")")),
                    )
                    .collect()
            }
        };
        let mut problems = Vec::new();
        for check in checks {
            match self.pragma_lines(&check) {
                Ok(lines) => problems.extend(lines.into_iter().filter(|l| l != "ok")),
                // Damage bad enough that the check itself cannot run is damage too.
                Err(StoreError::Corrupt(e)) => problems.push(e),
                Err(e) => return Err(e),
            }
            if problems.len() >= PROBLEMS_SHOWN {
                break;
            }
        }
        Ok(problems)
    }

    fn tables(&mut self) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            &[],
        )?
        .iter()
        .map(|row| row.text(0))
        .collect()
    }

    fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT name FROM pragma_table_info(?) ORDER BY cid",
            &[Param::Text(table)],
        )?
        .iter()
        .map(|row| row.text(0))
        .collect()
    }

    fn advance_numbering(&mut self, _table: &str) -> Result<(), StoreError> {
        // INTEGER PRIMARY KEY numbers after the largest id present: nothing to do.
        Ok(())
    }

    fn insert_returning_id(
        &mut self,
        table: &str,
        columns: &[&str],
        params: &[Param<'_>],
        id: Option<i64>,
    ) -> Result<i64, StoreError> {
        // INTEGER PRIMARY KEY: SQLite numbers after the largest id, explicit ones included.
        super::sql::insert_row(self, table, columns, params, id)
    }

    fn broken_references(&mut self) -> Result<Vec<String>, StoreError> {
        let lines = self.pragma_lines("PRAGMA foreign_key_check")?;
        // Rows of (table, rowid, parent, foreign key index).
        Ok(lines
            .into_iter()
            .map(|line| {
                let parts: Vec<&str> = line.split(' ').collect();
                match parts.as_slice() {
                    [table, rowid, parent, ..] => {
                        format!("{table} row {rowid} refers to a missing {parent} row")
                    }
                    _ => line,
                }
            })
            .collect())
    }
}
